package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserQuizOnPhone: at 390×844 a learner orders items from the
// keyboard (Space, arrow, Space), with the Up button and by dragging a
// handle, each move saved as a full order that survives a reload; every matching answer is shown in
// full; the summary lists the questions and submits; nothing scrolls sideways.
func TestBrowserQuizOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	mustI16Questions(t, ts)
	i16Quiz(t, ts, "i16-phone", 50, 1)
	email, _ := freshLearner(t, ts)
	b := mustBrowser(t, 90*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(b, base, email)
	b.do("open the quiz", chromedp.Navigate(base+"/learn/six-cs/quiz/i16-phone"))
	b.do("start", chromedp.Click(chromedp.CSS("#quiz-start")))
	b.waitFor("the attempt page", `document.querySelectorAll("fieldset.question").length === 5`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the attempt page is %d px wide on a 390 px screen", w)
	}

	const list = `document.querySelector('fieldset[data-type="ordering"] ol.ordering')`
	order := func() string {
		return eval[string](b, `[...`+list+`.querySelectorAll("li[data-item]")].map(li => li.dataset.item).join(",")`)
	}
	saved := func(what string) {
		b.waitFor(what+" saved", `document.querySelector('fieldset[data-type="ordering"] .save-status').textContent === "Saved"`)
		eval[bool](b, `(document.querySelector('fieldset[data-type="ordering"] .save-status').textContent = "", true)`)
	}
	before := strings.Split(order(), ",")
	if len(before) != 4 {
		t.Fatalf("ordering items %v", before)
	}

	// Keyboard: focus the first item, pick it up, move it down, drop it.
	b.do("focus the first item", chromedp.Focus(chromedp.CSS(`fieldset[data-type="ordering"] li[data-item]`)))
	scrollY := eval[float64](b, `window.scrollY`)
	b.do("pick up, move down, drop", chromedp.KeyEvent(" "), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(" "))
	want := []string{before[1], before[0], before[2], before[3]}
	if got := order(); got != strings.Join(want, ",") {
		t.Fatalf("after the keyboard move %s, want %v", got, want)
	}
	if focused := eval[string](b, `document.activeElement.dataset.item || ""`); focused != before[0] {
		t.Errorf("the focus left the moved item: %q", focused)
	}
	if y := eval[float64](b, `window.scrollY`); y != scrollY {
		t.Errorf("Space scrolled the page from %v to %v", scrollY, y)
	}
	if live := b.text(`fieldset[data-type="ordering"] .ordering-live`); !strings.Contains(live, "place 2") {
		t.Errorf("the move is not announced: %q", live)
	}
	if places := eval[string](b, `[...`+list+`.querySelectorAll(".ordering-place")].map(p => p.textContent).join(",")`); places != "1,2,3,4" {
		t.Errorf("places %q", places)
	}
	saved("the keyboard move")

	// The Up button of the last item: it moves up one place, the focus stays on it.
	b.do("press the last item's Up", chromedp.Click(chromedp.CSS(`fieldset[data-type="ordering"] li[data-item]:last-child button[data-move="up"]`)))
	want = []string{want[0], want[1], want[3], want[2]}
	if got := order(); got != strings.Join(want, ",") {
		t.Fatalf("after Up %s, want %v", got, want)
	}
	if f := eval[string](b, `document.activeElement.closest("li") ? document.activeElement.closest("li").dataset.item + "/" + document.activeElement.dataset.move : ""`); f != want[2]+"/up" {
		t.Errorf("focus after Up: %q", f)
	}
	if first := eval[bool](b, list+`.querySelector("li:first-child button[data-move=up]").disabled`); !first {
		t.Error("the first item's Up button is enabled")
	}
	saved("the Up move")

	// Drag: the first item's handle over the second and third items moves it to place 3.
	type point struct{ X, Y float64 }
	centre := func(css string) point {
		return eval[point](b, `(() => { const r = document.querySelector('`+css+`').getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`)
	}
	eval[bool](b, `(`+list+`.scrollIntoView({block: "center"}), true)`)
	from := centre(`fieldset[data-type="ordering"] li[data-item]:nth-child(1) .ordering-handle`)
	over2 := centre(`fieldset[data-type="ordering"] li[data-item]:nth-child(2)`)
	over3 := centre(`fieldset[data-type="ordering"] li[data-item]:nth-child(3)`)
	b.do("drag the first item down two places",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, from.X, from.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, from.X, from.Y+10, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, over2.X, over2.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, over3.X, over3.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, over3.X, over3.Y, chromedp.ButtonLeft),
	)
	want = []string{want[1], want[2], want[0], want[3]}
	if got := order(); got != strings.Join(want, ",") {
		t.Fatalf("after the drag %s, want %v", got, want)
	}
	saved("the drag")

	// Matching: every answer is visible in full, inside the screen.
	cut := eval[[]string](b, `[...document.querySelectorAll('fieldset[data-type="matching"] label')].filter(l => {
		const r = l.getBoundingClientRect();
		return l.scrollWidth > l.clientWidth + 1 || r.right > 390 || r.left < 0;
	}).map(l => l.textContent.trim())`)
	if len(cut) > 0 {
		t.Errorf("matching answers cut off: %q", cut)
	}
	if n := eval[int](b, `document.querySelectorAll('fieldset[data-type="matching"] input[type=radio]').length`); n != 9 {
		t.Errorf("matching shows %d answers, want 3 × 3", n)
	}
	b.do("choose a match", chromedp.Click(chromedp.CSS(`fieldset[data-type="matching"] input[type=radio]`)))
	b.waitFor("the match saved", `document.querySelector('fieldset[data-type="matching"] .save-status').textContent === "Saved"`)
	b.screenshot("quiz-phone-attempt")

	b.do("reload", chromedp.Reload())
	b.waitFor("the attempt page again", `document.querySelectorAll("fieldset.question").length === 5`)
	if got := order(); got != strings.Join(want, ",") {
		t.Errorf("after reload the order is %s, want %v", got, want)
	}

	b.do("check and submit", chromedp.Click(chromedp.CSS("#quiz-to-summary")))
	b.waitFor("the summary", `location.pathname.endsWith("/summary") && document.querySelector("#quiz-summary")`)
	if got := b.text("#summary-count"); !strings.Contains(got, "answered 2 of 5") {
		t.Errorf("summary count %q", got)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the summary is %d px wide on a 390 px screen", w)
	}
	b.screenshot("quiz-phone-summary")
	b.do("submit", chromedp.Click(chromedp.CSS("#quiz-submit")))
	b.waitFor("the result", `location.pathname.endsWith("/result") && document.querySelector("#review")`)
	if n := eval[int](b, `document.querySelectorAll("#review dd.yours ol.review-order li").length`); n != 4 {
		t.Errorf("the learner's order is %d list items in the review, want 4", n)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the result is %d px wide on a 390 px screen", w)
	}
	b.screenshot("quiz-phone-result")
}
