package app

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
)

type apiCourse struct {
	Slug             string   `json:"slug"`
	Title            string   `json:"title"`
	Version          int      `json:"version"`
	Summary          string   `json:"summary"`
	Tags             []string `json:"tags"`
	Prerequisites    []string `json:"prerequisites"`
	Modules          any      `json:"modules"`
	Lessons          int      `json:"lessons"`
	EstimatedMinutes int      `json:"estimated_minutes"`
	Builtin          bool     `json:"builtin"`
}

type apiModule struct {
	Title   string      `json:"title"`
	Lessons []apiLesson `json:"lessons"`
}

type apiLesson struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Minutes int    `json:"minutes"`
}

func courseJSON(o *courses.Outline, withModules bool) apiCourse {
	v := o.Version
	out := apiCourse{Slug: v.Slug, Title: v.Title, Version: v.Version, Summary: v.Summary, Tags: v.TagList(),
		Prerequisites: v.PrerequisiteList(), Modules: len(o.Modules), Lessons: len(o.Lessons),
		EstimatedMinutes: v.EstimatedMinutes, Builtin: v.Builtin}
	if withModules {
		mods := make([]apiModule, len(o.Modules))
		for i, m := range o.Modules {
			mods[i] = apiModule{Title: m.Title, Lessons: []apiLesson{}}
			for _, l := range m.Lessons {
				mods[i].Lessons = append(mods[i].Lessons, apiLesson{Slug: l.Slug, Title: l.Title, Minutes: l.Minutes})
			}
		}
		out.Modules = mods
	}
	return out
}

// apiCourseList lists the published courses (any token).
func (s *Server) apiCourseList(c *fiber.Ctx) error {
	list, err := s.courses.ListPublished(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]apiCourse, 0, len(list))
	for _, v := range list {
		o, err := s.courses.Outline(c.UserContext(), v.ID)
		if err != nil {
			return err
		}
		out = append(out, courseJSON(o, false))
	}
	return c.JSON(fiber.Map{"courses": out})
}

// apiCourseShow is one published course with its modules and lessons.
func (s *Server) apiCourseShow(c *fiber.Ctx) error {
	_, o, err := s.courses.PublishedOutline(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	return c.JSON(courseJSON(o, true))
}

type apiProgress struct {
	Slug         string     `json:"slug"`
	Version      int        `json:"version"`
	LessonsDone  int        `json:"lessons_done"`
	LessonsTotal int        `json:"lessons_total"`
	CompletedAt  *time.Time `json:"completed_at"`
}

// apiEmployeeProgress is an employee's progress in every published course
// (self, own reporting line, or HR).
func (s *Server) apiEmployeeProgress(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	list, err := s.courses.Progress(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	out := make([]apiProgress, 0, len(list))
	for _, p := range list {
		ap := apiProgress{Slug: p.Course.Slug, Version: p.Outline.Version.Version, LessonsDone: p.LessonsDone, LessonsTotal: p.LessonsTotal}
		if p.Completed() {
			ap.CompletedAt = p.Enrolment.CompletedAt
		}
		out = append(out, ap)
	}
	return c.JSON(fiber.Map{"courses": out})
}
