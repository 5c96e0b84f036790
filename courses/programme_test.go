package courses_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// simpleCourse is a two-lesson course with no assessments.
func simpleCourse(t testing.TB, slug string) *courses.Source {
	t.Helper()
	fsys := fstest.MapFS{
		slug + "/course.yaml": {Data: []byte("slug: " + slug + "\ntitle: Course " + slug + "\nversion: 1\nestimated_minutes: 4\nsummary: S\ntags: [listening]\nprerequisites: []\nmodules:\n  - title: One\n    lessons: [one, two]\n")},
		slug + "/one.md":      {Data: []byte("---\ntitle: One\nminutes: 2\n---\nFirst.\n")},
		slug + "/two.md":      {Data: []byte("---\ntitle: Two\nminutes: 2\n---\nSecond.\n")},
	}
	src, err := courses.ParseCourse(fsys, slug)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}

// assessed stands in for the assessments in the courses' own tests (the
// training package adapts the real ones, and its tests drive the whole
// chain): the courses are told what a test sets.
type assessed struct {
	mu     sync.Mutex
	passed bool                                // every assessment passed
	score  *float64                            // a certificate's score
	fails  map[int64][]courses.CriticalFailure // role-plays failed on a critical item
}

func (a *assessed) Passed(_ context.Context, _ bun.IDB, _ int64, slugs []string, _ time.Time) (bool, []string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.passed || len(slugs) == 0 {
		return true, nil, nil
	}
	return false, slugs, nil
}

func (a *assessed) Score(context.Context, bun.IDB, int64, []string, *time.Time) (*float64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.score, nil
}

func (a *assessed) CriticalFailures(context.Context, bun.IDB, []int64) (map[int64][]courses.CriticalFailure, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fails == nil {
		return map[int64][]courses.CriticalFailure{}, nil
	}
	return a.fails, nil
}

// completeLesson completes a lesson in a transaction of its own, as
// training.CompleteLesson does.
func completeLesson(ctx context.Context, s *courses.Store, en *courses.Enrolment, lessonID int64) (c courses.Completion, done bool, err error) {
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c, done, err = s.CompleteLesson(ctx, tx, en, lessonID)
		return err
	})
	s.Forget(en)
	return c, done, err
}

// progFixture is a small organisation: a Front Desk manager with two
// reports (Leeds, Manchester) and a field engineer, three simple courses,
// a London time zone and a clock.
type progFixture struct {
	s            *courses.Store
	ppl          *people.Store
	clock        *clock
	assessed     *assessed
	mgr, a, b, c int64
	frontDesk    int64 // department id
	field        int64
}

func newProgFixture(t *testing.T, db *bun.DB) *progFixture {
	t.Helper()
	ctx := context.Background()
	f := &progFixture{ppl: people.NewStore(db), clock: &clock{}, assessed: &assessed{}}
	f.clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	f.s = courses.NewStore(db, f.assessed, courses.Options{Clock: f.clock})
	f.ppl.Now = f.clock.Now
	if _, err := f.s.SyncBuiltins(ctx, []*courses.Source{simpleCourse(t, "alpha"), simpleCourse(t, "beta"), simpleCourse(t, "gamma")}); err != nil {
		t.Fatal(err)
	}
	if err := people.PutSetting(ctx, db, courses.SettingTimeZone, "Europe/London", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.s.ForgetCompany()
	save := func(num, dept, loc, title, mgr string) int64 {
		res, err := f.ppl.SaveEmployee(ctx, people.EmployeeInput{Number: num, FirstName: "First", LastName: num, Email: num + "@example.com",
			Department: dept, Location: loc, JobTitle: title, ManagerNumber: mgr, HireDate: "2020-01-06", Active: true})
		if err != nil {
			t.Fatalf("save %s: %v", num, err)
		}
		return res.Employee.ID
	}
	f.mgr = save("M1", "Front Desk", "Leeds", "Front Desk Manager", "")
	f.a = save("A1", "Front Desk", "Leeds", "Receptionist", "M1")
	f.b = save("B1", "Front Desk", "Manchester", "Receptionist", "M1")
	f.c = save("C1", "Field Service", "Leeds", "Engineer", "")
	e, _ := f.ppl.FindEmployee(ctx, f.a)
	f.frontDesk = *e.DepartmentID
	e, _ = f.ppl.FindEmployee(ctx, f.c)
	f.field = *e.DepartmentID
	return f
}

// finish completes every lesson of a course for the employee (a real course completion).
func (f *progFixture) finish(t *testing.T, emp int64, slug string) {
	t.Helper()
	ctx := context.Background()
	c, err := f.s.FindCourse(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	o, en, err := f.s.Start(ctx, emp, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range o.Lessons {
		if _, _, err := completeLesson(ctx, f.s, en, l.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// status returns the employee's assignment of the programme and its status.
func (f *progFixture) status(t *testing.T, emp int64, slug string) *courses.ProgrammeProgress {
	t.Helper()
	list, err := f.s.AssignedProgrammes(context.Background(), emp)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Programme.Slug == slug {
			return p
		}
	}
	return nil
}

func programmeInput(slug string) courses.ProgrammeInput {
	return courses.ProgrammeInput{Slug: slug, Title: "Programme " + slug, Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
		ValidityMonths: 12, RecertDays: 30,
		Courses: []courses.ProgrammeCourseInput{{Slug: "alpha", Required: true}, {Slug: "beta", Required: true}, {Slug: "gamma"}}}
}

func TestProgrammeInputErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		tests := []struct {
			name  string
			edit  func(in *courses.ProgrammeInput)
			kind  store.Kind
			field string
		}{
			{"ErrNoRequiredCourse", func(in *courses.ProgrammeInput) { in.Courses = []courses.ProgrammeCourseInput{{Slug: "alpha"}} }, store.Invalid, "courses"},
			{"ErrNoCourses", func(in *courses.ProgrammeInput) { in.Courses = nil }, store.Invalid, "courses"},
			{"ErrUnknownCourse", func(in *courses.ProgrammeInput) {
				in.Courses = append(in.Courses, courses.ProgrammeCourseInput{Slug: "nope", Required: true})
			}, store.Invalid, "courses"},
			{"ErrCourseTwice", func(in *courses.ProgrammeInput) {
				in.Courses = append(in.Courses, courses.ProgrammeCourseInput{Slug: "alpha"})
			}, store.Invalid, "courses"},
			{"ErrDueDateInPast", func(in *courses.ProgrammeInput) { in.Due = courses.DueRule{Kind: courses.DueFixed, Date: "2026-11-30"} }, store.Invalid, "due_date"},
			{"ErrRecertWithoutValidity", func(in *courses.ProgrammeInput) { in.ValidityMonths = 0 }, store.Invalid, "recert_days"},
			{"ErrRecertLongerThanValidity", func(in *courses.ProgrammeInput) { in.ValidityMonths, in.RecertDays = 1, 40 }, store.Invalid, "recert_days"},
			{"ErrValidity", func(in *courses.ProgrammeInput) { in.ValidityMonths = 500 }, store.Invalid, "validity_months"},
			{"ErrSlug", func(in *courses.ProgrammeInput) { in.Slug = "Front Desk" }, store.Invalid, "slug"},
			{"ErrTitle", func(in *courses.ProgrammeInput) { in.Title = " " }, store.Invalid, "title"},
		}
		for _, tt := range tests {
			in := programmeInput("p")
			tt.edit(&in)
			_, err := f.s.CreateProgramme(ctx, in, nil, "test")
			if store.KindOf(err) != tt.kind || store.FieldOf(err) != tt.field {
				t.Errorf("%s: %v (field %q), want field %q", tt.name, err, store.FieldOf(err), tt.field)
			}
		}
		if list, _ := f.s.ListProgrammes(ctx, true); len(list) != 0 {
			t.Fatalf("a refused programme was stored: %d", len(list))
		}
		if _, err := f.s.CreateProgramme(ctx, programmeInput("p"), nil, "test"); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.CreateProgramme(ctx, programmeInput("p"), nil, "test")
		if store.KindOf(err) != store.Conflict || store.FieldOf(err) != "slug" {
			t.Fatalf("duplicate slug: %v", err)
		}
	})
}

// TestProgrammeLifecycle: assignment, completion through real course
// completions (counting courses done before), expiry, recertification,
// extensions, exemptions and deletion rules.
func TestProgrammeLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		p, err := f.s.CreateProgramme(ctx, programmeInput("fd"), nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != 1 || len(p.Courses) != 3 || p.Courses[0].Title != "Course alpha" || !slices.Equal(p.Required(), []string{"alpha", "beta"}) {
			t.Fatalf("created: %+v", p)
		}
		// B finished alpha before being assigned: it counts.
		f.finish(t, f.b, "alpha")

		// Dry run writes nothing.
		res, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a, f.b}}, true)
		if err != nil || len(res.Assigned) != 2 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		if f.status(t, f.a, "fd") != nil {
			t.Fatal("the dry run assigned")
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd"}, false); store.FieldOf(err) != "employees" {
			t.Fatalf("nobody named: %v", err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a},
			Due: &courses.DueRule{Kind: courses.DueFixed, Date: "2026-01-01"}}, false); store.FieldOf(err) != "due_date" {
			t.Fatalf("due in the past: %v", err)
		}
		res, err = f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a, f.b}}, false)
		if err != nil || len(res.Assigned) != 2 || len(res.AlreadyAssigned) != 0 {
			t.Fatalf("assign: %+v %v", res, err)
		}
		res, _ = f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a}}, false)
		if len(res.Assigned) != 0 || len(res.AlreadyAssigned) != 1 {
			t.Fatalf("assigning again: %+v", res)
		}
		pa := f.status(t, f.a, "fd")
		if pa.Status != courses.NotStarted || pa.Cycle.DueOn != "2026-12-31" || pa.Total != 2 || pa.Done != 0 {
			t.Fatalf("A after assignment: %s due %s %d/%d", pa.Status, pa.Cycle.DueOn, pa.Done, pa.Total)
		}
		pb := f.status(t, f.b, "fd")
		if pb.Status != courses.InProgress || pb.Done != 1 {
			t.Fatalf("B with alpha done before: %s %d/%d", pb.Status, pb.Done, pb.Total)
		}

		// Starting a course marks the cycle started; finishing both completes it.
		c, _ := f.s.FindCourse(ctx, "alpha")
		if _, _, err := f.s.Start(ctx, f.a, c); err != nil {
			t.Fatal(err)
		}
		if st := f.status(t, f.a, "fd").Status; st != courses.InProgress {
			t.Fatalf("A after starting a course: %s", st)
		}
		f.clock.Set(time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC))
		f.finish(t, f.a, "alpha")
		f.finish(t, f.a, "gamma") // optional: not needed
		if st := f.status(t, f.a, "fd").Status; st != courses.InProgress {
			t.Fatalf("A with one required course: %s", st)
		}
		f.finish(t, f.a, "beta")
		pa = f.status(t, f.a, "fd")
		if pa.Status != courses.Completed || pa.Cycle.CompletedAt == nil || pa.Cycle.ExpiresAt == nil {
			t.Fatalf("A after both courses: %+v", pa.Cycle)
		}
		if got := pa.Cycle.ExpiresAt.In(time.UTC).Format(time.DateTime); got != "2027-12-10 00:00:00" {
			t.Fatalf("expiry %s, want midnight of 10 December 2027 (London = UTC in winter)", got)
		}
		// The completing transaction recorded the programme completed, once, for A alone.
		var completed []string
		if err := db.NewSelect().TableExpr("audit_log").Column("subject").Where("action = ?", "programme.complete").
			OrderExpr("id").Scan(ctx, &completed); err != nil || !slices.Equal(completed, []string{"A1"}) {
			t.Fatalf("programme completions recorded for %v (%v)", completed, err)
		}
		// The same course completion counts for every programme containing it.
		if _, err := f.s.CreateProgramme(ctx, courses.ProgrammeInput{Slug: "alpha-only", Title: "Alpha only",
			Due: courses.DueRule{Kind: courses.DueNone}, Courses: []courses.ProgrammeCourseInput{{Slug: "alpha", Required: true}}}, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "alpha-only", EmployeeIDs: []int64{f.a}}, false); err != nil {
			t.Fatal(err)
		}
		if st := f.status(t, f.a, "alpha-only").Status; st != courses.Completed {
			t.Fatalf("a second programme with a course already done: %s", st)
		}

		// The clock: due soon, overdue (Tick moves them), an extension, an exemption.
		f.clock.Set(time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC)) // 14 days before 31 December
		rep, err := f.s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.StatusChanges[courses.DueSoon] != 1 || f.status(t, f.b, "fd").Status != courses.DueSoon {
			t.Fatalf("due soon: %v, B %s", rep, f.status(t, f.b, "fd").Status)
		}
		f.clock.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if _, err := f.s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		pb = f.status(t, f.b, "fd")
		if pb.Status != courses.Overdue {
			t.Fatalf("B after the due date: %s", pb.Status)
		}
		if again, _ := f.s.Tick(ctx); again.Changed() {
			t.Fatalf("a second tick changed something: %v", again)
		}
		if _, err := f.s.ExtendDue(ctx, pb.Cycle.ID, "2026-12-20", "sick", nil, "test"); store.FieldOf(err) != "due_on" {
			t.Fatalf("extension into the past: %v", err)
		}
		if _, err := f.s.ExtendDue(ctx, pb.Cycle.ID, "2027-02-15", " ", nil, "test"); store.FieldOf(err) != "reason" {
			t.Fatalf("extension without a reason: %v", err)
		}
		cy, err := f.s.ExtendDue(ctx, pb.Cycle.ID, "2027-02-15", "Off sick for three weeks", nil, "test")
		if err != nil || cy.Status != courses.InProgress || cy.DueOn != "2027-02-15" {
			t.Fatalf("extension: %+v %v", cy, err)
		}
		if pb = f.status(t, f.b, "fd"); len(pb.Extensions) != 1 || pb.Extensions[0].FromDue != "2026-12-31" || pb.Cycle.OriginalDueOn != "2026-12-31" {
			t.Fatalf("extension history: %+v", pb.Extensions)
		}
		if _, err := f.s.ExtendDue(ctx, pa.Cycle.ID, "2027-03-01", "x", nil, "test"); store.KindOf(err) != store.Conflict {
			t.Fatalf("extending a completed cycle: %v", err)
		}
		if cy, err = f.s.SetExempt(ctx, pb.Cycle.ID, true, "Works only on the night desk", nil, "test"); err != nil || cy.Status != courses.Exempt {
			t.Fatalf("exempt: %+v %v", cy, err)
		}
		if cy, err = f.s.SetExempt(ctx, pb.Cycle.ID, false, "", nil, "test"); err != nil || cy.Status != courses.InProgress {
			t.Fatalf("exemption lifted: %+v %v", cy, err)
		}

		// Recertification opens 30 days before the expiry, due the day before it.
		f.clock.Set(time.Date(2027, 11, 10, 0, 0, 0, 0, time.UTC))
		rep, err = f.s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Recertified != 1 {
			t.Fatalf("recertifications: %v", rep)
		}
		pa = f.status(t, f.a, "fd")
		if len(pa.Cycles) != 2 || pa.Cycle.Cycle != 2 || pa.Cycle.DueOn != "2027-12-09" || pa.Status != courses.Expiring || pa.Done != 0 {
			t.Fatalf("A's recertification: %d cycles, cycle %d due %s, status %s, %d done", len(pa.Cycles), pa.Cycle.Cycle, pa.Cycle.DueOn, pa.Status, pa.Done)
		}
		if pa.Cycles[0].Status != courses.Expiring {
			t.Fatalf("the first cycle stays in the history as %s", pa.Cycles[0].Status)
		}
		// The roster says the same (its status is worked out in SQL).
		roster, n, counts, err := f.s.Roster(ctx, p.ID, courses.RosterFilter{})
		if err != nil || n != 2 || counts[courses.Expiring] != 1 {
			t.Fatalf("roster: %d %v %v", n, counts, err)
		}
		for _, r := range roster {
			want := f.status(t, r.EmployeeID, "fd").Status
			if r.Status != want || (r.EmployeeID == f.a && (r.Cycle != 2 || r.CompletedAt == nil)) {
				t.Fatalf("roster row %+v, want status %s", r, want)
			}
		}
		if page, n, _, _ := f.s.Roster(ctx, p.ID, courses.RosterFilter{Status: courses.Expiring, Limit: 1}); n != 1 || len(page) != 1 || page[0].EmployeeID != f.a {
			t.Fatalf("expiring filter: %d %+v", n, page)
		}
		// The courses are taken again: progress reset, the old completion kept in the history.
		cp, err := f.s.ProgressIn(ctx, f.a, c)
		if err != nil || cp.LessonsDone != 0 || cp.Completed() {
			t.Fatalf("alpha after the retake reset: %+v %v", cp, err)
		}
		if again, _ := f.s.Tick(ctx); again.Recertified != 0 {
			t.Fatal("a second tick recertified again")
		}
		f.clock.Set(time.Date(2027, 11, 20, 0, 0, 0, 0, time.UTC))
		f.finish(t, f.a, "alpha")
		f.finish(t, f.a, "beta")
		pa = f.status(t, f.a, "fd")
		if pa.Status != courses.Completed || pa.Cycle.Cycle != 2 || pa.Cycle.ExpiresAt.Format(time.DateOnly) != "2028-11-20" {
			t.Fatalf("A recertified: %s cycle %d expires %v", pa.Status, pa.Cycle.Cycle, pa.Cycle.ExpiresAt)
		}
		tr, err := f.s.Transcript(ctx, f.a)
		if err != nil || len(tr.Completions) != 5 {
			t.Fatalf("transcript: %d completions %v", len(tr.Completions), err)
		}

		// A programme with open assignments cannot be deleted.
		if _, err := f.s.DeleteProgramme(ctx, "fd", nil, "test"); store.KindOf(err) != store.Conflict {
			t.Fatalf("delete with open assignments: %v", err)
		}
		if _, err := f.s.CreateProgramme(ctx, programmeInput("unused"), nil, "test"); err != nil {
			t.Fatal(err)
		}
		if archived, err := f.s.DeleteProgramme(ctx, "unused", nil, "test"); err != nil || archived {
			t.Fatalf("delete unused: %v %v", archived, err)
		}
		if _, err := f.s.FindProgramme(ctx, "unused"); !store.IsNotFound(err) {
			t.Fatalf("deleted programme still found: %v", err)
		}
	})
}

// TestAudienceRules: a rule assigns who matches (or only later joiners),
// movers in and out are assigned and closed, leavers are closed, manual
// assignments survive the rules, and previews say exactly what saving does.
func TestAudienceRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		newStarters := programmeInput("fd")
		newStarters.Due = courses.DueRule{Kind: courses.DueAfterHire, Days: 30}
		if _, err := f.s.CreateProgramme(ctx, newStarters, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SaveRule(ctx, "fd", 0, courses.Audience{}, true, nil, "test"); store.FieldOf(err) != "audience" {
			t.Fatalf("empty audience: %v", err)
		}
		fd := courses.Audience{DepartmentID: &f.frontDesk}
		pre, err := f.s.PreviewRule(ctx, "fd", 0, fd, true)
		if err != nil || len(pre.Assign) != 3 || pre.Match != 3 {
			t.Fatalf("preview: %+v %v", pre, err)
		}
		if f.status(t, f.a, "fd") != nil {
			t.Fatal("the preview assigned")
		}
		// C is assigned by hand first: the rule never closes that.
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.c}}, false); err != nil {
			t.Fatal(err)
		}
		ch, err := f.s.SaveRule(ctx, "fd", 0, fd, true, nil, "test")
		if err != nil || len(ch.Assign) != 3 {
			t.Fatalf("save: %+v %v", ch, err)
		}
		for _, id := range []int64{f.mgr, f.a, f.b, f.c} {
			if f.status(t, id, "fd") == nil {
				t.Fatalf("employee %d not assigned", id)
			}
		}
		if ev, err := f.s.EvaluateRules(ctx); err != nil || ev.Assigned+ev.Closed+ev.Leavers != 0 {
			t.Fatalf("re-evaluating changes nothing: %+v %v", ev, err)
		}
		// B moves to Field Service: closed. D joins Front Desk: assigned.
		move := func(num, dept string) {
			e, _ := f.ppl.FindEmployeeByNumber(ctx, num)
			in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName, Email: e.Email, Department: dept,
				Location: e.Location, JobTitle: e.JobTitle, ManagerNumber: e.ManagerNumber, HireDate: e.HireDate, Active: true}
			if _, err := f.ppl.SaveEmployee(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		move("B1", "Field Service")
		d, err := f.ppl.SaveEmployee(ctx, people.EmployeeInput{Number: "D1", FirstName: "New", LastName: "Starter", Email: "d1@example.com",
			Department: "Front Desk", Location: "Leeds", JobTitle: "Receptionist", ManagerNumber: "M1", HireDate: "2026-12-14", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		move("C1", "Field Service") // C was already there; manual stays anyway
		ev, err := f.s.EvaluateRules(ctx)
		if err != nil || ev.Assigned != 1 || ev.Closed != 1 {
			t.Fatalf("movers: %+v %v", ev, err)
		}
		if f.status(t, f.b, "fd") != nil {
			t.Fatal("B moved out but keeps the programme")
		}
		if pd := f.status(t, d.Employee.ID, "fd"); pd == nil || pd.Cycle.DueOn != "2027-01-13" {
			t.Fatalf("the new starter: %+v (want due 30 days after the hire date)", pd.Cycle)
		}
		if f.status(t, f.c, "fd") == nil {
			t.Fatal("C's manual assignment was closed by the rule")
		}
		// History kept: B's closed assignment is in the transcript.
		tr, _ := f.s.Transcript(ctx, f.b)
		if len(tr.Programmes) != 1 || tr.Programmes[0].Assignment.ClosedAt == nil {
			t.Fatalf("B's history: %+v", tr.Programmes)
		}
		// A leaves the company: every open assignment closes.
		if err := f.ppl.SetActive(ctx, f.a, false); err != nil {
			t.Fatal(err)
		}
		if ev, err = f.s.EvaluateRules(ctx); err != nil || ev.Leavers != 1 {
			t.Fatalf("leaver: %+v %v", ev, err)
		}
		// A rule for future joiners only: nobody now, the next joiner yes.
		leeds := f.locationID(t, ctx, "Leeds")
		if _, err := f.s.CreateProgramme(ctx, programmeInput("leeds"), nil, "test"); err != nil {
			t.Fatal(err)
		}
		ch, err = f.s.SaveRule(ctx, "leeds", 0, courses.Audience{LocationID: &leeds}, false, nil, "test")
		if err != nil || len(ch.Assign) != 0 || ch.Match == 0 {
			t.Fatalf("future-only rule: %+v %v", ch, err)
		}
		e, err := f.ppl.SaveEmployee(ctx, people.EmployeeInput{Number: "E1", FirstName: "Later", LastName: "Joiner", Email: "e1@example.com",
			Location: "Leeds", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if ev, err = f.s.EvaluateRules(ctx); err != nil || ev.ByRule["leeds"] != 1 || f.status(t, e.Employee.ID, "leeds") == nil {
			t.Fatalf("joiner after a future-only rule: %+v %v", ev, err)
		}
		if f.status(t, f.mgr, "leeds") != nil {
			t.Fatal("the future-only rule assigned someone already matching")
		}
		// Changing a rule's audience: preview and save agree.
		rules, _ := f.s.ListRules(ctx, mustProgramme(t, f.s, "fd").ID)
		line := courses.Audience{ManagerID: &f.mgr}
		pre, err = f.s.PreviewRule(ctx, "fd", rules[0].ID, line, true)
		if err != nil {
			t.Fatal(err)
		}
		ch, err = f.s.SaveRule(ctx, "fd", rules[0].ID, line, true, nil, "test")
		if err != nil || fmt.Sprint(ch.Assign, ch.Close) != fmt.Sprint(pre.Assign, pre.Close) {
			t.Fatalf("save %+v differs from its preview %+v (%v)", ch, pre, err)
		}
		// Deleting the rule closes what only it gave.
		pre, _ = f.s.PreviewDeleteRule(ctx, "fd", rules[0].ID)
		ch, err = f.s.DeleteRule(ctx, "fd", rules[0].ID, nil, "test")
		if err != nil || len(ch.Close) == 0 || fmt.Sprint(ch.Close) != fmt.Sprint(pre.Close) {
			t.Fatalf("delete rule: %+v (preview %+v) %v", ch, pre, err)
		}
		if f.status(t, f.c, "fd") == nil {
			t.Fatal("deleting the rule closed a manual assignment")
		}
	})
}

func (f *progFixture) locationID(t *testing.T, ctx context.Context, name string) int64 {
	t.Helper()
	list, err := f.ppl.ListOrg(ctx, people.Locations)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("no location %s", name)
	return 0
}

func mustProgramme(t *testing.T, s *courses.Store, slug string) *courses.Programme {
	t.Helper()
	p, err := s.FindProgramme(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProgrammeVersions: changing the required courses asks what happens to
// current cycles, previews the people each choice affects, and does it.
func TestProgrammeVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		two := courses.ProgrammeInput{Slug: "v", Title: "Versions", Due: courses.DueRule{Kind: courses.DueNone},
			Courses: []courses.ProgrammeCourseInput{{Slug: "alpha", Required: true}}}
		if _, err := f.s.CreateProgramme(ctx, two, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "v", EmployeeIDs: []int64{f.a, f.b, f.c}}, false); err != nil {
			t.Fatal(err)
		}
		f.finish(t, f.a, "alpha") // A complete
		f.finish(t, f.b, "alpha")
		f.finish(t, f.b, "beta") // B complete, and has beta already

		// Settings only: no new version, no policy needed.
		two.Title = "Versions renamed"
		p, err := f.s.UpdateProgramme(ctx, "v", two, "", nil, "test")
		if err != nil || p.Version != 1 || p.Title != "Versions renamed" {
			t.Fatalf("settings: %+v %v", p, err)
		}
		with := two
		with.Courses = append(with.Courses, courses.ProgrammeCourseInput{Slug: "beta", Required: true})
		pre, err := f.s.PreviewProgrammeChange(ctx, "v", with)
		if err != nil || !pre.CoursesChanged || !slices.Equal(pre.Added, []string{"beta"}) || pre.OpenCycles != 1 || pre.Reopened != 1 || pre.NewCycles != 3 {
			t.Fatalf("preview: %+v %v", pre, err)
		}
		if _, err := f.s.UpdateProgramme(ctx, "v", with, "", nil, "test"); store.FieldOf(err) != "policy" {
			t.Fatalf("no policy: %v", err)
		}
		p, err = f.s.UpdateProgramme(ctx, "v", with, courses.Reacknowledge, nil, "test")
		if err != nil || p.Version != 2 {
			t.Fatalf("reacknowledge: %+v %v", p, err)
		}
		if st := f.status(t, f.a, "v").Status; st != courses.NotStarted && st != courses.InProgress {
			t.Fatalf("A must take the added course: %s", st)
		}
		if st := f.status(t, f.b, "v").Status; st != courses.Completed {
			t.Fatalf("B had the added course already: %s", st)
		}
		// Keep: current cycles stay on version 2; a new assignment follows version 3.
		three := with
		three.Courses = append(three.Courses, courses.ProgrammeCourseInput{Slug: "gamma", Required: true})
		if p, err = f.s.UpdateProgramme(ctx, "v", three, courses.KeepCycles, nil, "test"); err != nil || p.Version != 3 {
			t.Fatalf("keep: %+v %v", p, err)
		}
		if pb := f.status(t, f.b, "v"); pb.Status != courses.Completed || pb.Total != 2 {
			t.Fatalf("B kept on version 2: %s %d courses", pb.Status, pb.Total)
		}
		// New cycle for everyone.
		pre, _ = f.s.PreviewProgrammeChange(ctx, "v", with)
		if p, err = f.s.UpdateProgramme(ctx, "v", with, courses.NewCycle, nil, "test"); err != nil || p.Version != 4 {
			t.Fatalf("new cycle: %+v %v", p, err)
		}
		for _, id := range []int64{f.a, f.b, f.c} {
			pp := f.status(t, id, "v")
			if pp.Cycle.Cycle != 2 || pp.Cycle.CompletedAt != nil {
				t.Fatalf("employee %d after a new cycle: cycle %d completed %v", id, pp.Cycle.Cycle, pp.Cycle.CompletedAt)
			}
		}
		if pre.NewCycles != 3 {
			t.Fatalf("the preview said %d new cycles", pre.NewCycles)
		}
	})
}

// TestSchedulersRace: two instances tick at once on one database; the
// lease lets one of them work, and the work is done once.
func TestSchedulersRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		in := programmeInput("fd")
		if _, err := f.s.CreateProgramme(ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a, f.b, f.c, f.mgr}}, false); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{f.a, f.b, f.c, f.mgr} {
			f.finish(t, id, "alpha")
			f.finish(t, id, "beta")
		}
		f.clock.Set(time.Date(2027, 11, 15, 0, 0, 0, 0, time.UTC)) // inside every recertification window
		var wg sync.WaitGroup
		held := make([]bool, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				inst := courses.NewStore(db, courses.NoAssessments, courses.Options{Clock: f.clock}) // a second app instance has its own store
				ok, err := store.TryLease(ctx, db, "scheduler", fmt.Sprintf("instance-%d", i), f.clock.Now(), time.Minute)
				if err != nil || !ok {
					errs[i] = err
					return
				}
				held[i] = true
				_, errs[i] = inst.Tick(ctx)
			}(i)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if held[0] == held[1] {
			t.Fatalf("lease held by %v: want exactly one instance", held)
		}
		n, err := db.NewSelect().Model((*courses.Cycle)(nil)).Where("cycle = 2").Count(ctx)
		if err != nil || n != 4 {
			t.Fatalf("%d second cycles, want 4 (%v)", n, err)
		}
		// The other instance runs after the lease expires, and finds nothing to do.
		f.clock.Set(f.clock.Now().Add(2 * time.Minute))
		ok, err := store.TryLease(ctx, db, "scheduler", "instance-late", f.clock.Now(), time.Minute)
		if err != nil || !ok {
			t.Fatalf("expired lease not taken over: %v %v", ok, err)
		}
		rep, err := f.s.Tick(ctx)
		if err != nil || rep.Recertified != 0 {
			t.Fatalf("second run: %+v %v", rep, err)
		}
		ok, _ = store.TryLease(ctx, db, "scheduler", "instance-0", f.clock.Now(), time.Minute)
		if ok {
			t.Fatal("a live lease was taken over")
		}
	})
}
