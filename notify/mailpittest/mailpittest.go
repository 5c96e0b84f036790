// Package mailpittest runs Mailpit (github.com/axllent/mailpit, a real SMTP
// server that keeps what it receives) for tests, on free loopback ports, and
// reads what arrived through its HTTP API. Install it with
//
//	go install github.com/axllent/mailpit@v1.33.1
//
// Start skips the test when mailpit is neither on PATH nor in
// $(go env GOPATH)/bin, and fails it instead when CI=true.
package mailpittest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a running (or stopped) Mailpit.
type Server struct {
	tb       testing.TB
	bin      string
	args     []string
	SMTPPort int
	API      string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	logs     *bytes.Buffer
}

// Path returns the mailpit binary, or "" when it is not installed.
func Path() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		gopath = build.Default.GOPATH
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// FreePort returns a TCP port free on 127.0.0.1 now.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// New prepares a Mailpit on free ports without starting it (a test of "SMTP
// down" starts it later); extra are further mailpit flags. It skips the
// test (fails it under CI=true) when mailpit is not installed, and stops
// Mailpit at the end of the test.
func New(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	bin := Path()
	if bin == "" {
		msg := "mailpit is not installed (go install github.com/axllent/mailpit@v1.33.1): the tests against a real SMTP server did not run"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		fmt.Println("SKIP:", msg)
		tb.Skip(msg)
	}
	s := &Server{tb: tb, bin: bin, SMTPPort: FreePort(tb)}
	httpPort := FreePort(tb)
	s.API = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	s.args = append([]string{"--smtp", "127.0.0.1:" + strconv.Itoa(s.SMTPPort), "--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(tb.TempDir(), "mailpit.db"), "--max", "0",
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--smtp-disable-rdns", "--disable-version-check", "--quiet"}, extra...)
	tb.Cleanup(s.Stop)
	return s
}

// Start runs Mailpit on its ports and waits until its API answers.
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	s := New(tb, extra...)
	s.Start()
	return s
}

// SMTPURL is the --smtp-url of this server (plain text on loopback, with a login).
func (s *Server) SMTPURL() string {
	return fmt.Sprintf("smtp://tester:secret@127.0.0.1:%d?tls=none", s.SMTPPort)
}

// Start starts the (stopped) server again on the same ports, with what it had kept.
func (s *Server) Start() {
	s.tb.Helper()
	if s.cmd != nil {
		return
	}
	s.logs = &bytes.Buffer{}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start mailpit: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.API + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.SMTPPort)); err == nil {
				c.Close()
				return
			}
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("mailpit did not answer within 30 s: %s", s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the server (its mail is kept in its database for a Start).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Address is an address as Mailpit reports it.
type Address struct{ Name, Address string }

// Summary is a message in Mailpit's list.
type Summary struct {
	ID, MessageID, Subject string
	From                   Address
	To                     []Address
	Attachments            int
}

// Attachment is a part of a message.
type Attachment struct {
	PartID, FileName, ContentType string
}

// Message is one message with its parts.
type Message struct {
	ID, MessageID, Subject string
	From                   Address
	To                     []Address
	Text, HTML             string
	Attachments            []Attachment
	ListUnsubscribe        struct {
		Header     string
		Links      []string
		Errors     string
		HeaderPost string
	}
}

func (s *Server) get(path string, into any) []byte {
	s.tb.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		s.tb.Fatalf("mailpit %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		s.tb.Fatalf("mailpit %s: %d %s %v", path, resp.StatusCode, b, err)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			s.tb.Fatalf("mailpit %s: %v", path, err)
		}
	}
	return b
}

// Messages lists what arrived, newest first (up to 10,000).
func (s *Server) Messages() []Summary {
	s.tb.Helper()
	var out struct{ Messages []Summary }
	s.get("/api/v1/messages?limit=10000", &out)
	return out.Messages
}

// Count is how many messages arrived.
func (s *Server) Count() int {
	s.tb.Helper()
	var out struct{ Total int }
	s.get("/api/v1/messages?limit=1", &out)
	return out.Total
}

// Message reads one message.
func (s *Server) Message(id string) Message {
	s.tb.Helper()
	var m Message
	s.get("/api/v1/message/"+id, &m)
	return m
}

// Headers reads a message's headers.
func (s *Server) Headers(id string) map[string][]string {
	s.tb.Helper()
	h := map[string][]string{}
	s.get("/api/v1/message/"+id+"/headers", &h)
	return h
}

// Raw reads a message as it arrived.
func (s *Server) Raw(id string) string {
	s.tb.Helper()
	return string(s.get("/api/v1/message/"+id+"/raw", nil))
}

// Part reads a part (an attachment) of a message.
func (s *Server) Part(id, part string) string {
	s.tb.Helper()
	return string(s.get("/api/v1/message/"+id+"/part/"+part, nil))
}

// WaitCount waits up to 30 s for at least n messages and returns the count.
func (s *Server) WaitCount(n int) int {
	s.tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c := s.Count()
		if c >= n || time.Now().After(deadline) {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Chaos makes the SMTP server answer every RCPT TO with code at the given
// probability (0 to 100; 0 turns it off). Needs --enable-chaos.
func (s *Server) Chaos(code, probability int) {
	s.tb.Helper()
	body := fmt.Sprintf(`{"Recipient":{"ErrorCode":%d,"Probability":%d}}`, code, probability)
	req, _ := http.NewRequest(http.MethodPut, s.API+"/api/v1/chaos", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		s.tb.Fatalf("mailpit chaos: %s", resp.Status)
	}
}
