package courses_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestAssignRetakesStaleCourse: a programme assigned long after someone
// finished one of its courses does not count that completion (it is older
// than the validity), so the course is reset to be taken again, as a
// recertification does; otherwise the finished enrolment could never
// complete again and the cycle never be completed. The stale learner comes
// after the first 500 of the audience, who have no enrolment at all.
func TestAssignRetakesStaleCourse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		seedWorkforce(t, db, 600)
		clk := &clock{}
		clk.Set(time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC))
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{Clock: clk})
		if _, err := s.SyncBuiltins(ctx, []*courses.Source{simpleCourse(t, "alpha"), simpleCourse(t, "beta")}); err != nil {
			t.Fatal(err)
		}
		finish := func(emp int64) {
			t.Helper()
			c, err := s.FindCourse(ctx, "alpha")
			if err != nil {
				t.Fatal(err)
			}
			o, en, err := s.Start(ctx, emp, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range o.Lessons {
				if _, _, err := completeLesson(ctx, s, en, l.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		const stale, recent = 599, 598
		finish(stale)
		clk.Set(time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC))
		finish(recent)

		clk.Set(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)) // 14 months after the stale completion
		in := courses.ProgrammeInput{Slug: "late", Title: "Late", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
			ValidityMonths: 12, RecertDays: 30, Courses: []courses.ProgrammeCourseInput{{Slug: "alpha", Required: true}}}
		if _, err := s.CreateProgramme(ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		top := int64(1)
		if _, err := s.Assign(ctx, courses.AssignRequest{Programme: "late", Audience: &courses.Audience{ManagerID: &top}}, false); err != nil {
			t.Fatal(err)
		}
		status := func(emp int64) courses.Status {
			t.Helper()
			list, err := s.AssignedProgrammes(ctx, emp)
			if err != nil || len(list) != 1 {
				t.Fatalf("employee %d: %d programmes, %v", emp, len(list), err)
			}
			return list[0].Status
		}
		if st := status(recent); st != courses.Completed {
			t.Fatalf("a completion within the validity counts: %s", st)
		}
		if st := status(stale); st != courses.NotStarted {
			t.Fatalf("a completion older than the validity does not count: %s", st)
		}
		clk.Set(time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC))
		finish(stale)
		if st := status(stale); st != courses.Completed {
			t.Fatalf("the course taken again completes the programme: %s", st)
		}
		n, err := db.NewSelect().Model((*courses.CourseCompletion)(nil)).Where("employee_id = ?", stale).Count(ctx)
		if err != nil || n != 2 {
			t.Fatalf("completion history: %d rows, %v", n, err)
		}
	})
}
