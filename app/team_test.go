package app_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// ccMgrNumber is the contact centre manager (daniel.kim); frontDeskMgr
// another manager, outside his line.
const (
	ccMgrNumber  = "BW1012"
	frontDeskMgr = "BW1010"
	headNumber   = "BW1003"
)

// summaryOf reads the stored readiness counts the page must show.
func summaryOf(t *testing.T, ts *testServer, f courses.ReadinessFilter) courses.ReadinessSummary {
	t.Helper()
	sum, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).ReadinessSummaryOf(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func employeeID(t *testing.T, ts *testServer, number string) int64 {
	t.Helper()
	e, err := ts.People.FindEmployeeByNumber(context.Background(), number)
	if err != nil {
		t.Fatalf("%s: %v", number, err)
	}
	return e.ID
}

// statValue is the number in one of the page's counts.
func statValue(t *testing.T, d *goquery.Document, st courses.Readiness) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(d.Find("#count-" + string(st) + " .stat-value").Text()))
	if err != nil {
		t.Fatalf("count of %s: %v", st, err)
	}
	return n
}

// teamRows are the employee numbers and readiness of the page's rows, in order.
func teamRows(d *goquery.Document) (numbers []string, statuses []string) {
	d.Find("#team-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		numbers = append(numbers, tr.AttrOr("data-employee", ""))
		statuses = append(statuses, tr.AttrOr("data-readiness", ""))
	})
	return numbers, statuses
}

// TestTeamPage: the counts on /team are the stored readiness of the line;
// the filters narrow the rows; sorting puts the worst first; direct reports
// differ from the whole line; each row drills down to the person's records.
func TestTeamPage(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			mgr := ts.client(t)
			mgr.signIn(ccMgrEmail)
			daniel := employeeID(t, ts, ccMgrNumber)
			want := summaryOf(t, ts, courses.ReadinessFilter{LineOf: daniel})
			if want.Headcount < 20 || want.Ready == 0 || want.AtRisk == 0 || want.NotReady == 0 {
				t.Fatalf("demo changed: the contact centre line is %+v", want)
			}

			resp, body := mgr.get("/team")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/team: %d", resp.StatusCode)
			}
			d := doc(t, body)
			if got := d.Find("#summary h2").Text(); got != strconv.Itoa(want.Headcount)+" people" {
				t.Errorf("headcount %q, want %d", got, want.Headcount)
			}
			for _, c := range []struct {
				st courses.Readiness
				n  int
			}{{courses.Ready, want.Ready}, {courses.AtRisk, want.AtRisk}, {courses.NotReady, want.NotReady}} {
				if got := statValue(t, d, c.st); got != c.n {
					t.Errorf("%s: %d, want %d", c.st, got, c.n)
				}
				pct := strconv.Itoa(want.Percent(c.n)) + "%"
				if got := d.Find("#count-" + string(c.st) + " .pct").Text(); got != pct {
					t.Errorf("%s share %q, want %q", c.st, got, pct)
				}
				if !strings.Contains(d.Find("#count-"+string(c.st)+" .badge").Text(), c.st.Label()) {
					t.Errorf("%s: the count has no words", c.st)
				}
			}
			bar := d.Find("#summary svg.readiness-bar[role=img]")
			if bar.Length() != 1 || !strings.Contains(bar.AttrOr("aria-label", ""), strconv.Itoa(want.NotReady)+" Not ready") ||
				bar.Find("rect").Length() != 3 {
				t.Errorf("the bar: %d, label %q", bar.Length(), bar.AttrOr("aria-label", ""))
			}
			if n := d.Find("[style]").Length(); n != 0 {
				t.Errorf("%d elements with a style attribute (the CSP forbids them)", n)
			}
			if !strings.Contains(d.Find(".bar-legend").Text(), strconv.Itoa(want.Ready)+" Ready") {
				t.Errorf("legend: %q", d.Find(".bar-legend").Text())
			}
			numbers, _ := teamRows(d)
			if len(numbers) != want.Headcount {
				t.Fatalf("%d rows, want %d", len(numbers), want.Headcount)
			}
			for _, n := range numbers {
				if ok, _ := ts.People.InLine(ctx, daniel, employeeID(t, ts, n)); !ok {
					t.Errorf("%s is listed but not in the line", n)
				}
			}
			// Each row: the name links to the person, then their records; the badge has words.
			row := d.Find("#team-table tr[data-employee='" + inLine + "']")
			for _, href := range []string{"/people/" + inLine, "/people/" + inLine + "/transcript", "/people/" + inLine + "/programmes", "/people/" + inLine + "/observe"} {
				if row.Find("a[href='"+href+"']").Length() != 1 {
					t.Errorf("row %s has no link to %s", inLine, href)
				}
			}
			if !strings.Contains(row.Find(".badge").Text(), "Not ready") || row.Find(".reasons li[data-kind=overdue]").Length() == 0 {
				t.Errorf("row %s: %q", inLine, row.Text())
			}
			for _, href := range []string{"/people/" + inLine + "/transcript", "/people/" + inLine + "/programmes", "/people/" + inLine + "/observe"} {
				if r, _ := mgr.get(href); r.StatusCode != http.StatusOK {
					t.Errorf("drill-down %s: %d", href, r.StatusCode)
				}
			}

			// Status: only those rows, and the count says how many.
			_, body = mgr.get("/team?status=not_ready")
			d = doc(t, body)
			numbers, statuses := teamRows(d)
			if len(numbers) != want.NotReady || slices.ContainsFunc(statuses, func(s string) bool { return s != "not_ready" }) {
				t.Errorf("status=not_ready: %d rows %v, want %d", len(numbers), statuses, want.NotReady)
			}
			if got := d.Find("#team-count").Text(); !strings.HasPrefix(got, strconv.Itoa(want.NotReady)+" people match") {
				t.Errorf("count: %q", got)
			}
			if statValue(t, d, courses.Ready) != want.Ready {
				t.Error("the status filter changed the team's counts")
			}
			if d.Find("#status option[selected]").AttrOr("value", "") != "not_ready" {
				t.Error("the status select does not show the filter")
			}

			// Reason, location, job title: each narrows to the matching people.
			for _, c := range []struct {
				name  string
				query string
				f     courses.ReadinessFilter
				check func(tr *goquery.Selection) bool
			}{
				{"Reason", "reason=due_soon", courses.ReadinessFilter{LineOf: daniel, Reason: courses.ReasonDueSoon},
					func(tr *goquery.Selection) bool { return tr.Find(".reasons li[data-kind=due_soon]").Length() > 0 }},
				{"Location", "location=" + orgIDOf(t, ts, people.Locations, "Glasgow"), courses.ReadinessFilter{LineOf: daniel, LocationID: mustInt(orgIDOf(t, ts, people.Locations, "Glasgow"))},
					func(tr *goquery.Selection) bool { return tr.Find("td").Eq(2).Text() == "Glasgow" }},
				{"JobTitle", "job_title=" + orgIDOf(t, ts, people.JobTitles, "Contact Centre Team Leader"), courses.ReadinessFilter{LineOf: daniel, JobTitleID: mustInt(orgIDOf(t, ts, people.JobTitles, "Contact Centre Team Leader"))},
					func(tr *goquery.Selection) bool { return tr.Find("td").Eq(1).Text() == "Contact Centre Team Leader" }},
			} {
				_, body = mgr.get("/team?" + c.query)
				d = doc(t, body)
				rows := d.Find("#team-table tbody tr")
				n := summaryOf(t, ts, c.f).Headcount
				if rows.Length() != n || n == 0 || n == want.Headcount {
					t.Errorf("%s: %d rows, want %d (of %d)", c.name, rows.Length(), n, want.Headcount)
				}
				rows.Each(func(_ int, tr *goquery.Selection) {
					if !c.check(tr) {
						t.Errorf("%s: row %s does not match: %q", c.name, tr.AttrOr("data-employee", ""), tr.Text())
					}
				})
				// The team's counts stay the line's; the list's count is the filter's.
				if got := statValue(t, d, courses.NotReady); got != want.NotReady {
					t.Errorf("%s: team not ready %d, want %d", c.name, got, want.NotReady)
				}
			}
			_, body = mgr.get("/team?location=" + orgIDOf(t, ts, people.Locations, "Glasgow") + "&status=ready")
			if n := doc(t, body).Find("#team-table tbody tr").Length(); n != summaryOf(t, ts, courses.ReadinessFilter{LineOf: daniel,
				LocationID: mustInt(orgIDOf(t, ts, people.Locations, "Glasgow"))}).Ready {
				t.Errorf("location and status together: %d rows", n)
			}

			// Worst first: not ready, then at risk, then ready, each by name.
			_, body = mgr.get("/team?sort=status")
			_, statuses = teamRows(doc(t, body))
			rank := map[string]int{"not_ready": 0, "at_risk": 1, "ready": 2}
			if len(statuses) != want.Headcount || !slices.IsSortedFunc(statuses, func(a, b string) int { return rank[a] - rank[b] }) {
				t.Errorf("sort=status: %v", statuses)
			}

			// Unknown values are ignored, never a 500.
			if r, _ := mgr.get("/team?status=bogus&reason=nope&location=x&job_title=-1&sort=up&scope=all"); r.StatusCode != http.StatusOK {
				t.Errorf("unknown filters: %d", r.StatusCode)
			}
			if r, _ := mgr.get("/team?after=not-a-cursor"); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("bad cursor: %d", r.StatusCode)
			}
			if r, _ := mgr.get("/team?sort=status&after=nobody~x"); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("bad status cursor: %d", r.StatusCode)
			}

			// A sub-line of his line; someone outside it is 404.
			lead := employeeID(t, ts, "BW1132")
			_, body = mgr.get("/team?manager=BW1132")
			if got, n := doc(t, body).Find("#team-table tbody tr").Length(), summaryOf(t, ts, courses.ReadinessFilter{LineOf: lead}).Headcount; got != n || n == 0 {
				t.Errorf("a team leader's line: %d rows, want %d", got, n)
			}
			for _, m := range []string{frontDeskMgr, staffNumber, "NOPE"} {
				if r, _ := mgr.get("/team?manager=" + m); r.StatusCode != http.StatusNotFound {
					t.Errorf("?manager=%s: %d, want 404", m, r.StatusCode)
				}
			}

			// Home page and navigation.
			_, body = mgr.get("/")
			d = doc(t, body)
			if got := d.Find("#team-readiness-summary").Text(); !strings.Contains(got, strconv.Itoa(want.Ready)+" of "+strconv.Itoa(want.Headcount)+" ready") ||
				d.Find("#team-readiness-summary a[href='/team']").Length() != 1 {
				t.Errorf("home summary: %q", got)
			}
			if d.Find(".site-nav a[href='/team']").Text() != "Team readiness" || d.Find(".site-nav a[href='/people']").Text() != "My team" {
				t.Errorf("nav: %q", d.Find(".site-nav").Text())
			}

			// Whole line and direct reports of the head of customer service.
			head := ts.client(t)
			head.signIn(headEmail)
			olivia := employeeID(t, ts, headNumber)
			line, direct := summaryOf(t, ts, courses.ReadinessFilter{LineOf: olivia}), summaryOf(t, ts, courses.ReadinessFilter{DirectOf: olivia})
			_, body = head.get("/team")
			d = doc(t, body)
			if n := d.Find("#team-table tbody tr").Length(); n != min(line.Headcount, 100) || d.Find("#scope-line[aria-current]").Length() != 1 {
				t.Errorf("whole line: %d rows, want %d", n, line.Headcount)
			}
			_, body = head.get("/team?scope=direct")
			d = doc(t, body)
			numbers, _ = teamRows(d)
			slices.Sort(numbers)
			if !slices.Equal(numbers, []string{frontDeskMgr, "BW1011", ccMgrNumber}) || direct.Headcount != 3 || line.Headcount <= direct.Headcount ||
				d.Find("#summary h2").Text() != "3 people" || d.Find("#scope-direct[aria-current]").Length() != 1 {
				t.Errorf("direct reports: %v (summary %q)", numbers, d.Find("#summary h2").Text())
			}
			if d.Find("#team-filters input[name=scope][value=direct]").Length() != 1 {
				t.Error("the filters forget the direct-reports toggle")
			}

			// HR: everyone, or someone's line.
			hr := ts.client(t)
			hr.signIn(hrEmail)
			_, body = hr.get("/team")
			if got, all := doc(t, body).Find("#summary h2").Text(), summaryOf(t, ts, courses.ReadinessFilter{}); got != strconv.Itoa(all.Headcount)+" people" {
				t.Errorf("HR sees %q, want everyone (%d)", got, all.Headcount)
			}
			_, body = hr.get("/team?manager=" + ccMgrNumber)
			d = doc(t, body)
			if statValue(t, d, courses.NotReady) != want.NotReady || !strings.Contains(d.Find("#whose").Text(), "Daniel Kim") {
				t.Errorf("HR on Daniel's line: %q", d.Find("#whose").Text())
			}
			staff := ts.client(t)
			staff.signIn(staffEmail)
			_, body = staff.get("/")
			if doc(t, body).Find(".site-nav a[href='/team']").Length() != 0 {
				t.Error("staff see Team readiness in the navigation")
			}
		})
	}
}

func orgIDOf(t *testing.T, ts *testServer, kind people.OrgKind, name string) string {
	t.Helper()
	it, err := ts.People.FindOrgByName(context.Background(), kind, name)
	if err != nil {
		t.Fatalf("%s %q: %v", kind, name, err)
	}
	return strconv.FormatInt(it.ID, 10)
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// TestCoachQueue: the head of customer service's queue has each section
// with its action; the contact centre manager's says when a section is
// empty; the actions work.
func TestCoachQueue(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			head := ts.client(t)
			head.signIn(headEmail)
			resp, body := head.get("/team/coach")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/team/coach: %d", resp.StatusCode)
			}
			d := doc(t, body)
			// One block per person: nobody listed twice.
			seen := map[string]bool{}
			d.Find("#people li.coach-person").Each(func(_ int, li *goquery.Selection) {
				num := li.AttrOr("data-employee", "")
				if seen[num] {
					t.Errorf("%s listed twice", num)
				}
				seen[num] = true
			})
			// Aisha: a re-observation due after a critical fail, one
			// "Observe again" for it (not a second row under another
			// heading), inside the bulk form with its CSRF token.
			aisha := d.Find("#people li.coach-person[data-employee='" + staffNumber + "']")
			obsBtn := aisha.Find("li[data-kind=observe] button")
			if aisha.Length() != 1 || obsBtn.Length() != 1 || !strings.HasPrefix(obsBtn.AttrOr("formaction", ""), "/people/"+staffNumber+"/observe/") ||
				d.Find("#coach-bulk input[name=_csrf]").Length() != 1 || strings.TrimSpace(obsBtn.Contents().First().Text()) != "Observe again" {
				t.Fatalf("Aisha's block: %q", aisha.Text())
			}
			if !strings.Contains(aisha.Text(), "critical item") {
				t.Errorf("Aisha's block does not say why: %q", aisha.Text())
			}
			// Everyone with a failed critical item, and everyone overdue, has a block.
			olivia := employeeID(t, ts, headNumber)
			crit := summaryOf(t, ts, courses.ReadinessFilter{LineOf: olivia, Reason: courses.ReasonCriticalFailed})
			if n := d.Find("#people li.coach-person:has(li[data-kind=observe])").Length(); n < crit.Headcount || n == 0 {
				t.Errorf("people to observe again: %d blocks, want at least %d", n, crit.Headcount)
			}
			over := summaryOf(t, ts, courses.ReadinessFilter{LineOf: olivia, Reason: courses.ReasonOverdue})
			if n := d.Find("#people li.coach-person:has(li[data-kind=overdue])").Length(); n != over.Headcount || n == 0 {
				t.Errorf("overdue: %d blocks, want %d", n, over.Headcount)
			}
			// Certificates expiring and overdue people: a link to the programmes (where extensions are).
			if d.Find("#people li[data-kind=certificate]").Length() == 0 {
				t.Errorf("no expiring certificates")
			}
			d.Find("#people li.coach-person:has(li[data-kind=overdue]), #people li.coach-person:has(li[data-kind=certificate])").Each(func(_ int, li *goquery.Selection) {
				num := li.AttrOr("data-employee", "")
				if li.Find("a[href='/people/"+num+"/programmes']").Length() != 1 {
					t.Errorf("%s has no programmes link", num)
				}
			})
			// The one-click action: the observation starts.
			resp, _ = head.post(obsBtn.AttrOr("formaction", ""), nil)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/observations/") {
				t.Errorf("observe again: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}

			// The contact centre: nobody to observe again; people overdue.
			mgr := ts.client(t)
			mgr.signIn(ccMgrEmail)
			_, body = mgr.get("/team/coach")
			d = doc(t, body)
			if d.Find("#people li[data-kind=observe]").Length() != 0 {
				t.Errorf("the contact centre has people to observe again: %q", d.Find("#people").Text())
			}
			if d.Find("#people li[data-kind=overdue]").Length() == 0 {
				t.Error("the contact centre has overdue people")
			}
			hrCrit := func(body string) int {
				return doc(t, body).Find("#people li.coach-person:has(li[data-kind=observe])").Length()
			}
			// HR: everyone by default, or a line.
			hr := ts.client(t)
			hr.signIn(hrEmail)
			_, body = hr.get("/team/coach?manager=" + headNumber)
			if n := hrCrit(body); n < crit.Headcount || n == 0 {
				t.Errorf("HR on Olivia's line: %d people to observe again", n)
			}
			if r, _ := hr.get("/team/coach"); r.StatusCode != http.StatusOK {
				t.Errorf("HR coach queue: %d", r.StatusCode)
			}
		})
	}
}

// apiGet requests path with a bearer token (and an Accept header) through the app.
func apiGet(t *testing.T, ts *testServer, token, path, accept string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := ts.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

type readinessJSON struct {
	Summary struct {
		Headcount int `json:"headcount"`
		Ready     int `json:"ready"`
		AtRisk    int `json:"at_risk"`
		NotReady  int `json:"not_ready"`
	} `json:"summary"`
	Employees []struct {
		Number  string `json:"number"`
		Name    string `json:"name"`
		Status  string `json:"status"`
		Reasons []struct {
			Kind, Programme, Detail, Date string
		} `json:"reasons"`
	} `json:"employees"`
	Next  string `json:"next"`
	Error string `json:"error"`
	Field string `json:"field"`
}

func decodeReadiness(t *testing.T, body string) readinessJSON {
	t.Helper()
	var out readinessJSON
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out
}

func mustToken(t *testing.T, ts *testServer, role people.Role, number string) string {
	t.Helper()
	tok, _, err := ts.People.CreateToken(context.Background(), string(role)+" readiness", role, number, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestReadinessAPI: the list with its summary and keyset pages, the CSV,
// one employee, the filters by name and the errors by field.
func TestReadinessAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			mgrTok := mustToken(t, ts, people.RoleManager, ccMgrNumber)
			hrTok := mustToken(t, ts, people.RoleHR, "")
			staffTok := mustToken(t, ts, people.RoleStaff, staffNumber)
			daniel := employeeID(t, ts, ccMgrNumber)
			want := summaryOf(t, ts, courses.ReadinessFilter{LineOf: daniel})

			code, body, _ := apiGet(t, ts, mgrTok, "/api/v1/readiness", "")
			out := decodeReadiness(t, body)
			if code != 200 || out.Summary.Headcount != want.Headcount || out.Summary.Ready != want.Ready || out.Summary.AtRisk != want.AtRisk ||
				out.Summary.NotReady != want.NotReady || len(out.Employees) != want.Headcount || out.Next != "" {
				t.Fatalf("manager list: %d %+v (%d employees), want %+v", code, out.Summary, len(out.Employees), want)
			}
			if !strings.Contains(body, `"reasons":[{"kind":"overdue","programme":`) || !strings.Contains(body, `"status":"not_ready"`) {
				t.Errorf("JSON shape: %.400s", body)
			}

			// Keyset pages of 7 cover everyone once, in name order.
			var seen []string
			for after, pages := "", 0; ; pages++ {
				code, body, _ = apiGet(t, ts, mgrTok, "/api/v1/readiness?limit=7&after="+url.QueryEscape(after), "")
				page := decodeReadiness(t, body)
				if code != 200 || len(page.Employees) > 7 || page.Summary.Headcount != want.Headcount || pages > 20 {
					t.Fatalf("page %d: %d %s", pages, code, body)
				}
				for _, e := range page.Employees {
					seen = append(seen, e.Number)
				}
				if page.Next == "" {
					break
				}
				after = page.Next
			}
			all := make([]string, len(out.Employees))
			for i, e := range out.Employees {
				all[i] = e.Number
			}
			if !slices.Equal(seen, all) {
				t.Errorf("pages %v, want %v", seen, all)
			}

			// Filters by name, in any letter case; a sub-line; status and reason.
			code, body, _ = apiGet(t, ts, hrTok, "/api/v1/readiness?department=contact+CENTRE&location=glasgow", "")
			out = decodeReadiness(t, body)
			glasgow := mustInt(orgIDOf(t, ts, people.Locations, "Glasgow"))
			dept := mustInt(orgIDOf(t, ts, people.Departments, "Contact Centre"))
			if n := summaryOf(t, ts, courses.ReadinessFilter{DepartmentID: dept, LocationID: glasgow}).Headcount; code != 200 || out.Summary.Headcount != n || n == 0 {
				t.Errorf("department and location: %d %+v, want %d", code, out.Summary, n)
			}
			code, body, _ = apiGet(t, ts, mgrTok, "/api/v1/readiness?manager=BW1132&status=not_ready", "")
			out = decodeReadiness(t, body)
			lead := summaryOf(t, ts, courses.ReadinessFilter{LineOf: employeeID(t, ts, "BW1132")})
			if code != 200 || out.Summary.Headcount != lead.Headcount || len(out.Employees) != lead.NotReady {
				t.Errorf("a sub-line, not ready: %d %+v %d", code, out.Summary, len(out.Employees))
			}
			code, body, _ = apiGet(t, ts, mgrTok, "/api/v1/readiness?manager="+ccMgrNumber, "")
			if code != 200 || decodeReadiness(t, body).Summary.Headcount != want.Headcount {
				t.Errorf("manager=self: %d", code)
			}

			// Errors name the field.
			for _, c := range []struct {
				token, query string
				status       int
				field        string
			}{
				{mgrTok, "limit=0", 422, "limit"}, {mgrTok, "limit=1001", 422, "limit"}, {mgrTok, "limit=ten", 422, "limit"},
				{mgrTok, "department=Nowhere", 422, "department"}, {mgrTok, "location=Atlantis", 422, "location"},
				{mgrTok, "as_of=yesterday", 422, "as_of"}, {mgrTok, "as_of=2026-13-45", 422, "as_of"},
				{mgrTok, "after=garbage", 422, "after"}, {mgrTok, "status=fine", 422, "status"}, {mgrTok, "reason=bored", 422, "reason"},
				{mgrTok, "manager=" + frontDeskMgr, 404, "manager"}, {mgrTok, "manager=" + staffNumber, 404, "manager"},
				{mgrTok, "manager=NOPE", 404, "manager"}, {hrTok, "manager=NOPE", 404, "manager"},
				{staffTok, "", 403, ""},
			} {
				code, body, hdr := apiGet(t, ts, c.token, "/api/v1/readiness?"+c.query, "")
				out := decodeReadiness(t, body)
				if code != c.status || out.Field != c.field || out.Error == "" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
					t.Errorf("%s: %d %s, want %d field %q", c.query, code, body, c.status, c.field)
				}
			}
			if code, _, _ := apiGet(t, ts, hrTok, "/api/v1/readiness?manager="+frontDeskMgr+"&limit=1000", ""); code != 200 {
				t.Errorf("HR on another line: %d", code)
			}

			// One employee: themself, their line, HR.
			for _, c := range []struct {
				token, number string
				status        int
			}{
				{staffTok, staffNumber, 200}, {staffTok, inLine, 404}, {mgrTok, inLine, 200}, {mgrTok, staffNumber, 404},
				{mgrTok, frontDeskMgr, 404}, {hrTok, staffNumber, 200}, {hrTok, "NOPE", 404},
			} {
				code, body, _ := apiGet(t, ts, c.token, "/api/v1/readiness/employees/"+c.number, "")
				if code != c.status {
					t.Errorf("employee %s: %d, want %d: %s", c.number, code, c.status, body)
				}
			}
			_, body, _ = apiGet(t, ts, staffTok, "/api/v1/readiness/employees/"+staffNumber, "")
			var one struct {
				Number, Name, Status string
				Reasons              []struct{ Kind, Programme, Detail, Date string }
			}
			json.Unmarshal([]byte(body), &one)
			stored, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).EmployeeReadiness(ctx, employeeID(t, ts, staffNumber))
			if err != nil {
				t.Fatal(err)
			}
			if one.Number != staffNumber || one.Status != string(stored.Status) || len(one.Reasons) != len(stored.Reasons) || one.Reasons[0].Date == "" {
				t.Errorf("one employee: %s", body)
			}

			// CSV: a header, everyone, reasons in words, formulas defused.
			if _, err := ts.DB.NewUpdate().TableExpr("employees").Set("first_name = ?", "=HYPERLINK(\"http://x\")").Where("number = ?", inLine).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			code, body, hdr := apiGet(t, ts, mgrTok, "/api/v1/readiness", "text/csv")
			if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
				t.Fatalf("CSV: %d %q %s", code, hdr.Get("Content-Type"), body)
			}
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recs[0], []string{"number", "name", "status", "reasons"}) || len(recs) != want.Headcount+1 {
				t.Fatalf("CSV: %d rows, header %v", len(recs), recs[0])
			}
			for _, r := range recs[1:] {
				if r[0] == inLine {
					if !strings.HasPrefix(r[1], "'=HYPERLINK") || r[2] != "not_ready" || !strings.Contains(r[3], "is overdue") {
						t.Errorf("CSV row %v", r)
					}
				}
				if r[2] == "at_risk" && r[3] == "" {
					t.Errorf("CSV row without reasons: %v", r)
				}
			}
			code, body, _ = apiGet(t, ts, mgrTok, "/api/v1/readiness?after=garbage", "text/csv")
			if code != 422 || !strings.Contains(body, `"field":"after"`) {
				t.Errorf("CSV with a bad cursor: %d %s", code, body)
			}
		})
	}
}

// TestTeamOutsidersNeverShown: nobody outside the contact centre manager's
// line appears on his Team readiness (any filter or sort), his coach queue,
// his API list or its CSV; naming them (or another manager) is 404.
func TestTeamOutsidersNeverShown(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	daniel := employeeID(t, ts, ccMgrNumber)
	line, err := ts.People.ReportingLine(ctx, daniel, false)
	if err != nil {
		t.Fatal(err)
	}
	inside := map[string]bool{ccMgrNumber: true}
	for _, m := range line {
		inside[m.Number] = true
	}
	all, _, err := ts.People.ListEmployees(ctx, people.EmployeeFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var outsiders []string
	for _, e := range all {
		if !inside[e.Number] {
			outsiders = append(outsiders, e.Number)
		}
	}
	if !slices.Contains(outsiders, staffNumber) || !slices.Contains(outsiders, frontDeskMgr) || len(outsiders) < 30 {
		t.Fatalf("demo changed: outsiders %v", outsiders)
	}
	check := func(what, body string) {
		t.Helper()
		for _, n := range outsiders {
			if strings.Contains(body, n) {
				t.Errorf("%s shows %s, who is outside the line", what, n)
			}
		}
	}
	mgr := ts.client(t)
	mgr.signIn(ccMgrEmail)
	for _, path := range []string{"/team", "/team?scope=direct", "/team?sort=status", "/team?status=not_ready", "/team?status=ready&sort=status",
		"/team?reason=overdue", "/team?reason=critical_failed", "/team?q=BW11", "/team?q=aisha", "/team/coach", "/team?manager=BW1140", "/"} {
		resp, body := mgr.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		check(path, body)
	}
	// Another location's people outside the line: the location filter does not reach them.
	resp, body := mgr.get("/team?location=" + orgIDOf(t, ts, people.Locations, "Manchester"))
	if resp.StatusCode != http.StatusOK || doc(t, body).Find("#team-table tbody tr").Length() != 0 {
		t.Errorf("Manchester (nobody of his there): %d", resp.StatusCode)
	}
	check("/team?location=Manchester", body)
	// Naming someone outside the line is answered as a number that does not exist.
	_, nope := mgr.get("/team?manager=NOPE")
	nopeMsg := doc(t, nope).Find("main").Text()
	for _, path := range []string{"/team?manager=" + frontDeskMgr, "/team?manager=" + staffNumber, "/team/coach?manager=" + frontDeskMgr,
		"/team/coach?manager=" + staffNumber} {
		resp, body := mgr.get(path)
		num := path[strings.LastIndex(path, "=")+1:]
		if got := strings.ReplaceAll(doc(t, body).Find("main").Text(), num, "NOPE"); resp.StatusCode != http.StatusNotFound || got != nopeMsg {
			t.Errorf("%s: %d %q, want 404 %q", path, resp.StatusCode, got, nopeMsg)
		}
	}

	tok := mustToken(t, ts, people.RoleManager, ccMgrNumber)
	for _, path := range []string{"/api/v1/readiness", "/api/v1/readiness?limit=1000", "/api/v1/readiness?location=Leeds", "/api/v1/readiness?department=Front+Desk",
		"/api/v1/readiness?reason=critical_failed"} {
		code, body, _ := apiGet(t, ts, tok, path, "")
		if code != 200 {
			t.Errorf("%s: %d", path, code)
		}
		check(path, body)
		code, body, _ = apiGet(t, ts, tok, path, "text/csv")
		if code != 200 {
			t.Errorf("%s as CSV: %d", path, code)
		}
		check(path+" as CSV", body)
	}
	for _, path := range []string{"/api/v1/readiness/employees/" + staffNumber, "/api/v1/readiness/employees/" + frontDeskMgr,
		"/api/v1/readiness?manager=" + frontDeskMgr, "/api/v1/readiness?manager=" + staffNumber} {
		if code, body, _ := apiGet(t, ts, tok, path, ""); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404: %s", path, code, body)
		}
	}
	for _, n := range outsiders {
		if code, _, _ := apiGet(t, ts, tok, "/api/v1/readiness/employees/"+n, ""); code != http.StatusNotFound {
			t.Errorf("employee %s: %d, want 404", n, code)
		}
	}
}
