package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// observeCast is who the observation tests use: a manager, one of their direct
// reports and someone outside their line.
type observeCast struct {
	mgr, report, outsider *people.Employee
}

func mustObserveCast(t *testing.T, ts *testServer) observeCast {
	t.Helper()
	ctx := context.Background()
	mgr, err := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := ts.People.DirectReports(ctx, mgr.ID)
	if err != nil || len(reports) == 0 {
		t.Fatalf("no direct reports of %s: %v", ccMgrEmail, err)
	}
	cast := observeCast{mgr: mgr, report: &reports[0]}
	staff, err := ts.People.FindEmployeeByEmail(ctx, staffEmail)
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := ts.People.InLine(ctx, mgr.ID, staff.ID); in {
		t.Fatalf("%s is in %s's line; the test needs someone outside it", staffEmail, ccMgrEmail)
	}
	cast.outsider = staff
	return cast
}

// autosave posts the form as app.js does: fetch, JSON accepted, CSRF in a header.
func (c *client) autosave(path string, form url.Values) (int, map[string]any) {
	c.tb.Helper()
	req, _ := http.NewRequest("POST", "http://localhost"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	resp, err := c.ts.App.Test(req, -1)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// ratingsForm rates every item of cl Fully except the overrides; skip leaves items out.
func ratingsForm(cl *assessments.Checklist, overrides map[string]assessments.Rating, skip ...string) url.Values {
	f := url.Values{}
	for _, it := range cl.Items {
		if strings.Contains(" "+strings.Join(skip, " ")+" ", " "+it.ID+" ") {
			continue
		}
		r := assessments.Fully
		if o, ok := overrides[it.ID]; ok {
			r = o
		}
		f.Set("r_"+it.ID, strconv.Itoa(int(r)))
	}
	return f
}

func TestObservations(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testObservations(t, dialect) })
	}
}

func testObservations(t *testing.T, dialect string) {
	ts := mustServer(t, dialect)
	ctx := context.Background()
	cast := mustObserveCast(t, ts)
	const slug = "wrong-department-handover"
	stored, err := assessments.NewObservationStore(ts.DB).FindChecklist(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	cl := &stored.Checklist
	var critical, last assessments.Item
	for _, it := range cl.Items {
		if it.Critical && critical.ID == "" {
			critical = it
		}
		last = it
	}
	if critical.ID == "" {
		t.Fatalf("%s has no critical item", slug)
	}
	reportPage := "/people/" + url.PathEscape(cast.report.Number) + "/observe"

	// Who may observe whom.
	staff := ts.client(t)
	staff.signIn(staffEmail)
	if resp, _ := staff.get(reportPage); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff GET observe page: %d, want 403", resp.StatusCode)
	}
	if resp, _ := staff.post(reportPage+"/"+slug, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff start observation: %d, want 403", resp.StatusCode)
	}
	mgr := ts.client(t)
	mgr.signIn(ccMgrEmail)
	for _, num := range []string{cast.outsider.Number, cast.mgr.Number, "NOPE"} {
		if resp, _ := mgr.get("/people/" + num + "/observe"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("manager GET /people/%s/observe: %d, want 404", num, resp.StatusCode)
		}
	}
	if resp, _ := mgr.post("/people/"+cast.outsider.Number+"/observe/"+slug, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("manager starts an observation outside the line: %d, want 404", resp.StatusCode)
	}
	hr := ts.client(t)
	hr.signIn(hrEmail)
	if resp, body := hr.get("/people/" + cast.outsider.Number + "/observe"); resp.StatusCode != 200 ||
		doc(t, body).Find("#checklists [data-checklist]").Length() < 4 {
		t.Errorf("HR GET observe page: %d", resp.StatusCode)
	}
	_, body := mgr.get("/people/" + url.PathEscape(cast.report.Number))
	if href := doc(t, body).Find("#observations-link a").AttrOr("href", ""); href != reportPage {
		t.Errorf("employee page links to %q, want %q", href, reportPage)
	}

	// Start a draft; starting again resumes it.
	resp, _ := mgr.get(reportPage)
	if resp.StatusCode != 200 {
		t.Fatalf("manager GET observe page: %d", resp.StatusCode)
	}
	resp, _ = mgr.post(reportPage+"/"+slug, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/observations/") {
		t.Fatalf("start: %d %q", resp.StatusCode, loc)
	}
	if again, _ := mgr.post(reportPage+"/"+slug, nil); again.Header.Get("Location") != loc {
		t.Fatalf("starting again went to %q, want the draft %q", again.Header.Get("Location"), loc)
	}
	_, body = mgr.get(loc)
	d := doc(t, body)
	if n := d.Find(".obs-item").Length(); n != len(cl.Items) {
		t.Fatalf("form has %d items, want %d", n, len(cl.Items))
	}
	if n := d.Find(`.obs-item input[type=radio]`).Length(); n != 4*len(cl.Items) {
		t.Fatalf("form has %d radios, want %d", n, 4*len(cl.Items))
	}
	if labels := d.Find(".obs-item").First().Find("label.obs-rating").Text(); !strings.Contains(labels, "Not shown") || !strings.Contains(labels, "N/A") {
		t.Errorf("rating labels: %q", labels)
	}

	// Autosave (as app.js sends it), then sign off with an item unrated: 422, ratings kept.
	form := ratingsForm(cl, map[string]assessments.Rating{critical.ID: assessments.Partly}, last.ID)
	form.Set("c_"+critical.ID, "Transferred without checking the right team was free.")
	if st, out := mgr.autosave(loc+"/draft", form); st != 200 || out["saved"] != true {
		t.Fatalf("autosave: %d %v", st, out)
	}
	if st, out := mgr.autosave(loc+"/draft", url.Values{"r_" + critical.ID: {"7"}}); st != 422 || out["error"] == "" {
		t.Fatalf("autosave of a bad rating: %d %v", st, out)
	}
	resp, body = mgr.post(loc+"/signoff", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("sign-off with an unrated item: %d", resp.StatusCode)
	}
	d = doc(t, body)
	if msg := d.Find("#e-ratings").Text(); !strings.Contains(msg, last.Text) {
		t.Errorf("422 does not name the unrated item %q: %q", last.Text, msg)
	}
	if v := d.Find(`input[name="r_`+critical.ID+`"][checked]`).AttrOr("value", ""); v != "1" {
		t.Errorf("the critical item's rating was not kept: %q", v)
	}

	// Sign off: failed on the critical item, re-observation due.
	form.Set("r_"+last.ID, "-1")
	form.Set("overall_comment", "Friendly; check availability before transferring.")
	resp, _ = mgr.post(loc+"/signoff", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
		t.Fatalf("sign off: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = mgr.get(loc)
	d = doc(t, body)
	if got := d.Find("#failed-critical").Text(); !strings.Contains(got, critical.Text) {
		t.Errorf("result does not name the failed critical item %q: %q", critical.Text, got)
	}
	if d.Find("#reobserve").Length() != 1 || d.Find("#score").Text() == "" || !strings.Contains(d.Find("#result").Text(), "Not passed") {
		t.Errorf("result: %s", d.Find("#result").Text())
	}
	if d.Find("form.obs-form").Length() != 0 {
		t.Error("a signed-off observation still shows the form")
	}
	var audits int
	ts.DB.NewSelect().TableExpr("audit_log").ColumnExpr("COUNT(*)").Where("action = ? AND subject = ?", "observation.signoff", cast.report.Number).Scan(ctx, &audits)
	if audits != 1 {
		t.Errorf("%d observation.signoff audit entries, want 1", audits)
	}
	if st, _ := mgr.autosave(loc+"/draft", form); st != http.StatusConflict {
		t.Errorf("autosave after sign-off: %d, want 409", st)
	}
	_, body = mgr.get(reportPage)
	row := doc(t, body).Find("#observations tbody tr[data-id=\"" + strings.TrimPrefix(loc, "/observations/") + "\"]")
	if !strings.Contains(row.Text(), "failed") || !strings.Contains(row.Text(), critical.Text) {
		t.Errorf("observations list row: %q", row.Text())
	}

	// The employee sees it and acknowledges it; nobody else can.
	emp := ts.client(t)
	emp.signIn(cast.report.Email)
	mine := "/me" + loc
	_, body = emp.get("/me/observations")
	if doc(t, body).Find("#my-observations a[href=\""+mine+"\"]").Length() != 1 {
		t.Fatalf("my observations does not list %s", mine)
	}
	_, body = emp.get(mine)
	if got := doc(t, body).Find("#failed-critical").Text(); !strings.Contains(got, critical.Text) {
		t.Errorf("employee's result: %q", got)
	}
	if resp, _ := staff.get(mine); resp.StatusCode != http.StatusNotFound {
		t.Errorf("someone else opens it: %d, want 404", resp.StatusCode)
	}
	if resp, _ := staff.post(mine+"/acknowledge", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("someone else acknowledges it: %d, want 404", resp.StatusCode)
	}
	if resp, _ := emp.post(mine+"/acknowledge", url.Values{"comment": {"Fair. I will check first next time."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	_, body = emp.get(mine)
	if doc(t, body).Find(".ack-done").Length() != 1 {
		t.Error("acknowledgement not shown")
	}
	_, body = mgr.get(loc)
	if !strings.Contains(doc(t, body).Find(".employee-comment").Text(), "check first") {
		t.Error("the assessor does not see the employee's comment")
	}

	// Self-assessment: unrated items are refused, a complete one is kept.
	self := "/me/self-assessment/" + slug
	emp.get(self)
	if resp, _ := emp.post(self, url.Values{"action": {"submit"}, "r_" + critical.ID: {"2"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("submit with unrated items: %d, want 422", resp.StatusCode)
	}
	sf := ratingsForm(cl, nil)
	sf.Set("action", "submit")
	if resp, _ := emp.post(self, sf); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit self-assessment: %d", resp.StatusCode)
	}

	// Side by side: the critical item is a gap, marked in text.
	_, body = mgr.get(loc + "/compare")
	d = doc(t, body)
	if gaps := d.Find("#compare .gap-mark"); gaps.Length() < 1 || !strings.Contains(gaps.First().Text(), "Gap: self higher") {
		t.Errorf("gaps: %q", gaps.Text())
	}

	// Amend: a reason is required; the amendment passes and keeps the history.
	mgr.get(loc + "/amend")
	af := ratingsForm(cl, nil)
	if resp, body := mgr.post(loc+"/amend", af); resp.StatusCode != http.StatusUnprocessableEntity || doc(t, body).Find("#e-reason").Length() != 1 {
		t.Errorf("amend without a reason: %d", resp.StatusCode)
	}
	af.Set("reason", "The transfer was checked; I missed it in my notes.")
	resp, _ = mgr.post(loc+"/amend", af)
	next := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || next == loc || !strings.HasPrefix(next, "/observations/") {
		t.Fatalf("amend: %d %q", resp.StatusCode, next)
	}
	_, body = mgr.get(next)
	d = doc(t, body)
	if !strings.Contains(d.Find("#result").Text(), "Passed") || d.Find("#history tbody tr").Length() != 2 {
		t.Errorf("amended result: %q; history rows %d", d.Find("#result").Text(), d.Find("#history tbody tr").Length())
	}
	if resp, _ := mgr.post(loc+"/amend", af); resp.StatusCode != http.StatusConflict {
		t.Errorf("amending an old revision: %d, want 409", resp.StatusCode)
	}
	if resp, _ := emp.post(mine+"/acknowledge", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("acknowledging an amended revision: %d, want 409", resp.StatusCode)
	}

	// API: shapes and visibility.
	token := func(role people.Role, number string) string {
		tok, _, err := ts.People.CreateToken(ctx, "obs-"+string(role)+number, role, number, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	get := func(tok, path string, v any) int {
		req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		r, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		json.NewDecoder(r.Body).Decode(v)
		return r.StatusCode
	}
	hrTok, staffTok := token(people.RoleHR, ""), token(people.RoleStaff, cast.outsider.Number)
	var obs struct {
		Observations []struct {
			ID             int64    `json:"id"`
			Checklist      string   `json:"checklist"`
			Assessor       string   `json:"assessor"`
			SignedOffAt    *string  `json:"signed_off_at"`
			Score          *float64 `json:"score"`
			Passed         *bool    `json:"passed"`
			FailedCritical []string `json:"failed_critical"`
			SelfAssessment *struct {
				Ratings map[string]string `json:"ratings"`
				Gaps    []any             `json:"gaps"`
			} `json:"self_assessment"`
		} `json:"observations"`
	}
	if st := get(hrTok, "/api/v1/employees/"+cast.report.Number+"/observations", &obs); st != 200 {
		t.Fatalf("API observations: %d", st)
	}
	found := false
	for _, o := range obs.Observations {
		if "/observations/"+strconv.FormatInt(o.ID, 10) == next {
			found = true
			if o.Checklist != slug || o.Assessor != cast.mgr.Number || o.SignedOffAt == nil || o.Score == nil || o.Passed == nil || !*o.Passed ||
				o.FailedCritical == nil || o.SelfAssessment == nil || o.SelfAssessment.Ratings[critical.ID] != "fully" {
				t.Errorf("API observation: %+v", o)
			}
		}
	}
	if !found {
		t.Errorf("API does not list the amended observation %s: %+v", next, obs)
	}
	var e map[string]any
	if st := get(staffTok, "/api/v1/employees/"+cast.report.Number+"/observations", &e); st != 404 {
		t.Errorf("staff token, someone else's observations: %d, want 404", st)
	}
	if st := get(staffTok, "/api/v1/employees/"+cast.report.Number+"/attempts", &e); st != 404 {
		t.Errorf("staff token, someone else's attempts: %d, want 404", st)
	}
	mgrTok := token(people.RoleManager, cast.mgr.Number)
	if st := get(mgrTok, "/api/v1/employees/"+cast.outsider.Number+"/attempts", &e); st != 404 {
		t.Errorf("manager token outside the line: %d, want 404", st)
	}
	if st := get(mgrTok, "/api/v1/employees/"+cast.report.Number+"/attempts", &e); st != 200 {
		t.Errorf("manager token, own line: %d, want 200", st)
	}
	var own struct {
		Attempts []map[string]any `json:"attempts"`
	}
	if st := get(staffTok, "/api/v1/employees/"+cast.outsider.Number+"/attempts", &own); st != 200 || own.Attempts == nil {
		t.Errorf("own attempts: %d %+v", st, own)
	}

	// The demo has passed and failed attempts and observations.
	employees, _, _ := ts.People.ListEmployees(ctx, people.EmployeeFilter{OrderByNumber: true, Limit: 30})
	var attemptsPassed, attemptsFailed, obsPassed, obsFailed int
	for _, emp := range employees {
		var at struct {
			Attempts []struct {
				ID          int64    `json:"id"`
				Course      string   `json:"course"`
				StartedAt   string   `json:"started_at"`
				SubmittedAt *string  `json:"submitted_at"`
				Score       *float64 `json:"score"`
				Passed      *bool    `json:"passed"`
				Late        *bool    `json:"late"`
			} `json:"attempts"`
		}
		if st := get(hrTok, "/api/v1/employees/"+emp.Number+"/attempts", &at); st != 200 {
			t.Fatalf("API attempts of %s: %d", emp.Number, st)
		}
		for _, a := range at.Attempts {
			if a.ID == 0 || a.Course == "" || a.StartedAt == "" || a.SubmittedAt == nil || a.Score == nil || a.Passed == nil || a.Late == nil {
				t.Errorf("API attempt: %+v", a)
				continue
			}
			if *a.Passed {
				attemptsPassed++
			} else {
				attemptsFailed++
			}
		}
		obs.Observations = nil
		get(hrTok, "/api/v1/employees/"+emp.Number+"/observations", &obs)
		for _, o := range obs.Observations {
			if o.Passed != nil && *o.Passed {
				obsPassed++
			} else if len(o.FailedCritical) > 0 {
				obsFailed++
			}
		}
	}
	if attemptsPassed == 0 || attemptsFailed == 0 || obsPassed == 0 || obsFailed == 0 {
		t.Errorf("demo: attempts %d passed %d failed; observations %d passed %d failed on a critical item",
			attemptsPassed, attemptsFailed, obsPassed, obsFailed)
	}
}
