package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Outbox list limits.
const (
	DefaultOutboxLimit = 50
	MaxOutboxLimit     = 500
)

// OutboxFilter narrows ListOutbox. Zero values match everything.
type OutboxFilter struct {
	Status   string // one of the statuses (queued, sending, sent, failed, cancelled, unread, read)
	Kind     string // one of the kinds
	Channel  string // email or inapp
	Employee string // an employee number, or an e-mail address (the row's address)
	From, To string // first and last day (inclusive), YYYY-MM-DD in Loc
	Loc      *time.Location
	Before   string // the next value of the previous page: only older rows
	Limit    int    // 1 to MaxOutboxLimit; 0 is DefaultOutboxLimit
}

// Statuses lists every status, e-mail's then in-app's.
var Statuses = []string{Queued, Sending, Sent, Failed, Cancelled, Unread, Read}

// Check tidies the filter and returns every problem, each an Invalid error
// naming its field (status, kind, channel, employee, from, to, before, limit).
func (f *OutboxFilter) Check() []*store.Error {
	for _, p := range []*string{&f.Status, &f.Kind, &f.Channel, &f.Employee, &f.From, &f.To, &f.Before} {
		*p = strings.TrimSpace(*p)
	}
	var errs []*store.Error
	add := func(field, format string, args ...any) { errs = append(errs, store.FieldError(field, format, args...)) }
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		add("status", "%q is not a status: use one of %s.", f.Status, strings.Join(Statuses, ", "))
	}
	if _, ok := InfoOf(Kind(f.Kind)); f.Kind != "" && !ok {
		var ks []string
		for _, in := range Kinds {
			ks = append(ks, string(in.Kind))
		}
		add("kind", "%q is not a kind of notification: use one of %s.", f.Kind, strings.Join(ks, ", "))
	}
	if f.Channel != "" && f.Channel != string(Email) && f.Channel != string(InApp) {
		add("channel", "%q is not a channel: use email or inapp.", f.Channel)
	}
	if n := utf8.RuneCountInString(f.Employee); n > 320 {
		add("employee", "The employee number or address is %d characters long; the limit is 320.", n)
	}
	from, fromErr := day(f.From, f.Loc)
	if fromErr != nil {
		add("from", "“%s” is not a date: use YYYY-MM-DD, for example 2026-03-01.", f.From)
	}
	to, toErr := day(f.To, f.Loc)
	if toErr != nil {
		add("to", "“%s” is not a date: use YYYY-MM-DD, for example 2026-03-31.", f.To)
	}
	if fromErr == nil && toErr == nil && !from.IsZero() && !to.IsZero() && to.Before(from) {
		add("to", "The last day (%s) is before the first day (%s).", f.To, f.From)
	}
	if f.Before != "" {
		if id, err := strconv.ParseInt(f.Before, 10, 64); err != nil || id < 1 {
			add("before", "This link to older messages is broken: start again from the newest.")
		}
	}
	if f.Limit < 0 || f.Limit > MaxOutboxLimit {
		add("limit", "Ask for 1 to %d messages at a time.", MaxOutboxLimit)
	}
	return errs
}

// day parses a YYYY-MM-DD day as its first instant in loc ("" is the zero time).
func day(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil || t.Year() < 1000 {
		return time.Time{}, errors.New("not a date")
	}
	return t, nil
}

// Entry is a notification with its recipient, as the outbox lists it.
type Entry struct {
	Row            `bun:",extend"`
	EmployeeNumber string `bun:",scanonly"`
	EmployeeName   string `bun:",scanonly"`
}

// ListOutbox returns the notifications matching f, newest first, and the
// value to pass as Before for the next (older) page ("" when none). An
// invalid filter returns the first problem Check finds, and an employee
// number that names nobody a store.FieldError on "employee". Each page is one
// walk down an index ((status|kind|address|employee_id, id) or the primary
// key), so it stays fast with millions of rows.
func ListOutbox(ctx context.Context, db bun.IDB, f OutboxFilter) ([]Entry, string, error) {
	if errs := f.Check(); len(errs) > 0 {
		return nil, "", errs[0]
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultOutboxLimit
	}
	var list []Entry
	q := db.NewSelect().Model(&list).ColumnExpr("n.*").
		ColumnExpr("COALESCE(e.number, '') AS employee_number").
		ColumnExpr("COALESCE(e.first_name || ' ' || e.last_name, '') AS employee_name").
		Join("LEFT JOIN employees AS e ON e.id = n.employee_id")
	if f.Status != "" {
		q = q.Where("n.status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("n.kind = ?", f.Kind)
	}
	if f.Channel != "" {
		q = q.Where("n.channel = ?", f.Channel)
	}
	if f.Employee != "" {
		if strings.Contains(f.Employee, "@") {
			q = q.Where("n.address IN (?, ?)", f.Employee, strings.ToLower(f.Employee))
		} else {
			var ids []int64
			if err := db.NewSelect().TableExpr("employees").Column("id").Where("number = ?", f.Employee).Scan(ctx, &ids); err != nil {
				return nil, "", err
			}
			if len(ids) == 0 {
				return nil, "", store.FieldError("employee", "There is no employee with number “%s”. Write an employee number, or an e-mail address exactly.", f.Employee)
			}
			q = q.Where("n.employee_id = ?", ids[0])
		}
	}
	if from, _ := day(f.From, f.Loc); !from.IsZero() {
		q = q.Where("n.created_at >= ?", from.UTC())
	}
	if to, _ := day(f.To, f.Loc); !to.IsZero() {
		q = q.Where("n.created_at < ?", to.AddDate(0, 0, 1).UTC())
	}
	// Newest first is by id (the order rows were written), down the index of
	// the filter; with days, by created_at down its index, so a day long ago
	// is found without reading every newer row.
	order := "n.id DESC"
	byTime := f.From != "" || f.To != ""
	if byTime {
		order = "n.created_at DESC, n.id DESC"
	}
	if f.Before != "" {
		before, _ := strconv.ParseInt(f.Before, 10, 64)
		if byTime {
			at := "(SELECT created_at FROM notifications WHERE id = ?)"
			q = q.Where("n.created_at <= "+at+" AND (n.created_at < "+at+" OR n.id < ?)", before, before, before)
		} else {
			q = q.Where("n.id < ?", before)
		}
	}
	if err := q.OrderExpr(order).Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = strconv.FormatInt(list[limit-1].ID, 10)
	}
	return list, next, nil
}

// FindNotification returns one notification with its recipient, or a
// store.NotFound error.
func FindNotification(ctx context.Context, db bun.IDB, id int64) (*Entry, error) {
	var e Entry
	err := db.NewSelect().Model(&e).ColumnExpr("n.*").
		ColumnExpr("COALESCE(e.number, '') AS employee_number").
		ColumnExpr("COALESCE(e.first_name || ' ' || e.last_name, '') AS employee_name").
		Join("LEFT JOIN employees AS e ON e.id = n.employee_id").Where("n.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no notification %d.", id)
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// Resend queues a copy of an e-mail that was sent, failed or cancelled, as a
// new message (the original keeps its history). It returns the new row; a
// notification that is not an e-mail, or is still queued or being sent, is
// a store.Conflict error.
func Resend(ctx context.Context, db bun.IDB, id int64, now time.Time) (*Row, error) {
	orig, err := FindNotification(ctx, db, id)
	if err != nil {
		return nil, err
	}
	switch {
	case orig.Channel != Email:
		return nil, store.Errorf(store.Conflict, "Notification %d is in-app, not an e-mail: there is nothing to resend.", id)
	case orig.Status == Queued || orig.Status == Sending:
		return nil, store.Errorf(store.Conflict, "Notification %d is still %s: it will be sent without a resend.", id, orig.Status)
	}
	now = now.UTC()
	r := &Row{Kind: orig.Kind, Channel: Email, IdemKey: fmt.Sprintf("resend|%d|%d", id, now.UnixNano()), EmployeeID: orig.EmployeeID,
		Address: orig.Address, Data: orig.Data, Status: Queued, NextAttemptAt: &now, CreatedAt: now}
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// QueueTest queues the admin's test e-mail to address; a malformed address
// is a store.FieldError on "address".
func QueueTest(ctx context.Context, db bun.IDB, now time.Time, address string) (*Row, error) {
	address = strings.TrimSpace(address)
	a, err := mail.ParseAddress(address)
	if err != nil || a.Address != address {
		return nil, store.FieldError("address", "“%s” is not an e-mail address: write it as name@example.com.", address)
	}
	key := fmt.Sprintf("test-%d", now.UnixNano())
	if _, err := Enqueue(ctx, db, now, Event{Kind: TestMessage, Key: key, Address: a.Address, NoInApp: true}); err != nil {
		return nil, err
	}
	var r Row
	if err := db.NewSelect().Model(&r).Where("idem_key = ?", fmt.Sprintf("%s|%s|addr:%s|%s", TestMessage, key, strings.ToLower(a.Address), Email)).
		Scan(ctx); err != nil {
		return nil, err
	}
	return &r, nil
}
