package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/people"
)

// TestBrowserAuditOnPhone: HR filters the audit log on a phone-sized screen.
// The page fits the screen (the table scrolls inside its box), every field
// has a label, and the filter form narrows the rows.
func TestBrowserAuditOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	me, err := ts.People.FindEmployeeByEmail(context.Background(), hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 11, 30, 0, 0, time.UTC)
	seedAudit(t, ts.DB,
		people.AuditEntry{At: at, ActorID: &me.ID, Actor: me.Name() + " (" + me.Number + ")", Action: "assignment.extend", Subject: staffNumber,
			Detail: "Customer recovery essentials v3: due 2026-07-10 → 2026-07-24; reason: " + strings.Repeat("a long reason that goes on and on, ", 8)},
		people.AuditEntry{At: at.Add(time.Hour), Actor: "scheduler", Action: "rule.evaluate", Subject: "customer-recovery-essentials-for-every-front-desk",
			Detail: "3 assigned (joiners and movers), 0 closed (left the audience)"},
	)
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)

	b.do("open the audit log", chromedp.Navigate(base+"/admin/audit"))
	b.waitFor("the log", `document.querySelector("table#audit")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("form.filters input, form.filters select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	if small := eval[[]string](b, `Array.from(document.querySelectorAll("form.filters input, form.filters select, form.filters button"))
		.filter(el => el.getBoundingClientRect().height < 44).map(el => el.name || el.textContent.trim())`); len(small) > 0 {
		t.Errorf("touch targets under 44 px: %q", small)
	}
	b.screenshot("audit-phone")

	b.do("filter by the assignments group and a subject",
		chromedp.SetValue(chromedp.CSS("#f-action"), "assignment."),
		chromedp.SendKeys(chromedp.CSS("#f-subject"), staffNumber),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
	)
	b.waitFor("the filtered log", `new URLSearchParams(location.search).get("subject") === "`+staffNumber+`"`)
	rows := eval[[]string](b, `Array.from(document.querySelectorAll("table#audit tbody tr"), tr => tr.cells[2].textContent.trim())`)
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "Due date extended") {
		t.Errorf("rows after filtering: %q", rows)
	}
	if got := eval[string](b, `document.querySelector("#f-action").value`); got != "assignment." {
		t.Errorf("the action filter did not keep its choice: %q", got)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the filtered page is %d px wide on a 390 px screen", w)
	}
	b.screenshot("audit-phone-filtered")
}
