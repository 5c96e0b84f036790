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

// storedChunk is how many ids one look-up asks about.
const storedChunk = 5000

// StoredSourceIDs returns which of ids the measure already holds an event with.
func StoredSourceIDs(ctx context.Context, db bun.IDB, measureID int64, ids []string) (map[string]bool, error) {
	stored := map[string]bool{}
	for start := 0; start < len(ids); start += storedChunk {
		var found []string
		err := db.NewSelect().TableExpr("outcome_events").Column("source_id").
			Where("measure_id = ? AND source_id IN (?)", measureID, bun.List(ids[start:min(start+storedChunk, len(ids))])).
			Scan(ctx, &found)
		if err != nil {
			return nil, fmt.Errorf("stored outcome ids: %w", err)
		}
		for _, id := range found {
			stored[id] = true
		}
	}
	return stored, nil
}
