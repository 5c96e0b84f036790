package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/notify/mailpittest"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/training"
)

func mustDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func lastEmail(t *testing.T, ts *testServer) notify.Row {
	t.Helper()
	var r notify.Row
	if err := ts.DB.NewSelect().Model(&r).Where("channel = 'email'").OrderExpr("id DESC").Limit(1).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestOutbox: without SMTP the admin reads every message in the outbox (the
// banner says they are kept, not sent), filters it, sees one rendered with
// hostile data escaped and its HTML in a sandboxed frame, resends a failed
// one and queues a test e-mail (both audited); a bad address comes back
// next to the field. The API lists the same rows for HR tokens.
func TestOutbox(t *testing.T) {
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts) // the demo's history queued mail of its own; this test counts rows
	ctx := context.Background()
	staff, err := ts.People.FindEmployeeByNumber(ctx, staffNumber)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Enqueue(ctx, ts.DB, time.Now(), notify.Event{Kind: notify.Assigned, Key: "outbox-test", To: []int64{staff.ID},
		Data: map[string]string{"programme": `Fire <script>alert(1)</script> safety`, "due_date": "15 December 2026",
			"link": "/learn", "ics_due": "2026-12-15"}}); err != nil {
		t.Fatal(err)
	}
	row := lastEmail(t, ts)
	id := strconv.FormatInt(row.ID, 10)

	admin := ts.client(t)
	admin.signIn(adminEmail)
	resp, body := admin.get("/admin/outbox?channel=email&employee=" + staffNumber)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outbox: %d", resp.StatusCode)
	}
	d := mustDoc(t, body)
	if !strings.Contains(d.Find("#no-smtp").Text(), "kept here, not sent") {
		t.Error("no banner saying e-mails are kept, not sent")
	}
	if n := d.Find("#outbox tbody tr").Length(); n != 1 || d.Find("#n-"+id).Length() != 1 {
		t.Errorf("filtered outbox has %d rows (want notification %s):\n%s", n, id, d.Find("#outbox").Text())
	}
	if !strings.Contains(d.Find("#n-"+id).Text(), "queued") {
		t.Errorf("row: %s", d.Find("#n-"+id).Text())
	}
	if href, _ := d.Find(`nav a[href="/admin/outbox"]`).Attr("href"); href != "/admin/outbox" {
		t.Error("no Outbox link in the navigation")
	}

	resp, body = admin.get("/admin/outbox/" + id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("show: %d", resp.StatusCode)
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("the programme's <script> reached the page unescaped")
	}
	d = mustDoc(t, body)
	if h1 := d.Find("h1").Text(); h1 != "New training for you: Fire <script>alert(1)</script> safety" {
		t.Errorf("h1 %q", h1)
	}
	if txt := d.Find("#mail-text").Text(); !strings.Contains(txt, "http://localhost/learn") || !strings.Contains(txt, "Hello Aisha,") {
		t.Errorf("text part:\n%s", txt)
	}
	if !strings.Contains(d.Find("#mail-ics").Text(), "DTSTART;VALUE=DATE:20261215") {
		t.Error("no calendar entry shown")
	}
	if sb, ok := d.Find("#mail-html").Attr("sandbox"); !ok || sb != "" {
		t.Errorf("the frame is not sandboxed: %q %v", sb, ok)
	}
	resp, body = admin.get("/admin/outbox/" + id + "/html")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") ||
		!strings.Contains(body, `href="http://localhost/learn"`) || strings.Contains(body, "<script>alert") {
		t.Errorf("html part: %d CSP %q\n%s", resp.StatusCode, csp, body)
	}
	if d.Find("#resend").Length() != 0 {
		t.Error("a queued e-mail offers Resend")
	}

	// Resend a failed one: a new row, the original kept, audited.
	if _, err := ts.DB.NewUpdate().Model((*notify.Row)(nil)).Set("status = 'failed', error = '550 5.1.1 no such user', attempts = 1").
		Where("id = ?", row.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, body = admin.get("/admin/outbox/" + id)
	d = mustDoc(t, body)
	if d.Find("#error").Text() != "550 5.1.1 no such user" || d.Find("#resend").Length() != 1 {
		t.Errorf("failed message page: error %q, resend %d", d.Find("#error").Text(), d.Find("#resend").Length())
	}
	resp, _ = admin.post("/admin/outbox/"+id+"/resend", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resend: %d", resp.StatusCode)
	}
	copyRow := lastEmail(t, ts)
	if copyRow.ID == row.ID || copyRow.Status != notify.Queued || resp.Header.Get("Location") != "/admin/outbox/"+strconv.FormatInt(copyRow.ID, 10) {
		t.Errorf("resend made %+v, went to %s", copyRow, resp.Header.Get("Location"))
	}
	var audits int64
	audits, _ = ts.DB.NewSelect().TableExpr("audit_log").Where("action = 'notification.resend' AND subject = ?", staffNumber).Count(ctx)
	if audits != 1 {
		t.Errorf("%d resend audit entries", audits)
	}

	// The test e-mail: a bad address next to the field, kept as typed.
	resp, body = admin.post("/admin/outbox/test", url.Values{"address": {"me at example"}})
	d = mustDoc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#e-address").Text(), "not an e-mail address") {
		t.Errorf("bad test address: %d %q", resp.StatusCode, d.Find("#e-address").Text())
	}
	if v, _ := d.Find("#f-address").Attr("value"); v != "me at example" {
		t.Errorf("typed address lost: %q", v)
	}
	resp, _ = admin.post("/admin/outbox/test", url.Values{"address": {"it@example.com"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test e-mail: %d", resp.StatusCode)
	}
	if r := lastEmail(t, ts); r.Kind != notify.TestMessage || r.Address != "it@example.com" || r.Status != notify.Queued {
		t.Errorf("test row %+v", r)
	}

	// The API, HR tokens only; a bad filter names its field.
	hrTok := mustToken(t, ts, people.RoleHR, hrNumber)
	status, _, raw := apiCall(t, ts, hrTok, "GET", "/api/v1/notifications?employee="+staffNumber+"&kind=assigned&status=failed", "")
	var list struct {
		Notifications []map[string]any `json:"notifications"`
		Next          *string          `json:"next"`
	}
	if err := json.Unmarshal([]byte(raw), &list); status != 200 || err != nil || len(list.Notifications) != 1 || list.Next == nil {
		t.Fatalf("api: %d %v %s", status, err, raw)
	}
	n := list.Notifications[0]
	for _, k := range []string{"id", "kind", "employee_number", "channel", "status", "created_at", "sent_at", "attempts", "error"} {
		if _, ok := n[k]; !ok {
			t.Errorf("api row lacks %q: %v", k, n)
		}
	}
	if n["employee_number"] != staffNumber || n["status"] != "failed" || n["error"] != "550 5.1.1 no such user" || n["attempts"] != 1.0 {
		t.Errorf("api row %v", n)
	}
	status, body2, _ := apiCall(t, ts, hrTok, "GET", "/api/v1/notifications?status=lost", "")
	if status != http.StatusUnprocessableEntity || body2["field"] != "status" {
		t.Errorf("bad status filter: %d %v", status, body2)
	}
	status, body2, _ = apiCall(t, ts, hrTok, "GET", "/api/v1/notifications?employee=NOPE", "")
	if status != http.StatusUnprocessableEntity || body2["field"] != "employee" {
		t.Errorf("unknown employee: %d %v", status, body2)
	}
	resp, body = admin.get("/admin/outbox?employee=NOPE")
	if d := mustDoc(t, body); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#e-employee").Text(), "no employee with number") {
		t.Errorf("unknown employee on the page: %d %q", resp.StatusCode, d.Find("#e-employee").Text())
	}
	if status, _, _ := apiCall(t, ts, mustToken(t, ts, people.RoleManager, ccMgrNumber), "GET", "/api/v1/notifications", ""); status != http.StatusForbidden {
		t.Errorf("manager token: %d", status)
	}
}

// TestOutboxMailToRunningServer delivers through Mailpit with the base URL
// of a running server: the links in the message work there, and the
// outbox shows the message sent, with SMTP named in the banner.
func TestOutboxMailToRunningServer(t *testing.T) {
	mp := mailpittest.Start(t, "--smtp-allowed-recipients", `@brightwater\.example$`)
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts) // the demo's history queued mail of its own; this test counts what is sent
	url0 := ts.Listen(t)
	svc, err := training.New(ts.DB, training.Options{BaseURL: url0})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := notify.ParseSMTPURL(mp.SMTPURL())
	if err != nil {
		t.Fatal(err)
	}
	sender := svc.NewSender(url0, notify.SenderOptions{SMTP: cfg, From: mail.Address{Name: "Academy", Address: "academy@example.com"}})
	web, err := app.New(app.Config{DB: ts.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: url0, Version: "test",
		Training: svc, Mail: app.MailConfig{Server: cfg.String(), From: "academy@example.com", Wake: sender.Wake}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	staff, err := ts.People.FindEmployeeByNumber(ctx, staffNumber)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Enqueue(ctx, ts.DB, svc.Now(), notify.Event{Kind: notify.CertificateIssued, Key: "links", To: []int64{staff.ID},
		Data: map[string]string{"programme": "Induction", "link": "/verify", "link_label": "Verify", "link2": "/learn", "link2_label": "My learning"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.QueueTest(ctx, ts.DB, svc.Now(), "nobody@blocked.example.org"); err != nil {
		t.Fatal(err)
	}
	if rep, err := sender.SendDue(ctx); err != nil || rep.Sent != 1 || rep.Failed != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	msgs := mp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := mp.Message(msgs[0].ID)
	links := regexp.MustCompile(`https?://[^\s"<>]+`).FindAllString(m.Text, -1)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	seen := map[string]int{}
	for _, l := range links {
		if !strings.HasPrefix(l, url0+"/") {
			t.Errorf("a link not under the base URL: %s", l)
			continue
		}
		resp, err := noRedirect.Get(l)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		seen[strings.TrimPrefix(l, url0)] = resp.StatusCode
	}
	// /verify is public; /learn asks a visitor to sign in; the unsubscribe
	// link is another helper's page (any answer but a server error).
	if seen["/verify"] != 200 || seen["/learn"] != http.StatusFound {
		t.Errorf("links answered %v", seen)
	}
	for l, code := range seen {
		if code >= 500 {
			t.Errorf("%s answered %d", l, code)
		}
	}
	if len(m.ListUnsubscribe.Links) != 1 || !strings.HasPrefix(m.ListUnsubscribe.Links[0], url0+"/unsubscribe/") {
		t.Errorf("List-Unsubscribe %+v", m.ListUnsubscribe)
	}

	// The outbox on that app: sent, and the banner names the server without its password.
	ts.App = web
	admin := ts.client(t)
	admin.signIn(adminEmail)
	_, body := admin.get("/admin/outbox?status=sent")
	d := mustDoc(t, body)
	if d.Find("#no-smtp").Length() != 0 || !strings.Contains(d.Find("#smtp-status").Text(), "tester:***@127.0.0.1") || strings.Contains(body, "secret") {
		t.Errorf("banner: %q", d.Find("#smtp-status").Text())
	}
	if d.Find("#outbox tbody tr").Length() != 1 {
		t.Errorf("sent rows: %d", d.Find("#outbox tbody tr").Length())
	}
	// The refused one: failed, with the server's answer on the list and its page.
	_, body = admin.get("/admin/outbox?status=failed")
	d = mustDoc(t, body)
	if row := d.Find("#outbox tbody tr"); row.Length() != 1 || !strings.Contains(row.Text(), "550 5.1.0 Requested action not taken: mailbox unavailable") {
		t.Fatalf("failed rows: %q", row.Text())
	}
	href, _ := d.Find("#outbox tbody tr a").Attr("href")
	_, body = admin.get(href)
	d = mustDoc(t, body)
	if !strings.Contains(d.Find("#error").Text(), "550") || d.Find("#status").Text() != "failed" || d.Find("#resend").Length() != 1 {
		t.Errorf("failed message page: %q %q", d.Find("#status").Text(), d.Find("#error").Text())
	}
}
