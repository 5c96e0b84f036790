package app_test

import (
	"path"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/store/storetest"
)

// lessonMarks reads a course page's lesson list: lesson slug → shown as done.
func lessonMarks(t *testing.T, body string) map[string]bool {
	t.Helper()
	marks := map[string]bool{}
	doc(t, body).Find("ol.lesson-list li").Each(func(_ int, li *goquery.Selection) {
		href, ok := li.Find("a").Attr("href")
		if !ok {
			t.Fatalf("lesson without a link: %q", li.Text())
		}
		marks[path.Base(href)] = li.Find(".badge-ok").Length() > 0
	})
	return marks
}

// TestFinding19CourseDoneMarks: the course page marks as done exactly the
// lessons the learner has completed; My learning and the lesson page agree.
func TestFinding19CourseDoneMarks(t *testing.T) {
	const course = "mission-vision-promise"
	lessons := []string{"from-the-top-to-the-front-line", "our-mission-vision-and-values", "our-service-promises", "when-a-promise-cannot-be-kept"}
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			email, _ := freshLearner(t, ts)
			c := ts.client(t)
			c.signIn(email)

			check := func(when string, want map[string]bool) {
				t.Helper()
				_, body := c.get("/learn/" + course)
				got := lessonMarks(t, body)
				if len(got) != len(lessons) {
					t.Fatalf("%s: the course page lists %d lessons, want %d", when, len(got), len(lessons))
				}
				for _, l := range lessons {
					if got[l] != want[l] {
						t.Errorf("%s: lesson %s shown done=%v, want %v", when, l, got[l], want[l])
					}
				}
			}
			check("before any lesson", map[string]bool{})

			// Lessons 1 and 3 done, 2 and 4 not.
			for _, l := range []string{lessons[0], lessons[2]} {
				c.get("/learn/" + course + "/" + l)
				if resp, _ := c.post("/learn/"+course+"/"+l+"/complete", nil); resp.StatusCode != 303 {
					t.Fatalf("complete %s: %d", l, resp.StatusCode)
				}
			}
			want := map[string]bool{lessons[0]: true, lessons[2]: true}
			check("after lessons 1 and 3", want)

			// The lesson page says done only on a lesson that is done.
			for _, l := range lessons {
				_, body := c.get("/learn/" + course + "/" + l)
				d := doc(t, body)
				if got := d.Find(".lesson-done").Length() == 1; got != want[l] {
					t.Errorf("lesson page %s: done mark %v, want %v", l, got, want[l])
				}
				if label := strings.TrimSpace(d.Find("button#complete").Text()); (label == "Continue") != want[l] {
					t.Errorf("lesson page %s: button %q", l, label)
				}
				if n := d.Find(".pager .badge-ok").Length(); n != 0 {
					t.Errorf("lesson page %s: %d done marks in the previous/next links", l, n)
				}
			}

			// My learning: the course is in progress (2 of 4), not done in any programme.
			_, body := c.get("/learn")
			d := doc(t, body)
			card := d.Find(`.course-card[data-course="` + course + `"]`)
			if v := card.Find("progress").AttrOr("value", ""); v != "2" || !strings.Contains(card.Text(), "2 of 4 lessons") || !strings.Contains(card.Text(), "in progress") {
				t.Errorf("My learning card: progress %q, %q", v, strings.Join(strings.Fields(card.Text()), " "))
			}
			marked := d.Find(`.programme-courses li[data-course]`)
			if marked.Length() == 0 {
				t.Fatal("the fresh learner has no assigned programme on My learning (the demo assigns the induction to everyone)")
			}
			if n := d.Find(`.programme-courses li.done, .programme-courses .badge-ok`).Length(); n != 0 {
				t.Errorf("My learning marks %d programme courses done; none is complete", n)
			}
		})
	}
}
