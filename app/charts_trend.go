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

// chartGeom is one size of a chart, in the viewBox's units. Each chart is
// drawn at every size in chartSizes and app.css shows the one that fits the
// figure (a container query), so one unit is about one CSS pixel and the
// 14-unit text renders at 12 px or more at every width.
type chartGeom struct {
	Name           string  // narrow, medium, wide: the svg's chart-NAME class
	W, H           float64 // the viewBox
	Left, Right    float64 // the plot's x range
	Top, Bottom    float64 // the plot's y range
	LabelY, TitleY float64 // the x labels' and the axis title's baselines
	LabelChars     int     // the widest x label, in characters
	Narrow         bool    // shorter axis titles
}

// chartSizes are the sizes drawn: narrow below a 500 px figure, medium below
// 760 px, wide above (see svg.chart-* in app.css).
var chartSizes = []chartGeom{
	{Name: "narrow", W: 340, H: 260, Left: 50, Right: 314, Top: 16, Bottom: 196, LabelY: 218, TitleY: 248, Narrow: true},
	{Name: "medium", W: 520, H: 260, Left: 54, Right: 494, Top: 16, Bottom: 196, LabelY: 218, TitleY: 248},
	{Name: "wide", W: 760, H: 260, Left: 56, Right: 732, Top: 16, Bottom: 196, LabelY: 218, TitleY: 248},
}

// chartCharPx is the width of a character of chart text (14 px), generously.
const chartCharPx = 8.5

// labelStep is the step between the x labels of n points over a plot width
// wide, when each label is chars characters: as many as fit with a gap of
// two characters between them, at least every point's when they all fit.
func labelStep(n int, width float64, chars int) int {
	if n <= 1 {
		return 1
	}
	fit := max(1, int(width/(float64(chars+2)*chartCharPx)))
	return max(1, int(math.Ceil(float64(n)/float64(fit))))
}

// labelAnchor keeps a label of chars characters centred on x inside 0..w:
// "start" or "end" at the edges.
func labelAnchor(x, w float64, chars int) string {
	half := float64(chars) * chartCharPx / 2
	switch {
	case x-half < 0:
		return "start"
	case x+half > w:
		return "end"
	}
	return "middle"
}

// chartVariants draws a chart at every size, one svg each.
func chartVariants(draw func(g chartGeom, b *strings.Builder)) template.HTML {
	var b strings.Builder
	for _, g := range chartSizes {
		draw(g, &b)
	}
	return template.HTML(b.String())
}

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
func (g chartGeom) xAt(i, n int) float64 {
	if n <= 1 {
		return (g.Left + g.Right) / 2
	}
	return g.Left + float64(i)*(g.Right-g.Left)/float64(n-1)
}

// xLabel writes an x-axis label at x, kept inside the svg.
func (g chartGeom) xLabel(b *strings.Builder, x float64, label string) {
	fmt.Fprintf(b, `<text class="chart-label" x="%.1f" y="%g" text-anchor="%s">%s</text>`, x, g.LabelY, labelAnchor(x, g.W, len([]rune(label))), template.HTMLEscapeString(label))
}

func svgOpen(b *strings.Builder, g chartGeom, class, id, title, desc string) {
	id += "-" + g.Name
	fmt.Fprintf(b, `<svg class="%s chart-%s" data-size="%s" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-title %s-desc" preserveAspectRatio="xMidYMid meet">`,
		class, g.Name, g.Name, g.W, g.H, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, template.HTMLEscapeString(title), id, template.HTMLEscapeString(desc))
}

// trendLineSVG draws the share ready of each week as a line with a point
// per week, with a 0–100 % axis and the weeks below.
func trendLineSVG(trend []courses.TrendPoint) template.HTML {
	if len(trend) == 0 {
		return ""
	}
	return chartVariants(func(g chartGeom, b *strings.Builder) { trendLine(g, b, trend) })
}

func trendLine(g chartGeom, b *strings.Builder, trend []courses.TrendPoint) {
	first, last := trend[0], trend[len(trend)-1]
	svgOpen(b, g, "chart trend-chart", "trend", "Share of people ready, week by week",
		fmt.Sprintf("%d weeks from the week of %s (%d%% ready) to the week of %s (%d%% ready). The table below gives every week's numbers.",
			len(trend), weekLong(first.Week), first.Percent(first.Ready), weekLong(last.Week), last.Percent(last.Ready)))
	y := func(pct float64) float64 { return g.Bottom - pct*(g.Bottom-g.Top)/100 }
	b.WriteString(`<g class="chart-axis" aria-hidden="true">`)
	for _, t := range []int{0, 25, 50, 75, 100} {
		fmt.Fprintf(b, `<line class="chart-grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, g.Left, g.Right, y(float64(t)), y(float64(t)))
		fmt.Fprintf(b, `<text class="chart-label" x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle">%d%%</text>`, g.Left-8, y(float64(t)), t)
	}
	step := labelStep(len(trend), g.Right-g.Left, len("23 Nov"))
	for i, p := range trend {
		if i%step == 0 {
			g.xLabel(b, g.xAt(i, len(trend)), weekShort(p.Week))
		}
	}
	fmt.Fprintf(b, `<text class="chart-label chart-axis-title" x="%g" y="%g" text-anchor="middle">Week beginning</text>`, (g.Left+g.Right)/2, g.TitleY)
	b.WriteString(`</g>`)
	var path strings.Builder
	for i, p := range trend {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, g.xAt(i, len(trend)), y(share(p.Ready, p.Headcount)))
	}
	fmt.Fprintf(b, `<path class="trend-line" d="%s"/>`, strings.TrimSpace(path.String()))
	for i, p := range trend {
		fmt.Fprintf(b, `<circle class="trend-point" cx="%.1f" cy="%.1f" r="5"><title>Week of %s: %d%% ready (%d of %d)</title></circle>`,
			g.xAt(i, len(trend)), y(share(p.Ready, p.Headcount)), weekLong(p.Week), p.Percent(p.Ready), p.Ready, p.Headcount)
	}
	b.WriteString(`</svg>`)
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
	return chartVariants(func(g chartGeom, b *strings.Builder) { completionsBars(g, b, trend, total, most) })
}

func completionsBars(g chartGeom, b *strings.Builder, trend []courses.TrendPoint, total, most int) {
	top := niceCeil(most)
	svgOpen(b, g, "chart completions-chart", "completions", "Programme completions, week by week",
		fmt.Sprintf("%d completions in %d weeks, at most %d in a week. The table below gives every week's number.", total, len(trend), most))
	y := func(n float64) float64 { return g.Bottom - n*(g.Bottom-g.Top)/float64(top) }
	b.WriteString(`<g class="chart-axis" aria-hidden="true">`)
	for _, t := range []int{0, top / 2, top} {
		if t == top/2 && top%2 != 0 {
			continue
		}
		fmt.Fprintf(b, `<line class="chart-grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, g.Left, g.Right, y(float64(t)), y(float64(t)))
		fmt.Fprintf(b, `<text class="chart-label" x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, g.Left-8, y(float64(t)), strconv.Itoa(t))
	}
	slot := (g.Right - g.Left) / float64(len(trend))
	step := labelStep(len(trend), g.Right-g.Left, len("23 Nov"))
	for i, p := range trend {
		if i%step == 0 {
			g.xLabel(b, g.Left+slot*(float64(i)+0.5), weekShort(p.Week))
		}
	}
	fmt.Fprintf(b, `<text class="chart-label chart-axis-title" x="%g" y="%g" text-anchor="middle">Week beginning</text>`, (g.Left+g.Right)/2, g.TitleY)
	b.WriteString(`</g>`)
	for i, p := range trend {
		h := g.Bottom - y(float64(p.Completions))
		x := g.Left + slot*float64(i) + slot*0.15
		fmt.Fprintf(b, `<rect class="completions-bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>Week of %s: %d completed</title></rect>`,
			x, g.Bottom-h, slot*0.7, h, weekLong(p.Week), p.Completions)
		if slot >= 3*chartCharPx && p.Completions > 0 {
			fmt.Fprintf(b, `<text class="chart-value" x="%.1f" y="%.1f" text-anchor="middle" aria-hidden="true">%d</text>`, x+slot*0.35, g.Bottom-h-4, p.Completions)
		}
	}
	b.WriteString(`</svg>`)
}
