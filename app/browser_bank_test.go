package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBankCueCheck: HR pastes questions with cues into the bank's
// import form, sees the warnings in the dry run, imports anyway, and reads
// them next to the questions and in the bank health panel, on a desktop and
// a phone.
func TestBrowserBankCueCheck(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)

	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.waitFor("the sign-in form", `document.querySelector("#f-email")`)
	b.do("sign in as HR",
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/" && document.querySelector("h1")`)

	b.do("open the bank", chromedp.Navigate(base+bankURL))
	b.waitFor("the bank and its health panel", `document.querySelector("#questions") && document.querySelector("#bank-health")`)
	b.do("paste questions with cues",
		chromedp.SetValue(chromedp.CSS("#f-text"), cueGIFT),
		chromedp.Click(chromedp.CSS("#dry-run")),
	)
	b.waitFor("the dry run", `document.querySelector("#import-plan")`)
	if s := b.text("#dry-run-summary"); !strings.Contains(s, "cue check found") {
		t.Errorf("dry-run summary: %q", s)
	}
	// The warnings are folded away; opening them shows the message.
	sel := `#import-plan tr:has(li[data-cue="loose-wildcard"]) details.cue-warnings`
	if eval[bool](b, `document.querySelector(`+"`"+sel+"`"+`).open`) {
		t.Error("the warnings start open")
	}
	b.do("open the wildcard warning", chromedp.Click(chromedp.CSS(sel+" > summary")))
	if !eval[bool](b, `(() => { const li = document.querySelector(`+"`"+sel+` li[data-cue="loose-wildcard"]`+"`"+`); return !!li && li.offsetHeight > 0 && li.textContent.includes("airline"); })()`) {
		t.Error("the opened wildcard warning is not visible or gives no example")
	}

	b.do("import anyway", chromedp.Click(chromedp.CSS("#import-submit")))
	b.waitFor("the bank after the import", `location.pathname === "`+bankURL+`" && document.querySelector("#q-cue-test-long-key")`)
	if f := b.text(".flash"); !strings.Contains(f, "7 created") || !strings.Contains(f, "cue check found") {
		t.Errorf("flash: %q", f)
	}
	if n := eval[int](b, `document.querySelectorAll("#q-cue-test-long-key li[data-cue]").length`); n == 0 {
		t.Error("no warnings next to the imported question")
	}
	b.screenshot("bank-health-desktop")

	b.do("phone size", chromedp.EmulateViewport(390, 844))
	b.do("reload", chromedp.Navigate(base+bankURL+"#bank-health"))
	b.waitFor("the health panel", `document.querySelector("#bank-health .stat-value")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		wide := eval[[]string](b, `Array.from(document.querySelectorAll("body *")).filter(el => el.getBoundingClientRect().right > 392).slice(0, 8).map(el => el.tagName + "#" + el.id + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))`)
		t.Errorf("the bank page is %dpx wide on a 390px phone: %q", w, wide)
	}
	for _, css := range []string{"#health-strategy", "#health-truefalse svg", "#health-positions .bar-row", "#health-rules"} {
		if !eval[bool](b, `(() => { const el = document.querySelector("`+css+`"); return !!el && el.getBoundingClientRect().width > 0; })()`) {
			t.Errorf("%s is not shown on a phone", css)
		}
	}
	if s := b.text("#health-strategy"); !strings.Contains(s, "%") || !strings.Contains(s, "pass mark") {
		t.Errorf("strategy score: %q", s)
	}
	b.screenshot("bank-health-phone")
}
