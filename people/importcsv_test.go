package people_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// want is what an imported employee must look like afterwards.
type want struct {
	first, last, email, title, dept, loc, manager, hire string
	active                                              bool
}

func mustFind(t *testing.T, s *people.Store, number string) *people.Employee {
	t.Helper()
	e, err := s.FindEmployeeByNumber(context.Background(), number)
	if err != nil {
		t.Fatalf("find %s: %v", number, err)
	}
	return e
}

func checkEmployee(t *testing.T, s *people.Store, number string, w want) {
	t.Helper()
	e := mustFind(t, s, number)
	got := want{e.FirstName, e.LastName, e.Email, e.JobTitle, e.Department, e.Location, e.ManagerNumber, e.HireDate, e.Active}
	if got != w {
		t.Errorf("employee %s:\n got %+v\nwant %+v", number, got, w)
	}
}

func mustApply(t *testing.T, s *people.Store, data string, opt people.ImportOptions) *people.ImportPlan {
	t.Helper()
	plan, err := s.ApplyImport(context.Background(), []byte(data), opt, nil, "test")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !plan.OK() {
		t.Fatalf("apply: unexpected errors %+v", plan.Errors)
	}
	return plan
}

func mustPlan(t *testing.T, s *people.Store, data string, opt people.ImportOptions) *people.ImportPlan {
	t.Helper()
	plan, err := s.PlanImport(context.Background(), []byte(data), opt)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return plan
}

func countRows(t *testing.T, db *bun.DB, table string) int {
	t.Helper()
	n, err := db.NewSelect().TableExpr(table).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

func numbers(rows []people.PlanRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Number)
	}
	return strings.Join(out, ",")
}

func TestImportFormats(t *testing.T) {
	tests := []struct {
		name string
		data string
		want map[string]want
	}{
		{"BOM", "\xEF\xBB\xBFEmployee Number,First Name,Last Name,Email\n1,Ann,Lee,ann@example.com\n",
			map[string]want{"1": {first: "Ann", last: "Lee", email: "ann@example.com", active: true}}},
		{"Semicolon", "employee_number;first_name;last_name;email;department\r\n1;Ann;Lee;ann@example.com;Desk, North\r\n",
			map[string]want{"1": {first: "Ann", last: "Lee", email: "ann@example.com", dept: "Desk, North", active: true}}},
		{"Tab", "Employee ID\tFirst Name\tLast Name\tEmail\tLocation\n1\tAnn\tLee\tann@example.com\tLeeds, UK\n",
			map[string]want{"1": {first: "Ann", last: "Lee", email: "ann@example.com", loc: "Leeds, UK", active: true}}},
		{"QuotedNewlineAndDelimiter", "Number,First Name,Last Name,Email,Job Title\n" +
			"1,\"Ann, \"\"Annie\"\"\",Lee,ann@example.com,\"Front\r\nDesk; Agent\"\n" +
			"2,Bob,Ray,bob@example.com,Agent\n",
			map[string]want{
				"1": {first: `Ann, "Annie"`, last: "Lee", email: "ann@example.com", title: "Front Desk; Agent", active: true},
				"2": {first: "Bob", last: "Ray", email: "bob@example.com", title: "Agent", active: true},
			}},
		{"AliasHeaders", "Worker ID;Given Name;Surname;Work Email;Position;Dept;City;Manager Email;Start Date\n" +
			"20;Bob;Ray;Bob@Example.com;Agent;Front Desk;York;ann@example.com;01/03/2024\n" +
			"10;Ann;Lee;ann@example.com;Head;Front Desk;Leeds;;2020-01-31\n",
			map[string]want{
				"10": {first: "Ann", last: "Lee", email: "ann@example.com", title: "Head", dept: "Front Desk", loc: "Leeds", hire: "2020-01-31", active: true},
				"20": {first: "Bob", last: "Ray", email: "Bob@Example.com", title: "Agent", dept: "Front Desk", loc: "York", manager: "10", hire: "2024-03-01", active: true},
			}},
		{"FullNameSplit", "Staff ID,Name,E-mail\n1,Mary Ann  Smith,mary@example.com\n2,Cher,cher@example.com\n",
			map[string]want{
				"1": {first: "Mary Ann", last: "Smith", email: "mary@example.com", active: true},
				"2": {first: "Cher", email: "cher@example.com", active: true},
			}},
		{"Dates", "id,first name,last name,email,hire date\n1,A,B,a@example.com,2024-03-01\n2,C,D,c@example.com,01/03/2024\n3,E,F,e@example.com,1.3.2024\n",
			map[string]want{
				"1": {first: "A", last: "B", email: "a@example.com", hire: "2024-03-01", active: true},
				"2": {first: "C", last: "D", email: "c@example.com", hire: "2024-03-01", active: true},
				"3": {first: "E", last: "F", email: "e@example.com", hire: "2024-03-01", active: true},
			}},
		{"BlankLinesAndCRLF", "\r\nid,first name,last name,email,status\r\n\r\n1,A,B,a@example.com,Terminated\r\n,,,,\r\n2,C,D,c@example.com,\r\n",
			map[string]want{
				"1": {first: "A", last: "B", email: "a@example.com"},
				"2": {first: "C", last: "D", email: "c@example.com", active: true},
			}},
		{"ManagersLaterInFile", "id,first name,last name,email,manager id\n3,C,C,c@example.com,2\n2,B,B,b@example.com,1\n1,A,A,a@example.com,\n",
			map[string]want{
				"1": {first: "A", last: "A", email: "a@example.com", active: true},
				"2": {first: "B", last: "B", email: "b@example.com", manager: "1", active: true},
				"3": {first: "C", last: "C", email: "c@example.com", manager: "2", active: true},
			}},
		{"ExcelSepLine", "sep=;\nid;first name;last name;email\n1;A;B;a@example.com\n",
			map[string]want{"1": {first: "A", last: "B", email: "a@example.com", active: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *bun.DB) {
				s := people.NewStore(db)
				plan := mustApply(t, s, tt.data, people.ImportOptions{})
				if len(plan.Creates) != len(tt.want) || plan.Rows != len(tt.want) {
					t.Fatalf("rows %d, creates %v, want %d", plan.Rows, numbers(plan.Creates), len(tt.want))
				}
				for number, w := range tt.want {
					checkEmployee(t, s, number, w)
				}
				if changed, err := people.RebuildPaths(context.Background(), db); err != nil || changed != 0 {
					t.Errorf("reporting-line paths: %d wrong (err %v)", changed, err)
				}
			})
		})
	}
}

func TestImportErrors(t *testing.T) {
	type rowErr struct {
		line  int
		field string
	}
	const head = "Employee Number,First Name,Last Name,Email,Manager Number,Hire Date,Status\n"
	tests := []struct {
		name    string
		seed    []people.EmployeeInput
		data    string
		want    []rowErr
		message string // in the first error
	}{
		{"ErrDuplicateNumber", nil, head + "1,A,A,a@example.com,,,\n1,B,B,b@example.com,,,\n",
			[]rowErr{{3, "employee_number"}}, "line 2"},
		{"ErrDuplicateEmail", nil, head + "1,A,A,a@example.com,,,\n2,B,B,A@Example.COM,,,\n",
			[]rowErr{{3, "email"}}, "line 2"},
		{"ErrEmailTaken", []people.EmployeeInput{emp("7", "")}, head + "1,A,A,e7@example.com,,,\n",
			[]rowErr{{2, "email"}}, "employee 7"},
		{"ErrUnknownManager", nil, head + "1,A,A,a@example.com,99,,\n",
			[]rowErr{{2, "manager_number"}}, `"99"`},
		{"ErrUnknownManagerEmail", nil, "id,name,email,manager email\n1,A A,a@example.com,boss@example.com\n",
			[]rowErr{{2, "manager_email"}}, "boss@example.com"},
		{"ErrSelfManager", nil, head + "1,A,A,a@example.com,1,,\n",
			[]rowErr{{2, "manager_number"}}, "own manager"},
		{"ErrCycle", nil, head + "7,A,A,a@example.com,9,,\n9,B,B,b@example.com,7,,\n",
			[]rowErr{{2, "manager_number"}, {3, "manager_number"}}, "cycle: 7 → 9 → 7"},
		{"ErrCycleThroughDatabase", []people.EmployeeInput{emp("1", ""), emp("2", "1"), emp("3", "2")},
			head + "1,A,A,e1@example.com,3,,\n",
			[]rowErr{{2, "manager_number"}}, "cycle: 1 → 3 → 2 → 1"},
		{"ErrInvalidEmail", nil, head + "1,A,A,not-an-email,,,\n",
			[]rowErr{{2, "email"}}, "not a valid email"},
		{"ErrImpossibleDate", nil, head + "1,A,A,a@example.com,,31/02/2024,\n",
			[]rowErr{{2, "hire_date"}}, "31/02/2024"},
		{"ErrSeveralInOneRow", nil, head + "1,,,bad,,2024-13-01,maybe\n",
			[]rowErr{{2, "active"}, {2, "first_name"}, {2, "email"}, {2, "hire_date"}}, "maybe"},
		{"ErrNoNameFromFullName", nil, "id,full name,email\n1, ,a@example.com\n",
			[]rowErr{{2, "full_name"}}, "name is required"},
		{"ErrBadActive", nil, head + "1,A,A,a@example.com,,,maybe\n",
			[]rowErr{{2, "active"}}, `"maybe"`},
		{"ErrBadRole", nil, "id,first name,last name,email,roles\n1,A,A,a@example.com,boss\n",
			[]rowErr{{2, "roles"}}, `"boss"`},
		{"ErrMissingColumn", nil, "Employee Number,First Name,Last Name\n1,A,A\n",
			[]rowErr{{1, "file"}}, "email"},
		{"ErrMissingNames", nil, "Employee Number,Email\n1,a@example.com\n",
			[]rowErr{{1, "file"}}, "Full Name"},
		{"ErrDuplicateColumn", nil, "id,first name,last name,email,work email\n1,A,A,a@example.com,a@example.com\n",
			[]rowErr{{1, "file"}}, "both hold email"},
		{"ErrInvalidUTF8", nil, head + "1,A,A,a@example.com,,,\n2,Ren\xe9e,B,b@example.com,,,\n",
			[]rowErr{{3, "file"}}, "CSV UTF-8"},
		{"ErrNULAfterFirst4KB", nil, head + "1,A,A,a@example.com,,,\n# " + strings.Repeat("x", 5000) + "\n2,B\x00,B,b@example.com,,,\n",
			[]rowErr{{4, "file"}}, "NUL"},
		{"ErrControlCharacter", nil, head + "1,A\x1b[31m,A,a@example.com,,,\n", []rowErr{{2, "first_name"}}, "not text"},
		{"ErrUTF16BOM", nil, "\xFF\xFEE\x00m\x00a\x00i\x00l\x00\n\x00",
			[]rowErr{{1, "file"}}, "UTF-16"},
		{"ErrEmpty", nil, "", []rowErr{{1, "file"}}, "empty"},
		{"ErrHeaderOnly", nil, head, []rowErr{{1, "file"}}, "no employees"},
		{"ErrBareQuote", nil, head + "1,A \"the\" A,A,a@example.com,,,\n2,B,B,b@example.com,,,\n",
			[]rowErr{{2, "file"}}, "quote"},
		{"ErrLineAfterMultilineRecord", nil, head + "1,\"A\nA\",A,a@example.com,,,\n2,B,B,bad,,,\n",
			[]rowErr{{4, "email"}}, "bad"},
		{"ErrNoCascadeFromBadManager", nil, head + "1,A,A,bad,,,\n2,B,B,b@example.com,1,,\n",
			[]rowErr{{2, "email"}}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *bun.DB) {
				s := people.NewStore(db)
				for _, in := range tt.seed {
					mustSave(t, s, in)
				}
				plan := mustPlan(t, s, tt.data, people.ImportOptions{})
				var got []rowErr
				for _, e := range plan.Errors {
					got = append(got, rowErr{e.Line, e.Field})
				}
				if !slices.Equal(got, tt.want) {
					t.Fatalf("errors %+v, want %v", plan.Errors, tt.want)
				}
				if plan.OK() {
					t.Fatal("OK() with errors")
				}
				if !strings.Contains(plan.Errors[0].Message, tt.message) {
					t.Errorf("message %q does not contain %q", plan.Errors[0].Message, tt.message)
				}
			})
		})
	}
}

func TestImportIgnoredColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := people.NewStore(db)
		plan := mustPlan(t, s, "id,first name,last name,email,Cost Centre,,Shoe size\n1,A,A,a@example.com,C1,,42\n", people.ImportOptions{})
		if !plan.OK() || !slices.Equal(plan.IgnoredColumns, []string{"Cost Centre", "Shoe size"}) {
			t.Fatalf("errors %v, ignored %q", plan.Errors, plan.IgnoredColumns)
		}
	})
}

func TestImportPlanWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		mustSave(t, s, emp("2", "1"))
		before := [3]int{countRows(t, db, "employees"), countRows(t, db, "departments"), countRows(t, db, "audit_log")}
		data := "id,first name,last name,email,department,manager id\n" +
			"1,First1,Last1,e1@example.com,Front Desk,\n" +
			"2,Renamed,Last2,e2@example.com,Kitchen,1\n" +
			"3,New,Person,new@example.com,Bar,2\n"
		plan := mustPlan(t, s, data, people.ImportOptions{DeactivateMissing: true})
		if !plan.OK() || numbers(plan.Creates) != "3" || numbers(plan.Updates) != "2" || numbers(plan.Unchanged) != "1" {
			t.Fatalf("plan %+v", plan)
		}
		if got := plan.Updates[0].Changed; !slices.Equal(got, []string{"first_name", "department"}) {
			t.Errorf("changed %v", got)
		}
		after := [3]int{countRows(t, db, "employees"), countRows(t, db, "departments"), countRows(t, db, "audit_log")}
		if before != after {
			t.Fatalf("plan wrote: before %v after %v", before, after)
		}
		if e := mustFind(t, s, "2"); e.FirstName != "First2" {
			t.Fatalf("plan changed employee 2: %+v", e)
		}
	})
}

func TestImportApplyWithErrorWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		mustSave(t, s, emp("2", "1"))
		count := func() [4]int {
			return [4]int{countRows(t, db, "employees"), countRows(t, db, "departments"), countRows(t, db, "locations"), countRows(t, db, "audit_log")}
		}
		before := count()
		data := "id,first name,last name,email,department,location,status\n" +
			"1,Changed,Last1,e1@example.com,New Dept,New Town,\n" +
			"3,New,Person,new@example.com,Other Dept,,\n" +
			"4,Bad,Row,bad@,Front Desk,,\n"
		plan, err := s.ApplyImport(ctx, []byte(data), people.ImportOptions{DeactivateMissing: true}, nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		if plan.OK() || len(plan.Errors) != 1 || plan.Errors[0].Line != 4 {
			t.Fatalf("errors %+v", plan.Errors)
		}
		if after := count(); after != before {
			t.Fatalf("apply with errors wrote: before %v after %v", before, after)
		}
		if e := mustFind(t, s, "1"); e.FirstName != "First1" || e.Department != "Front Desk" {
			t.Fatalf("employee 1 changed: %+v", e)
		}
		if e := mustFind(t, s, "2"); !e.Active {
			t.Fatal("employee 2 deactivated")
		}
	})
}

func TestImportApply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		two := emp("2", "1")
		two.Roles = "hr"
		mustSave(t, s, two)
		mustSave(t, s, emp("3", "1"))

		data := "Employee ID,First Name,Last Name,Email,Job Title,Department,Location,Manager ID,Hire Date\n" +
			"1,First1,Last1,e1@example.com,Agent,front desk,Leeds,,\n" + // unchanged (department in other case)
			"2,First2,Last2,e2@example.com,Agent,Kitchen,Leeds,5,2021-02-03\n" + // new department, manager created below
			"3,First3,Last3,E3@example.com,Agent,Front Desk,York,,\n" + // email case, location, manager removed
			"4,Four,Person,four@example.com,Chef,Kitchen,York,5,03/04/2022\n" +
			"5,Five,Person,five@example.com,Head Chef,Kitchen,York,1,\n"
		plan, err := s.ApplyImport(ctx, []byte(data), people.ImportOptions{Admin: true}, nil, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if !plan.OK() {
			t.Fatalf("errors %+v", plan.Errors)
		}
		if numbers(plan.Creates) != "4,5" || numbers(plan.Updates) != "2,3" || numbers(plan.Unchanged) != "1" || len(plan.Deactivates) != 0 {
			t.Fatalf("plan creates %s updates %s unchanged %s", numbers(plan.Creates), numbers(plan.Updates), numbers(plan.Unchanged))
		}
		if got := plan.Updates[1].Changed; !slices.Equal(got, []string{"email", "location", "manager"}) {
			t.Errorf("3 changed %v", got)
		}
		checkEmployee(t, s, "2", want{"First2", "Last2", "e2@example.com", "Agent", "Kitchen", "Leeds", "5", "2021-02-03", true})
		checkEmployee(t, s, "3", want{"First3", "Last3", "E3@example.com", "Agent", "Front Desk", "York", "", "", true})
		checkEmployee(t, s, "4", want{"Four", "Person", "four@example.com", "Chef", "Kitchen", "York", "5", "2022-04-03", true})
		checkEmployee(t, s, "5", want{"Five", "Person", "five@example.com", "Head Chef", "Kitchen", "York", "1", "", true})
		if e := mustFind(t, s, "2"); e.Roles != "hr" {
			t.Errorf("roles of 2 = %q, want hr kept", e.Roles)
		}
		if e := mustFind(t, s, "4"); e.SearchKey != "4 four person four@example.com" {
			t.Errorf("search key %q", e.SearchKey)
		}
		if changed, err := people.RebuildPaths(ctx, db); err != nil || changed != 0 {
			t.Errorf("reporting-line paths: %d wrong (err %v)", changed, err)
		}
		line, err := s.ReportingLine(ctx, mustFind(t, s, "1").ID, true)
		if err != nil {
			t.Fatal(err)
		}
		var below []string
		for _, m := range line {
			below = append(below, fmt.Sprintf("%s@%d", m.Number, m.Depth))
		}
		if slices.Sort(below); strings.Join(below, " ") != "2@2 4@2 5@1" {
			t.Errorf("line of 1: %v", below)
		}
		if n := countRows(t, db, "departments"); n != 2 {
			t.Errorf("%d departments, want 2", n)
		}
		if _, err := s.FindEmployeeByEmail(ctx, "e3@example.com"); err != nil {
			t.Errorf("find by new email: %v", err)
		}
		log, _, err := s.ListAudit(ctx, people.AuditFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].Action != "employees.import" || log[0].Actor != "admin@example.com" ||
			!strings.HasPrefix(log[0].Detail, "2 created, 2 updated, 0 deactivated") {
			t.Fatalf("audit %+v", log)
		}

		again := mustApply(t, s, data, people.ImportOptions{Admin: true})
		if len(again.Creates)+len(again.Updates)+len(again.Deactivates) != 0 || len(again.Unchanged) != 5 {
			t.Fatalf("second apply: creates %s updates %+v", numbers(again.Creates), again.Updates)
		}
	})
}

func TestImportRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := people.NewStore(db)
		one := emp("1", "")
		one.Roles = "hr"
		mustSave(t, s, one)
		const head = "id,first name,last name,email,department,location,job title,roles\n"
		plan := mustApply(t, s, head+"1,First1,Last1,e1@example.com,Front Desk,Leeds,Agent,\n2,B,B,b@example.com,,,,admin; hr\n", people.ImportOptions{Admin: true})
		if numbers(plan.Unchanged) != "1" {
			t.Fatalf("empty roles cell should keep roles: %+v", plan)
		}
		if e := mustFind(t, s, "2"); e.Roles != "hr,admin" {
			t.Errorf("roles of 2 = %q", e.Roles)
		}
		plan = mustApply(t, s, head+"1,First1,Last1,e1@example.com,Front Desk,Leeds,Agent,staff\n", people.ImportOptions{Admin: true})
		if len(plan.Updates) != 1 || !slices.Equal(plan.Updates[0].Changed, []string{"roles"}) {
			t.Fatalf("updates %+v", plan.Updates)
		}
		if e := mustFind(t, s, "1"); e.Roles != "" {
			t.Errorf("roles of 1 = %q, want none", e.Roles)
		}
	})
}

func TestImportEmailSwap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		mustSave(t, s, emp("2", ""))
		data := "id,first name,last name,email,department,location,job title\n" +
			"1,First1,Last1,e2@example.com,Front Desk,Leeds,Agent\n" +
			"2,First2,Last2,e1@example.com,Front Desk,Leeds,Agent\n" +
			"3,New,Person,e3@example.com,,,\n"
		plan := mustApply(t, s, data, people.ImportOptions{})
		if numbers(plan.Updates) != "1,2" || numbers(plan.Creates) != "3" {
			t.Fatalf("plan %+v", plan)
		}
		if e := mustFind(t, s, "1"); e.Email != "e2@example.com" || e.EmailKey != "e2@example.com" {
			t.Fatalf("employee 1 %+v", e)
		}
	})
}

func TestImportDeactivateMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		stayer := mustSave(t, s, emp("1", ""))
		mustSave(t, s, emp("2", "1"))
		leaver := mustSave(t, s, emp("3", "1"))
		quitter := mustSave(t, s, emp("4", "1"))
		for _, id := range []int64{leaver.ID, quitter.ID, stayer.ID} {
			if _, _, err := s.CreateSession(ctx, id, "127.0.0.1", "test"); err != nil {
				t.Fatal(err)
			}
		}
		data := "id,first name,last name,email,department,location,job title,manager id,status\n" +
			"1,First1,Last1,e1@example.com,Front Desk,Leeds,Agent,,Active\n" +
			"2,First2,Last2,e2@example.com,Front Desk,Leeds,Agent,1,\n" +
			"4,First4,Last4,e4@example.com,Front Desk,Leeds,Agent,1,Left\n"

		plan := mustPlan(t, s, data, people.ImportOptions{})
		if len(plan.Deactivates) != 0 {
			t.Fatalf("deactivates without the option: %+v", plan.Deactivates)
		}
		plan = mustApply(t, s, data, people.ImportOptions{DeactivateMissing: true})
		if numbers(plan.Deactivates) != "3" || numbers(plan.Updates) != "4" || !slices.Equal(plan.Updates[0].Changed, []string{"active"}) {
			t.Fatalf("deactivates %+v updates %+v", plan.Deactivates, plan.Updates)
		}
		for _, number := range []string{"3", "4"} {
			e := mustFind(t, s, number)
			if e.Active || e.DeactivatedAt == nil {
				t.Errorf("employee %s not deactivated: %+v", number, e)
			}
		}
		left := mustFind(t, s, "4").DeactivatedAt
		mustApply(t, s, strings.Replace(data, "First4,", "Renamed4,", 1), people.ImportOptions{})
		if e := mustFind(t, s, "4"); e.FirstName != "Renamed4" || e.Active || e.DeactivatedAt == nil || !e.DeactivatedAt.Equal(*left) {
			t.Errorf("leaver's update lost the deactivation date: %+v", e)
		}
		mustApply(t, s, data, people.ImportOptions{})

		var sessions []int64
		if err := db.NewSelect().TableExpr("sessions").Column("employee_id").Scan(ctx, &sessions); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sessions, []int64{stayer.ID}) {
			t.Errorf("sessions left for %v, want only %d", sessions, stayer.ID)
		}
		if n := countRows(t, db, "employees"); n != 4 {
			t.Errorf("%d employees, want 4 (leavers kept)", n)
		}

		again := mustApply(t, s, data, people.ImportOptions{DeactivateMissing: true})
		if len(again.Deactivates)+len(again.Updates)+len(again.Creates) != 0 {
			t.Fatalf("second apply %+v", again)
		}

		back := mustApply(t, s, data+"3,First3,Last3,e3@example.com,Front Desk,Leeds,Agent,1,Active\n", people.ImportOptions{})
		if numbers(back.Updates) != "3" || !slices.Equal(back.Updates[0].Changed, []string{"active"}) {
			t.Fatalf("rejoiner: updates %+v", back.Updates)
		}
		if e := mustFind(t, s, "3"); !e.Active || e.DeactivatedAt != nil {
			t.Errorf("employee 3 not reactivated: %+v", e)
		}
	})
}

func TestImportLargeCycleMessage(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,email,manager id\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "%d,P %d,p%d@example.com,%d\n", i, i, i, i%30+1)
	}
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		plan := mustPlan(t, people.NewStore(db), b.String(), people.ImportOptions{})
		if len(plan.Errors) != 30 || len(plan.Errors[0].Message) > 300 {
			t.Fatalf("%d errors, first %q", len(plan.Errors), plan.Errors[0].Message)
		}
	})
}

func TestImportManagerByEmailInDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		mustApply(t, s, "id,name,email,manager email\n2,Bo Ray,bo@example.com,E1@example.com\n", people.ImportOptions{})
		checkEmployee(t, s, "2", want{first: "Bo", last: "Ray", email: "bo@example.com", manager: "1", active: true})
	})
}
