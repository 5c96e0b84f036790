package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// The outbox for admins: every e-mail and in-app notification, newest
// first, filtered; one message rendered as it is (or would be) sent; resend;
// a test e-mail. The work is in notify; these handlers read the form and
// render.

// MailConfig is what the web layer knows of e-mail delivery.
type MailConfig struct {
	// Server is the SMTP server with its password hidden; "" when none is
	// configured (e-mails are kept in the outbox, not sent).
	Server string
	From   string // the sender address
	// Wake makes the sender look at the queue now (nil without SMTP).
	Wake func()
}

// outboxFilterFields is the order of the filter form's fields.
var outboxFilterFields = []string{"status", "kind", "channel", "employee", "from", "to", "before", "limit"}

// newOutboxFilter reads the filter from the query string, copying every value.
func newOutboxFilter(c *fiber.Ctx, loc *time.Location) notify.OutboxFilter {
	q := func(k string) string { return strings.Clone(c.Query(k)) }
	return notify.OutboxFilter{Status: q("status"), Kind: q("kind"), Channel: q("channel"), Employee: q("employee"),
		From: q("from"), To: q("to"), Before: q("before"), Loc: loc}
}

// outboxQuery is the query string that repeats f's filters (not its page).
func outboxQuery(f notify.OutboxFilter) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"status", f.Status}, {"kind", f.Kind}, {"channel", f.Channel}, {"employee", f.Employee},
		{"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// outboxRow is one notification as the list shows it.
type outboxRow struct {
	ID                       int64
	When, ISO                string
	Kind, KindTitle, Channel string
	To, EmployeeNumber       string
	Status, Badge            string
	Attempts                 int
	Error, Sent, NextAttempt string
}

// outboxBadge is the badge class of a status (the word is always shown too).
func outboxBadge(status string) string {
	switch status {
	case notify.Sent, notify.Read:
		return "badge-ok"
	case notify.Failed:
		return "badge-bad"
	case notify.Queued, notify.Sending, notify.Unread:
		return "badge-info"
	}
	return "badge-muted"
}

func kindTitle(k notify.Kind) string {
	if in, ok := notify.InfoOf(k); ok {
		return in.Title
	}
	return string(k)
}

func outboxRowOf(e *notify.Entry, loc *time.Location) outboxRow {
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2 Jan 2006 15:04 MST")
	}
	r := outboxRow{ID: e.ID, When: when(&e.CreatedAt), ISO: e.CreatedAt.UTC().Format(time.RFC3339), Kind: string(e.Kind),
		KindTitle: kindTitle(e.Kind), Channel: string(e.Channel), EmployeeNumber: e.EmployeeNumber, Status: e.Status,
		Badge: outboxBadge(e.Status), Attempts: e.Attempts, Error: e.Error, Sent: when(e.SentAt)}
	r.To = e.Address
	if e.EmployeeName != "" {
		r.To = strings.TrimSpace(e.EmployeeName)
		if e.Address != "" {
			r.To += " <" + e.Address + ">"
		}
	}
	if e.Status == notify.Queued && e.NextAttemptAt != nil {
		r.NextAttempt = when(e.NextAttemptAt)
	}
	return r
}

// outboxPage renders the list: the filter form as typed, its problems
// (status 422) or a page of notifications.
func (s *Server) outboxPage(c *fiber.Ctx, status int, f notify.OutboxFilter, list []notify.Entry, next string, errs map[string]string) error {
	rows := make([]outboxRow, len(list))
	for i := range list {
		rows[i] = outboxRowOf(&list[i], f.Loc)
	}
	p := principal(c)
	testTo := ""
	if p != nil && p.Employee != nil {
		testTo = p.Employee.Email
	}
	data := fiber.Map{"Title": "Outbox", "Form": f, "Zone": f.Loc.String(), "Kinds": notify.Kinds, "Statuses": notify.Statuses,
		"Errors": errs, "ErrorList": orderedErrors(errs, outboxFilterFields), "Rows": rows, "Paged": f.Before != "",
		"Newest": "/admin/outbox", "Mail": s.cfg.Mail, "TestTo": testTo}
	if filters := outboxQuery(f); len(filters) > 0 {
		data["Newest"] = "/admin/outbox?" + filters.Encode()
	}
	if next != "" {
		older := outboxQuery(f)
		older.Set("before", next)
		data["Older"] = "/admin/outbox?" + older.Encode()
	}
	return s.renderStatus(c, status, "admin/outbox", data)
}

// outboxIndex lists notifications, newest first, narrowed by the filters.
func (s *Server) outboxIndex(c *fiber.Ctx) error {
	loc, _, err := s.auditLocation(c)
	if err != nil {
		return err
	}
	f := newOutboxFilter(c, loc)
	if errs := f.Check(); len(errs) > 0 {
		return s.outboxPage(c, http.StatusUnprocessableEntity, f, nil, "", fieldErrors(errs, same))
	}
	list, next, err := notify.ListOutbox(c.UserContext(), s.cfg.DB, f)
	if field, msg, ok := asFieldError(err); ok {
		return s.outboxPage(c, http.StatusUnprocessableEntity, f, nil, "", map[string]string{field: msg})
	} else if err != nil {
		return err
	}
	return s.outboxPage(c, http.StatusOK, f, list, next, nil)
}

// outboxMessage reads the :id notification and renders it as the sender would.
func (s *Server) outboxMessage(c *fiber.Ctx) (*notify.Entry, *notify.Message, string, error) {
	id, err := idParam(c, "id", "There is no such notification.")
	if err != nil {
		return nil, nil, "", err
	}
	ctx := c.UserContext()
	e, err := notify.FindNotification(ctx, s.cfg.DB, id)
	if err != nil {
		return nil, nil, "", err
	}
	brand, err := s.training.MailBrand(ctx, s.cfg.BaseURL)
	if err != nil {
		return nil, nil, "", err
	}
	m, note, err := notify.Preview(ctx, s.cfg.DB, &e.Row, brand)
	if err != nil {
		return nil, nil, "", err
	}
	return e, m, note, nil
}

// outboxShow shows one notification: its status and history, its headers,
// the plain-text part (escaped) and the HTML part in a sandboxed frame.
func (s *Server) outboxShow(c *fiber.Ctx) error {
	e, m, note, err := s.outboxMessage(c)
	if err != nil {
		return err
	}
	loc, _, err := s.auditLocation(c)
	if err != nil {
		return err
	}
	next := ""
	if e.NextAttemptAt != nil && e.Status == notify.Queued {
		next = e.NextAttemptAt.In(loc).Format("2 Jan 2006 15:04 MST")
	}
	canResend := e.Channel == notify.Email && e.Status != notify.Queued && e.Status != notify.Sending
	return s.render(c, "admin/outbox_show", fiber.Map{"Title": "Notification " + strconv.FormatInt(e.ID, 10),
		"Row": outboxRowOf(e, loc), "Entry": e, "Message": m, "Note": note, "NextAttempt": next, "CanResend": canResend,
		"ICS": string(m.ICS), "Mail": s.cfg.Mail})
}

// outboxHTML is the HTML part alone, for the frame on outboxShow: no
// scripts, no forms, nothing but its own inline styles and images, framed
// only by this site.
func (s *Server) outboxHTML(c *fiber.Ctx) error {
	_, m, _, err := s.outboxMessage(c)
	if err != nil {
		return err
	}
	img := "'self' data:"
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Host != "" {
		img += " " + u.Scheme + "://" + u.Host
	}
	c.Set("Cache-Control", "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Content-Security-Policy", "default-src 'none'; img-src "+img+"; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'; sandbox")
	c.Type("html", "utf-8")
	return c.SendString(m.HTML)
}

// outboxResend queues a copy of a sent, failed or cancelled e-mail (audited).
func (s *Server) outboxResend(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such notification.")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	r, err := notify.Resend(ctx, s.cfg.DB, id, s.people.Now())
	if err != nil {
		if store.KindOf(err) == store.Conflict {
			s.flash(c, "error", store.MessageOf(err))
			return c.Redirect("/admin/outbox/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		}
		return err
	}
	subject := r.Address
	if orig, err := notify.FindNotification(ctx, s.cfg.DB, r.ID); err == nil && orig.EmployeeNumber != "" {
		subject = orig.EmployeeNumber
	}
	actor, label := principal(c).actor()
	if err := people.Audit(ctx, s.cfg.DB, s.people.Now(), actor, label, "notification.resend", subject,
		"notification "+strconv.FormatInt(id, 10)+" resent as "+strconv.FormatInt(r.ID, 10)); err != nil {
		return err
	}
	s.wakeSender()
	s.flash(c, "success", s.queuedNote("A copy of notification "+strconv.FormatInt(id, 10)+" to "+r.Address+" is queued."))
	return c.Redirect("/admin/outbox/"+strconv.FormatInt(r.ID, 10), http.StatusSeeOther)
}

// outboxTest queues a test e-mail to the posted address (audited); a bad
// address comes back on the page next to the field.
func (s *Server) outboxTest(c *fiber.Ctx) error {
	ctx := c.UserContext()
	addr := formTrimmed(c, "address")
	r, err := notify.QueueTest(ctx, s.cfg.DB, s.people.Now(), addr)
	if field, msg, ok := asFieldError(err); ok {
		loc, _, lerr := s.auditLocation(c)
		if lerr != nil {
			return lerr
		}
		f := notify.OutboxFilter{Loc: loc}
		list, next, lerr := notify.ListOutbox(ctx, s.cfg.DB, f)
		if lerr != nil {
			return lerr
		}
		return s.outboxTestPage(c, f, list, next, map[string]string{field: msg}, addr)
	} else if err != nil {
		return err
	}
	actor, label := principal(c).actor()
	if err := people.Audit(ctx, s.cfg.DB, s.people.Now(), actor, label, "notification.test", r.Address, ""); err != nil {
		return err
	}
	s.wakeSender()
	s.flash(c, "success", s.queuedNote("A test e-mail to "+r.Address+" is queued."))
	return c.Redirect("/admin/outbox/"+strconv.FormatInt(r.ID, 10), http.StatusSeeOther)
}

// outboxTestPage is the list with the test form's problem and what was typed.
func (s *Server) outboxTestPage(c *fiber.Ctx, f notify.OutboxFilter, list []notify.Entry, next string, errs map[string]string, typed string) error {
	rows := make([]outboxRow, len(list))
	for i := range list {
		rows[i] = outboxRowOf(&list[i], f.Loc)
	}
	data := fiber.Map{"Title": "Outbox", "Form": f, "Zone": f.Loc.String(), "Kinds": notify.Kinds, "Statuses": notify.Statuses,
		"Errors": errs, "Rows": rows, "Newest": "/admin/outbox", "Mail": s.cfg.Mail, "TestTo": typed}
	if next != "" {
		data["Older"] = "/admin/outbox?before=" + next
	}
	return s.renderStatus(c, http.StatusUnprocessableEntity, "admin/outbox", data)
}

// queuedNote adds, without SMTP, that the message is kept and not sent.
func (s *Server) queuedNote(msg string) string {
	if s.cfg.Mail.Server == "" {
		return msg + " No SMTP server is configured, so it is kept in the outbox, not sent."
	}
	return msg + " It is sent within seconds."
}

func (s *Server) wakeSender() {
	if s.cfg.Mail.Wake != nil {
		s.cfg.Mail.Wake()
	}
}

// apiNotification is the JSON shape of a notification.
type apiNotification struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	EmployeeNumber string     `json:"employee_number"`
	Channel        string     `json:"channel"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	SentAt         *time.Time `json:"sent_at"`
	Attempts       int        `json:"attempts"`
	Error          string     `json:"error"`
}

// apiNotifications pages through notifications, newest first:
// ?employee=&status=&kind=&channel=&from=&to=&limit=&before= (HR and admin
// tokens). A bad filter is a 422 naming the field.
func (s *Server) apiNotifications(c *fiber.Ctx) error {
	f := notify.OutboxFilter{Employee: strings.Clone(c.Query("employee")), Status: strings.Clone(c.Query("status")),
		Kind: strings.Clone(c.Query("kind")), Channel: strings.Clone(c.Query("channel")), From: strings.Clone(c.Query("from")),
		To: strings.Clone(c.Query("to")), Before: strings.Clone(c.Query("before")), Loc: time.UTC}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > notify.MaxOutboxLimit {
			return store.FieldError("limit", "limit must be a whole number from 1 to %d.", notify.MaxOutboxLimit)
		}
		f.Limit = n
	}
	if errs := f.Check(); len(errs) > 0 {
		return errs[0]
	}
	list, next, err := notify.ListOutbox(c.UserContext(), s.cfg.DB, f)
	if err != nil {
		return err
	}
	out := make([]apiNotification, len(list))
	for i, e := range list {
		out[i] = apiNotification{ID: e.ID, Kind: string(e.Kind), EmployeeNumber: e.EmployeeNumber, Channel: string(e.Channel),
			Status: e.Status, CreatedAt: e.CreatedAt.UTC(), Attempts: e.Attempts, Error: e.Error}
		if e.SentAt != nil {
			t := e.SentAt.UTC()
			out[i].SentAt = &t
		}
	}
	return c.JSON(fiber.Map{"notifications": out, "next": next})
}
