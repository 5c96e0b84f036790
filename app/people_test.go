package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSignIn(t *testing.T) {
	ts := mustServer(t, "sqlite")

	t.Run("WrongPasswordAndUnknownEmailGetTheSameAnswer", func(t *testing.T) {
		c := ts.client(t)
		c.get("/signin")
		r1, b1 := c.post("/signin", url.Values{"email": {staffEmail}, "password": {"wrong password"}})
		r2, b2 := c.post("/signin", url.Values{"email": {"nobody@brightwater.example"}, "password": {"wrong password"}})
		if r1.StatusCode != 401 || r2.StatusCode != 401 {
			t.Fatalf("statuses %d %d, want 401", r1.StatusCode, r2.StatusCode)
		}
		m1 := doc(t, b1).Find(".form-errors").Text()
		m2 := doc(t, b2).Find(".form-errors").Text()
		if m1 == "" || m1 != m2 {
			t.Fatalf("messages differ or empty: %q vs %q", m1, m2)
		}
		if v, _ := doc(t, b1).Find("#f-email").Attr("value"); v != staffEmail {
			t.Fatalf("typed email lost: %q", v)
		}
	})

	t.Run("SessionCookieAttributesAndRotation", func(t *testing.T) {
		c := ts.client(t)
		c.get("/signin")
		resp, _ := c.post("/signin", url.Values{"email": {staffEmail}, "password": {demoPassword}})
		var first *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "academy_session" {
				first = ck
			}
		}
		if first == nil || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Secure {
			t.Fatalf("session cookie: %+v", first)
		}
		c.get("/")
		resp, _ = c.post("/signin", url.Values{"email": {staffEmail}, "password": {demoPassword}})
		var second *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "academy_session" {
				second = ck
			}
		}
		if second == nil || second.Value == first.Value {
			t.Fatal("sign-in did not issue a new session id")
		}
		if _, _, err := ts.People.FindSession(context.Background(), first.Value); err == nil {
			t.Fatal("the old session still works after signing in again")
		}
	})

	t.Run("ThrottledAfterRepeatedFailures", func(t *testing.T) {
		c := ts.client(t)
		c.get("/signin")
		for i := 0; i < people.PairAttempts; i++ {
			c.post("/signin", url.Values{"email": {hrEmail}, "password": {"nope nope nope"}})
		}
		resp, _ := c.post("/signin", url.Values{"email": {hrEmail}, "password": {demoPassword}})
		if resp.StatusCode != 401 {
			t.Fatalf("right password during throttle: %d, want 401", resp.StatusCode)
		}
	})

	t.Run("CSRFRequired", func(t *testing.T) {
		c := ts.client(t)
		c.signIn(adminEmail)
		resp, _ := c.post("/org/departments", url.Values{"name": {"Sneaky"}, "_csrf": {"forged"}})
		if resp.StatusCode != 403 {
			t.Fatalf("forged CSRF: %d, want 403", resp.StatusCode)
		}
	})

	t.Run("SignOutEndsSession", func(t *testing.T) {
		c := ts.client(t)
		c.signIn(staffEmail)
		c.post("/signout", nil)
		resp, _ := c.get("/")
		if resp.StatusCode != 302 {
			t.Fatalf("after sign-out: %d, want redirect to sign in", resp.StatusCode)
		}
	})
}

func TestSecureCookiesOnHTTPS(t *testing.T) {
	ts := mustServer(t, "sqlite")
	_ = ts
	// Build a second app on the same database with an https base URL.
	a := mustApp(t, ts, "https://academy.example.com")
	req, _ := http.NewRequest("GET", "http://localhost/signin", nil)
	resp, err := a.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if !ck.Secure || !ck.HttpOnly {
			t.Fatalf("cookie %s not Secure+HttpOnly behind https", ck.Name)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Fatal("no cookie set on the sign-in page")
	}
}

func TestPeoplePages(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()

			t.Run("ManagerSeesOnlyTheirLine", func(t *testing.T) {
				c := ts.client(t)
				c.signIn(ccMgrEmail)
				_, body := c.get("/people?status=all")
				mgr, _ := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
				line, _ := ts.People.ReportingLine(ctx, mgr.ID, false)
				rows := doc(t, body).Find("#people-table tbody tr")
				if rows.Length() != len(line) || len(line) < 20 {
					t.Fatalf("rows %d, line %d", rows.Length(), len(line))
				}
				if strings.Contains(doc(t, body).Find("#people-table").Text(), "Receptionist") {
					t.Fatal("a receptionist (outside the contact centre line) is listed")
				}
			})

			t.Run("SearchAndFilter", func(t *testing.T) {
				c := ts.client(t)
				c.signIn(hrEmail)
				_, body := c.get("/people?q=khan")
				d := doc(t, body)
				if got := d.Find("#people-table tbody tr").Length(); got != 1 {
					t.Fatalf("search khan: %d rows", got)
				}
				if !strings.Contains(d.Find("#people-table").Text(), "Khan, Aisha") {
					t.Fatal("Aisha Khan not found")
				}
				items, _ := ts.People.ListOrg(ctx, people.Locations)
				var glasgow int64
				for _, it := range items {
					if it.Name == "Glasgow" {
						glasgow = it.ID
					}
				}
				_, body = c.get("/people?location=" + itoa64(glasgow))
				d = doc(t, body)
				d.Find("#people-table tbody tr").Each(func(_ int, s *goquery.Selection) {
					if !strings.Contains(s.Text(), "Glasgow") {
						t.Errorf("non-Glasgow row: %s", s.Text())
					}
				})
				if d.Find("#people-table tbody tr").Length() == 0 {
					t.Fatal("nobody in Glasgow")
				}
			})

			t.Run("Paging", func(t *testing.T) {
				c := ts.client(t)
				c.signIn(hrEmail)
				_, body := c.get("/people")
				d := doc(t, body)
				if d.Find("#people-table tbody tr").Length() != 50 {
					t.Fatal("first page should hold 50 people")
				}
				next, ok := d.Find(`nav.pagination a[rel="next"]`).Attr("href")
				if !ok {
					t.Fatal("no next link")
				}
				_, body = c.get(next)
				if n := doc(t, body).Find("#people-table tbody tr").Length(); n == 0 || n >= 50 {
					t.Fatalf("second page rows: %d", n)
				}
			})

			t.Run("FormKeepsInputOnError", func(t *testing.T) {
				c := ts.client(t)
				c.signIn(hrEmail)
				c.get("/people/new")
				resp, body := c.post("/people", url.Values{"employee_number": {"N-1"}, "first_name": {"Nia"}, "last_name": {"Long"},
					"email": {"not-an-email"}, "department": {"Front Desk"}, "hire_date": {"31/02/2024"}})
				if resp.StatusCode != 422 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				d := doc(t, body)
				if v, _ := d.Find("#f-first_name").Attr("value"); v != "Nia" {
					t.Fatalf("first name lost: %q", v)
				}
				if v, _ := d.Find("#f-email").Attr("aria-invalid"); v != "true" {
					t.Fatal("email not marked invalid")
				}
				if d.Find("#e-email").Text() == "" || d.Find("#e-hire_date").Text() == "" {
					t.Fatal("missing messages next to email and hire date")
				}
			})

			t.Run("CreateEditDeactivate", func(t *testing.T) {
				c := ts.client(t)
				c.signIn(hrEmail)
				c.get("/people/new")
				resp, _ := c.post("/people", url.Values{"employee_number": {"N-2"}, "first_name": {"Nia"}, "last_name": {"Long"},
					"email": {"nia.long@brightwater.example"}, "manager_number": {"BW1010"}, "hire_date": {"01/03/2026"}, "active": {"on"}})
				if resp.StatusCode != 303 {
					t.Fatalf("create: %d", resp.StatusCode)
				}
				_, body := c.get("/people/N-2")
				d := doc(t, body)
				if !strings.Contains(d.Find("dl.facts").Text(), "1 Mar 2026") || !strings.Contains(d.Find("dl.facts").Text(), "James O'Connor") {
					t.Fatalf("employee page: %s", d.Find("dl.facts").Text())
				}
				// A cycle is rejected next to the manager field.
				c.get("/people/BW1010/edit")
				resp, body = c.post("/people/BW1010", url.Values{"first_name": {"James"}, "last_name": {"O'Connor"},
					"email": {"james.oconnor@brightwater.example"}, "manager_number": {"N-2"}, "active": {"on"}})
				if resp.StatusCode != 422 || !strings.Contains(doc(t, body).Find("#e-manager_number").Text(), "cycle") {
					t.Fatalf("cycle: %d %s", resp.StatusCode, doc(t, body).Find(".field-error").Text())
				}
				c.get("/people/N-2")
				c.post("/people/N-2/deactivate", nil)
				e, _ := ts.People.FindEmployeeByNumber(ctx, "N-2")
				if e.Active {
					t.Fatal("still active")
				}
			})

			t.Run("PasswordLinkThenSignIn", func(t *testing.T) {
				hr := ts.client(t)
				hr.signIn(hrEmail)
				hr.get("/people/" + staffNumber)
				_, body := hr.post("/people/"+staffNumber+"/password-link", nil)
				link := doc(t, body).Find("#password-link").Text()
				u, err := url.Parse(strings.TrimSpace(link))
				if err != nil || !strings.HasPrefix(u.Path, "/password/") {
					t.Fatalf("no link shown: %q", link)
				}
				// Also e-mailed to them (queued in the link's transaction), never in-app.
				var queued []string
				if err := ts.DB.NewSelect().TableExpr("notifications AS n").ColumnExpr("n.channel || ' ' || n.data").
					Join("JOIN employees AS e ON e.id = n.employee_id").Where("n.kind = 'password_link' AND e.number = ?", staffNumber).
					Scan(context.Background(), &queued); err != nil {
					t.Fatal(err)
				}
				if len(queued) != 1 || !strings.HasPrefix(queued[0], "email ") || !strings.Contains(queued[0], u.Path) ||
					!strings.Contains(doc(t, body).Find(".flash").Text(), "also e-mailed") {
					t.Fatalf("the e-mail of the link: %q", queued)
				}
				v := ts.client(t)
				v.get(u.Path)
				resp, body := v.post(u.Path, url.Values{"password": {"short"}, "confirm": {"short"}})
				if resp.StatusCode != 422 || doc(t, body).Find("#e-password").Text() == "" {
					t.Fatalf("short password: %d", resp.StatusCode)
				}
				resp, _ = v.post(u.Path, url.Values{"password": {"a brand new password"}, "confirm": {"a brand new password"}})
				if resp.StatusCode != 303 {
					t.Fatalf("set password: %d", resp.StatusCode)
				}
				v.get("/signin")
				resp, _ = v.post("/signin", url.Values{"email": {staffEmail}, "password": {"a brand new password"}})
				if resp.StatusCode != 303 {
					t.Fatalf("sign in with new password: %d", resp.StatusCode)
				}
				resp, _ = v.get(u.Path)
				if resp.StatusCode != 404 {
					t.Fatalf("link reused: %d", resp.StatusCode)
				}
			})

			t.Run("ErrorPagesUseTheLayout", func(t *testing.T) {
				c := ts.client(t)
				c.signIn(ccMgrEmail)
				_, body := c.get("/people/NOPE")
				d := doc(t, body)
				if d.Find("nav.site-nav").Length() != 1 || d.Find(".error-page .code").Text() != "404" {
					t.Fatal("404 page is not in the app's layout")
				}
				_, body = c.get("/admin/tokens")
				if doc(t, body).Find(".error-page .code").Text() != "403" {
					t.Fatal("403 page is not in the app's layout")
				}
			})
		})
	}
}

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }

func TestImportPages(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			c := ts.client(t)
			c.signIn(hrEmail)
			c.get("/people/import")
			upload := func(name, content string) (*http.Response, string) {
				var buf bytes.Buffer
				w := multipart.NewWriter(&buf)
				w.WriteField("_csrf", c.csrf)
				fw, _ := w.CreateFormFile("file", name)
				io.WriteString(fw, content)
				w.Close()
				return c.do("POST", "/people/import", &buf, w.FormDataContentType())
			}

			t.Run("PreviewListsErrorsWritesNothing", func(t *testing.T) {
				_, _, before, _ := countAll(ts)
				resp, _ := upload("bad.csv", "Employee ID;First Name;Last Name;Email;Manager ID\nZ1;Zed;One;zed.one@brightwater.example;Z2\nZ2;Zed;Two;not-an-email;\n")
				if resp.StatusCode != 303 {
					t.Fatalf("upload: %d", resp.StatusCode)
				}
				resp, body := c.get(resp.Header.Get("Location"))
				if resp.StatusCode != 422 {
					t.Fatalf("preview of a bad file: %d", resp.StatusCode)
				}
				d := doc(t, body)
				row := d.Find("#row-errors tbody tr").First()
				if line, field := row.Find("td").Eq(0).Text(), row.Find("td").Eq(1).Text(); line != "3" || field != "email" {
					t.Fatalf("error row: line %q field %q", line, field)
				}
				if d.Find("#apply").Length() != 0 {
					t.Fatal("apply offered for a file with errors")
				}
				_, _, after, _ := countAll(ts)
				if after != before {
					t.Fatal("preview wrote employees")
				}
			})

			t.Run("ApplyCreates", func(t *testing.T) {
				resp, _ := upload("good.csv", "Employee ID,Full Name,Email,Manager Email,Start Date\nZ3,Zed Three,zed.three@brightwater.example,hr@brightwater.example,15/01/2026\n")
				loc := resp.Header.Get("Location")
				_, body := c.get(loc)
				d := doc(t, body)
				if d.Find("#n-creates").Text() != "1" || d.Find("#apply").Length() != 1 {
					t.Fatalf("preview: creates=%q", d.Find("#n-creates").Text())
				}
				resp, _ = c.post(loc+"/apply", nil)
				if resp.StatusCode != 303 {
					t.Fatalf("apply: %d", resp.StatusCode)
				}
				e, err := ts.People.FindEmployeeByNumber(context.Background(), "Z3")
				if err != nil || e.ManagerNumber != "BW1001" || e.HireDate != "2026-01-15" {
					t.Fatalf("imported: %+v %v", e, err)
				}
				resp, _ = c.post(loc+"/apply", nil)
				if resp.StatusCode != 404 {
					t.Fatalf("second apply of the same preview: %d, want 404", resp.StatusCode)
				}
			})

			// Found in issue 13: a Latin-1 file was stored as text for the
			// preview, its bad byte lost on the way, and the preview offered
			// to create the person. The upload is refused with the line.
			t.Run("NotUTF8RefusedAtUpload", func(t *testing.T) {
				_, _, before, _ := countAll(ts)
				resp, body := upload("latin1.csv", "Employee ID,First Name,Last Name,Email\nZ7,Ren\xe9e,Seven,zed.seven@brightwater.example\n")
				msg := doc(t, body).Find("#e-file").Text()
				if resp.StatusCode != 422 || !strings.Contains(msg, "not UTF-8") || !strings.Contains(msg, "line 2") {
					t.Fatalf("a Latin-1 upload: %d %q", resp.StatusCode, msg)
				}
				if _, _, after, _ := countAll(ts); after != before {
					t.Fatal("a refused upload wrote employees")
				}
			})

			t.Run("TooLarge", func(t *testing.T) {
				big := strings.Repeat("x", 20<<20+10)
				resp, body := upload("big.csv", big)
				if resp.StatusCode != 413 || !strings.Contains(doc(t, body).Find("#e-file").Text(), "20 MB") {
					t.Fatalf("oversize upload: %d %s", resp.StatusCode, doc(t, body).Find("#e-file").Text())
				}
			})
		})
	}
}

func countAll(ts *testServer) (int, int, int, error) {
	a, all, err := ts.People.CountEmployees(context.Background())
	return a, 0, all, err
}

func TestAPIEmployees(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			hrToken, _, _ := ts.People.CreateToken(ctx, "hris", people.RoleHR, "", nil)
			call := func(method, path, body string) (int, map[string]any) {
				req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+hrToken)
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				var out map[string]any
				json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}

			t.Run("CursorPaging", func(t *testing.T) {
				seen := map[string]bool{}
				after := ""
				pages := 0
				for {
					status, out := call("GET", "/api/v1/employees?limit=25&after="+url.QueryEscape(after), "")
					if status != 200 {
						t.Fatalf("status %d", status)
					}
					for _, e := range out["employees"].([]any) {
						num := e.(map[string]any)["number"].(string)
						if seen[num] {
							t.Fatalf("%s twice", num)
						}
						seen[num] = true
					}
					pages++
					after = out["next"].(string)
					if after == "" {
						break
					}
				}
				_, all, _ := ts.People.CountEmployees(ctx)
				if len(seen) != all || pages != (all+24)/25 {
					t.Fatalf("saw %d of %d in %d pages", len(seen), all, pages)
				}
			})

			t.Run("Filters", func(t *testing.T) {
				_, out := call("GET", "/api/v1/employees?location=Glasgow&department=contact%20centre", "")
				list := out["employees"].([]any)
				if len(list) == 0 {
					t.Fatal("no one")
				}
				for _, e := range list {
					m := e.(map[string]any)
					if m["location"] != "Glasgow" || m["department"] != "Contact Centre" {
						t.Fatalf("filter leak: %v", m)
					}
				}
				_, out = call("GET", "/api/v1/employees?manager=BW1003", "")
				if n := len(out["employees"].([]any)); n != 3 {
					t.Fatalf("direct reports of BW1003: %d, want 3", n)
				}
				status, out := call("GET", "/api/v1/employees?limit=5000", "")
				if status != 422 || out["field"] != "limit" {
					t.Fatalf("limit 5000: %d %v", status, out)
				}
			})

			t.Run("PutUpsert", func(t *testing.T) {
				status, out := call("PUT", "/api/v1/employees/P-1", `{"first_name":"Pat","last_name":"Lee","email":"pat.lee@brightwater.example","manager_number":"BW1012","hire_date":"2026-02-01"}`)
				if status != 201 || out["manager_number"] != "BW1012" || out["active"] != true {
					t.Fatalf("create: %d %v", status, out)
				}
				status, out = call("PUT", "/api/v1/employees/P-1", `{"first_name":"Pat","last_name":"Lee","email":"bad email"}`)
				if status != 422 || out["field"] != "email" || out["error"] == "" {
					t.Fatalf("bad email: %d %v", status, out)
				}
				status, out = call("PUT", "/api/v1/employees/P-1", `{"first_name":"Pat","last_name":"Lee","email":"`+staffEmail+`"}`)
				if status != 422 || out["field"] != "email" {
					t.Fatalf("taken email: %d %v", status, out)
				}
				status, out = call("PUT", "/api/v1/employees/P-1", `{"first_name":1}`)
				if status != 422 || out["field"] != "first_name" {
					t.Fatalf("wrong type: %d %v", status, out)
				}
				status, _ = call("PUT", "/api/v1/employees/P-1", `{"first_name":"Pat","last_name":"Lee","email":"pat.lee@brightwater.example","active":false}`)
				e, _ := ts.People.FindEmployeeByNumber(ctx, "P-1")
				if status != 200 || e.Active {
					t.Fatalf("deactivate via PUT: %d active=%v", status, e.Active)
				}
			})

			t.Run("ImportDryRunAndErrors", func(t *testing.T) {
				_, all, _ := ts.People.CountEmployees(ctx)
				status, out := call("POST", "/api/v1/employees/import?dry_run=true", "Employee ID,Full Name,Email\nQ1,Q One,q1@brightwater.example\n")
				if status != 200 || out["creates"].(float64) != 1 {
					t.Fatalf("dry run: %d %v", status, out)
				}
				status, out = call("POST", "/api/v1/employees/import", "Employee ID,Full Name,Email\nQ1,Q One,q1@brightwater.example\nQ1,Q Again,q2@brightwater.example\n")
				errs, _ := out["errors"].([]any)
				if status != 422 || len(errs) == 0 || errs[0].(map[string]any)["line"].(float64) != 3 || errs[0].(map[string]any)["field"] != "employee_number" {
					t.Fatalf("duplicate: %d %v", status, out)
				}
				_, after, _ := ts.People.CountEmployees(ctx)
				if after != all {
					t.Fatal("a failed or dry-run import wrote employees")
				}
			})
		})
	}
}

// TestLargeReportingLine: a line over the tree limit shows the direct reports with counts.
func TestLargeReportingLine(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("Employee ID,Full Name,Email,Manager ID\n")
	for i := 0; i < 1600; i++ {
		mgr := "BW1000"
		if i >= 40 {
			mgr = fmt.Sprintf("L%04d", i%40)
		}
		fmt.Fprintf(&csv, "L%04d,Lea Person%d,l%d@brightwater.example,%s\n", i, i, i, mgr)
	}
	hr, _ := ts.People.FindEmployeeByEmail(ctx, hrEmail)
	plan, err := ts.People.ApplyImport(ctx, []byte(csv.String()), people.ImportOptions{}, &hr.ID, "test")
	if err != nil || !plan.OK() {
		t.Fatalf("seed: %v %v", err, plan.Errors)
	}
	c := ts.client(t)
	c.signIn(hrEmail)
	_, body := c.get("/people/BW1000/team")
	d := doc(t, body)
	if !strings.Contains(d.Find(".lead").Text(), "1661 people") {
		t.Fatalf("count: %s", d.Find(".lead").Text())
	}
	if n := d.Find("ul.tree .node").Length(); n != 43 {
		t.Fatalf("large line drew %d nodes", n)
	}
	if got := d.Find(`a.count[href="/people/L0000/team"]`).Text(); got != "39 below" {
		t.Fatalf("L0000 count: %q", got)
	}
}
