package demo

import (
	"context"
	"time"

	"github.com/serviceacademy/academy/assessments"
)

// Attempt takes one attempt at the quiz, as a learner would through the
// pages (answered), and submits it at nine minutes through the store alone
// (no course is decided: a fixture of attempts for the pages' tests).
func Attempt(ctx context.Context, s *assessments.Store, quizID, employeeID int64, start time.Time, right bool, since time.Time) (*assessments.Attempt, error) {
	a, err := answered(ctx, s, quizID, employeeID, start, right, since)
	if err != nil {
		return nil, err
	}
	return s.SubmitAttempt(ctx, a.ID, employeeID, submittedAt(start), nil)
}

// submittedAt is when a demo attempt started at start is submitted.
func submittedAt(start time.Time) time.Time { return start.Add(9 * time.Minute) }

// answered starts an attempt at the quiz at start and answers it five
// minutes later (every answer right, or only the first two), leaving it to
// be submitted (at submittedAt); attempts before since do not count
// against the limit (see StartAttemptSince). The store's clock reads start
// while it runs (the demo loads alone).
func answered(ctx context.Context, s *assessments.Store, quizID, employeeID int64, start time.Time, right bool, since time.Time) (*assessments.Attempt, error) {
	realNow := s.Now
	defer func() { s.Now = realNow }()
	s.Now = func() time.Time { return start }
	a, err := s.StartAttemptSince(ctx, quizID, employeeID, since)
	if err != nil {
		return nil, err
	}
	qs, err := s.DrawnQuestions(ctx, a)
	if err != nil {
		return nil, err
	}
	at := start.Add(5 * time.Minute)
	for n, it := range a.Draw {
		if !right && n >= 2 {
			break
		}
		r, ok := assessments.FullMarks(qs[it.QuestionID], &it)
		if !ok {
			continue
		}
		if err := s.SaveAnswer(ctx, a.ID, employeeID, it.QuestionID, r, at); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Outcome is how a demo observation goes.
type Outcome int

const (
	Pass         Outcome = iota // every item Fully
	PassWithNA                  // a pass where the last (non-critical) item did not come up
	FailCritical                // the first critical item only Partly, some others Partly: fails
)

// Observation has assessorID observe employeeID on the checklist at at
// (draft) and sign it off half an hour later through the store alone (no
// course is decided: a fixture for the pages' tests); with ack the
// employee acknowledges the result a day later (acknowledge). The store's
// clock reads at while it runs.
func Observation(ctx context.Context, s *assessments.ObservationStore, checklistSlug string, employeeID, assessorID int64, at time.Time, outcome Outcome, ack bool) (*assessments.Observation, error) {
	o, err := draft(ctx, s, checklistSlug, employeeID, assessorID, at, outcome)
	if err != nil {
		return nil, err
	}
	if o, err = s.SignOff(ctx, o.ID, assessorID, signedOffAt(at), nil); err != nil {
		return nil, err
	}
	if ack {
		return acknowledge(ctx, s, o, at)
	}
	return o, nil
}

// signedOffAt is when a demo observation made at at is signed off.
func signedOffAt(at time.Time) time.Time { return at.Add(30 * time.Minute) }

// draft has assessorID observe employeeID on the checklist at at: a draft
// rated as outcome says, to be signed off (at signedOffAt). Before a
// failing one the employee rates themself (all Fully, so the side-by-side
// shows the gap). The store's clock reads at while it runs.
func draft(ctx context.Context, s *assessments.ObservationStore, checklistSlug string, employeeID, assessorID int64, at time.Time, outcome Outcome) (*assessments.Observation, error) {
	realNow := s.Now
	defer func() { s.Now = realNow }()
	s.Now = func() time.Time { return at }
	cl, err := s.FindChecklist(ctx, checklistSlug)
	if err != nil {
		return nil, err
	}
	items := cl.Checklist.Items
	ratings := map[string]assessments.Rating{}
	for _, it := range items {
		ratings[it.ID] = assessments.Fully
	}
	switch outcome {
	case FailCritical:
		failCritical(items, ratings)
	case PassWithNA:
		if n := len(items); n > 1 && !items[n-1].Critical {
			ratings[items[n-1].ID] = assessments.NA
		}
	}
	overall := "Confident and warm throughout; keep it up."
	if outcome == FailCritical {
		overall = "Good start, but a critical step was only partly done: we will practise it and observe again."
		self := map[string]assessments.Rating{}
		for _, it := range items {
			self[it.ID] = assessments.Fully
		}
		if _, err := s.SaveSelfAssessment(ctx, employeeID, cl.Slug, self,
			map[string]string{items[0].ID: "I think this went well."}, true); err != nil {
			return nil, err
		}
	}
	o, err := s.StartObservation(ctx, cl.Slug, employeeID, assessorID)
	if err != nil {
		return nil, err
	}
	if _, err := s.SaveDraft(ctx, o.ID, assessorID, ratings, nil, overall); err != nil {
		return nil, err
	}
	return o, nil
}

// failCritical rates the first critical item Partly, and the odd items
// before it: an observation that fails on a critical item.
func failCritical(items []assessments.Item, ratings map[string]assessments.Rating) {
	for i, it := range items {
		if it.Critical {
			ratings[it.ID] = assessments.Partly
			break
		} else if i%2 == 1 {
			ratings[it.ID] = assessments.Partly
		}
	}
}

// acknowledge has the employee acknowledge a demo observation made at at,
// a day later.
func acknowledge(ctx context.Context, s *assessments.ObservationStore, o *assessments.Observation, at time.Time) (*assessments.Observation, error) {
	return s.Acknowledge(ctx, o.ID, o.EmployeeID, "Thanks — useful feedback.", at.AddDate(0, 0, 1))
}
