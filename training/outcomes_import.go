package training

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

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
//
// The file is read and checked before the transaction starts, so the
// write lock is held only for the writing. Employees are never deleted, so
// the people it names are still there; an id another import stored
// meanwhile is skipped by the insert and counted as a duplicate.
func (s *Service) ImportOutcomes(ctx context.Context, in OutcomeImport, data []byte) (*OutcomeImportResult, error) {
	loc, err := s.outcomeImportLoc(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.planOutcomes(ctx, s.db, in.Measure, data, loc)
	if err != nil || in.DryRun || !r.Plan.OK() {
		return r, err
	}
	err = s.bulkTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m, err := outcomes.FindMeasureIn(ctx, tx, r.Measure.Slug)
		if err != nil {
			return err
		}
		if m.ArchivedAt != nil || m.ID != r.Measure.ID {
			return store.FieldError("measure", "The measure %s was archived or replaced while the file was read: nothing was imported.", m.Title)
		}
		now := s.Now()
		imp := &outcomes.Import{MeasureID: m.ID, Filename: cutOutcomeFilename(in.Filename), CreatedByID: in.By.ID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(imp).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("outcome import: %w", err)
		}
		created := 0
		rows := r.Plan.Events
		events := make([]outcomes.Event, 0, min(len(rows), outcomeInsertBatch))
		for start := 0; start < len(rows); start += outcomeInsertBatch {
			events = events[:0]
			for i := start; i < min(start+outcomeInsertBatch, len(rows)); i++ {
				row := &rows[i]
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
			created += n
		}
		if err := outcomes.RefreshSeries(ctx, tx, m.ID, r.Plan.EmployeeIDs()); err != nil {
			return err
		}
		imp.Created, imp.Duplicates = created, len(r.Plan.Duplicates)+len(rows)-created
		if _, err := tx.NewUpdate().Model(imp).Column("created", "duplicates").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("outcome import: %w", err)
		}
		detail := fmt.Sprintf("%d created, %d duplicates", imp.Created, imp.Duplicates)
		if imp.Filename != "" {
			detail += " from " + imp.Filename
		}
		if err := people.Audit(ctx, tx, now, in.By.ID, in.By.Name, "outcomes.import", m.Slug, detail); err != nil {
			return err
		}
		if err := s.afterOutcomes(ctx, tx, m, r.Plan.EmployeeIDs()); err != nil {
			return err
		}
		r.Measure, r.Created, r.Duplicates, r.ImportID, r.Applied = m, imp.Created, imp.Duplicates, imp.ID, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
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
		if err := outcomes.MarkStoredIDs(ctx, db, m.ID, plan); err != nil {
			return nil, err
		}
	}
	return &OutcomeImportResult{Measure: m, Plan: plan, Created: len(plan.Events), Duplicates: len(plan.Duplicates)}, nil
}

// bulkCacheKB is SQLite's page cache for a large import's transaction. With
// the default 2 MB, the pages a million events dirty across the table and
// its three indexes spill to the WAL and are read back, a system call each.
const bulkCacheKB = 64 << 10

// bulkTx runs fn in one transaction. On SQLite it takes a connection of its
// own and readies it for a large write first: a larger page cache, and
// statement journals (each multi-row INSERT keeps one, to undo itself on a
// failed constraint) in memory rather than in a temporary file — neither
// can change inside a transaction. Both are put back before the connection
// returns to the pool. PostgreSQL needs nothing of this.
func (s *Service) bulkTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.db.Dialect().Name() != dialect.SQLite {
		return s.db.RunInTx(ctx, nil, fn)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var cache, temp int64
	if err := conn.NewRaw("PRAGMA cache_size").Scan(ctx, &cache); err != nil {
		return fmt.Errorf("cache size: %w", err)
	}
	if err := conn.NewRaw("PRAGMA temp_store").Scan(ctx, &temp); err != nil {
		return fmt.Errorf("temp store: %w", err)
	}
	set := func(cache, temp int64) error {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", cache))
		if err == nil {
			_, err = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA temp_store = %d", temp))
		}
		return err
	}
	if err := set(-bulkCacheKB, 2); err != nil {
		return fmt.Errorf("bulk write pragmas: %w", err)
	}
	defer func() {
		if err := set(cache, temp); err != nil {
			s.log.Warn("bulk write pragmas not restored", "err", err)
		}
	}()
	return conn.RunInTx(ctx, nil, fn)
}

func cutOutcomeFilename(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300])
	}
	return s
}
