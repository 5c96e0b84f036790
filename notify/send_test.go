package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/notify/mailpittest"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

const testBase = "https://academy.example.com"

// clock is a settable clock for the sender.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newSender(t testing.TB, db *bun.DB, smtpURL string, c *clock) *notify.Sender {
	t.Helper()
	cfg, err := notify.ParseSMTPURL(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	o := notify.SenderOptions{SMTP: cfg, From: mail.Address{Name: "Bright Academy", Address: "academy@example.com"},
		Brand: func(context.Context) (notify.Brand, error) {
			return notify.Brand{Company: "Bright Hotels", LogoURL: testBase + "/company/logo", BaseURL: testBase, Loc: time.UTC}, nil
		}, Timeout: 5 * time.Second, Interval: 20 * time.Millisecond}
	if c != nil {
		o.Now = c.Now
	}
	return notify.NewSender(db, o)
}

func enqueue(t testing.TB, db bun.IDB, now time.Time, ev notify.Event) {
	t.Helper()
	if _, err := notify.Enqueue(context.Background(), db, now, ev); err != nil {
		t.Fatal(err)
	}
}

func emailRow(t testing.TB, db *bun.DB, addr string) notify.Row {
	t.Helper()
	var r notify.Row
	if err := db.NewSelect().Model(&r).Where("channel = 'email' AND address = ?", addr).Scan(context.Background()); err != nil {
		t.Fatalf("row for %s: %v", addr, err)
	}
	return r
}

// TestSendToMailpit delivers through a real SMTP server: the recipients,
// subject, both parts, absolute links, the unsubscribe headers of an
// optional kind and the .ics of an assignment arrive; a recipient the
// server refuses (550) and an invalid address fail alone, with the server's
// answer; the others are sent once.
func TestSendToMailpit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		mp := mailpittest.Start(t, "--smtp-allowed-recipients", `@example\.com$`)
		ctx := context.Background()
		now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
		ann := employee(t, db, "E1", "ann@example.com", true)
		bob := employee(t, db, "E2", "bob@blocked.example.org", true)
		enqueue(t, db, now, notify.Event{Kind: notify.Assigned, Key: "a:1", To: []int64{ann, bob},
			Data: map[string]string{"programme": "Fire safety", "due_date": "15 December 2026", "link": "/learn/programmes/4",
				"link_label": "Start Fire safety", "ics_due": "2026-12-15"}})
		enqueue(t, db, now, notify.Event{Kind: notify.DueSoon, Key: "d:1", To: []int64{ann},
			Data: map[string]string{"programme": "Fire safety", "days": "7 days", "due_date": "15 December 2026"}})
		enqueue(t, db, now, notify.Event{Kind: notify.TestMessage, Key: "t:1", Address: "not an address", NoInApp: true})

		s := newSender(t, db, mp.SMTPURL(), &clock{t: now})
		rep, err := s.SendDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sent != 2 || rep.Failed != 2 || rep.Retried != 0 {
			t.Errorf("report %+v, want 2 sent and 2 failed", rep)
		}
		msgs := mp.Messages()
		if len(msgs) != 2 {
			t.Fatalf("%d messages arrived, want 2: %+v", len(msgs), msgs)
		}
		bySubject := map[string]mailpittest.Summary{}
		for _, m := range msgs {
			bySubject[m.Subject] = m
			if len(m.To) != 1 || m.To[0].Address != "ann@example.com" || m.To[0].Name != "Ann E1" {
				t.Errorf("%q went to %+v", m.Subject, m.To)
			}
			if m.From.Address != "academy@example.com" || m.From.Name != "Bright Academy" {
				t.Errorf("from %+v", m.From)
			}
		}
		assigned, ok := bySubject["New training for you: Fire safety"]
		if !ok {
			t.Fatalf("no assignment message among %+v", msgs)
		}
		m := mp.Message(assigned.ID)
		for _, want := range []string{"Hello Ann,", "Due: 15 December 2026", "Start Fire safety: " + testBase + "/learn/programmes/4"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("text part lacks %q:\n%s", want, m.Text)
			}
		}
		for _, want := range []string{`href="` + testBase + `/learn/programmes/4"`, `src="` + testBase + `/company/logo"`, "Bright Hotels"} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("HTML part lacks %q", want)
			}
		}
		if len(m.Attachments) != 1 || !strings.HasPrefix(m.Attachments[0].ContentType, "text/calendar") || m.Attachments[0].FileName != "due-2026-12-15.ics" {
			t.Fatalf("attachments %+v", m.Attachments)
		}
		ics := mp.Part(m.ID, m.Attachments[0].PartID)
		for _, want := range []string{"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261215", "SUMMARY:New training for you: Fire safety", "UID:notification-"} {
			if !strings.Contains(ics, want) {
				t.Errorf(".ics lacks %q:\n%s", want, ics)
			}
		}
		if h := mp.Headers(m.ID); len(h["List-Unsubscribe"]) != 0 {
			t.Errorf("a mandatory kind has List-Unsubscribe: %v", h["List-Unsubscribe"])
		}
		row := emailRow(t, db, "ann@example.com")
		if row.Status != notify.Sent || row.SentAt == nil || row.Attempts != 1 || "<"+row.MessageID+">" != mp.Headers(m.ID)["Message-Id"][0] {
			t.Errorf("row %+v; Message-Id header %v", row, mp.Headers(m.ID)["Message-Id"])
		}

		due := mp.Message(bySubject["Fire safety is due in 7 days"].ID)
		if due.ListUnsubscribe.HeaderPost != "List-Unsubscribe=One-Click" || len(due.ListUnsubscribe.Links) != 1 ||
			!strings.HasPrefix(due.ListUnsubscribe.Links[0], testBase+"/unsubscribe/") || due.ListUnsubscribe.Errors != "" {
			t.Errorf("List-Unsubscribe %+v", due.ListUnsubscribe)
		}
		secret, err := notify.Secret(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimPrefix(due.ListUnsubscribe.Links[0], testBase+"/unsubscribe/")
		if id, kind, err := notify.ParseUnsubscribe(secret, token); err != nil || id != ann || kind != notify.DueSoon {
			t.Errorf("the unsubscribe token reads %d %s %v", id, kind, err)
		}
		if !strings.Contains(due.HTML, "Stop these e-mails") {
			t.Error("no unsubscribe line in the footer")
		}

		refused := emailRow(t, db, "bob@blocked.example.org")
		if refused.Status != notify.Failed || !strings.Contains(refused.Error, "550") || !strings.Contains(refused.Error, "mailbox unavailable") {
			t.Errorf("refused row: %s %q", refused.Status, refused.Error)
		}
		bad := emailRow(t, db, "not an address")
		if bad.Status != notify.Failed || !strings.Contains(bad.Error, "invalid address") {
			t.Errorf("invalid address row: %s %q", bad.Status, bad.Error)
		}

		rep, err = s.SendDue(ctx)
		if err != nil || rep != (notify.Report{}) || mp.Count() != 2 {
			t.Errorf("a second pass: %+v %v, %d messages", rep, err, mp.Count())
		}
	})
}

// TestSendWhenSMTPIsDown keeps the message queued while the server is down,
// retries it with a growing wait, and delivers it once when the server is back.
func TestSendWhenSMTPIsDown(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	mp := mailpittest.New(t) // not started: nothing listens
	c := &clock{t: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	enqueue(t, db, c.Now(), notify.Event{Kind: notify.TestMessage, Key: "t:1", Address: "ann@example.com", NoInApp: true})
	s := newSender(t, db, mp.SMTPURL(), c)

	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		rep, err := s.SendDue(ctx)
		if err != nil || rep.Retried != 1 {
			t.Fatalf("pass %d: %+v %v", i, rep, err)
		}
		r := emailRow(t, db, "ann@example.com")
		if r.Status != notify.Queued || r.Attempts != i+1 || !strings.Contains(r.Error, "connecting to 127.0.0.1") ||
			!r.NextAttemptAt.Equal(c.Now().Add(wait)) {
			t.Fatalf("pass %d: %s attempts %d next %v error %q", i, r.Status, r.Attempts, r.NextAttemptAt, r.Error)
		}
		if rep, _ := s.SendDue(ctx); rep != (notify.Report{}) {
			t.Fatalf("retried before its time: %+v", rep)
		}
		c.Add(wait)
	}
	mp.Start()
	rep, err := s.SendDue(ctx)
	if err != nil || rep.Sent != 1 {
		t.Fatalf("after the server came back: %+v %v", rep, err)
	}
	c.Add(time.Hour)
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := mp.Count(); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
	if r := emailRow(t, db, "ann@example.com"); r.Status != notify.Sent || r.Attempts != 3 || r.Error != "" {
		t.Errorf("row %s attempts %d error %q", r.Status, r.Attempts, r.Error)
	}
}

// TestSendTemporaryRefusalAndGivingUp retries a 451 and, after 48 hours of
// failures, marks the message failed with the last answer.
func TestSendTemporaryRefusalAndGivingUp(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	mp := mailpittest.Start(t, "--enable-chaos")
	mp.Chaos(451, 100)
	c := &clock{t: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	enqueue(t, db, c.Now(), notify.Event{Kind: notify.TestMessage, Key: "t:1", Address: "ann@example.com", NoInApp: true})
	enqueue(t, db, c.Now(), notify.Event{Kind: notify.TestMessage, Key: "t:2", Address: "bob@example.com", NoInApp: true})
	s := newSender(t, db, mp.SMTPURL(), c)
	if rep, err := s.SendDue(ctx); err != nil || rep.Retried != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	if r := emailRow(t, db, "ann@example.com"); r.Status != notify.Queued || !strings.Contains(r.Error, "451") {
		t.Fatalf("after a 451: %s %q", r.Status, r.Error)
	}
	// bob's is delivered when the server accepts again; ann's keeps failing
	// until it is given up.
	mp.Chaos(451, 0)
	if _, err := db.NewUpdate().Model((*notify.Row)(nil)).Set("next_attempt_at = ?", c.Now().Add(time.Hour)).
		Where("address = 'ann@example.com'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	if rep, err := s.SendDue(ctx); err != nil || rep.Sent != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	mp.Chaos(451, 100)
	for range 30 {
		c.Add(6 * time.Hour)
		if _, err := s.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r := emailRow(t, db, "ann@example.com")
	if r.Status != notify.Failed || !strings.Contains(r.Error, "gave up after") || !strings.Contains(r.Error, "451") {
		t.Errorf("after 48 hours: %s %q", r.Status, r.Error)
	}
	if mp.Count() != 1 {
		t.Errorf("%d messages arrived, want 1", mp.Count())
	}
}

// TestSendRecoversAndCancels queues again a row left 'sending' by a sender
// that died, cancels what waited more than three days unsent and what a
// person turned off after it was queued, and sends nothing of a
// rolled-back event.
func TestSendRecoversAndCancels(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	mp := mailpittest.Start(t)
	c := &clock{t: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	ann := employee(t, db, "E1", "ann@example.com", true)
	enqueue(t, db, c.Now().Add(-100*time.Hour), notify.Event{Kind: notify.TestMessage, Key: "old", Address: "old@example.com", NoInApp: true})
	enqueue(t, db, c.Now(), notify.Event{Kind: notify.TestMessage, Key: "crashed", Address: "crashed@example.com", NoInApp: true})
	enqueue(t, db, c.Now(), notify.Event{Kind: notify.DueSoon, Key: "d", To: []int64{ann}, Data: map[string]string{"programme": "P"}})
	if _, err := db.NewUpdate().Model((*notify.Row)(nil)).Set("status = 'sending', lease_holder = 'dead', lease_until = ?", c.Now().Add(-time.Second)).
		Where("address = 'crashed@example.com'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewInsert().Model(&map[string]any{"employee_id": ann, "kind": "due_soon", "created_at": c.Now()}).
		TableExpr("notification_optouts").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("the assignment failed")
	if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		enqueue(t, tx, c.Now(), notify.Event{Kind: notify.Assigned, Key: "rolled", To: []int64{ann}})
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	rep, err := newSender(t, db, mp.SMTPURL(), c).SendDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requeued != 1 || rep.Sent != 1 || rep.Cancelled != 2 {
		t.Errorf("report %+v, want 1 requeued and sent, 2 cancelled", rep)
	}
	if r := emailRow(t, db, "old@example.com"); r.Status != notify.Cancelled || !strings.Contains(r.Error, "more than 72 hours") {
		t.Errorf("old: %s %q", r.Status, r.Error)
	}
	if r := emailRow(t, db, "ann@example.com"); r.Status != notify.Cancelled || !strings.Contains(r.Error, "turned \"Due soon\" messages off") {
		t.Errorf("opted out: %s %q", r.Status, r.Error)
	}
	msgs := mp.Messages()
	if len(msgs) != 1 || msgs[0].To[0].Address != "crashed@example.com" {
		t.Errorf("arrived: %+v", msgs)
	}
}

// TestTwoSendersDeliverOnce runs two instances' senders (each its own
// connection pool, as two processes would) on the same database: every
// message arrives exactly once.
func TestTwoSendersDeliverOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.MustDSN(t, dialect)
			ctx := context.Background()
			open := func() *bun.DB {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := store.Migrate(ctx, db, nil); err != nil {
					t.Fatal(err)
				}
				return db
			}
			db1, db2 := open(), open()
			mp := mailpittest.Start(t)
			const n = 120
			now := time.Now().UTC()
			for i := range n {
				enqueue(t, db1, now, notify.Event{Kind: notify.TestMessage, Key: fmt.Sprint("t:", i), Address: fmt.Sprintf("p%d@example.com", i), NoInApp: true})
			}
			rctx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for _, db := range []*bun.DB{db1, db2} {
				s := notify.NewSender(db, notify.SenderOptions{SMTP: must(notify.ParseSMTPURL(mp.SMTPURL())),
					From: mail.Address{Address: "academy@example.com"}, Batch: 7, Interval: 10 * time.Millisecond,
					Brand: func(context.Context) (notify.Brand, error) { return notify.Brand{BaseURL: testBase}, nil }})
				wg.Add(2)
				go func() { defer wg.Done(); s.Run(rctx) }()
				// A second pass outside the lease on each instance: the
				// per-row claim alone must keep messages single.
				go func() {
					defer wg.Done()
					for rctx.Err() == nil {
						if _, err := s.SendDue(rctx); err != nil && rctx.Err() == nil {
							t.Error(err)
							return
						}
						time.Sleep(5 * time.Millisecond)
					}
				}()
			}
			got := mp.WaitCount(n)
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				var left int64
				left, _ = db1.NewSelect().Model((*notify.Row)(nil)).Where("status <> ?", notify.Sent).Count(ctx)
				if left == 0 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond) // a duplicate would have arrived by now
			cancel()
			wg.Wait()
			got = mp.Count()
			seen := map[string]int{}
			for _, m := range mp.Messages() {
				seen[m.To[0].Address]++
			}
			if got != n || len(seen) != n {
				t.Errorf("%d messages arrived for %d addresses, want %d each once", got, len(seen), n)
			}
			for a, k := range seen {
				if k != 1 {
					t.Errorf("%s received %d copies", a, k)
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
