package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/courses"
)

// text is the selection's text with runs of white space as one space.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// checkHeadline compares the dashboard's headline with a summary.
func checkHeadline(t *testing.T, d *goquery.Document, want courses.ReadinessSummary, what string) {
	t.Helper()
	got := map[string]string{
		"headcount": text(d.Find("#stat-headcount .stat-value")), "ready": text(d.Find("#stat-ready .n")),
		"at risk": text(d.Find("#stat-at-risk .n")), "not ready": text(d.Find("#stat-not-ready .n")),
		"% ready": text(d.Find("#stat-ready .stat-value")),
	}
	exp := map[string]string{"headcount": strconv.Itoa(want.Headcount), "ready": strconv.Itoa(want.Ready), "at risk": strconv.Itoa(want.AtRisk),
		"not ready": strconv.Itoa(want.NotReady), "% ready": fmt.Sprintf("%d%%", want.Percent(want.Ready))}
	for k, v := range exp {
		if got[k] != v {
			t.Errorf("%s: %s is %q, want %q", what, k, got[k], v)
		}
	}
}

// checkBreakdown compares one breakdown table with ReadinessBreakdown.
func checkBreakdown(t *testing.T, d *goquery.Document, id string, want []courses.BreakdownRow) {
	t.Helper()
	rows := d.Find("#" + id + " tbody tr")
	if rows.Length() != min(len(want), 25) {
		t.Fatalf("%s: %d rows, want %d", id, rows.Length(), min(len(want), 25))
	}
	rows.Each(func(i int, tr *goquery.Selection) {
		w := want[i]
		cells := tr.Find("td.num")
		got := []string{text(tr.Find("th")), text(cells.Eq(0)), text(cells.Eq(1)), text(cells.Eq(2)), text(cells.Eq(3)), text(cells.Eq(4))}
		exp := []string{w.Name, strconv.Itoa(w.Headcount), strconv.Itoa(w.Ready), fmt.Sprintf("%d%%", w.Percent(w.Ready)), strconv.Itoa(w.AtRisk), strconv.Itoa(w.NotReady)}
		if strings.Join(got, "|") != strings.Join(exp, "|") {
			t.Errorf("%s row %d: %v, want %v", id, i, got, exp)
		}
		if tr.Find("svg.readiness-bar").Length() != 1 || tr.Find("svg").AttrOr("aria-label", "") == "" {
			t.Errorf("%s row %d: no labelled bar", id, i)
		}
	})
}

func TestReadinessDashboard(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	hr := ts.client(t)
	hr.signIn(hrEmail)

	resp, body := hr.get("/readiness")
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard: %d\n%s", resp.StatusCode, body)
	}
	d := doc(t, body)
	now, err := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{})
	if err != nil {
		t.Fatal(err)
	}
	checkHeadline(t, d, now, "now")
	if !strings.Contains(text(d.Find("#shown")), "Now") {
		t.Errorf("shown: %q", text(d.Find("#shown")))
	}
	for id, dim := range map[string]string{"by-department": courses.ByDepartment, "by-location": courses.ByLocation,
		"by-job-title": courses.ByJobTitle, "by-manager": courses.ByManager} {
		want, err := cs.ReadinessBreakdown(ctx, courses.ReadinessFilter{}, dim)
		if err != nil {
			t.Fatal(err)
		}
		checkBreakdown(t, d, id, want)
	}
	if d.Find(`a[href="/readiness/report.pdf"]`).Length() != 1 || d.Find(`.site-nav a[href="/readiness"][aria-current="page"]`).Length() != 1 {
		t.Error("report link or current nav entry missing")
	}

	// The trend: one point and one table row per snapshot week shown, the latest 12.
	weeks, err := cs.SnapshotWeeks(ctx)
	if err != nil || len(weeks) < 30 {
		t.Fatalf("demo snapshots: %d %v", len(weeks), err)
	}
	checkTrend := func(d *goquery.Document, want []string, what string) {
		t.Helper()
		points, rows := d.Find("#trend-figure svg.chart-wide circle.trend-point"), d.Find("#trend-table tbody tr")
		if points.Length() != len(want) || rows.Length() != len(want) || d.Find("#completions-figure svg.chart-wide rect.completions-bar").Length() != len(want) {
			t.Fatalf("%s: %d points, %d rows, want %d", what, points.Length(), rows.Length(), len(want))
		}
		if d.Find("#trend-figure svg[role=img] title").First().Text() == "" || d.Find("#trend-figure svg .chart-axis text").Length() < 5 {
			t.Errorf("%s: the line chart has no title or axis labels", what)
		}
		rows.Each(func(i int, tr *goquery.Selection) {
			week := want[i]
			sum, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{AsOf: week})
			cells := tr.Find("td")
			got := fmt.Sprintf("%s|%s|%s|%s", tr.AttrOr("data-week", ""), text(cells.Eq(0)), text(cells.Eq(1)), text(cells.Eq(3)))
			if exp := fmt.Sprintf("%s|%d|%d|%d", week, sum.Headcount, sum.Ready, sum.AtRisk); got != exp {
				t.Errorf("%s week %d: %s, want %s", what, i, got, exp)
			}
			if title := points.Eq(i).Find("title").Text(); !strings.Contains(title, fmt.Sprintf("%d%% ready (%d of %d)", sum.Percent(sum.Ready), sum.Ready, sum.Headcount)) {
				t.Errorf("%s point %d: %q", what, i, title)
			}
		})
	}
	reversed := func(list []string) []string {
		out := make([]string, len(list))
		for i, w := range list {
			out[len(list)-1-i] = w
		}
		return out
	}
	checkTrend(d, reversed(weeks[:12]), "12 weeks")
	_, body = hr.get("/readiness?weeks=26")
	checkTrend(doc(t, body), reversed(weeks[:26]), "26 weeks")

	// As of a day: the snapshot in force then, named, and every figure from it.
	var asOf, week string
	for _, w := range weeks[1:] {
		if sum, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{AsOf: w}); sum != now {
			week = w
			break
		}
	}
	if week == "" {
		t.Fatal("no snapshot differs from now")
	}
	wd, _ := time.Parse(time.DateOnly, week)
	asOf = wd.AddDate(0, 0, 3).Format(time.DateOnly) // a Thursday
	_, body = hr.get("/readiness?as_of=" + asOf)
	d = doc(t, body)
	then, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{AsOf: asOf})
	checkHeadline(t, d, then, "as of "+asOf)
	if shown := text(d.Find("#shown")); !strings.Contains(shown, "week beginning Monday "+wd.Format("2 Jan 2006")) {
		t.Errorf("as of: %q", shown)
	}
	byDept, _ := cs.ReadinessBreakdown(ctx, courses.ReadinessFilter{AsOf: asOf}, courses.ByDepartment)
	checkBreakdown(t, d, "by-department", byDept)
	var upTo []string
	for _, w := range weeks {
		if w <= week && len(upTo) < 12 {
			upTo = append(upTo, w)
		}
	}
	checkTrend(d, reversed(upTo), "as of")
	if d.Find(`#report-link`).AttrOr("href", "") != "/readiness/report.pdf?as_of="+asOf {
		t.Errorf("the report link does not keep the date: %q", d.Find(`#report-link`).AttrOr("href", ""))
	}

	// Filters narrow everything.
	var ccID int64
	ts.DB.NewSelect().TableExpr("departments").Column("id").Where("name = 'Contact Centre'").Scan(ctx, &ccID)
	_, body = hr.get(fmt.Sprintf("/readiness?department=%d", ccID))
	d = doc(t, body)
	cc, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{DepartmentID: ccID})
	checkHeadline(t, d, cc, "contact centre")
	if cc.Headcount == 0 || cc.Headcount == now.Headcount || !strings.Contains(text(d.Find("#shown")), "Contact Centre") {
		t.Errorf("contact centre: %+v; %q", cc, text(d.Find("#shown")))
	}
	mgr, _ := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	_, body = hr.get("/readiness?manager=" + mgr.Number)
	line, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: mgr.ID})
	checkHeadline(t, doc(t, body), line, "manager")
	lineTrend, _ := cs.ReadinessTrend(ctx, courses.ReadinessFilter{LineOf: mgr.ID}, 12)
	if got := text(doc(t, body).Find("#trend-table tbody tr").Last().Find("td").First()); got != strconv.Itoa(lineTrend[len(lineTrend)-1].Headcount) {
		t.Errorf("the line's trend: %s, want %d", got, lineTrend[len(lineTrend)-1].Headcount)
	}

	// Bad input: 422 with the message next to the field, never a 500.
	for _, c := range []struct{ query, field, want string }{
		{"as_of=2020-01-01", "as_of", "The first weekly snapshot is of " + weeks[len(weeks)-1]},
		{"as_of=yesterday", "as_of", "YYYY-MM-DD"},
		{"manager=NOPE", "manager", `There is no employee with number "NOPE"`},
		{"department=abc", "department", "Choose a department"},
		{"location=999999", "location", "Choose a location"},
		{"weeks=7", "weeks", "Choose 12, 26 or 52"},
	} {
		resp, body := hr.get("/readiness?" + c.query)
		d := doc(t, body)
		if resp.StatusCode != 422 || !strings.Contains(text(d.Find("#e-"+c.field)), c.want) ||
			d.Find("#f-"+c.field).AttrOr("aria-invalid", "") != "true" || d.Find("#headline").Length() != 0 {
			t.Errorf("%s: %d, %q", c.query, resp.StatusCode, text(d.Find("#e-"+c.field)))
		}
	}
	if resp, _ := hr.get("/readiness/report.pdf?as_of=2020-01-01"); resp.StatusCode != 422 {
		t.Errorf("report before the first snapshot: %d", resp.StatusCode)
	}
}
