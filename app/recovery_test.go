package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// outcomeFixture adds a complaints count and a CSAT rating to the demo,
// with events for an advisor in the contact centre manager's line (inLine)
// and for a receptionist outside it (staffNumber): three complaints each
// within 10 days; the advisor's satisfaction 25% in the last 30 days
// against 100% the 30 before.
func outcomeFixture(t *testing.T, ts *testServer) {
	t.Helper()
	ctx := context.Background()
	svc, err := training.New(ts.DB, training.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	complaints, err := svc.Outcomes().CreateMeasure(ctx, outcomes.MeasureInput{Slug: "t-complaints", Title: "Complaints", Unit: "complaints", Kind: outcomes.Count})
	if err != nil {
		t.Fatal(err)
	}
	csat, err := svc.Outcomes().CreateMeasure(ctx, outcomes.MeasureInput{Slug: "t-csat", Title: "Customer satisfaction", Kind: outcomes.Rating, Scale: outcomes.GoodBad})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := svc.Courses().Location(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := outcomes.DayOf(svc.Now(), loc)
	id := func(num string) int64 {
		e, err := ts.People.FindEmployeeByNumber(ctx, num)
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	adv, rec := id(inLine), id(staffNumber)
	var evs []outcomes.Event
	n := 0
	ev := func(m *outcomes.Measure, emp int64, daysAgo int, v float64) {
		n++
		src := fmt.Sprintf("t-%d", n)
		evs = append(evs, outcomes.Event{MeasureID: m.ID, EmployeeID: emp, Day: today - outcomes.Day(daysAgo), Value: v, SourceID: &src, CreatedAt: svc.Now()})
	}
	for _, d := range []int{1, 5, 10} {
		ev(complaints, adv, d, 1)
		ev(complaints, rec, d, 1)
	}
	ev(csat, adv, 2, 1)
	for _, d := range []int{3, 4, 6} {
		ev(csat, adv, d, 0)
		ev(csat, rec, d, 0)
	}
	for _, d := range []int{35, 40, 45, 50} {
		ev(csat, adv, d, 1)
	}
	if _, err := outcomes.InsertEvents(ctx, ts.DB, evs); err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryRulesAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			outcomeFixture(t, ts)
			ctx := context.Background()
			if _, err := ts.DB.NewUpdate().TableExpr("programmes").Set("archived_at = CURRENT_TIMESTAMP").Where("slug = ?", "field-service-excellence").Exec(ctx); err != nil {
				t.Fatal(err)
			}
			hrTok := mustToken(t, ts, people.RoleHR, hrNumber)
			mgrTok := mustToken(t, ts, people.RoleManager, ccMgrNumber)
			good := `{"measure":"t-complaints","threshold":3,"days":30,"programme":"contact-centre-excellence","checklist":"missed-promise-complaint","cooldown_days":30}`
			for _, tc := range []struct {
				name, body, field string
			}{
				{"ErrNotJSON", `{"measure":`, "body"},
				{"ErrUnknownField", `{"measure":"t-complaints","threshold":3,"days":30,"checklist":"missed-promise-complaint","colour":"red"}`, "body"},
				{"ErrUnknownMeasure", strings.Replace(good, `"t-complaints"`, `"nps"`, 1), "measure"},
				{"ErrThresholdZero", strings.Replace(good, `"threshold":3`, `"threshold":0`, 1), "threshold"},
				{"ErrDaysZero", strings.Replace(good, `"days":30`, `"days":0`, 1), "days"},
				{"ErrNeither", `{"measure":"t-complaints","threshold":3,"days":30}`, "programme"},
				{"ErrArchivedProgramme", strings.Replace(good, "contact-centre-excellence", "field-service-excellence", 1), "programme"},
				{"ErrUnknownProgramme", strings.Replace(good, "contact-centre-excellence", "nope", 1), "programme"},
				{"ErrUnknownChecklist", strings.Replace(good, "missed-promise-complaint", "nope", 1), "checklist"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					status, body, raw := apiCall(t, ts, hrTok, "POST", "/api/v1/recovery-rules", tc.body)
					if status != http.StatusUnprocessableEntity || body["field"] != tc.field {
						t.Fatalf("status %d, body %s; want 422 on %s", status, raw, tc.field)
					}
				})
			}
			if status, _, raw := apiCall(t, ts, mgrTok, "POST", "/api/v1/recovery-rules", good); status != http.StatusForbidden {
				t.Fatalf("manager token: %d %s", status, raw)
			}
			status, body, raw := apiCall(t, ts, hrTok, "POST", "/api/v1/recovery-rules?dry_run=true", good)
			if status != http.StatusOK || !strings.Contains(raw, `"employee":"`+inLine+`"`) || !strings.Contains(raw, `"employee":"`+staffNumber+`"`) {
				t.Fatalf("dry run: %d %s", status, raw)
			}
			if hits := body["affected"].([]any); len(hits) != 2 {
				t.Fatalf("dry run affects %d, want 2: %s", len(hits), raw)
			}
			if n, _ := ts.DB.NewSelect().TableExpr("recovery_rules").Count(ctx); n != 0 {
				t.Fatalf("the dry run wrote %d rules", n)
			}
			if status, _, raw := apiCall(t, ts, hrTok, "POST", "/api/v1/recovery-rules", good); status != http.StatusCreated {
				t.Fatalf("create: %d %s", status, raw)
			}
			if n, _ := ts.DB.NewSelect().TableExpr("recovery_actions").Count(ctx); n != 2 {
				t.Fatalf("%d actions, want 2", n)
			}
			// The same rule again finds both in cool-down... as a new rule it acts anew; the first rule does not.
			status, _, raw = apiCall(t, ts, hrTok, "GET", "/api/v1/recovery-rules", "")
			if status != http.StatusOK || !strings.Contains(raw, `"measure":"t-complaints"`) || !strings.Contains(raw, `"checklist":"missed-promise-complaint"`) {
				t.Fatalf("list: %d %s", status, raw)
			}
		})
	}
}

func TestRecoveryPage(t *testing.T) {
	ts := mustServer(t, "sqlite")
	outcomeFixture(t, ts)
	hr := ts.client(t)
	hr.signIn(hrEmail)
	resp, body := hr.get("/recovery")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "No recovery rule yet") {
		t.Fatalf("/recovery: %d", resp.StatusCode)
	}
	form := url.Values{"measure": {"t-complaints"}, "threshold": {"3"}, "days": {"30"}, "programme": {"contact-centre-excellence"},
		"checklist": {"missed-promise-complaint"}, "cooldown_days": {"30"}}
	// Bad input comes back with the message next to the field and what was typed.
	bad := url.Values{"measure": {"t-complaints"}, "threshold": {"three"}, "days": {"0"}, "cooldown_days": {"30"}}
	resp, body = hr.post("/recovery", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad rule: %d", resp.StatusCode)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	for _, f := range []string{"threshold", "days", "programme"} {
		if doc.Find("#e-"+f).Length() != 1 {
			t.Fatalf("no message next to %s", f)
		}
	}
	if v, _ := doc.Find("#f-threshold").Attr("value"); v != "three" {
		t.Fatalf("threshold typed %q", v)
	}
	// The preview names who it would act on, and writes nothing.
	resp, body = hr.post("/recovery", form)
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("#recovery-preview h3").Text(), "Would affect now: 2 people") {
		t.Fatalf("preview: %d %q", resp.StatusCode, doc.Find("#recovery-preview").Text())
	}
	if doc.Find(`#preview-names li[data-employee="`+inLine+`"]`).Length() != 1 {
		t.Fatal("the preview does not name the advisor")
	}
	if n, _ := ts.DB.NewSelect().TableExpr("recovery_rules").Count(context.Background()); n != 0 {
		t.Fatal("the preview wrote a rule")
	}
	form.Set("action", "save")
	if resp, _ := hr.post("/recovery", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, body = hr.get("/recovery")
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if doc.Find("#rules-table tbody tr").Length() != 1 || doc.Find(`#actions-table tr[data-employee="`+inLine+`"]`).Length() != 1 {
		t.Fatalf("rules %d, actions %q", doc.Find("#rules-table tbody tr").Length(), doc.Find("#actions-table").Text())
	}
	if !strings.Contains(doc.Find("#actions-table").Text(), "assigned Contact Centre Excellence") {
		t.Fatalf("actions: %q", doc.Find("#actions-table").Text())
	}
	// The coach threshold: a bad one is refused by field; a good one saved and audited.
	if resp, _ := hr.post("/recovery/coach/t-csat", url.Values{"coach_below": {"120"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("threshold 120: %d", resp.StatusCode)
	}
	if resp, _ := hr.post("/recovery/coach/t-csat", url.Values{"coach_below": {"70"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("threshold 70: %d", resp.StatusCode)
	}
	// Archive.
	id, _ := doc.Find("#rules-table tbody tr").Attr("data-rule")
	if resp, _ := hr.post("/recovery/"+id+"/archive", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	if resp, _ := hr.post("/recovery/"+id+"/archive", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("archive twice: %d", resp.StatusCode)
	}
}

// TestTeamOutcomes: a manager's /team shows their line's figures and trends
// in words, nobody outside it; the coach queue lists satisfaction fallen
// below the threshold, the runs of complaints and the observations the
// rules asked for, each with its action.
func TestTeamOutcomes(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			outcomeFixture(t, ts)
			hrTok := mustToken(t, ts, people.RoleHR, hrNumber)
			if status, _, raw := apiCall(t, ts, hrTok, "POST", "/api/v1/recovery-rules",
				`{"measure":"t-complaints","threshold":3,"days":30,"programme":"contact-centre-excellence","checklist":"missed-promise-complaint"}`); status != http.StatusCreated {
				t.Fatalf("rule: %d %s", status, raw)
			}
			mgr := ts.client(t)
			mgr.signIn(ccMgrEmail)
			resp, body := mgr.get("/team?q=" + inLine)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/team: %d", resp.StatusCode)
			}
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
			row := doc.Find(`#team-table tr[data-employee="` + inLine + `"]`)
			csat := row.Find(`li[data-measure="t-csat"]`)
			if v := csat.Find(".outcome-value").Text(); v != "25% satisfied" {
				t.Fatalf("csat value %q in %q", v, row.Text())
			}
			if tr := csat.Find(".trend-text").Text(); tr != "down 75 points from 100% satisfied (worse)" || csat.Find(".trend").Text() != "↓" {
				t.Fatalf("csat trend %q %q", tr, csat.Find(".trend").Text())
			}
			if v := row.Find(`li[data-measure="t-complaints"] .outcome-value`).Text(); v != "3 complaints" {
				t.Fatalf("complaints %q", v)
			}
			// The whole line: nobody outside it appears.
			_, body = mgr.get("/team")
			if strings.Contains(body, staffNumber) {
				t.Fatal("the receptionist outside the line is on /team")
			}
			resp, body = mgr.get("/team/coach")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/team/coach: %d\n%.2000s", resp.StatusCode, body)
			}
			doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
			if strings.Contains(body, staffNumber) {
				t.Fatal("the receptionist outside the line is on the coach queue")
			}
			req := doc.Find(`#requests-table tr[data-employee="` + inLine + `"]`)
			if act, _ := req.Find("form").Attr("action"); act != "/people/"+inLine+"/observe/missed-promise-complaint" {
				t.Fatalf("request action %q", act)
			}
			fell := doc.Find(`#fell-table tr[data-employee="` + inLine + `"]`)
			if !strings.Contains(fell.Text(), "25% satisfied over the last 30 days from 4 responses (below 80% satisfied)") {
				t.Fatalf("fell: %q", fell.Text())
			}
			run := doc.Find(`#runs-table tr[data-employee="` + inLine + `"]`)
			if !strings.Contains(run.Text(), "3 complaints in 30 days") || !strings.Contains(run.Text(), "recovery rule acted") {
				t.Fatalf("run: %q", run.Text())
			}
			// A manager may not assign: no assign link, the refresher named.
			if run.Find(`a[href^="/programmes/"]`).Length() != 0 || !strings.Contains(run.Text(), "HR assigns it") {
				t.Fatalf("manager's refresher action: %q", run.Text())
			}
			// Dismissing a request: not one outside the line (404), one in it once (then 409), audited.
			var outsideID, insideID int64
			ctx := context.Background()
			if err := ts.DB.NewSelect().TableExpr("observation_requests AS r").Column("r.id").Join("JOIN employees AS e ON e.id = r.employee_id").
				Where("e.number = ?", staffNumber).Scan(ctx, &outsideID); err != nil {
				t.Fatal(err)
			}
			if err := ts.DB.NewSelect().TableExpr("observation_requests AS r").Column("r.id").Join("JOIN employees AS e ON e.id = r.employee_id").
				Where("e.number = ?", inLine).Scan(ctx, &insideID); err != nil {
				t.Fatal(err)
			}
			if resp, _ := mgr.post(fmt.Sprintf("/team/requests/%d/dismiss", outsideID), nil); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("dismiss outside the line: %d", resp.StatusCode)
			}
			if resp, _ := mgr.post(fmt.Sprintf("/team/requests/%d/dismiss", insideID), nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("dismiss: %d", resp.StatusCode)
			}
			if resp, _ := mgr.post(fmt.Sprintf("/team/requests/%d/dismiss", insideID), nil); resp.StatusCode != http.StatusConflict {
				t.Fatalf("dismiss twice: %d", resp.StatusCode)
			}
			if n, _ := ts.DB.NewSelect().TableExpr("audit_log").Where("action = ? AND subject = ?", "observation_request.dismiss", inLine).Count(ctx); n != 1 {
				t.Fatalf("%d audit entries for the dismissal", n)
			}
			// HR sees the assign link.
			hr := ts.client(t)
			hr.signIn(hrEmail)
			_, body = hr.get("/team/coach")
			doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
			if doc.Find(`#runs-table tr[data-employee="`+inLine+`"] a[href="/programmes/contact-centre-excellence/assign"]`).Length() != 1 {
				t.Fatal("HR has no assign link")
			}
			if doc.Find(`#runs-table tr[data-employee="`+staffNumber+`"]`).Length() != 1 {
				t.Fatal("HR does not see everyone's runs")
			}
		})
	}
}
