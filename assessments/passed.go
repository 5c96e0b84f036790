package assessments

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// QuizPassed reports whether employeeID has a passed attempt at the quiz
// started at or after since (zero: any). db may be the transaction that
// just scored an attempt.
func (s *Store) QuizPassed(ctx context.Context, db bun.IDB, employeeID, quizID int64, since time.Time) (bool, error) {
	q := db.NewSelect().TableExpr("attempts AS at").
		Where("at.quiz_id = ? AND at.employee_id = ? AND at.passed = ?", quizID, employeeID, true)
	if !since.IsZero() {
		q = q.Where("at.started_at >= ?", since)
	}
	return q.Exists(ctx)
}

// ChecklistPassed reports whether employeeID has a signed-off, passed
// observation on the checklist with slug, signed off at or after since
// (zero: any); an unknown slug is never passed.
func (s *ObservationStore) ChecklistPassed(ctx context.Context, db bun.IDB, employeeID int64, slug string, since time.Time) (bool, error) {
	q := db.NewSelect().TableExpr("observations AS o").
		Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
		Where("cl.slug = ? AND o.employee_id = ? AND o.status = ? AND o.passed", slug, employeeID, ObservationSignedOff)
	if !since.IsZero() {
		q = q.Where("o.signed_off_at >= ?", since)
	}
	return q.Exists(ctx)
}
