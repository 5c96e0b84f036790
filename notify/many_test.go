package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestEnqueueMany writes exactly the rows Enqueue writes for the same
// events, one by one: recipients inactive or without an address, opt-outs,
// a kind switched off, an address, no in-app row; and nothing twice.
func TestEnqueueMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		ann := employee(t, db, "E1", "ann@example.com", true)
		gone := employee(t, db, "E2", "gone@example.com", false)
		bob := employee(t, db, "E3", "bob@example.com", true)
		if _, err := db.NewInsert().Model(&map[string]any{"employee_id": bob, "kind": "due_soon", "created_at": now}).
			TableExpr("notification_optouts").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewInsert().Model(&map[string]any{"kind": "manager_digest", "enabled": false, "subject": "", "opening": "", "updated_at": now}).
			TableExpr("notification_kinds").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		evs := []notify.Event{
			{Kind: notify.Assigned, Key: "cycle:1", To: []int64{ann, gone, bob, ann}, Data: map[string]string{"programme": "Induction"}},
			{Kind: notify.DueSoon, Key: "day:2026-12-07", To: []int64{ann, bob}},
			{Kind: notify.ManagerDigest, Key: "digest:1", To: []int64{ann}},
			{Kind: notify.PasswordLink, Key: "password-link:9", To: []int64{ann}, NoInApp: true},
			{Kind: notify.TestMessage, Key: "test:1", Address: "Admin@Example.com"},
		}
		all := func() []string {
			var rs []notify.Row
			if err := db.NewSelect().Model(&rs).OrderExpr("idem_key").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				emp := int64(0)
				if r.EmployeeID != nil {
					emp = *r.EmployeeID
				}
				out = append(out, fmt.Sprint(r.Kind, r.Channel, r.IdemKey, emp, r.Address, r.Data, r.Status, r.NextAttemptAt != nil, r.CreatedAt.Equal(now)))
			}
			return out
		}
		one := 0
		for _, ev := range evs {
			n, err := notify.Enqueue(ctx, db, now, ev)
			if err != nil {
				t.Fatal(err)
			}
			one += n
		}
		want := all()
		if _, err := db.NewDelete().TableExpr("notifications").Where("TRUE").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := notify.EnqueueMany(ctx, db, now, evs)
		if err != nil || n != one || n != 9 {
			t.Fatalf("EnqueueMany wrote %d rows (%v); Enqueue %d, want 9", n, err, one)
		}
		if got := all(); !slices.Equal(got, want) {
			t.Errorf("EnqueueMany:\n%s\nEnqueue:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n, err := notify.EnqueueMany(ctx, db, now, evs); err != nil || n != 0 {
			t.Errorf("again: %d rows, %v", n, err)
		}
		if _, err := notify.EnqueueMany(ctx, db, now, []notify.Event{{Kind: "nonsense", Key: "x"}}); err == nil {
			t.Error("an unknown kind was queued")
		}
	})
}
