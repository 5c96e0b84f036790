package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserProgrammesOnPhone: on a phone-sized screen (390×844) a learner
// sees their assigned programmes first, nothing wider than the screen, and
// reaches a programme's course with the keyboard; the transcript fits too
// (its tables scroll inside their frames).
func TestBrowserProgrammesOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	f := mustProgrammes(t, ts)
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#f-email"), f.emp.Email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
	if got := b.text("#programme-summary"); !strings.Contains(got, "3 programmes need attention") {
		t.Errorf("home summary: %q", got)
	}

	b.do("open My learning", chromedp.Navigate(base+"/learn"))
	b.waitFor("the programmes", `document.querySelector("#programmes .programme-card")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("My learning is %d px wide on a 390 px screen", w)
	}
	if first := eval[string](b, `document.querySelector(".programme-card").dataset.programme`); first != "delta" {
		t.Errorf("first programme %q, want the overdue one", first)
	}
	b.screenshot("my-learning-programmes-phone")

	// The keyboard: focus the first course link of the overdue programme and press Enter.
	link := `.programme-card[data-programme="delta"] .programme-courses a`
	b.do("focus the course link", chromedp.Focus(chromedp.CSS(link)))
	if got := eval[string](b, `document.activeElement.getAttribute("href")`); got != "/learn/six-cs" {
		t.Fatalf("focused %q", got)
	}
	b.do("press Enter", chromedp.KeyEvent("\r"))
	b.waitFor("the course page", `location.pathname === "/learn/six-cs"`)

	b.do("open the transcript", chromedp.Navigate(base+"/me/transcript"))
	b.waitFor("the transcript", `document.querySelector("#transcript-programmes table")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the transcript is %d px wide on a 390 px screen", w)
	}
	b.screenshot("transcript-phone")
}
