package training

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// recoveryFixture is a manager with two reports and someone outside the
// line, a complaints measure, a CSAT measure, a refresher programme and the
// built-in checklists, with the clock set by the test.
type recoveryFixture struct {
	t                  *testing.T
	ctx                context.Context
	svc                *Service
	clock              *store.ManualClock
	log                *bytes.Buffer
	manager, ann, ben  *people.Employee
	outsider           *people.Employee
	complaints, csat   *outcomes.Measure
	today              outcomes.Day
	hr                 Actor
	nextSource, events int
}

func newRecoveryFixture(t *testing.T, db *bun.DB) *recoveryFixture {
	t.Helper()
	f := &recoveryFixture{t: t, ctx: context.Background(), clock: &store.ManualClock{}, log: &bytes.Buffer{}}
	f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := New(db, Options{Clock: f.clock, Log: slog.New(slog.NewTextHandler(f.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	if _, err := svc.SyncBuiltins(f.ctx); err != nil {
		t.Fatal(err)
	}
	save := func(number, first, manager string) *people.Employee {
		res, err := svc.People().SaveEmployee(f.ctx, people.EmployeeInput{Number: number, FirstName: first, LastName: "Rec",
			Email: strings.ToLower(first) + "@example.com", ManagerNumber: manager, HireDate: "2025-01-06", Active: true})
		if err != nil {
			t.Fatalf("save %s: %v", number, err)
		}
		return res.Employee
	}
	f.manager = save("M1", "Maya", "")
	f.ann = save("A1", "Ann", "M1")
	f.ben = save("B1", "Ben", "M1")
	f.outsider = save("X1", "Xavier", "")
	if f.complaints, err = svc.Outcomes().CreateMeasure(f.ctx, outcomes.MeasureInput{Slug: "complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count}); err != nil {
		t.Fatal(err)
	}
	if f.csat, err = svc.Outcomes().CreateMeasure(f.ctx, outcomes.MeasureInput{Slug: "csat", Title: "CSAT", Kind: outcomes.Rating, Scale: outcomes.GoodBad}); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"refresher", "old-refresher"} {
		if _, err := svc.Courses().CreateProgramme(f.ctx, courses.ProgrammeInput{Slug: slug, Title: "Programme " + slug,
			Due:     courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
			Courses: []courses.ProgrammeCourseInput{{Slug: "service-recovery", Required: true}}}, nil, "test"); err != nil {
			t.Fatal(err)
		}
	}
	loc, err := svc.Courses().Location(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.today = outcomes.DayOf(f.clock.Now(), loc)
	hrID := f.manager.ID
	f.hr = Actor{ID: &hrID, Name: "HR"}
	return f
}

// add writes events of m for e, daysAgo before today each, through the
// import's seam (afterOutcomes in the same transaction).
func (f *recoveryFixture) add(m *outcomes.Measure, e *people.Employee, category string, value float64, daysAgo ...int) {
	f.t.Helper()
	var evs []outcomes.Event
	for _, d := range daysAgo {
		f.nextSource++
		src := fmt.Sprintf("src-%d", f.nextSource)
		evs = append(evs, outcomes.Event{MeasureID: m.ID, EmployeeID: e.ID, Day: f.today - outcomes.Day(d), Value: value,
			Category: category, SourceID: &src, CreatedAt: f.clock.Now()})
	}
	err := f.svc.db.RunInTx(f.ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := outcomes.InsertEvents(ctx, tx, evs); err != nil {
			return err
		}
		return f.svc.afterOutcomes(ctx, tx, m, []int64{e.ID})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *recoveryFixture) count(table, where string, args ...any) int {
	f.t.Helper()
	n, err := f.svc.db.NewSelect().TableExpr(table).Where(where, args...).Count(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

func (f *recoveryFixture) assigned(e *people.Employee, programme string) int {
	return f.count("assignments AS a", "a.employee_id = ? AND a.programme_id = (SELECT id FROM programmes WHERE slug = ?)", e.ID, programme)
}

func (f *recoveryFixture) rule(in RecoveryRuleInput) *RecoveryPreview {
	f.t.Helper()
	p, err := f.svc.CreateRecoveryRule(f.ctx, in, f.hr, false)
	if err != nil {
		f.t.Fatalf("create rule %+v: %v", in, err)
	}
	return p
}

// archive archives the programme as DeleteProgramme does one with history.
func (f *recoveryFixture) archive(slug string) {
	f.t.Helper()
	if _, err := f.svc.db.NewUpdate().TableExpr("programmes").Set("archived_at = ?", f.clock.Now()).Where("slug = ?", slug).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *recoveryFixture) days(n int) {
	f.clock.Set(f.clock.Now().AddDate(0, 0, n))
	f.today += outcomes.Day(n)
}

func TestRecoveryRuleInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newRecoveryFixture(t, db)
		if _, err := f.svc.Outcomes().CreateMeasure(f.ctx, outcomes.MeasureInput{Slug: "aht", Title: "Handling time", Unit: "minutes", Kind: outcomes.Value}); err != nil {
			t.Fatal(err)
		}
		f.archive("old-refresher")
		ok := RecoveryRuleInput{Measure: "complaints", Threshold: 3, Days: 30, Programme: "refresher", Checklist: "missed-promise-complaint", CooldownDays: 30}
		for _, tc := range []struct {
			name  string
			edit  func(*RecoveryRuleInput)
			field string
		}{
			{"ErrMeasureMissing", func(in *RecoveryRuleInput) { in.Measure = "" }, "measure"},
			{"ErrMeasureUnknown", func(in *RecoveryRuleInput) { in.Measure = "nps" }, "measure"},
			{"ErrMeasureValue", func(in *RecoveryRuleInput) { in.Measure = "aht" }, "measure"},
			{"ErrThresholdZero", func(in *RecoveryRuleInput) { in.Threshold = 0 }, "threshold"},
			{"ErrDaysZero", func(in *RecoveryRuleInput) { in.Days = 0 }, "days"},
			{"ErrDaysTooMany", func(in *RecoveryRuleInput) { in.Days = 400 }, "days"},
			{"ErrCooldownNegative", func(in *RecoveryRuleInput) { in.CooldownDays = -1 }, "cooldown_days"},
			{"ErrNeitherProgrammeNorChecklist", func(in *RecoveryRuleInput) { in.Programme, in.Checklist = "", "" }, "programme"},
			{"ErrProgrammeUnknown", func(in *RecoveryRuleInput) { in.Programme = "nope" }, "programme"},
			{"ErrProgrammeArchived", func(in *RecoveryRuleInput) { in.Programme = "old-refresher" }, "programme"},
			{"ErrChecklistUnknown", func(in *RecoveryRuleInput) { in.Checklist = "nope" }, "checklist"},
			{"ErrCategoryControl", func(in *RecoveryRuleInput) { in.Category = "a\x00b" }, "category"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := ok
				tc.edit(&in)
				_, err := f.svc.CreateRecoveryRule(f.ctx, in, f.hr, false)
				if store.KindOf(err) != store.Invalid || store.FieldOf(err) != tc.field {
					t.Fatalf("error %v (field %q), want Invalid on %q", err, store.FieldOf(err), tc.field)
				}
			})
		}
		if n := f.count("recovery_rules", "1 = 1"); n != 0 {
			t.Fatalf("%d rules written by refused input", n)
		}
		if _, err := f.svc.CreateRecoveryRule(f.ctx, ok, f.hr, false); err != nil {
			t.Fatal(err)
		}
		if n := f.count("audit_log", "action = ?", "recovery_rule.create"); n != 1 {
			t.Fatalf("%d audit entries for the rule", n)
		}
	})
}

func TestRecoveryLoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newRecoveryFixture(t, db)
		// Ann: three complaints within 30 days before the rule exists; Ben two;
		// the outsider three but 40 days apart.
		f.add(f.complaints, f.ann, "", 1, 20, 10, 1)
		f.add(f.complaints, f.ben, "", 1, 10, 1)
		f.add(f.complaints, f.outsider, "", 1, 45, 20, 5)
		in := RecoveryRuleInput{Measure: "complaints", Threshold: 3, Days: 30, Programme: "refresher", Checklist: "missed-promise-complaint", CooldownDays: 30}

		// The preview writes nothing and names Ann.
		prev, err := f.svc.CreateRecoveryRule(f.ctx, in, f.hr, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(prev.Affected) != 1 || prev.Affected[0].Number != "A1" || prev.Affected[0].Run.Events != 3 {
			t.Fatalf("preview %+v, want Ann with 3", prev.Affected)
		}
		if n := f.count("recovery_rules", "1 = 1") + f.count("recovery_actions", "1 = 1") + f.assigned(f.ann, "refresher"); n != 0 {
			t.Fatalf("the preview wrote %d rows", n)
		}

		// Creating it acts on Ann at once: the refresher, a request to her manager, one action, audited.
		made := f.rule(in)
		if len(made.Affected) != 1 || f.assigned(f.ann, "refresher") != 1 || f.assigned(f.ben, "refresher") != 0 {
			t.Fatalf("created: affected %+v, Ann assigned %d", made.Affected, f.assigned(f.ann, "refresher"))
		}
		reqs, err := f.svc.Observations().ListObservationRequests(f.ctx, assessments.RequestFilter{EmployeeIDs: []int64{f.ann.ID}, Status: assessments.RequestOpen})
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) != 1 || reqs[0].ManagerID == nil || *reqs[0].ManagerID != f.manager.ID || reqs[0].ChecklistSlug != "missed-promise-complaint" {
			t.Fatalf("requests %+v", reqs)
		}
		if n := f.count("recovery_actions", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("%d actions for Ann", n)
		}
		if n := f.count("audit_log", "action = ? AND subject = ?", "recovery.action", "A1"); n != 1 {
			t.Fatalf("%d audit entries for Ann's action", n)
		}

		// Ben's third complaint arrives by import: the seam acts on him.
		f.add(f.complaints, f.ben, "", 1, 0)
		if f.assigned(f.ben, "refresher") != 1 || f.count("recovery_actions", "employee_id = ?", f.ben.ID) != 1 {
			t.Fatal("Ben's import did not act")
		}

		// Ann's fourth complaint in the same run, and the scheduler's tick, do not act again.
		f.add(f.complaints, f.ann, "", 1, 0)
		f.svc.schedulerRun(f.ctx)
		if n := f.count("recovery_actions", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("Ann acted on %d times for one run", n)
		}

		// In the cool-down (30 days after her run's last day), three more complaints do not act.
		f.days(20)
		f.add(f.complaints, f.ann, "", 1, 2, 1, 0)
		if n := f.count("recovery_actions", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("Ann acted on %d times in the cool-down", n)
		}
		// An observation of Ann on the checklist answers the request.
		o, err := f.svc.Observations().StartObservation(f.ctx, "missed-promise-complaint", f.ann.ID, f.manager.ID)
		if err != nil {
			t.Fatal(err)
		}
		cl, err := f.svc.Observations().FindChecklist(f.ctx, "missed-promise-complaint")
		if err != nil {
			t.Fatal(err)
		}
		ratings := map[string]assessments.Rating{}
		for _, it := range cl.Checklist.Items {
			ratings[it.ID] = assessments.Fully
		}
		if _, err := f.svc.Observations().SaveDraft(f.ctx, o.ID, f.manager.ID, ratings, nil, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignOffObservation(f.ctx, o.ID, f.clock.Now(), Actor{ID: &f.manager.ID, Name: "Maya"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count("observation_requests", "employee_id = ? AND status = ? AND observation_id = ?", f.ann.ID, assessments.RequestDone, o.ID); n != 1 {
			t.Fatalf("%d requests done by the observation", n)
		}

		// After the cool-down a new run acts again, from the scheduler's tick.
		f.days(20) // Ann's first run ended 40 days ago, cool-down over; her complaints from 20 days ago are in cool-down
		f.add(f.complaints, f.ann, "", 1, 5, 3)
		events := func() int { return f.count("recovery_actions", "employee_id = ?", f.ann.ID) }
		if events() != 1 {
			t.Fatal("two complaints after the cool-down acted")
		}
		f.days(1)
		if err := f.svc.db.RunInTx(f.ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := outcomes.InsertEvents(ctx, tx, []outcomes.Event{{MeasureID: f.complaints.ID, EmployeeID: f.ann.ID, Day: f.today, Value: 1, CreatedAt: f.clock.Now()}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		f.svc.schedulerRun(f.ctx) // the tick, not the import, finds the new run
		if events() != 2 {
			t.Fatalf("Ann has %d actions after a new run past the cool-down, want 2", events())
		}
		// The refresher is still open: she is not assigned twice; a new request is made.
		if f.assigned(f.ann, "refresher") != 1 {
			t.Fatalf("Ann has %d refresher assignments", f.assigned(f.ann, "refresher"))
		}
		if n := f.count("observation_requests", "employee_id = ? AND status = ?", f.ann.ID, assessments.RequestOpen); n != 1 {
			t.Fatalf("%d open requests for Ann", n)
		}
		if n := f.count("recovery_actions", "employee_id = ?", f.outsider.ID); n != 0 {
			t.Fatalf("the outsider's spread-out complaints acted %d times", n)
		}
	})
}

func TestRecoveryArchivedProgrammeSkipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newRecoveryFixture(t, db)
		f.rule(RecoveryRuleInput{Measure: "csat", Threshold: 2, Days: 7, Programme: "old-refresher", Checklist: "irate-billing-error"})
		f.archive("old-refresher")
		// Two unsatisfied ratings (and a satisfied one) within a week.
		f.add(f.csat, f.ann, "", 0, 3, 1)
		f.add(f.csat, f.ann, "", 1, 2)
		if n := f.count("recovery_actions", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("%d actions", n)
		}
		if f.assigned(f.ann, "old-refresher") != 0 {
			t.Fatal("an archived programme was assigned")
		}
		if !strings.Contains(f.log.String(), "archived") {
			t.Fatalf("no log line for the skipped programme: %s", f.log.String())
		}
		if n := f.count("observation_requests", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("%d observation requests", n)
		}
		acts, err := f.svc.RecoveryActions(f.ctx, 10)
		if err != nil || len(acts) != 1 || !strings.Contains(acts[0].Detail, "not assigned: archived") {
			t.Fatalf("actions %+v %v", acts, err)
		}
		// Archiving the rule stops it.
		rules, err := f.svc.RecoveryRules(f.ctx, false)
		if err != nil || len(rules) != 1 {
			t.Fatal(rules, err)
		}
		if err := f.svc.ArchiveRecoveryRule(f.ctx, rules[0].ID, f.hr); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ArchiveRecoveryRule(f.ctx, rules[0].ID, f.hr); store.KindOf(err) != store.Conflict {
			t.Fatalf("archive twice: %v", err)
		}
		f.days(30)
		f.add(f.csat, f.ann, "", 0, 1, 0)
		if n := f.count("recovery_actions", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("an archived rule acted: %d actions", n)
		}
	})
}

// TestRecoveryProgrammeDeleted: HR may still delete a programme nobody was
// ever assigned when a rule names it; the rule keeps its checklist.
func TestRecoveryProgrammeDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newRecoveryFixture(t, db)
		f.rule(RecoveryRuleInput{Measure: "complaints", Threshold: 1, Days: 7, Programme: "old-refresher", Checklist: "irate-billing-error"})
		f.rule(RecoveryRuleInput{Measure: "complaints", Threshold: 1, Days: 7, Programme: "old-refresher"})
		if archived, err := f.svc.Courses().DeleteProgramme(f.ctx, "old-refresher", nil, "test"); err != nil || archived {
			t.Fatalf("delete: archived %v, %v", archived, err)
		}
		f.add(f.complaints, f.ann, "", 1, 0)
		if n := f.count("recovery_actions", "employee_id = ?", f.ann.ID); n != 1 {
			t.Fatalf("%d actions, want 1 (the rule with its checklist)", n)
		}
		if !strings.Contains(f.log.String(), "nothing to do") {
			t.Fatal("no log line for the rule left with nothing to do")
		}
	})
}
