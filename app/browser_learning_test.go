package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserLearnerResumes: a staff member opens My learning, reads two
// lessons (the second by the keyboard), marks them complete, signs out,
// signs in again and Resume takes them to the third lesson.
func TestBrowserLearnerResumes(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	email, _ := freshLearner(t, ts)
	b := mustBrowser(t, 60*time.Second)

	signIn := func() {
		b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
		b.do("sign in",
			chromedp.SendKeys(chromedp.CSS("#f-email"), email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		)
		b.waitFor("the home page", `location.pathname === "/"`)
	}
	signIn()

	b.do("open My learning", chromedp.Click(chromedp.CSS(`nav.site-nav a[href="/learn"]`)))
	b.waitFor("My learning", `location.pathname === "/learn" && document.querySelector("#courses")`)
	b.do("start the mission course", chromedp.Click(chromedp.CSS(`.course-card[data-course="mission-vision-promise"] a.resume`)))
	b.waitFor("the first lesson", `location.pathname === "/learn/mission-vision-promise/from-the-top-to-the-front-line"`)
	if body := b.text(".lesson-body"); len(body) < 1000 || strings.Contains(body, "{{company") {
		b.fatalf("the first lesson has %d characters of text", len(body))
	}
	b.do("mark the first lesson complete", chromedp.Click(chromedp.CSS("button#complete")))
	b.waitFor("the second lesson", `location.pathname === "/learn/mission-vision-promise/our-mission-vision-and-values"`)
	if !strings.Contains(b.text(".lesson-body"), "We keep homes warm") {
		b.fatalf("the second lesson does not show the company's mission")
	}

	// The keyboard: left goes back, right comes forward again.
	b.do("press the left arrow", chromedp.KeyEvent(kb.ArrowLeft))
	b.waitFor("the first lesson again", `location.pathname === "/learn/mission-vision-promise/from-the-top-to-the-front-line"`)
	if !strings.Contains(b.text(".lesson-done"), "completed this lesson") {
		t.Error("the first lesson is not marked done")
	}
	b.do("press the right arrow", chromedp.KeyEvent(kb.ArrowRight))
	b.waitFor("the second lesson again", `location.pathname === "/learn/mission-vision-promise/our-mission-vision-and-values"`)
	b.do("mark the second lesson complete", chromedp.Click(chromedp.CSS("button#complete")))
	b.waitFor("the third lesson", `location.pathname === "/learn/mission-vision-promise/our-service-promises"`)
	b.screenshot("lesson-page")

	// Sign out, sign in: Resume goes to the third lesson.
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitFor("the sign-in page", `location.pathname === "/signin"`)
	signIn()
	b.do("open My learning", chromedp.Navigate(base+"/learn"))
	b.waitFor("My learning", `document.querySelector("#courses")`)
	card := `.course-card[data-course="mission-vision-promise"]`
	if got := b.text(card + " .progress-text"); !strings.HasPrefix(got, "2 of 4 lessons") {
		t.Errorf("progress = %q, want 2 of 4 lessons", got)
	}
	b.do("resume", chromedp.Click(chromedp.CSS(card+" a.resume")))
	b.waitFor("the third lesson after resuming", `location.pathname === "/learn/mission-vision-promise/our-service-promises"`)
	if n := eval[int](b, `document.querySelectorAll(".lesson-body ol.company-list li").length`); n != 5 {
		t.Errorf("the promises lesson lists %d promises, want 5", n)
	}
	b.screenshot("resumed")
}
