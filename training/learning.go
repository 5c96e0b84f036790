package training

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
)

// CompleteLesson marks a lesson of the enrolment's version done for its
// employee (idempotent) and, in the same transaction, decides the course,
// the programmes that contain it, their certificates and the employee's
// readiness. It returns the course's completion and whether this call
// completed the course; Invalid when the lesson is not part of the
// enrolment's version.
func (s *Service) CompleteLesson(ctx context.Context, en *courses.Enrolment, lessonID int64) (courses.Completion, bool, error) {
	var c courses.Completion
	var completed bool
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		c, completed, err = s.courses.CompleteLesson(ctx, tx, en, lessonID)
		return err
	})
	s.forget(en)
	return c, completed, err
}

// AcknowledgePromises records that the employee confirms every active
// service promise (each must be among promiseIDs, else Invalid for field
// "promises") and, in the same transaction, completes the mission course
// when that was its last step; it reports whether it did.
func (s *Service) AcknowledgePromises(ctx context.Context, employeeID int64, promiseIDs []int64) (bool, error) {
	var completed bool
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		completed, err = s.courses.AcknowledgePromises(ctx, tx, employeeID, promiseIDs)
		return err
	})
	return completed, err
}
