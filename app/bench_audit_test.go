package app_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// seedAuditLog appends n entries over the year before end, shaped like a
// busy company's log: mostly scheduler runs, assignments and employee
// changes, few rule changes; subjects are 5,000 employee numbers and 40 slugs.
// It returns a subject (an employee number) and the number of its entries.
func seedAuditLog(tb testing.TB, ts *testServer, n int, end time.Time) (string, int) {
	tb.Helper()
	type weighted struct {
		action string
		weight int
		slug   bool // the subject is a programme or course slug
	}
	actions := []weighted{
		{"rule.evaluate", 30, true}, {"assignment.create", 15, true}, {"assignment.recertify", 5, true},
		{"programme.complete", 12, false}, {"employee.update", 10, false}, {"observation.signoff", 6, false},
		{"essay.grade", 6, false}, {"assignment.extend", 4, false}, {"assignment.exempt", 2, false},
		{"employees.import", 2, true}, {"lesson.save", 3, true}, {"question.save", 3, true},
		{"programme.update", 1, true}, {"rule.create", 1, true}, // about 1 in 100
	}
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := end.AddDate(-1, 0, 0)
	step := end.Sub(start) / time.Duration(n)
	const subject = "E00042"
	count := 0
	batch := make([]people.AuditEntry, 0, 1000)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := ts.DB.NewInsert().Model(&batch).Exec(context.Background()); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n {
		r := rng.IntN(total)
		var a weighted
		for _, a = range actions {
			if r < a.weight {
				break
			}
			r -= a.weight
		}
		e := people.AuditEntry{At: start.Add(time.Duration(i) * step), Actor: "scheduler", Action: a.action}
		if a.slug {
			e.Subject = fmt.Sprintf("programme-%02d", rng.IntN(40))
			e.Detail = fmt.Sprintf("%d assigned (joiners and movers), %d closed", rng.IntN(20), rng.IntN(5))
		} else {
			e.Subject = fmt.Sprintf("E%05d", rng.IntN(5000))
			e.Actor = fmt.Sprintf("Manager %d (E%05d)", rng.IntN(300), rng.IntN(300))
			e.Detail = "Customer recovery v3: due 2026-05-01 → 2026-05-15; reason: on leave"
		}
		if e.Subject == subject {
			count++
		}
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	if store.IsPostgresDB(ts.DB) {
		// What autovacuum does soon after a bulk load; without statistics
		// the planner guesses 52 rows per action and sorts instead.
		if _, err := ts.DB.ExecContext(context.Background(), "ANALYZE audit_log"); err != nil {
			tb.Fatal(err)
		}
	}
	return subject, count
}

// BenchmarkAuditPage loads one page of the audit log (100 entries, or all
// that match) as HR from a log of 100,000 entries, through the whole app:
// session, query, rendering. ns/op is the time per page.
func BenchmarkAuditPage(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			ts := mustServer(b, dialect)
			subject, count := seedAuditLog(b, ts, 100_000, time.Now().UTC())
			b.Logf("%s: %d entries about %s", dialect, count, subject)
			hr := ts.client(b)
			hr.signIn(hrEmail)
			// An older page: the "before" value of the 200th newest assignment.
			var cursor int64
			if err := ts.DB.NewSelect().TableExpr("audit_log").ColumnExpr("id").Where("action LIKE 'assignment.%'").
				OrderExpr("id DESC").Offset(20_000).Limit(1).Scan(context.Background(), &cursor); err != nil {
				b.Fatal(err)
			}
			halfYear := time.Now().AddDate(0, -6, 0).Format(time.DateOnly)
			for _, bc := range []struct{ name, query string }{
				{"Newest", ""},
				{"ActionGroup", "action=assignment."},
				{"ActionGroupOlderPage", fmt.Sprintf("action=assignment.&before=%d", cursor)},
				{"ActionRare", "action=rule.create"},
				{"ActionUnused", "action=certificate.revoke"},
				{"Subject", "subject=" + subject},
				{"SubjectAndActionGroup", "subject=" + subject + "&action=assignment."},
				{"LastMonth", "from=" + time.Now().AddDate(0, -1, 0).Format(time.DateOnly)},
				{"OneDayHalfAYearAgo", "from=" + halfYear + "&to=" + halfYear},
				{"ActorRare", "actor=Manager+299+"},
				{"DetailText", "detail=on+leave"},
			} {
				b.Run(bc.name, func(b *testing.B) {
					path := "/admin/audit?" + bc.query
					if resp, _ := hr.get(path); resp.StatusCode != http.StatusOK {
						b.Fatalf("%s: status %d", path, resp.StatusCode)
					}
					for b.Loop() {
						hr.get(path)
					}
				})
			}
		})
	}
}

// BenchmarkAuditCSV exports all 100,000 entries of the log as CSV.
func BenchmarkAuditCSV(b *testing.B) {
	ts := mustServer(b, "sqlite")
	seedAuditLog(b, ts, 100_000, time.Now().UTC())
	hr := ts.client(b)
	hr.signIn(hrEmail)
	for b.Loop() {
		req, _ := http.NewRequest("GET", "http://localhost/admin/audit.csv", nil)
		for _, ck := range hr.jar.Cookies(base) {
			req.AddCookie(ck)
		}
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.ReportMetric(float64(n)/1e6, "MB")
	}
}
