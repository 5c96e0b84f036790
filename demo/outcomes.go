package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
)

// The demo's service outcomes: sixteen months of customer-satisfaction
// ratings (csat, 1 to 5, reported as the share satisfied) and complaints
// for Brightwater's front-line staff (front desk, field service, contact
// centre), drawn with a seeded generator after the training history has
// been played, from each person's first completion as the history left it
// (read back, not recomputed).
//
// The story the impact report tells: customer satisfaction rises for
// everyone by about four points over the period (a common trend), and
// Field Service Excellence adds eight points from the day after an
// engineer completes it — the report finds the eight, not eight plus the
// trend. Complaints follow the same trend-free rate before and after any
// training: the report finds no change it can tell apart from chance.

const (
	// demoOutcomeDays is how far back the outcomes go: a year, plus the
	// longest window before the earliest completions.
	demoOutcomeDays = 480
	// demoEffectProgramme is the programme with a real effect on csat.
	demoEffectProgramme = "field-service-excellence"
	demoEffect          = 0.08 // added to the chance a customer is satisfied
	demoTrend           = 0.04 // the common rise over the whole period
	demoComplaintChance = 0.04 // per person per working day
)

var demoComplaintCategories = []string{"Waiting time", "Attitude", "Missed appointment", "Not called back", "Billing"}

// demoMeasures are the demo's two measures.
func demoMeasures() []outcomes.MeasureInput {
	no := false
	return []outcomes.MeasureInput{
		{Slug: "csat", Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.OneToFive, Report: outcomes.PercentSatisfied},
		{Slug: "complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count, HigherIsBetter: &no},
	}
}

// loadOutcomes creates the measures and writes the events (d.now is today).
func (d *demoHistory) loadOutcomes(ctx context.Context) error {
	st := d.s.training.Outcomes()
	var ms []*outcomes.Measure
	for _, in := range demoMeasures() {
		m, err := st.CreateMeasure(ctx, in)
		if err != nil {
			return fmt.Errorf("measure %s: %w", in.Slug, err)
		}
		ms = append(ms, m)
	}
	csat, complaints := ms[0], ms[1]
	loc, err := d.s.courses.Location(ctx)
	if err != nil {
		return err
	}
	// First completions of the programme with the effect, as the history left them.
	var done []struct {
		EmployeeID  int64
		CompletedAt time.Time
	}
	err = d.s.db.NewSelect().TableExpr("cycles AS cy").Column("cy.employee_id").ColumnExpr("MIN(cy.completed_at) AS completed_at").
		Join("JOIN programmes AS pg ON pg.id = cy.programme_id").
		Where("pg.slug = ? AND cy.completed_at IS NOT NULL", demoEffectProgramme).GroupExpr("cy.employee_id").Scan(ctx, &done)
	if err != nil {
		return err
	}
	trained := map[int64]outcomes.Day{}
	for _, c := range done {
		trained[c.EmployeeID] = outcomes.DayOf(c.CompletedAt, loc)
	}
	today := outcomes.DayOf(d.now, loc)
	first := today - demoOutcomeDays
	rng := rand.New(rand.NewPCG(13, 2026))
	var events []outcomes.Event
	seq := 0
	for _, p := range d.people {
		switch p.Department {
		case "Front Desk", "Field Service", "Contact Centre":
		default:
			continue
		}
		base := 0.62 + 0.16*rng.Float64() // each person's own level
		c, isTrained := trained[p.ID]
		for day := first; day < today; day++ {
			if wd := day.Date().Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			chance := base + demoTrend*float64(day-first)/demoOutcomeDays
			if isTrained && day > c {
				chance += demoEffect
			}
			for range rng.IntN(4) { // 0 to 3 rated contacts a day
				v := float64(1 + rng.IntN(3)) // 1 to 3: not satisfied
				if rng.Float64() < chance {
					v = float64(4 + rng.IntN(2))
				}
				seq++
				events = append(events, outcomeEvent(csat, p.ID, day, v, "", seq, d.now))
			}
			if rng.Float64() < demoComplaintChance {
				seq++
				cat := demoComplaintCategories[rng.IntN(len(demoComplaintCategories))]
				events = append(events, outcomeEvent(complaints, p.ID, day, 1, cat, seq, d.now))
			}
		}
	}
	return d.s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := outcomes.InsertEvents(ctx, tx, events); err != nil {
			return err
		}
		return outcomes.RefreshSeriesOf(ctx, tx, events)
	})
}

// outcomeEvent is one event with a source id like a helpdesk's ticket number.
func outcomeEvent(m *outcomes.Measure, employee int64, day outcomes.Day, v float64, category string, seq int, now time.Time) outcomes.Event {
	src := fmt.Sprintf("demo-%s-%06d", m.Slug, seq)
	return outcomes.Event{MeasureID: m.ID, EmployeeID: employee, Day: day, Value: v, Category: category, SourceID: &src, CreatedAt: now}
}
