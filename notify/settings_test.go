package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestKindSettings: every kind starts on with its default wording; HR's
// wording is stored (text equal to the default stays the default), an
// optional kind switched off stops Enqueue, a mandatory one cannot be
// switched off, and a bad placeholder, a second line or an over-long
// subject is refused naming its field with nothing stored.
func TestKindSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		all, err := notify.KindSettings(ctx, db)
		if err != nil || len(all) != len(notify.Kinds) {
			t.Fatalf("kind settings: %d, %v", len(all), err)
		}
		for _, s := range all {
			sub, op := s.Wording()
			if !s.Enabled || sub != s.DefaultSubject || op != s.DefaultOpening || !s.Updated.IsZero() {
				t.Errorf("%s starts %+v", s.Kind, s)
			}
		}

		changed, err := notify.SaveKindSetting(ctx, db, now, notify.KindInput{Kind: notify.DueSoon, Enabled: true,
			Subject: "  Reminder from {company}: {programme}  ", Opening: notify.Kinds[1].DefaultOpening})
		if err != nil || len(changed) != 1 || !strings.Contains(changed[0], "Reminder from {company}") {
			t.Fatalf("save: %q, %v", changed, err)
		}
		if sub, op := notify.CurrentWording(ctx, db, notify.DueSoon); sub != "Reminder from {company}: {programme}" || op != notify.Kinds[1].DefaultOpening {
			t.Errorf("wording: %q, %q", sub, op)
		}
		s, _ := notify.FindKindSetting(ctx, db, notify.DueSoon)
		if s.Opening != "" || !s.Updated.Equal(now) {
			t.Errorf("the default opening was stored as HR's: %+v", s)
		}
		if sub, op := notify.Compose(s, map[string]string{"company": "Brightwater", "programme": "Induction", "due_date": "1 March", "days": "7 days"}); sub != "Reminder from Brightwater: Induction" || op != "A reminder: Induction is due by 1 March, in 7 days." {
			t.Errorf("compose: %q, %q", sub, op)
		}
		if changed, err := notify.SaveKindSetting(ctx, db, now, notify.KindInput{Kind: notify.DueSoon, Enabled: true, Subject: "Reminder from {company}: {programme}"}); err != nil || changed != nil {
			t.Errorf("saving the same again: %q, %v", changed, err)
		}

		// Switched off company-wide: Enqueue writes nothing of the kind.
		emp := employee(t, db, "E1", "ann@example.com", true)
		if changed, err := notify.SaveKindSetting(ctx, db, now, notify.KindInput{Kind: notify.DueSoon, Enabled: false, Subject: "Reminder from {company}: {programme}"}); err != nil || len(changed) != 1 || changed[0] != "switched off" {
			t.Errorf("switch off: %q, %v", changed, err)
		}
		if n, err := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.DueSoon, Key: "c:1:7", To: []int64{emp}}); n != 0 || err != nil {
			t.Errorf("switched off, queued %d: %v", n, err)
		}
		// A mandatory kind stays on whatever is posted.
		if _, err := notify.SaveKindSetting(ctx, db, now, notify.KindInput{Kind: notify.Overdue, Enabled: false}); err != nil {
			t.Fatal(err)
		}
		if s, _ := notify.FindKindSetting(ctx, db, notify.Overdue); !s.Enabled {
			t.Error("a mandatory kind was switched off")
		}

		for _, tc := range []struct {
			name  string
			in    notify.KindInput
			field string
			msg   string
		}{
			{"ErrUnknownPlaceholder", notify.KindInput{Kind: notify.Assigned, Subject: "Do {course} now"}, "subject", "{course} is not a placeholder"},
			{"ErrUnclosed", notify.KindInput{Kind: notify.Assigned, Opening: "Due {due_date"}, "opening", "not closed"},
			{"ErrTwoLines", notify.KindInput{Kind: notify.Assigned, Subject: "New\r\nBcc: x@example.com"}, "subject", "one line"},
			{"ErrLong", notify.KindInput{Kind: notify.Assigned, Subject: strings.Repeat("é", notify.MaxSubject+1)}, "subject", "201 characters"},
			{"ErrUnknownKind", notify.KindInput{Kind: "nonsense"}, "kind", "no kind"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := notify.SaveKindSetting(ctx, db, now, tc.in)
				if store.KindOf(err) != store.Invalid || store.FieldOf(err) != tc.field || !strings.Contains(store.MessageOf(err), tc.msg) {
					t.Errorf("%v (field %q), want %s: %q", err, store.FieldOf(err), tc.field, tc.msg)
				}
			})
		}
		if sub, _ := notify.CurrentWording(ctx, db, notify.Assigned); sub != notify.Kinds[0].DefaultSubject {
			t.Errorf("a refused subject was stored: %q", sub)
		}
	})
}

// TestOptOuts: a person turns an optional kind off (Enqueue then skips
// them) and on again; a mandatory kind cannot be turned off.
func TestOptOuts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		ann := employee(t, db, "E1", "ann@example.com", true)
		for i, want := range []bool{true, false} {
			if changed, err := notify.SetOptOut(ctx, db, now, ann, notify.CertificateIssued, true); changed != want || err != nil {
				t.Errorf("opt out %d: changed %v, %v", i, changed, err)
			}
		}
		if outs, err := notify.OptOuts(ctx, db, ann); err != nil || len(outs) != 1 || !outs[notify.CertificateIssued] {
			t.Errorf("opt-outs: %v, %v", outs, err)
		}
		if n, _ := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.CertificateIssued, Key: "cert:1", To: []int64{ann}}); n != 0 {
			t.Errorf("opted out, %d rows queued", n)
		}
		if changed, err := notify.SetOptOut(ctx, db, now, ann, notify.CertificateIssued, false); !changed || err != nil {
			t.Errorf("opt in: %v, %v", changed, err)
		}
		if n, _ := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.CertificateIssued, Key: "cert:1", To: []int64{ann}}); n != 2 {
			t.Errorf("opted in again, %d rows queued, want 2", n)
		}
		if _, err := notify.SetOptOut(ctx, db, now, ann, notify.Overdue, true); store.KindOf(err) != store.Invalid || !strings.Contains(store.MessageOf(err), "always sent") {
			t.Errorf("mandatory kind: %v", err)
		}
		if outs, _ := notify.OptOuts(ctx, db, ann); len(outs) != 0 {
			t.Errorf("opt-outs after: %v", outs)
		}
	})
}

// TestInbox: the unread count (bounded), a page newest first with the
// total, marking one read (someone else's is not found) and all read.
func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		ann := employee(t, db, "E1", "ann@example.com", true)
		bob := employee(t, db, "E2", "bob@example.com", false)
		for i := range 5 {
			if _, err := notify.Enqueue(ctx, db, now.Add(time.Duration(i)*time.Hour), notify.Event{Kind: notify.Assigned, Key: "c:" + string(rune('a'+i)),
				To: []int64{ann, bob}, Data: map[string]string{"programme": "P" + string(rune('a'+i))}}); err != nil {
				t.Fatal(err)
			}
		}
		count := func(emp int64, limit int) int {
			t.Helper()
			n, err := notify.UnreadCount(ctx, db, emp, limit)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if a, b, capped := count(ann, 100), count(bob, 100), count(ann, 3); a != 5 || b != 5 || capped != 3 {
			t.Errorf("unread: ann %d, bob %d, capped %d; want 5, 5, 3 (e-mail rows are not counted)", a, b, capped)
		}
		rows, total, err := notify.ListInApp(ctx, db, ann, 2, 2)
		if err != nil || total != 5 || len(rows) != 2 || rows[0].Values()["programme"] != "Pc" || rows[1].Values()["programme"] != "Pb" {
			t.Fatalf("page 2: %d of %d, %v", len(rows), total, err)
		}
		if _, err := notify.MarkRead(ctx, db, now, bob, rows[0].ID); err != notify.ErrNoNotification {
			t.Errorf("bob read ann's: %v", err)
		}
		r, err := notify.MarkRead(ctx, db, now, ann, rows[0].ID)
		if err != nil || r.Status != notify.Read || r.ReadAt == nil {
			t.Fatalf("mark read: %+v, %v", r, err)
		}
		if _, err := notify.MarkRead(ctx, db, now.Add(time.Hour), ann, rows[0].ID); err != nil {
			t.Errorf("marking read again: %v", err)
		}
		if a, b := count(ann, 100), count(bob, 100); a != 4 || b != 5 {
			t.Errorf("after one read: ann %d, bob %d", a, b)
		}
		if n, err := notify.MarkAllRead(ctx, db, now, ann); n != 4 || err != nil {
			t.Errorf("mark all read: %d, %v", n, err)
		}
		if a, b := count(ann, 100), count(bob, 100); a != 0 || b != 5 {
			t.Errorf("after all read: ann %d, bob %d", a, b)
		}
		var queued int
		if err := db.NewSelect().TableExpr("notifications").ColumnExpr("count(*)").Where("channel = 'email' AND status = 'queued'").Scan(ctx, &queued); err != nil || queued != 5 {
			t.Errorf("e-mail rows touched: %d queued, %v", queued, err)
		}
	})
}
