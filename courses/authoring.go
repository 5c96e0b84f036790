package courses

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Authoring: HR changes a course through a draft version (one per course at
// most). Every change to a draft runs in one transaction and leaves the
// lessons numbered 1..n in module order. Publishing checks the draft with
// the same rules as course files (it is written out as files and parsed by
// ParseCourse), then makes it the published version; the previous one is
// retired and learners part-way through it keep it.

// Limits on what the editor accepts.
const (
	MaxLessonBytes  = maxLessonBytes // a lesson file: front matter and Markdown
	MaxSummaryRunes = 10_000
	newLessonMins   = 5
)

var errBuiltinEdit = store.Errorf(store.Forbidden, "Built-in courses are not edited in place: copy it, then edit the copy.")

// CourseRow is one course in the authoring list.
type CourseRow struct {
	Slug             string
	Title            string
	Builtin          bool
	CopiedFrom       string
	PublishedVersion int // 0 when never published
	DraftVersion     int // 0 when there is no draft
	Started          int // employees who opened any version
	Completed        int // employees who completed any version
}

// HasDraft reports whether the course has a draft.
func (r *CourseRow) HasDraft() bool { return r.DraftVersion > 0 }

// Published reports whether the course has a published version.
func (r *CourseRow) Published() bool { return r.PublishedVersion > 0 }

// ListCourses returns every course for the authoring list, by title.
func (s *Store) ListCourses(ctx context.Context) ([]CourseRow, error) {
	var rows []struct {
		Slug       string
		Builtin    bool
		CopiedFrom string
		PubVersion sql.NullInt64
		PubTitle   sql.NullString
		DraftVer   sql.NullInt64
		DraftTitle sql.NullString
		Started    int
		Completed  int
	}
	err := s.DB.NewSelect().TableExpr("courses AS c").
		ColumnExpr("c.slug, c.builtin, c.copied_from").
		ColumnExpr("pv.version AS pub_version, pv.title AS pub_title, dv.version AS draft_ver, dv.title AS draft_title").
		ColumnExpr("(SELECT COUNT(DISTINCT en.employee_id) FROM enrolments AS en WHERE en.course_id = c.id) AS started").
		ColumnExpr("(SELECT COUNT(DISTINCT en.employee_id) FROM enrolments AS en WHERE en.course_id = c.id AND en.completed_at IS NOT NULL) AS completed").
		Join("LEFT JOIN course_versions AS pv ON pv.id = c.published_version_id").
		Join("LEFT JOIN course_versions AS dv ON dv.id = c.draft_version_id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]CourseRow, 0, len(rows))
	for _, r := range rows {
		row := CourseRow{Slug: r.Slug, Builtin: r.Builtin, CopiedFrom: r.CopiedFrom, Started: r.Started, Completed: r.Completed,
			PublishedVersion: int(r.PubVersion.Int64), DraftVersion: int(r.DraftVer.Int64), Title: r.PubTitle.String}
		if row.Title == "" {
			row.Title = r.DraftTitle.String
		}
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title)
	})
	return out, nil
}

// SplitList reads a comma- (or line-) separated list as typed in a form:
// trimmed, without empty items or repeats.
func SplitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func checkTitle(field, what, title string) *store.Error {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return store.FieldError(field, "Enter a title for the %s.", what)
	case n > maxTitle:
		return store.FieldError(field, "The title is %d characters long; the limit is %d.", n, maxTitle)
	}
	return nil
}

func checkSlug(field, what, slug string) *store.Error {
	if slug == "" {
		return store.FieldError(field, "Enter a short name for the %s's address, such as welcome-guide.", what)
	}
	if !ValidSlug(slug) {
		return store.FieldError(field, "%q: use lowercase letters, digits and single hyphens (up to 80), such as welcome-guide.", slug)
	}
	return nil
}

// DraftInfo is the course information form of a draft.
type DraftInfo struct {
	Title            string
	Summary          string
	EstimatedMinutes int
	Tags             []string
	Prerequisites    []string
	Assessments      []string // quiz and role-play checklist slugs to pass; the web layer checks they exist
}

// Check tidies the input and returns every problem, each an Invalid error
// naming its field (title, summary, estimated_minutes, tags, prerequisites,
// assessments).
func (in *DraftInfo) Check() []*store.Error {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Summary = strings.TrimSpace(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(in.Summary))
	var errs []*store.Error
	if err := checkTitle("title", "course", in.Title); err != nil {
		errs = append(errs, err)
	}
	if n := utf8.RuneCountInString(in.Summary); n > MaxSummaryRunes {
		errs = append(errs, store.FieldError("summary", "The summary is %d characters long; the limit is %d.", n, MaxSummaryRunes))
	}
	if in.EstimatedMinutes < 0 || in.EstimatedMinutes > 100_000 {
		errs = append(errs, store.FieldError("estimated_minutes", "Enter the minutes the course takes, from 0 to 100000."))
	}
	if in.Tags == nil {
		in.Tags = []string{}
	}
	for _, t := range in.Tags {
		if !tagRE.MatchString(t) {
			errs = append(errs, store.FieldError("tags", "Tag %q: use lowercase letters, digits and hyphens, such as active-listening.", t))
			break
		}
	}
	if in.Prerequisites == nil {
		in.Prerequisites = []string{}
	}
	for _, p := range in.Prerequisites {
		if !ValidSlug(p) {
			errs = append(errs, store.FieldError("prerequisites", "%q is not a course's short name (such as six-cs).", p))
			break
		}
	}
	if in.Assessments == nil {
		in.Assessments = []string{}
	}
	for _, a := range in.Assessments {
		if !ValidSlug(a) {
			errs = append(errs, store.FieldError("assessments", "%q is not a quiz's or role-play's short name (such as six-cs-quiz).", a))
			break
		}
	}
	return errs
}

// LessonInput is the lesson editor form.
type LessonInput struct {
	Title   string
	Minutes int
	Body    string // Markdown
}

// Check tidies the input (Unix line ends, trimmed text) and returns every
// problem, each an Invalid error naming its field (title, minutes, body).
// An empty body is allowed in a draft; publishing refuses it.
func (in *LessonInput) Check() []*store.Error {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Body = normaliseBody(in.Body)
	var errs []*store.Error
	if err := checkTitle("title", "lesson", in.Title); err != nil {
		errs = append(errs, err)
	}
	if in.Minutes < 1 || in.Minutes > 600 {
		errs = append(errs, store.FieldError("minutes", "Enter the minutes the lesson takes, from 1 to 600."))
	}
	if n := len(LessonFile(SourceLesson{Title: in.Title, Minutes: in.Minutes, Body: in.Body})); n > maxLessonBytes {
		errs = append(errs, store.FieldError("body", "The lesson is %d KB; the limit is %d KB. Split it into two lessons.", (n+1023)>>10, maxLessonBytes>>10))
	}
	return errs
}

// normaliseBody stores Markdown as a lesson file holds it after parsing:
// Unix line ends, trimmed, one final newline (nothing when empty).
func normaliseBody(s string) string {
	s = strings.TrimSpace(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.TrimPrefix(s, "\ufeff")))
	if s == "" {
		return ""
	}
	return s + "\n"
}

// AuthoringCourse returns the course with slug as the database holds it now
// (not the learners' short-lived cache), or NotFound.
func (s *Store) AuthoringCourse(ctx context.Context, slug string) (*Course, error) {
	c := new(Course)
	err := s.DB.NewSelect().Model(c).Where("slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no course %q.", slug)
	}
	return c, err
}

// lockCourse reads the course with slug inside tx, locking its row on
// PostgreSQL (SQLite's immediate transactions already take turns).
func lockCourse(ctx context.Context, tx bun.Tx, slug string) (*Course, error) {
	c := new(Course)
	q := tx.NewSelect().Model(c).Where("slug = ?", slug)
	if store.IsPostgresDB(tx) {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no course %q.", slug)
	}
	return c, err
}

// loadOutline reads a version with its modules and lessons through db (a
// transaction sees its own changes; the Outline cache is not used).
func loadOutline(ctx context.Context, db bun.IDB, versionID int64) (*Outline, error) {
	v := new(Version)
	err := db.NewSelect().Model(v).ColumnExpr("v.*").ColumnExpr("c.slug AS slug, c.builtin AS builtin").
		Join("JOIN courses AS c ON c.id = v.course_id").Where("v.id = ?", versionID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "That course version does not exist.")
	} else if err != nil {
		return nil, err
	}
	o := &Outline{Version: v}
	if err := db.NewSelect().Model(&o.Modules).Where("version_id = ?", versionID).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&o.Lessons).Where("version_id = ?", versionID).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, err
	}
	byModule := map[int64]*Module{}
	for _, m := range o.Modules {
		byModule[m.ID] = m
	}
	for _, l := range o.Lessons {
		if m := byModule[l.ModuleID]; m != nil {
			m.Lessons = append(m.Lessons, l)
		}
	}
	return o, nil
}

// outlineSource returns an outline as course files describe it.
func outlineSource(o *Outline) *Source {
	v := o.Version
	src := &Source{Slug: v.Slug, Title: v.Title, Version: v.Version, EstimatedMinutes: v.EstimatedMinutes, Summary: v.Summary,
		Tags: v.TagList(), Prerequisites: v.PrerequisiteList(), Assessments: v.AssessmentList()}
	if len(src.Assessments) == 0 {
		src.Assessments = nil
	}
	for _, m := range o.Modules {
		sm := SourceModule{Title: m.Title}
		for _, l := range m.Lessons {
			sm.Lessons = append(sm.Lessons, l.Slug)
			sm.Bodies = append(sm.Bodies, SourceLesson{Slug: l.Slug, Title: l.Title, Minutes: l.Minutes, Body: l.BodyMD})
		}
		src.Modules = append(src.Modules, sm)
	}
	return src
}

// draftOf locks the course and reads its draft inside tx. Built-in courses
// are Forbidden; a course without a draft is Invalid.
func draftOf(ctx context.Context, tx bun.Tx, slug string) (*Course, *Outline, error) {
	c, err := lockCourse(ctx, tx, slug)
	if err != nil {
		return nil, nil, err
	}
	if c.Builtin {
		return nil, nil, errBuiltinEdit
	}
	if c.DraftVersionID == nil {
		return nil, nil, store.Errorf(store.Invalid, "%q has no draft: choose Edit to start one from the published version.", slug)
	}
	o, err := loadOutline(ctx, tx, *c.DraftVersionID)
	if err != nil {
		return nil, nil, err
	}
	if o.Version.Status != Draft {
		return nil, nil, store.Errorf(store.Invalid, "Version %d of %q is %s: only a draft can be changed.", o.Version.Version, slug, o.Version.Status)
	}
	return c, o, nil
}

// editDraft runs fn on the course's draft in one transaction and marks the
// course updated.
func (s *Store) editDraft(ctx context.Context, slug string, fn func(tx bun.Tx, c *Course, o *Outline) error) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c, o, err := draftOf(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := fn(tx, c, o); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model((*Course)(nil)).Set("updated_at = ?", s.Now()).Where("id = ?", c.ID).Exec(ctx)
		return err
	})
}

// writeOrder stores the order of modules (and of the lessons in each) as
// positions: modules 1..m, lessons 1..n across the whole version. Only rows
// whose position or module changed are written.
func writeOrder(ctx context.Context, db bun.IDB, modules []*Module) error {
	pos := 0
	for i, m := range modules {
		if m.Position != i+1 {
			m.Position = i + 1
			if _, err := db.NewUpdate().Model(m).Column("position").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		for _, l := range m.Lessons {
			pos++
			if l.Position != pos || l.ModuleID != m.ID {
				l.Position, l.ModuleID = pos, m.ID
				if _, err := db.NewUpdate().Model(l).Column("position", "module_id").WherePK().Exec(ctx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func findModule(o *Outline, id int64) (int, *Module, error) {
	for i, m := range o.Modules {
		if m.ID == id {
			return i, m, nil
		}
	}
	return -1, nil, store.Errorf(store.NotFound, "That module is not in the draft of %s.", o.Version.Title)
}

// findLesson returns the module index, the index within it, and the lesson.
func findLesson(o *Outline, id int64) (int, int, *Lesson, error) {
	for mi, m := range o.Modules {
		for li, l := range m.Lessons {
			if l.ID == id {
				return mi, li, l, nil
			}
		}
	}
	return -1, -1, nil, store.Errorf(store.NotFound, "That lesson is not in the draft of %s.", o.Version.Title)
}

func maxVersion(ctx context.Context, db bun.IDB, courseID int64) (int, error) {
	var n int
	err := db.NewSelect().Model((*Version)(nil)).ColumnExpr("COALESCE(MAX(version), 0)").Where("course_id = ?", courseID).Scan(ctx, &n)
	return n, err
}

// insertCourse creates a course that is not built in; Conflict (field
// "slug") when the slug is taken.
func insertCourse(ctx context.Context, db bun.IDB, slug, copiedFrom string, now time.Time) (*Course, error) {
	c := &Course{Slug: slug, CopiedFrom: copiedFrom, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(c).On("CONFLICT (slug) DO NOTHING").Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	if c.ID == 0 {
		return nil, &store.Error{Kind: store.Conflict, Field: "slug", Message: fmt.Sprintf("There is already a course %q: choose another short name.", slug)}
	}
	return c, nil
}

// setDraft inserts src as the draft of c, numbered number.
func setDraft(ctx context.Context, db bun.IDB, c *Course, number int, src *Source, by *int64, now time.Time) (*Version, error) {
	v, err := insertVersion(ctx, db, c.ID, number, Draft, src, by, now)
	if err != nil {
		return nil, err
	}
	c.DraftVersionID, c.UpdatedAt = &v.ID, now
	_, err = db.NewUpdate().Model(c).Column("draft_version_id", "updated_at").WherePK().Exec(ctx)
	return v, err
}

// CreateCourse creates a course whose draft (version 1) holds one module
// with one introduction lesson. Invalid (field slug or title) for bad
// input; Conflict (field slug) when the slug is taken.
func (s *Store) CreateCourse(ctx context.Context, slug, title string, by *int64) (*Course, error) {
	title = strings.Join(strings.Fields(title), " ")
	if err := checkTitle("title", "course", title); err != nil {
		return nil, err
	}
	if err := checkSlug("slug", "course", slug); err != nil {
		return nil, err
	}
	src := &Source{Slug: slug, Title: title, Version: 1, EstimatedMinutes: newLessonMins, Tags: []string{}, Prerequisites: []string{},
		Modules: []SourceModule{{Title: "Module 1", Lessons: []string{"introduction"}, Bodies: []SourceLesson{{Slug: "introduction",
			Title: "Introduction", Minutes: newLessonMins, Body: "What this course is about, and what the learner will be able to do after it.\n"}}}}}
	var c *Course
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		var err error
		if c, err = insertCourse(ctx, tx, slug, "", now); err != nil {
			return err
		}
		_, err = setDraft(ctx, tx, c, 1, src, by, now)
		return err
	})
	s.ForgetCourses() // the cached course row names its versions
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CopyCourse creates a course newSlug (not built in, copied from fromSlug)
// whose draft, version 1, is a copy of fromSlug's published version.
// NotFound when fromSlug does not exist; Invalid when it is not published;
// Conflict (field slug) when newSlug is taken.
func (s *Store) CopyCourse(ctx context.Context, fromSlug, newSlug, title string, by *int64) (*Course, error) {
	title = strings.Join(strings.Fields(title), " ")
	if err := checkTitle("title", "course", title); err != nil {
		return nil, err
	}
	if err := checkSlug("slug", "course", newSlug); err != nil {
		return nil, err
	}
	var c *Course
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		from, err := lockCourse(ctx, tx, fromSlug)
		if err != nil {
			return err
		}
		if from.PublishedVersionID == nil {
			return store.Errorf(store.Invalid, "%q is not published yet: there is nothing to copy.", fromSlug)
		}
		o, err := loadOutline(ctx, tx, *from.PublishedVersionID)
		if err != nil {
			return err
		}
		src := outlineSource(o)
		src.Slug, src.Title, src.Version = newSlug, title, 1
		src.Prerequisites = slices.DeleteFunc(src.Prerequisites, func(p string) bool { return p == newSlug })
		now := s.Now()
		if c, err = insertCourse(ctx, tx, newSlug, fromSlug, now); err != nil {
			return err
		}
		_, err = setDraft(ctx, tx, c, 1, src, by, now)
		return err
	})
	s.ForgetCourses() // the cached course row names its versions
	if err != nil {
		return nil, err
	}
	return c, nil
}

// EditDraft returns the course's draft, starting one as a copy of the
// published version (numbered one above the highest so far) when there is
// none. Forbidden for built-in courses.
func (s *Store) EditDraft(ctx context.Context, slug string, by *int64) (*Outline, error) {
	var o *Outline
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c, err := lockCourse(ctx, tx, slug)
		if err != nil {
			return err
		}
		if c.Builtin {
			return errBuiltinEdit
		}
		if c.DraftVersionID == nil {
			if c.PublishedVersionID == nil {
				return store.Errorf(store.Invalid, "%q has neither a draft nor a published version.", slug)
			}
			pub, err := loadOutline(ctx, tx, *c.PublishedVersionID)
			if err != nil {
				return err
			}
			n, err := maxVersion(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			src := outlineSource(pub)
			src.Version = n + 1
			if _, err := setDraft(ctx, tx, c, n+1, src, by, s.Now()); err != nil {
				return err
			}
		}
		o, err = loadOutline(ctx, tx, *c.DraftVersionID)
		return err
	})
	s.ForgetCourses() // the cached course row names its versions
	if err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateDraftInfo saves the course information of the draft. Invalid
// (naming the field) for bad input, including a prerequisite that is not a
// course here.
func (s *Store) UpdateDraftInfo(ctx context.Context, slug string, in DraftInfo) error {
	if errs := in.Check(); len(errs) > 0 {
		return errs[0]
	}
	return s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		if slices.Contains(in.Prerequisites, slug) {
			return store.FieldError("prerequisites", "A course cannot be its own prerequisite.")
		}
		known, err := courseSlugs(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range in.Prerequisites {
			if !slices.Contains(known, p) {
				return store.FieldError("prerequisites", "There is no course %q.", p)
			}
		}
		_, err = tx.NewUpdate().Model((*Version)(nil)).Set("title = ?", in.Title).Set("summary = ?", in.Summary).
			Set("estimated_minutes = ?", in.EstimatedMinutes).Set("tags = ?", strings.Join(in.Tags, ",")).
			Set("prerequisites = ?", strings.Join(in.Prerequisites, ",")).Set("assessments = ?", strings.Join(in.Assessments, ",")).
			Where("id = ?", o.Version.ID).Exec(ctx)
		return err
	})
}

func courseSlugs(ctx context.Context, db bun.IDB) ([]string, error) {
	var slugs []string
	err := db.NewSelect().Model((*Course)(nil)).Column("slug").Scan(ctx, &slugs)
	return slugs, err
}

// AddModule appends a module to the draft. Invalid (field title) for a bad title.
func (s *Store) AddModule(ctx context.Context, slug, title string) (*Module, error) {
	title = strings.Join(strings.Fields(title), " ")
	if err := checkTitle("title", "module", title); err != nil {
		return nil, err
	}
	var m *Module
	err := s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		m = &Module{VersionID: o.Version.ID, Position: len(o.Modules) + 1, Title: title}
		_, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx)
		return err
	})
	return m, err
}

// RenameModule changes a module's title. NotFound when the module is not in the draft.
func (s *Store) RenameModule(ctx context.Context, slug string, moduleID int64, title string) error {
	title = strings.Join(strings.Fields(title), " ")
	if err := checkTitle("title", "module", title); err != nil {
		return err
	}
	return s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		_, m, err := findModule(o, moduleID)
		if err != nil {
			return err
		}
		m.Title = title
		_, err = tx.NewUpdate().Model(m).Column("title").WherePK().Exec(ctx)
		return err
	})
}

// MoveModule moves a module (with its lessons) one place up or down; at
// either end nothing changes.
func (s *Store) MoveModule(ctx context.Context, slug string, moduleID int64, up bool) error {
	return s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		i, _, err := findModule(o, moduleID)
		if err != nil {
			return err
		}
		j := i + 1
		if up {
			j = i - 1
		}
		if j < 0 || j >= len(o.Modules) {
			return nil
		}
		o.Modules[i], o.Modules[j] = o.Modules[j], o.Modules[i]
		return writeOrder(ctx, tx, o.Modules)
	})
}

// DeleteModule deletes an empty module. Invalid while it has lessons.
func (s *Store) DeleteModule(ctx context.Context, slug string, moduleID int64) error {
	return s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		i, m, err := findModule(o, moduleID)
		if err != nil {
			return err
		}
		if len(m.Lessons) > 0 {
			return store.Errorf(store.Invalid, "The module %q still has lessons: move or delete them first.", m.Title)
		}
		if _, err := tx.NewDelete().Model(m).WherePK().Exec(ctx); err != nil {
			return err
		}
		return writeOrder(ctx, tx, slices.Delete(o.Modules, i, i+1))
	})
}

// AddLesson appends a lesson (no text yet, 5 minutes) to a module of the
// draft. Invalid (field slug or title) for bad input; Conflict (field slug)
// when the draft already has a lesson with that slug.
func (s *Store) AddLesson(ctx context.Context, slug string, moduleID int64, lessonSlug, title string) (*Lesson, error) {
	title = strings.Join(strings.Fields(title), " ")
	if err := checkSlug("slug", "lesson", lessonSlug); err != nil {
		return nil, err
	}
	if lessonSlug == ReactionLessonSlug {
		return nil, store.FieldError("slug", "%q is the address of the questions learners answer after the course; choose another short name.", lessonSlug)
	}
	if err := checkTitle("title", "lesson", title); err != nil {
		return nil, err
	}
	var l *Lesson
	err := s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		_, m, err := findModule(o, moduleID)
		if err != nil {
			return err
		}
		if o.Lesson(lessonSlug) != nil {
			return &store.Error{Kind: store.Conflict, Field: "slug", Message: fmt.Sprintf("This course already has a lesson %q: choose another short name.", lessonSlug)}
		}
		if len(o.Lessons) >= maxLessons {
			return store.Errorf(store.Invalid, "A course may have up to %d lessons.", maxLessons)
		}
		l = &Lesson{VersionID: o.Version.ID, ModuleID: m.ID, Position: len(o.Lessons) + 1, Slug: lessonSlug, Title: title, Minutes: newLessonMins}
		if _, err := tx.NewInsert().Model(l).Returning("id").Exec(ctx); err != nil {
			return err
		}
		m.Lessons = append(m.Lessons, l)
		return writeOrder(ctx, tx, o.Modules)
	})
	return l, err
}

// SaveLesson saves a lesson of the draft (its HTML rendered from the
// Markdown). Invalid (field title, minutes or body) for bad input; NotFound
// when the lesson is not in the draft.
func (s *Store) SaveLesson(ctx context.Context, slug string, lessonID int64, in LessonInput) (*Lesson, error) {
	if errs := in.Check(); len(errs) > 0 {
		return nil, errs[0]
	}
	var l *Lesson
	err := s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		var err error
		if _, _, l, err = findLesson(o, lessonID); err != nil {
			return err
		}
		l.Title, l.Minutes, l.BodyMD, l.BodyHTML = in.Title, in.Minutes, in.Body, RenderMarkdown(in.Body)
		_, err = tx.NewUpdate().Model(l).Column("title", "minutes", "body_md", "body_html").WherePK().Exec(ctx)
		return err
	})
	return l, err
}

// MoveLesson moves a lesson one place up or down; from the top or bottom of
// its module it crosses into the module before or after. At either end of
// the course nothing changes.
func (s *Store) MoveLesson(ctx context.Context, slug string, lessonID int64, up bool) error {
	return s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		mi, li, l, err := findLesson(o, lessonID)
		if err != nil {
			return err
		}
		ms := o.Modules
		m := ms[mi]
		switch {
		case up && li > 0:
			m.Lessons[li-1], m.Lessons[li] = m.Lessons[li], m.Lessons[li-1]
		case up && mi > 0:
			m.Lessons = slices.Delete(m.Lessons, li, li+1)
			ms[mi-1].Lessons = append(ms[mi-1].Lessons, l)
		case !up && li < len(m.Lessons)-1:
			m.Lessons[li+1], m.Lessons[li] = m.Lessons[li], m.Lessons[li+1]
		case !up && mi < len(ms)-1:
			m.Lessons = slices.Delete(m.Lessons, li, li+1)
			ms[mi+1].Lessons = slices.Insert(ms[mi+1].Lessons, 0, l)
		default:
			return nil
		}
		return writeOrder(ctx, tx, ms)
	})
}

// DeleteLesson deletes a lesson from the draft. Invalid for the last one:
// a course keeps at least one lesson.
func (s *Store) DeleteLesson(ctx context.Context, slug string, lessonID int64) error {
	return s.editDraft(ctx, slug, func(tx bun.Tx, c *Course, o *Outline) error {
		mi, li, l, err := findLesson(o, lessonID)
		if err != nil {
			return err
		}
		if len(o.Lessons) <= 1 {
			return store.Errorf(store.Invalid, "A course needs at least one lesson: add another before deleting %q.", l.Title)
		}
		if _, err := tx.NewDelete().Model(l).WherePK().Exec(ctx); err != nil {
			return err
		}
		o.Modules[mi].Lessons = slices.Delete(o.Modules[mi].Lessons, li, li+1)
		return writeOrder(ctx, tx, o.Modules)
	})
}

// Publish checks the draft with the rules of the course file format and
// makes it the published version (the previous one is retired; learners
// part-way through keep it). When the draft has problems nothing changes
// and the error is Invalid, wrapping every problem as Problems (use
// errors.As). Invalid too when there is no draft or it is unchanged from
// the published version.
func (s *Store) Publish(ctx context.Context, slug string, by *int64) (*Version, error) {
	var v *Version
	var retired *int64
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c, o, err := draftOf(ctx, tx, slug)
		if err != nil {
			return err
		}
		retired = c.PublishedVersionID
		src := outlineSource(o)
		known, err := courseSlugs(ctx, tx)
		if err != nil {
			return err
		}
		parsed, ps := checkSource(src, known)
		if len(ps) > 0 {
			return problemsError(ps, "The draft has %d problem%s: nothing was published.")
		}
		if c.PublishedVersionID != nil {
			pub, err := loadOutline(ctx, tx, *c.PublishedVersionID)
			if err != nil {
				return err
			}
			if sameContent(outlineSource(pub), parsed) {
				return store.Errorf(store.Invalid, "The draft is the same as the published version %d: there is nothing to publish. Change it, or discard the draft.", pub.Version.Version)
			}
		}
		now := s.Now()
		v = o.Version
		v.SourceHash = sourceHash(parsed)
		if _, err := tx.NewUpdate().Model(v).Column("source_hash").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := publish(ctx, tx, c, v, now); err != nil {
			return err
		}
		v.Status, v.PublishedAt = Published, &now
		return nil
	})
	s.ForgetCourses() // the cached course row names its versions
	if err != nil {
		return nil, err
	}
	if retired != nil { // its cached outline still says published
		s.mu.Lock()
		delete(s.outlines, *retired)
		s.mu.Unlock()
	}
	return v, nil
}

// problemsError is an Invalid error carrying every problem.
func problemsError(ps Problems, format string) error {
	plural := "s"
	if len(ps) == 1 {
		plural = ""
	}
	return &store.Error{Kind: store.Invalid, Message: fmt.Sprintf(format, len(ps), plural), Err: ps}
}

// checkSource validates src by writing it out as course files and reading
// them back with ParseCourse (one rule set for files and the editor), and
// checks its prerequisites name known courses.
func checkSource(src *Source, known []string) (*Source, Problems) {
	fsys := memFS{}
	root := src.Slug
	if !ValidSlug(root) {
		root = "course"
	}
	y, err := src.CourseYAML()
	if err != nil {
		return nil, Problems{{File: "course.yaml", Message: "cannot be written: " + err.Error()}}
	}
	fsys[root+"/course.yaml"] = y
	for _, l := range src.Lessons() {
		if ValidSlug(l.Slug) {
			fsys[root+"/"+l.Slug+".md"] = LessonFile(l)
		}
	}
	parsed, err := ParseCourse(fsys, root)
	if err != nil {
		var ps Problems
		if errors.As(err, &ps) {
			return nil, ps
		}
		return nil, Problems{{File: "course.yaml", Message: err.Error()}}
	}
	if ps := checkPrerequisites(parsed, known); len(ps) > 0 {
		return nil, ps
	}
	return parsed, nil
}

// sameContent reports whether two versions of a course say the same thing.
func sameContent(a, b *Source) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	return sourceHash(&x) == sourceHash(&y)
}

// DiscardDraft deletes the course's draft. A course that was never
// published is deleted with it; deleted reports that. Invalid when there
// is no draft; Forbidden for built-in courses.
func (s *Store) DiscardDraft(ctx context.Context, slug string) (deleted bool, err error) {
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c, o, err := draftOf(ctx, tx, slug)
		if err != nil {
			return err
		}
		c.DraftVersionID, c.UpdatedAt = nil, s.Now()
		if _, err := tx.NewUpdate().Model(c).Column("draft_version_id", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := deleteVersion(ctx, tx, o.Version.ID); err != nil {
			return err
		}
		if c.PublishedVersionID == nil {
			deleted = true
			_, err = tx.NewDelete().Model(c).WherePK().Exec(ctx)
		}
		return err
	})
	s.ForgetCourses() // the cached course row names its versions
	return deleted, err
}

// deleteVersion deletes a draft version with its lessons and modules.
func deleteVersion(ctx context.Context, db bun.IDB, versionID int64) error {
	if _, err := db.NewDelete().Model((*Lesson)(nil)).Where("version_id = ?", versionID).Exec(ctx); err != nil {
		return err
	}
	if _, err := db.NewDelete().Model((*Module)(nil)).Where("version_id = ?", versionID).Exec(ctx); err != nil {
		return err
	}
	_, err := db.NewDelete().Model((*Version)(nil)).Where("id = ? AND status = ?", versionID, Draft).Exec(ctx)
	return err
}

// memFS is a read-only file system of whole files held in memory, keyed by
// slash-separated path (folders are implied by the paths).
type memFS map[string][]byte

var (
	_ fs.ReadFileFS = memFS{}
	_ fs.ReadDirFS  = memFS{}
)

func (m memFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	b, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(b), nil
}

func (m memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	prefix := name + "/"
	if name == "." {
		prefix = ""
	}
	seen := map[string]bool{}
	var out []fs.DirEntry
	for p, b := range m {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		child, _, isDir := strings.Cut(rest, "/")
		if seen[child] {
			continue
		}
		seen[child] = true
		out = append(out, memEntry{name: child, dir: isDir, size: int64(len(b))})
	}
	if len(out) == 0 {
		if _, ok := m[name]; ok || name != "." {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (m memFS) Open(name string) (fs.File, error) {
	if b, err := m.ReadFile(name); err == nil {
		return &memFile{memEntry: memEntry{name: path.Base(name), size: int64(len(b))}, r: bytes.NewReader(b)}, nil
	}
	entries, err := m.ReadDir(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{memEntry: memEntry{name: path.Base(name), dir: true}, entries: entries}, nil
}

type memEntry struct {
	name string
	dir  bool
	size int64
}

func (e memEntry) Name() string               { return e.name }
func (e memEntry) IsDir() bool                { return e.dir }
func (e memEntry) Type() fs.FileMode          { return e.Mode().Type() }
func (e memEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e memEntry) Size() int64                { return e.size }
func (e memEntry) ModTime() time.Time         { return time.Time{} }
func (e memEntry) Sys() any                   { return nil }
func (e memEntry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

type memFile struct {
	memEntry
	r       *bytes.Reader
	entries []fs.DirEntry
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.memEntry, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Read(b []byte) (int, error) {
	if f.r == nil {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	return f.r.Read(b)
}

func (f *memFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		out := f.entries
		f.entries = nil
		return out, nil
	}
	if len(f.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(f.entries))
	out := f.entries[:n]
	f.entries = f.entries[n:]
	return out, nil
}
