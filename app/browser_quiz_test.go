package app_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/assessments"
)

// TestBrowserQuiz: a staff member takes a timed quiz, reloads mid-attempt and
// sees the same questions, submits, sees the score and the review the policy
// allows (after the last attempt: the quiz allows one).
func TestBrowserQuiz(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	mustQuiz(t, ts, assessments.QuizSettings{Slug: "browser-quiz", Title: "Browser quiz", DrawCount: 6,
		ShuffleQuestions: true, ShuffleOptions: true, PassMark: 50, AttemptLimit: 1, TimeLimitMinutes: 10,
		ReviewPolicy: assessments.ReviewAfterLast, FeedbackBands: []assessments.FeedbackBand{{Min: 0, Text: "Thanks for taking the quiz."}}})
	email, _ := freshLearner(t, ts)
	b := mustBrowser(t, 90*time.Second)

	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)

	b.do("open the course", chromedp.Navigate(base+"/learn/six-cs"))
	b.waitFor("the course's quizzes", `document.querySelector("#quizzes")`)
	b.do("open the quiz", chromedp.Click(chromedp.CSS(`#quizzes a.button[href="/learn/six-cs/quiz/browser-quiz"]`)))
	b.waitFor("the quiz intro", `document.querySelector("#quiz-rules")`)
	if rules := b.text("#quiz-rules"); !strings.Contains(rules, "10 minutes") || !strings.Contains(rules, "6 questions") {
		b.fatalf("rules: %q", rules)
	}
	b.do("start", chromedp.Click(chromedp.CSS("#quiz-start")))
	b.waitFor("the attempt page", `document.querySelectorAll("fieldset.question").length === 6`)
	b.waitFor("the countdown", `/^Time left: (9|10):\d\d$/.test(document.querySelector("#quiz-timer").textContent.trim())`)
	order := eval[string](b, `[...document.querySelectorAll("fieldset.question")].map(f => f.dataset.question).join(",")`)

	// Answer each question by its first control (an ordering by its first
	// enabled Down button); autosave says Saved.
	ids := eval[[]string](b, `[...document.querySelectorAll("fieldset.question")].map(f => {
		const c = f.querySelector("input[type=radio], input[type=checkbox], input[type=text], textarea, select");
		return f.dataset.type === "ordering" ? "" : c.id;
	})`)
	for i, id := range ids {
		fs := `document.querySelectorAll("fieldset.question")[` + strconv.Itoa(i) + `]`
		if id == "" {
			b.do("move an item down", chromedp.Click(chromedp.CSS(`fieldset.question:nth-of-type(`+strconv.Itoa(i+1)+`) button[data-move="down"]:not([disabled])`)))
			b.waitFor("question "+strconv.Itoa(i+1)+" saved", fs+`.querySelector(".save-status").textContent === "Saved"`)
			continue
		}
		kind := eval[string](b, `document.getElementById("`+id+`").tagName + "/" + document.getElementById("`+id+`").type`)
		switch kind {
		case "INPUT/radio", "INPUT/checkbox":
			b.do("choose an answer", chromedp.Click(chromedp.CSS("#"+id)))
		case "INPUT/text", "TEXTAREA/textarea":
			b.do("type an answer", chromedp.SendKeys(chromedp.CSS("#"+id), "a careful answer"))
		default: // a select: missing word
			b.do("choose from the list", chromedp.SetValue(chromedp.CSS("#"+id),
				eval[string](b, `[...document.getElementById("`+id+`").options].map(o => o.value).filter(v => v)[0]`)))
			eval[bool](b, `document.getElementById("`+id+`").dispatchEvent(new Event("change", {bubbles: true}))`)
		}
		b.waitFor("question "+strconv.Itoa(i+1)+" saved", fs+`.querySelector(".save-status").textContent === "Saved"`)
	}
	if got := b.text("#save-status"); got != "Saved" {
		b.fatalf("status %q", got)
	}

	// Reload mid-attempt: the same questions in the same order, answers kept.
	b.do("reload", chromedp.Reload())
	b.waitFor("the attempt page again", `document.querySelectorAll("fieldset.question").length === 6`)
	if got := eval[string](b, `[...document.querySelectorAll("fieldset.question")].map(f => f.dataset.question).join(",")`); got != order {
		b.fatalf("order after reload %s, want %s", got, order)
	}
	for _, id := range ids {
		if id == "" {
			continue // an ordering always holds a full order
		}
		answered := eval[bool](b, `(() => { const c = document.getElementById("`+id+`");
			return c.type === "radio" || c.type === "checkbox" ? c.checked : c.value !== ""; })()`)
		if !answered {
			b.fatalf("the answer of %s is not kept after reload", id)
		}
	}
	b.screenshot("quiz-attempt")

	b.do("check before submitting", chromedp.Click(chromedp.CSS("#quiz-to-summary")))
	b.waitFor("the summary", `location.pathname.endsWith("/summary") && document.querySelector("#quiz-summary")`)
	if got := b.text("#summary-count"); !strings.Contains(got, "answered 6 of 6") {
		b.fatalf("summary %q", got)
	}
	b.do("submit", chromedp.Click(chromedp.CSS("#quiz-submit")))
	b.waitFor("the result", `location.pathname.endsWith("/result") && document.querySelector("#score-percent")`)
	if score := b.text("#score-percent"); !strings.HasSuffix(score, "%") {
		b.fatalf("score %q", score)
	}
	if outcome := b.text("#quiz-outcome"); !strings.Contains(outcome, "pass") && !strings.Contains(outcome, "grading") {
		b.fatalf("outcome %q", outcome)
	}
	if n := eval[int](b, `document.querySelectorAll("#review .review-item").length`); n != 6 {
		b.fatalf("the review shows %d questions, want 6", n)
	}
	// Band feedback comes with a decided score; while an essay waits for
	// grading the outcome says so instead (or, when a pass is already out of
	// reach, "not passed" with the written answer "still to grade").
	if outcome := b.text("#quiz-outcome"); b.text("#band-feedback") == "" && !strings.Contains(outcome, "grading") && !strings.Contains(outcome, "still to grade") {
		b.fatalf("no band feedback, and the outcome %q says nothing is waiting for grading", outcome)
	}
	b.screenshot("quiz-result")

	// HR open the quiz's item analysis from the bank page: one row per
	// question drawn, the option shares drawn as bars of the right width.
	eval[bool](b, `(document.querySelector('form[action="/signout"]').submit(), true)`)
	b.waitFor("the sign-in page", `location.pathname === "/signin"`)
	browserSignIn(b, base, hrEmail)
	b.do("open the bank", chromedp.Navigate(base+"/authoring/six-cs/bank"))
	b.do("open the item analysis", chromedp.Click(chromedp.CSS(`#quizzes a.item-analysis[href$="/browser-quiz/analysis"]`)))
	b.waitFor("the analysis", `document.querySelector("#item-analysis")`)
	if n := eval[int](b, `document.querySelectorAll("#item-analysis tbody tr").length`); n != 6 {
		b.fatalf("the analysis shows %d questions, want 6", n)
	}
	if !strings.Contains(b.text("#analysed"), "1 submitted attempt analysed") {
		b.fatalf("summary %q", b.text("#analysed"))
	}
	if bad := eval[int](b, `[...document.querySelectorAll("#item-analysis .bar-fill")].filter(el => el.style.width !== el.dataset.width + "%").length`); bad != 0 {
		b.fatalf("%d option bars without their width", bad)
	}
	b.screenshot("item-analysis")
}
