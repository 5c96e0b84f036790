package outcomes

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// LoadEmployeeIndex reads every employee's number and e-mail, leavers too
// (their events happened while they were employed), for ParseEvents.
func LoadEmployeeIndex(ctx context.Context, db bun.IDB) (EmployeeIndex, error) {
	rows, err := db.NewSelect().TableExpr("employees").Column("id", "number", "email_key").Rows(ctx)
	if err != nil {
		return EmployeeIndex{}, fmt.Errorf("load employees: %w", err)
	}
	defer rows.Close()
	ppl := EmployeeIndex{ByNumber: map[string]int64{}, ByEmail: map[string]int64{}}
	for rows.Next() {
		var id int64
		var number, email string
		if err := rows.Scan(&id, &number, &email); err != nil {
			return EmployeeIndex{}, fmt.Errorf("load employees: %w", err)
		}
		ppl.ByNumber[number] = id
		if email != "" && !strings.HasPrefix(email, "~") {
			ppl.ByEmail[email] = id
		}
	}
	if err := rows.Err(); err != nil {
		return EmployeeIndex{}, fmt.Errorf("load employees: %w", err)
	}
	return ppl, nil
}

// storedChunk is how many ids one look-up asks about (bound parameters:
// SQLite takes 32,766).
const storedChunk = 5000

// MarkStoredIDs moves the plan's events whose id measureID already holds
// to its duplicates (see EventPlan.MarkStored), asking in chunks.
func MarkStoredIDs(ctx context.Context, db bun.IDB, measureID int64, plan *EventPlan) error {
	stored := map[string]bool{}
	ids := make([]string, 0, storedChunk)
	ask := func() error {
		var found []string
		err := db.NewSelect().TableExpr("outcome_events").Column("source_id").
			Where("measure_id = ? AND source_id IN (?)", measureID, bun.List(ids)).Scan(ctx, &found)
		if err != nil {
			return fmt.Errorf("stored outcome ids: %w", err)
		}
		for _, id := range found {
			stored[id] = true
		}
		ids = ids[:0]
		return nil
	}
	for i := range plan.Events {
		if id := plan.Events[i].SourceID; id != "" {
			if ids = append(ids, id); len(ids) == storedChunk {
				if err := ask(); err != nil {
					return err
				}
			}
		}
	}
	if len(ids) > 0 {
		if err := ask(); err != nil {
			return err
		}
	}
	plan.MarkStored(stored)
	return nil
}
