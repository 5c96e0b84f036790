package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
)

// mustI16Questions saves five questions tagged "i16" on the six-cs bank: an
// ordering, a matching with long answers, a short answer accepted by
// patterns, an essay worth 3 points and a true/false (7 points in all).
func mustI16Questions(tb testing.TB, ts *testServer) {
	tb.Helper()
	ctx := context.Background()
	qs := assessments.NewStore(ts.DB)
	tag := []string{"i16"}
	for _, q := range []assessments.Question{
		{ID: "i16-order", Type: assessments.Ordering, Text: "Put the steps of a complaint in order.", Tags: tag, Options: []assessments.Option{
			{ID: "o1", Text: "Listen to the whole complaint without interrupting"}, {ID: "o2", Text: "Apologise for what went wrong"},
			{ID: "o3", Text: "Agree what you will do and by when"}, {ID: "o4", Text: "Follow up to check it was put right"}}},
		{ID: "i16-match", Type: assessments.Matching, Text: "Match each promise to what it means.", Tags: tag, Pairs: []assessments.Pair{
			{ID: "p1", Left: "Call-back", Right: "We call you back within four working hours, even when we have no news yet"},
			{ID: "p2", Left: "Visit", Right: "An engineer arrives within the two-hour window we agreed with you, or calls before it ends"},
			{ID: "p3", Left: "Refund", Right: "A refund reaches your account within five working days of our agreeing it"}}},
		{ID: "i16-short", Type: assessments.ShortAnswer, Text: "What do you do the day after a repair?", Tags: tag, Answers: []assessments.TextAnswer{
			{Text: "Check", Weight: 100}, {Text: "*check*", Weight: 100}, {Text: "*follow*up*", Weight: 100}}},
		{ID: "i16-essay", Type: assessments.Essay, Text: "Describe a complaint you put right.", Tags: tag, Points: 3},
		{ID: "i16-tf", Type: assessments.TrueFalse, Text: "A promise may be broken without telling the customer.", Tags: tag, Correct: false},
	} {
		if _, err := qs.SaveQuestion(ctx, "six-cs", q, nil); err != nil {
			tb.Fatalf("save %s: %v", q.ID, err)
		}
	}
}

// i16Quiz saves a quiz drawing the five i16 questions.
func i16Quiz(tb testing.TB, ts *testServer, slug string, passMark float64, limit int) string {
	tb.Helper()
	mustQuiz(tb, ts, assessments.QuizSettings{Slug: slug, Title: "Complaints " + slug, DrawCount: 5, DrawPerTag: map[string]int{"i16": 5},
		PassMark: passMark, AttemptLimit: limit, ReviewPolicy: assessments.ReviewAfterLast})
	return "/learn/six-cs/quiz/" + slug
}

// startAttempt starts c's attempt at the quiz and returns its address and page.
func startAttempt(t *testing.T, c *client, intro string) (string, *goquery.Document) {
	t.Helper()
	resp, _ := c.post(intro+"/start", nil)
	attempt := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(attempt, intro+"/attempt/") {
		t.Fatalf("start: %d %q", resp.StatusCode, attempt)
	}
	_, body := c.get(attempt)
	return attempt, doc(t, body)
}

func questionOf(d *goquery.Document, typ string) string {
	return d.Find(`fieldset.question[data-type="`+typ+`"]`).AttrOr("data-question", "")
}

func shownOrder(d *goquery.Document, qid string) []string {
	var out []string
	d.Find(`fieldset[data-question="` + qid + `"] li[data-item]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-item", ""))
	})
	return out
}

// TestQuizOrderingButtons: without JavaScript, each Up / Down button saves
// the whole order with the move (never a half-placed list); the first item's
// Up and the last item's Down are disabled, and a bad order is refused with
// a message next to the question.
func TestQuizOrderingButtons(t *testing.T) {
	ts := mustServer(t, "sqlite")
	mustI16Questions(t, ts)
	intro := i16Quiz(t, ts, "i16-order", 50, 3)
	c := ts.client(t)
	c.signIn(staffEmail)
	attempt, d := startAttempt(t, c, intro)
	qid := questionOf(d, "ordering")
	before := shownOrder(d, qid)
	if len(before) != 4 {
		t.Fatalf("ordering shows %d items", len(before))
	}
	items := d.Find(`fieldset[data-question="` + qid + `"] li[data-item]`)
	if _, ok := items.First().Find(`button[data-move="up"]`).Attr("disabled"); !ok {
		t.Error("the first item's Up button is not disabled")
	}
	if _, ok := items.Last().Find(`button[data-move="down"]`).Attr("disabled"); !ok {
		t.Error("the last item's Down button is not disabled")
	}
	if d.Find(`fieldset[data-question="`+qid+`"] select`).Length() != 0 {
		t.Error("the ordering still uses place dropdowns")
	}

	cases := []struct {
		name  string
		move  string
		send  bool // the form's order fields too, as the page sends them
		after func([]string) []string
		place string
	}{
		{"SecondUp", before[1] + ".up", true, func(o []string) []string { return []string{o[1], o[0], o[2], o[3]} }, "place 1"},
		{"FirstDownWithoutTheForm", "", false, nil, "place 2"},
		{"LastDown", "", true, nil, ""},
	}
	order := before
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			move := tc.move
			want := order
			switch tc.name {
			case "FirstDownWithoutTheForm":
				move = order[0] + ".down"
				want = []string{order[1], order[0], order[2], order[3]}
			case "LastDown":
				move = order[3] + ".down" // nothing to move: the order is saved as it is
			default:
				want = tc.after(order)
			}
			form := url.Values{"move": {qid + "." + move}}
			if tc.send {
				form["q"] = []string{qid}
				form["a"+qid+".order"] = order
			}
			resp, _ := c.post(attempt+"/save", form)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "#q-"+qid) && tc.place != "" {
				t.Fatalf("move: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			_, body := c.get(attempt)
			d := doc(t, body)
			if got := shownOrder(d, qid); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("order after the move %v, want %v", got, want)
			}
			if tc.place != "" && !strings.Contains(d.Find(".flash").Text(), tc.place) {
				t.Errorf("flash %q, want the new %s", d.Find(".flash").Text(), tc.place)
			}
			id, _ := strconv.ParseInt(attempt[strings.LastIndex(attempt, "/")+1:], 10, 64)
			emp, err := ts.People.FindEmployeeByNumber(context.Background(), staffNumber)
			if err != nil {
				t.Fatal(err)
			}
			v, err := assessments.NewStore(ts.DB).AttemptView(context.Background(), id, emp.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range v.Questions {
				if q.Type == assessments.Ordering && (q.Answer == nil || strings.Join(q.Answer.Order, ",") != strings.Join(want, ",")) {
					t.Errorf("saved answer %+v, want the full order %v", q.Answer, want)
				}
			}
			order = want
		})
	}

	// A list with an item twice is refused next to the question, nothing saved.
	resp, body := c.post(attempt+"/save", url.Values{"q": {qid}, "a" + qid + ".order": {order[0], order[0], order[2], order[3]}})
	d = doc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#err-"+qid).Text(), "exactly once") {
		t.Errorf("bad order: %d %q", resp.StatusCode, d.Find("#err-"+qid).Text())
	}
}

// TestQuizSummary: "Check and submit" saves the form and opens the summary:
// each question answered or not with a link back to it, and the Submit
// button; with the time limit passed the summary says so and still submits
// (late); another's summary is not found; after submission it goes to the result.
func TestQuizSummary(t *testing.T) {
	ts := mustServer(t, "sqlite")
	mustI16Questions(t, ts)
	intro := i16Quiz(t, ts, "i16-summary", 50, 3)
	c := ts.client(t)
	c.signIn(staffEmail)
	attempt, d := startAttempt(t, c, intro)
	if d.Find(`#quiz-to-summary[name="next"][value="summary"]`).Length() != 1 || d.Find(`#attempt-form [formaction$="/submit"]`).Length() != 0 {
		t.Fatal("the attempt page submits without the summary")
	}
	tf, essay := questionOf(d, "true_false"), questionOf(d, "essay")
	resp, _ := c.post(attempt+"/save", url.Values{"q": {tf, essay}, "a" + tf: {"false"}, "a" + essay: {"I called back."}, "next": {"summary"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != attempt+"/summary" {
		t.Fatalf("check and submit: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := c.get(attempt + "/summary")
	d = doc(t, body)
	if got := d.Find("#summary-count").Text(); !strings.Contains(got, "answered 2 of 5") || !strings.Contains(got, "3 not answered") {
		t.Errorf("count %q", got)
	}
	if d.Find("#quiz-summary li").Length() != 5 {
		t.Errorf("summary lists %d questions", d.Find("#quiz-summary li").Length())
	}
	for _, id := range []string{tf, essay} {
		if !strings.Contains(d.Find("#summary-"+id).Text(), "answered") || d.Find("#summary-"+id+".answered").Length() != 1 {
			t.Errorf("question %s not shown answered: %q", id, d.Find("#summary-"+id).Text())
		}
		if d.Find(`#summary-`+id+` a[href="`+attempt+`#q-`+id+`"]`).Length() != 1 {
			t.Errorf("no link back to question %s", id)
		}
	}
	if d.Find("#quiz-summary li.unanswered").Length() != 3 || !strings.Contains(d.Find("#quiz-summary li.unanswered").First().Text(), "not answered") {
		t.Error("the unanswered questions are not marked in words")
	}
	if d.Find(`form[action="`+attempt+`/submit"] #quiz-submit`).Length() != 1 {
		t.Error("no Submit button on the summary")
	}

	other := ts.client(t)
	other.signIn(ccMgrEmail)
	if resp, _ := other.get(attempt + "/summary"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another's summary: %d", resp.StatusCode)
	}

	// Past the deadline: the summary says time is up, offers no way back, and submits late.
	id := attempt[strings.LastIndex(attempt, "/")+1:]
	if _, err := ts.DB.NewUpdate().Model((*assessments.Attempt)(nil)).Set("deadline = ?", time.Now().UTC().Add(-time.Minute)).Where("id = ?", id).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body = c.get(attempt + "/summary")
	d = doc(t, body)
	if !strings.Contains(d.Find("#quiz-timer").Text(), "Time is up") || d.Find("#quiz-back").Length() != 0 {
		t.Errorf("summary after the deadline: %q", d.Find("main").Text())
	}
	if resp, _ := c.post(attempt+"/submit", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != attempt+"/result" {
		t.Fatalf("submit from the summary: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.get(attempt + "/summary"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != attempt+"/result" {
		t.Errorf("summary after submission: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestQuizHonestResult: while an essay waits for grading, the result says
// "not passed" (and why) when even full marks on it cannot reach the pass
// mark, that the pass mark is already reached when a grade can only add, and
// "decided after grading" only when the essay decides. The review shows
// accepted answers in words, never the key's patterns, and an ordering as a
// numbered list.
func TestQuizHonestResult(t *testing.T) {
	ts := mustServer(t, "sqlite")
	mustI16Questions(t, ts)
	for _, tc := range []struct {
		name     string
		passMark float64
		shortAns string // the short answer: "check it" is right
		badge    string
		says     string
	}{
		// 0 of 7 points, the essay worth 3: at best 42.86%.
		{"OutOfReach", 70, "no idea", "not passed", "would give 42.86%"},
		{"EssayDecides", 40, "no idea", "waiting for grading", "decided then"},
		// true/false and short answer right: 2 of 7 = 28.57% already.
		{"Assured", 25, "I check it the next day", "waiting for grading", "already reached the pass mark"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			intro := i16Quiz(t, ts, "i16-"+strings.ToLower(tc.name), tc.passMark, 1)
			c := ts.client(t)
			c.signIn(staffEmail)
			attempt, d := startAttempt(t, c, intro)
			tf, short, essay := questionOf(d, "true_false"), questionOf(d, "short_answer"), questionOf(d, "essay")
			tfAns := "true" // wrong
			if tc.name == "Assured" {
				tfAns = "false"
			}
			if resp, body := c.post(attempt+"/submit", url.Values{"q": {tf, short, essay}, "a" + tf: {tfAns}, "a" + short: {tc.shortAns},
				"a" + essay: {"I rang the customer back."}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit: %d %s", resp.StatusCode, body)
			}
			_, body := c.get(attempt + "/result")
			d = doc(t, body)
			outcome := d.Find("#quiz-outcome")
			if outcome.Find(".badge").Text() != tc.badge || !strings.Contains(outcome.Text(), tc.says) {
				t.Errorf("outcome %q, want %q and %q", outcome.Text(), tc.badge, tc.says)
			}
			_, body = c.get(intro)
			row := doc(t, body).Find("#quiz-attempts tbody tr").First().Find(".badge").First().Text()
			if want := map[bool]string{true: "not passed", false: "waiting for grading"}[tc.badge == "not passed"]; row != want {
				t.Errorf("the intro page says %q, want %q", row, want)
			}
			review := d.Find("#review").Text()
			for _, pattern := range []string{"*check*", "*follow*up*", "*"} {
				if strings.Contains(review, pattern) {
					t.Errorf("the review shows the pattern %q: %q", pattern, review)
				}
			}
			if !strings.Contains(review, "an answer containing “check”") || !strings.Contains(review, "an answer containing “follow”, then “up”") {
				t.Errorf("accepted answers not in words: %q", review)
			}
			if n := d.Find("#review dd.right ol.review-order li").Length(); n != 4 {
				t.Errorf("the right order is %d list items, want 4", n)
			}
			if d.Find("#review dd.right ol.review-order li").First().Text() != "Listen to the whole complaint without interrupting" {
				t.Errorf("right order starts %q", d.Find("#review dd.right ol.review-order li").First().Text())
			}
		})
	}
}
