package app_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
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
		resp, _ = c.get("/signin?next=" + url.QueryEscape(next))
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/" {
			t.Fatalf("signed in, /signin?next=%q: %d to %q, want 302 to /", next, resp.StatusCode, loc)
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
