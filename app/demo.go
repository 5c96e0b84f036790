package app

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// LoadDemo fills an empty database with the demo organisation: its people,
// company text, learning history, quiz attempts and role-play observations,
// written through the same stores and completion hooks as the pages, so a
// course is complete in the demo only when its lessons, quiz and role-play
// are. On a database that already has people it writes nothing and returns
// loaded=false with the logins.
func LoadDemo(ctx context.Context, db *bun.DB, password string) (info *people.DemoInfo, loaded bool, err error) {
	s := newServer(Config{DB: db})
	if info, loaded, err = people.LoadDemo(ctx, s.people, password); err != nil || !loaded {
		return info, loaded, err
	}
	ids, err := s.demoEmployees(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := s.quizzes.SyncBuiltinBanks(ctx); err != nil {
		return nil, false, err
	}
	if err := s.observations.SyncBuiltinChecklists(ctx); err != nil {
		return nil, false, err
	}
	if err := s.courses.LoadDemo(ctx, ids); err != nil {
		return nil, false, fmt.Errorf("demo learning: %w", err)
	}
	if err := s.demoAssessments(ctx, ids); err != nil {
		return nil, false, fmt.Errorf("demo assessments: %w", err)
	}
	return info, true, nil
}

// demoEmployees returns the active employees' ids by employee number.
func (s *Server) demoEmployees(ctx context.Context) ([]int64, error) {
	t := true
	list, _, err := s.people.ListEmployees(ctx, people.EmployeeFilter{Active: &t, OrderByNumber: true, Limit: 100_000})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	return ids, nil
}

// demoAssessments: whoever has read every lesson of a course takes its
// quiz (most pass at the first go, some at the second, some not yet) and,
// where the course has a role-play, is observed by their manager (most
// pass; some fail on a critical item and are due a re-observation), each
// result deciding the course's completion as it would on the pages.
func (s *Server) demoAssessments(ctx context.Context, ids []int64) error {
	var mgr []struct {
		ID        int64
		ManagerID *int64
	}
	if err := s.cfg.DB.NewSelect().TableExpr("employees").Column("id", "manager_id").Scan(ctx, &mgr); err != nil {
		return err
	}
	managers := make(map[int64]int64, len(mgr))
	for _, r := range mgr {
		if r.ManagerID != nil {
			managers[r.ID] = *r.ManagerID
		}
	}
	for i, id := range ids {
		progress, err := s.courses.Progress(ctx, id)
		if err != nil {
			return err
		}
		k := 0
		for _, p := range progress {
			if p.Enrolment == nil || p.LessonsTotal == 0 || p.LessonsDone < p.LessonsTotal {
				continue
			}
			var read time.Time
			for _, at := range p.Done {
				if at.After(read) {
					read = at
				}
			}
			// Spread the outcomes across the courses' pattern of who finishes (i%5).
			if err := s.demoCourseAssessments(ctx, p, id, managers[id], read.Add(time.Hour), i/5*3+i%5+k); err != nil {
				return fmt.Errorf("employee %d, %s: %w", id, p.Course.Slug, err)
			}
			k++
		}
	}
	return nil
}

// demoCourseAssessments takes the assessments the course requires, in the
// pattern n picks, starting at start.
func (s *Server) demoCourseAssessments(ctx context.Context, p *courses.CourseProgress, employeeID, managerID int64, start time.Time, n int) error {
	en := p.Enrolment
	complete := func(ctx context.Context, tx bun.IDB) error {
		_, _, err := s.courses.UpdateCompletion(ctx, tx, en, nil)
		return err
	}
	at := start
	defer s.clockAt(time.Time{})()
	for _, slug := range p.Outline.Version.AssessmentList() {
		if quiz, err := s.quizzes.FindQuiz(ctx, slug); err == nil {
			var plan []bool // each attempt right or not
			switch n % 6 {
			case 4:
				plan = []bool{false, true}
			case 5:
				plan = []bool{false}
			default:
				plan = []bool{true}
			}
			for _, right := range plan {
				s.clockAt(at.Add(9 * time.Minute))
				onScored := func(ctx context.Context, tx bun.IDB, a *assessments.Attempt) error { return complete(ctx, tx) }
				if _, err := s.quizzes.DemoAttempt(ctx, quiz.ID, employeeID, at, right, onScored); err != nil {
					return err
				}
				at = at.Add(26 * time.Hour)
			}
			continue
		}
		if managerID == 0 {
			continue
		}
		outcome := []assessments.DemoOutcome{assessments.DemoPass, assessments.DemoPass, assessments.DemoFailCritical,
			assessments.DemoPass, assessments.DemoPassWithNA}[n%5]
		at = at.Add(48 * time.Hour)
		s.clockAt(at.Add(30 * time.Minute))
		onSigned := func(ctx context.Context, tx bun.IDB, o *assessments.Observation) error { return complete(ctx, tx) }
		if _, err := s.observations.DemoObservation(ctx, slug, employeeID, managerID, at, outcome, n%2 == 0, onSigned); err != nil {
			return err
		}
	}
	return nil
}

// clockAt sets every store's clock to t (the real clock when t is zero) and
// returns the function that restores the real clocks. The demo loads alone.
func (s *Server) clockAt(t time.Time) func() {
	real := func() time.Time { return time.Now().UTC() }
	now := real
	if !t.IsZero() {
		now = func() time.Time { return t }
	}
	s.people.Now, s.courses.Now = now, now
	return func() { s.people.Now, s.courses.Now = real, real }
}
