package assessments

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// PromiseSync says what SyncPromiseQuestions did.
type PromiseSync struct {
	Created, Updated, Retired int
	Quizzes                   int // quizzes of the promise course whose draw per tag it changed
}

// Any reports whether the bank or a quiz changed.
func (p PromiseSync) Any() bool { return p.Created+p.Updated+p.Retired+p.Quizzes > 0 }

// String is the audit log's account: "questions on our promises: 2 new, 1 replaced, 5 retired".
func (p PromiseSync) String() string {
	return fmt.Sprintf("questions on our promises: %d new, %d replaced, %d retired", p.Created, p.Updated, p.Retired)
}

// SyncPromiseQuestions makes the generated questions in the bank of
// PromiseCourse exactly qs (PromiseQuestions' result), through db (the
// caller's transaction): new ones are created, changed ones get a new
// version (attempts keep the old one; no new attempt draws it), and current
// questions of PromiseCategory missing from qs are retired. The built-in
// bank's questions, in other categories, are left alone, as the built-in
// sync leaves these alone. Then every quiz of the course draws at least one
// question tagged PromiseTag when there is one (never more than there are),
// and none when there is none, so the quiz can always start.
//
// A current generated question written after since (the last change to the
// promises) is kept as it is: it was generated from the promises as they
// are, and an author may have edited it since (rewording a distractor, say),
// so a restart, which regenerates, does not undo the edit; the next change
// to a promise replaces it. The zero since replaces every changed question.
func (s *Store) SyncPromiseQuestions(ctx context.Context, db bun.IDB, qs []Question, since time.Time, by *int64) (PromiseSync, error) {
	var res PromiseSync
	if !since.IsZero() {
		var kept []questionRow
		if err := db.NewSelect().Model(&kept).Where("course_slug = ? AND is_current = ? AND created_at > ?", PromiseCourse, true, since.UTC()).
			Scan(ctx); err != nil {
			return res, err
		}
		byQID := make(map[string]*questionRow, len(kept))
		for i := range kept {
			byQID[kept[i].QID] = &kept[i]
		}
		qs = slices.Clone(qs)
		for i := range qs {
			r := byQID[qs[i].ID]
			if r == nil {
				continue
			}
			var q Question
			if err := json.Unmarshal([]byte(r.Body), &q); err != nil {
				return res, fmt.Errorf("question row %d: %w", r.ID, err)
			}
			if IsPromiseQuestion(&q) {
				qs[i] = q
			}
		}
	}
	plan, err := planQuestions(ctx, db, PromiseCourse, qs)
	if err != nil {
		return res, err
	}
	if _, err := writeQuestions(ctx, db, PromiseCourse, plan, by, s.Now().UTC()); err != nil {
		return res, err
	}
	for _, p := range plan {
		switch p.action {
		case ImportCreate:
			res.Created++
		case ImportUpdate:
			res.Updated++
		}
	}
	keep := make(map[string]bool, len(qs))
	for _, q := range qs {
		keep[q.ID] = true
	}
	var current []questionRow
	if err := db.NewSelect().Model(&current).Where("course_slug = ? AND is_current = ?", PromiseCourse, true).
		Scan(ctx); err != nil {
		return res, err
	}
	var retire []int64
	for i := range current {
		r := &current[i]
		if keep[r.QID] {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(r.Body), &q); err != nil {
			return res, fmt.Errorf("question row %d: %w", r.ID, err)
		}
		if q.Category == PromiseCategory {
			retire = append(retire, r.ID)
		}
	}
	if len(retire) > 0 {
		if _, err := db.NewUpdate().Model((*questionRow)(nil)).Set("is_current = ?", false).
			Where("id IN (?)", bun.In(retire)).Exec(ctx); err != nil {
			return res, err
		}
		res.Retired = len(retire)
	}

	var quizzes []quizRow
	if err := db.NewSelect().Model(&quizzes).Where("course_slug = ?", PromiseCourse).OrderExpr("id").Scan(ctx); err != nil {
		return res, err
	}
	for i := range quizzes {
		row := &quizzes[i]
		q, err := row.quiz()
		if err != nil {
			return res, err
		}
		draw := maps.Clone(q.DrawPerTag)
		if draw == nil {
			draw = map[string]int{}
		}
		switch n := draw[PromiseTag]; {
		case len(qs) == 0:
			delete(draw, PromiseTag)
		case n < 1:
			draw[PromiseTag] = 1
		case n > len(qs):
			draw[PromiseTag] = len(qs)
		}
		sum := 0
		for _, n := range draw {
			sum += n
		}
		if maps.Equal(draw, q.DrawPerTag) || len(draw) == 0 && len(q.DrawPerTag) == 0 || sum > q.DrawCount {
			continue // unchanged, or an author's draw that leaves no room (left as they set it)
		}
		body := ""
		if len(draw) > 0 {
			b, _ := json.Marshal(draw)
			body = string(b)
		}
		if _, err := db.NewUpdate().Model((*quizRow)(nil)).Set("draw_per_tag = ?", body).Set("updated_at = ?", s.Now().UTC()).
			Where("id = ?", row.ID).Exec(ctx); err != nil {
			return res, err
		}
		res.Quizzes++
	}
	return res, nil
}

// IsPromiseQuestion reports whether a question was generated from the
// company's service promises.
func IsPromiseQuestion(q *Question) bool {
	return q.Category == PromiseCategory && slices.Contains(q.Tags, PromiseTag) && strings.HasPrefix(q.ID, "promise-")
}
