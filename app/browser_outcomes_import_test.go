package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutcomeImport follows the issue: HR adds a measure, uploads a
// helpdesk export for it, sees the preview with a problem on its line and
// nothing written, uploads the corrected file from the preview, sees each
// event it adds and the duplicate it skips, applies, and finds the result.
func TestBrowserOutcomeImport(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 90*time.Second)

	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in as HR",
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)

	// A measure, from the navigation.
	b.do("open the measures", chromedp.Click(chromedp.CSS(`#site-nav a[href="/measures"]`)))
	b.waitFor("the measure form", `location.pathname === "/measures" && document.querySelector("#measure-form")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select, main textarea"))
		.filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("measure form: fields without a label: %q", unlabelled)
	}
	b.do("add a measure",
		chromedp.SendKeys(chromedp.CSS("#f-slug"), "b-csat"),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Browser satisfaction"),
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="rating"]`)),
		chromedp.SetValue(chromedp.CSS("#f-scale"), "good_bad"),
		chromedp.Click(chromedp.CSS("#create-measure")),
	)
	b.waitFor("the measure in the list", `document.querySelector("#m-b-csat")`)
	b.screenshot("measures")

	// The first export has an unknown agent on line 3: the preview says so and offers no import.
	b.do("import into it", chromedp.Click(chromedp.CSS(`#m-b-csat a[href^="/outcomes/import"]`)))
	b.waitFor("the upload form with the measure chosen", `document.querySelector("#f-measure") && document.querySelector("#f-measure").value === "b-csat"`)
	dir := t.TempDir()
	bad := filepath.Join(dir, "zendesk-march.csv")
	const head = "Ticket ID,Assignee,Satisfaction,Created at,Subject\n"
	if err := os.WriteFile(bad, []byte(head+"T100,"+inLine+",good,2026-03-04T10:22:00Z,Refund\nT101,BW9999,bad,2026-03-05T08:00:00Z,Late\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.uploadCSV(bad)
	b.waitFor("the preview with its problem", `/^\/outcomes\/import\/[^/]+$/.test(location.pathname) && document.querySelector("#row-errors tbody tr")`)
	if line, field := b.text("#row-errors tbody tr td:nth-child(1)"), b.text("#row-errors tbody tr td:nth-child(2)"); line != "3" || field != "employee" {
		t.Fatalf("problem at line %q field %q", line, field)
	}
	if eval[bool](b, `!!document.querySelector("#apply")`) {
		t.Fatal("import offered for a file with a problem")
	}
	b.screenshot("outcome-preview-errors")
	if outcomeEvents(t, ts) != 0 || countBrowserEvents(t, ts) != 0 {
		t.Fatal("the preview wrote events")
	}

	// The corrected file, uploaded from the preview: two new events and a repeated ticket.
	good := filepath.Join(dir, "zendesk-march-fixed.csv")
	if err := os.WriteFile(good, []byte(head+"T100,"+inLine+",good,2026-03-04T10:22:00Z,Refund\nT101,"+staffNumber+",bad,2026-03-05T08:00:00Z,Late\nT100,"+inLine+",good,2026-03-04T10:22:00Z,Refund\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.uploadCSV(good)
	b.waitFor("the clean preview", `/^\/outcomes\/import\/[^/]+$/.test(location.pathname) && document.querySelector("#apply")`)
	if b.text("#n-creates") != "2" || b.text("#n-duplicates") != "1" || b.text("#n-errors") != "0" {
		t.Fatalf("counts: %s new, %s duplicates, %s problems", b.text("#n-creates"), b.text("#n-duplicates"), b.text("#n-errors"))
	}
	if rows := eval[int](b, `document.querySelectorAll("#creates tbody tr").length`); rows != 2 {
		t.Fatalf("%d rows to create listed", rows)
	}
	if first := b.text("#creates tbody tr"); !strings.Contains(first, inLine) || !strings.Contains(first, "4 Mar 2026") || !strings.Contains(first, "good") {
		t.Fatalf("first new event: %q", first)
	}
	if dup := b.text("#duplicates tbody tr"); !strings.Contains(dup, "T100") || !strings.Contains(dup, "also on line 2") {
		t.Fatalf("duplicate: %q", dup)
	}
	b.screenshot("outcome-preview")
	b.do("apply", chromedp.Click(chromedp.CSS("#apply")))
	b.waitFor("the import page with the result", `location.pathname === "/outcomes/import" && document.querySelector("#recent-imports tbody tr")`)
	if flash := b.text(".flash"); !strings.Contains(flash, "2 new events, 1 duplicate skipped") {
		t.Errorf("message after the import: %q", flash)
	}
	if row := b.text("#recent-imports tbody tr"); !strings.Contains(row, "zendesk-march-fixed.csv") || !strings.Contains(row, "Browser satisfaction") {
		t.Errorf("latest import: %q", row)
	}
	b.screenshot("outcome-imported")
	if n := countBrowserEvents(t, ts); n != 2 {
		t.Fatalf("%d events written, want 2", n)
	}
}

func countBrowserEvents(t *testing.T, ts *testServer) int {
	t.Helper()
	n, err := ts.DB.NewSelect().TableExpr("outcome_events AS oe").Join("JOIN measures AS m ON m.id = oe.measure_id").
		Where("m.slug = 'b-csat'").Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
