package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
)

// The scale fixture's service outcomes: scaleEventsPer events per employee
// over the last two years (5,000,000 at 100,000 people): customer
// satisfaction ratings (the demo's csat measure, 1 to 5) and complaints,
// each person's within their employment. As in the small demo, everyone's
// satisfaction rises a little over the period and one programme — the
// flagship sites' standards, whose first completions fall in the period —
// adds eight points from the day after a person first completes it (read
// back from the cycles the history wrote).

const (
	scaleRatingsPer    = 45 // csat ratings per employee
	scaleComplaintsPer = 5  // complaints per employee
	scaleOutcomeDays   = 730
	scaleEffectProg    = "flagship-standards"
	scaleOutcomeBatch  = 200_000 // events per transaction
)

// scaleEventsPer is the number of outcome events per employee.
const scaleEventsPer = scaleRatingsPer + scaleComplaintsPer

// outcomes creates the measures and writes the events, an employee batch
// per transaction, in (employee, day) order.
func (sim *scaleSim) outcomes(ctx context.Context, s *loader, logf func(string, ...any)) error {
	db := s.db
	st := s.training.Outcomes()
	var ms []*outcomes.Measure
	for _, in := range demoMeasures() {
		m, err := st.CreateMeasure(ctx, in)
		if err != nil {
			return fmt.Errorf("measure %s: %w", in.Slug, err)
		}
		ms = append(ms, m)
	}
	csat, complaints := ms[0], ms[1]
	var done []struct {
		EmployeeID  int64
		CompletedAt time.Time
	}
	err := db.NewSelect().TableExpr("cycles AS cy").Column("cy.employee_id").ColumnExpr("MIN(cy.completed_at) AS completed_at").
		Join("JOIN programmes AS pg ON pg.id = cy.programme_id").
		Where("pg.slug = ? AND cy.completed_at IS NOT NULL", scaleEffectProg).GroupExpr("cy.employee_id").Scan(ctx, &done)
	if err != nil {
		return err
	}
	trained := make(map[int64]outcomes.Day, len(done))
	for _, c := range done {
		trained[c.EmployeeID] = outcomes.DayOf(c.CompletedAt, sim.loc)
	}
	today := outcomes.DayOf(sim.now, sim.loc)
	first := today - scaleOutcomeDays
	rng := rand.New(rand.NewPCG(uint64(sim.seed), 0x0c5a7))
	conn, release, err := loadConn(ctx, db)
	if err != nil {
		return err
	}
	defer release()
	events := make([]outcomes.Event, 0, scaleOutcomeBatch+scaleEventsPer)
	written := 0
	flush := func() error {
		if len(events) == 0 {
			return nil
		}
		err := conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := outcomes.InsertEvents(ctx, tx, events); err != nil {
				return err
			}
			return outcomes.RefreshSeriesOf(ctx, tx, events)
		})
		written += len(events)
		events = events[:0]
		return err
	}
	days := make([]outcomes.Day, 0, scaleRatingsPer)
	for i := range sim.org.people {
		p := &sim.org.people[i]
		from, to := first, today // [from, to)
		if d := outcomes.DayOf(p.HiredAt, sim.loc); d > from {
			from = d
		}
		if !p.LeftAt.IsZero() {
			to = min(to, outcomes.DayOf(p.LeftAt, sim.loc))
		}
		if to <= from {
			continue
		}
		base := 0.62 + 0.16*rng.Float64()
		c, isTrained := trained[p.ID]
		draw := func(n int) []outcomes.Day {
			days = days[:0]
			for range n {
				days = append(days, from+outcomes.Day(rng.IntN(int(to-from))))
			}
			slices.Sort(days)
			return days
		}
		for _, day := range draw(scaleRatingsPer) {
			chance := base + demoTrend*float64(day-first)/scaleOutcomeDays
			if isTrained && day > c {
				chance += demoEffect
			}
			v := float64(1 + rng.IntN(3))
			if rng.Float64() < chance {
				v = float64(4 + rng.IntN(2))
			}
			events = append(events, outcomes.Event{MeasureID: csat.ID, EmployeeID: p.ID, Day: day, Value: v, CreatedAt: sim.now})
		}
		for _, day := range draw(scaleComplaintsPer) {
			cat := demoComplaintCategories[rng.IntN(len(demoComplaintCategories))]
			events = append(events, outcomes.Event{MeasureID: complaints.ID, EmployeeID: p.ID, Day: day, Value: 1, Category: cat, CreatedAt: sim.now})
		}
		if len(events) >= scaleOutcomeBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	logf("%d outcome events written (csat and complaints)", written)
	return nil
}
