package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// seedNotifications writes n notifications in statements of 100,000 rows:
// one every 30 s from 2026-01-01, four kinds, e-mail and in-app
// alternating, 1 in 100 failed, 5,000 addresses.
func seedNotifications(tb testing.TB, ts *testServer, n int) {
	tb.Helper()
	ctx := context.Background()
	q := `WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?)
INSERT INTO notifications (kind, channel, idem_key, address, data, status, attempts, error, created_at)
SELECT CASE i % 4 WHEN 0 THEN 'assigned' WHEN 1 THEN 'due_soon' WHEN 2 THEN 'overdue' ELSE 'certificate_issued' END,
       CASE WHEN i % 2 = 0 THEN 'email' ELSE 'inapp' END, 'bench|' || i,
       CASE WHEN i % 2 = 0 THEN 'p' || (i % 5000) || '@example.com' ELSE '' END, '{"programme":"Fire safety"}',
       CASE WHEN i % 2 = 1 THEN 'read' WHEN i % 100 = 0 THEN 'failed' ELSE 'sent' END, 1,
       CASE WHEN i % 100 = 0 THEN '550 5.1.0 mailbox unavailable' ELSE '' END,
       strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || (i * 30) || ' seconds') || '+00:00'
FROM c`
	if store.IsPostgresDB(ts.DB) {
		q = `INSERT INTO notifications (kind, channel, idem_key, address, data, status, attempts, error, created_at)
SELECT (ARRAY['assigned','due_soon','overdue','certificate_issued'])[i % 4 + 1],
       CASE WHEN i % 2 = 0 THEN 'email' ELSE 'inapp' END, 'bench|' || i,
       CASE WHEN i % 2 = 0 THEN 'p' || (i % 5000) || '@example.com' ELSE '' END, '{"programme":"Fire safety"}',
       CASE WHEN i % 2 = 1 THEN 'read' WHEN i % 100 = 0 THEN 'failed' ELSE 'sent' END, 1,
       CASE WHEN i % 100 = 0 THEN '550 5.1.0 mailbox unavailable' ELSE '' END,
       TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '30 seconds'
FROM generate_series(?, ?) AS i`
	}
	for lo := 1; lo <= n; lo += 100_000 {
		if _, err := ts.DB.NewRaw(q, lo, min(lo+99_999, n)).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	if store.IsPostgresDB(ts.DB) {
		_, _ = ts.DB.ExecContext(ctx, "ANALYZE notifications")
	}
}

// BenchmarkOutboxPageHTTP loads one page of /admin/outbox (50 messages) as
// an admin out of 1,000,000 notifications, through the whole app: session,
// query, rendering. ns/op is the time per page.
//
//	go test -run '^$' -bench BenchmarkOutboxPageHTTP -benchtime 100x ./app
func BenchmarkOutboxPageHTTP(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			ts := mustServer(b, dialect)
			start := time.Now()
			seedNotifications(b, ts, 1_000_000)
			b.Logf("%s: seeded 1,000,000 notifications in %v", dialect, time.Since(start).Round(time.Millisecond))
			admin := ts.client(b)
			admin.signIn(adminEmail)
			for _, bc := range []struct{ name, query string }{
				{"Newest", ""},
				{"OlderPage", "before=998000"},
				{"Failed", "status=failed"},
				{"KindEmail", "kind=overdue&channel=email"},
				{"Address", "employee=p42%40example.com"},
				{"OneDay", "from=2026-01-02&to=2026-01-02"},
			} {
				b.Run(bc.name, func(b *testing.B) {
					path := "/admin/outbox?" + bc.query
					if resp, _ := admin.get(path); resp.StatusCode != http.StatusOK {
						b.Fatalf("%s: status %d", path, resp.StatusCode)
					}
					for b.Loop() {
						admin.get(path)
					}
				})
			}
		})
	}
}
