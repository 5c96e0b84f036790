package courses

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Rule is a stored audience rule: everyone in its audience is assigned the
// programme, now (when ApplyExisting) and whenever they join or move into
// it later; whoever leaves the audience has the assignment closed (unless
// it was also assigned by hand or by another rule).
type Rule struct {
	bun.BaseModel `bun:"table:audience_rules,alias:ar"`

	ID            int64      `bun:",pk,autoincrement"`
	ProgrammeID   int64      `bun:",notnull"`
	DepartmentID  *int64     `bun:"department_id"`
	LocationID    *int64     `bun:"location_id"`
	JobTitleID    *int64     `bun:"job_title_id"`
	ManagerID     *int64     `bun:"manager_id"`
	ApplyExisting bool       `bun:",notnull"`
	CreatedByID   *int64     `bun:"created_by_id"`
	CreatedAt     time.Time  `bun:",notnull"`
	UpdatedAt     time.Time  `bun:",notnull"`
	DeletedAt     *time.Time `bun:",nullzero"`
}

// Audience is the rule's audience.
func (r *Rule) Audience() Audience {
	return Audience{DepartmentID: r.DepartmentID, LocationID: r.LocationID, JobTitleID: r.JobTitleID, ManagerID: r.ManagerID}
}

// RuleMember is an audience_members row: an employee a rule matches, since
// when.
type RuleMember struct {
	bun.BaseModel `bun:"table:audience_members"`

	RuleID     int64     `bun:",pk"`
	EmployeeID int64     `bun:",pk"`
	Since      time.Time `bun:",notnull"`
}

// RuleView is a rule with its audience in words and how many match.
type RuleView struct {
	Rule
	Description string
	Members     int
}

// RuleChange says what saving, deleting or re-evaluating rules does (or, in
// a preview, would do).
type RuleChange struct {
	Assign []EmployeeRef // get the programme
	Close  []EmployeeRef // have it closed (they left the audience or the company)
	Match  int           // people the rule matches (SaveRule, PreviewRule)
}

// Empty reports whether nothing changes.
func (c *RuleChange) Empty() bool { return len(c.Assign) == 0 && len(c.Close) == 0 }

// DescribeAudience says an audience in words ("Front Desk · Leeds · Receptionist · reporting line of Olivia Bennett").
func DescribeAudience(ctx context.Context, db bun.IDB, a Audience) (string, error) {
	var parts []string
	for _, x := range []struct {
		table string
		id    *int64
	}{{"departments", a.DepartmentID}, {"locations", a.LocationID}, {"job_titles", a.JobTitleID}} {
		if x.id == nil {
			continue
		}
		var name string
		if err := db.NewSelect().TableExpr(x.table).Column("name").Where("id = ?", *x.id).Scan(ctx, &name); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		parts = append(parts, name)
	}
	if a.ManagerID != nil {
		var row struct{ FirstName, LastName string }
		if err := db.NewSelect().TableExpr("employees").Column("first_name", "last_name").Where("id = ?", *a.ManagerID).Scan(ctx, &row); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		parts = append(parts, "reporting line of "+strings.TrimSpace(row.FirstName+" "+row.LastName))
	}
	if len(parts) == 0 {
		return "everyone", nil
	}
	return strings.Join(parts, " · "), nil
}

// ListRules returns the programme's rules, oldest first, described.
func (s *Store) ListRules(ctx context.Context, programmeID int64) ([]RuleView, error) {
	var rules []Rule
	if err := s.DB.NewSelect().Model(&rules).Where("programme_id = ? AND deleted_at IS NULL", programmeID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]RuleView, len(rules))
	for i, r := range rules {
		d, err := DescribeAudience(ctx, s.DB, r.Audience())
		if err != nil {
			return nil, err
		}
		n, err := s.DB.NewSelect().Model((*RuleMember)(nil)).Where("rule_id = ?", r.ID).Count(ctx)
		if err != nil {
			return nil, err
		}
		out[i] = RuleView{Rule: r, Description: d, Members: int(n)}
	}
	return out, nil
}

// FindRule returns a rule of the programme, or NotFound.
func (s *Store) FindRule(ctx context.Context, programmeID, id int64) (*Rule, error) {
	r := new(Rule)
	err := s.DB.NewSelect().Model(r).Where("id = ? AND programme_id = ? AND deleted_at IS NULL", id, programmeID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no such audience rule.")
	}
	return r, err
}

// checkAudience returns an Invalid error (field audience) for an empty
// audience or one naming a manager who is not an employee.
func checkAudience(a Audience, byID map[int64]*member) error {
	if a.Empty() {
		return store.FieldError("audience", "Choose at least one of department, location, job title or reporting line: a rule for everyone would assign the whole company.")
	}
	if a.ManagerID != nil && byID[*a.ManagerID] == nil {
		return store.FieldError("manager", "There is no such manager.")
	}
	return nil
}

// PreviewRule says what SaveRule would do, writing nothing. id 0 is a new rule.
func (s *Store) PreviewRule(ctx context.Context, programmeSlug string, id int64, a Audience, applyExisting bool) (*RuleChange, error) {
	return s.saveRule(ctx, programmeSlug, id, a, applyExisting, nil, "", true)
}

// SaveRule creates (id 0) or changes an audience rule and applies it at
// once: the people it newly matches are assigned (for a new rule only when
// applyExisting; later joiners always), those it no longer matches have
// the assignment closed. Invalid (field audience or manager) for an empty
// audience; NotFound for an unknown programme or rule.
func (s *Store) SaveRule(ctx context.Context, programmeSlug string, id int64, a Audience, applyExisting bool, by *int64, actor string) (*RuleChange, error) {
	return s.saveRule(ctx, programmeSlug, id, a, applyExisting, by, actor, false)
}

func (s *Store) saveRule(ctx context.Context, programmeSlug string, id int64, a Audience, applyExisting bool, by *int64, actor string, dryRun bool) (*RuleChange, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var change *RuleChange
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := findProgramme(ctx, tx, "slug = ?", programmeSlug)
		if err != nil {
			return err
		}
		if p.ArchivedAt != nil {
			return store.FieldError("programme", "%s is archived: it can no longer be assigned.", p.Title)
		}
		ev, err := newEvaluation(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkAudience(a, ev.byID); err != nil {
			return err
		}
		rule := &Rule{ID: id, ProgrammeID: p.ID, ApplyExisting: applyExisting, CreatedByID: by, CreatedAt: now, UpdatedAt: now}
		if id != 0 {
			if err := tx.NewSelect().Model(rule).Where("id = ? AND programme_id = ? AND deleted_at IS NULL", id, p.ID).Scan(ctx); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return store.Errorf(store.NotFound, "There is no such audience rule.")
				}
				return err
			}
			rule.UpdatedAt = now
		}
		rule.DepartmentID, rule.LocationID, rule.JobTitleID, rule.ManagerID = a.DepartmentID, a.LocationID, a.JobTitleID, a.ManagerID
		if !dryRun {
			if id == 0 {
				if _, err := tx.NewInsert().Model(rule).Returning("id").Exec(ctx); err != nil {
					return err
				}
			} else if _, err := tx.NewUpdate().Model(rule).Column("department_id", "location_id", "job_title_id", "manager_id", "updated_at").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		rules, err := programmeRules(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if id == 0 {
			rules = append(rules, rule)
		} else {
			for i := range rules {
				if rules[i].ID == id {
					rules[i] = rule
				}
			}
		}
		// A new rule that leaves people already matching alone still records
		// them, so only later joiners are assigned.
		quiet := map[int64]bool{}
		if id == 0 && !applyExisting {
			quiet[rule.ID] = true
		}
		bctx, decide := s.deferReadiness(ctx)
		change, err = s.apply(bctx, tx, ev, p, rules, quiet, by, now, loc, dryRun)
		if err != nil {
			return err
		}
		if !dryRun {
			if err := decide(tx); err != nil {
				return err
			}
		}
		change.Match = len(audienceMembers(a, ev.all, ev.byID))
		if dryRun {
			return nil
		}
		desc, err := DescribeAudience(ctx, tx, a)
		if err != nil {
			return err
		}
		action := "rule.create"
		if id != 0 {
			action = "rule.update"
		}
		return people.Audit(ctx, tx, now, by, actor, action, p.Slug, fmt.Sprintf("rule %d (%s), existing %v: %d assigned, %d closed",
			rule.ID, desc, applyExisting, len(change.Assign), len(change.Close)))
	})
	return change, err
}

// PreviewDeleteRule says what DeleteRule would do, writing nothing.
func (s *Store) PreviewDeleteRule(ctx context.Context, programmeSlug string, id int64) (*RuleChange, error) {
	return s.deleteRule(ctx, programmeSlug, id, nil, "", true)
}

// DeleteRule removes an audience rule; the assignments only it gave are closed.
func (s *Store) DeleteRule(ctx context.Context, programmeSlug string, id int64, by *int64, actor string) (*RuleChange, error) {
	return s.deleteRule(ctx, programmeSlug, id, by, actor, false)
}

func (s *Store) deleteRule(ctx context.Context, programmeSlug string, id int64, by *int64, actor string, dryRun bool) (*RuleChange, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var change *RuleChange
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := findProgramme(ctx, tx, "slug = ?", programmeSlug)
		if err != nil {
			return err
		}
		rules, err := programmeRules(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rules, func(r *Rule) bool { return r.ID == id })
		if i < 0 {
			return store.Errorf(store.NotFound, "There is no such audience rule.")
		}
		gone := rules[i]
		rules = slices.Delete(rules, i, i+1)
		ev, err := newEvaluation(ctx, tx)
		if err != nil {
			return err
		}
		ev.removed = gone
		if change, err = s.apply(ctx, tx, ev, p, rules, nil, by, now, loc, dryRun); err != nil || dryRun {
			return err
		}
		if _, err := tx.NewDelete().Model((*RuleMember)(nil)).Where("rule_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(gone).Set("deleted_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		desc, err := DescribeAudience(ctx, tx, gone.Audience())
		if err != nil {
			return err
		}
		return people.Audit(ctx, tx, now, by, actor, "rule.delete", p.Slug, fmt.Sprintf("rule %d (%s): %d closed", id, desc, len(change.Close)))
	})
	return change, err
}

func programmeRules(ctx context.Context, db bun.IDB, programmeID int64) ([]*Rule, error) {
	var list []*Rule
	err := db.NewSelect().Model(&list).Where("programme_id = ? AND deleted_at IS NULL", programmeID).OrderExpr("id").Scan(ctx)
	return list, err
}

// evaluation holds what rules are evaluated against: every employee, and
// (per rule) who matched at the last evaluation.
type evaluation struct {
	all     []member
	byID    map[int64]*member
	removed *Rule // a rule being deleted: its members are let go
}

func newEvaluation(ctx context.Context, db bun.IDB) (*evaluation, error) {
	all, err := loadMembers(ctx, db)
	if err != nil {
		return nil, err
	}
	ev := &evaluation{all: all, byID: make(map[int64]*member, len(all))}
	for i := range all {
		ev.byID[all[i].ID] = &all[i]
	}
	return ev, nil
}

// storedMembers returns who matched each rule at the last evaluation.
func storedMembers(ctx context.Context, db bun.IDB, ruleIDs []int64) (map[int64]map[int64]bool, error) {
	out := map[int64]map[int64]bool{}
	if len(ruleIDs) == 0 {
		return out, nil
	}
	var rows []RuleMember
	if err := db.NewSelect().Model(&rows).Column("rule_id", "employee_id").Where("rule_id IN (?)", bun.In(ruleIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, r := range rows {
		m := out[r.RuleID]
		if m == nil {
			m = map[int64]bool{}
			out[r.RuleID] = m
		}
		m[r.EmployeeID] = true
	}
	return out, nil
}

// apply evaluates the rules of one programme: it records who each rule
// matches now, assigns the programme to those newly matched (except for the
// quiet rules), and closes the rule-given assignments of people no rule of
// the programme matches any more. With dryRun nothing is written.
func (s *Store) apply(ctx context.Context, tx bun.IDB, ev *evaluation, p *Programme, rules []*Rule, quiet map[int64]bool, by *int64, now time.Time, loc *time.Location, dryRun bool) (*RuleChange, error) {
	var ids []int64
	for _, r := range rules {
		if r.ID != 0 {
			ids = append(ids, r.ID)
		}
	}
	if ev.removed != nil {
		ids = append(ids, ev.removed.ID)
	}
	stored, err := storedMembers(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	change := &RuleChange{}
	matchedAny := map[int64]bool{}
	var toAssign []*member
	assigning := map[int64]*int64{}
	var added []RuleMember
	var dropped [][2]int64
	for _, r := range rules {
		had := stored[r.ID]
		matched := audienceMembers(r.Audience(), ev.all, ev.byID)
		in := make(map[int64]bool, len(matched))
		for _, m := range matched {
			in[m.ID] = true
			matchedAny[m.ID] = true
			if had[m.ID] {
				continue
			}
			added = append(added, RuleMember{RuleID: r.ID, EmployeeID: m.ID, Since: now})
			if !quiet[r.ID] {
				if _, ok := assigning[m.ID]; !ok {
					id := r.ID
					assigning[m.ID] = &id
					toAssign = append(toAssign, m)
				}
			}
		}
		for emp := range had {
			if !in[emp] {
				dropped = append(dropped, [2]int64{r.ID, emp})
			}
		}
	}
	if ev.removed != nil {
		for emp := range stored[ev.removed.ID] {
			dropped = append(dropped, [2]int64{ev.removed.ID, emp})
		}
	}
	// Who loses the programme: dropped by a rule, matched by none now, and
	// holding an open assignment that was not made by hand.
	var closeIDs []int64
	candidates := map[int64]bool{}
	for _, d := range dropped {
		// Leavers are closed by EvaluateRules as leavers, whatever gave them the programme.
		if m := ev.byID[d[1]]; !matchedAny[d[1]] && m != nil && m.Active {
			candidates[d[1]] = true
		}
	}
	if len(candidates) > 0 {
		emps := make([]int64, 0, len(candidates))
		for id := range candidates {
			emps = append(emps, id)
		}
		slices.Sort(emps)
		for start := 0; start < len(emps); start += 900 {
			var open []*Assignment
			if err := tx.NewSelect().Model(&open).Where("programme_id = ? AND closed_at IS NULL AND NOT manual", p.ID).
				Where("employee_id IN (?)", bun.In(emps[start:min(start+900, len(emps))])).Scan(ctx); err != nil {
				return nil, err
			}
			for _, a := range open {
				closeIDs = append(closeIDs, a.ID)
				if m := ev.byID[a.EmployeeID]; m != nil {
					change.Close = append(change.Close, refOf(m))
				}
			}
		}
	}
	// The programme's first rule to match names the assignment's source.
	var firstRule *int64
	if len(toAssign) > 0 {
		firstRule = assigning[toAssign[0].ID]
	}
	assigned, _, err := s.assign(ctx, tx, p, toAssign, false, firstRule, nil, by, now, loc, dryRun, true)
	if err != nil {
		return nil, err
	}
	for _, m := range assigned {
		change.Assign = append(change.Assign, refOf(m))
	}
	sortRefs(change.Assign)
	sortRefs(change.Close)
	if dryRun {
		return change, nil
	}
	for start := 0; start < len(added); start += 500 {
		chunk := added[start:min(start+500, len(added))]
		if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT (rule_id, employee_id) DO NOTHING").Exec(ctx); err != nil {
			return nil, err
		}
	}
	for _, d := range dropped {
		if _, err := tx.NewDelete().Model((*RuleMember)(nil)).Where("rule_id = ? AND employee_id = ?", d[0], d[1]).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return change, s.closeAssignments(ctx, tx, closeIDs, now, "no longer in the audience of the programme's rules")
}

func sortRefs(list []EmployeeRef) {
	slices.SortFunc(list, func(a, b EmployeeRef) int { return strings.Compare(a.Number, b.Number) })
}

// Evaluation is what a run of every audience rule changed.
type Evaluation struct {
	Assigned int            // assignments opened (joiners and movers)
	Closed   int            // assignments closed (movers out of an audience)
	Leavers  int            // assignments closed because the employee left
	ByRule   map[string]int // assignments opened per programme slug
}

// EvaluateRules re-evaluates every audience rule against the employees as
// they are now (after an import, an edit, or on the schedule), in one
// transaction of its own: see EvaluateRulesIn.
func (s *Store) EvaluateRules(ctx context.Context) (*Evaluation, error) {
	var out *Evaluation
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.EvaluateRulesIn(ctx, tx)
		return err
	})
	if out == nil {
		out = &Evaluation{ByRule: map[string]int{}}
	}
	return out, err
}

// EvaluateRulesIn re-evaluates every audience rule in tx: joiners and
// movers get the programmes, people who left an audience have the
// assignments only the rules gave closed, and leavers have every open
// assignment closed; the readiness of everyone changed is decided once, at
// the end. Idempotent: a second run changes nothing.
func (s *Store) EvaluateRulesIn(ctx context.Context, tx bun.IDB) (*Evaluation, error) {
	loc, err := s.LocationIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := &Evaluation{ByRule: map[string]int{}}
	ctx, decide := s.deferReadiness(ctx)
	if err := s.evaluateAll(ctx, tx, out, now, loc); err != nil {
		return nil, err
	}
	return out, decide(tx)
}

// evaluateAll is EvaluateRules' work in tx.
func (s *Store) evaluateAll(ctx context.Context, tx bun.IDB, out *Evaluation, now time.Time, loc *time.Location) error {
	{
		ev, err := newEvaluation(ctx, tx)
		if err != nil {
			return err
		}
		var progs []*Programme
		if err := tx.NewSelect().Model(&progs).Where("archived_at IS NULL").
			Where("id IN (SELECT programme_id FROM audience_rules WHERE deleted_at IS NULL)").OrderExpr("id").Scan(ctx); err != nil {
			return err
		}
		if err := loadProgrammeCourses(ctx, tx, progs); err != nil {
			return err
		}
		for _, p := range progs {
			rules, err := programmeRules(ctx, tx, p.ID)
			if err != nil {
				return err
			}
			ch, err := s.apply(ctx, tx, ev, p, rules, nil, nil, now, loc, false)
			if err != nil {
				return err
			}
			out.Assigned += len(ch.Assign)
			out.Closed += len(ch.Close)
			if len(ch.Assign) > 0 {
				out.ByRule[p.Slug] = len(ch.Assign)
			}
			if !ch.Empty() {
				if err := people.Audit(ctx, tx, now, nil, "scheduler", "rule.evaluate", p.Slug,
					fmt.Sprintf("%d assigned (joiners and movers), %d closed (left the audience)", len(ch.Assign), len(ch.Close))); err != nil {
					return err
				}
			}
		}
		// Leavers: every open assignment of someone no longer active.
		var gone []*Assignment
		if err := tx.NewSelect().Model(&gone).Where("asg.closed_at IS NULL").
			Where("asg.employee_id IN (SELECT id FROM employees WHERE NOT active)").Scan(ctx); err != nil {
			return err
		}
		if len(gone) == 0 {
			return nil
		}
		ids := make([]int64, len(gone))
		var nums []string
		for i, a := range gone {
			ids[i] = a.ID
			if m := ev.byID[a.EmployeeID]; m != nil && !slices.Contains(nums, m.Number) {
				nums = append(nums, m.Number)
			}
		}
		out.Leavers = len(ids)
		if err := s.closeAssignments(ctx, tx, ids, now, "left the company"); err != nil {
			return err
		}
		return people.Audit(ctx, tx, now, nil, "scheduler", "assignment.close", "leavers",
			fmt.Sprintf("%d assignments of %d leavers closed: %s", len(ids), len(nums), joinNumbers(nums)))
	}
}
