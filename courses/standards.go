package courses

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// LatestCompletions returns when each employee last completed each course
// (by slug), in one query per 500 employees.
func (s *Store) LatestCompletions(ctx context.Context, employeeIDs []int64) (map[int64]map[string]time.Time, error) {
	out := make(map[int64]map[string]time.Time, len(employeeIDs))
	for start := 0; start < len(employeeIDs); start += 500 {
		var rows []struct {
			EmployeeID  int64
			CourseSlug  string
			CompletedAt time.Time
		}
		if err := s.DB.NewSelect().TableExpr("course_completions").Column("employee_id", "course_slug", "completed_at").
			Where("employee_id IN (?)", bun.In(employeeIDs[start:min(start+500, len(employeeIDs))])).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			m := out[r.EmployeeID]
			if m == nil {
				m = map[string]time.Time{}
				out[r.EmployeeID] = m
			}
			if r.CompletedAt.After(m[r.CourseSlug]) {
				m[r.CourseSlug] = r.CompletedAt
			}
		}
	}
	return out, nil
}
