package assessments

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// PendingEssay is an essay answer of a submitted attempt, for an assessor:
// who wrote it, where, the question and the learner's text.
type PendingEssay struct {
	AttemptID      int64
	EmployeeID     int64
	EmployeeNumber string
	EmployeeName   string
	QuizTitle      string
	CourseSlug     string
	QuestionRowID  int64
	QuestionText   string
	Points         float64 // what the question is worth
	Essay          string  // the learner's answer
	SubmittedAt    time.Time
	Grade          *float64 // the fraction given, when graded (EssayFilter.IncludeGraded)
	GradeComment   string
}

// EssayFilter chooses the essays PendingEssays lists. Without All, only the
// attempts of EmployeeIDs are listed (none when it is empty).
type EssayFilter struct {
	All            bool    // everyone's attempts (HR)
	EmployeeIDs    []int64 // otherwise: these employees' attempts
	ExceptEmployee int64   // leave out this employee's attempts (the assessor's own)
	AttemptID      int64   // only this attempt, when not 0
	QuestionRowID  int64   // only this question version, when not 0
	IncludeGraded  bool    // graded essays too (to re-grade one)
	Limit          int     // at most this many, when > 0
}

// PendingEssays lists the essay answers of submitted attempts that wait for
// an assessor's grade, oldest submission first. Only answers that count
// are listed: an answer saved after the attempt's deadline is not graded.
func (s *Store) PendingEssays(ctx context.Context, f EssayFilter) ([]PendingEssay, error) {
	if !f.All && len(f.EmployeeIDs) == 0 {
		return []PendingEssay{}, nil
	}
	var rows []struct {
		AttemptID      int64
		EmployeeID     int64
		EmployeeNumber string
		FirstName      string
		LastName       string
		QuizTitle      string
		CourseSlug     string
		QuestionRowID  int64
		Response       string
		SavedAt        time.Time
		SubmittedAt    time.Time
		Deadline       *time.Time
		Grade          *float64
		GradeComment   string
	}
	q := s.DB.NewSelect().TableExpr("attempt_answers AS aa").
		Join("JOIN attempts AS at ON at.id = aa.attempt_id").
		Join("JOIN questions AS qn ON qn.id = aa.question_row_id").
		Join("JOIN quizzes AS qz ON qz.id = at.quiz_id").
		Join("JOIN employees AS e ON e.id = at.employee_id").
		ColumnExpr("aa.attempt_id, at.employee_id, e.number AS employee_number, e.first_name, e.last_name").
		ColumnExpr("qz.title AS quiz_title, qz.course_slug, aa.question_row_id, aa.response, aa.saved_at").
		ColumnExpr("at.submitted_at, at.deadline, aa.grade, aa.grade_comment").
		Where("at.submitted_at IS NOT NULL").
		Where("qn.type = ?", string(Essay))
	if !f.IncludeGraded {
		q = q.Where("aa.grade IS NULL").Where("at.pending_grading > 0")
	}
	if !f.All {
		q = q.Where("at.employee_id IN (?)", bun.In(f.EmployeeIDs))
	}
	if f.ExceptEmployee != 0 {
		q = q.Where("at.employee_id <> ?", f.ExceptEmployee)
	}
	if f.AttemptID != 0 {
		q = q.Where("aa.attempt_id = ?", f.AttemptID)
	}
	if f.QuestionRowID != 0 {
		q = q.Where("aa.question_row_id = ?", f.QuestionRowID)
	}
	if err := q.OrderExpr("at.submitted_at, aa.attempt_id, aa.question_row_id").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := []PendingEssay{}
	var ids []int64
	for _, r := range rows {
		if r.Deadline != nil && r.SavedAt.After(*r.Deadline) {
			continue // saved too late: it does not count (as loadAttemptData decides)
		}
		var resp Response
		if err := json.Unmarshal([]byte(r.Response), &resp); err != nil {
			return nil, fmt.Errorf("attempt %d answer %d: %w", r.AttemptID, r.QuestionRowID, err)
		}
		out = append(out, PendingEssay{AttemptID: r.AttemptID, EmployeeID: r.EmployeeID, EmployeeNumber: r.EmployeeNumber,
			EmployeeName: strings.TrimSpace(r.FirstName + " " + r.LastName), QuizTitle: r.QuizTitle, CourseSlug: r.CourseSlug,
			QuestionRowID: r.QuestionRowID, Essay: resp.Text, SubmittedAt: r.SubmittedAt, Grade: r.Grade,
			GradeComment: r.GradeComment})
		ids = append(ids, r.QuestionRowID)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	qs, err := s.cachedQuestions(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		qq := qs[out[i].QuestionRowID]
		out[i].QuestionText, out[i].Points = qq.Text, scoreMaxPoints(qq)
	}
	return out, nil
}
