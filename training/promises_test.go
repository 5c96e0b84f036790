package training_test

import (
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// promiseBank returns the generated questions now current in the
// mission-vision-promise bank, by authored id.
func (c *chain) promiseBank() map[string]*assessments.BankQuestion {
	c.t.Helper()
	list, err := c.svc.Quizzes().ListQuestions(c.ctx, assessments.PromiseCourse)
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]*assessments.BankQuestion{}
	for _, bq := range list {
		if assessments.IsPromiseQuestion(&bq.Question) {
			out[bq.Question.ID] = bq
		}
	}
	return out
}

func (c *chain) savePromises(in []courses.PromiseInput) training.PromisesSaved {
	c.t.Helper()
	out, err := c.svc.SavePromises(c.ctx, in, training.Actor{ID: &c.manager.ID, Name: "Maya Chain (M1)"})
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

func threePromises() []courses.PromiseInput {
	return []courses.PromiseInput{
		{Text: "We call you back within 4 working hours.", Facts: courses.PromiseFacts{ClockStarts: "when the request is logged",
			DoneWhen: "we have spoken to you, or left a message with a name and number", TimeLimit: "4 working hours", KeptBy: "the contact centre"}},
		{Text: "An engineer visits by the end of the next working day.", Facts: courses.PromiseFacts{ClockStarts: "when the remote test confirms the fault",
			DoneWhen: "the engineer is at your door", TimeLimit: "the end of the next working day", Exclusions: "only in the areas we cover", KeptBy: "the field service team"}},
		{Text: "Refunds reach your account within 5 working days.", Facts: courses.PromiseFacts{ClockStarts: "when we receive the returned item",
			DoneWhen: "the money has left our account", TimeLimit: "5 working days", Exclusions: "not for items bought on finance", KeptBy: "the billing team"}},
	}
}

// TestPromiseQuestionsFollowThePromises: setting facts generates questions
// in the course's bank, and the course's quiz draws one; changing a fact
// replaces that promise's questions (a new version of the promise, which
// employees confirm again); retiring a promise retires its questions; the
// built-in sync at start keeps them as they are; clearing every fact takes
// them all out and the quiz still starts.
func TestPromiseQuestionsFollowThePromises(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		in := threePromises()
		saved := c.savePromises(in)
		if saved.Added != 3 || saved.Questions.Created != 14 || saved.Questions.Quizzes != 1 {
			t.Fatalf("first save: %+v", saved)
		}
		prof, err := c.svc.Courses().CompanyProfile(c.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(prof.Promises) != 3 || prof.Promises[1].Facts() != in[1].Facts {
			t.Fatalf("stored promises: %+v", prof.Promises)
		}
		ids := []int64{prof.Promises[0].ID, prof.Promises[1].ID, prof.Promises[2].ID}
		bank := c.promiseBank()
		if len(bank) != 14 {
			t.Fatalf("%d generated questions in the bank, want 14", len(bank))
		}
		clock0 := bank[assessments.PromiseQuestionID(ids[0], "clock")]
		if clock0 == nil || !strings.Contains(clock0.Question.GeneralFeedback, "when the request is logged") {
			t.Fatalf("question on the first promise's clock: %+v", clock0)
		}
		quiz, err := c.svc.Quizzes().FindQuiz(c.ctx, assessments.PromiseCourse+"-quiz")
		if err != nil {
			t.Fatal(err)
		}
		if quiz.DrawPerTag[assessments.PromiseTag] != 1 {
			t.Fatalf("the course's quiz draws %v", quiz.DrawPerTag)
		}
		n, err := db.NewSelect().TableExpr("audit_log").Where("action = ? AND detail LIKE ?", "company.promises", "%questions on our promises: 14 new%").Count(c.ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d audit entries for the regeneration (%v)", n, err)
		}

		// Saving the same promises again changes nothing.
		if again := c.savePromises(threePromises()); again.PromiseChanges.Any() || again.Questions.Any() {
			t.Fatalf("saved unchanged: %+v", again)
		}

		// A learner's attempt at the course's quiz draws a question on the
		// promises, in its current version.
		c.enrolment(assessments.PromiseCourse)
		drawn := func() int {
			t.Helper()
			a, err := c.svc.Quizzes().StartAttemptSince(c.ctx, quiz.ID, c.learner.ID, c.clock.Now().AddDate(-1, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.svc.Quizzes().AttemptView(c.ctx, a.ID, c.learner.ID)
			if err != nil {
				t.Fatal(err)
			}
			current := map[int64]bool{}
			for _, bq := range c.promiseBank() {
				current[bq.ID] = true
			}
			n := 0
			for _, sq := range v.Questions {
				if current[sq.ID] {
					n++
				}
			}
			if _, _, err := c.svc.SubmitAttempt(c.ctx, assessments.PromiseCourse, a.ID, c.learner.ID, nil, c.clock.Now()); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := drawn(); n < 1 {
			t.Fatalf("the attempt drew %d questions on the promises", n)
		}

		// Changing a fact: a new version of the promise and of its question.
		changed := threePromises()
		changed[0].ID = ids[0]
		changed[0].Facts.ClockStarts = "when you first contact us"
		saved = c.savePromises(changed)
		if saved.Changed != 1 || saved.Questions.Updated < 1 || saved.Questions.Retired != 0 {
			t.Fatalf("fact changed: %+v", saved)
		}
		prof, _ = c.svc.Courses().CompanyProfile(c.ctx)
		if prof.Promises[0].Version != 2 {
			t.Fatalf("the promise's version after a fact changed: %d", prof.Promises[0].Version)
		}
		bank = c.promiseBank()
		clock1 := bank[assessments.PromiseQuestionID(ids[0], "clock")]
		if clock1 == nil || clock1.ID == clock0.ID || clock1.Version != 2 || !strings.Contains(clock1.Question.GeneralFeedback, "when you first contact us") ||
			strings.Contains(clock1.Question.GeneralFeedback, "when the request is logged") {
			t.Fatalf("question after the fact changed: %+v", clock1)
		}
		var old int
		if err := db.NewSelect().TableExpr("questions").ColumnExpr("COUNT(*)").Where("id = ? AND is_current = ?", clock0.ID, false).Scan(c.ctx, &old); err != nil || old != 1 {
			t.Fatalf("the old version is still current (%d, %v)", old, err)
		}
		c.at(c.clock.Now().Add(time.Hour))
		if n := drawn(); n < 1 {
			t.Fatalf("after the change the attempt drew %d current questions on the promises", n)
		}

		// The built-in sync at start keeps them as they are.
		if _, err := c.svc.SyncBuiltins(c.ctx); err != nil {
			t.Fatal(err)
		}
		after := c.promiseBank()
		if len(after) != len(bank) {
			t.Fatalf("%d generated questions after the built-in sync, want %d", len(after), len(bank))
		}
		for id, bq := range bank {
			if after[id] == nil || after[id].ID != bq.ID {
				t.Fatalf("question %s rewritten by the built-in sync", id)
			}
		}

		// An author's edit of a generated question survives the sync at a
		// restart, and gives way to the next change of the promises.
		c.at(c.clock.Now().Add(time.Hour))
		keeper := assessments.PromiseQuestionID(ids[1], "keeper")
		edited := after[keeper].Question
		edited.GeneralFeedback += " Ask the duty manager who is on call."
		if _, err := c.svc.Quizzes().SaveQuestion(c.ctx, assessments.PromiseCourse, edited, &c.manager.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.SyncBuiltins(c.ctx); err != nil {
			t.Fatal(err)
		}
		if bq := c.promiseBank()[keeper]; bq == nil || !strings.Contains(bq.Question.GeneralFeedback, "duty manager") {
			t.Fatalf("the author's edit was undone by the sync at start: %+v", bq)
		}
		c.at(c.clock.Now().Add(time.Hour))
		changed[1].ID = ids[1]
		changed[1].Facts.KeptBy = "the engineers on the rota"
		c.savePromises(changed)
		if bq := c.promiseBank()[keeper]; bq == nil || strings.Contains(bq.Question.GeneralFeedback, "duty manager") ||
			!strings.Contains(bq.Question.GeneralFeedback, "the engineers on the rota") {
			t.Fatalf("the question after its promise changed: %+v", bq)
		}

		// Retiring the third promise retires its five questions.
		saved = c.savePromises(changed[:2])
		if saved.Removed != 1 || saved.Questions.Retired != 5 {
			t.Fatalf("promise retired: %+v", saved)
		}
		for id := range c.promiseBank() {
			if strings.HasPrefix(id, assessments.PromiseQuestionID(ids[2], "")) {
				t.Fatalf("question %s of the retired promise is still in the bank", id)
			}
		}

		// No facts left: no questions, no draw per tag, and the quiz starts.
		bare := []courses.PromiseInput{{ID: ids[0], Text: changed[0].Text}, {ID: ids[1], Text: changed[1].Text}}
		saved = c.savePromises(bare)
		if len(c.promiseBank()) != 0 || saved.Questions.Quizzes != 1 {
			t.Fatalf("facts cleared: %+v, %d questions left", saved, len(c.promiseBank()))
		}
		if quiz, _ = c.svc.Quizzes().FindQuiz(c.ctx, quiz.Slug); quiz.DrawPerTag[assessments.PromiseTag] != 0 {
			t.Fatalf("draw per tag with no questions: %v", quiz.DrawPerTag)
		}
		c.at(c.clock.Now().Add(time.Hour))
		if n := drawn(); n != 0 {
			t.Fatalf("drew %d questions on the promises after they were all retired", n)
		}
	})
}

// TestSavePromisesRefusesBadFacts: a fact too long or holding a control
// character is Invalid on that fact's field, and nothing is written.
func TestSavePromisesRefusesBadFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		for _, tc := range []struct {
			name  string
			facts courses.PromiseFacts
			field string
		}{
			{"too long", courses.PromiseFacts{KeptBy: strings.Repeat("x", courses.MaxFactRunes+1)}, "promise-0-keeper"},
			{"control character", courses.PromiseFacts{ClockStarts: "when\x00 logged"}, "promise-0-clock"},
		} {
			in := []courses.PromiseInput{{Text: "We answer every letter within a week.", Facts: tc.facts}}
			_, err := c.svc.SavePromises(c.ctx, in, training.Actor{Name: "test"})
			if store.KindOf(err) != store.Invalid || store.FieldOf(err) != tc.field {
				t.Fatalf("%s: %v (field %q), want Invalid on %s", tc.name, err, store.FieldOf(err), tc.field)
			}
		}
		if prof, _ := c.svc.Courses().CompanyProfile(c.ctx); len(prof.Promises) != 0 || len(c.promiseBank()) != 0 {
			t.Fatalf("written after a refusal: %+v", prof.Promises)
		}
	})
}
