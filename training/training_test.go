package training_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// chain is a learner and their manager on a database holding the built-in
// catalogue, driven through training with the clock set by the test; no
// HTTP. Each course's quiz draws the two true-or-false questions the
// fixture adds to its bank, passed at 75%.
type chain struct {
	t                *testing.T
	ctx              context.Context
	svc              *training.Service
	clock            *store.ManualClock
	learner, manager *people.Employee
}

func newChain(t *testing.T, db *bun.DB) *chain {
	t.Helper()
	c := &chain{t: t, ctx: context.Background(), clock: &store.ManualClock{}}
	c.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := training.New(db, training.Options{BaseURL: "https://academy.example.com", Clock: c.clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	c.svc = svc
	if _, err := svc.SyncBuiltins(c.ctx); err != nil {
		t.Fatal(err)
	}
	save := func(number, first, manager string) *people.Employee {
		res, err := svc.People().SaveEmployee(c.ctx, people.EmployeeInput{Number: number, FirstName: first, LastName: "Chain",
			Email: strings.ToLower(first) + "@example.com", ManagerNumber: manager, HireDate: "2025-01-06", Active: true})
		if err != nil {
			t.Fatalf("save %s: %v", number, err)
		}
		return res.Employee
	}
	c.manager = save("M1", "Maya", "")
	c.learner = save("L1", "Leo", "M1")
	return c
}

// at sets the clock.
func (c *chain) at(t time.Time) { c.clock.Set(t) }

// programme creates a programme of the courses (all required), valid for
// 12 months with a 30-day recertification window and the score printed,
// and assigns it to the learner.
func (c *chain) programme(slug string, courseSlugs ...string) {
	c.t.Helper()
	in := courses.ProgrammeInput{Slug: slug, Title: "Programme " + slug, Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 60},
		ValidityMonths: 12, RecertDays: 30, ShowScore: true}
	for _, s := range courseSlugs {
		in.Courses = append(in.Courses, courses.ProgrammeCourseInput{Slug: s, Required: true})
	}
	if _, err := c.svc.Courses().CreateProgramme(c.ctx, in, &c.manager.ID, "test"); err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.svc.Courses().Assign(c.ctx, courses.AssignRequest{Programme: slug, EmployeeIDs: []int64{c.learner.ID}, Actor: "test"}, false); err != nil {
		c.t.Fatal(err)
	}
}

// quiz makes the course's quiz draw two true-or-false questions (both
// true) and pass at 75%, with any number of attempts.
func (c *chain) quiz(course string) *assessments.Quiz {
	c.t.Helper()
	tag := "chain-" + course
	for _, id := range []string{"tf-1", "tf-2"} {
		if _, err := c.svc.Quizzes().SaveQuestion(c.ctx, course, assessments.Question{ID: tag + "-" + id, Type: assessments.TrueFalse,
			Text: "Is " + id + " true?", Correct: true, Tags: []string{tag}}, nil); err != nil {
			c.t.Fatal(err)
		}
	}
	q, err := c.svc.Quizzes().FindQuiz(c.ctx, course+"-quiz")
	if err != nil {
		c.t.Fatal(err)
	}
	q.DrawCount, q.DrawPerTag, q.PassMark, q.AttemptLimit, q.MinWaitMinutes, q.TimeLimitMinutes = 2, map[string]int{tag: 2}, 75, 0, 0, 0
	if q, err = c.svc.Quizzes().SaveQuiz(c.ctx, q.QuizSettings); err != nil {
		c.t.Fatal(err)
	}
	return q
}

// enrolment is the learner's enrolment in the course, started if need be.
func (c *chain) enrolment(course string) (*courses.Outline, *courses.Enrolment) {
	c.t.Helper()
	co, err := c.svc.Courses().FindCourse(c.ctx, course)
	if err != nil {
		c.t.Fatal(err)
	}
	o, en, err := c.svc.Courses().Start(c.ctx, c.learner.ID, co)
	if err != nil {
		c.t.Fatal(err)
	}
	return o, en
}

// read completes every lesson of the course; it returns the last decision
// and whether a lesson completed the course.
func (c *chain) read(course string) (courses.Completion, bool) {
	c.t.Helper()
	o, en := c.enrolment(course)
	var comp courses.Completion
	completed := false
	for _, l := range o.Lessons {
		var done bool
		var err error
		if comp, done, err = c.svc.CompleteLesson(c.ctx, en, l.ID); err != nil {
			c.t.Fatalf("complete %s/%s: %v", course, l.Slug, err)
		}
		completed = completed || done
	}
	return comp, completed
}

// takeQuiz starts an attempt at the course's quiz (in the current round)
// and submits it with right answers right; it returns the attempt and
// whether the submission completed the course.
func (c *chain) takeQuiz(course string, q *assessments.Quiz, right int) (*assessments.Attempt, bool) {
	c.t.Helper()
	_, en := c.enrolment(course)
	var since time.Time
	if en.AssessmentsFrom != nil {
		since = *en.AssessmentsFrom
	}
	a, err := c.svc.Quizzes().StartAttemptSince(c.ctx, q.ID, c.learner.ID, since)
	if err != nil {
		c.t.Fatal(err)
	}
	v, err := c.svc.Quizzes().AttemptView(c.ctx, a.ID, c.learner.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	answers := map[int64]assessments.Response{}
	for i, sq := range v.Questions {
		answers[sq.ID] = assessments.Response{Choice: map[bool]string{true: "true", false: "false"}[i < right]}
	}
	a, completed, err := c.svc.SubmitAttempt(c.ctx, course, a.ID, c.learner.ID, answers, c.clock.Now())
	if err != nil {
		c.t.Fatal(err)
	}
	return a, completed
}

// observe has the manager observe the learner on the checklist and sign it
// off, failing the first critical item (Partly) when failCritical.
func (c *chain) observe(checklist string, failCritical bool) *assessments.Observation {
	c.t.Helper()
	obs := c.svc.Observations()
	cl, err := obs.FindChecklist(c.ctx, checklist)
	if err != nil {
		c.t.Fatal(err)
	}
	ratings := map[string]assessments.Rating{}
	failed := false
	for _, it := range cl.Checklist.Items {
		ratings[it.ID] = assessments.Fully
		if failCritical && it.Critical && !failed {
			ratings[it.ID], failed = assessments.Partly, true
		}
	}
	o, err := obs.StartObservation(c.ctx, checklist, c.learner.ID, c.manager.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := obs.SaveDraft(c.ctx, o.ID, c.manager.ID, ratings, nil, ""); err != nil {
		c.t.Fatal(err)
	}
	signed, err := c.svc.SignOffObservation(c.ctx, o.ID, c.clock.Now(), training.Actor{ID: &c.manager.ID, Name: "Maya Chain (M1)"})
	if err != nil {
		c.t.Fatal(err)
	}
	return signed
}

// readiness is the learner's stored readiness.
func (c *chain) readiness() *courses.ReadinessRow {
	c.t.Helper()
	r, err := c.svc.Courses().EmployeeReadiness(c.ctx, c.learner.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// progress is the learner's assignment of the programme.
func (c *chain) progress(slug string) *courses.ProgrammeProgress {
	c.t.Helper()
	list, err := c.svc.Courses().AssignedProgrammes(c.ctx, c.learner.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, pp := range list {
		if pp.Programme.Slug == slug {
			return pp
		}
	}
	c.t.Fatalf("no assignment of %s", slug)
	return nil
}

// certificates are the learner's programme certificates, newest first.
func (c *chain) certificates() []courses.Certificate {
	c.t.Helper()
	list, _, err := c.svc.Courses().ListCertificates(c.ctx, courses.CertFilter{EmployeeID: c.learner.ID})
	if err != nil {
		c.t.Fatal(err)
	}
	return list
}

// audited counts the audit entries of an action about the learner.
func (c *chain) audited(action string) int64 {
	c.t.Helper()
	n, err := c.svc.DB().NewSelect().TableExpr("audit_log").Where("action = ? AND subject = ?", action, c.learner.Number).Count(c.ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

// TestQuizPassedCompletesTheChain: lessons read, then the quiz passed,
// complete the course; the course completes the programme, whose
// certificate is issued with the quiz's score, and the learner is Ready —
// all in the submission's transaction.
func TestQuizPassedCompletesTheChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		q := c.quiz("six-cs")
		c.programme("basics", "six-cs")
		if r := c.readiness(); r.Status == courses.Ready {
			t.Fatalf("ready before any training: %+v", r)
		}
		comp, completed := c.read("six-cs")
		if completed || comp.LessonsDone != comp.LessonsTotal || len(comp.AssessmentsOutstanding) != 1 ||
			!strings.Contains(comp.AssessmentsOutstanding[0], "quiz") {
			t.Fatalf("lessons read, quiz outstanding: completed=%v %+v", completed, comp)
		}
		if st := c.progress("basics").Status; st != courses.InProgress {
			t.Fatalf("programme after the lessons: %s", st)
		}
		a, completed := c.takeQuiz("six-cs", q, 1) // 50%: not passed
		if completed || a.Passed == nil || *a.Passed {
			t.Fatalf("a failed attempt completed the course: %v %+v", completed, a)
		}
		c.at(c.clock.Now().Add(time.Hour))
		a, completed = c.takeQuiz("six-cs", q, 2)
		if !completed || a.Passed == nil || !*a.Passed || *a.Percent != 100 {
			t.Fatalf("the passed attempt: completed=%v %+v", completed, a)
		}
		// The same submission again changes nothing.
		if again, done, err := c.svc.SubmitAttempt(c.ctx, "six-cs", a.ID, c.learner.ID, nil, c.clock.Now()); err != nil || done || again.ID != a.ID {
			t.Fatalf("submitted again: %v %v", done, err)
		}
		pp := c.progress("basics")
		if pp.Status != courses.Completed || pp.Cycle.CompletedAt == nil || pp.Cycle.ExpiresAt == nil {
			t.Fatalf("programme after the quiz: %s %+v", pp.Status, pp.Cycle)
		}
		certs := c.certificates()
		if len(certs) != 1 || certs[0].Score == nil || *certs[0].Score != 100 || certs[0].Status(c.clock.Now()) != courses.CertValid ||
			certs[0].VerifyURL != "https://academy.example.com/verify/"+certs[0].Code {
			t.Fatalf("certificates: %+v", certs)
		}
		if r := c.readiness(); r.Status != courses.Ready || len(r.Reasons) != 0 {
			t.Fatalf("readiness after the programme: %+v", r)
		}
		if n := c.audited("programme.complete"); n != 1 {
			t.Fatalf("%d programme completions audited", n)
		}
	})
}

// TestCriticalRolePlay: a role-play failed on a critical item leaves the
// course incomplete and makes the learner Not ready, saying why; passed at
// the re-observation it completes the course and the programme: Ready.
func TestCriticalRolePlay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		q := c.quiz("internal-customer")
		c.programme("colleagues", "internal-customer")
		c.read("internal-customer")
		if _, completed := c.takeQuiz("internal-customer", q, 2); completed {
			t.Fatal("the quiz completed a course whose role-play is outstanding")
		}
		failed := c.observe("wrong-department-handover", true)
		if failed.Passed == nil || *failed.Passed || len(failed.FailedCritical) == 0 {
			t.Fatalf("the failed observation: %+v", failed)
		}
		r := c.readiness()
		if r.Status != courses.NotReady || len(r.Reasons) == 0 || r.Reasons[0].Kind != courses.ReasonCriticalFailed ||
			r.Reasons[0].Programme != failed.Checklist.Title || r.Reasons[0].Detail == "" {
			t.Fatalf("readiness after the failed role-play: %+v", r)
		}
		if st := c.progress("colleagues").Status; st == courses.Completed {
			t.Fatal("a failed role-play completed the programme")
		}
		c.at(c.clock.Now().AddDate(0, 0, 7))
		passed := c.observe("wrong-department-handover", false)
		if passed.Passed == nil || !*passed.Passed {
			t.Fatalf("the re-observation: %+v", passed)
		}
		if st := c.progress("colleagues").Status; st != courses.Completed {
			t.Fatalf("programme after the re-observation: %s", st)
		}
		if r := c.readiness(); r.Status != courses.Ready {
			t.Fatalf("readiness after the re-observation: %+v", r)
		}
		if n := c.audited("observation.signoff"); n != 2 {
			t.Fatalf("%d sign-offs audited, want 2", n)
		}
	})
}

// TestRecertification: a completed programme's recertification window
// opens on the scheduler's tick; the learner takes the course again (its
// lessons reset, a new round of quiz attempts) and the second cycle's
// certificate supersedes the first; Ready again.
func TestRecertification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		q := c.quiz("six-cs")
		c.programme("basics", "six-cs")
		c.read("six-cs")
		if _, completed := c.takeQuiz("six-cs", q, 2); !completed {
			t.Fatal("the first cycle did not complete")
		}
		first := c.progress("basics").Cycle
		// Twenty days before the expiry: inside the 30-day window.
		c.at(first.ExpiresAt.AddDate(0, 0, -20))
		rep, err := c.svc.Tick(c.ctx)
		if err != nil || rep.Recertified != 1 {
			t.Fatalf("tick: %+v %v", rep, err)
		}
		pp := c.progress("basics")
		if len(pp.Cycles) != 2 || pp.Cycle.Cycle != 2 || pp.Status != courses.Expiring || !pp.Recertifying() {
			t.Fatalf("after the window opened: %s, %d cycles", pp.Status, len(pp.Cycles))
		}
		if r := c.readiness(); r.Status != courses.AtRisk {
			t.Fatalf("readiness while recertifying: %+v", r)
		}
		comp, completed := c.read("six-cs")
		if completed || len(comp.AssessmentsOutstanding) != 1 {
			t.Fatalf("the old quiz pass counted again: completed=%v %+v", completed, comp)
		}
		c.at(c.clock.Now().Add(time.Hour))
		if a, completed := c.takeQuiz("six-cs", q, 2); !completed || a.Number != 2 {
			t.Fatalf("the second round: completed=%v attempt %d", completed, a.Number)
		}
		pp = c.progress("basics")
		if pp.Status != courses.Completed || pp.Cycle.Cycle != 2 || !pp.Cycle.ExpiresAt.After(*first.ExpiresAt) {
			t.Fatalf("after recertifying: %s %+v", pp.Status, pp.Cycle)
		}
		certs := c.certificates()
		if len(certs) != 2 || certs[0].Status(c.clock.Now()) != courses.CertValid || certs[1].Status(c.clock.Now()) != courses.CertSuperseded {
			t.Fatalf("certificates: %+v", certs)
		}
		if r := c.readiness(); r.Status != courses.Ready {
			t.Fatalf("readiness after recertifying: %+v", r)
		}
	})
}

// TestEssayGraded: a quiz with an essay waits for its grade; the assessor's
// grade passes it and completes the course and the programme in the
// grade's transaction, with the audit entry.
func TestEssayGraded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		quizzes := c.svc.Quizzes()
		if _, err := quizzes.SaveQuestion(c.ctx, "six-cs", assessments.Question{ID: "chain-essay", Type: assessments.Essay,
			Text: "Describe a service failure you put right.", Tags: []string{"chain-essay"}}, nil); err != nil {
			t.Fatal(err)
		}
		q, err := quizzes.FindQuiz(c.ctx, "six-cs-quiz")
		if err != nil {
			t.Fatal(err)
		}
		q.DrawCount, q.DrawPerTag, q.PassMark, q.AttemptLimit, q.MinWaitMinutes = 1, map[string]int{"chain-essay": 1}, 50, 0, 0
		if _, err := quizzes.SaveQuiz(c.ctx, q.QuizSettings); err != nil {
			t.Fatal(err)
		}
		c.programme("basics", "six-cs")
		c.read("six-cs")
		a, err := quizzes.StartAttempt(c.ctx, q.ID, c.learner.ID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := quizzes.AttemptView(c.ctx, a.ID, c.learner.ID)
		if err != nil {
			t.Fatal(err)
		}
		a, completed, err := c.svc.SubmitAttempt(c.ctx, "six-cs", a.ID, c.learner.ID,
			map[int64]assessments.Response{v.Questions[0].ID: {Text: "I said sorry at once, then fixed it."}}, c.clock.Now())
		if err != nil || completed || a.Passed != nil || a.PendingGrading != 1 {
			t.Fatalf("submitted with an essay: completed=%v %v %+v", completed, err, a)
		}
		pending, err := quizzes.PendingEssays(c.ctx, assessments.EssayFilter{EmployeeIDs: []int64{c.learner.ID}})
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending essays: %v %v", pending, err)
		}
		if _, _, err := c.svc.GradeEssay(c.ctx, &pending[0], 80, "", training.Actor{Name: "token"}); store.KindOf(err) != store.Forbidden {
			t.Fatalf("graded by a token: %v", err)
		}
		a, completed, err = c.svc.GradeEssay(c.ctx, &pending[0], 80, "Good example.", training.Actor{ID: &c.manager.ID, Name: "Maya Chain (M1)"})
		if err != nil || !completed || a.Passed == nil || !*a.Passed {
			t.Fatalf("graded: completed=%v %v %+v", completed, err, a)
		}
		if st := c.progress("basics").Status; st != courses.Completed {
			t.Fatalf("programme after the grade: %s", st)
		}
		if r := c.readiness(); r.Status != courses.Ready {
			t.Fatalf("readiness after the grade: %+v", r)
		}
		if n := c.audited("essay.grade"); n != 1 {
			t.Fatalf("%d grades audited", n)
		}
	})
}
