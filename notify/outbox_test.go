package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestListOutbox filters and pages the outbox newest first, refuses a bad
// filter naming the field, resends a copy of a finished e-mail and queues a
// test e-mail.
func TestListOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		day1 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		ann := employee(t, db, "E1", "ann@example.com", true)
		bob := employee(t, db, "E2", "bob@example.com", true)
		enqueue(t, db, day1, notify.Event{Kind: notify.Assigned, Key: "a", To: []int64{ann, bob}})
		enqueue(t, db, day1.AddDate(0, 0, 1), notify.Event{Kind: notify.Overdue, Key: "o", To: []int64{ann}})
		enqueue(t, db, day1.AddDate(0, 0, 2), notify.Event{Kind: notify.TestMessage, Key: "t", Address: "admin@example.com", NoInApp: true})

		keys := func(list []notify.Entry) string {
			var out []string
			for _, e := range list {
				out = append(out, string(e.Kind)+"/"+string(e.Channel)+"/"+e.EmployeeNumber)
			}
			return strings.Join(out, " ")
		}
		for _, tc := range []struct {
			name string
			f    notify.OutboxFilter
			want string
		}{
			{"All", notify.OutboxFilter{}, "test/email/ overdue/email/E1 overdue/inapp/E1 assigned/email/E2 assigned/inapp/E2 assigned/email/E1 assigned/inapp/E1"},
			{"Channel", notify.OutboxFilter{Channel: "email", Kind: "assigned"}, "assigned/email/E2 assigned/email/E1"},
			{"EmployeeNumber", notify.OutboxFilter{Employee: "E2"}, "assigned/email/E2 assigned/inapp/E2"},
			{"Address", notify.OutboxFilter{Employee: "ADMIN@example.com"}, "test/email/"},
			{"Status", notify.OutboxFilter{Status: notify.Unread, Kind: "overdue"}, "overdue/inapp/E1"},
			{"Days", notify.OutboxFilter{From: "2026-12-02", To: "2026-12-02"}, "overdue/email/E1 overdue/inapp/E1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list, _, err := notify.ListOutbox(ctx, db, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := keys(list); got != tc.want {
					t.Errorf("got  %s\nwant %s", got, tc.want)
				}
			})
		}
		// Pages of 3, in both orders.
		for _, f := range []notify.OutboxFilter{{Limit: 3}, {Limit: 3, From: "2026-11-01"}} {
			var all []notify.Entry
			for page := 0; page < 5; page++ {
				list, next, err := notify.ListOutbox(ctx, db, f)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, list...)
				if next == "" {
					break
				}
				f.Before = next
			}
			if len(all) != 7 || all[0].Kind != notify.TestMessage || all[6].Kind != notify.Assigned {
				t.Errorf("paged (dates %q): %s", f.From, keys(all))
			}
		}
		for field, f := range map[string]notify.OutboxFilter{
			"status": {Status: "lost"}, "kind": {Kind: "spam"}, "channel": {Channel: "sms"}, "from": {From: "1 Dec"},
			"to": {From: "2026-12-02", To: "2026-12-01"}, "before": {Before: "x"}, "limit": {Limit: 9999}, "employee": {Employee: "NOPE"},
		} {
			_, _, err := notify.ListOutbox(ctx, db, f)
			var se *store.Error
			if !errorAs(err, &se) || se.Kind != store.Invalid || se.Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}

		test := emailRow(t, db, "admin@example.com")
		if _, err := notify.Resend(ctx, db, test.ID, day1); store.KindOf(err) != store.Conflict {
			t.Errorf("resend of a queued e-mail: %v", err)
		}
		if _, err := db.NewUpdate().Model((*notify.Row)(nil)).Set("status = 'failed', error = '550'").Where("id = ?", test.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := notify.Resend(ctx, db, test.ID, day1.AddDate(0, 0, 3))
		if err != nil || again.ID == test.ID || again.Status != notify.Queued || again.Address != "admin@example.com" || again.Attempts != 0 {
			t.Fatalf("resend: %+v %v", again, err)
		}
		if old, _ := notify.FindNotification(ctx, db, test.ID); old.Status != notify.Failed || old.Error != "550" {
			t.Errorf("the original changed: %+v", old)
		}
		if _, err := notify.FindNotification(ctx, db, 999999); !store.IsNotFound(err) {
			t.Errorf("missing: %v", err)
		}
		r, err := notify.QueueTest(ctx, db, day1, "me@example.com")
		if err != nil || r.Kind != notify.TestMessage || r.Status != notify.Queued || r.Address != "me@example.com" {
			t.Errorf("test e-mail: %+v %v", r, err)
		}
		if _, err := notify.QueueTest(ctx, db, day1, "me at example"); store.KindOf(err) != store.Invalid {
			t.Errorf("bad test address: %v", err)
		}
	})
}

func errorAs(err error, target **store.Error) bool { return errors.As(err, target) }
