package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

func impactDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestImpactPage: HR see the demo's two answers (Field Service Excellence
// raised satisfaction; complaints did not move beyond chance) with the
// numbers, the chart and its table, and what was compared; bad choices
// come back with a message next to the field; a manager is held to their
// own line.
func TestImpactPage(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr := ts.client(t)
	hr.signIn(hrEmail)

	resp, body := hr.get("/impact?programme=field-service-excellence&measure=csat&window_days=90")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	d := impactDoc(t, body)
	sentence := d.Find("#sentence").Text()
	if !strings.HasPrefix(sentence, "Customer satisfaction rose ") || !strings.Contains(sentence, "in the 90 days after Field Service Excellence, compared with colleagues not yet trained (") {
		t.Fatalf("sentence %q", sentence)
	}
	if strings.Contains(strings.ToLower(d.Find("main").Text()), "caused") {
		t.Fatal("the report says caused")
	}
	if n := d.Find("#impact-table tbody tr").Length(); n != 2 {
		t.Fatalf("%d group rows", n)
	}
	if d.Find("#effect").Text() == "" || d.Find("#ci-low").Text() == "" {
		t.Fatal("no effect figure in the table")
	}
	if d.Find("svg.impact-chart circle.impact-trained").Length() == 0 || d.Find("svg.impact-chart rect.impact-comparison").Length() == 0 ||
		d.Find("svg.impact-chart rect.completions-bar").Length() == 0 || d.Find("svg.impact-chart title").Length() == 0 {
		t.Fatal("the chart lacks the trained line, the comparison line or the completions")
	}
	if n := d.Find("#months-table tbody tr").Length(); n < 12 {
		t.Fatalf("%d months in the table", n)
	}
	if !strings.Contains(d.Find("#method").Text(), "Difference in differences over matched calendar windows") {
		t.Fatalf("method %q", d.Find("#method").Text())
	}
	if d.Find(`#f-programme option[value="field-service-excellence"][selected]`).Length() != 1 {
		t.Fatal("the programme is not kept in the form")
	}

	_, body = hr.get("/impact?programme=field-service-excellence&measure=complaints")
	if s := impactDoc(t, body).Find("#sentence").Text(); !strings.Contains(s, "could be told apart from chance") {
		t.Fatalf("complaints sentence %q", s)
	}
	// Front Desk Service Excellence: too few completed windows yet.
	_, body = hr.get("/impact?programme=front-desk-excellence&measure=csat")
	if s := impactDoc(t, body).Find("#sentence").Text(); !strings.HasPrefix(s, "Not enough data yet") {
		t.Fatalf("front desk sentence %q", s)
	}

	for _, tc := range []struct{ query, field string }{
		{"programme=nope&measure=csat", "programme"},
		{"programme=induction&measure=nope", "measure"},
		{"window_days=45", "window_days"},
		{"department=abc", "department"},
		{"manager=NOPE", "manager"},
	} {
		resp, body := hr.get("/impact?" + tc.query)
		d := impactDoc(t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-"+tc.field).Length() != 1 || d.Find("#sentence").Length() != 0 {
			t.Fatalf("%s: status %d, error on %s: %d", tc.query, resp.StatusCode, tc.field, d.Find("#e-"+tc.field).Length())
		}
	}

	mgr := ts.client(t)
	mgr.signIn(ccMgrEmail)
	resp, body = mgr.get("/impact?programme=contact-centre-excellence&measure=csat")
	d = impactDoc(t, body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(d.Find("#scope").Text(), "your reporting line") {
		t.Fatalf("manager: status %d, scope %q", resp.StatusCode, d.Find("#scope").Text())
	}
	resp, body = mgr.get("/impact?programme=field-service-excellence&measure=csat&manager=BW1010")
	if d := impactDoc(t, body); resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-manager").Length() != 1 || d.Find("#sentence").Length() != 0 {
		t.Fatalf("manager outside the line: status %d", resp.StatusCode)
	}
	if _, body := mgr.get("/"); !strings.Contains(body, `href="/impact"`) {
		t.Fatal("no Service impact link for a manager")
	}
}

// TestImpactAPI: the JSON carries every figure; unknown names and bad
// windows are 422 naming the field; a manager token is held to its line.
func TestImpactAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			hrTok := mustToken(t, ts, people.RoleHR, "")
			mgrTok := mustToken(t, ts, people.RoleManager, ccMgrNumber)
			get := func(tok, path string) (int, map[string]any) {
				req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Fatal(err)
				}
				return resp.StatusCode, out
			}
			code, out := get(hrTok, "/api/v1/impact?programme=field-service-excellence&measure=csat")
			if code != 200 {
				t.Fatalf("status %d %v", code, out)
			}
			for _, k := range []string{"programme", "measure", "window_days", "trained", "comparison", "trained_before", "trained_after",
				"comparison_before", "comparison_after", "effect", "ci_low", "ci_high", "method", "enough_data"} {
				if _, ok := out[k]; !ok {
					t.Fatalf("no %q in %v", k, out)
				}
			}
			if out["programme"] != "field-service-excellence" || out["measure"] != "csat" || out["window_days"] != 90.0 || out["enough_data"] != true ||
				out["effect"].(float64) <= 0 || out["ci_low"].(float64) <= 0 || out["trained"].(float64) < 10 {
				t.Fatalf("csat: %v", out)
			}
			// The same data gives the same numbers.
			if _, again := get(hrTok, "/api/v1/impact?programme=field-service-excellence&measure=csat"); again["ci_low"] != out["ci_low"] || again["ci_high"] != out["ci_high"] {
				t.Fatalf("%v then %v", out, again)
			}
			code, out = get(hrTok, "/api/v1/impact?programme=field-service-excellence&measure=complaints&window_days=90&department=field+service")
			if code != 200 || out["comparison"].(float64) >= 10 || out["enough_data"] != false {
				t.Fatalf("field service only (nobody untrained to compare with): %d %v", code, out)
			}
			code, out = get(mgrTok, "/api/v1/impact?programme=contact-centre-excellence&measure=csat&window_days=30")
			if code != 200 || out["enough_data"] != false {
				t.Fatalf("manager: %d %v", code, out)
			}
			for _, tc := range []struct {
				tok, query, field string
				code              int
			}{
				{hrTok, "measure=csat", "programme", 422},
				{hrTok, "programme=induction", "measure", 422},
				{hrTok, "programme=nope&measure=csat", "programme", 422},
				{hrTok, "programme=induction&measure=nope", "measure", 422},
				{hrTok, "programme=induction&measure=csat&window_days=abc", "window_days", 422},
				{hrTok, "programme=induction&measure=csat&window_days=365", "window_days", 422},
				{hrTok, "programme=induction&measure=csat&department=Nowhere", "department", 422},
				{hrTok, "programme=induction&measure=csat&location=Nowhere", "location", 422},
				{mgrTok, "programme=induction&measure=csat&manager=BW1010", "manager", 404},
			} {
				code, out := get(tc.tok, "/api/v1/impact?"+tc.query)
				if code != tc.code || out["field"] != tc.field {
					t.Fatalf("%s: %d %v, want %d on %s", tc.query, code, out, tc.code, tc.field)
				}
			}
		})
	}
}
