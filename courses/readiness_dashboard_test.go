package courses_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestReadinessOverviewAndTrend: the one-pass overview gives what the
// summary and the four breakdowns give, now and as of each week; the trend
// (read from the snapshots' totals, or from the rows for a line) gives each
// week's summary and its completions.
func TestReadinessOverviewAndTrend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		if _, err := f.s.CreateProgramme(ctx, programmeInput("fd"), nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a, f.b, f.c}}, false); err != nil {
			t.Fatal(err)
		}
		rep, err := f.s.Tick(ctx) // Tuesday 1 December: the week of 30 November
		if err != nil {
			t.Fatal(err)
		}
		w1 := rep.SnapshotWeek
		f.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.a, "alpha")
		f.finish(t, f.a, "beta") // A completes the programme in the first week
		f.clock.Set(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
		if rep, err = f.s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		w2 := rep.SnapshotWeek
		if w1 != "2026-11-30" || w2 != "2026-12-07" {
			t.Fatalf("weeks %s %s", w1, w2)
		}
		f.clock.Set(time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.b, "alpha")
		f.finish(t, f.b, "beta") // B completes in the second week, after its snapshot

		filters := map[string]courses.ReadinessFilter{
			"Everyone": {}, "Line": {LineOf: f.mgr}, "Department": {DepartmentID: f.frontDesk},
			"AsOfFirst": {AsOf: w1}, "AsOfSecondLine": {AsOf: "2026-12-10", LineOf: f.mgr}, "Direct": {DirectOf: f.mgr},
		}
		for name, flt := range filters {
			ov, err := f.s.ReadinessOverviewOf(ctx, flt, 0)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sum, err := f.s.ReadinessSummaryOf(ctx, flt)
			if err != nil || ov.ReadinessSummary != sum {
				t.Fatalf("%s: overview %+v, summary %+v %v", name, ov.ReadinessSummary, sum, err)
			}
			for dim, b := range map[string]courses.Breakdown{courses.ByDepartment: ov.ByDepartment, courses.ByLocation: ov.ByLocation,
				courses.ByJobTitle: ov.ByJobTitle, courses.ByManager: ov.ByManager} {
				want, err := f.s.ReadinessBreakdown(ctx, flt, dim)
				if err != nil {
					t.Fatal(err)
				}
				if b.Groups != len(want) || len(b.Rows) != len(want) {
					t.Fatalf("%s by %s: %+v, want %+v", name, dim, b, want)
				}
				for i := range want {
					if b.Rows[i] != want[i] {
						t.Errorf("%s by %s row %d: %+v, want %+v", name, dim, i, b.Rows[i], want[i])
					}
				}
			}
		}
		if ov, _ := f.s.ReadinessOverviewOf(ctx, courses.ReadinessFilter{AsOf: "2026-12-06"}, 0); ov.Week != w1 {
			t.Errorf("as of a Sunday: week %q, want %s", ov.Week, w1)
		}
		if ov, _ := f.s.ReadinessOverviewOf(ctx, courses.ReadinessFilter{}, 1); len(ov.ByLocation.Rows) != 1 || ov.ByLocation.Groups != 2 {
			t.Errorf("top 1: %+v", ov.ByLocation)
		}
		if _, err := f.s.ReadinessOverviewOf(ctx, courses.ReadinessFilter{AsOf: "2026-11-29"}, 0); store.FieldOf(err) != "as_of" {
			t.Errorf("before the first snapshot: %v", err)
		}

		for name, flt := range map[string]courses.ReadinessFilter{"Everyone": {}, "Department": {DepartmentID: f.frontDesk},
			"Line": {LineOf: f.mgr}, "Search": {Search: "a1"}} {
			trend, err := f.s.ReadinessTrend(ctx, flt, 12)
			if err != nil || len(trend) != 2 || trend[0].Week != w1 || trend[1].Week != w2 {
				t.Fatalf("%s trend: %+v %v", name, trend, err)
			}
			for _, p := range trend {
				g := flt
				g.AsOf = p.Week
				want, _ := f.s.ReadinessSummaryOf(ctx, g)
				if p.ReadinessSummary != want {
					t.Errorf("%s week %s: %+v, want %+v", name, p.Week, p.ReadinessSummary, want)
				}
			}
			// A completed in the first week; B in the second (after its snapshot).
			wantDone := [2]int{1, 1}
			if name == "Search" {
				wantDone = [2]int{1, 0}
			}
			if trend[0].Completions != wantDone[0] || trend[1].Completions != wantDone[1] {
				t.Errorf("%s completions: %d %d, want %v", name, trend[0].Completions, trend[1].Completions, wantDone)
			}
		}
		if trend, err := f.s.ReadinessTrend(ctx, courses.ReadinessFilter{DepartmentID: f.field}, 12); err != nil ||
			trend[0].Headcount != 1 || trend[0].Completions != 0 {
			t.Errorf("field service: %+v %v", trend, err)
		}
		if trend, err := f.s.ReadinessTrend(ctx, courses.ReadinessFilter{}, 1); err != nil || len(trend) != 1 || trend[0].Week != w2 {
			t.Errorf("latest week only: %+v %v", trend, err)
		}
		if trend, err := f.s.ReadinessTrend(ctx, courses.ReadinessFilter{AsOf: "2026-12-06"}, 12); err != nil || len(trend) != 1 || trend[0].Week != w1 {
			t.Errorf("up to the first week: %+v %v", trend, err)
		}
		if _, err := f.s.ReadinessTrend(ctx, courses.ReadinessFilter{AsOf: "2026-11-01"}, 12); store.FieldOf(err) != "as_of" {
			t.Errorf("trend before the first snapshot: %v", err)
		}
		// Between the two snapshots only A changed (at risk → ready).
		changes, err := f.s.ReadinessChanges(ctx, courses.ReadinessFilter{}, w2, w1)
		if err != nil || len(changes) != 1 || changes[0].Number != "A1" || changes[0].From != courses.AtRisk || changes[0].To != courses.Ready {
			t.Fatalf("changes: %+v %v", changes, err)
		}
		if c, _ := f.s.ReadinessChanges(ctx, courses.ReadinessFilter{DepartmentID: f.field}, w2, w1); len(c) != 0 {
			t.Errorf("field service changes: %+v", c)
		}
		// Against a week nobody was in, everyone is new, with their reasons.
		if c, _ := f.s.ReadinessChanges(ctx, courses.ReadinessFilter{LineOf: f.mgr}, w2, "2026-01-05"); len(c) != 2 || c[0].From != "" ||
			c[1].Number != "B1" || len(c[1].Reasons) == 0 {
			t.Errorf("changes from nothing: %+v", c)
		}
		done, err := f.s.LatestCompletions(ctx, []int64{f.a, f.c})
		if err != nil || len(done[f.a]) != 2 || done[f.a]["alpha"].IsZero() || len(done[f.c]) != 0 {
			t.Errorf("completions: %+v %v", done, err)
		}
		// Totals are rewritten, never doubled.
		if err := courses.WriteSnapshotTotals(ctx, db, w1); err != nil {
			t.Fatal(err)
		}
		if trend, _ := f.s.ReadinessTrend(ctx, courses.ReadinessFilter{}, 12); trend[0].Headcount != 4 {
			t.Errorf("after rewriting the totals: %+v", trend[0])
		}
		if weeks, err := f.s.SnapshotWeeks(ctx); err != nil || len(weeks) != 2 || weeks[0] != w2 {
			t.Errorf("weeks: %v %v", weeks, err)
		}
	})
}
