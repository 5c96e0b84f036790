package training

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// seedOverdue inserts 10,000 learners under 100 managers and an HR person,
// assigns them a programme due 30 days after 2 March 2026 (UTC) whose
// ladder reaches the learner, the manager and HR on the first overdue day,
// and returns that day's noon.
func seedOverdue(b *testing.B, db *bun.DB, clock *store.ManualClock) time.Time {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock.Set(now)
	const managers, learners = 100, 10_000
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var rows []people.Employee
		add := func(id int64, manager *int64, roles string) {
			e := people.Employee{ID: id, Number: fmt.Sprintf("B%06d", id), FirstName: "Bench", LastName: fmt.Sprint(id),
				Email: fmt.Sprintf("b%d@example.com", id), Active: true, ManagerID: manager, Roles: roles, HireDate: "2020-01-06", CreatedAt: now, UpdatedAt: now}
			e.EmailKey = e.Email
			rows = append(rows, e)
		}
		add(1, nil, "hr")
		for m := int64(2); m < 2+managers; m++ {
			add(m, nil, "")
		}
		for i := int64(0); i < learners; i++ {
			m := 2 + i%managers
			add(2+managers+i, &m, "")
		}
		for start := 0; start < len(rows); start += 1000 {
			chunk := rows[start:min(start+1000, len(rows))]
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		_, err := people.RebuildPaths(ctx, tx)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := resetSequence(ctx, db); err != nil {
		b.Fatal(err)
	}
	// Assigned quietly: the assignment e-mails are not what is measured.
	quiet, err := New(db, Options{Clock: clock, Quiet: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := quiet.SyncBuiltins(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := quiet.Courses().CreateProgramme(ctx, courses.ProgrammeInput{Slug: "bench", Title: "Bench", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
		Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}},
		Ladder:  &courses.LadderInput{DueSoon: "7", OverdueLearner: "0", OverdueManager: "0", OverdueHR: "0"}}, nil, "bench"); err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, learners)
	for i := range ids {
		ids[i] = int64(2 + managers + i)
	}
	if _, err := quiet.Courses().Assign(ctx, courses.AssignRequest{Programme: "bench", EmployeeIDs: ids, Actor: "bench"}, false); err != nil {
		b.Fatal(err)
	}
	return time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC) // due 1 April: the first overdue day
}

// resetSequence moves PostgreSQL's employee id sequence past the ids the
// seed gave.
func resetSequence(ctx context.Context, db *bun.DB) error {
	if db.Dialect().Name().String() != "pg" {
		return nil
	}
	_, err := db.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('employees', 'id'), (SELECT MAX(id) FROM employees))")
	return err
}

// BenchmarkRemind10kOverdue: a scheduler run on the day 10,000 people
// become overdue, with a ladder that reaches each of them, their 100
// managers and HR that day: 10,000 learner messages, 100 manager
// escalations and one HR escalation, an in-app row and an e-mail each
// (20,202 rows). "run" is the whole scheduler run (Tick, which also turns
// the 10,000 cycles overdue on the first iteration, then the reminders);
// "remind" is the reminders alone (the rows deleted between iterations,
// outside the timer); "again" a later run the same day, with everything
// queued already (what every run after the first costs that day).
func BenchmarkRemind10kOverdue(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.MustOpen(b, dialect)
			clock := &store.ManualClock{}
			day := seedOverdue(b, db, clock)
			s, err := New(db, Options{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			clock.Set(day)
			reminders := []notify.Kind{notify.DueSoon, notify.Overdue, notify.OverdueTeam}
			clear := func() {
				if _, err := db.NewDelete().TableExpr("notifications").Where("kind IN (?)", bun.In(reminders)).Exec(ctx); err != nil {
					b.Fatal(err)
				}
			}
			count := func() int {
				n, err := db.NewSelect().TableExpr("notifications").Where("kind IN (?)", bun.In(reminders)).Count(ctx)
				if err != nil {
					b.Fatal(err)
				}
				return int(n)
			}
			remind := func() {
				if _, err := s.Remind(ctx, day); err != nil {
					b.Fatal(err)
				}
			}
			for _, tc := range []struct {
				name  string
				run   func()
				fresh bool // the rows deleted before each iteration
			}{
				{"run", func() { s.schedulerRun(ctx) }, true},
				{"remind", remind, true},
				{"again", remind, false}, // a later run the same day: everything queued already
			} {
				b.Run(tc.name, func(b *testing.B) {
					for range b.N {
						if tc.fresh {
							b.StopTimer()
							clear()
							b.StartTimer()
						}
						tc.run()
					}
					b.StopTimer()
					if n := count(); n != 20_202 {
						b.Fatalf("%d rows queued, want 20,202", n)
					}
				})
			}
		})
	}
}
