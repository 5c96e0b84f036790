package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

func measureAudits(t *testing.T, ts *testServer, action, subject string) int {
	t.Helper()
	n, err := ts.DB.NewSelect().TableExpr("audit_log").Where("action = ? AND subject = ?", action, subject).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestMeasurePages: HR adds, edits, archives and restores a measure; bad
// input comes back with the message next to its field and what was typed.
func TestMeasurePages(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			c := ts.client(t)
			c.signIn(hrEmail)
			resp, body := c.get("/measures")
			if resp.StatusCode != 200 {
				t.Fatalf("GET /measures: %d", resp.StatusCode)
			}
			d := doc(t, body)
			if d.Find(`#site-nav a[href="/measures"]`).Length() != 1 || d.Find("#measure-form").Length() != 1 {
				t.Fatal("no Measures link in the navigation, or no form")
			}

			t.Run("ErrFieldsKeepWhatWasTyped", func(t *testing.T) {
				resp, body := c.post("/measures", url.Values{"slug": {"Bad Slug"}, "title": {""}, "unit": {"minutes"}, "kind": {"value"},
					"min_value": {"ten"}, "max_value": {"5"}, "higher_is_better": {"lower"}})
				if resp.StatusCode != 422 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				d := doc(t, body)
				for _, id := range []string{"#e-slug", "#e-title", "#e-min_value"} {
					if strings.TrimSpace(d.Find(id).Text()) == "" {
						t.Errorf("no message at %s", id)
					}
				}
				if v, _ := d.Find("#f-slug").Attr("value"); v != "Bad Slug" {
					t.Errorf("slug not kept: %q", v)
				}
				if v, _ := d.Find("#f-min_value").Attr("value"); v != "ten" {
					t.Errorf("min not kept: %q", v)
				}
				if _, ok := d.Find(`input[name="kind"][value="value"]`).Attr("checked"); !ok {
					t.Error("kind not kept")
				}
				if d.Find(".form-errors li").Length() != 3 {
					t.Errorf("summary: %q", d.Find(".form-errors").Text())
				}
			})

			t.Run("ErrBoundsOnARating", func(t *testing.T) {
				resp, body := c.post("/measures", url.Values{"slug": {"t-nps"}, "title": {"NPS"}, "kind": {"rating"}, "scale": {"0-10"}, "report": {"nonsense"}})
				if resp.StatusCode != 422 || !strings.Contains(doc(t, body).Find("#e-report").Text(), "not a way to report") {
					t.Fatalf("status %d: %q", resp.StatusCode, doc(t, body).Find("#e-report").Text())
				}
			})

			t.Run("CreateEditArchiveRestore", func(t *testing.T) {
				resp, _ := c.post("/measures", url.Values{"slug": {"t-aht"}, "title": {"Handling  time"}, "unit": {"minutes"}, "kind": {"value"},
					"min_value": {"0"}, "max_value": {"120"}, "higher_is_better": {"lower"}, "scale": {"1-5"}, "report": {"mean"}})
				if resp.StatusCode != 303 {
					t.Fatalf("create: %d", resp.StatusCode)
				}
				_, body := c.get("/measures")
				row := doc(t, body).Find("#m-t-aht")
				if !strings.Contains(row.Text(), "Handling time") || !strings.Contains(row.Text(), "0 to 120") || !strings.Contains(row.Text(), "Lower is better") {
					t.Fatalf("row: %q", row.Text())
				}
				resp, _ = c.post("/measures", url.Values{"slug": {"t-complaints"}, "title": {"Complaints"}, "unit": {"complaints"}, "kind": {"count"},
					"scale": {"good_bad"}, "report": {"percent_satisfied"}, "higher_is_better": {""}})
				if resp.StatusCode != 303 {
					t.Fatalf("create a count: %d", resp.StatusCode)
				}
				_, body = c.get("/measures")
				if row := doc(t, body).Find("#m-t-complaints").Text(); !strings.Contains(row, "Lower is better") || !strings.Contains(row, "Count") {
					t.Fatalf("a count's default direction: %q", row)
				}
				if measureAudits(t, ts, "measure.create", "t-aht") != 1 {
					t.Error("no audit entry for the creation")
				}

				resp, body = c.post("/measures", url.Values{"slug": {"t-aht"}, "title": {"Again"}, "kind": {"count"}})
				if resp.StatusCode != 422 || !strings.Contains(doc(t, body).Find("#e-slug").Text(), "already") {
					t.Fatalf("taken slug: %d %q", resp.StatusCode, doc(t, body).Find("#e-slug").Text())
				}

				resp, body = c.post("/measures/t-aht", url.Values{"title": {" "}, "unit": {"minutes"}, "higher_is_better": {"lower"}, "max_value": {"lots"}})
				d := doc(t, body)
				if resp.StatusCode != 422 || d.Find("#e-title").Length() != 1 || d.Find("#e-max_value").Length() != 1 {
					t.Fatalf("bad edit: %d", resp.StatusCode)
				}
				if v, _ := d.Find("#f-max_value").Attr("value"); v != "lots" {
					t.Errorf("typed max not kept: %q", v)
				}
				resp, _ = c.post("/measures/t-aht", url.Values{"title": {"Average handling time"}, "unit": {"min"}, "higher_is_better": {"lower"}, "min_value": {"0"}, "max_value": {"90"}})
				if resp.StatusCode != 303 {
					t.Fatalf("edit: %d", resp.StatusCode)
				}
				_, body = c.get("/measures/t-aht")
				if v, _ := doc(t, body).Find("#f-title").Attr("value"); v != "Average handling time" {
					t.Fatalf("title after edit: %q", v)
				}
				if measureAudits(t, ts, "measure.update", "t-aht") != 1 {
					t.Error("no audit entry for the edit")
				}

				if resp, _ := c.post("/measures/t-aht/archive", nil); resp.StatusCode != 303 {
					t.Fatalf("archive: %d", resp.StatusCode)
				}
				_, body = c.get("/measures")
				if !strings.Contains(doc(t, body).Find("#m-t-aht").Text(), "archived") {
					t.Fatal("archived measure not marked")
				}
				_, body = c.get("/outcomes/import")
				if doc(t, body).Find(`#f-measure option[value="t-aht"]`).Length() != 0 {
					t.Fatal("an archived measure is offered for import")
				}
				if resp, _ := c.post("/measures/t-aht/restore", nil); resp.StatusCode != 303 {
					t.Fatalf("restore: %d", resp.StatusCode)
				}
				_, body = c.get("/outcomes/import")
				if doc(t, body).Find(`#f-measure option[value="t-aht"]`).Length() != 1 {
					t.Fatal("a restored measure is not offered for import")
				}
				if measureAudits(t, ts, "measure.archive", "t-aht") != 1 || measureAudits(t, ts, "measure.restore", "t-aht") != 1 {
					t.Error("archive and restore not audited")
				}
			})
		})
	}
}

type apiErr struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

// TestMeasureAPI: create and list measures with a token; bad bodies are
// 422 naming the field, a taken slug 409.
func TestMeasureAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			tok := mustToken(t, ts, people.RoleHR, "")
			call := func(method, path, body string) (int, string) {
				req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				buf := make([]byte, 4096)
				for {
					n, err := resp.Body.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						break
					}
				}
				return resp.StatusCode, b.String()
			}
			for _, tc := range []struct {
				name, body string
				status     int
				field      string
			}{
				{"ErrNotJSON", `slug=csat`, 422, "body"},
				{"ErrUnknownField", `{"slug":"t-csat","title":"CSAT","kind":"rating","scale":"good_bad","colour":"red"}`, 422, "body"},
				{"ErrTwoObjects", `{"slug":"t-csat","title":"CSAT","kind":"count"}{}`, 422, "body"},
				{"ErrSlug", `{"slug":"CSAT!","title":"CSAT","kind":"count"}`, 422, "slug"},
				{"ErrTitle", `{"slug":"t-csat","title":"","kind":"count"}`, 422, "title"},
				{"ErrKind", `{"slug":"t-csat","title":"CSAT","kind":"nps"}`, 422, "kind"},
				{"ErrScaleMissing", `{"slug":"t-csat","title":"CSAT","kind":"rating"}`, 422, "scale"},
				{"ErrBoundsReversed", `{"slug":"t-aht","title":"AHT","kind":"value","min_value":10,"max_value":1}`, 422, "max_value"},
				{"ErrHigherNotBool", `{"slug":"t-csat","title":"CSAT","kind":"count","higher_is_better":"yes"}`, 422, "body"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					status, body := call("POST", "/api/v1/measures", tc.body)
					var e apiErr
					json.Unmarshal([]byte(body), &e)
					if status != tc.status || e.Field != tc.field || e.Error == "" {
						t.Fatalf("status %d, %s; want %d naming %s", status, body, tc.status, tc.field)
					}
				})
			}
			status, body := call("POST", "/api/v1/measures", `{"slug":"t-csat","title":"Customer satisfaction","unit":"","kind":"rating","scale":"1-5","report":"mean","higher_is_better":true}`)
			var m struct {
				Slug, Kind, Scale, Report, Unit string
				HigherIsBetter                  bool `json:"higher_is_better"`
				Archived                        bool
			}
			if err := json.Unmarshal([]byte(body), &m); err != nil || status != 201 || m.Slug != "t-csat" || m.Kind != "rating" || m.Scale != "1-5" ||
				m.Report != "mean" || !m.HigherIsBetter || m.Unit != "responses" {
				t.Fatalf("create: %d %s", status, body)
			}
			status, body = call("POST", "/api/v1/measures", `{"slug":"t-csat","title":"Again","kind":"count"}`)
			var e apiErr
			json.Unmarshal([]byte(body), &e)
			if status != 409 || e.Field != "slug" {
				t.Fatalf("taken slug: %d %s", status, body)
			}
			if measureAudits(t, ts, "measure.create", "t-csat") != 1 {
				t.Error("API creation not audited")
			}
			status, body = call("GET", "/api/v1/measures", "")
			var list struct{ Measures []struct{ Slug string } }
			if err := json.Unmarshal([]byte(body), &list); err != nil || status != 200 {
				t.Fatalf("list: %d %s", status, body)
			}
			found := false
			for _, m := range list.Measures {
				found = found || m.Slug == "t-csat"
			}
			if !found {
				t.Fatalf("list: %s", body)
			}
		})
	}
}
