package people_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// importFields are the fields an import error may name.
var importFields = []string{"file", "employee_number", "first_name", "last_name", "full_name", "email", "job_title",
	"department", "location", "manager_number", "manager_email", "hire_date", "active", "roles"}

// FuzzPlanImport plans fuzzed employee files against a small organisation
// on SQLite. Whatever the file, planning is not an internal error; every
// problem names a known field and a line inside the file; a plan with
// problems writes nothing when applied; a plan without them accounts for
// every row, and once applied the same file plans as all unchanged.
// make test runs it for a few seconds and make fuzz for longer; inputs that
// once failed are kept under testdata/fuzz/FuzzPlanImport.
func FuzzPlanImport(f *testing.F) {
	const head = "Employee Number,First Name,Last Name,Email,Manager Number,Hire Date,Status,Department,Roles\n"
	for _, s := range []string{
		"\xEF\xBB\xBFEmployee Number,First Name,Last Name,Email\n1,Ann,Lee,ann@example.com\n",
		"employee_number;first_name;last_name;email;department\r\n1;Ann;Lee;ann@example.com;Desk, North\r\n",
		"Employee ID\tFirst Name\tLast Name\tEmail\tLocation\n1\tAnn\tLee\tann@example.com\tLeeds, UK\n",
		"Number,First Name,Last Name,Email,Job Title\n1,\"Ann, \"\"Annie\"\"\",Lee,ann@example.com,\"Front\r\nDesk; Agent\"\n2,Bob,Ray,bob@example.com,Agent\n",
		"Worker ID;Given Name;Surname;Work Email;Position;Dept;City;Manager Email;Start Date\n20;Bob;Ray;Bob@Example.com;Agent;Front Desk;York;ann@example.com;01/03/2024\n10;Ann;Lee;ann@example.com;Head;Front Desk;Leeds;;2020-01-31\n",
		"Staff ID,Name,E-mail\n1,Mary Ann  Smith,mary@example.com\n2,Cher,cher@example.com\n",
		"\r\nid,first name,last name,email,status\r\n\r\n1,A,B,a@example.com,Terminated\r\n,,,,\r\n2,C,D,c@example.com,\r\n",
		"sep=;\nid;first name;last name;email\n1;A;B;a@example.com\n",
		head + "1,First1,Last1,e1@example.com,,2020-01-01,active,Front Desk,hr\n2,First2,Last2,e2@example.com,1,,yes,Front Desk,\n",
		head + "3,A,A,a@example.com,9,,\n9,B,B,b@example.com,3,,\n",
		head + "1,A,A,e2@example.com,,,\n2,B,B,e1@example.com,,,\n",
		head + "1,A \"the\" A,A,a@example.com,,,\n",
		head + "1,,,bad,,2024-13-01,maybe\n",
		"\xFF\xFEE\x00m\x00a\x00i\x00l\x00\n\x00",
		"id,first name,last name,email\n1,Ren\xe9e,B,b@example.com\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(head+"1,First1,Last1,e1@example.com,,,\n"), true)

	// The organisation: 1 ← 2 ← 3, and 4 in another department. Each
	// applied plan starts again from a copy of it.
	ctx := context.Background()
	db := storetest.MustOpen(f, "sqlite")
	s := people.NewStore(db)
	for _, in := range []people.EmployeeInput{emp("1", ""), emp("2", "1"), emp("3", "2"), emp("4", "1")} {
		mustSave(f, s, in)
	}
	template := filepath.Join(f.TempDir(), "template.db")
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", template); err != nil {
		f.Fatal(err)
	}
	tmpl, err := os.ReadFile(template)
	if err != nil {
		f.Fatal(err)
	}
	work := f.TempDir()

	f.Fuzz(func(t *testing.T, data []byte, deactivate bool) {
		opt := people.ImportOptions{DeactivateMissing: deactivate}
		plan, err := s.PlanImport(ctx, data, opt)
		if err != nil {
			t.Fatalf("planning the file is an internal error: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range plan.Errors {
			if e.Line < 1 || e.Line > lines || !slices.Contains(importFields, e.Field) || strings.TrimSpace(e.Message) == "" {
				t.Fatalf("error %+v: want a line within the file's %d, a known field and a message", e, lines)
			}
		}
		for _, r := range slices.Concat(plan.Creates, plan.Updates, plan.Unchanged) {
			if r.Line < 1 || r.Line > lines || r.Number == "" {
				t.Fatalf("plan row %+v: want a line within the file's %d and a number", r, lines)
			}
		}
		if !plan.OK() {
			before := employeeRows(t, db)
			if applied, err := s.ApplyImport(ctx, data, opt, nil, "fuzz"); err != nil || applied.OK() {
				t.Fatalf("apply of a plan with errors: %v, %+v", err, applied)
			}
			if after := employeeRows(t, db); after != before {
				t.Fatalf("a refused import changed the employees:\n%s\nbefore:\n%s", after, before)
			}
			return
		}
		if n := len(plan.Creates) + len(plan.Updates) + len(plan.Unchanged); n != plan.Rows || n == 0 {
			t.Fatalf("%d rows read, %d creates, %d updates, %d unchanged", plan.Rows, len(plan.Creates), len(plan.Updates), len(plan.Unchanged))
		}

		// Apply it to a copy of the organisation; planning it again then finds nothing to do.
		path := filepath.Join(work, "apply.db")
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
		if err := os.WriteFile(path, tmpl, 0o600); err != nil {
			t.Fatal(err)
		}
		cdb, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer cdb.Close()
		cs := people.NewStore(cdb)
		applied, err := cs.ApplyImport(ctx, data, opt, nil, "fuzz")
		if err != nil {
			t.Fatalf("apply of a plan without errors is an internal error: %v", err)
		}
		if !applied.OK() {
			t.Fatalf("apply of a plan without errors finds errors: %+v", applied.Errors)
		}
		again, err := cs.PlanImport(ctx, data, opt)
		if err != nil || !again.OK() || len(again.Creates)+len(again.Updates)+len(again.Deactivates) != 0 {
			t.Fatalf("the applied file plans again with changes: %v\ncreates %v\nupdates %+v\ndeactivates %v\nerrors %+v",
				err, again.Creates, again.Updates, again.Deactivates, again.Errors)
		}
	})
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// employeeRows lists every employee's stored fields, one line each.
func employeeRows(t *testing.T, db *bun.DB) string {
	t.Helper()
	var rows []struct {
		bun.BaseModel `bun:"table:employees"`
		Number        string
		FirstName     string
		LastName      string
		Email         string
		Roles         string
		Active        bool
		ManagerID     *int64
		DepartmentID  *int64
	}
	if err := db.NewSelect().Model(&rows).Column("number", "first_name", "last_name", "email", "roles", "active", "manager_id", "department_id").
		OrderExpr("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%v|%v|%v\n", r.Number, r.FirstName, r.LastName, r.Email, r.Roles, r.Active,
			deref(r.ManagerID), deref(r.DepartmentID))
	}
	return b.String()
}
