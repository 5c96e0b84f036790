package outcomes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// The service-recovery loop ("fix the problem, not the blame"): a rule
// says "when a person collects at least Threshold events of a measure
// (optionally of one category) within Days days, assign a refresher
// programme and/or ask their manager to observe them with a checklist".
//
// What counts as an event: every event of a count measure (a complaint);
// every unsatisfied response of a rating (a bad rating is the event). A
// value measure has no events to count, so no rule names one.
//
// A run is Threshold or more counted events whose days span at most Days
// calendar days (the first and last at most Days−1 days apart), the last on
// or before today and within the last Days days (a current run: a run of
// complaints from last year does not assign anything today). Once a rule
// acted on a person's run, the events up to that run's last day plus
// CooldownDays no longer count for that rule: one run acts once, and the
// person has the cool-down to put the refresher into practice; a new run
// after it acts again.

// RecoveryRule is one service-recovery rule.
type RecoveryRule struct {
	bun.BaseModel `bun:"table:recovery_rules,alias:rr"`

	ID           int64      `bun:",pk,autoincrement"`
	MeasureID    int64      `bun:",notnull"`
	Category     string     `bun:",notnull"`
	Threshold    int        `bun:",notnull"`
	Days         int        `bun:",notnull"`
	ProgrammeID  *int64     `bun:"programme_id"`
	ChecklistID  *int64     `bun:"checklist_id"`
	CooldownDays int        `bun:",notnull"`
	CreatedByID  *int64     `bun:"created_by_id"`
	CreatedAt    time.Time  `bun:",notnull"`
	UpdatedAt    time.Time  `bun:",notnull"`
	ArchivedAt   *time.Time `bun:",nullzero"`

	// Read with the rule (ListRecoveryRules).
	MeasureSlug     string `bun:",scanonly"`
	MeasureTitle    string `bun:",scanonly"`
	ProgrammeSlug   string `bun:",scanonly"`
	ProgrammeTitle  string `bun:",scanonly"`
	ProgrammeClosed bool   `bun:",scanonly"` // the programme is archived
	ChecklistSlug   string `bun:",scanonly"`
	ChecklistTitle  string `bun:",scanonly"`
}

// Describe is the rule in words: "3 or more Complaints within 30 days
// (category rude)".
func (r *RecoveryRule) Describe(m *Measure) string {
	what := m.Title
	if m.Kind == Rating {
		what = "unsatisfied " + m.Title + " responses"
	}
	s := fmt.Sprintf("%d or more %s within %d days", r.Threshold, what, r.Days)
	if r.Days == 1 {
		s = fmt.Sprintf("%d or more %s on one day", r.Threshold, what)
	}
	if r.Category != "" {
		s += " (category " + r.Category + ")"
	}
	return s
}

// Counts reports whether a rule on measure m may count its events: a count
// or a rating (its unsatisfied responses).
func (m *Measure) Counts() bool { return m.Kind == Count || m.Kind == Rating }

// counted reports whether one event counts towards a rule's run.
func (m *Measure) counted(value float64) bool {
	if m.Kind == Rating {
		return !m.Satisfied(value)
	}
	return m.Kind == Count
}

// RunEvent is one event as a recovery rule reads it.
type RunEvent struct {
	Day      Day
	Value    float64
	Category string
}

// Run is the events a rule acts on: the first and last day and how many.
type Run struct {
	First, Last Day
	Events      int
}

// FindRun returns the person's current run for rule r on measure m: the
// latest window of r.Days days holding at least r.Threshold counted events
// (of r.Category, compared without case, when set) that ends on or before
// today and within the last r.Days days. cooledUntil, when not nil, is the
// last day of the person's previous acted run plus the rule's cool-down:
// events on or before it do not count. ok is false when there is no run.
// events need not be sorted.
func FindRun(m *Measure, r *RecoveryRule, events []RunEvent, today Day, cooledUntil *Day) (run Run, ok bool) {
	if r.Threshold < 1 || r.Days < 1 || !m.Counts() {
		return Run{}, false
	}
	days := make([]Day, 0, len(events))
	for _, e := range events {
		if e.Day > today || (cooledUntil != nil && e.Day <= *cooledUntil) || !m.counted(e.Value) {
			continue
		}
		if r.Category != "" && !strings.EqualFold(strings.TrimSpace(e.Category), r.Category) {
			continue
		}
		days = append(days, e.Day)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	span := Day(r.Days - 1)
	i := len(days) - 1
	for j := len(days) - 1; j >= 0; j-- {
		if days[j] <= today-Day(r.Days) {
			break // older runs are not current
		}
		if i > j {
			i = j
		}
		for i > 0 && days[j]-days[i-1] <= span {
			i--
		}
		if j-i+1 >= r.Threshold {
			return Run{First: days[i], Last: days[j], Events: j - i + 1}, true
		}
	}
	return Run{}, false
}

// CooledUntil is the last day on which the events no longer count for a
// rule after it acted on a run that ended on lastDay.
func (r *RecoveryRule) CooledUntil(lastDay Day) Day { return lastDay + Day(r.CooldownDays) }

// EventWindow is the first day of events FindRun may count on today: the
// caller reads events from it on.
func (r *RecoveryRule) EventWindow(today Day) Day { return today - Day(2*r.Days) + 2 }

// RecoveryAction is what a rule did for one person's run.
type RecoveryAction struct {
	bun.BaseModel `bun:"table:recovery_actions,alias:ra"`

	ID                   int64     `bun:",pk,autoincrement"`
	RuleID               int64     `bun:",notnull"`
	EmployeeID           int64     `bun:",notnull"`
	FirstDay             Day       `bun:",notnull"`
	LastDay              Day       `bun:",notnull"`
	Events               int       `bun:",notnull"`
	AssignedProgrammeID  *int64    `bun:"assigned_programme_id"`
	ObservationRequested bool      `bun:",notnull"`
	Detail               string    `bun:",notnull"`
	CreatedAt            time.Time `bun:",notnull"`

	// Read with the action (ListRecoveryActions).
	EmployeeNumber string `bun:",scanonly"`
	EmployeeName   string `bun:",scanonly"`
	MeasureTitle   string `bun:",scanonly"`
	Category       string `bun:",scanonly"`
}

// selectRules selects recovery rules with their measure, programme and
// checklist names.
func selectRules(db bun.IDB, dest any) *bun.SelectQuery {
	return db.NewSelect().Model(dest).ColumnExpr("rr.*").
		ColumnExpr("m.slug AS measure_slug, m.title AS measure_title").
		ColumnExpr("COALESCE(p.slug, '') AS programme_slug, COALESCE(p.title, '') AS programme_title").
		ColumnExpr("(p.archived_at IS NOT NULL) AS programme_closed").
		ColumnExpr("COALESCE(cl.slug, '') AS checklist_slug, COALESCE(cl.title, '') AS checklist_title").
		Join("JOIN measures AS m ON m.id = rr.measure_id").
		Join("LEFT JOIN programmes AS p ON p.id = rr.programme_id").
		Join("LEFT JOIN checklists AS cl ON cl.id = rr.checklist_id")
}

// ListRecoveryRules returns the rules through db, newest first; archived
// ones only when asked. measureID, when not 0, keeps that measure's rules.
func ListRecoveryRules(ctx context.Context, db bun.IDB, archived bool, measureID int64) ([]*RecoveryRule, error) {
	var list []*RecoveryRule
	q := selectRules(db, &list).OrderExpr("rr.id DESC")
	if !archived {
		q = q.Where("rr.archived_at IS NULL")
	}
	if measureID != 0 {
		q = q.Where("rr.measure_id = ?", measureID)
	}
	return list, q.Scan(ctx)
}

// FindRecoveryRule returns the rule with id, or NotFound.
func FindRecoveryRule(ctx context.Context, db bun.IDB, id int64) (*RecoveryRule, error) {
	r := new(RecoveryRule)
	err := selectRules(db, r).Where("rr.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no recovery rule %d.", id)
	}
	return r, err
}

// ListRecoveryActions returns the latest actions (limit of them), newest
// first, with who and which measure.
func ListRecoveryActions(ctx context.Context, db bun.IDB, limit int) ([]RecoveryAction, error) {
	var list []RecoveryAction
	err := db.NewSelect().Model(&list).ColumnExpr("ra.*").
		ColumnExpr("e.number AS employee_number, e.first_name || ' ' || e.last_name AS employee_name").
		ColumnExpr("m.title AS measure_title, rr.category AS category").
		Join("JOIN employees AS e ON e.id = ra.employee_id").
		Join("JOIN recovery_rules AS rr ON rr.id = ra.rule_id").
		Join("JOIN measures AS m ON m.id = rr.measure_id").
		OrderExpr("ra.id DESC").Limit(int64(limit)).Scan(ctx)
	return list, err
}

// LastActedRuns returns, for rule ruleID, each person's last acted run's
// last day (people the rule never acted on are absent); employeeIDs, when
// not nil, narrows it to them.
func LastActedRuns(ctx context.Context, db bun.IDB, ruleID int64, employeeIDs []int64) (map[int64]Day, error) {
	out := map[int64]Day{}
	read := func(ids []int64) error {
		var rows []struct {
			EmployeeID int64
			LastDay    Day
		}
		q := db.NewSelect().Model((*RecoveryAction)(nil)).Column("employee_id").ColumnExpr("MAX(last_day) AS last_day").
			Where("rule_id = ?", ruleID).Group("employee_id")
		if ids != nil {
			q = q.Where("employee_id IN (?)", bun.In(ids))
		}
		if err := q.Scan(ctx, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			out[r.EmployeeID] = r.LastDay
		}
		return nil
	}
	if err := inChunks(employeeIDs, read); err != nil {
		return nil, err
	}
	return out, nil
}

// unsatisfiedBelow is the value a rating's satisfied responses start at.
func (m *Measure) unsatisfiedBelow() float64 {
	switch m.Scale {
	case OneToFive:
		return 4
	case ZeroToTen:
		return 9
	}
	return 1
}

// countedEvents narrows q (on outcome_events) to the events rule r counts
// from day from through today.
func countedEvents(q *bun.SelectQuery, m *Measure, r *RecoveryRule, from, today Day) *bun.SelectQuery {
	q = q.Where("measure_id = ? AND day >= ? AND day <= ?", m.ID, from, today)
	if m.Kind == Rating {
		q = q.Where("value < ?", m.unsatisfiedBelow())
	}
	if r.Category != "" {
		q = q.Where("LOWER(TRIM(category)) = ?", strings.ToLower(r.Category))
	}
	return q
}

// RunCandidates returns the people with at least r.Threshold events that
// rule r counts since r.EventWindow(today): the only ones FindRun may find
// a run for. employeeIDs, when not nil, narrows them.
func RunCandidates(ctx context.Context, db bun.IDB, m *Measure, r *RecoveryRule, today Day, employeeIDs []int64) ([]int64, error) {
	var out []int64
	read := func(ids []int64) error {
		var part []int64
		q := countedEvents(db.NewSelect().Model((*Event)(nil)).Column("employee_id"), m, r, r.EventWindow(today), today).
			Group("employee_id").Having("COUNT(*) >= ?", r.Threshold)
		if ids != nil {
			q = q.Where("employee_id IN (?)", bun.In(ids))
		}
		if err := q.Scan(ctx, &part); err != nil {
			return err
		}
		out = append(out, part...)
		return nil
	}
	if err := inChunks(employeeIDs, read); err != nil {
		return nil, err
	}
	return out, nil
}

// RunEvents reads the events rule r counts since r.EventWindow(today) of
// the employees, by employee.
func RunEvents(ctx context.Context, db bun.IDB, m *Measure, r *RecoveryRule, today Day, employeeIDs []int64) (map[int64][]RunEvent, error) {
	out := map[int64][]RunEvent{}
	for start := 0; start < len(employeeIDs); start += 900 {
		var rows []struct {
			EmployeeID int64
			Day        Day
			Value      float64
			Category   string
		}
		q := countedEvents(db.NewSelect().Model((*Event)(nil)).Column("employee_id", "day", "value", "category"), m, r, r.EventWindow(today), today).
			Where("employee_id IN (?)", bun.In(employeeIDs[start:min(start+900, len(employeeIDs))]))
		if err := q.Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, e := range rows {
			out[e.EmployeeID] = append(out[e.EmployeeID], RunEvent{Day: e.Day, Value: e.Value, Category: e.Category})
		}
	}
	return out, nil
}

// CoachBelow is the coach queue's threshold for a rating measure ("satisfaction
// fell below X"): the measure's own, set by HR, or the default — 80% satisfied
// for a share, 4 on a 1–5 mean, 8 on a 0–10 mean. ok is false for a count or a
// value (the coach queue shows their runs through the recovery rules).
func (m *Measure) CoachBelow(set *float64) (x float64, ok bool) {
	if m.Kind != Rating {
		return 0, false
	}
	if set != nil {
		return *set, true
	}
	switch {
	case m.Report != Mean:
		return 80, true
	case m.Scale == ZeroToTen:
		return 8, true
	}
	return 4, true
}

// CoachThresholds returns the coach thresholds HR set, by measure id.
func CoachThresholds(ctx context.Context, db bun.IDB) (map[int64]float64, error) {
	var rows []struct {
		ID         int64
		CoachBelow float64
	}
	err := db.NewSelect().Model((*Measure)(nil)).Column("id").ColumnExpr("coach_below").
		Where("coach_below IS NOT NULL").Scan(ctx, &rows)
	out := make(map[int64]float64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.CoachBelow
	}
	return out, err
}

// SetCoachBelow sets (nil: clears to the default) the coach threshold of
// the rating measure slug. NotFound for an unknown measure; Invalid (field
// coach_below) for a measure that is not a rating, or a threshold outside
// its scale.
func (s *Store) SetCoachBelow(ctx context.Context, slug string, x *float64) (*Measure, error) {
	m, err := s.FindMeasure(ctx, slug)
	if err != nil {
		return nil, err
	}
	if m.Kind != Rating {
		return nil, store.FieldError("coach_below", "Only a rating has a coach threshold; a count's runs come from the recovery rules.")
	}
	if x != nil {
		lo, hi := 0.0, 100.0
		switch {
		case m.Report == Mean && m.Scale == ZeroToTen:
			hi = 10
		case m.Report == Mean:
			lo, hi = 1, 5
		}
		if *x < lo || *x > hi || math.IsNaN(*x) {
			return nil, store.FieldError("coach_below", "Give a threshold from %g to %g.", lo, hi)
		}
	}
	_, err = s.DB.NewUpdate().Model((*Measure)(nil)).Set("coach_below = ?", x).Where("id = ?", m.ID).Exec(ctx)
	return m, err
}

// Below is a person's figure of a rating over a window and its responses.
type Below struct {
	Figure    float64
	Responses int
}

// FiguresBelow returns the people, active or not (employeeIDs, when not nil,
// narrows them), whose figure of rating m over the days after from through to, from
// at least minResponses responses, is below x: the share satisfied or the
// mean, as Figure computes it. One grouped query; the comparison is in SQL.
func FiguresBelow(ctx context.Context, db bun.IDB, m *Measure, from, to Day, minResponses int, x float64, employeeIDs []int64) (map[int64]Below, error) {
	out := map[int64]Below{}
	if m.Kind != Rating {
		return out, nil
	}
	read := func(ids []int64) error {
		var rows []struct {
			EmployeeID int64
			N          int
			Sat        int
			Mean       float64
		}
		q := db.NewSelect().TableExpr("outcome_events AS oe").
			Column("oe.employee_id").ColumnExpr("COUNT(*) AS n").
			ColumnExpr("SUM(CASE WHEN oe.value >= ? THEN 1 ELSE 0 END) AS sat", m.unsatisfiedBelow()).
			ColumnExpr("AVG(oe.value) AS mean").
			Where("oe.measure_id = ? AND oe.day > ? AND oe.day <= ?", m.ID, from, to).
			Group("oe.employee_id")
		if m.Report == Mean {
			q = q.Having("COUNT(*) >= ? AND AVG(oe.value) < ?", minResponses, x)
		} else {
			q = q.Having("COUNT(*) >= ? AND SUM(CASE WHEN oe.value >= ? THEN 1 ELSE 0 END) * 100.0 < ? * COUNT(*)", minResponses, m.unsatisfiedBelow(), x)
		}
		if ids != nil {
			q = q.Where("oe.employee_id IN (?)", bun.In(ids))
		}
		if err := q.Scan(ctx, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			f := r.Mean
			if m.Report != Mean {
				f = float64(r.Sat) * 100 / float64(r.N)
			}
			out[r.EmployeeID] = Below{Figure: f, Responses: r.N}
		}
		return nil
	}
	if err := inChunks(employeeIDs, read); err != nil {
		return nil, err
	}
	return out, nil
}

// inChunks calls read with employeeIDs in chunks of 900 (under every
// database's limit on bound parameters), or once with nil when employeeIDs
// is nil (everyone).
func inChunks(employeeIDs []int64, read func(ids []int64) error) error {
	if employeeIDs == nil {
		return read(nil)
	}
	for start := 0; start < len(employeeIDs); start += 900 {
		if err := read(employeeIDs[start:min(start+900, len(employeeIDs))]); err != nil {
			return err
		}
	}
	return nil
}
