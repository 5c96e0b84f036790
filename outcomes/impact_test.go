package outcomes_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/outcomes"
)

var (
	valueMeasure   = &outcomes.Measure{Title: "Handling time", Unit: "minutes", Kind: outcomes.Value}
	percentMeasure = &outcomes.Measure{Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.GoodBad, Report: outcomes.PercentSatisfied, HigherIsBetter: true}
	meanMeasure    = &outcomes.Measure{Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.OneToFive, Report: outcomes.Mean, HigherIsBetter: true}
	countMeasure   = &outcomes.Measure{Title: "Complaints", Unit: "complaints", Kind: outcomes.Count}
)

// daily is one event a day from day lo to hi inclusive with value f(day).
func daily(lo, hi outcomes.Day, f func(d outcomes.Day) float64) []outcomes.Point {
	var pts []outcomes.Point
	for d := lo; d <= hi; d++ {
		pts = append(pts, outcomes.Point{Day: d, Value: f(d)})
	}
	return pts
}

// at is events on the given days, each with value v.
func at(v float64, days ...outcomes.Day) []outcomes.Point {
	var pts []outcomes.Point
	for _, d := range days {
		pts = append(pts, outcomes.Point{Day: d, Value: v})
	}
	return pts
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// trendPeople are n people per completion day (outcomes.NotTrained for
// never) with one event a day over [0, 300] valued base(person) + f(day),
// plus effect from the day after their completion.
func trendPeople(groups map[outcomes.Day]int, f func(outcomes.Day) float64, effect float64) []outcomes.ImpactPerson {
	var out []outcomes.ImpactPerson
	i := 0
	for c, n := range groups {
		for range n {
			base := float64(i%7) * 1.5
			i++
			c := c
			out = append(out, outcomes.ImpactPerson{Completed: c, Points: daily(0, 300, func(d outcomes.Day) float64 {
				v := base + f(d)
				if d > c {
					v += effect
				}
				return v
			})})
		}
	}
	return out
}

func TestEstimateImpact(t *testing.T) {
	linear := func(d outcomes.Day) float64 { return 0.1 * float64(d) }
	curved := func(d outcomes.Day) float64 { return float64(d) * float64(d) / 400 }
	for _, tc := range []struct {
		name                string
		in                  outcomes.ImpactInput
		enough              bool
		effect              float64 // exact when the differences are identical
		trained, comparison int
		tb, ta, cb, ca      float64 // group figures (NaN: not checked)
	}{
		{
			// Everyone's figure rises 0.1 a day (3.1 over the 31 days between the
			// windows' middles); the trained gain 8 more. A plain before/after of
			// the trained says 11.1; the estimate must say 8.
			name:   "KnownEffectWithCommonTrend",
			in:     outcomes.ImpactInput{Measure: valueMeasure, WindowDays: 30, Through: 300, People: trendPeople(map[outcomes.Day]int{100: 25, outcomes.NotTrained: 30}, linear, 8)},
			enough: true, effect: 8, trained: 25, comparison: 30,
			tb: math.NaN(),
		},
		{
			// Completions on days 100, 150 and 200 under a curved trend: each
			// group's windows see a different common change, and people trained
			// later are the comparison for the earlier windows (completion after
			// the after window's last day, c+30).
			name:   "StaggeredCompletions",
			in:     outcomes.ImpactInput{Measure: valueMeasure, WindowDays: 30, Through: 300, People: trendPeople(map[outcomes.Day]int{100: 10, 150: 10, 200: 10, outcomes.NotTrained: 20}, curved, 8)},
			enough: true, effect: 8, trained: 30, comparison: 40,
			tb: math.NaN(),
		},
		{
			// 22 trained, 3 complaints in the 30 days before (days 80, 85, 90)
			// and 1 after (day 110); 22 untrained with 2 before, 3 after (a
			// rising trend of 1). Change −2 against +1: effect −3 complaints.
			name: "CountMeasure",
			in: outcomes.ImpactInput{Measure: countMeasure, WindowDays: 30, Through: 300, People: append(
				repeat(22, outcomes.ImpactPerson{Completed: 100, Points: append(at(1, 80, 85, 90), at(1, 110)...)}),
				repeat(22, outcomes.ImpactPerson{Completed: outcomes.NotTrained, Points: append(at(1, 75, 95), at(1, 105, 115, 125)...)})...)},
			enough: true, effect: -3, trained: 22, comparison: 22, tb: 3, ta: 1, cb: 2, ca: 3,
		},
		{
			// Scores 3,3 before and 3,4 after (3.0 → 3.5) for the trained; ten
			// scores before (3.0) and after (nine 3s and a 4: 3.1) for the
			// others: effect 0.5 − 0.1 = 0.4 on the 1–5 scale.
			name: "MeanReportedRating",
			in: outcomes.ImpactInput{Measure: meanMeasure, WindowDays: 30, Through: 300, People: append(
				repeat(20, outcomes.ImpactPerson{Completed: 100, Points: append(at(3, 80, 90), append(at(3, 110), at(4, 120)...)...)}),
				repeat(20, outcomes.ImpactPerson{Completed: outcomes.NotTrained, Points: append(at(3, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80), append(at(3, 101, 102, 103, 104, 105, 106, 107, 108, 109), at(4, 110)...)...)})...)},
			enough: true, effect: 0.4, trained: 20, comparison: 20, tb: 3, ta: 3.5, cb: 3, ca: 3.1,
		},
		{
			// Good/bad: trained 3 of 5 satisfied before (60%), 4 of 5 after (80%);
			// comparison 70% → 72% (in 50 ratings each): effect 20 − 2 = 18 points.
			name: "PercentagePoints",
			in: outcomes.ImpactInput{Measure: percentMeasure, WindowDays: 30, Through: 300, People: append(
				repeat(20, outcomes.ImpactPerson{Completed: 100, Points: append(append(at(1, 71, 72, 73), at(0, 74, 75)...), append(at(1, 101, 102, 103, 104), at(0, 105)...)...)}),
				repeat(20, outcomes.ImpactPerson{Completed: outcomes.NotTrained, Points: append(append(at(1, days(71, 35)...), at(0, days(71, 15)...)...), append(at(1, days(101, 36)...), at(0, days(101, 14)...)...)...)})...)},
			enough: true, effect: 18, trained: 20, comparison: 20, tb: 60, ta: 80, cb: 70, ca: 72,
		},
		{
			// The completion day is in neither window: events on day 100 change nothing.
			name: "CompletionDayInNeitherWindow",
			in: outcomes.ImpactInput{Measure: countMeasure, WindowDays: 30, Through: 300, People: append(
				repeat(20, outcomes.ImpactPerson{Completed: 100, Points: append(at(1, 80, 90, 100, 100, 100), at(1, 110, 120)...)}),
				repeat(20, outcomes.ImpactPerson{Completed: outcomes.NotTrained, Points: append(at(1, 80, 90, 100), at(1, 110, 120)...)})...)},
			enough: true, effect: 0, trained: 20, comparison: 20, tb: 2, ta: 2, cb: 2, ca: 2,
		},
		{
			name:   "NotEnoughTrained",
			in:     outcomes.ImpactInput{Measure: valueMeasure, WindowDays: 30, Through: 300, People: trendPeople(map[outcomes.Day]int{100: 8, outcomes.NotTrained: 30}, linear, 8)},
			enough: false, trained: 8, comparison: 30, tb: math.NaN(),
		},
		{
			// Completed on day 290: the after window ends on day 320, past the data.
			name:   "AfterWindowNotOver",
			in:     outcomes.ImpactInput{Measure: valueMeasure, WindowDays: 30, Through: 300, People: trendPeople(map[outcomes.Day]int{290: 25, outcomes.NotTrained: 30}, linear, 8)},
			enough: false, trained: 0, comparison: 0, tb: math.NaN(),
		},
		{
			// 25 trained with 1 complaint each before and after: 50 events, under the minimum.
			name: "NotEnoughEvents",
			in: outcomes.ImpactInput{Measure: countMeasure, WindowDays: 30, Through: 300, People: append(
				repeat(25, outcomes.ImpactPerson{Completed: 100, Points: append(at(1, 80), at(1, 110)...)}),
				repeat(25, outcomes.ImpactPerson{Completed: outcomes.NotTrained, Points: at(1, 80, 110)})...)},
			enough: false, trained: 25, comparison: 25, tb: 1, ta: 1, cb: 1, ca: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := outcomes.EstimateImpact(tc.in)
			if im.EnoughData != tc.enough || im.Trained != tc.trained || im.Comparison != tc.comparison {
				t.Fatalf("enough %v trained %d comparison %d, want %v %d %d (%+v)", im.EnoughData, im.Trained, im.Comparison, tc.enough, tc.trained, tc.comparison, im)
			}
			if !tc.enough {
				if im.Effect != 0 || im.CILow != 0 || im.CIHigh != 0 {
					t.Fatalf("an effect claimed without enough data: %+v", im)
				}
				if s := outcomes.ImpactSentence(tc.in.Measure, "Front Desk", im); !strings.HasPrefix(s, "Not enough data yet") || !strings.Contains(s, "need at least 10 trained") {
					t.Fatalf("sentence %q", s)
				}
			} else if !near(im.Effect, tc.effect) {
				t.Fatalf("effect %v, want %v", im.Effect, tc.effect)
			}
			if tc.enough && !near(im.CILow, tc.effect) && !(im.CILow < im.Effect && im.Effect < im.CIHigh) {
				t.Fatalf("interval %v to %v around %v", im.CILow, im.CIHigh, im.Effect)
			}
			if !math.IsNaN(tc.tb) {
				if !near(im.TrainedBefore, tc.tb) || !near(im.TrainedAfter, tc.ta) || !near(im.ComparisonBefore, tc.cb) || !near(im.ComparisonAfter, tc.ca) {
					t.Fatalf("groups %v→%v and %v→%v, want %v→%v and %v→%v", im.TrainedBefore, im.TrainedAfter, im.ComparisonBefore, im.ComparisonAfter, tc.tb, tc.ta, tc.cb, tc.ca)
				}
			}
			if d := (im.TrainedAfter - im.TrainedBefore) - (im.ComparisonAfter - im.ComparisonBefore); tc.enough && !near(d, im.Effect) {
				t.Fatalf("the group figures' difference in differences %v is not the effect %v", d, im.Effect)
			}
		})
	}
}

func repeat(n int, p outcomes.ImpactPerson) []outcomes.ImpactPerson {
	out := make([]outcomes.ImpactPerson, n)
	for i := range out {
		out[i] = p
		out[i].Points = append([]outcomes.Point(nil), p.Points...)
	}
	return out
}

// days is n days from lo, cycling through 25 days.
func days(lo outcomes.Day, n int) []outcomes.Day {
	out := make([]outcomes.Day, n)
	for i := range out {
		out[i] = lo + outcomes.Day(i%25)
	}
	return out
}

// noisy is trained (completing on day 200, staggered by a few days) and
// untrained people rating good/bad with chance p(day) (+ effect after
// training), seeded.
func noisy(seed uint64, trained, others int, effect float64) []outcomes.ImpactPerson {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []outcomes.ImpactPerson
	for i := range trained + others {
		c := outcomes.NotTrained
		if i < trained {
			c = outcomes.Day(150 + rng.IntN(60))
		}
		var pts []outcomes.Point
		for d := outcomes.Day(0); d < 365; d++ {
			if rng.IntN(3) != 0 {
				continue
			}
			p := 0.6 + 0.0004*float64(d) // a common trend
			if d > c {
				p += effect
			}
			v := 0.0
			if rng.Float64() < p {
				v = 1
			}
			pts = append(pts, outcomes.Point{Day: d, Value: v})
		}
		out = append(out, outcomes.ImpactPerson{Completed: c, Points: pts})
	}
	return out
}

func TestEstimateImpactNoise(t *testing.T) {
	t.Run("NoEffectCoversZero", func(t *testing.T) {
		in := outcomes.ImpactInput{Measure: percentMeasure, WindowDays: 60, Through: 364, People: noisy(7, 150, 150, 0)}
		im := outcomes.EstimateImpact(in)
		if !im.EnoughData || !im.CoversZero() {
			t.Fatalf("no effect: %+v", im)
		}
		s := outcomes.ImpactSentence(percentMeasure, "Front Desk", im)
		if !strings.Contains(s, "could be told apart from chance") || strings.Contains(s, "caused") {
			t.Fatalf("sentence %q", s)
		}
	})
	t.Run("EightPoints", func(t *testing.T) {
		in := outcomes.ImpactInput{Measure: percentMeasure, WindowDays: 90, Through: 364, People: noisy(8, 200, 200, 0.08)}
		im := outcomes.EstimateImpact(in)
		if !im.EnoughData || im.CILow > 8 || im.CIHigh < 8 || im.CILow <= 0 {
			t.Fatalf("+8 points: %+v", im)
		}
		s := outcomes.ImpactSentence(percentMeasure, "Front Desk Service Excellence", im)
		if !strings.HasPrefix(s, "Customer satisfaction rose ") || !strings.Contains(s, "points (95% CI ") ||
			!strings.Contains(s, "in the 90 days after Front Desk Service Excellence, compared with colleagues not yet trained (200 trained, ") {
			t.Fatalf("sentence %q", s)
		}
		again := outcomes.EstimateImpact(outcomes.ImpactInput{Measure: percentMeasure, WindowDays: 90, Through: 364, People: noisy(8, 200, 200, 0.08)})
		if *again != *im {
			t.Fatalf("the same data gave %+v then %+v", im, again)
		}
	})
}

func TestImpactSentence(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *outcomes.Measure
		im   outcomes.Impact
		want string
	}{
		{"Rose", percentMeasure, outcomes.Impact{WindowDays: 90, EnoughData: true, Trained: 212, Comparison: 188, Effect: 7.8, CILow: 5.1, CIHigh: 10.4},
			"Customer satisfaction rose 7.8 points (95% CI 5.1 to 10.4) in the 90 days after Front Desk Service Excellence, compared with colleagues not yet trained (212 trained, 188 comparison)."},
		{"Fell", percentMeasure, outcomes.Impact{WindowDays: 90, EnoughData: true, Trained: 30, Comparison: 40, Effect: -4, CILow: -6.5, CIHigh: -1.25},
			"Customer satisfaction fell 4.0 points (95% CI 1.2 to 6.5) in the 90 days after Front Desk Service Excellence, compared with colleagues not yet trained (30 trained, 40 comparison)."},
		{"FewerComplaints", countMeasure, outcomes.Impact{WindowDays: 30, EnoughData: true, Trained: 30, Comparison: 40, Effect: -0.5, CILow: -0.75, CIHigh: -0.25},
			"Complaints fell 0.50 complaints per person (95% CI 0.25 to 0.75) in the 30 days after Front Desk Service Excellence, compared with colleagues not yet trained (30 trained, 40 comparison) — an improvement, since lower is better."},
		{"MoreComplaints", countMeasure, outcomes.Impact{WindowDays: 30, EnoughData: true, Trained: 30, Comparison: 40, Effect: 0.5, CILow: 0.25, CIHigh: 0.75},
			"Complaints rose 0.50 complaints per person (95% CI 0.25 to 0.75) in the 30 days after Front Desk Service Excellence, compared with colleagues not yet trained (30 trained, 40 comparison) — a worsening, since lower is better."},
		{"Chance", meanMeasure, outcomes.Impact{WindowDays: 60, EnoughData: true, Trained: 30, Comparison: 40, Effect: 0.05, CILow: -0.1, CIHigh: 0.2},
			"No change in customer satisfaction in the 60 days after Front Desk Service Excellence could be told apart from chance, compared with colleagues not yet trained: the estimate is +0.05 points on the 1-5 scale (95% CI −0.10 to 0.20) (30 trained, 40 comparison)."},
		{"NotEnough", percentMeasure, outcomes.Impact{WindowDays: 90, Trained: 8, Comparison: 40, Events: 300},
			"Not enough data yet to compare customer satisfaction in the 90 days after Front Desk Service Excellence with colleagues not yet trained (need at least 10 trained and 10 comparison people with figures before and after, and 60 events; there are 8 trained, 40 comparison and 300 events)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := outcomes.ImpactSentence(tc.m, "Front Desk Service Excellence", &tc.im); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// BenchmarkImpactEstimate is the estimator alone (bootstrap included) at the
// scale fixture's size: 100,000 people, 3,500,000 ratings, 30,000 trained.
func BenchmarkImpactEstimate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	people := make([]outcomes.ImpactPerson, 100_000)
	all := make([]outcomes.Point, 0, 3_500_000)
	for i := range people {
		c := outcomes.NotTrained
		if i%10 < 3 {
			c = outcomes.Day(100 + rng.IntN(200))
		}
		start := len(all)
		for d := outcomes.Day(0); d < 365; d++ {
			if rng.IntN(104) < 10 {
				all = append(all, outcomes.Point{Day: d, Value: float64(rng.IntN(2))})
			}
		}
		people[i] = outcomes.ImpactPerson{Completed: c, Points: all[start:len(all):len(all)]}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		im := outcomes.EstimateImpact(outcomes.ImpactInput{Measure: percentMeasure, WindowDays: 90, Through: 400, People: people})
		if !im.EnoughData {
			b.Fatal(im)
		}
	}
}

func TestImpactMonths(t *testing.T) {
	jan, feb, mar := outcomes.DateDay(2026, 1, 1), outcomes.DateDay(2026, 2, 1), outcomes.DateDay(2026, 3, 1)
	people := []outcomes.ImpactPerson{
		// Completed 10 February: comparison in January, in neither group in February, trained in March.
		{Completed: feb + 9, Points: append(at(1, jan+3, jan+4), append(at(0, feb+2), at(1, mar+1)...)...)},
		// Never trained: comparison throughout.
		{Completed: outcomes.NotTrained, Points: append(at(0, jan+5), append(at(1, feb+5), at(0, mar+5, mar+6)...)...)},
	}
	got := outcomes.ImpactMonths(percentMeasure, people, jan+10, mar+20)
	if len(got) != 3 || got[0].Month != jan || got[2].Month != mar || got[1].Label() != "Feb 2026" {
		t.Fatalf("months %+v", got)
	}
	want := []struct {
		tOK, cOK      bool
		trained, comp float64
		completions   int
	}{{false, true, 0, 100 * 2.0 / 3, 0}, {false, true, 0, 100, 1}, {true, true, 100, 0, 0}}
	for i, w := range want {
		g := got[i]
		if g.TrainedOK != w.tOK || g.ComparisonOK != w.cOK || (w.tOK && !near(g.Trained, w.trained)) || !near(g.Comparison, w.comp) || g.Completions != w.completions {
			t.Fatalf("month %d: %+v, want %+v", i, g, w)
		}
	}
	counts := outcomes.ImpactMonths(countMeasure, people, jan, mar+20)
	if !counts[0].ComparisonOK || counts[0].Comparison != 1.5 || counts[0].ComparisonPeople != 2 || counts[2].Trained != 1 || counts[2].TrainedPeople != 1 {
		t.Fatalf("counts %+v", counts)
	}
}
