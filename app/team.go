package app

import (
	"cmp"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Team readiness (managers for their line, HR for anyone): who is ready to
// serve customers and why not, and the coach queue of what to do next.

const (
	teamPath      = "/team"
	teamPageSize  = 100 // rows per keyset page
	coachLimit    = 200 // rows per coach-queue section
	coachSoonDays = 30  // certificates expiring within
)

// reasonKinds are the reason filters in the order the page offers them.
var reasonKinds = []courses.ReasonKind{courses.ReasonOverdue, courses.ReasonExpired, courses.ReasonCriticalFailed,
	courses.ReasonDueSoon, courses.ReasonExpiring, courses.ReasonIncomplete}

// reasonLabel is a reason kind in words, for filters.
func reasonLabel(k courses.ReasonKind) string {
	switch k {
	case courses.ReasonOverdue:
		return "A programme overdue"
	case courses.ReasonExpired:
		return "A certificate expired"
	case courses.ReasonCriticalFailed:
		return "A critical role-play item failed"
	case courses.ReasonDueSoon:
		return "A programme due soon"
	case courses.ReasonExpiring:
		return "A certificate expiring"
	case courses.ReasonIncomplete:
		return "A programme not complete yet"
	}
	return string(k)
}

// summaryCount is how many of sum have readiness r.
func summaryCount(sum courses.ReadinessSummary, r courses.Readiness) int {
	switch r {
	case courses.Ready:
		return sum.Ready
	case courses.AtRisk:
		return sum.AtRisk
	case courses.NotReady:
		return sum.NotReady
	}
	return sum.Headcount
}

// readinessPage returns one keyset page of f's people, by name or by
// readiness worst first (then by name: each readiness is a name-ordered run
// of the store's pages), with the summary of everyone f matches whatever
// their readiness, and the cursor of the next page ("" at the end). A
// cursor this did not give is Invalid (field after).
func (s *Server) readinessPage(ctx context.Context, f courses.ReadinessFilter, byStatus bool, after string, limit int) ([]courses.ReadinessEntry, courses.ReadinessSummary, string, error) {
	if !byStatus {
		f.After, f.Limit = after, limit
		return s.courses.ReadinessList(ctx, f)
	}
	var sum courses.ReadinessSummary
	statuses := courses.Readinesses
	if f.Status != "" {
		statuses = []courses.Readiness{f.Status}
	}
	i, cursor := 0, ""
	if after != "" {
		st, cur, ok := strings.Cut(after, "~")
		if i = slices.Index(statuses, courses.Readiness(st)); !ok || i < 0 {
			return nil, sum, "", store.FieldError("after", "That page cursor is not one this report gave: start again from the first page.")
		}
		cursor = cur
	}
	var out []courses.ReadinessEntry
	counted := false
	for ; i < len(statuses); i++ {
		if counted && summaryCount(sum, statuses[i]) == 0 {
			cursor = ""
			continue
		}
		g := f
		g.Status, g.After, g.Limit = statuses[i], cursor, limit-len(out)
		list, su, next, err := s.courses.ReadinessList(ctx, g)
		if err != nil {
			return nil, sum, "", err
		}
		sum, counted, cursor = su, true, ""
		out = append(out, list...)
		if next != "" {
			return out, sum, string(statuses[i]) + "~" + next, nil
		}
		if len(out) == limit {
			for _, st := range statuses[i+1:] {
				if summaryCount(sum, st) > 0 {
					return out, sum, string(st) + "~", nil
				}
			}
			break
		}
	}
	return out, sum, "", nil
}

// --- Team readiness ----------------------------------------------------------

// teamForm is the Team readiness page's address as typed, copied out of
// fiber's buffers; values it does not know are dropped.
type teamForm struct {
	Manager, Scope, Status, Reason, Search, Sort, After string
	LocationID, JobTitleID                              int64
}

func newTeamForm(c *fiber.Ctx) teamForm {
	v := func(k string) string { return queryTrimmed(c, k) }
	id := func(k string) int64 {
		n, err := strconv.ParseInt(v(k), 10, 64)
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	q := teamForm{Manager: v("manager"), Scope: v("scope"), Status: v("status"), Reason: v("reason"), Search: v("q"),
		Sort: v("sort"), After: v("after"), LocationID: id("location"), JobTitleID: id("job_title")}
	if q.Scope != "direct" {
		q.Scope = "line"
	}
	if !slices.Contains(courses.Readinesses, courses.Readiness(q.Status)) {
		q.Status = ""
	}
	if !slices.Contains(reasonKinds, courses.ReasonKind(q.Reason)) {
		q.Reason = ""
	}
	if q.Sort != "status" {
		q.Sort = "name"
	}
	return q
}

// narrowed reports whether filters beyond whose line are set.
func (q teamForm) narrowed() bool {
	return q.Reason != "" || q.Search != "" || q.LocationID != 0 || q.JobTitleID != 0
}

// scope is the filter of whose readiness the page shows: the line (or the
// direct reports) of root, or everyone for a nil root.
func (q teamForm) scope(root *people.Employee) courses.ReadinessFilter {
	var f courses.ReadinessFilter
	if root != nil {
		if q.Scope == "direct" {
			f.DirectOf = root.ID
		} else {
			f.LineOf = root.ID
		}
	}
	return f
}

func (q teamForm) filter(root *people.Employee) courses.ReadinessFilter {
	f := q.scope(root)
	f.Status, f.Reason, f.Search, f.LocationID, f.JobTitleID = courses.Readiness(q.Status), courses.ReasonKind(q.Reason), q.Search, q.LocationID, q.JobTitleID
	return f
}

// url is the page's address with q's values changed by set ("" drops a key).
func (q teamForm) url(path string, set ...string) string {
	v := url.Values{}
	put := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	put("manager", q.Manager)
	if q.Scope == "direct" {
		put("scope", "direct")
	}
	put("status", q.Status)
	put("reason", q.Reason)
	put("q", q.Search)
	if q.LocationID != 0 {
		put("location", strconv.FormatInt(q.LocationID, 10))
	}
	if q.JobTitleID != 0 {
		put("job_title", strconv.FormatInt(q.JobTitleID, 10))
	}
	if q.Sort == "status" {
		put("sort", "status")
	}
	for i := 0; i+1 < len(set); i += 2 {
		v.Del(set[i])
		put(set[i], set[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// teamRow is one person on the Team readiness page.
type teamRow struct {
	courses.ReadinessEntry
	Badge      template.HTML
	CanObserve bool
	Outcomes   []teamOutcome // each measure's figure and trend, in the measures' order
}

// teamStat is one of the page's counts, with its share and a link that
// filters the list by it.
type teamStat struct {
	Status         courses.Readiness
	Label, URL     string
	N, Percent     int
	Badge          template.HTML
	FilterSelected bool
}

// teamOption is one choice of a filter select.
type teamOption struct {
	Value, Label string
	Selected     bool
}

// teamTitle says whose readiness a page shows.
func teamTitle(p *Principal, root *people.Employee, direct bool) string {
	switch {
	case root == nil:
		return "Everyone in the company"
	case p.Employee != nil && root.ID == p.Employee.ID && direct:
		return "Your direct reports"
	case p.Employee != nil && root.ID == p.Employee.ID:
		return "Your whole reporting line"
	case direct:
		return "Direct reports of " + root.Name()
	}
	return "Reporting line of " + root.Name()
}

// teamShow is Team readiness: the line's counts and shares (and as a bar),
// then its people, filtered and sorted, a keyset page at a time.
func (s *Server) teamShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	q := newTeamForm(c)
	root, err := s.teamRoot(c, q.Manager)
	if err != nil {
		return err
	}
	if root != nil && p.Employee != nil && root.ID == p.Employee.ID {
		q.Manager = "" // the default: links stay short
	}
	scope := q.scope(root)
	locations, err := s.teamOptions(ctx, scope, courses.ByLocation, people.Locations, &q.LocationID)
	if err != nil {
		return err
	}
	jobs, err := s.teamOptions(ctx, scope, courses.ByJobTitle, people.JobTitles, &q.JobTitleID)
	if err != nil {
		return err
	}
	f := q.filter(root)
	list, sum, next, err := s.readinessPage(ctx, f, q.Sort == "status", q.After, teamPageSize)
	if err != nil {
		return err
	}
	team := sum
	if q.narrowed() {
		if team, err = s.courses.ReadinessSummaryOf(ctx, scope); err != nil {
			return err
		}
	}
	rows := make([]teamRow, len(list))
	ids := make([]int64, len(list))
	for i, e := range list {
		rows[i] = teamRow{ReadinessEntry: e, Badge: readinessBadge(e.Status), CanObserve: p.Employee != nil && p.Employee.ID != e.EmployeeID}
		ids[i] = e.EmployeeID
	}
	// Service outcomes beside readiness: the page's people only (their line).
	measures, err := s.training.Outcomes().ListMeasures(ctx, false)
	if err != nil {
		return err
	}
	if len(measures) > 0 && len(rows) > 0 {
		loc, err := s.courses.Location(ctx)
		if err != nil {
			return err
		}
		figures, err := s.teamOutcomes(ctx, measures, ids, outcomes.DayOf(s.courses.Now(), loc))
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].Outcomes = figures[rows[i].EmployeeID]
		}
	}
	var stats []teamStat
	statuses := []teamOption{{Value: "", Label: "Any"}}
	for _, st := range courses.Readinesses {
		n := summaryCount(team, st)
		stats = append(stats, teamStat{Status: st, Label: st.Label(), N: n, Percent: team.Percent(n), Badge: readinessBadge(st),
			URL: q.url(teamPath, "status", string(st), "after", ""), FilterSelected: q.Status == string(st)})
		statuses = append(statuses, teamOption{Value: string(st), Label: st.Label() + " (" + strconv.Itoa(summaryCount(sum, st)) + ")", Selected: q.Status == string(st)})
	}
	reasons := []teamOption{{Value: "", Label: "Any"}}
	for _, k := range reasonKinds {
		reasons = append(reasons, teamOption{Value: string(k), Label: reasonLabel(k), Selected: q.Reason == string(k)})
	}
	matching := summaryCount(sum, f.Status)
	data := fiber.Map{"Title": "Team readiness", "Measures": measures, "Whose": teamTitle(p, root, q.Scope == "direct"), "Root": root, "Q": q,
		"Team": team, "Stats": stats, "Chart": readinessBarSVG(team), "Rows": rows, "Matching": matching,
		"Statuses": statuses, "Reasons": reasons, "Locations": locations, "JobTitles": jobs,
		"LineURL": q.url(teamPath, "scope", "", "after", ""), "DirectURL": q.url(teamPath, "scope", "direct", "after", ""),
		"ClearURL": q.url(teamPath, "status", "", "reason", "", "q", "", "location", "", "job_title", "", "after", ""),
		"CoachURL": q.url(teamPath+"/coach", "scope", "", "status", "", "reason", "", "q", "", "location", "", "job_title", "", "sort", "", "after", ""),
		"Own":      root != nil && p.Employee != nil && root.ID == p.Employee.ID}
	if next != "" {
		data["NextURL"] = q.url(teamPath, "after", next)
	}
	if q.After != "" {
		data["FirstURL"] = q.url(teamPath, "after", "")
	}
	return s.render(c, "team/index", data)
}

// teamOptions lists the groups of dim (locations or job titles) that people
// in scope belong to, by name with their headcount, for a filter select;
// *selected is kept when it names an item outside them, and dropped when
// it names none.
func (s *Server) teamOptions(ctx context.Context, scope courses.ReadinessFilter, dim string, kind people.OrgKind, selected *int64) ([]teamOption, error) {
	groups, err := s.courses.ReadinessBreakdown(ctx, scope, dim)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(groups, func(a, b courses.BreakdownRow) int {
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	out := []teamOption{{Value: "", Label: "Any"}}
	found := *selected == 0
	for _, g := range groups {
		if g.ID == 0 {
			continue
		}
		sel := g.ID == *selected
		found = found || sel
		out = append(out, teamOption{Value: strconv.FormatInt(g.ID, 10), Label: g.Name + " (" + strconv.Itoa(g.Headcount) + ")", Selected: sel})
	}
	if !found {
		it, err := s.people.FindOrg(ctx, kind, *selected)
		if err != nil {
			if !store.IsNotFound(err) {
				return nil, err
			}
			*selected = 0
		} else {
			out = append(out, teamOption{Value: strconv.FormatInt(it.ID, 10), Label: it.Name + " (0)", Selected: true})
		}
	}
	return out, nil
}

// --- Coach queue -------------------------------------------------------------

// coachObservation is a re-observation due after a failed role-play.
type coachObservation struct {
	Number, Name, Checklist, ChecklistSlug string
	Due                                    string // YYYY-MM-DD
	FailedOn                               time.Time
	Critical                               bool
}

// coachReason is someone with reasons of one kind, and for a failed
// critical item the checklist to observe again.
type coachReason struct {
	Number, Name, JobTitle string
	Reasons                []coachReasonLine
}

type coachReasonLine struct {
	courses.Reason
	ChecklistSlug string // critical failures: the checklist to start ("" when it is not found)
}

// teamCoach is the coach queue: re-observations due, failed critical
// items, certificates expiring within 30 days and overdue programmes in
// the line (HR: everyone, or ?manager=), each with its one-click action.
func (s *Server) teamCoach(c *fiber.Ctx) error {
	return s.coachPage(c, http.StatusOK, queryTrimmed(c, "manager"), coachBulkForm{}, nil)
}

// coachPage renders the coach queue of manager's line (HR: "" for
// everyone) with the bulk form as typed and its messages.
func (s *Server) coachPage(c *fiber.Ctx, status int, manager string, bulk coachBulkForm, errs fieldMessages) error {
	ctx := c.UserContext()
	p := principal(c)
	q := teamForm{Manager: manager, Scope: "line"}
	root, err := s.teamRoot(c, q.Manager)
	if err != nil {
		return err
	}
	if root != nil && p.Employee != nil && root.ID == p.Employee.ID {
		q.Manager = ""
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	// The line's active people, for the queries that take employee ids
	// (nil: no restriction, for HR looking at everyone).
	var ids []int64
	inLine := map[int64]bool{}
	if root != nil {
		line, err := s.people.ReportingLine(ctx, root.ID, true)
		if err != nil {
			return err
		}
		ids = make([]int64, 0, len(line))
		for _, m := range line {
			ids = append(ids, m.ID)
			inLine[m.ID] = true
		}
	}
	checklists, err := s.observations.ListChecklists(ctx)
	if err != nil {
		return err
	}
	slugOf := map[string]string{}
	for _, cl := range checklists {
		if _, ok := slugOf[cl.Title]; !ok {
			slugOf[cl.Title] = cl.Slug
		}
	}

	due, err := s.observations.DueReobservations(ctx, s.courses.Now().In(loc))
	if err != nil {
		return err
	}
	var observe []coachObservation
	for i := range due {
		o := &due[i]
		if root != nil && !inLine[o.EmployeeID] {
			continue
		}
		if len(observe) == coachLimit {
			break
		}
		co := coachObservation{Number: o.EmployeeNumber, Name: o.EmployeeName, ChecklistSlug: o.ChecklistSlug, Critical: len(o.FailedCritical) > 0}
		if o.Checklist != nil {
			co.Checklist = o.Checklist.Title
		}
		if o.ReobserveDue != nil {
			co.Due = *o.ReobserveDue
		}
		if o.SignedOffAt != nil {
			co.FailedOn = *o.SignedOffAt
		}
		observe = append(observe, co)
	}
	observeMore := 0
	for i := range due {
		if root == nil || inLine[due[i].EmployeeID] {
			observeMore++
		}
	}
	observeMore -= len(observe)

	base := q.scope(root)
	critical, critN, err := s.coachReasons(ctx, base, courses.ReasonCriticalFailed, slugOf)
	if err != nil {
		return err
	}
	overdue, overdueN, err := s.coachReasons(ctx, base, courses.ReasonOverdue, nil)
	if err != nil {
		return err
	}
	certs, certN, err := s.courses.ListCertificates(ctx, courses.CertFilter{EmployeeIDs: ids, ExpiringDays: coachSoonDays, Limit: coachLimit})
	if err != nil {
		return err
	}
	slices.SortStableFunc(certs, func(a, b courses.Certificate) int {
		if a.ExpiresAt == nil || b.ExpiresAt == nil {
			return 0
		}
		return a.ExpiresAt.Compare(*b.ExpiresAt)
	})
	// Service outcomes: satisfaction fallen below the coach threshold, runs
	// of the recovery rules, and the observations the rules asked for.
	fell, runs, err := s.coachOutcomes(ctx, ids, inLine, root == nil, outcomes.DayOf(s.courses.Now(), loc))
	if err != nil {
		return err
	}
	var requestIDs []int64
	if root != nil {
		requestIDs = ids
	}
	requests, err := s.observations.ListObservationRequests(ctx, assessments.RequestFilter{EmployeeIDs: requestIDs, Status: assessments.RequestOpen, Limit: coachLimit})
	if err != nil {
		return err
	}
	persons := coachPeople(observe, critical, overdue, certs, loc)
	return s.renderStatus(c, status, "team/coach", fiber.Map{"Title": "Coach queue", "Fell": fell, "Runs": runs, "Requests": requests,
		"People": persons, "Bulk": bulk, "Errors": map[string]string(errs), "Manager": q.Manager, "Today": s.courses.Now().In(loc).Format(time.DateOnly),
		"CanAssign": p.Has(people.RoleHR), "Whose": teamTitle(p, root, false), "Root": root, "Loc": loc,
		"Observe": observe, "ObserveMore": observeMore, "Critical": critical, "CriticalMore": critN - len(critical),
		"Certificates": certs, "CertificatesMore": certN - len(certs), "Overdue": overdue, "OverdueMore": overdueN - len(overdue),
		"TeamURL": q.url(teamPath), "CriticalURL": q.url(teamPath, "reason", string(courses.ReasonCriticalFailed)),
		"OverdueURL": q.url(teamPath, "reason", string(courses.ReasonOverdue)), "SoonDays": coachSoonDays})
}

// coachReasons lists the people of f with a reason of kind (the first
// coachLimit by name) with those reasons, and how many have one.
func (s *Server) coachReasons(ctx context.Context, f courses.ReadinessFilter, kind courses.ReasonKind, slugOf map[string]string) ([]coachReason, int, error) {
	f.Reason, f.Limit = kind, coachLimit
	list, sum, _, err := s.courses.ReadinessList(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]coachReason, 0, len(list))
	for _, e := range list {
		r := coachReason{Number: e.Number, Name: e.Name, JobTitle: e.JobTitle}
		for _, rs := range e.Reasons {
			if rs.Kind == kind {
				r.Reasons = append(r.Reasons, coachReasonLine{Reason: rs, ChecklistSlug: slugOf[rs.Programme]})
			}
		}
		out = append(out, r)
	}
	return out, sum.Headcount, nil
}
