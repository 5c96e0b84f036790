package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// Service outcomes beside readiness: on /team each person's figure of each
// measure over the last 30 days and its trend against the 30 days before;
// on the coach queue the people whose satisfaction fell below the measure's
// coach threshold and those with a run of a recovery rule ("3 complaints in
// 30 days"), each with a suggested action.

const (
	outcomeWindowDays = 30 // a figure's window; the trend compares it with the one before
	coachMinResponses = 3  // responses in the window before satisfaction counts as fallen
)

// teamOutcome is one person's figure of one measure.
type teamOutcome struct {
	Measure   string // the measure's title
	Slug      string
	Value     string // "75% satisfied", "2 complaints", "—" without events
	Arrow     string // ↑ ↓ → or ""
	Trend     string // "up 5 points from 70%", "no change", "no earlier figure"
	Direction string // better, worse, same, none: a class, never alone
	Has       bool
}

// outcomeCell counts a person's events of one measure in one window by value.
type outcomeCell map[float64]int

func (c outcomeCell) points() []outcomes.Point {
	var out []outcomes.Point
	for v, n := range c {
		for range n {
			out = append(out, outcomes.Point{Value: v})
		}
	}
	return out
}

// teamOutcomes reads, in one grouped query, the events of the measures in
// the last 60 days of the employees (a page of /team), and returns each
// one's figures by employee id, in the measures' order.
func (s *Server) teamOutcomes(ctx context.Context, measures []*outcomes.Measure, employeeIDs []int64, today outcomes.Day) (map[int64][]teamOutcome, error) {
	out := map[int64][]teamOutcome{}
	if len(measures) == 0 || len(employeeIDs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(measures))
	for i, m := range measures {
		ids[i] = m.ID
	}
	split := today - outcomeWindowDays // events after it are the current window
	var rows []struct {
		EmployeeID int64
		MeasureID  int64
		Recent     int
		Value      float64
		N          int
	}
	// The page holds at most teamPageSize people: one query.
	err := s.cfg.DB.NewSelect().TableExpr("outcome_events").
		Column("employee_id", "measure_id").ColumnExpr("CASE WHEN day > ? THEN 1 ELSE 0 END AS recent", split).
		Column("value").ColumnExpr("COUNT(*) AS n").
		Where("measure_id IN (?) AND employee_id IN (?)", bun.In(ids), bun.In(employeeIDs)).
		Where("day > ? AND day <= ?", today-2*outcomeWindowDays, today).
		GroupExpr("employee_id, measure_id, CASE WHEN day > ? THEN 1 ELSE 0 END, value", split).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	type key struct {
		emp, measure int64
		recent       bool
	}
	cells := map[key]outcomeCell{}
	for _, r := range rows {
		k := key{r.EmployeeID, r.MeasureID, r.Recent == 1}
		if cells[k] == nil {
			cells[k] = outcomeCell{}
		}
		cells[k][r.Value] += r.N
	}
	for _, id := range employeeIDs {
		list := make([]teamOutcome, len(measures))
		for i, m := range measures {
			now, okNow := m.Figure(cells[key{id, m.ID, true}].points())
			before, okBefore := m.Figure(cells[key{id, m.ID, false}].points())
			if m.Kind == outcomes.Count {
				// A count with no events is 0; with none at all in 60 days it says nothing.
				okNow = okNow && (len(cells[key{id, m.ID, true}]) > 0 || len(cells[key{id, m.ID, false}]) > 0)
				okBefore = okNow
			}
			list[i] = describeOutcome(m, now, okNow, before, okBefore)
		}
		out[id] = list
	}
	return out, nil
}

// figureText is a figure with its unit: "75% satisfied", "4.2 mean score",
// "2 complaints".
func figureText(m *outcomes.Measure, v float64) string {
	switch {
	case m.Percentages():
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + "% satisfied"
	case m.Kind == outcomes.Count:
		return strconv.FormatFloat(v, 'f', -1, 64) + " " + m.FigureUnit()
	}
	return strings.TrimSpace(strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " " + m.FigureUnit())
}

// describeOutcome is a figure and its trend in words, with an arrow and
// whether the change is better or worse for the measure.
func describeOutcome(m *outcomes.Measure, now float64, okNow bool, before float64, okBefore bool) teamOutcome {
	o := teamOutcome{Measure: m.Title, Slug: m.Slug, Value: "—", Direction: "none", Trend: "no events in the last 60 days"}
	if !okNow {
		if okBefore {
			o.Trend = "none in the last 30 days; " + figureText(m, before) + " the 30 before"
		}
		return o
	}
	o.Has, o.Value = true, figureText(m, now)
	if !okBefore {
		o.Trend = "no figure for the 30 days before"
		return o
	}
	diff := now - before
	unit := ""
	switch {
	case m.Percentages():
		diff = math.Round(diff)
		unit = " points"
	case m.Kind == outcomes.Count:
	default:
		diff = math.Round(diff*10) / 10
	}
	if diff == 0 {
		o.Arrow, o.Trend, o.Direction = "→", "no change from the 30 days before", "same"
		return o
	}
	word, arrow := "up", "↑"
	if diff < 0 {
		word, arrow = "down", "↓"
	}
	o.Arrow = arrow
	o.Trend = fmt.Sprintf("%s %s%s from %s", word, strconv.FormatFloat(math.Abs(diff), 'f', -1, 64), unit, figureText(m, before))
	if (diff > 0) == m.HigherIsBetter {
		o.Direction = "better"
		o.Trend += " (better)"
	} else {
		o.Direction = "worse"
		o.Trend += " (worse)"
	}
	return o
}

// --- Coach queue -------------------------------------------------------------

// coachOutcome is a person whose satisfaction fell below the threshold, or
// who has a run of a recovery rule, with the suggested actions.
type coachOutcome struct {
	Number, Name string
	What         string // "62% satisfied over the last 30 days (below 80%)", "3 complaints from ... to ..."
	Checklist    string // a checklist to observe with ("" none suggested)
	ChecklistTxt string
	Programme    string // a refresher to assign ("" none suggested)
	ProgrammeTxt string
	Acted        bool // a recovery rule acted on this run already
}

// coachOutcomes finds, among the employees (nil: everyone; inLine says who
// is in the line), those whose rating measures fell below their coach
// threshold over the last 30 days, and those with a current run of a
// recovery rule; the rules of a measure suggest the checklist and the
// refresher.
func (s *Server) coachOutcomes(ctx context.Context, ids []int64, inLine map[int64]bool, everyone bool, today outcomes.Day) (fell, runs []coachOutcome, err error) {
	if !everyone && len(ids) == 0 {
		return nil, nil, nil
	}
	measures, err := s.training.Outcomes().ListMeasures(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	thresholds, err := outcomes.CoachThresholds(ctx, s.cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	rules, err := s.training.RecoveryRules(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	suggest := func(measureID int64, c *coachOutcome) {
		for _, r := range rules {
			if r.MeasureID != measureID {
				continue
			}
			if c.Checklist == "" && r.ChecklistSlug != "" {
				c.Checklist, c.ChecklistTxt = r.ChecklistSlug, r.ChecklistTitle
			}
			if c.Programme == "" && r.ProgrammeSlug != "" && !r.ProgrammeClosed {
				c.Programme, c.ProgrammeTxt = r.ProgrammeSlug, r.ProgrammeTitle
			}
		}
	}
	for _, m := range measures {
		var set *float64
		if v, ok := thresholds[m.ID]; ok {
			set = &v
		}
		x, ok := m.CoachBelow(set)
		if !ok {
			continue
		}
		list, err := s.fellBelow(ctx, m, x, ids, inLine, everyone, today)
		if err != nil {
			return nil, nil, err
		}
		for i := range list {
			suggest(m.ID, &list[i])
		}
		fell = append(fell, list...)
	}
	var scope []int64
	if !everyone {
		scope = ids
	}
	hits, err := s.training.RecoveryRuns(ctx, scope)
	if err != nil {
		return nil, nil, err
	}
	acted, err := s.actedRuns(ctx, hits)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range hits {
		what := fmt.Sprintf("%d %s in %d days (%s to %s)", h.Run.Events, strings.ToLower(h.Measure.Title), h.Rule.Days, h.Run.First, h.Run.Last)
		if h.Measure.Kind == outcomes.Rating {
			what = fmt.Sprintf("%d unsatisfied %s responses in %d days (%s to %s)", h.Run.Events, h.Measure.Title, h.Rule.Days, h.Run.First, h.Run.Last)
		}
		if h.Rule.Category != "" {
			what += ", category " + h.Rule.Category
		}
		c := coachOutcome{Number: h.Number, Name: h.Name, What: what, Acted: acted[[2]int64{h.Rule.ID, h.EmployeeID}]}
		if h.Rule.ChecklistSlug != "" {
			c.Checklist, c.ChecklistTxt = h.Rule.ChecklistSlug, h.Rule.ChecklistTitle
		}
		if h.Rule.ProgrammeSlug != "" && !h.Rule.ProgrammeClosed {
			c.Programme, c.ProgrammeTxt = h.Rule.ProgrammeSlug, h.Rule.ProgrammeTitle
		}
		runs = append(runs, c)
	}
	if len(runs) > coachLimit {
		runs = runs[:coachLimit]
	}
	return fell, runs, nil
}

// actedRuns reports which (rule, employee) pairs of the hits a rule acted
// on for that very run.
func (s *Server) actedRuns(ctx context.Context, hits []training.RecoveryRun) (map[[2]int64]bool, error) {
	out := map[[2]int64]bool{}
	if len(hits) == 0 {
		return out, nil
	}
	rules := map[int64][]int64{} // rule → the employees with a run
	for _, h := range hits {
		rules[h.Rule.ID] = append(rules[h.Rule.ID], h.EmployeeID)
	}
	for id, emps := range rules {
		last, err := outcomes.LastActedRuns(ctx, s.cfg.DB, id, emps)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			if d, ok := last[h.EmployeeID]; ok && h.Rule.ID == id && d >= h.Run.First {
				out[[2]int64{id, h.EmployeeID}] = true
			}
		}
	}
	return out, nil
}

// fellBelow lists the active people (of the line) whose figure of rating
// m over the last 30 days, from at least coachMinResponses responses, is
// below x, worst first (the first coachLimit): one grouped query with the
// comparison in SQL, then the names of those listed.
func (s *Server) fellBelow(ctx context.Context, m *outcomes.Measure, x float64, ids []int64, inLine map[int64]bool, everyone bool, today outcomes.Day) ([]coachOutcome, error) {
	var scope []int64
	if !everyone {
		scope = ids
	}
	below, err := outcomes.FiguresBelow(ctx, s.cfg.DB, m, today-outcomeWindowDays, today, coachMinResponses, x, scope)
	if err != nil {
		return nil, err
	}
	order := make([]int64, 0, len(below))
	for id := range below {
		if everyone || inLine[id] {
			order = append(order, id)
		}
	}
	slices.SortFunc(order, func(a, b int64) int {
		if fa, fb := below[a].Figure, below[b].Figure; fa != fb {
			if fa < fb {
				return -1
			}
			return 1
		}
		return cmp.Compare(a, b)
	})
	// The names of the first coachLimit who are still employed, in order.
	type emp struct {
		ID                          int64
		Number, FirstName, LastName string
	}
	byID := map[int64]emp{}
	var listed []int64
	for start := 0; start < len(order) && len(listed) < coachLimit; start += coachLimit {
		chunk := order[start:min(start+coachLimit, len(order))]
		var emps []emp
		if err := s.cfg.DB.NewSelect().TableExpr("employees").Column("id", "number", "first_name", "last_name").
			Where("id IN (?) AND active = ?", bun.In(chunk), true).Scan(ctx, &emps); err != nil {
			return nil, err
		}
		for _, e := range emps {
			byID[e.ID] = e
		}
		for _, id := range chunk {
			if _, ok := byID[id]; ok && len(listed) < coachLimit {
				listed = append(listed, id)
			}
		}
	}
	out := make([]coachOutcome, 0, len(listed))
	for _, id := range listed {
		e, b := byID[id], below[id]
		out = append(out, coachOutcome{Number: e.Number, Name: strings.TrimSpace(e.FirstName + " " + e.LastName),
			What: fmt.Sprintf("%s: %s over the last 30 days from %d responses (below %s)", m.Title, figureText(m, b.Figure), b.Responses, figureText(m, x))})
	}
	return out, nil
}

// requestDismiss closes an open observation request about someone in the
// manager's line (HR: anyone) without an observation, audited.
func (s *Server) requestDismiss(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := idParam(c, "id", "There is no such observation request.")
	if err != nil {
		return err
	}
	r, err := s.observations.FindObservationRequest(ctx, id)
	if err != nil {
		return err
	}
	e, err := s.people.FindEmployee(ctx, r.EmployeeID)
	if err != nil {
		return err
	}
	if ok, err := s.canAssess(ctx, principal(c), e); err != nil {
		return err
	} else if !ok {
		return store.Errorf(store.NotFound, "There is no such observation request.")
	}
	if err := s.observations.DismissObservationRequest(ctx, id); err != nil {
		return err
	}
	by, name := principal(c).actor()
	if err := people.Audit(ctx, s.cfg.DB, s.people.Now(), by, name, "observation_request.dismiss", r.EmployeeNumber, r.ChecklistSlug+": "+r.Reason); err != nil {
		return err
	}
	s.flash(c, "success", "Request dismissed: "+r.EmployeeName+" is no longer waiting for an observation with "+r.ChecklistTitle+".")
	return c.Redirect(teamPath+"/coach#requests", http.StatusSeeOther)
}
