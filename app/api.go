package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// apiAuth authenticates a request by its bearer token.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	h := c.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		c.Set("WWW-Authenticate", `Bearer realm="academy"`)
		return store.Errorf(store.Unauthorized, "Send an API token as Authorization: Bearer <token>.")
	}
	t, err := s.people.FindToken(c.UserContext(), strings.TrimSpace(secret))
	if err != nil {
		if store.IsNotFound(err) {
			c.Set("WWW-Authenticate", `Bearer realm="academy", error="invalid_token"`)
			return store.Errorf(store.Unauthorized, "That API token is unknown or revoked.")
		}
		return err
	}
	p := &Principal{Token: t, Roles: []people.Role{people.RoleStaff, t.Role}}
	if t.EmployeeID != nil {
		e, err := s.people.FindEmployee(c.UserContext(), *t.EmployeeID)
		if err != nil {
			return err
		}
		if !e.Active {
			return store.Errorf(store.Unauthorized, "The employee this token acts as is no longer active.")
		}
		// Never more than the employee may do now: roles removed since the
		// token was made are gone from it too.
		held, err := s.rolesOf(c, e)
		if err != nil {
			return err
		}
		p.Employee, p.Roles = e, people.TokenRoles(t.Role, held)
	}
	c.Locals("principal", p)
	return c.Next()
}

func (s *Server) apiRequire(role people.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if p := principal(c); !p.Has(role) {
			if p.Employee != nil && !slices.Contains(p.Roles, p.Token.Role) {
				return store.Errorf(store.Forbidden, "This token's role (%s) may not do this: the employee it acts as no longer holds that role.", p.Token.Role)
			}
			return store.Errorf(store.Forbidden, "This token's role (%s) may not do this.", p.Token.Role)
		}
		return c.Next()
	}
}

// apiEmployee is the JSON shape of an employee.
type apiEmployee struct {
	Number        string   `json:"number"`
	FirstName     string   `json:"first_name"`
	LastName      string   `json:"last_name"`
	Email         string   `json:"email"`
	JobTitle      string   `json:"job_title"`
	Department    string   `json:"department"`
	Location      string   `json:"location"`
	ManagerNumber string   `json:"manager_number"`
	HireDate      string   `json:"hire_date"`
	Active        bool     `json:"active"`
	Roles         []string `json:"roles"`
}

func toAPI(e *people.Employee) apiEmployee {
	roles := []string{}
	for _, r := range e.GrantedRoles() {
		roles = append(roles, string(r))
	}
	return apiEmployee{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName, Email: e.Email,
		JobTitle: e.JobTitle, Department: e.Department, Location: e.Location, ManagerNumber: e.ManagerNumber,
		HireDate: e.HireDate, Active: e.Active, Roles: roles}
}

// apiEmployeeList pages through employees by number: ?limit=&after=&department=&location=&manager=.
// A manager's token sees only their reporting line.
func (s *Server) apiEmployeeList(c *fiber.Ctx) error {
	p := principal(c)
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return store.FieldError("limit", "limit must be a whole number from 1 to 1000.")
		}
		limit = n
	}
	f := people.EmployeeFilter{AfterNumber: strings.Clone(c.Query("after")), Department: strings.Clone(c.Query("department")),
		Location: strings.Clone(c.Query("location")), OrderByNumber: true, Limit: limit + 1}
	if m := strings.Clone(c.Query("manager")); m != "" {
		// Unknown, or outside a manager token's line: one answer, so the
		// token cannot learn which numbers exist elsewhere.
		notFound := &store.Error{Kind: store.NotFound, Field: "manager", Message: fmt.Sprintf("No employee with number %q that you can see.", m)}
		mgr, err := s.visibleEmployee(c, m)
		if store.IsNotFound(err) {
			return notFound
		} else if err != nil {
			return err
		}
		f.ManagerID = mgr.ID
	}
	if !p.SeesEveryone() {
		if p.Employee == nil {
			return store.Errorf(store.Forbidden, "This token does not act as an employee.")
		}
		f.LineOf = p.Employee.ID
	}
	list, _, err := s.people.ListEmployees(c.UserContext(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].Number
	}
	out := make([]apiEmployee, len(list))
	for i := range list {
		out[i] = toAPI(&list[i])
	}
	return c.JSON(fiber.Map{"employees": out, "next": next})
}

func (s *Server) apiEmployeeShow(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPI(e))
}

// apiEmployeePut creates or updates the employee with the number in the URL.
func (s *Server) apiEmployeePut(c *fiber.Ctx) error {
	var body struct {
		Number        *string   `json:"number"`
		FirstName     string    `json:"first_name"`
		LastName      string    `json:"last_name"`
		Email         string    `json:"email"`
		JobTitle      string    `json:"job_title"`
		Department    string    `json:"department"`
		Location      string    `json:"location"`
		ManagerNumber string    `json:"manager_number"`
		HireDate      string    `json:"hire_date"`
		Active        *bool     `json:"active"`
		Roles         *[]string `json:"roles"`
	}
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		field := ""
		if ute, ok := err.(*json.UnmarshalTypeError); ok {
			field = ute.Field
		} else if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			field = strings.Trim(f, `"`)
		}
		return &store.Error{Kind: store.Invalid, Field: field, Message: "The body is not a valid employee JSON object: " + err.Error()}
	}
	num := number(c)
	if body.Number != nil && strings.TrimSpace(*body.Number) != num {
		return store.FieldError("number", "The number in the body (%q) differs from the one in the URL (%q).", *body.Number, num)
	}
	in := people.EmployeeInput{Number: num, FirstName: body.FirstName, LastName: body.LastName, Email: body.Email,
		JobTitle: body.JobTitle, Department: body.Department, Location: body.Location, ManagerNumber: body.ManagerNumber,
		HireDate: body.HireDate, Active: body.Active == nil || *body.Active, KeepRoles: body.Roles == nil}
	p := principal(c)
	existing, err := s.people.FindEmployeeByNumber(c.UserContext(), num)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	if existing != nil && !mayManage(p, existing, in.Active == existing.Active) {
		return s.refuseManage(c, existing, "change")
	}
	if body.Roles != nil {
		roles, err := people.CanonicalRoles(*body.Roles)
		if err != nil {
			return err
		}
		current := ""
		if existing != nil {
			current = existing.Roles
		}
		// Any change counts, an empty list included: only admins change roles.
		if roles != current && !p.Has(people.RoleAdmin) {
			return s.refuse(c, num, "roles", "roles from ["+current+"] to ["+roles+"]: not an admin",
				"Only an admin token may change roles.")
		}
		in.Roles = roles
	}
	res, err := s.people.SaveEmployee(c.UserContext(), in)
	if err == nil {
		s.sessions.forget(res.Employee.ID)
		s.peopleChanged(c.UserContext())
	}
	if err != nil {
		if store.KindOf(err) == store.Conflict {
			// A clash in the body is a problem with the input, named by its field.
			return &store.Error{Kind: store.Invalid, Field: store.FieldOf(err), Message: store.MessageOf(err)}
		}
		return err
	}
	id, label := principal(c).actor()
	action, detail := "employee.update", "changed: "+strings.Join(res.Changed, ", ")
	if res.Created {
		action, detail = "employee.create", "created via API"
	}
	if res.Created || len(res.Changed) > 0 {
		if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, action, res.Employee.Number, detail); err != nil {
			return err
		}
	}
	e, err := s.people.FindEmployee(c.UserContext(), res.Employee.ID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return c.Status(status).JSON(toAPI(e))
}

type apiImportResult struct {
	Creates     int               `json:"creates"`
	Updates     int               `json:"updates"`
	Unchanged   int               `json:"unchanged"`
	Deactivates int               `json:"deactivates"`
	Errors      []people.RowError `json:"errors"`
}

// apiEmployeeImport takes a CSV body; ?dry_run=true only plans;
// ?deactivate_missing=true deactivates active employees not in the file.
func (s *Server) apiEmployeeImport(c *fiber.Ctx) error {
	body := c.Body()
	if len(body) > MaxUpload {
		return &store.Error{Kind: store.Invalid, Field: "body", Message: "The CSV is larger than the 20 MB limit."}
	}
	opt := importOptions(principal(c), c.QueryBool("deactivate_missing"))
	var plan *people.ImportPlan
	var err error
	if c.QueryBool("dry_run") {
		plan, err = s.people.PlanImport(c.UserContext(), body, opt)
	} else {
		id, label := principal(c).actor()
		plan, err = s.people.ApplyImport(c.UserContext(), body, opt, id, label)
		s.sessions.forget(0)
		if err == nil && plan.OK() {
			s.peopleChanged(c.UserContext())
		}
	}
	if err != nil {
		return err
	}
	out := apiImportResult{Creates: len(plan.Creates), Updates: len(plan.Updates), Unchanged: len(plan.Unchanged),
		Deactivates: len(plan.Deactivates), Errors: plan.Errors}
	if out.Errors == nil {
		out.Errors = []people.RowError{}
	}
	status := http.StatusOK
	if !plan.OK() {
		status = http.StatusUnprocessableEntity
	}
	return c.Status(status).JSON(out)
}
