package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/serviceacademy/academy/notify"
)

// signInBrowser signs the tab in as email and waits for the home page.
func signInBrowser(b *browser, base, email string) {
	b.t.Helper()
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in as "+email,
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
}

// bellLabel is the bell's accessible name on the page the tab shows.
func (b *browser) bellLabel() string {
	b.t.Helper()
	return eval[string](b, `document.querySelector("a#bell")?.getAttribute("aria-label") ?? ""`)
}

// TestBrowserNotificationBell: a learner's bell counts what is queued for
// them, opens the list, and empties after "Mark all read".
func TestBrowserNotificationBell(t *testing.T) {
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts)
	base := ts.Listen(t)
	staff := employeeIDByEmail(t, ts, staffEmail)
	b := mustBrowser(t, 60*time.Second)
	signInBrowser(b, base, staffEmail)
	if got := b.bellLabel(); got != "Notifications, none unread" {
		t.Errorf("bell before: %q", got)
	}

	enqueue(t, ts, notify.Event{Kind: notify.Assigned, Key: "b:1", To: []int64{staff},
		Data: map[string]string{"programme": "Fire Safety", "due_date": "9 Jan 2027", "link": "/learn"}})
	enqueue(t, ts, notify.Event{Kind: notify.DueSoon, Key: "b:2", To: []int64{staff},
		Data: map[string]string{"programme": "Fire Safety", "due_date": "9 Jan 2027", "days": "7 days", "link": "/learn"}})
	// Other pages reuse a person's count for up to 3 s: load My learning
	// until the bell catches up.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.do("open My learning", chromedp.Navigate(base+"/learn"))
		b.waitFor("My learning", `location.pathname === "/learn"`)
		if b.text("a#bell .bell-count") == "2" {
			break
		}
		if time.Now().After(deadline) {
			b.fatalf("the bell did not count the two new notifications within 10 s")
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := b.bellLabel(); got != "Notifications 2 unread" {
		t.Errorf("bell after two: %q", got)
	}

	b.do("click the bell", chromedp.Click(chromedp.CSS("a#bell")))
	b.waitFor("the list", `location.pathname === "/notifications" && document.querySelectorAll("ol#inbox > li").length === 2`)
	if got := b.text("ol#inbox > li:last-child .inbox-subject"); got != "New training for you: Fire Safety" {
		t.Errorf("oldest item: %q", got)
	}
	b.screenshot("notifications-list")
	b.do("mark all read", chromedp.Click(chromedp.CSS("button#read-all")))
	b.waitFor("the list read", `document.querySelector(".flash") && !document.querySelector("button#read-all")`)
	if got := b.bellLabel(); got != "Notifications, none unread" {
		t.Errorf("bell after mark all read: %q", got)
	}
	if eval[bool](b, `!!document.querySelector("a#bell .bell-count")`) {
		t.Error("the bell still shows a count")
	}
	if got := b.text(".flash"); !strings.Contains(got, "2 notifications marked read") {
		t.Errorf("flash: %q", got)
	}
}

// TestBellAfterAssignment: HR assigns a programme to a learner on the
// assign page; the learner's bell counts one more. It depends on the
// producer (training) that queues one "assigned" notification in the
// assignment's transaction.
func TestBellAfterAssignment(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	ctx := context.Background()
	staff := employeeIDByEmail(t, ts, staffEmail)
	var slug string
	if err := ts.DB.NewSelect().TableExpr("programmes AS p").Column("p.slug").
		Where("p.archived_at IS NULL AND p.version_id IS NOT NULL").
		Where("NOT EXISTS (SELECT 1 FROM assignments AS a WHERE a.programme_id = p.id AND a.employee_id = ? AND a.closed_at IS NULL)", staff).
		OrderExpr("p.slug").Limit(1).Scan(ctx, &slug); err != nil {
		t.Fatalf("a programme %s does not have: %v", staffNumber, err)
	}
	before, err := notify.UnreadCount(ctx, ts.DB, staff, 100)
	if err != nil {
		t.Fatal(err)
	}
	assignedRows := func() int {
		t.Helper()
		n, err := ts.DB.NewSelect().Model((*notify.Row)(nil)).
			Where("kind = ? AND employee_id = ? AND channel = ?", notify.Assigned, staff, notify.InApp).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	assignedBefore := assignedRows() // the demo's history queued some already

	b := mustBrowser(t, 90*time.Second)
	signInBrowser(b, base, hrEmail)
	b.do("open the assign page", chromedp.Navigate(base+"/programmes/"+slug+"/assign"))
	b.waitFor("the assign form", `document.querySelector("#f-employees")`)
	b.do("preview", chromedp.SendKeys(chromedp.CSS("#f-employees"), staffNumber), chromedp.Click(chromedp.CSS("button#preview")))
	b.waitFor("the preview", `document.querySelector("button#confirm-assign")`)
	b.do("assign", chromedp.Click(chromedp.CSS("button#confirm-assign")))
	b.waitFor("the programme page", `location.pathname === "/programmes/`+slug+`" && document.querySelector(".flash")`)
	if flash := b.text(".flash"); !strings.Contains(flash, "assigned to 1 person") {
		b.fatalf("assign: flash %q", flash)
	}

	if n := assignedRows() - assignedBefore; n != 1 {
		b.fatalf("%d new in-app notifications of kind %q for the assignment, want 1 (written in the assignment's transaction)", n, notify.Assigned)
	}

	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitFor("signed out", `location.pathname === "/signin"`)
	signInBrowser(b, base, staffEmail)
	after, err := notify.UnreadCount(ctx, ts.DB, staff, 100)
	if err != nil || after != min(before+1, 100) {
		t.Errorf("unread after the assignment: %d, %v; want %d", after, err, min(before+1, 100))
	}
	want := "Notifications " + strconv.Itoa(after) + " unread"
	if after >= 100 {
		want = "Notifications 99+ unread (more than 99)"
	}
	if got := b.bellLabel(); got != want {
		t.Errorf("learner's bell after the assignment: %q, want %q", got, want)
	}
}

// TestBrowserBellOnPhone: on a phone-sized screen the bell is in the
// header's first row without opening the menu, large enough to touch,
// reached with Tab and opened with Enter.
func TestBrowserBellOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	clearNotifications(t, ts)
	base := ts.Listen(t)
	staff := employeeIDByEmail(t, ts, staffEmail)
	enqueue(t, ts, notify.Event{Kind: notify.CertificateIssued, Key: "p:1", To: []int64{staff}, Data: map[string]string{"programme": "Fire Safety"}})
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	signInBrowser(b, base, staffEmail)

	if !eval[bool](b, `document.querySelector("a#bell").checkVisibility()`) {
		b.fatalf("the bell is not visible on a phone")
	}
	if eval[bool](b, `document.querySelector(".site-nav").checkVisibility()`) {
		t.Error("the menu is open on a phone before the menu button is pressed (the test would prove nothing)")
	}
	rect := eval[[]float64](b, `(r => [r.left, r.top, r.right, r.bottom, r.height, r.width])(document.querySelector("a#bell").getBoundingClientRect())`)
	if rect[0] < 0 || rect[2] > 390 || rect[3] > 120 || rect[4] < 44 || rect[5] < 44 {
		t.Errorf("bell at %v: want inside the first 120 px of a 390 px screen, at least 44 × 44", rect)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	if got := b.text("a#bell .bell-count"); got != "1" {
		t.Errorf("count shown: %q", got)
	}
	b.screenshot("bell-phone")

	// Tab from the top of the page: the skip link, the brand, then the bell.
	eval[bool](b, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	reached := false
	for range 4 {
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		if eval[string](b, `document.activeElement?.id ?? ""`) == "bell" {
			reached = true
			break
		}
	}
	if !reached {
		b.fatalf("Tab did not reach the bell within 4 presses (focused %q)", eval[string](b, `document.activeElement?.outerHTML.slice(0, 80) ?? ""`))
	}
	b.do("press Enter", chromedp.KeyEvent("\r"))
	b.waitFor("the list", `location.pathname === "/notifications" && document.querySelector("ol#inbox")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the list is %d px wide on a 390 px screen", w)
	}
	b.screenshot("notifications-phone")
}

// TestBrowserUnsubscribeSignedOut: the link of an e-mail opens signed out,
// says what it turns off, and its button turns it off; a changed link says
// it is not valid.
func TestBrowserUnsubscribeSignedOut(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	ctx := context.Background()
	staff := employeeIDByEmail(t, ts, staffEmail)
	secret, err := notify.Secret(ctx, ts.DB)
	if err != nil {
		t.Fatal(err)
	}
	token := notify.UnsubscribeToken(secret, staff, notify.CertificateIssued)
	b := mustBrowser(t, 60*time.Second)

	b.do("open a changed link", chromedp.Navigate(base+"/unsubscribe/"+token[:len(token)-3]+"abc"))
	b.waitFor("the refusal", `document.querySelector("#unsubscribe-bad")`)
	if got := b.text("h1"); got != "Unsubscribe link not valid" {
		t.Errorf("changed link h1: %q", got)
	}

	b.do("open the link", chromedp.Navigate(base+"/unsubscribe/"+token))
	b.waitFor("the page", `document.querySelector("button#unsubscribe")`)
	if eval[bool](b, `!!document.querySelector("a#bell")`) {
		t.Error("a bell on a signed-out page")
	}
	if got := b.text("button#unsubscribe"); !strings.Contains(got, "Certificate issued") {
		t.Errorf("button: %q", got)
	}
	b.do("press the button", chromedp.Click(chromedp.CSS("button#unsubscribe")))
	b.waitFor("the confirmation", `document.querySelector("#unsubscribe-done")`)
	if outs, _ := notify.OptOuts(ctx, ts.DB, staff); !outs[notify.CertificateIssued] {
		t.Errorf("not turned off: %v", outs)
	}
	b.screenshot("unsubscribed")
}

// TestBrowserNotificationSettings: HR finds the notification settings from
// the company settings, types an unknown placeholder and sees the problem
// next to the field with the text kept, fixes it, previews and saves; every
// field has a label. A learner then unticks a kind on their choices page.
func TestBrowserNotificationSettings(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	ctx := context.Background()
	b := mustBrowser(t, 90*time.Second)
	signInBrowser(b, base, hrEmail)
	b.do("open the company settings", chromedp.Navigate(base+"/settings/company"))
	b.do("follow the link", chromedp.Click(chromedp.CSS("a#notification-settings-link")))
	b.waitFor("the notification settings", `location.pathname === "/settings/notifications" && document.querySelector("#kind-assigned")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden])"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.id || el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}

	bad := "Hi {first_name}, {course} is yours"
	b.do("type an unknown placeholder and save",
		chromedp.SendKeys(chromedp.CSS("#f-assigned-subject"), bad),
		chromedp.Click(chromedp.CSS(`#kind-assigned button[name=action][value=save]:not(.visually-hidden)`)),
	)
	b.waitFor("the problem next to the field", `document.querySelector("#e-assigned-subject")`)
	if got := b.text("#e-assigned-subject"); !strings.Contains(got, "{course} is not a placeholder") {
		t.Errorf("message: %q", got)
	}
	if got := eval[string](b, `document.querySelector("#f-assigned-subject").value`); got != bad {
		t.Errorf("typed text: %q", got)
	}
	if got := eval[string](b, `document.querySelector("#f-assigned-subject").getAttribute("aria-describedby")`); !strings.Contains(got, "e-assigned-subject") {
		t.Errorf("the field is not described by its message: %q", got)
	}
	b.screenshot("notification-settings-error")

	good := "Hi {first_name}, {programme} is yours"
	b.do("fix it and preview",
		chromedp.SetValue(chromedp.CSS("#f-assigned-subject"), good),
		chromedp.Click(chromedp.CSS(`#kind-assigned button[name=action][value=preview]`)),
	)
	b.waitFor("the preview", `document.querySelector("#preview-assigned")`)
	if got := b.text("#preview-assigned .preview-subject"); got != "Hi Aisha, Customer Service Induction is yours" {
		t.Errorf("preview: %q", got)
	}
	b.do("save", chromedp.Click(chromedp.CSS(`#kind-assigned button[name=action][value=save]:not(.visually-hidden)`)))
	b.waitFor("saved", `document.querySelector(".flash")`)
	if sub, _ := notify.CurrentWording(ctx, ts.DB, notify.Assigned); sub != good {
		t.Errorf("stored subject: %q", sub)
	}

	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitFor("signed out", `location.pathname === "/signin"`)
	signInBrowser(b, base, staffEmail)
	b.do("open the choices", chromedp.Navigate(base+"/account/notifications"))
	b.waitFor("the choices", `document.querySelector("#k-due_soon")`)
	b.do("untick Due soon and save", chromedp.Click(chromedp.CSS("#k-due_soon")), chromedp.Click(chromedp.CSS("button#save-preferences")))
	b.waitFor("saved", `document.querySelector(".flash") && !document.querySelector("#k-due_soon").checked`)
	if outs, _ := notify.OptOuts(ctx, ts.DB, employeeIDByEmail(t, ts, staffEmail)); !outs[notify.DueSoon] {
		t.Errorf("not turned off: %v", outs)
	}
	b.screenshot("notification-choices")
}
