package training_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// TestImpactReport reads the report's facts from the database: twelve
// people in one manager's line completed the programme on 1 March (their
// handling time falls by 3 minutes from the next day), twelve elsewhere did
// not; everyone's time rises 0.1 a day. The report finds −3, not −3 plus
// the trend, org-wide; narrowed to either group there is nobody to
// compare with.
func TestImpactReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		clock := &store.ManualClock{}
		clock.Set(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
		svc, err := training.New(db, training.Options{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SyncBuiltins(ctx); err != nil {
			t.Fatal(err)
		}
		save := func(number, dept, manager string) *people.Employee {
			res, err := svc.People().SaveEmployee(ctx, people.EmployeeInput{Number: number, FirstName: number, LastName: "Impact",
				Email: number + "@example.com", Department: dept, ManagerNumber: manager, HireDate: "2024-01-08", Active: true})
			if err != nil {
				t.Fatalf("save %s: %v", number, err)
			}
			return res.Employee
		}
		boss := save("M1", "Front Desk", "")
		var trained, others []int64
		for i := range 12 {
			trained = append(trained, save(fmt.Sprintf("T%02d", i), "Front Desk", "M1").ID)
			others = append(others, save(fmt.Sprintf("O%02d", i), "Contact Centre", "").ID)
		}
		in := courses.ProgrammeInput{Slug: "desk", Title: "Desk Excellence", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 60},
			Courses: []courses.ProgrammeCourseInput{{Slug: courses.MissionCourse, Required: true}}}
		if _, err := svc.Courses().CreateProgramme(ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Courses().Assign(ctx, courses.AssignRequest{Programme: "desk", EmployeeIDs: append(append([]int64{}, trained...), others...), Actor: "test"}, false); err != nil {
			t.Fatal(err)
		}
		// The fixture records the completions directly: this test is about
		// reading them (the first completion of the programme), not deciding them.
		done := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		if _, err := db.NewUpdate().TableExpr("cycles").Set("completed_at = ?", done).Where("employee_id IN (?)", bun.In(trained)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		m, err := svc.Outcomes().CreateMeasure(ctx, outcomes.MeasureInput{Slug: "aht", Title: "Handling time", Unit: "minutes", Kind: outcomes.Value})
		if err != nil {
			t.Fatal(err)
		}
		c := outcomes.DateDay(2026, 3, 1)
		var events []outcomes.Event
		for _, ids := range [][]int64{trained, others} {
			for _, id := range ids {
				for day := outcomes.DateDay(2026, 1, 1); day <= outcomes.DateDay(2026, 5, 31); day++ {
					v := 10 + 0.1*float64(day-outcomes.DateDay(2026, 1, 1))
					if ids[0] == trained[0] && day > c {
						v -= 3
					}
					events = append(events, outcomes.Event{MeasureID: m.ID, EmployeeID: id, Day: day, Value: v, CreatedAt: clock.Now()})
				}
			}
		}
		if _, err := outcomes.InsertEvents(ctx, db, events); err != nil {
			t.Fatal(err)
		}

		r, err := svc.ImpactReport(ctx, "desk", "aht", 30, training.ImpactFilter{})
		if err != nil {
			t.Fatal(err)
		}
		im := r.Impact
		if !im.EnoughData || im.Trained != 12 || im.Comparison != 12 || math.Abs(im.Effect+3) > 1e-9 || math.Abs(im.CILow+3) > 1e-9 || math.Abs(im.CIHigh+3) > 1e-9 {
			t.Fatalf("org-wide: %+v", im)
		}
		// Both groups start equal; the trained change by the trend over the 31
		// days between the windows (3.1) less the 3 minutes.
		if math.Abs(im.TrainedBefore-im.ComparisonBefore) > 1e-9 || math.Abs((im.TrainedAfter-im.TrainedBefore)-(3.1-3)) > 1e-9 {
			t.Fatalf("group figures: %+v", im)
		}
		if r.Through != outcomes.DateDay(2026, 5, 31) || len(r.Months) != 5 || r.Months[2].Completions != 12 {
			t.Fatalf("through %s, months %+v", r.Through, r.Months)
		}
		line, err := svc.ImpactReport(ctx, "desk", "aht", 30, training.ImpactFilter{LineOf: boss.ID})
		if err != nil {
			t.Fatal(err)
		}
		if line.Impact.EnoughData || line.Impact.Trained != 0 || line.Impact.Comparison != 0 {
			t.Fatalf("the manager's line (all trained, nobody to compare with): %+v", line.Impact)
		}
		cc, err := svc.People().FindOrgByName(ctx, people.Departments, "Contact Centre")
		if err != nil {
			t.Fatal(err)
		}
		dept, err := svc.ImpactReport(ctx, "desk", "aht", 30, training.ImpactFilter{DepartmentID: cc.ID})
		if err != nil {
			t.Fatal(err)
		}
		if dept.Impact.Trained != 0 || len(dept.Months) != 5 || dept.Months[0].ComparisonPeople != 12 {
			t.Fatalf("the contact centre (nobody trained): %+v", dept.Impact)
		}
		for _, tc := range []struct {
			programme, measure string
			window             int
			field              string
		}{{"nope", "aht", 30, "programme"}, {"desk", "nope", 30, "measure"}, {"desk", "aht", 45, "window_days"}} {
			if _, err := svc.ImpactReport(ctx, tc.programme, tc.measure, tc.window, training.ImpactFilter{}); store.FieldOf(err) != tc.field {
				t.Fatalf("%+v: %v", tc, err)
			}
		}
	})
}
