package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserImpactReport: HR open Service impact from the navigation,
// choose Field Service Excellence and customer satisfaction, and read the
// sentence, the numbers, the chart (with its title and a mark per month)
// and its table; then complaints give the other answer. On a phone-sized
// screen the page fits, and every field has a label.
func TestBrowserImpactReport(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in as HR",
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
	// The link is in the navigation (behind the menu button on a phone).
	if !eval[bool](b, `(() => { const a = document.querySelector('nav a[href="/impact"]'); if (!a) return false; a.click(); return true; })()`) {
		t.Fatal("no Service impact link in the navigation")
	}
	b.waitFor("the report", `location.pathname === "/impact" && document.querySelector("#f-programme")`)
	b.do("choose the programme, the measure and 90 days",
		chromedp.SetValue(chromedp.CSS("#f-programme"), "field-service-excellence"),
		chromedp.SetValue(chromedp.CSS("#f-measure"), "csat"),
		chromedp.SetValue(chromedp.CSS("#f-window_days"), "90"),
		chromedp.Click(chromedp.CSS("#show-impact")),
	)
	b.waitFor("the answer", `location.search.includes("field-service-excellence") && document.querySelector("#sentence")`)
	b.screenshot("impact-phone")
	if s := b.text("#sentence"); !strings.HasPrefix(s, "Customer satisfaction rose ") || !strings.Contains(s, "compared with colleagues not yet trained") {
		t.Errorf("sentence %q", s)
	}
	if n := eval[int](b, `document.querySelectorAll("#impact-table tbody tr").length`); n != 2 {
		t.Errorf("%d group rows", n)
	}
	chart := eval[map[string]any](b, `(() => { const s = document.querySelector("svg.impact-chart"), r = s.getBoundingClientRect();
		return {title: s.querySelector("title").textContent, points: s.querySelectorAll("circle.impact-trained, rect.impact-comparison").length,
			months: document.querySelectorAll("#months-table tbody tr").length, w: r.width, h: r.height}; })()`)
	if !strings.Contains(chart["title"].(string), "month by month") || chart["points"].(float64) < 12 || chart["months"].(float64) < 12 ||
		chart["w"].(float64) < 300 || chart["h"].(float64) < 100 {
		t.Errorf("chart %v", chart)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("form.filters input, form.filters select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	b.do("choose complaints",
		chromedp.SetValue(chromedp.CSS("#f-measure"), "complaints"),
		chromedp.Click(chromedp.CSS("#show-impact")),
	)
	b.waitFor("the other answer", `location.search.includes("complaints") && document.querySelector("#sentence")`)
	if s := b.text("#sentence"); !strings.Contains(s, "could be told apart from chance") {
		t.Errorf("complaints sentence %q", s)
	}
	if m := b.text("#method"); !strings.Contains(m, "Difference in differences") {
		t.Errorf("method %q", m)
	}
}
