package assessments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// demoQuizCourses are the built-in courses whose quizzes the demo takes.
var demoQuizCourses = []string{"mission-vision-promise", "service-recovery"}

// LoadDemo gives the demo organisation its assessment history: passed and
// failed quiz attempts on the built-in quizzes, and signed-off role-play
// observations (passed; failed on a critical item with a re-observation
// due; some acknowledged) by each employee's manager, and one
// self-assessment. employeeIDs are the active demo employees in a stable
// order. It writes only when there are no attempts and no observations yet.
func LoadDemo(ctx context.Context, db *bun.DB, employeeIDs []int64) error {
	quizzes, obs := NewStore(db), NewObservationStore(db)
	if err := quizzes.SyncBuiltinBanks(ctx); err != nil {
		return err
	}
	if err := obs.SyncBuiltinChecklists(ctx); err != nil {
		return err
	}
	nAttempts, err := db.NewSelect().Model((*Attempt)(nil)).Count(ctx)
	if err != nil {
		return err
	}
	nObs, err := db.NewSelect().Model((*Observation)(nil)).Count(ctx)
	if err != nil || nAttempts > 0 || nObs > 0 {
		return err
	}
	base := time.Now().UTC().Truncate(time.Minute)
	if err := demoAttempts(ctx, quizzes, employeeIDs, base); err != nil {
		return fmt.Errorf("demo attempts: %w", err)
	}
	if err := demoObservations(ctx, obs, employeeIDs, base); err != nil {
		return fmt.Errorf("demo observations: %w", err)
	}
	return nil
}

// demoAttempts: of the first employees, some pass a quiz at the first go,
// some fail it and pass at the second, and some fail it.
func demoAttempts(ctx context.Context, s *Store, employeeIDs []int64, base time.Time) error {
	realNow := s.Now
	defer func() { s.Now = realNow }()
	var quizzes []*Quiz
	for _, slug := range demoQuizCourses {
		list, err := s.QuizzesForCourse(ctx, slug)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			quizzes = append(quizzes, list[0])
		}
	}
	if len(quizzes) == 0 {
		return nil
	}
	for i, id := range employeeIDs[:min(len(employeeIDs), 10)] {
		quiz := quizzes[i%len(quizzes)]
		var plan []bool // right answers or not, per attempt
		switch i % 4 {
		case 0:
			plan = []bool{true}
		case 1:
			plan = []bool{false, true}
		case 2:
			plan = []bool{false}
		}
		for k, right := range plan {
			start := base.AddDate(0, 0, -30+i).Add(time.Duration(k) * 2 * time.Hour)
			if err := demoAttempt(ctx, s, quiz.ID, id, start, right); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoAttempt takes one attempt: every answer right, or only the first two.
func demoAttempt(ctx context.Context, s *Store, quizID, employeeID int64, start time.Time, right bool) error {
	s.Now = func() time.Time { return start }
	a, err := s.StartAttempt(ctx, quizID, employeeID)
	if err != nil {
		return err
	}
	qs, err := s.cachedQuestions(ctx, s.DB, a.questionIDs())
	if err != nil {
		return err
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
			return err
		}
	}
	_, err = s.SubmitAttempt(ctx, a.ID, employeeID, start.Add(9*time.Minute), nil)
	return err
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

// demoObservations: each of the first employees with a manager is observed
// by them on one checklist, in a pattern of passes and failures.
func demoObservations(ctx context.Context, s *ObservationStore, employeeIDs []int64, base time.Time) error {
	realNow := s.Now
	defer func() { s.Now = realNow }()
	checklists, err := s.ListChecklists(ctx)
	if err != nil || len(checklists) == 0 {
		return err
	}
	var rows []struct {
		ID        int64
		ManagerID *int64
	}
	if err := s.DB.NewSelect().TableExpr("employees").Column("id", "manager_id").
		Where("id IN (?)", bun.In(employeeIDs)).Scan(ctx, &rows); err != nil {
		return err
	}
	managers := make(map[int64]int64, len(rows))
	for _, r := range rows {
		if r.ManagerID != nil {
			managers[r.ID] = *r.ManagerID
		}
	}
	k := 0
	for _, id := range employeeIDs {
		mgr, ok := managers[id]
		if !ok {
			continue
		}
		if k == 6 {
			break
		}
		cl := &checklists[k%len(checklists)]
		at := base.AddDate(0, 0, -20+k)
		s.Now = func() time.Time { return at }
		ratings := map[string]Rating{}
		for _, it := range cl.Checklist.Items {
			ratings[it.ID] = Fully
		}
		failed := false
		switch k % 3 {
		case 1: // fails on the first critical item, otherwise sound
			for i, it := range cl.Checklist.Items {
				if it.Critical {
					ratings[it.ID] = Partly
					failed = true
					break
				} else if i%2 == 1 {
					ratings[it.ID] = Partly
				}
			}
		case 2: // a good pass with one item that did not come up
			if n := len(cl.Checklist.Items); n > 1 && !cl.Checklist.Items[n-1].Critical {
				ratings[cl.Checklist.Items[n-1].ID] = NA
			}
		}
		if failed { // the employee rated themself before the observation
			self := map[string]Rating{}
			for _, it := range cl.Checklist.Items {
				self[it.ID] = Fully
			}
			if _, err := s.SaveSelfAssessment(ctx, id, cl.Slug, self,
				map[string]string{cl.Checklist.Items[0].ID: "I think this went well."}, true); err != nil {
				return err
			}
		}
		o, err := s.StartObservation(ctx, cl.Slug, id, mgr)
		if err != nil {
			return err
		}
		overall := "Confident and warm throughout; keep it up."
		if failed {
			overall = "Good start, but a critical step was only partly done: we will practise it and observe again."
		}
		if _, err := s.SaveDraft(ctx, o.ID, mgr, ratings, nil, overall); err != nil {
			return err
		}
		if _, err := s.SignOff(ctx, o.ID, mgr, at.Add(30*time.Minute), nil); err != nil {
			return err
		}
		if k%2 == 0 {
			if _, err := s.Acknowledge(ctx, o.ID, id, "Thanks — useful feedback.", at.AddDate(0, 0, 1)); err != nil {
				return err
			}
		}
		k++
	}
	return nil
}
