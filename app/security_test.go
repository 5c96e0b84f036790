package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestFinding04SignInRedirectStaysOnSite: the sign-in form and the sign-in
// page of a signed-in user send a next=/%09/evil.example home, not to
// //evil.example.
func TestFinding04SignInRedirectStaysOnSite(t *testing.T) {
	ts := mustServer(t, "sqlite")
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "\\/evil.example", " //evil.example"} {
		c := ts.client(t)
		c.get("/signin?next=" + url.QueryEscape(next))
		resp, body := c.post("/signin", url.Values{"email": {staffEmail}, "password": {demoPassword}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("sign in with next=%q: %d to %q, want 303 to /\n%.300s", next, resp.StatusCode, resp.Header.Get("Location"), body)
		}
		// In the address a control character is refused outright (finding 11);
		// otherwise the signed-in user goes home.
		resp, _ = c.get("/signin?next=" + url.QueryEscape(next))
		if loc := resp.Header.Get("Location"); !(resp.StatusCode == http.StatusFound && loc == "/") && resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("signed in, /signin?next=%q: %d to %q, want 302 to / or 422", next, resp.StatusCode, loc)
		}
	}
	c := ts.client(t)
	c.get("/signin")
	resp, _ := c.post("/signin", url.Values{"email": {staffEmail}, "password": {demoPassword}, "next": {"/learn?x=1"}})
	if loc := resp.Header.Get("Location"); loc != "/learn?x=1" {
		t.Fatalf("a path on the site: redirected to %q, want /learn?x=1", loc)
	}
}

// TestFinding09CSRFNotFromQuery: the CSRF token counts only in the
// X-CSRF-Token header or the body (urlencoded or multipart), never in the
// address, where it would leak into logs, history and Referer headers.
func TestFinding09CSRFNotFromQuery(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(adminEmail)
	token := c.csrf
	form := func(name string) *strings.Reader {
		return strings.NewReader(url.Values{"name": {name}}.Encode())
	}
	resp, body := c.do("POST", "/org/departments?_csrf="+url.QueryEscape(token), form("Query Token"), "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token in the query string: %d, want 403\n%.300s", resp.StatusCode, body)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("name", "Multipart Query Token")
	w.Close()
	resp, _ = c.do("POST", "/org/departments?_csrf="+url.QueryEscape(token), &buf, w.FormDataContentType())
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("multipart with the token in the query string: %d, want 403", resp.StatusCode)
	}
	if _, err := ts.People.FindOrgByName(context.Background(), people.Departments, "Query Token"); err == nil {
		t.Fatal("a department was created with the token in the query string")
	}

	// The body, a multipart body and the header still work.
	resp, _ = c.do("POST", "/org/departments", strings.NewReader(url.Values{"name": {"Body Token"}, "_csrf": {token}}.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("token in the body: %d, want 303", resp.StatusCode)
	}
	buf.Reset()
	w = multipart.NewWriter(&buf)
	w.WriteField("_csrf", token)
	w.WriteField("name", "Multipart Token")
	w.Close()
	resp, _ = c.do("POST", "/org/departments", &buf, w.FormDataContentType())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("token in a multipart body: %d, want 303", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", "http://localhost/org/departments", form("Header Token"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", token)
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	if resp, err := ts.App.Test(req, -1); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("token in the header: %v %v, want 303", resp.StatusCode, err)
	}
	for _, name := range []string{"Body Token", "Multipart Token", "Header Token"} {
		if _, err := ts.People.FindOrgByName(context.Background(), people.Departments, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFinding12APIHeaders: every /api/v1 answer, errors included, says
// Cache-Control: no-store and X-Content-Type-Options: nosniff; the verify
// addresses that end in .json answer their 429 in JSON too.
func TestFinding12APIHeaders(t *testing.T) {
	ts := mustServer(t, "sqlite")
	secret, _, err := ts.People.CreateToken(context.Background(), "hr token", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	staff, _, err := ts.People.CreateToken(context.Background(), "staff token", people.RoleStaff, staffNumber, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		method, path, token, body string
		status                    int
	}{
		{"GET", "/api/v1/employees", secret, "", 200},
		{"GET", "/api/v1/employees/" + staffNumber, secret, "", 200},
		{"GET", "/api/v1/employees", "", "", 401},
		{"GET", "/api/v1/employees", "sa_bogus", "", 401},
		{"GET", "/api/v1/employees", staff, "", 403},
		{"GET", "/api/v1/employees/NOPE", secret, "", 404},
		{"GET", "/api/v1/employees?limit=0", secret, "", 422},
		{"PUT", "/api/v1/employees/X1", secret, "{", 422},
		{"GET", "/api/v1/no-such-thing", secret, "", 404},
	} {
		req, _ := http.NewRequest(r.method, "http://localhost"+r.path, strings.NewReader(r.body))
		if r.token != "" {
			req.Header.Set("Authorization", "Bearer "+r.token)
		}
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != r.status {
			t.Errorf("%s %s: status %d, want %d", r.method, r.path, resp.StatusCode, r.status)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s %s (%d): Cache-Control %q, want no-store", r.method, r.path, resp.StatusCode, cc)
		}
		if v := resp.Header.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q, want nosniff", r.method, r.path, resp.StatusCode, v)
		}
	}

	pa := proxiedApp(t, ts)
	for _, path := range []string{"/verify/K7Q2-M9XD-4TPA-8WBN.json", "/verify/K7Q2-M9XD-4TPA-8WBN/badge.json", "/verify/K7Q2-M9XD-4TPA-8WBN/status.json"} {
		var resp *http.Response
		var body []byte
		for n := 0; n < 100; n++ {
			req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
			req.Header.Set("X-Forwarded-For", "198.51.100.12")
			resp, err = pa.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: never limited", path)
		}
		var out struct{ Error string }
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || json.Unmarshal(body, &out) != nil || out.Error == "" {
			t.Fatalf("%s 429: %q %.200s, want a JSON error", path, ct, body)
		}
		if resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s 429: headers %v", path, resp.Header)
		}
	}
}

// TestFinding08ManagerFilterOneNotFound: a manager token's ?manager= names
// someone outside its line or no one at all: the same 404, so the answer
// does not tell which employee numbers exist elsewhere.
func TestFinding08ManagerFilterOneNotFound(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	mgr, err := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := ts.People.CreateToken(ctx, "manager token", people.RoleManager, mgr.Number, nil)
	if err != nil {
		t.Fatal(err)
	}
	hr, _, err := ts.People.CreateToken(ctx, "hr token", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	get := func(token, manager string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", "http://localhost/api/v1/employees?manager="+url.QueryEscape(manager), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	outside, outsideBody := get(secret, staffNumber)
	missing, missingBody := get(secret, "NOPE")
	if outside != http.StatusNotFound || missing != http.StatusNotFound {
		t.Fatalf("manager outside the line: %d %v; no such number: %d %v; want 404 both", outside, outsideBody, missing, missingBody)
	}
	norm := func(m map[string]any, num string) string {
		return strings.ReplaceAll(fmt.Sprint(m["error"]), num, "N") + "|" + fmt.Sprint(m["field"])
	}
	if a, b := norm(outsideBody, staffNumber), norm(missingBody, "NOPE"); a != b || !strings.HasSuffix(a, "|manager") {
		t.Fatalf("answers differ: %q vs %q", a, b)
	}
	if status, out := get(secret, mgr.Number); status != http.StatusOK || len(out["employees"].([]any)) == 0 {
		t.Fatalf("own direct reports: %d %v", status, out)
	}
	if status, _ := get(secret, inLine); status != http.StatusOK {
		t.Fatalf("a manager in the line: %d", status)
	}
	// HR sees everyone: an existing number answers, an unknown one is the same 404.
	if status, _ := get(hr, staffNumber); status != http.StatusOK {
		t.Fatalf("HR, any manager: %d", status)
	}
	if status, out := get(hr, "NOPE"); status != http.StatusNotFound || out["field"] != "manager" {
		t.Fatalf("HR, no such number: %d %v", status, out)
	}
}

// TestFinding07AssessorNeedsTheLine: once the employee leaves the
// assessor's reporting line, the assessor can no longer open, save, sign
// off, amend or compare their observations of that employee.
func TestFinding07AssessorNeedsTheLine(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	cast := mustObserveCast(t, ts)
	obs := assessments.NewObservationStore(ts.DB)
	mgr := ts.client(t)
	mgr.signIn(ccMgrEmail)
	reportPage := "/people/" + url.PathEscape(cast.report.Number) + "/observe"

	start := func(slug string) string {
		t.Helper()
		mgr.get(reportPage)
		resp, _ := mgr.post(reportPage+"/"+slug, nil)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/observations/") {
			t.Fatalf("start %s: %d %q", slug, resp.StatusCode, loc)
		}
		return loc
	}
	const signedSlug, draftSlug = "wrong-department-handover", "irate-billing-error"
	stored, err := obs.FindChecklist(ctx, signedSlug)
	if err != nil {
		t.Fatal(err)
	}
	signed := start(signedSlug)
	mgr.get(signed)
	if resp, body := mgr.post(signed+"/signoff", ratingsForm(&stored.Checklist, nil)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign off: %d\n%.300s", resp.StatusCode, body)
	}
	draftCL, err := obs.FindChecklist(ctx, draftSlug)
	if err != nil {
		t.Fatal(err)
	}
	draft := start(draftSlug)
	if resp, _ := mgr.get(signed + "/amend"); resp.StatusCode != http.StatusOK {
		t.Fatalf("amend form while in the line: %d", resp.StatusCode)
	}

	// HR moves the employee to a manager outside the assessor's line.
	e, err := ts.People.FindEmployeeByNumber(ctx, cast.report.Number)
	if err != nil {
		t.Fatal(err)
	}
	in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName, Email: e.Email,
		JobTitle: e.JobTitle, Department: e.Department, Location: e.Location, ManagerNumber: cast.outsider.ManagerNumber,
		HireDate: e.HireDate, Active: true, KeepRoles: true}
	if _, err := ts.People.SaveEmployee(ctx, in); err != nil {
		t.Fatal(err)
	}
	if ok, _ := ts.People.InLine(ctx, cast.mgr.ID, e.ID); ok {
		t.Fatal("the employee is still in the manager's line")
	}

	mgr.get("/")
	for _, r := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", signed, nil},
		{"GET", signed + "/amend", nil},
		{"POST", signed + "/amend", func() url.Values {
			f := ratingsForm(&stored.Checklist, nil)
			f.Set("reason", "after the move")
			return f
		}()},
		{"GET", signed + "/compare", nil},
		{"GET", draft, nil},
		{"POST", draft + "/draft", ratingsForm(&draftCL.Checklist, nil)},
		{"POST", draft + "/signoff", ratingsForm(&draftCL.Checklist, nil)},
	} {
		var resp *http.Response
		if r.method == "GET" {
			resp, _ = mgr.get(r.path)
		} else {
			resp, _ = mgr.post(r.path, r.form)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s after the employee left the line: %d, want 404", r.method, r.path, resp.StatusCode)
		}
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(draft, "/observations/"), 10, 64)
	if o, err := obs.Observation(ctx, id); err != nil || o.Status != assessments.ObservationDraft || len(o.Ratings) != 0 {
		t.Fatalf("the draft changed: %+v %v", o, err)
	}
	sid, _ := strconv.ParseInt(strings.TrimPrefix(signed, "/observations/"), 10, 64)
	if o, err := obs.Observation(ctx, sid); err != nil || o.Status != assessments.ObservationSignedOff {
		t.Fatalf("the signed-off observation changed: %+v %v", o, err)
	}
}

// TestFinding06TokenFollowsEmployeeRoles: a token that acts as an employee
// never does more than the employee may do now; an admin removing the HR
// role takes it from their token too. Service tokens keep their role.
func TestFinding06TokenFollowsEmployeeRoles(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	hrEmp, err := ts.People.FindEmployeeByEmail(ctx, hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := ts.People.CreateToken(ctx, "hr's token", people.RoleHR, hrEmp.Number, nil)
	if err != nil {
		t.Fatal(err)
	}
	service, _, err := ts.People.CreateToken(ctx, "hris sync", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	call := func(token, method, path, body string) int {
		req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	put := `{"first_name":"Token","last_name":"Test","email":"token.test@brightwater.example"}`
	if s := call(secret, "GET", "/api/v1/employees/"+staffNumber, ""); s != 200 {
		t.Fatalf("HR token, HR employee: %d", s)
	}

	admin := ts.client(t)
	admin.signIn(adminEmail)
	admin.get("/people/" + hrEmp.Number)
	if resp, _ := admin.post("/people/"+hrEmp.Number+"/roles", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove HR's roles: %d", resp.StatusCode)
	}
	if s := call(secret, "GET", "/api/v1/employees/"+staffNumber, ""); s != 404 {
		t.Errorf("HR token after the HR role was removed, someone outside the line: %d, want 404", s)
	}
	if s := call(secret, "PUT", "/api/v1/employees/TOK1", put); s != 403 {
		t.Errorf("HR token after the HR role was removed, PUT: %d, want 403", s)
	}
	if s := call(secret, "POST", "/api/v1/employees/import?dry_run=true", "Employee ID,Full Name,Email\nX1,Ex Ample,x1@brightwater.example\n"); s != 403 {
		t.Errorf("HR token after the HR role was removed, import: %d, want 403", s)
	}
	if s := call(service, "PUT", "/api/v1/employees/TOK2", strings.Replace(put, "token.test", "token.test2", 1)); s != 201 {
		t.Errorf("service HR token: %d, want 201", s)
	}

	// A staff token of an admin stays a staff token.
	adminEmp, _ := ts.People.FindEmployeeByEmail(ctx, adminEmail)
	staffTok, _, err := ts.People.CreateToken(ctx, "admin as staff", people.RoleStaff, adminEmp.Number, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := call(staffTok, "GET", "/api/v1/employees", ""); s != 403 {
		t.Errorf("staff token of an admin lists employees: %d, want 403", s)
	}

	// Given back, the role works again; a deactivated employee's token is refused.
	if resp, _ := admin.post("/people/"+hrEmp.Number+"/roles", url.Values{"role_hr": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("give HR back: %d", resp.StatusCode)
	}
	if s := call(secret, "GET", "/api/v1/employees/"+staffNumber, ""); s != 200 {
		t.Errorf("HR token with the role given back: %d, want 200", s)
	}
	if err := ts.People.SetActive(ctx, hrEmp.ID, false); err != nil {
		t.Fatal(err)
	}
	if s := call(secret, "GET", "/api/v1/employees/"+staffNumber, ""); s != 401 {
		t.Errorf("token of a deactivated employee: %d, want 401", s)
	}
}

// syncLog is a log buffer the server writes to while a test reads it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFinding11ControlCharactersAnswer422: a NUL byte or another control
// character in the path or the query string answers 422 (an error page, or
// JSON naming the parameter under /api), and no ERROR is logged; forms and
// JSON bodies with a NUL byte are refused the same way.
func TestFinding11ControlCharactersAnswer422(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			var log syncLog
			a, err := app.New(app.Config{DB: ts.DB, Log: slog.New(slog.NewTextHandler(&log, nil)), BaseURL: "http://localhost", Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			ts.App = a
			c := ts.client(t)
			c.signIn(hrEmail)
			for _, path := range []string{
				"/people?q=%00", "/people?q=a%00b", "/people?q=%01", "/people?q=%7F", "/people/%00", "/people/BW1001%00",
				"/people/%00/transcript", "/people?q=x&department=%00", "/search?q=%00", "/admin/audit?actor=%00",
				"/certificates?q=%00", "/team?q=%00", "/learn/%00", "/verify/%00", "/people?%00=x",
			} {
				resp, body := c.get(path)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("GET %s: %d, want 422", path, resp.StatusCode)
					continue
				}
				if msg := doc(t, body).Find("main").Text(); !strings.Contains(msg, "control character") {
					t.Errorf("GET %s: the page does not say why: %.200s", path, msg)
				}
			}
			// Forms: a NUL in a field is refused before it reaches the store.
			c.get("/people/new")
			resp, _ := c.post("/people", url.Values{"employee_number": {"N1"}, "first_name": {"A\x00B"}, "last_name": {"C"}, "email": {"n1@brightwater.example"}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("POST /people with a NUL: %d, want 422", resp.StatusCode)
			}

			hr, _, err := ts.People.CreateToken(context.Background(), "hris", people.RoleHR, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct{ method, path, body, field string }{
				{"GET", "/api/v1/employees/%00", "", "path"},
				{"GET", "/api/v1/employees?department=%00", "", "department"},
				{"GET", "/api/v1/employees?manager=BW1%01", "", "manager"},
				{"GET", "/api/v1/readiness?q=%7F", "", "q"},
				{"PUT", "/api/v1/employees/N2", `{"first_name":"A\u0000B","last_name":"C","email":"n2@brightwater.example"}`, "first_name"},
				{"PUT", "/api/v1/employees/N2", `{"first_name":"A\u0001B","last_name":"C","email":"n2@brightwater.example"}`, "first_name"},
				{"POST", "/api/v1/assignments?dry_run=true", `{"programme":"induction","audience":{"department":"Front\u0000Desk"}}`, "audience.department"},
			} {
				status, out, raw := apiCall(t, ts, hr, r.method, r.path, r.body)
				if status != http.StatusUnprocessableEntity || out["field"] != r.field {
					t.Errorf("%s %s: %d %s, want 422 naming %s", r.method, r.path, status, raw, r.field)
				}
			}
			if strings.Contains(log.String(), "level=ERROR") {
				t.Fatalf("errors logged:\n%s", log.String())
			}
		})
	}
}

// TestFinding10PasswordPages: the change-password page and the one-time
// link say next to the field which rule a new password breaks, and the
// current-password check is throttled like a sign-in.
func TestFinding10PasswordPages(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	c := ts.client(t)
	c.signIn(staffEmail)
	c.get("/account/password")
	for _, r := range []struct{ pw, want string }{
		{"          ", "only spaces"},
		{"password12", "most common"},
		{staffEmail, "email"},
		{"Khan, Aisha", "name"},
		{"short", "at least 10"},
	} {
		resp, body := c.post("/account/password", url.Values{"current": {demoPassword}, "password": {r.pw}, "confirm": {r.pw}})
		msg := doc(t, body).Find("#e-password").Text()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, r.want) {
			t.Errorf("new password %q: %d %q, want 422 saying %q", r.pw, resp.StatusCode, msg, r.want)
		}
	}
	// The current password: wrong ones are counted (the right ones above
	// gave their attempts back), then checking pauses.
	for i := range people.PairAttempts {
		resp, body := c.post("/account/password", url.Values{"current": {"not my password"}, "password": {"a new long passphrase"}, "confirm": {"a new long passphrase"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, body).Find("#e-current").Text(), "not your current password") {
			t.Fatalf("wrong current password %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := c.post("/account/password", url.Values{"current": {demoPassword}, "password": {"a new long passphrase"}, "confirm": {"a new long passphrase"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc(t, body).Find("#e-current").Text(), "Too many") {
		t.Fatalf("right current password after %d wrong ones: %d, want 429 with the reason next to the field", people.PairAttempts, resp.StatusCode)
	}
	e, _ := ts.People.FindEmployeeByEmail(ctx, staffEmail)
	if !people.CheckPassword(e.PasswordHash, demoPassword) {
		t.Fatal("the password changed while checking was paused")
	}

	// A one-time link refuses a common password with the reason next to the field.
	hr := ts.client(t)
	hr.signIn(hrEmail)
	hr.get("/people/" + inLine)
	_, body = hr.post("/people/"+inLine+"/password-link", nil)
	link := doc(t, body).Find("#password-link").Text()
	path := strings.TrimPrefix(link, "http://localhost")
	visitor := ts.client(t)
	visitor.get(path)
	resp, body = visitor.post(path, url.Values{"password": {"qwertyuiop"}, "confirm": {"qwertyuiop"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, body).Find("#e-password").Text(), "most common") {
		t.Fatalf("link with a common password: %d", resp.StatusCode)
	}
	resp, _ = visitor.post(path, url.Values{"password": {"academy-demo"}, "confirm": {"academy-demo"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("link with the demo password: %d", resp.StatusCode)
	}
}

// TestPageSecurityHeaders: pages, error pages included, carry the strict
// Content-Security-Policy and the other headers the README lists.
func TestPageSecurityHeaders(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(staffEmail)
	for _, path := range []string{"/", "/signin", "/no/such/page", "/people"} {
		resp, _ := c.get(path)
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"Cache-Control":           "no-store",
		} {
			if got := resp.Header.Get(h); got != want && resp.StatusCode != http.StatusFound {
				t.Errorf("GET %s (%d): %s %q, want %q", path, resp.StatusCode, h, got, want)
			}
		}
	}
}
