package courses_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestDecideCell(t *testing.T) {
	loc := london(t)
	now := at(t, loc, "2026-12-01 10:00:00")
	tm := func(s string) *time.Time { v := at(t, loc, s); return &v }
	base := courses.CellFacts{InVersion: true, Required: true, CountsFrom: tm("2026-06-01 09:00:00"), ValidityMonths: 12}
	with := func(change func(f *courses.CellFacts)) courses.CellFacts { f := base; change(&f); return f }
	tests := []struct {
		name        string
		facts       courses.CellFacts
		want        courses.CellState
		done, until string // London; "" none
	}{
		{"NotStarted", base, courses.CellNotStarted, "", ""},
		{"NotInVersion", with(func(f *courses.CellFacts) { f.InVersion = false; f.LastCompletion = tm("2026-11-03 12:00:00") }), courses.CellNotInVersion, "", ""},
		{"ExemptBeatsDone", with(func(f *courses.CellFacts) { f.Exempt = true; f.LastCompletion = tm("2026-11-03 12:00:00") }), courses.CellExempt, "", ""},
		{"Done", with(func(f *courses.CellFacts) { f.LastCompletion = tm("2026-11-03 12:00:00") }), courses.CellDone, "2026-11-03 12:00:00", "2027-11-03 00:00:00"},
		{"DoneNeverExpires", with(func(f *courses.CellFacts) {
			f.ValidityMonths = 0
			f.CountsFrom = nil
			f.LastCompletion = tm("2020-01-03 12:00:00")
		}),
			courses.CellDone, "2020-01-03 12:00:00", ""},
		{"DoneBeatsOverdue", with(func(f *courses.CellFacts) { f.CycleOverdue = true; f.LastCompletion = tm("2026-11-03 12:00:00") }), courses.CellDone, "2026-11-03 12:00:00", "2027-11-03 00:00:00"},
		{"ExpiringWithin30Days", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2025-11-01 00:00:00")
			f.LastCompletion = tm("2025-12-20 15:00:00")
		}),
			courses.CellExpiring, "2025-12-20 15:00:00", "2026-12-20 00:00:00"},
		{"ExpiringExactly30DaysAhead", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2025-11-01 00:00:00")
			f.LastCompletion = tm("2025-12-31 08:00:00")
		}),
			courses.CellExpiring, "2025-12-31 08:00:00", "2026-12-31 00:00:00"},
		{"DoneThirtyOneDaysAhead", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2025-11-01 00:00:00")
			f.LastCompletion = tm("2026-01-01 08:00:00")
		}),
			courses.CellDone, "2026-01-01 08:00:00", "2027-01-01 00:00:00"},
		{"ExpiredInThisCycle", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2025-06-01 00:00:00")
			f.LastCompletion = tm("2025-11-30 08:00:00")
		}),
			courses.CellExpired, "2025-11-30 08:00:00", "2026-11-30 00:00:00"},
		{"ExpiredAtMidnight", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2025-06-01 00:00:00")
			f.LastCompletion = tm("2025-12-01 23:59:00")
		}),
			courses.CellExpired, "2025-12-01 23:59:00", "2026-12-01 00:00:00"},
		{"OverdueRequired", with(func(f *courses.CellFacts) { f.CycleOverdue = true }), courses.CellOverdue, "", ""},
		{"OverdueBeatsInProgress", with(func(f *courses.CellFacts) { f.CycleOverdue = true; f.LastActivity = tm("2026-11-20 10:00:00") }), courses.CellOverdue, "", ""},
		{"OptionalNeverOverdue", with(func(f *courses.CellFacts) { f.CycleOverdue = true; f.Required = false }), courses.CellNotStarted, "", ""},
		{"InProgress", with(func(f *courses.CellFacts) { f.LastActivity = tm("2026-11-20 10:00:00") }), courses.CellInProgress, "", ""},
		{"ActivityBeforeTheCycleIsNotProgress", with(func(f *courses.CellFacts) { f.LastActivity = tm("2026-05-20 10:00:00") }), courses.CellNotStarted, "", ""},
		{"CompletionBeforeTheCycleStillValid", with(func(f *courses.CellFacts) { f.LastCompletion = tm("2026-03-02 10:00:00") }),
			courses.CellDone, "2026-03-02 10:00:00", "2027-03-02 00:00:00"},
		{"RecertifyingExpiring", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2026-11-15 09:00:00")
			f.LastCompletion = tm("2025-12-10 10:00:00")
		}),
			courses.CellExpiring, "2025-12-10 10:00:00", "2026-12-10 00:00:00"},
		{"RecertifyingInProgressKeepsTheEarlierCompletion", with(func(f *courses.CellFacts) {
			f.CountsFrom = tm("2026-11-15 09:00:00")
			f.LastCompletion = tm("2025-12-10 10:00:00")
			f.LastActivity = tm("2026-11-20 10:00:00")
		}), courses.CellInProgress, "2025-12-10 10:00:00", "2026-12-10 00:00:00"},
		{"EarlierCompletionExpired", with(func(f *courses.CellFacts) { f.LastCompletion = tm("2024-03-02 10:00:00") }),
			courses.CellExpired, "2024-03-02 10:00:00", "2025-03-02 00:00:00"},
		{"NoCountsFromAnyCompletionCounts", with(func(f *courses.CellFacts) { f.CountsFrom = nil; f.LastCompletion = tm("2026-02-01 10:00:00") }),
			courses.CellDone, "2026-02-01 10:00:00", "2027-02-01 00:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := courses.DecideCell(tt.facts, now, loc)
			str := func(p *time.Time) string {
				if p == nil {
					return ""
				}
				return p.In(loc).Format(time.DateTime)
			}
			if got.State != tt.want || str(got.DoneAt) != tt.done || str(got.ExpiresAt) != tt.until {
				t.Errorf("got %s done %q until %q, want %s done %q until %q", got.State, str(got.DoneAt), str(got.ExpiresAt), tt.want, tt.done, tt.until)
			}
			if got.State.Label() == string(got.State) {
				t.Errorf("%s has no words", got.State)
			}
		})
	}
}

// TestMatrix: the store's matrix on both databases: the cells from real
// completions, enrolments, exemptions and a recertification; the filters;
// keyset pages giving every row once; a bad cursor.
func TestMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		p, err := f.s.CreateProgramme(ctx, programmeInput("fd"), nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.mgr, f.a, f.b, f.c}}, false); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.a, "alpha")
		beta, _ := f.s.FindCourse(ctx, "beta")
		if _, _, err := f.s.Start(ctx, f.a, beta); err != nil { // A started beta
			t.Fatal(err)
		}
		f.clock.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.c, "alpha")
		f.finish(t, f.c, "beta")
		var mgrCycle int64
		if err := db.NewSelect().TableExpr("cycles").Column("id").Where("employee_id = ?", f.mgr).Scan(ctx, &mgrCycle); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SetExempt(ctx, mgrCycle, true, "Runs the programme", nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Tick(ctx); err != nil { // readiness for everyone
			t.Fatal(err)
		}
		p, _ = f.s.FindProgramme(ctx, p.Slug)

		states := func(page *courses.MatrixPage) map[string][]courses.CellState {
			out := map[string][]courses.CellState{}
			for _, r := range page.Rows {
				for _, c := range r.Cells {
					out[r.Number] = append(out[r.Number], c.State)
				}
			}
			return out
		}
		numbers := func(page *courses.MatrixPage) []string {
			var out []string
			for _, r := range page.Rows {
				out = append(out, r.Number)
			}
			return out
		}
		page, err := f.s.Matrix(ctx, p, courses.MatrixFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for _, c := range page.Courses {
			cols = append(cols, c.CourseSlug)
		}
		if !slices.Equal(cols, []string{"alpha", "beta", "gamma"}) || page.Next != "" {
			t.Fatalf("columns %q, next %q", cols, page.Next)
		}
		if got := numbers(page); !slices.Equal(got, []string{"A1", "B1", "C1", "M1"}) {
			t.Fatalf("rows %q, want by last name", got)
		}
		D, P, N, E := courses.CellDone, courses.CellInProgress, courses.CellNotStarted, courses.CellExempt
		want := map[string][]courses.CellState{"A1": {D, P, N}, "B1": {N, N, N}, "C1": {D, D, N}, "M1": {E, E, E}}
		for num, w := range want {
			if got := states(page)[num]; !slices.Equal(got, w) {
				t.Errorf("%s: %v, want %v", num, got, w)
			}
		}
		byNum := map[string]courses.MatrixRow{}
		for _, r := range page.Rows {
			byNum[r.Number] = r
		}
		if r := byNum["C1"]; r.Status != courses.Completed || r.Readiness != courses.Ready || r.Department != "Field Service" || r.Location != "Leeds" ||
			r.Cells[1].DoneAt == nil || !r.Cells[1].DoneAt.Equal(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("C1: %+v", r)
		}
		if r := byNum["A1"]; r.Status != courses.InProgress || r.Readiness != courses.AtRisk || r.Name != "First A1" {
			t.Errorf("A1: %+v", r)
		}
		if r := byNum["M1"]; r.Status != courses.Exempt {
			t.Errorf("M1: %s", r.Status)
		}

		// Filters: the manager's line, a department.
		page, err = f.s.Matrix(ctx, p, courses.MatrixFilter{LineOf: f.mgr})
		if err != nil || !slices.Equal(numbers(page), []string{"A1", "B1"}) {
			t.Errorf("line of M1: %q %v", numbers(page), err)
		}
		page, err = f.s.Matrix(ctx, p, courses.MatrixFilter{DepartmentID: f.frontDesk})
		if err != nil || !slices.Equal(numbers(page), []string{"A1", "B1", "M1"}) {
			t.Errorf("front desk: %q %v", numbers(page), err)
		}
		if _, err := f.s.Matrix(ctx, p, courses.MatrixFilter{LineOf: 999999}); !store.IsNotFound(err) {
			t.Errorf("line of nobody: %v", err)
		}
		// Pages of one: every row once, in order.
		var all []string
		fl := courses.MatrixFilter{Limit: 1}
		for i := 0; ; i++ {
			page, err := f.s.Matrix(ctx, p, fl)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, numbers(page)...)
			if page.Next == "" || i > 10 {
				break
			}
			fl.After = page.Next
		}
		if !slices.Equal(all, []string{"A1", "B1", "C1", "M1"}) {
			t.Errorf("pages of one: %q", all)
		}
		// The exports' stream: the same rows and cells in batches, stopping at fn's error.
		for _, size := range []int{1, 3, 500} {
			var got []courses.MatrixRow
			batches := 0
			err := f.s.EachMatrixRows(ctx, p, courses.MatrixFilter{Limit: 1, After: "ignored"}, size, func(cols []courses.ProgrammeCourse, rows []courses.MatrixRow) error {
				if len(cols) != 3 || len(rows) == 0 || len(rows) > size {
					t.Errorf("batch of %d: %d columns, %d rows", size, len(cols), len(rows))
				}
				batches++
				got = append(got, rows...)
				return nil
			})
			whole, _ := f.s.Matrix(ctx, p, courses.MatrixFilter{})
			same := func(a, b courses.MatrixRow) bool {
				return a.Number == b.Number && a.Status == b.Status && a.Readiness == b.Readiness &&
					slices.EqualFunc(a.Cells, b.Cells, func(x, y courses.MatrixCell) bool { return x.State == y.State })
			}
			if err != nil || !slices.EqualFunc(got, whole.Rows, same) || batches != (4+size-1)/size {
				t.Errorf("batches of %d: %d batches, %q, %v", size, batches, numbers(&courses.MatrixPage{Rows: got}), err)
			}
		}
		stop := store.Errorf(store.Conflict, "stop")
		calls := 0
		if err := f.s.EachMatrixRows(ctx, p, courses.MatrixFilter{}, 1, func([]courses.ProgrammeCourse, []courses.MatrixRow) error { calls++; return stop }); err != stop || calls != 1 {
			t.Errorf("fn's error: %v after %d calls", err, calls)
		}
		line := 0
		if err := f.s.EachMatrixRows(ctx, p, courses.MatrixFilter{LineOf: f.mgr}, 10, func(_ []courses.ProgrammeCourse, rows []courses.MatrixRow) error { line += len(rows); return nil }); err != nil || line != 2 {
			t.Errorf("stream of M1's line: %d rows, %v", line, err)
		}
		for _, bad := range []string{"x", "!!!", "ImEi", "ImEiLCJiIiwiYyIsImQi"} {
			if _, err := f.s.Matrix(ctx, p, courses.MatrixFilter{After: bad}); store.FieldOf(err) != "after" || store.KindOf(err) != store.Invalid {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}

		// Eleven and a half months on, the scheduler opens C's recertification:
		// last year's completions still count, expiring; A's are expiring too.
		f.clock.Set(time.Date(2027, 11, 20, 9, 0, 0, 0, time.UTC))
		if _, err := f.s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		page, err = f.s.Matrix(ctx, p, courses.MatrixFilter{})
		if err != nil {
			t.Fatal(err)
		}
		X, O := courses.CellExpiring, courses.CellOverdue
		if got := states(page)["C1"]; !slices.Equal(got, []courses.CellState{X, X, N}) {
			t.Errorf("C1 recertifying: %v", got)
		}
		for _, r := range page.Rows {
			if r.Number == "C1" && (r.Cycle != 2 || r.Status != courses.Expiring) {
				t.Errorf("C1: cycle %d %s, want 2 expiring", r.Cycle, r.Status)
			}
		}
		// B never started and is overdue; A's alpha is expiring, the rest overdue.
		if got := states(page)["B1"]; !slices.Equal(got, []courses.CellState{O, O, N}) {
			t.Errorf("B1 overdue: %v", got)
		}
		if got := states(page)["A1"]; !slices.Equal(got, []courses.CellState{X, O, N}) {
			t.Errorf("A1 overdue: %v", got)
		}
		// C takes alpha again: a lesson done in the new cycle is progress.
		f.clock.Set(time.Date(2027, 11, 21, 9, 0, 0, 0, time.UTC))
		alpha, _ := f.s.FindCourse(ctx, "alpha")
		o, en, err := f.s.Start(ctx, f.c, alpha)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := completeLesson(ctx, f.s, en, o.Lessons[0].ID); err != nil {
			t.Fatal(err)
		}
		page, _ = f.s.Matrix(ctx, p, courses.MatrixFilter{DepartmentID: f.field})
		if got := states(page)["C1"]; !slices.Equal(got, []courses.CellState{P, X, N}) {
			t.Errorf("C1 retaking alpha: %v", got)
		}
		// After the expiry, without a new completion: expired cells, then overdue once the cycle is.
		f.clock.Set(time.Date(2027, 12, 5, 9, 0, 0, 0, time.UTC))
		if _, err := f.s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		page, _ = f.s.Matrix(ctx, p, courses.MatrixFilter{DepartmentID: f.field})
		if got := states(page)["C1"]; !slices.Equal(got, []courses.CellState{O, O, N}) {
			t.Errorf("C1 after the expiry, cycle overdue: %v", got)
		}
	})
}
