package training_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// newOutcomeService is a Service on db at 10 March 2026 with two
// employees (E1 ann@example.com, E2 bob@example.com) and the measures
// csat (good or bad) and complaints (a count).
func newOutcomeService(t testing.TB, db *bun.DB) *training.Service {
	t.Helper()
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
	} {
		if _, err := svc.People().SaveEmployee(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []outcomes.MeasureInput{
		{Slug: "csat", Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.GoodBad},
		{Slug: "complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count},
	} {
		if _, err := svc.Outcomes().CreateMeasure(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

func countOf(t *testing.T, db bun.IDB, table, where string, args ...any) int {
	t.Helper()
	q := db.NewSelect().TableExpr(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestImportOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		svc := newOutcomeService(t, db)
		by := training.Actor{Name: "test"}
		const file = "Ticket ID,Agent email,Satisfaction,Created at\n" +
			"T1,ann@example.com,good,2026-03-04T10:22:00Z\n" +
			"T2,bob@example.com,bad,2026-03-05 09:00:00\n" +
			"T1,ann@example.com,good,2026-03-04T10:22:00Z\n" +
			"T3,E2,satisfied,06/03/2026\n"

		// A dry run plans and writes nothing.
		res, err := svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "csat", DryRun: true, By: by}, []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || !res.Plan.OK() || res.Created != 3 || res.Duplicates != 1 {
			t.Fatalf("dry run: applied %v, created %d, duplicates %d, errors %+v", res.Applied, res.Created, res.Duplicates, res.Plan.Errors)
		}
		if n := countOf(t, db, "outcome_events", ""); n != 0 {
			t.Fatalf("a dry run wrote %d events", n)
		}

		// Applied: the events, the import's row, an audit entry.
		res, err = svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "csat", Filename: "zendesk.csv", By: by}, []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Applied || res.Created != 3 || res.Duplicates != 1 || res.ImportID == 0 {
			t.Fatalf("apply: applied %v, created %d, duplicates %d", res.Applied, res.Created, res.Duplicates)
		}
		var events []outcomes.Event
		if err := db.NewSelect().Model(&events).OrderExpr("source_id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(events) != 3 || *events[0].SourceID != "T1" || events[0].Value != 1 || events[0].Day.String() != "2026-03-04" ||
			events[1].Value != 0 || events[2].Day.String() != "2026-03-06" || *events[2].BatchID != res.ImportID {
			t.Fatalf("events %+v", events)
		}
		var imp outcomes.Import
		if err := db.NewSelect().Model(&imp).Where("id = ?", res.ImportID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if imp.Created != 3 || imp.Duplicates != 1 || imp.Filename != "zendesk.csv" {
			t.Fatalf("import row %+v", imp)
		}
		if n := countOf(t, db, "audit_log", "action = ? AND subject = ?", "outcomes.import", "csat"); n != 1 {
			t.Fatalf("%d audit entries", n)
		}

		// The same export again adds nothing: every row is a duplicate.
		res, err = svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "csat", By: by}, []byte(file))
		if err != nil || res.Created != 0 || res.Duplicates != 4 {
			t.Fatalf("again: %+v %v", res, err)
		}
		if n := countOf(t, db, "outcome_events", ""); n != 3 {
			t.Fatalf("%d events after the same export again", n)
		}

		// One bad row: nothing at all is written, and the problem has its line and field.
		bad := "employee,date,value,id\nE1,2026-03-01,good,N1\nE9,2026-03-01,good,N2\n"
		imports := countOf(t, db, "outcome_imports", "")
		res, err = svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "csat", By: by}, []byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || len(res.Plan.Errors) != 1 || res.Plan.Errors[0].Line != 3 || res.Plan.Errors[0].Field != "employee" {
			t.Fatalf("bad file: applied %v, errors %+v", res.Applied, res.Plan.Errors)
		}
		if n := countOf(t, db, "outcome_events", ""); n != 3 {
			t.Fatalf("a file with errors wrote: %d events", n)
		}
		if n := countOf(t, db, "outcome_imports", ""); n != imports {
			t.Fatalf("a file with errors left an import row")
		}

		// A count: every row one event.
		res, err = svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "complaints", By: by},
			[]byte("employee,date,category\nE1,2026-03-01,Rude\nE1,2026-03-02,Rude\n"))
		if err != nil || res.Created != 2 {
			t.Fatalf("complaints: %+v %v", res, err)
		}

		// The record of imports: totals per measure, the latest first.
		totals, err := outcomes.ListImportTotals(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got := totals[res.Measure.ID]; got.Imports != 1 || got.Created != 2 || got.Last.IsZero() {
			t.Fatalf("complaints totals %+v", got)
		}
		csatID := events[0].MeasureID
		if got := totals[csatID]; got.Imports != 2 || got.Created != 3 {
			t.Fatalf("csat totals %+v", got)
		}
		list, err := outcomes.ListImports(ctx, db, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Measure != "Complaints" || list[0].Created != 2 || list[1].Measure != "Customer satisfaction" {
			t.Fatalf("imports %+v", list)
		}

		// Unknown and archived measures name the measure.
		if _, err := svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "nps", By: by}, []byte(file)); !store.IsNotFound(err) || store.FieldOf(err) != "measure" {
			t.Fatalf("unknown measure: %v", err)
		}
		if _, err := svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: " ", By: by}, []byte(file)); store.KindOf(err) != store.Invalid || store.FieldOf(err) != "measure" {
			t.Fatalf("no measure: %v", err)
		}
		if _, err := svc.Outcomes().SetMeasureArchived(ctx, "csat", true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: "csat", DryRun: true, By: by}, []byte(file)); store.KindOf(err) != store.Invalid || store.FieldOf(err) != "measure" {
			t.Fatalf("archived measure: %v", err)
		}
	})
}
