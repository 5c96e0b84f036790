package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestCommands(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.MustDSN(t, dialect)
			t.Setenv("ACADEMY_DB", dsn) // every flag also reads its ACADEMY_* variable

			if out, _, err := runCmd(t, "", "migrate"); err != nil || !strings.Contains(out, "applied") {
				t.Fatalf("migrate: %q %v", out, err)
			}
			if out, _, err := runCmd(t, "", "migrate"); err != nil || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate again: %q %v", out, err)
			}
			out, _, err := runCmd(t, "", "admin", "create", "--email", "boss@example.com", "--first-name", "Bo", "--last-name", "Ss")
			if err != nil || !strings.Contains(out, "/password/") {
				t.Fatalf("admin create: %q %v", out, err)
			}
			if _, _, err := runCmd(t, "a long enough password\n", "admin", "create", "--email", "ops@example.com", "--password-stdin"); err != nil {
				t.Fatalf("admin create with password: %v", err)
			}
			csv := filepath.Join(t.TempDir(), "people.csv")
			os.WriteFile(csv, []byte("\ufeffEmployee Number;First Name;Last Name;Email;Manager Email\n7;Ann;Lee;ann@example.com;boss@example.com\n8;Bob;Ray;bob@example.com;ann@example.com\n"), 0o600)
			out, _, err = runCmd(t, "", "import", "employees", csv, "--dry-run")
			if err != nil || !strings.Contains(out, "2 created") || !strings.Contains(out, "nothing written") {
				t.Fatalf("dry run: %q %v", out, err)
			}
			out, _, err = runCmd(t, "", "import", "employees", csv)
			if err != nil || !strings.Contains(out, "2 created") {
				t.Fatalf("import: %q %v", out, err)
			}
			bad := filepath.Join(t.TempDir(), "bad.csv")
			os.WriteFile(bad, []byte("Employee Number,Full Name,Email\n9,Cy Dee,not-an-email\n"), 0o600)
			out, _, err = runCmd(t, "", "import", "employees", bad)
			if err == nil || !strings.Contains(out, "bad.csv:2: email:") {
				t.Fatalf("bad import: %q %v", out, err)
			}
			out, _, err = runCmd(t, "", "token", "create", "--name", "hris", "--role", "hr")
			if err != nil || !strings.HasPrefix(out, people.TokenPrefix) {
				t.Fatalf("token: %q %v", out, err)
			}
			if _, _, err := runCmd(t, "", "token", "create", "--name", "x", "--role", "staff"); err == nil {
				t.Fatal("a staff token without --employee was accepted")
			}
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			s := people.NewStore(db)
			tok, err := s.FindToken(ctx, strings.TrimSpace(out))
			if err != nil || tok.Role != people.RoleHR {
				t.Fatalf("stored token: %+v %v", tok, err)
			}
			bob, err := s.FindEmployeeByNumber(ctx, "8")
			if err != nil || bob.ManagerNumber != "7" {
				t.Fatalf("bob: %+v %v", bob, err)
			}
			if _, _, _, err := s.SignIn(ctx, "ops@example.com", "a long enough password", "127.0.0.1", "test"); err != nil {
				t.Fatalf("ops admin cannot sign in: %v", err)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"serve", "--log-format", "xml"}, {"import"}, {"token", "create"}} {
		if _, _, err := runCmd(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v is not a usage error", args, err)
		}
	}
	if out, _, err := runCmd(t, "", "version"); err != nil || !strings.HasPrefix(out, "academy ") {
		t.Fatalf("version: %q %v", out, err)
	}
}

// TestServeDemoAndShutdown starts the real server with --demo, checks the
// health endpoint and the printed logins, then cancels: the server drains
// and closes the database cleanly.
func TestServeDemoAndShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("ACADEMY_DEMO_PASSWORD", "a demo password")
	t.Setenv("ACADEMY_ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--db", dbPath, "--log-format", "json"}, strings.NewReader(""), &out, &errb)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		resp, err = http.Get("http://" + addr + "/healthz")
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v\n%s", resp, err, errb.String())
	}
	resp.Body.Close()
	if s := out.String(); !strings.Contains(s, "DEMO MODE") || !strings.Contains(s, "hr@brightwater.example") || !strings.Contains(s, "a demo password") {
		t.Fatalf("logins not printed:\n%s", s)
	}
	r2, _ := http.Get("http://" + addr + "/password/secret-token-value")
	r2.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	logs := errb.String()
	if !strings.Contains(logs, `"msg":"stopped cleanly"`) || !strings.Contains(logs, `"route":"/password/:token"`) {
		t.Fatalf("logs:\n%s", logs)
	}
	if strings.Contains(logs, "secret-token-value") || strings.Contains(logs, "a demo password") {
		t.Fatal("a secret reached the log")
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestImportQuestionsCommand(t *testing.T) {
	dsn := storetest.MustDSN(t, "sqlite")
	t.Setenv("ACADEMY_DB", dsn)
	if _, _, err := runCmd(t, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := courses.NewStore(db).CreateCourse(ctx, "cli-course", "CLI course", nil); err != nil {
		t.Fatal(err)
	}
	bank := func() int {
		list, err := assessments.NewStore(db).ListQuestions(ctx, "cli-course")
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gift")
	os.WriteFile(bad, []byte("::Fine:: A question {=yes ~no}\n\n::Broken:: An open block {=yes ~no\n"), 0o600)
	out, _, err := runCmd(t, "", "import", "questions", "--course", "cli-course", bad)
	if err == nil || !strings.Contains(out, "bad.gift:3:") || !strings.Contains(out, "nothing written") || bank() != 0 {
		t.Fatalf("bad file: %q %v (bank %d)", out, err, bank())
	}
	good := filepath.Join(dir, "good.gift")
	os.WriteFile(good, []byte("::Greet:: How? {=Warmly ~Coldly}\n\n::Sky:: The sky is blue. {T}\n\n::Essay:: Describe. {}\n"), 0o600)
	out, _, err = runCmd(t, "", "import", "questions", "--course", "cli-course", good, "--dry-run")
	if err != nil || !strings.Contains(out, "3 created") || !strings.Contains(out, "nothing written") || !strings.Contains(out, "true_false") || bank() != 0 {
		t.Fatalf("dry run: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", "import", "questions", "--course", "cli-course", good)
	if err != nil || !strings.Contains(out, "3 created") || bank() != 3 {
		t.Fatalf("import: %q %v", out, err)
	}
	aiken := filepath.Join(dir, "q.txt")
	os.WriteFile(aiken, []byte("Who owns it?\nA. Me\nB. Nobody\nANSWER: A\n"), 0o600)
	if out, _, err = runCmd(t, "", "import", "questions", "--course", "cli-course", "--format", "aiken", aiken); err != nil || bank() != 4 {
		t.Fatalf("aiken: %q %v", out, err)
	}
	if _, _, err = runCmd(t, "", "import", "questions", "--course", "no-such-course", good); err == nil {
		t.Fatal("unknown course accepted")
	}
	if _, _, err = runCmd(t, "", "import", "questions", good); err == nil {
		t.Fatal("no --course accepted")
	} else if _, ok := err.(usageError); !ok {
		t.Fatalf("no --course: %v is not a usage error", err)
	}
}

// TestDemoScaleCommand: academy demo --employees builds the large
// organisation, prints the logins and the lines, and refuses a second time.
func TestDemoScaleCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scale.db")
	if _, _, err := runCmd(t, "", "demo", "--employees", "50", "--db", db); err == nil || !strings.Contains(err.Error(), "at least 200") {
		t.Fatalf("50 employees: %v", err)
	}
	if _, _, err := runCmd(t, "", "demo", "--employees", "300", "--seed", "x", "--db", db); err == nil {
		t.Fatal("a seed that is not a number was accepted")
	}
	out, progress, err := runCmd(t, "", "demo", "--employees", "300", "--seed", "3", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DEMO MODE", "admin@brightwater.example", "hr@brightwater.example", "academy-demo",
		"chief executive: 299 in the line", "About 500 in the line: BW", "course_completions"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(progress, "history 100%") {
		t.Errorf("progress: %s", progress)
	}
	if _, _, err := runCmd(t, "", "demo", "--employees", "300", "--db", db); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("second load: %v", err)
	}
}
