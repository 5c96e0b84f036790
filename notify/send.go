package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// MailerLease names the database lease the sender runs under.
const MailerLease = "mailer"

// MailerLeaseTTL is how long the sender's lease lasts unless renewed; the
// holder renews it before each batch.
const MailerLeaseTTL = 90 * time.Second

// Delivery policy.
const (
	// FirstRetry is the wait after the first temporary failure; it doubles
	// with each further failure up to MaxRetryWait.
	FirstRetry   = time.Minute
	MaxRetryWait = 6 * time.Hour
	// GiveUpAfter: a message still failing temporarily this long after it
	// was queued is marked failed with the last error.
	GiveUpAfter = 48 * time.Hour
	// StaleAfter: a message never tried that has waited this long is
	// cancelled rather than sent. Without SMTP nothing is sent and messages
	// pile up in the outbox; when SMTP is configured later, only what is
	// recent goes out — not weeks of stale reminders at once (no mail storm).
	StaleAfter = 72 * time.Hour
	// claimTTL is how long a claimed row stays with its sender; a sender
	// that died leaves rows in 'sending' that are queued again after it.
	claimTTL = 10 * time.Minute
)

// SenderOptions configure a Sender.
type SenderOptions struct {
	SMTP *SMTP        // the server; required
	From mail.Address // the sender address
	// Brand returns the company's name, logo, colour, base URL and time
	// zone, read once per batch (the company may change them).
	Brand func(ctx context.Context) (Brand, error)
	Log   *slog.Logger     // nil: slog.Default()
	Now   func() time.Time // nil: time.Now
	Batch int              // messages per batch and connection; 0: 50
	// Interval is how often the queue is looked at when it was empty; 0: 5 s.
	Interval time.Duration
	// Timeout bounds each SMTP connection step; 0: 30 s.
	Timeout time.Duration
}

// Sender delivers queued e-mails over SMTP.
type Sender struct {
	db   *bun.DB
	o    SenderOptions
	log  *slog.Logger
	wake chan struct{}

	mu     sync.Mutex
	secret []byte // the unsubscribe key, read once
}

// NewSender returns a sender for db.
func NewSender(db *bun.DB, o SenderOptions) *Sender {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return &Sender{db: db, o: o, log: o.Log, wake: make(chan struct{}, 1)}
}

// Wake makes a running sender look at the queue now (after a test e-mail
// or a resend), rather than at its next interval.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Report is what a pass of the sender did.
type Report struct {
	Sent, Retried, Failed, Cancelled, Requeued int
}

func (r *Report) add(o Report) {
	r.Sent += o.Sent
	r.Retried += o.Retried
	r.Failed += o.Failed
	r.Cancelled += o.Cancelled
	r.Requeued += o.Requeued
}

// Run delivers due messages until ctx ends, under the "mailer" lease: of
// several instances one sends at a time, and each row is claimed by one
// statement besides, so a message is sent once. It releases the lease on
// the way out (wait for it before closing the database).
func (s *Sender) Run(ctx context.Context) {
	s.run(ctx, MailerLeaseTTL)
}

func (s *Sender) run(ctx context.Context, ttl time.Duration) {
	holder := store.NewHolderID()
	held := false
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if held {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				if err := store.ReleaseLease(rctx, s.db, MailerLease, holder); err != nil {
					s.log.Warn("mailer: release the lease", "err", err)
				}
				cancel()
			}
			return
		case <-t.C:
		case <-s.wake:
		}
		ok, err := store.TryLease(ctx, s.db, MailerLease, holder, s.o.Now().UTC(), ttl)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("mailer lease", "err", err)
		case ok && !held:
			s.log.Info("mailer: this instance sends the e-mails", "holder", holder, "smtp", s.o.SMTP.String())
		}
		held = ok
		if ok {
			rep, err := s.pass(ctx, func() bool {
				ok, err := store.TryLease(ctx, s.db, MailerLease, holder, s.o.Now().UTC(), ttl)
				return err == nil && ok
			})
			if err != nil && ctx.Err() == nil {
				s.log.Error("mailer: pass failed", "err", err)
			}
			if rep != (Report{}) {
				s.log.Info("mailer", "sent", rep.Sent, "retry", rep.Retried, "failed", rep.Failed, "cancelled", rep.Cancelled,
					"requeued", rep.Requeued)
			}
		}
		wait := s.o.Interval
		if !ok {
			wait = ttl / 3
		}
		t.Reset(wait)
	}
}

// SendDue delivers what is due now, batch after batch until the queue has
// nothing due: first rows left 'sending' by a sender that died are queued
// again, and messages never tried that waited longer than StaleAfter are
// cancelled. Run calls it under the lease; tests call it directly.
func (s *Sender) SendDue(ctx context.Context) (Report, error) {
	return s.pass(ctx, func() bool { return true })
}

// pass is SendDue, asking keep before each batch (the lease renewed).
func (s *Sender) pass(ctx context.Context, keep func() bool) (Report, error) {
	var rep Report
	now := s.o.Now().UTC()
	res, err := s.db.NewUpdate().Model((*Row)(nil)).
		Set("status = ?, lease_holder = '', lease_until = NULL, next_attempt_at = ?", Queued, now).
		Where("status = ? AND lease_until < ?", Sending, now).Exec(ctx)
	if err != nil {
		return rep, fmt.Errorf("notify: requeue: %w", err)
	}
	rep.Requeued = affected(res)
	res, err = s.db.NewUpdate().Model((*Row)(nil)).
		Set("status = ?, error = ?, next_attempt_at = NULL", Cancelled,
			fmt.Sprintf("not sent: it waited more than %d hours before it could be sent (no SMTP server then); resend it from the outbox if it still matters", int(StaleAfter.Hours()))).
		Where("status = ? AND attempts = 0 AND created_at < ?", Queued, now.Add(-StaleAfter)).Exec(ctx)
	if err != nil {
		return rep, fmt.Errorf("notify: cancel stale: %w", err)
	}
	rep.Cancelled = affected(res)
	for ctx.Err() == nil && keep() {
		r, n, err := s.batch(ctx)
		rep.add(r)
		if err != nil {
			return rep, err
		}
		if n < s.o.Batch {
			break
		}
	}
	return rep, nil
}

func affected(res interface{ RowsAffected() (int64, error) }) int {
	n, _ := res.RowsAffected()
	return int(n)
}

// claim marks up to Batch due queued rows as this batch's, oldest first,
// and returns them. The UPDATE re-checks status, so two senders never
// claim the same row.
func (s *Sender) claim(ctx context.Context, now time.Time) ([]*Row, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	tag := "batch/" + hex.EncodeToString(b)
	due := s.db.NewSelect().Model((*Row)(nil)).Column("id").
		Where("status = ? AND next_attempt_at <= ?", Queued, now).OrderExpr("next_attempt_at, id").Limit(int64(s.o.Batch))
	if _, err := s.db.NewUpdate().Model((*Row)(nil)).
		Set("status = ?, lease_holder = ?, lease_until = ?", Sending, tag, now.Add(claimTTL)).
		Where("id IN (?) AND status = ?", due, Queued).Exec(ctx); err != nil {
		return nil, fmt.Errorf("notify: claim: %w", err)
	}
	var rows []*Row
	err := s.db.NewSelect().Model(&rows).Where("status = ? AND lease_holder = ?", Sending, tag).OrderExpr("next_attempt_at, id").Scan(ctx)
	return rows, err
}

// outcome is what became of one row.
type outcome struct {
	row       *Row
	msg       *gomail.Msg
	messageID string
	err       error // nil: sent
	temp      bool  // the error is temporary
	cancel    string
	skip      bool // not tried: back to the queue as it was
}

// batch claims, renders and delivers one batch over one connection. n is
// how many rows it claimed.
func (s *Sender) batch(ctx context.Context) (Report, int, error) {
	var rep Report
	now := s.o.Now().UTC()
	rows, err := s.claim(ctx, now)
	if err != nil || len(rows) == 0 {
		return rep, 0, err
	}
	outs := s.prepare(ctx, rows)
	var todo []*outcome
	for _, o := range outs {
		if o.msg != nil {
			todo = append(todo, o)
		}
	}
	if len(todo) > 0 {
		s.deliver(ctx, todo)
	}
	// The outcomes are written even when ctx ended meanwhile (a stopping
	// server): what was sent must be marked sent.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, o := range outs {
		if err := s.finish(wctx, o, &rep); err != nil {
			return rep, len(rows), err
		}
	}
	return rep, len(rows), nil
}

// prepare renders the batch's rows; a row that cannot be sent gets its
// outcome at once (cancelled or failed), the others a message.
func (s *Sender) prepare(ctx context.Context, rows []*Row) []*outcome {
	outs := make([]*outcome, len(rows))
	for i, r := range rows {
		outs[i] = &outcome{row: r}
	}
	fail := func(err error, temp bool) []*outcome {
		for _, o := range outs {
			o.err, o.temp = err, temp
		}
		return outs
	}
	brand, err := s.o.Brand(ctx)
	if err != nil {
		return fail(fmt.Errorf("reading the company's name and logo: %w", err), true)
	}
	secret, err := s.unsubscribeKey(ctx)
	if err != nil {
		return fail(err, true)
	}
	ctxs, err := loadContext(ctx, s.db, rows)
	if err != nil {
		return fail(err, true)
	}
	for _, o := range outs {
		in, cancel := ctxs.input(o.row, secret)
		if cancel != "" {
			o.cancel = cancel
			continue
		}
		m, err := Render(o.row, brand, in)
		if err != nil {
			o.err = err
			continue
		}
		o.messageID = m.MessageID
		m.Date = s.o.Now() // the Date header is when it leaves, even on a retry
		o.msg, o.err = s.compose(m)
	}
	return outs
}

// unsubscribeKey is notify.Secret, read once.
func (s *Sender) unsubscribeKey(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secret == nil {
		k, err := Secret(ctx, s.db)
		if err != nil {
			return nil, err
		}
		s.secret = k
	}
	return s.secret, nil
}

// compose turns a rendered message into go-mail's; an invalid address is
// a permanent error.
func (s *Sender) compose(m *Message) (*gomail.Msg, error) {
	g := gomail.NewMsg()
	if err := g.FromFormat(s.o.From.Name, s.o.From.Address); err != nil {
		return nil, fmt.Errorf("the sender address %q: %w", s.o.From.Address, err)
	}
	addr, err := mail.ParseAddress(m.To)
	if err != nil || addr.Address != strings.TrimSpace(m.To) {
		return nil, fmt.Errorf("invalid address %q: not sent", m.To)
	}
	if err := g.AddToFormat(m.ToName, addr.Address); err != nil {
		return nil, fmt.Errorf("invalid address %q: %v", m.To, err)
	}
	g.Subject(m.Subject)
	g.SetMessageIDWithValue(m.MessageID)
	g.SetDateWithValue(m.Date)
	for _, h := range m.Headers {
		g.SetGenHeader(gomail.Header(h.Name), h.Value)
	}
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	if m.ICS != nil {
		if err := g.AttachReader(m.ICSName, strings.NewReader(string(m.ICS)),
			gomail.WithFileContentType("text/calendar; method=PUBLISH")); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// client returns a go-mail client for the configured server.
func (s *Sender) client() (*gomail.Client, error) {
	c := s.o.SMTP
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(s.o.Timeout)}
	switch c.TLS {
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if c.TLS == NoTLS {
			auth = gomail.SMTPAuthPlainNoEnc // loopback only (ParseSMTPURL)
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	return gomail.NewClient(c.Host, opts...)
}

// deliver sends the messages over one connection (dialled again once if it
// drops); every outcome gets its err. Failing to connect is temporary
// whatever the cause (a login refused, no STARTTLS): fixing the
// configuration must not lose the messages; after GiveUpAfter they fail.
func (s *Sender) deliver(ctx context.Context, todo []*outcome) {
	c, err := s.client()
	if err != nil {
		for _, o := range todo {
			o.err = err
		}
		return
	}
	connected := false
	redials := 0
	start := time.Now()
	for i, o := range todo {
		if ctx.Err() != nil || time.Since(start) > claimTTL/2 {
			// Stopping, or a server so slow that the claim could run out:
			// the rest go back to the queue untried, for this or another
			// sender (never sent twice by two).
			for _, rest := range todo[i:] {
				rest.skip = true
			}
			break
		}
		if !connected {
			if err := c.DialWithContext(ctx); err != nil {
				for _, rest := range todo[i:] {
					rest.err, rest.temp = fmt.Errorf("connecting to %s:%d: %w", s.o.SMTP.Host, s.o.SMTP.Port, err), true
				}
				return
			}
			connected = true
		}
		err := c.Send(o.msg)
		if err == nil {
			continue
		}
		o.err, o.temp = sendFailure(o.msg, err)
		var se *gomail.SendError
		if !errors.As(o.msg.SendError(), &se) || se.ErrorCode() == 0 {
			// Not the server's answer: the connection is in doubt. Dial
			// again for the rest (once per batch).
			_ = c.Close()
			connected = false
			if redials++; redials > 1 {
				for _, rest := range todo[i+1:] {
					rest.err, rest.temp = fmt.Errorf("not tried: the connection to the SMTP server failed: %w", err), true
				}
				return
			}
		}
	}
	if connected {
		_ = c.Close()
	}
}

// sendFailure classifies a send error: the server's 4xx and anything that
// is not the server's answer (a dropped connection, a timeout) are
// temporary; its 5xx are permanent. The error keeps the server's words.
func sendFailure(m *gomail.Msg, err error) (error, bool) {
	var se *gomail.SendError
	if e := m.SendError(); e != nil {
		err = e
	}
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case code >= 500:
			return errors.New(serverAnswer(se)), false
		case code >= 400:
			return errors.New(serverAnswer(se)), true
		}
		return err, !se.Is(&gomail.SendError{Reason: gomail.ErrGetRcpts}) && !se.Is(&gomail.SendError{Reason: gomail.ErrGetSender})
	}
	return err, true
}

var quotedAnswer = regexp.MustCompile(`\b([245]\d\d) "((?:[^"\\]|\\.)*)"`)

// serverAnswer is go-mail's account of a refusal as people read it: the
// step, the server's code and words, the recipient ("sending SMTP RCPT TO
// command: 550 5.1.0 mailbox unavailable, affected recipient(s): <a@b>").
func serverAnswer(se *gomail.SendError) string {
	s := se.Error()
	if i := strings.Index(s, ", affected message ID:"); i >= 0 {
		s = s[:i]
	}
	s = quotedAnswer.ReplaceAllStringFunc(s, func(m string) string {
		sub := quotedAnswer.FindStringSubmatch(m)
		if text, err := strconv.Unquote(`"` + sub[2] + `"`); err == nil {
			return sub[1] + " " + text
		}
		return m
	})
	return strings.TrimSpace(s)
}

// RetryWait is how long to wait after the attempts-th temporary failure.
func RetryWait(attempts int) time.Duration {
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetryWait; i++ {
		d *= 2
	}
	return min(d, MaxRetryWait)
}

// finish writes the row's outcome (only if this batch still holds it).
func (s *Sender) finish(ctx context.Context, o *outcome, rep *Report) error {
	now := s.o.Now().UTC()
	r := o.row
	q := s.db.NewUpdate().Model((*Row)(nil)).Where("id = ? AND status = ? AND lease_holder = ?", r.ID, Sending, r.LeaseHolder).
		Set("lease_holder = ''").Set("lease_until = NULL")
	if o.messageID != "" {
		q = q.Set("message_id = ?", o.messageID)
	}
	attempts := r.Attempts
	if o.msg != nil || o.err != nil {
		attempts++
	}
	switch {
	case o.skip:
		q = q.Set("status = ?", Queued)
	case o.cancel != "":
		q = q.Set("status = ?, error = ?, next_attempt_at = NULL", Cancelled, o.cancel)
		rep.Cancelled++
	case o.err == nil:
		q = q.Set("status = ?, error = '', attempts = ?, sent_at = ?, next_attempt_at = NULL", Sent, attempts, now)
		rep.Sent++
	case o.temp && now.Sub(r.CreatedAt) < GiveUpAfter:
		q = q.Set("status = ?, error = ?, attempts = ?, next_attempt_at = ?", Queued, truncate(o.err.Error()), attempts,
			now.Add(RetryWait(attempts)))
		rep.Retried++
	case o.temp:
		q = q.Set("status = ?, error = ?, attempts = ?, next_attempt_at = NULL", Failed,
			truncate(fmt.Sprintf("gave up after %d attempts in %d hours; the last error: %v", attempts, int(GiveUpAfter.Hours()), o.err)), attempts)
		rep.Failed++
	default:
		q = q.Set("status = ?, error = ?, attempts = ?, next_attempt_at = NULL", Failed, truncate(o.err.Error()), attempts)
		rep.Failed++
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("notify: mark notification %d: %w", r.ID, err)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
