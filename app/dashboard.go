package app

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// The HR readiness dashboard (/readiness): headline counts, readiness by
// department, location, job title and manager, and the weekly trend, all
// under the same filters, now or as of the weekly snapshot in force on a
// chosen day.

// dashboardTop is how many groups of a breakdown the page lists (the worst).
const dashboardTop = 25

// trendWeeks are the lengths of trend the page offers.
var trendWeeks = []int{12, 26, 52}

// readinessForm is the dashboard's filters as typed (also the report's).
type readinessForm struct {
	Department, Location, JobTitle, Manager, AsOf, Weeks string
}

func newReadinessForm(c *fiber.Ctx) readinessForm {
	v := func(k string) string { return queryTrimmed(c, k) }
	return readinessForm{Department: v("department"), Location: v("location"), JobTitle: v("job_title"),
		Manager: v("manager"), AsOf: v("as_of"), Weeks: v("weeks")}
}

// query is the form as a query string ("" when empty), for links that keep the filters.
func (f readinessForm) query() string {
	q := url.Values{}
	for k, v := range map[string]string{"department": f.Department, "location": f.Location, "job_title": f.JobTitle,
		"manager": f.Manager, "as_of": f.AsOf, "weeks": f.Weeks} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// orgLists are the department, location and job title options of the filters.
type orgLists struct {
	Departments, Locations, JobTitles []people.OrgOption
}

func (s *Server) orgLists(ctx context.Context) (orgLists, error) {
	var l orgLists
	var err error
	if l.Departments, err = s.people.OrgOptions(ctx, people.Departments); err != nil {
		return l, err
	}
	if l.Locations, err = s.people.OrgOptions(ctx, people.Locations); err != nil {
		return l, err
	}
	l.JobTitles, err = s.people.OrgOptions(ctx, people.JobTitles)
	return l, err
}

// nameOf is the option's name, or "".
func nameOf(opts []people.OrgOption, id int64) string {
	for _, o := range opts {
		if o.ID == id {
			return o.Name
		}
	}
	return ""
}

// readinessFilter turns the form into a readiness filter and the number of
// weeks of trend, with the problems by field; manager is the employee whose
// line is shown (nil: everyone).
func (s *Server) readinessFilter(ctx context.Context, f readinessForm, lists orgLists) (courses.ReadinessFilter, int, *people.Employee, fieldMessages, error) {
	errs := fieldMessages{}
	var rf courses.ReadinessFilter
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
	rf.DepartmentID = pick("department", f.Department, "department", lists.Departments)
	rf.LocationID = pick("location", f.Location, "location", lists.Locations)
	rf.JobTitleID = pick("job_title", f.JobTitle, "job title", lists.JobTitles)
	var mgr *people.Employee
	if f.Manager != "" {
		e, err := s.people.FindEmployeeByNumber(ctx, f.Manager)
		switch {
		case store.IsNotFound(err):
			errs.add("manager", fmt.Sprintf("There is no employee with number %q.", f.Manager))
		case err != nil:
			return rf, 0, nil, nil, err
		default:
			mgr, rf.LineOf = e, e.ID
		}
	}
	if f.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, f.AsOf); err != nil {
			errs.add("as_of", "Enter the date as YYYY-MM-DD, such as 2026-11-02.")
		} else {
			rf.AsOf = f.AsOf
		}
	}
	weeks := trendWeeks[0]
	if f.Weeks != "" {
		n, err := strconv.Atoi(f.Weeks)
		if err != nil || !slices.Contains(trendWeeks, n) {
			errs.add("weeks", "Choose 12, 26 or 52 weeks.")
		} else {
			weeks = n
		}
	}
	return rf, weeks, mgr, errs, nil
}

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Overview *courses.ReadinessOverview
	Trend    []courses.TrendPoint
	Week     string // the snapshot shown ("" for now)
}

// loadDashboard reads the overview and the trend; an as-of date before the
// first snapshot comes back in errs (field as_of).
func (s *Server) loadDashboard(ctx context.Context, rf courses.ReadinessFilter, weeks int, errs fieldMessages) (*dashboardData, error) {
	ov, err := s.courses.ReadinessOverviewOf(ctx, rf, dashboardTop)
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			errs.add(store.FieldOf(err), store.MessageOf(err))
			return nil, nil
		}
		return nil, err
	}
	trend, err := s.courses.ReadinessTrend(ctx, rf, weeks)
	if err != nil {
		return nil, err
	}
	return &dashboardData{Overview: ov, Trend: trend, Week: ov.Week}, nil
}

// breakdownTable is one breakdown as the page lists it.
type breakdownTable struct {
	ID, Title, Caption, Column, Plural, Hint string
	Rows                                     []breakdownLine
	Groups                                   int
}

// breakdownLine is one group with the link that narrows the dashboard to it.
type breakdownLine struct {
	courses.BreakdownRow
	URL string
	Bar template.HTML
}

// breakdownTables lays the overview's breakdowns out, each row linking to
// the dashboard narrowed to it (the other filters kept).
func breakdownTables(ov *courses.ReadinessOverview, f readinessForm) []breakdownTable {
	link := func(field, value string) string {
		g := f
		switch field {
		case "department":
			g.Department = value
		case "location":
			g.Location = value
		case "job_title":
			g.JobTitle = value
		case "manager":
			g.Manager = value
		}
		return "/readiness" + g.query()
	}
	table := func(id, column, plural, field string, b courses.Breakdown) breakdownTable {
		caption := "by " + strings.ToLower(column)
		t := breakdownTable{ID: id, Title: "By " + strings.ToLower(column), Caption: caption, Column: column, Plural: plural, Groups: b.Groups}
		for _, r := range b.Rows {
			l := breakdownLine{BreakdownRow: r, Bar: readinessBarSVG(r.ReadinessSummary)}
			switch {
			case r.ID == 0:
			case field == "manager":
				if n := b.Numbers[r.ID]; n != "" {
					l.URL = link(field, n)
				}
			default:
				l.URL = link(field, strconv.FormatInt(r.ID, 10))
			}
			t.Rows = append(t.Rows, l)
		}
		return t
	}
	out := []breakdownTable{
		table("by-department", "Department", "departments", "department", ov.ByDepartment),
		table("by-location", "Location", "locations", "location", ov.ByLocation),
		table("by-job-title", "Job title", "job titles", "job_title", ov.ByJobTitle),
		table("by-manager", "Manager", "managers", "manager", ov.ByManager),
	}
	out[3].Hint = "Each manager's direct reports; the name narrows the dashboard to their whole line."
	return out
}

// trendRow is one week of the trend table.
type trendRow struct {
	courses.TrendPoint
	Label        string // "23 Nov 2026"
	PercentReady int
}

func trendRows(trend []courses.TrendPoint) []trendRow {
	out := make([]trendRow, len(trend))
	for i, p := range trend {
		out[i] = trendRow{TrendPoint: p, Label: localDate(time.UTC, p.Week), PercentReady: p.Percent(p.Ready)}
	}
	return out
}

// readinessDashboard is GET /readiness (HR).
func (s *Server) readinessDashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := newReadinessForm(c)
	lists, err := s.orgLists(ctx)
	if err != nil {
		return err
	}
	rf, weeks, mgr, errs, err := s.readinessFilter(ctx, form, lists)
	if err != nil {
		return err
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Readiness", "Form": form, "Lists": lists, "Manager": mgr, "Weeks": trendWeeks, "WeeksShown": weeks,
		"Now": s.courses.Now().In(loc), "Loc": loc, "Query": form.query()}
	var d *dashboardData
	if len(errs) == 0 {
		if d, err = s.loadDashboard(ctx, rf, weeks, errs); err != nil {
			return err
		}
	}
	data["Errors"] = map[string]string(errs)
	if len(errs) > 0 {
		data["ErrorList"] = orderedErrors(errs, []string{"department", "location", "job_title", "manager", "as_of", "weeks"})
		return s.renderStatus(c, http.StatusUnprocessableEntity, "readiness/dashboard", data)
	}
	data["D"] = d
	data["Tables"] = breakdownTables(d.Overview, form)
	data["TrendRows"] = trendRows(d.Trend)
	data["TrendChart"] = trendLineSVG(d.Trend)
	data["CompletionsChart"] = completionsSVG(d.Trend)
	data["Filtered"] = rf.DepartmentID != 0 || rf.LocationID != 0 || rf.JobTitleID != 0 || rf.LineOf != 0
	data["FilterText"] = filterText(rf, lists, mgr)
	return s.render(c, "readiness/dashboard", data)
}

// filterText describes the filters in words ("" for everyone).
func filterText(rf courses.ReadinessFilter, lists orgLists, mgr *people.Employee) string {
	var parts []string
	if rf.DepartmentID != 0 {
		parts = append(parts, nameOf(lists.Departments, rf.DepartmentID))
	}
	if rf.LocationID != 0 {
		parts = append(parts, nameOf(lists.Locations, rf.LocationID))
	}
	if rf.JobTitleID != 0 {
		parts = append(parts, nameOf(lists.JobTitles, rf.JobTitleID))
	}
	if mgr != nil {
		parts = append(parts, "the reporting line of "+mgr.Name()+" ("+mgr.Number+")")
	}
	return strings.Join(parts, " · ")
}

// readinessFuncs are the template functions of the readiness pages.
func readinessFuncs() template.FuncMap {
	return template.FuncMap{"readinessBadge": readinessBadge, "readinessBar": readinessBarSVG, "weekLong": weekLong}
}
