package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/assessments"
)

// TestBrowserObservationOnPhone: a manager completes an observation on a
// phone-sized viewport (390×844) and the employee acknowledges it.
func TestBrowserObservationOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	cast := mustObserveCast(t, ts)
	const slug = "irate-billing-error"
	stored, err := assessments.NewObservationStore(ts.DB).FindChecklist(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	b := mustBrowser(t, 90*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))

	signIn := func(email string) {
		b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
		b.do("sign in as "+email,
			chromedp.SendKeys(chromedp.CSS("#f-email"), email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		)
		b.waitFor("the home page", `location.pathname === "/"`)
	}
	signIn(ccMgrEmail)

	// From the employee's page to a new observation.
	b.do("open the employee", chromedp.Navigate(base+"/people/"+cast.report.Number))
	b.waitFor("the observations link", `document.querySelector("#observations-link a")`)
	b.do("follow it", chromedp.Click(chromedp.CSS("#observations-link a")))
	b.waitFor("the checklists", `document.querySelector("#checklists")`)
	b.do("start the observation", chromedp.Click(chromedp.CSS(`[data-checklist="`+slug+`"] button[type=submit]`)))
	b.waitFor("the observation form", `/^\/observations\/\d+$/.test(location.pathname) && document.querySelector("form.obs-form")`)
	obsPath := eval[string](b, `location.pathname`)

	// Made for a phone: nothing wider than the screen, big touch targets, labelled fields.
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	if small := eval[[]string](b, `Array.from(document.querySelectorAll("label.obs-rating, .obs-actions button"))
		.filter(el => el.getBoundingClientRect().height < 44).map(el => el.textContent.trim())`); len(small) > 0 {
		t.Errorf("touch targets under 44 px: %q", small)
	}
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("form.obs-form input:not([type=hidden]), form.obs-form textarea"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.name)`); len(unlabelled) > 0 {
		t.Errorf("fields without a label: %q", unlabelled)
	}

	// Rate every item (the first critical one only Partly); autosave keeps it.
	var critical assessments.Item
	for _, it := range stored.Checklist.Items {
		value := "2"
		if it.Critical && critical.ID == "" {
			critical, value = it, "1"
		}
		b.do("rate "+it.ID, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.obs-item[data-item=%q] input[value=%q]`, it.ID, value))))
	}
	b.do("comment", chromedp.SendKeys(chromedp.CSS("#f-overall_comment"), "Calm and clear; apologise sooner."))
	b.waitFor("the autosave", `Number(document.querySelector("form.obs-form").dataset.saved || 0) > 0 &&
		document.querySelector(".autosave-status").textContent.includes("every item rated")`)
	b.do("reload", chromedp.Reload())
	b.waitFor("the form after a reload", `document.querySelector("form.obs-form")`)
	if v := eval[string](b, fmt.Sprintf(`document.querySelector('.obs-item[data-item=%q] input:checked')?.value ?? ""`, critical.ID)); v != "1" {
		t.Fatalf("after a reload the critical item is rated %q, want 1 (Partly): autosave lost it", v)
	}
	b.screenshot("observation-phone-form")

	b.do("sign off", chromedp.Click(chromedp.CSS("#sign-off")))
	b.waitFor("the result", `document.querySelector("#result #score")`)
	if got := b.text("#failed-critical"); !strings.Contains(got, critical.Text) {
		t.Errorf("failed critical items = %q, want %q", got, critical.Text)
	}
	if b.text("#reobserve") == "" {
		t.Error("no re-observation date shown")
	}
	b.screenshot("observation-phone-result")

	// The employee reads it and acknowledges it.
	eval[bool](b, `(document.querySelector('form[action="/signout"]').submit(), true)`)
	b.waitFor("the sign-in page", `location.pathname === "/signin"`)
	signIn(cast.report.Email)
	b.do("open my observations", chromedp.Navigate(base+"/me/observations"))
	b.waitFor("my observations", `document.querySelector("#my-observations")`)
	b.do("open the observation", chromedp.Click(chromedp.CSS(`#my-observations a[href="/me`+obsPath+`"]`)))
	b.waitFor("the result", `document.querySelector("#acknowledge")`)
	if got := b.text("#failed-critical"); !strings.Contains(got, critical.Text) {
		t.Errorf("the employee sees failed critical items %q", got)
	}
	b.do("comment and acknowledge",
		chromedp.SendKeys(chromedp.CSS("#f-comment"), "Understood, thank you."),
		chromedp.Click(chromedp.CSS("#ack")),
	)
	b.waitFor("the acknowledgement", `document.querySelector(".ack-done")`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the result page is %d px wide on a 390 px screen", w)
	}
	b.screenshot("observation-phone-acknowledged")
}
