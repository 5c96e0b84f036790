package app

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

const peoplePageSize = 50

func (s *Server) home(c *fiber.Ctx) error {
	p := principal(c)
	data := fiber.Map{"Title": "Home", "Me": p.Employee}
	ctx := c.UserContext()
	learning, err := s.courses.Progress(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	var current []*courses.CourseProgress
	completed := 0
	for _, cp := range learning {
		if cp.Completed() {
			completed++
		} else if cp.Started() && len(current) < 3 {
			current = append(current, cp)
		}
	}
	pending, err := s.pendingPromises(c)
	if err != nil {
		return err
	}
	data["Current"], data["CompletedCount"], data["CourseCount"], data["PendingPromises"] = current, completed, len(learning), pending
	assigned, err := s.courses.AssignedProgrammes(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	data["Programmes"] = summarise(assigned)
	step, err := s.nextStep(c, learning)
	if err != nil {
		return err
	}
	data["Step"] = step
	if p.Has(people.RoleManager) && !p.SeesEveryone() {
		counts, err := s.managerCounts(ctx, p.Employee)
		if err != nil {
			return err
		}
		data["ManagerCounts"] = counts
	}
	if p.SeesEveryone() {
		org, counts, err := s.hrCounts(ctx, p)
		if err != nil {
			return err
		}
		data["OrgReadiness"], data["HRCounts"] = org, counts
	}
	if p.Has(people.RoleManager) {
		direct, err := s.people.DirectReports(ctx, p.Employee.ID)
		if err != nil {
			return err
		}
		n, err := s.people.CountLine(ctx, p.Employee.ID, true)
		if err != nil {
			return err
		}
		data["Direct"], data["LineCount"] = direct, n
		if n > 0 {
			sum, err := s.courses.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: p.Employee.ID})
			if err != nil {
				return err
			}
			data["Readiness"] = sum
		}
	}
	if p.SeesEveryone() {
		active, all, err := s.people.CountEmployees(ctx)
		if err != nil {
			return err
		}
		data["ActiveCount"], data["InactiveCount"] = active, all-active
	}
	return s.render(c, "home/index", data)
}

// bar is one row of a bar chart: label, value and width in percent.
type bar struct {
	Label string
	Value int
	Pct   int
	URL   string
}

func barsOf(items []people.OrgItem, total int) []bar {
	maxV := 0
	for _, it := range items {
		maxV = max(maxV, it.Headcount)
	}
	var out []bar
	for _, it := range items {
		pct := 0
		if maxV > 0 {
			pct = it.Headcount * 100 / maxV
		}
		out = append(out, bar{Label: it.Name, Value: it.Headcount, Pct: pct})
	}
	return out
}

func (s *Server) peopleIndex(c *fiber.Ctx) error {
	p := principal(c)
	ctx := c.UserContext()
	page := max(1, c.QueryInt("page", 1))
	f := people.EmployeeFilter{
		Search:       strings.Clone(c.Query("q")),
		DepartmentID: int64(c.QueryInt("department")),
		LocationID:   int64(c.QueryInt("location")),
		JobTitleID:   int64(c.QueryInt("job_title")),
		Limit:        peoplePageSize,
		Offset:       (page - 1) * peoplePageSize,
	}
	status := c.Query("status", "active")
	switch status {
	case "active":
		t := true
		f.Active = &t
	case "inactive":
		t := false
		f.Active = &t
	default:
		status = "all"
	}
	if !p.SeesEveryone() {
		f.LineOf = p.Employee.ID
	}
	list, total, err := s.people.ListEmployees(ctx, f)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "People", "People": list, "Total": total, "Filter": f, "Status": status,
		"Query": f.Search, "Page": newPage(c, page, peoplePageSize, total)}
	for _, k := range []people.OrgKind{people.Departments, people.Locations, people.JobTitles} {
		items, err := s.people.ListOrg(ctx, k)
		if err != nil {
			return err
		}
		data[string(k)] = items
	}
	return s.render(c, "people/index", data)
}

func (s *Server) employeeShow(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	chain, err := s.people.Chain(ctx, e.ID)
	if err != nil {
		return err
	}
	direct, err := s.people.DirectReports(ctx, e.ID)
	if err != nil {
		return err
	}
	has, err := s.people.HasReports(ctx, e.ID)
	if err != nil {
		return err
	}
	learning, err := s.courses.Progress(ctx, e.ID)
	if err != nil {
		return err
	}
	canObserve, err := s.canAssess(ctx, principal(c), e)
	if err != nil {
		return err
	}
	p := principal(c)
	readiness, err := s.courses.EmployeeReadiness(ctx, e.ID)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	return s.render(c, "people/show", fiber.Map{"Title": e.Name(), "E": e, "Chain": chain, "Direct": direct, "Learning": learning,
		"Readiness": readiness, "Roles": e.EffectiveRoles(has), "Granted": e.GrantedRoles(), "AllGrantable": people.GrantableRoles,
		"PasswordLink": c.Locals("passwordLink"), "CanObserve": canObserve,
		"CanEdit": p.Has(people.RoleHR) && mayManage(p, e, true), "CanManage": p.Has(people.RoleHR) && mayManage(p, e, false),
		"OwnPage": principal(c).Employee != nil && principal(c).Employee.ID == e.ID})
}

func (s *Server) employeeTeam(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	activeOnly := c.Query("inactive") == ""
	count, err := s.people.CountLine(ctx, e.ID, activeOnly)
	if err != nil {
		return err
	}
	// A large line shows the direct reports, each with a link to their own line.
	var line []people.LineMember
	large := count > treeLimit
	if large {
		line, err = s.people.TopOfLine(ctx, e.ID, activeOnly)
	} else {
		line, err = s.people.ReportingLine(ctx, e.ID, activeOnly)
	}
	if err != nil {
		return err
	}
	if !large {
		count = len(line)
	}
	return s.render(c, "people/team", fiber.Map{"Title": "Reporting line of " + e.Name(), "E": e,
		"Tree": buildTree(e.ID, line, large), "Count": count, "Large": large, "ShowInactive": !activeOnly})
}

// treeLimit is the largest reporting line drawn in full.
const treeLimit = 1500

// treeNode is one person in the reporting-line tree.
type treeNode struct {
	E        people.LineMember
	Children []*treeNode
	Size     int // everyone below
}

func buildTree(rootID int64, line []people.LineMember, counted bool) []*treeNode {
	byManager := map[int64][]*treeNode{}
	nodes := make([]*treeNode, len(line))
	for i := range line {
		nodes[i] = &treeNode{E: line[i]}
		if line[i].ManagerID != nil {
			byManager[*line[i].ManagerID] = append(byManager[*line[i].ManagerID], nodes[i])
		}
	}
	var fill func(n *treeNode) int
	fill = func(n *treeNode) int {
		n.Children = byManager[n.E.ID]
		for _, ch := range n.Children {
			n.Size += 1 + fill(ch)
		}
		if counted {
			n.Size = n.E.Below
		}
		return n.Size
	}
	roots := byManager[rootID]
	for _, r := range roots {
		fill(r)
	}
	return roots
}

// employeeFields is the order of the employee form's fields.
var employeeFields = []string{"employee_number", "first_name", "last_name", "email", "job_title", "department",
	"location", "manager_number", "hire_date", "roles"}

// newEmployeeForm reads the employee form, copying every value.
func newEmployeeForm(c *fiber.Ctx) people.EmployeeInput {
	in := people.EmployeeInput{
		Number:        formValue(c, "employee_number"),
		FirstName:     formValue(c, "first_name"),
		LastName:      formValue(c, "last_name"),
		Email:         formValue(c, "email"),
		JobTitle:      formValue(c, "job_title"),
		Department:    formValue(c, "department"),
		Location:      formValue(c, "location"),
		ManagerNumber: formValue(c, "manager_number"),
		HireDate:      formValue(c, "hire_date"),
		Active:        c.FormValue("active") == "on" || c.FormValue("active") == "true",
		KeepRoles:     true,
	}
	return in
}

func (s *Server) employeeFormPage(c *fiber.Ctx, status int, title string, in people.EmployeeInput, existing *people.Employee, errs map[string]string) error {
	ctx := c.UserContext()
	data := fiber.Map{"Title": title, "Form": in, "Existing": existing, "Errors": errs, "ErrorList": orderedErrors(errs, employeeFields)}
	for _, k := range []people.OrgKind{people.Departments, people.Locations, people.JobTitles} {
		items, err := s.people.ListOrg(ctx, k)
		if err != nil {
			return err
		}
		data[string(k)] = items
	}
	return s.renderStatus(c, status, "people/form", data)
}

func (s *Server) employeeNew(c *fiber.Ctx) error {
	return s.employeeFormPage(c, http.StatusOK, "Add an employee", people.EmployeeInput{Active: true}, nil, nil)
}

func (s *Server) employeeEdit(c *fiber.Ctx) error {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), number(c))
	if err != nil {
		return err
	}
	if !mayManage(principal(c), e, true) {
		return s.refuseManage(c, e, "edit")
	}
	in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName, Email: e.Email,
		JobTitle: e.JobTitle, Department: e.Department, Location: e.Location, ManagerNumber: e.ManagerNumber,
		HireDate: e.HireDate, Active: e.Active}
	return s.employeeFormPage(c, http.StatusOK, "Edit "+e.Name(), in, e, nil)
}

func (s *Server) employeeCreate(c *fiber.Ctx) error {
	in := newEmployeeForm(c)
	in.KeepRoles = false
	if _, err := s.people.FindEmployeeByNumber(c.UserContext(), strings.TrimSpace(in.Number)); err == nil {
		return s.employeeFormPage(c, http.StatusConflict, "Add an employee", in, nil,
			map[string]string{"employee_number": "An employee with this number exists already; edit them instead."})
	}
	return s.saveEmployeeForm(c, in, nil, "Add an employee", "employee.create")
}

func (s *Server) employeeUpdate(c *fiber.Ctx) error {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), number(c))
	if err != nil {
		return err
	}
	in := newEmployeeForm(c)
	in.Number = e.Number // the number is the key: it is not edited here
	if !mayManage(principal(c), e, in.Active == e.Active) {
		return s.refuseManage(c, e, "edit")
	}
	return s.saveEmployeeForm(c, in, e, "Edit "+e.Name(), "employee.update")
}

func (s *Server) saveEmployeeForm(c *fiber.Ctx, in people.EmployeeInput, existing *people.Employee, title, action string) error {
	if errs := in.Check(); len(errs) > 0 {
		m := map[string]string{}
		for _, e := range errs {
			if _, ok := m[e.Field]; !ok {
				m[e.Field] = e.Message
			}
		}
		return s.employeeFormPage(c, http.StatusUnprocessableEntity, title, in, existing, m)
	}
	res, err := s.people.SaveEmployee(c.UserContext(), in)
	if err == nil {
		s.sessions.forget(res.Employee.ID) // name, manager or status may have changed
	}
	if err != nil {
		if k := store.KindOf(err); k == store.Invalid || k == store.Conflict {
			return s.employeeFormPage(c, http.StatusUnprocessableEntity, title, in, existing,
				map[string]string{store.FieldOf(err): store.MessageOf(err)})
		}
		return err
	}
	id, label := principal(c).actor()
	detail := "created"
	if !res.Created {
		detail = "changed: " + strings.Join(res.Changed, ", ")
	}
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, action, res.Employee.Number, detail); err != nil {
		return err
	}
	more := ""
	if res.Created || len(res.Changed) > 0 {
		if more = s.peopleChanged(c.UserContext()); more != "" {
			more = " " + more
		}
	}
	if res.Created {
		s.flash(c, "success", res.Employee.Name()+" has been added."+more)
	} else if len(res.Changed) == 0 {
		s.flash(c, "info", "Nothing changed.")
	} else {
		s.flash(c, "success", "Saved changes to "+strings.Join(res.Changed, ", ")+"."+more)
	}
	return c.Redirect("/people/"+url.PathEscape(res.Employee.Number), http.StatusSeeOther)
}

func (s *Server) setActive(c *fiber.Ctx, active bool) error {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), number(c))
	if err != nil {
		return err
	}
	if p := principal(c); !active && p.Employee != nil && p.Employee.ID == e.ID {
		s.flash(c, "error", "You cannot deactivate your own account.")
		return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
	}
	verb := "reactivate"
	if !active {
		verb = "deactivate"
	}
	if !mayManage(principal(c), e, false) {
		return s.refuseManage(c, e, verb)
	}
	if err := s.people.SetActive(c.UserContext(), e.ID, active); err != nil {
		if store.KindOf(err) == store.Conflict { // the last active admin
			if aerr := s.refused(c, e.Number, verb+": "+store.MessageOf(err)); aerr != nil {
				return aerr
			}
			s.flash(c, "error", store.MessageOf(err))
			return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
		}
		return err
	}
	s.sessions.forget(e.ID)
	s.peopleChanged(c.UserContext())
	action, msg := "employee.reactivate", e.Name()+" is active again."
	if !active {
		action, msg = "employee.deactivate", e.Name()+" has been deactivated: their record and history are kept and they can no longer sign in."
	}
	id, label := principal(c).actor()
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, action, e.Number, ""); err != nil {
		return err
	}
	s.flash(c, "success", msg)
	return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
}

func (s *Server) employeeDeactivate(c *fiber.Ctx) error { return s.setActive(c, false) }
func (s *Server) employeeReactivate(c *fiber.Ctx) error { return s.setActive(c, true) }

func (s *Server) employeePasswordLink(c *fiber.Ctx) error {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), number(c))
	if err != nil {
		return err
	}
	if !mayManage(principal(c), e, false) {
		return s.refuseManage(c, e, "send a password link to")
	}
	id, label := principal(c).actor()
	token, err := s.training.SendPasswordLink(c.UserContext(), e.ID, id) // also e-mailed to them
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			s.flash(c, "error", store.MessageOf(err))
			return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
		}
		return err
	}
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "password.link", e.Number, "one-time link generated"); err != nil {
		return err
	}
	// Shown once, on this response only (never stored in a cookie or log).
	c.Locals("passwordLink", s.cfg.BaseURL+"/password/"+token)
	return s.employeeShow(c)
}

func (s *Server) employeeRoles(c *fiber.Ctx) error {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), number(c))
	if err != nil {
		return err
	}
	var names []string
	for _, r := range people.GrantableRoles {
		if c.FormValue("role_"+string(r)) == "on" {
			names = append(names, string(r))
		}
	}
	roles, err := people.CanonicalRoles(names)
	if err != nil {
		return err
	}
	p := principal(c)
	if p.Employee != nil && p.Employee.ID == e.ID && !strings.Contains(roles, "admin") {
		s.flash(c, "error", "You cannot remove your own admin role; ask another admin.")
		return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
	}
	if err := s.people.SetRoles(c.UserContext(), e.ID, roles); err != nil {
		if store.KindOf(err) == store.Conflict { // the last active admin
			if aerr := s.refused(c, e.Number, "roles from ["+e.Roles+"] to ["+roles+"]: "+store.MessageOf(err)); aerr != nil {
				return aerr
			}
			s.flash(c, "error", store.MessageOf(err))
			return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
		}
		return err
	}
	s.sessions.forget(e.ID)
	id, label := p.actor()
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "employee.roles", e.Number,
		"from ["+e.Roles+"] to ["+roles+"]"); err != nil {
		return err
	}
	s.flash(c, "success", "Roles of "+e.Name()+" saved.")
	return c.Redirect("/people/"+url.PathEscape(e.Number), http.StatusSeeOther)
}

func (s *Server) orgIndex(c *fiber.Ctx) error {
	kind, err := people.ParseOrgKind(slugParam(c, "kind"))
	if err != nil {
		return err
	}
	return s.orgPage(c, http.StatusOK, kind, "", nil)
}

func (s *Server) orgPage(c *fiber.Ctx, status int, kind people.OrgKind, typed string, errs map[string]string) error {
	items, err := s.people.ListOrg(c.UserContext(), kind)
	if err != nil {
		return err
	}
	total := 0
	for _, it := range items {
		total += it.Headcount
	}
	return s.renderStatus(c, status, "org/index", fiber.Map{"Title": kind.Label(), "Kind": kind, "Items": items,
		"Bars": barsOf(items, total), "Typed": typed, "Errors": errs,
		"Kinds": []people.OrgKind{people.Departments, people.Locations, people.JobTitles}})
}

func (s *Server) orgCreate(c *fiber.Ctx) error {
	kind, err := people.ParseOrgKind(slugParam(c, "kind"))
	if err != nil {
		return err
	}
	name := formValue(c, "name")
	it, err := s.people.SaveOrg(c.UserContext(), kind, 0, name)
	if err != nil {
		if k := store.KindOf(err); k == store.Invalid || k == store.Conflict {
			return s.orgPage(c, http.StatusUnprocessableEntity, kind, name, map[string]string{"name": store.MessageOf(err)})
		}
		return err
	}
	id, label := principal(c).actor()
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "org.create", string(kind), it.Name); err != nil {
		return err
	}
	s.flash(c, "success", it.Name+" added.")
	return c.Redirect("/org/"+string(kind), http.StatusSeeOther)
}

func (s *Server) orgUpdate(c *fiber.Ctx) error {
	kind, err := people.ParseOrgKind(slugParam(c, "kind"))
	if err != nil {
		return err
	}
	itemID, err := idParam(c, "id", "No such item.")
	if err != nil {
		return err
	}
	old, err := s.people.FindOrg(c.UserContext(), kind, itemID)
	if err != nil {
		return err
	}
	name := formValue(c, "name")
	it, err := s.people.SaveOrg(c.UserContext(), kind, itemID, name)
	if err != nil {
		if k := store.KindOf(err); k == store.Invalid || k == store.Conflict {
			s.flash(c, "error", store.MessageOf(err))
			return c.Redirect("/org/"+string(kind), http.StatusSeeOther)
		}
		return err
	}
	id, label := principal(c).actor()
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "org.rename", string(kind), old.Name+" → "+it.Name); err != nil {
		return err
	}
	s.flash(c, "success", old.Name+" renamed to "+it.Name+".")
	return c.Redirect("/org/"+string(kind), http.StatusSeeOther)
}
