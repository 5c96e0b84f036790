package courses_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// seedWorkforce inserts n active employees spread over 10 departments, 20
// locations and 25 job titles, with a reporting tree of fan-out 10.
func seedWorkforce(tb testing.TB, db *bun.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, t := range []struct {
			table string
			n     int
		}{{"departments", 10}, {"locations", 20}, {"job_titles", 25}} {
			for i := 1; i <= t.n; i++ {
				name := fmt.Sprintf("%s %02d", t.table, i)
				if _, err := tx.NewRaw("INSERT INTO "+t.table+" (name, name_key, created_at) VALUES (?, ?, ?)", name, name, now).Exec(ctx); err != nil {
					return err
				}
			}
		}
		rows := make([]people.Employee, 0, 1000)
		flush := func() error {
			if len(rows) == 0 {
				return nil
			}
			_, err := tx.NewInsert().Model(&rows).Exec(ctx)
			rows = rows[:0]
			return err
		}
		for i := 1; i <= n; i++ {
			dept, loc, job := int64(1+i%10), int64(1+(i/10)%20), int64(1+(i/7)%25)
			e := people.Employee{ID: int64(i), Number: fmt.Sprintf("W%06d", i), FirstName: "First", LastName: fmt.Sprintf("L%d", i),
				Email: fmt.Sprintf("w%d@example.com", i), Active: i%50 != 0, DepartmentID: &dept, LocationID: &loc, JobTitleID: &job,
				HireDate: "2020-01-06", CreatedAt: now, UpdatedAt: now}
			e.EmailKey = e.Email
			if i > 1 {
				m := int64(i / 10)
				if m < 1 {
					m = 1
				}
				e.ManagerID = &m
			}
			rows = append(rows, e)
			if len(rows) == cap(rows) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		_, err := people.RebuildPaths(ctx, tx)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkEvaluateRules100k: 20 audience rules (by department, location,
// job title, reporting line and combinations) over 100,000 employees. First
// the run that assigns everyone they match (assignments and cycles
// written), then a steady-state run with nothing to change, then one after
// 1,000 movers. Reports seconds per run and the peak heap.
func BenchmarkEvaluateRules100k(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.MustOpen(b, dialect)
			seedWorkforce(b, db, 100_000)
			s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
			if _, err := s.SyncBuiltins(ctx, []*courses.Source{simpleCourse(b, "alpha"), simpleCourse(b, "beta")}); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 20; i++ {
				slug := fmt.Sprintf("p%02d", i)
				if _, err := s.CreateProgramme(ctx, courses.ProgrammeInput{Slug: slug, Title: slug, Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
					ValidityMonths: 12, RecertDays: 30, Courses: []courses.ProgrammeCourseInput{{Slug: "alpha", Required: true}, {Slug: "beta"}}}, nil, "bench"); err != nil {
					b.Fatal(err)
				}
				var a courses.Audience
				id := func(n int) *int64 { v := int64(n); return &v }
				switch i % 5 {
				case 0:
					a.DepartmentID = id(1 + i%10)
				case 1:
					a.LocationID = id(1 + i%20)
				case 2:
					a.JobTitleID = id(1 + i%25)
				case 3:
					a.ManagerID = id(2 + i) // a line of ~11,000
				case 4:
					a.DepartmentID, a.LocationID = id(1+i%10), id(1+(i*3)%20)
				}
				// Stored without applying, so the measured run does the work.
				if _, err := s.SaveRule(ctx, slug, 0, a, false, nil, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := db.NewDelete().TableExpr("audience_members").Where("1 = 1").Exec(ctx); err != nil {
				b.Fatal(err)
			}
			peak := watchHeap(b)
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				start := time.Now()
				ev, err := s.EvaluateRules(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.ReportMetric(time.Since(start).Seconds(), "first-run-s")
					b.ReportMetric(float64(ev.Assigned), "assigned")
				}
				start = time.Now()
				if ev, err = s.EvaluateRules(ctx); err != nil || ev.Assigned+ev.Closed+ev.Leavers != 0 {
					b.Fatalf("steady state changed %+v (%v)", ev, err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "steady-run-s")
				b.StopTimer()
				if _, err := db.NewRaw("UPDATE employees SET location_id = 1 + (location_id % 20) WHERE id % 97 = 7").Exec(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start = time.Now()
				if ev, err = s.EvaluateRules(ctx); err != nil || ev.Assigned == 0 || ev.Closed == 0 {
					b.Fatalf("movers: %+v (%v)", ev, err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "movers-run-s")
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}

// watchHeap samples the heap in use until the benchmark ends and keeps the peak.
func watchHeap(b *testing.B) *atomic.Uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	b.Cleanup(func() { close(done) })
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return &peak
}
