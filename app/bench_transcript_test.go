package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// historyCounts is what benchHistory wrote.
type historyCounts struct {
	cycles, completions, attempts, observations int
	benchCycles                                 int // of the five bench programmes (the rest the demo's audience rules gave)
}

// benchHistory gives a new employee (number BENCHT1, in the contact centre
// manager's line) about five years of history, written through the stores
// with a moving clock: five programmes recertified yearly (25 cycles), the
// courses taken again for each (about 60 completions), 40 quiz attempts and
// 10 signed-off role-play observations.
func benchHistory(tb testing.TB, ts *testServer) (*people.Employee, historyCounts) {
	tb.Helper()
	ctx := context.Background()
	mgr, err := ts.People.FindEmployeeByNumber(ctx, "BW1012")
	if err != nil {
		tb.Fatal(err)
	}
	res, err := ts.People.SaveEmployee(ctx, people.EmployeeInput{Number: "BENCHT1", FirstName: "Tess", LastName: "Transcript",
		Email: "tess.transcript@brightwater.example", JobTitle: "Customer Service Advisor", ManagerNumber: mgr.Number,
		HireDate: "2020-01-06", Active: true})
	if err != nil {
		tb.Fatal(err)
	}
	emp := res.Employee
	// Assessments are benchmarked elsewhere: here the lessons complete a course.
	var clock time.Time
	cs := courses.NewStore(ts.DB, passAll{}, courses.Options{Clock: store.ClockFunc(func() time.Time { return clock })})
	start := time.Now().UTC().AddDate(-5, 3, 0) // the last recertification window opens after today
	clock = start

	programmes := [][]string{
		{"six-cs", "promises-timelines"},
		{"service-recovery", "empathy-difficult-customers"},
		{"customer-world", "internal-customer", "six-cs"},
		{"promises-timelines", "empathy-difficult-customers", "customer-world"},
		{"internal-customer", "customer-world", "service-recovery", "six-cs"},
	}
	slugs := []string{"bench-a", "bench-b", "bench-c", "bench-d", "bench-e"}
	for i, list := range programmes {
		in := courses.ProgrammeInput{Slug: slugs[i], Title: "Bench programme " + slugs[i][6:], Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
			ValidityMonths: 12, RecertDays: 30}
		for _, s := range list {
			in.Courses = append(in.Courses, courses.ProgrammeCourseInput{Slug: s, Required: true})
		}
		if _, err := cs.CreateProgramme(ctx, in, nil, "bench"); err != nil {
			tb.Fatal(err)
		}
	}
	finish := func(slug string) {
		c, err := cs.FindCourse(ctx, slug)
		if err != nil {
			tb.Fatal(err)
		}
		o, en, err := cs.Start(ctx, emp.ID, c)
		if err != nil {
			tb.Fatal(err)
		}
		if en.CompletedAt != nil {
			return // still complete: counts for this cycle too
		}
		for _, l := range o.Lessons {
			clock = clock.Add(3 * time.Minute)
			if err := completeLesson(ctx, cs, en, l.ID); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// Each year, programme k's turn comes two months after k-1's: it is
	// assigned (the first year) or its recertification opens, and its
	// courses are taken.
	for year := 0; year < 5; year++ {
		for k := range programmes {
			clock = start.AddDate(year, 2*k, 0)
			if year == 0 {
				if _, err := cs.Assign(ctx, courses.AssignRequest{Programme: slugs[k], EmployeeIDs: []int64{emp.ID}, Actor: "bench"}, false); err != nil {
					tb.Fatal(err)
				}
			} else if _, err := cs.Tick(ctx); err != nil {
				tb.Fatal(err)
			}
			for _, s := range programmes[k] {
				finish(s)
			}
		}
	}
	clock = time.Now().UTC()
	if _, err := cs.Tick(ctx); err != nil {
		tb.Fatal(err)
	}

	// Forty quiz attempts on two quizzes over the years, some failed.
	qs := assessments.NewStore(ts.DB)
	quizzes := []*assessments.Quiz{
		mustQuiz(tb, ts, assessments.QuizSettings{CourseSlug: "six-cs", Slug: "bench-six-cs", Title: "Six Cs refresher", DrawCount: 5, PassMark: 70, ReviewPolicy: assessments.ReviewNever}),
		mustQuiz(tb, ts, assessments.QuizSettings{CourseSlug: "empathy-difficult-customers", Slug: "bench-empathy", Title: "Empathy refresher", DrawCount: 5, PassMark: 70, ReviewPolicy: assessments.ReviewNever}),
	}
	for i := 0; i < 40; i++ {
		at := start.Add(time.Duration(i) * 40 * 24 * time.Hour)
		if _, err := demo.Attempt(ctx, qs, quizzes[i%2].ID, emp.ID, at, i%4 != 3, time.Time{}); err != nil {
			tb.Fatal(err)
		}
	}
	// Ten observations by the manager, one failed on a critical item.
	obs := assessments.NewObservationStore(ts.DB)
	checklists := []string{"irate-billing-error", "missed-promise-complaint", "warranty-loan-device", "wrong-department-handover"}
	for i := 0; i < 10; i++ {
		outcome := demo.Pass
		if i == 4 {
			outcome = demo.FailCritical
		}
		at := start.Add(time.Duration(i) * 170 * 24 * time.Hour)
		if _, err := demo.Observation(ctx, obs, checklists[i%4], emp.ID, mgr.ID, at, outcome, true); err != nil {
			tb.Fatal(err)
		}
	}

	var n historyCounts
	count := func(table string, dest *int) {
		if err := ts.DB.NewSelect().TableExpr(table).ColumnExpr("COUNT(*)").Where("employee_id = ?", emp.ID).Scan(ctx, dest); err != nil {
			tb.Fatal(err)
		}
	}
	count("cycles", &n.cycles)
	count("course_completions", &n.completions)
	count("attempts", &n.attempts)
	count("observations", &n.observations)
	if err := ts.DB.NewSelect().TableExpr("cycles AS cy").ColumnExpr("COUNT(*)").
		Join("JOIN assignments AS a ON a.id = cy.assignment_id").Join("JOIN programmes AS p ON p.id = a.programme_id").
		Where("cy.employee_id = ? AND p.slug LIKE 'bench-%'", emp.ID).Scan(ctx, &n.benchCycles); err != nil {
		tb.Fatal(err)
	}
	return emp, n
}

// BenchmarkTranscriptPage renders one employee's transcript with five years
// of history (25 programme cycles, about 60 course completions, 40 quiz
// attempts, 10 observations) through the app, signed in as that employee.
func BenchmarkTranscriptPage(b *testing.B) {
	ts := mustServer(b, "sqlite")
	emp, n := benchHistory(b, ts)
	// The demo's audience rules may give the new employee a programme of
	// theirs when the clock reaches today (the induction is for everyone).
	if n.benchCycles != 25 || n.cycles < 25 || n.completions < 50 || n.attempts != 40 || n.observations != 10 {
		b.Fatalf("history: %+v", n)
	}
	_, token, err := ts.People.CreateSession(context.Background(), emp.ID, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	get := func() string {
		req, _ := http.NewRequest("GET", "http://localhost/me/transcript", nil)
		req.Header.Set("Cookie", "academy_session="+token)
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return string(body)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(get()))
	if err != nil {
		b.Fatal(err)
	}
	if rows := d.Find("table.transcript-cycles tbody tr").Length(); rows != n.cycles {
		b.Fatalf("%d cycle rows, want %d", rows, n.cycles)
	}
	if rows := d.Find("#transcript-courses tbody tr").Length(); rows != n.completions {
		b.Fatalf("%d completion rows, want %d", rows, n.completions)
	}
	if !strings.Contains(d.Find("#transcript-attempts").Text(), "Six Cs refresher") {
		b.Fatal("attempts not shown")
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		get()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/page")
	b.ReportMetric(float64(n.completions), "completions")
}
