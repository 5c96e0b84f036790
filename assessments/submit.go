package assessments

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// AnswersRefused reports the answers a submission refused (by question row
// id, each a *ResponseError or a store.Error of kind Invalid): nothing was
// saved and the attempt was not submitted. It unwraps to a store.Error of
// kind Invalid.
type AnswersRefused struct {
	Errors map[int64]error
}

func (e *AnswersRefused) Error() string {
	msgs := make([]string, 0, len(e.Errors))
	for _, id := range slices.Sorted(maps.Keys(e.Errors)) {
		msgs = append(msgs, fmt.Sprintf("question %d: %s", id, store.MessageOf(e.Errors[id])))
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the equivalent *store.Error (kind Invalid).
func (e *AnswersRefused) Unwrap() error {
	return &store.Error{Kind: store.Invalid, Message: "Some answers could not be saved, so the attempt was not submitted."}
}

// Submission is a submission of an attempt with answers, checked by
// CheckSubmission outside any transaction (so that the writers queue only
// behind each other's writes) and written by Submit in one.
type Submission struct {
	s          *Store
	a          *Attempt
	qs         map[int64]*Question
	rows       []savedAnswer
	at         time.Time
	employeeID int64
}

// Attempt is the attempt as CheckSubmission read it: when it is submitted
// already, it is the first result and there is nothing to Submit.
func (sub *Submission) Attempt() *Attempt { return sub.a }

// CheckSubmission checks a submission of the employee's attempt with
// answers (question row id → response in the ids AttemptView showed),
// reading outside any transaction; Submission.Submit then saves them and
// submits and scores the attempt in one. It is SaveAnswer for each answer
// followed by SubmitAttempt, with the same rules: every answer is checked
// first, and if any does not fit its question (or is not part of the
// attempt) it returns an *AnswersRefused and nothing is to be written;
// past the deadline the answers are dropped (only those saved in time
// count); an attempt already submitted is the Submission's Attempt, as
// first scored, with nothing to write. NotFound when the attempt is not
// theirs. (training.SubmitAttempt uses it, deciding course completion in
// the submission's transaction.)
func (s *Store) CheckSubmission(ctx context.Context, attemptID, employeeID int64, answers map[int64]Response, now time.Time) (*Submission, error) {
	a, err := loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
	if err != nil {
		return nil, err
	}
	sub := &Submission{s: s, a: a, at: now.UTC(), employeeID: employeeID}
	if a.Submitted() {
		return sub, nil
	}
	if sub.qs, err = s.cachedQuestions(ctx, s.DB, a.questionIDs()); err != nil {
		return nil, err
	}
	sub.rows = make([]savedAnswer, 0, len(answers))
	var refused map[int64]error
	for qid, r := range answers {
		it := a.item(qid)
		if it == nil {
			err = store.Errorf(store.Invalid, "That question is not part of this attempt. Reload the page.")
		} else {
			q := sub.qs[qid]
			var authored Response
			if authored, err = toAuthored(q, it, r); err == nil {
				if err = ValidateResponse(q, authored); err == nil {
					var body []byte
					if body, err = json.Marshal(authored); err == nil {
						sub.rows = append(sub.rows, savedAnswer{AttemptID: a.ID, QuestionRowID: qid, Response: string(body), SavedAt: sub.at})
					}
				}
			}
		}
		if err != nil {
			if store.KindOf(err) != store.Invalid {
				return nil, err
			}
			if refused == nil {
				refused = map[int64]error{}
			}
			refused[qid] = err
		}
	}
	if refused != nil {
		return nil, &AnswersRefused{Errors: refused}
	}
	if a.Deadline != nil && sub.at.After(*a.Deadline) {
		sub.rows = nil // time is up: the answers saved in time decide
	}
	slices.SortFunc(sub.rows, func(x, y savedAnswer) int { return cmp.Compare(x.QuestionRowID, y.QuestionRowID) })
	return sub, nil
}

// Submit saves the checked answers and submits and scores the attempt in
// tx. It reports whether this call submitted it: when another request got
// there first, it returns that result and false.
func (sub *Submission) Submit(ctx context.Context, tx bun.IDB) (*Attempt, bool, error) {
	attemptID, employeeID, rows := sub.a.ID, sub.employeeID, sub.rows
	// Only submitted_at can have changed since the check.
	var submitted []time.Time
	q := tx.NewSelect().Table("attempts").Column("submitted_at").Where("id = ? AND submitted_at IS NOT NULL", attemptID)
	if store.IsPostgresDB(tx) {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx, &submitted); err != nil {
		return nil, false, err
	}
	if len(submitted) > 0 {
		a, err := loadAttempt(ctx, tx, attemptID, &employeeID, false)
		return a, false, err
	}
	cur := *sub.a // Submit may be retried with a new transaction
	if len(rows) > 0 {
		var sb strings.Builder
		args := make([]any, 0, 4*len(rows))
		sb.WriteString("INSERT INTO attempt_answers (attempt_id, question_row_id, response, saved_at, grade_comment) VALUES ")
		for i, r := range rows {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, '')")
			args = append(args, r.AttemptID, r.QuestionRowID, r.Response, r.SavedAt)
		}
		sb.WriteString(" ON CONFLICT (attempt_id, question_row_id) DO UPDATE SET response = EXCLUDED.response, saved_at = EXCLUDED.saved_at")
		if _, err := tx.NewRaw(sb.String(), args...).Exec(ctx); err != nil {
			return nil, false, err
		}
	}
	var d *attemptData
	var err error
	if len(rows) == len(cur.Draw) {
		// Every question was just answered (in time): score what was written.
		d, err = sub.s.scoringData(ctx, nil, &cur, sub.qs, rows)
	} else {
		d, err = sub.s.scoringData(ctx, tx, &cur, sub.qs, nil)
	}
	if err != nil {
		return nil, false, err
	}
	return markSubmitted(ctx, tx, &cur, d, sub.at, employeeID)
}

// scoringData is loadAttemptData without the quiz, for scoring: the
// questions are given (qs, by row id) and the counted answers are read, or
// are saved when db is nil.
func (s *Store) scoringData(ctx context.Context, db bun.IDB, a *Attempt, qs map[int64]*Question, saved []savedAnswer) (*attemptData, error) {
	d := &attemptData{a: a, questions: make([]*Question, len(a.Draw)), answers: make([]*savedAnswer, len(a.Draw)),
		responses: make([]Response, len(a.Draw))}
	if db != nil {
		if err := db.NewSelect().Model(&saved).Where("attempt_id = ?", a.ID).Scan(ctx); err != nil {
			return nil, err
		}
	}
	for i, it := range a.Draw {
		if d.questions[i] = qs[it.QuestionID]; d.questions[i] == nil {
			return nil, fmt.Errorf("attempt %d: question row %d is missing", a.ID, it.QuestionID)
		}
		for j := range saved {
			sa := &saved[j]
			if sa.QuestionRowID != it.QuestionID || (a.Deadline != nil && sa.SavedAt.After(*a.Deadline)) {
				continue
			}
			if err := json.Unmarshal([]byte(sa.Response), &d.responses[i]); err != nil {
				return nil, fmt.Errorf("attempt %d answer %d: %w", a.ID, sa.QuestionRowID, err)
			}
			d.answers[i] = sa
		}
	}
	return d, nil
}

// markSubmitted records the submission and the score of a (from d) unless
// another request submitted it first, in which case that result is
// returned; it reports whether this call submitted it.
func markSubmitted(ctx context.Context, tx bun.IDB, a *Attempt, d *attemptData, now time.Time, employeeID int64) (*Attempt, bool, error) {
	at := now.UTC()
	a.SubmittedAt = &at
	a.Late = a.Deadline != nil && at.After(*a.Deadline)
	applyScore(a, d.score())
	res, err := tx.NewUpdate().Model(a).Column(append([]string{"submitted_at", "late"}, scoreColumns...)...).
		Where("id = ? AND submitted_at IS NULL", a.ID).Exec(ctx)
	if err != nil {
		return nil, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 { // submitted meanwhile
		a, err := loadAttempt(ctx, tx, a.ID, &employeeID, false)
		return a, false, err
	}
	return a, true, nil
}
