package training

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
)

// Outcomes is the store of service measures and outcome events.
func (s *Service) Outcomes() *outcomes.Store { return s.outcomes }

// afterOutcomes runs, in the transaction that wrote them, what new outcome
// events of measure m for the employees set off: the service-recovery
// rules (a run of complaints assigns a refresher or asks the manager for
// an observation). The outcome import calls it after its events are
// written; the scheduler's tick evaluates the same rules for everyone.
func (s *Service) afterOutcomes(ctx context.Context, tx bun.IDB, m *outcomes.Measure, employeeIDs []int64) error {
	return s.recoverForMeasure(ctx, tx, m, employeeIDs)
}
