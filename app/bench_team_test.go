package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/training"
)

// scaleManagerEmail signs in as the first area manager of seedScaleOrg.
const scaleManagerEmail = "area000@scale.example"

// seedScaleOrg adds about 100,000 employees to the demo, below its chief
// executive: a head of operations, 200 area managers, each with 10 team
// leads of 49 people (so every area manager's line is 500 people), spread
// over the demo's departments, locations and job titles, with a stored
// readiness each (15% not ready, 25% at risk, the rest ready, with
// reasons). Rows are bulk-inserted and the line paths rebuilt once;
// readiness rows are written directly, as RefreshReadiness would store
// them. The first area manager can sign in with the demo password.
func seedScaleOrg(tb testing.TB, ts *testServer) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var top int64
	if err := ts.DB.NewSelect().TableExpr("employees").Column("id").Where("number = 'BW1000'").Scan(ctx, &top); err != nil {
		tb.Fatal(err)
	}
	ids := func(table string) []int64 {
		var out []int64
		if err := ts.DB.NewSelect().TableExpr(table).Column("id").OrderExpr("id").Scan(ctx, &out); err != nil || len(out) == 0 {
			tb.Fatalf("%s: %v", table, err)
		}
		return out
	}
	depts, locs, jobs := ids("departments"), ids("locations"), ids("job_titles")
	var maxID int64
	if err := ts.DB.NewSelect().TableExpr("employees").ColumnExpr("MAX(id)").Scan(ctx, &maxID); err != nil {
		tb.Fatal(err)
	}
	next := maxID + 1
	overdue := []courses.Reason{{Kind: courses.ReasonOverdue, Programme: "Induction", Detail: "Induction is overdue (was due 2 Nov 2026)", Date: "2026-11-02"}}
	dueSoon := []courses.Reason{{Kind: courses.ReasonDueSoon, Programme: "Induction", Detail: "Induction is due by 20 Dec 2026", Date: "2026-12-20"}}
	err := ts.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		emps := make([]people.Employee, 0, 1000)
		ready := make([]courses.ReadinessRow, 0, 1000)
		flush := func() error {
			if len(emps) > 0 {
				if _, err := tx.NewInsert().Model(&emps).Exec(ctx); err != nil {
					return err
				}
				if _, err := tx.NewInsert().Model(&ready).Exec(ctx); err != nil {
					return err
				}
			}
			emps, ready = emps[:0], ready[:0]
			return nil
		}
		add := func(number, first, last, email string, manager int64) (int64, error) {
			id := next
			next++
			n := int(id)
			dept, loc, job := depts[n%len(depts)], locs[(n/7)%len(locs)], jobs[(n/3)%len(jobs)]
			e := people.Employee{ID: id, Number: number, FirstName: first, LastName: last, Email: email, EmailKey: email,
				SearchKey: fmt.Sprintf("%s %s %s %s", number, first, last, email), DepartmentID: &dept, LocationID: &loc, JobTitleID: &job,
				ManagerID: &manager, HireDate: "2021-03-01", Active: true, CreatedAt: now, UpdatedAt: now}
			r := courses.ReadinessRow{EmployeeID: id, Status: courses.Ready, Reasons: []courses.Reason{}, UpdatedAt: now}
			switch n % 20 {
			case 0, 1, 2:
				r.Status, r.Reasons = courses.NotReady, overdue
			case 3, 4, 5, 6, 7:
				r.Status, r.Reasons = courses.AtRisk, dueSoon
			}
			emps, ready = append(emps, e), append(ready, r)
			if len(emps) == cap(emps) {
				return id, flush()
			}
			return id, nil
		}
		head, err := add("H000000", "Hana", "Operations", "operations@scale.example", top)
		if err != nil {
			return err
		}
		for a := range 200 {
			area, err := add(fmt.Sprintf("A%03d", a), "Area", fmt.Sprintf("Manager%03d", a), fmt.Sprintf("area%03d@scale.example", a), head)
			if err != nil {
				return err
			}
			for l := range 10 {
				lead, err := add(fmt.Sprintf("L%03d%02d", a, l), "Lead", fmt.Sprintf("L%03d-%02d", a, l), fmt.Sprintf("lead%03d.%02d@scale.example", a, l), area)
				if err != nil {
					return err
				}
				for s := range 49 {
					first := []string{"Ann", "Ben", "Cara", "Dev", "Eve", "Finn", "Gus"}[s%7]
					if _, err := add(fmt.Sprintf("S%03d%02d%02d", a, l, s+1), first, fmt.Sprintf("Staff%03d%02d%02d", a, l, s),
						fmt.Sprintf("s%03d.%02d.%02d@scale.example", a, l, s), lead); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		_, err = people.RebuildPaths(ctx, tx)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := ts.People.FindEmployeeByEmail(ctx, scaleManagerEmail)
	if err != nil {
		tb.Fatal(err)
	}
	if err := ts.People.SetPassword(ctx, m.ID, demoPassword); err != nil {
		tb.Fatal(err)
	}
	if n, err := ts.People.CountLine(ctx, m.ID, true); err != nil || n != 500 {
		tb.Fatalf("the area manager's line: %d (%v)", n, err)
	}
}

// BenchmarkTeamPage loads Team readiness as a manager with 500 people in
// their line on a 100,000-employee SQLite database, through the whole app
// with a real session: the counts, the first page of 100 by name, worst
// first, filtered, direct reports only, and the coach queue. ns/op is the time per page.
func BenchmarkTeamPage(b *testing.B) {
	ts := mustServer(b, "sqlite")
	start := time.Now()
	seedScaleOrg(b, ts)
	var n int
	ts.DB.NewSelect().TableExpr("employees").ColumnExpr("COUNT(*)").Scan(context.Background(), &n)
	b.Logf("fixture: %d employees in %s", n, time.Since(start).Round(time.Millisecond))
	mgr := ts.client(b)
	mgr.signIn(scaleManagerEmail)
	for _, bc := range []struct{ name, path string }{
		{"Line", "/team"},
		{"WorstFirst", "/team?sort=status"},
		{"NotReady", "/team?status=not_ready"},
		{"Direct", "/team?scope=direct"},
		{"LocationWorstFirst", "/team?location=1&sort=status"},
		{"Coach", "/team/coach"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if resp, body := mgr.get(bc.path); resp.StatusCode != http.StatusOK {
				b.Fatalf("%s: status %d\n%.500s", bc.path, resp.StatusCode, body)
			}
			for b.Loop() {
				mgr.get(bc.path)
			}
		})
	}
}

// seedScaleOutcomes adds a customer-satisfaction rating and a complaints
// count to the scale organisation, with events for every employee over the
// last 60 days (five ratings, one in five unsatisfied, and a complaint
// each; every seventh person a run of three complaints), and a recovery
// rule on the complaints.
func seedScaleOutcomes(tb testing.TB, ts *testServer) {
	tb.Helper()
	ctx := context.Background()
	svc, err := training.New(ts.DB, training.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	csat, err := svc.Outcomes().CreateMeasure(ctx, outcomes.MeasureInput{Slug: "csat", Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.OneToFive})
	if err != nil {
		tb.Fatal(err)
	}
	complaints, err := svc.Outcomes().CreateMeasure(ctx, outcomes.MeasureInput{Slug: "complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count})
	if err != nil {
		tb.Fatal(err)
	}
	loc, err := svc.Courses().Location(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	today := outcomes.DayOf(svc.Now(), loc)
	var ids []int64
	if err := ts.DB.NewSelect().TableExpr("employees").Column("id").OrderExpr("id").Scan(ctx, &ids); err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	err = ts.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		evs := make([]outcomes.Event, 0, 20000)
		for i, id := range ids {
			for k := range 5 {
				v := 5.0
				if (i+k)%5 == 0 {
					v = 2
				}
				evs = append(evs, outcomes.Event{MeasureID: csat.ID, EmployeeID: id, Day: today - outcomes.Day((i+k*12)%60), Value: v, CreatedAt: now})
			}
			evs = append(evs, outcomes.Event{MeasureID: complaints.ID, EmployeeID: id, Day: today - outcomes.Day(i%60), Value: 1, CreatedAt: now})
			if i%7 == 0 {
				for k := range 2 {
					evs = append(evs, outcomes.Event{MeasureID: complaints.ID, EmployeeID: id, Day: today - outcomes.Day(k+1), Value: 1, CreatedAt: now})
				}
			}
			if len(evs) >= 18000 {
				if _, err := outcomes.InsertEvents(ctx, tx, evs); err != nil {
					return err
				}
				evs = evs[:0]
			}
		}
		_, err := outcomes.InsertEvents(ctx, tx, evs)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.CreateRecoveryRule(ctx, training.RecoveryRuleInput{Measure: "complaints", Threshold: 3, Days: 30,
		Checklist: "missed-promise-complaint", CooldownDays: 30}, training.Actor{Name: "bench"}, false); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkTeamPageOutcomes is BenchmarkTeamPage with service outcomes:
// two measures with about 700,000 events over the last 60 days for the
// 100,000 employees and a recovery rule, so /team shows each person's
// figures and trends and the coach queue its outcome sections.
func BenchmarkTeamPageOutcomes(b *testing.B) {
	ts := mustServer(b, "sqlite")
	start := time.Now()
	seedScaleOrg(b, ts)
	seedScaleOutcomes(b, ts)
	var n int
	ts.DB.NewSelect().TableExpr("outcome_events").ColumnExpr("COUNT(*)").Scan(context.Background(), &n)
	b.Logf("fixture: %d outcome events in %s", n, time.Since(start).Round(time.Millisecond))
	mgr := ts.client(b)
	mgr.signIn(scaleManagerEmail)
	hr := ts.client(b)
	hr.signIn(hrEmail)
	for _, bc := range []struct {
		name, path string
		c          *client
	}{
		{"Line", "/team", mgr},
		{"WorstFirst", "/team?sort=status", mgr},
		{"Coach", "/team/coach", mgr},
		{"CoachHREveryone", "/team/coach", hr},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if resp, body := bc.c.get(bc.path); resp.StatusCode != http.StatusOK || !strings.Contains(body, "outcome-value") && bc.path == "/team" {
				b.Fatalf("%s: status %d\n%.500s", bc.path, resp.StatusCode, body)
			}
			for b.Loop() {
				bc.c.get(bc.path)
			}
		})
	}
}

// BenchmarkRecoveryTick is the scheduler's run of the recovery rules for
// everyone on the fixture of BenchmarkTeamPageOutcomes (the rule acted on
// its runs when it was created: each run finds every run in cool-down, the
// steady state of a tick). ns/op is one evaluation.
func BenchmarkRecoveryTick(b *testing.B) {
	ts := mustServer(b, "sqlite")
	seedScaleOrg(b, ts)
	seedScaleOutcomes(b, ts)
	svc, err := training.New(ts.DB, training.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		rep, err := svc.EvaluateRecovery(ctx)
		if err != nil || rep.Actions != 0 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}
