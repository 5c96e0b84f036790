package app

import (
	"strings"
	"testing"
	"time"
)

// Issue 16: the heatmap's columns, the charts' ticks and the date helpers.

func TestHeatmapColumns(t *testing.T) {
	cols := []standardColumn{
		{Tag: "a", Average: 80, Results: 3}, {Tag: "b"}, {Tag: "c", Average: 40, Results: 1},
		{Tag: "d", Average: 80, Results: 5}, {Tag: "e"}, {Tag: "f", Average: 95, Results: 2},
	}
	weakest, empty := heatmapColumns(cols)
	var got, left []string
	for _, c := range weakest {
		got = append(got, c.Tag)
	}
	for _, c := range empty {
		left = append(left, c.Tag)
	}
	// Lowest average first; a tie goes to the standard more people have a result on.
	if strings.Join(got, ",") != "c,d,a,f" || strings.Join(left, ",") != "b,e" {
		t.Errorf("columns %v, left out %v; want c,d,a,f and b,e", got, left)
	}
	if w, e := heatmapColumns(nil); len(w) != 0 || len(e) != 0 {
		t.Errorf("nothing: %v %v", w, e)
	}
}

func TestLabelStep(t *testing.T) {
	narrow, wide := chartSizes[0], chartSizes[len(chartSizes)-1]
	for _, tc := range []struct {
		name  string
		n     int
		width float64
		want  int
	}{
		{"OnePoint", 1, narrow.Right - narrow.Left, 1},
		{"FewFitNarrow", 3, narrow.Right - narrow.Left, 1},
		{"YearOfWeeksNarrow", 52, narrow.Right - narrow.Left, 18}, // 3 labels of "23 Nov" in 264 px
		{"YearOfWeeksWide", 52, wide.Right - wide.Left, 6},        // 9 labels in 676 px
		{"TwelveMonthsWide", 12, wide.Right - wide.Left, 2},
		{"TwelveMonthsNarrow", 12, narrow.Right - narrow.Left, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step := labelStep(tc.n, tc.width, 6)
			if step != tc.want {
				t.Errorf("labelStep(%d, %g) = %d, want %d", tc.n, tc.width, step, tc.want)
			}
			// Whatever the step, the labels written fit side by side.
			labels := (tc.n + step - 1) / step
			if float64(labels)*8*chartCharPx > tc.width+1 {
				t.Errorf("%d labels do not fit in %g", labels, tc.width)
			}
		})
	}
}

func TestLabelAnchor(t *testing.T) {
	for _, tc := range []struct {
		name string
		x, w float64
		want string
	}{
		{"Middle", 170, 340, "middle"},
		{"LastAtTheEdge", 314, 340, "end"}, // "23 Nov" centred at 314 would end at 339.5+
		{"FirstAtTheEdge", 10, 340, "start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := labelAnchor(tc.x, tc.w, 7); got != tc.want {
				t.Errorf("labelAnchor(%g, %g) = %q, want %q", tc.x, tc.w, got, tc.want)
			}
		})
	}
}

func TestDateHelpers(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	at := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)    // 00:30 on 1 July in London
	expires := time.Date(2028, 9, 8, 23, 0, 0, 0, time.UTC) // midnight starting 9 Sep 2028 in London
	funcs := templateFuncs(func() *time.Location { return london })
	datetime := funcs["datetime"].(func(time.Time) string)
	date := funcs["date"].(func(time.Time) string)
	ptrTime := funcs["ptrTime"].(func(*time.Time) string)
	isoDate := funcs["isoDate"].(func(string) string)
	for _, tc := range []struct{ name, got, want string }{
		{"DatetimeCompanyTime", datetime(at), "1 Jul 2026, 00:30"},
		{"DateCompanyDay", date(at), "1 Jul 2026"},
		{"PtrTimeCompanyTime", ptrTime(&at), "1 Jul 2026, 00:30"},
		{"PtrTimeNil", ptrTime(nil), ""},
		{"DatetimeZero", datetime(time.Time{}), ""},
		{"UTCLabelled", utcTime(at), "30 Jun 2026, 23:30 UTC"},
		{"ISODateInWords", isoDate("2027-01-05"), "5 Jan 2027"},
		{"ISODateNotADate", isoDate("soon"), "soon"},
		{"ValidUntilLastDay", validUntil(london, expires), "8 Sep 2028"},
		{"ValidUntilPointer", validUntil(london, &expires), "8 Sep 2028"},
		{"ValidUntilUTC", validUntil(time.UTC, time.Date(2028, 9, 9, 0, 0, 0, 0, time.UTC)), "8 Sep 2028"},
		{"ValidUntilNever", validUntil(london, (*time.Time)(nil)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%q, want %q", tc.got, tc.want)
			}
		})
	}
}
