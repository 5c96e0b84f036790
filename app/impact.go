package app

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// The impact report (/impact and GET /api/v1/impact): did a programme move
// a service measure? HR and admins choose anyone (a department, a location,
// a manager's line); a manager sees their own reporting line, or a line
// within it, and nobody else.

// impactForm is the report's query as typed.
type impactForm struct {
	Programme, Measure, Window, Department, Location, Manager string
}

func newImpactForm(c *fiber.Ctx) impactForm {
	v := func(k string) string { return queryTrimmed(c, k) }
	return impactForm{Programme: v("programme"), Measure: v("measure"), Window: v("window_days"),
		Department: v("department"), Location: v("location"), Manager: v("manager")}
}

// impactWindow reads window_days ("" is 90); Invalid naming window_days otherwise.
func impactWindow(s string) (int, error) {
	if s == "" {
		return 90, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || !containsInt(training.ImpactWindows, n) {
		return 0, store.FieldError("window_days", "Choose a window of 30, 60, 90 or 180 days.")
	}
	return n, nil
}

func containsInt(xs []int, n int) bool {
	for _, x := range xs {
		if x == n {
			return true
		}
	}
	return false
}

// impactScope is whose people the report covers: the manager's line
// (teamRoot: a manager is held to their own line, a number outside it is
// NotFound on "manager") narrowed by department and location.
func (s *Server) impactScope(c *fiber.Ctx, manager string, dept, loc int64) (training.ImpactFilter, *people.Employee, error) {
	f := training.ImpactFilter{DepartmentID: dept, LocationID: loc}
	root, err := s.teamRoot(c, manager)
	if err != nil {
		return f, nil, err
	}
	if root != nil {
		f.LineOf = root.ID
	}
	return f, root, nil
}

// impactLists are the report's choices.
type impactLists struct {
	Programmes []*courses.Programme
	Measures   []*outcomes.Measure
	Org        orgLists
}

func (s *Server) impactLists(ctx context.Context) (impactLists, error) {
	var l impactLists
	var err error
	if l.Programmes, err = s.courses.ListProgrammes(ctx, false); err != nil {
		return l, err
	}
	if l.Measures, err = s.training.Outcomes().ListMeasures(ctx, false); err != nil {
		return l, err
	}
	l.Org, err = s.orgLists(ctx)
	return l, err
}

// impactRow is one line of the numbers table.
type impactRow struct {
	Group, Before, After, Change string
}

// impactShow is GET /impact (managers: their line; HR and admins: anyone).
func (s *Server) impactShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := newImpactForm(c)
	lists, err := s.impactLists(ctx)
	if err != nil {
		return err
	}
	p := principal(c)
	data := fiber.Map{"Title": "Service impact", "Form": form, "Lists": lists, "Windows": training.ImpactWindows,
		"SeesEveryone": p.SeesEveryone()}
	if len(lists.Programmes) == 0 || len(lists.Measures) == 0 {
		return s.render(c, "impact/show", data)
	}
	// The first programme and measure until the form chooses.
	if form.Programme == "" {
		form.Programme = lists.Programmes[0].Slug
	}
	if form.Measure == "" {
		form.Measure = lists.Measures[0].Slug
	}
	data["Form"] = form
	errs := fieldMessages{}
	window, err := impactWindow(form.Window)
	if err != nil {
		errs.add("window_days", store.MessageOf(err))
	}
	pick := func(field, value, noun string, opts []people.OrgOption) int64 {
		if value == "" {
			return 0
		}
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || nameOf(opts, id) == "" {
			errs.add(field, "Choose a "+noun+" from the list.")
			return 0
		}
		return id
	}
	dept := pick("department", form.Department, "department", lists.Org.Departments)
	loc := pick("location", form.Location, "location", lists.Org.Locations)
	f, root, err := s.impactScope(c, form.Manager, dept, loc)
	if err != nil {
		if store.FieldOf(err) != "manager" {
			return err
		}
		errs.add("manager", store.MessageOf(err))
	}
	var r *training.ImpactReport
	if len(errs) == 0 {
		r, err = s.training.ImpactReport(ctx, form.Programme, form.Measure, window, f)
		if err != nil {
			if store.KindOf(err) != store.Invalid {
				return err
			}
			errs.add(store.FieldOf(err), store.MessageOf(err))
		}
	}
	if len(errs) > 0 {
		data["Errors"] = map[string]string(errs)
		data["ErrorList"] = orderedErrors(errs, []string{"programme", "measure", "window_days", "department", "location", "manager"})
		return s.renderStatus(c, http.StatusUnprocessableEntity, "impact/show", data)
	}
	data["Errors"] = map[string]string{}
	data["R"] = r
	data["Window"] = window
	data["Scope"] = impactScopeText(f, lists.Org, root, p)
	data["Rows"] = impactRows(r)
	data["Chart"] = impactChartSVG(r)
	data["MonthRows"] = impactMonthRows(r)
	return s.render(c, "impact/show", data)
}

// impactScopeText says whose people the report covers.
func impactScopeText(f training.ImpactFilter, org orgLists, root *people.Employee, p *Principal) string {
	var parts []string
	if root != nil {
		if p.Employee != nil && root.ID == p.Employee.ID {
			parts = append(parts, "your reporting line")
		} else {
			parts = append(parts, "the reporting line of "+root.Name()+" ("+root.Number+")")
		}
	}
	if f.DepartmentID != 0 {
		parts = append(parts, "the "+nameOf(org.Departments, f.DepartmentID)+" department")
	}
	if f.LocationID != 0 {
		parts = append(parts, nameOf(org.Locations, f.LocationID))
	}
	if len(parts) == 0 {
		return "Everyone in the organisation."
	}
	return "Narrowed to " + strings.Join(parts, " · ") + "."
}

// figure formats a group figure in the measure's unit.
func impactFigure(m *outcomes.Measure, v float64) string {
	if m.Percentages() {
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func impactChange(m *outcomes.Measure, v float64) string {
	sign := "+"
	if v < 0 {
		sign, v = "−", -v
	}
	if m.Percentages() {
		return fmt.Sprintf("%s%.1f points", sign, v)
	}
	return fmt.Sprintf("%s%.2f", sign, v)
}

// impactRows are the trained and comparison groups' figures, and the effect.
func impactRows(r *training.ImpactReport) []impactRow {
	m, im := r.Measure, r.Impact
	rows := []impactRow{
		{fmt.Sprintf("Trained (%d)", im.Trained), impactFigure(m, im.TrainedBefore), impactFigure(m, im.TrainedAfter), impactChange(m, im.TrainedAfter-im.TrainedBefore)},
		{fmt.Sprintf("Comparison, not yet trained (%d)", im.Comparison), impactFigure(m, im.ComparisonBefore), impactFigure(m, im.ComparisonAfter), impactChange(m, im.ComparisonAfter-im.ComparisonBefore)},
	}
	return rows
}

// impactMonthRow is one month of the chart's table.
type impactMonthRow struct {
	Label, Trained, Comparison string
	TrainedPeople, Comparisons int
	Completions                int
}

func impactMonthRows(r *training.ImpactReport) []impactMonthRow {
	out := make([]impactMonthRow, len(r.Months))
	for i, f := range r.Months {
		row := impactMonthRow{Label: f.Label(), Trained: "–", Comparison: "–", TrainedPeople: f.TrainedPeople, Comparisons: f.ComparisonPeople, Completions: f.Completions}
		if f.TrainedOK {
			row.Trained = impactFigure(r.Measure, f.Trained)
		}
		if f.ComparisonOK {
			row.Comparison = impactFigure(r.Measure, f.Comparison)
		}
		out[i] = row
	}
	return out
}

// apiImpact is GET /api/v1/impact: the estimate as JSON. programme and
// measure are required; department and location are names; a manager
// token covers its own line (or manager=, a line within it).
func (s *Server) apiImpact(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := newImpactForm(c)
	if form.Programme == "" {
		return store.FieldError("programme", "Give the programme's short name: programme=SLUG.")
	}
	if form.Measure == "" {
		return store.FieldError("measure", "Give the measure's short name: measure=SLUG.")
	}
	window, err := impactWindow(form.Window)
	if err != nil {
		return err
	}
	var ids [2]int64
	for i, o := range []struct {
		field, name string
		kind        people.OrgKind
	}{{"department", form.Department, people.Departments}, {"location", form.Location, people.Locations}} {
		if o.name == "" {
			continue
		}
		it, err := s.people.FindOrgByName(ctx, o.kind, o.name)
		if store.IsNotFound(err) {
			return store.FieldError(o.field, "There is no %s called %q.", o.kind.Noun(), o.name)
		} else if err != nil {
			return err
		}
		ids[i] = it.ID
	}
	f, _, err := s.impactScope(c, form.Manager, ids[0], ids[1])
	if err != nil {
		return err
	}
	r, err := s.training.ImpactReport(ctx, form.Programme, form.Measure, window, f)
	if err != nil {
		return err
	}
	im := r.Impact
	round := func(v float64) float64 { return math.Round(v*1e4) / 1e4 }
	return c.JSON(fiber.Map{"programme": r.Programme.Slug, "measure": r.Measure.Slug, "window_days": im.WindowDays,
		"trained": im.Trained, "comparison": im.Comparison,
		"trained_before": round(im.TrainedBefore), "trained_after": round(im.TrainedAfter),
		"comparison_before": round(im.ComparisonBefore), "comparison_after": round(im.ComparisonAfter),
		"effect": round(im.Effect), "ci_low": round(im.CILow), "ci_high": round(im.CIHigh),
		"unit": r.Measure.EffectUnit(), "events": im.Events,
		"method": im.Method, "enough_data": im.EnoughData, "sentence": r.Sentence})
}
