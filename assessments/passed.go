package assessments

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// QuizPassed reports whether employeeID has a passed attempt at the quiz
// started at or after since (zero: any). db may be the transaction that
// just scored an attempt.
func (s *Store) QuizPassed(ctx context.Context, db bun.IDB, employeeID, quizID int64, since time.Time) (bool, error) {
	q := db.NewSelect().TableExpr("attempts AS at").
		Where("at.quiz_id = ? AND at.employee_id = ? AND at.passed = ?", quizID, employeeID, true)
	if !since.IsZero() {
		q = q.Where("at.started_at >= ?", since)
	}
	return q.Exists(ctx)
}

// AttemptResult is a scored attempt as a certificate's score reads it.
type AttemptResult struct {
	StartedAt time.Time
	Percent   float64
	Passed    bool
}

// AttemptResults returns the employee's scored attempts at the quiz (an
// attempt waiting for an essay's grade is not passed yet), for
// CertificateScore. db may be the transaction that completes a programme.
func (s *Store) AttemptResults(ctx context.Context, db bun.IDB, employeeID, quizID int64) ([]AttemptResult, error) {
	var rows []struct {
		StartedAt time.Time
		Percent   float64
		Passed    *bool
	}
	if err := db.NewSelect().TableExpr("attempts").Column("started_at", "percent", "passed").
		Where("quiz_id = ? AND employee_id = ? AND percent IS NOT NULL", quizID, employeeID).OrderExpr("number").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]AttemptResult, len(rows))
	for i, r := range rows {
		out[i] = AttemptResult{StartedAt: r.StartedAt, Percent: r.Percent, Passed: r.Passed != nil && *r.Passed}
	}
	return out, nil
}

// CertificateScore is the score a certificate prints: the mean, over the
// quizzes (each one's attempts), of the best percent among its passed
// attempts started after after (nil: ever); a quiz not passed in that time
// does not count; nil when none does.
func CertificateScore(quizzes [][]AttemptResult, after *time.Time) *float64 {
	var sum float64
	n := 0
	for _, attempts := range quizzes {
		best, passed := 0.0, false
		for _, a := range attempts {
			if a.Passed && (after == nil || a.StartedAt.After(*after)) && (!passed || a.Percent > best) {
				best, passed = a.Percent, true
			}
		}
		if passed {
			sum += best
			n++
		}
	}
	if n == 0 {
		return nil
	}
	mean := sum / float64(n)
	return &mean
}

// ChecklistPassed reports whether employeeID has a signed-off, passed
// observation on the checklist with slug, signed off at or after since
// (zero: any); an unknown slug is never passed.
func (s *ObservationStore) ChecklistPassed(ctx context.Context, db bun.IDB, employeeID int64, slug string, since time.Time) (bool, error) {
	q := db.NewSelect().TableExpr("observations AS o").
		Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
		Where("cl.slug = ? AND o.employee_id = ? AND o.status = ? AND o.passed", slug, employeeID, ObservationSignedOff)
	if !since.IsZero() {
		q = q.Where("o.signed_off_at >= ?", since)
	}
	return q.Exists(ctx)
}

// CriticalFailure is a signed-off observation failed on critical items
// that no later observation on the same checklist has passed.
type CriticalFailure struct {
	EmployeeID   int64
	Checklist    string // title
	Items        []string
	ReobserveDue string
}

// ObservationFact is a signed-off observation as the critical-failure rule
// (StillFailed) reads it.
type ObservationFact struct {
	ID, ChecklistID int64
	SignedOffAt     time.Time
	Passed          bool
	FailedCritical  []string // critical item ids rated below Fully
}

// StillFailed is the critical-failure rule over one employee's signed-off
// observations: on each checklist the newest (signed off last; at the same
// moment, the higher id) leaves a critical failure to put right when it
// failed on a critical item. It returns those, in the order given.
func StillFailed(obs []ObservationFact) []ObservationFact {
	newest := map[int64]int{}
	for i, o := range obs {
		j, ok := newest[o.ChecklistID]
		if !ok || o.SignedOffAt.After(obs[j].SignedOffAt) || (o.SignedOffAt.Equal(obs[j].SignedOffAt) && o.ID > obs[j].ID) {
			newest[o.ChecklistID] = i
		}
	}
	var out []ObservationFact
	for i, o := range obs {
		if newest[o.ChecklistID] == i && !o.Passed && len(o.FailedCritical) > 0 {
			out = append(out, o)
		}
	}
	return out
}

// CriticalFailures returns the outstanding critical failures of the
// employees (StillFailed), by employee and observation. db may be the
// transaction that just signed one off.
func (s *ObservationStore) CriticalFailures(ctx context.Context, db bun.IDB, employeeIDs []int64) ([]CriticalFailure, error) {
	var out []CriticalFailure
	for start := 0; start < len(employeeIDs); start += 500 {
		chunk := employeeIDs[start:min(start+500, len(employeeIDs))]
		var signed []Observation
		err := db.NewSelect().Model(&signed).Column("o.id", "o.employee_id", "o.checklist_id", "o.signed_off_at", "o.passed", "o.failed_critical").
			Where("o.employee_id IN (?) AND o.status = ?", bun.In(chunk), ObservationSignedOff).
			OrderExpr("o.employee_id, o.id").Scan(ctx)
		if err != nil {
			return nil, err
		}
		var failed []int64
		for i := 0; i < len(signed); {
			j := i
			var facts []ObservationFact
			for ; j < len(signed) && signed[j].EmployeeID == signed[i].EmployeeID; j++ {
				o := &signed[j]
				facts = append(facts, ObservationFact{ID: o.ID, ChecklistID: o.ChecklistID, SignedOffAt: *o.SignedOffAt,
					Passed: o.Passed != nil && *o.Passed, FailedCritical: o.FailedCritical})
			}
			for _, f := range StillFailed(facts) {
				failed = append(failed, f.ID)
			}
			i = j
		}
		if len(failed) == 0 {
			continue
		}
		var list []Observation
		if err := db.NewSelect().Model(&list).Column("o.id", "o.employee_id", "o.checklist_snapshot", "o.failed_critical", "o.reobserve_due").
			Where("o.id IN (?)", bun.In(failed)).OrderExpr("o.employee_id, o.id").Scan(ctx); err != nil {
			return nil, err
		}
		for i := range list {
			o := &list[i]
			cl, err := decodeChecklistBody(o.ChecklistSnapshot)
			if err != nil {
				return nil, fmt.Errorf("observation %d: %w", o.ID, err)
			}
			f := CriticalFailure{EmployeeID: o.EmployeeID, Checklist: cl.Title, Items: cl.ItemTexts(o.FailedCritical)}
			if o.ReobserveDue != nil {
				f.ReobserveDue = *o.ReobserveDue
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// ItemTexts returns the texts of the checklist's items with the ids, in
// checklist order: the failed critical items, as a critical failure names them.
func (cl *Checklist) ItemTexts(ids []string) []string {
	var out []string
	for _, it := range cl.Items {
		for _, id := range ids {
			if it.ID == id {
				out = append(out, it.Text)
			}
		}
	}
	return out
}
