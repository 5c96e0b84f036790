package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// A demo staff member with no learning history (every fifth active employee has none).
func freshLearner(t *testing.T, ts *testServer) (string, string) {
	t.Helper()
	ctx := context.Background()
	tr := true
	list, _, _ := ts.People.ListEmployees(ctx, people.EmployeeFilter{Active: &tr, OrderByNumber: true, Limit: 1000})
	for _, e := range list {
		var n int
		ts.DB.NewSelect().TableExpr("enrolments").ColumnExpr("COUNT(*)").Where("employee_id = ?", e.ID).Scan(ctx, &n)
		if n == 0 && e.Roles == "" && e.Number != "BW1000" {
			return e.Email, e.Number
		}
	}
	t.Fatal("no demo employee without learning history")
	return "", ""
}

func TestLearning(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			email, num := freshLearner(t, ts)
			c := ts.client(t)
			c.signIn(email)

			_, body := c.get("/learn")
			d := doc(t, body)
			if n := d.Find("#courses .course-card").Length(); n != 8 {
				t.Fatalf("My learning lists %d courses, want 8 (the built-in courses)", n)
			}
			card := d.Find(`.course-card[data-course="mission-vision-promise"]`)
			if card.Find("progress").AttrOr("value", "") != "0" || !strings.Contains(card.Text(), "not started") {
				t.Fatalf("mission card: %s", card.Text())
			}

			// A course with an unmet prerequisite is locked with a link to it.
			_, body = c.get("/learn/service-recovery")
			if !strings.Contains(doc(t, body).Find(".flash").Text(), "Finish these courses first") {
				t.Fatal("prerequisite not shown")
			}
			resp, _ := c.get("/learn/service-recovery/the-moment-it-goes-wrong")
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("locked lesson: %d", resp.StatusCode)
			}

			// The mission lesson shows the company's own text, sanitised.
			_, body = c.get("/learn/mission-vision-promise/our-mission-vision-and-values")
			d = doc(t, body)
			if !strings.Contains(d.Find(".lesson-body").Text(), "We keep homes warm") || strings.Contains(body, "{{company.") {
				t.Fatal("company mission not shown in the lesson")
			}
			_, body = c.get("/learn/mission-vision-promise/our-service-promises")
			if doc(t, body).Find(".lesson-body ol.company-list li").Length() != 5 {
				t.Fatal("the five demo promises are not listed")
			}
			if _, ok := doc(t, body).Find("#prev").Attr("href"); !ok {
				t.Fatal("no previous link")
			}

			// Mark complete moves on; resume goes to the first lesson not done.
			c.get("/learn/mission-vision-promise/from-the-top-to-the-front-line")
			resp, _ = c.post("/learn/mission-vision-promise/from-the-top-to-the-front-line/complete", nil)
			if loc := resp.Header.Get("Location"); loc != "/learn/mission-vision-promise/our-mission-vision-and-values" {
				t.Fatalf("after complete: %q", loc)
			}
			_, body = c.get("/learn")
			d = doc(t, body)
			card = d.Find(`.course-card[data-course="mission-vision-promise"]`)
			if href, _ := card.Find("a.resume").Attr("href"); href != "/learn/mission-vision-promise/our-mission-vision-and-values" {
				t.Fatalf("resume goes to %q", href)
			}
			if card.Find("progress").AttrOr("value", "") != "1" {
				t.Fatal("progress bar not updated")
			}

			// Reading every lesson leads to the acknowledgement; the course completes only after it.
			for _, l := range []string{"our-mission-vision-and-values", "our-service-promises", "when-a-promise-cannot-be-kept"} {
				c.get("/learn/mission-vision-promise/" + l)
				resp, _ = c.post("/learn/mission-vision-promise/"+l+"/complete", nil)
			}
			if loc := resp.Header.Get("Location"); loc != "/learn/mission-vision-promise/acknowledge" {
				t.Fatalf("after the last lesson: %q", loc)
			}

			// API: progress of this employee, seen by an HR token.
			tok, _, _ := ts.People.CreateToken(context.Background(), "t", people.RoleHR, "", nil)
			req, _ := http.NewRequest("GET", "http://localhost/api/v1/employees/"+url.PathEscape(num)+"/progress", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			r, _ := ts.App.Test(req, -1)
			var out struct {
				Courses []struct {
					Slug         string  `json:"slug"`
					LessonsDone  int     `json:"lessons_done"`
					LessonsTotal int     `json:"lessons_total"`
					CompletedAt  *string `json:"completed_at"`
				} `json:"courses"`
			}
			json.NewDecoder(r.Body).Decode(&out)
			found := false
			for _, cp := range out.Courses {
				if cp.Slug == "mission-vision-promise" {
					found = true
					if cp.LessonsDone != 4 || cp.LessonsTotal != 4 || cp.CompletedAt != nil {
						t.Fatalf("progress before acknowledgement: %+v", cp)
					}
				}
			}
			if !found || len(out.Courses) != 8 {
				t.Fatalf("progress: %+v", out)
			}
		})
	}
}

func TestKnowledgeBase(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(staffEmail)
	_, body := c.get("/search?q=" + url.QueryEscape("what is our call-back promise?"))
	d := doc(t, body)
	if !strings.Contains(d.Find("section[aria-labelledby=promises-h]").Text(), "4 working hours") {
		t.Fatal("the call-back promise is not found")
	}
	if d.Find("#hits li").Length() == 0 || d.Find("#hits mark").Length() == 0 {
		t.Fatal("no highlighted lesson hits")
	}
	_, body = c.get("/search?q=" + url.QueryEscape("<script>alert(1)</script>"))
	if strings.Contains(body, "<script>alert(1)") {
		t.Fatal("query reflected unescaped")
	}
}

func TestCoursesAPI(t *testing.T) {
	ts := mustServer(t, "sqlite")
	tok, _, _ := ts.People.CreateToken(context.Background(), "t", people.RoleStaff, staffNumber, nil)
	get := func(path string, v any) int {
		req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		r, _ := ts.App.Test(req, -1)
		json.NewDecoder(r.Body).Decode(v)
		return r.StatusCode
	}
	var list struct {
		Courses []struct {
			Slug             string   `json:"slug"`
			Title            string   `json:"title"`
			Version          int      `json:"version"`
			Tags             []string `json:"tags"`
			Modules          int      `json:"modules"`
			Lessons          int      `json:"lessons"`
			EstimatedMinutes int      `json:"estimated_minutes"`
		} `json:"courses"`
	}
	if st := get("/api/v1/courses", &list); st != 200 || len(list.Courses) != 8 {
		t.Fatalf("list: %d %+v", st, list)
	}
	for _, c := range list.Courses {
		if c.Modules < 2 || c.Lessons < 3 || c.Version < 1 || len(c.Tags) == 0 || c.EstimatedMinutes == 0 {
			t.Fatalf("course summary: %+v", c)
		}
	}
	var one struct {
		Slug    string `json:"slug"`
		Modules []struct {
			Title   string `json:"title"`
			Lessons []struct {
				Slug  string `json:"slug"`
				Title string `json:"title"`
			} `json:"lessons"`
		} `json:"modules"`
	}
	if st := get("/api/v1/courses/six-cs", &one); st != 200 || len(one.Modules) < 2 || one.Modules[0].Lessons[0].Slug == "" {
		t.Fatalf("show: %d %+v", st, one)
	}
	var e map[string]any
	if st := get("/api/v1/courses/nope", &e); st != 404 || e["error"] == "" {
		t.Fatalf("unknown course: %d %v", st, e)
	}
	if st := get("/api/v1/employees/BW1133/progress", &e); st != 404 {
		t.Fatalf("staff token reading someone else's progress: %d", st)
	}
	if st := get("/api/v1/employees/"+staffNumber+"/progress", &e); st != 200 {
		t.Fatalf("own progress: %d", st)
	}
}
