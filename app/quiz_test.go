package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store/storetest"
)

// mustQuiz saves a quiz on the six-cs bank for a test.
func mustQuiz(tb testing.TB, ts *testServer, q assessments.QuizSettings) *assessments.Quiz {
	tb.Helper()
	if q.CourseSlug == "" {
		q.CourseSlug = "six-cs"
	}
	quiz, err := assessments.NewStore(ts.DB).SaveQuiz(context.Background(), q)
	if err != nil {
		tb.Fatalf("save quiz: %v", err)
	}
	return quiz
}

// postJSON sends a JSON body with the CSRF header, as the page's script does.
func (c *client) postJSON(path string, body any) (*http.Response, string) {
	c.tb.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", "http://localhost"+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	resp, err := c.ts.App.Test(req, -1)
	if err != nil {
		c.tb.Fatalf("POST %s: %v", path, err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(out)
}

// pageAnswer is a valid answer to one question of an attempt page, read
// from its controls: the first option, "true", the text "42", the first
// match of each item, the items in the order shown.
func pageAnswer(fs *goquery.Selection) (int64, assessments.Response) {
	id, _ := strconv.ParseInt(fs.AttrOr("data-question", ""), 10, 64)
	key := "a" + fs.AttrOr("data-question", "")
	var r assessments.Response
	first := func(sel string) string {
		v := ""
		fs.Find(sel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			v = s.AttrOr("value", "")
			return v == ""
		})
		return v
	}
	switch fs.AttrOr("data-type", "") {
	case "single_choice":
		r.Choice = first(`input[name="` + key + `"]`)
	case "missing_word":
		r.Choice = first(`select[name="` + key + `"] option`)
	case "true_false":
		r.Choice = "true"
	case "multiple_response":
		r.Choices = []string{first(`input[name="` + key + `"]`)}
	case "matching":
		r.Matches = map[string]string{}
		fs.Find("fieldset.match").Each(func(_ int, s *goquery.Selection) {
			left := s.AttrOr("data-left", "")
			r.Matches[left] = first(`input[type=radio][name="` + key + "." + left + `"]`)
		})
	case "ordering":
		fs.Find("li[data-item]").Each(func(_ int, s *goquery.Selection) { r.Order = append(r.Order, s.AttrOr("data-item", "")) })
	default:
		r.Text = "42"
	}
	return id, r
}

func questionIDs(d *goquery.Document) []string {
	var ids []string
	d.Find("fieldset.question").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-question", "")) })
	return ids
}

// secrets lists what a question's page must not show before submission:
// feedback, accepted short answers and numbers.
func secrets(q assessments.Question) []string {
	out := []string{q.GeneralFeedback, q.TrueFeedback, q.FalseFeedback}
	for _, o := range q.Options {
		out = append(out, o.Feedback)
	}
	for _, a := range q.Answers {
		out = append(out, a.Feedback)
	}
	for _, n := range q.Numbers {
		out = append(out, n.Feedback)
	}
	return out
}

func TestQuizFlow(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			bank, err := assessments.NewStore(ts.DB).ListQuestions(ctx, "six-cs")
			if err != nil {
				t.Fatal(err)
			}
			quiz := mustQuiz(t, ts, assessments.QuizSettings{Slug: "six-cs-test", Title: "Six Cs test", DrawCount: len(bank),
				ShuffleQuestions: true, ShuffleOptions: true, PassMark: 60, AttemptLimit: 2, TimeLimitMinutes: 30,
				ReviewPolicy:  assessments.ReviewAfterLast,
				FeedbackBands: []assessments.FeedbackBand{{Min: 0, Text: "Read the course again."}, {Min: 60, Text: "Good work."}}})
			c := ts.client(t)
			c.signIn(staffEmail)
			introURL := "/learn/six-cs/quiz/six-cs-test"

			// The course page lists the quizzes with a Start link.
			_, body := c.get("/learn/six-cs")
			item := doc(t, body).Find(`#quizzes .quiz-item:contains("Six Cs test")`)
			if item.Length() != 1 || item.Find(`a.button[href="`+introURL+`"]`).Text() != "Start" {
				t.Fatalf("course page quizzes: %q", doc(t, body).Find("#quizzes").Text())
			}

			// The intro says the rules in words.
			_, body = c.get(introURL)
			rules := doc(t, body).Find("#quiz-rules").Text()
			for _, want := range []string{strconv.Itoa(len(bank)) + " questions", "at least 60%", "30 minutes", "2 attempts allowed; 2 attempts left", "After your last attempt"} {
				if !strings.Contains(rules, want) {
					t.Errorf("rules %q lack %q", rules, want)
				}
			}

			// Start: the attempt page lists the drawn questions.
			resp, _ := c.post(introURL+"/start", nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, introURL+"/attempt/") {
				t.Fatalf("start: %d %q", resp.StatusCode, loc)
			}
			attempt := loc
			_, body = c.get(attempt)
			d := doc(t, body)
			ids := questionIDs(d)
			if len(ids) != len(bank) {
				t.Fatalf("attempt page shows %d questions, want %d", len(ids), len(bank))
			}
			if d.Find("#quiz-timer[data-remaining]").Length() != 1 || d.Find("#quiz-timer time[datetime]").Length() != 1 {
				t.Error("no countdown with the deadline")
			}
			if n := d.Find("fieldset.question input:not([type=hidden]), fieldset.question select, fieldset.question textarea").FilterFunction(func(_ int, s *goquery.Selection) bool {
				id := s.AttrOr("id", "")
				return id == "" || (d.Find(`label[for="`+id+`"]`).Length() == 0 && s.AttrOr("aria-label", "") == "")
			}).Length(); n > 0 {
				t.Errorf("%d controls without a label", n)
			}
			// Nothing reveals the answers: no feedback, accepted answers, weights or authored ids.
			text := d.Find("main").Text()
			for _, bq := range bank {
				for _, s := range secrets(bq.Question) {
					if len(s) > 3 && strings.Contains(text, s) {
						t.Errorf("the attempt page shows %q of question %s", s, bq.Question.ID)
					}
				}
				if own := d.Find(`fieldset[data-question="` + strconv.FormatInt(bq.ID, 10) + `"]`); own.Length() == 1 {
					html, _ := own.Html()
					for _, a := range bq.Question.Answers {
						if strings.Contains(html, a.Text) || strings.Contains(own.Text(), a.Text) {
							t.Errorf("the attempt page shows the accepted answer %q", a.Text)
						}
					}
				}
				if strings.Contains(bq.Question.ID, "-") && strings.Contains(body, bq.Question.ID) {
					t.Errorf("the attempt page shows the authored id %q", bq.Question.ID)
				}
			}
			for _, leak := range []string{"weight", "correct", "feedback"} {
				if strings.Contains(strings.ToLower(body), leak) {
					t.Errorf("the attempt page mentions %q", leak)
				}
			}

			// Save every answer (JSON), one by the form fields as the script sends them.
			answers := map[int64]assessments.Response{}
			d.Find("fieldset.question").Each(func(i int, fs *goquery.Selection) {
				id, r := pageAnswer(fs)
				answers[id] = r
				if i == 0 && fs.AttrOr("data-type", "") != "matching" && fs.AttrOr("data-type", "") != "ordering" {
					form := url.Values{"question": {strconv.FormatInt(id, 10)}}
					switch {
					case r.Choice != "":
						form.Set("a"+strconv.FormatInt(id, 10), r.Choice)
					case r.Text != "":
						form.Set("a"+strconv.FormatInt(id, 10), r.Text)
					default:
						form["a"+strconv.FormatInt(id, 10)] = r.Choices
					}
					if resp, body := c.post(attempt+"/answer", form); resp.StatusCode != http.StatusNoContent {
						t.Fatalf("form answer: %d %s", resp.StatusCode, body)
					}
					return
				}
				if resp, body := c.postJSON(attempt+"/answer", map[string]any{"question": id, "response": r}); resp.StatusCode != http.StatusNoContent {
					t.Fatalf("answer %d (%s): %d %s", id, fs.AttrOr("data-type", ""), resp.StatusCode, body)
				}
			})

			// Bad answers are 4xx JSON with a message and the field.
			firstID, _ := strconv.ParseInt(ids[0], 10, 64)
			var choiceID int64
			d.Find(`fieldset[data-type="single_choice"]`).First().Each(func(_ int, s *goquery.Selection) {
				choiceID, _ = strconv.ParseInt(s.AttrOr("data-question", ""), 10, 64)
			})
			bad := []struct {
				name string
				body any
				want int
			}{
				{"QuestionNotInAttempt", map[string]any{"question": 999999, "response": map[string]any{"choice": "1"}}, 422},
				{"OptionNotInQuestion", map[string]any{"question": choiceID, "response": map[string]any{"choice": "99"}}, 422},
				{"NotJSON", "{", 422},
			}
			for _, b := range bad {
				resp, body := c.postJSON(attempt+"/answer", b.body)
				var e struct{ Error, Field string }
				if resp.StatusCode != b.want || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
					t.Errorf("%s: %d %s", b.name, resp.StatusCode, body)
				}
				if b.name == "OptionNotInQuestion" && e.Field != "a"+strconv.FormatInt(choiceID, 10) {
					t.Errorf("%s: field %q", b.name, e.Field)
				}
			}
			if resp, _ := c.post(attempt+"/answer", url.Values{"question": {ids[0]}, "a" + ids[0] + ".1": {"x"}, "a" + ids[0]: {"77"}}); resp.StatusCode/100 != 4 && firstID > 0 {
				// A choice of 77 is refused; a text answer of 77 is fine.
				if t0 := d.Find("fieldset.question").First().AttrOr("data-type", ""); t0 != "short_answer" && t0 != "numeric" && t0 != "essay" {
					t.Errorf("form answer with option 77: %d", resp.StatusCode)
				}
			}
			// Put the first answer back (the check above may have changed a text answer).
			c.postJSON(attempt+"/answer", map[string]any{"question": firstID, "response": answers[firstID]})

			// Reload: the same questions in the same order, with the answers.
			_, body = c.get(attempt)
			d = doc(t, body)
			if got := questionIDs(d); strings.Join(got, ",") != strings.Join(ids, ",") {
				t.Fatalf("reload order %v, want %v", got, ids)
			}
			d.Find("fieldset.question").Each(func(_ int, fs *goquery.Selection) {
				id, _ := strconv.ParseInt(fs.AttrOr("data-question", ""), 10, 64)
				r, key := answers[id], "a"+fs.AttrOr("data-question", "")
				var ok bool
				switch fs.AttrOr("data-type", "") {
				case "single_choice", "true_false":
					ok = fs.Find(`input[name="`+key+`"][checked]`).AttrOr("value", "") == r.Choice
				case "multiple_response":
					ok = fs.Find(`input[name="`+key+`"][checked]`).AttrOr("value", "") == r.Choices[0]
				case "missing_word":
					ok = fs.Find(`option[selected]`).AttrOr("value", "") == r.Choice
				case "matching":
					ok = fs.Find(`input[type=radio][checked]`).Length() == len(r.Matches)
					for left, right := range r.Matches {
						ok = ok && fs.Find(`input[name="`+key+"."+left+`"][checked]`).AttrOr("value", "") == right
					}
				case "ordering":
					var shown []string
					fs.Find(`input[name="` + key + `.order"]`).Each(func(_ int, s *goquery.Selection) { shown = append(shown, s.AttrOr("value", "")) })
					ok = strings.Join(shown, ",") == strings.Join(r.Order, ",")
				case "essay":
					ok = fs.Find("textarea").Text() == r.Text
				default:
					ok = fs.Find(`input[name="`+key+`"]`).AttrOr("value", "") == r.Text
				}
				if !ok {
					t.Errorf("question %d (%s): saved answer not shown after reload", id, fs.AttrOr("data-type", ""))
				}
			})

			// Without JavaScript: Save answers posts the whole form.
			form := url.Values{}
			d.Find("#attempt-form input, #attempt-form select, #attempt-form textarea").Each(func(_ int, s *goquery.Selection) {
				name := s.AttrOr("name", "")
				switch {
				case name == "":
				case goquery.NodeName(s) == "select":
					if v, ok := s.Find("option[selected]").Attr("value"); ok {
						form.Add(name, v)
					}
				case goquery.NodeName(s) == "textarea":
					form.Add(name, s.Text())
				case s.AttrOr("type", "") == "radio" || s.AttrOr("type", "") == "checkbox":
					if _, ok := s.Attr("checked"); ok {
						form.Add(name, s.AttrOr("value", ""))
					}
				default:
					form.Add(name, s.AttrOr("value", ""))
				}
			})
			if resp, body := c.post(attempt+"/save", form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("save answers: %d %s", resp.StatusCode, body)
			}
			_, body = c.get(attempt)
			if !strings.Contains(doc(t, body).Find(".flash").Text(), "saved") {
				t.Error("no confirmation after Save answers")
			}

			// Someone else's attempt is not found.
			other := ts.client(t)
			other.signIn(ccMgrEmail)
			if resp, _ := other.get(attempt); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another's attempt page: %d", resp.StatusCode)
			}
			if resp, _ := other.postJSON(attempt+"/answer", map[string]any{"question": firstID, "response": answers[firstID]}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("answer to another's attempt: %d", resp.StatusCode)
			}
			if resp, _ := other.post(attempt+"/submit", nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("submit another's attempt: %d", resp.StatusCode)
			}

			// Submit twice at once: scored once, both go to the result.
			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, _ := c.post(attempt+"/submit", url.Values{"_csrf": {c.csrf}})
					codes[i] = resp.StatusCode
				}()
			}
			wg.Wait()
			var at assessments.Attempt
			id, _ := strconv.ParseInt(attempt[strings.LastIndex(attempt, "/")+1:], 10, 64)
			if err := ts.DB.NewSelect().Model(&at).Where("id = ?", id).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			submitted := *at.SubmittedAt
			resp, _ = c.post(attempt+"/submit", nil)
			if codes[0] != 303 || codes[1] != 303 || resp.StatusCode != 303 || resp.Header.Get("Location") != attempt+"/result" {
				t.Fatalf("submits: %v then %d %q", codes, resp.StatusCode, resp.Header.Get("Location"))
			}
			ts.DB.NewSelect().Model(&at).Where("id = ?", id).Scan(ctx)
			if !at.SubmittedAt.Equal(submitted) || at.Percent == nil {
				t.Errorf("submitted again: %v then %v", submitted, at.SubmittedAt)
			}
			if resp, _ := c.get(attempt); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("the attempt page after submission: %d, want a redirect to the result", resp.StatusCode)
			}
			if resp, _ := c.postJSON(attempt+"/answer", map[string]any{"question": firstID, "response": answers[firstID]}); resp.StatusCode != http.StatusConflict {
				t.Errorf("answer after submission: %d", resp.StatusCode)
			}

			// The result: score, outcome, no review before the last attempt.
			_, body = c.get(attempt + "/result")
			d = doc(t, body)
			if got, want := d.Find("#score-percent").Text(), strconv.FormatFloat(*at.Percent, 'f', -1, 64)+"%"; got != want {
				t.Errorf("score %q, want %q", got, want)
			}
			if d.Find("#quiz-outcome .badge").Length() != 1 || d.Find("#quiz-late").Length() != 0 {
				t.Errorf("outcome: %q", d.Find("#quiz-score").Text())
			}
			if d.Find("#band-feedback").Text() == "" && at.PendingGrading == 0 {
				t.Error("no band feedback")
			}
			if !strings.Contains(d.Find("#review-policy").Text(), "after your last attempt") || d.Find("#review").Length() != 0 {
				t.Errorf("review before the last attempt: %q", d.Find("#review-policy").Text())
			}
			if resp, _ := other.get(attempt + "/result"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another's result: %d", resp.StatusCode)
			}

			// The second (last) attempt runs out of time: a save is refused, the submit is late.
			resp, _ = c.post(introURL+"/start", nil)
			second := resp.Header.Get("Location")
			if second == attempt || !strings.HasPrefix(second, introURL+"/attempt/") {
				t.Fatalf("second start: %d %q", resp.StatusCode, second)
			}
			id2, _ := strconv.ParseInt(second[strings.LastIndex(second, "/")+1:], 10, 64)
			_, body = c.get(second)
			fs := doc(t, body).Find("fieldset.question").First()
			qid, r := pageAnswer(fs)
			if resp, body := c.postJSON(second+"/answer", map[string]any{"question": qid, "response": r}); resp.StatusCode != 204 {
				t.Fatalf("answer: %d %s", resp.StatusCode, body)
			}
			past := time.Now().UTC().Add(-time.Minute)
			if _, err := ts.DB.NewUpdate().Model((*assessments.Attempt)(nil)).Set("deadline = ?", past).Where("id = ?", id2).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if resp, body := c.postJSON(second+"/answer", map[string]any{"question": qid, "response": r}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Time is up") {
				t.Errorf("answer after the deadline: %d %s", resp.StatusCode, body)
			}
			_, body = c.get(second)
			if !strings.Contains(doc(t, body).Find("#quiz-timer").Text(), "Time is up") {
				t.Error("the attempt page does not say time is up")
			}
			c.post(second+"/submit", nil)
			_, body = c.get(second + "/result")
			d = doc(t, body)
			if d.Find("#quiz-late .badge").Text() != "late" {
				t.Errorf("late attempt not marked: %q", d.Find("#quiz-score").Text())
			}
			// After the last attempt, the review shows each question with the answers.
			if n := d.Find("#review .review-item").Length(); n != len(bank) {
				t.Fatalf("review lists %d questions, want %d\n%s", n, len(bank), d.Find("main").Text())
			}
			if d.Find("#review dd.yours").First().Text() == "" || d.Find("#review dd.right").Length() == 0 {
				t.Error("review lacks your answer or the right answer")
			}

			// The limit is reached: the start is refused with the reason.
			resp, body = c.post(introURL+"/start", nil)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(doc(t, body).Find("#quiz-problem").Text(), "used all 2 attempts") {
				t.Errorf("start past the limit: %d %q", resp.StatusCode, doc(t, body).Find("#quiz-problem").Text())
			}
			_, body = c.get(introURL)
			d = doc(t, body)
			if d.Find("#quiz-used-up").Length() != 1 || d.Find("#quiz-start").Length() != 0 || d.Find("#quiz-attempts tbody tr").Length() != 2 {
				t.Errorf("intro after the last attempt: %q", d.Find("main").Text())
			}
			_, body = c.get("/learn/six-cs")
			if !strings.Contains(doc(t, body).Find(`#quizzes .quiz-item:contains("Six Cs test")`).Text(), "best result") {
				t.Error("the course page does not show the best result")
			}
			_ = quiz
		})
	}
}

// TestQuizNoJSForm: the attempt page's form alone (no script) saves typed
// answers, refuses a bad ordering with a message next to the question (422),
// and submits what it holds.
func TestQuizNoJSForm(t *testing.T) {
	ts := mustServer(t, "sqlite")
	bank, _ := assessments.NewStore(ts.DB).ListQuestions(context.Background(), "six-cs")
	mustQuiz(t, ts, assessments.QuizSettings{Slug: "nojs", Title: "No script", DrawCount: len(bank), PassMark: 50,
		ReviewPolicy: assessments.ReviewNever})
	c := ts.client(t)
	c.signIn(staffEmail)
	resp, _ := c.post("/learn/six-cs/quiz/nojs/start", nil)
	attempt := resp.Header.Get("Location")
	_, body := c.get(attempt)
	d := doc(t, body)
	form := url.Values{}
	var orderingKeys []string
	d.Find("fieldset.question").Each(func(_ int, fs *goquery.Selection) {
		id := fs.AttrOr("data-question", "")
		form.Add("q", id)
		switch fs.AttrOr("data-type", "") {
		case "true_false":
			form.Set("a"+id, "false")
		case "ordering":
			first := fs.Find("li[data-item]").First().AttrOr("data-item", "")
			fs.Find(`input[name="a` + id + `.order"]`).Each(func(_ int, s *goquery.Selection) {
				orderingKeys = append(orderingKeys, s.AttrOr("name", ""))
				form.Add(s.AttrOr("name", ""), first) // the first item in every place: refused
			})
		}
	})
	if len(orderingKeys) == 0 {
		t.Skip("the six-cs bank has no ordering question")
	}
	resp, body = c.post(attempt+"/submit", form)
	d = doc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find(".field-error:not([hidden])").Text(), "exactly once") {
		t.Fatalf("bad ordering: %d %q", resp.StatusCode, d.Find(".field-error").Text())
	}
	if d.Find(`input[value="false"][checked]`).Length() == 0 {
		t.Error("the typed answers are not kept")
	}
	for _, k := range orderingKeys {
		delete(form, k)
	}
	if resp, body := c.post(attempt+"/submit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %q", resp.StatusCode, doc(t, body).Find(".flash, .field-error:not([hidden])").Text())
	}
	_, body = c.get(attempt + "/result")
	d = doc(t, body)
	if !strings.Contains(d.Find("#review-policy").Text(), "does not show the answers") || d.Find("#review").Length() != 0 {
		t.Errorf("review policy never: %q", d.Find("main").Text())
	}
}

// TestQuizRouteRoles: the quiz routes for every role (visitors are sent to
// sign in; every signed-in role may take a quiz).
func TestQuizRouteRoles(t *testing.T) {
	const ok, see, found, unauth, missing = 200, 303, 302, 401, 404
	table := []roleRoute{
		{"GET", "/learn/six-cs/quiz/six-cs-quiz", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/learn/six-cs/quiz/no-such-quiz", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/learn/six-cs/quiz/service-recovery-quiz", nil, st(found, missing, missing, missing, missing)},
		{"POST", "/learn/six-cs/quiz/six-cs-quiz/start", nil, st(unauth, see, see, see, see)},
		{"GET", "/learn/six-cs/quiz/six-cs-quiz/attempt/999999", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/learn/six-cs/quiz/six-cs-quiz/attempt/x", nil, st(found, missing, missing, missing, missing)},
		{"POST", "/learn/six-cs/quiz/six-cs-quiz/attempt/999999/answer", url.Values{"question": {"1"}}, st(unauth, missing, missing, missing, missing)},
		{"POST", "/learn/six-cs/quiz/six-cs-quiz/attempt/999999/save", nil, st(unauth, missing, missing, missing, missing)},
		{"GET", "/learn/six-cs/quiz/six-cs-quiz/attempt/999999/summary", nil, st(found, missing, missing, missing, missing)},
		{"POST", "/learn/six-cs/quiz/six-cs-quiz/attempt/999999/submit", nil, st(unauth, missing, missing, missing, missing)},
		{"GET", "/learn/six-cs/quiz/six-cs-quiz/attempt/999999/result", nil, st(found, missing, missing, missing, missing)},
	}
	ts := mustServer(t, "sqlite")
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			c := ts.client(t)
			signInAs(c, role)
			checkRoutes(t, c, role, table)
		})
	}
}
