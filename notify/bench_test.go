package notify_test

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/notify/mailpittest"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// benchOutboxRows is how many notifications the outbox benchmark seeds.
var benchOutboxRows = 1_000_000

func init() {
	if v, err := strconv.Atoi(os.Getenv("ACADEMY_BENCH_OUTBOX_ROWS")); err == nil && v > 0 {
		benchOutboxRows = v
	}
}

// seedOutbox writes n notifications in one statement: one every 30 s from
// 2026-01-01, a quarter of each kind of four, e-mail and in-app alternating,
// 1 in 100 failed, addresses of 5,000 people.
func seedOutbox(tb testing.TB, db *bun.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	var q string
	if store.IsPostgresDB(db) {
		q = `INSERT INTO notifications (kind, channel, idem_key, address, data, status, attempts, error, created_at)
SELECT (ARRAY['assigned','due_soon','overdue','certificate_issued'])[i % 4 + 1],
       CASE WHEN i % 2 = 0 THEN 'email' ELSE 'inapp' END, 'bench|' || i,
       CASE WHEN i % 2 = 0 THEN 'p' || (i % 5000) || '@example.com' ELSE '' END, '{"programme":"Fire safety"}',
       CASE WHEN i % 2 = 1 THEN 'read' WHEN i % 100 = 0 THEN 'failed' ELSE 'sent' END, 1,
       CASE WHEN i % 100 = 0 THEN '550 5.1.0 mailbox unavailable' ELSE '' END,
       TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '30 seconds'
FROM generate_series(?, ?) AS i`
	} else {
		q = `WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?)
INSERT INTO notifications (kind, channel, idem_key, address, data, status, attempts, error, created_at)
SELECT CASE i % 4 WHEN 0 THEN 'assigned' WHEN 1 THEN 'due_soon' WHEN 2 THEN 'overdue' ELSE 'certificate_issued' END,
       CASE WHEN i % 2 = 0 THEN 'email' ELSE 'inapp' END, 'bench|' || i,
       CASE WHEN i % 2 = 0 THEN 'p' || (i % 5000) || '@example.com' ELSE '' END, '{"programme":"Fire safety"}',
       CASE WHEN i % 2 = 1 THEN 'read' WHEN i % 100 = 0 THEN 'failed' ELSE 'sent' END, 1,
       CASE WHEN i % 100 = 0 THEN '550 5.1.0 mailbox unavailable' ELSE '' END,
       strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || (i * 30) || ' seconds') || '+00:00'
FROM c`
	}
	const chunk = 100_000 // statements short enough for the driver's timeout
	for lo := 1; lo <= n; lo += chunk {
		if _, err := db.NewRaw(q, lo, min(lo+chunk-1, n)).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	if store.IsPostgresDB(db) {
		_, _ = db.ExecContext(ctx, "ANALYZE notifications")
	} else {
		_, _ = db.ExecContext(ctx, "ANALYZE")
	}
}

// BenchmarkOutboxPage reads a page of the outbox (50 rows, newest first)
// out of 1,000,000 notifications: the newest, 2,000 rows deep, and filtered
// by status, kind, address, day range.
//
//	go test -run '^$' -bench BenchmarkOutboxPage -benchtime 200x ./notify
func BenchmarkOutboxPage(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.MustOpen(b, dialect)
			start := time.Now()
			seedOutbox(b, db, benchOutboxRows)
			b.Logf("%s: seeded %d notifications in %v", dialect, benchOutboxRows, time.Since(start).Round(time.Millisecond))
			ctx := context.Background()
			deep := strconv.Itoa(benchOutboxRows - 2000)
			for _, tc := range []struct {
				name string
				f    notify.OutboxFilter
			}{
				{"newest", notify.OutboxFilter{}},
				{"deep", notify.OutboxFilter{Before: deep}},
				{"failed", notify.OutboxFilter{Status: notify.Failed}},
				{"kind", notify.OutboxFilter{Kind: string(notify.Overdue), Channel: "email"}},
				{"address", notify.OutboxFilter{Employee: "p42@example.com"}},
				{"days", notify.OutboxFilter{From: "2026-01-02", To: "2026-01-03"}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						list, _, err := notify.ListOutbox(ctx, db, tc.f)
						if err != nil || len(list) == 0 {
							b.Fatal(len(list), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkSendToMailpit delivers queued messages to Mailpit on loopback
// (rendering, SMTP, marking each row sent): b.N messages, reported as
// messages/s.
//
//	go test -run '^$' -bench BenchmarkSendToMailpit -benchtime 2000x ./notify
func BenchmarkSendToMailpit(b *testing.B) {
	db := storetest.MustOpen(b, "sqlite")
	mp := mailpittest.Start(b)
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range b.N {
			if _, err := notify.Enqueue(ctx, tx, now, notify.Event{Kind: notify.Assigned, Key: fmt.Sprint("b:", i),
				Address: fmt.Sprintf("p%d@example.com", i), NoInApp: true,
				Data: map[string]string{"programme": "Fire safety", "due_date": "15 December 2026", "link": "/learn/programmes/4",
					"ics_due": "2026-12-15"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s := notify.NewSender(db, notify.SenderOptions{SMTP: must(notify.ParseSMTPURL(mp.SMTPURL())), From: mail.Address{Address: "academy@example.com"},
		Batch: 100, Brand: func(context.Context) (notify.Brand, error) {
			return notify.Brand{BaseURL: testBase, Company: "Bright Hotels"}, nil
		}})
	b.ResetTimer()
	start := time.Now()
	rep, err := s.SendDue(ctx)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil || rep.Sent != b.N {
		b.Fatalf("%+v %v", rep, err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	if got := mp.WaitCount(b.N); got != b.N {
		b.Fatalf("%d arrived, want %d", got, b.N)
	}
}
