package app

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

type apiProgrammeCourse struct {
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Required bool   `json:"required"`
}

type apiProgramme struct {
	Slug           string               `json:"slug"`
	Title          string               `json:"title"`
	Version        int                  `json:"version"`
	Courses        []apiProgrammeCourse `json:"courses"`
	ValidityMonths int                  `json:"validity_months"`
	RecertDays     int                  `json:"recert_days"`
	Due            apiDueRule           `json:"due"`
	Reminders      apiReminders         `json:"reminders"`
}

// apiReminders is a programme's reminder ladder (courses.Ladder), in days.
type apiReminders struct {
	DueSoon        []int `json:"due_soon_days"`        // before the due date
	OverdueLearner []int `json:"overdue_learner_days"` // overdue (0: the first day), to the learner
	OverdueManager []int `json:"overdue_manager_days"` // to their manager
	OverdueHR      []int `json:"overdue_hr_days"`      // to HR
	Expiring       []int `json:"expiry_days"`          // before a certificate expires
}

func apiRemindersOf(p *courses.Programme) apiReminders {
	l := p.Ladder()
	nz := func(d []int) []int {
		if d == nil {
			return []int{}
		}
		return d
	}
	return apiReminders{nz(l.DueSoon), nz(l.OverdueLearner), nz(l.OverdueManager), nz(l.OverdueHR), nz(l.Expiring)}
}

type apiDueRule struct {
	Kind string `json:"kind"`
	Date string `json:"date,omitempty"`
	Days int    `json:"days,omitempty"`
}

// apiProgrammes lists the programmes that are not archived (any token).
func (s *Server) apiProgrammes(c *fiber.Ctx) error {
	list, err := s.courses.ListProgrammes(c.UserContext(), false)
	if err != nil {
		return err
	}
	out := make([]apiProgramme, len(list))
	for i, p := range list {
		ap := apiProgramme{Slug: p.Slug, Title: p.Title, Version: p.Version, Courses: []apiProgrammeCourse{},
			ValidityMonths: p.ValidityMonths, RecertDays: p.RecertDays,
			Due: apiDueRule{Kind: string(p.DueKind), Date: p.DueDate, Days: p.DueDays}, Reminders: apiRemindersOf(p)}
		for _, pc := range p.Courses {
			ap.Courses = append(ap.Courses, apiProgrammeCourse{Slug: pc.CourseSlug, Title: pc.Title, Required: pc.Required})
		}
		out[i] = ap
	}
	return c.JSON(fiber.Map{"programmes": out})
}

// apiAssignBody is the body of POST /api/v1/assignments.
type apiAssignBody struct {
	Programme string   `json:"programme"`
	Employees []string `json:"employees"`
	Audience  *struct {
		Department string `json:"department"`
		Location   string `json:"location"`
		JobTitle   string `json:"job_title"`
		Manager    string `json:"manager"`
	} `json:"audience"`
	Due     string `json:"due"`
	DueDays *int   `json:"due_days"`
}

// apiAssign assigns a programme (HR tokens); ?dry_run=true says what it would do.
func (s *Server) apiAssign(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var body apiAssignBody
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return store.FieldError("body", "The body must be JSON like {\"programme\":\"slug\",\"employees\":[\"E1001\"],\"due\":\"2027-01-31\"}: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	if strings.TrimSpace(body.Programme) == "" {
		return store.FieldError("programme", "Name the programme by its short name.")
	}
	if _, err := s.courses.FindProgramme(ctx, body.Programme); err != nil {
		if store.IsNotFound(err) {
			return store.FieldError("programme", "There is no programme %q.", body.Programme)
		}
		return err
	}
	req := courses.AssignRequest{Programme: body.Programme}
	for _, num := range body.Employees {
		e, err := s.people.FindEmployeeByNumber(ctx, strings.TrimSpace(num))
		if err != nil {
			if store.IsNotFound(err) {
				return store.FieldError("employees", "There is no employee %q.", num)
			}
			return err
		}
		req.EmployeeIDs = append(req.EmployeeIDs, e.ID)
	}
	if a := body.Audience; a != nil {
		var aud courses.Audience
		for _, x := range []struct {
			kind  people.OrgKind
			field string
			name  string
			dest  **int64
		}{{people.Departments, "audience.department", a.Department, &aud.DepartmentID},
			{people.Locations, "audience.location", a.Location, &aud.LocationID},
			{people.JobTitles, "audience.job_title", a.JobTitle, &aud.JobTitleID}} {
			if strings.TrimSpace(x.name) == "" {
				continue
			}
			items, err := s.people.ListOrg(ctx, x.kind)
			if err != nil {
				return err
			}
			for _, it := range items {
				if strings.EqualFold(it.Name, strings.TrimSpace(x.name)) {
					id := it.ID
					*x.dest = &id
				}
			}
			if *x.dest == nil {
				return store.FieldError(x.field, "There is no %s %q.", x.kind.Noun(), x.name)
			}
		}
		if m := strings.TrimSpace(a.Manager); m != "" {
			e, err := s.people.FindEmployeeByNumber(ctx, m)
			if err != nil {
				if store.IsNotFound(err) {
					return store.FieldError("audience.manager", "There is no employee %q.", m)
				}
				return err
			}
			aud.ManagerID = &e.ID
		}
		if aud.Empty() {
			return store.FieldError("audience", "The audience names no department, location, job title or manager.")
		}
		req.Audience = &aud
	}
	switch {
	case body.Due != "" && body.DueDays != nil:
		return store.FieldError("due", "Give either due (a date) or due_days, not both.")
	case body.Due != "":
		req.Due = &courses.DueRule{Kind: courses.DueFixed, Date: body.Due}
	case body.DueDays != nil:
		req.Due = &courses.DueRule{Kind: courses.DueAfterAssignment, Days: *body.DueDays}
	}
	req.By, req.Actor = principal(c).actor()
	res, err := s.courses.Assign(ctx, req, c.QueryBool("dry_run"))
	if err != nil {
		if e, ok := err.(*store.Error); ok && e.Field == "due_date" {
			e.Field = "due"
		}
		return err
	}
	nums := make([]string, len(res.Assigned))
	for i, r := range res.Assigned {
		nums[i] = r.Number
	}
	return c.JSON(fiber.Map{"assigned": len(res.Assigned), "already_assigned": len(res.AlreadyAssigned), "employees": nums})
}
