package courses

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/store"
)

// MissionCourse is the slug of the built-in course that shows the company's
// own mission, vision and promises and ends with their acknowledgement.
const MissionCourse = "mission-vision-promise"

// Version statuses.
const (
	Draft     = "draft"
	Published = "published"
	Retired   = "retired" // an older published version: still read by learners who started it
)

// Course is the stable identity of a course; its content lives in versions.
type Course struct {
	bun.BaseModel `bun:"table:courses,alias:c"`

	ID                 int64     `bun:",pk,autoincrement"`
	Slug               string    `bun:",notnull"`
	Builtin            bool      `bun:",notnull"`
	CopiedFrom         string    `bun:",notnull"`
	PublishedVersionID *int64    `bun:"published_version_id"`
	DraftVersionID     *int64    `bun:"draft_version_id"`
	CreatedAt          time.Time `bun:",notnull"`
	UpdatedAt          time.Time `bun:",notnull"`
}

// Version is one version of a course's content.
type Version struct {
	bun.BaseModel `bun:"table:course_versions,alias:v"`

	ID               int64      `bun:",pk,autoincrement"`
	CourseID         int64      `bun:",notnull"`
	Version          int        `bun:",notnull"`
	Status           string     `bun:",notnull"`
	Title            string     `bun:",notnull"`
	Summary          string     `bun:",notnull"`
	EstimatedMinutes int        `bun:",notnull"`
	Tags             string     `bun:",notnull"` // comma-separated
	Prerequisites    string     `bun:",notnull"` // comma-separated slugs
	Assessments      string     `bun:",notnull"` // comma-separated assessment slugs required to complete
	SourceHash       string     `bun:",notnull"`
	CreatedByID      *int64     `bun:"created_by_id"`
	CreatedAt        time.Time  `bun:",notnull"`
	PublishedAt      *time.Time `bun:",nullzero"`

	Slug    string `bun:",scanonly"`
	Builtin bool   `bun:",scanonly"`
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// TagList returns the service standards the version teaches.
func (v *Version) TagList() []string { return splitList(v.Tags) }

// PrerequisiteList returns the slugs of courses to finish first.
func (v *Version) PrerequisiteList() []string { return splitList(v.Prerequisites) }

// AssessmentList returns the slugs of the assessments required to complete.
func (v *Version) AssessmentList() []string { return splitList(v.Assessments) }

// Module is a titled group of lessons in one version.
type Module struct {
	bun.BaseModel `bun:"table:course_modules,alias:m"`

	ID        int64  `bun:",pk,autoincrement"`
	VersionID int64  `bun:",notnull"`
	Position  int    `bun:",notnull"`
	Title     string `bun:",notnull"`

	Lessons []*Lesson `bun:"-"`
}

// Lesson is one page of a course version.
type Lesson struct {
	bun.BaseModel `bun:"table:lessons,alias:l"`

	ID        int64  `bun:",pk,autoincrement"`
	VersionID int64  `bun:",notnull"`
	ModuleID  int64  `bun:",notnull"`
	Position  int    `bun:",notnull"` // order within the version, from 1
	Slug      string `bun:",notnull"`
	Title     string `bun:",notnull"`
	Minutes   int    `bun:",notnull"`
	BodyMD    string `bun:"body_md,notnull"`
	BodyHTML  string `bun:"body_html,notnull"`
}

// Outline is a version with its modules and lessons in order.
type Outline struct {
	Version *Version
	Modules []*Module
	Lessons []*Lesson // every lesson in order
}

// Lesson returns the lesson with slug, or nil.
func (o *Outline) Lesson(slug string) *Lesson {
	for _, l := range o.Lessons {
		if l.Slug == slug {
			return l
		}
	}
	return nil
}

// Index returns the position of lesson id in Lessons, or -1.
func (o *Outline) Index(id int64) int {
	return slices.IndexFunc(o.Lessons, func(l *Lesson) bool { return l.ID == id })
}

// Minutes is the sum of the lesson minutes.
func (o *Outline) Minutes() int {
	n := 0
	for _, l := range o.Lessons {
		n += l.Minutes
	}
	return n
}

// Store reads and writes courses, versions, lessons and progress, and the
// programmes, certificates and readiness that hang off them. It is built by
// NewStore and configured only there.
type Store struct {
	DB *bun.DB

	assessments Assessments
	events      Events
	clock       store.Clock
	baseURL     string            // certificates' verify links start with it
	docs        *certdoc.Renderer // renders certificate PDFs; nil: none can be

	mu       sync.RWMutex
	outlines map[int64]*Outline // published and retired versions never change: cached by id
	bySlug   map[string]cachedCourse
}

// Assessments is what the courses ask of the quizzes and role-plays:
// whether the ones a course requires are passed, the score a certificate
// prints, and the role-plays failed on a critical item (for readiness).
// Each reads through db, which may be the transaction of the event being
// decided. The training package implements it over the assessments stores;
// NoAssessments is the explicit "there are none".
type Assessments interface {
	// Passed reports whether the employee has passed every assessment in
	// slugs (quiz or role-play checklist slugs) at or after since (zero:
	// ever), and names in words the ones outstanding.
	Passed(ctx context.Context, db bun.IDB, employeeID int64, slugs []string, since time.Time) (bool, []string, error)
	// Score is a certificate's score: the mean of the employee's best passed
	// attempt at each quiz among slugs (role-play slugs are skipped) started
	// after after (nil: ever); nil when there is none.
	Score(ctx context.Context, db bun.IDB, employeeID int64, slugs []string, after *time.Time) (*float64, error)
	// CriticalFailures returns, by employee, the role-plays failed on a
	// critical item and not passed since.
	CriticalFailures(ctx context.Context, db bun.IDB, employeeIDs []int64) (map[int64][]CriticalFailure, error)
}

// NoAssessments is the Assessments of a store used without the assessments
// (tools and tests of the courses alone): nothing is ever passed, so a course
// that requires an assessment never completes; certificates carry no score;
// nobody has a critical failure.
var NoAssessments Assessments = noAssessments{}

type noAssessments struct{}

func (noAssessments) Passed(_ context.Context, _ bun.IDB, _ int64, slugs []string, _ time.Time) (bool, []string, error) {
	return len(slugs) == 0, nil, nil
}

func (noAssessments) Score(context.Context, bun.IDB, int64, []string, *time.Time) (*float64, error) {
	return nil, nil
}

func (noAssessments) CriticalFailures(context.Context, bun.IDB, []int64) (map[int64][]CriticalFailure, error) {
	return map[int64][]CriticalFailure{}, nil
}

// Events is told what the courses write that people are to hear about, in
// the transaction that writes it (db), so that a rolled-back event tells
// nobody. The training package implements it with notifications; a store
// without Options.Events tells nobody (NoEvents).
type Events interface {
	// CyclesOpened: new cycles of p were stored (with their ids): first
	// cycles of an assignment (by hand or an audience rule), a new cycle for
	// everyone after the programme's courses changed, or, when recert, the
	// recertification cycles the scheduler opened.
	CyclesOpened(ctx context.Context, db bun.IDB, p *Programme, cycles []*Cycle, recert bool, now time.Time) error
	// CertificateIssued: c was issued (a programme's or a course's) when a
	// completion earned it.
	CertificateIssued(ctx context.Context, db bun.IDB, c *Certificate, now time.Time) error
}

// NoEvents tells nobody anything.
var NoEvents Events = noEvents{}

type noEvents struct{}

func (noEvents) CyclesOpened(context.Context, bun.IDB, *Programme, []*Cycle, bool, time.Time) error {
	return nil
}

func (noEvents) CertificateIssued(context.Context, bun.IDB, *Certificate, time.Time) error {
	return nil
}

// Options are a Store's settings besides its database and assessments.
type Options struct {
	Clock   store.Clock       // nil: store.SystemClock
	BaseURL string            // certificates' verify links start with it; "" reads http://localhost:8080
	Docs    *certdoc.Renderer // renders certificate PDFs; nil: none can be rendered
	Events  Events            // told of assignments and certificates; nil: NoEvents
}

// Now is the store's clock's time.
func (s *Store) Now() time.Time { return s.clock.Now() }

// courseTTL is how long a course row (which version is published) is reused
// without asking the database; changes on this instance clear it at once.
const courseTTL = 2 * time.Second

type cachedCourse struct {
	c     Course
	until time.Time
}

// ForgetCourses clears the cached course rows (after publishing, copying, importing).
func (s *Store) ForgetCourses() {
	s.mu.Lock()
	s.bySlug = map[string]cachedCourse{}
	s.mu.Unlock()
}

// NewStore returns a Store on db that asks a about assessments. a is
// required (NewStore panics on nil): pass NoAssessments, explicitly, for a
// store without them, in which no course that requires an assessment ever
// completes.
func NewStore(db *bun.DB, a Assessments, opts Options) *Store {
	if a == nil {
		panic("courses.NewStore: nil Assessments (pass courses.NoAssessments for a store without them)")
	}
	if opts.Clock == nil {
		opts.Clock = store.SystemClock
	}
	if opts.Events == nil {
		opts.Events = NoEvents
	}
	return &Store{DB: db, baseURL: opts.BaseURL, docs: opts.Docs, assessments: a, events: opts.Events, clock: opts.Clock,
		outlines: map[int64]*Outline{}, bySlug: map[string]cachedCourse{}}
}

// sourceHash identifies a course's content, to notice a changed built-in.
func sourceHash(src *Source) string {
	h := sha256.New()
	y, _ := src.CourseYAML()
	h.Write(y)
	for _, l := range src.Lessons() {
		h.Write(LessonFile(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// insertVersion writes src as a new version of courseID with status.
func insertVersion(ctx context.Context, db bun.IDB, courseID int64, number int, status string, src *Source, createdBy *int64, now time.Time) (*Version, error) {
	v := &Version{CourseID: courseID, Version: number, Status: status, Title: src.Title, Summary: src.Summary,
		EstimatedMinutes: src.EstimatedMinutes, Tags: strings.Join(src.Tags, ","), Prerequisites: strings.Join(src.Prerequisites, ","),
		Assessments: strings.Join(src.Assessments, ","), SourceHash: sourceHash(src), CreatedByID: createdBy, CreatedAt: now}
	if status == Published {
		v.PublishedAt = &now
	}
	if _, err := db.NewInsert().Model(v).Returning("id").Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert version: %w", err)
	}
	pos := 0
	for i, sm := range src.Modules {
		m := &Module{VersionID: v.ID, Position: i + 1, Title: strings.TrimSpace(sm.Title)}
		if _, err := db.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return nil, fmt.Errorf("insert module: %w", err)
		}
		var ls []Lesson
		for _, sl := range sm.Bodies {
			pos++
			ls = append(ls, Lesson{VersionID: v.ID, ModuleID: m.ID, Position: pos, Slug: sl.Slug, Title: sl.Title,
				Minutes: sl.Minutes, BodyMD: sl.Body, BodyHTML: RenderMarkdown(sl.Body)})
		}
		if len(ls) > 0 {
			if _, err := db.NewInsert().Model(&ls).Exec(ctx); err != nil {
				return nil, fmt.Errorf("insert lessons: %w", err)
			}
		}
	}
	return v, nil
}

// SyncBuiltins makes the database hold the built-in courses: a course that is
// new is created and published; one whose files changed since its latest
// version gets a new published version (learners part-way through keep the
// version they started). Returns the slugs it created or updated.
func (s *Store) SyncBuiltins(ctx context.Context, srcs []*Source) ([]string, error) {
	var changed []string
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if store.IsPostgresDB(tx) {
			// Instances starting together take turns (SQLite's immediate transactions already do).
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7261122)"); err != nil {
				return err
			}
		}
		now := s.Now()
		for _, src := range srcs {
			c := new(Course)
			err := tx.NewSelect().Model(c).Where("slug = ?", src.Slug).Scan(ctx)
			if errors.Is(err, sql.ErrNoRows) {
				c = &Course{Slug: src.Slug, Builtin: true, CreatedAt: now, UpdatedAt: now}
				if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
					return err
				}
			} else if err != nil {
				return err
			} else if !c.Builtin {
				return fmt.Errorf("built-in course %q: a course with that slug was created by hand", src.Slug)
			}
			var latest Version
			err = tx.NewSelect().Model(&latest).Where("course_id = ? AND status <> ?", c.ID, Draft).
				OrderExpr("version DESC").Limit(1).Scan(ctx)
			if err == nil && latest.SourceHash == sourceHash(src) {
				continue
			} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			number := max(src.Version, latest.Version+1)
			v, err := insertVersion(ctx, tx, c.ID, number, Published, src, nil, now)
			if err != nil {
				return fmt.Errorf("built-in course %q: %w", src.Slug, err)
			}
			if err := publish(ctx, tx, c, v, now); err != nil {
				return err
			}
			changed = append(changed, src.Slug)
		}
		return nil
	})
	s.ForgetCourses()
	return changed, err
}

// publish makes v the published version of c; the previous one is retired.
func publish(ctx context.Context, db bun.IDB, c *Course, v *Version, now time.Time) error {
	if c.PublishedVersionID != nil && *c.PublishedVersionID != v.ID {
		if _, err := db.NewUpdate().Model((*Version)(nil)).Set("status = ?", Retired).
			Where("id = ?", *c.PublishedVersionID).Exec(ctx); err != nil {
			return err
		}
	}
	if _, err := db.NewUpdate().Model((*Version)(nil)).Set("status = ?", Published).Set("published_at = ?", now).
		Where("id = ?", v.ID).Exec(ctx); err != nil {
		return err
	}
	c.PublishedVersionID = &v.ID
	if c.DraftVersionID != nil && *c.DraftVersionID == v.ID {
		c.DraftVersionID = nil
	}
	c.UpdatedAt = now
	_, err := db.NewUpdate().Model(c).Column("published_version_id", "draft_version_id", "updated_at").WherePK().Exec(ctx)
	return err
}

// FindCourse returns (a copy of) the course with slug, or NotFound.
func (s *Store) FindCourse(ctx context.Context, slug string) (*Course, error) {
	return s.findCourseIn(ctx, s.DB, slug)
}

// findCourseIn is FindCourse reading through db. What a transaction reads is
// not cached: it may not be committed.
func (s *Store) findCourseIn(ctx context.Context, db bun.IDB, slug string) (*Course, error) {
	now := time.Now()
	s.mu.RLock()
	cc, ok := s.bySlug[slug]
	s.mu.RUnlock()
	if ok && now.Before(cc.until) {
		c := cc.c
		return &c, nil
	}
	c := new(Course)
	err := db.NewSelect().Model(c).Where("slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no course %q.", slug)
	} else if err != nil {
		return nil, err
	}
	if !s.isPool(db) {
		return c, nil
	}
	s.mu.Lock()
	s.bySlug[slug] = cachedCourse{c: *c, until: now.Add(courseTTL)}
	s.mu.Unlock()
	return c, nil
}

// ListPublished returns the published version of every course, by title.
func (s *Store) ListPublished(ctx context.Context) ([]Version, error) {
	var list []Version
	err := s.DB.NewSelect().Model(&list).ColumnExpr("v.*").ColumnExpr("c.slug AS slug, c.builtin AS builtin").
		Join("JOIN courses AS c ON c.published_version_id = v.id").OrderExpr("v.title").Scan(ctx)
	return list, err
}

// Outline returns version id with its modules and lessons. Published and
// retired versions never change, so they are cached; drafts are read fresh.
func (s *Store) Outline(ctx context.Context, versionID int64) (*Outline, error) {
	return s.OutlineIn(ctx, s.DB, versionID)
}

// OutlineIn is Outline reading through db (code running in a transaction
// passes it); what a transaction reads is not cached, as it may not be
// committed.
func (s *Store) OutlineIn(ctx context.Context, db bun.IDB, versionID int64) (*Outline, error) {
	s.mu.RLock()
	o, ok := s.outlines[versionID]
	s.mu.RUnlock()
	if ok {
		return o, nil
	}
	o, err := loadOutline(ctx, db, versionID)
	if err != nil {
		return nil, err
	}
	if o.Version.Status != Draft && s.isPool(db) {
		s.mu.Lock()
		s.outlines[versionID] = o
		s.mu.Unlock()
	}
	return o, nil
}

// PublishedOutline returns the published version of the course with slug.
func (s *Store) PublishedOutline(ctx context.Context, slug string) (*Course, *Outline, error) {
	return s.PublishedOutlineIn(ctx, s.DB, slug)
}

// PublishedOutlineIn is PublishedOutline reading through db: code running in
// a transaction passes the transaction.
func (s *Store) PublishedOutlineIn(ctx context.Context, db bun.IDB, slug string) (*Course, *Outline, error) {
	c, err := s.findCourseIn(ctx, db, slug)
	if err != nil {
		return nil, nil, err
	}
	if c.PublishedVersionID == nil {
		return nil, nil, store.Errorf(store.NotFound, "The course %q is not published yet.", slug)
	}
	o, err := s.OutlineIn(ctx, db, *c.PublishedVersionID)
	return c, o, err
}

// SourceOf returns a version as course files (for export and copying).
func (s *Store) SourceOf(ctx context.Context, versionID int64) (*Source, error) {
	o, err := s.Outline(ctx, versionID)
	if err != nil {
		return nil, err
	}
	return outlineSource(o), nil
}

func isPostgres(s *Store) bool { return store.IsPostgresDB(s.DB) }

// isPool reports whether db is the store's pool rather than a transaction
// (what a transaction reads may not be committed, so it is not cached).
func (s *Store) isPool(db bun.IDB) bool {
	d, ok := db.(*bun.DB)
	return ok && d == s.DB
}
