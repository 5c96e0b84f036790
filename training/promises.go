package training

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// PromisesSaved says what SavePromises did: the promises' changes and the
// regeneration of their questions.
type PromisesSaved struct {
	courses.PromiseChanges
	Questions assessments.PromiseSync
}

// SavePromises makes the active service promises exactly in (see
// courses.SavePromisesIn: a changed text or fact is a new version every
// employee confirms again) and, in the same transaction, regenerates the
// questions on them in the bank of the course that teaches the promises, so
// no learner is asked about an old version: a changed promise's questions
// get new versions, a retired promise's are retired. When anything changed,
// one audit entry ("company.promises") says what. Invalid as
// courses.CheckPromises says.
func (s *Service) SavePromises(ctx context.Context, in []courses.PromiseInput, by Actor) (PromisesSaved, error) {
	var out PromisesSaved
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out = PromisesSaved{}
		if out.PromiseChanges, err = s.courses.SavePromisesIn(ctx, tx, in); err != nil {
			return err
		}
		if out.Questions, err = s.regeneratePromiseQuestions(ctx, tx, by.ID); err != nil {
			return err
		}
		if !out.Any() && !out.Questions.Any() {
			return nil
		}
		detail := fmt.Sprintf("added %d, changed %d, removed %d, moved %d; %d employees asked to re-acknowledge; %s",
			out.Added, out.Changed, out.Removed, out.Moved, out.Reacknowledge, out.Questions)
		return people.Audit(ctx, tx, s.clock.Now(), by.ID, by.Name, "company.promises", "service promises", detail)
	})
	s.courses.ForgetCompany()
	return out, err
}

// RegeneratePromiseQuestions regenerates the questions on the active
// promises in a transaction of its own (SyncBuiltins runs it at every start,
// after the built-in banks and quizzes, so a new quiz of the course draws
// them too). It writes nothing when nothing changed.
func (s *Service) RegeneratePromiseQuestions(ctx context.Context) (assessments.PromiseSync, error) {
	var res assessments.PromiseSync
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		res, err = s.regeneratePromiseQuestions(ctx, tx, nil)
		if err != nil || !res.Any() {
			return err
		}
		return people.Audit(ctx, tx, s.clock.Now(), nil, "system", "company.promises", "service promises", res.String())
	})
	return res, err
}

// regeneratePromiseQuestions generates the questions from the active
// promises as tx sees them and stores them (assessments.SyncPromiseQuestions).
func (s *Service) regeneratePromiseQuestions(ctx context.Context, tx bun.IDB, by *int64) (assessments.PromiseSync, error) {
	var active []courses.Promise
	if err := tx.NewSelect().Model(&active).Where("sp.active = ?", true).OrderExpr("sp.position, sp.id").Scan(ctx); err != nil {
		return assessments.PromiseSync{}, err
	}
	src := make([]assessments.PromiseSource, len(active))
	var since time.Time // the last change to the promises: questions written after it are kept as they are
	for i, p := range active {
		src[i] = assessments.PromiseSource{ID: p.ID, Text: p.Text, ClockStarts: p.ClockStarts, DoneWhen: p.DoneWhen,
			TimeLimit: p.TimeLimit, Exclusions: p.Exclusions, KeptBy: p.KeptBy}
		if p.UpdatedAt.After(since) {
			since = p.UpdatedAt
		}
	}
	return s.quizzes.SyncPromiseQuestions(ctx, tx, assessments.PromiseQuestions(src), since, by)
}
