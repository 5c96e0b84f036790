package app_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// expectedCell works out one person's heatmap cell on a standard straight
// from the tables: the newer of the latest quiz score on the questions
// assessing it and the latest role-play on a checklist of a course teaching
// it; else 100 when such a course was completed; ok false for no result.
func expectedCell(t *testing.T, ts *testServer, employeeID int64, tag string, courseTags map[string][]string) (int, bool) {
	t.Helper()
	ctx := context.Background()
	var attempts []struct {
		ID          int64
		Draw        string
		Deadline    *time.Time
		SubmittedAt time.Time
	}
	if err := ts.DB.NewSelect().TableExpr("attempts").Column("id", "draw", "deadline", "submitted_at").
		Where("employee_id = ? AND submitted_at IS NOT NULL", employeeID).OrderExpr("submitted_at DESC, id DESC").Scan(ctx, &attempts); err != nil {
		t.Fatal(err)
	}
	question := func(id int64) *assessments.Question {
		var body string
		if err := ts.DB.NewSelect().TableExpr("questions").Column("body").Where("id = ?", id).Scan(ctx, &body); err != nil {
			t.Fatal(err)
		}
		q := new(assessments.Question)
		if err := json.Unmarshal([]byte(body), q); err != nil {
			t.Fatal(err)
		}
		return q
	}
	var quizAt time.Time
	quizPct, hasQuiz := 0.0, false
	for _, a := range attempts {
		var draw []struct {
			Q int64 `json:"q"`
		}
		json.Unmarshal([]byte(a.Draw), &draw)
		var points, maxPoints float64
		found := false
		for _, it := range draw {
			q := question(it.Q)
			if !slices.Contains(q.Standards(), tag) {
				continue
			}
			found = true
			full := q.Points
			if full <= 0 {
				full = 1
			}
			var ans []struct {
				Response string
				SavedAt  time.Time
				Grade    *float64
			}
			ts.DB.NewSelect().TableExpr("attempt_answers").Column("response", "saved_at", "grade").
				Where("attempt_id = ? AND question_row_id = ?", a.ID, it.Q).Scan(ctx, &ans)
			earned := 0.0
			if len(ans) == 1 && (a.Deadline == nil || !ans[0].SavedAt.After(*a.Deadline)) {
				var r assessments.Response
				json.Unmarshal([]byte(ans[0].Response), &r)
				res := assessments.Score(q, r)
				if res.NeedsGrading {
					if ans[0].Grade == nil {
						continue
					}
					res.Points = *ans[0].Grade * full
				}
				earned = res.Points
			}
			points += earned
			maxPoints += full
		}
		if found {
			if maxPoints > 0 {
				quizPct, quizAt, hasQuiz = 100*points/maxPoints, a.SubmittedAt, true
			}
			break
		}
	}
	var rolePct float64
	var roleAt time.Time
	hasRole := false
	var obs []struct {
		CourseSlug  string
		Score       float64
		SignedOffAt time.Time
	}
	ts.DB.NewSelect().TableExpr("observations AS o").Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
		ColumnExpr("cl.course_slug, o.score, o.signed_off_at").Where("o.employee_id = ? AND o.status = 'signed_off'", employeeID).
		OrderExpr("o.signed_off_at DESC, o.id DESC").Scan(ctx, &obs)
	for _, o := range obs {
		if slices.Contains(courseTags[o.CourseSlug], tag) {
			rolePct, roleAt, hasRole = o.Score, o.SignedOffAt, true
			break
		}
	}
	switch {
	case hasRole && (!hasQuiz || roleAt.After(quizAt)):
		return int(math.Round(rolePct)), true
	case hasQuiz:
		return int(math.Round(quizPct)), true
	}
	var done []string
	ts.DB.NewSelect().TableExpr("course_completions").Column("course_slug").Where("employee_id = ?", employeeID).Scan(ctx, &done)
	for _, slug := range done {
		if slices.Contains(courseTags[slug], tag) {
			return 100, true
		}
	}
	return 0, false
}

func TestStandardsHeatmap(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	mgr, _ := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	active := true
	lineIDs, err := ts.People.EmployeeIDs(ctx, people.EmployeeFilter{LineOf: mgr.ID, Active: &active})
	if err != nil || len(lineIDs) < 10 || len(lineIDs) > 50 {
		t.Fatalf("the demo line: %d %v", len(lineIDs), err)
	}
	lineNumbers := map[string]bool{}
	for _, id := range lineIDs {
		e, _ := ts.People.FindEmployee(ctx, id)
		lineNumbers[e.Number] = true
	}
	c := ts.client(t)
	c.signIn(ccMgrEmail)
	resp, body := c.get("/readiness/standards")
	if resp.StatusCode != 200 {
		t.Fatalf("heatmap: %d\n%.500s", resp.StatusCode, body)
	}
	d := doc(t, body)
	// Only the line, all of it (one page), never anyone else.
	rows := d.Find("#heatmap tbody tr")
	if rows.Length() != len(lineIDs) {
		t.Fatalf("%d rows, want the %d of the line", rows.Length(), len(lineIDs))
	}
	rows.Each(func(_ int, tr *goquery.Selection) {
		if n := tr.AttrOr("data-employee", ""); !lineNumbers[n] {
			t.Errorf("%s is not in the line", n)
		}
	})
	if strings.Contains(body, staffNumber) || strings.Contains(body, "Aisha Khan") {
		t.Error("the heatmap shows the receptionist outside the line")
	}

	// Columns: every service standard (courses and questions: the demo's
	// questions on its own promises add "our-promises").
	published, _ := cs.ListPublished(ctx)
	courseTags := map[string][]string{}
	tags, err := assessments.NewStore(ts.DB).QuestionTags(ctx)
	if err != nil || !slices.Contains(tags, assessments.PromiseTag) {
		t.Fatalf("question tags %v (%v), want %q among them", tags, err, assessments.PromiseTag)
	}
	for _, v := range published {
		courseTags[v.Slug] = v.TagList()
		tags = append(tags, v.TagList()...)
	}
	slices.Sort(tags)
	tags = slices.Compact(tags)
	// The standards with a result for someone in the line are columns,
	// weakest average first; the others are named as left out.
	colOf := map[string]int{}
	d.Find("#heatmap thead th.standard").Each(func(i int, s *goquery.Selection) { colOf[s.AttrOr("data-standard", "")] = i })
	emptyText := text(d.Find("#heatmap-order"))
	left := 0
	for _, tag := range tags {
		anyone := false
		for _, id := range lineIDs {
			if _, ok := expectedCell(t, ts, id, tag, courseTags); ok {
				anyone = true
				break
			}
		}
		_, shown := colOf[tag]
		switch {
		case anyone && !shown:
			t.Errorf("%s has results in the line but is not a column", tag)
		case !anyone && shown:
			t.Errorf("%s has no result in the line but is a column", tag)
		case !anyone && !strings.Contains(emptyText, strings.ReplaceAll(tag, "-", " ")):
			t.Errorf("%s is left out without saying so: %q", tag, emptyText)
		}
		if !anyone {
			left++
		}
	}
	if len(colOf)+left != len(tags) || len(colOf) == 0 {
		t.Fatalf("%d columns and %d left out, want %d standards", len(colOf), left, len(tags))
	}
	if left > 0 && !strings.Contains(emptyText, strconv.Itoa(left)+" standard") {
		t.Errorf("the count of standards left out (%d) is not said: %q", left, emptyText)
	}
	avgs := []int{}
	d.Find("#team-average td").Each(func(_ int, s *goquery.Selection) {
		v, _ := strconv.Atoi(strings.TrimSuffix(strings.Fields(text(s))[0], "%"))
		avgs = append(avgs, v)
	})
	if !slices.IsSorted(avgs) {
		t.Errorf("columns not weakest first: %v", avgs)
	}
	cellAt := func(tr *goquery.Selection, tag string) *goquery.Selection {
		i, ok := colOf[tag]
		if !ok {
			return tr.Find("td").Slice(0, 0)
		}
		return tr.Find("td").Eq(i)
	}

	// A known employee: the advisor of the line with the most quiz attempts.
	var best struct {
		EmployeeID int64
		N          int
	}
	if err := ts.DB.NewSelect().TableExpr("attempts").ColumnExpr("employee_id, COUNT(*) AS n").Where("employee_id IN (?)", bun.In(lineIDs)).
		GroupExpr("employee_id").OrderExpr("n DESC, employee_id").Limit(1).Scan(ctx, &best); err != nil {
		t.Fatal(err)
	}
	who, _ := ts.People.FindEmployee(ctx, best.EmployeeID)
	row := d.Find(`#heatmap tbody tr[data-employee="` + who.Number + `"]`)
	results := 0
	for _, tag := range tags {
		if _, shown := colOf[tag]; !shown {
			continue
		}
		cell := cellAt(row, tag)
		want, ok := expectedCell(t, ts, who.ID, tag, courseTags)
		got, has := cell.Attr("data-percent")
		switch {
		case ok != has:
			t.Errorf("%s on %s: has %v, want %v (%q)", who.Number, tag, has, ok, text(cell))
		case ok && got != strconv.Itoa(want):
			t.Errorf("%s on %s: %s%%, want %d%%", who.Number, tag, got, want)
		case ok && !strings.HasPrefix(text(cell), strconv.Itoa(want)+"%"):
			t.Errorf("%s on %s: the value is not written: %q", who.Number, tag, text(cell))
		case !ok && !strings.HasPrefix(text(cell), "—"):
			t.Errorf("%s on %s: %q, want —", who.Number, tag, text(cell))
		}
		if ok {
			results++
		}
	}
	if row.Find(`abbr[title="quiz"]`).Length() == 0 || row.Find(`abbr[title="role-play"]`).Length() == 0 {
		t.Errorf("%s: want both a quiz and a role-play result to check", who.Number)
	}
	if results < 3 {
		t.Fatalf("%s has only %d results: pick another employee", who.Number, results)
	}

	// The team's average per standard is the mean of the cells with a result.
	for tag := range colOf {
		sum, n := 0, 0
		rows.Each(func(_ int, tr *goquery.Selection) {
			s := cellAt(tr, tag)
			if v, ok := s.Attr("data-percent"); ok {
				p, _ := strconv.Atoi(v)
				sum += p
				n++
			}
		})
		avg := text(d.Find(`#team-average td[data-standard="` + tag + `"]`))
		if n == 0 && !strings.HasPrefix(avg, "—") || n > 0 && !strings.HasPrefix(avg, strconv.Itoa(int(math.Round(float64(sum)/float64(n))))+"%") {
			t.Errorf("average on %s: %q (sum %d of %d)", tag, avg, sum, n)
		}
	}
	// The weakest first.
	last := -1
	d.Find("#weakest-table tbody tr td.num:first-of-type").Each(func(_ int, s *goquery.Selection) {
		v, _ := strconv.Atoi(strings.TrimSuffix(text(s), "%"))
		if v < last {
			t.Errorf("weakest not sorted: %d after %d", v, last)
		}
		last = v
	})
	if last < 0 {
		t.Error("no weakest standards listed")
	}

	// Direct reports only; another manager's line inside his; never outside it.
	direct, _ := ts.People.DirectReports(ctx, mgr.ID)
	_, body = c.get("/readiness/standards?scope=direct")
	if n := doc(t, body).Find("#heatmap tbody tr").Length(); n != len(direct) {
		t.Errorf("direct: %d rows, want %d", n, len(direct))
	}
	if resp, _ := c.get("/readiness/standards?manager=" + staffNumber); resp.StatusCode != 404 {
		t.Errorf("a manager outside the line: %d", resp.StatusCode)
	}
	if resp, body := c.get("/readiness/standards?manager=" + inLine); resp.StatusCode != 200 || strings.Contains(body, staffNumber) {
		t.Errorf("someone in the line: %d", resp.StatusCode)
	}

	// HR: everyone, or a manager's line, the same as his.
	hr := ts.client(t)
	hr.signIn(hrEmail)
	_, body = hr.get("/readiness/standards")
	activeN, _, _ := ts.People.CountEmployees(ctx)
	if got := text(doc(t, body).Find("#standards-count")); !strings.HasPrefix(got, strconv.Itoa(activeN)+" people") {
		t.Errorf("HR: %q, want %d people", got, activeN)
	}
	// A page of 50 people stays small (it was 290 KB with every standard, rotated).
	if n := doc(t, body).Find("#heatmap tbody tr").Length(); n != 50 || len(body) >= 100<<10 {
		t.Errorf("HR's first page: %d people in %d bytes, want 50 in under 100 KB", n, len(body))
	} else {
		t.Logf("HR's first page: %d people, %d bytes", n, len(body))
	}
	_, hrBody := hr.get("/readiness/standards?manager=" + mgr.Number)
	hrRow := doc(t, hrBody).Find(`#heatmap tbody tr[data-employee="` + who.Number + `"]`)
	if hrRow.Length() != 1 || text(hrRow) != text(row) {
		t.Errorf("HR's view of the line differs:\n%s\n%s", text(hrRow), text(row))
	}
}
