package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// Demo people the role tests use: BW1001 is HR (hr@), BW1002 the only admin
// (admin@), BW1004 a second HR person.
const (
	hrNumber      = "BW1001"
	adminNumber   = "BW1002"
	otherHRNumber = "BW1004"
)

// apiCall sends a request with a bearer token and decodes the JSON answer.
func apiCall(t *testing.T, ts *testServer, token, method, path, body string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := ts.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out, string(raw)
}

// uploadImport sends a CSV to the import page and returns the preview's address.
func (c *client) uploadImport(content string) string {
	c.tb.Helper()
	c.get("/people/import")
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", c.csrf)
	fw, _ := w.CreateFormFile("file", "people.csv")
	io.WriteString(fw, content)
	w.Close()
	resp, body := c.do("POST", "/people/import", &buf, w.FormDataContentType())
	if resp.StatusCode != http.StatusSeeOther {
		c.tb.Fatalf("upload: %d\n%.300s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func mustRoles(t *testing.T, ts *testServer, number string) string {
	t.Helper()
	e, err := ts.People.FindEmployeeByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return e.Roles
}

// auditCountOf counts the audit entries with action and subject.
func auditCountOf(t *testing.T, ts *testServer, action, subject string) int {
	t.Helper()
	n, err := ts.DB.NewSelect().TableExpr("audit_log").Where("action = ? AND subject = ?", action, subject).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestFinding01ImportRolesOnlyByAdmins: HR cannot make herself (or anyone)
// admin through the CSV import, on the page or through the API: the roles
// field gets a row error and nothing is written. Admins can; the last
// active admin cannot be removed by anyone.
func TestFinding01ImportRolesOnlyByAdmins(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testFinding01(t, dialect) })
	}
}

func testFinding01(t *testing.T, dialect string) {
	ts := mustServer(t, dialect)
	ctx := context.Background()
	const head = "Employee ID,First Name,Last Name,Email,Roles\n"
	selfAdmin := head + hrNumber + ",Priya,Shah,hr@brightwater.example,hr admin\n"

	// The page: the preview shows the problem on the roles field; applying writes nothing.
	hr := ts.client(t)
	hr.signIn(hrEmail)
	preview := hr.uploadImport(selfAdmin)
	resp, body := hr.get(preview)
	d := doc(t, body)
	row := d.Find("#row-errors tbody tr").First()
	if resp.StatusCode != http.StatusUnprocessableEntity || row.Find("td").Eq(1).Text() != "roles" ||
		!strings.Contains(row.Find("td").Eq(2).Text(), "Only an admin") || d.Find("#apply").Length() != 0 {
		t.Fatalf("HR preview of a file that makes her admin: %d, error %q", resp.StatusCode, row.Text())
	}
	if resp, _ := hr.post(preview+"/apply", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("HR applies it anyway: %d, want 422", resp.StatusCode)
	}
	if r := mustRoles(t, ts, hrNumber); r != "hr" {
		t.Fatalf("HR's roles after her import: %q, want hr", r)
	}
	// Granting anyone a role, or taking one away, is refused the same way;
	// a file whose roles match what is stored goes through.
	for _, csv := range []string{
		head + "HRX1,New,Person,hrx1@brightwater.example,manager\n",
		head + otherHRNumber + ",Ruth,Adeyemi,ruth.adeyemi@brightwater.example,staff\n",
	} {
		_, body := hr.get(hr.uploadImport(csv))
		if f := doc(t, body).Find("#row-errors tbody tr td").Eq(1).Text(); f != "roles" {
			t.Errorf("HR import %q: error field %q, want roles", csv, f)
		}
	}
	same := head + hrNumber + ",Priya,Shah,hr@brightwater.example,hr\n"
	if resp, _ := hr.get(hr.uploadImport(same)); resp.StatusCode != http.StatusOK {
		t.Fatalf("HR import with unchanged roles: %d, want 200", resp.StatusCode)
	}

	// The API: the same answer, nothing written, with or without dry_run.
	hrTok, _, err := ts.People.CreateToken(ctx, "hris", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/employees/import?dry_run=true", "/api/v1/employees/import"} {
		status, out, raw := apiCall(t, ts, hrTok, "POST", path, selfAdmin)
		errs, _ := out["errors"].([]any)
		if status != http.StatusUnprocessableEntity || len(errs) != 1 || errs[0].(map[string]any)["field"] != "roles" {
			t.Fatalf("HR token %s: %d %s", path, status, raw)
		}
	}
	if r := mustRoles(t, ts, hrNumber); r != "hr" {
		t.Fatalf("HR's roles after the API import: %q, want hr", r)
	}
	if n := auditCountOf(t, ts, "access.refused", hrNumber); n == 0 {
		t.Error("the refused role change is not in the audit log")
	}

	// Admins may change roles through the import...
	admin := ts.client(t)
	admin.signIn(adminEmail)
	preview = admin.uploadImport(head + otherHRNumber + ",Ruth,Adeyemi,ruth.adeyemi@brightwater.example,hr manager\n")
	if resp, _ := admin.post(preview+"/apply", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin import with roles: %d", resp.StatusCode)
	}
	if r := mustRoles(t, ts, otherHRNumber); r != "manager,hr" {
		t.Fatalf("roles after the admin's import: %q, want manager,hr", r)
	}
	// ...but not take the admin role from the last active admin, nor deactivate them.
	adminTok, _, err := ts.People.CreateToken(ctx, "admin sync", people.RoleAdmin, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, csv := range []string{
		head + adminNumber + ",Alex,Morgan,admin@brightwater.example,staff\n",
		"Employee ID,First Name,Last Name,Email,Status\n" + adminNumber + ",Alex,Morgan,admin@brightwater.example,Inactive\n",
	} {
		status, out, raw := apiCall(t, ts, adminTok, "POST", "/api/v1/employees/import", csv)
		errs, _ := out["errors"].([]any)
		if status != http.StatusUnprocessableEntity || len(errs) == 0 || !strings.Contains(errs[0].(map[string]any)["message"].(string), "last active admin") {
			t.Fatalf("admin import that removes the last admin: %d %s", status, raw)
		}
	}
	if e, _ := ts.People.FindEmployeeByNumber(ctx, adminNumber); e.Roles != "admin" || !e.Active {
		t.Fatalf("the last admin after the imports: roles %q active %v", e.Roles, e.Active)
	}
}

// TestFinding01RoleChangesKeepAnAdmin: the roles page and the API never take
// the admin role or the active flag from the last active admin.
func TestFinding01RoleChangesKeepAnAdmin(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	admin := ts.client(t)
	admin.signIn(adminEmail)
	// A second admin; each may then remove the other's role, the last one stays.
	admin.get("/people/" + otherHRNumber)
	if resp, _ := admin.post("/people/"+otherHRNumber+"/roles", url.Values{"role_admin": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant admin: %d", resp.StatusCode)
	}
	if n := auditCountOf(t, ts, "employee.roles", otherHRNumber); n != 1 {
		t.Fatalf("role change audited %d times, want 1", n)
	}
	second := ts.client(t)
	second.signIn("ruth.adeyemi@brightwater.example")
	second.get("/people/" + adminNumber)
	if resp, _ := second.post("/people/"+adminNumber+"/roles", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second admin removes the first: %d", resp.StatusCode)
	}
	if r := mustRoles(t, ts, adminNumber); r != "" {
		t.Fatalf("first admin's roles: %q", r)
	}
	// Ruth is now the last active admin: her role and her account stay.
	adminTok, _, err := ts.People.CreateToken(ctx, "admin sync", people.RoleAdmin, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	status, out, raw := apiCall(t, ts, adminTok, "PUT", "/api/v1/employees/"+otherHRNumber,
		`{"first_name":"Ruth","last_name":"Adeyemi","email":"ruth.adeyemi@brightwater.example","roles":[]}`)
	if status != http.StatusUnprocessableEntity || out["field"] != "roles" || !strings.Contains(raw, "last active admin") {
		t.Fatalf("API removes the last admin's role: %d %s", status, raw)
	}
	status, out, raw = apiCall(t, ts, adminTok, "PUT", "/api/v1/employees/"+otherHRNumber,
		`{"first_name":"Ruth","last_name":"Adeyemi","email":"ruth.adeyemi@brightwater.example","active":false}`)
	if status != http.StatusUnprocessableEntity || out["field"] != "active" {
		t.Fatalf("API deactivates the last admin: %d %s", status, raw)
	}
	e, err := ts.People.FindEmployeeByNumber(ctx, otherHRNumber)
	if err != nil || e.Roles != "admin" || !e.Active {
		t.Fatalf("the last admin: %+v %v", e, err)
	}
}

// TestFinding02HRCannotTakeOverAdmins: only admins issue password links for,
// edit, deactivate or reactivate people who hold HR or admin; the buttons
// are not shown to HR and the server refuses (403), on the page and through
// the API.
func TestFinding02HRCannotTakeOverAdmins(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	hr := ts.client(t)
	hr.signIn(hrEmail)
	links := func(number string) int {
		e, err := ts.People.FindEmployeeByNumber(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		n, err := ts.DB.NewSelect().TableExpr("password_links").Where("employee_id = ?", e.ID).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	for _, num := range []string{adminNumber, otherHRNumber} {
		resp, body := hr.get("/people/" + num)
		d := doc(t, body)
		if resp.StatusCode != 200 {
			t.Fatalf("HR opens %s: %d", num, resp.StatusCode)
		}
		for _, sel := range []string{`form[action$="/password-link"]`, `form[action$="/deactivate"]`, `a[href$="/edit"]`} {
			if d.Find(sel).Length() != 0 {
				t.Errorf("HR sees %s on %s's page", sel, num)
			}
		}
		before := links(num)
		for _, r := range []struct {
			method, path string
			form         url.Values
		}{
			{"POST", "/people/" + num + "/password-link", nil},
			{"GET", "/people/" + num + "/edit", nil},
			{"POST", "/people/" + num, url.Values{"first_name": {"Taken"}, "last_name": {"Over"}, "email": {"attacker@brightwater.example"}, "active": {"on"}}},
			{"POST", "/people/" + num + "/deactivate", nil},
			{"POST", "/people/" + num + "/reactivate", nil},
		} {
			var resp *http.Response
			var body string
			if r.method == "GET" {
				resp, body = hr.get(r.path)
			} else {
				resp, body = hr.post(r.path, r.form)
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("HR %s %s: %d, want 403", r.method, r.path, resp.StatusCode)
			}
			if strings.Contains(body, "/password/") {
				t.Errorf("HR %s %s: the answer holds a password link", r.method, r.path)
			}
		}
		if links(num) != before {
			t.Errorf("a password link was made for %s", num)
		}
		e, _ := ts.People.FindEmployeeByNumber(ctx, num)
		if !e.Active || strings.Contains(e.Email, "attacker") {
			t.Errorf("%s changed: active %v email %s", num, e.Active, e.Email)
		}
		if n := auditCountOf(t, ts, "access.refused", num); n < 5 {
			t.Errorf("refusals on %s audited %d times, want 5", num, n)
		}
	}

	// HR still manages everyone else, and edits her own record.
	resp, body := hr.post("/people/"+inLine+"/password-link", nil)
	if resp.StatusCode != 200 || doc(t, body).Find("#password-link").Length() != 1 {
		t.Fatalf("HR password link for staff: %d", resp.StatusCode)
	}
	if resp, _ := hr.get("/people/" + hrNumber + "/edit"); resp.StatusCode != 200 {
		t.Fatalf("HR edits herself: %d", resp.StatusCode)
	}
	// Admins manage HR and admins.
	admin := ts.client(t)
	admin.signIn(adminEmail)
	admin.get("/people/" + hrNumber)
	if resp, body := admin.post("/people/"+hrNumber+"/password-link", nil); resp.StatusCode != 200 || doc(t, body).Find("#password-link").Length() != 1 {
		t.Fatalf("admin password link for HR: %d", resp.StatusCode)
	}

	// The API: an HR token may not change an HR or admin person; the answer names no secret.
	hrTok, _, err := ts.People.CreateToken(ctx, "hris", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, num := range []string{adminNumber, otherHRNumber} {
		e, _ := ts.People.FindEmployeeByNumber(ctx, num)
		status, out, raw := apiCall(t, ts, hrTok, "PUT", "/api/v1/employees/"+num,
			`{"first_name":"`+e.FirstName+`","last_name":"`+e.LastName+`","email":"attacker@brightwater.example"}`)
		if status != http.StatusForbidden || out["error"] == "" || strings.Contains(raw, "argon2") || strings.Contains(raw, e.Email) {
			t.Errorf("HR token PUT %s: %d %s", num, status, raw)
		}
	}
	if e, _ := ts.People.FindEmployeeByNumber(ctx, adminNumber); e.Email != adminEmail {
		t.Fatalf("admin's email changed to %s", e.Email)
	}
	// Nor through the import.
	status, out, raw := apiCall(t, ts, hrTok, "POST", "/api/v1/employees/import",
		"Employee ID,First Name,Last Name,Email\n"+adminNumber+",Alex,Morgan,attacker@brightwater.example\n")
	errs, _ := out["errors"].([]any)
	if status != http.StatusUnprocessableEntity || len(errs) != 1 || errs[0].(map[string]any)["field"] != "employee_number" {
		t.Fatalf("HR import that changes the admin: %d %s", status, raw)
	}
	status, _, raw = apiCall(t, ts, hrTok, "POST", "/api/v1/employees/import?deactivate_missing=true&dry_run=true",
		"Employee ID,First Name,Last Name,Email\n"+hrNumber+",Priya,Shah,hr@brightwater.example\n")
	if status != http.StatusUnprocessableEntity || !strings.Contains(raw, adminNumber) {
		t.Fatalf("HR import that deactivates the admin: %d %.300s", status, raw)
	}
}

// TestFinding03EmptyRolesIsARoleChange: an HR token's "roles": [] is a role
// change like any other, so only admin tokens may send one that changes
// anything.
func TestFinding03EmptyRolesIsARoleChange(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	hrTok, _, err := ts.People.CreateToken(ctx, "hris", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	adminTok, _, err := ts.People.CreateToken(ctx, "admin sync", people.RoleAdmin, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A staff member granted the manager role by an admin.
	if status, _, raw := apiCall(t, ts, adminTok, "PUT", "/api/v1/employees/"+staffNumber,
		`{"first_name":"Aisha","last_name":"Khan","email":"`+staffEmail+`","roles":["manager"]}`); status != 200 {
		t.Fatalf("admin grants manager: %d %s", status, raw)
	}
	body := func(first, last, email string) string {
		return `{"first_name":"` + first + `","last_name":"` + last + `","email":"` + email + `","roles":[]}`
	}
	for _, r := range []struct{ number, body string }{
		{adminNumber, body("Alex", "Morgan", adminEmail)},
		{otherHRNumber, body("Ruth", "Adeyemi", "ruth.adeyemi@brightwater.example")},
		{staffNumber, body("Aisha", "Khan", staffEmail)},
	} {
		before := mustRoles(t, ts, r.number)
		status, out, raw := apiCall(t, ts, hrTok, "PUT", "/api/v1/employees/"+r.number, r.body)
		if status != http.StatusForbidden || out["field"] != "roles" && r.number == staffNumber {
			t.Errorf("HR token strips %s's roles: %d %s", r.number, status, raw)
		}
		if after := mustRoles(t, ts, r.number); after != before {
			t.Errorf("%s's roles changed from %q to %q", r.number, before, after)
		}
	}
	// Sending the roles a person already has is no change; a new employee with none neither.
	if status, _, raw := apiCall(t, ts, hrTok, "PUT", "/api/v1/employees/"+inLine, func() string {
		e, _ := ts.People.FindEmployeeByNumber(ctx, inLine)
		return body(e.FirstName, e.LastName, e.Email)
	}()); status != 200 {
		t.Errorf("HR token, roles [] on someone without roles: %d %s", status, raw)
	}
	if status, _, raw := apiCall(t, ts, hrTok, "PUT", "/api/v1/employees/NEW1", body("New", "Person", "new1@brightwater.example")); status != 201 {
		t.Errorf("HR token creates someone with roles []: %d %s", status, raw)
	}
	// An admin token may.
	if status, _, raw := apiCall(t, ts, adminTok, "PUT", "/api/v1/employees/"+staffNumber, body("Aisha", "Khan", staffEmail)); status != 200 {
		t.Fatalf("admin token clears roles: %d %s", status, raw)
	}
	if r := mustRoles(t, ts, staffNumber); r != "" {
		t.Fatalf("roles after the admin cleared them: %q", r)
	}
}
