package assessments_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestPendingEssays: submitted attempts' ungraded essays are listed, oldest
// first, for the chosen employees; a graded essay leaves the list (but can be
// found again to re-grade); unsubmitted attempts are not listed.
func TestPendingEssays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		essay := assessments.Question{ID: "essay", Type: assessments.Essay, Text: "Describe a recovery.", Points: 2}
		seedBank(t, s, []assessments.Question{quizBank()[0], essay})
		e1, e2, e3, assessor := quizEmployee(t, db, "E1"), quizEmployee(t, db, "E2"), quizEmployee(t, db, "E3"), quizEmployee(t, db, "M1")
		qz := mustSaveQuiz(t, s, quizSettings("essay", 2))
		essayRow, err := s.FindQuestion(ctx, bankCourse, "essay")
		if err != nil {
			t.Fatal(err)
		}

		none, err := s.PendingEssays(ctx, assessments.EssayFilter{All: true})
		if err != nil || len(none) != 0 {
			t.Fatalf("before any attempt: %v %+v", err, none)
		}
		a1 := takeQuiz(t, s, clock, qz.ID, e1, true)
		clock.Add(time.Hour)
		a2 := takeQuiz(t, s, clock, qz.ID, e2, false)
		open, err := s.StartAttempt(ctx, qz.ID, e3) // answered, not submitted
		if err != nil {
			t.Fatal(err)
		}
		answerAll(t, s, open, e3, clock.Now(), true)

		all, err := s.PendingEssays(ctx, assessments.EssayFilter{All: true})
		if err != nil || len(all) != 2 || all[0].AttemptID != a1.ID || all[1].AttemptID != a2.ID {
			t.Fatalf("all: %v %+v", err, all)
		}
		p := all[0]
		if p.EmployeeID != e1 || p.EmployeeNumber != "E1" || p.EmployeeName != "Test E1" || p.QuizTitle != "Quiz essay" ||
			p.CourseSlug != bankCourse || p.QuestionRowID != essayRow.ID || p.QuestionText != "Describe a recovery." ||
			p.Points != 2 || p.Essay != "I listened, apologised and fixed it." || !p.SubmittedAt.Equal(*a1.SubmittedAt) || p.Grade != nil {
			t.Fatalf("pending essay: %+v", p)
		}
		if all[1].Essay != "no idea" {
			t.Errorf("second essay %q", all[1].Essay)
		}

		for name, c := range map[string]struct {
			f    assessments.EssayFilter
			want []int64
		}{
			"line":        {assessments.EssayFilter{EmployeeIDs: []int64{e2, e3}}, []int64{a2.ID}},
			"empty line":  {assessments.EssayFilter{EmployeeIDs: nil}, nil},
			"except own":  {assessments.EssayFilter{All: true, ExceptEmployee: e1}, []int64{a2.ID}},
			"one attempt": {assessments.EssayFilter{All: true, AttemptID: a2.ID, QuestionRowID: essayRow.ID}, []int64{a2.ID}},
			"other row":   {assessments.EssayFilter{All: true, QuestionRowID: essayRow.ID + 1000}, nil},
			"limit":       {assessments.EssayFilter{All: true, Limit: 1}, []int64{a1.ID}},
		} {
			got, err := s.PendingEssays(ctx, c.f)
			var ids []int64
			for _, g := range got {
				ids = append(ids, g.AttemptID)
			}
			if err != nil || len(ids) != len(c.want) || (len(ids) > 0 && ids[0] != c.want[0]) {
				t.Errorf("%s: %v %v, want %v", name, err, ids, c.want)
			}
		}

		if _, err := s.GradeEssay(ctx, a1.ID, essayRow.ID, 0.5, "Fair.", assessor, nil); err != nil {
			t.Fatal(err)
		}
		left, err := s.PendingEssays(ctx, assessments.EssayFilter{All: true})
		if err != nil || len(left) != 1 || left[0].AttemptID != a2.ID {
			t.Fatalf("after grading: %v %+v", err, left)
		}
		again, err := s.PendingEssays(ctx, assessments.EssayFilter{All: true, AttemptID: a1.ID, IncludeGraded: true})
		if err != nil || len(again) != 1 || again[0].Grade == nil || *again[0].Grade != 0.5 || again[0].GradeComment != "Fair." {
			t.Fatalf("graded, found again: %v %+v", err, again)
		}
	})
}
