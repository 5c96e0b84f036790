package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// emailOf is the e-mail of the employee with number.
func emailOf(t *testing.T, ts *testServer, number string) (string, int64) {
	t.Helper()
	e, err := ts.People.FindEmployeeByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return e.Email, e.ID
}

// importedRows counts the imported course completions and import records.
func importedRows(t *testing.T, ts *testServer) string {
	t.Helper()
	ctx := context.Background()
	cc, err := ts.DB.NewSelect().TableExpr("course_completions").Where("imported").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ci, _ := ts.DB.NewSelect().TableExpr("completion_imports").Count(ctx)
	certs, _ := ts.DB.NewSelect().TableExpr("certificates").Count(ctx)
	return fmt.Sprintf("completions=%d imports=%d certificates=%d", cc, ci, certs)
}

// rowErrors reads the preview's problem table as "line:field" items.
func rowErrors(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	doc(t, body).Find("#row-errors tbody tr").Each(func(_ int, tr *goquery.Selection) {
		td := tr.Find("td")
		out = append(out, strings.TrimSpace(td.Eq(0).Text())+":"+strings.TrimSpace(td.Eq(1).Text()))
	})
	return out
}

// TestCompletionsImportPage: HR uploads a file of historical completions;
// a bad file comes back with every problem by line and field and writes
// nothing; a good one is previewed with what each line does, applied at
// once, shown on the transcript as imported from its source, without
// certificates; the same file again adds nothing.
func TestCompletionsImportPage(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			_, number := freshLearner(t, ts)
			hr := ts.client(t)
			hr.signIn(hrEmail)
			if resp, body := hr.get("/completions/import"); resp.StatusCode != 200 || doc(t, body).Find(`input[type=file][name=file]`).Length() != 1 {
				t.Fatalf("upload page: %d", resp.StatusCode)
			}
			before := importedRows(t, ts)
			day := func(daysAgo int) string { return time.Now().AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
			future := time.Now().AddDate(0, 0, 3).Format("02/01/2006")

			// Bad input: unknown employee, unknown programme, unknown course,
			// future date, score out of range, both programme and course, a repeated row.
			bad := "Employee,Programme,Course,Completed At,Score,Source\n" +
				"NOPE," + "induction,," + day(5) + ",,OldLMS\n" +
				number + ",no-such-programme,," + day(5) + ",,\n" +
				number + ",,no-such-course," + day(5) + ",,\n" +
				number + ",induction,," + future + ",,\n" +
				number + ",induction,," + day(5) + ",150,\n" +
				number + ",induction,six-cs," + day(5) + ",,\n" +
				number + ",induction,," + day(6) + ",90,\n" +
				number + ",induction,," + day(6) + ",90,\n"
			resp, _ := hr.upload("/completions/import", "bad.csv", []byte(bad))
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %d", resp.StatusCode)
			}
			preview := resp.Header.Get("Location")
			resp, body := hr.get(preview)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("preview of a bad file: %d", resp.StatusCode)
			}
			want := "2:employee 3:programme 4:course 5:completed_at 6:score 7:programme 9:programme"
			if got := strings.Join(rowErrors(t, body), " "); got != want {
				t.Errorf("problems\n got %s\nwant %s", got, want)
			}
			if doc(t, body).Find("#apply").Length() != 0 {
				t.Error("a bad file can be applied")
			}
			if resp, _ := hr.post(preview+"/apply", nil); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("applying a bad file: %d, want 422", resp.StatusCode)
			}
			if after := importedRows(t, ts); after != before {
				t.Fatalf("a bad file wrote: %s → %s", before, after)
			}

			// Files that cannot be read: wrong encoding, missing columns, empty.
			for _, tc := range []struct {
				name, content, want string
			}{
				{"Latin1", "employee,programme,completed_at\n" + number + ",Caf\xe9," + day(5) + "\n", "2:file"},
				{"UTF16", "\xff\xfee\x00m\x00p\x00", "1:file"},
				{"MissingColumns", "employee,score\n" + number + ",80\n", "1:file 1:file"},
				{"HeaderOnly", "employee,course,completed_at\n", "1:file"},
			} {
				resp, body := hr.upload("/completions/import", tc.name+".csv", []byte(tc.content))
				if got := strings.Join(rowErrors(t, body), " "); resp.StatusCode != http.StatusUnprocessableEntity || got != tc.want {
					t.Errorf("%s: %d %s, want 422 %s", tc.name, resp.StatusCode, got, tc.want)
				}
			}
			if resp, _ := hr.upload("/completions/import", "empty.csv", nil); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("an empty upload: %d", resp.StatusCode)
			}

			// A good file: previewed, applied, on the transcript.
			good := "Employee,Programme,Course,Completed At,Score,Source\n" +
				number + ",induction,," + day(10) + ",91,OldLMS\n" +
				number + ",,six-cs," + time.Now().AddDate(0, 0, -40).Format("02/01/2006") + ",,\n"
			resp, _ = hr.upload("/completions/import", "history.csv", []byte(good))
			preview = resp.Header.Get("Location")
			resp, body = hr.get(preview)
			d := doc(t, body)
			if resp.StatusCode != 200 || d.Find("#apply").Length() != 1 || d.Find("#records tbody tr").Length() != 2 {
				t.Fatalf("preview of a good file: %d\n%s", resp.StatusCode, d.Find("main").Text())
			}
			if eff := d.Find(`#records tr[data-line="2"]`).Text(); !strings.Contains(eff, "completes") || !strings.Contains(eff, "cycle") {
				t.Errorf("line 2 effect: %s", strings.Join(strings.Fields(eff), " "))
			}
			if !strings.Contains(d.Find("#certificates-choice").Text(), "No certificates") {
				t.Error("the preview does not say that no certificate is issued")
			}
			if after := importedRows(t, ts); after != before {
				t.Fatalf("the preview wrote: %s → %s", before, after)
			}
			resp, _ = hr.post(preview+"/apply", nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("apply: %d", resp.StatusCode)
			}
			applied := importedRows(t, ts)
			if applied == before || strings.Contains(applied, "imports=0") {
				t.Fatalf("apply wrote nothing: %s", applied)
			}
			if strings.Split(applied, " ")[2] != strings.Split(before, " ")[2] {
				t.Errorf("certificates issued without being asked: %s → %s", before, applied)
			}
			_, body = hr.get("/people/" + number + "/transcript")
			d = doc(t, body)
			marks := d.Find(`#transcript-courses tr[data-imported] .imported-mark`)
			if marks.Length() < 2 || !strings.Contains(marks.Text(), "imported from OldLMS") {
				t.Errorf("transcript marks: %q", marks.Text())
			}
			if st := d.Find(`article[data-programme="induction"] .programme-meta .status-badge`).AttrOr("data-status", ""); st != "completed" {
				t.Errorf("induction on the transcript: %q, want completed", st)
			}
			// An imported completion counts as a prerequisite: customer-world
			// needs promises-timelines, locked until it is imported.
			learner := ts.client(t)
			email, _ := emailOf(t, ts, number)
			learner.signIn(email)
			_, body = learner.get("/learn/customer-world")
			if !strings.Contains(doc(t, body).Find(".flash").Text(), "Finish these courses first") {
				t.Fatal("customer-world is open to a learner who has not completed its prerequisite")
			}
			resp, _ = hr.upload("/completions/import", "pt.csv", []byte("employee,course,completed_at\n"+number+",promises-timelines,"+day(12)+"\n"))
			hr.get(resp.Header.Get("Location"))
			if resp, _ := hr.post(resp.Header.Get("Location")+"/apply", nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("apply promises-timelines: %d", resp.StatusCode)
			}
			applied = importedRows(t, ts)
			_, body = learner.get("/learn/customer-world")
			if strings.Contains(doc(t, body).Find(".flash").Text(), "Finish these courses first") {
				t.Error("an imported completion of the prerequisite does not open the course")
			}
			// The reaction survey is not offered for an imported completion.
			if resp, _ := learner.get("/learn/mission-vision-promise/reaction"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("the survey of a course completed only by import: %d, want 403", resp.StatusCode)
			}

			// The preview is gone once applied.
			if resp, _ := hr.get(preview); resp.StatusCode != http.StatusNotFound {
				t.Errorf("the applied preview: %d", resp.StatusCode)
			}

			// The same file again: nothing added.
			resp, _ = hr.upload("/completions/import", "history.csv", []byte(good))
			preview = resp.Header.Get("Location")
			_, body = hr.get(preview)
			if n := strings.TrimSpace(doc(t, body).Find("#n-duplicates").Text()); n != "2" {
				t.Errorf("re-import duplicates: %q", n)
			}
			hr.post(preview+"/apply", nil)
			if after := importedRows(t, ts); after != applied {
				t.Errorf("re-import wrote: %s → %s", applied, after)
			}

			// Someone else's preview is not found.
			other := ts.client(t)
			other.signIn(adminEmail)
			resp, _ = hr.upload("/completions/import", "history.csv", []byte(good))
			if resp, _ := other.get(resp.Header.Get("Location")); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another HR person's preview: %d", resp.StatusCode)
			}
		})
	}
}

// TestCompletionsImportAPI: a dry run answers what would be done and writes
// nothing; bad input is 422 with every problem by line and field; a good
// file with certificates=true records and issues certificates.
func TestCompletionsImportAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			_, number := freshLearner(t, ts)
			tok, _, err := ts.People.CreateToken(context.Background(), "import", people.RoleHR, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			post := func(query, body string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest("POST", "http://localhost/api/v1/completions"+query, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "text/csv")
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				var out map[string]any
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatalf("not JSON: %s", b)
				}
				return resp.StatusCode, out
			}
			day := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
			before := importedRows(t, ts)

			status, out := post("", "employee,course,completed_at,score\n"+number+",six-cs,"+day+",abc\nnobody@example.com,six-cs,"+day+",\n")
			errs, _ := out["errors"].([]any)
			if status != 422 || len(errs) != 2 {
				t.Fatalf("bad input: %d %v", status, out)
			}
			first, _ := errs[0].(map[string]any)
			if first["line"] != float64(2) || first["field"] != "score" || first["message"] == "" {
				t.Errorf("first error: %v", first)
			}
			if after := importedRows(t, ts); after != before {
				t.Fatalf("bad input wrote: %s → %s", before, after)
			}

			file := "employee,programme,completed_at,source\n" + number + ",induction," + day + ",OldLMS\n"
			status, out = post("?dry_run=true&certificates=true", file)
			if status != 200 || out["created"] != float64(1) || out["dry_run"] != true || out["certificates"] != true {
				t.Fatalf("dry run: %d %v", status, out)
			}
			if after := importedRows(t, ts); after != before {
				t.Fatalf("the dry run wrote: %s → %s", before, after)
			}
			status, out = post("?certificates=true", file)
			if status != 200 || out["created"] != float64(1) || out["completed"] != float64(1) {
				t.Fatalf("import: %d %v", status, out)
			}
			var n int
			if err := ts.DB.NewSelect().TableExpr("certificates AS c").ColumnExpr("COUNT(*)").
				Join("JOIN employees AS e ON e.id = c.employee_id").Where("e.number = ?", number).Scan(context.Background(), &n); err != nil || n != 1 {
				t.Errorf("certificates of %s: %d %v", number, n, err)
			}
			req, _ := http.NewRequest("GET", "http://localhost/api/v1/employees/"+number+"/transcript", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := ts.App.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			var tr struct {
				Courses []struct {
					Slug     string `json:"slug"`
					Imported bool   `json:"imported"`
					Source   string `json:"source"`
				} `json:"courses"`
			}
			json.NewDecoder(resp.Body).Decode(&tr)
			resp.Body.Close()
			imported := 0
			for _, c := range tr.Courses {
				if c.Imported && c.Source == "OldLMS" {
					imported++
				}
			}
			if imported == 0 {
				t.Errorf("the transcript API marks no course imported from OldLMS: %+v", tr.Courses)
			}
			status, out = post("", file)
			if status != 200 || out["created"] != float64(0) || out["duplicates"] != float64(1) {
				t.Errorf("the same file again: %d %v", status, out)
			}
		})
	}
}
