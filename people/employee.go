// Package people holds employees, the organisation lists (departments,
// locations, job titles), reporting lines, the HR import, and access:
// passwords, sessions, sign-in throttling, one-time links and API tokens.
package people

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Role is what a person may do. Everyone is staff; manager is granted or
// follows from having reports; hr and admin are granted.
type Role string

const (
	RoleStaff   Role = "staff"
	RoleManager Role = "manager"
	RoleHR      Role = "hr"
	RoleAdmin   Role = "admin"
)

// AllRoles lists the roles from least to most powerful.
var AllRoles = []Role{RoleStaff, RoleManager, RoleHR, RoleAdmin}

// GrantableRoles are the roles stored on an employee (staff is implicit).
var GrantableRoles = []Role{RoleManager, RoleHR, RoleAdmin}

// ParseRole returns the role named s, or an Invalid error.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(AllRoles, r) {
		return r, nil
	}
	return "", store.FieldError("role", "%q is not a role (staff, manager, hr or admin)", s)
}

// ParseRoles reads a list such as "hr; admin" or "hr,manager" into the
// canonical stored form ("manager,hr"): staff is dropped (implicit).
func ParseRoles(s string) (string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == ' ' })
	return CanonicalRoles(fields)
}

// CanonicalRoles validates names and returns them in canonical stored form.
func CanonicalRoles(names []string) (string, error) {
	var keep []string
	for _, f := range names {
		if strings.TrimSpace(f) == "" {
			continue
		}
		r, err := ParseRole(f)
		if err != nil {
			return "", store.FieldError("roles", "%q is not a role (manager, hr or admin)", f)
		}
		if r != RoleStaff && !slices.Contains(keep, string(r)) {
			keep = append(keep, string(r))
		}
	}
	var out []string
	for _, r := range GrantableRoles {
		if slices.Contains(keep, string(r)) {
			out = append(out, string(r))
		}
	}
	return strings.Join(out, ","), nil
}

// Employee is a person in the company, as HR's system knows them.
type Employee struct {
	bun.BaseModel `bun:"table:employees,alias:e"`

	ID            int64      `bun:",pk,autoincrement"`
	Number        string     `bun:",notnull"`
	FirstName     string     `bun:",notnull"`
	LastName      string     `bun:",notnull"`
	Email         string     `bun:",notnull"`
	EmailKey      string     `bun:",notnull"`
	SearchKey     string     `bun:",notnull"`
	JobTitleID    *int64     `bun:"job_title_id"`
	DepartmentID  *int64     `bun:"department_id"`
	LocationID    *int64     `bun:"location_id"`
	ManagerID     *int64     `bun:"manager_id"`
	LinePath      string     `bun:",notnull"` // "/ceo id/.../own id/": see line.go
	HireDate      string     `bun:",nullzero"`
	Active        bool       `bun:",notnull"`
	Roles         string     `bun:",notnull"`
	PasswordHash  string     `bun:",notnull"`
	CreatedAt     time.Time  `bun:",notnull"`
	UpdatedAt     time.Time  `bun:",notnull"`
	DeactivatedAt *time.Time `bun:",nullzero"`

	// Filled by the store's queries from joined tables.
	JobTitle      string `bun:",scanonly"`
	Department    string `bun:",scanonly"`
	Location      string `bun:",scanonly"`
	ManagerNumber string `bun:",scanonly"`
	ManagerName   string `bun:",scanonly"`
	Reports       int    `bun:",scanonly"`
}

// Name is the display name.
func (e *Employee) Name() string { return strings.TrimSpace(e.FirstName + " " + e.LastName) }

// GrantedRoles returns the stored roles (never staff).
func (e *Employee) GrantedRoles() []Role {
	var out []Role
	for _, r := range strings.Split(e.Roles, ",") {
		if r != "" {
			out = append(out, Role(r))
		}
	}
	return out
}

// EffectiveRoles is staff, the granted roles, and manager when hasReports.
func (e *Employee) EffectiveRoles(hasReports bool) []Role {
	granted := e.GrantedRoles()
	out := []Role{RoleStaff}
	for _, r := range GrantableRoles {
		if slices.Contains(granted, r) || (r == RoleManager && hasReports) {
			out = append(out, r)
		}
	}
	return out
}

// rank orders the roles: each one may do what those below it may.
func rank(r Role) int { return slices.Index(AllRoles, r) }

// TokenRoles is what a token made with role may do while it acts as an
// employee who holds held now (EffectiveRoles): the roles up to role that
// the employee still covers (admin covers hr, hr covers manager), so a token
// never does more than its employee may today.
func TokenRoles(role Role, held []Role) []Role {
	top := -1
	for _, h := range held {
		top = max(top, rank(h))
	}
	var out []Role
	for _, r := range AllRoles {
		if rank(r) <= rank(role) && rank(r) <= top {
			out = append(out, r)
		}
	}
	return out
}

// EmployeeInput is an employee as a form, the API or an import row gives it.
// Strings are already copied out of any request buffer.
type EmployeeInput struct {
	Number        string
	FirstName     string
	LastName      string
	Email         string
	JobTitle      string
	Department    string
	Location      string
	ManagerNumber string
	HireDate      string // ISO or day-month-year; normalised to ISO by Normalize
	Active        bool
	Roles         string // canonical, see ParseRoles; ignored when KeepRoles
	KeepRoles     bool   // leave an existing employee's roles alone
}

// Normalize trims fields and validates them, returning the first problem as
// an Invalid error naming the field. HireDate comes back in ISO form.
func (in *EmployeeInput) Normalize() error {
	if errs := in.Check(); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Check trims fields, normalises the hire date and roles, and returns every
// problem, each an Invalid error naming its field.
func (in *EmployeeInput) Check() []*store.Error {
	for _, p := range []*string{&in.Number, &in.FirstName, &in.LastName, &in.Email, &in.JobTitle,
		&in.Department, &in.Location, &in.ManagerNumber, &in.HireDate} {
		*p = strings.Join(strings.Fields(*p), " ")
	}
	var errs []*store.Error
	add := func(field, format string, args ...any) { errs = append(errs, store.FieldError(field, format, args...)) }
	for _, f := range []struct{ field, label, val string }{{"employee_number", "Employee number", in.Number},
		{"first_name", "First name", in.FirstName}, {"last_name", "Last name", in.LastName}, {"email", "Email", in.Email},
		{"job_title", "Job title", in.JobTitle}, {"department", "Department", in.Department}, {"location", "Location", in.Location},
		{"manager_number", "Manager number", in.ManagerNumber}, {"hire_date", "Hire date", in.HireDate}} {
		if !utf8.ValidString(f.val) || HasControl(f.val) || strings.ContainsFunc(f.val, unicode.IsControl) { // a NUL fails every insert
			add(f.field, "%s has a character that is not text (a control character such as a NUL byte, or not UTF-8); remove it.", f.label)
		}
	}
	if len(errs) > 0 {
		return errs // nothing else is checked on text the database cannot hold
	}
	switch {
	case in.Number == "":
		add("employee_number", "Employee number is required.")
	case utf8.RuneCountInString(in.Number) > 64:
		add("employee_number", "Employee number is longer than 64 characters.")
	}
	switch {
	case in.FirstName == "" && in.LastName == "":
		add("first_name", "A first or last name is required.")
	case utf8.RuneCountInString(in.FirstName) > 200:
		add("first_name", "First name is longer than 200 characters.")
	case utf8.RuneCountInString(in.LastName) > 200:
		add("last_name", "Last name is longer than 200 characters.")
	}
	if err := ValidEmail(in.Email); err != nil {
		errs = append(errs, err.(*store.Error))
	}
	for _, f := range []struct{ name, label, val string }{{"job_title", "Job title", in.JobTitle},
		{"department", "Department", in.Department}, {"location", "Location", in.Location}} {
		if utf8.RuneCountInString(f.val) > 200 {
			add(f.name, "%s is longer than 200 characters.", f.label)
		}
	}
	if in.ManagerNumber != "" && in.ManagerNumber == in.Number {
		add("manager_number", "An employee cannot be their own manager.")
	}
	if in.HireDate != "" {
		d, err := ParseDate(in.HireDate)
		if err != nil {
			add("hire_date", "%q is not a date (use YYYY-MM-DD or DD/MM/YYYY).", in.HireDate)
		} else {
			in.HireDate = d
		}
	}
	if !in.KeepRoles {
		r, err := ParseRoles(in.Roles)
		if err != nil {
			errs = append(errs, err.(*store.Error))
		} else {
			in.Roles = r
		}
	}
	return errs
}

// HasControl reports whether s holds a C0 control character or DEL (text
// fields and lookups refuse them: the SQL layer cannot carry a NUL byte).
func HasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0
}

// ValidEmail returns an Invalid error (field "email") unless s is a plain address.
func ValidEmail(s string) error {
	if s == "" {
		return store.FieldError("email", "Email is required.")
	}
	addr, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || addr.Address != s || addr.Name != "" || at < 1 || !strings.Contains(s[at+1:], ".") ||
		strings.HasSuffix(s, ".") || len(s) > 320 {
		return store.FieldError("email", "%q is not a valid email address.", s)
	}
	return nil
}

var dateLayouts = []string{
	"2006-01-02", "2006/01/02", "02/01/2006", "2/1/2006", "02.01.2006", "2.1.2006", "02-01-2006", "2-1-2006",
	"2 Jan 2006", "02 Jan 2006", "2 January 2006", "02-Jan-2006", "2-Jan-2006", "2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05", "2006-01-02T15:04:05",
}

// ParseDate reads an ISO (YYYY-MM-DD) or day-month-year date and returns it
// as YYYY-MM-DD. Impossible dates (31/02/2024) and years outside 1900-2200
// are errors.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, s)
		if err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				break
			}
			return t.Format("2006-01-02"), nil
		}
	}
	return "", store.FieldError("hire_date", "%q is not a date", s)
}

// SearchKeyOf is what the employee search matches (number, names, email),
// as saving an employee stores it in search_key; bulk loaders use it.
func SearchKeyOf(e *Employee) string { return searchKey(e) }

func searchKey(e *Employee) string {
	return strings.ToLower(strings.Join([]string{e.Number, e.FirstName, e.LastName, e.Email}, " "))
}
