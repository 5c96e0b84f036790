package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// learnHome is "My learning": the assigned programmes, the ones needing
// action first, each with its courses; then every course with progress,
// the ones in progress first, each with a Resume button that goes to the
// right lesson.
func (s *Server) learnHome(c *fiber.Ctx) error {
	p := principal(c)
	ctx := c.UserContext()
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	assigned, err := s.courses.AssignedProgrammes(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	cards := make([]programmeCard, len(assigned))
	for i, pp := range assigned {
		cards[i] = programmeCard{ProgrammeProgress: pp, Due: programmeDue(pp, loc)}
	}
	list, err := s.courses.Progress(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	var inProgress, notStarted, done int
	for _, cp := range list {
		switch {
		case cp.Completed():
			done++
		case cp.Started():
			inProgress++
		default:
			notStarted++
		}
	}
	step, err := s.nextStep(c, list)
	if err != nil {
		return err
	}
	return s.render(c, "learn/index", fiber.Map{"Title": "My learning", "Programmes": cards, "Courses": list,
		"InProgress": inProgress, "NotStarted": notStarted, "Done": done, "Step": step})
}

// programmeCard is one assigned programme on My learning.
type programmeCard struct {
	*courses.ProgrammeProgress
	Due string // programmeDue
}

// programmeDue says when an assigned programme is due, or how long its
// completion is valid, with dates in the company's time zone loc: "due 31
// Dec 2026", "overdue since 1 Jan 2027 (was due 31 Dec 2026)", "completed
// 10 Dec 2026 · valid until 9 Dec 2027", "valid until 9 Dec 2027 · recertify by 9
// Dec 2027".
func programmeDue(pp *courses.ProgrammeProgress, loc *time.Location) string {
	c := pp.Cycle
	// The completion that counts: the current cycle's, or while a
	// recertification is open, the previous cycle's.
	done := c
	if c.CompletedAt == nil && len(pp.Cycles) > 1 {
		done = pp.Cycles[len(pp.Cycles)-2]
	}
	expires := func() string {
		if done.ExpiresAt == nil {
			return "does not expire"
		}
		return "valid until " + validUntil(loc, done.ExpiresAt)
	}
	recert := recertification(pp.Cycles, len(pp.Cycles)-1)
	due := func() string {
		if c.DueOn == "" {
			return "no due date"
		}
		out := "due " + localDate(loc, c.DueOn)
		if recert {
			out = "recertify by " + localDate(loc, c.DueOn)
		}
		if c.OriginalDueOn != "" && c.OriginalDueOn != c.DueOn {
			out += " (extended from " + localDate(loc, c.OriginalDueOn) + ")"
		}
		return out
	}
	open := c.CompletedAt == nil && c.ExemptAt == nil
	switch pp.Status {
	case courses.Exempt:
		if c.ExemptReason != "" {
			return "exempt: " + c.ExemptReason
		}
		return "exempt"
	case courses.Expired:
		return "expired " + localDate(loc, done.ExpiresAt)
	case courses.Completed, courses.Expiring:
		if open {
			return expires() + " · " + due()
		}
		return "completed " + localDate(loc, c.CompletedAt) + " · " + expires()
	case courses.Overdue:
		if d, err := time.ParseInLocation(time.DateOnly, c.DueOn, loc); err == nil {
			what := "overdue"
			if recert {
				what = "recertification overdue"
			}
			return what + " since " + localDate(loc, d.AddDate(0, 0, 1)) + " (was due " + localDate(loc, c.DueOn) + ")"
		}
		return "overdue"
	}
	return due()
}

// recertification reports whether cycles[i] renews a completion: the
// cycle before it was completed and not closed (a cycle that follows a
// closed one starts the programme again, such as after its courses changed).
func recertification(cycles []*courses.Cycle, i int) bool {
	if i < 1 || i >= len(cycles) {
		return false
	}
	prev := cycles[i-1]
	return prev.CompletedAt != nil && prev.ClosedAt == nil
}

// programmeSummary counts the open assignments and those needing attention
// (overdue, expired, due soon, expiring), with the counts in words by status.
type programmeSummary struct {
	Total, Attention int
	Counts           []string // "1 overdue", "2 due soon"
}

func summarise(list []*courses.ProgrammeProgress) programmeSummary {
	sum := programmeSummary{Total: len(list)}
	for _, st := range []courses.Status{courses.Overdue, courses.Expired, courses.DueSoon, courses.Expiring} {
		n := 0
		for _, pp := range list {
			if pp.Status == st {
				n++
			}
		}
		if n > 0 {
			sum.Attention += n
			sum.Counts = append(sum.Counts, strconv.Itoa(n)+" "+strings.ToLower(st.Label()))
		}
	}
	return sum
}

// missingPrerequisites returns the titles of prerequisite courses the
// employee has not completed (any version counts).
func (s *Server) missingPrerequisites(c *fiber.Ctx, employeeID int64, v *courses.Version) ([]courses.Prerequisite, error) {
	return s.courses.MissingPrerequisites(c.UserContext(), employeeID, v.PrerequisiteList())
}

func (s *Server) courseShow(c *fiber.Ctx) error {
	p := principal(c)
	course, err := s.courses.FindCourse(c.UserContext(), slugParam(c, "course"))
	if err != nil {
		return err
	}
	cp, err := s.courses.ProgressIn(c.UserContext(), p.Employee.ID, course)
	if err != nil {
		return err
	}
	missing, err := s.missingPrerequisites(c, p.Employee.ID, cp.Outline.Version)
	if err != nil {
		return err
	}
	required := cp.Outline.Version.AssessmentList()
	var since time.Time // a course taken again to recertify counts only the new results
	if cp.Enrolment != nil && cp.Enrolment.AssessmentsFrom != nil {
		since = *cp.Enrolment.AssessmentsFrom
	}
	quizzes, err := s.courseQuizzes(c.UserContext(), p.Employee.ID, course.Slug, required, since)
	if err != nil {
		return err
	}
	roleplays, err := s.courseRoleplays(c.UserContext(), p.Employee.ID, course.Slug, required, since)
	if err != nil {
		return err
	}
	reaction, err := s.learnerReaction(c, course)
	if err != nil {
		return err
	}
	all, err := s.courses.Progress(c.UserContext(), p.Employee.ID)
	if err != nil {
		return err
	}
	step, err := s.nextStep(c, all)
	if err != nil {
		return err
	}
	return s.render(c, "learn/course", fiber.Map{"Title": cp.Outline.Version.Title, "P": cp, "Missing": missing,
		"Mission": course.Slug == courses.MissionCourse, "Quizzes": quizzes, "Roleplays": roleplays, "Reaction": reaction,
		"Step": step, "Unread": firstUnread(cp)})
}

// lessonShow opens a lesson: it starts the course (fixing the version) on
// the first visit and remembers the lesson for Resume.
func (s *Server) lessonShow(c *fiber.Ctx) error {
	p := principal(c)
	ctx := c.UserContext()
	course, o, en, lesson, err := s.lessonOf(c)
	if err != nil {
		return err
	}
	if lesson == nil {
		return store.Errorf(store.NotFound, "That lesson is not in %s.", o.Version.Title)
	}
	if en == nil || en.VersionID != o.Version.ID {
		missing, err := s.missingPrerequisites(c, p.Employee.ID, o.Version)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return c.Redirect("/learn/"+url.PathEscape(course.Slug), http.StatusSeeOther)
		}
		if o, en, err = s.courses.Start(ctx, p.Employee.ID, course); err != nil {
			return err
		}
		if lesson = o.Lesson(slugParam(c, "lesson")); lesson == nil {
			return store.Errorf(store.NotFound, "That lesson is not in %s.", o.Version.Title)
		}
	}
	if err := s.courses.Visit(ctx, en, lesson.ID); err != nil {
		return err
	}
	done, err := s.courses.DoneLessonsCached(ctx, p.Employee.ID, o.Version.ID)
	if err != nil {
		return err
	}
	body, err := s.courses.FillCompany(ctx, lesson)
	if err != nil {
		return err
	}
	var module *courses.Module
	for _, m := range o.Modules {
		if m.ID == lesson.ModuleID {
			module = m
		}
	}
	parts := lessonPage(o, lesson, module, course.Slug, body, course.Slug == courses.MissionCourse)
	_, isDone := done[lesson.ID]
	return s.render(c, "learn/lesson", fiber.Map{"Title": lesson.Title, "Article": parts.article, "Pager": parts.pager,
		"Done": isDone, "CompleteURL": "/learn/" + url.PathEscape(course.Slug) + "/" + url.PathEscape(lesson.Slug) + "/complete"})
}

// lessonComplete marks the lesson done (deciding course completion in the
// same transaction) and moves on to the next lesson.
func (s *Server) lessonComplete(c *fiber.Ctx) error {
	ctx := c.UserContext()
	course, o, en, lesson, err := s.lessonOf(c)
	if err != nil {
		return err
	}
	if lesson == nil || en == nil || en.VersionID != o.Version.ID {
		return store.Errorf(store.NotFound, "Open the lesson before marking it complete.")
	}
	comp, completed, err := s.training.CompleteLesson(ctx, en, lesson.ID)
	if err != nil {
		return err
	}
	base := "/learn/" + url.PathEscape(course.Slug)
	switch {
	case completed:
		s.flash(c, "success", "Course complete: "+o.Version.Title+". Well done.")
		return c.Redirect(base, http.StatusSeeOther)
	case course.Slug == courses.MissionCourse && comp.LessonsDone == comp.LessonsTotal:
		return c.Redirect(base+"/acknowledge", http.StatusSeeOther)
	}
	if i := o.Index(lesson.ID); i+1 < len(o.Lessons) {
		return c.Redirect(base+"/"+url.PathEscape(o.Lessons[i+1].Slug), http.StatusSeeOther)
	}
	if len(comp.AssessmentsOutstanding) > 0 {
		s.flash(c, "info", "All lessons read. To complete the course, pass: "+strings.Join(comp.AssessmentsOutstanding, ", ")+".")
	}
	return c.Redirect(base, http.StatusSeeOther)
}

// lessonOf finds the course and lesson named in the URL in the version the
// signed-in learner reads (lesson is nil when that version has no such lesson).
func (s *Server) lessonOf(c *fiber.Ctx) (*courses.Course, *courses.Outline, *courses.Enrolment, *courses.Lesson, error) {
	course, err := s.courses.FindCourse(c.UserContext(), slugParam(c, "course"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	o, en, err := s.courses.VersionFor(c.UserContext(), principal(c).Employee.ID, course)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return course, o, en, o.Lesson(slugParam(c, "lesson")), nil
}

// nextStep is the signed-in person's next step (training.NextStep), from
// their course progress as the page read it.
func (s *Server) nextStep(c *fiber.Ctx, progress []*courses.CourseProgress) (training.Step, error) {
	return s.training.NextStepFor(c.UserContext(), principal(c).Employee.ID, progress, s.courses.Now())
}

// firstUnread is the course's first lesson the learner has not read (nil:
// every lesson read): where a Resume button may go, never to a lesson done.
func firstUnread(cp *courses.CourseProgress) *courses.Lesson {
	for _, l := range cp.Outline.Lessons {
		if !cp.IsDone(l.ID) {
			return l
		}
	}
	return nil
}
