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

func TestDecideReadiness(t *testing.T) {
	loc := london(t)
	now := at(t, loc, "2026-12-01 10:00:00")
	exp := func(s string) *time.Time { v := at(t, loc, s); return &v }
	fd := "Front Desk"
	tests := []struct {
		name  string
		progs []courses.ReadinessProgramme
		fails []courses.CriticalFailure
		want  courses.Readiness
		kinds []courses.ReasonKind
		next  string // London; "" never
	}{
		{"ReadyWithNothingAssigned", nil, nil, courses.Ready, nil, ""},
		{"ReadyCompletedNeverExpires", []courses.ReadinessProgramme{{Title: fd, Status: courses.Completed}}, nil, courses.Ready, nil, ""},
		{"ReadyCompletedValid", []courses.ReadinessProgramme{{Title: fd, Status: courses.Completed, ExpiresAt: exp("2027-06-01 00:00:00")}}, nil,
			courses.Ready, nil, "2027-05-02 00:00:00"},
		{"ReadyExempt", []courses.ReadinessProgramme{{Title: fd, Status: courses.Exempt}}, nil, courses.Ready, nil, ""},
		{"AtRiskExpiringWithin30Days", []courses.ReadinessProgramme{{Title: fd, Status: courses.Expiring, ExpiresAt: exp("2026-12-20 00:00:00")}}, nil,
			courses.AtRisk, []courses.ReasonKind{courses.ReasonExpiring}, "2026-12-20 00:00:00"},
		{"AtRiskDueIn30Days", []courses.ReadinessProgramme{{Title: fd, Status: courses.NotStarted, DueOn: "2026-12-31"}}, nil,
			courses.AtRisk, []courses.ReasonKind{courses.ReasonDueSoon}, "2027-01-01 00:00:00"},
		{"AtRiskDueExactly30DaysAhead", []courses.ReadinessProgramme{{Title: fd, Status: courses.InProgress, DueOn: "2026-12-31"}}, nil,
			courses.AtRisk, []courses.ReasonKind{courses.ReasonDueSoon}, "2027-01-01 00:00:00"},
		{"AtRiskIncompleteDueLater", []courses.ReadinessProgramme{{Title: fd, Status: courses.InProgress, DueOn: "2027-03-01"}}, nil,
			courses.AtRisk, []courses.ReasonKind{courses.ReasonIncomplete}, "2027-01-30 00:00:00"},
		{"AtRiskIncompleteNoDueDate", []courses.ReadinessProgramme{{Title: fd, Status: courses.NotStarted}}, nil,
			courses.AtRisk, []courses.ReasonKind{courses.ReasonIncomplete}, ""},
		{"NotReadyOverdue", []courses.ReadinessProgramme{{Title: fd, Status: courses.Overdue, DueOn: "2026-11-30"}}, nil,
			courses.NotReady, []courses.ReasonKind{courses.ReasonOverdue}, ""},
		{"NotReadyStoredStatusStaleButDatePassed", []courses.ReadinessProgramme{{Title: fd, Status: courses.DueSoon, DueOn: "2026-11-30"}}, nil,
			courses.NotReady, []courses.ReasonKind{courses.ReasonOverdue}, ""},
		{"NotReadyExpired", []courses.ReadinessProgramme{{Title: fd, Status: courses.Expired, ExpiresAt: exp("2026-11-01 00:00:00")}}, nil,
			courses.NotReady, []courses.ReasonKind{courses.ReasonExpired}, ""},
		{"NotReadyCriticalFailure", []courses.ReadinessProgramme{{Title: fd, Status: courses.Completed}},
			[]courses.CriticalFailure{{Checklist: "Warranty", Items: []string{"Offers a loan device."}, ReobserveDue: "2026-12-15"}},
			courses.NotReady, []courses.ReasonKind{courses.ReasonCriticalFailed}, ""},
		{"WorstFirst", []courses.ReadinessProgramme{
			{Title: "A", Status: courses.NotStarted, DueOn: "2026-12-10"},
			{Title: "B", Status: courses.Overdue, DueOn: "2026-11-01"},
			{Title: "C", Status: courses.Expiring, ExpiresAt: exp("2026-12-05 00:00:00")}},
			[]courses.CriticalFailure{{Checklist: "Billing"}},
			courses.NotReady, []courses.ReasonKind{courses.ReasonOverdue, courses.ReasonCriticalFailed, courses.ReasonDueSoon, courses.ReasonExpiring},
			"2026-12-05 00:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reasons, next := courses.DecideReadiness(tt.progs, tt.fails, now, loc)
			var kinds []courses.ReasonKind
			for _, r := range reasons {
				kinds = append(kinds, r.Kind)
				if r.Detail == "" {
					t.Errorf("a reason without words: %+v", r)
				}
			}
			if got != tt.want || !slices.Equal(kinds, tt.kinds) {
				t.Fatalf("got %s %v, want %s %v", got, kinds, tt.want, tt.kinds)
			}
			var want time.Time
			if tt.next != "" {
				want = at(t, loc, tt.next)
			}
			if !next.Equal(want) {
				t.Errorf("next change %v, want %v", next.In(loc), want)
			}
		})
	}
	// A failure's reason names the item and the re-observation date.
	_, reasons, _ := courses.DecideReadiness(nil, []courses.CriticalFailure{{Checklist: "Warranty", Items: []string{"Offers a loan device.", "x"}, ReobserveDue: "2026-12-15"}}, now, loc)
	if want := "Role-play “Warranty” failed on a critical item: Offers a loan device (and 1 more); re-observation due 15 Dec 2026"; reasons[0].Detail != want {
		t.Errorf("detail %q, want %q", reasons[0].Detail, want)
	}
}

// TestReadinessKeptCurrent: the stored readiness follows the events
// (assignment, completion, extension, exemption, leaving) in their
// transactions, and the clock through Tick.
func TestReadinessKeptCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		get := func(emp int64) courses.ReadinessRow {
			t.Helper()
			var r courses.ReadinessRow
			if err := db.NewSelect().Model(&r).Where("employee_id = ?", emp).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			return r
		}
		if _, err := f.s.Tick(ctx); err != nil { // everyone gets a row
			t.Fatal(err)
		}
		if r := get(f.a); r.Status != courses.Ready {
			t.Fatalf("nothing assigned: %s", r.Status)
		}
		in := programmeInput("fd") // due 30 days after assignment: at risk at once
		if _, err := f.s.CreateProgramme(ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a, f.b}}, false); err != nil {
			t.Fatal(err)
		}
		if r := get(f.a); r.Status != courses.AtRisk || len(r.Reasons) != 1 || r.Reasons[0].Kind != courses.ReasonDueSoon {
			t.Fatalf("assigned: %+v", r)
		}
		f.clock.Set(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.a, "alpha")
		f.finish(t, f.a, "beta")
		if r := get(f.a); r.Status != courses.Ready || r.Until == nil {
			t.Fatalf("completed: %+v", r)
		}
		// The clock: B becomes not ready the midnight after the due date.
		f.clock.Set(time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC))
		rep, err := f.s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := get(f.b); r.Status != courses.NotReady || r.Reasons[0].Kind != courses.ReasonOverdue || rep.StatusChanges[courses.Overdue] == 0 {
			t.Fatalf("after the due date: %+v (%v)", r, rep.StatusChanges)
		}
		pb := f.status(t, f.b, "fd")
		if _, err := f.s.ExtendDue(ctx, pb.Cycle.ID, "2027-03-01", "Long-term sick", nil, "test"); err != nil {
			t.Fatal(err)
		}
		if r := get(f.b); r.Status != courses.AtRisk {
			t.Fatalf("extended: %s", r.Status)
		}
		if _, err := f.s.SetExempt(ctx, pb.Cycle.ID, true, "Night desk only", nil, "test"); err != nil {
			t.Fatal(err)
		}
		if r := get(f.b); r.Status != courses.Ready {
			t.Fatalf("exempt: %s", r.Status)
		}
		// Critical failures come from the assessments, in the transaction.
		f.assessed.mu.Lock()
		f.assessed.fails = map[int64][]courses.CriticalFailure{f.a: {{Checklist: "Warranty"}}}
		f.assessed.mu.Unlock()
		if err := f.s.RefreshReadiness(ctx, db, []int64{f.a}); err != nil {
			t.Fatal(err)
		}
		if r := get(f.a); r.Status != courses.NotReady || r.Reasons[0].Kind != courses.ReasonCriticalFailed {
			t.Fatalf("critical failure: %+v", r)
		}
	})
}

// TestReadinessReports: lists (a manager's line, filters, keyset pages),
// summaries, breakdowns, weekly snapshots and "as of" a past week.
func TestReadinessReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		if _, err := f.s.CreateProgramme(ctx, programmeInput("fd"), nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a, f.b}}, false); err != nil {
			t.Fatal(err)
		}
		rep, err := f.s.Tick(ctx) // rows for everyone, and this week's snapshot
		if err != nil || rep.SnapshotRows != 4 {
			t.Fatalf("snapshot: %+v %v", rep, err)
		}
		week := rep.SnapshotWeek
		f.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.a, "alpha")
		f.finish(t, f.a, "beta")

		// The manager's line: A and B, not the manager nor C.
		list, sum, next, err := f.s.ReadinessList(ctx, courses.ReadinessFilter{LineOf: f.mgr})
		if err != nil || len(list) != 2 || next != "" || sum != (courses.ReadinessSummary{Headcount: 2, Ready: 1, AtRisk: 1}) {
			t.Fatalf("line: %+v %+v %q %v", list, sum, next, err)
		}
		if list[0].Number != "A1" || list[0].Status != courses.Ready || list[1].Status != courses.AtRisk || list[1].Reasons[0].Kind != courses.ReasonDueSoon ||
			list[1].Manager != "First M1" || list[1].Department != "Front Desk" {
			t.Fatalf("rows: %+v", list)
		}
		// Keyset pages of one: every row once.
		var seen []string
		after := ""
		for i := 0; i < 10; i++ {
			page, _, nx, err := f.s.ReadinessList(ctx, courses.ReadinessFilter{Limit: 1, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				seen = append(seen, e.Number)
			}
			if nx == "" {
				break
			}
			after = nx
		}
		uniq := slices.Clone(seen)
		slices.Sort(uniq)
		if len(seen) != 4 || len(slices.Compact(uniq)) != 4 {
			t.Fatalf("pages: %v", seen)
		}
		if _, _, _, err := f.s.ReadinessList(ctx, courses.ReadinessFilter{After: "garbage"}); store.FieldOf(err) != "after" {
			t.Fatalf("bad cursor: %v", err)
		}
		// Filters.
		if l, _, _, _ := f.s.ReadinessList(ctx, courses.ReadinessFilter{Status: courses.AtRisk}); len(l) != 1 || l[0].Number != "B1" {
			t.Fatalf("status filter: %+v", l)
		}
		if l, _, _, _ := f.s.ReadinessList(ctx, courses.ReadinessFilter{Reason: courses.ReasonDueSoon}); len(l) != 1 {
			t.Fatalf("reason filter: %+v", l)
		}
		if l, _, _, _ := f.s.ReadinessList(ctx, courses.ReadinessFilter{DirectOf: f.mgr, Search: "b1"}); len(l) != 1 || l[0].Number != "B1" {
			t.Fatalf("direct + search: %+v", l)
		}
		rows, err := f.s.ReadinessBreakdown(ctx, courses.ReadinessFilter{}, courses.ByDepartment)
		if err != nil || len(rows) != 2 || rows[0].Name != "Front Desk" || rows[0].Headcount != 3 {
			t.Fatalf("by department: %+v %v", rows, err)
		}
		// As of the week before A completed: both were at risk.
		_, was, _, err := f.s.ReadinessList(ctx, courses.ReadinessFilter{LineOf: f.mgr, AsOf: week})
		if err != nil || was != (courses.ReadinessSummary{Headcount: 2, AtRisk: 2}) {
			t.Fatalf("as of %s: %+v %v", week, was, err)
		}
		if _, _, _, err := f.s.ReadinessList(ctx, courses.ReadinessFilter{AsOf: "2020-01-01"}); store.FieldOf(err) != "as_of" {
			t.Fatalf("before the first snapshot: %v", err)
		}
		trend, err := f.s.ReadinessTrend(ctx, courses.ReadinessFilter{}, 12)
		if err != nil || len(trend) != 1 || trend[0].Week != week || trend[0].Headcount != 4 {
			t.Fatalf("trend: %+v %v", trend, err)
		}
	})
}
