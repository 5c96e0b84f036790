package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
)

// copyCertificates inserts n valid certificates copied from from, with new
// codes and the printed names "Bulk Copy 1" … "Bulk Copy n" (so a search
// for "bulk copy" finds exactly them), and returns their codes.
func copyCertificates(tb testing.TB, db *bun.DB, from courses.Certificate, n int) []string {
	tb.Helper()
	codes := make([]string, 0, n)
	for start := 0; start < n; start += 250 {
		var batch []courses.Certificate
		for i := start; i < min(start+250, n); i++ {
			c := from
			c.ID, c.Code, c.EmployeeName, c.PDFSHA256 = 0, certdoc.NewCode(), fmt.Sprintf("Bulk Copy %d", i+1), ""
			c.VerifyURL = "http://localhost/verify/" + c.Code
			c.RevokedAt, c.RevokedReason, c.RevokedByID, c.SupersededAt, c.SupersededByID, c.ReissuedFromID = nil, "", nil, nil, nil, nil
			c.IssuedAt = from.IssuedAt.Add(time.Duration(i) * time.Second)
			batch = append(batch, c)
			codes = append(codes, c.Code)
		}
		if _, err := db.NewInsert().Model(&batch).Exec(context.Background()); err != nil {
			tb.Fatalf("insert certificates: %v", err)
		}
	}
	return codes
}

// TestCertificateBulkZipPages downloads more certificates than one page of
// the loader holds: every one arrives once, in the register's order.
func TestCertificateBulkZipPages(t *testing.T) {
	ts := mustServer(t, "sqlite")
	cs := certStore(t, ts)
	from := demoCerts(t, cs, courses.CertValid)[0]
	codes := copyCertificates(t, ts.DB, from, 401) // pages of 200: 200, 200, 1
	hr := ts.client(t)
	hr.signIn(hrEmail)
	resp, body := hr.post("/certificates/bulk.zip", url.Values{"all": {"1"}, "q": {"bulk copy"}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Certificate-Count") != "401" {
		t.Fatalf("bulk: %d, count %q", resp.StatusCode, resp.Header.Get("X-Certificate-Count"))
	}
	names, files := zipOf(t, body)
	if len(names) != len(codes) {
		t.Fatalf("%d entries, want %d", len(names), len(codes))
	}
	for i, name := range names {
		if want := codes[len(codes)-1-i] + ".pdf"; name != want { // newest first
			t.Fatalf("entry %d: %s, want %s", i, name, want)
		}
	}
	c, err := cs.FindCertificate(context.Background(), codes[200])
	if err != nil {
		t.Fatal(err)
	}
	pdf, _, err := cs.PDF(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := files[codes[200]+".pdf"]; string(got) != string(pdf) {
		t.Errorf("%s: not the certificate's own PDF", codes[200])
	}
}

// BenchmarkBulkZip downloads 1,000 certificates as one zip through the real
// handler over HTTP on loopback (the server renders on both cores while the
// client reads), and reports certificates per second, the zip's size, and
// the heap in use before (the server, its caches, the test's fixtures) and
// at its peak while the downloads run.
func BenchmarkBulkZip(b *testing.B) {
	const n = 1000
	ts := mustServer(b, "sqlite")
	cs := certStore(b, ts)
	copyCertificates(b, ts.DB, demoCerts(b, cs, courses.CertValid)[0], n)
	base := ts.Listen(b)
	hr := ts.client(b)
	hr.signIn(hrEmail)
	var cookies []string
	for _, ck := range hr.jar.Cookies(mustURL("http://localhost")) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	form := url.Values{"_csrf": {hr.csrf}, "all": {"1"}, "q": {"bulk copy"}}.Encode()
	download := func() (int64, error) {
		req, _ := http.NewRequest("POST", base+"/certificates/bulk.zip", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Certificate-Count") != fmt.Sprint(n) {
			return 0, fmt.Errorf("status %d, %s certificates", resp.StatusCode, resp.Header.Get("X-Certificate-Count"))
		}
		return io.Copy(io.Discard, resp.Body)
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	var size int64
	runs := 0
	start := time.Now()
	for b.Loop() {
		var err error
		if size, err = download(); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	b.ReportMetric(float64(n*runs)/elapsed.Seconds(), "certificates/s")
	b.ReportMetric(float64(size)/(1<<20), "zip-MB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "heap-before-MB")
}
