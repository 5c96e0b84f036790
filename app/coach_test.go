package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/store/storetest"
)

// TestCoachBulk: from the coach queue a manager extends the due dates of
// the people ticked (audited, with a reason) and reminds them now (once a
// day); bad input comes back with messages by the field; nobody outside
// the line, nor the manager themself, can be acted on, and then nothing
// changes.
func TestCoachBulk(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			head := ts.client(t)
			head.signIn(headEmail)
			_, body := head.get("/team/coach")
			d := doc(t, body)
			var who string
			d.Find("#people li.coach-person:has(li[data-kind=overdue])").EachWithBreak(func(_ int, li *goquery.Selection) bool {
				who = li.AttrOr("data-employee", "")
				return false
			})
			if who == "" {
				t.Fatal("nobody overdue in Olivia's line")
			}
			whoID := employeeID(t, ts, who)
			count := func(q string, args ...any) int {
				t.Helper()
				var n int
				if err := ts.DB.NewRaw(q, args...).Scan(ctx, &n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			newDue := time.Now().AddDate(0, 0, 40).Format(time.DateOnly)
			movedTo := func(id int64) int {
				return count("SELECT COUNT(*) FROM cycles WHERE employee_id = ? AND due_on = ?", id, newDue)
			}

			// Bad input: no reason, a date in the past; what was typed stays.
			resp, body := head.post("/team/coach/bulk", url.Values{"employee": {who}, "action": {"extend"}, "due_on": {newDue}})
			d = doc(t, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-reason").Length() != 1 || d.Find("#f-due_on").AttrOr("value", "") != newDue ||
				d.Find("#sel-"+who+"[checked]").Length() != 1 {
				t.Errorf("no reason: %d %q", resp.StatusCode, d.Find("#bulk-actions").Text())
			}
			resp, body = head.post("/team/coach/bulk", url.Values{"employee": {who}, "action": {"extend"}, "due_on": {"2020-01-01"}, "reason": {"Busy"}})
			if d = doc(t, body); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#e-due_on").Text(), "past") {
				t.Errorf("past date: %d %q", resp.StatusCode, d.Find("#e-due_on").Text())
			}
			resp, body = head.post("/team/coach/bulk", url.Values{"action": {"extend"}, "due_on": {newDue}, "reason": {"Busy"}})
			if d = doc(t, body); resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-employee").Length() != 1 {
				t.Errorf("nobody ticked: %d", resp.StatusCode)
			}
			if movedTo(whoID) != 0 {
				t.Fatal("bad input moved a due date")
			}

			// Outside the line: the contact centre manager cannot act on
			// Aisha (front desk) — 404 — nor anyone on themself — 403.
			aishaID := employeeID(t, ts, staffNumber)
			dk := ts.client(t)
			dk.signIn(ccMgrEmail)
			dk.get("/team/coach")
			for _, action := range []string{"extend", "remind"} {
				resp, _ = dk.post("/team/coach/bulk", url.Values{"employee": {staffNumber}, "action": {action}, "due_on": {newDue}, "reason": {"Busy"}})
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s outside the line: %d", action, resp.StatusCode)
				}
			}
			resp, _ = head.post("/team/coach/bulk", url.Values{"employee": {who, headNumber}, "action": {"extend"}, "due_on": {newDue}, "reason": {"Busy"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("on themself: %d", resp.StatusCode)
			}
			if movedTo(aishaID) != 0 || movedTo(whoID) != 0 ||
				count("SELECT COUNT(*) FROM notifications WHERE idem_key LIKE ?", "overdue|manual:%") != 0 {
				t.Fatal("a refused bulk action changed something")
			}
			// Without the CSRF token: refused.
			resp, _ = head.post("/team/coach/bulk", url.Values{"_csrf": {"wrong"}, "employee": {who}, "action": {"extend"}, "due_on": {newDue}, "reason": {"Busy"}})
			if resp.StatusCode != http.StatusForbidden || movedTo(whoID) != 0 {
				t.Errorf("bad CSRF token: %d", resp.StatusCode)
			}

			// Remind: queued now, once a day.
			resp, _ = head.post("/team/coach/bulk", url.Values{"employee": {who}, "action": {"remind"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("remind: %d", resp.StatusCode)
			}
			sent := count("SELECT COUNT(*) FROM notifications WHERE employee_id = ? AND idem_key LIKE ?", whoID, "overdue|manual:%")
			if sent == 0 {
				t.Error("remind queued nothing for someone overdue")
			}
			head.get("/team/coach")
			head.post("/team/coach/bulk", url.Values{"employee": {who}, "action": {"remind"}})
			if again := count("SELECT COUNT(*) FROM notifications WHERE employee_id = ? AND idem_key LIKE ?", whoID, "overdue|manual:%"); again != sent {
				t.Errorf("a second reminder the same day: %d rows, then %d", sent, again)
			}
			head.get("/team/coach")
			// Extend: the overdue programmes move, each audited.
			head.get("/team/coach")
			resp, _ = head.post("/team/coach/bulk", url.Values{"employee": {who}, "action": {"extend"}, "due_on": {newDue}, "reason": {"Busy season"}})
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/team/coach") {
				t.Fatalf("extend: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if movedTo(whoID) == 0 {
				t.Error("extend moved no due date")
			}
			if n := count("SELECT COUNT(*) FROM audit_log WHERE subject = ? AND detail LIKE ?", who, "%Busy season%"); n == 0 {
				t.Error("the extension is not audited")
			}
			_, body = head.get("/team/coach")
			if !strings.Contains(body, "Due dates moved to") {
				t.Error("no confirmation after extending")
			}

		})
	}
}

// TestCoachRemind: someone overdue is reminded now from the queue; the
// reminder is the overdue kind, keyed manual:CYCLE:DATE, and audited.
func TestCoachRemind(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	dk := ts.client(t)
	dk.signIn(ccMgrEmail)
	_, body := dk.get("/team/coach")
	var who string
	doc(t, body).Find("#people li.coach-person:has(li[data-kind=overdue])").EachWithBreak(func(_ int, li *goquery.Selection) bool {
		who = li.AttrOr("data-employee", "")
		return false
	})
	if who == "" {
		t.Fatal("nobody overdue in the contact centre")
	}
	resp, _ := dk.post("/team/coach/bulk", url.Values{"employee": {who}, "action": {"remind"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remind: %d", resp.StatusCode)
	}
	var keys []string
	if err := ts.DB.NewRaw("SELECT idem_key FROM notifications WHERE employee_id = ? AND kind = 'overdue' AND idem_key LIKE ?",
		employeeID(t, ts, who), "overdue|manual:%").Scan(ctx, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("no reminder queued")
	}
	today := time.Now().Format(time.DateOnly)
	for _, k := range keys {
		if !strings.Contains(k, ":"+today[:7]) {
			t.Errorf("key %q does not carry the day", k)
		}
	}
	var audited int
	if err := ts.DB.NewRaw("SELECT COUNT(*) FROM audit_log WHERE subject = ? AND action = 'reminder.overdue'", who).Scan(ctx, &audited); err != nil || audited != 1 {
		t.Errorf("audited %d times (%v)", audited, err)
	}
	_, body = dk.get("/team/coach")
	if !strings.Contains(body, "Reminder sent to 1 person") {
		t.Error("no confirmation")
	}
}
