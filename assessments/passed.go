package assessments

import (
	"context"

	"github.com/uptrace/bun"
)

// QuizPassed reports whether employeeID has a passed attempt at the quiz.
// db may be the transaction that just scored an attempt.
func (s *Store) QuizPassed(ctx context.Context, db bun.IDB, employeeID, quizID int64) (bool, error) {
	return db.NewSelect().TableExpr("attempts AS at").
		Where("at.quiz_id = ? AND at.employee_id = ? AND at.passed = ?", quizID, employeeID, true).Exists(ctx)
}

// ChecklistPassed reports whether employeeID has a signed-off, passed
// observation on the checklist with slug (an unknown slug is never passed).
func (s *ObservationStore) ChecklistPassed(ctx context.Context, db bun.IDB, employeeID int64, slug string) (bool, error) {
	return db.NewSelect().TableExpr("observations AS o").
		Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
		Where("cl.slug = ? AND o.employee_id = ? AND o.status = ? AND o.passed", slug, employeeID, ObservationSignedOff).Exists(ctx)
}
