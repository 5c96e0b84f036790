package app_test

import (
	"archive/zip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserBulkDownload: HR filters the certificate register, ticks two
// rows and downloads them; app.js fetches the zip, shows "2 of 2
// certificates" as the entries arrive, and saves it.
func TestBrowserBulkDownload(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 90*time.Second)
	downloads := t.TempDir()
	allow := true
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: &allow}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}

	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in as HR",
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/"`)
	b.do("open the certificates", chromedp.Click(chromedp.CSS(`#site-nav a[href="/certificates"]`)))
	b.waitFor("the register", `location.pathname === "/certificates" && document.querySelectorAll("#certificates tbody tr").length > 2`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select"))
		.filter(el => !el.hidden && !(el.labels && el.labels.length) && !el.getAttribute("aria-label")).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("register: fields without a label: %q", unlabelled)
	}

	b.do("filter the valid ones",
		chromedp.SetValue(chromedp.CSS("#status"), "valid"),
		chromedp.Click(chromedp.CSS(`#cert-filters button[type=submit]`)),
	)
	b.waitFor("the valid certificates", `new URLSearchParams(location.search).get("status") === "valid" && document.querySelector("#certificates tbody tr")`)
	if other := eval[int](b, `document.querySelectorAll("#certificates tbody tr:not([data-status=valid])").length`); other != 0 {
		t.Errorf("%d rows are not valid", other)
	}
	codes := eval[[]string](b, `Array.from(document.querySelectorAll("#certificates tbody tr")).slice(0, 2).map(tr => tr.dataset.code)`)
	if len(codes) != 2 {
		b.fatalf("want two rows, have %q", codes)
	}
	b.do("tick two rows",
		chromedp.Click(chromedp.CSS(`#pick-`+codes[0])),
		chromedp.Click(chromedp.CSS(`#pick-`+codes[1])),
	)
	b.screenshot("certificates-register-ticked")

	// Count the blobs the page makes, to tell app.js's download from the form's own.
	eval[bool](b, `(() => {
		const make = URL.createObjectURL;
		window.blobURLs = 0;
		URL.createObjectURL = function (blob) { window.blobURLs++; return make.call(URL, blob); };
		return true;
	})()`)
	b.do("download the ticked", chromedp.Click(chromedp.CSS("#bulk-selected")))
	b.waitFor("the progress", `document.querySelector("#bulk-status")?.textContent.includes("2 of 2 certificates")`)
	b.waitFor("the saved download", `document.querySelector("#bulk-status")?.textContent.includes("saved as")`)
	if n := eval[int](b, `window.blobURLs`); n != 1 {
		t.Errorf("blob URLs made: %d, want 1 (the download came from app.js)", n)
	}
	if got := eval[string](b, `document.querySelector("#bulk-progress progress").value + "/" + document.querySelector("#bulk-progress progress").max`); got != "2/2" {
		t.Errorf("progress = %s, want 2/2", got)
	}
	b.screenshot("certificates-bulk-downloaded")

	// The file lands in the download folder, named for today, with the two PDFs.
	var path string
	deadline := time.Now().Add(20 * time.Second)
	for {
		matches, _ := filepath.Glob(filepath.Join(downloads, "certificates-*.zip"))
		if len(matches) == 1 {
			path = matches[0]
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			b.fatalf("no zip downloaded into %s: %v", downloads, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	want := []string{codes[0] + ".pdf", codes[1] + ".pdf"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("zip entries %q, want %q", names, want)
	}
	if !strings.HasPrefix(filepath.Base(path), "certificates-"+time.Now().Format("2006-01")) {
		t.Errorf("file name %s", filepath.Base(path))
	}

	// Nothing ticked: the message appears by the buttons, and nothing downloads.
	b.do("untick", chromedp.Click(chromedp.CSS(`#pick-`+codes[0])), chromedp.Click(chromedp.CSS(`#pick-`+codes[1])))
	b.do("download nothing", chromedp.Click(chromedp.CSS("#bulk-selected")))
	b.waitFor("the message", `document.querySelector("#e-bulk")?.textContent.includes("Tick")`)
	if n := eval[int](b, `window.blobURLs`); n != 1 {
		t.Errorf("an empty selection made a download")
	}
	b.screenshot("certificates-bulk-empty")

	// One certificate's record, and the settings with their colour pickers.
	b.do("open a certificate", chromedp.Click(chromedp.CSS(`#certificates a.mono[href="/certificates/`+codes[0]+`"]`)))
	b.waitFor("the record", `document.querySelector("#record") && document.querySelector("#revoke-form")`)
	b.screenshot("certificate-record")
	b.do("open the settings", chromedp.Navigate(base+"/settings/certificates"))
	b.waitFor("the settings", `document.querySelector("#cert-settings-form")`)
	eval[bool](b, `(() => {
		const p = document.querySelector("#f-accent_color-picker");
		p.value = "#7a1f5c";
		p.dispatchEvent(new Event("input", { bubbles: true }));
		return true;
	})()`)
	if got := eval[string](b, `document.querySelector("#f-accent_color").value`); got != "#7a1f5c" {
		t.Errorf("the picker did not fill the text box: %q", got)
	}
	b.screenshot("certificate-settings")

	// Preview asks for the typed settings by GET, without the CSRF token in
	// the address (opened here rather than in a new tab, to see the request).
	var preview atomic.Value
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && strings.Contains(e.Request.URL, "/preview.pdf") {
			preview.Store(e.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	eval[bool](b, `(document.querySelector("#preview-cert").setAttribute("formtarget", "_self"), true)`)
	b.do("type a heading and preview",
		chromedp.SetValue(chromedp.CSS("#f-title"), "Award of Service Excellence"),
		chromedp.Click(chromedp.CSS("#preview-cert")),
	)
	until := time.Now().Add(10 * time.Second)
	for preview.Load() == nil && time.Now().Before(until) {
		time.Sleep(50 * time.Millisecond)
	}
	if u, _ := preview.Load().(string); u == "" {
		t.Error("the preview was not requested")
	} else if q, _ := url.Parse(u); q.Query().Get("title") != "Award of Service Excellence" || q.Query().Has("_csrf") || q.Query().Get("accent_color") != "#7a1f5c" {
		t.Errorf("preview address %s: want the typed title and colour, and no _csrf", u)
	}

	// On a phone the register's table scrolls inside its box, not the page.
	b.do("a phone's screen", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/certificates"))
	b.waitFor("the register", `document.querySelector("#certificates")`)
	if wide := eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		t.Error("the register is wider than a phone's screen")
	}
	b.screenshot("certificates-register-phone")

	b.mu.Lock()
	exceptions := slices.Clone(b.exceptions)
	b.mu.Unlock()
	if len(exceptions) > 0 {
		t.Errorf("pages threw JavaScript exceptions: %q", exceptions)
	}
}
