package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// programmeFixture is the contact-centre advisor inLine (in the contact
// centre manager's line) with five programmes, one in each state My
// learning orders: delta overdue, charlie due soon, bravo not started (its
// due date extended), echo expiring with its recertification open, alpha
// completed (by a course finished in the demo).
type programmeFixture struct {
	emp, hr    *people.Employee
	cs         *courses.Store // its own clock; the server's stores use the real one
	clock      *store.ManualClock
	loc        *time.Location
	demoClosed int // the demo's own assignments of the advisor, closed (still in the transcript)
	demoCycles int
}

// Fixture programmes in the order My learning shows them.
var fixtureOrder = []string{"delta", "charlie", "bravo", "echo", "alpha"}

func mustProgrammes(t *testing.T, ts *testServer) *programmeFixture {
	t.Helper()
	ctx := context.Background()
	// This store's assessments pass everything: lessons complete a course.
	f := &programmeFixture{clock: &store.ManualClock{}}
	f.cs = courses.NewStore(ts.DB, passAll{}, courses.Options{Clock: f.clock})
	var err error
	if f.emp, err = ts.People.FindEmployeeByNumber(ctx, inLine); err != nil {
		t.Fatal(err)
	}
	if f.hr, err = ts.People.FindEmployeeByEmail(ctx, hrEmail); err != nil {
		t.Fatal(err)
	}
	if f.loc, err = f.cs.Location(ctx); err != nil {
		t.Fatal(err)
	}
	// The demo's own programmes of the advisor are closed: the fixture's stand alone.
	demoProgs, err := f.cs.AssignedProgrammes(ctx, f.emp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, pp := range demoProgs {
		if err := f.cs.CloseAssignment(ctx, pp.Cycle.ID, "test fixture", &f.hr.ID, "test"); err != nil {
			t.Fatal(err)
		}
		f.demoClosed++
		f.demoCycles += len(pp.Cycles)
	}
	// A role-play observed by the advisor's manager, for the transcript.
	if _, err := demo.Observation(ctx, assessments.NewObservationStore(ts.DB), "wrong-department-handover", f.emp.ID, *f.emp.ManagerID,
		time.Now().UTC().AddDate(0, 0, -5), demo.FailCritical, true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	at := func(days int) { f.clock.Set(now.AddDate(0, 0, days)) }
	create := func(slug, title string, due courses.DueRule, validity, recert int, list ...courses.ProgrammeCourseInput) {
		t.Helper()
		_, err := f.cs.CreateProgramme(ctx, courses.ProgrammeInput{Slug: slug, Title: title, Description: "The " + slug + " programme.",
			Due: due, ValidityMonths: validity, RecertDays: recert, Courses: list}, &f.hr.ID, "test")
		if err != nil {
			t.Fatalf("create %s: %v", slug, err)
		}
		if _, err := f.cs.Assign(ctx, courses.AssignRequest{Programme: slug, EmployeeIDs: []int64{f.emp.ID}, By: &f.hr.ID, Actor: "test"}, false); err != nil {
			t.Fatalf("assign %s: %v", slug, err)
		}
	}
	days := func(n int) courses.DueRule { return courses.DueRule{Kind: courses.DueAfterAssignment, Days: n} }
	req := func(slug string) courses.ProgrammeCourseInput {
		return courses.ProgrammeCourseInput{Slug: slug, Required: true}
	}

	at(-60) // assigned 60 days ago, due 30 days after: overdue
	create("delta", "Delta: the six Cs", days(30), 0, 0, req("six-cs"))
	// Twenty days ago the advisor finished The Internal Customer. (This
	// store's assessments pass everything: the lessons complete it.)
	at(-20)
	for _, slug := range []string{"internal-customer", "service-recovery"} {
		course, err := f.cs.FindCourse(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		o, en, err := f.cs.Start(ctx, f.emp.ID, course)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range o.Lessons {
			if err := completeLesson(ctx, f.cs, en, l.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	at(0)
	create("charlie", "Charlie: promises", days(7), 0, 0, req("promises-timelines"))
	create("bravo", "Bravo: difficult customers", days(90), 0, 0, req("empathy-difficult-customers"),
		courses.ProgrammeCourseInput{Slug: "customer-world"})
	// Valid for a month, recertified from 20 days before the expiry: the
	// completion of 20 days ago expires in about ten days.
	create("echo", "Echo: colleagues", days(30), 1, 20, req("internal-customer"))
	create("alpha", "Alpha: recovery", courses.DueRule{Kind: courses.DueNone}, 12, 0, req("service-recovery"))

	bravo := f.progress(t, "bravo")
	newDue := courses.LocalDay(now, f.loc).AddDate(0, 0, 120).Format(time.DateOnly)
	if _, err := f.cs.ExtendDue(ctx, bravo.Cycle.ID, newDue, "Parental leave", &f.hr.ID, f.hr.Name()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cs.Tick(ctx); err != nil { // overdue, and echo's recertification opens
		t.Fatal(err)
	}
	var got []string
	list, err := f.cs.AssignedProgrammes(ctx, f.emp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, pp := range list {
		got = append(got, pp.Programme.Slug+":"+string(pp.Status))
	}
	want := []string{"delta:overdue", "charlie:due_soon", "bravo:not_started", "echo:expiring", "alpha:completed"}
	if !slices.Equal(got, want) {
		t.Fatalf("fixture states %v, want %v (did the demo change?)", got, want)
	}
	return f
}

func (f *programmeFixture) progress(t *testing.T, slug string) *courses.ProgrammeProgress {
	t.Helper()
	list, err := f.cs.AssignedProgrammes(context.Background(), f.emp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, pp := range list {
		if pp.Programme.Slug == slug {
			return pp
		}
	}
	t.Fatalf("%s is not assigned", slug)
	return nil
}

// day is a company-local YYYY-MM-DD date as the pages show it.
func day(d string) string {
	t, _ := time.Parse(time.DateOnly, d)
	return t.Format("2 Jan 2006")
}

func TestMyLearningProgrammes(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			f := mustProgrammes(t, ts)
			c := ts.client(t)
			c.signIn(f.emp.Email)

			_, body := c.get("/learn")
			d := doc(t, body)
			// The next step comes first (issue 16), then the programmes, then the courses.
			if d.Find("main h2").First().AttrOr("id", "") != "next-step-h" {
				t.Fatalf("first section %q, want the person's next step", d.Find("main h2").First().Text())
			}
			if h := d.Find("main h2").Not("#next-step-h").First().Text(); h != "Assigned programmes" {
				t.Fatalf("first section after the next step %q, want the programmes before the courses", h)
			}
			if d.Find("#courses .course-card").Length() != 8 || !strings.Contains(d.Find("#courses-h").Text(), "All courses") {
				t.Fatal("the course list is no longer under All courses")
			}
			cards := d.Find("#programmes .programme-card")
			var order []string
			cards.Each(func(_ int, s *goquery.Selection) { order = append(order, s.AttrOr("data-programme", "")) })
			if !slices.Equal(order, fixtureOrder) {
				t.Fatalf("programmes in order %v, want %v", order, fixtureOrder)
			}
			card := func(slug string) *goquery.Selection { return d.Find(`.programme-card[data-programme="` + slug + `"]`) }
			for slug, label := range map[string]string{"delta": "Overdue", "charlie": "Due soon", "bravo": "Not started", "echo": "Expiring", "alpha": "Completed"} {
				b := card(slug).Find(".status-badge")
				if got := strings.TrimSpace(b.Text()); !strings.HasSuffix(got, label) {
					t.Errorf("%s status %q, want the words %q", slug, got, label)
				}
				if b.Find(`[aria-hidden="true"]`).Length() != 1 {
					t.Errorf("%s status has no icon beside its words", slug)
				}
			}
			due := func(slug string) string { return card(slug).Find(".programme-due").Text() }
			delta := f.progress(t, "delta").Cycle
			overdueSince, _ := time.Parse(time.DateOnly, delta.DueOn)
			if want := "overdue since " + overdueSince.AddDate(0, 0, 1).Format("2 Jan 2006") + " (was due " + day(delta.DueOn) + ")"; due("delta") != want {
				t.Errorf("delta: %q, want %q", due("delta"), want)
			}
			if want := "due " + day(f.progress(t, "charlie").Cycle.DueOn); due("charlie") != want {
				t.Errorf("charlie: %q, want %q", due("charlie"), want)
			}
			bravo := f.progress(t, "bravo").Cycle
			if want := "due " + day(bravo.DueOn) + " (extended from " + day(bravo.OriginalDueOn) + ")"; due("bravo") != want {
				t.Errorf("bravo: %q, want %q", due("bravo"), want)
			}
			echo := f.progress(t, "echo")
			if want := "valid until " + echo.Cycles[0].ExpiresAt.Add(-time.Second).In(f.loc).Format("2 Jan 2006") + " · recertify by " + day(echo.Cycle.DueOn); due("echo") != want {
				t.Errorf("echo: %q, want %q", due("echo"), want)
			}
			if got := due("alpha"); !strings.HasPrefix(got, "completed ") || !strings.Contains(got, " · valid until ") {
				t.Errorf("alpha: %q", got)
			}

			// Progress in required courses, with the words; each course with its mark and link.
			pr := card("alpha").Find("progress")
			if pr.AttrOr("value", "") != "1" || pr.AttrOr("max", "") != "1" || !strings.Contains(card("alpha").Find(".progress-text").Text(), "1 of 1 required course done") {
				t.Errorf("alpha progress: %s", card("alpha").Find(".progress-line").Text())
			}
			if card("delta").Find("progress").AttrOr("value", "") != "0" || card("delta").Find("progress").AttrOr("aria-label", "") == "" {
				t.Error("delta progress bar")
			}
			opt := card("bravo").Find(`li[data-course="customer-world"]`)
			if opt.Find(`a[href="/learn/customer-world"]`).Length() != 1 || !strings.Contains(opt.Text(), "optional") || !strings.Contains(opt.Text(), "not done yet") {
				t.Errorf("bravo's optional course: %q", opt.Text())
			}
			done := card("alpha").Find(`li[data-course="service-recovery"]`)
			if !done.HasClass("done") || !strings.Contains(done.Text(), "done") || strings.Contains(done.Text(), "not done") {
				t.Errorf("alpha's course: %q", done.Text())
			}
			if d.Find(`a[href="/me/transcript"]`).Length() == 0 {
				t.Error("no link to the transcript")
			}

			// The home page sums it up.
			_, body = c.get("/")
			sum := strings.Join(strings.Fields(doc(t, body).Find("#programme-summary").Text()), " ")
			if !strings.Contains(sum, "3 programmes need attention: 1 overdue, 1 due soon, 1 expiring (of your 5 assigned programmes)") {
				t.Errorf("home summary: %q", sum)
			}
		})
	}
}

// supersede changes delta's courses with a new cycle for everyone: its
// first cycle closes (superseded) and a second opens.
func (f *programmeFixture) supersede(t *testing.T) {
	t.Helper()
	f.clock.Set(time.Time{})
	_, err := f.cs.UpdateProgramme(context.Background(), "delta", courses.ProgrammeInput{Title: "Delta: the six Cs",
		Due:     courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
		Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}, {Slug: "promises-timelines", Required: true}}},
		courses.NewCycle, &f.hr.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
}

func TestTranscriptPage(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			f := mustProgrammes(t, ts)
			f.supersede(t)
			ctx := context.Background()
			var completions, attempts, observations int
			ts.DB.NewSelect().TableExpr("course_completions").ColumnExpr("COUNT(*)").Where("employee_id = ?", f.emp.ID).Scan(ctx, &completions)
			ts.DB.NewSelect().TableExpr("attempts").ColumnExpr("COUNT(*)").Where("employee_id = ?", f.emp.ID).Scan(ctx, &attempts)
			ts.DB.NewSelect().TableExpr("observations").ColumnExpr("COUNT(*)").Where("employee_id = ? AND status <> 'draft'", f.emp.ID).Scan(ctx, &observations)
			if completions < 2 || attempts == 0 || observations == 0 {
				t.Fatalf("demo changed: %d completions, %d attempts, %d observations", completions, attempts, observations)
			}

			check := func(t *testing.T, body string) {
				t.Helper()
				d := doc(t, body)
				if n := d.Find("#transcript-programmes article.transcript-programme").Length(); n != 5+f.demoClosed {
					t.Fatalf("%d programmes, want %d", n, 5+f.demoClosed)
				}
				delta := d.Find(`.transcript-programme[data-programme="delta"]`)
				rows := delta.Find("table.transcript-cycles tbody tr")
				if rows.Length() != 2 {
					t.Fatalf("delta has %d cycles, want 2", rows.Length())
				}
				first := rows.Eq(0)
				if !strings.Contains(first.Text(), "superseded: the programme's courses changed") {
					t.Errorf("delta's first cycle does not say why it closed: %q", first.Text())
				}
				if !strings.Contains(first.Find(".status-badge").Text(), "Overdue") {
					t.Errorf("delta's first cycle status: %q", first.Find(".status-badge").Text())
				}
				if th := rows.Eq(1).Find("th").Text(); !strings.Contains(th, "2") || strings.Contains(th, "recertification") || !strings.Contains(rows.Eq(1).Text(), "open") {
					t.Errorf("delta's second cycle: %q", rows.Eq(1).Text())
				}
				echo := d.Find(`.transcript-programme[data-programme="echo"] table.transcript-cycles tbody tr`)
				if echo.Length() != 2 || !strings.Contains(echo.Eq(1).Text(), "recertification") {
					t.Errorf("echo's cycles: %q", echo.Text())
				}
				ext := d.Find(`.transcript-programme[data-programme="bravo"] .transcript-extensions li`)
				if ext.Length() != 1 || !strings.Contains(ext.Text(), "Reason: Parental leave") || !strings.Contains(ext.Text(), "by "+f.hr.Name()) {
					t.Errorf("bravo's extension: %q", ext.Text())
				}
				if n := d.Find("#transcript-courses tbody tr").Length(); n != completions {
					t.Errorf("%d course completions shown, want %d", n, completions)
				}
				ic := d.Find(`#transcript-courses tr[data-course="internal-customer"] td`)
				if ic.Length() != 3 || strings.TrimSpace(ic.Eq(0).Text()) == "" || strings.TrimSpace(ic.Eq(2).Text()) == "" {
					t.Errorf("internal customer completion: %q", ic.Text())
				}
				if n := d.Find("#transcript-attempts tbody tr").Length(); n != attempts {
					t.Errorf("%d attempts shown, want %d", n, attempts)
				}
				if cells := d.Find("#transcript-attempts tbody tr").First().Find("td"); cells.Length() != 5 || cells.Eq(1).Text() == "" || cells.Eq(4).Find(".badge").Length() == 0 {
					t.Errorf("attempt row: %q", cells.Text())
				}
				if n := d.Find("#transcript-observations tbody tr").Length(); n != observations {
					t.Errorf("%d observations shown, want %d", n, observations)
				}
				if cells := d.Find("#transcript-observations tbody tr").First().Find("td"); cells.Length() != 6 || strings.TrimSpace(cells.Eq(1).Text()) == "" {
					t.Errorf("observation row: %q", cells.Text())
				}
			}

			// Self, by both addresses.
			c := ts.client(t)
			c.signIn(f.emp.Email)
			resp, body := c.get("/me/transcript")
			if resp.StatusCode != 200 {
				t.Fatalf("own transcript: %d", resp.StatusCode)
			}
			check(t, body)
			if resp, _ = c.get("/people/" + inLine + "/transcript"); resp.StatusCode != 200 {
				t.Fatalf("own transcript by number: %d", resp.StatusCode)
			}
			if resp, _ = c.get("/people/" + staffNumber + "/transcript"); resp.StatusCode != 404 {
				t.Fatalf("staff reading someone else's transcript: %d", resp.StatusCode)
			}

			// The manager of their line, from the employee page; a manager outside it gets 404.
			m := ts.client(t)
			m.signIn(ccMgrEmail)
			_, body = m.get("/people/" + inLine)
			href, _ := doc(t, body).Find("a#transcript-link").Attr("href")
			if href != "/people/"+inLine+"/transcript" {
				t.Fatalf("employee page links the transcript at %q", href)
			}
			resp, body = m.get(href)
			if resp.StatusCode != 200 || !strings.Contains(doc(t, body).Find("h1").Text(), "Transcript of "+f.emp.FirstName) {
				t.Fatalf("manager in line: %d", resp.StatusCode)
			}
			check(t, body)
			if resp, _ = m.get("/people/" + staffNumber + "/transcript"); resp.StatusCode != 404 {
				t.Fatalf("manager outside the line: %d, want 404", resp.StatusCode)
			}

			// HR sees everyone.
			h := ts.client(t)
			h.signIn(hrEmail)
			resp, body = h.get("/people/" + inLine + "/transcript")
			if resp.StatusCode != 200 {
				t.Fatalf("HR: %d", resp.StatusCode)
			}
			check(t, body)
		})
	}
}

func TestTranscriptAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			f := mustProgrammes(t, ts)
			f.supersede(t)
			ctx := context.Background()
			token := func(role people.Role, emp string) string {
				secret, _, err := ts.People.CreateToken(ctx, "t", role, emp, nil)
				if err != nil {
					t.Fatal(err)
				}
				return secret
			}
			get := func(tok, num string) (int, map[string]json.RawMessage) {
				req, _ := http.NewRequest("GET", "http://localhost/api/v1/employees/"+num+"/transcript", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				var out map[string]json.RawMessage
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Fatalf("%s: not JSON: %v", num, err)
				}
				return resp.StatusCode, out
			}
			own := token(people.RoleStaff, inLine)
			for _, tc := range []struct {
				name, tok, num string
				want           int
			}{
				{"OwnStaffToken", own, inLine, 200},
				{"ErrStaffTokenForSomeoneElse", own, staffNumber, 404},
				{"ManagerTokenOwnLine", token(people.RoleManager, "BW1012"), inLine, 200},
				{"ErrManagerTokenOutsideLine", token(people.RoleManager, "BW1012"), staffNumber, 404},
				{"HRToken", token(people.RoleHR, ""), inLine, 200},
				{"AdminToken", token(people.RoleAdmin, ""), staffNumber, 200},
				{"ErrNoSuchEmployee", token(people.RoleHR, ""), "NOPE", 404},
			} {
				code, out := get(tc.tok, tc.num)
				if code != tc.want {
					t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
				}
				if code != 200 {
					if _, ok := out["error"]; !ok {
						t.Errorf("%s: error body %v", tc.name, out)
					}
					if _, ok := out["field"]; !ok {
						t.Errorf("%s: error body without field: %v", tc.name, out)
					}
				}
			}

			_, out := get(own, inLine)
			var progs []map[string]any
			var list []map[string]any
			if err := json.Unmarshal(out["programmes"], &progs); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out["courses"], &list); err != nil {
				t.Fatal(err)
			}
			// One row per cycle: delta 2, echo 2, the others 1.
			if len(progs) != 7+f.demoCycles {
				t.Fatalf("%d cycles, want %d: %v", len(progs), 7+f.demoCycles, progs)
			}
			keys := []string{"assigned_at", "certificate_code", "completed_at", "cycle", "due_at", "expires_at", "slug", "status", "title"}
			dateRE := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
			utc := func(v any) bool {
				s, ok := v.(string)
				if !ok {
					return false
				}
				tm, err := time.Parse(time.RFC3339, s)
				return err == nil && strings.HasSuffix(s, "Z") && tm.Location() == time.UTC
			}
			var prev time.Time
			seen := map[string]int{}
			for _, p := range progs {
				var got []string
				for k := range p {
					got = append(got, k)
				}
				slices.Sort(got)
				if !slices.Equal(got, keys) {
					t.Fatalf("cycle keys %v, want %v", got, keys)
				}
				if !utc(p["assigned_at"]) {
					t.Errorf("assigned_at %v", p["assigned_at"])
				}
				at, _ := time.Parse(time.RFC3339, p["assigned_at"].(string))
				if at.Before(prev) {
					t.Errorf("cycles not oldest first: %v after %v", at, prev)
				}
				prev = at
				for _, k := range []string{"completed_at", "expires_at"} {
					if p[k] != nil && !utc(p[k]) {
						t.Errorf("%s %v", k, p[k])
					}
				}
				if p["due_at"] != nil && !dateRE.MatchString(p["due_at"].(string)) {
					t.Errorf("due_at %v", p["due_at"])
				}
				// A completed cycle has its certificate's code; an open one none.
				if code, _ := p["certificate_code"].(string); (code != "") != (p["completed_at"] != nil) {
					t.Errorf("certificate_code %v with completed_at %v", p["certificate_code"], p["completed_at"])
				} else if code != "" {
					if _, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).FindCertificate(context.Background(), code); err != nil {
						t.Errorf("certificate_code %s: %v", code, err)
					}
				}
				slug := p["slug"].(string)
				seen[slug]++
				if int(p["cycle"].(float64)) != seen[slug] {
					t.Errorf("%s cycle %v, want %d (oldest first)", slug, p["cycle"], seen[slug])
				}
				switch slug {
				case "alpha":
					if p["due_at"] != nil || p["status"] != "completed" || p["completed_at"] == nil || p["expires_at"] == nil {
						t.Errorf("alpha: %v", p)
					}
				case "charlie":
					if p["status"] != "due_soon" || p["due_at"] == nil || p["title"] != "Charlie: promises" {
						t.Errorf("charlie: %v", p)
					}
				}
			}
			// Oldest first: of the fixture's cycles, delta's first (the demo's closed ones are mixed in by date).
			for _, p := range progs {
				if slices.Contains(fixtureOrder, p["slug"].(string)) {
					if p["slug"] != "delta" || p["status"] != "overdue" {
						t.Errorf("the oldest fixture cycle is %v, want delta's first (overdue)", p)
					}
					break
				}
			}
			var completions int
			ts.DB.NewSelect().TableExpr("course_completions").ColumnExpr("COUNT(*)").Where("employee_id = ?", f.emp.ID).Scan(ctx, &completions)
			if len(list) != completions {
				t.Fatalf("%d courses, want %d", len(list), completions)
			}
			var prevDone time.Time
			for _, cc := range list {
				if cc["slug"] == "" || cc["title"] == "" || cc["version"].(float64) < 1 || !utc(cc["completed_at"]) || len(cc) != 4 {
					t.Errorf("course: %v", cc)
				}
				done, _ := time.Parse(time.RFC3339, cc["completed_at"].(string))
				if done.Before(prevDone) {
					t.Errorf("courses not oldest first")
				}
				prevDone = done
			}
			// Someone with no history: empty lists, not null.
			_, empty := get(token(people.RoleHR, ""), "BW1000")
			if string(empty["programmes"]) != "[]" || string(empty["courses"]) == "null" {
				t.Errorf("empty transcript: %s %s", empty["programmes"], empty["courses"])
			}
		})
	}
}

// TestTranscriptPDF: the transcript downloads as a valid PDF holding the
// employee's name and their programmes, with the page's access rules.
func TestTranscriptPDF(t *testing.T) {
	ts := mustServer(t, "sqlite")
	f := mustProgrammes(t, ts)
	mgr := ts.client(t)
	mgr.signIn(ccMgrEmail)
	_, body := mgr.get("/people/" + inLine + "/transcript")
	href := doc(t, body).Find("#transcript-pdf").AttrOr("href", "")
	resp, pdf := mgr.get(href)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "transcript-"+inLine) {
		t.Fatalf("download %q: %d %q %q", href, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	path := filepath.Join(t.TempDir(), "transcript.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(needPDFTool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(needPDFTool(t, "pdftotext"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{f.emp.Name(), inLine, "Delta: the six Cs", "Echo: colleagues", "Parental leave", "Course completions", "Page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	// Outside the line: 404, as the page.
	if resp, _ := mgr.get("/people/" + staffNumber + "/transcript.pdf"); resp.StatusCode != 404 {
		t.Fatalf("outside the line: %d", resp.StatusCode)
	}
	staff := ts.client(t)
	staff.signIn(staffEmail)
	if resp, _ := staff.get("/me/transcript.pdf"); resp.StatusCode != 200 {
		t.Fatalf("own PDF: %d", resp.StatusCode)
	}
}

// needPDFTool returns the path of a PDF tool; without it the test skips,
// except under CI, which installs poppler-utils and qpdf.
func needPDFTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; CI must install it", name)
		}
		t.Skipf("skipping: %s is not installed (apt-get install poppler-utils qpdf)", name)
	}
	return p
}
