package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Programmes (HR): the list, the editor (a change of courses asks what
// happens to the cycles under way, with how many people each choice
// affects), assignments now and audience rules kept current, and who
// stands where.

const programmesPath = "/programmes"

func programmePath(slug string) string { return programmesPath + "/" + url.PathEscape(slug) }

// --- The list -------------------------------------------------------------

type programmeRow struct {
	P       *courses.Programme
	Counts  map[courses.Status]int
	Total   int
	Bars    []statusBar
	Percent int // completed or exempt, of those assigned
}

// statusBar is one status's share, for the list's chart.
type statusBar struct {
	Status  courses.Status
	Label   string
	N       int
	Percent int
}

func statusBars(counts map[courses.Status]int, total int) []statusBar {
	var out []statusBar
	for _, st := range courses.Statuses {
		if n := counts[st]; n > 0 {
			out = append(out, statusBar{Status: st, Label: st.Label(), N: n, Percent: n * 100 / max(total, 1)})
		}
	}
	return out
}

func (s *Server) programmeIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	list, err := s.courses.ListProgrammes(ctx, c.Query("archived") == "1")
	if err != nil {
		return err
	}
	rows := make([]programmeRow, len(list))
	for i, p := range list {
		counts, err := s.courses.ProgrammeStatusCounts(ctx, p.ID)
		if err != nil {
			return err
		}
		total := 0
		for _, n := range counts {
			total += n
		}
		done := counts[courses.Completed] + counts[courses.Expiring] + counts[courses.Exempt]
		rows[i] = programmeRow{P: p, Counts: counts, Total: total, Bars: statusBars(counts, total), Percent: done * 100 / max(total, 1)}
	}
	return s.render(c, "programmes/index", fiber.Map{"Title": "Programmes", "Rows": rows, "Archived": c.Query("archived") == "1"})
}

// --- The editor -----------------------------------------------------------

// programmeForm is the programme editor as typed.
type programmeForm struct {
	Slug, Title, Description, DueKind, DueDate, DueDays, ValidityMonths, RecertDays string
	CertificatePerCourse, ShowScore                                                 bool
	Courses                                                                         []programmeCourseRow
	Policy                                                                          string
	Ladder                                                                          courses.LadderInput // the reminders, as typed
}

// programmeCourseRow is one published course on the editor: not in the
// programme, required or optional, and its position.
type programmeCourseRow struct {
	Slug, Title, Use, Position string
}

var programmeFieldOrder = []string{"slug", "title", "description", "due_kind", "due_date", "due_days", "validity_months", "recert_days",
	"remind_due_days", "overdue_learner_days", "overdue_manager_days", "overdue_hr_days", "expiry_remind_days", "courses", "policy"}

// courseRows lists every published course, those of the programme first in
// its order.
func (s *Server) courseRows(c *fiber.Ctx, p *courses.Programme) ([]programmeCourseRow, error) {
	published, err := s.publishedCourses(c)
	if err != nil {
		return nil, err
	}
	var rows []programmeCourseRow
	if p != nil {
		for i, pc := range p.Courses {
			use := "optional"
			if pc.Required {
				use = "required"
			}
			rows = append(rows, programmeCourseRow{Slug: pc.CourseSlug, Title: pc.Title, Use: use, Position: strconv.Itoa(i + 1)})
		}
	}
	for _, pc := range published {
		if !slices.ContainsFunc(rows, func(r programmeCourseRow) bool { return r.Slug == pc.Slug }) {
			rows = append(rows, programmeCourseRow{Slug: pc.Slug, Title: pc.Title})
		}
	}
	return rows, nil
}

func programmeFormOf(p *courses.Programme, rows []programmeCourseRow) programmeForm {
	f := programmeForm{Slug: p.Slug, Title: p.Title, Description: p.Description, DueKind: string(p.DueKind), DueDate: p.DueDate,
		ValidityMonths: strconv.Itoa(p.ValidityMonths), RecertDays: strconv.Itoa(p.RecertDays),
		CertificatePerCourse: p.CertificatePerCourse, ShowScore: p.ShowScore, Courses: rows, Ladder: p.LadderInput()}
	if p.DueDays > 0 {
		f.DueDays = strconv.Itoa(p.DueDays)
	}
	return f
}

// newProgrammeForm reads the editor, copying every value; rows are the
// published courses the form listed.
func newProgrammeForm(c *fiber.Ctx, rows []programmeCourseRow) programmeForm {
	v := func(k string) string { return formTrimmed(c, k) }
	f := programmeForm{Slug: v("slug"), Title: v("title"), Description: formValue(c, "description"), DueKind: v("due_kind"),
		DueDate: v("due_date"), DueDays: v("due_days"), ValidityMonths: v("validity_months"), RecertDays: v("recert_days"),
		CertificatePerCourse: formChecked(c, "certificate_per_course"), ShowScore: formChecked(c, "show_score"), Policy: v("policy"),
		Ladder: courses.LadderInput{DueSoon: v("remind_due_days"), OverdueLearner: v("overdue_learner_days"), OverdueManager: v("overdue_manager_days"),
			OverdueHR: v("overdue_hr_days"), Expiring: v("expiry_remind_days")}}
	for _, r := range rows {
		r.Use, r.Position = v("use_"+r.Slug), v("pos_"+r.Slug)
		f.Courses = append(f.Courses, r)
	}
	return f
}

// input turns the form into a programme input, with the problems the
// store cannot see (numbers that are not numbers) by field.
func (f programmeForm) input() (courses.ProgrammeInput, fieldMessages) {
	errs := fieldMessages{}
	whole := func(field, s string, msg string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs.add(field, msg)
		}
		return n
	}
	in := courses.ProgrammeInput{Slug: f.Slug, Title: f.Title, Description: f.Description,
		Due:                  courses.DueRule{Kind: courses.DueKind(f.DueKind), Date: f.DueDate},
		ValidityMonths:       whole("validity_months", f.ValidityMonths, "Enter a whole number of months, such as 12 (0: never expires)."),
		RecertDays:           whole("recert_days", f.RecertDays, "Enter a whole number of days, such as 30."),
		CertificatePerCourse: f.CertificatePerCourse, ShowScore: f.ShowScore}
	if in.Due.Kind == courses.DueAfterAssignment || in.Due.Kind == courses.DueAfterHire {
		in.Due.Days = whole("due_days", f.DueDays, "Enter a whole number of days, such as 30.")
	}
	ladder := f.Ladder // Check tidies a copy: the form keeps what was typed
	for _, e := range ladder.Check() {
		errs.add(e.Field, e.Message)
	}
	in.Ladder = &ladder
	type picked struct {
		row courses.ProgrammeCourseInput
		pos int
		i   int
	}
	var list []picked
	for i, r := range f.Courses {
		if r.Use != "required" && r.Use != "optional" {
			continue
		}
		pos, err := strconv.Atoi(r.Position)
		if r.Position == "" {
			pos, err = 1000+i, nil
		}
		if err != nil {
			errs.add("courses", fmt.Sprintf("The position of %s is not a number.", r.Title))
		}
		list = append(list, picked{courses.ProgrammeCourseInput{Slug: r.Slug, Required: r.Use == "required"}, pos, i})
	}
	slices.SortStableFunc(list, func(a, b picked) int { return a.pos - b.pos })
	for _, p := range list {
		in.Courses = append(in.Courses, p.row)
	}
	return in, errs
}

func (s *Server) programmeFormPage(c *fiber.Ctx, status int, p *courses.Programme, f programmeForm, errs fieldMessages, preview *courses.ChangePreview) error {
	title := "New programme"
	if p != nil {
		title = "Edit: " + p.Title
	}
	return s.renderStatus(c, status, "programmes/edit", fiber.Map{"Title": title, "P": p, "Form": f,
		"Errors": map[string]string(errs), "ErrorList": orderedErrors(errs, programmeFieldOrder), "Preview": preview,
		"DueKinds": []struct{ Value, Label string }{
			{string(courses.DueNone), "No due date"}, {string(courses.DueFixed), "By a fixed date"},
			{string(courses.DueAfterAssignment), "Within N days of being assigned"}, {string(courses.DueAfterHire), "Within N days of the hire date (new starters)"}}})
}

func (s *Server) programmeNew(c *fiber.Ctx) error {
	rows, err := s.courseRows(c, nil)
	if err != nil {
		return err
	}
	return s.programmeFormPage(c, http.StatusOK, nil, programmeForm{DueKind: string(courses.DueAfterAssignment), DueDays: "30",
		ValidityMonths: "12", RecertDays: "30", Courses: rows, Ladder: courses.DefaultLadder}, nil, nil)
}

func (s *Server) programmeCreate(c *fiber.Ctx) error {
	rows, err := s.courseRows(c, nil)
	if err != nil {
		return err
	}
	f := newProgrammeForm(c, rows)
	in, errs := f.input()
	if len(errs) == 0 {
		id, label := principal(c).actor()
		p, err := s.courses.CreateProgramme(c.UserContext(), in, id, label)
		if err == nil {
			s.flash(c, "success", "Programme created. Assign it to people, or add an audience rule that keeps it current.")
			return c.Redirect(programmePath(p.Slug), http.StatusSeeOther)
		}
		if k := store.KindOf(err); k != store.Invalid && k != store.Conflict {
			return err
		}
		errs.add(store.FieldOf(err), store.MessageOf(err))
	}
	return s.programmeFormPage(c, http.StatusUnprocessableEntity, nil, f, errs, nil)
}

func (s *Server) findProgramme(c *fiber.Ctx) (*courses.Programme, error) {
	return s.courses.FindProgramme(c.UserContext(), slugParam(c, "slug"))
}

func (s *Server) programmeEdit(c *fiber.Ctx) error {
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	rows, err := s.courseRows(c, p)
	if err != nil {
		return err
	}
	return s.programmeFormPage(c, http.StatusOK, p, programmeFormOf(p, rows), nil, nil)
}

// programmeSave saves the editor. When the courses change and no choice was
// made for the cycles under way, the form comes back with what each choice
// would do.
func (s *Server) programmeSave(c *fiber.Ctx) error {
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	rows, err := s.courseRows(c, p)
	if err != nil {
		return err
	}
	f := newProgrammeForm(c, rows)
	f.Slug = p.Slug
	in, errs := f.input()
	var preview *courses.ChangePreview
	if len(errs) == 0 {
		preview, err = s.courses.PreviewProgrammeChange(c.UserContext(), p.Slug, in)
		if err != nil {
			if store.KindOf(err) != store.Invalid {
				return err
			}
			errs.add(store.FieldOf(err), store.MessageOf(err))
		}
	}
	if len(errs) == 0 && preview.CoursesChanged && f.Policy == "" {
		errs.add("policy", "The required courses changed: choose what happens to the people already working through the programme.")
	}
	if len(errs) == 0 {
		id, label := principal(c).actor()
		_, err := s.courses.UpdateProgramme(c.UserContext(), p.Slug, in, courses.ChangePolicy(f.Policy), id, label)
		if err == nil {
			msg := "Programme saved."
			if preview.CoursesChanged {
				msg = "Programme saved as a new version."
			}
			s.flash(c, "success", msg)
			return c.Redirect(programmePath(p.Slug), http.StatusSeeOther)
		}
		if store.KindOf(err) != store.Invalid {
			return err
		}
		errs.add(store.FieldOf(err), store.MessageOf(err))
	}
	if preview != nil && !preview.CoursesChanged {
		preview = nil
	}
	return s.programmeFormPage(c, http.StatusUnprocessableEntity, p, f, errs, preview)
}

func (s *Server) programmeDelete(c *fiber.Ctx) error {
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	id, label := principal(c).actor()
	archived, err := s.courses.DeleteProgramme(c.UserContext(), p.Slug, id, label)
	if err != nil {
		if store.KindOf(err) != store.Conflict {
			return err
		}
		s.flash(c, "error", store.MessageOf(err))
		return c.Redirect(programmePath(p.Slug), http.StatusSeeOther)
	}
	if archived {
		s.flash(c, "success", p.Title+" is archived: its history stays in the transcripts.")
	} else {
		s.flash(c, "success", p.Title+" is deleted.")
	}
	return c.Redirect(programmesPath, http.StatusSeeOther)
}

// --- One programme: overview and roster ------------------------------------

const rosterPageSize = 50

func (s *Server) programmeShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	page := max(1, c.QueryInt("page", 1))
	f := courses.RosterFilter{Status: courses.Status(strings.Clone(c.Query("status"))), Search: strings.Clone(c.Query("q")),
		Limit: rosterPageSize, Offset: (page - 1) * rosterPageSize}
	if f.Status != "" && !slices.Contains(courses.Statuses, f.Status) {
		f.Status = ""
	}
	roster, matching, counts, err := s.courses.Roster(ctx, p.ID, f)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	rules, err := s.courses.ListRules(ctx, p.ID)
	if err != nil {
		return err
	}
	var filters []statusBar
	for _, st := range courses.Statuses {
		filters = append(filters, statusBar{Status: st, Label: st.Label(), N: counts[st]})
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	return s.render(c, "programmes/show", fiber.Map{"Title": p.Title, "P": p, "Roster": roster, "Matching": matching, "Loc": loc,
		"Total": total, "Bars": statusBars(counts, total), "Filters": filters, "Filter": f, "Rules": rules,
		"Page": newPage(c, page, rosterPageSize, matching)})
}

// --- Assigning now --------------------------------------------------------

// assignForm is the assign-now form as typed.
type assignForm struct {
	Employees, Manager, Department, Location, JobTitle, DueKind, DueDate, DueDays string
}

func newAssignForm(c *fiber.Ctx) assignForm {
	v := func(k string) string { return formTrimmed(c, k) }
	return assignForm{Employees: formValue(c, "employees"), Manager: v("manager"), Department: v("department"),
		Location: v("location"), JobTitle: v("job_title"), DueKind: v("due_kind"), DueDate: v("due_date"), DueDays: v("due_days")}
}

// orgID reads an organisation list id from a select ("" for none).
func orgID(s string) *int64 {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return &id
	}
	return nil
}

// audienceOf reads the audience fields; the manager is an employee number.
func (s *Server) audienceOf(ctx context.Context, manager, dept, loc, job string, errs fieldMessages) courses.Audience {
	a := courses.Audience{DepartmentID: orgID(dept), LocationID: orgID(loc), JobTitleID: orgID(job)}
	if manager != "" {
		m, err := s.people.FindEmployeeByNumber(ctx, manager)
		if err != nil {
			errs.add("manager", fmt.Sprintf("There is no employee with number %q.", manager))
		} else {
			a.ManagerID = &m.ID
		}
	}
	return a
}

// request turns the form into an assignment request.
func (s *Server) assignRequest(ctx context.Context, p *courses.Programme, f assignForm) (courses.AssignRequest, fieldMessages, error) {
	errs := fieldMessages{}
	req := courses.AssignRequest{Programme: p.Slug}
	for _, num := range strings.FieldsFunc(f.Employees, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' || r == '\t' }) {
		e, err := s.people.FindEmployeeByNumber(ctx, num)
		if err != nil {
			if !store.IsNotFound(err) {
				return req, nil, err
			}
			errs.add("employees", fmt.Sprintf("There is no employee with number %q.", num))
			continue
		}
		req.EmployeeIDs = append(req.EmployeeIDs, e.ID)
	}
	a := s.audienceOf(ctx, f.Manager, f.Department, f.Location, f.JobTitle, errs)
	if !a.Empty() {
		req.Audience = &a
	}
	switch courses.DueKind(f.DueKind) {
	case courses.DueFixed:
		req.Due = &courses.DueRule{Kind: courses.DueFixed, Date: f.DueDate}
	case courses.DueAfterAssignment:
		n, err := strconv.Atoi(f.DueDays)
		if err != nil {
			errs.add("due_days", "Enter a whole number of days, such as 30.")
		}
		req.Due = &courses.DueRule{Kind: courses.DueAfterAssignment, Days: n}
	}
	return req, errs, nil
}

func (s *Server) assignPage(c *fiber.Ctx, status int, p *courses.Programme, f assignForm, errs fieldMessages, res *courses.AssignResult, dryRun bool) error {
	data := fiber.Map{"Title": "Assign " + p.Title, "P": p, "Form": f, "Errors": map[string]string(errs),
		"ErrorList": orderedErrors(errs, []string{"employees", "manager", "audience", "due_date", "due_days"}), "Result": res, "DryRun": dryRun}
	if err := s.orgChoices(c.UserContext(), data); err != nil {
		return err
	}
	return s.renderStatus(c, status, "programmes/assign", data)
}

// orgChoices adds the departments, locations and job titles for the selects.
func (s *Server) orgChoices(ctx context.Context, data fiber.Map) error {
	for _, k := range []people.OrgKind{people.Departments, people.Locations, people.JobTitles} {
		items, err := s.people.ListOrg(ctx, k)
		if err != nil {
			return err
		}
		data[string(k)] = items
	}
	return nil
}

func (s *Server) assignShow(c *fiber.Ctx) error {
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	return s.assignPage(c, http.StatusOK, p, assignForm{}, nil, nil, false)
}

// assignSubmit previews (action=preview, the default) or assigns.
func (s *Server) assignSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	f := newAssignForm(c)
	dryRun := c.FormValue("action") != "assign"
	req, errs, err := s.assignRequest(ctx, p, f)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.assignPage(c, http.StatusUnprocessableEntity, p, f, errs, nil, dryRun)
	}
	req.By, req.Actor = principal(c).actor()
	res, err := s.courses.Assign(ctx, req, dryRun)
	if err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		errs.add(store.FieldOf(err), store.MessageOf(err))
		return s.assignPage(c, http.StatusUnprocessableEntity, p, f, errs, nil, dryRun)
	}
	if dryRun {
		return s.assignPage(c, http.StatusOK, p, f, nil, res, true)
	}
	s.flash(c, "success", fmt.Sprintf("%s assigned to %s%s.", p.Title, plural(len(res.Assigned), "person", "people"),
		alreadyNote(len(res.AlreadyAssigned))))
	return c.Redirect(programmePath(p.Slug), http.StatusSeeOther)
}

func alreadyNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s already had it)", plural(n, "person", "people"))
}

// --- Audience rules -------------------------------------------------------

// ruleForm is the audience rule form as typed.
type ruleForm struct {
	Manager, Department, Location, JobTitle string
	Existing                                string // "yes": people already matching too; "no": only later joiners
}

func newRuleForm(c *fiber.Ctx) ruleForm {
	v := func(k string) string { return formTrimmed(c, k) }
	return ruleForm{Manager: v("manager"), Department: v("department"), Location: v("location"), JobTitle: v("job_title"), Existing: v("existing")}
}

func (s *Server) rulePage(c *fiber.Ctx, status int, p *courses.Programme, rule *courses.Rule, f ruleForm, errs fieldMessages, change *courses.RuleChange) error {
	title := "New audience rule"
	if rule != nil {
		title = "Audience rule"
	}
	data := fiber.Map{"Title": title + ": " + p.Title, "P": p, "Rule": rule, "Form": f, "Errors": map[string]string(errs),
		"ErrorList": orderedErrors(errs, []string{"audience", "manager", "existing"}), "Change": change}
	if change != nil {
		a := s.audienceOf(c.UserContext(), f.Manager, f.Department, f.Location, f.JobTitle, fieldMessages{})
		desc, err := courses.DescribeAudience(c.UserContext(), s.cfg.DB, a)
		if err != nil {
			return err
		}
		data["Described"] = desc
	}
	if err := s.orgChoices(c.UserContext(), data); err != nil {
		return err
	}
	return s.renderStatus(c, status, "programmes/rule", data)
}

func (s *Server) ruleNew(c *fiber.Ctx) error {
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	return s.rulePage(c, http.StatusOK, p, nil, ruleForm{Existing: "yes"}, nil, nil)
}

// ruleOf returns the rule of the address.
func (s *Server) ruleOf(c *fiber.Ctx, p *courses.Programme) (*courses.Rule, error) {
	id, err := idParam(c, "id", "There is no such audience rule.")
	if err != nil {
		return nil, err
	}
	return s.courses.FindRule(c.UserContext(), p.ID, id)
}

func (s *Server) ruleEdit(c *fiber.Ctx) error {
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	r, err := s.ruleOf(c, p)
	if err != nil {
		return err
	}
	f := ruleForm{Existing: "yes"}
	if !r.ApplyExisting {
		f.Existing = "no"
	}
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	f.Department, f.Location, f.JobTitle = id(r.DepartmentID), id(r.LocationID), id(r.JobTitleID)
	if r.ManagerID != nil {
		m, err := s.people.FindEmployee(c.UserContext(), *r.ManagerID)
		if err != nil {
			return err
		}
		f.Manager = m.Number
	}
	return s.rulePage(c, http.StatusOK, p, r, f, nil, nil)
}

// ruleCreate and ruleSave preview the rule (action=preview, the default):
// "this will assign N people and close M", with the names; action=save
// saves it.
func (s *Server) ruleCreate(c *fiber.Ctx) error { return s.ruleSubmit(c, false) }
func (s *Server) ruleSave(c *fiber.Ctx) error   { return s.ruleSubmit(c, true) }

func (s *Server) ruleSubmit(c *fiber.Ctx, existing bool) error {
	ctx := c.UserContext()
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	var rule *courses.Rule
	var ruleID int64
	if existing {
		if rule, err = s.ruleOf(c, p); err != nil {
			return err
		}
		ruleID = rule.ID
	}
	f := newRuleForm(c)
	errs := fieldMessages{}
	a := s.audienceOf(ctx, f.Manager, f.Department, f.Location, f.JobTitle, errs)
	if f.Existing != "yes" && f.Existing != "no" {
		errs.add("existing", "Choose whether the rule assigns the people who match it now, or only those who join later.")
	}
	if len(errs) > 0 {
		return s.rulePage(c, http.StatusUnprocessableEntity, p, rule, f, errs, nil)
	}
	applyExisting := f.Existing == "yes"
	if c.FormValue("action") != "save" {
		change, err := s.courses.PreviewRule(ctx, p.Slug, ruleID, a, applyExisting)
		if err != nil {
			if store.KindOf(err) != store.Invalid {
				return err
			}
			errs.add(store.FieldOf(err), store.MessageOf(err))
			return s.rulePage(c, http.StatusUnprocessableEntity, p, rule, f, errs, nil)
		}
		return s.rulePage(c, http.StatusOK, p, rule, f, nil, change)
	}
	id, label := principal(c).actor()
	change, err := s.courses.SaveRule(ctx, p.Slug, ruleID, a, applyExisting, id, label)
	if err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		errs.add(store.FieldOf(err), store.MessageOf(err))
		return s.rulePage(c, http.StatusUnprocessableEntity, p, rule, f, errs, nil)
	}
	s.flash(c, "success", fmt.Sprintf("Audience rule saved: %s assigned, %s closed. People who join or move into it later are assigned automatically.",
		plural(len(change.Assign), "person", "people"), plural(len(change.Close), "assignment", "assignments")))
	return c.Redirect(programmePath(p.Slug)+"#rules", http.StatusSeeOther)
}

// ruleDelete shows who would lose the programme (action=preview, the
// default), or deletes the rule (action=delete).
func (s *Server) ruleDelete(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := s.findProgramme(c)
	if err != nil {
		return err
	}
	rule, err := s.ruleOf(c, p)
	if err != nil {
		return err
	}
	if c.FormValue("action") != "delete" {
		change, err := s.courses.PreviewDeleteRule(ctx, p.Slug, rule.ID)
		if err != nil {
			return err
		}
		desc, err := courses.DescribeAudience(ctx, s.cfg.DB, rule.Audience())
		if err != nil {
			return err
		}
		return s.render(c, "programmes/rule_delete", fiber.Map{"Title": "Delete audience rule: " + p.Title, "P": p, "Rule": rule,
			"Described": desc, "Change": change})
	}
	id, label := principal(c).actor()
	change, err := s.courses.DeleteRule(ctx, p.Slug, rule.ID, id, label)
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Audience rule deleted: %s closed.", plural(len(change.Close), "assignment", "assignments")))
	return c.Redirect(programmePath(p.Slug)+"#rules", http.StatusSeeOther)
}

// --- One employee's programmes: extensions and exemptions -----------------

func (s *Server) employeeProgrammes(c *fiber.Ctx) error {
	return s.employeeProgrammesPage(c, http.StatusOK, 0, nil, "", "")
}

func (s *Server) employeeProgrammesPage(c *fiber.Ctx, status int, cycleID int64, errs fieldMessages, typedDue, typedReason string) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	list, err := s.courses.AssignedProgrammes(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	loc, err := s.courses.Location(c.UserContext())
	if err != nil {
		return err
	}
	p := principal(c)
	own := p.Employee != nil && p.Employee.ID == e.ID
	return s.renderStatus(c, status, "programmes/employee", fiber.Map{"Title": "Programmes: " + e.Name(), "E": e, "List": list, "Loc": loc,
		"CanExtend": !own || p.SeesEveryone(), "CanExempt": p.SeesEveryone(), "ErrCycle": cycleID, "Errors": map[string]string(errs),
		"TypedDue": typedDue, "TypedReason": typedReason})
}

// cycleOf returns the cycle of the address if it belongs to the employee of
// the address, whom the principal may see.
func (s *Server) cycleOf(c *fiber.Ctx) (*people.Employee, *courses.Cycle, error) {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return nil, nil, err
	}
	id, err := idParam(c, "cycle", "There is no such programme cycle.")
	if err != nil {
		return nil, nil, err
	}
	cy, err := s.courses.FindCycle(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	if cy.EmployeeID != e.ID {
		return nil, nil, store.Errorf(store.NotFound, "There is no such programme cycle.")
	}
	return e, cy, nil
}

// cycleExtend moves a due date: a manager for their line (never their own),
// HR for anyone.
func (s *Server) cycleExtend(c *fiber.Ctx) error {
	e, cy, err := s.cycleOf(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if p.Employee != nil && p.Employee.ID == e.ID && !p.SeesEveryone() {
		return store.Errorf(store.Forbidden, "Your manager or HR can extend your due date; you cannot extend your own.")
	}
	due, reason := formTrimmed(c, "due_on"), formValue(c, "reason")
	id, label := p.actor()
	if _, err := s.courses.ExtendDue(c.UserContext(), cy.ID, due, reason, id, label); err != nil {
		switch store.KindOf(err) {
		case store.Invalid:
			return s.employeeProgrammesPage(c, http.StatusUnprocessableEntity, cy.ID, fieldMessages{store.FieldOf(err): store.MessageOf(err)}, due, reason)
		case store.Conflict:
			return s.employeeProgrammesPage(c, http.StatusConflict, cy.ID, fieldMessages{"due_on": store.MessageOf(err)}, due, reason)
		}
		return err
	}
	s.flash(c, "success", "Due date moved to "+due+" for "+e.Name()+".")
	return c.Redirect("/people/"+url.PathEscape(e.Number)+"/programmes", http.StatusSeeOther)
}

// cycleExempt exempts (exempt=on) or lifts an exemption (HR).
func (s *Server) cycleExempt(c *fiber.Ctx) error {
	e, cy, err := s.cycleOf(c)
	if err != nil {
		return err
	}
	exempt, reason := c.FormValue("exempt") == "on", formValue(c, "reason")
	id, label := principal(c).actor()
	if _, err := s.courses.SetExempt(c.UserContext(), cy.ID, exempt, reason, id, label); err != nil {
		if k := store.KindOf(err); k == store.Invalid || k == store.Conflict {
			return s.employeeProgrammesPage(c, statusOf(k), cy.ID, fieldMessages{"exempt_reason": store.MessageOf(err)}, "", reason)
		}
		return err
	}
	msg := e.Name() + " is exempt from this programme."
	if !exempt {
		msg = "The exemption is lifted for " + e.Name() + "."
	}
	s.flash(c, "success", msg)
	return c.Redirect("/people/"+url.PathEscape(e.Number)+"/programmes", http.StatusSeeOther)
}

// dueText says a cycle's dates for lists ("due 31 Dec 2026", "valid until …").
func dueText(cy *courses.Cycle, st courses.Status, loc *time.Location) string {
	day := func(s string) string {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return t.Format("2 Jan 2006")
	}
	switch {
	case st == courses.Exempt:
		return "exempt"
	case cy.CompletedAt != nil && cy.ExpiresAt != nil:
		return "valid until " + validUntil(loc, cy.ExpiresAt)
	case cy.CompletedAt != nil:
		return "completed " + cy.CompletedAt.In(loc).Format("2 Jan 2006")
	case cy.DueOn == "":
		return "no due date"
	case st == courses.Overdue:
		return "was due " + day(cy.DueOn)
	}
	return "due " + day(cy.DueOn)
}

// rosterDates says a roster row's dates.
func rosterDates(r courses.RosterRow, loc *time.Location) string {
	return dueText(&courses.Cycle{DueOn: r.DueOn, CompletedAt: r.CompletedAt, ExpiresAt: r.ExpiresAt}, r.Status, loc)
}

// cycleClose closes the employee's assignment of a programme (HR), with a reason.
func (s *Server) cycleClose(c *fiber.Ctx) error {
	e, cy, err := s.cycleOf(c)
	if err != nil {
		return err
	}
	reason := formValue(c, "reason")
	id, label := principal(c).actor()
	if err := s.courses.CloseAssignment(c.UserContext(), cy.ID, reason, id, label); err != nil {
		if k := store.KindOf(err); k == store.Invalid || k == store.Conflict {
			return s.employeeProgrammesPage(c, statusOf(k), cy.ID, fieldMessages{"close_reason": store.MessageOf(err)}, "", reason)
		}
		return err
	}
	s.flash(c, "success", "The assignment is closed for "+e.Name()+"; it stays in their transcript.")
	return c.Redirect("/people/"+url.PathEscape(e.Number)+"/programmes", http.StatusSeeOther)
}
