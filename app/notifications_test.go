package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
)

// employeeIDByEmail is the id of the demo employee with email.
func employeeIDByEmail(t *testing.T, ts *testServer, email string) int64 {
	t.Helper()
	e, err := ts.People.FindEmployeeByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	return e.ID
}

// clearNotifications empties the outbox, for tests that count exactly
// (the demo's own workflows may have queued some).
func clearNotifications(t *testing.T, ts *testServer) {
	t.Helper()
	if _, err := ts.DB.NewDelete().TableExpr("notifications").Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// enqueue queues ev now through notify.Enqueue, as a producer does.
func enqueue(t *testing.T, ts *testServer, ev notify.Event) {
	t.Helper()
	if _, err := notify.Enqueue(context.Background(), ts.DB, time.Now(), ev); err != nil {
		t.Fatalf("enqueue %s: %v", ev.Kind, err)
	}
}

// bellOf reads the bell of a page: its accessible name and the count shown.
func bellOf(t *testing.T, body string) (label, count string) {
	t.Helper()
	b := doc(t, body).Find("header a#bell")
	if b.Length() != 1 {
		t.Fatalf("no bell in the header")
	}
	label, _ = b.Attr("aria-label")
	return label, strings.TrimSpace(b.Find(".bell-count").Text())
}

// inboxIDs are the ids of the notifications a list page shows, in order.
func inboxIDs(t *testing.T, body string) []int64 {
	t.Helper()
	var ids []int64
	for _, id := range doc(t, body).Find("ol#inbox > li").Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("id"); return v }) {
		n, _ := strconv.ParseInt(strings.TrimPrefix(id, "n-"), 10, 64)
		ids = append(ids, n)
	}
	return ids
}

// TestNotificationCentre: the bell counts a person's unread notifications
// on every page; the list shows their own, newest first, worded from the
// kind with the row's data; opening one marks it read and follows its link
// (never off the site); someone else's is 404; marking needs the CSRF
// token; "mark all read" empties the bell.
func TestNotificationCentre(t *testing.T) {
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts)
	staff, mgr := employeeIDByEmail(t, ts, staffEmail), employeeIDByEmail(t, ts, ccMgrEmail)
	c := ts.client(t)
	c.signIn(staffEmail)
	_, body := c.get("/")
	if label, count := bellOf(t, body); label != "Notifications, none unread" || count != "" {
		t.Errorf("bell before: %q %q", label, count)
	}

	enqueue(t, ts, notify.Event{Kind: notify.Assigned, Key: "t:1", To: []int64{staff, mgr},
		Data: map[string]string{"programme": "Fire Safety", "due_date": "9 Jan 2027", "link": "/learn"}})
	enqueue(t, ts, notify.Event{Kind: notify.DueSoon, Key: "t:2", To: []int64{staff},
		Data: map[string]string{"programme": "Fire Safety", "due_date": "9 Jan 2027", "days": "7 days", "link": "https://evil.example/phish"}})
	enqueue(t, ts, notify.Event{Kind: notify.CertificateIssued, Key: "t:3", To: []int64{staff}, Data: map[string]string{"programme": "Fire Safety"}})

	// The list counts afresh (other pages reuse a count for up to 3 s).
	_, body = c.get("/notifications")
	if label, count := bellOf(t, body); label != "Notifications 3 unread" || count != "3" {
		t.Errorf("bell after three: %q %q", label, count)
	}
	if _, learn := c.get("/learn"); !strings.Contains(learn, `aria-label="Notifications 3 unread"`) {
		t.Error("the next page's bell is behind the list's")
	}
	d := doc(t, body)
	ids := inboxIDs(t, body)
	if len(ids) != 3 {
		t.Fatalf("list: %d items, want 3\n%s", len(ids), d.Find("main").Text())
	}
	first := d.Find("ol#inbox > li").First()
	if sub := strings.TrimSpace(first.Find(".inbox-subject").Text()); sub != "Your certificate: Fire Safety" {
		t.Errorf("newest first: %q", sub)
	}
	last := d.Find("ol#inbox > li").Last()
	if sub, op := strings.TrimSpace(last.Find(".inbox-subject").Text()), strings.TrimSpace(last.Find(".inbox-opening").Text()); sub != "New training for you: Fire Safety" ||
		op != "You have been assigned Fire Safety. Due: 9 Jan 2027." {
		t.Errorf("assigned item: %q / %q", sub, op)
	}
	if first.Find(".inbox-subject a").Length() != 0 {
		t.Error("an item without a link is a link")
	}
	if got := strings.TrimSpace(d.Find("#inbox-summary").Text()); got != "3 unread of 3 notifications." {
		t.Errorf("summary: %q", got)
	}

	// The manager's copy of the assigned notification: not the staff member's.
	var mgrRow notify.Row
	if err := ts.DB.NewSelect().Model(&mgrRow).Where("employee_id = ? AND channel = 'inapp'", mgr).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.get("/notifications/" + strconv.FormatInt(mgrRow.ID, 10)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("open someone else's: %d, want 404", resp.StatusCode)
	}
	if resp, _ := c.post("/notifications/"+strconv.FormatInt(mgrRow.ID, 10)+"/read", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("mark someone else's read: %d, want 404", resp.StatusCode)
	}
	if resp, _ := c.get("/notifications/not-a-number"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a mangled id: %d, want 404", resp.StatusCode)
	}

	// Opening follows the link on this site, and an off-site one goes to the list.
	resp, _ := c.get("/notifications/" + strconv.FormatInt(ids[2], 10))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/learn" {
		t.Errorf("open assigned: %d → %q, want 303 → /learn", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = c.get("/notifications/" + strconv.FormatInt(ids[1], 10))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notifications" {
		t.Errorf("open an off-site link: %d → %q, want 303 → /notifications", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = c.get("/notifications")
	if label, _ := bellOf(t, body); label != "Notifications 1 unread" {
		t.Errorf("bell after opening two: %q", label)
	}
	if status, _ := doc(t, body).Find("#n-" + strconv.FormatInt(ids[2], 10)).Attr("data-status"); status != "read" {
		t.Errorf("opened item is %q", status)
	}

	// Marking read needs the CSRF token.
	resp, _ = c.post("/notifications/read-all", url.Values{"_csrf": {"forged"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("mark all read with a forged token: %d, want 403", resp.StatusCode)
	}
	resp, _ = c.post("/notifications/"+strconv.FormatInt(ids[0], 10)+"/read", url.Values{"_csrf": {"forged"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("mark read with a forged token: %d, want 403", resp.StatusCode)
	}
	_, body = c.get("/notifications")
	if label, _ := bellOf(t, body); label != "Notifications 1 unread" {
		t.Errorf("bell after forged posts: %q", label)
	}
	resp, _ = c.post("/notifications/read-all", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark all read: %d", resp.StatusCode)
	}
	_, body = c.get("/notifications")
	if label, count := bellOf(t, body); label != "Notifications, none unread" || count != "" {
		t.Errorf("bell after mark all read: %q %q", label, count)
	}
	if doc(t, body).Find("button#read-all").Length() != 0 {
		t.Error("mark all read offered with nothing unread")
	}
	// The manager's stays unread.
	if n, _ := notify.UnreadCount(context.Background(), ts.DB, mgr, 100); n != 1 {
		t.Errorf("manager's unread: %d, want 1", n)
	}
}

// TestNotificationPreferences: a person turns an optional kind off on their
// account page (audited; Enqueue then skips them) and sees the mandatory
// ones listed with why; staff are not offered managers' kinds.
func TestNotificationPreferences(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	staff := employeeIDByEmail(t, ts, staffEmail)
	c := ts.client(t)
	c.signIn(staffEmail)
	_, body := c.get("/account/notifications")
	d := doc(t, body)
	if d.Find("#k-due_soon[checked]").Length() != 1 || d.Find("#k-certificate_issued[checked]").Length() != 1 {
		t.Errorf("optional kinds not offered ticked:\n%s", d.Find("#preferences-form").Text())
	}
	if d.Find("#k-manager_digest").Length() != 0 || d.Find("#k-essay_to_grade").Length() != 0 {
		t.Error("staff are offered managers' kinds")
	}
	always := d.Find("#always-sent").Text()
	if !strings.Contains(always, "Programme assigned") || !strings.Contains(always, notify.AlwaysSent(notify.Assigned)) || strings.Contains(always, "Test e-mail") {
		t.Errorf("always sent: %q", always)
	}

	v := browserForm(d, "#preferences-form")
	v.Del("kind_due_soon")
	if resp, _ := c.post("/account/notifications", v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if outs, _ := notify.OptOuts(ctx, ts.DB, staff); len(outs) != 1 || !outs[notify.DueSoon] {
		t.Errorf("opt-outs: %v", outs)
	}
	if n, _ := notify.Enqueue(ctx, ts.DB, time.Now(), notify.Event{Kind: notify.DueSoon, Key: "p:1", To: []int64{staff}}); n != 0 {
		t.Errorf("turned off, %d rows queued", n)
	}
	_, body = c.get("/account/notifications")
	if d := doc(t, body); d.Find("#k-due_soon[checked]").Length() != 0 || !strings.Contains(d.Find(".flash").Text(), "Due soon turned off") {
		t.Errorf("after saving: flash %q", d.Find(".flash").Text())
	}
	var audit people.AuditEntry
	if err := ts.DB.NewSelect().Model(&audit).Where("action = 'notification.preferences'").Scan(ctx); err != nil || audit.Subject != staffNumber || !strings.Contains(audit.Detail, "Due soon turned off") {
		t.Errorf("audit: %+v, %v", audit, err)
	}
	if resp, _ := c.post("/account/notifications", url.Values{"_csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged save: %d", resp.StatusCode)
	}
}

// TestNotificationSettings: HR's page lists every kind; an unknown
// placeholder is refused next to its field (422) with the text kept, and
// nothing saved; Preview fills the typed wording with sample data; Save
// stores and audits it; staff get 403 and a forged token 403.
func TestNotificationSettings(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	staff := ts.client(t)
	staff.signIn(staffEmail)
	if resp, _ := staff.get("/settings/notifications"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff: %d, want 403", resp.StatusCode)
	}
	hr := ts.client(t)
	hr.signIn(hrEmail)
	_, body := hr.get("/settings/company")
	if doc(t, body).Find(`a#notification-settings-link[href="/settings/notifications"]`).Length() != 1 {
		t.Error("company settings do not link to the notification settings")
	}
	_, body = hr.get("/settings/notifications")
	d := doc(t, body)
	if n := d.Find("section.kind-setting").Length(); n != len(notify.Kinds) {
		t.Errorf("%d kinds listed, want %d", n, len(notify.Kinds))
	}
	if ph, _ := d.Find("#f-assigned-subject").Attr("placeholder"); ph != notify.Kinds[0].DefaultSubject {
		t.Errorf("default as placeholder: %q", ph)
	}
	if d.Find("#f-overdue-enabled").Length() != 0 || d.Find("#f-due_soon-enabled").Length() != 1 {
		t.Error("the switch is offered on a mandatory kind or missing on an optional one")
	}
	if hint := d.Find("#p-assigned").Text(); !strings.Contains(hint, "{programme}") || !strings.Contains(hint, "{first_name}") {
		t.Errorf("placeholders listed: %q", hint)
	}

	typed := "Hi {first_name}: {course} is yours"
	resp, body := hr.post("/settings/notifications/assigned", url.Values{"subject": {typed}, "opening": {""}, "action": {"save"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad placeholder: %d", resp.StatusCode)
	}
	d = doc(t, body)
	if msg := d.Find("#kind-assigned #e-assigned-subject").Text(); !strings.Contains(msg, "{course} is not a placeholder") {
		t.Errorf("message next to the field: %q", msg)
	}
	if v, _ := d.Find("#f-assigned-subject").Attr("value"); v != typed {
		t.Errorf("typed text lost: %q", v)
	}
	if inv, _ := d.Find("#f-assigned-subject").Attr("aria-invalid"); inv != "true" {
		t.Error("the field is not marked invalid")
	}
	if sub, _ := notify.CurrentWording(ctx, ts.DB, notify.Assigned); sub != notify.Kinds[0].DefaultSubject {
		t.Errorf("a refused subject was saved: %q", sub)
	}

	good := "Hi {first_name}: {programme} is yours"
	resp, body = hr.post("/settings/notifications/assigned", url.Values{"subject": {good}, "action": {"preview"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	d = doc(t, body)
	if got := strings.TrimSpace(d.Find("#preview-assigned .preview-subject").Text()); got != "Hi Aisha: Customer Service Induction is yours" {
		t.Errorf("preview subject: %q", got)
	}
	if got := strings.TrimSpace(d.Find("#preview-assigned .preview-opening").Text()); got != "You have been assigned Customer Service Induction. Due: 14 Dec 2026." {
		t.Errorf("preview opening (the default): %q", got)
	}
	if sub, _ := notify.CurrentWording(ctx, ts.DB, notify.Assigned); sub != notify.Kinds[0].DefaultSubject {
		t.Errorf("preview saved: %q", sub)
	}

	if resp, _ := hr.post("/settings/notifications/assigned", url.Values{"subject": {good}, "action": {"save"}, "_csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged: %d", resp.StatusCode)
	}
	if resp, _ := hr.post("/settings/notifications/assigned", url.Values{"subject": {good}, "action": {"save"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if sub, _ := notify.CurrentWording(ctx, ts.DB, notify.Assigned); sub != good {
		t.Errorf("saved subject: %q", sub)
	}
	// An optional kind switched off company-wide (the checkbox not sent).
	if resp, _ := hr.post("/settings/notifications/manager_digest", url.Values{"action": {"save"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch off: %d", resp.StatusCode)
	}
	if ks, _ := notify.FindKindSetting(ctx, ts.DB, notify.ManagerDigest); ks.Enabled {
		t.Error("the digest is still on")
	}
	var entries []people.AuditEntry
	if err := ts.DB.NewSelect().Model(&entries).Where("action = 'notification.kind'").Order("id").Scan(ctx); err != nil || len(entries) != 2 ||
		entries[0].Subject != "assigned" || !strings.Contains(entries[0].Detail, good) || !strings.Contains(entries[1].Detail, "switched off") {
		t.Errorf("audit: %+v, %v", entries, err)
	}
	if resp, _ := hr.post("/settings/notifications/nonsense", url.Values{"action": {"save"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown kind: %d", resp.StatusCode)
	}
}

// TestUnsubscribe: the link works signed out; a changed token is a 400 page
// and changes nothing; a mail client's one-click POST (no cookie, no CSRF
// token) answers 200 and turns the kind off, audited.
func TestUnsubscribe(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	staff := employeeIDByEmail(t, ts, staffEmail)
	secret, err := notify.Secret(ctx, ts.DB)
	if err != nil {
		t.Fatal(err)
	}
	token := notify.UnsubscribeToken(secret, staff, notify.DueSoon)
	visitor := ts.client(t)
	resp, body := visitor.get("/unsubscribe/" + token)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc(t, body).Find("button#unsubscribe").Text(), "Due soon") {
		t.Fatalf("show: %d\n%s", resp.StatusCode, body)
	}
	for _, bad := range []string{token[:len(token)-2] + "xx", strings.Replace(token, strconv.FormatInt(staff, 10)+".", strconv.FormatInt(staff+1, 10)+".", 1),
		notify.UnsubscribeToken(secret, staff, notify.Overdue), "nonsense"} {
		for _, method := range []string{"GET", "POST"} {
			var resp *http.Response
			var body string
			if method == "GET" {
				resp, body = visitor.get("/unsubscribe/" + url.PathEscape(bad))
			} else {
				resp, body = oneClick(t, ts, bad)
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(doc(t, body).Find("#unsubscribe-bad").Text(), "not valid") {
				t.Errorf("%s %q: %d, want 400 with the message", method, bad, resp.StatusCode)
			}
		}
	}
	if outs, _ := notify.OptOuts(ctx, ts.DB, staff); len(outs) != 0 {
		t.Fatalf("a bad token changed something: %v", outs)
	}

	resp, body = oneClick(t, ts, token)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc(t, body).Find("#unsubscribe-done").Text(), "Due soon") {
		t.Fatalf("one-click: %d\n%s", resp.StatusCode, body)
	}
	if outs, _ := notify.OptOuts(ctx, ts.DB, staff); !outs[notify.DueSoon] || len(outs) != 1 {
		t.Errorf("after one-click: %v", outs)
	}
	var audit people.AuditEntry
	if err := ts.DB.NewSelect().Model(&audit).Where("action = 'notification.unsubscribe'").Scan(ctx); err != nil ||
		audit.Subject != staffNumber || audit.ActorID == nil || *audit.ActorID != staff || !strings.Contains(audit.Detail, "one-click") {
		t.Errorf("audit: %+v, %v", audit, err)
	}
	// Again: still 200, nothing more written; the page says it is off already.
	if resp, _ := oneClick(t, ts, token); resp.StatusCode != http.StatusOK {
		t.Errorf("one-click again: %d", resp.StatusCode)
	}
	if n, _ := ts.DB.NewSelect().Model((*people.AuditEntry)(nil)).Where("action = 'notification.unsubscribe'").Count(ctx); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	if _, body := visitor.get("/unsubscribe/" + token); doc(t, body).Find("#unsubscribe-already").Length() != 1 {
		t.Error("the page does not say it is off already")
	}
}

// oneClick POSTs an RFC 8058 one-click unsubscribe as a mail client does:
// no cookie, no CSRF token.
func oneClick(t *testing.T, ts *testServer, token string) (*http.Response, string) {
	t.Helper()
	return ts.client(t).do("POST", "/unsubscribe/"+url.PathEscape(token), strings.NewReader("List-Unsubscribe=One-Click"), "application/x-www-form-urlencoded")
}

// TestNotificationPages: the list is paged 20 at a time, newest first, and
// "Mark read" goes back to the page it was pressed on.
func TestNotificationPages(t *testing.T) {
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts)
	staff := employeeIDByEmail(t, ts, staffEmail)
	start := time.Now().Add(-time.Hour)
	for i := range 23 {
		if _, err := notify.Enqueue(context.Background(), ts.DB, start.Add(time.Duration(i)*time.Minute), notify.Event{Kind: notify.CertificateIssued,
			Key: "pg:" + strconv.Itoa(i), To: []int64{staff}, Data: map[string]string{"programme": "P" + strconv.Itoa(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	c := ts.client(t)
	c.signIn(staffEmail)
	_, body := c.get("/notifications")
	d := doc(t, body)
	subjects := d.Find("ol#inbox .inbox-subject").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	if len(subjects) != 20 || subjects[0] != "Your certificate: P22" || subjects[19] != "Your certificate: P3" {
		t.Fatalf("page 1: %d items, %q … %q", len(subjects), subjects[0], subjects[len(subjects)-1])
	}
	next, _ := d.Find(`nav.pagination a[rel="next"]`).Attr("href")
	if next != "/notifications?page=2" {
		t.Fatalf("next: %q", next)
	}
	_, body = c.get(next)
	ids := inboxIDs(t, body)
	if len(ids) != 3 {
		t.Fatalf("page 2: %d items", len(ids))
	}
	resp, _ := c.post("/notifications/"+strconv.FormatInt(ids[0], 10)+"/read", url.Values{"page": {"2"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notifications?page=2" {
		t.Errorf("mark read on page 2: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := c.get("/notifications?page=2"); !strings.Contains(doc(t, body).Find("#inbox-summary").Text(), "22 unread of 23") {
		t.Errorf("summary after one read: %q", doc(t, body).Find("#inbox-summary").Text())
	}
	if _, body := c.get("/notifications?page=9"); !strings.Contains(doc(t, body).Find("#inbox-empty").Text(), "Nothing on this page") {
		t.Error("a page past the end does not say so")
	}
}
