package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAuthoringOnPhone: at 390×844 the checklist editor, a built-in
// checklist, the question editor and the company settings fit the screen
// (no sideways scrolling); a long behaviour, option or promise wraps in a
// box as wide as the screen allows and shows all of its text; a built-in
// checklist is readable text, not a disabled form.
func TestBrowserAuthoringOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 90*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(b, base, hrEmail)
	long := strings.Repeat("Greets the customer by name and confirms what they called about ", 3)

	noOverflow := func(page string) {
		t.Helper()
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px screen", page, w)
		}
	}
	// fits reports the boxes matching css that are narrower than minWidth or
	// hide some of their text.
	fits := func(what, css string, minWidth int) {
		t.Helper()
		bad := eval[[]string](b, `[...document.querySelectorAll('`+css+`')].filter(el => {
			const r = el.getBoundingClientRect();
			return r.width < `+itoa64(int64(minWidth))+` || r.right > 390 || el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2;
		}).map(el => el.name + " " + Math.round(el.getBoundingClientRect().width) + "px")`)
		if len(bad) > 0 {
			t.Errorf("%s cut off or narrow: %q", what, bad)
		}
	}

	b.do("open a new checklist", chromedp.Navigate(base+"/authoring/checklists/new"))
	b.waitFor("the editor", `document.querySelector("#item-rows")`)
	b.do("type a long behaviour", chromedp.SendKeys(chromedp.CSS(`#item-1-text`), long))
	noOverflow("the checklist editor")
	fits("behaviours", `textarea[name="item_text"]`, 280)
	if lines := eval[float64](b, `document.querySelector("#item-1-text").getBoundingClientRect().height / parseFloat(getComputedStyle(document.querySelector("#item-1-text")).lineHeight)`); lines < 3 {
		t.Errorf("the long behaviour does not wrap onto several lines (%.1f)", lines)
	}
	if n := eval[int](b, `document.querySelectorAll("#item-rows label").length`); n == 0 {
		t.Error("the item fields have no visible labels")
	}
	b.screenshot("checklist-editor-phone")

	b.do("open a built-in checklist", chromedp.Navigate(base+"/authoring/checklists/irate-billing-error"))
	b.waitFor("the read-only view", `document.querySelector("#checklist-readonly")`)
	noOverflow("the built-in checklist")
	if n := eval[int](b, `document.querySelectorAll("#checklist-readonly input, #checklist-readonly textarea, #checklist-readonly [disabled], fieldset[disabled]").length`); n != 0 {
		t.Errorf("the built-in checklist shows %d form controls", n)
	}
	if n := eval[int](b, `document.querySelectorAll("#item-list > li .item-text").length`); n < 3 {
		t.Errorf("the built-in checklist shows %d items as text", n)
	}
	b.screenshot("checklist-builtin-phone")

	b.do("open a new single-choice question", chromedp.Navigate(base+"/authoring/six-cs/bank/new?type=single_choice"))
	b.waitFor("the question editor", `document.querySelector("#option-rows")`)
	b.do("type a long option", chromedp.SendKeys(chromedp.CSS(`textarea[name="opt_text"]`), long))
	noOverflow("the question editor")
	fits("options", `textarea[name="opt_text"]`, 280)
	if h := eval[float64](b, `document.querySelector("#f-general_feedback").getBoundingClientRect().height`); h > 200 {
		t.Errorf("the general feedback box is %.0f px tall while empty", h)
	}
	b.screenshot("question-editor-phone")

	b.do("open the company settings", chromedp.Navigate(base+"/settings/company"))
	b.waitFor("the promises", `document.querySelector("#promise-rows")`)
	noOverflow("the company settings")
	fits("promises", `#promise-rows textarea[name$="_text"]`, 280)
	if n := eval[int](b, `document.querySelectorAll('#promise-rows input[type=text][name$="_text"]').length`); n != 0 {
		t.Errorf("%d promises are still one-line inputs", n)
	}
	b.screenshot("company-settings-phone")
}
