package assessments

import (
	"context"
	"strings"
	"time"
)

// DemoAttempt takes one attempt at the quiz for the demo, as a learner would
// through the pages (DemoAnswered), and submits it at nine minutes, with
// onScored run in the submission's transaction.
func (s *Store) DemoAttempt(ctx context.Context, quizID, employeeID int64, start time.Time, right bool, since time.Time, onScored ScoredFunc) (*Attempt, error) {
	a, err := s.DemoAnswered(ctx, quizID, employeeID, start, right, since)
	if err != nil {
		return nil, err
	}
	return s.SubmitAttempt(ctx, a.ID, employeeID, DemoSubmitted(start), onScored)
}

// DemoSubmitted is when a demo attempt started at start is submitted.
func DemoSubmitted(start time.Time) time.Time { return start.Add(9 * time.Minute) }

// DemoAnswered starts an attempt at the quiz for the demo at start and
// answers it five minutes later (every answer right, or only the first
// two), leaving it to be submitted (at DemoSubmitted); attempts before
// since do not count against the limit (see StartAttemptSince). The
// store's clock reads start while it runs (the demo loads alone).
func (s *Store) DemoAnswered(ctx context.Context, quizID, employeeID int64, start time.Time, right bool, since time.Time) (*Attempt, error) {
	realNow := s.Now
	defer func() { s.Now = realNow }()
	s.Now = func() time.Time { return start }
	a, err := s.StartAttemptSince(ctx, quizID, employeeID, since)
	if err != nil {
		return nil, err
	}
	qs, err := s.cachedQuestions(ctx, s.DB, a.questionIDs())
	if err != nil {
		return nil, err
	}
	at := start.Add(5 * time.Minute)
	for n, it := range a.Draw {
		if !right && n >= 2 {
			break
		}
		q := qs[it.QuestionID]
		r, ok := demoRightResponse(q)
		if !ok {
			continue
		}
		if err := s.SaveAnswer(ctx, a.ID, employeeID, it.QuestionID, toShown(q, &it, r), at); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// demoRightResponse is a full-marks answer to q, in authored ids.
func demoRightResponse(q *Question) (Response, bool) {
	var r Response
	switch q.Type {
	case SingleChoice, MissingWord:
		best := -1
		for i, o := range q.Options {
			if best < 0 || o.Weight > q.Options[best].Weight {
				best = i
			}
		}
		if best < 0 {
			return r, false
		}
		r.Choice = q.Options[best].ID
	case MultipleResponse:
		for _, o := range q.Options {
			if o.Weight > 0 {
				r.Choices = append(r.Choices, o.ID)
			}
		}
	case TrueFalse:
		r.Choice = map[bool]string{true: "true", false: "false"}[q.Correct]
	case ShortAnswer:
		for _, a := range q.Answers {
			if a.Weight >= 100 {
				r.Text = strings.ReplaceAll(a.Text, "*", "")
				break
			}
		}
	case Numeric:
		for _, n := range q.Numbers {
			if n.Weight >= 100 {
				if n.IsRange {
					r.Text = formatNumber(n.Min)
				} else {
					r.Text = formatNumber(n.Value)
				}
				break
			}
		}
	case Matching:
		r.Matches = map[string]string{}
		for _, p := range matchingLefts(q) {
			r.Matches[p.ID] = p.ID
		}
	case Ordering:
		for _, o := range q.Options {
			r.Order = append(r.Order, o.ID)
		}
	default:
		return r, false
	}
	return r, true
}

// DemoOutcome is how a demo observation goes.
type DemoOutcome int

const (
	DemoPass         DemoOutcome = iota // every item Fully
	DemoPassWithNA                      // a pass where the last (non-critical) item did not come up
	DemoFailCritical                    // the first critical item only Partly, some others Partly: fails
)

// DemoObservation has assessorID observe employeeID on the checklist at at
// (DemoDraft) and sign it off half an hour later with onSigned running in
// the sign-off's transaction; with ack the employee acknowledges the result
// a day later (DemoAcknowledge). The store's clock reads at while it runs.
func (s *ObservationStore) DemoObservation(ctx context.Context, checklistSlug string, employeeID, assessorID int64, at time.Time, outcome DemoOutcome, ack bool, onSigned SignedHook) (*Observation, error) {
	o, err := s.DemoDraft(ctx, checklistSlug, employeeID, assessorID, at, outcome)
	if err != nil {
		return nil, err
	}
	if o, err = s.SignOff(ctx, o.ID, assessorID, DemoSignedOff(at), onSigned); err != nil {
		return nil, err
	}
	if ack {
		return s.DemoAcknowledge(ctx, o, at)
	}
	return o, nil
}

// DemoSignedOff is when a demo observation made at at is signed off.
func DemoSignedOff(at time.Time) time.Time { return at.Add(30 * time.Minute) }

// DemoDraft has assessorID observe employeeID on the checklist at at: a
// draft rated as outcome says, to be signed off (at DemoSignedOff). Before
// a failing one the employee rates themself (all Fully, so the
// side-by-side shows the gap). The store's clock reads at while it runs.
func (s *ObservationStore) DemoDraft(ctx context.Context, checklistSlug string, employeeID, assessorID int64, at time.Time, outcome DemoOutcome) (*Observation, error) {
	realNow := s.Now
	defer func() { s.Now = realNow }()
	s.Now = func() time.Time { return at }
	cl, err := s.FindChecklist(ctx, checklistSlug)
	if err != nil {
		return nil, err
	}
	items := cl.Checklist.Items
	ratings := map[string]Rating{}
	for _, it := range items {
		ratings[it.ID] = Fully
	}
	switch outcome {
	case DemoFailCritical:
		for i, it := range items {
			if it.Critical {
				ratings[it.ID] = Partly
				break
			} else if i%2 == 1 {
				ratings[it.ID] = Partly
			}
		}
	case DemoPassWithNA:
		if n := len(items); n > 1 && !items[n-1].Critical {
			ratings[items[n-1].ID] = NA
		}
	}
	overall := "Confident and warm throughout; keep it up."
	if outcome == DemoFailCritical {
		overall = "Good start, but a critical step was only partly done: we will practise it and observe again."
		self := map[string]Rating{}
		for _, it := range items {
			self[it.ID] = Fully
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

// DemoAcknowledge has the employee acknowledge a demo observation made at
// at, a day later.
func (s *ObservationStore) DemoAcknowledge(ctx context.Context, o *Observation, at time.Time) (*Observation, error) {
	return s.Acknowledge(ctx, o.ID, o.EmployeeID, "Thanks — useful feedback.", at.AddDate(0, 0, 1))
}
