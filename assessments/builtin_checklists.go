package assessments

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed builtin/checklists/*.yaml
var builtinChecklistFS embed.FS

// BuiltinChecklist is a role-play checklist shipped with the product, with the
// course it belongs to and how many days after a failed observation the
// re-observation falls due.
type BuiltinChecklist struct {
	Checklist     Checklist
	CourseSlug    string
	ReobserveDays int
}

// checklistDoc is a checklist as written in a built-in YAML file and as
// stored (JSON) in checklists.body and observations.checklist_snapshot. The
// course and re-observation period live in their own columns, not in the body.
type checklistDoc struct {
	Slug          string    `yaml:"slug" json:"slug"`
	Course        string    `yaml:"course" json:"-"`
	Title         string    `yaml:"title" json:"title"`
	PassPercent   float64   `yaml:"pass_percent" json:"pass_percent"`
	ReobserveDays int       `yaml:"reobserve_days" json:"-"`
	Brief         briefDoc  `yaml:"brief" json:"brief"`
	Items         []itemDoc `yaml:"items" json:"items"`
}

type briefDoc struct {
	Customer          string `yaml:"customer" json:"customer"`
	Situation         string `yaml:"situation" json:"situation"`
	WhatGoodLooksLike string `yaml:"what_good_looks_like" json:"what_good_looks_like"`
}

type itemDoc struct {
	ID       string  `yaml:"id" json:"id"`
	Text     string  `yaml:"text" json:"text"`
	Weight   float64 `yaml:"weight" json:"weight"`
	Critical bool    `yaml:"critical" json:"critical,omitempty"`
	Guidance string  `yaml:"guidance" json:"guidance,omitempty"`
}

func (d *checklistDoc) checklist() Checklist {
	c := Checklist{Slug: d.Slug, Title: d.Title, PassPercent: d.PassPercent,
		Brief: Brief{Customer: d.Brief.Customer, Situation: d.Brief.Situation, WhatGoodLooksLike: d.Brief.WhatGoodLooksLike}}
	for _, it := range d.Items {
		c.Items = append(c.Items, Item{ID: it.ID, Text: it.Text, Weight: it.Weight, Critical: it.Critical, Guidance: it.Guidance})
	}
	return c
}

func checklistDocOf(c *Checklist) checklistDoc {
	d := checklistDoc{Slug: c.Slug, Title: c.Title, PassPercent: c.PassPercent,
		Brief: briefDoc{Customer: c.Brief.Customer, Situation: c.Brief.Situation, WhatGoodLooksLike: c.Brief.WhatGoodLooksLike},
		Items: []itemDoc{}}
	for _, it := range c.Items {
		d.Items = append(d.Items, itemDoc{ID: it.ID, Text: it.Text, Weight: it.Weight, Critical: it.Critical, Guidance: it.Guidance})
	}
	return d
}

// BuiltinChecklists returns the built-in checklists in slug order. A file
// that does not parse or whose checklist fails ValidateChecklist is an error
// naming the file (the tests load them, so a broken file never ships).
func BuiltinChecklists() ([]BuiltinChecklist, error) {
	names, err := fs.Glob(builtinChecklistFS, "builtin/checklists/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []BuiltinChecklist
	for _, name := range names {
		src, err := builtinChecklistFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		b, err := parseChecklistYAML(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); b.Checklist.Slug != want {
			return nil, fmt.Errorf("%s: slug %q should match the file name %q", name, b.Checklist.Slug, want)
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b BuiltinChecklist) int { return strings.Compare(a.Checklist.Slug, b.Checklist.Slug) })
	return out, nil
}

// parseChecklistYAML reads one checklist file strictly (unknown keys are
// errors) and validates it.
func parseChecklistYAML(src []byte) (BuiltinChecklist, error) {
	var d checklistDoc
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return BuiltinChecklist{}, err
	}
	b := BuiltinChecklist{Checklist: d.checklist(), CourseSlug: d.Course, ReobserveDays: d.ReobserveDays}
	errs := ValidateChecklist(&b.Checklist)
	if d.Course == "" || !checklistSlugOK(d.Course) {
		errs = append(errs, fmt.Errorf("course: name the course slug the checklist belongs to"))
	}
	if d.ReobserveDays < 0 || d.ReobserveDays > 366 {
		errs = append(errs, fmt.Errorf("reobserve_days: give 0 (no re-observation) to 366 days"))
	}
	return b, errors.Join(errs...)
}
