package training

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

// SubmitAttempt saves the answers (question row id → response in the ids
// the attempt showed; nil saves none) and submits and scores the
// employee's attempt at a quiz of the course with courseSlug, deciding the
// course's completion (and so the programme, certificate and readiness) in
// the same transaction. It returns the attempt and whether this submission
// completed the course. An attempt already submitted comes back as first
// scored, nothing written; answers that do not fit are refused with an
// *assessments.AnswersRefused and nothing is written; past the deadline only
// the answers saved in time count. NotFound when the attempt is not theirs.
func (s *Service) SubmitAttempt(ctx context.Context, courseSlug string, attemptID, employeeID int64, answers map[int64]assessments.Response, now time.Time) (*assessments.Attempt, bool, error) {
	sub, err := s.quizzes.CheckSubmission(ctx, attemptID, employeeID, answers, now)
	if err != nil {
		return nil, false, err
	}
	if sub.Attempt().Submitted() {
		return sub.Attempt(), false, nil
	}
	return s.submit(ctx, courseSlug, employeeID, sub.Submit)
}

// SubmitSaved submits and scores the employee's attempt as it stands: the
// answers saved before the deadline count, and a submission after it is
// marked late — what happens to an attempt whose time ran out, and to the
// demo's attempts. It decides the course's completion in the same
// transaction, like SubmitAttempt, and returns the same.
func (s *Service) SubmitSaved(ctx context.Context, courseSlug string, attemptID, employeeID int64, now time.Time) (*assessments.Attempt, bool, error) {
	return s.submit(ctx, courseSlug, employeeID, func(ctx context.Context, tx bun.IDB) (*assessments.Attempt, bool, error) {
		return s.quizzes.SubmitAttemptIn(ctx, tx, attemptID, employeeID, now)
	})
}

// submit runs write (a submission in tx, reporting whether it submitted)
// and decides the employee's completion of the course in one transaction.
func (s *Service) submit(ctx context.Context, courseSlug string, employeeID int64,
	write func(ctx context.Context, tx bun.IDB) (*assessments.Attempt, bool, error)) (*assessments.Attempt, bool, error) {
	en, err := s.enrolment(ctx, employeeID, courseSlug)
	if err != nil {
		return nil, false, err
	}
	var a *assessments.Attempt
	completed := false
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var submitted bool
		var err error
		if a, submitted, err = write(ctx, tx); err != nil || !submitted {
			return err
		}
		if completed, err = s.completeIn(ctx, tx, en); err != nil {
			return err
		}
		if s.quiet {
			return nil
		}
		return essayToGrade(ctx, tx, s.Now(), a)
	})
	if err != nil {
		return nil, false, err
	}
	s.forget(en)
	return a, completed, nil
}

// GradeEssay records by's grade (percent, 0 to 100) and comment for the
// pending essay, re-scores its attempt and, in the same transaction,
// decides the learner's course completion and writes the audit entry. It
// returns the attempt and whether the grade completed the course. The
// errors are assessments.Store.GradeEssay's; Forbidden when by is not an
// employee.
func (s *Service) GradeEssay(ctx context.Context, pe *assessments.PendingEssay, percent float64, comment string, by Actor) (*assessments.Attempt, bool, error) {
	if by.ID == nil {
		return nil, false, errNoEmployee
	}
	en, err := s.enrolment(ctx, pe.EmployeeID, pe.CourseSlug)
	if err != nil {
		return nil, false, err
	}
	now := s.Now()
	var a *assessments.Attempt
	completed := false
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if a, err = s.quizzes.GradeEssayIn(ctx, tx, pe.AttemptID, pe.QuestionRowID, percent/100, comment, *by.ID); err != nil {
			return err
		}
		if completed, err = s.completeIn(ctx, tx, en); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s attempt %d, question %d: %s%%; attempt %s", pe.QuizTitle, a.ID, pe.QuestionRowID,
			strconv.FormatFloat(percent, 'f', -1, 64), a.Outcome())
		return people.Audit(ctx, tx, now, by.ID, by.Name, "essay.grade", pe.EmployeeNumber, detail)
	})
	if err != nil {
		return nil, false, err
	}
	s.forget(en)
	return a, completed, nil
}

// SignOffObservation signs off the draft observation obsID as its assessor by,
// at now (every item rated, else Invalid), and in the same transaction
// decides the employee's course completion for the checklist's course,
// refreshes their readiness (a critical item failed, or passed at last)
// and writes the audit entry. An observation signed off already comes back
// unchanged, nothing written. Forbidden for anyone but its assessor.
func (s *Service) SignOffObservation(ctx context.Context, obsID int64, now time.Time, by Actor) (*assessments.Observation, error) {
	return s.signObservation(ctx, obsID, by, "observation.signoff", func(tx bun.IDB) (*assessments.Observation, bool, error) {
		return s.observations.SignOffIn(ctx, tx, obsID, *by.ID, now)
	})
}

// AmendObservation corrects the signed-off observation obsID as its assessor
// by: the next revision with the ratings, the item comments (nil keeps the
// previous ones) and the reason, signed off at now; in the same transaction
// it decides course completion, refreshes readiness and writes the audit
// entry, as a sign-off does. The errors are
// assessments.ObservationStore.Amend's.
func (s *Service) AmendObservation(ctx context.Context, obsID int64, reason string, ratings map[string]assessments.Rating, comments map[string]string, now time.Time, by Actor) (*assessments.Observation, error) {
	return s.signObservation(ctx, obsID, by, "observation.amend", func(tx bun.IDB) (*assessments.Observation, bool, error) {
		next, err := s.observations.AmendIn(ctx, tx, obsID, *by.ID, reason, ratings, comments, now)
		return next, err == nil, err
	})
}

// signObservation runs sign (a sign-off or an amendment of obsID,
// reporting whether it signed anything) and what follows it in one
// transaction. NotFound for an unknown observation.
func (s *Service) signObservation(ctx context.Context, obsID int64, by Actor, action string,
	sign func(tx bun.IDB) (*assessments.Observation, bool, error)) (*assessments.Observation, error) {
	if by.ID == nil {
		return nil, errNoEmployee
	}
	o, err := s.observations.Observation(ctx, obsID)
	if err != nil {
		return nil, err
	}
	cl, err := s.observations.FindChecklist(ctx, o.ChecklistSlug)
	if err != nil {
		return nil, err
	}
	en, err := s.enrolment(ctx, o.EmployeeID, cl.CourseSlug)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var signed *assessments.Observation
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var changed bool
		var err error
		if signed, changed, err = sign(tx); err != nil || !changed {
			return err
		}
		if _, err := s.completeIn(ctx, tx, en); err != nil {
			return err
		}
		// It answers the open requests to observe them with this checklist.
		if _, err := assessments.CompleteRequestsIn(ctx, tx, signed, now); err != nil {
			return err
		}
		// A failed (or now passed) critical item changes readiness.
		if err := s.courses.RefreshReadiness(ctx, tx, []int64{signed.EmployeeID}); err != nil {
			return err
		}
		outcome, score := "failed", ""
		if signed.Passed != nil && *signed.Passed {
			outcome = "passed"
		}
		if signed.Score != nil {
			score = strconv.FormatFloat(assessments.RoundPercent(*signed.Score), 'f', -1, 64) + "%"
		}
		detail := fmt.Sprintf("%s revision %d: %s %s", signed.ChecklistSlug, signed.Revision, score, outcome)
		if signed.AmendReason != "" && action == "observation.amend" {
			detail += "; reason: " + signed.AmendReason
		}
		if err := people.Audit(ctx, tx, now, by.ID, by.Name, action, signed.EmployeeNumber, detail); err != nil {
			return err
		}
		if s.quiet {
			return nil
		}
		assessor, err := s.people.FindEmployeeIn(ctx, tx, *by.ID)
		if err != nil {
			return err
		}
		return observationSigned(ctx, tx, now, o, signed, assessor.Name())
	})
	if err != nil {
		return nil, err
	}
	s.forget(en)
	return signed, nil
}
