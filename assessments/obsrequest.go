package assessments

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Observation request statuses.
const (
	RequestOpen      = "open"
	RequestDone      = "done"
	RequestDismissed = "dismissed"
)

// ObservationRequest asks an employee's manager to observe them with a
// checklist (a service-recovery rule asks, after a run of complaints). It
// is done when someone signs off an observation of the employee on that
// checklist.
type ObservationRequest struct {
	bun.BaseModel `bun:"table:observation_requests,alias:orq"`

	ID            int64      `bun:",pk,autoincrement"`
	EmployeeID    int64      `bun:",notnull"`
	ChecklistID   int64      `bun:",notnull"`
	ManagerID     *int64     `bun:"manager_id"`
	Reason        string     `bun:",notnull"`
	Status        string     `bun:",notnull"`
	ObservationID *int64     `bun:"observation_id"`
	CreatedAt     time.Time  `bun:",notnull"`
	DoneAt        *time.Time `bun:",nullzero"`

	EmployeeNumber string `bun:",scanonly"`
	EmployeeName   string `bun:",scanonly"`
	ChecklistSlug  string `bun:",scanonly"`
	ChecklistTitle string `bun:",scanonly"`
}

// RequestObservationIn asks, in tx, the manager of employeeID (nil: nobody
// in particular, HR see it) to observe them with checklistID, for reason.
// An open request for the same employee and checklist is kept instead
// (its reason unchanged): it reports whether it created one.
func RequestObservationIn(ctx context.Context, tx bun.IDB, employeeID, checklistID int64, managerID *int64, reason string, now time.Time) (bool, error) {
	open, err := tx.NewSelect().Model((*ObservationRequest)(nil)).
		Where("employee_id = ? AND checklist_id = ? AND status = ?", employeeID, checklistID, RequestOpen).Exists(ctx)
	if err != nil || open {
		return false, err
	}
	r := &ObservationRequest{EmployeeID: employeeID, ChecklistID: checklistID, ManagerID: managerID, Reason: reason,
		Status: RequestOpen, CreatedAt: now.UTC()}
	_, err = tx.NewInsert().Model(r).ExcludeColumn("id").Exec(ctx)
	return err == nil, err
}

// CompleteRequestsIn marks done, in tx, the open requests to observe the
// observation's employee with its checklist: the observation signed off
// answers them. It returns how many it marked.
func CompleteRequestsIn(ctx context.Context, tx bun.IDB, o *Observation, now time.Time) (int, error) {
	res, err := tx.NewUpdate().Model((*ObservationRequest)(nil)).
		Set("status = ?", RequestDone).Set("done_at = ?", now.UTC()).Set("observation_id = ?", o.ID).
		Where("employee_id = ? AND checklist_id = ? AND status = ?", o.EmployeeID, o.ChecklistID, RequestOpen).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RequestFilter narrows ListObservationRequests.
type RequestFilter struct {
	// EmployeeIDs keeps requests about these people (nil: anyone).
	EmployeeIDs []int64
	Status      string // "" any
	Limit       int    // 0: 200
}

// ListObservationRequests returns requests newest first, with the
// employee's number and name and the checklist's slug and title.
func (s *ObservationStore) ListObservationRequests(ctx context.Context, f RequestFilter) ([]ObservationRequest, error) {
	if f.EmployeeIDs != nil && len(f.EmployeeIDs) == 0 {
		return nil, nil
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	var list []ObservationRequest
	q := s.DB.NewSelect().Model(&list).ColumnExpr("orq.*").
		ColumnExpr("e.number AS employee_number, e.first_name || ' ' || e.last_name AS employee_name").
		ColumnExpr("cl.slug AS checklist_slug, cl.title AS checklist_title").
		Join("JOIN employees AS e ON e.id = orq.employee_id").
		Join("JOIN checklists AS cl ON cl.id = orq.checklist_id").
		Where("e.active = ?", true).
		OrderExpr("orq.id DESC").Limit(int64(f.Limit))
	if f.Status != "" {
		q = q.Where("orq.status = ?", f.Status)
	}
	if f.EmployeeIDs != nil {
		if len(f.EmployeeIDs) > 900 {
			// A large line: read the open requests and keep the line's.
			in := make(map[int64]bool, len(f.EmployeeIDs))
			for _, id := range f.EmployeeIDs {
				in[id] = true
			}
			var all []ObservationRequest
			if err := q.Limit(0).Scan(ctx, &all); err != nil {
				return nil, err
			}
			for _, r := range all {
				if in[r.EmployeeID] && len(list) < f.Limit {
					list = append(list, r)
				}
			}
			return list, nil
		}
		q = q.Where("orq.employee_id IN (?)", bun.In(f.EmployeeIDs))
	}
	return list, q.Scan(ctx)
}

// FindObservationRequest returns the request with id, or NotFound.
func (s *ObservationStore) FindObservationRequest(ctx context.Context, id int64) (*ObservationRequest, error) {
	r := new(ObservationRequest)
	err := s.DB.NewSelect().Model(r).ColumnExpr("orq.*").
		ColumnExpr("e.number AS employee_number, e.first_name || ' ' || e.last_name AS employee_name").
		ColumnExpr("cl.slug AS checklist_slug, cl.title AS checklist_title").
		Join("JOIN employees AS e ON e.id = orq.employee_id").
		Join("JOIN checklists AS cl ON cl.id = orq.checklist_id").
		Where("orq.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no such observation request.")
	}
	return r, err
}

// DismissObservationRequest closes an open request without an observation
// (the manager judged it not needed), audited by the caller. Conflict when
// it is no longer open.
func (s *ObservationStore) DismissObservationRequest(ctx context.Context, id int64) error {
	res, err := s.DB.NewUpdate().Model((*ObservationRequest)(nil)).Set("status = ?", RequestDismissed).Set("done_at = ?", s.now()).
		Where("id = ? AND status = ?", id, RequestOpen).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.Errorf(store.Conflict, "That request is no longer open.")
	}
	return nil
}
