package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

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
	// The demo loads before the server listens: allow a busy machine time.
	var resp *http.Response
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
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
	if _, err := courses.NewStore(db, courses.NoAssessments, courses.Options{}).CreateCourse(ctx, "cli-course", "CLI course", nil); err != nil {
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
	cued := filepath.Join(dir, "cued.gift")
	os.WriteFile(cued, []byte("::Summary:: One word for a short summary? {=*line*}\n"), 0o600)
	out, _, err = runCmd(t, "", "import", "questions", "--course", "cli-course", cued, "--dry-run")
	if err != nil || !strings.Contains(out, "1 created") || !strings.Contains(out, `cue warning: summary (answer 1): "*line*" also accepts`) {
		t.Fatalf("dry run with a cue warning: %q %v", out, err)
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

// binDir holds the academy binary built for the tests that run it as a
// separate process (removed by TestMain).
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// mustBinary builds the academy binary once per test run.
func mustBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "academy-bin-")
		if binErr != nil {
			return
		}
		os.Chmod(binDir, 0o755) // also runnable by an unprivileged user (TestFinding14ReadOnlyDatabaseMessage)
		binPath = filepath.Join(binDir, "academy")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy waits until the server at addr answers /healthz, or fails
// after a minute (a guard against hanging, not a timing assertion).
func waitHealthy(t *testing.T, addr string, exited <-chan error, logs fmt.Stringer) {
	t.Helper()
	for i := 0; i < 600; i++ {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("the server exited (%v):\n%s", err, logs)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("the server never became healthy:\n%s", logs)
}

// server is the academy binary serving in a process of its own.
type server struct {
	cmd    *exec.Cmd
	addr   string
	logs   *syncBuffer
	exited chan error
}

// startServer runs `academy serve` on a free port with args and waits until it is healthy.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), logs: &syncBuffer{}, exited: make(chan error, 1)}
	s.cmd = exec.Command(mustBinary(t), append([]string{"serve", "--addr", s.addr, "--log-format", "json"}, args...)...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	waitHealthy(t, s.addr, s.exited, s.logs)
	return s
}

// stop sends sig and waits for the process to exit (a minute at most).
func (s *server) stop(t *testing.T, sig os.Signal) error {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		return err
	case <-time.After(time.Minute):
		t.Fatalf("the server did not stop:\n%s", s.logs)
		return nil
	}
}

// serveInProcess runs serve in this process until the returned cancel is
// called; done receives its result.
func serveInProcess(t *testing.T, args ...string) (addr string, logs *syncBuffer, cancel func(), done chan error) {
	t.Helper()
	addr = freeAddr(t)
	logs = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr, "--log-format", "json"}, args...), strings.NewReader(""), io.Discard, logs)
	}()
	t.Cleanup(cancel)
	waitHealthy(t, addr, done, logs)
	return addr, logs, cancel, done
}

// waitDone waits for serve to return (a minute at most).
func waitDone(t *testing.T, done chan error, logs fmt.Stringer) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("serve did not return:\n%s", logs)
		return nil
	}
}

// waitLog waits until logs contain s (a minute at most).
func waitLog(t *testing.T, logs fmt.Stringer, s string) {
	t.Helper()
	for i := 0; i < 1200 && !strings.Contains(logs.String(), s); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), s) {
		t.Fatalf("the log never said %q:\n%s", s, logs)
	}
}

// TestFinding16CleanStopReleasesLeaseAndCheckpoints: SIGTERM to the real
// binary, three times in a row on each database: every stop says "stopped
// cleanly", releases the scheduler lease (so the next start runs the
// scheduler at once) and, on SQLite, leaves no -wal file behind.
func TestFinding16CleanStopReleasesLeaseAndCheckpoints(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.MustDSN(t, dialect)
			ctx := context.Background()
			for round := range 3 {
				s := startServer(t, []string{"ACADEMY_DEMO_PASSWORD=a demo password"}, "--db", dsn, "--demo")
				waitLog(t, s.logs, "scheduler: this instance runs the scheduled jobs") // at once, also after a restart
				// Some writes, so that the WAL has something in it.
				for range 3 {
					resp, err := http.PostForm("http://"+s.addr+"/signin", url.Values{"email": {"nobody@example.com"}, "password": {"wrong"}})
					if err == nil {
						resp.Body.Close()
					}
				}
				if err := s.stop(t, syscall.SIGTERM); err != nil {
					t.Fatalf("round %d: exit %v\n%s", round, err, s.logs)
				}
				if !strings.Contains(s.logs.String(), `"msg":"stopped cleanly"`) {
					t.Fatalf("round %d: not stopped cleanly:\n%s", round, s.logs)
				}
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				var leases int
				err = db.NewRaw("SELECT count(*) FROM job_leases WHERE name = 'scheduler'").Scan(ctx, &leases)
				db.Close()
				if err != nil || leases != 0 {
					t.Fatalf("round %d: %d scheduler leases left after a clean stop (%v)\n%s", round, leases, err, s.logs)
				}
				// Checked after our own look, which closed cleanly too: what matters
				// is that the server's stop left nothing behind for it to replay.
				if dialect == "sqlite" {
					for _, side := range []string{"-wal", "-shm"} {
						if _, err := os.Stat(dsn + side); !errors.Is(err, os.ErrNotExist) {
							t.Fatalf("round %d: %s%s is still there after a clean stop (%v)", round, dsn, side, err)
						}
					}
				}
			}
		})
	}
}

// TestFinding16IdleKeepAliveRequestAnsweredDuringShutdown: a request sent
// on an idle keep-alive connection after the stop began is answered, with
// "Connection: close", and the connection is then closed cleanly.
func TestFinding16IdleKeepAliveRequestAnsweredDuringShutdown(t *testing.T) {
	defer func(g time.Duration) { idleGrace = g }(idleGrace)
	idleGrace = 30 * time.Second // room for a slow machine; the stop does not wait for it once the connection closes
	addr, logs, cancel, done := serveInProcess(t, "--db", filepath.Join(t.TempDir(), "a.db"))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	get := func() (*http.Response, error) {
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: academy\r\n\r\n"); err != nil {
			return nil, err
		}
		resp, err := http.ReadResponse(br, nil)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}
	if resp, err := get(); err != nil || resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request: %v %v", resp, err)
	}
	cancel()
	waitLog(t, logs, "shutting down")
	resp, err := get()
	if err != nil {
		t.Fatalf("the request on the idle connection got no answer: %v\n%s", err, logs)
	}
	if resp.StatusCode != 200 || !resp.Close {
		t.Fatalf("answer %d, Connection: close %v", resp.StatusCode, resp.Close)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the answer: %d bytes, %v; want a clean close (EOF)", n, err)
	}
	if err := waitDone(t, done, logs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"msg":"stopped cleanly"`) {
		t.Fatalf("logs:\n%s", logs)
	}
}

// TestFinding16SlowClientDoesNotMakeShutdownLie: a client that never
// finishes its request keeps its connection until the shutdown deadline;
// then the server closes it and says so instead of "stopped cleanly".
func TestFinding16SlowClientDoesNotMakeShutdownLie(t *testing.T) {
	addr, logs, cancel, done := serveInProcess(t, "--db", filepath.Join(t.TempDir(), "a.db"), "--shutdown-timeout", "1s")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /signin HTTP/1.1\r\nHost: academy\r\nContent-Length: 100\r\n\r\nemail=") // and no more
	cancel()
	if err := waitDone(t, done, logs); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if strings.Contains(out, "stopped cleanly") {
		t.Fatalf("a forced stop claims to be clean:\n%s", out)
	}
	for _, want := range []string{`"msg":"shutdown deadline passed: closed the connections still open"`, `"connections":1`, "stopped, not cleanly"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadAll(conn); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the slow connection was not closed: %v", err)
	}
}

// asUnprivileged makes cmd run as an ordinary user when the tests run as
// root (for whom file permissions do not apply), and reports the uid it
// will run as.
func asUnprivileged(cmd *exec.Cmd) int {
	if os.Geteuid() != 0 {
		return os.Geteuid()
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return 65534
}

// TestFinding14ReadOnlyDatabaseMessage: a database the process may not
// write (the file, or the directory where SQLite keeps -wal and -shm) is
// named as the cause at once, not blamed on "another instance".
func TestFinding14ReadOnlyDatabaseMessage(t *testing.T) {
	bin := mustBinary(t)
	for _, tc := range []struct {
		name string
		want string
	}{
		{"ReadOnlyFile", "is read-only for this process"},
		{"ReadOnlyDirectory", "is not writable for this process"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Chmod(filepath.Dir(dir), 0o755)
			os.Chmod(dir, 0o755)
			path := filepath.Join(dir, "academy.db")
			if _, _, err := runCmd(t, "", "migrate", "--db", path); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "migrate", "--db", path)
			uid := asUnprivileged(cmd)
			switch tc.name {
			case "ReadOnlyFile": // the directory is writable, the file is not
				os.Chown(dir, uid, -1)
				os.Chmod(path, 0o444)
			case "ReadOnlyDirectory": // the file is writable, the directory is not
				os.Chown(path, uid, -1)
				os.Chmod(dir, 0o555)
				t.Cleanup(func() { os.Chmod(dir, 0o755) })
			}
			out, err := cmd.CombinedOutput()
			if errors.Is(err, syscall.EPERM) && len(out) == 0 {
				t.Skipf("cannot run the binary as uid %d here (%v), and as root file permissions do not apply", uid, err)
			}
			if err == nil {
				t.Fatalf("migrate succeeded on a read-only database:\n%s", out)
			}
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), fmt.Sprintf("uid %d", uid)) ||
				strings.Contains(string(out), "another instance") {
				t.Fatalf("the message does not name the cause (want %q):\n%s", tc.want, out)
			}
		})
	}
}

// TestFinding17BackupUnderWriteLoadRestores: `academy backup` copies a
// SQLite database that is being written to, consistently (every write
// transaction wholly in or wholly out, including those still in the WAL),
// verifies the copy, and `academy restore` puts it back with identical row
// counts; restore refuses to overwrite a database in use.
func TestFinding17BackupUnderWriteLoadRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	if _, _, err := runCmd(t, "", "demo", "--db", src); err != nil {
		t.Fatal(err)
	}
	// The "server": its own connections, writing all the time. Each write
	// transaction adds one audit record and one row to a second table.
	live, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := live.ExecContext(ctx, "CREATE TABLE load_pairs (id INTEGER PRIMARY KEY, audit_id BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	var acked atomic.Int64
	stop := make(chan struct{})
	var writers sync.WaitGroup
	var writeErr atomic.Value
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := live.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					var id int64
					if err := tx.NewRaw("INSERT INTO audit_log (at, actor, action, subject) VALUES (?, 'load', 'load.write', ?) RETURNING id",
						time.Now().UTC(), fmt.Sprintf("%d/%d", w, i)).Scan(ctx, &id); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, "INSERT INTO load_pairs (audit_id) VALUES (?)", id)
					return err
				})
				if err != nil {
					writeErr.Store(err)
					return
				}
				acked.Add(1)
			}
		}()
	}
	stopWriters := func() {
		select {
		case <-stop:
		default:
			close(stop)
			writers.Wait()
		}
		if err, _ := writeErr.Load().(error); err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	defer stopWriters()
	for acked.Load() < 50 { // let the load get going (and the WAL fill)
		time.Sleep(10 * time.Millisecond)
	}

	backup := filepath.Join(dir, "backup.db")
	before := acked.Load()
	out, _, err := runCmd(t, "", "backup", "--db", src, backup)
	if err != nil {
		t.Fatalf("backup under load: %v\n%s", err, out)
	}
	if !strings.Contains(out, "integrity ok, row counts match") || !strings.Contains(out, "load_pairs") {
		t.Fatalf("backup output:\n%s", out)
	}
	if _, _, err := runCmd(t, "", "backup", "--db", src, backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("an existing backup file was overwritten without --force: %v", err)
	}
	if _, _, err := runCmd(t, "", "backup", "--db", src, "--force", backup); err != nil {
		t.Fatalf("backup --force: %v", err)
	}
	after := acked.Load()

	// The copy is one moment: both rows of every write or neither, and every
	// write acknowledged before the backup began.
	counts := func(path string) map[string]int64 {
		t.Helper()
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var ok string
		if err := db.NewRaw("PRAGMA integrity_check").Scan(ctx, &ok); err != nil || ok != "ok" {
			t.Fatalf("%s: integrity_check %q %v", path, ok, err)
		}
		var names []string
		if err := db.NewRaw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(ctx, &names); err != nil {
			t.Fatal(err)
		}
		m := map[string]int64{}
		for _, n := range names {
			var c int64
			if err := db.NewRaw(`SELECT count(*) FROM "`+n+`"`).Scan(ctx, &c); err != nil {
				t.Fatal(err)
			}
			m[n] = c
		}
		var load int64
		if err := db.NewRaw("SELECT count(*) FROM audit_log WHERE action = 'load.write'").Scan(ctx, &load); err != nil {
			t.Fatal(err)
		}
		m["load.write"] = load
		return m
	}
	got := counts(backup)
	if got["load.write"] != got["load_pairs"] {
		t.Fatalf("the backup is torn: %d audit rows, %d pairs", got["load.write"], got["load_pairs"])
	}
	if got["load_pairs"] < before || got["load_pairs"] > after {
		t.Fatalf("the backup has %d writes; %d were acknowledged before it began, %d after it ended", got["load_pairs"], before, after)
	}

	// Restore refuses the live database, and an existing file without --force.
	if _, _, err := runCmd(t, "", "restore", "--db", src, "--force", backup); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restore over a database in use: %v", err)
	}
	stopWriters()
	restored := filepath.Join(dir, "restored.db")
	out, _, err = runCmd(t, "", "restore", "--db", restored, backup)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if r := counts(restored); fmt.Sprint(r) != fmt.Sprint(got) {
		t.Fatalf("restored counts differ from the backup's:\n%v\n%v", r, got)
	}
	if _, _, err := runCmd(t, "", "restore", "--db", restored, backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over an existing database without --force: %v", err)
	}
	// A stopped database is replaced with --force, and then serves.
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, "", "restore", "--db", src, "--force", backup); err != nil {
		t.Fatalf("restore into the stopped database: %v", err)
	}
	if r := counts(src); fmt.Sprint(r) != fmt.Sprint(got) {
		t.Fatalf("restored counts differ from the backup's:\n%v\n%v", r, got)
	}
	if out, _, err := runCmd(t, "", "migrate", "--db", src); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate the restored database: %q %v", out, err)
	}
}

// TestFinding17PostgresBackupPointsToPgDump: on PostgreSQL, backup and
// restore say what to use instead, with the password hidden.
func TestFinding17PostgresBackupPointsToPgDump(t *testing.T) {
	for _, tc := range []struct{ cmd, want string }{{"backup", "pg_dump --format=custom"}, {"restore", "pg_restore --clean"}} {
		t.Run(tc.cmd, func(t *testing.T) {
			_, _, err := runCmd(t, "", tc.cmd, "--db", "postgres://academy:s3cret@db.example/academy", "x.dump")
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("%v", err)
			}
		})
	}
}

// crashAnswer is the response a learner sends in round r of autosaving sq.
func crashAnswer(sq assessments.ShownQuestion, r int) assessments.Response {
	ids := func(opts []assessments.ShownOption) []string {
		out := make([]string, len(opts))
		for i, o := range opts {
			out[i] = o.ID
		}
		return out
	}
	switch sq.Type {
	case assessments.SingleChoice, assessments.MissingWord:
		return assessments.Response{Choice: sq.Options[r%len(sq.Options)].ID}
	case assessments.MultipleResponse:
		return assessments.Response{Choices: []string{sq.Options[r%len(sq.Options)].ID}}
	case assessments.TrueFalse:
		return assessments.Response{Choice: strconv.FormatBool(r%2 == 0)}
	case assessments.Matching:
		m := map[string]string{}
		for i, l := range sq.Lefts {
			m[l.ID] = sq.Rights[(i+r)%len(sq.Rights)].ID
		}
		return assessments.Response{Matches: m}
	case assessments.Ordering:
		o := ids(sq.Options)
		k := r % len(o)
		return assessments.Response{Order: append(o[k:], o[:k]...)}
	}
	return assessments.Response{Text: strconv.Itoa(100 + r)}
}

// answerKey is a response in a form that compares equal when the answers do.
func answerKey(r *assessments.Response) string {
	if r == nil {
		return "<none>"
	}
	choices := slices.Clone(r.Choices)
	slices.Sort(choices)
	var matches []string
	for k, v := range r.Matches {
		matches = append(matches, k+"="+v)
	}
	slices.Sort(matches)
	return fmt.Sprintf("c=%s cs=%v t=%s m=%v o=%v", r.Choice, choices, r.Text, matches, r.Order)
}

// TestCrashKill9KeepsAcknowledgedAnswers: the real binary is killed with
// SIGKILL while learners autosave answers and submit attempts; after a
// restart every acknowledged answer (or the one that was in flight for that
// question when it died) and every acknowledged submission is there, and
// PRAGMA integrity_check is ok.
func TestCrashKill9KeepsAcknowledgedAnswers(t *testing.T) {
	const learners, quizzes, rounds = 8, 6, 3
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	if _, _, err := runCmd(t, "", "demo", "--db", dbPath); err != nil {
		t.Fatal(err)
	}

	// Before the server starts: quizzes without limits, signed-in learners,
	// and an open attempt per learner and quiz (what the server shows them).
	type attempt struct {
		url string
		emp int64
		id  int64
		qs  []assessments.ShownQuestion
	}
	type learner struct {
		cookie, csrf string
		attempts     []attempt
	}
	var ls []learner
	func() {
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		qs := assessments.NewStore(db)
		var qz []*assessments.Quiz
		for k := range quizzes {
			q, err := qs.SaveQuiz(ctx, assessments.QuizSettings{CourseSlug: "six-cs", Slug: fmt.Sprintf("crash-%d", k), Title: "Crash",
				DrawCount: 10, PassMark: 70, ReviewPolicy: assessments.ReviewNever})
			if err != nil {
				t.Fatal(err)
			}
			qz = append(qz, q)
		}
		tr := true
		ps := people.NewStore(db)
		emps, _, err := ps.ListEmployees(ctx, people.EmployeeFilter{Active: &tr, OrderByNumber: true, Limit: learners})
		if err != nil || len(emps) != learners {
			t.Fatalf("%d learners, %v", len(emps), err)
		}
		for _, e := range emps {
			sess, token, err := ps.CreateSession(ctx, e.ID, "127.0.0.1", "crash test")
			if err != nil {
				t.Fatal(err)
			}
			l := learner{cookie: "academy_session=" + token, csrf: sess.CSRFToken}
			for _, q := range qz {
				a, err := qs.StartAttempt(ctx, q.ID, e.ID)
				if err != nil {
					t.Fatal(err)
				}
				v, err := qs.AttemptView(ctx, a.ID, e.ID)
				if err != nil {
					t.Fatal(err)
				}
				l.attempts = append(l.attempts, attempt{url: fmt.Sprintf("/learn/six-cs/quiz/%s/attempt/%d", q.Slug, a.ID), emp: e.ID, id: a.ID, qs: v.Questions})
			}
			ls = append(ls, l)
		}
	}()

	s := startServer(t, nil, "--db", dbPath)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	type key struct{ attempt, question int64 }
	type record struct {
		mu        sync.Mutex
		acked     map[key]string // the last acknowledged answer
		inFlight  map[key]string // sent, not (yet) acknowledged
		submitted map[int64]bool // acknowledged submissions
	}
	rec := record{acked: map[key]string{}, inFlight: map[key]string{}, submitted: map[int64]bool{}}
	var answers, submits, refused atomic.Int64
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range l.attempts {
				for r := range rounds {
					for _, sq := range a.qs {
						resp := crashAnswer(sq, r)
						k := key{a.id, sq.ID}
						rec.mu.Lock()
						rec.inFlight[k] = answerKey(&resp)
						rec.mu.Unlock()
						body, _ := json.Marshal(map[string]any{"question": sq.ID, "response": resp})
						req, _ := http.NewRequest("POST", "http://"+s.addr+a.url+"/answer", bytes.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("X-CSRF-Token", l.csrf)
						req.Header.Set("Cookie", l.cookie)
						res, err := client.Do(req)
						if err != nil {
							return // the server is gone
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusNoContent {
							refused.Add(1)
							continue
						}
						rec.mu.Lock()
						rec.acked[k] = rec.inFlight[k]
						rec.mu.Unlock()
						answers.Add(1)
					}
				}
				req, _ := http.NewRequest("POST", "http://"+s.addr+a.url+"/submit", strings.NewReader(url.Values{"_csrf": {l.csrf}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", l.cookie)
				res, err := client.Do(req)
				if err != nil {
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusSeeOther && strings.HasSuffix(res.Header.Get("Location"), "/result") {
					rec.mu.Lock()
					rec.submitted[a.id] = true
					rec.mu.Unlock()
					submits.Add(1)
				} else {
					refused.Add(1)
				}
			}
		}()
	}
	// Kill it in the middle of the load: once enough is acknowledged (the
	// load lasts well beyond that), or when the load ran out.
	loadDone := make(chan struct{})
	go func() { wg.Wait(); close(loadDone) }()
	for answers.Load() < 300 || submits.Load() < 4 {
		select {
		case <-loadDone:
			t.Fatalf("the load ended before the kill: %d answers, %d submissions, %d refused\n%s", answers.Load(), submits.Load(), refused.Load(), s.logs)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	<-loadDone
	// (A refused request is not acknowledged, so it is not checked; the
	// write path's own tests cover refusals.)
	t.Logf("killed with %d answers and %d submissions acknowledged, %d requests refused", answers.Load(), submits.Load(), refused.Load())

	// The restarted server comes up on the database the kill left.
	s2 := startServer(t, nil, "--db", dbPath)
	if err := s2.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("restarted server: %v\n%s", err, s2.logs)
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.NewRaw("PRAGMA integrity_check").Scan(ctx, &integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	qs := assessments.NewStore(db)
	lost, checked := 0, 0
	for _, l := range ls {
		for _, a := range l.attempts {
			v, err := qs.AttemptView(ctx, a.id, a.emp)
			if err != nil {
				t.Fatal(err)
			}
			if rec.submitted[a.id] && v.SubmittedAt == nil {
				t.Errorf("attempt %d: the acknowledged submission is lost", a.id)
			}
			for _, sq := range v.Questions {
				k := key{a.id, sq.ID}
				want, ok := rec.acked[k]
				if !ok {
					continue
				}
				checked++
				if got := answerKey(sq.Answer); got != want && got != rec.inFlight[k] {
					if lost++; lost <= 5 {
						t.Errorf("attempt %d question %d: stored %s, acknowledged %s", a.id, sq.ID, got, want)
					}
				}
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d acknowledged answers lost", lost)
	}
	if checked != len(rec.acked) {
		t.Fatalf("checked %d of the %d acknowledged answers", checked, len(rec.acked))
	}
}
