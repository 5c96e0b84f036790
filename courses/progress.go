package courses

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Enrolment is one employee's way through one version of a course. The
// version is fixed when they start, so a new version published later does
// not move them; they meet it after finishing the one they started.
type Enrolment struct {
	bun.BaseModel `bun:"table:enrolments,alias:en"`

	ID           int64      `bun:",pk,autoincrement"`
	EmployeeID   int64      `bun:",notnull"`
	CourseID     int64      `bun:",notnull"`
	VersionID    int64      `bun:",notnull"`
	StartedAt    time.Time  `bun:",notnull"`
	LastLessonID *int64     `bun:"last_lesson_id"`
	CompletedAt  *time.Time `bun:",nullzero"`
	// AssessmentsFrom is set when the course is taken again to recertify:
	// only assessments passed from then count.
	AssessmentsFrom *time.Time `bun:",nullzero"`
}

// LessonDone is a lesson_progress row: a lesson an employee completed.
type LessonDone struct {
	bun.BaseModel `bun:"table:lesson_progress"`

	EmployeeID  int64     `bun:",pk"`
	LessonID    int64     `bun:",pk"`
	CompletedAt time.Time `bun:",notnull"`
}

// currentEnrolment returns the enrolment the employee is working in for the
// course: the unfinished one if any, else the newest. Nil if none.
func currentEnrolment(ctx context.Context, db bun.IDB, employeeID, courseID int64) (*Enrolment, error) {
	en := new(Enrolment)
	err := db.NewSelect().Model(en).Where("employee_id = ? AND course_id = ?", employeeID, courseID).
		OrderExpr("CASE WHEN completed_at IS NULL THEN 0 ELSE 1 END, id DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return en, err
}

// VersionFor returns the version the employee should read: the one they are
// part-way through; else the published one (their finished enrolment stays
// as it is, a new one starts when they open a lesson of a newer version).
func (s *Store) VersionFor(ctx context.Context, employeeID int64, c *Course) (*Outline, *Enrolment, error) {
	en, err := s.cachedEnrolmentFor(ctx, employeeID, c.ID)
	if err != nil {
		return nil, nil, err
	}
	if en != nil && (en.CompletedAt == nil || c.PublishedVersionID == nil || *c.PublishedVersionID == en.VersionID) {
		o, err := s.Outline(ctx, en.VersionID)
		return o, en, err
	}
	if c.PublishedVersionID == nil {
		return nil, nil, store.Errorf(store.NotFound, "The course %q is not published yet.", c.Slug)
	}
	o, err := s.Outline(ctx, *c.PublishedVersionID)
	return o, en, err
}

// Start returns the employee's enrolment in the version they should read,
// creating it when they begin the course (or begin a newer version).
func (s *Store) Start(ctx context.Context, employeeID int64, c *Course) (*Outline, *Enrolment, error) {
	o, en, err := s.VersionFor(ctx, employeeID, c)
	if err != nil {
		return nil, nil, err
	}
	if en != nil && en.VersionID == o.Version.ID {
		return o, en, nil
	}
	en = &Enrolment{EmployeeID: employeeID, CourseID: c.ID, VersionID: o.Version.ID, StartedAt: s.Now()}
	_, err = s.DB.NewInsert().Model(en).On("CONFLICT (employee_id, course_id, version_id) DO NOTHING").Returning("id").Exec(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.forgetLearner(employeeID, c.ID, o.Version.ID)
	if en.ID == 0 { // a concurrent request created it
		if en, err = currentEnrolment(ctx, s.DB, employeeID, c.ID); err != nil {
			return nil, nil, err
		}
	} else if err := s.markStarted(ctx, s.DB, employeeID, c.Slug, en.StartedAt); err != nil {
		return nil, nil, err
	}
	return o, en, nil
}

// Visit records the lesson the employee last opened (for Resume).
func (s *Store) Visit(ctx context.Context, en *Enrolment, lessonID int64) error {
	if en.LastLessonID != nil && *en.LastLessonID == lessonID {
		return nil
	}
	en.LastLessonID = &lessonID
	_, err := s.DB.NewUpdate().Model(en).Column("last_lesson_id").WherePK().Exec(ctx)
	s.forgetLearner(en.EmployeeID, en.CourseID, 0)
	return err
}

// DoneLessons returns the ids of the lessons of version the employee has completed.
func (s *Store) DoneLessons(ctx context.Context, db bun.IDB, employeeID, versionID int64) (map[int64]time.Time, error) {
	var rows []LessonDone
	err := db.NewSelect().Model(&rows).
		Where("employee_id = ? AND lesson_id IN (SELECT id FROM lessons WHERE version_id = ?)", employeeID, versionID).Scan(ctx)
	done := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		done[r.LessonID] = r.CompletedAt
	}
	return done, err
}

// AcknowledgeStep names the last step of the mission course in a Completion.
const AcknowledgeStep = "acknowledge the service promises"

// Completion is what decides whether a course is complete.
type Completion struct {
	LessonsDone, LessonsTotal int
	AssessmentsOutstanding    []string
	Complete                  bool
}

// DecideCompletion is the one rule for course completion: every lesson of the
// version done and every required assessment passed (as Assessments.Passed
// said). Pure: it takes what the database said.
func DecideCompletion(lessons []*Lesson, done map[int64]time.Time, required []string, passed bool, outstanding []string) Completion {
	c := Completion{LessonsTotal: len(lessons)}
	for _, l := range lessons {
		if _, ok := done[l.ID]; ok {
			c.LessonsDone++
		}
	}
	if len(required) > 0 && !passed {
		c.AssessmentsOutstanding = outstanding
		if len(outstanding) == 0 {
			c.AssessmentsOutstanding = required
		}
	}
	c.Complete = c.LessonsTotal > 0 && c.LessonsDone == c.LessonsTotal && len(c.AssessmentsOutstanding) == 0
	return c
}

// UpdateCompletion re-decides the enrolment inside tx (the transaction of
// the event that may have completed it) and, if it has just become
// complete, records it and completes what hangs off it in tx: the
// programmes that contain the course, their certificates and the
// employee's readiness. Idempotent: a complete enrolment stays as it is.
// Returns the decision and whether this call completed it.
func (s *Store) UpdateCompletion(ctx context.Context, tx bun.IDB, en *Enrolment) (Completion, bool, error) {
	o, err := s.OutlineIn(ctx, tx, en.VersionID)
	if err != nil {
		return Completion{}, false, err
	}
	done, err := s.DoneLessons(ctx, tx, en.EmployeeID, en.VersionID)
	if err != nil {
		return Completion{}, false, err
	}
	required := o.Version.AssessmentList()
	passed, outstanding := len(required) == 0, []string(nil)
	if len(required) > 0 {
		var since time.Time // a course taken again counts only the new results
		if en.AssessmentsFrom != nil {
			since = *en.AssessmentsFrom
		}
		if passed, outstanding, err = s.assessments.Passed(ctx, tx, en.EmployeeID, required, since); err != nil {
			return Completion{}, false, err
		}
	}
	if o.Version.Slug == MissionCourse {
		// The mission course ends with the acknowledgement of every current service promise.
		pending, err := PendingAcknowledgements(ctx, tx, en.EmployeeID)
		if err != nil {
			return Completion{}, false, err
		}
		if len(pending) > 0 {
			required = append(required, AcknowledgeStep)
			if passed {
				outstanding = nil
			}
			passed = false
			outstanding = append(outstanding, AcknowledgeStep)
		}
	}
	c := DecideCompletion(o.Lessons, done, required, passed, outstanding)
	if !c.Complete || en.CompletedAt != nil {
		return c, false, nil
	}
	now := s.Now()
	res, err := tx.NewUpdate().Model(en).Set("completed_at = ?", now).Where("id = ? AND completed_at IS NULL", en.ID).Exec(ctx)
	if err != nil {
		return c, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return c, false, nil // another request completed it first
	}
	en.CompletedAt = &now
	s.forgetLearner(en.EmployeeID, en.CourseID, en.VersionID)
	// The programmes that contain the course, in the same transaction.
	if err := s.courseCompleted(ctx, tx, en, o.Version.Slug, o.Version.Title, now); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// CompleteLesson marks a lesson done for the employee (idempotent) and
// decides course completion (UpdateCompletion), all in tx: the caller's
// transaction (training.CompleteLesson opens it). The lesson must belong to
// the enrolment's version, else Invalid. Call Forget once tx has committed.
func (s *Store) CompleteLesson(ctx context.Context, tx bun.IDB, en *Enrolment, lessonID int64) (Completion, bool, error) {
	o, err := s.OutlineIn(ctx, tx, en.VersionID)
	if err != nil {
		return Completion{}, false, err
	}
	if o.Index(lessonID) < 0 {
		return Completion{}, false, store.Errorf(store.Invalid, "That lesson is not part of the version you are reading.")
	}
	_, err = tx.NewInsert().Model(&LessonDone{EmployeeID: en.EmployeeID, LessonID: lessonID, CompletedAt: s.Now()}).
		On("CONFLICT (employee_id, lesson_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return Completion{}, false, err
	}
	if err := s.markStarted(ctx, tx, en.EmployeeID, o.Version.Slug, s.Now()); err != nil {
		return Completion{}, false, err
	}
	return s.UpdateCompletion(ctx, tx, en)
}

// Forget drops what this store has cached about the enrolment's learner
// (their enrolment and done lessons): call it once the transaction that
// changed their progress has committed, so that no read cached in between
// outlives it.
func (s *Store) Forget(en *Enrolment) {
	s.forgetLearner(en.EmployeeID, en.CourseID, en.VersionID)
}

// CourseProgress is one course as a learner's list shows it.
type CourseProgress struct {
	Course       *Course
	Outline      *Outline
	Enrolment    *Enrolment
	LessonsDone  int
	LessonsTotal int
	MinutesLeft  int
	Next         *Lesson // where Resume goes: the first lesson not done, else the last opened
	Done         map[int64]time.Time
}

// IsDone reports whether the employee has completed lesson id in the version
// shown. (Templates must ask this rather than index Done: a missing key gives
// the zero time.Time, which a template's if counts as true.)
func (p *CourseProgress) IsDone(id int64) bool {
	_, ok := p.Done[id]
	return ok
}

// Started reports whether the employee has opened the course.
func (p *CourseProgress) Started() bool { return p.Enrolment != nil }

// Completed reports whether the version shown is complete.
func (p *CourseProgress) Completed() bool {
	return p.Enrolment != nil && p.Enrolment.CompletedAt != nil && p.Enrolment.VersionID == p.Outline.Version.ID
}

// Percent is the share of lessons done.
func (p *CourseProgress) Percent() int {
	if p.LessonsTotal == 0 {
		return 0
	}
	return p.LessonsDone * 100 / p.LessonsTotal
}

// Progress returns the employee's progress in every published course, in
// title order.
func (s *Store) Progress(ctx context.Context, employeeID int64) ([]*CourseProgress, error) {
	var courses []Course
	if err := s.DB.NewSelect().Model(&courses).Where("published_version_id IS NOT NULL").Scan(ctx); err != nil {
		return nil, err
	}
	var out []*CourseProgress
	for i := range courses {
		p, err := s.ProgressIn(ctx, employeeID, &courses[i])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sortProgress(out)
	return out, nil
}

// ProgressIn returns the employee's progress in one course.
func (s *Store) ProgressIn(ctx context.Context, employeeID int64, c *Course) (*CourseProgress, error) {
	o, en, err := s.VersionFor(ctx, employeeID, c)
	if err != nil {
		return nil, err
	}
	p := &CourseProgress{Course: c, Outline: o, LessonsTotal: len(o.Lessons)}
	if en != nil && en.VersionID == o.Version.ID {
		p.Enrolment = en
	} else if en != nil {
		p.Enrolment = nil // finished an older version; the new one is not started
	}
	done, err := s.DoneLessonsCached(ctx, employeeID, o.Version.ID)
	if err != nil {
		return nil, err
	}
	p.Done = done
	for _, l := range o.Lessons {
		if _, ok := done[l.ID]; ok {
			p.LessonsDone++
		} else {
			p.MinutesLeft += l.Minutes
			if p.Next == nil {
				p.Next = l
			}
		}
	}
	if p.Next == nil && len(o.Lessons) > 0 {
		p.Next = o.Lessons[0]
		if p.Enrolment != nil && p.Enrolment.LastLessonID != nil {
			if i := o.Index(*p.Enrolment.LastLessonID); i >= 0 {
				p.Next = o.Lessons[i]
			}
		}
	}
	return p, nil
}

// Prerequisite is a course to finish before another.
type Prerequisite struct {
	Slug  string
	Title string
}

// MissingPrerequisites returns the courses among slugs that the employee has
// not completed (any version counts; a historical completion imported from
// another system counts too). Unknown or unpublished slugs are skipped.
func (s *Store) MissingPrerequisites(ctx context.Context, employeeID int64, slugs []string) ([]Prerequisite, error) {
	if len(slugs) == 0 {
		return nil, nil
	}
	var rows []struct {
		Slug  string
		Title string
		Done  bool
	}
	err := s.DB.NewSelect().TableExpr("courses AS c").
		ColumnExpr("c.slug, v.title").
		ColumnExpr("(EXISTS (SELECT 1 FROM enrolments AS en WHERE en.course_id = c.id AND en.employee_id = ? AND en.completed_at IS NOT NULL) OR "+
			"EXISTS (SELECT 1 FROM course_completions AS cc WHERE cc.course_id = c.id AND cc.employee_id = ? AND cc.imported)) AS done", employeeID, employeeID).
		Join("JOIN course_versions AS v ON v.id = c.published_version_id").
		Where("c.slug IN (?)", bun.In(slugs)).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	var out []Prerequisite
	for _, r := range rows {
		if !r.Done {
			out = append(out, Prerequisite{Slug: r.Slug, Title: r.Title})
		}
	}
	return out, nil
}
