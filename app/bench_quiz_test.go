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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

// BenchmarkQuizSubmissions drives the quiz over real HTTP on loopback with 64
// concurrent clients, each a signed-in demo employee: start an attempt, load
// it, autosave an answer to every question, submit. It reports scored
// submissions per second and the submit request's p50 and p99, and fails on
// any error or any lost answer.
func BenchmarkQuizSubmissions(b *testing.B) {
	const clients = 64
	ts := mustServer(b, "sqlite")
	base := ts.Listen(b)
	ctx := context.Background()
	quiz := mustQuiz(b, ts, assessments.QuizSettings{Slug: "bench-quiz", Title: "Bench quiz", DrawCount: 10,
		ShuffleQuestions: true, ShuffleOptions: true, PassMark: 70, TimeLimitMinutes: 60, ReviewPolicy: assessments.ReviewNever})
	type user = benchLearner
	users := benchLearners(b, ts, clients)
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	quizURL := base + "/learn/six-cs/quiz/bench-quiz"
	send := func(u user, method, path, ctype string, body []byte) (int, string, http.Header, error) {
		req, _ := http.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Cookie", u.cookie)
		req.Header.Set("X-CSRF-Token", u.csrf)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", nil, err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(out), resp.Header, nil
	}
	// one takes a whole attempt and returns the submit request's latency.
	one := func(u user) (time.Duration, error) {
		code, _, h, err := send(u, "POST", quizURL+"/start", "application/x-www-form-urlencoded", nil)
		if err != nil || code != http.StatusSeeOther {
			return 0, fmt.Errorf("start: %d %v", code, err)
		}
		attempt := base + h.Get("Location")
		code, page, _, err := send(u, "GET", attempt, "", nil)
		if err != nil || code != http.StatusOK {
			return 0, fmt.Errorf("attempt page: %d %v", code, err)
		}
		d, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			return 0, err
		}
		var saveErr error
		d.Find("fieldset.question").EachWithBreak(func(_ int, fs *goquery.Selection) bool {
			id, r := pageAnswer(fs)
			body, _ := json.Marshal(map[string]any{"question": id, "response": r})
			code, out, _, err := send(u, "POST", attempt+"/answer", "application/json", body)
			if err != nil || code != http.StatusNoContent {
				saveErr = fmt.Errorf("answer: %d %v %s", code, err, out)
			}
			return saveErr == nil
		})
		if saveErr != nil {
			return 0, saveErr
		}
		start := time.Now()
		code, _, h, err = send(u, "POST", attempt+"/submit", "application/x-www-form-urlencoded", []byte(url.Values{"_csrf": {u.csrf}}.Encode()))
		lat := time.Since(start)
		if err != nil || code != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/result") {
			return 0, fmt.Errorf("submit: %d %v", code, err)
		}
		return lat, nil
	}
	if _, err := one(users[0]); err != nil {
		b.Fatal(err)
	}

	var next, errs atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(u user) {
			defer wg.Done()
			var mine []time.Duration
			for next.Add(1) <= int64(b.N) {
				d, err := one(u)
				if err != nil {
					if errs.Add(1) <= 3 {
						b.Error(err)
					}
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(users[i])
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	if n := errs.Load(); n > 0 {
		b.Fatalf("%d failed attempts", n)
	}
	// Zero lost answers: every attempt is submitted with an answer to every question.
	var rows []struct {
		ID        int64
		Submitted bool
		Answers   int
	}
	err := ts.DB.NewSelect().TableExpr("attempts AS at").ColumnExpr("at.id, at.submitted_at IS NOT NULL AS submitted").
		ColumnExpr("(SELECT COUNT(*) FROM attempt_answers AS aa WHERE aa.attempt_id = at.id) AS answers").
		Where("at.quiz_id = ?", quiz.ID).Scan(ctx, &rows)
	if err != nil {
		b.Fatal(err)
	}
	if len(rows) != b.N+1 {
		b.Fatalf("%d attempts, want %d", len(rows), b.N+1)
	}
	for _, r := range rows {
		if !r.Submitted || r.Answers != quiz.DrawCount {
			b.Fatalf("attempt %d: submitted %v with %d of %d answers", r.ID, r.Submitted, r.Answers, quiz.DrawCount)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "submissions/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// benchLearner is a signed-in learner for the load benchmarks.
type benchLearner struct {
	emp          int64
	cookie, csrf string
}

// benchLearners signs in n active employees (the demo's, topped up with new
// ones when it has fewer) and returns their session cookies and CSRF tokens.
func benchLearners(b *testing.B, ts *testServer, n int) []benchLearner {
	b.Helper()
	ctx := context.Background()
	tr := true
	list, _, err := ts.People.ListEmployees(ctx, people.EmployeeFilter{Active: &tr, OrderByNumber: true, Limit: n})
	if err != nil {
		b.Fatal(err)
	}
	for i := len(list); i < n; i++ {
		res, err := ts.People.SaveEmployee(ctx, people.EmployeeInput{Number: fmt.Sprintf("BENCH%02d", i), FirstName: "Bench",
			LastName: fmt.Sprintf("Learner %d", i), Email: fmt.Sprintf("bench%d@brightwater.example", i), Active: true})
		if err != nil {
			b.Fatal(err)
		}
		list = append(list, *res.Employee)
	}
	out := make([]benchLearner, n)
	for i, e := range list {
		sess, token, err := ts.People.CreateSession(ctx, e.ID, "127.0.0.1", "bench")
		if err != nil {
			b.Fatal(err)
		}
		out[i] = benchLearner{e.ID, "academy_session=" + token, sess.CSRFToken}
	}
	return out
}
