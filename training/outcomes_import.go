package training

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// OutcomeImport says what an outcome import reads and who asks.
type OutcomeImport struct {
	Measure  string // the measure's slug
	Filename string // as uploaded, for the import's record ("" for an API body)
	DryRun   bool   // only plan: write nothing
	By       Actor
}

// OutcomeImportResult is what an outcome import planned, and with Applied,
// wrote: Created events (fewer than planned only when another import
// stored some of the same ids meanwhile; those count as duplicates).
type OutcomeImportResult struct {
	Measure    *outcomes.Measure
	Plan       *outcomes.EventPlan
	Applied    bool
	Created    int
	Duplicates int
	ImportID   int64
}

// PlanOutcomes reads data as events of the measure with slug and marks the
// ids already stored, writing nothing. See ImportOutcomes.
func (s *Service) PlanOutcomes(ctx context.Context, slug string, data []byte) (*OutcomeImportResult, error) {
	loc, err := s.outcomeImportLoc(ctx)
	if err != nil {
		return nil, err
	}
	return s.planOutcomes(ctx, s.db, slug, data, loc)
}

// outcomeImportLoc is the company's time zone: events' dates are in it.
func (s *Service) outcomeImportLoc(ctx context.Context) (*time.Location, error) {
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return nil, err
	}
	return prof.Loc, nil
}

// ImportOutcomes reads data (CSV: employee, date, value[, category][, id],
// see outcomes.ParseEvents) as events of in.Measure and, when the file has
// no problems and in.DryRun is false, writes them all in one transaction:
// an outcome_imports row, the events, an audit entry, and whatever the new
// events set off (afterOutcomes). With problems nothing is written and the
// result's Plan lists them; check Applied. Errors: NotFound naming
// "measure" for an unknown measure, Invalid naming it for an archived one.
func (s *Service) ImportOutcomes(ctx context.Context, in OutcomeImport, data []byte) (*OutcomeImportResult, error) {
	loc, err := s.outcomeImportLoc(ctx)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return s.planOutcomes(ctx, s.db, in.Measure, data, loc)
	}
	var res *OutcomeImportResult
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.planOutcomes(ctx, tx, in.Measure, data, loc)
		if err != nil {
			return err
		}
		res = r
		if !r.Plan.OK() {
			return nil
		}
		now := s.Now()
		m := r.Measure
		imp := &outcomes.Import{MeasureID: m.ID, Filename: cutOutcomeFilename(in.Filename), CreatedByID: in.By.ID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(imp).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("outcome import: %w", err)
		}
		r.Created = 0
		events := make([]outcomes.Event, 0, min(len(r.Plan.Events), outcomeInsertBatch))
		for start := 0; start < len(r.Plan.Events); start += outcomeInsertBatch {
			events = events[:0]
			for i := range r.Plan.Events[start:min(start+outcomeInsertBatch, len(r.Plan.Events))] {
				row := &r.Plan.Events[start+i]
				e := outcomes.Event{MeasureID: m.ID, EmployeeID: row.EmployeeID, Day: row.Day, Value: row.Value,
					Category: row.Category, BatchID: &imp.ID, CreatedAt: now}
				if row.SourceID != "" {
					e.SourceID = &row.SourceID
				}
				events = append(events, e)
			}
			n, err := outcomes.InsertEvents(ctx, tx, events)
			if err != nil {
				return err
			}
			r.Created += n
		}
		r.Duplicates = len(r.Plan.Duplicates) + len(r.Plan.Events) - r.Created
		imp.Created, imp.Duplicates = r.Created, r.Duplicates
		if _, err := tx.NewUpdate().Model(imp).Column("created", "duplicates").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("outcome import: %w", err)
		}
		r.ImportID, r.Applied = imp.ID, true
		detail := fmt.Sprintf("%d created, %d duplicates", r.Created, r.Duplicates)
		if in.Filename != "" {
			detail += " from " + imp.Filename
		}
		if err := people.Audit(ctx, tx, now, in.By.ID, in.By.Name, "outcomes.import", m.Slug, detail); err != nil {
			return err
		}
		return s.afterOutcomes(ctx, tx, m, r.Plan.EmployeeIDs())
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// outcomeInsertBatch is how many events are turned into rows at a time (memory:
// the plan's rows stay, the rows for the database come and go).
const outcomeInsertBatch = 20000

func (s *Service) planOutcomes(ctx context.Context, db bun.IDB, slug string, data []byte, loc *time.Location) (*OutcomeImportResult, error) {
	slug = strings.TrimSpace(slug)
	if slug == "" {
		return nil, store.FieldError("measure", "Choose the measure the file holds events of (?measure=SLUG).")
	}
	m, err := outcomes.FindMeasureIn(ctx, db, slug)
	if err != nil {
		if store.IsNotFound(err) {
			return nil, &store.Error{Kind: store.NotFound, Field: "measure", Message: fmt.Sprintf("There is no measure %q.", slug)}
		}
		return nil, err
	}
	if m.ArchivedAt != nil {
		return nil, store.FieldError("measure", "The measure %s is archived: restore it before importing events.", m.Title)
	}
	ppl, err := outcomes.LoadEmployeeIndex(ctx, db)
	if err != nil {
		return nil, err
	}
	plan := outcomes.ParseEvents(data, m, ppl, loc, outcomes.DayOf(s.Now(), loc))
	if plan.OK() {
		stored, err := outcomes.StoredSourceIDs(ctx, db, m.ID, plan.SourceIDs())
		if err != nil {
			return nil, err
		}
		plan.MarkStored(stored)
	}
	return &OutcomeImportResult{Measure: m, Plan: plan, Created: len(plan.Events), Duplicates: len(plan.Duplicates)}, nil
}

func cutOutcomeFilename(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300])
	}
	return s
}
