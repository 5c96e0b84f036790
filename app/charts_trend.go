package app

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/serviceacademy/academy/courses"
)

// Readiness charts, drawn as charts.go draws: SVG with no script and no
// style attribute, classes styled by app.css, a <title> on every mark, and
// the numbers always printed beside them (the page's tables).

// chart geometry, in the viewBox's units.
const (
	chartW, chartH           = 720.0, 260.0
	plotLeft, plotRight      = 56.0, 704.0
	plotTop, plotBottom      = 16.0, 200.0
	chartLabelY, chartTitleY = 220.0, 250.0
)

// weekShort is a snapshot week as an axis label ("23 Nov"), and weekLong
// in words ("23 Nov 2026").
func weekShort(week string) string {
	if t, err := time.Parse(time.DateOnly, week); err == nil {
		return t.Format("2 Jan")
	}
	return week
}

func weekLong(week string) string {
	if t, err := time.Parse(time.DateOnly, week); err == nil {
		return t.Format("2 Jan 2006")
	}
	return week
}

// xAt spreads n points over the plot, the first and last at its edges.
func xAt(i, n int) float64 {
	if n <= 1 {
		return (plotLeft + plotRight) / 2
	}
	return plotLeft + float64(i)*(plotRight-plotLeft)/float64(n-1)
}

// labelEvery is the step between x-axis labels so at most 13 are written.
func labelEvery(n int) int { return max(1, int(math.Ceil(float64(n)/13))) }

func svgOpen(b *strings.Builder, class, id, title, desc string) {
	fmt.Fprintf(b, `<svg class="%s" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-title %s-desc" preserveAspectRatio="xMidYMid meet">`,
		class, chartW, chartH, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, template.HTMLEscapeString(title), id, template.HTMLEscapeString(desc))
}

// trendLineSVG draws the share ready of each week as a line with a point
// per week, with a 0–100 % axis and the weeks below.
func trendLineSVG(trend []courses.TrendPoint) template.HTML {
	if len(trend) == 0 {
		return ""
	}
	var b strings.Builder
	first, last := trend[0], trend[len(trend)-1]
	svgOpen(&b, "chart trend-chart", "trend", "Share of people ready, week by week",
		fmt.Sprintf("%d weeks from the week of %s (%d%% ready) to the week of %s (%d%% ready). The table below gives every week's numbers.",
			len(trend), weekLong(first.Week), first.Percent(first.Ready), weekLong(last.Week), last.Percent(last.Ready)))
	y := func(pct float64) float64 { return plotBottom - pct*(plotBottom-plotTop)/100 }
	b.WriteString(`<g class="chart-axis" aria-hidden="true">`)
	for _, t := range []int{0, 25, 50, 75, 100} {
		fmt.Fprintf(&b, `<line class="chart-grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, plotLeft, plotRight, y(float64(t)), y(float64(t)))
		fmt.Fprintf(&b, `<text class="chart-label" x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle">%d%%</text>`, plotLeft-8, y(float64(t)), t)
	}
	step := labelEvery(len(trend))
	for i, p := range trend {
		if i%step == 0 {
			fmt.Fprintf(&b, `<text class="chart-label" x="%.1f" y="%g" text-anchor="middle">%s</text>`, xAt(i, len(trend)), chartLabelY, weekShort(p.Week))
		}
	}
	fmt.Fprintf(&b, `<text class="chart-label chart-axis-title" x="%g" y="%g" text-anchor="middle">Week beginning</text>`, (plotLeft+plotRight)/2, chartTitleY)
	b.WriteString(`</g>`)
	var path strings.Builder
	for i, p := range trend {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, xAt(i, len(trend)), y(share(p.Ready, p.Headcount)))
	}
	fmt.Fprintf(&b, `<path class="trend-line" d="%s"/>`, strings.TrimSpace(path.String()))
	for i, p := range trend {
		fmt.Fprintf(&b, `<circle class="trend-point" cx="%.1f" cy="%.1f" r="5"><title>Week of %s: %d%% ready (%d of %d)</title></circle>`,
			xAt(i, len(trend)), y(share(p.Ready, p.Headcount)), weekLong(p.Week), p.Percent(p.Ready), p.Ready, p.Headcount)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// share is part of whole in percent (0 for nobody).
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// completionsSVG draws the programme completions of each week as bars.
func completionsSVG(trend []courses.TrendPoint) template.HTML {
	if len(trend) == 0 {
		return ""
	}
	total, most := 0, 0
	for _, p := range trend {
		total += p.Completions
		most = max(most, p.Completions)
	}
	top := niceCeil(most)
	var b strings.Builder
	svgOpen(&b, "chart completions-chart", "completions", "Programme completions, week by week",
		fmt.Sprintf("%d completions in %d weeks, at most %d in a week. The table below gives every week's number.", total, len(trend), most))
	y := func(n float64) float64 { return plotBottom - n*(plotBottom-plotTop)/float64(top) }
	b.WriteString(`<g class="chart-axis" aria-hidden="true">`)
	for _, t := range []int{0, top / 2, top} {
		if t == top/2 && top%2 != 0 {
			continue
		}
		fmt.Fprintf(&b, `<line class="chart-grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, plotLeft, plotRight, y(float64(t)), y(float64(t)))
		fmt.Fprintf(&b, `<text class="chart-label" x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, plotLeft-8, y(float64(t)), strconv.Itoa(t))
	}
	slot := (plotRight - plotLeft) / float64(len(trend))
	step := labelEvery(len(trend))
	for i, p := range trend {
		if i%step == 0 {
			fmt.Fprintf(&b, `<text class="chart-label" x="%.1f" y="%g" text-anchor="middle">%s</text>`, plotLeft+slot*(float64(i)+0.5), chartLabelY, weekShort(p.Week))
		}
	}
	fmt.Fprintf(&b, `<text class="chart-label chart-axis-title" x="%g" y="%g" text-anchor="middle">Week beginning</text>`, (plotLeft+plotRight)/2, chartTitleY)
	b.WriteString(`</g>`)
	for i, p := range trend {
		h := plotBottom - y(float64(p.Completions))
		x := plotLeft + slot*float64(i) + slot*0.15
		fmt.Fprintf(&b, `<rect class="completions-bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>Week of %s: %d completed</title></rect>`,
			x, plotBottom-h, slot*0.7, h, weekLong(p.Week), p.Completions)
		if len(trend) <= 26 && p.Completions > 0 {
			fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%.1f" text-anchor="middle" aria-hidden="true">%d</text>`, x+slot*0.35, plotBottom-h-4, p.Completions)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
