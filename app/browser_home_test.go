package app_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserHomeOnPhone: at 390×844 Aisha's home page shows her next step
// (the overdue re-observation) on the first screen without scrolling
// sideways; a manager's home shows the counts with their links; the open
// menu is grouped and short.
func TestBrowserHomeOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)

	b := mustBrowser(t, 90*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	signInBrowser(b, base, staffEmail)
	b.screenshot("home-staff-phone")
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the staff home is %d px wide on a 390 px screen", w)
	}
	step := eval[[]float64](b, `(() => { const r = document.querySelector("#next-step .next-step-action").getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; })()`)
	if step[0] < 0 || step[1] > 390 || step[3] > 844 {
		t.Errorf("the next step's link is at %v: not on the first screen of a 390×844 phone", step)
	}
	if kind := eval[string](b, `document.querySelector("#next-step").dataset.kind`); kind != "reobserve" {
		t.Errorf("Aisha's next step is %q, want the re-observation", kind)
	}
	b.do("follow the next step", chromedp.Click(chromedp.CSS("#next-step .next-step-action")))
	b.waitFor("her observation", `location.pathname.startsWith("/me/observations/")`)

	// A manager.
	m := mustBrowser(t, 90*time.Second)
	m.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	signInBrowser(m, base, headEmail)
	m.screenshot("home-manager-phone")
	if w := eval[int](m, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the manager home is %d px wide on a 390 px screen", w)
	}
	counts := eval[[]float64](m, `Array.from(document.querySelectorAll("#manager-todo .stat a")).map(a => a.getBoundingClientRect().right)`)
	if len(counts) != 4 {
		t.Fatalf("manager counts with links: %d, want 4", len(counts))
	}
	for i, r := range counts {
		if r > 390 {
			t.Errorf("count %d ends at %.0f px, past the 390 px screen", i, r)
		}
	}
	m.do("open the menu", chromedp.Click(chromedp.CSS(".nav-toggle")))
	m.waitFor("the menu", `document.querySelector(".site-nav").checkVisibility()`)
	m.screenshot("home-manager-phone-menu")
	labels := eval[[]string](m, `Array.from(document.querySelectorAll("#site-nav .nav-group-label")).filter(e => e.checkVisibility()).map(e => e.textContent)`)
	if len(labels) != 2 || labels[0] != "Me" || labels[1] != "My team" {
		t.Errorf("menu groups %q, want Me and My team", labels)
	}
	if h := eval[float64](m, `document.querySelector("#site-nav").getBoundingClientRect().height`); h > 520 {
		t.Errorf("the open menu is %.0f px high: too long for a phone", h)
	}
	m.do("open the coach queue from the count", chromedp.Click(chromedp.CSS(`#count-observe a`)))
	m.waitFor("the coach queue", `location.pathname === "/team/coach" && document.querySelector("#people")`)
	if w := eval[int](m, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the coach queue is %d px wide on a 390 px screen", w)
	}
	m.screenshot("coach-phone")

	// Tick someone overdue, give a date and a reason, press Enter: the
	// due dates move (Enter never starts an observation).
	who := eval[string](m, `document.querySelector("#people li.coach-person:has(li[data-kind=overdue])").dataset.employee`)
	due := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	m.do("tick and fill in",
		chromedp.Click(chromedp.CSS("#sel-"+who)),
		chromedp.SetValue(chromedp.CSS("#f-due_on"), due),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "Busy season\r"),
	)
	m.waitFor("the confirmation", `location.pathname === "/team/coach" && document.body.innerText.includes("Due dates moved to")`)
}

// TestBrowserNavDesktop: at 1366 px HR's navigation is grouped, each
// group's links together after its name, and the page does not scroll sideways.
func TestBrowserNavDesktop(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)
	b.do("a laptop screen", chromedp.EmulateViewport(1366, 900))
	signInBrowser(b, base, hrEmail)
	b.screenshot("home-hr-desktop")
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 1366 {
		t.Errorf("the HR home is %d px wide", w)
	}
	labels := eval[[]string](b, `Array.from(document.querySelectorAll("#site-nav .nav-group-label")).filter(e => e.checkVisibility()).map(e => e.textContent)`)
	if len(labels) != 3 {
		t.Errorf("groups %q, want Me, My team, Administration", labels)
	}
	if h := eval[float64](b, `document.querySelector("#site-nav").getBoundingClientRect().height`); h > 160 {
		t.Errorf("the navigation is %.0f px high at 1366 px", h)
	}
}
