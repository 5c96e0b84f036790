package assessments_test

import (
	"context"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestSyncBuiltinBanksDrawsEveryTopic checks the quiz SyncBuiltinBanks gives
// each built-in course draws one question per topic of its bank (the last
// part of the questions' categories), so every attempt samples every topic
// the course teaches (issue 14), and that a second sync leaves it alone.
func TestSyncBuiltinBanksDrawsEveryTopic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, _ := newQuizStore(db)
		if err := s.SyncBuiltinBanks(ctx); err != nil {
			t.Fatal(err)
		}
		banks, err := assessments.BuiltinBanks()
		if err != nil {
			t.Fatal(err)
		}
		emp := quizEmployee(t, db, "S1")
		for slug, qs := range banks {
			var topics []string
			for _, q := range qs {
				if std := q.Standards(); len(std) > 0 && !slices.Contains(topics, std[len(std)-1]) {
					topics = append(topics, std[len(std)-1])
				}
			}
			quizzes, err := s.QuizzesForCourse(ctx, slug)
			if err != nil || len(quizzes) != 1 {
				t.Fatalf("%s: quizzes %v, %v", slug, quizzes, err)
			}
			qz := quizzes[0]
			for _, topic := range topics {
				if qz.DrawPerTag[topic] != 1 {
					t.Errorf("%s: draws %d of topic %q, want 1 (per tag %v)", slug, qz.DrawPerTag[topic], topic, qz.DrawPerTag)
				}
			}
			byID := map[int64]*assessments.BankQuestion{}
			list, err := s.ListQuestions(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			for _, bq := range list {
				byID[bq.ID] = bq
			}
			for range 3 {
				a, err := s.StartAttempt(ctx, qz.ID, emp)
				if err != nil {
					t.Fatalf("%s: start: %v", slug, err)
				}
				seen := map[string]bool{}
				for _, it := range a.Draw {
					if bq := byID[it.QuestionID]; bq != nil {
						for _, std := range bq.Question.Standards() {
							seen[std] = true
						}
					}
				}
				for _, topic := range topics {
					if !seen[topic] {
						t.Errorf("%s: an attempt of %d questions has none on %q", slug, len(a.Draw), topic)
					}
				}
				if _, err := s.SubmitAttempt(ctx, a.ID, emp, s.Now(), nil); err != nil {
					t.Fatalf("%s: submit: %v", slug, err)
				}
			}
		}
		if err := s.SyncBuiltinBanks(ctx); err != nil {
			t.Fatalf("second sync: %v", err)
		}
	})
}

// TestSyncBuiltinBanksUpgradesUntouchedQuizzes: an installation made before
// the built-in quizzes drew per topic has quizzes drawing ten from any
// topic. A sync gives such a quiz the per-topic draw when nobody changed it,
// and leaves a quiz HR changed (here its pass mark) as HR left it.
func TestSyncBuiltinBanksUpgradesUntouchedQuizzes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, _ := newQuizStore(db)
		old := func(course string, passMark float64) {
			t.Helper()
			if _, err := s.SaveQuiz(ctx, assessments.QuizSettings{CourseSlug: course, Slug: course + "-quiz", Title: "Check your understanding",
				DrawCount: 10, ShuffleQuestions: true, ShuffleOptions: true, PassMark: passMark, AttemptLimit: 3,
				TimeLimitMinutes: 20, ReviewPolicy: "after_passing"}); err != nil {
				t.Fatal(err)
			}
		}
		old("six-cs", 70)
		old("service-recovery", 80)
		if err := s.SyncBuiltinBanks(ctx); err != nil {
			t.Fatal(err)
		}
		untouched, err := s.FindQuiz(ctx, "six-cs-quiz")
		if err != nil || len(untouched.DrawPerTag) < 3 || untouched.PassMark != 70 {
			t.Errorf("untouched quiz: per tag %v, pass mark %v, %v", untouched.DrawPerTag, untouched.PassMark, err)
		}
		edited, err := s.FindQuiz(ctx, "service-recovery-quiz")
		if err != nil || len(edited.DrawPerTag) != 0 || edited.PassMark != 80 || edited.DrawCount != 10 {
			t.Errorf("HR's quiz changed: per tag %v, pass mark %v, draw %d, %v", edited.DrawPerTag, edited.PassMark, edited.DrawCount, err)
		}
		before := untouched.UpdatedAt
		if err := s.SyncBuiltinBanks(ctx); err != nil {
			t.Fatal(err)
		}
		if again, err := s.FindQuiz(ctx, "six-cs-quiz"); err != nil || !again.UpdatedAt.Equal(before) {
			t.Errorf("a second sync saved the quiz again: %v", err)
		}
	})
}
