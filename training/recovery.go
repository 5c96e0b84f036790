package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// The service-recovery loop: rules (outcomes.RecoveryRule) evaluated when
// outcome events are imported (afterOutcomes) and for everyone by the
// scheduler; a person's run of complaints assigns the rule's refresher
// through the courses' assignment code and asks their manager for an
// observation with the rule's checklist, in one transaction with one
// recovery_actions row and an audit entry per person.

// RecoveryRuleInput is a rule as the form or the API gives it.
type RecoveryRuleInput struct {
	Measure      string `json:"measure"`
	Category     string `json:"category"`
	Threshold    int    `json:"threshold"`
	Days         int    `json:"days"`
	Programme    string `json:"programme"`
	Checklist    string `json:"checklist"`
	CooldownDays int    `json:"cooldown_days"`
}

// MaxRecoveryDays bounds a rule's window and cool-down.
const MaxRecoveryDays = 366

// RecoveryHit is a person a rule acts on (or, in a preview, would act on).
type RecoveryHit struct {
	EmployeeID int64
	Number     string
	Name       string
	ManagerID  *int64
	Run        outcomes.Run
}

// RecoveryPreview is a rule and the people it acts on now.
type RecoveryPreview struct {
	Rule     *outcomes.RecoveryRule
	Measure  *outcomes.Measure
	Affected []RecoveryHit
}

// RecoveryReport counts what an evaluation did.
type RecoveryReport struct {
	Actions  int // runs acted on (one recovery_actions row each)
	Assigned int // refreshers assigned
	Requests int // observation requests created
	Skipped  int // rules skipped: their programme is archived
}

// checkRecoveryRule resolves in's names through db into a rule and its
// measure, returning every problem, each naming its field.
func checkRecoveryRule(ctx context.Context, db bun.IDB, observations *assessments.ObservationStore, in *RecoveryRuleInput) (*outcomes.RecoveryRule, *outcomes.Measure, []*store.Error, error) {
	var errs []*store.Error
	add := func(field, format string, args ...any) { errs = append(errs, store.FieldError(field, format, args...)) }
	in.Measure, in.Programme, in.Checklist = strings.TrimSpace(in.Measure), strings.TrimSpace(in.Programme), strings.TrimSpace(in.Checklist)
	in.Category = strings.Join(strings.Fields(in.Category), " ")
	r := &outcomes.RecoveryRule{Category: in.Category, Threshold: in.Threshold, Days: in.Days, CooldownDays: in.CooldownDays}
	var m *outcomes.Measure
	switch found, err := outcomes.FindMeasureIn(ctx, db, in.Measure); {
	case in.Measure == "":
		add("measure", "Choose the measure whose events the rule counts.")
	case store.IsNotFound(err):
		add("measure", "There is no measure %q.", in.Measure)
	case err != nil:
		return nil, nil, nil, err
	case found.ArchivedAt != nil:
		add("measure", "%s is archived: its events are no longer imported.", found.Title)
	case !found.Counts():
		add("measure", "%s is a value per contact: a rule counts events, so choose a count (complaints) or a rating (its unsatisfied responses count).", found.Title)
	default:
		m = found
		r.MeasureID = m.ID
	}
	if !utf8.ValidString(in.Category) || strings.ContainsFunc(in.Category, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		add("category", "The category has a character that is not text.")
	} else if n := utf8.RuneCountInString(in.Category); n > 100 {
		add("category", "The category is %d characters long; the limit is 100.", n)
	}
	if in.Threshold < 1 {
		add("threshold", "Give how many events set the rule off: 1 or more.")
	} else if in.Threshold > 1000 {
		add("threshold", "At most 1,000 events.")
	}
	if in.Days < 1 {
		add("days", "Give the window in days: 1 or more.")
	} else if in.Days > MaxRecoveryDays {
		add("days", "The window is at most %d days.", MaxRecoveryDays)
	}
	if in.CooldownDays < 0 || in.CooldownDays > MaxRecoveryDays {
		add("cooldown_days", "The cool-down is 0 to %d days.", MaxRecoveryDays)
	}
	if in.Programme == "" && in.Checklist == "" {
		add("programme", "Choose a refresher programme to assign, a checklist to observe with, or both.")
	}
	if in.Programme != "" {
		var p struct {
			ID         int64
			Title      string
			ArchivedAt *time.Time
		}
		err := db.NewSelect().TableExpr("programmes").Column("id", "title", "archived_at").Where("slug = ?", in.Programme).Scan(ctx, &p)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			add("programme", "There is no programme %q.", in.Programme)
		case err != nil:
			return nil, nil, nil, err
		case p.ArchivedAt != nil:
			add("programme", "%s is archived: it can no longer be assigned. Choose a current programme.", p.Title)
		default:
			r.ProgrammeID = &p.ID
		}
	}
	if in.Checklist != "" {
		cl, err := observations.FindChecklistIn(ctx, db, in.Checklist)
		switch {
		case store.IsNotFound(err):
			add("checklist", "There is no role-play checklist %q.", in.Checklist)
		case err != nil:
			return nil, nil, nil, err
		default:
			r.ChecklistID = &cl.ID
		}
	}
	return r, m, errs, nil
}

// CreateRecoveryRule checks in and stores the rule (audited), acting at once
// on the people it finds with a current run; with dryRun it writes nothing
// and returns who it would act on now. Invalid errors name the field:
// measure (unknown, archived, a value measure), category, threshold (< 1),
// days (< 1), cooldown_days, programme (unknown, archived, or neither a
// programme nor a checklist), checklist (unknown). CheckRecoveryRule
// returns every problem at once, for a form.
func (s *Service) CreateRecoveryRule(ctx context.Context, in RecoveryRuleInput, by Actor, dryRun bool) (*RecoveryPreview, error) {
	var out *RecoveryPreview
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, m, errs, err := checkRecoveryRule(ctx, tx, s.observations, &in)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs[0]
		}
		now := s.Now()
		r.CreatedByID, r.CreatedAt, r.UpdatedAt = by.ID, now, now
		if !dryRun {
			if _, err := tx.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
				return err
			}
			if err := people.Audit(ctx, tx, now, by.ID, by.Name, "recovery_rule.create", fmt.Sprintf("rule %d", r.ID),
				recoveryRuleDetail(r, m, in)); err != nil {
				return err
			}
		}
		if r, err = s.reloadRule(ctx, tx, r); err != nil {
			return err
		}
		hits, _, err := s.recoverIn(ctx, tx, []*outcomes.RecoveryRule{r}, nil, dryRun)
		if err != nil {
			return err
		}
		out = &RecoveryPreview{Rule: r, Measure: m, Affected: hits}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckRecoveryRule returns every problem with in, each naming its field
// (none: the rule may be created).
func (s *Service) CheckRecoveryRule(ctx context.Context, in RecoveryRuleInput) ([]*store.Error, error) {
	_, _, errs, err := checkRecoveryRule(ctx, s.db, s.observations, &in)
	return errs, err
}

// reloadRule reads r back with its names (a dry run's rule has no row:
// its names are read one by one).
func (s *Service) reloadRule(ctx context.Context, tx bun.IDB, r *outcomes.RecoveryRule) (*outcomes.RecoveryRule, error) {
	if r.ID != 0 {
		return outcomes.FindRecoveryRule(ctx, tx, r.ID)
	}
	if r.ProgrammeID != nil {
		if err := tx.NewSelect().TableExpr("programmes").ColumnExpr("slug, title").Where("id = ?", *r.ProgrammeID).
			Scan(ctx, &r.ProgrammeSlug, &r.ProgrammeTitle); err != nil {
			return nil, err
		}
	}
	if r.ChecklistID != nil {
		if err := tx.NewSelect().TableExpr("checklists").ColumnExpr("slug, title").Where("id = ?", *r.ChecklistID).
			Scan(ctx, &r.ChecklistSlug, &r.ChecklistTitle); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func recoveryRuleDetail(r *outcomes.RecoveryRule, m *outcomes.Measure, in RecoveryRuleInput) string {
	d := r.Describe(m)
	if in.Programme != "" {
		d += "; assign " + in.Programme
	}
	if in.Checklist != "" {
		d += "; observe with " + in.Checklist
	}
	return fmt.Sprintf("%s; cool-down %d days", d, r.CooldownDays)
}

// ArchiveRecoveryRule stops rule id acting (its actions are kept), audited.
// NotFound for an unknown rule; Conflict when it is archived already.
func (s *Service) ArchiveRecoveryRule(ctx context.Context, id int64, by Actor) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := outcomes.FindRecoveryRule(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.ArchivedAt != nil {
			return store.Errorf(store.Conflict, "That rule is archived already.")
		}
		now := s.Now()
		if _, err := tx.NewUpdate().Model(r).Set("archived_at = ?", now).Set("updated_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		return people.Audit(ctx, tx, now, by.ID, by.Name, "recovery_rule.archive", fmt.Sprintf("rule %d", r.ID), r.MeasureTitle)
	})
}

// RecoveryRules lists the rules, newest first; archived ones when asked.
func (s *Service) RecoveryRules(ctx context.Context, archived bool) ([]*outcomes.RecoveryRule, error) {
	return outcomes.ListRecoveryRules(ctx, s.db, archived, 0)
}

// RecoveryActions lists the latest limit actions of the rules, newest first.
func (s *Service) RecoveryActions(ctx context.Context, limit int) ([]outcomes.RecoveryAction, error) {
	return outcomes.ListRecoveryActions(ctx, s.db, limit)
}

// EvaluateRecovery evaluates every active rule for everyone (the
// scheduler's tick does, under its lease). It finds the runs to act on
// reading through the pool, then acts in one transaction that evaluates
// those people again: the write transaction is short however many people
// the rules read.
func (s *Service) EvaluateRecovery(ctx context.Context) (RecoveryReport, error) {
	var rep RecoveryReport
	rules, err := outcomes.ListRecoveryRules(ctx, s.db, false, 0)
	if err != nil || len(rules) == 0 {
		return rep, err
	}
	hits, _, err := s.recoverIn(ctx, s.db, rules, nil, true)
	if err != nil || len(hits) == 0 {
		return rep, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, h := range hits {
		if !seen[h.EmployeeID] {
			seen[h.EmployeeID] = true
			ids = append(ids, h.EmployeeID)
		}
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		rules, err := outcomes.ListRecoveryRules(ctx, tx, false, 0)
		if err != nil {
			return err
		}
		_, rep, err = s.recoverIn(ctx, tx, rules, ids, false)
		return err
	})
	return rep, err
}

// runRecovery is the scheduler's run of the recovery rules, logged.
func (s *Service) runRecovery(ctx context.Context) {
	start := time.Now()
	rep, err := s.EvaluateRecovery(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("scheduler: recovery rules failed", "err", err)
	case rep.Actions > 0:
		s.log.Info("scheduler: recovery rules", "actions", rep.Actions, "assigned", rep.Assigned,
			"observation_requests", rep.Requests, "ms", time.Since(start).Milliseconds())
	}
}

// recoverForMeasure evaluates measure m's active rules for the employees,
// in tx: what an outcome import sets off (afterOutcomes).
func (s *Service) recoverForMeasure(ctx context.Context, tx bun.IDB, m *outcomes.Measure, employeeIDs []int64) error {
	if len(employeeIDs) == 0 || !m.Counts() {
		return nil
	}
	rules, err := outcomes.ListRecoveryRules(ctx, tx, false, m.ID)
	if err != nil || len(rules) == 0 {
		return err
	}
	_, _, err = s.recoverIn(ctx, tx, rules, employeeIDs, false)
	return err
}

// recoverIn evaluates the rules in tx for the employees (nil: everyone)
// and, unless dryRun, acts on each current run: the refresher assigned
// (a rule whose programme is archived skips it, logged), the manager asked
// for an observation, one recovery_actions row and an audit entry per
// person. It returns the people acted on (for one rule: its preview).
func (s *Service) recoverIn(ctx context.Context, tx bun.IDB, rules []*outcomes.RecoveryRule, employeeIDs []int64, dryRun bool) ([]RecoveryHit, RecoveryReport, error) {
	var rep RecoveryReport
	var all []RecoveryHit
	if len(rules) == 0 {
		return nil, rep, nil
	}
	loc, err := s.courses.LocationIn(ctx, tx)
	if err != nil {
		return nil, rep, err
	}
	now := s.Now()
	today := outcomes.DayOf(now, loc)
	measures := map[int64]*outcomes.Measure{}
	for _, r := range rules {
		m := measures[r.MeasureID]
		if m == nil {
			m = new(outcomes.Measure)
			if err := tx.NewSelect().Model(m).Where("id = ?", r.MeasureID).Scan(ctx); err != nil {
				return nil, rep, err
			}
			measures[r.MeasureID] = m
		}
		if m.ArchivedAt != nil || !m.Counts() {
			continue
		}
		if r.ProgrammeID == nil && r.ChecklistID == nil {
			// Its programme was deleted (never assigned, so not archived): nothing to do.
			s.log.Warn("recovery rule has nothing to do: its programme was deleted", "rule", r.ID)
			continue
		}
		hits, err := s.ruleHits(ctx, tx, r, m, today, employeeIDs, true)
		if err != nil {
			return nil, rep, err
		}
		all = append(all, hits...)
		if dryRun || len(hits) == 0 {
			continue
		}
		if err := s.act(ctx, tx, r, m, hits, now, &rep); err != nil {
			return nil, rep, err
		}
	}
	return all, rep, nil
}

// ruleHits finds the people with a current run of rule r (out of
// cool-down when cooldown is true), active employees only, by name.
func (s *Service) ruleHits(ctx context.Context, tx bun.IDB, r *outcomes.RecoveryRule, m *outcomes.Measure, today outcomes.Day, employeeIDs []int64, cooldown bool) ([]RecoveryHit, error) {
	cands, err := outcomes.RunCandidates(ctx, tx, m, r, today, employeeIDs)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	events, err := outcomes.RunEvents(ctx, tx, m, r, today, cands)
	if err != nil {
		return nil, err
	}
	last := map[int64]outcomes.Day{}
	if r.ID != 0 && cooldown {
		if last, err = outcomes.LastActedRuns(ctx, tx, r.ID, cands); err != nil {
			return nil, err
		}
	}
	runs := map[int64]outcomes.Run{}
	var ids []int64
	for _, id := range cands {
		var cooled *outcomes.Day
		if d, ok := last[id]; ok {
			c := r.CooledUntil(d)
			cooled = &c
		}
		if run, ok := outcomes.FindRun(m, r, events[id], today, cooled); ok {
			runs[id] = run
			ids = append(ids, id)
		}
	}
	var hits []RecoveryHit
	for start := 0; start < len(ids); start += 900 {
		var emps []struct {
			ID                  int64
			Number              string
			FirstName, LastName string
			ManagerID           *int64
		}
		if err := tx.NewSelect().TableExpr("employees").Column("id", "number", "first_name", "last_name", "manager_id").
			Where("id IN (?) AND active = ?", bun.In(ids[start:min(start+900, len(ids))]), true).Scan(ctx, &emps); err != nil {
			return nil, err
		}
		for _, e := range emps {
			hits = append(hits, RecoveryHit{EmployeeID: e.ID, Number: e.Number, Name: strings.TrimSpace(e.FirstName + " " + e.LastName),
				ManagerID: e.ManagerID, Run: runs[e.ID]})
		}
	}
	slices.SortFunc(hits, func(a, b RecoveryHit) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return hits, nil
}

// act does rule r's actions for the hits in tx.
func (s *Service) act(ctx context.Context, tx bun.IDB, r *outcomes.RecoveryRule, m *outcomes.Measure, hits []RecoveryHit, now time.Time, rep *RecoveryReport) error {
	actor := fmt.Sprintf("Recovery rule %d", r.ID)
	assigned := map[int64]bool{}
	notAssigned := "" // why the programme was not assigned to anyone
	if r.ProgrammeID != nil {
		if r.ProgrammeClosed {
			s.log.Warn("recovery rule skips its programme: it is archived", "rule", r.ID, "programme", r.ProgrammeSlug)
			rep.Skipped++
			notAssigned = "archived"
		} else {
			ids := make([]int64, len(hits))
			for i, h := range hits {
				ids[i] = h.EmployeeID
			}
			res, err := s.courses.AssignIn(ctx, tx, courses.AssignRequest{Programme: r.ProgrammeSlug, EmployeeIDs: ids, Actor: actor}, false)
			switch {
			case store.KindOf(err) == store.Invalid:
				// Refused before anything was written (the import goes on): say why.
				s.log.Warn("recovery rule could not assign its programme", "rule", r.ID, "programme", r.ProgrammeSlug, "err", err)
				rep.Skipped++
				notAssigned = store.MessageOf(err)
			case err != nil:
				return fmt.Errorf("recovery rule %d: assign %s: %w", r.ID, r.ProgrammeSlug, err)
			default:
				for _, a := range res.Assigned {
					assigned[a.ID] = true
				}
				rep.Assigned += len(res.Assigned)
			}
		}
	}
	rows := make([]*outcomes.RecoveryAction, 0, len(hits))
	for _, h := range hits {
		what := fmt.Sprintf("%d %s from %s to %s", h.Run.Events, strings.ToLower(m.Title), h.Run.First, h.Run.Last)
		if r.Category != "" {
			what += " (" + r.Category + ")"
		}
		var done []string
		a := &outcomes.RecoveryAction{RuleID: r.ID, EmployeeID: h.EmployeeID, FirstDay: h.Run.First, LastDay: h.Run.Last,
			Events: h.Run.Events, CreatedAt: now}
		switch {
		case assigned[h.EmployeeID]:
			a.AssignedProgrammeID = r.ProgrammeID
			done = append(done, "assigned "+r.ProgrammeTitle)
		case r.ProgrammeID != nil && notAssigned != "":
			done = append(done, r.ProgrammeTitle+" not assigned: "+notAssigned)
		case r.ProgrammeID != nil:
			done = append(done, r.ProgrammeTitle+" already assigned")
		}
		if r.ChecklistID != nil {
			made, err := assessments.RequestObservationIn(ctx, tx, h.EmployeeID, *r.ChecklistID, h.ManagerID, what, now)
			if err != nil {
				return err
			}
			a.ObservationRequested = true
			if made {
				rep.Requests++
				done = append(done, "observation requested with "+r.ChecklistTitle)
			} else {
				done = append(done, "observation with "+r.ChecklistTitle+" already requested")
			}
		}
		a.Detail = what + ": " + strings.Join(done, "; ")
		if utf8.RuneCountInString(a.Detail) > 300 {
			a.Detail = string([]rune(a.Detail)[:299]) + "…"
		}
		rows = append(rows, a)
		if err := people.Audit(ctx, tx, now, nil, actor, "recovery.action", h.Number, a.Detail); err != nil {
			return err
		}
	}
	if _, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Exec(ctx); err != nil {
		return err
	}
	rep.Actions += len(rows)
	return nil
}

// RecoveryRun is a person with a current run of a rule, for the coach
// queue ("3 complaints in 30 days").
type RecoveryRun struct {
	Rule    *outcomes.RecoveryRule
	Measure *outcomes.Measure
	RecoveryHit
}

// RecoveryRuns lists, for each active rule, the people among employeeIDs
// (nil: everyone) with a current run, whether the rule acted on it already
// or not, by rule and name. It writes nothing.
func (s *Service) RecoveryRuns(ctx context.Context, employeeIDs []int64) ([]RecoveryRun, error) {
	if employeeIDs != nil && len(employeeIDs) == 0 {
		return nil, nil
	}
	rules, err := outcomes.ListRecoveryRules(ctx, s.db, false, 0)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	today := outcomes.DayOf(s.Now(), loc)
	var out []RecoveryRun
	measures := map[int64]*outcomes.Measure{}
	for _, r := range rules {
		m := measures[r.MeasureID]
		if m == nil {
			m = new(outcomes.Measure)
			if err := s.db.NewSelect().Model(m).Where("id = ?", r.MeasureID).Scan(ctx); err != nil {
				return nil, err
			}
			measures[r.MeasureID] = m
		}
		if m.ArchivedAt != nil || !m.Counts() {
			continue
		}
		hits, err := s.ruleHits(ctx, s.db, r, m, today, employeeIDs, false)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			out = append(out, RecoveryRun{Rule: r, Measure: m, RecoveryHit: h})
		}
	}
	return out, nil
}
