package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// courseDone reads completed_at of one course from the progress API.
func courseDone(t *testing.T, ts *testServer, number, slug string) bool {
	t.Helper()
	tok, _, err := ts.People.CreateToken(context.Background(), "progress", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://localhost/api/v1/employees/"+url.PathEscape(number)+"/progress", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	r, err := ts.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var out struct {
		Courses []struct {
			Slug        string  `json:"slug"`
			CompletedAt *string `json:"completed_at"`
		} `json:"courses"`
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, c := range out.Courses {
		if c.Slug == slug {
			return c.CompletedAt != nil
		}
	}
	t.Fatalf("no progress in %s", slug)
	return false
}

// A built-in course is complete only when every lesson is read and every
// assessment its course.yaml lists is passed: the mission course after its
// quiz (and the promises), the internal-customer course after its quiz and a
// passed role-play observed by the learner's manager.
func TestCourseCompletesWithItsAssessments(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			// A learner with no history, whose manager observes them.
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
			// Any score passes, so the test need not know the answers.
			quizzes := assessments.NewStore(ts.DB)
			for _, slug := range []string{"mission-vision-promise-quiz", "internal-customer-quiz"} {
				q, err := quizzes.FindQuiz(ctx, slug)
				if err != nil {
					t.Fatal(err)
				}
				q.PassMark = 0
				if _, err := quizzes.SaveQuiz(ctx, q.QuizSettings); err != nil {
					t.Fatal(err)
				}
			}
			c := ts.client(t)
			c.signIn(learner.Email)
			readAll := func(course string, lessons ...string) string {
				t.Helper()
				var flash string
				for _, l := range lessons {
					c.get("/learn/" + course + "/" + l)
					resp, _ := c.post("/learn/"+course+"/"+l+"/complete", nil)
					if resp.StatusCode != http.StatusSeeOther {
						t.Fatalf("complete %s: %d", l, resp.StatusCode)
					}
					loc := resp.Header.Get("Location")
					_, body := c.get(loc)
					flash = doc(t, body).Find(".flash").Text()
				}
				return flash
			}
			takeQuiz := func(course, quiz string) string {
				t.Helper()
				intro := "/learn/" + course + "/quiz/" + quiz
				c.get(intro)
				resp, _ := c.post(intro+"/start", nil)
				attempt := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(attempt, intro+"/attempt/") {
					t.Fatalf("start %s: %d %q", quiz, resp.StatusCode, attempt)
				}
				c.get(attempt)
				resp, _ = c.post(attempt+"/submit", nil)
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("submit %s: %d", quiz, resp.StatusCode)
				}
				_, body := c.get(resp.Header.Get("Location"))
				return doc(t, body).Find(".flash").Text()
			}

			// Mission course: lessons and promises, then the quiz.
			readAll("mission-vision-promise", "from-the-top-to-the-front-line", "our-mission-vision-and-values",
				"our-service-promises", "when-a-promise-cannot-be-kept")
			_, body := c.get("/learn/mission-vision-promise/acknowledge")
			form := url.Values{}
			doc(t, body).Find(`main form input[name^="promise"], main form input[name^="version_"]`).Each(func(_ int, s *goquery.Selection) {
				form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
			})
			if resp, _ := c.post("/learn/mission-vision-promise/acknowledge", form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("acknowledge: %d", resp.StatusCode)
			}
			if courseDone(t, ts, learner.Number, "mission-vision-promise") {
				t.Fatal("the mission course completed before its quiz was passed")
			}
			_, body = c.get("/learn/mission-vision-promise")
			if item := doc(t, body).Find(`#quizzes .quiz-item:contains("Check your understanding")`); item.Find(".badge-role").Text() != "required" {
				t.Fatalf("the course page does not mark the quiz required: %q", item.Text())
			}
			if flash := takeQuiz("mission-vision-promise", "mission-vision-promise-quiz"); !strings.Contains(flash, "Course complete") {
				t.Fatalf("passing the quiz: flash %q", flash)
			}
			if !courseDone(t, ts, learner.Number, "mission-vision-promise") {
				t.Fatal("the mission course is not complete after lessons, promises and quiz")
			}

			// Internal customer: lessons, then what is still to pass is named.
			flash := readAll("internal-customer", "who-is-your-internal-customer", "serving-colleagues-well",
				"asking-another-team-for-help", "fixing-problems-together")
			if !strings.Contains(flash, "Check your understanding") || !strings.Contains(flash, "role-play") {
				t.Fatalf("after the last lesson the flash does not name the quiz and role-play: %q", flash)
			}
			takeQuiz("internal-customer", "internal-customer-quiz")
			if courseDone(t, ts, learner.Number, "internal-customer") {
				t.Fatal("complete before the role-play was passed")
			}
			_, body = c.get("/learn/internal-customer")
			rp := doc(t, body).Find(`#roleplays .quiz-item`)
			if rp.Length() != 1 || !strings.Contains(rp.Text(), "required") || !strings.Contains(rp.Text(), "not observed yet") {
				t.Fatalf("course page role-plays: %q", rp.Text())
			}

			// The manager observes: a failed critical item keeps it open; a pass completes it.
			const slug = "wrong-department-handover"
			stored, err := assessments.NewObservationStore(ts.DB).FindChecklist(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			var critical string
			for _, it := range stored.Checklist.Items {
				if it.Critical {
					critical = it.ID
					break
				}
			}
			m := ts.client(t)
			m.signIn(manager.Email)
			observe := func(overrides map[string]assessments.Rating) {
				t.Helper()
				page := "/people/" + url.PathEscape(learner.Number) + "/observe"
				m.get(page)
				resp, _ := m.post(page+"/"+slug, nil)
				obs := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(obs, "/observations/") {
					t.Fatalf("start observation: %d %q", resp.StatusCode, obs)
				}
				m.get(obs)
				if resp, _ := m.post(obs+"/signoff", ratingsForm(&stored.Checklist, overrides)); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("sign off: %d", resp.StatusCode)
				}
			}
			observe(map[string]assessments.Rating{critical: assessments.Partly})
			if courseDone(t, ts, learner.Number, "internal-customer") {
				t.Fatal("complete after a failed role-play")
			}
			_, body = c.get("/learn/internal-customer")
			if rp := doc(t, body).Find(`#roleplays .quiz-item`).Text(); !strings.Contains(rp, "not passed yet") || !strings.Contains(rp, "observed again by") {
				t.Fatalf("course page after a failed role-play: %q", rp)
			}
			observe(nil)
			if !courseDone(t, ts, learner.Number, "internal-customer") {
				t.Fatal("not complete after lessons, quiz and a passed role-play")
			}
		})
	}
}
