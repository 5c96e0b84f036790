package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

const demoPassword = "demo-password-for-tests"

// testServer is the real application on a migrated database with the demo organisation.
type testServer struct {
	App    *fiber.App
	DB     *bun.DB
	People *people.Store
	URL    string // set by Listen
}

// mustServer builds the app on a fresh database of dialect (sqlite or postgres) loaded with the demo organisation.
func mustServer(tb testing.TB, dialect string) *testServer {
	tb.Helper()
	var db *bun.DB
	if dialect == "sqlite" {
		db = demoCopy(tb)
	} else {
		db = storetest.MustOpen(tb, dialect)
		if _, _, err := demo.Load(context.Background(), db, demoPassword, "http://localhost"); err != nil {
			tb.Fatalf("demo: %v", err)
		}
	}
	s := people.NewStore(db)
	a, err := app.New(app.Config{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://localhost", Version: "test", Demo: true})
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	return &testServer{App: a, DB: db, People: s}
}

// Listen serves the app on a random loopback port (for the browser and real HTTP clients).
func (ts *testServer) Listen(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go ts.App.Listener(ln)
	tb.Cleanup(func() { ts.App.Shutdown() })
	ts.URL = "http://" + ln.Addr().String()
	return ts.URL
}

// client is a browser-like HTTP client (cookies, no redirect following) against app.Test.
type client struct {
	tb   testing.TB
	ts   *testServer
	jar  http.CookieJar
	csrf string
}

func (ts *testServer) client(tb testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, ts: ts, jar: jar}
}

var base, _ = url.Parse("http://localhost")

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// do sends a request through app.Test and returns the status and body.
func (c *client) do(method, path string, body io.Reader, contentType string) (*http.Response, string) {
	c.tb.Helper()
	req, _ := http.NewRequest(method, "http://localhost"+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	resp, err := c.ts.App.Test(req, -1)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	c.jar.SetCookies(base, resp.Cookies())
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil, "") }

// post sends a form with the current CSRF token (fetch a page first).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	return c.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// signIn signs in as email with the demo password and fails the test otherwise.
func (c *client) signIn(email string) {
	c.tb.Helper()
	c.get("/signin")
	resp, body := c.post("/signin", url.Values{"email": {email}, "password": {demoPassword}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		c.tb.Fatalf("sign in as %s: status %d\n%s", email, resp.StatusCode, body)
	}
	c.get("/") // pick up the session's CSRF token
}

// passAll tells the courses that every assessment is passed: for fixtures
// that complete courses by their lessons alone.
type passAll struct{}

func (passAll) Passed(context.Context, bun.IDB, int64, []string, time.Time) (bool, []string, error) {
	return true, nil, nil
}

func (passAll) Score(context.Context, bun.IDB, int64, []string, *time.Time) (*float64, error) {
	return nil, nil
}

func (passAll) CriticalFailures(context.Context, bun.IDB, []int64) (map[int64][]courses.CriticalFailure, error) {
	return map[int64][]courses.CriticalFailure{}, nil
}

// completeLesson completes a lesson through cs, in a transaction of its own.
func completeLesson(ctx context.Context, cs *courses.Store, en *courses.Enrolment, lessonID int64) error {
	defer cs.Forget(en)
	return cs.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, _, err := cs.CompleteLesson(ctx, tx, en, lessonID)
		return err
	})
}

// Demo accounts used by the tests.
const (
	adminEmail  = "admin@brightwater.example"
	hrEmail     = "hr@brightwater.example"
	headEmail   = "olivia.bennett@brightwater.example" // Head of Customer Service: three levels below
	ccMgrEmail  = "daniel.kim@brightwater.example"     // Contact Centre Manager
	staffEmail  = "aisha.khan@brightwater.example"     // Receptionist, no reports
	staffNumber = "BW1102"
)

// mustApp builds a second app on ts's database with another base URL.
func mustApp(tb testing.TB, ts *testServer, baseURL string) *fiber.App {
	tb.Helper()
	a, err := app.New(app.Config{DB: ts.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: baseURL, Version: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// The demo's year of history takes about a second to write; SQLite tests
// share one copy of it, built once per test binary and copied per test.
var (
	demoOnce sync.Once
	demoFile string
	demoErr  error
)

// demoCopy returns a fresh SQLite database holding the demo organisation.
func demoCopy(tb testing.TB) *bun.DB {
	tb.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "academy-demo-")
		if err != nil {
			demoErr = err
			return
		}
		ctx := context.Background()
		db, err := store.Open(ctx, filepath.Join(dir, "build.db"))
		if err != nil {
			demoErr = err
			return
		}
		defer db.Close()
		if _, err := store.Migrate(ctx, db, nil); err != nil {
			demoErr = err
			return
		}
		if _, _, err := demo.Load(ctx, db, demoPassword, "http://localhost"); err != nil {
			demoErr = err
			return
		}
		demoFile = filepath.Join(dir, "demo.db")
		_, demoErr = db.ExecContext(ctx, "VACUUM INTO ?", demoFile)
	})
	if demoErr != nil {
		tb.Fatalf("demo: %v", demoErr)
	}
	b, err := os.ReadFile(demoFile)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "academy.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoFile != "" {
		os.RemoveAll(filepath.Dir(demoFile))
	}
	os.Exit(code)
}
