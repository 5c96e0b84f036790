package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// outcomeMeasures adds the measures the outcome tests import into:
// t-csat (good or bad), t-aht (a value from 0 to 60 minutes) and
// t-complaints (a count).
func outcomeMeasures(t *testing.T, ts *testServer) {
	t.Helper()
	s := outcomes.NewStore(ts.DB, nil)
	for _, in := range []outcomes.MeasureInput{
		{Slug: "t-csat", Title: "Test satisfaction", Kind: outcomes.Rating, Scale: outcomes.GoodBad},
		{Slug: "t-aht", Title: "Test handling time", Unit: "minutes", Kind: outcomes.Value, MinValue: ptrF(0), MaxValue: ptrF(60)},
		{Slug: "t-complaints", Title: "Test complaints", Unit: "complaints", Kind: outcomes.Count},
	} {
		if _, err := s.CreateMeasure(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
}

func ptrF(f float64) *float64 { return &f }

func outcomeEvents(t *testing.T, ts *testServer) int {
	t.Helper()
	n, err := ts.DB.NewSelect().TableExpr("outcome_events AS oe").Join("JOIN measures AS m ON m.id = oe.measure_id").
		Where("m.slug LIKE 't-%'").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

type outcomeAnswer struct {
	Measure    string `json:"measure"`
	DryRun     bool   `json:"dry_run"`
	Created    int    `json:"created"`
	Duplicates int    `json:"duplicates"`
	Errors     []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	Error string `json:"error"`
	Field string `json:"field"`
}

// TestOutcomeImportAPI: every kind of bad input the issue names comes back
// with its line and field and writes nothing; a good file is written once.
func TestOutcomeImportAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			outcomeMeasures(t, ts)
			tok := mustToken(t, ts, people.RoleHR, "")
			post := func(query, body string) (int, outcomeAnswer) {
				t.Helper()
				req, _ := http.NewRequest("POST", "http://localhost/api/v1/outcomes"+query, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "text/csv")
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				var out outcomeAnswer
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatalf("not JSON: %s", b)
				}
				return resp.StatusCode, out
			}
			const head = "Ticket ID,Agent,Satisfaction,Created at\n"
			for _, tc := range []struct {
				name, query, body string
				line              int
				field, message    string
			}{
				{"ErrUnknownEmployee", "?measure=t-csat", head + "T1," + inLine + ",good,2026-01-05\nT2,NOPE,good,2026-01-05\n", 3, "employee", "NOPE"},
				{"ErrUnknownEmail", "?measure=t-csat", "id,agent email,rating,date\nT1,nobody@brightwater.example,good,2026-01-05\n", 2, "email", "nobody@"},
				{"ErrFutureDate", "?measure=t-csat", head + "T1," + inLine + ",good,2099-01-05T10:00:00Z\n", 2, "date", "future"},
				{"ErrImpossibleDate", "?measure=t-csat", head + "T1," + inLine + ",good,31/02/2026\n", 2, "date", "31/02/2026"},
				{"ErrRatingValue", "?measure=t-csat", head + "T1," + inLine + ",5 stars,2026-01-05\n", 2, "value", "5 stars"},
				{"ErrValueOutOfRange", "?measure=t-aht", "employee,date,value\n" + inLine + ",2026-01-05,61\n", 2, "value", "0 to 60"},
				{"ErrValueNotNumber", "?measure=t-aht", "employee,date,value\n" + inLine + ",2026-01-05,quick\n", 2, "value", "not a number"},
				{"ErrMissingColumns", "?measure=t-csat", "Ticket ID,Subject\nT1,Refund\n", 1, "file", "no employee column"},
				{"ErrMissingValueColumn", "?measure=t-aht", "employee,date\n" + inLine + ",2026-01-05\n", 1, "file", "no value column"},
				{"ErrLatin1", "?measure=t-complaints", "employee,date,category\n" + inLine + ",2026-01-05,Rude\n" + inLine + ",2026-01-06,Mal\xe9ducation\n", 3, "file", "not UTF-8"},
				{"ErrUTF16", "?measure=t-csat", "\xFF\xFEe\x00m\x00p\x00", 1, "file", "UTF-16"},
				{"ErrEmpty", "?measure=t-csat", "", 1, "file", "empty"},
				{"ErrHeaderOnly", "?measure=t-csat", head, 1, "file", "no events"},
				{"ErrControlInCategory", "?measure=t-complaints", "employee,date,category\n" + inLine + ",2026-01-05,a\x07b\n", 2, "category", "not text"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := outcomeEvents(t, ts)
					status, out := post(tc.query, tc.body)
					if status != 422 || len(out.Errors) == 0 {
						t.Fatalf("status %d, %+v", status, out)
					}
					if e := out.Errors[0]; e.Line != tc.line || e.Field != tc.field || !strings.Contains(e.Message, tc.message) {
						t.Fatalf("first error %+v, want line %d field %s with %q", e, tc.line, tc.field, tc.message)
					}
					if out.Created != 0 || outcomeEvents(t, ts) != before {
						t.Fatal("a file with problems wrote events")
					}
				})
			}
			for _, tc := range []struct {
				name, query string
				status      int
			}{
				{"ErrUnknownMeasure", "?measure=nps", 404},
				{"ErrNoMeasure", "", 422},
				{"ErrBlankMeasure", "?measure=%20", 422},
			} {
				t.Run(tc.name, func(t *testing.T) {
					status, out := post(tc.query, head+"T1,"+inLine+",good,2026-01-05\n")
					if status != tc.status || out.Field != "measure" || out.Error == "" {
						t.Fatalf("status %d, %+v", status, out)
					}
				})
			}

			good := head + "Z1," + inLine + ",good,2026-01-05T10:22:00Z\nZ2,hr@brightwater.example,bad,2026-01-06 09:00:00\nZ1," + inLine + ",good,2026-01-05T10:22:00Z\nZ3," + staffNumber + ",Satisfied,07/01/2026\n"
			status, out := post("?measure=t-csat&dry_run=true", good)
			if status != 200 || !out.DryRun || out.Created != 3 || out.Duplicates != 1 || len(out.Errors) != 0 || out.Errors == nil {
				t.Fatalf("dry run: %d %+v", status, out)
			}
			if outcomeEvents(t, ts) != 0 {
				t.Fatal("a dry run wrote events")
			}
			status, out = post("?measure=t-csat", good)
			if status != 200 || out.Created != 3 || out.Duplicates != 1 || out.Measure != "t-csat" {
				t.Fatalf("import: %d %+v", status, out)
			}
			status, out = post("?measure=t-csat", good)
			if status != 200 || out.Created != 0 || out.Duplicates != 4 {
				t.Fatalf("the same export again: %d %+v", status, out)
			}
			if n := outcomeEvents(t, ts); n != 3 {
				t.Fatalf("%d events", n)
			}
			if measureAudits(t, ts, "outcomes.import", "t-csat") != 2 {
				t.Error("imports not audited")
			}
			if _, err := outcomes.NewStore(ts.DB, nil).SetMeasureArchived(context.Background(), "t-csat", true); err != nil {
				t.Fatal(err)
			}
			if status, out := post("?measure=t-csat&dry_run=true", good); status != 422 || out.Field != "measure" {
				t.Fatalf("archived measure: %d %+v", status, out)
			}
		})
	}
}

// TestOutcomeImportPages: upload, a preview with every problem by line,
// nothing written; then a clean file previewed per row and applied.
func TestOutcomeImportPages(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			outcomeMeasures(t, ts)
			c := ts.client(t)
			c.signIn(hrEmail)
			c.get("/outcomes/import")
			upload := func(measure, name, content string) (*http.Response, string) {
				var buf bytes.Buffer
				w := multipart.NewWriter(&buf)
				w.WriteField("_csrf", c.csrf)
				w.WriteField("measure", measure)
				fw, _ := w.CreateFormFile("file", name)
				io.WriteString(fw, content)
				w.Close()
				return c.do("POST", "/outcomes/import", &buf, w.FormDataContentType())
			}

			t.Run("ErrMeasure", func(t *testing.T) {
				for _, m := range []string{"", "nps"} {
					resp, body := upload(m, "a.csv", "employee,date,value\n"+inLine+",2026-01-05,good\n")
					if resp.StatusCode != 422 || strings.TrimSpace(doc(t, body).Find("#e-measure").Text()) == "" {
						t.Fatalf("measure %q: %d", m, resp.StatusCode)
					}
				}
			})
			t.Run("ErrNoFile", func(t *testing.T) {
				resp, body := c.post("/outcomes/import", map[string][]string{"measure": {"t-csat"}})
				d := doc(t, body)
				if resp.StatusCode != 422 || d.Find("#e-file").Length() != 1 {
					t.Fatalf("no file: %d", resp.StatusCode)
				}
				if _, ok := d.Find(`#f-measure option[value="t-csat"]`).Attr("selected"); !ok {
					t.Error("the chosen measure is not kept")
				}
			})

			t.Run("ErrLatin1RefusedAtUpload", func(t *testing.T) {
				resp, body := upload("t-complaints", "latin1.csv", "employee,date,category\n"+inLine+",2026-01-05,Mal\xe9ducation\n")
				msg := doc(t, body).Find("#e-file").Text()
				if resp.StatusCode != 422 || !strings.Contains(msg, "not UTF-8") || !strings.Contains(msg, "line 2") {
					t.Fatalf("a Latin-1 upload: %d %q", resp.StatusCode, msg)
				}
				if outcomeEvents(t, ts) != 0 {
					t.Fatal("a refused upload wrote events")
				}
			})

			t.Run("PreviewListsErrorsWritesNothing", func(t *testing.T) {
				resp, _ := upload("t-csat", "bad.csv", "Ticket ID;Assignee;Satisfaction;Created at\nA1;"+inLine+";good;2026-01-05\nA2;NOPE;good;2026-01-05\nA3;"+inLine+";meh;2099-01-01\n")
				if resp.StatusCode != 303 {
					t.Fatalf("upload: %d", resp.StatusCode)
				}
				resp, body := c.get(resp.Header.Get("Location"))
				if resp.StatusCode != 422 {
					t.Fatalf("preview of a bad file: %d", resp.StatusCode)
				}
				d := doc(t, body)
				var got []string
				rows := d.Find("#row-errors tbody tr")
				for i := range rows.Length() {
					td := rows.Eq(i).Find("td")
					got = append(got, td.Eq(0).Text()+":"+td.Eq(1).Text())
				}
				if strings.Join(got, " ") != "3:employee 4:date 4:value" {
					t.Fatalf("errors %v", got)
				}
				if d.Find("#apply").Length() != 0 || d.Find("#n-errors").Text() != "3" || d.Find("#n-creates").Text() != "1" {
					t.Fatal("apply offered for a file with errors, or wrong counts")
				}
				if outcomeEvents(t, ts) != 0 {
					t.Fatal("preview wrote events")
				}
			})

			t.Run("PreviewAndApply", func(t *testing.T) {
				file := "Ticket ID,Agent email,Satisfaction,Created at,Subject\nB1,hr@brightwater.example,good,2026-01-05T10:22:00Z,Refund\nB2," + strings.ToLower(staffEmail) + ",bad,2026-01-06,Late\nB1,hr@brightwater.example,good,2026-01-05T10:22:00Z,Refund\n"
				resp, _ := upload("t-csat", "zendesk.csv", file)
				loc := resp.Header.Get("Location")
				resp, body := c.get(loc)
				d := doc(t, body)
				if resp.StatusCode != 200 || d.Find("#n-creates").Text() != "2" || d.Find("#n-duplicates").Text() != "1" || d.Find("#apply").Length() != 1 {
					t.Fatalf("preview: %d creates %q duplicates %q", resp.StatusCode, d.Find("#n-creates").Text(), d.Find("#n-duplicates").Text())
				}
				first := d.Find("#creates tbody tr").First().Find("td")
				if first.Eq(0).Text() != "2" || first.Eq(1).Text() != "Priya Shah (BW1001)" || first.Eq(2).Text() != "5 Jan 2026" || first.Eq(3).Text() != "good" || first.Eq(5).Text() != "B1" {
					t.Fatalf("first row: %q", d.Find("#creates tbody tr").First().Text())
				}
				if dup := d.Find("#duplicates tbody tr").First().Text(); !strings.Contains(dup, "also on line 2") {
					t.Fatalf("duplicate row: %q", dup)
				}
				if !strings.Contains(d.Find("#ignored-columns").Text(), "Subject") {
					t.Error("ignored columns not shown")
				}
				resp, _ = c.post(strings.Split(loc, "?")[0]+"/apply", map[string][]string{"measure": {"t-csat"}})
				if resp.StatusCode != 303 {
					t.Fatalf("apply: %d", resp.StatusCode)
				}
				resp, body = c.get(resp.Header.Get("Location"))
				d = doc(t, body)
				if !strings.Contains(d.Text(), "2 new events, 1 duplicate skipped") || !strings.Contains(d.Find("#recent-imports tbody tr").First().Text(), "zendesk.csv") {
					t.Fatalf("after apply: %q", d.Find(".flash").Text())
				}
				if outcomeEvents(t, ts) != 2 {
					t.Fatalf("%d events", outcomeEvents(t, ts))
				}
				resp, _ = c.post(strings.Split(loc, "?")[0]+"/apply", map[string][]string{"measure": {"t-csat"}})
				if resp.StatusCode != 404 {
					t.Fatalf("second apply of the same preview: %d, want 404", resp.StatusCode)
				}
			})

			t.Run("TooLarge", func(t *testing.T) {
				resp, body := upload("t-csat", "big.csv", strings.Repeat("x", 20<<20+10))
				if resp.StatusCode != 413 || !strings.Contains(doc(t, body).Find("#e-file").Text(), "20 MB") {
					t.Fatalf("oversize upload: %d", resp.StatusCode)
				}
			})
		})
	}
}
