package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Readiness reports as PDFs: HR's (the dashboard's filters) and a
// manager's team (their line). The same data at the same time gives the
// same bytes.

// reportPeopleLimit is the most not-ready and at-risk people a report lists.
const reportPeopleLimit = 2000

// reportBars is the most groups a report's chart draws.
const reportBars = 30

// readinessReport is what a readiness report prints.
type readinessReport struct {
	Title, Scope, Company string
	Week                  string // the snapshot week ("" now)
	AsOf                  string
	Now                   time.Time
	Loc                   *time.Location
	Summary               courses.ReadinessSummary
	BarsTitle             string
	Bars                  courses.Breakdown
	GroupColumn           string // the people table's grouping column: Department or Manager
	People                []courses.ReadinessEntry
	Listed                int // not ready and at risk in all (People may stop short)
}

// loadReadinessReport reads a report's figures for rf; byManager draws the
// chart by direct manager (a team) instead of by department.
func (s *Server) loadReadinessReport(ctx context.Context, rf courses.ReadinessFilter, byManager bool) (*readinessReport, error) {
	ov, err := s.courses.ReadinessOverviewOf(ctx, rf, reportBars)
	if err != nil {
		return nil, err
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return nil, err
	}
	rep := &readinessReport{Company: prof.Name, Week: ov.Week, AsOf: rf.AsOf, Now: s.courses.Now(), Loc: loc, Summary: ov.ReadinessSummary,
		BarsTitle: "Readiness by department", Bars: ov.ByDepartment, GroupColumn: "Department"}
	if byManager {
		rep.BarsTitle, rep.Bars, rep.GroupColumn = "Readiness by team (people reporting directly to each manager)", ov.ByManager, "Manager"
	}
	rep.Listed = ov.NotReady + ov.AtRisk
	for _, st := range []courses.Readiness{courses.NotReady, courses.AtRisk} {
		left := reportPeopleLimit - len(rep.People)
		if left <= 0 {
			break
		}
		g := rf
		g.Status, g.Limit = st, left
		list, _, _, err := s.courses.ReadinessList(ctx, g)
		if err != nil {
			return nil, err
		}
		rep.People = append(rep.People, list...)
	}
	return rep, nil
}

// readinessDocument lays a report out: title, date, summary, the chart,
// then everyone not ready and at risk with their reasons.
func readinessDocument(r *certdoc.Renderer, rep *readinessReport) ([]byte, error) {
	company := rep.Company
	if company == "" {
		company = "Service Academy"
	}
	printed := rep.Now.In(rep.Loc).Format("2 January 2006, 15:04 MST")
	doc := r.NewReport(rep.Title, company+" · printed "+printed, rep.Now)
	doc.Heading(1, rep.Title)
	doc.Text(rep.Scope, false)
	if rep.Week != "" {
		doc.Text("Figures from the weekly snapshot of the week beginning Monday "+weekLong(rep.Week)+", the one in force on "+localDate(rep.Loc, rep.AsOf)+
			". Printed "+printed+".", true)
	} else {
		doc.Text("Figures as of "+printed+" (company time).", true)
	}
	s := rep.Summary
	doc.Heading(2, "Summary")
	doc.Table([]certdoc.Column{{Title: "People", Width: 1, Right: true}, {Title: "Ready", Width: 1.4, Right: true},
		{Title: "At risk", Width: 1.4, Right: true}, {Title: "Not ready", Width: 1.4, Right: true}},
		[][]string{{strconv.Itoa(s.Headcount), countPct(s.Ready, s), countPct(s.AtRisk, s), countPct(s.NotReady, s)}})

	doc.Heading(2, rep.BarsTitle)
	if len(rep.Bars.Rows) == 0 {
		doc.Text("Nobody to show.", false)
	} else {
		if rep.Bars.Groups > len(rep.Bars.Rows) {
			doc.Text(fmt.Sprintf("The %d with the lowest share ready, of %d.", len(rep.Bars.Rows), rep.Bars.Groups), true)
		} else {
			doc.Text("Share ready, lowest first.", true)
		}
		bars := make([]certdoc.Bar, len(rep.Bars.Rows))
		for i, b := range rep.Bars.Rows {
			bars[i] = certdoc.Bar{Label: b.Name, Value: float64(b.Ready), Max: float64(b.Headcount),
				Text: fmt.Sprintf("%d%% ready (%d of %d)", b.Percent(b.Ready), b.Ready, b.Headcount)}
		}
		doc.Bars(bars)
	}

	doc.Heading(2, "Not ready and at risk, with the reasons")
	if rep.Listed == 0 {
		doc.Text("Everyone is ready.", false)
	} else {
		if len(rep.People) < rep.Listed {
			doc.Text(fmt.Sprintf("The first %d of %d (not ready first, then at risk, by name): narrow the filters for the rest.", len(rep.People), rep.Listed), true)
		} else {
			doc.Text(fmt.Sprintf("%d people: not ready first, then at risk, by name.", rep.Listed), true)
		}
		rows := make([][]string, len(rep.People))
		for i, e := range rep.People {
			var reasons []string
			for _, r := range e.Reasons {
				reasons = append(reasons, r.Detail)
			}
			group := e.Department
			if rep.GroupColumn == "Manager" {
				group = e.Manager
			}
			rows[i] = []string{e.Name, e.Number, dash(group), e.Status.Label(), dash(strings.Join(reasons, "; "))}
		}
		doc.Table([]certdoc.Column{{Title: "Name", Width: 2.2}, {Title: "Number", Width: 1.1}, {Title: rep.GroupColumn, Width: 1.8},
			{Title: "Readiness", Width: 1.2}, {Title: "Reasons", Width: 4.6}}, rows)
	}
	return doc.Bytes()
}

func countPct(n int, s courses.ReadinessSummary) string {
	return fmt.Sprintf("%d (%d%%)", n, s.Percent(n))
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// firstError is the first problem of a form as an Invalid error (a PDF has
// no form to show it next to).
func firstError(errs fieldMessages, order []string) error {
	list := orderedErrors(errs, order)
	if len(list) == 0 {
		return nil
	}
	return store.FieldError(list[0].Field, "%s", list[0].Message)
}

// readinessReportPDF is GET /readiness/report.pdf (HR), with the dashboard's filters.
func (s *Server) readinessReportPDF(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := newReadinessForm(c)
	lists, err := s.orgLists(ctx)
	if err != nil {
		return err
	}
	rf, _, mgr, errs, err := s.readinessFilter(ctx, form, lists)
	if err != nil {
		return err
	}
	if err := firstError(errs, []string{"department", "location", "job_title", "manager", "as_of", "weeks"}); err != nil {
		return err
	}
	rep, err := s.loadReadinessReport(ctx, rf, false)
	if err != nil {
		return err
	}
	rep.Title = "Readiness report"
	rep.Scope = "Everyone"
	if t := filterText(rf, lists, mgr); t != "" {
		rep.Scope = "Narrowed to " + t
	}
	rep.Scope += "."
	b, err := readinessDocument(s.docs, rep)
	if err != nil {
		return err
	}
	sendPDF(c, "readiness-"+rep.Now.In(rep.Loc).Format(time.DateOnly)+".pdf", b)
	return nil
}

// asOfParam reads ?as_of (a date, or "").
func asOfParam(c *fiber.Ctx) (string, error) {
	d := queryTrimmed(c, "as_of")
	if d == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return "", store.FieldError("as_of", "Enter the date as YYYY-MM-DD, such as 2026-11-02.")
	}
	return d, nil
}

// teamReportPDF is GET /team/report.pdf: the signed-in manager's line, or
// ?manager=NUMBER's (someone in their line; HR anyone), now or ?as_of.
func (s *Server) teamReportPDF(c *fiber.Ctx) error {
	ctx := c.UserContext()
	mgr, err := s.lineScope(c, false)
	if err != nil {
		return err
	}
	asOf, err := asOfParam(c)
	if err != nil {
		return err
	}
	rep, err := s.loadReadinessReport(ctx, courses.ReadinessFilter{LineOf: mgr.ID, AsOf: asOf}, true)
	if err != nil {
		return err
	}
	rep.Title = "Team readiness: " + mgr.Name()
	rep.Scope = teamScope(mgr)
	b, err := readinessDocument(s.docs, rep)
	if err != nil {
		return err
	}
	sendPDF(c, "team-readiness-"+mgr.Number+"-"+rep.Now.In(rep.Loc).Format(time.DateOnly)+".pdf", b)
	return nil
}

// teamScope says whose line a report covers.
func teamScope(mgr *people.Employee) string {
	s := "Everyone in the reporting line of " + mgr.Name() + " (" + mgr.Number
	if mgr.JobTitle != "" {
		s += ", " + mgr.JobTitle
	}
	return s + "), direct and indirect."
}
