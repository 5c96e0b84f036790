package app

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store"
)

// Role-play checklists (HR): the list, a new checklist, the editor (a saved
// change is a new version; observations already made keep their snapshot)
// and copying, the only way to change a built-in checklist.

const checklistsPath = "/authoring/checklists"

func checklistPath(slug string) string { return checklistsPath + "/" + url.PathEscape(slug) }

// reservedChecklistSlugs are short names whose editor address another route
// would catch (the course authoring routes, or this package's own "new").
var reservedChecklistSlugs = []string{"new", "bank", "copy", "edit", "info", "publish", "discard", "modules", "lessons",
	"quizzes", "preview", "import"}

func reservedChecklistSlug(slug string) string {
	if slices.Contains(reservedChecklistSlugs, slug) {
		return fmt.Sprintf("%q is a reserved word here; choose another short name, such as %s-call.", slug, slug)
	}
	return ""
}

// courseChoice is a published course for the editor's menu.
type courseChoice struct{ Slug, Title string }

// publishedCourses lists the published courses, by title.
func (s *Server) publishedCourses(c *fiber.Ctx) ([]courseChoice, error) {
	list, err := s.courses.ListPublished(c.UserContext())
	if err != nil {
		return nil, err
	}
	out := make([]courseChoice, len(list))
	for i, v := range list {
		out[i] = courseChoice{Slug: v.Slug, Title: v.Title}
	}
	return out, nil
}

// --- The list -------------------------------------------------------------

type checklistRow struct {
	Slug, Title, Course, CourseTitle string
	Version, Items, Critical         int
	PassPercent                      string
	Builtin                          bool
}

func (s *Server) checklistIndex(c *fiber.Ctx) error {
	list, err := s.observations.ListChecklists(c.UserContext())
	if err != nil {
		return err
	}
	choices, err := s.publishedCourses(c)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, cc := range choices {
		titles[cc.Slug] = cc.Title
	}
	rows := make([]checklistRow, 0, len(list))
	for _, sc := range list {
		r := checklistRow{Slug: sc.Slug, Title: sc.Title, Course: sc.CourseSlug, CourseTitle: titles[sc.CourseSlug],
			Version: sc.Version, Items: len(sc.Checklist.Items), PassPercent: num(sc.PassPercent), Builtin: sc.Builtin}
		for _, it := range sc.Checklist.Items {
			if it.Critical {
				r.Critical++
			}
		}
		if r.CourseTitle == "" {
			r.CourseTitle = sc.CourseSlug
		}
		rows = append(rows, r)
	}
	return s.render(c, "checklists/index", fiber.Map{"Title": "Role-play checklists", "Rows": rows})
}

// --- The editor -----------------------------------------------------------

// checklistItemRow is one item row as typed.
type checklistItemRow struct {
	ID, Position, Text, Weight, Guidance string
	Critical, Remove                     bool
}

func (r checklistItemRow) blank() bool {
	return r.ID == "" && strings.TrimSpace(r.Text) == "" && strings.TrimSpace(r.Guidance) == "" && !r.Critical &&
		(r.Weight == "" || r.Weight == "1")
}

// checklistForm is the checklist editor as typed.
type checklistForm struct {
	Slug, Course, Title, Customer, Situation, Good, PassPercent, ReobserveDays string
	Items                                                                      []checklistItemRow
	CopySlug, CopyTitle                                                        string
}

func checklistFormOf(sc *assessments.StoredChecklist) checklistForm {
	cl := sc.Checklist
	f := checklistForm{Slug: sc.Slug, Course: sc.CourseSlug, Title: cl.Title, Customer: cl.Brief.Customer,
		Situation: cl.Brief.Situation, Good: cl.Brief.WhatGoodLooksLike, PassPercent: num(cl.PassPercent),
		ReobserveDays: strconv.Itoa(sc.ReobserveDays)}
	for i, it := range cl.Items {
		f.Items = append(f.Items, checklistItemRow{ID: it.ID, Position: strconv.Itoa(i + 1), Text: it.Text,
			Weight: num(it.Weight), Guidance: it.Guidance, Critical: it.Critical})
	}
	return f
}

func newChecklistForm(c *fiber.Ctx) checklistForm {
	f := checklistForm{Slug: formTrimmed(c, "slug"), Course: formTrimmed(c, "course"),
		Title: formTrimmed(c, "title"), Customer: formValue(c, "brief_customer"),
		Situation: formValue(c, "brief_situation"), Good: formValue(c, "brief_good"),
		PassPercent: formTrimmed(c, "pass_percent"), ReobserveDays: formTrimmed(c, "reobserve_days")}
	ids, pos, texts, weights, guid := formList(c, "item_id"), formList(c, "item_position"), formList(c, "item_text"),
		formList(c, "item_weight"), formList(c, "item_guidance")
	critical, remove := formList(c, "item_critical"), formList(c, "item_remove")
	for i := range longest(ids, pos, texts, weights, guid) {
		n := strconv.Itoa(i)
		f.Items = append(f.Items, checklistItemRow{ID: strings.TrimSpace(at(ids, i)), Position: strings.TrimSpace(at(pos, i)),
			Text: oneLine(at(texts, i)), Weight: strings.TrimSpace(at(weights, i)), Guidance: at(guid, i),
			Critical: slices.Contains(critical, n), Remove: slices.Contains(remove, n)})
	}
	return f
}

// checklist turns the form into a checklist: blank and removed rows are
// dropped, the rest ordered by position (rows without one last, as typed),
// and new rows get an id. The form comes back with its rows in that order
// (removed ones after), so "Item 2" in a message is the second row.
func (f checklistForm) checklist() (assessments.Checklist, int, checklistForm, fieldMessages) {
	errs := fieldMessages{}
	cl := assessments.Checklist{Slug: f.Slug, Title: f.Title,
		Brief: assessments.Brief{Customer: f.Customer, Situation: f.Situation, WhatGoodLooksLike: f.Good}}
	if p, ok := parseNumber(f.PassPercent, math.NaN()); ok {
		cl.PassPercent = p
	} else {
		cl.PassPercent = math.NaN()
	}
	days, err := strconv.Atoi(f.ReobserveDays)
	if err != nil {
		days = 0
	}
	type keyed struct {
		row checklistItemRow
		pos int
		i   int
	}
	var kept []keyed
	var removed []checklistItemRow
	used := map[string]bool{}
	for _, r := range f.Items {
		if r.ID != "" {
			used[r.ID] = true
		}
	}
	for i, r := range f.Items {
		if r.Remove {
			removed = append(removed, r)
			continue
		}
		if r.blank() {
			continue
		}
		pos := math.MaxInt
		if r.Position != "" {
			p, err := strconv.Atoi(r.Position)
			if err != nil {
				errs.add("items", fmt.Sprintf("Row %d: enter the position as a whole number, such as 3.", i+1))
			} else {
				pos = p
			}
		}
		kept = append(kept, keyed{r, pos, i})
	}
	sort.SliceStable(kept, func(a, b int) bool { return kept[a].pos < kept[b].pos })
	out := f
	out.Items = nil
	for n, k := range kept {
		r := k.row
		w, ok := parseNumber(r.Weight, 1)
		if !ok {
			errs.add("items", fmt.Sprintf("Item %d: enter the weight as a number, such as 1 or 2.", n+1))
			w = 1
		}
		if r.ID == "" {
			r.ID = nextID(used, func(i int) string { return "i" + strconv.Itoa(i+1) })
		}
		cl.Items = append(cl.Items, assessments.Item{ID: r.ID, Text: strings.TrimSpace(r.Text), Weight: w,
			Critical: r.Critical, Guidance: strings.TrimSpace(r.Guidance)})
		r.Position = strconv.Itoa(n + 1)
		out.Items = append(out.Items, r)
	}
	out.Items = append(out.Items, removed...)
	for _, err := range assessments.ValidateChecklistSettings(f.Course, &cl, days) {
		errs.add(store.FieldOf(err), store.MessageOf(err))
	}
	return cl, days, out, errs
}

var checklistFieldOrder = []string{"slug", "course", "title", "brief", "pass_percent", "reobserve_days", "items", "copy_slug", "copy_title"}

func (s *Server) checklistPage(c *fiber.Ctx, status int, sc *assessments.StoredChecklist, form checklistForm, errs fieldMessages) error {
	choices, err := s.publishedCourses(c)
	if err != nil {
		return err
	}
	if form.Course != "" && !slices.ContainsFunc(choices, func(cc courseChoice) bool { return cc.Slug == form.Course }) && sc != nil && form.Course == sc.CourseSlug {
		choices = append(choices, courseChoice{Slug: sc.CourseSlug, Title: sc.CourseSlug + " (not published)"})
	}
	form.Items = slices.Clip(form.Items)
	next := len(form.Items)
	for i := range 3 {
		form.Items = append(form.Items, checklistItemRow{Position: strconv.Itoa(next + i + 1), Weight: "1"})
	}
	title := "New checklist"
	if sc != nil {
		title = "Checklist: " + sc.Title
	}
	if errs == nil {
		errs = fieldMessages{}
	}
	if form.CopySlug == "" && sc != nil {
		form.CopySlug = sc.Slug + "-copy"
	}
	return s.renderStatus(c, status, "checklists/edit", fiber.Map{"Title": title, "Checklist": sc, "Form": form, "Courses": choices,
		"Errors": map[string]string(errs), "ErrorList": orderedErrors(errs, checklistFieldOrder),
		"MinDays": assessments.MinReobserveDays, "MaxDays": assessments.MaxReobserveDays})
}

func (s *Server) checklistNew(c *fiber.Ctx) error {
	return s.checklistPage(c, http.StatusOK, nil, checklistForm{PassPercent: "80", ReobserveDays: "14"}, nil)
}

// checkCourseChoice reports a course that is not a published course (or the
// checklist's current one).
func (s *Server) checkCourseChoice(c *fiber.Ctx, sc *assessments.StoredChecklist, course string, errs fieldMessages) error {
	if course == "" || (sc != nil && course == sc.CourseSlug) {
		return nil
	}
	if _, done := errs["course"]; done {
		return nil
	}
	choices, err := s.publishedCourses(c)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(choices, func(cc courseChoice) bool { return cc.Slug == course }) {
		errs.add("course", "Choose one of the published courses.")
	}
	return nil
}

// checklistCreate saves a new checklist; a short name already taken is refused.
func (s *Server) checklistCreate(c *fiber.Ctx) error {
	form := newChecklistForm(c)
	cl, days, form, errs := form.checklist()
	if msg := reservedChecklistSlug(cl.Slug); msg != "" {
		errs.add("slug", msg)
	}
	if _, done := errs["slug"]; !done && cl.Slug != "" {
		if _, err := s.observations.FindChecklist(c.UserContext(), cl.Slug); err == nil {
			errs.add("slug", fmt.Sprintf("A checklist with the short name %q already exists; choose another, or edit that one.", cl.Slug))
		} else if !store.IsNotFound(err) {
			return err
		}
	}
	if err := s.checkCourseChoice(c, nil, form.Course, errs); err != nil {
		return err
	}
	return s.checklistStore(c, nil, form, cl, days, errs)
}

func (s *Server) findChecklistParam(c *fiber.Ctx) (*assessments.StoredChecklist, error) {
	return s.observations.FindChecklist(c.UserContext(), slugParam(c, "slug"))
}

func (s *Server) checklistEdit(c *fiber.Ctx) error {
	sc, err := s.findChecklistParam(c)
	if err != nil {
		return err
	}
	return s.checklistPage(c, http.StatusOK, sc, checklistFormOf(sc), nil)
}

// checklistSave saves the edited checklist as its next version. A built-in
// one is refused: it must be copied first.
func (s *Server) checklistSave(c *fiber.Ctx) error {
	sc, err := s.findChecklistParam(c)
	if err != nil {
		return err
	}
	if sc.Builtin {
		return store.Errorf(store.Forbidden, "%s is a built-in checklist and cannot be edited in place: copy it first and edit the copy.", sc.Title)
	}
	form := newChecklistForm(c)
	form.Slug = sc.Slug
	cl, days, form, errs := form.checklist()
	if err := s.checkCourseChoice(c, sc, form.Course, errs); err != nil {
		return err
	}
	return s.checklistStore(c, sc, form, cl, days, errs)
}

// checklistStore saves cl, or shows the form again (422) with errs.
func (s *Server) checklistStore(c *fiber.Ctx, sc *assessments.StoredChecklist, form checklistForm, cl assessments.Checklist, days int, errs fieldMessages) error {
	if len(errs) == 0 {
		saved, err := s.observations.SaveChecklist(c.UserContext(), form.Course, cl, days, actorID(c))
		if fieldErrs := storeFieldErrors(err); len(fieldErrs) > 0 {
			for _, fe := range fieldErrs {
				errs.add(fe.Field, fe.Message)
			}
		} else if err != nil {
			return err
		} else {
			if sc != nil && saved.Version == sc.Version && saved.CourseSlug == sc.CourseSlug && saved.ReobserveDays == sc.ReobserveDays {
				s.flash(c, "info", fmt.Sprintf("Nothing changed: the checklist is still version %d.", saved.Version))
			} else {
				if err := s.auditCourse(c, "checklist.save", saved.Slug, fmt.Sprintf("version %d, course %s", saved.Version, saved.CourseSlug)); err != nil {
					return err
				}
				s.flash(c, "success", fmt.Sprintf("Checklist saved as version %d. Observations already made keep the version they were made on.", saved.Version))
			}
			return c.Redirect(checklistPath(saved.Slug), http.StatusSeeOther)
		}
	}
	return s.checklistPage(c, http.StatusUnprocessableEntity, sc, form, errs)
}

// storeFieldErrors returns the Invalid or Conflict errors with a field in err
// (a single one or a join), or nil when there is one without a field.
func storeFieldErrors(err error) []fieldError {
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []fieldError
	for _, e := range list {
		f, msg, ok := asFieldError(e)
		if !ok {
			return nil
		}
		out = append(out, fieldError{f, msg})
	}
	return out
}

// checklistCopy copies a checklist (built-in or not) under a new short name
// and opens the copy's editor.
func (s *Server) checklistCopy(c *fiber.Ctx) error {
	sc, err := s.findChecklistParam(c)
	if err != nil {
		return err
	}
	newSlug, title := strings.TrimSpace(c.FormValue("copy_slug")), strings.TrimSpace(c.FormValue("copy_title"))
	errs := fieldMessages{}
	if msg := reservedChecklistSlug(newSlug); msg != "" {
		errs.add("copy_slug", msg)
	} else {
		cp, err := s.observations.CopyChecklist(c.UserContext(), sc.Slug, newSlug, title)
		if fieldErrs := storeFieldErrors(err); len(fieldErrs) > 0 {
			for _, fe := range fieldErrs {
				errs.add("copy_"+fe.Field, fe.Message)
			}
		} else if err != nil {
			return err
		} else {
			if err := s.auditCourse(c, "checklist.copy", cp.Slug, "copied from "+sc.Slug+fmt.Sprintf(" version %d", sc.Version)); err != nil {
				return err
			}
			s.flash(c, "success", fmt.Sprintf("Copied as %q: edit the copy here.", cp.Title))
			return c.Redirect(checklistPath(cp.Slug), http.StatusSeeOther)
		}
	}
	form := checklistFormOf(sc)
	form.CopySlug, form.CopyTitle = newSlug, title
	return s.checklistPage(c, http.StatusUnprocessableEntity, sc, form, errs)
}
