package training

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

// assessed is what the courses ask of the assessments
// (courses.Assessments), over the assessments stores. Each method reads
// only through db: in a workflow, its transaction.
type assessed struct {
	quizzes      *assessments.Store
	observations *assessments.ObservationStore
}

var _ courses.Assessments = assessed{}

// Passed: every assessment in slugs (quiz or role-play checklist slugs)
// passed at or after since; the outstanding ones are named in words.
func (a assessed) Passed(ctx context.Context, db bun.IDB, employeeID int64, slugs []string, since time.Time) (bool, []string, error) {
	var outstanding []string
	for _, slug := range slugs {
		quiz, err := a.quizzes.FindQuizIn(ctx, db, slug)
		if err == nil {
			ok, err := a.quizzes.QuizPassed(ctx, db, employeeID, quiz.ID, since)
			if err != nil {
				return false, nil, err
			}
			if !ok {
				outstanding = append(outstanding, "the quiz “"+quiz.Title+"”")
			}
			continue
		} else if !store.IsNotFound(err) {
			return false, nil, err
		}
		ok, err := a.observations.ChecklistPassed(ctx, db, employeeID, slug, since)
		if err != nil {
			return false, nil, err
		}
		if !ok {
			name := slug
			if cl, err := a.observations.FindChecklistIn(ctx, db, slug); err == nil {
				name = cl.Title
			}
			outstanding = append(outstanding, "the role-play “"+name+"” (observed by your manager)")
		}
	}
	return len(outstanding) == 0, outstanding, nil
}

// Score is the certificate's score (assessments.CertificateScore) over
// the quizzes among slugs: role-play checklists do not count.
func (a assessed) Score(ctx context.Context, db bun.IDB, employeeID int64, slugs []string, after *time.Time) (*float64, error) {
	var results [][]assessments.AttemptResult
	for _, slug := range slugs {
		quiz, err := a.quizzes.FindQuizIn(ctx, db, slug)
		if store.IsNotFound(err) {
			continue // a role-play checklist
		} else if err != nil {
			return nil, err
		}
		rs, err := a.quizzes.AttemptResults(ctx, db, employeeID, quiz.ID)
		if err != nil {
			return nil, err
		}
		results = append(results, rs)
	}
	return assessments.CertificateScore(results, after), nil
}

// CriticalFailures: the role-plays failed on a critical item and not passed
// since, by employee.
func (a assessed) CriticalFailures(ctx context.Context, db bun.IDB, employeeIDs []int64) (map[int64][]courses.CriticalFailure, error) {
	list, err := a.observations.CriticalFailures(ctx, db, employeeIDs)
	if err != nil {
		return nil, err
	}
	out := map[int64][]courses.CriticalFailure{}
	for _, f := range list {
		out[f.EmployeeID] = append(out[f.EmployeeID], courses.CriticalFailure{Checklist: f.Checklist, Items: f.Items, ReobserveDue: f.ReobserveDue})
	}
	return out, nil
}
