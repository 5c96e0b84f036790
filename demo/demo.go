// Package demo builds sample data for trying the product. Load gives an
// empty database the demo organisation, Brightwater Services: 63 people and
// more than a year of history played through the training workflows and the
// scheduler with the clock set to each moment. LoadScale builds a large
// organisation instead (up to 100,000 people and years of history), each
// employee's history played in memory and written in bulk through the
// stores' row types. The small demo writes through training and the
// stores; the simulator decides with the same pure functions the stores
// decide with (courses.SettleCycle, CycleStatus, RecertOpens,
// RecertDueOn, ProgrammeReadiness, DecideReadiness, ExpiryOf;
// assessments.CertificateScore, StillFailed, DrawQuestions,
// Observation.ApplyResult). Attempt and Observation make quiz attempts and
// role-play observations for tests.
//
// Only main (academy demo, academy serve --demo) and tests import demo; it
// imports training and the domain packages, never app.
package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// Load fills an empty database with the demo organisation: its people,
// company text, and a year and more of history — programmes assigned by
// audience rules, courses read, quizzes taken, role-plays observed,
// recertifications — written through the same workflows (training) and
// scheduler as the pages, with the clock set to each moment, so every status the
// product knows appears: completed, expiring, expired, overdue, due soon,
// in progress, not started, extended. On a database that already has
// people it writes nothing and returns loaded=false with the logins.
// baseURL starts the certificates' verify links.
func Load(ctx context.Context, db *bun.DB, password, baseURL string) (info *Info, loaded bool, err error) {
	s, err := newLoader(db, baseURL, false)
	if err != nil {
		return nil, false, err
	}
	if info, loaded, err = loadPeople(ctx, s.people, s.clock, password); err != nil || !loaded {
		return info, loaded, err
	}
	if _, err := s.training.SyncBuiltins(ctx); err != nil {
		return nil, false, err
	}
	if err := loadCompany(ctx, s.courses); err != nil {
		return nil, false, err
	}
	s.courses.ForgetCompany()
	if _, err := s.training.RegeneratePromiseQuestions(ctx); err != nil { // the demo promises' facts, asked in the promises quiz
		return nil, false, err
	}
	cs, err := s.courses.CertificateSettings(ctx)
	if err != nil {
		return nil, false, err
	}
	cs.SignatoryName, cs.SignatoryTitle = "Priya Shah", "HR Manager, Brightwater Services"
	if err := s.courses.SaveCertificateSettings(ctx, cs, nil, "demo"); err != nil {
		return nil, false, err
	}
	d, err := newDemoHistory(ctx, s)
	if err != nil {
		return nil, false, err
	}
	defer s.clockAt(time.Time{})()
	if err := d.run(ctx); err != nil {
		return nil, false, fmt.Errorf("demo history: %w", err)
	}
	// The reminders of the last two weeks and today, as the scheduler would
	// have queued them each morning (the history's other notifications were
	// queued as it happened), so the outbox and the bells have some.
	for day := 14; day >= 0; day-- {
		at := d.now.AddDate(0, 0, -day)
		restore := s.clockAt(at)
		_, err := s.training.Remind(ctx, at)
		restore()
		if err != nil {
			return nil, false, fmt.Errorf("demo reminders: %w", err)
		}
	}
	return info, true, nil
}

// loader is what the demo writes through: a training service of its own,
// on a clock it sets to each moment it replays, and the service's stores.
type loader struct {
	db           *bun.DB
	training     *training.Service
	clock        *store.ManualClock
	people       *people.Store
	courses      *courses.Store
	quizzes      *assessments.Store
	observations *assessments.ObservationStore
}

// newLoader is a loader writing through training; quiet writes no
// notifications (the 100,000-person fixture).
func newLoader(db *bun.DB, baseURL string, quiet bool) (*loader, error) {
	clock := &store.ManualClock{}
	t, err := training.New(db, training.Options{BaseURL: baseURL, Clock: clock, Quiet: quiet})
	if err != nil {
		return nil, err
	}
	return &loader{db: db, training: t, clock: clock, people: t.People(), courses: t.Courses(), quizzes: t.Quizzes(),
		observations: t.Observations()}, nil
}

// clockAt sets every store's clock to t (the real clock when t is zero) and
// returns the function that restores the real clock. The demo loads alone.
func (s *loader) clockAt(t time.Time) func() {
	s.clock.Set(t)
	return func() { s.clock.Set(time.Time{}) }
}

// demoPerson is what the demo history needs of an employee.
type demoPerson struct {
	ID         int64
	Number     string
	Department string
	ManagerID  *int64
}

// demoHistory plays the demo's timeline.
type demoHistory struct {
	s      *loader
	now    time.Time
	people []demoPerson // active, by number
	events []demoEvent
}

// demoEvent is one thing that happens at a moment of the timeline.
type demoEvent struct {
	at time.Time
	n  int // keeps events at the same moment in the order they were added
	do func(ctx context.Context) error
}

func newDemoHistory(ctx context.Context, s *loader) (*demoHistory, error) {
	d := &demoHistory{s: s, now: time.Now().UTC().Truncate(time.Minute)}
	err := s.db.NewSelect().TableExpr("employees AS e").ColumnExpr("e.id, e.number, e.manager_id").
		ColumnExpr("COALESCE(dp.name, '') AS department").
		Join("LEFT JOIN departments AS dp ON dp.id = e.department_id").
		Where("e.active").OrderExpr("e.number").Scan(ctx, &d.people)
	return d, err
}

// day is the moment n days from now (negative: in the past), at 09:30 plus minutes.
func (d *demoHistory) day(n int, minutes int) time.Time {
	return d.now.AddDate(0, 0, n).Truncate(24 * time.Hour).Add(9*time.Hour + 30*time.Minute + time.Duration(minutes)*time.Minute)
}

func (d *demoHistory) at(t time.Time, do func(ctx context.Context) error) {
	d.events = append(d.events, demoEvent{at: t, n: len(d.events), do: do})
}

func (d *demoHistory) in(dept string) []demoPerson {
	var out []demoPerson
	for _, p := range d.people {
		if p.Department == dept {
			out = append(out, p)
		}
	}
	return out
}

// demoProgrammes are the programmes of the demo, each assigned by a rule.
func demoProgrammes() []courses.ProgrammeInput {
	c := func(slug string, required bool) courses.ProgrammeCourseInput {
		return courses.ProgrammeCourseInput{Slug: slug, Required: required}
	}
	return []courses.ProgrammeInput{
		{Slug: "induction", Title: "Induction: Mission, Vision and Service Promise",
			Description: "Everyone starts here: what we stand for, and the promises every customer can hold us to.",
			Due:         courses.DueRule{Kind: courses.DueAfterHire, Days: 30}, ValidityMonths: 24, RecertDays: 60,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("six-cs", false)}},
		{Slug: "field-service-excellence", Title: "Field Service Excellence",
			Description: "For engineers in customers' homes: recovering a failed visit, and keeping the times we give.",
			Due:         courses.DueRule{Kind: courses.DueAfterAssignment, Days: 60}, ValidityMonths: 12, RecertDays: 30, ShowScore: true,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("service-recovery", true), c("promises-timelines", true), c("internal-customer", false)}},
		{Slug: "front-desk-excellence", Title: "Front Desk Service Excellence",
			Description: "For the people customers meet first: putting things right on the spot, and handing over without dropping the ball.",
			Due:         courses.DueRule{Kind: courses.DueAfterAssignment, Days: 60}, ValidityMonths: 12, RecertDays: 30,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("service-recovery", true), c("internal-customer", false)}},
		{Slug: "contact-centre-excellence", Title: "Contact Centre Excellence",
			Description: "For advisors on the phone: resolution times, irate callers, and the customer's whole history.",
			Due:         courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30}, ValidityMonths: 12, RecertDays: 30,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("promises-timelines", true), c("empathy-difficult-customers", true), c("customer-world", false)}},
	}
}

// run schedules the timeline and plays it in order.
func (d *demoHistory) run(ctx context.Context) error {
	progs := demoProgrammes()
	depts := map[string]string{"field-service-excellence": "Field Service", "front-desk-excellence": "Front Desk",
		"contact-centre-excellence": "Contact Centre"}
	created := map[string]int{"induction": -400, "field-service-excellence": -400, "front-desk-excellence": -120, "contact-centre-excellence": -20}
	ceo := d.people[0].ID
	for _, p := range progs {
		p := p
		d.at(d.day(created[p.Slug], 0), func(ctx context.Context) error {
			if _, err := d.s.courses.CreateProgramme(ctx, p, nil, "demo"); err != nil {
				return fmt.Errorf("programme %s: %w", p.Slug, err)
			}
			var a courses.Audience
			if dept, ok := depts[p.Slug]; ok {
				id, err := d.departmentID(ctx, dept)
				if err != nil {
					return err
				}
				a.DepartmentID = &id
			} else {
				a.ManagerID = &ceo // everyone below the chief executive
			}
			_, err := d.s.courses.SaveRule(ctx, p.Slug, 0, a, true, nil, "demo")
			return err
		})
	}
	// The scheduler runs through the year, as it would every few minutes.
	for n := -399; n <= 0; n += 7 {
		d.at(d.day(n, 600), func(ctx context.Context) error { _, err := d.s.training.Tick(ctx); return err })
	}
	d.planField()
	d.planFrontDesk()
	d.planContactCentre()
	d.planOthers()

	slices.SortStableFunc(d.events, func(a, b demoEvent) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.n - b.n
	})
	for _, ev := range d.events {
		d.s.clockAt(ev.at)
		if err := ev.do(ctx); err != nil {
			return fmt.Errorf("at %s: %w", ev.at.Format(time.DateTime), err)
		}
	}
	// The last run of the scheduler, now.
	d.s.clockAt(d.now)
	if _, err := d.s.training.Tick(ctx); err != nil {
		return err
	}
	if err := d.certificateStories(ctx); err != nil {
		return err
	}
	// Decide everyone once more, as of now.
	if err := d.s.courses.RefreshAllReadiness(ctx); err != nil {
		return err
	}
	return d.loadOutcomes(ctx)
}

// certificateStories: HR revokes one certificate issued in error, and
// reissues one after a change of name (the first superseded).
func (d *demoHistory) certificateStories(ctx context.Context) error {
	list, _, err := d.s.courses.ListCertificates(ctx, courses.CertFilter{Status: courses.CertValid})
	if err != nil || len(list) < 2 {
		return err
	}
	hr, err := d.s.people.FindEmployeeByNumber(ctx, "BW1001")
	if err != nil {
		return err
	}
	actor := hr.Name() + " (" + hr.Number + ")"
	d.s.clockAt(d.now.Add(-26 * time.Hour))
	if _, err := d.s.courses.RevokeCertificate(ctx, list[len(list)-1].Code,
		"Issued in error: the role-play was recorded against the wrong employee.", &hr.ID, actor); err != nil {
		return err
	}
	// A change of name, then the certificate reissued under it.
	c := list[0]
	e, err := d.s.people.FindEmployee(ctx, c.EmployeeID)
	if err != nil {
		return err
	}
	d.s.clockAt(d.now.Add(-2 * time.Hour))
	in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName + "-Reid", Email: e.Email, JobTitle: e.JobTitle,
		Department: e.Department, Location: e.Location, ManagerNumber: e.ManagerNumber, HireDate: e.HireDate, Active: true, Roles: e.Roles}
	if _, err := d.s.people.SaveEmployee(ctx, in); err != nil {
		return err
	}
	_, err = d.s.courses.ReissueCertificate(ctx, c.Code, &hr.ID, actor)
	return err
}

func (d *demoHistory) departmentID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := d.s.db.NewSelect().TableExpr("departments").Column("id").Where("name = ?", name).Scan(ctx, &id)
	return id, err
}

// outcome is how a learner does on a course's assessments.
type outcome int

const (
	passes           outcome = iota // quiz and role-play passed at the first go
	passesSecondGo                  // the quiz failed once, then passed
	failsQuiz                       // read everything, quiz not passed yet
	failsCritical                   // quiz passed, role-play failed on a critical item (re-observation due)
	readsHalf                       // half the lessons read
	recoversCritical                // role-play failed on a critical item, passed at the re-observation
)

// takeCourse plays one employee taking one course from start, a few
// events spread over the following days.
func (d *demoHistory) takeCourse(p demoPerson, slug string, start time.Time, how outcome) {
	d.at(start, func(ctx context.Context) error { return d.read(ctx, p, slug, how == readsHalf) })
	if how == readsHalf {
		return
	}
	d.at(start.Add(26*time.Hour), func(ctx context.Context) error { return d.assess(ctx, p, slug, start.Add(26*time.Hour), how) })
	if how == recoversCritical {
		d.at(start.AddDate(0, 0, 15), func(ctx context.Context) error {
			return d.observe(ctx, p, slug, start.AddDate(0, 0, 15), Pass)
		})
	}
}

// read opens the course and completes its lessons (half of them, or all;
// for the mission course all, and the promises confirmed).
func (d *demoHistory) read(ctx context.Context, p demoPerson, slug string, half bool) error {
	s := d.s.courses
	c, err := s.FindCourse(ctx, slug)
	if err != nil {
		return err
	}
	o, en, err := s.Start(ctx, p.ID, c)
	if err != nil {
		return err
	}
	n := len(o.Lessons)
	if half {
		n = max(1, n/2)
	}
	for _, l := range o.Lessons[:n] {
		if _, _, err := d.s.training.CompleteLesson(ctx, en, l.ID); err != nil {
			return err
		}
		if err := s.Visit(ctx, en, l.ID); err != nil {
			return err
		}
	}
	if slug == courses.MissionCourse && !half {
		prof, err := s.CompanyProfile(ctx)
		if err != nil {
			return err
		}
		ids := make([]int64, len(prof.Promises))
		for i, pr := range prof.Promises {
			ids[i] = pr.ID
		}
		if _, err := d.s.training.AcknowledgePromises(ctx, p.ID, ids); err != nil {
			return err
		}
	}
	return nil
}

// assess takes the course's required quiz and role-play.
func (d *demoHistory) assess(ctx context.Context, p demoPerson, slug string, at time.Time, how outcome) error {
	c, err := d.s.courses.FindCourse(ctx, slug)
	if err != nil {
		return err
	}
	_, en, err := d.s.courses.VersionFor(ctx, p.ID, c)
	if err != nil || en == nil {
		return err
	}
	_, o, err := d.s.courses.PublishedOutline(ctx, slug)
	if err != nil {
		return err
	}
	for _, a := range o.Version.AssessmentList() {
		quiz, err := d.s.quizzes.FindQuiz(ctx, a)
		if err != nil {
			// A role-play checklist.
			res := Pass
			if how == failsCritical || how == recoversCritical {
				res = FailCritical
			} else if p.ID%3 == 0 {
				res = PassWithNA
			}
			if how == failsQuiz {
				continue
			}
			if err := d.observe(ctx, p, slug, at.Add(48*time.Hour), res); err != nil {
				return err
			}
			continue
		}
		plan := []bool{true}
		switch how {
		case passesSecondGo:
			plan = []bool{false, true}
		case failsQuiz:
			plan = []bool{false}
		}
		since := time.Time{}
		if en.AssessmentsFrom != nil {
			since = *en.AssessmentsFrom
		}
		t := at
		for _, right := range plan {
			d.s.clockAt(submittedAt(t))
			a, err := answered(ctx, d.s.quizzes, quiz.ID, p.ID, t, right, since)
			if err == nil {
				_, _, err = d.s.training.SubmitSaved(ctx, slug, a.ID, p.ID, submittedAt(t))
			}
			if err != nil {
				return fmt.Errorf("%s quiz: %w", p.Number, err)
			}
			t = t.Add(3 * time.Hour)
		}
	}
	return nil
}

// observe has the employee's manager observe the course's role-play.
func (d *demoHistory) observe(ctx context.Context, p demoPerson, slug string, at time.Time, res Outcome) error {
	if p.ManagerID == nil {
		return nil
	}
	_, o, err := d.s.courses.PublishedOutline(ctx, slug)
	if err != nil {
		return err
	}
	mgr, err := d.s.people.FindEmployee(ctx, *p.ManagerID)
	if err != nil {
		return err
	}
	by := training.Actor{ID: &mgr.ID, Name: mgr.Name() + " (" + mgr.Number + ")"}
	for _, a := range o.Version.AssessmentList() {
		if _, err := d.s.quizzes.FindQuiz(ctx, a); err == nil {
			continue
		}
		d.s.clockAt(signedOffAt(at))
		ob, err := draft(ctx, d.s.observations, a, p.ID, mgr.ID, at, res)
		if err == nil {
			ob, err = d.s.training.SignOffObservation(ctx, ob.ID, signedOffAt(at), by)
		}
		if err == nil && p.ID%2 == 0 {
			_, err = acknowledge(ctx, d.s.observations, ob, at)
		}
		if err != nil {
			return fmt.Errorf("%s observed on %s: %w", p.Number, a, err)
		}
	}
	return nil
}

// planField: engineers who completed a year and more ago (expired, or
// expiring with the recertification open), who recertified (the first
// certificate superseded), who completed recently, and who never finished.
func (d *demoHistory) planField() {
	for k, p := range d.in("Field Service") {
		courseSet := []string{courses.MissionCourse, "service-recovery", "promises-timelines"}
		switch k % 6 {
		case 0: // completed 380 days ago: expired, the recertification overdue
			d.takeAll(p, courseSet, -380, passes)
		case 1: // completed 350 days ago: expiring, recertification due soon
			d.takeAll(p, courseSet, -350, passesSecondGo)
		case 2: // completed 390 days ago and recertified 30 days ago
			d.takeAll(p, courseSet, -390, passes)
			d.takeAll(p, courseSet, -30, passes)
		case 3: // completed 200 days ago
			d.takeAll(p, courseSet, -200, recoversCritical)
		case 4: // the mission course only: overdue
			d.takeCourse(p, courses.MissionCourse, d.day(-300, 0), passes)
			d.takeCourse(p, "service-recovery", d.day(-290, 0), failsCritical)
		case 5: // overdue, and given an extension by their manager; one has started since
			if k%12 == 11 {
				d.takeCourse(p, courses.MissionCourse, d.day(-1, 0), readsHalf)
			}
			if p.ManagerID != nil {
				pp := p
				d.at(d.day(-3, 60), func(ctx context.Context) error { return d.extend(ctx, pp, "field-service-excellence", 21) })
			}
		}
	}
}

// planFrontDesk: the programme is four months old.
func (d *demoHistory) planFrontDesk() {
	for k, p := range d.in("Front Desk") {
		set := []string{courses.MissionCourse, "service-recovery"}
		switch k % 5 {
		case 0:
			d.takeAll(p, set, -100, passes)
		case 1:
			d.takeAll(p, set, -20, passesSecondGo)
		case 2: // the role-play failed on a critical item: re-observation due
			d.takeCourse(p, courses.MissionCourse, d.day(-90, 0), passes)
			d.takeCourse(p, "service-recovery", d.day(-30, 0), failsCritical)
		case 3: // read half of the second course: overdue
			d.takeCourse(p, courses.MissionCourse, d.day(-80, 0), passes)
			d.takeCourse(p, "service-recovery", d.day(-10, 0), readsHalf)
		case 4: // nothing: overdue
		}
	}
}

// planContactCentre: the programme was assigned twenty days ago, due in ten.
func (d *demoHistory) planContactCentre() {
	for k, p := range d.in("Contact Centre") {
		switch k % 4 {
		case 0:
			d.takeAll(p, []string{courses.MissionCourse, "promises-timelines", "empathy-difficult-customers"}, -18, passes)
		case 1: // in progress
			d.takeCourse(p, courses.MissionCourse, d.day(-16, 0), passes)
			d.takeCourse(p, "promises-timelines", d.day(-2, 0), readsHalf)
		case 2: // the quiz not passed yet
			d.takeCourse(p, courses.MissionCourse, d.day(-7, 0), failsQuiz)
		case 3: // not started
		}
	}
}

// planOthers: the head office takes the induction.
func (d *demoHistory) planOthers() {
	for k, p := range d.people[1:] {
		switch p.Department {
		case "Field Service", "Front Desk", "Contact Centre":
			continue
		}
		if k%3 != 2 {
			d.takeCourse(p, courses.MissionCourse, d.day(-300+k*20, 0), passes)
		}
	}
}

// takeAll takes the courses one after another from day n, a few days apart.
func (d *demoHistory) takeAll(p demoPerson, slugs []string, n int, how outcome) {
	for i, slug := range slugs {
		h := how
		if i < len(slugs)-1 && (how == failsCritical || how == recoversCritical) {
			h = passes // the last course carries the role-play story
		}
		d.takeCourse(p, slug, d.day(n+i*4, i*7), h)
	}
}

// extend has the employee's manager move the due date of their open cycle.
func (d *demoHistory) extend(ctx context.Context, p demoPerson, programme string, days int) error {
	pr, err := d.s.courses.FindProgramme(ctx, programme)
	if err != nil {
		return err
	}
	list, err := d.s.courses.AssignedProgrammes(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, pp := range list {
		if pp.Programme.ID != pr.ID || pp.Cycle.CompletedAt != nil {
			continue
		}
		loc, err := d.s.courses.Location(ctx)
		if err != nil {
			return err
		}
		due := courses.LocalDay(d.s.courses.Now(), loc).AddDate(0, 0, days).Format(time.DateOnly)
		_, err = d.s.courses.ExtendDue(ctx, pp.Cycle.ID, due, "Covering for a colleague on long-term leave; training moved with the team lead's agreement.", p.ManagerID, "demo")
		return err
	}
	return nil
}
