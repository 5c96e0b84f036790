package app

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/serviceacademy/academy/courses"
)

// Charts are drawn on the server as SVG: no script, no style attribute (the
// Content-Security-Policy allows neither), and the numbers are always
// written next to them as text, so colour is never the only carrier.

// statusFill is each status's colour in charts (dark enough against white
// for the 3:1 of graphical objects).
var statusFill = map[courses.Status]string{
	courses.Overdue: "#b42318", courses.Expired: "#7a271a", courses.DueSoon: "#b54708", courses.Expiring: "#dc6803",
	courses.InProgress: "#1f5fa8", courses.NotStarted: "#667085", courses.Completed: "#067647", courses.Exempt: "#98a2b3",
}

// stackedBarSVG draws the status counts as one horizontal stacked bar with
// a text description for screen readers.
func stackedBarSVG(bars []statusBar) template.HTML {
	total := 0
	for _, b := range bars {
		total += b.N
	}
	if total == 0 {
		return ""
	}
	var desc []string
	var b strings.Builder
	x := 0.0
	for _, bar := range bars {
		w := float64(bar.N) * 100 / float64(total)
		fmt.Fprintf(&b, `<rect x="%.3f%%" y="0" width="%.3f%%" height="100%%" fill="%s"><title>%d %s</title></rect>`,
			x, w, statusFill[bar.Status], bar.N, template.HTMLEscapeString(bar.Label))
		x += w
		desc = append(desc, fmt.Sprintf("%d %s", bar.N, bar.Label))
	}
	label := template.HTMLEscapeString(strings.Join(desc, ", "))
	return template.HTML(`<svg class="stacked-bar" role="img" aria-label="` + label + `" width="100%" height="14" preserveAspectRatio="none">` +
		b.String() + `</svg>`)
}

// readinessFill is each readiness's colour in charts (the .swatch-* colours).
var readinessFill = map[courses.Readiness]string{courses.NotReady: "#b42318", courses.AtRisk: "#b54708", courses.Ready: "#067647"}

// readinessBarSVG draws a readiness summary as one stacked bar, worst
// first, labelled with the counts in words for screen readers; the page
// writes the numbers beside it too.
func readinessBarSVG(sum courses.ReadinessSummary) template.HTML {
	if sum.Headcount == 0 {
		return ""
	}
	var desc []string
	var b strings.Builder
	x := 0.0
	for _, r := range courses.Readinesses {
		n := summaryCount(sum, r)
		if n == 0 {
			continue
		}
		w := float64(n) * 100 / float64(sum.Headcount)
		fmt.Fprintf(&b, `<rect x="%.3f%%" y="0" width="%.3f%%" height="100%%" fill="%s" data-readiness="%s"><title>%d %s</title></rect>`,
			x, w, readinessFill[r], r, n, template.HTMLEscapeString(r.Label()))
		x += w
		desc = append(desc, fmt.Sprintf("%d %s", n, r.Label()))
	}
	label := template.HTMLEscapeString(strings.Join(desc, ", ") + " of " + fmt.Sprint(sum.Headcount))
	return template.HTML(`<svg class="stacked-bar readiness-bar" role="img" aria-label="` + label + `" width="100%" height="14" preserveAspectRatio="none">` +
		b.String() + `</svg>`)
}
