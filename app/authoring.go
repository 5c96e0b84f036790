package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Course authoring (HR): the list of courses, a draft editor per course,
// a lesson editor with a live preview, publishing, copying built-ins, and
// export / import as .zip in the course file format.

// auditCourse records an authoring action by the signed-in user.
func (s *Server) auditCourse(c *fiber.Ctx, action, subject, detail string) error {
	id, label := principal(c).actor()
	return people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, action, subject, detail)
}

// actorID is the signed-in employee's id, for "created by".
func actorID(c *fiber.Ctx) *int64 {
	id, _ := principal(c).actor()
	return id
}

func coursePath(slug string) string { return "/authoring/" + url.PathEscape(slug) }

func lessonPath(slug string, id int64) string {
	return coursePath(slug) + "/lessons/" + strconv.FormatInt(id, 10)
}

// slugify suggests a short name from a title: "Welcome, new starters!" → "welcome-new-starters".
func slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			hyphen = false
		case !hyphen && b.Len() > 0:
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// --- The list -------------------------------------------------------------

// courseForm is the New course form (also the copy form).
type courseForm struct{ Title, Slug string }

func newCourseForm(c *fiber.Ctx) courseForm {
	return courseForm{Title: formTrimmed(c, "title"), Slug: formTrimmed(c, "slug")}
}

func (s *Server) authoringIndex(c *fiber.Ctx) error {
	return s.authoringIndexPage(c, http.StatusOK, courseForm{}, nil)
}

func (s *Server) authoringIndexPage(c *fiber.Ctx, status int, form courseForm, errs map[string]string) error {
	rows, err := s.courses.ListCourses(c.UserContext())
	if err != nil {
		return err
	}
	return s.renderStatus(c, status, "authoring/index", fiber.Map{"Title": "Courses", "Courses": rows, "New": form,
		"Errors": errs, "ErrorList": orderedErrors(errs, []string{"title", "slug", "file"}), "MaxZipMB": courses.MaxZipBytes >> 20})
}

// courseCreate makes a new course with a starting draft and opens it.
func (s *Server) courseCreate(c *fiber.Ctx) error {
	form := newCourseForm(c)
	slug := form.Slug
	if slug == "" {
		slug = slugify(form.Title)
	}
	course, err := s.courses.CreateCourse(c.UserContext(), slug, form.Title, actorID(c))
	if f, msg, ok := asFieldError(err); ok {
		if f == "slug" && form.Slug == "" {
			form.Slug = slug // show the suggestion that was refused
		}
		return s.authoringIndexPage(c, http.StatusUnprocessableEntity, form, map[string]string{f: msg})
	} else if err != nil {
		return err
	}
	if err := s.auditCourse(c, "course.create", course.Slug, form.Title); err != nil {
		return err
	}
	s.flash(c, "success", "Course created as a draft. Write its lessons, then publish it.")
	return c.Redirect(coursePath(course.Slug), http.StatusSeeOther)
}

// --- Copy -----------------------------------------------------------------

func (s *Server) courseCopyShow(c *fiber.Ctx) error {
	from, _, err := s.courses.PublishedOutline(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	return s.courseCopyPage(c, http.StatusOK, from, courseForm{Slug: from.Slug + "-copy"}, nil)
}

func (s *Server) courseCopyPage(c *fiber.Ctx, status int, from *courses.Course, form courseForm, errs map[string]string) error {
	_, o, err := s.courses.PublishedOutline(c.UserContext(), from.Slug)
	if err != nil {
		return err
	}
	if form.Title == "" && errs == nil {
		form.Title = o.Version.Title
	}
	return s.renderStatus(c, status, "authoring/copy", fiber.Map{"Title": "Copy " + o.Version.Title, "From": from, "O": o,
		"Form": form, "Errors": errs, "ErrorList": orderedErrors(errs, []string{"title", "slug"})})
}

func (s *Server) courseCopy(c *fiber.Ctx) error {
	from, err := s.courses.AuthoringCourse(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	form := newCourseForm(c)
	course, err := s.courses.CopyCourse(c.UserContext(), from.Slug, form.Slug, form.Title, actorID(c))
	if f, msg, ok := asFieldError(err); ok {
		return s.courseCopyPage(c, http.StatusUnprocessableEntity, from, form, map[string]string{f: msg})
	} else if err != nil {
		return err
	}
	if err := s.auditCourse(c, "course.copy", course.Slug, "copy of "+from.Slug); err != nil {
		return err
	}
	s.flash(c, "success", "Copied. The copy is a draft: change what you need, then publish it.")
	return c.Redirect(coursePath(course.Slug), http.StatusSeeOther)
}

// --- The draft editor -----------------------------------------------------

// infoForm is the course information form, as typed.
type infoForm struct {
	Title, Summary, EstimatedMinutes, Tags, Prerequisites, Assessments string
}

func newInfoForm(c *fiber.Ctx) *infoForm {
	return &infoForm{Title: formValue(c, "title"), Summary: formValue(c, "summary"), EstimatedMinutes: formTrimmed(c, "estimated_minutes"),
		Tags: formValue(c, "tags"), Prerequisites: formValue(c, "prerequisites"), Assessments: formValue(c, "assessments")}
}

// draftForms holds what was typed into the draft page's forms when one
// comes back with an error.
type draftForms struct {
	Info      *infoForm
	NewModule string
	Rename    *struct {
		ID    int64
		Title string
	}
	NewLesson *struct {
		ModuleID    int64
		Slug, Title string
	}
}

// problemRow is one publishing problem, pointing at what to change.
type problemRow struct {
	File    string
	Line    int
	Message string
	Where   string
	URL     string
}

func (s *Server) draftShow(c *fiber.Ctx) error {
	course, err := s.courses.AuthoringCourse(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	return s.draftPage(c, http.StatusOK, course, draftForms{}, nil, nil)
}

// draftPage shows a course: its draft as an editor, or (without a draft)
// its published version with the ways to change it.
func (s *Server) draftPage(c *fiber.Ctx, status int, course *courses.Course, forms draftForms, errs map[string]string, problems courses.Problems) error {
	ctx := c.UserContext()
	data := fiber.Map{"Course": course, "Errors": errs, "ErrorList": orderedErrors(errs, []string{"title", "summary", "estimated_minutes", "tags", "prerequisites"}),
		"Forms": forms}
	var title string
	if course.PublishedVersionID != nil {
		pub, err := s.courses.Outline(ctx, *course.PublishedVersionID)
		if err != nil {
			return err
		}
		data["Pub"] = pub
		title = pub.Version.Title
	}
	if course.DraftVersionID != nil {
		o, err := s.courses.Outline(ctx, *course.DraftVersionID)
		if err != nil {
			return err
		}
		data["O"] = o
		title = o.Version.Title
		if forms.Info == nil {
			v := o.Version
			forms.Info = &infoForm{Title: v.Title, Summary: v.Summary, EstimatedMinutes: strconv.Itoa(v.EstimatedMinutes),
				Tags: strings.Join(v.TagList(), ", "), Prerequisites: strings.Join(v.PrerequisiteList(), ", "),
				Assessments: strings.Join(v.AssessmentList(), ", ")}
			data["Forms"] = forms
		}
		var rows []problemRow
		for _, p := range problems {
			r := problemRow{File: p.File, Line: p.Line, Message: p.Message, Where: "Course information", URL: "#info"}
			if slug, ok := strings.CutSuffix(p.File, ".md"); ok {
				r.Where = "Lesson " + slug
				if l := o.Lesson(slug); l != nil {
					r.Where, r.URL = "Lesson: "+l.Title, lessonPath(course.Slug, l.ID)
				} else {
					r.URL = ""
				}
			} else if strings.Contains(p.Message, "module") {
				r.Where, r.URL = "Modules and lessons", "#outline"
			}
			rows = append(rows, r)
		}
		data["Problems"] = rows
	}
	data["Title"] = title
	reactions, err := s.reactionResults(c, course)
	if err != nil {
		return err
	}
	data["Reactions"] = reactions
	return s.renderStatus(c, status, "authoring/course", data)
}

// draftStart starts a draft from the published version (or opens the one there is).
func (s *Server) draftStart(c *fiber.Ctx) error {
	o, err := s.courses.EditDraft(c.UserContext(), slugParam(c, "slug"), actorID(c))
	if err != nil {
		return err
	}
	return c.Redirect(coursePath(o.Version.Slug), http.StatusSeeOther)
}

// draftEdit runs one change to the draft: on a problem with the input the
// page comes back (422) with the message next to the field (key names the
// form field); otherwise the browser goes to next.
func (s *Server) draftEdit(c *fiber.Ctx, forms draftForms, key func(field string) string, change func(slug string) (string, error)) error {
	slug := slugParam(c, "slug")
	next, err := change(slug)
	if f, msg, ok := asFieldError(err); ok {
		course, cerr := s.courses.AuthoringCourse(c.UserContext(), slug)
		if cerr != nil {
			return cerr
		}
		return s.draftPage(c, http.StatusUnprocessableEntity, course, forms, map[string]string{key(f): msg}, nil)
	} else if k := store.KindOf(err); k == store.Invalid || k == store.Conflict {
		// Not about a field (the last lesson, a module that still has lessons): say so on the page.
		s.flash(c, "error", store.MessageOf(err))
		return c.Redirect(coursePath(slug)+"#outline", http.StatusSeeOther)
	} else if err != nil {
		return err
	}
	return c.Redirect(next, http.StatusSeeOther)
}

func (s *Server) draftInfoSave(c *fiber.Ctx) error {
	form := newInfoForm(c)
	in := courses.DraftInfo{Title: form.Title, Summary: form.Summary, Tags: courses.SplitList(form.Tags),
		Prerequisites: courses.SplitList(form.Prerequisites), Assessments: courses.SplitList(form.Assessments)}
	errs := fieldErrors(in.Check(), same)
	if _, bad := errs["assessments"]; !bad {
		msg, err := s.checkAssessments(c.UserContext(), in.Assessments)
		if err != nil {
			return err
		}
		if msg != "" {
			errs["assessments"] = msg
		}
	}
	if form.EstimatedMinutes != "" {
		n, err := strconv.Atoi(form.EstimatedMinutes)
		if err != nil {
			errs["estimated_minutes"] = "Enter a whole number of minutes, such as 30."
		}
		in.EstimatedMinutes = n
	}
	if len(errs) > 0 {
		course, err := s.courses.AuthoringCourse(c.UserContext(), slugParam(c, "slug"))
		if err != nil {
			return err
		}
		return s.draftPage(c, http.StatusUnprocessableEntity, course, draftForms{Info: form}, errs, nil)
	}
	return s.draftEdit(c, draftForms{Info: form}, same, func(slug string) (string, error) {
		if err := s.courses.UpdateDraftInfo(c.UserContext(), slug, in); err != nil {
			return "", err
		}
		s.flash(c, "success", "Course information saved.")
		return coursePath(slug) + "#info", nil
	})
}

func (s *Server) moduleAdd(c *fiber.Ctx) error {
	title := c.FormValue("title")
	return s.draftEdit(c, draftForms{NewModule: title}, func(string) string { return "module-title" }, func(slug string) (string, error) {
		m, err := s.courses.AddModule(c.UserContext(), slug, title)
		if err != nil {
			return "", err
		}
		return coursePath(slug) + "#m-" + strconv.FormatInt(m.ID, 10), nil
	})
}

func (s *Server) moduleRename(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return err
	}
	title := c.FormValue("title")
	forms := draftForms{Rename: &struct {
		ID    int64
		Title string
	}{id, title}}
	return s.draftEdit(c, forms, func(string) string { return fmt.Sprintf("m%d-title", id) }, func(slug string) (string, error) {
		return coursePath(slug) + fmt.Sprintf("#m-%d", id), s.courses.RenameModule(c.UserContext(), slug, id, title)
	})
}

func (s *Server) moduleMove(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return err
	}
	up := c.FormValue("dir") == "up"
	return s.draftEdit(c, draftForms{}, same, func(slug string) (string, error) {
		return coursePath(slug) + fmt.Sprintf("#m-%d", id), s.courses.MoveModule(c.UserContext(), slug, id, up)
	})
}

func (s *Server) moduleDelete(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return err
	}
	return s.draftEdit(c, draftForms{}, same, func(slug string) (string, error) {
		if err := s.courses.DeleteModule(c.UserContext(), slug, id); err != nil {
			return "", err
		}
		s.flash(c, "success", "Module deleted.")
		return coursePath(slug) + "#outline", nil
	})
}

func (s *Server) lessonAdd(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return err
	}
	title, lslug := strings.TrimSpace(c.FormValue("title")), strings.TrimSpace(c.FormValue("slug"))
	forms := draftForms{NewLesson: &struct {
		ModuleID    int64
		Slug, Title string
	}{id, lslug, title}}
	if lslug == "" {
		lslug = slugify(title)
	}
	return s.draftEdit(c, forms, func(f string) string { return fmt.Sprintf("m%d-lesson-%s", id, f) }, func(slug string) (string, error) {
		l, err := s.courses.AddLesson(c.UserContext(), slug, id, lslug, title)
		if err != nil {
			return "", err
		}
		s.flash(c, "success", "Lesson added. Write its text here, then save.")
		return lessonPath(slug, l.ID), nil
	})
}

func (s *Server) lessonMove(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return err
	}
	up := c.FormValue("dir") == "up"
	return s.draftEdit(c, draftForms{}, same, func(slug string) (string, error) {
		return coursePath(slug) + fmt.Sprintf("#l-%d", id), s.courses.MoveLesson(c.UserContext(), slug, id, up)
	})
}

func (s *Server) lessonDelete(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return err
	}
	return s.draftEdit(c, draftForms{}, same, func(slug string) (string, error) {
		if err := s.courses.DeleteLesson(c.UserContext(), slug, id); err != nil {
			return "", err
		}
		s.flash(c, "success", "Lesson deleted.")
		return coursePath(slug) + "#outline", nil
	})
}

// draftPublish checks the draft and publishes it, or lists every problem.
func (s *Server) draftPublish(c *fiber.Ctx) error {
	slug := slugParam(c, "slug")
	v, err := s.courses.Publish(c.UserContext(), slug, actorID(c))
	var ps courses.Problems
	if errors.As(err, &ps) {
		course, cerr := s.courses.AuthoringCourse(c.UserContext(), slug)
		if cerr != nil {
			return cerr
		}
		return s.draftPage(c, http.StatusUnprocessableEntity, course, draftForms{}, nil, ps)
	} else if store.KindOf(err) == store.Invalid {
		s.flash(c, "error", store.MessageOf(err))
		return c.Redirect(coursePath(slug), http.StatusSeeOther)
	} else if err != nil {
		return err
	}
	if err := s.auditCourse(c, "course.publish", slug, fmt.Sprintf("version %d", v.Version)); err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Version %d published. Anyone part-way through an earlier version keeps it until they finish.", v.Version))
	return c.Redirect(coursePath(slug), http.StatusSeeOther)
}

func (s *Server) draftDiscard(c *fiber.Ctx) error {
	slug := slugParam(c, "slug")
	deleted, err := s.courses.DiscardDraft(c.UserContext(), slug)
	if err != nil {
		return err
	}
	detail := "draft discarded"
	if deleted {
		detail = "never published: course deleted"
	}
	if err := s.auditCourse(c, "course.discard", slug, detail); err != nil {
		return err
	}
	if deleted {
		s.flash(c, "success", "Draft discarded. The course was never published, so it is gone.")
		return c.Redirect("/authoring", http.StatusSeeOther)
	}
	s.flash(c, "success", "Draft discarded. Learners still see the published version.")
	return c.Redirect(coursePath(slug), http.StatusSeeOther)
}

// --- The lesson editor ----------------------------------------------------

// lessonForm is the lesson editor form, as typed.
type lessonForm struct{ Title, Minutes, Body string }

func newLessonForm(c *fiber.Ctx) lessonForm {
	return lessonForm{Title: formValue(c, "title"), Minutes: formTrimmed(c, "minutes"), Body: formValue(c, "body")}
}

func (s *Server) draftLesson(c *fiber.Ctx) (*courses.Course, *courses.Outline, *courses.Lesson, error) {
	id, err := idParam(c, "id", "There is no such module or lesson.")
	if err != nil {
		return nil, nil, nil, err
	}
	course, err := s.courses.AuthoringCourse(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return nil, nil, nil, err
	}
	if course.DraftVersionID == nil {
		return nil, nil, nil, store.Errorf(store.NotFound, "%s has no draft: lessons are changed in a draft.", course.Slug)
	}
	o, err := s.courses.Outline(c.UserContext(), *course.DraftVersionID)
	if err != nil {
		return nil, nil, nil, err
	}
	if i := o.Index(id); i >= 0 {
		return course, o, o.Lessons[i], nil
	}
	return nil, nil, nil, store.Errorf(store.NotFound, "That lesson is not in the draft of %s.", o.Version.Title)
}

func (s *Server) lessonEdit(c *fiber.Ctx) error {
	course, o, l, err := s.draftLesson(c)
	if err != nil {
		return err
	}
	form := lessonForm{Title: l.Title, Minutes: strconv.Itoa(l.Minutes), Body: l.BodyMD}
	return s.lessonPage(c, http.StatusOK, course, o, l, form, nil)
}

func (s *Server) lessonPage(c *fiber.Ctx, status int, course *courses.Course, o *courses.Outline, l *courses.Lesson, form lessonForm, errs map[string]string) error {
	preview, err := s.previewHTML(c, form.Body)
	if err != nil {
		return err
	}
	var module *courses.Module
	for _, m := range o.Modules {
		if m.ID == l.ModuleID {
			module = m
		}
	}
	i := o.Index(l.ID)
	var prev, next *courses.Lesson
	if i > 0 {
		prev = o.Lessons[i-1]
	}
	if i+1 < len(o.Lessons) {
		next = o.Lessons[i+1]
	}
	return s.renderStatus(c, status, "authoring/lesson", fiber.Map{"Title": "Edit lesson: " + l.Title, "Course": course, "O": o, "L": l,
		"Module": module, "Number": i + 1, "Prev": prev, "Next": next, "Form": form, "Preview": preview,
		"Errors": errs, "ErrorList": orderedErrors(errs, []string{"title", "minutes", "body"})})
}

// lessonSave saves the lesson, or (the Preview button, for browsers
// without JavaScript) shows the page again with the typed text previewed.
func (s *Server) lessonSave(c *fiber.Ctx) error {
	course, o, l, err := s.draftLesson(c)
	if err != nil {
		return err
	}
	form := newLessonForm(c)
	if c.FormValue("action") == "preview" {
		return s.lessonPage(c, http.StatusOK, course, o, l, form, nil)
	}
	in := courses.LessonInput{Title: form.Title, Body: form.Body}
	minutes, convErr := strconv.Atoi(form.Minutes)
	in.Minutes = minutes
	errs := fieldErrors(in.Check(), same)
	if convErr != nil {
		errs["minutes"] = "Enter the minutes the lesson takes as a whole number, such as 5."
	}
	if len(errs) == 0 {
		_, err = s.courses.SaveLesson(c.UserContext(), course.Slug, l.ID, in)
		if f, msg, ok := asFieldError(err); ok {
			errs[f] = msg
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.lessonPage(c, http.StatusUnprocessableEntity, course, o, l, form, errs)
	}
	if err := s.auditCourse(c, "lesson.save", course.Slug+"/"+l.Slug, fmt.Sprintf("draft version %d", o.Version.Version)); err != nil {
		return err
	}
	s.flash(c, "success", "Lesson saved in the draft. Learners see it once you publish.")
	return c.Redirect(lessonPath(course.Slug, l.ID), http.StatusSeeOther)
}

// previewHTML renders lesson Markdown as learners will see it (sanitised,
// with the company's own texts in the placeholders).
func (s *Server) previewHTML(c *fiber.Ctx, md string) (template.HTML, error) {
	// A preview is not a stored lesson: id 0 is never cached.
	h, err := s.courses.FillCompany(c.UserContext(), &courses.Lesson{BodyHTML: courses.RenderMarkdown(md)})
	if err != nil {
		return "", err
	}
	return template.HTML(h), nil
}

// lessonPreview answers the editor's live preview: the sanitised HTML of
// the posted Markdown (field body), as text/html.
func (s *Server) lessonPreview(c *fiber.Ctx) error {
	body := c.FormValue("body")
	c.Set("Cache-Control", "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'self'")
	if len(body) > courses.MaxLessonBytes {
		c.Type("html", "utf-8")
		return c.Status(http.StatusUnprocessableEntity).SendString(fmt.Sprintf(
			`<p class="field-error">The text is %d KB; a lesson may be up to %d KB.</p>`, (len(body)+1023)>>10, courses.MaxLessonBytes>>10))
	}
	h, err := s.previewHTML(c, body)
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.SendString(string(h))
}

// --- Export and import ----------------------------------------------------

// courseExport downloads the published version as a .zip in the course file format.
func (s *Server) courseExport(c *fiber.Ctx) error {
	course, o, err := s.courses.PublishedOutline(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.courses.ExportZip(c.UserContext(), o.Version.ID, &buf); err != nil {
		return err
	}
	download(c, "application/zip", "attachment", fmt.Sprintf("%s-v%d.zip", course.Slug, o.Version.Version))
	return c.Send(buf.Bytes())
}

func (s *Server) courseImportPage(c *fiber.Ctx, status int, fileErr string, problems courses.Problems) error {
	errs := map[string]string{}
	if fileErr != "" {
		errs["file"] = fileErr
	}
	return s.renderStatus(c, status, "authoring/import", fiber.Map{"Title": "Import a course", "Errors": errs,
		"Problems": problems, "MaxZipMB": courses.MaxZipBytes >> 20})
}

// courseImport reads an uploaded course .zip into a draft; every problem is
// listed and then nothing is written.
func (s *Server) courseImport(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.courseImportPage(c, http.StatusUnprocessableEntity, "Choose a course .zip (exported from Service Academy, or made in the course file format).", nil)
	}
	if fh.Size > courses.MaxZipBytes {
		return s.courseImportPage(c, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is %.1f MB; the limit is %d MB.", fh.Filename, float64(fh.Size)/(1<<20), courses.MaxZipBytes>>20), nil)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, courses.MaxZipBytes+1))
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return s.courseImportPage(c, http.StatusUnprocessableEntity, fh.Filename+" is empty.", nil)
	}
	course, ps, err := s.courses.ImportZip(c.UserContext(), data, actorID(c))
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return s.courseImportPage(c, http.StatusUnprocessableEntity, "", ps)
	}
	if err := s.auditCourse(c, "course.import", course.Slug, strings.Clone(fh.Filename)); err != nil {
		return err
	}
	s.flash(c, "success", "Imported as a draft. Check it, then publish it.")
	return c.Redirect(coursePath(course.Slug), http.StatusSeeOther)
}

// checkAssessments returns a message when a slug names neither a quiz nor a
// role-play checklist. A copy of a course may require the original's quiz.
func (s *Server) checkAssessments(ctx context.Context, slugs []string) (string, error) {
	for _, slug := range slugs {
		if _, err := s.quizzes.FindQuiz(ctx, slug); err == nil {
			continue
		} else if !store.IsNotFound(err) {
			return "", err
		}
		if _, err := s.observations.FindChecklist(ctx, slug); err != nil {
			if store.IsNotFound(err) {
				return fmt.Sprintf("There is no quiz or role-play checklist %q.", slug), nil
			}
			return "", err
		}
	}
	return "", nil
}
