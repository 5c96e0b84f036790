package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/notify"
)

// TestBrowserOutboxOnPhone: an admin on a phone-sized screen reads the
// outbox (no SMTP: the banner says so), filters it, opens a message (its
// HTML in the sandboxed frame, the page no wider than the screen) and sends
// a test e-mail, which appears queued.
func TestBrowserOutboxOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts) // the demo's history queued mail of its own; this test counts rows
	base := ts.Listen(t)
	ctx := context.Background()
	staff, err := ts.People.FindEmployeeByNumber(ctx, staffNumber)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Enqueue(ctx, ts.DB, time.Now(), notify.Event{Kind: notify.Assigned, Key: "browser", To: []int64{staff.ID},
		Data: map[string]string{"programme": "Fire safety at the front desk", "due_date": "15 December 2026", "link": "/learn",
			"body": strings.Repeat("A long paragraph that has to wrap on a phone screen. ", 10), "ics_due": "2026-12-15"}}); err != nil {
		t.Fatal(err)
	}
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#f-email"), adminEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
	b.do("open the outbox", chromedp.Navigate(base+"/admin/outbox"))
	b.waitFor("the outbox", `document.querySelector("table#outbox")`)
	if !strings.Contains(b.text("#no-smtp"), "kept here, not sent") {
		t.Errorf("banner: %q", b.text("#no-smtp"))
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the outbox is %d px wide on a 390 px screen", w)
	}
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	b.do("filter e-mails of the staff member",
		chromedp.SetValue(chromedp.CSS("#f-channel"), "email"),
		chromedp.SendKeys(chromedp.CSS("#f-employee"), staffNumber),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
	)
	b.waitFor("the filtered outbox", `new URLSearchParams(location.search).get("employee") === "`+staffNumber+`"`)
	if n := eval[int](b, `document.querySelectorAll("table#outbox tbody tr").length`); n != 1 {
		t.Fatalf("%d rows after filtering", n)
	}
	b.screenshot("outbox-phone")
	b.do("open the message", chromedp.Click(chromedp.CSS(`table#outbox tbody tr a`)))
	b.waitFor("the message", `document.querySelector("#mail-text")`)
	if h1 := b.text("h1"); h1 != "New training for you: Fire safety at the front desk" {
		t.Errorf("h1 %q", h1)
	}
	b.waitFor("the HTML part in its frame", `(() => { const f = document.querySelector("#mail-html");
		return f && f.hasAttribute("sandbox") && f.getBoundingClientRect().height > 200 })()`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the message page is %d px wide on a 390 px screen", w)
	}
	b.screenshot("outbox-message-phone")

	b.do("back to the outbox", chromedp.Navigate(base+"/admin/outbox"))
	b.waitFor("the outbox", `document.querySelector("#f-address")`)
	if v := eval[string](b, `document.querySelector("#f-address").value`); v != adminEmail {
		t.Errorf("the test address defaults to %q, want the admin's", v)
	}
	b.do("send a test e-mail", chromedp.Click(chromedp.CSS("#send-test")))
	b.waitFor("the test message", `location.pathname.startsWith("/admin/outbox/") && document.querySelector("#status")`)
	if f := b.text(".flash"); !strings.Contains(f, "test e-mail to "+adminEmail+" is queued") || !strings.Contains(f, "kept in the outbox, not sent") {
		t.Errorf("flash %q", f)
	}
	if st := b.text("#status"); st != "queued" {
		t.Errorf("status %q", st)
	}
}
