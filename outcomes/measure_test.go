package outcomes_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestMeasureInputCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    outcomes.MeasureInput
		field string // "" when it is fine
	}{
		{"OKRating", outcomes.MeasureInput{Slug: "csat", Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.OneToFive}, ""},
		{"OKCount", outcomes.MeasureInput{Slug: "complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count}, ""},
		{"OKValue", outcomes.MeasureInput{Slug: "aht", Title: "Handling time", Unit: "minutes", Kind: outcomes.Value, MinValue: ptr(0.0), MaxValue: ptr(600.0)}, ""},
		{"ErrSlugMissing", outcomes.MeasureInput{Title: "X", Kind: outcomes.Count}, "slug"},
		{"ErrSlugShape", outcomes.MeasureInput{Slug: "CSAT score", Title: "X", Kind: outcomes.Count}, "slug"},
		{"ErrTitleMissing", outcomes.MeasureInput{Slug: "x", Kind: outcomes.Count}, "title"},
		{"ErrTitleControl", outcomes.MeasureInput{Slug: "x", Title: "A\x00", Kind: outcomes.Count}, "title"},
		{"ErrKindMissing", outcomes.MeasureInput{Slug: "x", Title: "X"}, "kind"},
		{"ErrKindUnknown", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: "nps"}, "kind"},
		{"ErrRatingWithoutScale", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: outcomes.Rating}, "scale"},
		{"ErrGoodBadMean", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: outcomes.Rating, Scale: outcomes.GoodBad, Report: outcomes.Mean}, "report"},
		{"ErrScaleOnCount", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: outcomes.Count, Scale: outcomes.OneToFive}, "scale"},
		{"ErrBoundsOnRating", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: outcomes.Rating, Scale: outcomes.OneToFive, MinValue: ptr(1.0)}, "min_value"},
		{"ErrBoundsReversed", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: outcomes.Value, MinValue: ptr(5.0), MaxValue: ptr(1.0)}, "max_value"},
		{"ErrBoundNaN", outcomes.MeasureInput{Slug: "x", Title: "X", Kind: outcomes.Value, MinValue: ptr(math.NaN())}, "min_value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.in.Check()
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("errors %v", errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.field {
				t.Fatalf("errors %+v, want the first on %q", errs, tc.field)
			}
		})
	}
	t.Run("Defaults", func(t *testing.T) {
		r := outcomes.MeasureInput{Slug: "csat", Title: "CSAT", Kind: outcomes.Rating, Scale: outcomes.GoodBad}
		c := outcomes.MeasureInput{Slug: "complaints", Title: "Complaints", Kind: outcomes.Count}
		if errs := append(r.Check(), c.Check()...); len(errs) > 0 {
			t.Fatal(errs)
		}
		if r.Report != outcomes.PercentSatisfied || !*r.HigherIsBetter || *c.HigherIsBetter {
			t.Fatalf("defaults: rating %s higher %v, count higher %v", r.Report, *r.HigherIsBetter, *c.HigherIsBetter)
		}
	})
}

func TestParseValue(t *testing.T) {
	goodBad := &outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.GoodBad}
	five := &outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.OneToFive}
	ten := &outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.ZeroToTen}
	count := &outcomes.Measure{Kind: outcomes.Count}
	value := &outcomes.Measure{Kind: outcomes.Value, MinValue: ptr(0.0), MaxValue: ptr(100.0)}
	for _, tc := range []struct {
		name string
		m    *outcomes.Measure
		in   string
		want float64
		err  bool
	}{
		{"GoodIsOne", goodBad, "Good", 1, false},
		{"SatisfiedIsOne", goodBad, "satisfied", 1, false},
		{"BadIsZero", goodBad, " bad ", 0, false},
		{"UnsatisfiedIsZero", goodBad, "Unsatisfied", 0, false},
		{"ErrGoodBadOther", goodBad, "meh", 0, true},
		{"ErrGoodBadEmpty", goodBad, "", 0, true},
		{"FiveOK", five, "5", 5, false},
		{"ErrFiveZero", five, "0", 0, true},
		{"ErrFiveHalf", five, "4.5", 0, true},
		{"TenZero", ten, "0", 0, false},
		{"ErrTenEleven", ten, "11", 0, true},
		{"CountAnything", count, "whatever", 1, false},
		{"CountEmpty", count, "", 1, false},
		{"ValueDecimalComma", value, "12,5", 12.5, false},
		{"ValuePercent", value, "80%", 80, false},
		{"ErrValueRange", value, "101", 0, true},
		{"ErrValueText", value, "abc", 0, true},
		{"ErrValueInf", value, "Inf", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.ParseValue(tc.in)
			if tc.err {
				if err == nil || store.FieldOf(err) != "value" {
					t.Fatalf("ParseValue(%q) = %v, %v; want an error on value", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseValue(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestFigure(t *testing.T) {
	pts := func(vs ...float64) []outcomes.Point {
		var out []outcomes.Point
		for i, v := range vs {
			out = append(out, outcomes.Point{Day: outcomes.Day(i), Value: v})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		m      outcomes.Measure
		points []outcomes.Point
		want   float64
		ok     bool
	}{
		{"GoodBadShare", outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.GoodBad, Report: outcomes.PercentSatisfied}, pts(1, 0, 1, 1), 75, true},
		{"FiveTopTwoBoxes", outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.OneToFive, Report: outcomes.PercentSatisfied}, pts(5, 4, 3, 1), 50, true},
		{"TenTopTwoBoxes", outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.ZeroToTen, Report: outcomes.PercentSatisfied}, pts(10, 9, 8, 0, 7), 40, true},
		{"FiveMean", outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.OneToFive, Report: outcomes.Mean}, pts(5, 4, 3), 4, true},
		{"RatingNoEvents", outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.GoodBad, Report: outcomes.PercentSatisfied}, nil, 0, false},
		{"CountIsTheNumber", outcomes.Measure{Kind: outcomes.Count}, pts(1, 1, 1), 3, true},
		{"CountNoneIsZero", outcomes.Measure{Kind: outcomes.Count}, nil, 0, true},
		{"ValueMean", outcomes.Measure{Kind: outcomes.Value}, pts(2, 4, 9), 5, true},
		{"ValueNoEvents", outcomes.Measure{Kind: outcomes.Value}, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.m.Figure(tc.points)
			if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
				t.Fatalf("Figure = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestDay(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"Epoch", time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC), "1970-01-01"},
		{"LateEveningBST", time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "2026-07-01"}, // 00:30 in London
		{"LateEveningGMT", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2026-12-31"},
		{"LeapDay", time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC), "2028-02-29"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := outcomes.DayOf(tc.at, london)
			if d.String() != tc.want {
				t.Fatalf("DayOf(%s) = %s, want %s", tc.at, d, tc.want)
			}
			if got := outcomes.DayOf(d.Start(london), london); got != d {
				t.Fatalf("the start of %s is on %s", d, got)
			}
		})
	}
	if a, b := outcomes.DateDay(2026, 3, 1), outcomes.DateDay(2026, 2, 1); a-b != 28 {
		t.Fatalf("February 2026 has %d days", a-b)
	}
}

func TestMeasureStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := outcomes.NewStore(db, nil)
		m, err := s.CreateMeasure(ctx, outcomes.MeasureInput{Slug: "csat", Title: "Customer  satisfaction ", Kind: outcomes.Rating, Scale: outcomes.OneToFive})
		if err != nil {
			t.Fatal(err)
		}
		if m.ID == 0 || m.Title != "Customer satisfaction" || m.Report != outcomes.PercentSatisfied || !m.HigherIsBetter || m.Unit != "responses" {
			t.Fatalf("created %+v", m)
		}
		if _, err := s.CreateMeasure(ctx, outcomes.MeasureInput{Slug: "csat", Title: "Again", Kind: outcomes.Count}); store.KindOf(err) != store.Conflict || store.FieldOf(err) != "slug" {
			t.Fatalf("a taken slug: %v", err)
		}
		if _, err := s.CreateMeasure(ctx, outcomes.MeasureInput{Slug: "complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindMeasure(ctx, "csat")
		if err != nil || got.ID != m.ID || got.Scale != outcomes.OneToFive {
			t.Fatalf("find: %+v %v", got, err)
		}
		if _, err := s.FindMeasure(ctx, "nps"); !store.IsNotFound(err) {
			t.Fatalf("find an unknown measure: %v", err)
		}
		up, err := s.UpdateMeasure(ctx, "csat", outcomes.MeasureInput{Slug: "csat", Title: "Customer satisfaction (CSAT)", Kind: outcomes.Rating, Scale: outcomes.OneToFive, Report: outcomes.Mean})
		if err != nil || up.Title != "Customer satisfaction (CSAT)" || up.Report != outcomes.Mean {
			t.Fatalf("update: %+v %v", up, err)
		}
		if _, err := s.UpdateMeasure(ctx, "csat", outcomes.MeasureInput{Slug: "csat", Title: "CSAT", Kind: outcomes.Count}); store.FieldOf(err) != "kind" {
			t.Fatalf("changing the kind: %v", err)
		}
		list, err := s.ListMeasures(ctx, false)
		if err != nil || len(list) != 2 || list[0].Slug != "complaints" || list[1].Slug != "csat" {
			var slugs []string
			for _, m := range list {
				slugs = append(slugs, m.Slug)
			}
			t.Fatalf("list: %s %v", strings.Join(slugs, ","), err)
		}

		// Events: a source id is written once per measure, chunks included.
		saved, err := people.NewStore(db).SaveEmployee(ctx, people.EmployeeInput{Number: "E1", FirstName: "Ann", LastName: "Example", Email: "ann@example.com", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		emp := saved.Employee
		events := make([]outcomes.Event, 4500)
		for i := range events {
			id := fmt.Sprintf("T%d", i%4000) // 500 repeat an earlier id
			events[i] = outcomes.Event{MeasureID: m.ID, EmployeeID: emp.ID, Day: outcomes.DateDay(2026, 1, 1) + outcomes.Day(i%30), Value: 5, SourceID: &id, CreatedAt: s.Now()}
		}
		if n, err := outcomes.InsertEvents(ctx, db, events); err != nil || n != 4000 {
			t.Fatalf("inserted %d of 4500 with 500 repeated ids: %v", n, err)
		}
		if n, err := outcomes.InsertEvents(ctx, db, events[:10]); err != nil || n != 0 {
			t.Fatalf("the same export again inserted %d: %v", n, err)
		}
		noID := []outcomes.Event{{MeasureID: m.ID, EmployeeID: emp.ID, Day: 1, Value: 1, CreatedAt: s.Now()}, {MeasureID: m.ID, EmployeeID: emp.ID, Day: 1, Value: 1, CreatedAt: s.Now()}}
		if n, err := outcomes.InsertEvents(ctx, db, noID); err != nil || n != 2 {
			t.Fatalf("events without a source id are all kept: %d %v", n, err)
		}
	})
}
