package app

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/training"
)

// impactChartSVG draws the measure month by month for the trained (solid
// line, round points) and the comparison group (dashed line, square points),
// with each month's first completions as bars along the bottom and their
// number above them. Drawn as the readiness charts are: no script, no style
// attribute, a <title> on every mark, and the page's table gives every
// number.
func impactChartSVG(r *training.ImpactReport) template.HTML {
	months := r.Months
	if len(months) == 0 {
		return ""
	}
	m := r.Measure
	top := 100.0
	if !m.Percentages() {
		most := 0.0
		for _, f := range months {
			if f.TrainedOK {
				most = math.Max(most, f.Trained)
			}
			if f.ComparisonOK {
				most = math.Max(most, f.Comparison)
			}
		}
		top = niceTop(most)
	}
	mostDone := 0
	for _, f := range months {
		mostDone = max(mostDone, f.Completions)
	}
	return chartVariants(func(g chartGeom, b *strings.Builder) { impactChart(g, b, r, top, mostDone) })
}

func impactChart(g chartGeom, b *strings.Builder, r *training.ImpactReport, top float64, mostDone int) {
	months, m := r.Months, r.Measure
	svgOpen(b, g, "chart impact-chart", "impact", m.Title+" month by month, trained and comparison groups",
		fmt.Sprintf("%s (%s) each month from %s to %s among people who had completed %s (solid line, round points) and people who had not yet (dashed line, square points); bars along the bottom are each month's first completions. The table below gives every month's numbers.",
			m.Title, m.FigureUnit(), months[0].Label(), months[len(months)-1].Label(), r.Programme.Title))
	y := func(v float64) float64 { return g.Bottom - v*(g.Bottom-g.Top)/top }
	b.WriteString(`<g class="chart-axis" aria-hidden="true">`)
	for _, t := range []float64{0, top / 4, top / 2, top * 3 / 4, top} {
		label := trimNumber(t)
		if m.Percentages() {
			label += "%"
		}
		fmt.Fprintf(b, `<line class="chart-grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, g.Left, g.Right, y(t), y(t))
		fmt.Fprintf(b, `<text class="chart-label" x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, g.Left-8, y(t), label)
	}
	slot := (g.Right - g.Left) / float64(len(months))
	xOf := func(i int) float64 { return g.Left + slot*(float64(i)+0.5) }
	step := labelStep(len(months), g.Right-g.Left, len("Jan 06"))
	for i, f := range months {
		if i%step == 0 {
			g.xLabel(b, xOf(i), f.Month.Date().Format("Jan 06"))
		}
	}
	axis := "Month (bars: first completions of " + r.Programme.Title + ")"
	if g.Narrow || float64(len([]rune(axis)))*chartCharPx > g.W {
		axis = "Month (bars: first completions)"
	}
	fmt.Fprintf(b, `<text class="chart-label chart-axis-title" x="%g" y="%g" text-anchor="middle">%s</text>`,
		(g.Left+g.Right)/2, g.TitleY, template.HTMLEscapeString(axis))
	b.WriteString(`</g>`)
	// Completions: bars up to a quarter of the plot's height.
	if mostDone > 0 {
		barTop := (g.Bottom - g.Top) / 4
		for i, f := range months {
			if f.Completions == 0 {
				continue
			}
			h := barTop * float64(f.Completions) / float64(mostDone)
			fmt.Fprintf(b, `<rect class="completions-bar" opacity="0.35" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d first completion%s</title></rect>`,
				xOf(i)-slot*0.3, g.Bottom-h, slot*0.6, h, f.Label(), f.Completions, pluralS(f.Completions))
			fmt.Fprintf(b, `<text class="chart-value" x="%.1f" y="%.1f" text-anchor="middle" aria-hidden="true">%d</text>`, xOf(i), g.Bottom-h-4, f.Completions)
		}
	}
	line := func(class, dash string, val func(outcomes.MonthFigure) (float64, bool)) {
		var path strings.Builder
		cmd := "M"
		for i, f := range months {
			v, ok := val(f)
			if !ok {
				cmd = "M"
				continue
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, xOf(i), y(v))
			cmd = "L"
		}
		if p := strings.TrimSpace(path.String()); p != "" {
			fmt.Fprintf(b, `<path class="trend-line %s"%s d="%s"/>`, class, dash, p)
		}
	}
	line("impact-comparison", ` stroke-dasharray="8 6"`, func(f outcomes.MonthFigure) (float64, bool) { return f.Comparison, f.ComparisonOK })
	line("impact-trained", "", func(f outcomes.MonthFigure) (float64, bool) { return f.Trained, f.TrainedOK })
	for i, f := range months {
		if f.ComparisonOK {
			fmt.Fprintf(b, `<rect class="trend-point impact-comparison" x="%.1f" y="%.1f" width="9" height="9"><title>%s, not yet trained (%d people): %s</title></rect>`,
				xOf(i)-4.5, y(f.Comparison)-4.5, f.Label(), f.ComparisonPeople, impactFigure(m, f.Comparison))
		}
		if f.TrainedOK {
			fmt.Fprintf(b, `<circle class="trend-point impact-trained" cx="%.1f" cy="%.1f" r="5"><title>%s, trained (%d people): %s</title></circle>`,
				xOf(i), y(f.Trained), f.Label(), f.TrainedPeople, impactFigure(m, f.Trained))
		}
	}
	b.WriteString(`</svg>`)
}

// niceTop is an axis top at or above v: 1, 2 or 5 times a power of ten, or
// 1 for nothing.
func niceTop(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, k := range []float64{1, 2, 5, 10} {
		if k*p >= v {
			return k * p
		}
	}
	return 10 * p
}

// trimNumber writes v without trailing zeros ("2.5", "10").
func trimNumber(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
