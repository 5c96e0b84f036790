package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// faultServer serves the demo organisation from the SQLite file at path
// (a copy of the shared demo database); cfg may change the app's config.
func faultServer(t *testing.T, path string, cfg func(*app.Config)) *testServer {
	t.Helper()
	demoCopy(t) // builds the shared demo file once
	b, err := os.ReadFile(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return faultApp(t, db, cfg)
}

// faultApp builds the app on db.
func faultApp(t *testing.T, db *bun.DB, cfg func(*app.Config)) *testServer {
	t.Helper()
	c := app.Config{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://localhost", Version: "test", Demo: true}
	if cfg != nil {
		cfg(&c)
	}
	a, err := app.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{App: a, DB: db, People: people.NewStore(db)}
}

// faultRig is a signed-in learner with an open attempt at a one-essay quiz
// and the mission course started: the writes the fault tests make are the
// essay's autosave (JSON) and a lesson marked complete (a form).
type faultRig struct {
	t         *testing.T
	ts        *testServer
	c         *client
	emp       int64
	attempt   int64
	answerURL string
	essay     int64    // the essay's question row id
	lessons   []string // the mission course's lessons, marked complete one by one
	done      []string // the lessons whose completion was acknowledged (303)
	saved     string   // the essay text last acknowledged (204)
}

func newFaultRig(t *testing.T, ts *testServer) *faultRig {
	t.Helper()
	ctx := context.Background()
	qs := assessments.NewStore(ts.DB)
	if _, err := qs.SaveQuestion(ctx, "six-cs", assessments.Question{ID: "fault-essay", Type: assessments.Essay,
		Text: "What happened?", Tags: []string{"fault"}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := qs.SaveQuiz(ctx, assessments.QuizSettings{CourseSlug: "six-cs", Slug: "fault-quiz", Title: "Fault quiz", DrawCount: 1,
		DrawPerTag: map[string]int{"fault": 1}, PassMark: 50, ReviewPolicy: assessments.ReviewNever}); err != nil {
		t.Fatal(err)
	}
	_, o, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).PublishedOutline(ctx, "mission-vision-promise")
	if err != nil {
		t.Fatal(err)
	}
	r := &faultRig{t: t, ts: ts, c: ts.client(t)}
	for _, l := range o.Lessons {
		r.lessons = append(r.lessons, l.Slug)
	}
	email, _ := freshLearner(t, ts)
	r.c.signIn(email)
	if err := ts.DB.NewSelect().TableExpr("employees").Column("id").Where("email = ?", email).Scan(ctx, &r.emp); err != nil {
		t.Fatal(err)
	}
	intro := "/learn/six-cs/quiz/fault-quiz"
	r.c.get(intro)
	resp, body := r.c.post(intro+"/start", nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, intro+"/attempt/") {
		t.Fatalf("start: %d %q %s", resp.StatusCode, loc, body)
	}
	r.attempt, _ = strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	r.answerURL = loc + "/answer"
	_, body = r.c.get(loc)
	r.essay, _ = strconv.ParseInt(doc(t, body).Find(`fieldset.question[data-type="essay"]`).AttrOr("data-question", ""), 10, 64)
	if r.essay == 0 {
		t.Fatalf("no essay on the attempt page: %s", body)
	}
	for _, l := range r.lessons { // open every lesson (a write), so that marking one complete is the only write then
		if resp, _ := r.c.get("/learn/mission-vision-promise/" + l); resp.StatusCode != http.StatusOK {
			t.Fatalf("open %s: %d", l, resp.StatusCode)
		}
	}
	return r
}

// autosave saves text as the essay's answer and returns the status and JSON body.
func (r *faultRig) autosave(text string) (*http.Response, map[string]any) {
	r.t.Helper()
	resp, body := r.c.postJSON(r.answerURL, map[string]any{"question": r.essay, "response": map[string]any{"text": text}})
	var out map[string]any
	if resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			r.t.Fatalf("autosave answered %d with no JSON: %q", resp.StatusCode, body)
		}
	} else {
		r.saved = text
	}
	return resp, out
}

// complete marks the next lesson complete (the form) and returns the status and page.
func (r *faultRig) complete() (*http.Response, string) {
	r.t.Helper()
	l := r.lessons[len(r.done)]
	r.c.get("/learn/mission-vision-promise/" + l) // the page's CSRF token
	resp, body := r.c.post("/learn/mission-vision-promise/"+l+"/complete", nil)
	if resp.StatusCode == http.StatusSeeOther {
		r.done = append(r.done, l)
	}
	return resp, body
}

// healthz returns /healthz's status, body and Retry-After.
func (r *faultRig) healthz() (int, map[string]any, string) {
	r.t.Helper()
	resp, body := r.c.get("/healthz")
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		r.t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
	}
	return resp.StatusCode, out, resp.Header.Get("Retry-After")
}

// waitHealth asks /healthz until it answers want (its answer is reused for
// 2 s, so a change shows within that), for at most half a minute.
func (r *faultRig) waitHealth(want int) map[string]any {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, out, retry := r.healthz()
		if code == want {
			if want == http.StatusServiceUnavailable && retry == "" {
				r.t.Fatal("/healthz 503 without Retry-After")
			}
			return out
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("/healthz still %d %v, want %d", code, out, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// acknowledge makes writes that succeed: an autosave and a lesson completion.
func (r *faultRig) acknowledge(text string) {
	r.t.Helper()
	if resp, out := r.autosave(text); resp.StatusCode != http.StatusNoContent {
		r.t.Fatalf("autosave: %d %v", resp.StatusCode, out)
	}
	if resp, body := r.complete(); resp.StatusCode != http.StatusSeeOther {
		r.t.Fatalf("complete a lesson: %d %s", resp.StatusCode, body)
	}
}

// expectUnavailable asserts the fault's answers: /healthz 503 naming the
// problem, the autosave 503 JSON and the form 503 page, with Retry-After,
// and nothing of theirs saved.
func (r *faultRig) expectUnavailable(problem string) {
	r.t.Helper()
	if out := r.waitHealth(http.StatusServiceUnavailable); !strings.Contains(out["problem"].(string), problem) || out["status"] != "unavailable" {
		r.t.Fatalf("/healthz: %v, want the problem %q", out, problem)
	}
	resp, out := r.autosave("written during the fault")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(out["error"].(string), problem) || !strings.Contains(out["error"].(string), "not saved") {
		r.t.Fatalf("autosave during the fault: %d Retry-After %q %v", resp.StatusCode, resp.Header.Get("Retry-After"), out)
	}
	resp, body := r.complete()
	d := doc(r.t, body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		d.Find(".error-page .code").Text() != "503" || d.Find(".error-page h1").Text() != "Temporarily unavailable" ||
		!strings.Contains(d.Find(".error-page").Text(), problem) {
		r.t.Fatalf("lesson complete during the fault: %d Retry-After %q %q", resp.StatusCode, resp.Header.Get("Retry-After"), d.Find("main").Text())
	}
}

// expectRecovered asserts that it works again by itself and nothing
// acknowledged was lost.
func (r *faultRig) expectRecovered() {
	r.t.Helper()
	if out := r.waitHealth(http.StatusOK); out["status"] != "ok" {
		r.t.Fatalf("/healthz after the fault: %v", out)
	}
	r.acknowledge("written after the fault")
	r.checkAcknowledged(r.ts.DB)
}

// checkAcknowledged finds in db every write that was answered 2xx.
func (r *faultRig) checkAcknowledged(db *bun.DB) {
	r.t.Helper()
	ctx := context.Background()
	var saved string
	if err := db.NewSelect().TableExpr("attempt_answers").Column("response").
		Where("attempt_id = ? AND question_row_id = ?", r.attempt, r.essay).Scan(ctx, &saved); err != nil {
		r.t.Fatal(err)
	}
	var got assessments.Response
	if err := json.Unmarshal([]byte(saved), &got); err != nil || got.Text != r.saved {
		r.t.Fatalf("saved essay %q (%v), want the last acknowledged %q", saved, err, r.saved)
	}
	n, err := db.NewSelect().TableExpr("lesson_progress AS lp").Join("JOIN lessons AS l ON l.id = lp.lesson_id").
		Where("lp.employee_id = ? AND l.slug IN (?)", r.emp, bun.In(r.done)).Count(ctx)
	if err != nil || int(n) != len(r.done) {
		r.t.Fatalf("%d of the %d acknowledged lesson completions kept (%v)", n, len(r.done), err)
	}
}

// mountTmpfs mounts a tmpfs of size bytes at a new directory, or skips the
// test (saying why) where this process may not mount.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.Itoa(size)); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: needs root or CAP_SYS_ADMIN); TestFaultInjected covers the same answers", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// TestFinding15DiskFull (issue 11, finding 15): on a small tmpfs filled to
// the last byte, /healthz answers 503 "the disk is full" (it answered 200
// while every write failed), a write answers 503 with Retry-After (the
// JSON error for the autosave, the error page for a form; it was a 500),
// and once space is freed it recovers by itself with every acknowledged
// write kept.
func TestFinding15DiskFull(t *testing.T) {
	dir := mountTmpfs(t, 32<<20)
	ts := faultServer(t, filepath.Join(dir, "academy.db"), nil)
	r := newFaultRig(t, ts)
	r.waitHealth(http.StatusOK)
	r.acknowledge("written before the fault")

	ballast, err := os.Create(filepath.Join(dir, "ballast"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := ballast.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			if len(chunk) == 1 {
				break
			}
			chunk = chunk[:len(chunk)/2]
		}
	}
	ballast.Close()
	r.expectUnavailable("the disk is full")

	if err := os.Remove(filepath.Join(dir, "ballast")); err != nil {
		t.Fatal(err)
	}
	r.expectRecovered()
}

// TestFaultReadOnlyFileSystem: the database's file system remounted
// read-only (as the kernel does after disk errors): 503s and /healthz 503
// saying so; remounted read-write, it recovers by itself, nothing lost.
func TestFaultReadOnlyFileSystem(t *testing.T) {
	dir := mountTmpfs(t, 32<<20)
	ts := faultServer(t, filepath.Join(dir, "academy.db"), nil)
	r := newFaultRig(t, ts)
	r.acknowledge("written before the fault")
	// Linux remounts read-only only when no file is open for writing, so the
	// pool closes its connections first (and keeps none idle meanwhile).
	ts.DB.SetMaxIdleConns(0)
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
	r.expectUnavailable("read-only")

	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT, ""); err != nil {
		t.Fatalf("remount read-write: %v", err)
	}
	ts.DB.SetMaxIdleConns(8)
	r.expectRecovered()
}

// TestFaultDatabaseFileGoesAway: the SQLite file moved away under the
// running server. SQLite would go on writing into the file no longer
// there, and every write acknowledged then would be lost; instead writes
// answer 503 and /healthz says the file is missing. Moved back, it
// recovers by itself with every acknowledged write.
func TestFaultDatabaseFileGoesAway(t *testing.T) {
	path := filepath.Join(t.TempDir(), "academy.db")
	ts := faultServer(t, path, nil)
	r := newFaultRig(t, ts)
	r.acknowledge("written before the fault")
	if err := os.Rename(path, path+".away"); err != nil {
		t.Fatal(err)
	}
	r.expectUnavailable("the database file is missing")
	if err := os.Rename(path+".away", path); err != nil {
		t.Fatal(err)
	}
	r.expectRecovered()
}

// TestFaultInjected is the disk-full and read-only faults where no tmpfs
// can be mounted (it always runs): the real SQLite errors, provoked on a
// pool of one connection: PRAGMA max_page_count at the file's size makes
// every write that needs a page SQLITE_FULL, and PRAGMA query_only makes
// every write SQLITE_READONLY. /healthz cannot see max_page_count (the
// disk is not full), so a second server that counts less than a petabyte
// free as full stands for it.
func TestFaultInjected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "academy.db")
	ts := faultServer(t, path, nil)
	ts.DB.SetMaxOpenConns(1)
	r := newFaultRig(t, ts)
	r.acknowledge("written before the fault")
	ctx := context.Background()

	t.Run("DiskFull", func(t *testing.T) {
		var pages int
		if err := ts.DB.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.DB.ExecContext(ctx, "PRAGMA max_page_count = ?", pages); err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("A long answer. ", 660) // 9,900 characters: new pages
		resp, out := r.autosave(big)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(out["error"].(string), "the disk is full") {
			t.Fatalf("autosave on a full database: %d %v", resp.StatusCode, out)
		}
		full := faultApp(t, ts.DB, func(c *app.Config) { c.MinFree = 1 << 50 })
		hr := &faultRig{t: t, ts: full, c: full.client(t)}
		if out := hr.waitHealth(http.StatusServiceUnavailable); out["problem"] != "the disk is full" {
			t.Fatalf("/healthz with less free than required: %v", out)
		}
		if _, err := ts.DB.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
			t.Fatal(err)
		}
		if resp, out := r.autosave(big); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("autosave after the fault: %d %v", resp.StatusCode, out)
		}
		r.checkAcknowledged(ts.DB)
	})
	t.Run("ReadOnly", func(t *testing.T) {
		// The session was last seen minutes ago, so the next request touches
		// it: a write the fault refuses, which must not refuse the page.
		if _, err := ts.DB.NewUpdate().TableExpr("sessions").Set("last_seen_at = ?", time.Now().UTC().Add(-5*time.Minute)).
			Where("employee_id = ?", r.emp).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.DB.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3100 * time.Millisecond) // past the session cache (sessionTTL), so the session is read again
		if resp, body := r.c.get("/learn/mission-vision-promise"); resp.StatusCode != http.StatusOK {
			t.Fatalf("reading a course page while writes fail: %d %q", resp.StatusCode, doc(t, body).Find("main").Text())
		}
		r.expectUnavailable("read-only")
		if _, err := ts.DB.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
			t.Fatal(err)
		}
		r.expectRecovered()
	})
}

// tcpProxy forwards connections to target until stopped; started again, it
// listens on the same address.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func (p *tcpProxy) start(t *testing.T) {
	t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	if p.conns == nil {
		p.conns = map[net.Conn]bool{}
	}
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns[in], p.conns[out] = true, true
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
}

// stop refuses new connections and resets the open ones.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, as when the server goes
		}
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// TestFaultPostgresGoesAway: the PostgreSQL server stops answering (its
// connections reset, new ones refused; through a proxy the test stops):
// 503s and /healthz 503 "cannot be reached"; back, it recovers by itself
// with every acknowledged write.
func TestFaultPostgresGoesAway(t *testing.T) {
	dsn := storetest.MustDSN(t, "postgres")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	direct, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	if _, err := store.Migrate(ctx, direct, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.Load(ctx, direct, demoPassword, "http://localhost"); err != nil {
		t.Fatal(err)
	}
	proxy := &tcpProxy{target: u.Host}
	proxy.start(t)
	t.Cleanup(proxy.stop)
	u.Host = proxy.addr
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts := faultApp(t, db, nil)
	r := newFaultRig(t, ts)
	r.acknowledge("written before the fault")

	proxy.stop()
	r.expectUnavailable("the database cannot be reached")
	proxy.start(t)
	r.expectRecovered()
	r.checkAcknowledged(direct)
}
