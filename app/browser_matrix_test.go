package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserMatrixOnPhone: the contact centre manager opens the training
// matrix on a phone-sized screen (390×844). The page fits the screen; the
// table scrolls inside its frame both ways, its header row stays at the
// top of the frame and the name column at its left; the cells are
// readable; the frame and every link are reachable from the keyboard.
func TestBrowserMatrixOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in as the contact centre manager",
		chromedp.SendKeys(chromedp.CSS("#f-email"), ccMgrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)

	// From the home page's link, then the programme chooser.
	b.do("open the matrix from the home page", chromedp.Click(chromedp.CSS(`a#home-matrix`)))
	b.waitFor("the chooser", `location.pathname === "/matrix" && document.querySelector("#f-programme")`)
	b.do("choose the contact centre programme",
		chromedp.SetValue(chromedp.CSS("#f-programme"), "contact-centre-excellence"),
		chromedp.Click(chromedp.CSS("#matrix-show")),
	)
	// /matrix already shows the first programme's table: wait for the chosen one's page.
	b.waitFor("the matrix", `location.search.includes("programme=contact-centre-excellence") && document.readyState === "complete" && document.querySelector("table#matrix tbody tr")`)
	b.screenshot("matrix-phone")

	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	frame := `document.querySelector("#matrix-frame")`
	fits := eval[[]int](b, `(() => { const f = `+frame+`; return [f.clientWidth, f.scrollWidth, f.clientHeight, f.scrollHeight]; })()`)
	if fits[0] > 390 || fits[1] <= fits[0] {
		t.Errorf("the frame is %d px wide with %d px of table: the table should scroll sideways inside it", fits[0], fits[1])
	}
	if fits[3] <= fits[2] {
		t.Errorf("the frame is %d px high with %d px of table: the table should scroll inside it", fits[2], fits[3])
	}
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("form.filters input, form.filters select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}

	// A cell's words are readable: its text, its size, inside the frame.
	cell := eval[map[string]any](b, `(() => {
		const td = document.querySelector("table#matrix tbody td.cell"), r = td.getBoundingClientRect();
		return {text: td.textContent.trim(), size: parseFloat(getComputedStyle(td).fontSize), w: r.width, h: r.height};
	})()`)
	if txt, _ := cell["text"].(string); txt == "" || cell["size"].(float64) < 12 || cell["w"].(float64) < 40 || cell["h"].(float64) < 16 {
		t.Errorf("first cell %v: want words at 12 px or more in a box they fit", cell)
	}

	// Scroll the table down and across: the header cells stay at the top
	// of the frame, the names at its left.
	top := `(() => { const f = ` + frame + `.getBoundingClientRect(), th = document.querySelector("table#matrix thead th.course").getBoundingClientRect(); return th.top - f.top; })()`
	before := eval[float64](b, top)
	eval[bool](b, frame+`.scrollTop = 300; true`)
	b.waitFor("the frame scrolled down", frame+`.scrollTop > 0`)
	after := eval[float64](b, top)
	if after < -1 || after > before+1 {
		t.Errorf("the header cell is %.0f px below the frame's top after scrolling (%.0f before): it should stay at the top", after, before)
	}
	if got := eval[float64](b, frame+`.scrollTop`); got < 100 {
		t.Errorf("the frame scrolled only %.0f px: the table does not scroll inside it", got)
	}
	left := `(() => { const f = ` + frame + `.getBoundingClientRect(), th = document.querySelector("table#matrix tbody th.sticky-col").getBoundingClientRect(); return th.left - f.left; })()`
	eval[bool](b, frame+`.scrollLeft = 400; true`)
	b.waitFor("the frame scrolled across", frame+`.scrollLeft > 0`)
	if x := eval[float64](b, left); x < -1 || x > 3 {
		t.Errorf("the name column is %.0f px from the frame's left edge after scrolling across: it should stay there", x)
	}
	// A header cell is still what is drawn at the top of the frame (not a row under it).
	eval[bool](b, frame+`.scrollIntoView({block: "start"}); true`)
	hit := eval[string](b, `(() => { const f = `+frame+`.getBoundingClientRect(); const el = document.elementFromPoint(f.left + 200, f.top + 8); return el ? (el.closest("th")?.parentElement?.parentElement?.tagName ?? el.tagName) : ""; })()`)
	if hit != "THEAD" {
		t.Errorf("at the top of the scrolled frame the browser draws %q, want the header (THEAD)", hit)
	}
	b.screenshot("matrix-phone-scrolled")

	// The keyboard: the frame takes the focus (arrow keys scroll it) and the rows' links follow.
	if got := eval[string](b, frame+`.getAttribute("tabindex")`); got != "0" {
		t.Errorf("the frame's tabindex is %q, want 0 so the keyboard can scroll it", got)
	}
	eval[bool](b, frame+`.focus(); true`)
	if got := eval[string](b, `document.activeElement.id`); got != "matrix-frame" {
		t.Errorf("the focus is on %q, want the frame", got)
	}
	if name := eval[string](b, `document.querySelector("#matrix-frame").getAttribute("aria-labelledby")`); !strings.Contains(b.text("#"+name), "Contact Centre") {
		t.Errorf("the frame is labelled %q", b.text("#"+name))
	}
}
