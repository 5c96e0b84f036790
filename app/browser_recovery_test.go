package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRecovery: HR open Service recovery from the navigation, fill in
// a rule, preview who it would act on now (named), save it and see what it
// did; every field has a label and on a phone the page is no wider than the
// screen. The contact centre manager then finds the observation the rule
// asked for on the coach queue, with the advisor's figures on Team
// readiness, and starts the observation from it.
func TestBrowserRecovery(t *testing.T) {
	ts := mustServer(t, "sqlite")
	outcomeFixture(t, ts)
	base := ts.Listen(t)
	b := mustBrowser(t, 90*time.Second)
	signIn := func(email string) {
		b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
		b.do("sign in as "+email,
			chromedp.SendKeys(chromedp.CSS("#f-email"), email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		)
		b.waitFor("the home page", `location.pathname === "/"`)
	}
	signIn(hrEmail)
	b.do("open Service recovery", chromedp.Click(chromedp.CSS(`.site-nav a[href="/recovery"]`)))
	b.waitFor("Service recovery", `location.pathname === "/recovery" && document.querySelector("#recovery-form")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}
	b.do("fill in the rule",
		chromedp.SetValue(chromedp.CSS("#f-measure"), "t-complaints"),
		chromedp.SetValue(chromedp.CSS("#f-programme"), "contact-centre-excellence"),
		chromedp.SetValue(chromedp.CSS("#f-checklist"), "missed-promise-complaint"),
		chromedp.Click(chromedp.CSS("#recovery-preview-button")),
	)
	b.waitFor("the preview", `document.querySelector("#recovery-preview")`)
	if got := b.text("#recovery-preview h3"); got != "Would affect now: 2 people" {
		t.Errorf("preview: %q", got)
	}
	if got := b.text("#preview-names"); !strings.Contains(got, inLine) || !strings.Contains(got, staffNumber) {
		t.Errorf("preview names: %q", got)
	}
	b.screenshot("recovery-preview")
	b.do("save the rule", chromedp.Click(chromedp.CSS("#recovery-save")))
	b.waitFor("the saved rule", `document.querySelector("#rules-table") && document.querySelector("#actions-table")`)
	if got := b.text("#actions-table"); !strings.Contains(got, "assigned Contact Centre Excellence") || !strings.Contains(got, "observation requested") {
		t.Errorf("actions: %q", got)
	}
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("reload", chromedp.Navigate(base+"/recovery"))
	b.waitFor("Service recovery at phone size", `document.querySelector("main h1")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("/recovery is %d px wide on a 390 px screen", w)
	}
	b.screenshot("recovery-phone")

	b = mustBrowser(t, 90*time.Second) // a new browser, signed out, at desktop size
	signIn(ccMgrEmail)
	b.do("open Team readiness for the advisor", chromedp.Navigate(base+"/team?q="+inLine))
	b.waitFor("the advisor's row", `document.querySelector('#team-table tr[data-employee="`+inLine+`"] li[data-measure="t-csat"]')`)
	if got := b.text(`#team-table tr[data-employee="` + inLine + `"] li[data-measure="t-csat"]`); !strings.Contains(got, "25% satisfied") || !strings.Contains(got, "down 75 points") {
		t.Errorf("the advisor's satisfaction: %q", got)
	}
	b.do("open the coach queue", chromedp.Navigate(base+"/team/coach"))
	b.waitFor("the requested observation", `document.querySelector('#requests-table tr[data-employee="`+inLine+`"]')`)
	b.screenshot("coach-requests")
	b.do("observe with the checklist", chromedp.Click(chromedp.CSS(`#requests-table tr[data-employee="`+inLine+`"] form[action$="/observe/missed-promise-complaint"] button`)))
	b.waitFor("the observation", `location.pathname.startsWith("/observations/")`)
}
