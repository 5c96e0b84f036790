package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// matrixScale is the size of the benchmarks' programme.
const matrixScale = 100_000

// seedMatrixScale adds n employees to the demo organisation (a reporting
// tree of fan-out 10 under one head, 10 departments, 20 locations, 500 last
// names) and one programme of the seven built-in courses (five required)
// assigned to all of them, written as rows in bulk rather than through the
// stores: cycles of every status (a tenth recertifying on a second cycle),
// about 3.4 completions each, an unfinished enrolment for a fifth of them,
// and their readiness. It returns the programme's slug.
func seedMatrixScale(tb testing.TB, db *bun.DB, n int) string {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	day := func(d int) time.Time { return now.AddDate(0, 0, d) }
	at := func(d int) *time.Time { t := day(d); return &t }
	cs := courses.NewStore(db, courses.NoAssessments, courses.Options{})
	slugs := []string{"mission-vision-promise", "service-recovery", "promises-timelines", "empathy-difficult-customers", "customer-world", "six-cs", "internal-customer"}
	in := courses.ProgrammeInput{Slug: "scale", Title: "Service at scale", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 60}, ValidityMonths: 12, RecertDays: 30}
	for i, s := range slugs {
		in.Courses = append(in.Courses, courses.ProgrammeCourseInput{Slug: s, Required: i < 5})
	}
	p, err := cs.CreateProgramme(ctx, in, nil, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	var list []struct {
		ID                 int64
		Slug               string
		PublishedVersionID int64
	}
	if err := db.NewSelect().TableExpr("courses").Column("id", "slug", "published_version_id").Where("slug IN (?)", bun.In(slugs)).Scan(ctx, &list); err != nil {
		tb.Fatal(err)
	}
	course := map[string][2]int64{}
	for _, c := range list {
		course[c.Slug] = [2]int64{c.ID, c.PublishedVersionID}
	}
	// Ids above the demo's, given here so that nothing is read back.
	var base int64
	for _, table := range []string{"employees", "assignments", "cycles"} {
		var top int64
		if err := db.NewSelect().TableExpr(table).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &top); err != nil {
			tb.Fatal(err)
		}
		base = max(base, top+1000)
	}
	surnames := make([]string, 500)
	for i := range surnames {
		surnames[i] = fmt.Sprintf("%c%c%s-%03d", 'A'+i%26, 'a'+(i*7)%26, "son", i)
	}
	firsts := []string{"Alex", "Sam", "Jo", "Priya", "Tomasz", "Zoë", "Mohammed", "Aoife", "Chen", "Kofi"}

	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, t := range []struct {
			table string
			n     int
		}{{"departments", 10}, {"locations", 20}} {
			for i := 1; i <= t.n; i++ {
				name := fmt.Sprintf("Scale %s %02d", t.table, i)
				if _, err := tx.NewRaw("INSERT INTO "+t.table+" (id, name, name_key, created_at) VALUES (?, ?, ?, ?)", 1000+i, name, name, now).Exec(ctx); err != nil {
					return err
				}
			}
		}
		var (
			emps  []people.Employee
			asgs  []courses.Assignment
			cys   []courses.Cycle
			done  []courses.CourseCompletion
			ens   []courses.Enrolment
			ready []courses.ReadinessRow
		)
		flush := func(force bool) error {
			if !force && len(emps) < 1000 {
				return nil
			}
			for _, m := range []struct {
				rows any
				n    int
			}{{&emps, len(emps)}, {&asgs, len(asgs)}, {&cys, len(cys)}, {&done, len(done)}, {&ens, len(ens)}, {&ready, len(ready)}} {
				if m.n == 0 {
					continue
				}
				if _, err := tx.NewInsert().Model(m.rows).Exec(ctx); err != nil {
					return err
				}
			}
			emps, asgs, cys, done, ens, ready = emps[:0], asgs[:0], cys[:0], done[:0], ens[:0], ready[:0]
			return nil
		}
		for i := range n {
			id := base + int64(i)
			dept, loc := int64(1001+i%10), int64(1001+(i/10)%20)
			e := people.Employee{ID: id, Number: fmt.Sprintf("S%06d", i), FirstName: firsts[(i/500)%len(firsts)], LastName: surnames[(i*7919)%500],
				Email: fmt.Sprintf("s%06d@scale.example", i), DepartmentID: &dept, LocationID: &loc, HireDate: "2020-01-06", Active: true, CreatedAt: now, UpdatedAt: now}
			e.EmailKey, e.SearchKey = e.Email, e.Number
			if i > 0 {
				m := base + int64((i-1)/10)
				e.ManagerID = &m
			}
			emps = append(emps, e)
			asgs = append(asgs, courses.Assignment{ID: id, ProgrammeID: p.ID, EmployeeID: id, Manual: true, AssignedAt: day(-400)})
			cy := courses.Cycle{ID: id, AssignmentID: id, ProgrammeID: p.ID, VersionID: p.VersionID, EmployeeID: id, Cycle: 1,
				AssignedAt: day(-90), CountsFrom: at(-455), DueOn: day(-30).Format(time.DateOnly)}
			complete := func(upTo int, when int) {
				for k := 0; k < upTo; k++ {
					cv := course[slugs[k]]
					done = append(done, courses.CourseCompletion{EmployeeID: id, CourseID: cv[0], CourseSlug: slugs[k], VersionID: cv[1], CompletedAt: day(when + k)})
				}
			}
			rd := courses.Ready
			switch i % 10 {
			case 0: // recertifying: last year's cycle expiring, the new one open
				complete(5, -350)
				cy.StartedAt, cy.CompletedAt, cy.ExpiresAt, cy.Status = at(-350), at(-346), at(19), courses.Expiring
				cys = append(cys, cy)
				cy = courses.Cycle{ID: id + int64(n) + base, AssignmentID: id, ProgrammeID: p.ID, VersionID: p.VersionID, EmployeeID: id, Cycle: 2,
					AssignedAt: day(-11), CountsFrom: at(-11), DueOn: day(18).Format(time.DateOnly), Status: courses.DueSoon}
				rd = courses.AtRisk
			case 1, 2, 3, 4:
				complete(5+i%3, -60)
				cy.StartedAt, cy.CompletedAt, cy.ExpiresAt, cy.Status = at(-60), at(-56), at(305), courses.Completed
			case 5, 6:
				complete(2, -20)
				cy.DueOn, cy.StartedAt, cy.Status = day(20).Format(time.DateOnly), at(-20), courses.InProgress
				cv := course[slugs[2]]
				ens = append(ens, courses.Enrolment{EmployeeID: id, CourseID: cv[0], VersionID: cv[1], StartedAt: day(-5)})
				rd = courses.AtRisk
			case 7:
				complete(1, -80)
				cy.StartedAt, cy.Status = at(-80), courses.Overdue
				rd = courses.NotReady
			case 8:
				cy.Status = courses.NotStarted
				cy.DueOn = day(40).Format(time.DateOnly)
				rd = courses.AtRisk
			case 9:
				cy.ExemptAt, cy.ExemptReason, cy.Status = at(-30), "bench", courses.Exempt
			}
			cys = append(cys, cy)
			ready = append(ready, courses.ReadinessRow{EmployeeID: id, Status: rd, Reasons: []courses.Reason{}, UpdatedAt: now})
			if err := flush(false); err != nil {
				return err
			}
		}
		if err := flush(true); err != nil {
			return err
		}
		_, err := people.RebuildPaths(ctx, tx)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		tb.Fatal(err)
	}
	return p.Slug
}

// The scale database takes a while to write: the benchmarks share one
// copy, built once per test binary and copied per benchmark.
var (
	scaleOnce sync.Once
	scaleFile string
	scaleSlug string
	scaleErr  error
)

// mustScaleServer is mustServer on the demo organisation plus
// seedMatrixScale's programme of matrixScale people.
func mustScaleServer(b *testing.B) (*testServer, string) {
	b.Helper()
	scaleOnce.Do(func() {
		db := demoCopy(b)
		start := time.Now()
		scaleSlug = seedMatrixScale(b, db, matrixScale)
		b.Logf("fixture: %d employees, their assignments, cycles and completions written in %.1f s", matrixScale, time.Since(start).Seconds())
		scaleFile = filepath.Join(filepath.Dir(demoFile), "scale.db") // removed with the demo's by TestMain
		_, scaleErr = db.ExecContext(context.Background(), "VACUUM INTO ?", scaleFile)
	})
	if scaleErr != nil {
		b.Fatal(scaleErr)
	}
	path := filepath.Join(b.TempDir(), "academy.db")
	if err := copyFile(scaleFile, path); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a, err := app.New(app.Config{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://localhost", Version: "test", Demo: true})
	if err != nil {
		b.Fatal(err)
	}
	return &testServer{App: a, DB: db, People: people.NewStore(db)}, scaleSlug
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// watchPeakHeap samples the heap in use every 10 ms until stop is called, and keeps the peak.
func watchPeakHeap() (peak *atomic.Uint64, stop func()) {
	peak = new(atomic.Uint64)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return peak, func() { close(done); <-finished }
}

// resetPeakRSS starts the process's peak resident size (VmHWM) again from
// now, where Linux allows it.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident size in bytes since resetPeakRSS
// (0 where /proc does not say).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// benchMatrixExport downloads path as HR over real HTTP on loopback (so the
// body is streamed, not buffered by app.Test) and reports the seconds per
// export, the peak heap in use of the whole process (server and client)
// while exporting, and the size of the file.
func benchMatrixExport(b *testing.B, ext string) {
	ts, slug := mustScaleServer(b)
	base := ts.Listen(b)
	hr := ts.client(b)
	hr.signIn(hrEmail)
	var session string
	for _, ck := range hr.jar.Cookies(mustURL("http://localhost")) {
		if ck.Name == "academy_session" {
			session = ck.Value
		}
	}
	url := base + "/matrix." + ext + "?programme=" + slug
	client := &http.Client{Timeout: 5 * time.Minute}
	debug.FreeOSMemory() // what the fixture left behind
	resetPeakRSS()
	peak, stop := watchPeakHeap()
	var size int64
	for b.Loop() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Cookie", "academy_session="+session)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		size, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("status %d after %d bytes: %v", resp.StatusCode, size, err)
		}
	}
	stop()
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	}
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
	b.ReportMetric(float64(matrixScale), "rows")
}

// BenchmarkMatrixCSV exports the whole matrix of a programme assigned to
// 100,000 employees (seven courses) as CSV, streamed in batches of 500.
func BenchmarkMatrixCSV(b *testing.B) { benchMatrixExport(b, "csv") }

// BenchmarkMatrixXLSX is the same matrix as a spreadsheet (excelize's stream writer).
func BenchmarkMatrixXLSX(b *testing.B) { benchMatrixExport(b, "xlsx") }

// BenchmarkMatrixPage loads one page (100 rows) of the same matrix, the first and one far in.
func BenchmarkMatrixPage(b *testing.B) {
	ts, slug := mustScaleServer(b)
	hr := ts.client(b)
	hr.signIn(hrEmail)
	var cursor string
	path := "/matrix?programme=" + slug + "&limit=100"
	for range 300 { // page 301: 30,000 rows in
		d, err := goquery.NewDocumentFromReader(strings.NewReader(mustGet(b, hr, path)))
		if err != nil {
			b.Fatal(err)
		}
		next, ok := d.Find("a#matrix-next").Attr("href")
		if !ok {
			b.Fatal("no next page")
		}
		cursor, path = next, next
	}
	for _, bc := range []struct{ name, path string }{{"First", "/matrix?programme=" + slug}, {"Page301", cursor}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				mustGet(b, hr, bc.path)
			}
		})
	}
}

func mustGet(tb testing.TB, c *client, path string) string {
	tb.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != 200 {
		tb.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return body
}
