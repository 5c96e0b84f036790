package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

func employee(t testing.TB, db *bun.DB, number, email string, active bool) int64 {
	t.Helper()
	e, err := people.NewStore(db).SaveEmployee(context.Background(), people.EmployeeInput{Number: number, FirstName: "Ann", LastName: number, Email: email, Active: active})
	if err != nil {
		t.Fatal(err)
	}
	return e.Employee.ID
}

func rows(t *testing.T, db bun.IDB) []string {
	t.Helper()
	var rs []notify.Row
	if err := db.NewSelect().Model(&rs).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, string(r.Kind)+" "+string(r.Channel)+" "+r.Status+" "+r.Address)
	}
	return out
}

// TestEnqueue writes one in-app and one e-mail row per recipient, once per
// event however often it is queued, nothing for a rolled-back event, no
// e-mail for someone inactive or without an address, and nothing of an
// optional kind for someone who turned it off.
func TestEnqueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		ann := employee(t, db, "E1", "ann@example.com", true)
		gone := employee(t, db, "E2", "gone@example.com", false)
		ev := notify.Event{Kind: notify.Assigned, Key: "cycle:1", To: []int64{ann, gone, ann},
			Data: map[string]string{"programme": "Induction", "link": "/learn"}}
		for range 2 {
			if _, err := notify.Enqueue(ctx, db, now, ev); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"assigned inapp unread ", "assigned email queued ann@example.com", "assigned inapp unread "}
		if got := rows(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		boom := errors.New("the event failed")
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := notify.Enqueue(ctx, tx, now, notify.Event{Kind: notify.Overdue, Key: "cycle:2", To: []int64{ann}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || len(rows(t, db)) != 3 {
			t.Errorf("rolled back: %v, %d rows", err, len(rows(t, db)))
		}

		if _, err := db.NewInsert().Model(&map[string]any{"employee_id": ann, "kind": "due_soon", "created_at": now}).
			TableExpr("notification_optouts").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.DueSoon, Key: "cycle:1:7", To: []int64{ann}})
		if err != nil || n != 0 {
			t.Errorf("opted out: %d rows, %v", n, err)
		}
		if _, err := notify.Enqueue(ctx, db, now, notify.Event{Kind: "nonsense", Key: "x"}); err == nil {
			t.Error("an unknown kind was queued")
		}
	})
}

// TestCheckPlaceholders accepts the kind's and the common placeholders and
// names the first one it does not know.
func TestCheckPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		kind notify.Kind
		text string
		bad  string
	}{
		{notify.Assigned, "Hello {first_name}, {programme} is due {due_date} at {company}", ""},
		{notify.Assigned, "Due {due}", "{due} is not a placeholder"},
		{notify.Overdue, "{programme} {Programme}", "not closed"},
		{notify.Overdue, "{programme", "not closed"},
		{notify.TestMessage, "{programme}", "{programme} is not a placeholder"},
	} {
		err := notify.CheckPlaceholders(tc.kind, tc.text)
		if tc.bad == "" && err != nil || tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)) {
			t.Errorf("%s %q: %v, want %q", tc.kind, tc.text, err, tc.bad)
		}
	}
	if got := notify.Fill("{programme} by {due_date}{x}", map[string]string{"programme": "Induction", "due_date": "1 March"}); got != "Induction by 1 March" {
		t.Errorf("Fill: %q", got)
	}
}

// TestUnsubscribeToken: the token names the employee and kind it was made
// for, the secret is kept in the database, and any change to the token, or a
// kind that cannot be turned off, is refused.
func TestUnsubscribeToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		secret, err := notify.Secret(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		again, err := notify.Secret(ctx, db)
		if err != nil || string(again) != string(secret) {
			t.Fatalf("the secret changed: %v", err)
		}
		tok := notify.UnsubscribeToken(secret, 42, notify.DueSoon)
		if id, kind, err := notify.ParseUnsubscribe(secret, tok); err != nil || id != 42 || kind != notify.DueSoon {
			t.Errorf("parse: %d %s %v", id, kind, err)
		}
		for _, bad := range []string{"", tok[:len(tok)-1], strings.Replace(tok, "42.", "43.", 1), strings.Replace(tok, "due_soon", "manager_digest", 1),
			notify.UnsubscribeToken(secret, 42, notify.Overdue), notify.UnsubscribeToken([]byte("another secret"), 42, notify.DueSoon)} {
			if _, _, err := notify.ParseUnsubscribe(secret, bad); err != notify.ErrBadToken {
				t.Errorf("%q: %v", bad, err)
			}
		}
	})
}
