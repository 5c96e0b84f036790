package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/notify/mailpittest"
	"github.com/serviceacademy/academy/store"
)

// TestMailFlags: an unusable --smtp-url or --mail-from stops start-up with a
// message naming the flag, before the database is touched, and never
// repeats the password.
func TestMailFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.db")
	for _, tc := range []struct {
		name string
		args []string
		flag string
	}{
		{"ErrScheme", []string{"--smtp-url", "http://u:hunter2@mail.example.com", "--mail-from", "a@example.com"}, "--smtp-url"},
		{"ErrPlainRemote", []string{"--smtp-url", "smtp://u:hunter2@mail.example.com:25?tls=none", "--mail-from", "a@example.com"}, "--smtp-url"},
		{"ErrUnparsable", []string{"--smtp-url", "smtp://u:hunter2@[::1", "--mail-from", "a@example.com"}, "--smtp-url"},
		{"ErrNoFrom", []string{"--smtp-url", "smtp://u:hunter2@mail.example.com"}, "--mail-from"},
		{"ErrBadFrom", []string{"--smtp-url", "smtp://u:hunter2@mail.example.com", "--mail-from", "academy at example"}, "--mail-from"},
		{"ErrBadFromWithoutSMTP", []string{"--mail-from", "<nope"}, "--mail-from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCmd(t, "", append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, tc.args...)...)
			if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("err %v, want a usage error naming %s", err, tc.flag)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was opened before the flags were checked: %v", err)
	}
}

// TestServeSendsMail: serve with --smtp-url runs the sender beside the
// scheduler: a queued e-mail reaches Mailpit; the log names the server with
// the password hidden; the stop is clean.
func TestServeSendsMail(t *testing.T) {
	mp := mailpittest.Start(t)
	dbPath := filepath.Join(t.TempDir(), "a.db")
	_, logs, cancel, done := serveInProcess(t, "--db", dbPath, "--smtp-url", mp.SMTPURL(), "--mail-from", "Academy <academy@example.com>")
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := notify.QueueTest(ctx, db, time.Now(), "it@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := mp.WaitCount(1); n != 1 {
		t.Fatalf("%d messages arrived:\n%s", n, logs)
	}
	if m := mp.Messages()[0]; !strings.HasPrefix(m.Subject, "Test e-mail from") || m.To[0].Address != "it@example.com" {
		t.Errorf("subject %q", m.Subject)
	}
	cancel()
	if err := waitDone(t, done, logs); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "tester:***@127.0.0.1") || strings.Contains(out, "secret") {
		t.Errorf("the log should name the server without its password:\n%s", out)
	}
	if !strings.Contains(out, "stopped cleanly") {
		t.Errorf("not a clean stop:\n%s", out)
	}
}
