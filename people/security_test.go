package people_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestTokenRoles(t *testing.T) {
	const (
		staff, manager, hr, admin = people.RoleStaff, people.RoleManager, people.RoleHR, people.RoleAdmin
	)
	for _, tc := range []struct {
		name  string
		token people.Role
		held  []people.Role
		want  []people.Role
	}{
		{"OKSame", hr, []people.Role{staff, hr}, []people.Role{staff, manager, hr}},
		{"OKAdminCoversHR", hr, []people.Role{staff, admin}, []people.Role{staff, manager, hr}},
		{"OKTokenBelowEmployee", staff, []people.Role{staff, manager, hr, admin}, []people.Role{staff}},
		{"ErrHRRemoved", hr, []people.Role{staff}, []people.Role{staff}},
		{"ErrHRRemovedStillManager", hr, []people.Role{staff, manager}, []people.Role{staff, manager}},
		{"ErrAdminNowHR", admin, []people.Role{staff, hr}, []people.Role{staff, manager, hr}},
		{"ErrNothingHeld", admin, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := people.TokenRoles(tc.token, tc.held); !slices.Equal(got, tc.want) {
				t.Fatalf("TokenRoles(%s, %v) = %v, want %v", tc.token, tc.held, got, tc.want)
			}
		})
	}
}

// TestFinding01ImportRoleRules: only an admin's import changes roles or
// people who hold HR or admin; nobody's import leaves no active admin. A
// refused file writes nothing and its refusals are audited.
func TestFinding01ImportRoleRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		admin := emp("1", "")
		admin.Roles = "admin"
		mustSave(t, s, admin)
		hr := emp("2", "1")
		hr.Roles = "hr"
		hrEmp := mustSave(t, s, hr)
		mustSave(t, s, emp("3", "1"))
		const head = "id,first name,last name,email,manager id,status,roles\n"
		row := func(n, mgr, status, roles string) string {
			return n + ",First" + n + ",Last" + n + ",e" + n + "@example.com," + mgr + "," + status + "," + roles + "\n"
		}
		hrOpt := people.ImportOptions{Importer: hrEmp.ID}
		adminOpt := people.ImportOptions{Admin: true}
		for _, tc := range []struct {
			name  string
			data  string
			opt   people.ImportOptions
			field string // "" when the file is accepted
		}{
			{"ErrHRMakesHerselfAdmin", head + row("2", "1", "Active", "hr admin"), hrOpt, "roles"},
			{"ErrHRGrantsManager", head + row("3", "1", "Active", "manager"), hrOpt, "roles"},
			{"ErrHRCreatesWithRole", head + row("9", "1", "Active", "hr"), hrOpt, "roles"},
			{"ErrHRClearsRoles", head + row("2", "1", "Active", "staff"), hrOpt, "roles"},
			{"ErrHRChangesAdmin", head + strings.Replace(row("1", "", "Active", ""), "e1@", "x1@", 1), hrOpt, "employee_number"},
			{"ErrHRDeactivatesAdmin", head + row("1", "", "Inactive", ""), hrOpt, "employee_number"},
			{"ErrHRDeactivatesHerself", head + row("2", "1", "Inactive", ""), hrOpt, "employee_number"},
			{"ErrHRDeactivatesMissingAdmin", head + row("2", "1", "Active", "") + row("3", "1", "Active", ""), people.ImportOptions{Importer: hrEmp.ID, DeactivateMissing: true}, "employee_number"},
			{"ErrAdminRemovesLastAdmin", head + row("1", "", "Active", "staff"), adminOpt, "roles"},
			{"ErrAdminDeactivatesLastAdmin", head + row("1", "", "Inactive", ""), adminOpt, "active"},
			{"ErrMissingLastAdmin", head + row("2", "1", "Active", "") + row("3", "1", "Active", ""), people.ImportOptions{Admin: true, DeactivateMissing: true}, "active"},
			{"OKUnchangedRoles", head + row("2", "1", "Active", "hr") + row("1", "", "Active", "admin"), hrOpt, ""},
			{"OKEmptyRolesCellKeeps", head + row("3", "1", "Active", ""), hrOpt, ""},
			{"OKHREditsHerself", head + strings.Replace(row("2", "1", "Active", ""), "First2", "Priya", 1), hrOpt, ""},
			{"OKAdminGrants", head + row("3", "1", "Active", "hr"), adminOpt, ""},
			{"OKAdminMovesAdminRole", head + row("3", "1", "Active", "admin") + row("1", "", "Active", "staff"), adminOpt, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var before []people.Employee
				if err := db.NewSelect().Model(&before).OrderExpr("id").Scan(ctx); err != nil {
					t.Fatal(err)
				}
				plan, err := s.ApplyImport(ctx, []byte(tc.data), tc.opt, nil, "test")
				if err != nil {
					t.Fatal(err)
				}
				if tc.field == "" {
					if !plan.OK() {
						t.Fatalf("refused: %+v", plan.Errors)
					}
					// Put things back for the next case.
					for _, e := range before {
						in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName, Email: e.Email,
							Active: e.Active, Roles: e.Roles, Department: "Front Desk", Location: "Leeds", JobTitle: "Agent"}
						if e.ManagerID != nil {
							in.ManagerNumber = "1"
						}
						if _, err := s.SaveEmployee(ctx, in); err != nil {
							t.Fatal(err)
						}
					}
					db.NewDelete().TableExpr("employees").Where("number = '9'").Exec(ctx)
					return
				}
				if plan.OK() || plan.Errors[0].Field != tc.field {
					t.Fatalf("errors %+v, want one on %s", plan.Errors, tc.field)
				}
				var after []people.Employee
				if err := db.NewSelect().Model(&after).OrderExpr("id").Scan(ctx); err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Fatalf("%d employees, want %d", len(after), len(before))
				}
				for i := range after {
					if a, b := after[i], before[i]; a.Roles != b.Roles || a.Active != b.Active || a.Email != b.Email {
						t.Fatalf("%s changed: %+v", a.Number, a)
					}
				}
			})
		}
		refused, err := db.NewSelect().TableExpr("audit_log").Where("action = 'access.refused'").Count(ctx)
		if err != nil || refused < 7 {
			t.Fatalf("%d refusals audited (%v), want at least 7", refused, err)
		}
	})
}

// TestFinding01LastActiveAdminKept: SetRoles, SetActive and SaveEmployee
// never take the admin role or the active flag from the last active admin,
// also when two changes race for the last two admins.
func TestFinding01LastActiveAdminKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		a := emp("1", "")
		a.Roles = "admin"
		one := mustSave(t, s, a)
		b := emp("2", "")
		b.Roles = "manager,admin"
		two := mustSave(t, s, b)
		conflict := func(err error, field string) {
			t.Helper()
			if store.KindOf(err) != store.Conflict || store.FieldOf(err) != field {
				t.Fatalf("got %v, want a conflict on %s", err, field)
			}
		}
		if err := s.SetRoles(ctx, two.ID, "manager"); err != nil {
			t.Fatal(err)
		}
		conflict(s.SetRoles(ctx, one.ID, "hr"), "roles")
		conflict(s.SetActive(ctx, one.ID, false), "active")
		in := a
		in.Roles = ""
		_, err := s.SaveEmployee(ctx, in)
		conflict(err, "roles")
		in = a
		in.KeepRoles, in.Active = true, false
		_, err = s.SaveEmployee(ctx, in)
		conflict(err, "active")
		if e := mustFind(t, s, "1"); e.Roles != "admin" || !e.Active {
			t.Fatalf("the last admin: roles %q active %v", e.Roles, e.Active)
		}
		// An inactive admin is not an admin anyone can use.
		if err := s.SetRoles(ctx, two.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetActive(ctx, two.ID, false); err != nil {
			t.Fatal(err)
		}
		conflict(s.SetRoles(ctx, one.ID, ""), "roles")
		if err := s.SetActive(ctx, two.ID, true); err != nil {
			t.Fatal(err)
		}

		// Two admins remove each other at the same moment: one change wins.
		for round := 0; round < 10; round++ {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, id := range []int64{one.ID, two.ID} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.SetRoles(ctx, id, "")
				}()
			}
			wg.Wait()
			n, err := db.NewSelect().TableExpr("employees").Where("active AND roles LIKE '%admin%'").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 || (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: %d admins left, errors %v", round, n, errs)
			}
			for _, e := range errs {
				if e != nil && store.KindOf(e) != store.Conflict {
					t.Fatalf("round %d: %v", round, e)
				}
			}
			if err := s.SetRoles(ctx, one.ID, "admin"); err != nil {
				t.Fatal(err)
			}
			if err := s.SetRoles(ctx, two.ID, "admin"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestFinding11StoreRefusesControlCharacters: a NUL byte (which the SQL
// layer cannot carry) or another control character in a lookup, a search or
// an employee's fields is NotFound or Invalid naming the field, never an
// internal error.
func TestFinding11StoreRefusesControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		if _, err := s.FindEmployeeByNumber(ctx, "1\x00"); !store.IsNotFound(err) {
			t.Errorf("find by number with NUL: %v, want NotFound", err)
		}
		if _, err := s.FindEmployeeByEmail(ctx, "e1@example.com\x00"); !store.IsNotFound(err) {
			t.Errorf("find by email with NUL: %v, want NotFound", err)
		}
		for _, q := range []string{"\x00", "first\x00", "\x01", "a\x7fb"} {
			if _, _, err := s.ListEmployees(ctx, people.EmployeeFilter{Search: q}); store.KindOf(err) != store.Invalid || store.FieldOf(err) != "q" {
				t.Errorf("search %q: %v, want Invalid on q", q, err)
			}
		}
		for _, tc := range []struct{ field, value string }{
			{"employee_number", "9\x00"}, {"first_name", "An\x00n"}, {"last_name", "Lee\x01"}, {"email", "a\x00@example.com"},
			{"job_title", "Chef\x7f"}, {"department", "\x00"}, {"location", "Le\x1beds"}, {"manager_number", "1\x00"}, {"hire_date", "2020-01-01\x00"},
		} {
			in := emp("9", "1")
			switch tc.field {
			case "employee_number":
				in.Number = tc.value
			case "first_name":
				in.FirstName = tc.value
			case "last_name":
				in.LastName = tc.value
			case "email":
				in.Email = tc.value
			case "job_title":
				in.JobTitle = tc.value
			case "department":
				in.Department = tc.value
			case "location":
				in.Location = tc.value
			case "manager_number":
				in.ManagerNumber = tc.value
			case "hire_date":
				in.HireDate = tc.value
			}
			if _, err := s.SaveEmployee(ctx, in); store.KindOf(err) != store.Invalid || store.FieldOf(err) != tc.field {
				t.Errorf("save with a control character in %s: %v, want Invalid on it", tc.field, err)
			}
		}
		plan, err := s.ApplyImport(ctx, []byte("id,first name,last name,email\n9,An\x01n,Lee,ann@example.com\n"), people.ImportOptions{Admin: true}, nil, "test")
		if err != nil || plan.OK() || plan.Errors[0].Field != "first_name" {
			t.Fatalf("import with a control character: %+v %v, want a row error on first_name", plan, err)
		}
		plan, err = s.ApplyImport(ctx, []byte("id,first name,last name,email\n9,An\x00n,Lee,ann@example.com\n"), people.ImportOptions{Admin: true}, nil, "test")
		if err != nil || plan.OK() {
			t.Fatalf("import with NUL: %+v %v, want a problem in the plan", plan, err)
		}
	})
}
