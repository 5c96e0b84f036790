package outcomes_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// seriesMatchEvents fails unless outcome_series holds, for every measure
// marked ready, exactly one series per employee with events, equal to their
// events in (day, id) order, and no other series.
func seriesMatchEvents(t *testing.T, db *bun.DB) (pairs int) {
	t.Helper()
	ctx := context.Background()
	var events []struct {
		MeasureID  int64
		EmployeeID int64
		Day        int64
		Value      float64
	}
	if err := db.NewSelect().TableExpr("outcome_events").Column("measure_id", "employee_id", "day", "value").
		Where("measure_id IN (SELECT measure_id FROM outcome_series_ready)").
		OrderExpr("measure_id, employee_id, day, id").Scan(ctx, &events); err != nil {
		t.Fatal(err)
	}
	type pair struct{ m, e int64 }
	want := map[pair][]outcomes.Point{}
	for _, e := range events {
		k := pair{e.MeasureID, e.EmployeeID}
		want[k] = append(want[k], outcomes.Point{Day: outcomes.Day(e.Day), Value: e.Value})
	}
	var series []outcomes.Series
	if err := db.NewSelect().Model(&series).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(series) != len(want) {
		t.Fatalf("%d series, %d (measure, employee) pairs with events", len(series), len(want))
	}
	for _, s := range series {
		got, err := outcomes.DecodeSeries(nil, s.Points, math.MaxInt32)
		if err != nil {
			t.Fatalf("measure %d employee %d: %v", s.MeasureID, s.EmployeeID, err)
		}
		w := want[pair{s.MeasureID, s.EmployeeID}]
		if len(got) != len(w) {
			t.Fatalf("measure %d employee %d: %d points, %d events", s.MeasureID, s.EmployeeID, len(got), len(w))
		}
		for i := range w {
			if got[i] != w[i] {
				t.Fatalf("measure %d employee %d point %d: %v, event %v", s.MeasureID, s.EmployeeID, i, got[i], w[i])
			}
		}
	}
	return len(series)
}

func TestSeriesAfterImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		clock := &store.ManualClock{}
		clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
		svc, err := training.New(db, training.Options{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []people.EmployeeInput{
			{Number: "E1", FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Active: true},
			{Number: "E2", FirstName: "Bob", LastName: "Ray", Email: "bob@example.com", Active: true},
			{Number: "E3", FirstName: "Cy", LastName: "Ode", Email: "cy@example.com", Active: true},
		} {
			if _, err := svc.People().SaveEmployee(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		for _, in := range []outcomes.MeasureInput{
			{Slug: "csat", Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.OneToFive},
			{Slug: "handle", Title: "Handling time", Unit: "minutes", Kind: outcomes.Value},
		} {
			if _, err := svc.Outcomes().CreateMeasure(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		by := training.Actor{Name: "test"}
		imp := func(measure, file string, created int) {
			t.Helper()
			r, err := svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: measure, By: by}, []byte(file))
			if err != nil || !r.Applied || r.Created != created {
				t.Fatalf("import %s: %+v %v", measure, r, err)
			}
		}
		// Days out of order in the file, two events on a day.
		imp("csat", "employee,date,value,id\nE1,2026-03-04,5,T1\nE1,2026-03-01,2,T2\nE2,2026-03-02,4,T3\nE1,2026-03-04,1,T4\n", 4)
		if n := seriesMatchEvents(t, db); n != 2 {
			t.Fatalf("%d series after the first import, want 2", n)
		}
		// The same rows again (duplicates) with new ones for E1 and E3.
		imp("csat", "employee,date,value,id\nE1,2026-03-04,5,T1\nE1,2026-03-03,3,T5\nE3,2026-02-01,4,T6\nE2,2026-03-02,4,T3\n", 2)
		if n := seriesMatchEvents(t, db); n != 3 {
			t.Fatalf("%d series after the re-import, want 3", n)
		}
		// Fractions are kept exactly.
		imp("handle", "employee,date,value\nE2,2026-03-01,3.25\nE2,2026-03-01,0.1\nE3,2026-01-05,12\n", 3)
		if n := seriesMatchEvents(t, db); n != 5 {
			t.Fatalf("%d series after the values, want 5", n)
		}

		// Events from before the series existed: the first read builds them all.
		if _, err := db.NewDelete().TableExpr("outcome_series").Where("1 = 1").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewDelete().TableExpr("outcome_series_ready").Where("1 = 1").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		csat, err := svc.Outcomes().FindMeasure(ctx, "csat")
		if err != nil {
			t.Fatal(err)
		}
		if err := outcomes.EnsureSeries(ctx, db, csat.ID); err != nil {
			t.Fatal(err)
		}
		if n := seriesMatchEvents(t, db); n != 3 {
			t.Fatalf("%d series after the build, want 3", n)
		}
		// An import into a measure not built yet builds it whole.
		imp("handle", "employee,date,value\nE1,2026-03-02,7\n", 1)
		if n := seriesMatchEvents(t, db); n != 6 {
			t.Fatalf("%d series after the import that built them, want 6", n)
		}
	})
}

func TestSeriesAfterDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		if _, _, err := demo.Load(context.Background(), db, "a-password-for-tests", "http://localhost"); err != nil {
			t.Fatal(err)
		}
		if n := seriesMatchEvents(t, db); n < 50 {
			t.Fatalf("%d series after the demo", n)
		}
		var ready int
		if err := db.NewSelect().TableExpr("outcome_series_ready").ColumnExpr("COUNT(*)").Scan(context.Background(), &ready); err != nil || ready != 2 {
			t.Fatalf("%d measures ready after the demo, want 2: %v", ready, err)
		}
	})
}
