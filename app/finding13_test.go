package app_test

import (
	"context"
	"net/http"
	"net/url"
	"runtime"
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
	"github.com/serviceacademy/academy/store/storetest"
)

// oneConnection limits db's pool to a single connection. A transaction that
// reads through the pool instead of through itself then waits for a second
// connection for ever; so the moment anything waits for a connection (the
// test drives one request at a time, so nothing legitimately does), the test
// fails with every goroutine's stack and the database is closed, which ends
// the wait with an error instead of a hang. A deadline does the same should
// a request hang some other way.
func oneConnection(t *testing.T, db *bun.DB) {
	t.Helper()
	db.SetMaxOpenConns(1)
	stop := make(chan struct{})
	var once sync.Once
	fail := func(why string) {
		once.Do(func() {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("%s; goroutines:\n%s", why, buf)
			db.Close()
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(3 * time.Minute)
		for {
			select {
			case <-stop:
				return
			case <-deadline:
				fail("deadline: the chains did not finish")
				return
			case <-tick.C:
				if db.Stats().WaitCount > 0 {
					fail("a request waited for a second database connection")
					return
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// TestFinding13TransactionsNeverWaitForASecondConnection (issue 11, finding
// 13): with a pool of ONE connection, every write chain runs to the end. A
// transaction holds its connection (and on SQLite the write gate); a read
// inside it that goes through the pool instead of the transaction waits for
// a second connection, which under load the autosaves waiting for the gate
// hold: 10-40 s stalls and 500s. Driven here: lesson completion, the promise
// acknowledgement, an observation signed off and amended, an essay graded,
// and finally a quiz submit, each completing a course of a programme
// (course certificates, readiness), the last completing the programme
// (cycle, certificate with the score, readiness).
func TestFinding13TransactionsNeverWaitForASecondConnection(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			// A learner with no history, whose manager observes and grades them.
			var learner, manager *people.Employee
			tr := true
			list, _, _ := ts.People.ListEmployees(ctx, people.EmployeeFilter{Active: &tr, OrderByNumber: true, Limit: 1000})
			for i := range list {
				e := &list[i]
				n, _ := ts.DB.NewSelect().TableExpr("enrolments").Where("employee_id = ?", e.ID).Count(ctx)
				if n == 0 && e.Roles == "" && e.ManagerID != nil && e.Reports == 0 {
					if m, err := ts.People.FindEmployee(ctx, *e.ManagerID); err == nil && m.Roles == "" {
						learner, manager = e, m
						break
					}
				}
			}
			if learner == nil {
				t.Fatal("no demo learner without history and with a manager")
			}
			// Any score passes; six-cs's quiz becomes one essay, so grading decides it.
			quizzes := assessments.NewStore(ts.DB)
			if _, err := quizzes.SaveQuestion(ctx, "six-cs", assessments.Question{ID: "f13-essay", Type: assessments.Essay,
				Text: "Describe a service failure you put right.", Tags: []string{"f13"}}, nil); err != nil {
				t.Fatal(err)
			}
			for _, slug := range []string{"mission-vision-promise-quiz", "internal-customer-quiz", "promises-timelines-quiz",
				"customer-world-quiz", "six-cs-quiz"} {
				q, err := quizzes.FindQuiz(ctx, slug)
				if err != nil {
					t.Fatal(err)
				}
				q.PassMark = 0
				if slug == "six-cs-quiz" {
					q.PassMark, q.DrawCount, q.DrawPerTag = 50, 1, map[string]int{"f13": 1}
				}
				if _, err := quizzes.SaveQuiz(ctx, q.QuizSettings); err != nil {
					t.Fatal(err)
				}
			}
			outlines := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
			lessons := func(course string) []string {
				t.Helper()
				_, o, err := outlines.PublishedOutline(ctx, course)
				if err != nil {
					t.Fatal(err)
				}
				var slugs []string
				for _, l := range o.Lessons {
					slugs = append(slugs, l.Slug)
				}
				return slugs
			}
			ourCourses := []string{"mission-vision-promise", "promises-timelines", "internal-customer", "six-cs", "customer-world"}
			lessonsOf := map[string][]string{}
			for _, c := range ourCourses {
				lessonsOf[c] = lessons(c)
			}

			// From here on the pool has one connection.
			oneConnection(t, ts.DB)

			// HR makes a programme of the five courses, a certificate per
			// course and the score printed, and assigns it to the learner.
			hr := ts.client(t)
			hr.signIn(hrEmail)
			hr.get("/programmes/new")
			form := url.Values{"slug": {"finding-13"}, "title": {"Finding 13"}, "due_kind": {"after_assignment"}, "due_days": {"30"},
				"validity_months": {"12"}, "recert_days": {"30"}, "certificate_per_course": {"on"}, "show_score": {"on"}}
			for i, c := range ourCourses {
				form.Set("use_"+c, "required")
				form.Set("pos_"+c, strconv.Itoa(i+1))
			}
			if resp, body := hr.post("/programmes", form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("create the programme: %d %s", resp.StatusCode, body)
			}
			hr.get("/programmes/finding-13")
			if resp, body := hr.post("/programmes/finding-13/assign", url.Values{"employees": {learner.Number}, "action": {"assign"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("assign: %d %s", resp.StatusCode, body)
			}

			c := ts.client(t)
			c.signIn(learner.Email)
			complete := func(course string, lessons ...string) string {
				t.Helper()
				var flash string
				for _, l := range lessons {
					c.get("/learn/" + course + "/" + l)
					resp, body := c.post("/learn/"+course+"/"+l+"/complete", nil)
					if resp.StatusCode != http.StatusSeeOther {
						t.Fatalf("complete %s/%s: %d %s", course, l, resp.StatusCode, body)
					}
					_, body = c.get(resp.Header.Get("Location"))
					flash = doc(t, body).Find(".flash").Text()
				}
				return flash
			}
			// takeQuiz starts the course's quiz and submits it, answering only
			// its essays when asked to (an essay left blank scores 0 and waits
			// for nobody).
			takeQuiz := func(course string, essays bool) (string, string) {
				t.Helper()
				intro := "/learn/" + course + "/quiz/" + course + "-quiz"
				c.get(intro)
				resp, body := c.post(intro+"/start", nil)
				attempt := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(attempt, intro+"/attempt/") {
					t.Fatalf("start %s: %d %q %s", intro, resp.StatusCode, attempt, body)
				}
				_, body = c.get(attempt)
				answers := url.Values{}
				doc(t, body).Find(`fieldset.question[data-type="essay"]`).Each(func(_ int, s *goquery.Selection) {
					if !essays {
						return
					}
					qid := s.AttrOr("data-question", "")
					answers.Add("q", qid)
					answers.Set("a"+qid, "I said sorry at once, then fixed it.")
				})
				resp, body = c.post(attempt+"/submit", answers)
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("submit %s: %d %s", intro, resp.StatusCode, body)
				}
				_, body = c.get(resp.Header.Get("Location"))
				return attempt, doc(t, body).Find(".flash").Text()
			}
			m := ts.client(t)
			m.signIn(manager.Email)
			// observe signs off a passed observation of the checklist and returns its page.
			observe := func(slug string) string {
				t.Helper()
				stored, err := assessments.NewObservationStore(ts.DB).FindChecklist(ctx, slug)
				if err != nil {
					t.Fatal(err)
				}
				page := "/people/" + url.PathEscape(learner.Number) + "/observe"
				m.get(page)
				resp, body := m.post(page+"/"+slug, nil)
				obs := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(obs, "/observations/") {
					t.Fatalf("start observation: %d %q %s", resp.StatusCode, obs, body)
				}
				m.get(obs)
				if resp, body := m.post(obs+"/signoff", ratingsForm(&stored.Checklist, nil)); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("sign off: %d %s", resp.StatusCode, body)
				}
				m.get(obs + "/amend")
				amend := ratingsForm(&stored.Checklist, nil)
				amend.Set("reason", "Typo in a comment.")
				if resp, body := m.post(obs+"/amend", amend); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("amend: %d %s", resp.StatusCode, body)
				}
				return obs
			}

			// The acknowledgement completes the mission course.
			complete("mission-vision-promise", lessonsOf["mission-vision-promise"]...)
			takeQuiz("mission-vision-promise", false)
			_, body := c.get("/learn/mission-vision-promise/acknowledge")
			ack := url.Values{}
			doc(t, body).Find(`main form input[name^="promise"], main form input[name^="version_"]`).Each(func(_ int, s *goquery.Selection) {
				ack.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
			})
			if resp, body := c.post("/learn/mission-vision-promise/acknowledge", ack); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("acknowledge: %d %s", resp.StatusCode, body)
			}
			if !courseDone(t, ts, learner.Number, "mission-vision-promise") {
				t.Fatal("the acknowledgement did not complete the mission course")
			}

			// Lesson completion completes a course: quiz and role-play first.
			pt := lessonsOf["promises-timelines"]
			c.get("/learn/promises-timelines/" + pt[0])
			takeQuiz("promises-timelines", false)
			observe("missed-promise-complaint")
			if flash := complete("promises-timelines", pt...); !strings.Contains(flash, "Course complete") {
				t.Fatalf("the last lesson did not complete promises-timelines: %q", flash)
			}

			// The sign-off (and its amendment) completes internal-customer.
			complete("internal-customer", lessonsOf["internal-customer"]...)
			takeQuiz("internal-customer", false)
			observe("wrong-department-handover")
			if !courseDone(t, ts, learner.Number, "internal-customer") {
				t.Fatal("the sign-off did not complete internal-customer")
			}

			// Grading the essay completes six-cs.
			complete("six-cs", lessonsOf["six-cs"]...)
			attempt, _ := takeQuiz("six-cs", true)
			attemptID, _ := strconv.ParseInt(attempt[strings.LastIndex(attempt, "/")+1:], 10, 64)
			var essay struct{ QuestionRowID int64 }
			if err := ts.DB.NewSelect().TableExpr("attempt_answers").Column("question_row_id").
				Where("attempt_id = ?", attemptID).Scan(ctx, &essay); err != nil {
				t.Fatal(err)
			}
			grade := "/grading/" + strconv.FormatInt(attemptID, 10) + "/" + strconv.FormatInt(essay.QuestionRowID, 10)
			m.get(grade)
			if resp, body := m.post(grade, url.Values{"score": {"80"}, "comment": {"Good."}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("grade: %d %s", resp.StatusCode, body)
			}
			if !courseDone(t, ts, learner.Number, "six-cs") {
				t.Fatal("grading the essay did not complete six-cs")
			}

			// The quiz submit completes customer-world and so the programme.
			complete("customer-world", lessonsOf["customer-world"]...)
			before := time.Now().UTC().Add(-time.Second)
			if _, flash := takeQuiz("customer-world", false); !strings.Contains(flash, "Course complete") {
				t.Fatalf("the quiz did not complete customer-world: %q", flash)
			}
			if t.Failed() {
				return
			}

			// Every course is complete, the cycle too, with its certificates and readiness.
			for _, course := range ourCourses {
				if !courseDone(t, ts, learner.Number, course) {
					t.Errorf("%s is not complete", course)
				}
			}
			var cycle courses.Cycle
			if err := ts.DB.NewSelect().Model(&cycle).Join("JOIN programmes AS p ON p.id = cy.programme_id").
				Where("p.slug = 'finding-13' AND cy.employee_id = ?", learner.ID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if cycle.CompletedAt == nil {
				t.Fatalf("the programme cycle is not complete: %+v", cycle)
			}
			var certs []courses.Certificate
			if err := ts.DB.NewSelect().Model(&certs).Where("employee_id = ? AND programme_id = ?", learner.ID, cycle.ProgrammeID).
				Scan(ctx); err != nil {
				t.Fatal(err)
			}
			perCourse, programme := 0, 0
			for _, ce := range certs {
				if ce.CourseSlug != "" {
					perCourse++
				} else if ce.CycleID != nil && *ce.CycleID == cycle.ID && ce.Score != nil {
					programme++
				}
			}
			if perCourse != len(ourCourses) || programme != 1 {
				t.Fatalf("certificates: %d per course (want %d), %d of the programme with a score (want 1)", perCourse, len(ourCourses), programme)
			}
			var rd courses.ReadinessRow
			if err := ts.DB.NewSelect().Model(&rd).Where("employee_id = ?", learner.ID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if rd.UpdatedAt.Before(before) {
				t.Fatalf("readiness not decided by the completing submit: updated %v, submit at %v", rd.UpdatedAt, before)
			}
		})
	}
}
