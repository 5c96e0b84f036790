package courses

import (
	"context"
	"slices"
	"strings"
	"time"
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

// Roster lists who holds an open assignment of the programme with their
// status (the ones needing action first, then by name), the number matching
// the filter, and the count by status of everyone assigned.
func (s *Store) Roster(ctx context.Context, programmeID int64, f RosterFilter) ([]RosterRow, int, map[Status]int, error) {
	var rows []struct {
		AssignmentID int64
		EmployeeID   int64
		Manual       bool
		AssignedAt   time.Time
		Number       string
		FirstName    string
		LastName     string
		Department   *string
		Location     *string
	}
	err := s.DB.NewSelect().TableExpr("assignments AS a").
		ColumnExpr("a.id AS assignment_id, a.employee_id, a.manual, a.assigned_at, e.number, e.first_name, e.last_name").
		ColumnExpr("d.name AS department, l.name AS location").
		Join("JOIN employees AS e ON e.id = a.employee_id").
		Join("LEFT JOIN departments AS d ON d.id = e.department_id").
		Join("LEFT JOIN locations AS l ON l.id = e.location_id").
		Where("a.programme_id = ? AND a.closed_at IS NULL", programmeID).Scan(ctx, &rows)
	if err != nil {
		return nil, 0, nil, err
	}
	// The newest two cycles of each open assignment decide the status.
	var cycles []*Cycle
	if err := s.DB.NewSelect().Model(&cycles).
		Where("cy.programme_id = ? AND cy.closed_at IS NULL", programmeID).
		Where("cy.cycle >= (SELECT MAX(n.cycle) - 1 FROM cycles AS n WHERE n.assignment_id = cy.assignment_id)").
		OrderExpr("cy.assignment_id, cy.cycle").Scan(ctx); err != nil {
		return nil, 0, nil, err
	}
	byAsg := map[int64][]*Cycle{}
	for _, c := range cycles {
		byAsg[c.AssignmentID] = append(byAsg[c.AssignmentID], c)
	}
	counts := map[Status]int{}
	search := strings.ToLower(strings.TrimSpace(f.Search))
	var out []RosterRow
	for _, r := range rows {
		cs := byAsg[r.AssignmentID]
		if len(cs) == 0 {
			continue
		}
		last := cs[len(cs)-1]
		row := RosterRow{EmployeeID: r.EmployeeID, Number: r.Number, Name: strings.TrimSpace(r.FirstName + " " + r.LastName),
			Status: EffectiveStatus(cs), Cycle: last.Cycle, CycleID: last.ID, DueOn: last.DueOn, CompletedAt: last.CompletedAt,
			ExpiresAt: last.ExpiresAt, AssignedAt: r.AssignedAt, Manual: r.Manual}
		if row.CompletedAt == nil && len(cs) > 1 && !row.Status.Open() {
			row.CompletedAt, row.ExpiresAt = cs[0].CompletedAt, cs[0].ExpiresAt
		}
		if r.Department != nil {
			row.Department = *r.Department
		}
		if r.Location != nil {
			row.Location = *r.Location
		}
		counts[row.Status]++
		if f.Status != "" && row.Status != f.Status {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(row.Name), search) && !strings.Contains(strings.ToLower(row.Number), search) {
			continue
		}
		out = append(out, row)
	}
	rank := func(st Status) int { return slices.Index(Statuses, st) }
	slices.SortFunc(out, func(a, b RosterRow) int {
		if d := rank(a.Status) - rank(b.Status); d != 0 {
			return d
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
	total := len(out)
	if f.Offset > 0 {
		out = out[min(f.Offset, len(out)):]
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, counts, nil
}
