package people_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// seedOrgFast inserts n employees in a tree where everyone has up to fanout
// reports (level order) and returns their ids.
func seedOrgFast(tb testing.TB, db *bun.DB, n, fanout int) []int64 {
	tb.Helper()
	ctx := context.Background()
	var ids []int64
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := time.Now().UTC()
		for i := 0; i < n; i++ {
			e := people.Employee{Number: fmt.Sprintf("E%06d", i), FirstName: fmt.Sprintf("First%d", i), LastName: fmt.Sprintf("Last%d", i),
				Email: fmt.Sprintf("e%d@example.com", i), Active: true, CreatedAt: now, UpdatedAt: now}
			e.EmailKey = e.Email
			e.SearchKey = fmt.Sprintf("e%06d first%d last%d e%d@example.com", i, i, i, i)
			if i > 0 {
				m := ids[(i-1)/fanout]
				e.ManagerID = &m
			}
			if _, err := tx.NewInsert().Model(&e).Returning("id").Exec(ctx); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		_, err := people.RebuildPaths(ctx, tx)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// BenchmarkReportingLine measures the one-query reporting line on a
// 100,000-person organisation (fan-out 8, so 6 levels): the whole company
// below the chief executive, a mid-level manager's line (~1,100 people),
// and the "is X in Y's line" check used on every record page.
func BenchmarkReportingLine(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.MustOpen(b, dialect)
			ids := seedOrgFast(b, db, 100_000, 8)
			s := people.NewStore(db)
			ctx := context.Background()
			b.Run("CEO_100k", func(b *testing.B) {
				for b.Loop() {
					line, err := s.ReportingLine(ctx, ids[0], true)
					if err != nil || len(line) != len(ids)-1 {
						b.Fatalf("line %d err %v", len(line), err)
					}
				}
			})
			b.Run("CountCEO_100k", func(b *testing.B) {
				for b.Loop() {
					n, err := s.CountLine(ctx, ids[0], true)
					if err != nil || n != len(ids)-1 {
						b.Fatalf("count %d err %v", n, err)
					}
				}
			})
			b.Run("MidManager", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.ReportingLine(ctx, ids[3], true); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("InLine", func(b *testing.B) {
				for b.Loop() {
					ok, err := s.InLine(ctx, ids[1], ids[len(ids)-1])
					if err != nil {
						b.Fatal(err)
					}
					_ = ok
				}
			})
			b.Run("SearchPage", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := s.ListEmployees(ctx, people.EmployeeFilter{Search: "last9999", Limit: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("ListPage", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := s.ListEmployees(ctx, people.EmployeeFilter{Limit: 50, Offset: 5000}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
