package people_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// FuzzEmployeeInput checks EmployeeInput.Check, the rules every employee
// passes (a form, the JSON body of PUT /api/v1/employees/{number}, an import
// row): each problem is an Invalid error on a known field with a message;
// what it accepts fits the database's columns and holds no control
// character (a NUL fails every insert; the others have no place in a name or
// an address). make test runs it for a few seconds, make fuzz for longer.
func FuzzEmployeeInput(f *testing.F) {
	f.Add("BW1001", "Aisha", "Khan", "aisha.khan@brightwater.example", "Receptionist", "Front Desk", "Leeds", "BW1000", "2024-03-01", "", true)
	f.Add(" 7 ", "  Mary  Ann ", "Smith", "Mary@Example.COM", "", "", "", "", "1.3.2024", "hr; admin", false)
	f.Add("1", "", "", "not-an-email", strings.Repeat("x", 201), "", "", "1", "31/02/2024", "boss", false)
	f.Add("1", "A\x00", "B", "a@example.com", "", "", "", "", "", "", true)
	f.Add("1", "A\x1b[31m", "B\u0085C", "a@example.com", "Agent\u200b", "", "", "", "", "", true)
	f.Add("1", "Ren\xe9e", "B", "b@example.com", "", "", "", "", "", "", true)
	f.Fuzz(func(t *testing.T, number, first, last, email, job, dept, loc, manager, hire, roles string, keepRoles bool) {
		in := people.EmployeeInput{Number: number, FirstName: first, LastName: last, Email: email, JobTitle: job,
			Department: dept, Location: loc, ManagerNumber: manager, HireDate: hire, Roles: roles, KeepRoles: keepRoles, Active: true}
		errs := in.Check()
		fields := []string{"employee_number", "first_name", "last_name", "email", "job_title", "department", "location",
			"manager_number", "hire_date", "roles"}
		for _, err := range errs {
			if store.KindOf(err) != store.Invalid || !slices.Contains(fields, store.FieldOf(err)) || strings.TrimSpace(store.MessageOf(err)) == "" {
				t.Fatalf("problem %#v: want an Invalid error with a message on a known field", err)
			}
		}
		if len(errs) > 0 {
			return
		}
		for _, f := range []struct {
			name, val string
			max       int // characters the column holds
		}{{"number", in.Number, 64}, {"first name", in.FirstName, 200}, {"last name", in.LastName, 200}, {"email", in.Email, 320},
			{"job title", in.JobTitle, 200}, {"department", in.Department, 200}, {"location", in.Location, 200},
			{"manager number", in.ManagerNumber, 64}, {"hire date", in.HireDate, 10}} {
			if !utf8.ValidString(f.val) || utf8.RuneCountInString(f.val) > f.max || strings.ContainsFunc(f.val, unicode.IsControl) {
				t.Fatalf("accepted %s %q: want UTF-8 without control characters, up to %d characters", f.name, f.val, f.max)
			}
		}
		if in.Number == "" || in.FirstName == "" && in.LastName == "" || in.HireDate != "" && !isoDate.MatchString(in.HireDate) {
			t.Fatalf("accepted %+v", in)
		}
		if !keepRoles {
			if _, err := people.ParseRoles(in.Roles); err != nil || len(in.Roles) > 100 {
				t.Fatalf("accepted roles %q (%v)", in.Roles, err)
			}
		}
	})
}
