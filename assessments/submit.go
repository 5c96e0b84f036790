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

// SubmitWithAnswers saves answers (question row id → response in the ids
// AttemptView showed) and submits and scores the attempt, all in one
// transaction; onScored (if not nil) runs in it too. It is SaveAnswer for
// each answer followed by SubmitAttempt, with the same rules: every answer is
// checked first, and if any does not fit its question (or is not part of the
// attempt) it returns an *AnswersRefused and neither saves nor submits; past
// the deadline the answers are not saved (only those saved in time count);
// an attempt already submitted is returned as first scored, nothing saved
// and onScored not called. NotFound when the attempt is not theirs.
func (s *Store) SubmitWithAnswers(ctx context.Context, attemptID, employeeID int64, answers map[int64]Response, now time.Time, onScored ScoredFunc) (*Attempt, error) {
	// The checks read outside the transaction, so that the writers queue
	// only behind each other's writes.
	a, err := loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
	if err != nil {
		return nil, err
	}
	if a.Submitted() {
		return a, nil
	}
	qs, err := s.cachedQuestions(ctx, s.DB, a.questionIDs())
	if err != nil {
		return nil, err
	}
	at := now.UTC()
	rows := make([]savedAnswer, 0, len(answers))
	var refused map[int64]error
	for qid, r := range answers {
		it := a.item(qid)
		if it == nil {
			err = store.Errorf(store.Invalid, "That question is not part of this attempt. Reload the page.")
		} else {
			q := qs[qid]
			var authored Response
			if authored, err = toAuthored(q, it, r); err == nil {
				if err = ValidateResponse(q, authored); err == nil {
					var body []byte
					if body, err = json.Marshal(authored); err == nil {
						rows = append(rows, savedAnswer{AttemptID: a.ID, QuestionRowID: qid, Response: string(body), SavedAt: at})
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
	if a.Deadline != nil && at.After(*a.Deadline) {
		rows = nil // time is up: the answers saved in time decide
	}
	slices.SortFunc(rows, func(x, y savedAnswer) int { return cmp.Compare(x.QuestionRowID, y.QuestionRowID) })

	var out *Attempt
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Only submitted_at can have changed since the read above.
		var submitted []time.Time
		q := tx.NewSelect().Table("attempts").Column("submitted_at").Where("id = ? AND submitted_at IS NOT NULL", attemptID)
		if store.IsPostgresDB(tx) {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx, &submitted); err != nil {
			return err
		}
		if len(submitted) > 0 {
			out, err = loadAttempt(ctx, tx, attemptID, &employeeID, false)
			return err
		}
		cur := a
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
				return err
			}
		}
		var d *attemptData
		if len(rows) == len(cur.Draw) {
			// Every question was just answered (in time): score what was written.
			d, err = s.scoringData(ctx, nil, cur, qs, rows)
		} else {
			d, err = s.scoringData(ctx, tx, cur, qs, nil)
		}
		if err != nil {
			return err
		}
		out, err = markSubmitted(ctx, tx, cur, d, at, employeeID, onScored)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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
// returned; onScored runs only for the request that submitted.
func markSubmitted(ctx context.Context, tx bun.IDB, a *Attempt, d *attemptData, now time.Time, employeeID int64, onScored ScoredFunc) (*Attempt, error) {
	at := now.UTC()
	a.SubmittedAt = &at
	a.Late = a.Deadline != nil && at.After(*a.Deadline)
	applyScore(a, d.score())
	res, err := tx.NewUpdate().Model(a).Column(append([]string{"submitted_at", "late"}, scoreColumns...)...).
		Where("id = ? AND submitted_at IS NULL", a.ID).Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 { // submitted meanwhile
		return loadAttempt(ctx, tx, a.ID, &employeeID, false)
	}
	if onScored != nil {
		if err := onScored(ctx, tx, a); err != nil {
			return nil, err
		}
	}
	return a, nil
}
