package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/courses"
)

// TestBrowserVerify: on a phone, someone holding a certificate types its
// code (lower case, no hyphens) and sees it valid; a revoked one says so
// with the date; a wrong code says no certificate has it.
func TestBrowserVerify(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	byStatus := demoCertificates(t, ts)
	valid, revoked := byStatus[courses.CertValid][0], byStatus[courses.CertRevoked][0]
	b := mustBrowser(t, 60*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.do("open the verify form", chromedp.Navigate(base+"/verify"))
	b.waitFor("the form", `document.querySelector("#verify-form #f-code")`)
	b.do("type the code and verify",
		chromedp.SendKeys(chromedp.CSS("#f-code"), strings.ToLower(strings.ReplaceAll(valid.Code, "-", ""))),
		chromedp.Submit(chromedp.CSS("#verify-form")),
	)
	b.waitFor("the certificate's page", `location.pathname === "/verify/`+valid.Code+`"`)
	if got := b.text("#verify-result"); !strings.Contains(got, "This certificate is valid") || !strings.Contains(got, valid.EmployeeName) {
		t.Errorf("valid certificate: %q", got)
	}
	if wide := eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		t.Error("the verify page is wider than the phone")
	}
	b.screenshot("verify-valid")
	b.do("open a revoked certificate", chromedp.Navigate(base+"/verify/"+revoked.Code))
	b.waitFor("the page", `document.querySelector("#verify-result")`)
	if got := b.text("#verify-result"); !strings.Contains(got, "revoked on") || strings.Contains(got, revoked.RevokedReason) {
		t.Errorf("revoked certificate: %q", got)
	}
	b.screenshot("verify-revoked")
	b.do("a wrong code", chromedp.Navigate(base+"/verify/AAAA-BBBB-CCCC-DDDD"))
	b.waitFor("the not-found page", `document.querySelector("#verify-result[data-status=unknown]")`)
	_ = context.Background()
}
