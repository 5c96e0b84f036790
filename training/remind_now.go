package training

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
)

// RemindOverdue queues, now, an "overdue" reminder to the employee for each
// of their open programme cycles past its due date, on a manager's or HR's
// request (the coach queue), and audits it. The key "manual:CYCLE:DATE"
// (company date) means at most one such reminder per cycle a day: asked
// twice the same day, nothing more is queued. It returns how many cycles
// were reminded of (0: none overdue, or already reminded today).
func (s *Service) RemindOverdue(ctx context.Context, e *people.Employee, by Actor) (int, error) {
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return 0, err
	}
	assigned, err := s.courses.AssignedProgrammes(ctx, e.ID)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	today := now.In(loc).Format(time.DateOnly)
	var evs []notify.Event
	var titles []string
	for _, pp := range assigned {
		cy := pp.Cycle
		if pp.Status != courses.Overdue || cy == nil || cy.CompletedAt != nil || cy.ExemptAt != nil || cy.ClosedAt != nil {
			continue
		}
		days := 1
		if d, err := time.ParseInLocation(time.DateOnly, cy.DueOn, loc); err == nil {
			days = max(1, int(now.Sub(d.AddDate(0, 0, 1)).Hours()/24)+1)
		}
		evs = append(evs, notify.Event{Kind: notify.Overdue, Key: "manual:" + strconv.FormatInt(cy.ID, 10) + ":" + today, To: []int64{e.ID},
			Data: map[string]string{"programme": pp.Programme.Title, "due_date": dayWords(cy.DueOn), "days": plural(days, "day", "days"),
				"learner": e.Name() + " (" + e.Number + ")", "link": learnLink, "link_label": "Open My learning",
				"body": "- " + pp.Programme.Title + ", due " + dayWords(cy.DueOn) + " (a reminder from " + by.Name + ")"}})
		titles = append(titles, pp.Programme.Title)
	}
	if len(evs) == 0 {
		return 0, nil
	}
	reminded := 0
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i, ev := range evs {
			n, err := notify.Enqueue(ctx, tx, now, ev)
			if err != nil {
				return err
			}
			if n > 0 {
				reminded++
			} else {
				titles[i] = ""
			}
		}
		if reminded == 0 {
			return nil
		}
		var sent []string
		for _, t := range titles {
			if t != "" {
				sent = append(sent, t)
			}
		}
		return people.Audit(ctx, tx, now, by.ID, by.Name, "reminder.overdue", e.Number, fmt.Sprintf("overdue reminder sent now: %s", strings.Join(sent, ", ")))
	})
	return reminded, err
}
