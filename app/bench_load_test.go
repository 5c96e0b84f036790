package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// BenchmarkAutosaveAndSubmit is ordinary quiz load in the shape of issue 11's
// finding 13, over real HTTP on loopback, on SQLite: 16 learners, each
// ENROLLED in six-cs with every lesson read and assigned a programme of it
// (a certificate per course), each taking b.N attempts at the course's quiz:
// start, load the page, autosave 7 of its 8 answers one request at a time,
// submit with the eighth — about 12% of the writes are submits. Every submit
// decides the course's completion in its transaction (the first completes
// the course, the programme cycle, two certificates and readiness). It
// reports the writes answered per second (starts, autosaves, submits), the
// p50 and p99 of every write request, the submits' p99, the attempt page's
// p99 (a read among the writes) and the errors (a
// request that failed or took longer than a minute, an attempt not started
// within the run's two minutes), and fails on any error or any lost answer.
func BenchmarkAutosaveAndSubmit(b *testing.B) {
	const (
		learners  = 16
		questions = 8
		autosaves = questions - 1
	)
	ts := mustServer(b, "sqlite")
	base := ts.Listen(b)
	ctx := context.Background()

	// The course's quiz: 8 single-choice questions, any score passes, no limits.
	qs := assessments.NewStore(ts.DB)
	for i := range questions {
		if _, err := qs.SaveQuestion(ctx, "six-cs", assessments.Question{ID: fmt.Sprintf("load-%d", i), Type: assessments.SingleChoice,
			Text: fmt.Sprintf("Load question %d?", i), Tags: []string{"load"}, Options: []assessments.Option{
				{ID: "a", Text: "Right", Weight: 100}, {ID: "b", Text: "Wrong"}, {ID: "c", Text: "Also wrong"}}}, nil); err != nil {
			b.Fatal(err)
		}
	}
	mustQuiz(b, ts, assessments.QuizSettings{Slug: "six-cs-quiz", Title: "Six Cs under load", DrawCount: questions,
		DrawPerTag: map[string]int{"load": questions}, ShuffleQuestions: true, ShuffleOptions: true, PassMark: 0,
		TimeLimitMinutes: 60, ReviewPolicy: assessments.ReviewNever})

	// The learners: new employees, enrolled with every lesson read, assigned a programme of the course.
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	course, err := cs.FindCourse(ctx, "six-cs")
	if err != nil {
		b.Fatal(err)
	}
	users := make([]benchLearner, learners)
	ids := make([]int64, learners)
	for i := range users {
		res, err := ts.People.SaveEmployee(ctx, people.EmployeeInput{Number: fmt.Sprintf("LOAD%02d", i), FirstName: "Load",
			LastName: fmt.Sprintf("Learner %d", i), Email: fmt.Sprintf("load%d@brightwater.example", i), Active: true})
		if err != nil {
			b.Fatal(err)
		}
		e := res.Employee
		o, en, err := cs.Start(ctx, e.ID, course)
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range o.Lessons {
			if err := completeLesson(ctx, cs, en, l.ID); err != nil {
				b.Fatal(err)
			}
		}
		sess, token, err := ts.People.CreateSession(ctx, e.ID, "127.0.0.1", "bench")
		if err != nil {
			b.Fatal(err)
		}
		users[i], ids[i] = benchLearner{e.ID, "academy_session=" + token, sess.CSRFToken}, e.ID
	}
	if _, err := cs.CreateProgramme(ctx, courses.ProgrammeInput{Slug: "load", Title: "Load", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
		ValidityMonths: 12, CertificatePerCourse: true, ShowScore: true, Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}}},
		nil, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := cs.Assign(ctx, courses.AssignRequest{Programme: "load", EmployeeIDs: ids, Actor: "bench"}, false); err != nil {
		b.Fatal(err)
	}

	client := &http.Client{
		Timeout:       time.Minute,
		Transport:     &http.Transport{MaxIdleConnsPerHost: learners, MaxConnsPerHost: learners},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	quizURL := base + "/learn/six-cs/quiz/six-cs-quiz"
	type result struct {
		kind string // start, autosave, submit, page (the attempt page: a read)
		d    time.Duration
		ok   bool
	}
	send := func(u benchLearner, method, path, ctype string, body []byte) (int, string, http.Header, time.Duration, error) {
		req, _ := http.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Cookie", u.cookie)
		req.Header.Set("X-CSRF-Token", u.csrf)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", nil, time.Since(start), err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(out), resp.Header, time.Since(start), nil
	}
	// attempt takes one attempt and returns its writes' latencies and errors;
	// like the page's script, a failed autosave does not stop the learner.
	attempt := func(u benchLearner) ([]result, []error) {
		var res []result
		var errs []error
		code, out, h, d, err := send(u, "POST", quizURL+"/start", "application/x-www-form-urlencoded", nil)
		if err != nil || code != http.StatusSeeOther {
			return append(res, result{"start", d, false}), append(errs, fmt.Errorf("start: %d %v %.200s", code, err, out))
		}
		res = append(res, result{"start", d, true})
		page := base + h.Get("Location")
		code, out, _, d, err = send(u, "GET", page, "", nil)
		if err != nil || code != http.StatusOK {
			return append(res, result{"page", d, false}), append(errs, fmt.Errorf("attempt page: %d %v", code, err))
		}
		res = append(res, result{"page", d, true})
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(out))
		if err != nil {
			return res, append(errs, err)
		}
		fields := doc.Find("fieldset.question")
		if fields.Length() != questions {
			return res, append(errs, fmt.Errorf("attempt page: %d questions, want %d", fields.Length(), questions))
		}
		form := url.Values{"_csrf": {u.csrf}}
		fields.Each(func(i int, fs *goquery.Selection) {
			id, r := pageAnswer(fs)
			if i == autosaves { // the last answer goes with the submit
				key := strconv.FormatInt(id, 10)
				form.Set("q", key)
				form.Set("a"+key, r.Choice)
				return
			}
			body, _ := json.Marshal(map[string]any{"question": id, "response": r})
			code, out, _, d, err := send(u, "POST", page+"/answer", "application/json", body)
			ok := err == nil && code == http.StatusNoContent
			if !ok {
				errs = append(errs, fmt.Errorf("autosave after %.1f s: %d %v %.200s", d.Seconds(), code, err, out))
			}
			res = append(res, result{"autosave", d, ok})
		})
		code, out, h, d, err = send(u, "POST", page+"/submit", "application/x-www-form-urlencoded", []byte(form.Encode()))
		if err != nil || code != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/result") {
			return append(res, result{"submit", d, false}), append(errs, fmt.Errorf("submit after %.1f s: %d %v %.200s", d.Seconds(), code, err, out))
		}
		return append(res, result{"submit", d, true}), errs
	}

	var mu sync.Mutex
	var all []result
	var errs []error
	b.ResetTimer()
	start := time.Now()
	stop := start.Add(2 * time.Minute) // a stalling server ends the run, not the machine's patience
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func(u benchLearner) {
			defer wg.Done()
			for range b.N {
				if time.Now().After(stop) {
					mu.Lock()
					errs = append(errs, fmt.Errorf("learner %d: the run's two minutes were up", u.emp))
					mu.Unlock()
					continue
				}
				res, failed := attempt(u)
				mu.Lock()
				all = append(all, res...)
				errs = append(errs, failed...)
				mu.Unlock()
			}
		}(u)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	var lat, submits, pages []time.Duration // answered or failed
	answered := 0
	for _, r := range all {
		switch r.kind {
		case "page":
			pages = append(pages, r.d)
			continue
		case "submit":
			submits = append(submits, r.d)
		}
		lat = append(lat, r.d)
		if r.ok {
			answered++
		}
	}
	pct := func(list []time.Duration, p int) float64 {
		if len(list) == 0 {
			return 0
		}
		sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
		return float64(list[min(len(list)-1, len(list)*p/100)].Microseconds()) / 1000
	}
	b.ReportMetric(float64(answered)/elapsed.Seconds(), "writes/s")
	b.ReportMetric(pct(lat, 50), "p50-ms")
	b.ReportMetric(pct(lat, 99), "p99-ms")
	b.ReportMetric(pct(submits, 99), "submit-p99-ms")
	b.ReportMetric(pct(pages, 99), "page-p99-ms")
	b.ReportMetric(float64(len(errs)), "errors")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d learners x %d attempts in %.1f s: %d writes (%d submits), %d answered, %.0f writes/s, p50 %.1f ms, p99 %.1f ms, submit p99 %.1f ms, attempt page p99 %.1f ms, %d errors",
		learners, b.N, elapsed.Seconds(), len(lat), len(submits), answered, float64(answered)/elapsed.Seconds(), pct(lat, 50), pct(lat, 99), pct(submits, 99), pct(pages, 99), len(errs))
	for i, err := range errs {
		if i == 3 {
			break
		}
		b.Error(err)
	}
	if len(errs) > 0 {
		b.Fatalf("%d requests failed", len(errs))
	}

	// Nothing lost: every attempt submitted with all its answers; every
	// learner's course and programme complete, with both certificates.
	var rows []struct {
		ID        int64
		Submitted bool
		Answers   int
	}
	if err := ts.DB.NewSelect().TableExpr("attempts AS at").ColumnExpr("at.id, at.submitted_at IS NOT NULL AS submitted").
		ColumnExpr("(SELECT COUNT(*) FROM attempt_answers AS aa WHERE aa.attempt_id = at.id) AS answers").
		Where("at.employee_id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		b.Fatal(err)
	}
	if len(rows) != learners*b.N {
		b.Fatalf("%d attempts, want %d", len(rows), learners*b.N)
	}
	for _, r := range rows {
		if !r.Submitted || r.Answers != questions {
			b.Fatalf("attempt %d: submitted %v with %d of %d answers", r.ID, r.Submitted, r.Answers, questions)
		}
	}
	done, err := ts.DB.NewSelect().TableExpr("enrolments").Where("employee_id IN (?) AND completed_at IS NOT NULL", bun.In(ids)).Count(ctx)
	if err != nil || done != learners {
		b.Fatalf("%d courses completed (%v), want %d", done, err, learners)
	}
	certs, err := ts.DB.NewSelect().TableExpr("certificates").Where("employee_id IN (?)", bun.In(ids)).Count(ctx)
	if err != nil || certs != 2*learners {
		b.Fatalf("%d certificates (%v), want %d (the course's and the programme's)", certs, err, 2*learners)
	}
}
