package people_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// importCSV returns an HR file of n employees: one head, 10 directors, 100
// managers and everyone else below them (3 levels of managers), with 20
// departments, 15 locations and 6 job titles. Reports come before their
// managers, so every manager is a forward reference.
func importCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("Employee ID,First Name,Last Name,Work Email,Job Title,Department,Location,Manager ID,Start Date,Status\n")
	titles := []string{"Agent", "Senior Agent", "Team Lead", "Chef", "Receptionist", "Housekeeper"}
	row := func(i int, manager, title string) {
		fmt.Fprintf(&b, "E%06d,First%d,Last%d,person%d@example.com,%s,Department %d,Location %d,%s,%02d/%02d/20%02d,Active\n",
			i, i, i, i, title, i%20, i%15, manager, 1+i%28, 1+i%12, 10+i%15)
	}
	for i := n - 1; i >= 111; i-- {
		row(i, fmt.Sprintf("E%06d", 11+i%100), titles[i%len(titles)])
	}
	for i := 110; i >= 11; i-- {
		row(i, fmt.Sprintf("E%06d", 1+i%10), "Manager")
	}
	for i := 10; i >= 1; i-- {
		row(i, "E000000", "Director")
	}
	row(0, "", "Managing Director")
	return []byte(b.String())
}

func BenchmarkImport10k(b *testing.B) {
	ctx := context.Background()
	data := importCSV(10_000)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := people.NewStore(storetest.MustOpen(b, "sqlite"))
		b.StartTimer()
		plan, err := s.PlanImport(ctx, data, people.ImportOptions{})
		if err != nil || !plan.OK() || len(plan.Creates) != 10_000 {
			b.Fatalf("plan: %v %+v", err, plan.Errors)
		}
		plan, err = s.ApplyImport(ctx, data, people.ImportOptions{}, nil, "bench")
		if err != nil || !plan.OK() || len(plan.Creates) != 10_000 {
			b.Fatalf("apply: %v %+v", err, plan.Errors)
		}
		b.StopTimer()
		if changed, err := people.RebuildPaths(ctx, s.DB); err != nil || changed != 0 {
			b.Fatalf("reporting-line paths: %d wrong (err %v)", changed, err)
		}
		b.StartTimer()
	}
}

// BenchmarkPlan100kExisting plans a 10,000-row file against 100,000 stored
// employees (run with -benchmem: the plan holds every employee in memory).
func BenchmarkPlan100kExisting(b *testing.B) {
	ctx := context.Background()
	s := people.NewStore(storetest.MustOpen(b, "sqlite"))
	if _, err := s.ApplyImport(ctx, importCSV(100_000), people.ImportOptions{}, nil, "bench"); err != nil {
		b.Fatal(err)
	}
	data := importCSV(10_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		plan, err := s.PlanImport(ctx, data, people.ImportOptions{DeactivateMissing: true})
		if err != nil || !plan.OK() || len(plan.Unchanged) != 10_000 || len(plan.Deactivates) != 90_000 {
			b.Fatalf("plan: %v %+v", err, plan.Errors)
		}
	}
}
