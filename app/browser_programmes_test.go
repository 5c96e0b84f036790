package app_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAudienceRule follows the issue: HR creates a programme and an
// audience rule, sees the preview ("this will assign N people"), saves it;
// an employee imported later gets the assignment at once; the learner sees
// it among their programmes.
func TestBrowserAudienceRule(t *testing.T) {
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

	// A new programme for the Leeds front desk.
	b.do("open the programmes", chromedp.Navigate(base+"/programmes"))
	b.waitFor("the list with the demo programmes", `document.querySelectorAll("#programmes tbody tr").length >= 4`)
	b.screenshot("programmes-list")
	b.do("new programme", chromedp.Click(chromedp.CSS("#new-programme")))
	b.waitFor("the editor", `document.querySelector("#programme-form")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select, main textarea"))
		.filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("programme editor: fields without a label: %q", unlabelled)
	}
	b.do("fill in the programme",
		chromedp.SendKeys(chromedp.CSS("#f-slug"), "leeds-welcome"),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Leeds Front Desk Welcome"),
		chromedp.SetValue(chromedp.CSS("#use-mission-vision-promise"), "required"),
		chromedp.SetValue(chromedp.CSS("#use-service-recovery"), "optional"),
		chromedp.Click(chromedp.CSS("#save")),
	)
	b.waitFor("the programme page", `location.pathname === "/programmes/leeds-welcome"`)

	// The rule: Front Desk at Leeds. The preview names who gets it; nothing is saved yet.
	b.do("add an audience rule", chromedp.Click(chromedp.CSS("#new-rule")))
	b.waitFor("the rule form", `document.querySelector("#rule-form")`)
	b.do("choose the audience",
		chromedp.SetValue(chromedp.CSS("#f-department"), b.optionValue("#f-department", "Front Desk")),
		chromedp.SetValue(chromedp.CSS("#f-location"), b.optionValue("#f-location", "Leeds")),
		chromedp.Click(chromedp.CSS("#rule-preview-button")),
	)
	b.waitFor("the preview", `document.querySelector("#rule-preview")`)
	heading := b.text("#rule-preview h2")
	names := eval[int](b, `document.querySelectorAll("#rule-assign li").length`)
	if names == 0 || !strings.Contains(heading, "This will assign") || !strings.Contains(heading, "close 0") {
		t.Fatalf("preview heading %q with %d names", heading, names)
	}
	b.screenshot("rule-preview")
	if n, _ := ts.DB.NewSelect().TableExpr("audience_rules AS ar").Join("JOIN programmes AS p ON p.id = ar.programme_id").
		Where("p.slug = 'leeds-welcome'").Count(t.Context()); n != 0 {
		t.Fatal("the preview saved the rule")
	}
	b.do("save the rule", chromedp.Click(chromedp.CSS("#rule-save")))
	b.waitFor("the programme page with the rule", `location.pathname === "/programmes/leeds-welcome" && document.querySelector("#rules-table tbody tr")`)
	if got := eval[int](b, `document.querySelectorAll("#roster tbody tr").length`); got != names {
		t.Fatalf("the roster lists %d people, the preview said %d", got, names)
	}

	// A new receptionist at Leeds is imported: assigned at once.
	b.do("open the import page", chromedp.Navigate(base+"/people/import"))
	b.waitFor("the import form", `document.querySelector("form[data-upload] input#f-file")`)
	csvPath := filepath.Join(t.TempDir(), "starter.csv")
	writeCSV(t, csvPath, "BW9101,Dmitri,Volkov,dmitri.volkov@brightwater.example,Receptionist,Front Desk,Leeds,BW1010,2026-12-07")
	b.uploadCSV(csvPath)
	b.waitFor("the preview", `/^\/people\/import\/[^/]+$/.test(location.pathname) && document.querySelector("form[action$='/apply'] button")`)
	b.do("apply", chromedp.Click(chromedp.CSS("form[action$='/apply'] button")))
	b.waitFor("the people list", `location.pathname === "/people"`)
	if flash := b.text(".flash"); !strings.Contains(flash, "made by audience rules") {
		t.Errorf("the import's message does not mention the rule: %q", flash)
	}
	b.do("open the programme", chromedp.Navigate(base+"/programmes/leeds-welcome"))
	b.waitFor("the roster with the new starter", `document.querySelector("#roster tr[data-employee='BW9101']")`)
	b.screenshot("programme-roster")

	// The learner: their programmes list it, not started, with a due date.
	b.do("open the starter's programmes", chromedp.Navigate(base+"/people/BW9101/programmes"))
	b.waitFor("the programme card", `document.querySelector("[data-programme='leeds-welcome']")`)
	card := b.text("[data-programme='leeds-welcome']")
	if !strings.Contains(card, "Not started") || !strings.Contains(card, "due ") {
		t.Errorf("the starter's programme: %q", card)
	}
	b.screenshot("employee-programmes")

	// The starter signs in (HR gave them a password) and sees it on My learning.
	starter, err := ts.People.FindEmployeeByNumber(t.Context(), "BW9101")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.People.SetPassword(t.Context(), starter.ID, demoPassword); err != nil {
		t.Fatal(err)
	}
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitFor("the sign-in page", `location.pathname === "/signin"`)
	b.do("sign in as the starter",
		chromedp.SendKeys(chromedp.CSS("#f-email"), "dmitri.volkov@brightwater.example"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
	b.do("open My learning", chromedp.Navigate(base+"/learn"))
	b.waitFor("the assigned programmes", `document.querySelector("#programmes [data-programme='leeds-welcome']")`)
	if got := b.text("#programmes [data-programme='leeds-welcome']"); !strings.Contains(got, "Leeds Front Desk Welcome") || !strings.Contains(got, "Not started") {
		t.Errorf("My learning: %q", got)
	}
	b.screenshot("my-learning-programmes")
}

// optionValue returns the value of the option of a select whose text is label.
func (b *browser) optionValue(sel, label string) string {
	b.t.Helper()
	v := eval[string](b, `Array.from(document.querySelectorAll(`+jsString(sel+" option")+`)).find(o => o.textContent.trim() === `+jsString(label)+`)?.value ?? ""`)
	if v == "" {
		b.fatalf("%s has no option %q", sel, label)
	}
	return v
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
