package courses

import (
	"context"
	"fmt"
	"time"
)

// LoadDemo gives the demo organisation its learning history: the built-in
// courses, the company's mission and promises, and realistic progress — some
// staff finished, some half-way, some not started. employeeIDs are the
// active demo employees in a stable order. It writes progress only when no
// one has started any course yet.
func (s *Store) LoadDemo(ctx context.Context, employeeIDs []int64) error {
	builtins, err := Builtin()
	if err != nil {
		return err
	}
	if _, err := s.SyncBuiltins(ctx, builtins); err != nil {
		return err
	}
	if err := s.LoadDemoCompany(ctx); err != nil {
		return err
	}
	started, err := s.DB.NewSelect().Model((*Enrolment)(nil)).Count(ctx)
	if err != nil || started > 0 {
		return err
	}
	realNow := s.Now
	defer func() { s.Now = realNow }()
	base := realNow()
	// Everyone's history in the past weeks: finished, part-way or not started,
	// in a repeating pattern so every team has a mix.
	type step struct {
		slug    string
		lessons int // how many lessons to complete; -1 = all
	}
	for i, id := range employeeIDs {
		var plan []step
		switch i % 5 {
		case 0, 1: // finished the mission course (with acknowledgement) and service recovery
			plan = []step{{MissionCourse, -1}, {"service-recovery", -1}, {"promises-timelines", 2}}
		case 2: // finished the mission course, half-way through service recovery
			plan = []step{{MissionCourse, -1}, {"service-recovery", 2}}
		case 3: // half-way through the mission course
			plan = []step{{MissionCourse, 2}}
		}
		day := 0
		for _, step := range plan {
			c, err := s.FindCourse(ctx, step.slug)
			if err != nil {
				return err
			}
			o, en, err := s.Start(ctx, id, c)
			if err != nil {
				return err
			}
			n := step.lessons
			if n < 0 || n > len(o.Lessons) {
				n = len(o.Lessons)
			}
			for k := 0; k < n; k++ {
				at := base.AddDate(0, 0, -40+(i%9)+day).Add(time.Duration(k*20) * time.Minute)
				s.Now = func() time.Time { return at }
				if k == n-1 && step.slug == MissionCourse && n == len(o.Lessons) {
					// The last step of the mission course: confirm every promise.
					if err := s.acknowledgeAll(ctx, id); err != nil {
						return fmt.Errorf("demo acknowledgement: %w", err)
					}
				}
				if _, _, err := s.CompleteLesson(ctx, en, o.Lessons[k].ID, nil); err != nil {
					return fmt.Errorf("demo progress: %w", err)
				}
				if err := s.Visit(ctx, en, o.Lessons[k].ID); err != nil {
					return err
				}
			}
			day += 3
		}
	}
	return nil
}

// acknowledgeAll confirms every active promise for the employee.
func (s *Store) acknowledgeAll(ctx context.Context, employeeID int64) error {
	active, err := activePromises(ctx, s.DB)
	if err != nil {
		return err
	}
	ids := make([]int64, len(active))
	for i, p := range active {
		ids[i] = p.ID
	}
	return s.Acknowledge(ctx, employeeID, ids)
}
