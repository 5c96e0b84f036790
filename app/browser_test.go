package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium; CI installs it, so browser tests always run there.
const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium tab driven by chromedp, with the JavaScript
// exceptions its pages threw (reported when a step fails).
type browser struct {
	t   *testing.T
	ctx context.Context

	mu         sync.Mutex
	exceptions []string
}

// mustBrowser starts a headless Chromium tab that lives for at most timeout.
// Without Chromium it skips the test, except on CI where it fails it.
func mustBrowser(t *testing.T, timeout time.Duration) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium not installed at %s (CI must run browser tests): %v", chromiumPath, err)
		}
		t.Skipf("chromium not installed: apt-get install chromium (%s: %v)", chromiumPath, err)
	}
	// The whole session, browser included, ends after timeout.
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium-profile")),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	b := &browser{t: t, ctx: tabCtx}

	if err := chromedp.Do(tabCtx); err != nil { // start the browser and open the tab
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	exceptions := chromedp.Events(tabCtx, runtime.ExceptionThrown)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			msg := ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
				msg += " " + ex.Description
			}
			b.mu.Lock()
			b.exceptions = append(b.exceptions, fmt.Sprintf("%s (%s:%d)", msg, ev.ExceptionDetails.URL, ev.ExceptionDetails.LineNumber+1))
			b.mu.Unlock()
		}
	}()
	// Registered after the server's Listen, so the browser closes first.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		<-done
		if t.Failed() {
			b.logExceptions()
		}
	})
	return b
}

func (b *browser) logExceptions() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.exceptions {
		b.t.Logf("page exception: %s", e)
	}
}

// fatalf fails the test with what the tab shows at the moment.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		msg += "\nat " + loc
	}
	if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil {
		if len(text) > 3000 {
			text = text[:3000] + "…"
		}
		msg += "\npage text:\n" + text
	}
	b.t.Fatal(msg)
}

// do runs steps that return nothing; what names them in the failure.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text returns the trimmed text content of the first element matching css ("" if none).
func (b *browser) text(css string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? "").trim()`, css))
}

// waitFor polls a JavaScript predicate until it is true, across page loads
// (chromedp.Poll does not survive a navigation), once the page and its
// deferred scripts have loaded.
func (b *browser) waitFor(what, predicate string) {
	b.t.Helper()
	expr := fmt.Sprintf(`document.readyState === "complete" && !!(%s)`, predicate)
	deadline := time.Now().Add(20 * time.Second)
	var lastErr error
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		lastErr = err
		if b.ctx.Err() != nil || time.Now().After(deadline) {
			b.fatalf("waiting for %s (%s): last error %v, context %v", what, predicate, lastErr, b.ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot saves a full-page PNG into $ACADEMY_SCREENSHOTS (or a temporary
// directory) for people to look at; tests never assert on pixels.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("ACADEMY_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// countXHRSends makes every XMLHttpRequest.send in this page count itself in
// sessionStorage, which outlives the navigation the upload script makes.
const countXHRSends = `(() => {
	const send = XMLHttpRequest.prototype.send;
	XMLHttpRequest.prototype.send = function (body) {
		sessionStorage.setItem("xhr-sends", String(Number(sessionStorage.getItem("xhr-sends") || 0) + 1));
		return send.call(this, body);
	};
	sessionStorage.setItem("xhr-sends", "0");
	return true;
})()`

// uploadCSV chooses path in the page's upload form and presses its button,
// as a person would: app.js sends it by XHR, then opens the preview.
func (b *browser) uploadCSV(path string) {
	b.t.Helper()
	eval[bool](b, countXHRSends)
	b.do("choose and upload "+filepath.Base(path),
		chromedp.SetUploadFiles(chromedp.CSS("form[data-upload] input#f-file"), []string{path}),
		chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")),
	)
}

func writeCSV(t *testing.T, path string, rows ...string) {
	t.Helper()
	header := "Employee ID,First Name,Last Name,Work Email,Job Title,Department,Location,Manager ID,Start Date"
	if err := os.WriteFile(path, []byte(header+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserImportFlow follows the issue: HR signs in, uploads a CSV, sees the
// preview with an error, fixes the file, applies, and finds the new employee.
func TestBrowserImportFlow(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	b := mustBrowser(t, 60*time.Second)

	// 1. Sign in as HR.
	b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#f-email"), hrEmail),
		chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
	b.waitFor("the home page", `location.pathname === "/" && document.querySelector("h1")?.textContent.includes("Welcome")`)

	// 2. The import page; every field has a label.
	b.do("open the import page", chromedp.Navigate(base+"/people/import"))
	b.waitFor("the import form", `document.querySelector("form[data-upload] input#f-file")`)
	if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("input:not([type=hidden]), select"))
		.filter(el => !(el.labels && el.labels.length)).map(el => el.outerHTML)`); len(unlabelled) > 0 {
		t.Errorf("/people/import: fields without a label: %q", unlabelled)
	}

	csvPath := filepath.Join(t.TempDir(), "new-starters.csv")
	newcomer := "BW9001,Zoë,Núñez Øberg,zoe.oberg@brightwater.example,Receptionist,Front Desk,Leeds,BW1010,2026-01-15"
	writeCSV(t, csvPath, newcomer,
		"BW9002,Tomasz,Kowalski,not-an-email,Receptionist,Front Desk,Leeds,BW1010,2026-01-15")
	b.uploadCSV(csvPath)
	b.waitFor("the preview with errors", `/^\/people\/import\/[^/]+$/.test(location.pathname) &&
		document.querySelector("table#row-errors")?.checkVisibility()`)
	if n := eval[string](b, `sessionStorage.getItem("xhr-sends") ?? ""`); n != "1" {
		t.Errorf("upload was not sent by app.js's XHR: xhr sends = %q, want 1", n)
	}

	// 3. The error: line 3 (the header is line 1), field email; nothing to apply.
	errorRows := eval[[][]string](b, `Array.from(document.querySelectorAll("table#row-errors tbody tr"),
		tr => Array.from(tr.cells, td => td.textContent.trim()))`)
	if !slices.ContainsFunc(errorRows, func(r []string) bool { return len(r) == 3 && r[0] == "3" && r[1] == "email" }) {
		t.Errorf("row errors = %q, want one on line 3, field email", errorRows)
	}
	if got := b.text("#n-errors"); got != "1" {
		t.Errorf("#n-errors = %q, want 1 (rows %q)", got, errorRows)
	}
	if eval[bool](b, `document.querySelector("button#apply") !== null`) {
		t.Error("preview with an error offers button#apply")
	}
	if !strings.Contains(b.text("h1"), "new-starters.csv") {
		t.Errorf("preview h1 = %q, want the file name", b.text("h1"))
	}
	b.screenshot("import-preview-with-error")
	if t.Failed() {
		b.fatalf("the preview does not show the error as expected")
	}

	// 4. Fix the file, upload it again from the preview page, apply.
	writeCSV(t, csvPath, newcomer,
		"BW9002,Tomasz,Kowalski,tomasz.kowalski@brightwater.example,Receptionist,Front Desk,Leeds,BW1010,2026-01-15")
	b.uploadCSV(csvPath)
	b.waitFor("the clean preview", `document.querySelector("button#apply")?.checkVisibility()`)
	if n := eval[string](b, `sessionStorage.getItem("xhr-sends") ?? ""`); n != "1" {
		t.Errorf("second upload was not sent by app.js's XHR: xhr sends = %q, want 1", n)
	}
	creates, errs, updates := b.text("#n-creates"), b.text("#n-errors"), b.text("#n-updates")
	if creates != "2" || errs != "0" || updates != "0" {
		b.fatalf("clean preview: creates %q, errors %q, updates %q; want 2, 0, 0", creates, errs, updates)
	}
	b.do("apply the import", chromedp.Click(chromedp.CSS("button#apply")))
	b.waitFor("the people list after applying", `location.pathname === "/people" && document.querySelector(".flash")`)
	if flash := b.text(".flash"); !strings.Contains(flash, "Import applied") || !strings.Contains(flash, "2 created") {
		t.Errorf("flash = %q, want Import applied … 2 created", flash)
	}
	b.screenshot("people-list-after-import")

	// 5. Find the newcomer by a non-ASCII part of her surname, open her page.
	b.do("search for Øberg",
		chromedp.SendKeys(chromedp.CSS("input#q"), "Øberg"),
		chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)),
	)
	b.waitFor("the search results", `new URLSearchParams(location.search).get("q") === "Øberg"`)
	if table := b.text("table#people-table"); !strings.Contains(table, "Øberg, Zoë") {
		b.fatalf("people table = %q, want Øberg, Zoë", table)
	}
	if got := b.text("#result-count"); got != "1 person found." {
		t.Errorf("result count = %q, want 1 person found.", got)
	}
	b.do("open the newcomer", chromedp.Click(chromedp.CSS(`table#people-table a[href="/people/BW9001"]`)))
	b.waitFor("the employee page", `location.pathname === "/people/BW9001"`)
	if h1 := b.text("h1"); !strings.Contains(h1, "Zoë Núñez Øberg") {
		t.Errorf("employee h1 = %q, want Zoë Núñez Øberg", h1)
	}
	manager := eval[string](b, `(Array.from(document.querySelectorAll("dl.facts dt")).find(dt => dt.textContent.trim() === "Manager")?.nextElementSibling?.textContent ?? "").trim()`)
	if manager != "James O'Connor" {
		t.Errorf("manager = %q, want James O'Connor", manager)
	}

	b.mu.Lock()
	exceptions := slices.Clone(b.exceptions)
	b.mu.Unlock()
	if len(exceptions) > 0 {
		t.Errorf("pages threw JavaScript exceptions: %q", exceptions)
	}
}
