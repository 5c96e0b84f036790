package app_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserSignIn signs b in as email on base.
func browserSignIn(b *browser, base, email string) {
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
}

// TestBrowserCompletionsImport: HR uploads a file of historical
// completions, sees the problem on its line, uploads the fixed file from
// the preview, applies it, and finds the completion on the transcript
// marked imported.
func TestBrowserCompletionsImport(t *testing.T) {
	ts := mustServer(t, "sqlite")
	_, number := freshLearner(t, ts)
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)
	browserSignIn(b, base, hrEmail)

	b.do("open the completions import", chromedp.Navigate(base+"/completions/import"))
	b.waitFor("the upload form", `document.querySelector("form[data-upload] input#f-file")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("input:not([type=hidden]), select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	path := filepath.Join(t.TempDir(), "history.csv")
	day := time.Now().AddDate(0, 0, -7).Format("02/01/2006")
	write := func(rows ...string) {
		if err := os.WriteFile(path, []byte("Employee,Course,Completion Date,Grade,LMS\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(number+",six-cs,"+day+",91,OldLMS", number+",six-cs-typo,"+day+",,OldLMS")
	b.uploadCSV(path)
	b.waitFor("the preview with a problem", `/^\/completions\/import\/[^/]+$/.test(location.pathname) &&
		document.querySelector("table#row-errors")?.checkVisibility()`)
	rows := eval[[][]string](b, `Array.from(document.querySelectorAll("table#row-errors tbody tr"), tr => Array.from(tr.cells, td => td.textContent.trim()))`)
	if len(rows) != 1 || rows[0][0] != "3" || rows[0][1] != "course" {
		t.Errorf("problems = %q, want one on line 3, field course", rows)
	}
	if eval[bool](b, `document.querySelector("button#apply") !== null`) {
		t.Error("a preview with a problem offers Apply")
	}
	b.screenshot("completions-preview-with-error")

	write(number+",six-cs,"+day+",91,OldLMS", number+",The Internal Customer,"+day+",,OldLMS")
	b.uploadCSV(path)
	b.waitFor("the clean preview", `document.querySelector("button#apply")?.checkVisibility()`)
	if got := b.text("#n-created"); got != "2" {
		t.Errorf("#n-created = %q, want 2", got)
	}
	b.do("apply", chromedp.Click(chromedp.CSS("button#apply")))
	b.waitFor("the import page after applying", `location.pathname === "/completions/import" && document.querySelector(".flash")`)
	if flash := b.text(".flash"); !strings.Contains(flash, "Import applied: 2 completions recorded") {
		t.Errorf("flash = %q", flash)
	}
	b.do("open the transcript", chromedp.Navigate(base+"/people/"+number+"/transcript"))
	b.waitFor("the transcript", `document.querySelector("#transcript-courses")`)
	if marks := b.text("#transcript-courses"); strings.Count(marks, "imported from OldLMS") != 2 {
		t.Errorf("transcript courses = %q, want two imported from OldLMS", marks)
	}

	b.mu.Lock()
	exceptions := slices.Clone(b.exceptions)
	b.mu.Unlock()
	if len(exceptions) > 0 {
		t.Errorf("pages threw JavaScript exceptions: %q", exceptions)
	}
}

// TestBrowserReactionSurvey: a learner who completed a course answers the
// survey from the offer on the course page, by tapping the choices.
func TestBrowserReactionSurvey(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)
	browserSignIn(b, base, staffEmail)

	b.do("open the completed course", chromedp.Navigate(base+"/learn/mission-vision-promise"))
	b.waitFor("the offer", `document.querySelector("#reaction-offer a#reaction-answer")`)
	b.do("answer", chromedp.Click(chromedp.CSS("#reaction-offer a#reaction-answer")))
	b.waitFor("the survey", `location.pathname.endsWith("/reaction") && document.querySelector("form.reaction-form")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("input:not([type=hidden]), textarea"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	// Sent with one question unanswered: the message is next to it, the choices kept.
	b.do("choose two answers and send",
		chromedp.Click(chromedp.CSS(`input[name=relevance][value="4"]`)),
		chromedp.Click(chromedp.CSS(`input[name=recommend][value="9"]`)),
		chromedp.Click(chromedp.CSS("button#reaction-save")),
	)
	b.waitFor("the form with a problem", `document.querySelector("#e-confidence")`)
	if !eval[bool](b, `document.querySelector('input[name=relevance][value="4"]').checked && document.querySelector('input[name=recommend][value="9"]').checked`) {
		t.Error("the answers given were not kept")
	}
	b.do("answer the third and send",
		chromedp.Click(chromedp.CSS(`input[name=confidence][value="5"]`)),
		chromedp.SendKeys(chromedp.CSS("#f-comment"), "Clear examples."),
		chromedp.Click(chromedp.CSS("button#reaction-save")),
	)
	b.waitFor("the course page", `location.pathname === "/learn/mission-vision-promise" && document.querySelector(".flash")`)
	if flash := b.text(".flash"); !strings.Contains(flash, "Thank you") {
		t.Errorf("flash = %q", flash)
	}
	if eval[bool](b, `document.querySelector("#reaction-offer") !== null`) {
		t.Error("the offer is still shown after answering")
	}
	b.screenshot("reaction-answered")
}
