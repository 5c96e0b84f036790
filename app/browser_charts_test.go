package app_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserChartText: on a 390 px phone and a 1366 px desktop, the charts
// of the readiness dashboard and the impact page show the drawing made for
// their width: every label renders at 12 px or more (measured, not assumed)
// and lies inside its svg, the last x label included.
func TestBrowserChartText(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 90*time.Second)
	signInBrowser(b, base, hrEmail)
	type chartText struct {
		Charts, Texts  int
		Small, Outside []string
		Sizes          []string
	}
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"390x844", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}}, {"1366x900", 1366, 900, nil}} {
		for _, page := range []string{"/readiness", "/impact?programme=field-service-excellence&measure=csat&window_days=90"} {
			b.do("open "+page+" at "+size.name, chromedp.EmulateViewport(size.w, size.h, size.opts...), chromedp.Navigate(base+page))
			b.waitFor("a chart", `document.querySelector("svg.chart")`)
			got := eval[chartText](b, `(() => {
				const out = {Charts: 0, Texts: 0, Small: [], Outside: [], Sizes: []};
				document.querySelectorAll("svg.chart").forEach(svg => {
					if (getComputedStyle(svg).display === "none") return;
					out.Charts++;
					const box = svg.getBoundingClientRect();
					out.Sizes.push(svg.dataset.size + " " + Math.round(box.width) + "px");
					const scale = box.width / svg.viewBox.baseVal.width;
					svg.querySelectorAll("text").forEach(text => {
						out.Texts++;
						const r = text.getBoundingClientRect();
						const px = parseFloat(getComputedStyle(text).fontSize) * scale;
						if (px < 12 || r.height < 12) out.Small.push(text.textContent + " " + px.toFixed(1) + "px (box " + r.height.toFixed(1) + ")");
						if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
							out.Outside.push(text.textContent + " " + Math.round(r.left - box.left) + "–" + Math.round(r.right - box.left) + " of " + Math.round(box.width));
					});
				});
				return out;
			})()`)
			if got.Charts == 0 || got.Texts < 5 {
				t.Errorf("%s at %s: %d charts shown with %d labels", page, size.name, got.Charts, got.Texts)
			}
			if len(got.Small) > 0 {
				t.Errorf("%s at %s (%v): labels under 12 px: %q", page, size.name, got.Sizes, got.Small)
			}
			if len(got.Outside) > 0 {
				t.Errorf("%s at %s (%v): labels outside the chart: %q", page, size.name, got.Sizes, got.Outside)
			}
			if w := eval[int](b, `document.scrollingElement.scrollWidth`); w > int(size.w) {
				t.Errorf("%s at %s: the page is %d px wide: %v", page, size.name, w, eval[[]string](b, `Array.from(document.querySelectorAll("body *")).filter(el => el.getBoundingClientRect().right > 391).slice(0, 8).map(el => el.tagName + "#" + el.id + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))`))
			}
			t.Logf("%s at %s: %v, %d labels", page, size.name, got.Sizes, got.Texts)
		}
	}
}
