package courses

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

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Programme is an ordered set of courses that HR assigns, with a due rule
// and a validity after which people recertify. Changing its courses makes a
// new version; cycles record the version they follow.
type Programme struct {
	bun.BaseModel `bun:"table:programmes,alias:pg"`

	ID                   int64   `bun:",pk,autoincrement"`
	Slug                 string  `bun:",notnull"`
	Title                string  `bun:",notnull"`
	Description          string  `bun:",notnull"`
	VersionID            int64   `bun:"version_id"`
	DueKind              DueKind `bun:",notnull"`
	DueDate              string  `bun:",notnull"`
	DueDays              int     `bun:",notnull"`
	ValidityMonths       int     `bun:",notnull"`
	RecertDays           int     `bun:",notnull"` // the new cycle opens this many days before the expiry
	CertificatePerCourse bool    `bun:",notnull"`
	ShowScore            bool    `bun:",notnull"`
	// The reminder ladder (Ladder), each a list of days such as "7, 1".
	RemindDueDays      string     `bun:",notnull"`
	OverdueLearnerDays string     `bun:",notnull"`
	OverdueManagerDays string     `bun:",notnull"`
	OverdueHRDays      string     `bun:"overdue_hr_days,notnull"`
	ExpiryRemindDays   string     `bun:",notnull"`
	CreatedAt          time.Time  `bun:",notnull"`
	UpdatedAt          time.Time  `bun:",notnull"`
	ArchivedAt         *time.Time `bun:",nullzero"`

	Version int               `bun:"-"` // of VersionID
	Courses []ProgrammeCourse `bun:"-"` // of VersionID, in order
}

// Due is the programme's due rule.
func (p *Programme) Due() DueRule { return DueRule{Kind: p.DueKind, Date: p.DueDate, Days: p.DueDays} }

// Required returns the slugs of the required courses, in order.
func (p *Programme) Required() []string {
	var out []string
	for _, c := range p.Courses {
		if c.Required {
			out = append(out, c.CourseSlug)
		}
	}
	return out
}

// DueText says the due rule in words.
func (p *Programme) DueText() string {
	switch p.DueKind {
	case DueFixed:
		return "by " + p.DueDate
	case DueAfterAssignment:
		return fmt.Sprintf("within %d days of being assigned", p.DueDays)
	case DueAfterHire:
		return fmt.Sprintf("within %d days of starting", p.DueDays)
	}
	return "no due date"
}

// ValidityText says the validity in words.
func (p *Programme) ValidityText() string {
	switch {
	case p.ValidityMonths == 0:
		return "does not expire"
	case p.ValidityMonths%12 == 0:
		return plural(p.ValidityMonths/12, "year", "years")
	}
	return plural(p.ValidityMonths, "month", "months")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ProgrammeVersion is one version of a programme's course list.
type ProgrammeVersion struct {
	bun.BaseModel `bun:"table:programme_versions,alias:pv"`

	ID           int64     `bun:",pk,autoincrement"`
	ProgrammeID  int64     `bun:",notnull"`
	Version      int       `bun:",notnull"`
	ChangePolicy string    `bun:",notnull"`
	CreatedByID  *int64    `bun:"created_by_id"`
	CreatedAt    time.Time `bun:",notnull"`
}

// ProgrammeCourse is one course of a programme version.
type ProgrammeCourse struct {
	bun.BaseModel `bun:"table:programme_courses,alias:pc"`

	VersionID  int64  `bun:",pk"`
	CourseSlug string `bun:",pk"`
	Position   int    `bun:",notnull"`
	Required   bool   `bun:",notnull"`

	Title string `bun:"-"` // the course's published title
}

// ChangePolicy is what a new version of a programme's courses does to the
// cycles already under way.
type ChangePolicy string

const (
	// KeepCycles leaves current cycles on the version they follow; new
	// cycles (new assignments, recertification) follow the new one.
	KeepCycles ChangePolicy = "keep"
	// Reacknowledge moves current cycles to the new version: whoever has not
	// completed the added courses is asked to (a completed cycle reopens).
	Reacknowledge ChangePolicy = "reacknowledge"
	// NewCycle closes every current cycle and starts a new one for everyone.
	NewCycle ChangePolicy = "new_cycle"
)

// ProgrammeInput is the programme form.
type ProgrammeInput struct {
	Slug, Title, Description string
	Due                      DueRule
	ValidityMonths           int
	RecertDays               int
	CertificatePerCourse     bool
	ShowScore                bool
	Courses                  []ProgrammeCourseInput // in order
	// Ladder is the reminders; nil: DefaultLadder for a new programme,
	// unchanged for an existing one.
	Ladder *LadderInput
}

// ProgrammeCourseInput is one course row of the programme form.
type ProgrammeCourseInput struct {
	Slug     string
	Required bool
}

// Limits of a programme.
const (
	MaxProgrammeCourses = 50
	MaxValidityMonths   = 120
	MaxRecertDays       = 365
	maxDescriptionRunes = 2000
)

// Check tidies the input and returns every problem as an Invalid error
// naming its field: slug, title, description, due_kind, due_date, due_days,
// validity_months, recert_days, courses and the ladder's (LadderInput.Check).
// Unknown course slugs are checked by the store.
func (in *ProgrammeInput) Check(now time.Time, loc *time.Location) []*store.Error {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Description = strings.TrimSpace(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(in.Description))
	var errs []*store.Error
	if err := checkSlug("slug", "programme", in.Slug); err != nil {
		errs = append(errs, err)
	}
	if err := checkTitle("title", "programme", in.Title); err != nil {
		errs = append(errs, err)
	}
	if n := utf8.RuneCountInString(in.Description); n > maxDescriptionRunes {
		errs = append(errs, store.FieldError("description", "The description is %d characters long; the limit is %d.", n, maxDescriptionRunes))
	}
	if err := in.Due.Check(now, loc); err != nil {
		errs = append(errs, err.(*store.Error))
	}
	if in.ValidityMonths < 0 || in.ValidityMonths > MaxValidityMonths {
		errs = append(errs, store.FieldError("validity_months", "Enter the months a completion stays valid, from 0 (never expires) to %d.", MaxValidityMonths))
	}
	switch {
	case in.RecertDays < 0 || in.RecertDays > MaxRecertDays:
		errs = append(errs, store.FieldError("recert_days", "Enter the days before the expiry to start recertifying, from 0 to %d.", MaxRecertDays))
	case in.RecertDays > 0 && in.ValidityMonths == 0:
		errs = append(errs, store.FieldError("recert_days", "A programme that never expires has no recertification: set 0 days, or a validity."))
	case in.RecertDays > 0 && in.RecertDays >= in.ValidityMonths*28:
		errs = append(errs, store.FieldError("recert_days", "Recertification must start after the completion: %d days is longer than the validity.", in.RecertDays))
	}
	var seen []string
	required := 0
	for _, c := range in.Courses {
		switch {
		case !ValidSlug(c.Slug):
			errs = append(errs, store.FieldError("courses", "%q is not a course's short name.", c.Slug))
		case slices.Contains(seen, c.Slug):
			errs = append(errs, store.FieldError("courses", "%s is listed twice.", c.Slug))
		}
		seen = append(seen, c.Slug)
		if c.Required {
			required++
		}
	}
	switch {
	case len(in.Courses) > MaxProgrammeCourses:
		errs = append(errs, store.FieldError("courses", "A programme holds at most %d courses.", MaxProgrammeCourses))
	case required == 0:
		errs = append(errs, store.FieldError("courses", "Mark at least one course as required: a programme is complete when its required courses are."))
	}
	if in.Ladder != nil {
		errs = append(errs, in.Ladder.Check()...)
	}
	return errs
}

// sameCourses reports whether the version's courses are in the input, in
// the same order with the same required flags.
func sameCourses(have []ProgrammeCourse, in []ProgrammeCourseInput) bool {
	if len(have) != len(in) {
		return false
	}
	for i := range have {
		if have[i].CourseSlug != in[i].Slug || have[i].Required != in[i].Required {
			return false
		}
	}
	return true
}

// FindProgramme returns the programme with its current courses, or NotFound.
func (s *Store) FindProgramme(ctx context.Context, slug string) (*Programme, error) {
	return findProgramme(ctx, s.DB, "slug = ?", slug)
}

// FindProgrammeByID is FindProgramme by id.
func (s *Store) FindProgrammeByID(ctx context.Context, id int64) (*Programme, error) {
	return findProgramme(ctx, s.DB, "id = ?", id)
}

func findProgramme(ctx context.Context, db bun.IDB, where string, arg any) (*Programme, error) {
	p := new(Programme)
	if err := db.NewSelect().Model(p).Where(where, arg).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.Errorf(store.NotFound, "There is no such programme.")
		}
		return nil, err
	}
	if err := loadProgrammeCourses(ctx, db, []*Programme{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// ListProgrammes returns the programmes by title, archived ones only when asked.
func (s *Store) ListProgrammes(ctx context.Context, archived bool) ([]*Programme, error) {
	var list []*Programme
	q := s.DB.NewSelect().Model(&list).OrderExpr("title, id")
	if !archived {
		q = q.Where("archived_at IS NULL")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	return list, loadProgrammeCourses(ctx, s.DB, list)
}

// loadProgrammeCourses fills Version and Courses (with titles) of each programme.
func loadProgrammeCourses(ctx context.Context, db bun.IDB, list []*Programme) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i, p := range list {
		ids[i] = p.VersionID
	}
	var versions []ProgrammeVersion
	if err := db.NewSelect().Model(&versions).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return err
	}
	courses, err := versionCourses(ctx, db, ids)
	if err != nil {
		return err
	}
	for _, p := range list {
		for _, v := range versions {
			if v.ID == p.VersionID {
				p.Version = v.Version
			}
		}
		p.Courses = courses[p.VersionID]
	}
	return nil
}

// versionCourses returns the courses of each version, in order, with titles.
func versionCourses(ctx context.Context, db bun.IDB, versionIDs []int64) (map[int64][]ProgrammeCourse, error) {
	var rows []struct {
		ProgrammeCourse
		Title *string
	}
	err := db.NewSelect().TableExpr("programme_courses AS pc").ColumnExpr("pc.*").
		ColumnExpr("(SELECT v.title FROM courses AS c JOIN course_versions AS v ON v.id = c.published_version_id WHERE c.slug = pc.course_slug) AS title").
		Where("pc.version_id IN (?)", bun.In(versionIDs)).OrderExpr("pc.version_id, pc.position").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[int64][]ProgrammeCourse{}
	for _, r := range rows {
		pc := r.ProgrammeCourse
		pc.Title = pc.CourseSlug
		if r.Title != nil {
			pc.Title = *r.Title
		}
		out[pc.VersionID] = append(out[pc.VersionID], pc)
	}
	return out, nil
}

// checkCourseSlugs returns an Invalid error (field courses) for a slug that
// names no published course.
func checkCourseSlugs(ctx context.Context, db bun.IDB, in []ProgrammeCourseInput) error {
	var known []string
	if err := db.NewSelect().Model((*Course)(nil)).Column("slug").Where("published_version_id IS NOT NULL").Scan(ctx, &known); err != nil {
		return err
	}
	for _, c := range in {
		if !slices.Contains(known, c.Slug) {
			return store.FieldError("courses", "There is no published course %q.", c.Slug)
		}
	}
	return nil
}

// CreateProgramme stores a new programme (version 1). Invalid errors name
// the field; Conflict (field slug) when the short name is taken.
func (s *Store) CreateProgramme(ctx context.Context, in ProgrammeInput, by *int64, actor string) (*Programme, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if errs := in.Check(now, loc); len(errs) > 0 {
		return nil, errs[0]
	}
	var p *Programme
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkCourseSlugs(ctx, tx, in.Courses); err != nil {
			return err
		}
		if n, err := tx.NewSelect().Model((*Programme)(nil)).Where("slug = ?", in.Slug).Count(ctx); err != nil || n > 0 {
			if err == nil {
				err = &store.Error{Kind: store.Conflict, Field: "slug", Message: fmt.Sprintf("There is already a programme %q: choose another short name.", in.Slug)}
			}
			return err
		}
		p = &Programme{Slug: in.Slug, CreatedAt: now}
		p.setLadder(DefaultLadder)
		applyProgrammeInput(p, in, now)
		if _, err := tx.NewInsert().Model(p).Returning("id").Exec(ctx); err != nil {
			return err
		}
		v, err := insertProgrammeVersion(ctx, tx, p.ID, 1, "", in.Courses, by, now)
		if err != nil {
			return err
		}
		p.VersionID = v.ID
		if _, err := tx.NewUpdate().Model(p).Column("version_id").WherePK().Exec(ctx); err != nil {
			return err
		}
		return people.Audit(ctx, tx, now, by, actor, "programme.create", p.Slug, fmt.Sprintf("%s: %d courses", p.Title, len(in.Courses)))
	})
	if err != nil {
		return nil, err
	}
	return s.FindProgramme(ctx, p.Slug)
}

func applyProgrammeInput(p *Programme, in ProgrammeInput, now time.Time) {
	p.Title, p.Description = in.Title, in.Description
	p.DueKind, p.DueDate, p.DueDays = in.Due.Kind, "", 0
	switch in.Due.Kind {
	case DueFixed:
		p.DueDate = in.Due.Date
	case DueAfterAssignment, DueAfterHire:
		p.DueDays = in.Due.Days
	}
	p.ValidityMonths, p.RecertDays = in.ValidityMonths, in.RecertDays
	p.CertificatePerCourse, p.ShowScore = in.CertificatePerCourse, in.ShowScore
	if in.Ladder != nil {
		p.setLadder(*in.Ladder)
	}
	p.UpdatedAt = now
}

func insertProgrammeVersion(ctx context.Context, tx bun.IDB, programmeID int64, version int, policy ChangePolicy, courses []ProgrammeCourseInput, by *int64, now time.Time) (*ProgrammeVersion, error) {
	v := &ProgrammeVersion{ProgrammeID: programmeID, Version: version, ChangePolicy: string(policy), CreatedByID: by, CreatedAt: now}
	if _, err := tx.NewInsert().Model(v).Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	rows := make([]ProgrammeCourse, len(courses))
	for i, c := range courses {
		rows[i] = ProgrammeCourse{VersionID: v.ID, CourseSlug: c.Slug, Position: i + 1, Required: c.Required}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return v, err
}

// ChangePreview says what saving a programme form would do: whether the
// courses change (a new version), and how many people each ChangePolicy
// affects.
type ChangePreview struct {
	CoursesChanged bool
	Added, Removed []string // required course slugs
	OpenCycles     int      // current cycles not completed: Reacknowledge moves them to the new version
	Reopened       int      // completed cycles missing an added course: Reacknowledge reopens them
	NewCycles      int      // people with a current cycle: NewCycle starts them again
}

// PreviewProgrammeChange returns what UpdateProgramme(slug, in) would change,
// writing nothing. Invalid errors as UpdateProgramme.
func (s *Store) PreviewProgrammeChange(ctx context.Context, slug string, in ProgrammeInput) (*ChangePreview, error) {
	p, err := s.FindProgramme(ctx, slug)
	if err != nil {
		return nil, err
	}
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	in.Slug = slug
	if errs := in.Check(s.Now(), loc); len(errs) > 0 {
		return nil, errs[0]
	}
	if err := checkCourseSlugs(ctx, s.DB, in.Courses); err != nil {
		return nil, err
	}
	pr := &ChangePreview{CoursesChanged: !sameCourses(p.Courses, in.Courses)}
	if !pr.CoursesChanged {
		return pr, nil
	}
	old := p.Required()
	var want []string
	for _, c := range in.Courses {
		if c.Required {
			want = append(want, c.Slug)
			if !slices.Contains(old, c.Slug) {
				pr.Added = append(pr.Added, c.Slug)
			}
		}
	}
	for _, o := range old {
		if !slices.Contains(want, o) {
			pr.Removed = append(pr.Removed, o)
		}
	}
	cycles, err := currentCycles(ctx, s.DB, p.ID)
	if err != nil {
		return nil, err
	}
	pr.NewCycles = len(cycles)
	if len(pr.Added) == 0 {
		for _, c := range cycles {
			if c.CompletedAt == nil && c.ExemptAt == nil {
				pr.OpenCycles++
			}
		}
		return pr, nil
	}
	done, err := qualifyingCompletions(ctx, s.DB, cycles, pr.Added)
	if err != nil {
		return nil, err
	}
	for _, c := range cycles {
		switch {
		case c.ExemptAt != nil:
		case c.CompletedAt == nil:
			pr.OpenCycles++
		default:
			for _, slug := range pr.Added {
				if _, ok := done[c][slug]; !ok {
					pr.Reopened++
					break
				}
			}
		}
	}
	return pr, nil
}

// UpdateProgramme saves the programme form. When the courses change it makes
// a new version and applies policy to the current cycles (see
// ChangePolicy); otherwise policy is ignored. A changed validity applies to
// completions from now on. Invalid errors name the field (policy when a
// course change names no known policy).
func (s *Store) UpdateProgramme(ctx context.Context, slug string, in ProgrammeInput, policy ChangePolicy, by *int64, actor string) (*Programme, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	in.Slug = slug
	if errs := in.Check(now, loc); len(errs) > 0 {
		return nil, errs[0]
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := findProgramme(ctx, tx, "slug = ?", slug)
		if err != nil {
			return err
		}
		if err := checkCourseSlugs(ctx, tx, in.Courses); err != nil {
			return err
		}
		changed := !sameCourses(p.Courses, in.Courses)
		if changed && policy != KeepCycles && policy != Reacknowledge && policy != NewCycle {
			return store.FieldError("policy", "The courses changed: choose what happens to the people already working through the programme.")
		}
		applyProgrammeInput(p, in, now)
		detail := "settings"
		if changed {
			v, err := insertProgrammeVersion(ctx, tx, p.ID, p.Version+1, policy, in.Courses, by, now)
			if err != nil {
				return err
			}
			p.VersionID = v.ID
			detail = fmt.Sprintf("version %d (%s)", v.Version, policy)
		}
		if _, err := tx.NewUpdate().Model(p).Column("title", "description", "version_id", "due_kind", "due_date", "due_days",
			"validity_months", "recert_days", "certificate_per_course", "show_score", "updated_at",
			"remind_due_days", "overdue_learner_days", "overdue_manager_days", "overdue_hr_days", "expiry_remind_days").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := people.Audit(ctx, tx, now, by, actor, "programme.update", p.Slug, detail); err != nil {
			return err
		}
		if !changed || policy == KeepCycles {
			return nil
		}
		cycles, err := currentCycles(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if policy == Reacknowledge {
			ids := make([]int64, len(cycles))
			for i, c := range cycles {
				ids[i] = c.ID
				c.VersionID = p.VersionID
			}
			if len(ids) > 0 {
				if _, err := tx.NewUpdate().Model((*Cycle)(nil)).Set("version_id = ?", p.VersionID).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
					return err
				}
			}
			return s.decideCycles(ctx, tx, cycles, now, loc, true)
		}
		// NewCycle: close the current cycles, open the next one for each.
		for _, c := range cycles {
			if err := closeCycle(ctx, tx, c, now, "superseded: the programme's courses changed"); err != nil {
				return err
			}
		}
		return s.openNextCycles(ctx, tx, p, cycles, now, loc, false)
	})
	if err != nil {
		return nil, err
	}
	return s.FindProgramme(ctx, slug)
}

// DeleteProgramme removes a programme nobody was ever assigned, or archives
// one with history. Conflict while it has open assignments.
func (s *Store) DeleteProgramme(ctx context.Context, slug string, by *int64, actor string) (archived bool, err error) {
	now := s.Now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := findProgramme(ctx, tx, "slug = ?", slug)
		if err != nil {
			return err
		}
		open, err := tx.NewSelect().Model((*Assignment)(nil)).Where("programme_id = ? AND closed_at IS NULL", p.ID).Count(ctx)
		if err != nil {
			return err
		}
		if open > 0 {
			return store.Errorf(store.Conflict, "%s has %s open: close them (or remove its audience rules) before deleting it.",
				p.Title, plural(int(open), "assignment", "assignments"))
		}
		rules, err := tx.NewSelect().Model((*Rule)(nil)).Where("programme_id = ? AND deleted_at IS NULL", p.ID).Count(ctx)
		if err != nil {
			return err
		}
		if rules > 0 {
			return store.Errorf(store.Conflict, "%s still has %s: remove them before deleting it.", p.Title, plural(int(rules), "audience rule", "audience rules"))
		}
		history, err := tx.NewSelect().Model((*Assignment)(nil)).Where("programme_id = ?", p.ID).Exists(ctx)
		if err != nil {
			return err
		}
		if history {
			archived = true
			if _, err := tx.NewUpdate().Model(p).Set("archived_at = ?", now).WherePK().Exec(ctx); err != nil {
				return err
			}
			return people.Audit(ctx, tx, now, by, actor, "programme.archive", p.Slug, p.Title)
		}
		for _, q := range []string{
			"DELETE FROM audience_members WHERE rule_id IN (SELECT id FROM audience_rules WHERE programme_id = ?)",
			"DELETE FROM audience_rules WHERE programme_id = ?",
			"UPDATE programmes SET version_id = NULL WHERE id = ?",
			"DELETE FROM programme_courses WHERE version_id IN (SELECT id FROM programme_versions WHERE programme_id = ?)",
			"DELETE FROM programme_versions WHERE programme_id = ?",
			"DELETE FROM programmes WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, q, p.ID); err != nil {
				return err
			}
		}
		return people.Audit(ctx, tx, now, by, actor, "programme.delete", p.Slug, p.Title)
	})
	return archived, err
}
