package assessments

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Service standards are the tags that name what a course teaches. A
// question carries its own tags; a built-in bank's question also names one
// in the last part of its category ("six-cs/commitment").

// Standards returns the service standards a question assesses: its tags,
// and the last part of its category when that has one (callers keep only
// the standards they know).
func (q *Question) Standards() []string {
	out := slices.Clone(q.Tags)
	if i := strings.LastIndexByte(q.Category, '/'); i >= 0 && i < len(q.Category)-1 {
		if leaf := strings.TrimSpace(q.Category[i+1:]); leaf != "" && !slices.Contains(out, leaf) {
			out = append(out, leaf)
		}
	}
	return out
}

// QuestionTags returns every tag on a current question of any bank, sorted.
func (s *Store) QuestionTags(ctx context.Context) ([]string, error) {
	var lists []string
	if err := s.DB.NewSelect().TableExpr("questions").ColumnExpr("DISTINCT tags").Where("is_current AND tags <> ''").Scan(ctx, &lists); err != nil {
		return nil, err
	}
	var out []string
	for _, l := range lists {
		for _, t := range strings.Split(l, ",") {
			if t != "" && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// StandardScore is an employee's latest quiz result on one standard: the
// points earned on the questions assessing it in the newest submitted
// attempt that drew any, over their maximum.
type StandardScore struct {
	Points, MaxPoints float64
	Quiz              string // its title
	At                time.Time
}

// Percent is the score in percent (0 when there was nothing to score).
func (s StandardScore) Percent() float64 {
	if s.MaxPoints == 0 {
		return 0
	}
	return 100 * s.Points / s.MaxPoints
}

// QuizStandardScores returns, for each employee and standard (Question.Standards),
// the latest quiz score, in a few queries per 500 employees: their submitted
// attempts, the questions drawn (cached) and the answers of the attempts
// that count. Answers saved after the deadline count as blank; an essay
// awaiting a grade is left out of the standard's points and maximum.
func (s *Store) QuizStandardScores(ctx context.Context, employeeIDs []int64) (map[int64]map[string]StandardScore, error) {
	out := make(map[int64]map[string]StandardScore, len(employeeIDs))
	titles := map[int64]string{}
	var quizzes []struct {
		ID    int64
		Title string
	}
	if err := s.DB.NewSelect().TableExpr("quizzes").Column("id", "title").Scan(ctx, &quizzes); err != nil {
		return nil, err
	}
	for _, q := range quizzes {
		titles[q.ID] = q.Title
	}
	for start := 0; start < len(employeeIDs); start += 500 {
		chunk := employeeIDs[start:min(start+500, len(employeeIDs))]
		var attempts []Attempt
		if err := s.DB.NewSelect().Model(&attempts).Column("id", "quiz_id", "employee_id", "deadline", "submitted_at", "draw").
			Where("employee_id IN (?) AND submitted_at IS NOT NULL", bun.In(chunk)).
			OrderExpr("employee_id, submitted_at DESC, id DESC").Scan(ctx); err != nil {
			return nil, err
		}
		var qids []int64
		for i := range attempts {
			a := &attempts[i]
			if err := json.Unmarshal([]byte(a.DrawJSON), &a.Draw); err != nil {
				return nil, fmt.Errorf("attempt %d: draw: %w", a.ID, err)
			}
			qids = append(qids, a.questionIDs()...)
		}
		slices.Sort(qids)
		qs, err := s.cachedQuestions(ctx, s.DB, slices.Compact(qids))
		if err != nil {
			return nil, err
		}
		// Newest first per employee: an attempt counts for the standards
		// no newer attempt of theirs drew.
		counts := map[int64][]string{} // attempt → standards it decides
		seen := map[int64]map[string]bool{}
		for _, a := range attempts {
			if seen[a.EmployeeID] == nil {
				seen[a.EmployeeID] = map[string]bool{}
			}
			for _, it := range a.Draw {
				for _, tag := range qs[it.QuestionID].Standards() {
					if !seen[a.EmployeeID][tag] {
						seen[a.EmployeeID][tag] = true
						counts[a.ID] = append(counts[a.ID], tag)
					}
				}
			}
		}
		var ids []int64
		for id := range counts {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		answers := map[int64]map[int64]*savedAnswer{}
		for from := 0; from < len(ids); from += 900 {
			var saved []savedAnswer
			if err := s.DB.NewSelect().Model(&saved).Where("attempt_id IN (?)", bun.In(ids[from:min(from+900, len(ids))])).Scan(ctx); err != nil {
				return nil, err
			}
			for i := range saved {
				sa := &saved[i]
				if answers[sa.AttemptID] == nil {
					answers[sa.AttemptID] = map[int64]*savedAnswer{}
				}
				answers[sa.AttemptID][sa.QuestionRowID] = sa
			}
		}
		for _, a := range attempts {
			tags := counts[a.ID]
			if len(tags) == 0 {
				continue
			}
			res := map[string]*StandardScore{}
			for _, tag := range tags {
				res[tag] = &StandardScore{Quiz: titles[a.QuizID], At: *a.SubmittedAt}
			}
			for _, it := range a.Draw {
				q := qs[it.QuestionID]
				var points float64
				if sa := answers[a.ID][it.QuestionID]; sa != nil && (a.Deadline == nil || !sa.SavedAt.After(*a.Deadline)) {
					var r Response
					if err := json.Unmarshal([]byte(sa.Response), &r); err != nil {
						return nil, fmt.Errorf("attempt %d answer %d: %w", a.ID, sa.QuestionRowID, err)
					}
					sc := Score(q, r)
					switch {
					case sc.NeedsGrading && sa.Grade == nil:
						continue // not graded yet: left out
					case sc.NeedsGrading:
						sc.Points = *sa.Grade * scoreMaxPoints(q)
					}
					points = sc.Points
				}
				for _, tag := range q.Standards() {
					if r := res[tag]; r != nil {
						r.Points += points
						r.MaxPoints += scoreMaxPoints(q)
					}
				}
			}
			if out[a.EmployeeID] == nil {
				out[a.EmployeeID] = map[string]StandardScore{}
			}
			for tag, r := range res {
				if r.MaxPoints > 0 {
					out[a.EmployeeID][tag] = *r
				}
			}
		}
	}
	return out, nil
}

// RolePlayResult is an employee's newest signed-off observation on one checklist.
type RolePlayResult struct {
	EmployeeID    int64
	ChecklistSlug string
	CourseSlug    string // the course the checklist belongs to ("" none)
	Title         string
	Percent       float64
	Passed        bool
	At            time.Time
}

// LatestRolePlays returns each employee's newest signed-off observation on
// each checklist (amended revisions left out), in one query per 500 employees.
func (s *ObservationStore) LatestRolePlays(ctx context.Context, employeeIDs []int64) ([]RolePlayResult, error) {
	var out []RolePlayResult
	for start := 0; start < len(employeeIDs); start += 500 {
		chunk := employeeIDs[start:min(start+500, len(employeeIDs))]
		var rows []struct {
			EmployeeID              int64
			Slug, CourseSlug, Title string
			Score                   *float64
			Passed                  *bool
			SignedOffAt             time.Time
		}
		err := s.DB.NewSelect().TableExpr("observations AS o").Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
			ColumnExpr("o.employee_id, cl.slug, cl.course_slug, cl.title, o.score, o.passed, o.signed_off_at").
			Where("o.employee_id IN (?) AND o.status = ?", bun.In(chunk), ObservationSignedOff).
			Where(`NOT EXISTS (SELECT 1 FROM observations AS n WHERE n.employee_id = o.employee_id AND n.checklist_id = o.checklist_id
				AND n.status = ? AND (n.signed_off_at > o.signed_off_at OR (n.signed_off_at = o.signed_off_at AND n.id > o.id)))`, ObservationSignedOff).
			OrderExpr("o.employee_id, cl.slug").Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			res := RolePlayResult{EmployeeID: r.EmployeeID, ChecklistSlug: r.Slug, CourseSlug: r.CourseSlug, Title: r.Title, At: r.SignedOffAt}
			if r.Score != nil {
				res.Percent = *r.Score
			}
			res.Passed = r.Passed != nil && *r.Passed
			out = append(out, res)
		}
	}
	return out, nil
}
