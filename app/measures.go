package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// The service measures (HR): the list with what has been imported, a new
// measure, editing one, archiving and restoring; and the API's list and
// create.

// measureForm is the measure form as typed.
type measureForm struct {
	Slug, Title, Unit, Kind, Scale, Report, Higher, Min, Max string
}

// measureFields is the order of the form's fields, for the error summary.
var measureFields = []string{"slug", "title", "unit", "kind", "scale", "report", "higher_is_better", "min_value", "max_value"}

func newMeasureForm(c *fiber.Ctx) measureForm {
	return measureForm{Slug: formTrimmed(c, "slug"), Title: formValue(c, "title"), Unit: formValue(c, "unit"),
		Kind: formTrimmed(c, "kind"), Scale: formTrimmed(c, "scale"), Report: formTrimmed(c, "report"),
		Higher: formTrimmed(c, "higher_is_better"), Min: formTrimmed(c, "min_value"), Max: formTrimmed(c, "max_value")}
}

func measureFormOf(m *outcomes.Measure) measureForm {
	f := measureForm{Slug: m.Slug, Title: m.Title, Unit: m.Unit, Kind: string(m.Kind), Scale: string(m.Scale),
		Report: string(m.Report), Higher: "lower"}
	if m.HigherIsBetter {
		f.Higher = "higher"
	}
	if m.MinValue != nil {
		f.Min = strconv.FormatFloat(*m.MinValue, 'g', -1, 64)
	}
	if m.MaxValue != nil {
		f.Max = strconv.FormatFloat(*m.MaxValue, 'g', -1, 64)
	}
	return f
}

// input turns the form into what the store takes, with every problem by field.
func (f measureForm) input() (outcomes.MeasureInput, map[string]string) {
	in := outcomes.MeasureInput{Slug: f.Slug, Title: f.Title, Unit: f.Unit, Kind: outcomes.Kind(f.Kind),
		Scale: outcomes.Scale(f.Scale), Report: outcomes.Report(f.Report)}
	if in.Kind != outcomes.Rating { // the form sends the rating's choices whatever the kind
		in.Scale, in.Report = "", ""
	}
	errs := fieldMessages{}
	switch f.Higher {
	case "higher", "lower":
		hib := f.Higher == "higher"
		in.HigherIsBetter = &hib
	case "":
	default:
		errs.add("higher_is_better", "Choose whether a higher or a lower figure is better.")
	}
	for _, b := range []struct {
		field, typed string
		dest         **float64
	}{{"min_value", f.Min, &in.MinValue}, {"max_value", f.Max, &in.MaxValue}} {
		if b.typed == "" || in.Kind != outcomes.Value {
			continue
		}
		v, ok := parseNumber(b.typed, 0)
		if !ok {
			errs.add(b.field, fmt.Sprintf("%q is not a number.", b.typed))
			continue
		}
		*b.dest = &v
	}
	for _, e := range in.Check() {
		if _, ok := errs[e.Field]; !ok {
			errs.add(e.Field, e.Message)
		}
	}
	return in, errs
}

// measureRow is one measure in the list.
type measureRow struct {
	*outcomes.Measure
	KindLabel, Reported, Better string
	Events, Imports             int
	LastImport                  string
	Archived                    bool
}

func measureKindLabel(m *outcomes.Measure) string {
	if m.Kind == outcomes.Rating {
		return "Rating, " + strings.ToLower(m.Scale.Label())
	}
	return m.Kind.Label()
}

func (s *Server) measureRows(c *fiber.Ctx) ([]measureRow, []bar, error) {
	ctx := c.UserContext()
	list, err := s.training.Outcomes().ListMeasures(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	totals, err := outcomes.ListImportTotals(ctx, s.cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]measureRow, 0, len(list))
	maxEvents := 0
	for _, m := range list {
		t := totals[m.ID]
		r := measureRow{Measure: m, KindLabel: measureKindLabel(m), Reported: m.FigureUnit(), Better: "Lower is better",
			Events: t.Created, Imports: t.Imports, Archived: m.ArchivedAt != nil}
		if m.HigherIsBetter {
			r.Better = "Higher is better"
		}
		if !t.Last.IsZero() {
			r.LastImport = localDate(prof.Loc, t.Last)
		}
		maxEvents = max(maxEvents, t.Created)
		rows = append(rows, r)
	}
	var bars []bar
	for _, r := range rows {
		if r.Archived {
			continue
		}
		pct := 0
		if maxEvents > 0 {
			pct = r.Events * 100 / maxEvents
		}
		bars = append(bars, bar{Label: r.Title, Value: r.Events, Pct: pct})
	}
	return rows, bars, nil
}

func (s *Server) measureIndex(c *fiber.Ctx) error {
	return s.measureIndexPage(c, http.StatusOK, measureForm{Kind: string(outcomes.Rating), Scale: string(outcomes.GoodBad)}, nil)
}

func (s *Server) measureIndexPage(c *fiber.Ctx, status int, f measureForm, errs map[string]string) error {
	rows, bars, err := s.measureRows(c)
	if err != nil {
		return err
	}
	return s.renderStatus(c, status, "measures/index", fiber.Map{"Title": "Service measures", "Rows": rows, "Bars": bars,
		"Form": f, "Errors": errs, "ErrorList": orderedErrors(errs, measureFields),
		"Kinds": outcomes.Kinds, "Scales": outcomes.Scales, "Reports": measureReports})
}

// measureReports are the ways a rating is reported, in words.
var measureReports = []struct{ Value, Label string }{
	{string(outcomes.PercentSatisfied), "Share satisfied (%)"}, {string(outcomes.Mean), "Mean score"},
}

func (s *Server) measureCreate(c *fiber.Ctx) error {
	f := newMeasureForm(c)
	in, errs := f.input()
	if len(errs) > 0 {
		return s.measureIndexPage(c, http.StatusUnprocessableEntity, f, errs)
	}
	m, err := s.training.Outcomes().CreateMeasure(c.UserContext(), in)
	if field, msg, ok := asFieldError(err); ok {
		return s.measureIndexPage(c, http.StatusUnprocessableEntity, f, map[string]string{field: msg})
	}
	if err != nil {
		return err
	}
	if err := s.auditMeasure(c, "measure.create", m, measureDetail(m)); err != nil {
		return err
	}
	s.flash(c, "success", m.Title+" added. Import its events from your helpdesk or CRM export.")
	return c.Redirect("/measures", http.StatusSeeOther)
}

func measureDetail(m *outcomes.Measure) string {
	d := measureKindLabel(m)
	if m.Kind == outcomes.Rating {
		d += ", reported as " + m.FigureUnit()
	}
	if r := m.Range(); r != "" {
		d += ", " + r
	}
	if m.HigherIsBetter {
		return d + ", higher is better"
	}
	return d + ", lower is better"
}

func (s *Server) auditMeasure(c *fiber.Ctx, action string, m *outcomes.Measure, detail string) error {
	id, label := principal(c).actor()
	return people.Audit(c.UserContext(), s.cfg.DB, s.training.Now(), id, label, action, m.Slug, detail)
}

func (s *Server) measureEdit(c *fiber.Ctx) error {
	m, err := s.training.Outcomes().FindMeasure(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	return s.measureEditPage(c, http.StatusOK, m, measureFormOf(m), nil)
}

func (s *Server) measureEditPage(c *fiber.Ctx, status int, m *outcomes.Measure, f measureForm, errs map[string]string) error {
	return s.renderStatus(c, status, "measures/edit", fiber.Map{"Title": "Edit " + m.Title, "Measure": m,
		"KindLabel": measureKindLabel(m), "Form": f, "Errors": errs, "ErrorList": orderedErrors(errs, measureFields),
		"Reports": measureReports, "Archived": m.ArchivedAt != nil})
}

func (s *Server) measureSave(c *fiber.Ctx) error {
	m, err := s.training.Outcomes().FindMeasure(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	f := newMeasureForm(c)
	f.Slug, f.Kind, f.Scale = m.Slug, string(m.Kind), string(m.Scale) // they stay: the events were read by them
	if m.Kind != outcomes.Rating || m.Scale == outcomes.GoodBad {
		f.Report = string(m.Report)
	}
	in, errs := f.input()
	if len(errs) > 0 {
		return s.measureEditPage(c, http.StatusUnprocessableEntity, m, f, errs)
	}
	before := measureDetail(m) + ", " + m.Title + " (" + m.Unit + ")"
	up, err := s.training.Outcomes().UpdateMeasure(c.UserContext(), m.Slug, in)
	if field, msg, ok := asFieldError(err); ok {
		return s.measureEditPage(c, http.StatusUnprocessableEntity, m, f, map[string]string{field: msg})
	}
	if err != nil {
		return err
	}
	if err := s.auditMeasure(c, "measure.update", up, before+" → "+measureDetail(up)+", "+up.Title+" ("+up.Unit+")"); err != nil {
		return err
	}
	s.flash(c, "success", up.Title+" saved.")
	return c.Redirect("/measures", http.StatusSeeOther)
}

func (s *Server) measureArchive(c *fiber.Ctx) error { return s.measureSetArchived(c, true) }
func (s *Server) measureRestore(c *fiber.Ctx) error { return s.measureSetArchived(c, false) }

func (s *Server) measureSetArchived(c *fiber.Ctx, archived bool) error {
	m, err := s.training.Outcomes().SetMeasureArchived(c.UserContext(), slugParam(c, "slug"), archived)
	if err != nil {
		return err
	}
	action, msg := "measure.restore", m.Title+" restored: it takes imports again."
	if archived {
		action, msg = "measure.archive", m.Title+" archived: it takes no imports; its events stay in the reports."
	}
	if err := s.auditMeasure(c, action, m, ""); err != nil {
		return err
	}
	s.flash(c, "success", msg)
	return c.Redirect("/measures", http.StatusSeeOther)
}

// The API.

type apiMeasure struct {
	*outcomes.Measure
	Archived bool `json:"archived"`
}

// apiMeasures lists the measures (any token); ?archived=true includes the archived ones.
func (s *Server) apiMeasures(c *fiber.Ctx) error {
	list, err := s.training.Outcomes().ListMeasures(c.UserContext(), c.QueryBool("archived"))
	if err != nil {
		return err
	}
	out := make([]apiMeasure, len(list))
	for i, m := range list {
		out[i] = apiMeasure{Measure: m, Archived: m.ArchivedAt != nil}
	}
	return c.JSON(fiber.Map{"measures": out})
}

// apiMeasureCreate creates a measure (HR tokens): 201 with it; 422 naming
// the field; 409 on a taken slug.
func (s *Server) apiMeasureCreate(c *fiber.Ctx) error {
	var in outcomes.MeasureInput
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return store.FieldError("body", `The body must be JSON like {"slug":"csat","title":"Customer satisfaction","unit":"","kind":"rating","scale":"good_bad","higher_is_better":true}: %s.`,
			strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return store.FieldError("body", "The body must be one JSON object.")
	}
	m, err := s.training.Outcomes().CreateMeasure(c.UserContext(), in)
	if err != nil {
		return err
	}
	if err := s.auditMeasure(c, "measure.create", m, measureDetail(m)); err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(apiMeasure{Measure: m})
}
