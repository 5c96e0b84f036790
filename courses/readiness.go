package courses

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Readiness is whether an employee is ready to serve customers; the API
// uses the values.
type Readiness string

const (
	Ready    Readiness = "ready"
	AtRisk   Readiness = "at_risk"
	NotReady Readiness = "not_ready"
)

// Readinesses lists them worst first.
var Readinesses = []Readiness{NotReady, AtRisk, Ready}

// Label is the readiness in words.
func (r Readiness) Label() string {
	switch r {
	case Ready:
		return "Ready"
	case AtRisk:
		return "At risk"
	case NotReady:
		return "Not ready"
	}
	return string(r)
}

// AtRiskDays is how near a due date or an expiry puts someone at risk.
const AtRiskDays = 30

// ReasonKind names why someone is not ready or at risk.
type ReasonKind string

const (
	ReasonOverdue        ReasonKind = "overdue"         // a programme past its due date
	ReasonExpired        ReasonKind = "expired"         // a completion (certificate) no longer valid
	ReasonCriticalFailed ReasonKind = "critical_failed" // a role-play failed on a critical item, not passed since
	ReasonDueSoon        ReasonKind = "due_soon"        // due within AtRiskDays
	ReasonExpiring       ReasonKind = "expiring"        // expires within AtRiskDays
	ReasonIncomplete     ReasonKind = "incomplete"      // required, not complete, due later (or no due date)
)

// Reason is one reason, with what it concerns and the date that matters.
type Reason struct {
	Kind      ReasonKind `json:"kind"`
	Programme string     `json:"programme,omitempty"` // programme (or role-play checklist) title
	Detail    string     `json:"detail"`              // the reason in words
	Date      string     `json:"date,omitempty"`      // YYYY-MM-DD, company-local: due, expiry or re-observation
}

// ReadinessProgramme is one assigned programme as readiness sees it.
type ReadinessProgramme struct {
	Title     string
	Status    Status     // EffectiveStatus
	DueOn     string     // the current cycle's due date, "" none
	ExpiresAt *time.Time // of the completion that counts (nil: none or never)
}

// ProgrammeReadiness is how one assignment counts for readiness, from its
// open cycles among the newest two (oldest first; Status, DueOn and
// ExpiresAt read): its EffectiveStatus, with the newest cycle's due date and
// expiry, or, while the previous cycle still certifies the employee, that
// cycle's expiry and no due date.
func ProgrammeReadiness(title string, cycles []*Cycle) ReadinessProgramme {
	last := cycles[len(cycles)-1]
	p := ReadinessProgramme{Title: title, Status: EffectiveStatus(cycles), DueOn: last.DueOn, ExpiresAt: last.ExpiresAt}
	if p.Status != last.Status && len(cycles) > 1 { // still certified by the previous cycle
		p.ExpiresAt, p.DueOn = cycles[len(cycles)-2].ExpiresAt, ""
	}
	return p
}

// CriticalFailure is a role-play observation failed on a critical item and
// not passed since.
type CriticalFailure struct {
	Checklist    string
	Items        []string // the critical items below Fully
	ReobserveDue string   // YYYY-MM-DD or ""
}

// DecideReadiness is the one readiness rule, a pure function of the
// employee's assigned programmes, their outstanding critical failures and
// the clock (dates read in loc):
//   - not ready: a programme overdue or expired, or a failed critical item;
//   - at risk: nothing of that, but a programme due or expiring within
//     AtRiskDays, or a required programme not complete yet;
//   - ready: every assigned programme complete and valid (or exempt), no
//     failed critical item.
//
// It returns the reasons, worst first, and when the result may next change
// by the clock alone (zero: never).
func DecideReadiness(progs []ReadinessProgramme, fails []CriticalFailure, now time.Time, loc *time.Location) (Readiness, []Reason, time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	var reasons []Reason
	var next time.Time
	soonest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	pretty := func(d string) string {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			return t.Format("2 Jan 2006")
		}
		return d
	}
	for _, p := range progs {
		switch p.Status {
		case Exempt:
			continue
		case Overdue:
			reasons = append(reasons, Reason{ReasonOverdue, p.Title, p.Title + " is overdue (was due " + pretty(p.DueOn) + ")", p.DueOn})
			continue
		case Expired:
			d := ""
			if p.ExpiresAt != nil {
				d = day(*p.ExpiresAt)
			}
			reasons = append(reasons, Reason{ReasonExpired, p.Title, p.Title + " expired on " + pretty(d), d})
			continue
		case Completed, Expiring:
			if p.ExpiresAt == nil {
				continue
			}
			exp := *p.ExpiresAt
			risk := exp.In(loc).AddDate(0, 0, -AtRiskDays)
			switch {
			case !now.Before(exp):
				reasons = append(reasons, Reason{ReasonExpired, p.Title, p.Title + " expired on " + pretty(day(exp)), day(exp)})
			case !now.Before(risk):
				reasons = append(reasons, Reason{ReasonExpiring, p.Title, p.Title + " expires on " + pretty(day(exp)), day(exp)})
				soonest(exp)
			default:
				soonest(risk)
			}
			continue
		}
		// Not complete: overdue from the midnight after the due date.
		if p.DueOn == "" {
			reasons = append(reasons, Reason{ReasonIncomplete, p.Title, p.Title + " is not complete yet", ""})
			continue
		}
		due, err := time.ParseInLocation(time.DateOnly, p.DueOn, loc)
		if err != nil {
			reasons = append(reasons, Reason{ReasonIncomplete, p.Title, p.Title + " is not complete yet", ""})
			continue
		}
		overdue, risk := due.AddDate(0, 0, 1), due.AddDate(0, 0, -AtRiskDays)
		switch {
		case !now.Before(overdue):
			reasons = append(reasons, Reason{ReasonOverdue, p.Title, p.Title + " is overdue (was due " + pretty(p.DueOn) + ")", p.DueOn})
		case !now.Before(risk):
			reasons = append(reasons, Reason{ReasonDueSoon, p.Title, p.Title + " is due by " + pretty(p.DueOn), p.DueOn})
			soonest(overdue)
		default:
			reasons = append(reasons, Reason{ReasonIncomplete, p.Title, p.Title + " is not complete yet (due " + pretty(p.DueOn) + ")", p.DueOn})
			soonest(risk)
		}
	}
	for _, f := range fails {
		detail := "Role-play “" + f.Checklist + "” failed on a critical item"
		if len(f.Items) > 0 {
			detail += ": " + strings.TrimRight(f.Items[0], ".")
			if len(f.Items) > 1 {
				detail += fmt.Sprintf(" (and %d more)", len(f.Items)-1)
			}
		}
		if f.ReobserveDue != "" {
			detail += "; re-observation due " + pretty(f.ReobserveDue)
		}
		reasons = append(reasons, Reason{ReasonCriticalFailed, f.Checklist, detail, f.ReobserveDue})
	}
	rank := map[ReasonKind]int{ReasonOverdue: 0, ReasonExpired: 1, ReasonCriticalFailed: 2, ReasonDueSoon: 3, ReasonExpiring: 4, ReasonIncomplete: 5}
	slices.SortStableFunc(reasons, func(a, b Reason) int {
		return cmp.Or(rank[a.Kind]-rank[b.Kind], cmp.Compare(a.Date, b.Date))
	})
	r := Ready
	for _, rs := range reasons {
		switch rs.Kind {
		case ReasonOverdue, ReasonExpired, ReasonCriticalFailed:
			r = NotReady
		default:
			if r == Ready {
				r = AtRisk
			}
		}
	}
	return r, reasons, next
}

// ReadinessRow is an employee's stored readiness, kept current by the
// events that change it and, for the clock, by the scheduler.
type ReadinessRow struct {
	bun.BaseModel `bun:"table:readiness,alias:rd"`

	EmployeeID int64      `bun:",pk"`
	Status     Readiness  `bun:",notnull"`
	Reasons    []Reason   `bun:",type:text,notnull"` // JSON
	Until      *time.Time `bun:",nullzero"`          // when the clock may change it
	UpdatedAt  time.Time  `bun:",notnull"`
}

// reasonsJSON is the stored form of reasons.
func reasonsJSON(rs []Reason) string {
	if len(rs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(rs)
	return string(b)
}

// readinessInputs gathers, for each employee, their open assignments'
// readiness facts.
func readinessInputs(ctx context.Context, db bun.IDB, employeeIDs []int64) (map[int64][]ReadinessProgramme, error) {
	out := make(map[int64][]ReadinessProgramme, len(employeeIDs))
	for start := 0; start < len(employeeIDs); start += 500 {
		chunk := employeeIDs[start:min(start+500, len(employeeIDs))]
		var rows []struct {
			AssignmentID int64
			EmployeeID   int64
			Title        string
			Cycle        int
			Status       Status
			DueOn        string
			ExpiresAt    *time.Time
			ClosedAt     *time.Time
		}
		err := db.NewSelect().TableExpr("cycles AS cy").
			ColumnExpr("cy.assignment_id, cy.employee_id, pg.title, cy.cycle, cy.status, cy.due_on, cy.expires_at, cy.closed_at").
			Join("JOIN assignments AS a ON a.id = cy.assignment_id AND a.closed_at IS NULL").
			Join("JOIN programmes AS pg ON pg.id = cy.programme_id").
			Where("cy.employee_id IN (?) AND cy.closed_at IS NULL", bun.In(chunk)).
			Where("cy.cycle >= (SELECT MAX(n.cycle) - 1 FROM cycles AS n WHERE n.assignment_id = cy.assignment_id)").
			OrderExpr("cy.assignment_id, cy.cycle").Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(rows); {
			j := i
			for j < len(rows) && rows[j].AssignmentID == rows[i].AssignmentID {
				j++
			}
			group := rows[i:j]
			cycles := make([]*Cycle, len(group))
			for k, r := range group {
				cycles[k] = &Cycle{Status: r.Status, DueOn: r.DueOn, ExpiresAt: r.ExpiresAt}
			}
			last := group[len(group)-1]
			out[last.EmployeeID] = append(out[last.EmployeeID], ProgrammeReadiness(last.Title, cycles))
			i = j
		}
	}
	return out, nil
}

// readinessBatch collects the employees to re-decide at the end of a bulk
// operation (audience rules over a whole company), so each is decided once.
type readinessBatch struct{ ids []int64 }

type readinessBatchKey struct{}

// deferReadiness returns a context in which RefreshReadiness only collects
// employees, and the function that decides them all in db.
func (s *Store) deferReadiness(ctx context.Context) (context.Context, func(db bun.IDB) error) {
	b := &readinessBatch{}
	inner := context.WithValue(ctx, readinessBatchKey{}, b)
	return inner, func(db bun.IDB) error { return s.RefreshReadiness(ctx, db, b.ids) }
}

// RefreshReadiness re-decides and stores the readiness of the employees, in
// db (the transaction of the event that changed it). Inactive employees are
// decided too (reports leave them out).
func (s *Store) RefreshReadiness(ctx context.Context, db bun.IDB, employeeIDs []int64) error {
	if len(employeeIDs) == 0 {
		return nil
	}
	if b, ok := ctx.Value(readinessBatchKey{}).(*readinessBatch); ok {
		b.ids = append(b.ids, employeeIDs...)
		return nil
	}
	slices.Sort(employeeIDs)
	employeeIDs = slices.Compact(employeeIDs)
	loc, err := s.LocationIn(ctx, db)
	if err != nil {
		return err
	}
	now := s.Now()
	progs, err := readinessInputs(ctx, db, employeeIDs)
	if err != nil {
		return err
	}
	fails, err := s.assessments.CriticalFailures(ctx, db, employeeIDs)
	if err != nil {
		return err
	}
	rows := make([]ReadinessRow, 0, len(employeeIDs))
	for _, id := range employeeIDs {
		st, reasons, until := DecideReadiness(progs[id], fails[id], now, loc)
		r := ReadinessRow{EmployeeID: id, Status: st, Reasons: reasons, UpdatedAt: now}
		if reasons == nil {
			r.Reasons = []Reason{}
		}
		if !until.IsZero() {
			r.Until = &until
		}
		rows = append(rows, r)
	}
	for start := 0; start < len(rows); start += 500 {
		chunk := rows[start:min(start+500, len(rows))]
		if _, err := db.NewInsert().Model(&chunk).On("CONFLICT (employee_id) DO UPDATE").
			Set("status = EXCLUDED.status, reasons = EXCLUDED.reasons, until = EXCLUDED.until, updated_at = EXCLUDED.updated_at").
			Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// refreshDueReadiness re-decides every employee whose readiness the clock
// may have changed by now, in batches; it returns how many changed status.
func (s *Store) refreshDueReadiness(ctx context.Context, now time.Time) (int, error) {
	changed := 0
	for {
		var due []ReadinessRow
		if err := s.DB.NewSelect().Model(&due).Column("employee_id", "status").
			Where("until IS NOT NULL AND until <= ?", now).OrderExpr("employee_id").Limit(1000).Scan(ctx); err != nil {
			return changed, err
		}
		if len(due) == 0 {
			return changed, nil
		}
		ids := make([]int64, len(due))
		before := map[int64]Readiness{}
		for i, r := range due {
			ids[i], before[r.EmployeeID] = r.EmployeeID, r.Status
		}
		err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return s.RefreshReadiness(ctx, tx, ids) })
		if err != nil {
			return changed, err
		}
		var after []ReadinessRow
		if err := s.DB.NewSelect().Model(&after).Column("employee_id", "status").Where("employee_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return changed, err
		}
		for _, r := range after {
			if before[r.EmployeeID] != r.Status {
				changed++
			}
		}
		if len(due) < 1000 {
			return changed, nil
		}
	}
}

// RefreshAllReadiness re-decides everyone (after a migration, or to
// repair); the events and the scheduler keep it current otherwise.
func (s *Store) RefreshAllReadiness(ctx context.Context) error {
	var ids []int64
	if err := s.DB.NewSelect().TableExpr("employees").Column("id").OrderExpr("id").Scan(ctx, &ids); err != nil {
		return err
	}
	for start := 0; start < len(ids); start += 2000 {
		chunk := ids[start:min(start+2000, len(ids))]
		if err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return s.RefreshReadiness(ctx, tx, chunk) }); err != nil {
			return err
		}
	}
	return nil
}
