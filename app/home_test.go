package app_test

import (
	"context"
	"github.com/PuerkitoBio/goquery"

	"regexp"
	"strings"
	"testing"
)

// TestHomeNextStep: Aisha, whose service-recovery role-play failed on a
// critical item and whose re-observation date has passed, sees that as her
// next step on the home page, My learning and the course page — never
// "Resume" on a lesson she has already read.
func TestHomeNextStep(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(staffEmail)
	for _, path := range []string{"/", "/learn", "/learn/service-recovery"} {
		resp, body := c.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		step := between(body, `id="next-step"`, `</section>`)
		if step == "" {
			t.Fatalf("%s: no next step\n%.3000s", path, body)
		}
		if !strings.Contains(step, `data-kind="reobserve"`) || !strings.Contains(step, "Needs doing now") ||
			!regexp.MustCompile(`href="/me/observations/\d+"`).MatchString(step) || !strings.Contains(step, "failed on a critical step") {
			t.Errorf("%s: next step is not the overdue re-observation:\n%s", path, step)
		}
	}
	// The re-observation link opens her result.
	_, body := c.get("/")
	href := regexp.MustCompile(`class="button next-step-action" href="([^"]+)"`).FindStringSubmatch(body)
	if href == nil {
		t.Fatal("no next-step link")
	}
	if resp, _ := c.get(href[1]); resp.StatusCode != 200 {
		t.Errorf("%s: status %d", href[1], resp.StatusCode)
	}
	// service-recovery: every lesson read, so no "Resume" on it anywhere.
	for _, path := range []string{"/", "/learn", "/learn/service-recovery"} {
		_, body := c.get(path)
		if m := regexp.MustCompile(`href="/learn/service-recovery/[^"#]+">Resume`).FindString(body); m != "" {
			t.Errorf("%s: Resume on a lesson already read: %s", path, m)
		}
	}
	_, body = c.get("/learn/service-recovery")
	if !strings.Contains(body, `id="lessons-all-read"`) {
		t.Errorf("course page: no 'every lesson read' line")
	}
	// My observations is in her navigation.
	if !strings.Contains(between(body, `id="site-nav"`, `</nav>`), `href="/me/observations"`) {
		t.Errorf("My observations is not in the navigation")
	}
}

// between is the text of s from the first from to the next to after it ("" if absent).
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(to)]
}

// TestHomeCounts: a manager's home counts what needs doing in their line
// with links to the filtered pages; HR's counts the whole organisation's
// readiness, imports waiting, certificates expiring and failed e-mails.
func TestHomeCounts(t *testing.T) {
	ts := mustServer(t, "sqlite")
	m := ts.client(t)
	m.signIn(headEmail)
	_, body := m.get("/")
	todo := between(body, `id="manager-todo"`, `</section>`)
	for _, want := range []string{`id="count-observe"`, `href="/team/coach#people"`, `id="count-essays"`, `href="/grading"`,
		`id="count-overdue"`, `href="/team?reason=overdue"`, `id="count-expiring"`, `href="/team/coach#people"`} {
		if !strings.Contains(todo, want) {
			t.Errorf("manager home lacks %s:\n%s", want, todo)
		}
	}
	// Each link lands on a part of the page that exists.
	if _, coach := m.get("/team/coach"); !strings.Contains(coach, `id="people"`) {
		t.Error("the counts link to /team/coach#people, which the coach queue does not have")
	}
	if n := dataCount(todo, "count-observe"); n < 1 {
		t.Errorf("people to observe again: %d, want the demo's overdue re-observations", n)
	}
	if n := dataCount(todo, "count-overdue"); n < 1 {
		t.Errorf("overdue: %d", n)
	}
	if strings.Contains(body, `id="hr-todo"`) {
		t.Error("a manager sees HR's organisation counts")
	}

	hr := ts.client(t)
	hr.signIn(hrEmail)
	_, body = hr.get("/")
	todo = between(body, `id="hr-todo"`, `</section>`)
	for _, want := range []string{`id="org-readiness"`, `href="/readiness"`, `id="count-imports"`, `id="count-expiring"`,
		`href="/certificates?expiring=30"`, `id="count-failed"`} {
		if !strings.Contains(todo, want) {
			t.Errorf("HR home lacks %s:\n%s", want, todo)
		}
	}
	if strings.Contains(todo, `href="/admin/outbox?status=failed"`) {
		t.Error("HR (not admin) gets a link to the admin outbox")
	}
	if strings.Contains(body, `id="manager-todo"`) {
		t.Error("HR sees a manager's line counts")
	}
	admin := ts.client(t)
	admin.signIn(adminEmail)
	_, body = admin.get("/")
	if !strings.Contains(body, `href="/admin/outbox?status=failed"`) {
		t.Error("admin home: no link to the failed e-mails")
	}

	s := ts.client(t)
	s.signIn(staffEmail)
	_, body = s.get("/")
	if strings.Contains(body, `id="manager-todo"`) || strings.Contains(body, `id="hr-todo"`) {
		t.Error("staff see counts of others")
	}
}

// dataCount is the data-count of the element with id in s (-1 if absent).
func dataCount(s, id string) int {
	m := regexp.MustCompile(`id="` + id + `" data-count="(\d+)"`).FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	n := 0
	for _, d := range m[1] {
		n = n*10 + int(d-'0')
	}
	return n
}

// TestNavGrouped: the navigation is grouped Me / My team / Administration,
// each role seeing only its groups; staff see one group without headings.
func TestNavGrouped(t *testing.T) {
	ts := mustServer(t, "sqlite")
	for _, tc := range []struct {
		email  string
		groups []string
		has    map[string]string // link → group id
	}{
		{staffEmail, []string{"nav-me"}, map[string]string{"/learn": "nav-me", "/me/observations": "nav-me"}},
		{ccMgrEmail, []string{"nav-me", "nav-team"}, map[string]string{"/team": "nav-team", "/grading": "nav-team", "/matrix": "nav-team", "/me/observations": "nav-me"}},
		{hrEmail, []string{"nav-me", "nav-team", "nav-admin"}, map[string]string{"/readiness": "nav-team", "/programmes": "nav-admin", "/admin/audit": "nav-admin", "/learn": "nav-me"}},
	} {
		c := ts.client(t)
		c.signIn(tc.email)
		_, body := c.get("/")
		d := doc(t, body)
		var got []string
		d.Find("#site-nav .nav-group").Each(func(_ int, g *goquery.Selection) {
			id, _ := g.Attr("id")
			got = append(got, id)
		})
		if strings.Join(got, ",") != strings.Join(tc.groups, ",") {
			t.Errorf("%s: groups %v, want %v", tc.email, got, tc.groups)
		}
		if len(tc.groups) > 1 && d.Find("#site-nav .nav-group-label").Length() != len(tc.groups) {
			t.Errorf("%s: groups without their names", tc.email)
		}
		if len(tc.groups) == 1 && d.Find("#site-nav .nav-group-label").Length() != 0 {
			t.Errorf("%s: a lone group has a heading", tc.email)
		}
		for href, group := range tc.has {
			if d.Find("#"+group+` a[href="`+href+`"]`).Length() != 1 {
				t.Errorf("%s: %s is not under %s", tc.email, href, group)
			}
		}
		if d.Find(`#site-nav a[href="/"][aria-current="page"]`).Length() != 1 {
			t.Errorf("%s: Home is not marked current", tc.email)
		}
	}
}

// TestEmployeePageActs: the employee page shows the person's readiness
// with why, and links to their programmes (where due dates are extended),
// transcript and observations; their manager's view and their own.
func TestEmployeePageActs(t *testing.T) {
	ts := mustServer(t, "sqlite")
	head := ts.client(t)
	head.signIn(headEmail)
	_, body := head.get("/people/" + staffNumber)
	d := doc(t, body)
	sec := d.Find("#employee-readiness")
	if sec.Find("[data-readiness=not_ready]").Length() != 1 || !strings.Contains(sec.Find(".readiness-why").Text(), "critical item") {
		t.Errorf("readiness: %q", sec.Text())
	}
	for _, href := range []string{"/people/" + staffNumber + "/programmes", "/people/" + staffNumber + "/transcript", "/people/" + staffNumber + "/observe"} {
		if sec.Find(`#employee-links a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("no link to %s", href)
		}
	}
	if resp, _ := head.get("/people/" + staffNumber + "/programmes"); resp.StatusCode != 200 {
		t.Errorf("programmes: %d", resp.StatusCode)
	}
	me := ts.client(t)
	me.signIn(staffEmail)
	_, body = me.get("/people/" + staffNumber)
	d = doc(t, body)
	if d.Find(`#employee-links a[href="/me/observations"]`).Length() != 1 || d.Find(`#employee-links a[href$="/observe"]`).Length() != 0 {
		t.Errorf("own page links: %q", d.Find("#employee-links").Text())
	}
}

// TestHomeNextStepQuiz: someone who read every lesson of the induction and
// failed its quiz is sent to the quiz again, not to a lesson.
func TestHomeNextStepQuiz(t *testing.T) {
	ts := mustServer(t, "sqlite")
	var email string
	err := ts.DB.NewRaw(`SELECT e.email FROM employees AS e JOIN attempts AS a ON a.employee_id = e.id
		WHERE a.passed = ? AND e.active AND NOT EXISTS (SELECT 1 FROM attempts AS b WHERE b.employee_id = e.id AND b.passed = ?)
		ORDER BY e.id LIMIT 1`, false, true).Scan(context.Background(), &email)
	if err != nil {
		t.Fatalf("nobody in the demo has failed a quiz without passing one: %v", err)
	}
	c := ts.client(t)
	c.signIn(email)
	for _, path := range []string{"/", "/learn"} {
		_, body := c.get(path)
		step := between(body, `id="next-step"`, `</section>`)
		if !strings.Contains(step, `data-kind="quiz"`) || !strings.Contains(step, "Try the quiz again") || !strings.Contains(step, "/quiz/") {
			t.Errorf("%s (%s): next step is not the quiz:\n%s", path, email, step)
		}
	}
}
