package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/store/storetest"
)

// reactionCount is the number of reaction rows of the course.
func reactionCount(t *testing.T, ts *testServer, slug string) int {
	t.Helper()
	n, err := ts.DB.NewSelect().TableExpr("course_reactions").
		Where("course_id = (SELECT id FROM courses WHERE slug = ?)", slug).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestReactionSurvey: a learner who completed a course is offered the
// survey on the course page; bad answers come back with a message by field
// and what was typed; a good answer is saved once (answering again replaces
// it) and HR reads the figures and comments (escaped, no names) on the
// course's authoring page; someone who has not completed the course is
// refused; a dismissal hides the offer.
func TestReactionSurvey(t *testing.T) {
	const course = "mission-vision-promise"
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			staff := ts.client(t)
			staff.signIn(staffEmail) // completed the mission course in the demo

			_, body := staff.get("/learn/" + course)
			d := doc(t, body)
			if d.Find("#reaction-offer").Length() != 1 || d.Find(`#reaction-offer a[href="/learn/`+course+`/reaction"]`).Length() != 1 {
				t.Fatalf("the course page offers no reaction survey to a learner who completed it:\n%s", d.Find("main").Text())
			}
			// The quiz result that completed the course offers it too.
			var attempt struct {
				ID   int64
				Slug string
			}
			if err := ts.DB.NewSelect().TableExpr("attempts AS a").ColumnExpr("a.id, q.slug").
				Join("JOIN quizzes AS q ON q.id = a.quiz_id").Join("JOIN employees AS e ON e.id = a.employee_id").
				Where("e.email = ? AND q.course_slug = ? AND a.submitted_at IS NOT NULL", staffEmail, course).
				OrderExpr("a.id DESC").Limit(1).Scan(context.Background(), &attempt); err != nil {
				t.Fatalf("the demo learner's quiz attempt: %v", err)
			}
			_, body = staff.get(fmt.Sprintf("/learn/%s/quiz/%s/attempt/%d/result", course, attempt.Slug, attempt.ID))
			if doc(t, body).Find("#reaction-offer").Length() != 1 {
				t.Error("the quiz result of a completed course does not offer the survey")
			}
			_, body = staff.get("/learn/" + course + "/reaction")
			d = doc(t, body)
			if n := d.Find(`input[type=radio][name=relevance]`).Length(); n != 5 {
				t.Errorf("relevance has %d choices, want 5", n)
			}
			if n := d.Find(`input[type=radio][name=recommend]`).Length(); n != 11 {
				t.Errorf("recommend has %d choices, want 11", n)
			}

			// Bad input: 422, a message by field, what was typed kept, nothing written.
			for _, tc := range []struct {
				name   string
				form   url.Values
				fields []string
			}{
				{"Missing", url.Values{}, []string{"relevance", "confidence", "recommend"}},
				{"OutOfRange", url.Values{"relevance": {"6"}, "confidence": {"0"}, "recommend": {"11"}}, []string{"relevance", "confidence", "recommend"}},
				{"NotANumber", url.Values{"relevance": {"4"}, "confidence": {"x"}, "recommend": {"9"}, "comment": {"Kept <i>as typed</i>"}}, []string{"confidence"}},
				{"CommentTooLong", url.Values{"relevance": {"4"}, "confidence": {"3"}, "recommend": {"9"}, "comment": {strings.Repeat("a", 2001)}}, []string{"comment"}},
				{"CommentControl", url.Values{"relevance": {"4"}, "confidence": {"3"}, "recommend": {"9"}, "comment": {"bell\x07"}}, []string{"comment"}},
			} {
				resp, body := staff.post("/learn/"+course+"/reaction", tc.form)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("%s: status %d, want 422", tc.name, resp.StatusCode)
				}
				d := doc(t, body)
				for _, f := range tc.fields {
					if strings.TrimSpace(d.Find("#e-"+f).Text()) == "" {
						t.Errorf("%s: no message next to %s", tc.name, f)
					}
				}
				if n := d.Find(".field-error").Length(); n != len(tc.fields) {
					t.Errorf("%s: %d field messages, want %d", tc.name, n, len(tc.fields))
				}
				for _, q := range []string{"relevance", "confidence", "recommend"} {
					if v := tc.form.Get(q); v != "" && len(tc.fields) < 3 {
						checked := d.Find(`input[name=`+q+`][checked]`).AttrOr("value", "")
						if tc.name != "NotANumber" || q != "confidence" {
							if checked != v {
								t.Errorf("%s: %s shows %q checked, typed %q", tc.name, q, checked, v)
							}
						}
					}
				}
				if c := tc.form.Get("comment"); c != "" && d.Find("#f-comment").Text() != c {
					t.Errorf("%s: the comment was not kept as typed", tc.name)
				}
			}
			if n := reactionCount(t, ts, course); n != 0 {
				t.Fatalf("%d reactions written by refused answers", n)
			}

			// A good answer, then a changed one: one row, the later answer.
			form := url.Values{"relevance": {"4"}, "confidence": {"3"}, "recommend": {"6"}, "comment": {"Good, but <script>alert(1)</script> too long."}}
			if resp, _ := staff.post("/learn/"+course+"/reaction", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/learn/"+course {
				t.Fatalf("answer: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			form.Set("recommend", "9")
			if resp, _ := staff.post("/learn/"+course+"/reaction", form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("answer again: %d", resp.StatusCode)
			}
			if n := reactionCount(t, ts, course); n != 1 {
				t.Fatalf("%d reactions after answering twice, want 1", n)
			}
			_, body = staff.get("/learn/" + course)
			d = doc(t, body)
			if d.Find("#reaction-offer").Length() != 0 || d.Find("#reaction-given").Length() != 1 {
				t.Error("the course page still offers the survey after it was answered")
			}
			_, body = staff.get("/learn/" + course + "/reaction")
			d = doc(t, body)
			if d.Find(`input[name=recommend][checked]`).AttrOr("value", "") != "9" || d.Find("#answered-before").Length() != 1 {
				t.Error("the form does not show the answer given")
			}

			// Another learner dismisses the offer: it is gone, and not counted.
			mgr := ts.client(t)
			mgr.signIn(ccMgrEmail)
			mgr.get("/learn/" + course)
			if resp, _ := mgr.post("/learn/"+course+"/reaction", url.Values{"dismiss": {"1"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("dismiss: %d", resp.StatusCode)
			}
			_, body = mgr.get("/learn/" + course)
			if doc(t, body).Find("#reaction-offer").Length() != 0 {
				t.Error("the offer is still shown after it was dismissed")
			}
			// The manager sees no results: the authoring page is HR's.
			if resp, _ := mgr.get("/authoring/" + course); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a manager opens the course's results: %d", resp.StatusCode)
			}

			// Not completed: refused with a clear message.
			resp, body := staff.get("/learn/six-cs/reaction")
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "finish the course first") {
				t.Errorf("survey of a course not completed: %d", resp.StatusCode)
			}
			if _, body := staff.get("/learn/six-cs"); doc(t, body).Find("#reaction-offer").Length() != 0 {
				t.Error("a course not completed offers the survey")
			}

			// HR: the figures, the chart with its numbers, the comment escaped.
			hr := ts.client(t)
			hr.signIn(hrEmail)
			resp, body = hr.get("/authoring/" + course)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("authoring page: %d", resp.StatusCode)
			}
			d = doc(t, body)
			row := d.Find("#reaction-figures tbody tr")
			if row.Length() != 1 {
				t.Fatalf("%d version rows, want 1", row.Length())
			}
			cells := row.Find("td").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
			want := []string{"1", "4.0", "3.0", "9.0", "1 · 0 · 0", "+100", "1"}
			if strings.Join(cells, "|") != strings.Join(want, "|") {
				t.Errorf("figures %q, want %q", cells, want)
			}
			if d.Find(".reaction-version svg.stacked-bar").Length() != 1 {
				t.Error("no chart of the recommend groups")
			}
			if got := d.Find(".reaction-comments blockquote").Text(); got != form.Get("comment") {
				t.Errorf("comment %q", got)
			}
			if strings.Contains(body, "<script>alert(1)") {
				t.Error("the comment is not escaped")
			}
			if strings.Contains(d.Find("#reactions").Text(), "Aisha") {
				t.Error("the results name the learner")
			}
		})
	}
}
