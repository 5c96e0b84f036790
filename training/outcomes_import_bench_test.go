package training_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// outcomeCSV is a helpdesk satisfaction export of n events by the
// employees E000000..E(staff-1), named by e-mail on every third row:
// Ticket ID, Agent, Satisfaction (good or bad), Created at — a timestamp,
// in date order over the year before 10 March 2026, as helpdesks export.
func outcomeCSV(n, staff int) []byte {
	var b strings.Builder
	b.Grow(n * 48)
	b.WriteString("Ticket ID,Agent,Satisfaction,Created at\n")
	start := time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / time.Duration(n)
	for i := range n {
		e := i * 7919 % staff
		agent := fmt.Sprintf("E%06d", e)
		if i%3 == 0 {
			agent = fmt.Sprintf("person%d@example.com", e)
		}
		verdict := "good"
		if i%5 == 0 {
			verdict = "bad"
		}
		at := start.Add(time.Duration(i) * step)
		fmt.Fprintf(&b, "Z%07d,%s,%s,%s\n", i, agent, verdict, at.Format(time.RFC3339))
	}
	return []byte(b.String())
}

// BenchmarkImportOutcomes1M imports one helpdesk export of 1,000,000
// satisfaction ratings (each with a ticket id, for 3,000 employees) on
// SQLite: read, check, look up ids already stored, write, audit — one
// transaction. It reports the peak heap (MB) seen while it runs.
func BenchmarkImportOutcomes1M(b *testing.B) {
	const events, staff = 1_000_000, 3_000
	ctx := context.Background()
	db := storetest.MustOpen(b, "sqlite")
	clock := &store.ManualClock{}
	clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	svc, err := training.New(db, training.Options{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	var hr strings.Builder
	hr.WriteString("Employee ID,First Name,Last Name,Work Email\n")
	for i := range staff {
		fmt.Fprintf(&hr, "E%06d,First%d,Last%d,person%d@example.com\n", i, i, i, i)
	}
	if plan, err := svc.People().ApplyImport(ctx, []byte(hr.String()), people.ImportOptions{}, nil, "bench"); err != nil || !plan.OK() {
		b.Fatalf("employees: %v", err)
	}
	data := outcomeCSV(events, staff)
	b.SetBytes(int64(len(data)))
	var peak uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		slug := fmt.Sprintf("csat-%d", i)
		if _, err := svc.Outcomes().CreateMeasure(ctx, outcomes.MeasureInput{Slug: slug, Title: "CSAT", Kind: outcomes.Rating, Scale: outcomes.GoodBad}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		done := make(chan struct{})
		sampled := make(chan uint64)
		go func() { // the heap in use, sampled
			var ms runtime.MemStats
			var top uint64
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapAlloc)
				select {
				case <-done:
					sampled <- top
					return
				case <-tick.C:
				}
			}
		}()
		b.StartTimer()
		res, err := svc.ImportOutcomes(ctx, training.OutcomeImport{Measure: slug, Filename: "export.csv", By: training.Actor{Name: "bench"}}, data)
		b.StopTimer()
		close(done)
		peak = max(peak, <-sampled)
		if err != nil || !res.Applied || res.Created != events {
			if res != nil && len(res.Plan.Errors) > 0 {
				b.Fatalf("import: %v, first problem %+v", err, res.Plan.Errors[0])
			}
			b.Fatalf("import: %v", err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(0, "MB/s")
}
