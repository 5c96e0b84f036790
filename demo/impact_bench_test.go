package demo_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// The impact benchmarks read a scale fixture: the file named by
// ACADEMY_BENCH_SCALE_DB (academy demo --employees 100000 --db FILE: 100,000
// people and 5,000,000 outcome events), or else one built once per run with
// ACADEMY_BENCH_IMPACT_EMPLOYEES people (default 20,000: 1,000,000 events;
// the build takes about a minute).
var (
	impactOnce    sync.Once
	impactDB      *bun.DB
	impactManager int64 // a manager with about 500 people in their line
	impactErr     error
	impactDir     string

	impactSeriesBuild time.Duration // building the series of a file from before them
)

func impactFixture(b *testing.B) (*bun.DB, int64) {
	b.Helper()
	impactOnce.Do(func() {
		ctx := context.Background()
		if path := os.Getenv("ACADEMY_BENCH_SCALE_DB"); path != "" {
			if impactDB, impactErr = store.Open(ctx, path); impactErr != nil {
				return
			}
			// A file built before the series existed: migrate, and build
			// the series once (timed: the one-off cost of the migration).
			if _, impactErr = store.Migrate(ctx, impactDB, nil); impactErr != nil {
				return
			}
			var ids []int64
			if impactErr = impactDB.NewSelect().TableExpr("measures").Column("id").Scan(ctx, &ids); impactErr != nil {
				return
			}
			start := time.Now()
			for _, id := range ids {
				if impactErr = outcomes.EnsureSeries(ctx, impactDB, id); impactErr != nil {
					return
				}
			}
			impactSeriesBuild = time.Since(start)
			impactErr = impactDB.NewSelect().TableExpr("employees").Column("id").
				Where("email = ?", "holly.wang@brightwater.example").Scan(ctx, &impactManager)
			return
		}
		n := 20_000
		if s := os.Getenv("ACADEMY_BENCH_IMPACT_EMPLOYEES"); s != "" {
			if n, impactErr = strconv.Atoi(s); impactErr != nil {
				return
			}
		}
		if impactDir, impactErr = os.MkdirTemp("", "academy-impact-bench-"); impactErr != nil {
			return
		}
		if impactDB, impactErr = store.Open(ctx, filepath.Join(impactDir, "scale.db")); impactErr != nil {
			return
		}
		if _, impactErr = store.Migrate(ctx, impactDB, nil); impactErr != nil {
			return
		}
		info, err := demo.LoadScale(ctx, impactDB, demo.ScaleConfig{Employees: n, Seed: 1, Password: "academy-demo"})
		if impactErr = err; err != nil {
			return
		}
		impactManager = info.AroundFiveHundred[0].ID
	})
	if impactErr != nil {
		b.Fatalf("impact fixture: %v", impactErr)
	}
	return impactDB, impactManager
}

func benchImpact(b *testing.B, f func(db *bun.DB, manager int64) training.ImpactFilter, minTrained int) {
	db, manager := impactFixture(b)
	svc, err := training.New(db, training.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	filter := f(db, manager)
	if impactSeriesBuild > 0 {
		b.Logf("series built from the events in %v (once)", impactSeriesBuild.Round(time.Millisecond))
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		r, err := svc.ImpactReport(context.Background(), "flagship-standards", "csat", 90, filter)
		if err != nil {
			b.Fatal(err)
		}
		if r.Impact.Trained < minTrained {
			b.Fatalf("%d trained: %s", r.Impact.Trained, r.Sentence)
		}
	}
	// The CPU time of the process per report (both cores, GC included):
	// unlike the wall time it hardly depends on what else the machine runs.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	// The Go heap the process holds from the system (it rarely gives it
	// back, so about its peak); the resident size also counts the database
	// pages SQLite reads through mmap.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-MB")
}

// BenchmarkImpactOrganisation is the organisation-wide report of one
// programme and measure: every event of the measure read, the estimate and
// its 1,000 bootstrap resamples, the months of the chart.
func BenchmarkImpactOrganisation(b *testing.B) {
	benchImpact(b, func(*bun.DB, int64) training.ImpactFilter { return training.ImpactFilter{} }, 100)
}

// BenchmarkImpactManagerTeam is the same report for a manager's line of
// about 500 people.
func BenchmarkImpactManagerTeam(b *testing.B) {
	benchImpact(b, func(_ *bun.DB, m int64) training.ImpactFilter { return training.ImpactFilter{LineOf: m} }, 0)
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestMain(m *testing.M) {
	code := m.Run()
	if impactDB != nil {
		impactDB.Close()
	}
	if impactDir != "" {
		os.RemoveAll(impactDir)
	}
	os.Exit(code)
}
