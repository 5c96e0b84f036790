package assessments_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// rightAnswer answers a quizBank question (as shown) for full marks.
func rightAnswer(t *testing.T, sq assessments.ShownQuestion) assessments.Response {
	t.Helper()
	var r assessments.Response
	switch sq.Type {
	case assessments.SingleChoice, assessments.MissingWord, assessments.MultipleResponse:
		for _, o := range sq.Options {
			if strings.HasPrefix(o.Text, "RIGHT") {
				r.Choice = o.ID
				r.Choices = append(r.Choices, o.ID)
			}
		}
		if sq.Type == assessments.MultipleResponse {
			r.Choice = ""
		} else {
			r.Choices = nil
		}
	case assessments.TrueFalse:
		r.Choice = "true"
	case assessments.ShortAnswer:
		r.Text = "  Bonjour-Secret "
	case assessments.Numeric:
		r.Text = "4217,6"
	case assessments.Matching:
		r.Matches = map[string]string{}
		for _, l := range sq.Lefts {
			for _, rt := range sq.Rights {
				if rt.Text == matchingKey[l.Text] {
					r.Matches[l.ID] = rt.ID
				}
			}
		}
	case assessments.Ordering:
		items := slices.Clone(sq.Options)
		sort.Slice(items, func(i, j int) bool { return items[i].Text < items[j].Text })
		for _, o := range items {
			r.Order = append(r.Order, o.ID)
		}
	case assessments.Essay:
		r.Text = "I listened, apologised and fixed it."
	default:
		t.Fatalf("no right answer for %s", sq.Type)
	}
	return r
}

// wrongAnswer answers a quizBank question (as shown) for no marks.
func wrongAnswer(sq assessments.ShownQuestion) assessments.Response {
	var r assessments.Response
	switch sq.Type {
	case assessments.SingleChoice, assessments.MissingWord:
		r.Choice = sq.Options[slices.IndexFunc(sq.Options, func(o assessments.ShownOption) bool { return !strings.HasPrefix(o.Text, "RIGHT") })].ID
	case assessments.MultipleResponse:
		for _, o := range sq.Options {
			r.Choices = append(r.Choices, o.ID) // the -100 option cancels the rest
		}
	case assessments.TrueFalse:
		r.Choice = "false"
	case assessments.Matching:
		r.Matches = map[string]string{}
	default:
		r.Text = "no idea"
	}
	return r
}

// answerAll saves an answer to every question of the attempt.
func answerAll(t *testing.T, s *assessments.Store, a *assessments.Attempt, emp int64, now time.Time, right bool) {
	t.Helper()
	v, err := s.AttemptView(context.Background(), a.ID, emp)
	if err != nil {
		t.Fatal(err)
	}
	for _, sq := range v.Questions {
		r := wrongAnswer(sq)
		if right {
			r = rightAnswer(t, sq)
		}
		if err := s.SaveAnswer(context.Background(), a.ID, emp, sq.ID, r, now); err != nil {
			t.Fatalf("answer %d (%s): %v", sq.Number, sq.Type, err)
		}
	}
}

// takeQuiz starts an attempt, answers every question and submits.
func takeQuiz(t *testing.T, s *assessments.Store, clock *quizClock, quizID, emp int64, right bool) *assessments.Attempt {
	t.Helper()
	a, err := s.StartAttempt(context.Background(), quizID, emp)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	answerAll(t, s, a, emp, clock.Now(), right)
	a, err = s.SubmitAttempt(context.Background(), a.ID, emp, clock.Now(), nil)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return a
}

func viewJSON(t *testing.T, s *assessments.Store, attemptID, emp int64) string {
	t.Helper()
	v, err := s.AttemptView(context.Background(), attemptID, emp)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStartAttemptResumes: a reload (starting again) returns the same
// attempt with the same questions in the same order and the saved answers;
// a full-marks attempt passes; per-tag draws and a too-small bank.
func TestStartAttemptResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank())
		emp := quizEmployee(t, db, "E1")
		qs := quizSettings("shuffled", len(quizBank()))
		qs.ShuffleQuestions, qs.ShuffleOptions = true, true
		qz := mustSaveQuiz(t, s, qs)

		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil || a.Number != 1 || a.Deadline != nil || a.Submitted() {
			t.Fatalf("start: %v %+v", err, a)
		}
		first := viewJSON(t, s, a.ID, emp)
		again, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil || again.ID != a.ID || !reflect.DeepEqual(again.Draw, a.Draw) {
			t.Fatalf("reload started another attempt or another draw: %v %+v", err, again)
		}
		if second := viewJSON(t, s, a.ID, emp); second != first {
			t.Fatalf("the reload shows something else:\n%s\n%s", first, second)
		}
		v, _ := s.AttemptView(ctx, a.ID, emp)
		if len(v.Questions) != len(quizBank()) {
			t.Fatalf("drew %d questions", len(v.Questions))
		}
		for _, sq := range v.Questions {
			if sq.Type == assessments.Ordering && slices.IsSortedFunc(sq.Options, func(x, y assessments.ShownOption) int { return strings.Compare(x.Text, y.Text) }) {
				t.Fatal("ordering items are shown in their correct order")
			}
		}
		// An answer saved is shown on resume, in the ids shown.
		r := rightAnswer(t, v.Questions[0])
		if err := s.SaveAnswer(ctx, a.ID, emp, v.Questions[0].ID, r, clock.Now()); err != nil {
			t.Fatal(err)
		}
		v, _ = s.AttemptView(ctx, a.ID, emp)
		if got := v.Questions[0].Answer; got == nil || (got.Choice != r.Choice || !slices.Equal(got.Choices, r.Choices) ||
			!slices.Equal(got.Order, r.Order) || len(got.Matches) != len(r.Matches)) {
			t.Fatalf("saved answer shown as %+v, saved %+v", got, r)
		}
		if v.Questions[1].Answer != nil {
			t.Fatal("an unanswered question shows an answer")
		}
		answerAll(t, s, a, emp, clock.Now(), true)
		a, err = s.SubmitAttempt(ctx, a.ID, emp, clock.Now(), nil)
		if err != nil || a.Percent == nil || *a.Percent != 100 || a.Passed == nil || !*a.Passed || a.Late {
			t.Fatalf("all right: %v %+v", err, a)
		}

		// Per tag: both questions tagged "promises" are in every draw of 3.
		qs = quizSettings("per-tag", 3)
		qs.DrawPerTag = map[string]int{"promises": 2}
		tagged := mustSaveQuiz(t, s, qs)
		for i := range 3 {
			e := quizEmployee(t, db, "T"+string(rune('0'+i)))
			a, err := s.StartAttempt(ctx, tagged.ID, e)
			if err != nil {
				t.Fatal(err)
			}
			js := viewJSON(t, s, a.ID, e)
			if len(a.Draw) != 3 || !strings.Contains(js, "Which promise do you make?") || !strings.Contains(js, "call-back note") {
				t.Fatalf("per-tag draw: %s", js)
			}
		}
		qs = quizSettings("too-many", 2)
		qs.DrawPerTag = map[string]int{"empathy": 2}
		mustSaveQuiz(t, s, qs)
		if err := s.RetireQuestion(ctx, bankCourse, "tf"); err != nil {
			t.Fatal(err)
		}
		tooMany, _ := s.FindQuiz(ctx, "too-many")
		_, err = s.StartAttempt(ctx, tooMany.ID, emp)
		wantQuizErr(t, err, store.Conflict, `tagged "empathy"`)
		big := mustSaveQuiz(t, s, quizSettings("big", 50))
		_, err = s.StartAttempt(ctx, big.ID, emp)
		wantQuizErr(t, err, store.Conflict, "draws 50 questions")
		_, err = s.StartAttempt(ctx, 999999, emp)
		wantQuizErr(t, err, store.NotFound, "")
	})
}

// TestAttemptLimitConcurrent: ten tabs starting and submitting at once
// never get more attempts than the limit.
func TestAttemptLimitConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank()[:2])
		emp := quizEmployee(t, db, "E1")
		qs := quizSettings("limited", 2)
		qs.AttemptLimit = 2
		qz := mustSaveQuiz(t, s, qs)

		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 10 {
			wg.Go(func() {
				for {
					a, err := s.StartAttempt(ctx, qz.ID, emp)
					if store.KindOf(err) == store.Conflict && strings.Contains(store.MessageOf(err), "used all 2") {
						return
					} else if err != nil {
						errs <- err
						return
					}
					if _, err := s.SubmitAttempt(ctx, a.ID, emp, clock.Now(), nil); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent start: %v", err)
		}
		list, err := s.ListAttempts(ctx, emp)
		if err != nil || len(list) != 2 {
			t.Fatalf("want exactly 2 attempts, got %d: %v", len(list), err)
		}
		_, err = s.StartAttempt(ctx, qz.ID, emp)
		wantQuizErr(t, err, store.Conflict, "used all 2 attempts")
	})
}

// TestMinimumWait: the next attempt starts only once the wait has passed.
func TestMinimumWait(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank()[:2])
		emp := quizEmployee(t, db, "E1")
		qs := quizSettings("wait", 2)
		qs.MinWaitMinutes = 30
		qz := mustSaveQuiz(t, s, qs)
		takeQuiz(t, s, clock, qz.ID, emp, false)
		clock.Add(10 * time.Minute)
		_, err := s.StartAttempt(ctx, qz.ID, emp)
		wantQuizErr(t, err, store.Conflict, "in 20 minutes")
		clock.Add(20 * time.Minute)
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil || a.Number != 2 {
			t.Fatalf("after the wait: %v %+v", err, a)
		}
	})
}

// TestDeadline: an answer saved before the deadline counts, one after it is
// refused, and a late submission is scored on what was saved and marked late.
func TestDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank()[:3]) // sc, mr, tf
		emp := quizEmployee(t, db, "E1")
		qs := quizSettings("timed", 3)
		qs.TimeLimitMinutes = 10
		qz := mustSaveQuiz(t, s, qs)
		start := clock.Now()
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil || a.Deadline == nil || !a.Deadline.Equal(start.Add(10*time.Minute)) {
			t.Fatalf("deadline: %v %+v", err, a)
		}
		v, _ := s.AttemptView(ctx, a.ID, emp)
		if v.Deadline == nil {
			t.Fatal("the view has no deadline")
		}
		q := v.Questions
		if err := s.SaveAnswer(ctx, a.ID, emp, q[0].ID, rightAnswer(t, q[0]), start.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAnswer(ctx, a.ID, emp, q[1].ID, rightAnswer(t, q[1]), start.Add(10*time.Minute)); err != nil {
			t.Fatalf("an answer saved at the deadline: %v", err)
		}
		err = s.SaveAnswer(ctx, a.ID, emp, q[2].ID, rightAnswer(t, q[2]), start.Add(10*time.Minute+time.Second))
		wantQuizErr(t, err, store.Conflict, "Time is up")
		// The learner reloads after the deadline: the same attempt, to be submitted.
		clock.Add(11 * time.Minute)
		if again, err := s.StartAttempt(ctx, qz.ID, emp); err != nil || again.ID != a.ID {
			t.Fatalf("start after the deadline: %v", err)
		}
		a, err = s.SubmitAttempt(ctx, a.ID, emp, start.Add(12*time.Minute), nil)
		if err != nil || !a.Late || *a.Score != 2 || *a.MaxScore != 3 || *a.Passed {
			t.Fatalf("late submit: %v %+v score %v", err, a, *a.Score)
		}
	})
}

// TestDoubleSubmit: submitting from several tabs at once scores once.
func TestDoubleSubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank())
		emp := quizEmployee(t, db, "E1")
		qz := mustSaveQuiz(t, s, quizSettings("double", len(quizBank())))
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		answerAll(t, s, a, emp, clock.Now(), true)
		var scored atomic.Int32
		onScored := func(ctx context.Context, tx bun.IDB, a *assessments.Attempt) error {
			scored.Add(1)
			return nil
		}
		results := make([]*assessments.Attempt, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				results[i], errs[i] = s.SubmitAttempt(ctx, a.ID, emp, clock.Now(), onScored)
			})
		}
		wg.Wait()
		for i := range results {
			if errs[i] != nil || results[i].Percent == nil || *results[i].Percent != 100 {
				t.Fatalf("submit %d: %v %+v", i, errs[i], results[i])
			}
		}
		if n := scored.Load(); n != 1 {
			t.Fatalf("scored %d times", n)
		}
		err = s.SaveAnswer(ctx, a.ID, emp, a.Draw[0].QuestionID, assessments.Response{}, clock.Now())
		wantQuizErr(t, err, store.Conflict, "submitted")
	})
}

// TestAttemptGuards: someone else's attempt is not found; answers to
// questions not drawn, and option ids the question did not show, are invalid.
func TestAttemptGuards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank())
		emp, other := quizEmployee(t, db, "E1"), quizEmployee(t, db, "E2")
		qz := mustSaveQuiz(t, s, quizSettings("guards", len(quizBank())))
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := s.AttemptView(ctx, a.ID, emp)
		byType := map[assessments.Type]assessments.ShownQuestion{}
		for _, sq := range v.Questions {
			byType[sq.Type] = sq
		}
		sq := byType[assessments.TrueFalse]
		now := clock.Now()

		// Someone else's attempt, or a made-up one.
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, other, sq.ID, assessments.Response{Choice: "true"}, now), store.NotFound, "")
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID+1000, emp, sq.ID, assessments.Response{Choice: "true"}, now), store.NotFound, "")
		_, err = s.AttemptView(ctx, a.ID, other)
		wantQuizErr(t, err, store.NotFound, "")
		_, err = s.FindAttempt(ctx, a.ID, other)
		wantQuizErr(t, err, store.NotFound, "")
		_, err = s.SubmitAttempt(ctx, a.ID, other, now, nil)
		wantQuizErr(t, err, store.NotFound, "")
		_, err = s.Review(ctx, a.ID, other)
		wantQuizErr(t, err, store.NotFound, "")

		// A question that is not in the attempt.
		// Questions that are not in the attempt: one added, and a new version, after it started.
		extra, err := s.SaveQuestion(ctx, bankCourse, assessments.Question{Type: assessments.TrueFalse, Text: "Added later."}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tf2 := quizBank()[2]
		tf2.Correct = false
		tf2row, err := s.SaveQuestion(ctx, bankCourse, tf2, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{extra.ID, tf2row.ID} {
			wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, id, assessments.Response{Choice: "true"}, now), store.Invalid, "not part of this attempt")
		}
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, 999999, assessments.Response{}, now), store.Invalid, "not part of this attempt")

		// Ids the question did not show: out of range, authored ids, junk.
		mw := byType[assessments.MissingWord]
		for _, id := range []string{"9", "0", "a", "01", " 1"} {
			err := s.SaveAnswer(ctx, a.ID, emp, mw.ID, assessments.Response{Choice: id}, now)
			wantQuizErr(t, err, store.Invalid, "not one of this question's options")
		}
		ord := byType[assessments.Ordering]
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, ord.ID, assessments.Response{Order: []string{"1", "2", "3", "5"}}, now), store.Invalid, "")
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, ord.ID, assessments.Response{Order: []string{"1", "1", "2", "3"}}, now), store.Invalid, "twice")
		match := byType[assessments.Matching]
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, match.ID, assessments.Response{Matches: map[string]string{"p1": "1"}}, now), store.Invalid, "")
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, match.ID, assessments.Response{Matches: map[string]string{"1": "7"}}, now), store.Invalid, "")
		wantQuizErr(t, s.SaveAnswer(ctx, a.ID, emp, sq.ID, assessments.Response{Choice: "maybe"}, now), store.Invalid, "true or false")
		var re *assessments.ResponseError
		if err := s.SaveAnswer(ctx, a.ID, emp, mw.ID, assessments.Response{Choice: "9"}, now); !errors.As(err, &re) || re.QuestionID != "mw" {
			t.Fatalf("want a *ResponseError naming the question, got %v", err)
		}
		// A valid answer may be replaced.
		for _, c := range []string{"false", "true"} {
			if err := s.SaveAnswer(ctx, a.ID, emp, sq.ID, assessments.Response{Choice: c}, now); err != nil {
				t.Fatal(err)
			}
		}
		v, _ = s.AttemptView(ctx, a.ID, emp)
		for _, q := range v.Questions {
			if q.ID == sq.ID && (q.Answer == nil || q.Answer.Choice != "true") {
				t.Fatalf("replaced answer: %+v", q.Answer)
			}
		}
	})
}

// TestAttemptViewLeaksNothing: what a learner is sent during an attempt
// holds no weights, feedback, right answers, titles or authored ids.
func TestAttemptViewLeaksNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank())
		emp := quizEmployee(t, db, "E1")
		qs := quizSettings("leak", len(quizBank()))
		qs.ShuffleOptions = true
		qz := mustSaveQuiz(t, s, qs)
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		answerAll(t, s, a, emp, clock.Now(), false) // saved answers are shown too
		js := viewJSON(t, s, a.ID, emp)
		lower := strings.ToLower(js)
		for _, bad := range []string{"weight", "feedback", "correct", "fraction", "tolerance", `"title"`, "category", "tags", "pairs", "right_answers"} {
			if strings.Contains(lower, bad) {
				t.Errorf("the view contains %q", bad)
			}
		}
		for _, bad := range secretStrings {
			if strings.Contains(js, bad) {
				t.Errorf("the view contains the secret %q", bad)
			}
		}
		for _, id := range []string{`"a"`, `"b"`, `"c"`, `"d"`, `"p1"`, `"p2"`, `"p3"`, `"p4"`} {
			if strings.Contains(js, id) {
				t.Errorf("the view shows the authored id %s", id)
			}
		}
		// The same holds for the attempt itself (its draw is not sent).
		b, _ := json.Marshal(a)
		if strings.Contains(string(b), "draw") || strings.Contains(string(b), `"o"`) {
			t.Errorf("the attempt's JSON holds the draw: %s", b)
		}
		if !strings.Contains(js, "RIGHT a time you can keep") || !strings.Contains(js, `"lefts"`) || !strings.Contains(js, `"rights"`) {
			t.Errorf("the view lacks what a learner needs: %s", js)
		}
	})
}

// TestReviewPolicy: never, after passing, after the last attempt.
func TestReviewPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank())
		emp := quizEmployee(t, db, "E1")
		n := len(quizBank())

		never := mustSaveQuiz(t, s, quizSettings("never", n))
		a := takeQuiz(t, s, clock, never.ID, emp, true)
		_, err := s.Review(ctx, a.ID, emp)
		wantQuizErr(t, err, store.Forbidden, "does not show")

		qs := quizSettings("after-passing", n)
		qs.ReviewPolicy = assessments.ReviewAfterPassing
		qs.FeedbackBands = []assessments.FeedbackBand{{Min: 0, Text: "Read the course again."}, {Min: 70, Text: "Well done."}}
		passing := mustSaveQuiz(t, s, qs)
		open, err := s.StartAttempt(ctx, passing.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Review(ctx, open.ID, emp)
		wantQuizErr(t, err, store.Forbidden, "Submit")
		answerAll(t, s, open, emp, clock.Now(), false)
		failed, err := s.SubmitAttempt(ctx, open.ID, emp, clock.Now(), nil)
		if err != nil || *failed.Passed || *failed.Percent != 0 {
			t.Fatalf("all wrong: %v %+v", err, failed)
		}
		_, err = s.Review(ctx, failed.ID, emp)
		wantQuizErr(t, err, store.Forbidden, "once you have passed")
		takeQuiz(t, s, clock, passing.ID, emp, true)
		r, err := s.Review(ctx, failed.ID, emp) // the failed attempt too, once passed
		if err != nil || len(r.Questions) != n || r.Feedback != "Read the course again." {
			t.Fatalf("review after passing: %v %+v", err, r)
		}
		for _, q := range r.Questions {
			if !q.Answered || q.Fraction != 0 || len(q.RightAnswers) == 0 || q.Answer == nil {
				t.Errorf("question %d (%s) reviewed as %+v", q.Number, q.Type, q)
			}
			if q.Type == assessments.SingleChoice {
				if !slices.Contains(q.Feedback, "GENERAL-FEEDBACK-SC") || !slices.Contains(q.Feedback, "FEEDBACK-SC-B") {
					t.Errorf("single-choice feedback: %v", q.Feedback)
				}
				if !slices.Equal(q.RightAnswers, []string{"RIGHT a time you can keep"}) {
					t.Errorf("right answers: %v", q.RightAnswers)
				}
			}
		}

		qs = quizSettings("after-last", n)
		qs.ReviewPolicy, qs.AttemptLimit = assessments.ReviewAfterLast, 2
		last := mustSaveQuiz(t, s, qs)
		a = takeQuiz(t, s, clock, last.ID, emp, true)
		_, err = s.Review(ctx, a.ID, emp)
		wantQuizErr(t, err, store.Forbidden, "after your last attempt")
		takeQuiz(t, s, clock, last.ID, emp, false)
		if r, err = s.Review(ctx, a.ID, emp); err != nil || r.Questions[0].Fraction != 1 {
			t.Fatalf("review after the last attempt: %v", err)
		}
	})
}

// TestGradeEssay: an essay leaves the pass open until graded; grading
// decides it (and re-grading changes it), each time in the transaction that
// calls onScored, where QuizPassed already sees the result.
func TestGradeEssay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		essay := assessments.Question{ID: "essay", Type: assessments.Essay, Text: "Describe a recovery."}
		seedBank(t, s, []assessments.Question{quizBank()[0], essay})
		emp, assessor := quizEmployee(t, db, "E1"), quizEmployee(t, db, "M1")
		qs := quizSettings("essay", 2)
		qs.PassMark = 75
		qz := mustSaveQuiz(t, s, qs)
		if ok, err := s.QuizPassed(ctx, db, emp, qz.ID, time.Time{}); err != nil || ok {
			t.Fatalf("before: %v %v", ok, err)
		}
		var hookPassed []bool
		onScored := func(ctx context.Context, tx bun.IDB, a *assessments.Attempt) error {
			ok, err := s.QuizPassed(ctx, tx, a.EmployeeID, qz.ID, time.Time{})
			hookPassed = append(hookPassed, ok)
			return err
		}
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.GradeEssay(ctx, a.ID, a.Draw[0].QuestionID, 1, "", assessor, nil)
		wantQuizErr(t, err, store.Conflict, "not been submitted")
		answerAll(t, s, a, emp, clock.Now(), true)
		a, err = s.SubmitAttempt(ctx, a.ID, emp, clock.Now(), onScored)
		if err != nil || a.Passed != nil || a.PendingGrading != 1 || *a.Percent != 50 {
			t.Fatalf("submitted with an essay: %v %+v", err, a)
		}
		essayRow, _ := s.FindQuestion(ctx, bankCourse, "essay")
		scRow, _ := s.FindQuestion(ctx, bankCourse, "sc")

		_, err = s.GradeEssay(ctx, a.ID, essayRow.ID, 1, "", emp, nil)
		wantQuizErr(t, err, store.Forbidden, "own")
		_, err = s.GradeEssay(ctx, a.ID, scRow.ID, 1, "", assessor, nil)
		wantQuizErr(t, err, store.Invalid, "Only essay")
		_, err = s.GradeEssay(ctx, a.ID, essayRow.ID, 1.5, "", assessor, nil)
		wantQuizErr(t, err, store.Invalid, "")
		_, err = s.GradeEssay(ctx, a.ID+1000, essayRow.ID, 1, "", assessor, nil)
		wantQuizErr(t, err, store.NotFound, "")

		a, err = s.GradeEssay(ctx, a.ID, essayRow.ID, 0.2, "Too short.", assessor, onScored)
		if err != nil || a.Passed == nil || *a.Passed || *a.Percent != 60 || a.PendingGrading != 0 {
			t.Fatalf("graded 20%%: %v %+v", err, a)
		}
		a, err = s.GradeEssay(ctx, a.ID, essayRow.ID, 0.8, "Good example.", assessor, onScored)
		if err != nil || a.Passed == nil || !*a.Passed || *a.Percent != 90 {
			t.Fatalf("re-graded 80%%: %v %+v", err, a)
		}
		if !slices.Equal(hookPassed, []bool{false, false, true}) {
			t.Fatalf("onScored saw passed = %v", hookPassed)
		}
		if ok, err := s.QuizPassed(ctx, db, emp, qz.ID, time.Time{}); err != nil || !ok {
			t.Fatalf("after: %v %v", ok, err)
		}
		stored, _ := s.FindAttempt(ctx, a.ID, emp)
		if stored.Passed == nil || !*stored.Passed || math.Abs(*stored.Score-1.8) > 1e-9 {
			t.Fatalf("stored: %+v", stored)
		}
		list, err := s.ListAttempts(ctx, emp)
		if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].Course != bankCourse || list[0].Score == nil ||
			*list[0].Score != 90 || list[0].Passed == nil || !*list[0].Passed || list[0].SubmittedAt == nil {
			t.Fatalf("list: %v %+v", err, list)
		}
		b, _ := json.Marshal(list[0])
		for _, k := range []string{`"id"`, `"course"`, `"started_at"`, `"submitted_at"`, `"score"`, `"passed"`, `"late"`} {
			if !strings.Contains(string(b), k) {
				t.Errorf("summary JSON lacks %s: %s", k, b)
			}
		}
		// Item analysis counts the essay at its grade (0.8 of its points),
		// read back through each database's text form of the grade.
		rep, err := s.AnalyseQuiz(ctx, qz.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range rep.Items {
			if it.QID == "essay" && (it.Facility == nil || math.Abs(*it.Facility-80) > 1e-9) {
				t.Errorf("essay facility %v, want 80", it.Facility)
			}
		}
	})
}

// TestAttemptsKeepTheirVersion: editing a question makes a new version;
// an attempt started before shows and scores the old one.
func TestAttemptsKeepTheirVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank()[:1])
		emp, later := quizEmployee(t, db, "E1"), quizEmployee(t, db, "E2")
		qz := mustSaveQuiz(t, s, quizSettings("versions", 1))
		a, err := s.StartAttempt(ctx, qz.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		edited := quizBank()[0]
		edited.Text = "Which promise, now?"
		edited.Options = []assessments.Option{{ID: "a", Text: "a time you can keep"}, {ID: "b", Text: "RIGHT soon", Weight: 100}}
		bq, err := s.SaveQuestion(ctx, bankCourse, edited, nil)
		if err != nil || bq.Version != 2 {
			t.Fatalf("edit: %v %+v", err, bq)
		}
		js := viewJSON(t, s, a.ID, emp)
		if !strings.Contains(js, "Which promise do you make?") || strings.Contains(js, "now?") {
			t.Fatalf("the attempt shows the new version: %s", js)
		}
		answerAll(t, s, a, emp, clock.Now(), true)
		if a, err = s.SubmitAttempt(ctx, a.ID, emp, clock.Now(), nil); err != nil || *a.Percent != 100 {
			t.Fatalf("scored against the new version: %v %+v", err, a)
		}
		b, err := s.StartAttempt(ctx, qz.ID, later)
		if err != nil || b.Draw[0].QuestionID != bq.ID {
			t.Fatalf("a new attempt does not draw the new version: %v", err)
		}
		if js := viewJSON(t, s, b.ID, later); !strings.Contains(js, "now?") {
			t.Fatalf("new attempt: %s", js)
		}
	})
}
