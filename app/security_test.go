package app_test

import (
	"net/http"
	"net/url"
	"testing"
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
