package training_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// BenchmarkImportCompletions1k previews (the whole import, rolled back) a
// file of 1,000 programme completions for 1,000 employees who do not have
// the programme: 1,000 assignments, 2,000 imported course completions,
// 1,000 cycles completed, readiness refreshed. SQLite.
func BenchmarkImportCompletions1k(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpen(b, "sqlite")
	clock := &store.ManualClock{}
	clock.Set(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	svc, err := training.New(db, training.Options{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SyncBuiltins(ctx); err != nil {
		b.Fatal(err)
	}
	var emps strings.Builder
	emps.WriteString("Employee ID,Full Name,Email\n")
	for i := range 1000 {
		fmt.Fprintf(&emps, "E%04d,Person %d,e%04d@example.com\n", i, i, i)
	}
	if plan, err := svc.People().ApplyImport(ctx, []byte(emps.String()), people.ImportOptions{Admin: true}, nil, "bench"); err != nil || !plan.OK() {
		b.Fatalf("employees: %v %+v", err, plan)
	}
	in := courses.ProgrammeInput{Slug: "p1", Title: "Programme one", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
		ValidityMonths: 24, Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}, {Slug: "promises-timelines", Required: true}}}
	if _, err := svc.Courses().CreateProgramme(ctx, in, nil, "bench"); err != nil {
		b.Fatal(err)
	}
	var file strings.Builder
	file.WriteString("employee,programme,completed_at,score,source\n")
	for i := range 1000 {
		fmt.Fprintf(&file, "E%04d,p1,%s,%d,OldLMS\n", i, time.Date(2026, 1, 1+i%300, 0, 0, 0, 0, time.UTC).Format("02/01/2006"), 50+i%50)
	}
	data := []byte(file.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		plan, err := svc.ImportCompletionsCSV(ctx, data, training.CompletionOptions{DryRun: true}, training.Actor{Name: "bench"})
		if err != nil || !plan.OK() || plan.Created != 1000 || plan.Assigned != 1000 || plan.Completed != 1000 {
			b.Fatalf("import: %v %+v", err, plan.Errors)
		}
	}
}
