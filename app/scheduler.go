package app

import (
	"context"
	"strings"
)

// peopleChanged re-evaluates the audience rules after employees were
// created, changed, imported or deactivated, so that joiners, movers and
// leavers are assigned or closed at once (the scheduler would catch up
// within minutes; a failure here is logged, the people are saved). It
// returns the message for the page, or "".
func (s *Server) peopleChanged(ctx context.Context) string {
	ev, err := s.training.EvaluateRules(ctx)
	if err != nil {
		s.log.Warn("audience rules after a people change", "err", err)
		return ""
	}
	var parts []string
	if ev.Assigned > 0 {
		parts = append(parts, plural(ev.Assigned, "programme assignment", "programme assignments")+" made by audience rules")
	}
	if n := ev.Closed + ev.Leavers; n > 0 {
		parts = append(parts, plural(n, "assignment", "assignments")+" closed")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}
