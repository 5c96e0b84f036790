package outcomes

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// ImportTotals is what the imports of one measure have written so far.
type ImportTotals struct {
	Imports int
	Created int // events
	Last    time.Time
}

// ListImportTotals returns the totals of every measure with imports, by
// measure id. It reads the imports' records, not the events: cheap at
// millions of events (events written other than by an import, such as the
// demo's, are not in it).
func ListImportTotals(ctx context.Context, db bun.IDB) (map[int64]ImportTotals, error) {
	var rows []struct {
		MeasureID int64
		Imports   int
		Created   int
		Last      time.Time
	}
	err := db.NewSelect().TableExpr("outcome_imports").
		ColumnExpr("measure_id, COUNT(*) AS imports, COALESCE(SUM(created), 0) AS created, MAX(created_at) AS last").
		GroupExpr("measure_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("import totals: %w", err)
	}
	out := make(map[int64]ImportTotals, len(rows))
	for _, r := range rows {
		out[r.MeasureID] = ImportTotals{Imports: r.Imports, Created: r.Created, Last: r.Last}
	}
	return out, nil
}

// ImportRecord is one past import of a measure, with who made it.
type ImportRecord struct {
	Import  `bun:",extend"`
	Measure string `bun:"measure"` // the measure's title
	By      string `bun:"by_name"` // the importer's name, "" for a token or the command line
}

// ListImports returns the latest imports, newest first, at most limit.
func ListImports(ctx context.Context, db bun.IDB, limit int) ([]ImportRecord, error) {
	var list []ImportRecord
	err := db.NewSelect().Model(&list).
		ColumnExpr("oi.*").ColumnExpr("m.title AS measure").
		ColumnExpr("COALESCE(e.first_name || ' ' || e.last_name, '') AS by_name").
		Join("JOIN measures AS m ON m.id = oi.measure_id").
		Join("LEFT JOIN employees AS e ON e.id = oi.created_by_id").
		OrderExpr("oi.created_at DESC, oi.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return list, nil
}

// EmployeeLabels returns "Name (number)" for each of ids that exists, for
// showing a plan's rows.
func EmployeeLabels(ctx context.Context, db bun.IDB, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID                          int64
		Number, FirstName, LastName string
	}
	err := db.NewSelect().TableExpr("employees").Column("id", "number", "first_name", "last_name").
		Where("id IN (?)", bun.List(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("employee labels: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = strings.TrimSpace(r.FirstName+" "+r.LastName) + " (" + r.Number + ")"
	}
	return out, nil
}
