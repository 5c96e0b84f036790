package app_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/serviceacademy/academy/courses"
)

// TestBrowserTeamReadiness: the contact centre manager opens Team readiness
// from the navigation, filters by readiness and sees the count follow,
// opens a person's transcript from a row with the keyboard only; on a
// phone (390×844) neither Team readiness nor the coach queue is wider than
// the screen.
func TestBrowserTeamReadiness(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	want := summaryOf(t, ts, courses.ReadinessFilter{LineOf: employeeID(t, ts, ccMgrNumber)})
	b := mustBrowser(t, 90*time.Second)

	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in as the contact centre manager",
		chromedp.SendKeys(chromedp.CSS("#f-email"), ccMgrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/" && document.querySelector("#team-readiness-summary")`)
	b.do("open Team readiness", chromedp.Click(chromedp.CSS(`.site-nav a[href="/team"]`)))
	b.waitFor("Team readiness", `location.pathname === "/team" && document.querySelector("#team-table tbody tr")`)
	if got := b.text("#count-not_ready .stat-value"); got != strconv.Itoa(want.NotReady) {
		t.Errorf("not ready: %q, want %d", got, want.NotReady)
	}
	if got := eval[int](b, `document.querySelectorAll("#team-table tbody tr").length`); got != want.Headcount {
		t.Errorf("%d rows, want %d", got, want.Headcount)
	}
	if got := b.text("#team-count"); !strings.HasPrefix(got, strconv.Itoa(want.Headcount)+" people match") {
		t.Errorf("count before filtering: %q", got)
	}
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	b.screenshot("team-readiness")

	b.do("filter by Not ready",
		chromedp.SetValue(chromedp.CSS("#status"), "not_ready"),
		chromedp.Click(chromedp.CSS("#apply-filters")),
	)
	b.waitFor("the filtered list", `location.search.includes("status=not_ready") && document.querySelector("#team-table")`)
	if got := b.text("#team-count"); !strings.HasPrefix(got, strconv.Itoa(want.NotReady)+" people match") {
		t.Errorf("count after filtering: %q, want %d", got, want.NotReady)
	}
	if got := eval[[]string](b, `Array.from(document.querySelectorAll("#team-table tbody tr")).map(tr => tr.dataset.readiness)`); len(got) != want.NotReady ||
		strings.Count(strings.Join(got, ","), "not_ready") != want.NotReady {
		t.Errorf("rows after filtering: %v", got)
	}
	if got := b.text("#count-ready .stat-value"); got != strconv.Itoa(want.Ready) {
		t.Errorf("the team's ready count changed with the filter: %q", got)
	}
	b.screenshot("team-readiness-not-ready")

	// The keyboard: from the first person's name, Tab reaches their transcript; Enter opens it.
	number := eval[string](b, `document.querySelector("#team-table tbody tr").dataset.employee`)
	b.do("focus the first name", chromedp.Focus(chromedp.CSS("#team-table tbody tr:first-child a.person")))
	b.do("press Tab", chromedp.KeyEvent(kb.Tab))
	if got := eval[string](b, `document.activeElement.getAttribute("href")`); got != "/people/"+number+"/transcript" {
		t.Fatalf("Tab from the name focused %q", got)
	}
	if got := eval[string](b, `document.activeElement.textContent`); !strings.HasPrefix(got, "Transcript of ") {
		t.Errorf("the transcript link's name: %q", got)
	}
	b.do("press Enter", chromedp.KeyEvent("\r"))
	b.waitFor("the transcript", `location.pathname === "/people/`+number+`/transcript" && document.querySelector("h1")?.textContent.includes("Transcript")`)

	// A phone: nothing wider than the screen (tables scroll inside their frames).
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, page := range []string{"/team", "/team?status=not_ready&sort=status", "/team/coach"} {
		b.do("open "+page, chromedp.Navigate(base+page))
		b.waitFor(page+" at phone size", `document.querySelector("main h1")`)
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px screen (%s)", page, w, eval[string](b, `window.innerWidth + " " + window.devicePixelRatio + " " + document.documentElement.clientWidth`))
		}
		if wide := eval[[]string](b, `Array.from(document.querySelectorAll("main *")).filter(el => !el.closest(".table-wrap") &&
			el.getBoundingClientRect().right > 390.5).map(el => el.tagName + "." + el.className)`); len(wide) > 0 {
			t.Errorf("%s: wider than the screen: %v", page, wide)
		}
	}
	b.screenshot("team-coach-phone")
	b.do("open Team readiness on the phone", chromedp.Navigate(base+"/team"))
	b.waitFor("Team readiness", `document.querySelector("#team-table")`)
	b.screenshot("team-readiness-phone")
}
