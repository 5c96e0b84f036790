package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
)

// BenchmarkQuizSubmit measures the submit request alone, over real HTTP on
// loopback with 64 concurrent clients, each a signed-in demo employee. Before
// the clock starts every client has enough open attempts (one per bench quiz:
// a learner has one open attempt per quiz) for its share of b.N; each
// measured request submits one attempt with the answers to all its questions
// in the form. It reports scored submissions per second and the p50 and p99
// latency, and fails on any error or any lost answer.
func BenchmarkQuizSubmit(b *testing.B) {
	const clients = 64
	ts := mustServer(b, "sqlite")
	base := ts.Listen(b)
	ctx := context.Background()
	qs := assessments.NewStore(ts.DB)

	// Users: the demo's active employees, topped up to 64.
	type user = benchLearner
	users := benchLearners(b, ts, clients)

	// Quizzes: no attempt limit, no wait; one per attempt a client submits.
	perClient := (b.N + clients - 1) / clients
	quizzes := make([]*assessments.Quiz, perClient)
	for k := range quizzes {
		quizzes[k] = mustQuiz(b, ts, assessments.QuizSettings{Slug: fmt.Sprintf("bench-submit-%d", k), Title: "Bench submit",
			DrawCount: 10, ShuffleQuestions: true, ShuffleOptions: true, PassMark: 70, AttemptLimit: 0, MinWaitMinutes: 0,
			TimeLimitMinutes: 60, ReviewPolicy: assessments.ReviewNever})
	}

	// Attempts, started beforehand, each with its submit URL and form.
	type job struct{ url, body string }
	jobs := make([][]job, clients) // per client
	var setupErr atomic.Value
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := users[i]
			for _, quiz := range quizzes {
				a, err := qs.StartAttempt(ctx, quiz.ID, u.emp)
				if err != nil {
					setupErr.Store(err)
					return
				}
				v, err := qs.AttemptView(ctx, a.ID, u.emp)
				if err != nil {
					setupErr.Store(err)
					return
				}
				jobs[i] = append(jobs[i], job{
					url:  fmt.Sprintf("%s/learn/six-cs/quiz/%s/attempt/%d/submit", base, quiz.Slug, a.ID),
					body: submitForm(v, u.csrf).Encode(),
				})
			}
		}(i)
	}
	wg.Wait()
	if err, _ := setupErr.Load().(error); err != nil {
		b.Fatal(err)
	}

	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	submit := func(u user, j job) (time.Duration, error) {
		req, _ := http.NewRequest("POST", j.url, strings.NewReader(j.body))
		req.Header.Set("Cookie", u.cookie)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat := time.Since(start)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/result") {
			return 0, fmt.Errorf("submit %s: %d %s", j.url, resp.StatusCode, out)
		}
		return lat, nil
	}

	// Warm the connections (and the server's caches) with one idle request per client.
	for i := range clients {
		req, _ := http.NewRequest("GET", base+"/learn/six-cs", nil)
		req.Header.Set("Cookie", users[i].cookie)
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}

	var next, errs atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var mine []time.Duration
			for _, j := range jobs[i] {
				if next.Add(1) > int64(b.N) {
					break
				}
				d, err := submit(users[i], j)
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
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	if n := errs.Load(); n > 0 {
		b.Fatalf("%d failed submissions", n)
	}
	if len(lat) != b.N {
		b.Fatalf("%d submissions, want %d", len(lat), b.N)
	}
	// Zero lost answers: b.N attempts scored, each with an answer to every question.
	ids := make([]int64, len(quizzes))
	for k, q := range quizzes {
		ids[k] = q.ID
	}
	var rows []struct {
		ID      int64
		Scored  bool
		Answers int
	}
	err := ts.DB.NewSelect().TableExpr("attempts AS at").
		ColumnExpr("at.id, at.submitted_at IS NOT NULL AND at.score IS NOT NULL AS scored").
		ColumnExpr("(SELECT COUNT(*) FROM attempt_answers AS aa WHERE aa.attempt_id = at.id) AS answers").
		Where("at.quiz_id IN (?)", bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		b.Fatal(err)
	}
	scored := 0
	for _, r := range rows {
		if !r.Scored {
			continue
		}
		scored++
		if r.Answers != 10 {
			b.Fatalf("attempt %d: scored with %d of 10 answers", r.ID, r.Answers)
		}
	}
	if scored != b.N {
		b.Fatalf("%d attempts scored, want %d", scored, b.N)
	}

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "submissions/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// submitForm is the attempt page's form answering every question (with the
// first option, the first place, "42"), as the no-JavaScript submit sends it.
func submitForm(v *assessments.AttemptView, csrf string) url.Values {
	form := url.Values{"_csrf": {csrf}}
	for _, sq := range v.Questions {
		id := strconv.FormatInt(sq.ID, 10)
		key := "a" + id
		form.Add("q", id)
		switch sq.Type {
		case assessments.SingleChoice, assessments.MissingWord, assessments.MultipleResponse:
			form.Set(key, sq.Options[0].ID)
		case assessments.TrueFalse:
			form.Set(key, "true")
		case assessments.Matching:
			for _, l := range sq.Lefts {
				form.Set(key+"."+l.ID, sq.Rights[0].ID)
			}
		case assessments.Ordering:
			for i, o := range sq.Options {
				form.Set(key+"."+o.ID, strconv.Itoa(i+1))
			}
		default:
			form.Set(key, "42")
		}
	}
	return form
}
