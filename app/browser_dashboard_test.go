package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/courses"
)

// TestBrowserReadinessDashboard: HR narrows the dashboard to a department
// with the keyboard-reachable filters, then looks at a past week; the
// figures follow, the charts are drawn, and every field has a label.
func TestBrowserReadinessDashboard(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	ctx := context.Background()
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	var dept int64
	ts.DB.NewSelect().TableExpr("departments").Column("id").Where("name = 'Front Desk'").Scan(ctx, &dept)
	weeks, _ := cs.SnapshotWeeks(ctx)
	b := mustBrowser(t, 90*time.Second)
	b.do("sign in", chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)))
	b.waitFor("the home page", `location.pathname === "/"`)
	b.do("open Readiness", chromedp.Click(chromedp.CSS(`.site-nav a[href="/readiness"]`)))
	b.waitFor("the dashboard", `document.querySelector("#headline") && document.querySelector("#trend-figure svg circle")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("#readiness-filters input, #readiness-filters select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}

	b.do("choose a department", chromedp.SetValue(chromedp.CSS("#f-department"), strconv.FormatInt(dept, 10)),
		chromedp.Click(chromedp.CSS("#apply-filters")))
	b.waitFor("the department's figures", fmt.Sprintf(`location.search.includes("department=%d")`, dept))
	fd, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{DepartmentID: dept})
	if got := b.text("#stat-headcount .stat-value"); got != strconv.Itoa(fd.Headcount) {
		t.Errorf("front desk headcount %s, want %d", got, fd.Headcount)
	}

	week := weeks[8]
	wd, _ := time.Parse(time.DateOnly, week)
	day := wd.AddDate(0, 0, 1).Format(time.DateOnly)
	b.do("pick a day in a past week", chromedp.SetValue(chromedp.CSS("#f-as_of"), day), chromedp.Click(chromedp.CSS("#apply-filters")))
	b.waitFor("the snapshot", `location.search.includes("as_of=`+day+`")`)
	then, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{DepartmentID: dept, AsOf: week})
	if got := b.text("#stat-ready .n"); got != strconv.Itoa(then.Ready) {
		t.Errorf("ready as of %s: %s, want %d", week, got, then.Ready)
	}
	if got := b.text("#shown"); !strings.Contains(got, "week beginning Monday "+wd.Format("2 Jan 2006")) {
		t.Errorf("shown: %q", got)
	}
	b.screenshot("readiness-dashboard")

	// The heatmap's many columns scroll inside their box, not the page.
	b.do("open the heatmap", chromedp.Navigate(base+"/readiness/standards"))
	b.waitFor("the heatmap", `document.querySelector("#heatmap tbody tr")`)
	if w, inner := eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`); w > inner {
		t.Errorf("the heatmap page is %d px wide in a %d px window: %v", w, inner, eval[[]string](b, `Array.from(document.querySelectorAll("body *")).filter(el => el.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))`))
	}
	b.do("back to the dashboard", chromedp.Navigate(base+"/readiness?as_of="+day))
	b.waitFor("the dashboard", `document.querySelector("#headline")`)

	b.do("a day before the first snapshot", chromedp.SetValue(chromedp.CSS("#f-as_of"), "2020-01-01"), chromedp.Click(chromedp.CSS("#apply-filters")))
	b.waitFor("the message", `location.search.includes("as_of=2020-01-01") && document.querySelector("#e-as_of")`)
	if eval[string](b, `document.querySelector(".form-errors a")?.getAttribute("href") ?? ""`) != "#f-as_of" {
		t.Error("the error summary does not link to the date field")
	}
}
