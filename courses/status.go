package courses

import (
	"time"

	"github.com/serviceacademy/academy/store"
)

// Status is where an employee stands in one programme cycle. The API uses
// the string values.
type Status string

const (
	NotStarted Status = "not_started"
	InProgress Status = "in_progress"
	Completed  Status = "completed"
	DueSoon    Status = "due_soon"
	Overdue    Status = "overdue"
	Expiring   Status = "expiring"
	Expired    Status = "expired"
	Exempt     Status = "exempt"
)

// Statuses lists every status in the order reports show them.
var Statuses = []Status{Overdue, Expired, DueSoon, Expiring, InProgress, NotStarted, Completed, Exempt}

// Label is the status in words, for pages (never colour alone).
func (s Status) Label() string {
	switch s {
	case NotStarted:
		return "Not started"
	case InProgress:
		return "In progress"
	case Completed:
		return "Completed"
	case DueSoon:
		return "Due soon"
	case Overdue:
		return "Overdue"
	case Expiring:
		return "Expiring"
	case Expired:
		return "Expired"
	case Exempt:
		return "Exempt"
	}
	return string(s)
}

// Open reports whether the status asks something of the learner.
func (s Status) Open() bool {
	return s == NotStarted || s == InProgress || s == DueSoon || s == Overdue
}

// DueSoonDays and ExpiringDays are how near a due date or an expiry must be
// for a cycle to be due soon or expiring.
const (
	DueSoonDays  = 14
	ExpiringDays = 30
)

// CycleFacts are what a cycle's status depends on, besides the clock.
type CycleFacts struct {
	DueOn       string // company-local date YYYY-MM-DD, or "" for no due date
	Started     bool
	CompletedAt *time.Time
	ExpiresAt   *time.Time // nil: the completion never expires
	Exempt      bool
}

// CycleStatus is the status of a cycle at now, with dates read in the
// company's time zone loc, and the moment it will next change by the clock
// alone (zero if it never will):
//   - exempt when HR exempted the employee;
//   - completed, expiring from ExpiringDays before the expiry, expired from it;
//   - otherwise overdue from the midnight (loc) that ends the due date, due
//     soon from DueSoonDays days before the due date, else in progress or
//     not started.
func CycleStatus(f CycleFacts, now time.Time, loc *time.Location) (Status, time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case f.Exempt:
		return Exempt, time.Time{}
	case f.CompletedAt != nil:
		if f.ExpiresAt == nil {
			return Completed, time.Time{}
		}
		exp := *f.ExpiresAt
		expiring := exp.In(loc).AddDate(0, 0, -ExpiringDays)
		switch {
		case !now.Before(exp):
			return Expired, time.Time{}
		case !now.Before(expiring):
			return Expiring, exp
		}
		return Completed, expiring
	}
	open := NotStarted
	if f.Started {
		open = InProgress
	}
	if f.DueOn == "" {
		return open, time.Time{}
	}
	due, err := time.ParseInLocation(time.DateOnly, f.DueOn, loc)
	if err != nil {
		return open, time.Time{}
	}
	overdue := due.AddDate(0, 0, 1)
	soon := due.AddDate(0, 0, -DueSoonDays)
	switch {
	case !now.Before(overdue):
		return Overdue, time.Time{}
	case !now.Before(soon):
		return DueSoon, overdue
	}
	return open, soon
}

// DueKind is how a programme sets the due date of a cycle.
type DueKind string

const (
	DueNone            DueKind = "none"             // no due date
	DueFixed           DueKind = "fixed"            // a date
	DueAfterAssignment DueKind = "after_assignment" // N days after the assignment
	DueAfterHire       DueKind = "after_hire"       // N days after the hire date (new starters)
)

// DueRule is a programme's rule for due dates.
type DueRule struct {
	Kind DueKind
	Date string // DueFixed: YYYY-MM-DD
	Days int    // DueAfterAssignment, DueAfterHire
}

// MaxDueDays is the longest a due rule may give.
const MaxDueDays = 3650

// Check returns an Invalid error naming the field (due_kind, due_date,
// due_days) when the rule cannot work; a fixed date before today (loc) is
// refused.
func (r DueRule) Check(now time.Time, loc *time.Location) error {
	switch r.Kind {
	case DueNone:
	case DueFixed:
		d, err := time.ParseInLocation(time.DateOnly, r.Date, loc)
		if err != nil {
			return store.FieldError("due_date", "Enter the due date as a date, such as 2027-01-31.")
		}
		if d.Before(LocalDay(now, loc)) {
			return store.FieldError("due_date", "The due date %s is in the past: choose today or a later date.", r.Date)
		}
	case DueAfterAssignment, DueAfterHire:
		if r.Days < 1 || r.Days > MaxDueDays {
			return store.FieldError("due_days", "Enter the days to complete it, from 1 to %d.", MaxDueDays)
		}
	default:
		return store.FieldError("due_kind", "Choose how the due date is set.")
	}
	return nil
}

// DueOn is the due date (YYYY-MM-DD, company-local) of a cycle assigned at
// assigned to someone hired on hireDate (YYYY-MM-DD or ""). After hire, it is
// never before N days after the assignment, so people hired long before the
// programme existed are not overdue on the day it is assigned. "" when the
// rule sets no date.
func (r DueRule) DueOn(assigned time.Time, hireDate string, loc *time.Location) string {
	day := LocalDay(assigned, loc)
	switch r.Kind {
	case DueFixed:
		return r.Date
	case DueAfterAssignment:
		return day.AddDate(0, 0, r.Days).Format(time.DateOnly)
	case DueAfterHire:
		due := day.AddDate(0, 0, r.Days)
		if h, err := time.ParseInLocation(time.DateOnly, hireDate, loc); err == nil && h.AddDate(0, 0, r.Days).After(due) {
			due = h.AddDate(0, 0, r.Days)
		}
		return due.Format(time.DateOnly)
	}
	return ""
}

// LocalDay is the midnight (loc) that starts now's day in loc.
func LocalDay(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// ExpiryOf is when a completion at completed expires after validity months:
// the midnight (loc) that starts the same day of the month that many months
// later, or the month's last day when it is shorter (29 February + 12 months
// is 28 February). Nil when validity is 0 (never expires).
func ExpiryOf(completed time.Time, validityMonths int, loc *time.Location) *time.Time {
	if validityMonths <= 0 {
		return nil
	}
	day := LocalDay(completed, loc)
	t := AddMonths(day, validityMonths)
	return &t
}

// AddMonths adds n months to t, keeping the day of the month when the
// target month has it and taking its last day otherwise.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// FirstCountsFrom is when course completions start to count for the first
// cycle of an assignment made at assigned: within the programme's validity
// before it; nil (any completion counts) when it never expires.
func FirstCountsFrom(validityMonths int, assigned time.Time) *time.Time {
	if validityMonths <= 0 {
		return nil
	}
	t := AddMonths(assigned, -validityMonths)
	return &t
}

// Counts reports whether a course completed at completed counts for a cycle
// whose completions count from countsFrom (nil: every completion): only a
// completion after that moment does.
func Counts(completed time.Time, countsFrom *time.Time) bool {
	return countsFrom == nil || completed.After(*countsFrom)
}

// SettleFacts are what a cycle's completion depends on.
type SettleFacts struct {
	Closed, Exempt         bool
	StartedAt, CompletedAt *time.Time
	ExpiresAt              *time.Time
	// Required are the slugs of the required courses of the cycle's version.
	Required []string
	// Counted holds, by course slug, the newest completion that counts for
	// the cycle (Counts) of each course looked at: the required courses of
	// every cycle decided with it.
	Counted        map[string]time.Time
	ValidityMonths int // of the programme: the expiry of a completion
}

// Settled is what SettleCycle decides of a cycle.
type Settled struct {
	StartedAt, CompletedAt, ExpiresAt *time.Time
	Completed                         bool // it became complete now
}

// SettleCycle is the one rule for programme completion, over plain facts: a
// cycle is complete when every required course has a completion that counts
// for it (the newest of them is the completion time, and the expiry follows
// from the validity, ExpiryOf); it is started once any course in Counted
// counts (from the earliest of them) or it was marked started. With reopen,
// a completed cycle missing a required course (after a change of version) is
// reopened. Closed and exempt cycles keep what they have.
func SettleCycle(f SettleFacts, now time.Time, loc *time.Location, reopen bool) Settled {
	out := Settled{StartedAt: f.StartedAt, CompletedAt: f.CompletedAt, ExpiresAt: f.ExpiresAt}
	if f.Closed || f.Exempt {
		return out
	}
	var last time.Time
	all := true
	for _, slug := range f.Required {
		t, ok := f.Counted[slug]
		if !ok {
			all = false
			continue
		}
		if t.After(last) {
			last = t
		}
	}
	if len(f.Counted) > 0 && out.StartedAt == nil {
		first := now
		for _, t := range f.Counted {
			if t.Before(first) {
				first = t
			}
		}
		out.StartedAt = &first
	}
	switch {
	case all && out.CompletedAt == nil:
		out.CompletedAt = &last
		out.ExpiresAt = ExpiryOf(last, f.ValidityMonths, loc)
		out.Completed = true
	case !all && out.CompletedAt != nil && reopen:
		out.CompletedAt, out.ExpiresAt = nil, nil
	}
	return out
}

// RecertOpens is when the recertification of a completion that expires at
// expires opens: recertDays before the expiry (at the expiry when the
// programme has no window). The scheduler opens the next cycle then.
func RecertOpens(expires time.Time, recertDays int) time.Time {
	return expires.UTC().AddDate(0, 0, -recertDays)
}

// RecertHorizon is RecertOpens turned round for a query: at now, the
// recertification of every completion expiring at or before the horizon
// has opened.
func RecertHorizon(now time.Time, recertDays int) time.Time {
	return now.UTC().AddDate(0, 0, recertDays)
}

// RecertDueOn is the due date (YYYY-MM-DD, company-local) of the cycle a
// recertification opens at opened, for a completion that expires at
// expires: the last day it is valid when the programme has a window
// (recertDays > 0), otherwise the programme's due rule from the opening.
func RecertDueOn(due DueRule, recertDays int, expires, opened time.Time, hireDate string, loc *time.Location) string {
	if recertDays > 0 {
		return expires.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return due.DueOn(opened, hireDate, loc)
}
