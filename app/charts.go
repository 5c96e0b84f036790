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

// certStatusFill is each certificate status's colour in charts.
var certStatusFill = map[courses.CertStatus]string{
	courses.CertValid: "#067647", courses.CertExpired: "#7a271a", courses.CertRevoked: "#b42318", courses.CertSuperseded: "#667085",
}

// chartPart is one coloured share of a stacked bar.
type chartPart struct {
	N           int
	Label, Fill string
}

// stackedBarSVG draws the status counts as one horizontal stacked bar with
// a text description for screen readers.
func stackedBarSVG(bars []statusBar) template.HTML {
	parts := make([]chartPart, len(bars))
	for i, b := range bars {
		parts[i] = chartPart{b.N, b.Label, statusFill[b.Status]}
	}
	return stackedSVG(parts)
}

// certBarSVG draws the certificate status counts as one stacked bar.
func certBarSVG(bars []certBar) template.HTML {
	var parts []chartPart
	for _, b := range bars {
		if b.N > 0 {
			parts = append(parts, chartPart{b.N, b.Status.Label(), certStatusFill[b.Status]})
		}
	}
	return stackedSVG(parts)
}

// stackedSVG draws parts as one horizontal bar ("" when all are zero).
func stackedSVG(parts []chartPart) template.HTML {
	total := 0
	for _, p := range parts {
		total += p.N
	}
	if total == 0 {
		return ""
	}
	var desc []string
	var b strings.Builder
	x := 0.0
	for _, p := range parts {
		w := float64(p.N) * 100 / float64(total)
		fmt.Fprintf(&b, `<rect x="%.3f%%" y="0" width="%.3f%%" height="100%%" fill="%s"><title>%d %s</title></rect>`,
			x, w, p.Fill, p.N, template.HTMLEscapeString(p.Label))
		x += w
		desc = append(desc, fmt.Sprintf("%d %s", p.N, p.Label))
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
