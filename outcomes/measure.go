// Package outcomes holds what the training is for: the service measures a
// company tracks (customer satisfaction, complaints, first-contact
// resolution, handling time), the outcome events imported per employee from
// a helpdesk or CRM, and the pure rules that turn events into a person's
// figure (the share satisfied, a count, a mean). The impact of a programme on
// a measure, the recovery rules and the per-person summaries are built on
// them. It imports people and store, never courses, assessments or app.
package outcomes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Kind is what one event of a measure is.
type Kind string

const (
	// Rating is a customer's verdict on one contact: good/bad, or a score on
	// a 1–5 or 0–10 scale (see Scale).
	Rating Kind = "rating"
	// Count is an event that is counted, such as a complaint (each row is one
	// event whatever its value; a category is optional).
	Count Kind = "count"
	// Value is a number measured per contact, such as handling time or
	// first-contact resolution.
	Value Kind = "value"
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{Rating, Count, Value}

// Label is the kind in words.
func (k Kind) Label() string {
	switch k {
	case Rating:
		return "Rating (customer satisfaction)"
	case Count:
		return "Count (complaints and other events)"
	case Value:
		return "Value (a number per contact)"
	}
	return string(k)
}

// Scale is a rating's scale.
type Scale string

const (
	GoodBad   Scale = "good_bad" // good / bad (satisfied / unsatisfied, yes / no, 1 / 0)
	OneToFive Scale = "1-5"      // 1 to 5; 4 and 5 are satisfied
	ZeroToTen Scale = "0-10"     // 0 to 10; 9 and 10 are satisfied
)

// Scales lists the rating scales.
var Scales = []Scale{GoodBad, OneToFive, ZeroToTen}

// Label is the scale in words.
func (s Scale) Label() string {
	switch s {
	case GoodBad:
		return "Good or bad"
	case OneToFive:
		return "1 to 5 (4 and 5 count as satisfied)"
	case ZeroToTen:
		return "0 to 10 (9 and 10 count as satisfied)"
	}
	return string(s)
}

// Report is how a rating is reported.
type Report string

const (
	PercentSatisfied Report = "percent_satisfied" // the share of satisfied responses, as a percentage
	Mean             Report = "mean"              // the mean score
)

// Reports lists the ways a rating is reported.
var Reports = []Report{PercentSatisfied, Mean}

// Measure is one service measure the company tracks.
type Measure struct {
	bun.BaseModel `bun:"table:measures,alias:m"`

	ID             int64      `bun:",pk,autoincrement" json:"-"`
	Slug           string     `bun:",notnull" json:"slug"`
	Title          string     `bun:",notnull" json:"title"`
	Unit           string     `bun:",notnull" json:"unit"`
	Kind           Kind       `bun:",notnull" json:"kind"`
	Scale          Scale      `bun:",notnull" json:"scale,omitempty"`
	Report         Report     `bun:",notnull" json:"report,omitempty"`
	HigherIsBetter bool       `bun:",notnull" json:"higher_is_better"`
	MinValue       *float64   `json:"min_value,omitempty"`
	MaxValue       *float64   `json:"max_value,omitempty"`
	CreatedAt      time.Time  `bun:",notnull" json:"-"`
	UpdatedAt      time.Time  `bun:",notnull" json:"-"`
	ArchivedAt     *time.Time `bun:",nullzero" json:"-"`
}

// Percentages reports whether the measure's figure is a percentage (a
// rating reported as the share satisfied): effects on it are percentage
// points.
func (m *Measure) Percentages() bool { return m.Kind == Rating && m.Report == PercentSatisfied }

// FigureUnit is the unit of a person's or a group's figure, for labels:
// "% satisfied", "complaints", the mean's unit.
func (m *Measure) FigureUnit() string {
	switch {
	case m.Percentages():
		return "% satisfied"
	case m.Kind == Rating:
		return "mean score"
	}
	return m.Unit
}

// EffectUnit is the unit an effect on the measure is stated in: percentage
// points for a share, else the figure's unit.
func (m *Measure) EffectUnit() string {
	if m.Percentages() {
		return "percentage points"
	}
	return m.FigureUnit()
}

// Satisfied reports whether a rating's value counts as satisfied: good, or
// the top two boxes of its scale.
func (m *Measure) Satisfied(v float64) bool {
	switch m.Scale {
	case OneToFive:
		return v >= 4
	case ZeroToTen:
		return v >= 9
	}
	return v >= 1
}

// ParseValue reads one event's value as written in an import: for a
// good/bad rating good, satisfied, yes, positive, 1, thumbs up (and their
// opposites); for a scored rating a whole number on its scale; for a count
// anything (each row is one event: the value stored is 1); for a value a
// number within the measure's bounds. Returns an Invalid error naming
// "value" with what is wrong.
func (m *Measure) ParseValue(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch m.Kind {
	case Count:
		return 1, nil
	case Rating:
		if m.Scale == GoodBad {
			switch strings.ToLower(s) {
			case "good", "satisfied", "yes", "y", "positive", "1", "true", "👍", "happy":
				return 1, nil
			case "bad", "unsatisfied", "dissatisfied", "no", "n", "negative", "0", "false", "👎", "unhappy":
				return 0, nil
			case "":
				return 0, store.FieldError("value", "The rating is empty: give good or bad.")
			}
			return 0, store.FieldError("value", "%q is not a rating on this measure: give good or bad (or satisfied / unsatisfied).", s)
		}
		lo, hi := 1.0, 5.0
		if m.Scale == ZeroToTen {
			lo, hi = 0, 10
		}
		v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil || v != math.Trunc(v) || v < lo || v > hi {
			return 0, store.FieldError("value", "%q is not a score on this measure: give a whole number from %g to %g.", s, lo, hi)
		}
		return v, nil
	}
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSuffix(s, "%"), ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, store.FieldError("value", "%q is not a number.", s)
	}
	if m.MinValue != nil && v < *m.MinValue || m.MaxValue != nil && v > *m.MaxValue {
		return 0, store.FieldError("value", "%s is outside this measure's range (%s).", s, m.Range())
	}
	return v, nil
}

// Range describes a value measure's bounds in words, or "" without any.
func (m *Measure) Range() string {
	switch {
	case m.MinValue != nil && m.MaxValue != nil:
		return fmt.Sprintf("%g to %g", *m.MinValue, *m.MaxValue)
	case m.MinValue != nil:
		return fmt.Sprintf("at least %g", *m.MinValue)
	case m.MaxValue != nil:
		return fmt.Sprintf("at most %g", *m.MaxValue)
	}
	return ""
}

// MeasureInput is a measure as a form or the API gives it.
type MeasureInput struct {
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Unit           string   `json:"unit"`
	Kind           Kind     `json:"kind"`
	Scale          Scale    `json:"scale"`
	Report         Report   `json:"report"`
	HigherIsBetter *bool    `json:"higher_is_better"`
	MinValue       *float64 `json:"min_value"`
	MaxValue       *float64 `json:"max_value"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Check tidies the input and returns every problem, each naming its field.
// A rating needs a scale (its report defaults to the share satisfied); a
// count and a value have neither; only a value has bounds. Higher is better
// defaults to true for a rating and false for a count.
func (in *MeasureInput) Check() []*store.Error {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Unit = strings.TrimSpace(in.Unit)
	var errs []*store.Error
	add := func(field, format string, args ...any) { errs = append(errs, store.FieldError(field, format, args...)) }
	for _, f := range []struct{ field, val string }{{"slug", in.Slug}, {"title", in.Title}, {"unit", in.Unit}} {
		if !utf8.ValidString(f.val) || strings.ContainsFunc(f.val, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			add(f.field, "This has a character that is not text (a control character, or not UTF-8).")
		}
	}
	switch {
	case in.Slug == "":
		add("slug", "Give the measure a short name (lower-case letters, digits and hyphens), such as csat.")
	case len(in.Slug) > 60 || !slugRE.MatchString(in.Slug):
		add("slug", "The short name may have lower-case letters, digits and single hyphens, up to 60 characters (such as csat or complaints).")
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		add("title", "Give the measure a title, such as Customer satisfaction.")
	case n > 200:
		add("title", "The title is %d characters long; the limit is 200.", n)
	}
	if n := utf8.RuneCountInString(in.Unit); n > 40 {
		add("unit", "The unit is %d characters long; the limit is 40.", n)
	}
	switch in.Kind {
	case Rating:
		switch in.Scale {
		case GoodBad, OneToFive, ZeroToTen:
		case "":
			add("scale", "Choose the rating's scale: good or bad, 1 to 5, or 0 to 10.")
		default:
			add("scale", "%q is not a scale: choose good_bad, 1-5 or 0-10.", in.Scale)
		}
		switch in.Report {
		case "":
			in.Report = PercentSatisfied
		case PercentSatisfied, Mean:
		default:
			add("report", "%q is not a way to report a rating: choose percent_satisfied or mean.", in.Report)
		}
		if in.Scale == GoodBad && in.Report == Mean {
			add("report", "A good-or-bad rating is reported as the share satisfied.")
		}
	case Count, Value:
		if in.Scale != "" {
			add("scale", "Only a rating has a scale.")
		}
		if in.Report != "" {
			add("report", "Only a rating is reported as a share or a mean.")
		}
	case "":
		add("kind", "Choose what the measure counts: a rating, a count or a value.")
	default:
		add("kind", "%q is not a kind of measure: choose rating, count or value.", in.Kind)
	}
	if in.Kind != Value && (in.MinValue != nil || in.MaxValue != nil) {
		add("min_value", "Only a value measure has bounds.")
	}
	if in.MinValue != nil && in.MaxValue != nil && *in.MinValue > *in.MaxValue {
		add("max_value", "The largest value is below the smallest.")
	}
	for _, b := range []struct {
		field string
		v     *float64
	}{{"min_value", in.MinValue}, {"max_value", in.MaxValue}} {
		if b.v != nil && (math.IsNaN(*b.v) || math.IsInf(*b.v, 0)) {
			add(b.field, "Give a number.")
		}
	}
	if in.HigherIsBetter == nil {
		hib := in.Kind != Count
		in.HigherIsBetter = &hib
	}
	return errs
}

func (in *MeasureInput) apply(m *Measure, now time.Time) {
	m.Slug, m.Title, m.Unit, m.Kind, m.Scale, m.Report = in.Slug, in.Title, in.Unit, in.Kind, in.Scale, in.Report
	m.HigherIsBetter, m.MinValue, m.MaxValue, m.UpdatedAt = *in.HigherIsBetter, in.MinValue, in.MaxValue, now
	if m.Kind == Rating && m.Unit == "" {
		m.Unit = "responses"
	}
}

// Store reads and writes measures and outcome events.
type Store struct {
	DB    *bun.DB
	clock store.Clock
}

// NewStore returns a Store on db; clock nil means the real clock.
func NewStore(db *bun.DB, clock store.Clock) *Store {
	if clock == nil {
		clock = store.SystemClock
	}
	return &Store{DB: db, clock: clock}
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.clock.Now() }

// CreateMeasure stores a new measure; Invalid naming the field for bad
// input, Conflict on "slug" when the short name is taken.
func (s *Store) CreateMeasure(ctx context.Context, in MeasureInput) (*Measure, error) {
	if errs := in.Check(); len(errs) > 0 {
		return nil, errs[0]
	}
	now := s.Now()
	m := &Measure{CreatedAt: now}
	in.apply(m, now)
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if n, err := tx.NewSelect().Model((*Measure)(nil)).Where("slug = ?", m.Slug).Count(ctx); err != nil || n > 0 {
			if err == nil {
				err = &store.Error{Kind: store.Conflict, Field: "slug", Message: fmt.Sprintf("There is already a measure %q: choose another short name.", m.Slug)}
			}
			return err
		}
		_, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateMeasure changes the measure slug. Its short name and kind stay
// (events already stored were read by them): a different slug or kind is
// Invalid on that field. NotFound when there is no such measure.
func (s *Store) UpdateMeasure(ctx context.Context, slug string, in MeasureInput) (*Measure, error) {
	m, err := s.FindMeasure(ctx, slug)
	if err != nil {
		return nil, err
	}
	if errs := in.Check(); len(errs) > 0 {
		return nil, errs[0]
	}
	if in.Slug != m.Slug {
		return nil, store.FieldError("slug", "A measure keeps its short name (%s): its events were imported under it.", m.Slug)
	}
	if in.Kind != m.Kind || in.Scale != m.Scale {
		return nil, store.FieldError("kind", "A measure keeps its kind and scale: its events were read by them. Create a new measure instead.")
	}
	in.apply(m, s.Now())
	if _, err := s.DB.NewUpdate().Model(m).WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// FindMeasure returns the measure with slug, or NotFound.
func (s *Store) FindMeasure(ctx context.Context, slug string) (*Measure, error) {
	return FindMeasureIn(ctx, s.DB, slug)
}

// FindMeasureIn is FindMeasure inside db (a transaction).
func FindMeasureIn(ctx context.Context, db bun.IDB, slug string) (*Measure, error) {
	m := new(Measure)
	err := db.NewSelect().Model(m).Where("slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no measure %q.", slug)
	}
	return m, err
}

// ListMeasures returns every measure by title, archived ones only when asked.
func (s *Store) ListMeasures(ctx context.Context, archived bool) ([]*Measure, error) {
	var list []*Measure
	q := s.DB.NewSelect().Model(&list).OrderExpr("m.title, m.id")
	if !archived {
		q = q.Where("m.archived_at IS NULL")
	}
	return list, q.Scan(ctx)
}
