package courses

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// RosterRow is one employee with an open assignment of a programme.
type RosterRow struct {
	EmployeeID   int64
	Number, Name string
	Department   string
	Location     string
	Status       Status // EffectiveStatus
	Cycle        int
	CycleID      int64
	DueOn        string
	CompletedAt  *time.Time
	ExpiresAt    *time.Time
	AssignedAt   time.Time
	Manual       bool
}

// RosterFilter narrows a roster.
type RosterFilter struct {
	Status Status // "" for all
	Search string // in the name or number
	Limit  int
	Offset int
}

// effectiveStatusSQL is EffectiveStatus in SQL, for the newest cycle cy and
// the one before it pv (may be NULL): while a recertification cycle is open
// and the previous completion still counts, the previous one's status.
const effectiveStatusSQL = `CASE WHEN cy.status IN ('not_started', 'in_progress', 'due_soon', 'overdue') AND pv.status IN ('completed', 'expiring')
	THEN pv.status ELSE cy.status END`

// statusRankSQL orders statuses as Statuses does (needing action first).
const statusRankSQL = `CASE eff WHEN 'overdue' THEN 0 WHEN 'expired' THEN 1 WHEN 'due_soon' THEN 2 WHEN 'expiring' THEN 3
	WHEN 'in_progress' THEN 4 WHEN 'not_started' THEN 5 WHEN 'completed' THEN 6 ELSE 7 END`

// rosterBase selects the open assignments of programmeID with their newest
// cycle (cy), the previous cycle (pv) and the effective status (eff).
func rosterBase(db bun.IDB, programmeID int64) *bun.SelectQuery {
	return db.NewSelect().TableExpr("assignments AS a").
		Join("JOIN cycles AS cy ON cy.assignment_id = a.id AND cy.closed_at IS NULL").
		Join("LEFT JOIN cycles AS pv ON pv.assignment_id = a.id AND pv.cycle = cy.cycle - 1 AND pv.closed_at IS NULL").
		Where("a.programme_id = ? AND a.closed_at IS NULL", programmeID).
		Where("NOT EXISTS (SELECT 1 FROM cycles AS n WHERE n.assignment_id = a.id AND n.cycle > cy.cycle)")
}

// ProgrammeStatusCounts counts the open assignments of each programme by
// effective status.
func (s *Store) ProgrammeStatusCounts(ctx context.Context, programmeID int64) (map[Status]int, error) {
	var rows []struct {
		Eff Status
		N   int
	}
	q := s.DB.NewSelect().TableExpr("(?) AS r", rosterBase(s.DB, programmeID).ColumnExpr(effectiveStatusSQL+" AS eff")).
		ColumnExpr("eff, COUNT(*) AS n").GroupExpr("eff")
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := map[Status]int{}
	for _, r := range rows {
		out[r.Eff] = r.N
	}
	return out, nil
}

// Roster lists who holds an open assignment of the programme with their
// status (the ones needing action first, then by name), a page of f, the
// number matching the filter, and the count by status of everyone assigned.
func (s *Store) Roster(ctx context.Context, programmeID int64, f RosterFilter) ([]RosterRow, int, map[Status]int, error) {
	counts, err := s.ProgrammeStatusCounts(ctx, programmeID)
	if err != nil {
		return nil, 0, nil, err
	}
	inner := rosterBase(s.DB, programmeID).
		ColumnExpr("a.employee_id, a.manual, a.assigned_at, cy.id AS cycle_id, cy.cycle, cy.due_on").
		ColumnExpr("CASE WHEN cy.completed_at IS NULL AND pv.completed_at IS NOT NULL AND pv.status IN ('completed', 'expiring') THEN pv.completed_at ELSE cy.completed_at END AS completed_at").
		ColumnExpr("CASE WHEN cy.completed_at IS NULL AND pv.completed_at IS NOT NULL AND pv.status IN ('completed', 'expiring') THEN pv.expires_at ELSE cy.expires_at END AS expires_at").
		ColumnExpr(effectiveStatusSQL + " AS eff")
	q := s.DB.NewSelect().TableExpr("(?) AS r", inner).
		Join("JOIN employees AS e ON e.id = r.employee_id").
		Join("LEFT JOIN departments AS d ON d.id = e.department_id").
		Join("LEFT JOIN locations AS l ON l.id = e.location_id").
		ColumnExpr("r.*, e.number, e.first_name, e.last_name, d.name AS department, l.name AS location")
	if f.Status != "" {
		q = q.Where("r.eff = ?", f.Status)
	}
	if t := strings.ToLower(strings.TrimSpace(f.Search)); t != "" {
		q = q.Where("e.search_key LIKE ?", "%"+strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(t)+"%")
	}
	// The counts give the total unless a search narrows it.
	total := 0
	switch {
	case strings.TrimSpace(f.Search) != "":
		n, err := s.DB.NewSelect().TableExpr("(?) AS m", q).Count(ctx)
		if err != nil {
			return nil, 0, nil, err
		}
		total = int(n)
	case f.Status != "":
		total = counts[f.Status]
	default:
		for _, n := range counts {
			total += n
		}
	}
	q = q.OrderExpr(strings.ReplaceAll(statusRankSQL, "eff", "r.eff") + ", e.first_name, e.last_name, e.number")
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	var rows []struct {
		EmployeeID  int64
		Manual      bool
		AssignedAt  time.Time
		CycleID     int64
		Cycle       int
		DueOn       string
		CompletedAt *time.Time
		ExpiresAt   *time.Time
		Eff         Status
		Number      string
		FirstName   string
		LastName    string
		Department  *string
		Location    *string
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, 0, nil, err
	}
	out := make([]RosterRow, len(rows))
	for i, r := range rows {
		row := RosterRow{EmployeeID: r.EmployeeID, Number: r.Number, Name: strings.TrimSpace(r.FirstName + " " + r.LastName),
			Status: r.Eff, Cycle: r.Cycle, CycleID: r.CycleID, DueOn: r.DueOn, CompletedAt: r.CompletedAt, ExpiresAt: r.ExpiresAt,
			AssignedAt: r.AssignedAt, Manual: r.Manual}
		if r.Department != nil {
			row.Department = *r.Department
		}
		if r.Location != nil {
			row.Location = *r.Location
		}
		out[i] = row
	}
	return out, total, counts, nil
}
