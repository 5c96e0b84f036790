package people

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// AuditEntry is one line of the append-only audit log. Nothing in the code
// updates or deletes an entry, and the database refuses to (migration
// 20261201000003_audit_log).
type AuditEntry struct {
	bun.BaseModel `bun:"table:audit_log,alias:a"`

	ID      int64     `bun:",pk,autoincrement"`
	At      time.Time `bun:",notnull"`
	ActorID *int64    `bun:"actor_id"`
	Actor   string    `bun:",notnull"`
	Action  string    `bun:",notnull"`
	Subject string    `bun:",notnull"`
	Detail  string    `bun:",notnull"`

	// Filled by ListAudit.
	ActorNumber     string `bun:",scanonly"` // the actor's employee number, "" for the system
	SubjectEmployee bool   `bun:",scanonly"` // Subject is the number of an existing employee
}

// MaxAuditDetail is the longest detail stored, in bytes (longer ones are cut).
const MaxAuditDetail = 4000

// Audit appends an entry to the audit log, inside db (a transaction or the DB).
func Audit(ctx context.Context, db bun.IDB, now time.Time, actorID *int64, actor, action, subject, detail string) error {
	_, err := db.NewInsert().Model(&AuditEntry{At: now.UTC(), ActorID: actorID, Actor: actor, Action: action,
		Subject: subject, Detail: cutUTF8(detail, MaxAuditDetail)}).Exec(ctx)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// cutUTF8 returns s cut to at most n bytes without splitting a character
// (PostgreSQL refuses invalid UTF-8).
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Audit list limits: a page holds DefaultAuditLimit entries unless the
// filter asks for another number up to MaxAuditLimit.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 500
	maxAuditNeedle    = 200 // characters in a text filter
)

// AuditFilter narrows ListAudit. Zero values match everything.
type AuditFilter struct {
	Action  string // an exact action ("rule.create"), or a group ending in "." ("assignment.")
	Actor   string // part of the actor's name (any case), or the actor's exact employee number
	Subject string // the exact subject: an employee number or a programme or course slug
	From    string // first day, YYYY-MM-DD in Loc
	To      string // last day (inclusive), YYYY-MM-DD in Loc
	Detail  string // part of the detail (any case)
	// Loc is the company time zone From and To are days in; nil is UTC.
	Loc *time.Location
	// Before is the next value returned with the previous page: only older entries.
	Before string
	Limit  int // 1 to MaxAuditLimit; 0 is DefaultAuditLimit
}

// Check tidies the filter (trimmed text) and returns every problem, each an
// Invalid error naming its field (action, actor, subject, from, to, detail,
// before or limit).
func (f *AuditFilter) Check() []*store.Error {
	for _, p := range []*string{&f.Action, &f.Actor, &f.Subject, &f.From, &f.To, &f.Detail, &f.Before} {
		*p = strings.TrimSpace(*p)
	}
	var errs []*store.Error
	add := func(field, format string, args ...any) { errs = append(errs, store.FieldError(field, format, args...)) }
	for _, t := range []struct{ field, label, value string }{
		{"action", "The action", f.Action}, {"actor", "The name or number", f.Actor},
		{"subject", "The subject", f.Subject}, {"detail", "The text", f.Detail},
	} {
		if n := utf8.RuneCountInString(t.value); n > maxAuditNeedle {
			add(t.field, "%s is %d characters long; the limit is %d.", t.label, n, maxAuditNeedle)
		}
	}
	from, fromErr := f.day(f.From)
	if fromErr != nil {
		add("from", "“%s” is not a date: use YYYY-MM-DD, for example 2026-03-01.", f.From)
	}
	to, toErr := f.day(f.To)
	if toErr != nil {
		add("to", "“%s” is not a date: use YYYY-MM-DD, for example 2026-03-31.", f.To)
	}
	if fromErr == nil && toErr == nil && !from.IsZero() && !to.IsZero() && to.Before(from) {
		add("to", "The last day (%s) is before the first day (%s).", f.To, f.From)
	}
	if f.Before != "" {
		if id, err := strconv.ParseInt(f.Before, 10, 64); err != nil || id < 1 {
			add("before", "This link to older entries is broken: start again from the newest.")
		}
	}
	if f.Limit < 0 || f.Limit > MaxAuditLimit {
		add("limit", "Ask for 1 to %d entries at a time.", MaxAuditLimit)
	}
	return errs
}

// day parses a YYYY-MM-DD day as its first instant in f.Loc ("" is the zero time).
func (f *AuditFilter) day(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil || t.Year() < 1000 {
		return time.Time{}, store.FieldError("date", "not a date")
	}
	return t, nil
}

// ListAudit returns the entries matching f, newest first (by the time each
// shows, then by id), at most f.Limit of
// them, and the value to pass as Before for the next (older) page, "" when
// there is none. An invalid filter returns the first problem Check finds.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, string, error) {
	if errs := f.Check(); len(errs) > 0 {
		return nil, "", errs[0]
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultAuditLimit
	}
	pg := store.IsPostgresDB(s.DB)
	// actionCol compares actions byte by byte, as the (action, id) index
	// orders them: PostgreSQL does so only under the "C" collation.
	actionCol := "a.action"
	if pg {
		actionCol = `a.action COLLATE "C"`
	}
	// contains is a case-insensitive substring test: both sides are folded by
	// the database, so what the user sees on screen is what matches.
	contains := func(col string) string {
		if pg {
			return "strpos(lower(" + col + "), lower(?)) > 0"
		}
		return "instr(lower(" + col + "), lower(?)) > 0"
	}
	// filter adds every condition but the action's to q (which selects audit_log AS a).
	filter := func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Actor != "" {
			q = q.Where("("+contains("a.actor")+" OR a.actor_id IN (SELECT id FROM employees WHERE number = ?))", f.Actor, f.Actor)
		}
		if f.Subject != "" {
			q = q.Where("a.subject = ?", f.Subject)
		}
		if f.Detail != "" {
			q = q.Where(contains("a.detail"), f.Detail)
		}
		if from, _ := f.day(f.From); !from.IsZero() {
			q = q.Where("a.at >= ?", from.UTC())
		}
		if to, _ := f.day(f.To); !to.IsZero() {
			q = q.Where("a.at < ?", to.AddDate(0, 0, 1).UTC())
		}
		if f.Before != "" {
			q = olderThan(q, f.Before)
		}
		return q
	}
	var list []AuditEntry
	q := s.DB.NewSelect().Model(&list).ColumnExpr("a.*").
		ColumnExpr("COALESCE(ae.number, '') AS actor_number").
		ColumnExpr("CASE WHEN se.id IS NULL THEN 0 ELSE 1 END AS subject_employee").
		Join("LEFT JOIN employees AS ae ON ae.id = a.actor_id").
		Join("LEFT JOIN employees AS se ON se.number = a.subject AND a.subject <> ''")
	group := strings.HasSuffix(f.Action, ".")
	switch {
	case f.Action == "":
		q = filter(q)
	case group && f.Subject == "":
		// A group, newest first: the newest limit+1 matches of each of its
		// actions (each read backwards along the (action, id) index), then
		// the newest of those. As one range of the index, a common group
		// would be read whole and sorted. (With a subject, that subject's
		// own index is the short way.)
		actions, err := s.groupActions(ctx, actionCol, f.Action)
		if err != nil {
			return nil, "", err
		}
		if len(actions) == 0 {
			return nil, "", nil
		}
		var union *bun.SelectQuery
		for _, action := range actions {
			newest := filter(s.DB.NewSelect().TableExpr("audit_log AS a").Column("a.id").Where(actionCol+" = ?", action)).
				OrderExpr("a.at DESC, a.id DESC").Limit(int64(limit + 1))
			arm := s.DB.NewSelect().TableExpr("(?) AS g", newest).Column("g.id")
			if union == nil {
				union = arm
			} else {
				union = union.UnionAll(arm)
			}
		}
		q = q.Where("a.id IN (?)", union)
		if f.Before != "" {
			// Repeated outside, or PostgreSQL may merge-join from the newest entry.
			q = olderThan(q, f.Before)
		}
	case group:
		q = filter(q).Where(actionCol+" >= ? AND "+actionCol+" < ?", f.Action, groupEnd(f.Action))
	default:
		q = filter(q).Where(actionCol+" = ?", f.Action)
	}
	if err := q.OrderExpr("a.at DESC, a.id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = strconv.FormatInt(list[limit-1].ID, 10)
	}
	return list, next, nil
}

// olderThan keeps the entries listed after the entry before (an id): an
// earlier time, or the same time and a smaller id.
func olderThan(q *bun.SelectQuery, before string) *bun.SelectQuery {
	id, _ := strconv.ParseInt(before, 10, 64)
	return q.Where("(a.at < (SELECT b.at FROM audit_log AS b WHERE b.id = ?) OR (a.at = (SELECT b.at FROM audit_log AS b WHERE b.id = ?) AND a.id < ?))", id, id, id)
}

// groupEnd is the first string after every action of the group prefix
// ("assignment." → "assignment/", "/" being the byte after ".").
func groupEnd(prefix string) string { return prefix[:len(prefix)-1] + "/" }

// groupActions returns the distinct actions of the group prefix in byte
// order, skipping along the (action, id) index from one action to the next.
func (s *Store) groupActions(ctx context.Context, actionCol, prefix string) ([]string, error) {
	var out []string
	for {
		var next []string
		q := s.DB.NewSelect().TableExpr("audit_log AS a").Column("a.action").
			Where(actionCol+" < ?", groupEnd(prefix)).OrderExpr(actionCol).Limit(1)
		if len(out) == 0 {
			q = q.Where(actionCol+" >= ?", prefix)
		} else {
			q = q.Where(actionCol+" > ?", out[len(out)-1])
		}
		if err := q.Scan(ctx, &next); err != nil {
			return nil, err
		}
		if len(next) == 0 {
			return out, nil
		}
		out = append(out, next[0])
	}
}
