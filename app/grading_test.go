package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

// writeEssay starts the grading-essay quiz as c's learner, answers its one
// essay question with text and submits; it returns the attempt and question row ids.
func writeEssay(t *testing.T, c *client, text string) (int64, int64) {
	t.Helper()
	intro := "/learn/six-cs/quiz/grading-essay"
	resp, _ := c.post(intro+"/start", nil)
	attempt := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(attempt, intro+"/attempt/") {
		t.Fatalf("start: %d %q", resp.StatusCode, attempt)
	}
	_, body := c.get(attempt)
	fs := doc(t, body).Find(`fieldset.question[data-type="essay"]`)
	qid := fs.AttrOr("data-question", "")
	if fs.Length() != 1 || qid == "" {
		t.Fatalf("the attempt has no essay question: %s", body)
	}
	if resp, body := c.post(attempt+"/submit", url.Values{"q": {qid}, "a" + qid: {text}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, body)
	}
	id, _ := strconv.ParseInt(attempt[strings.LastIndex(attempt, "/")+1:], 10, 64)
	q, _ := strconv.ParseInt(qid, 10, 64)
	return id, q
}

// TestGradingEssays: a learner's essay waits for grading; their manager sees
// it on /grading and grades it (the attempt is decided, audited); a manager
// outside the line cannot see or grade it (404), staff cannot open the list
// (403), nobody grades their own attempt (403), and a bad score is 422 with
// the message by the field and the typed text kept.
func TestGradingEssays(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	qs := assessments.NewStore(ts.DB)
	if _, err := qs.SaveQuestion(ctx, "six-cs", assessments.Question{ID: "grading-essay", Type: assessments.Essay,
		Text: "Describe a service failure you put right.", Tags: []string{"grading-test"}}, nil); err != nil {
		t.Fatal(err)
	}
	mustQuiz(t, ts, assessments.QuizSettings{Slug: "grading-essay", Title: "Written recovery", DrawCount: 1,
		DrawPerTag: map[string]int{"grading-test": 1}, PassMark: 70, ReviewPolicy: assessments.ReviewNever})

	learnerEmp, err := ts.People.FindEmployeeByNumber(ctx, inLine)
	if err != nil {
		t.Fatal(err)
	}
	learner := ts.client(t)
	learner.signIn(learnerEmp.Email)
	attemptID, questionID := writeEssay(t, learner, "I said sorry <b>at once</b>.\nThen I fixed it.")
	essay := "/grading/" + strconv.FormatInt(attemptID, 10) + "/" + strconv.FormatInt(questionID, 10)
	attempt := func() assessments.Attempt {
		var a assessments.Attempt
		if err := ts.DB.NewSelect().Model(&a).Where("id = ?", attemptID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := attempt(); a.PendingGrading != 1 || a.Passed != nil {
		t.Fatalf("submitted essay not pending: %+v", a)
	}

	// The contact centre manager's own attempt: not on their list, 403 to grade.
	mgr := ts.client(t)
	mgr.signIn(ccMgrEmail)
	ownAttempt, ownQuestion := writeEssay(t, mgr, "My own answer.")
	own := "/grading/" + strconv.FormatInt(ownAttempt, 10) + "/" + strconv.FormatInt(ownQuestion, 10)

	// Staff may not open the list or an essay.
	staff := ts.client(t)
	staff.signIn(staffEmail)
	if resp, _ := staff.get("/grading"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff /grading: %d", resp.StatusCode)
	}
	if resp, _ := learner.get(essay); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the learner opens their own essay for grading: %d", resp.StatusCode)
	}

	// A manager outside the line: the essay is not listed, not found.
	outside := ts.client(t)
	outside.signIn("james.oconnor@brightwater.example")
	if resp, body := outside.get("/grading"); resp.StatusCode != http.StatusOK || doc(t, body).Find("#essays .essay-row").Length() != 0 {
		t.Errorf("outside manager's list: %d %q", resp.StatusCode, doc(t, body).Find("main").Text())
	}
	if resp, _ := outside.get(essay); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outside manager opens the essay: %d", resp.StatusCode)
	}
	if resp, _ := outside.post(essay, url.Values{"score": {"100"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outside manager grades the essay: %d", resp.StatusCode)
	}

	// HR sees everyone's essays.
	hr := ts.client(t)
	hr.signIn(hrEmail)
	if _, body := hr.get("/grading"); doc(t, body).Find("#essays .essay-row").Length() != 2 {
		t.Errorf("HR's list: %q", doc(t, body).Find("main").Text())
	}

	// The manager's list: their line's essay with a link, not their own.
	_, body := mgr.get("/grading")
	d := doc(t, body)
	row := d.Find("#essays .essay-row")
	if row.Length() != 1 || !strings.Contains(row.Text(), learnerEmp.Name()) || !strings.Contains(row.Text(), "Written recovery") ||
		row.Find(`a[href="`+essay+`"]`).Length() != 1 {
		t.Fatalf("manager's list: %q", d.Find("main").Text())
	}
	if resp, _ := mgr.get(own); resp.StatusCode != http.StatusForbidden {
		t.Errorf("grading one's own attempt: %d", resp.StatusCode)
	}
	if resp, _ := mgr.post(own, url.Values{"score": {"100"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("grading one's own attempt (POST): %d", resp.StatusCode)
	}

	// The essay page: question, escaped answer with its line break, labelled fields.
	resp, body := mgr.get(essay)
	d = doc(t, body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(d.Find("#essay-question").Text(), "service failure") {
		t.Fatalf("essay page: %d %q", resp.StatusCode, d.Find("main").Text())
	}
	if !strings.Contains(body, "I said sorry &lt;b&gt;at once&lt;/b&gt;.<br>Then I fixed it.") || d.Find("#essay-answer b").Length() != 0 {
		t.Errorf("answer not escaped with its line break: %s", d.Find("#essay-answer").Text())
	}
	for _, id := range []string{"f-score", "f-comment"} {
		if d.Find(`label[for="`+id+`"]`).Length() != 1 || d.Find("#"+id).Length() != 1 {
			t.Errorf("field %s is missing or has no label", id)
		}
	}
	if d.Find(`input#f-score[type="number"]`).Length() != 1 {
		t.Error("the score is not a number input")
	}

	// Bad scores: 422 with the message by the field and the typed text kept.
	for _, bad := range []string{"abc", "120", "-1", ""} {
		resp, body := mgr.post(essay, url.Values{"score": {bad}, "comment": {"Kept comment"}})
		d := doc(t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-score.field-error").Text() == "" {
			t.Errorf("score %q: %d %q", bad, resp.StatusCode, d.Find(".field-error").Text())
		}
		if d.Find("#f-score").AttrOr("value", "") != bad || d.Find("#f-comment").Text() != "Kept comment" ||
			d.Find("#f-score").AttrOr("aria-invalid", "") != "true" {
			t.Errorf("score %q: typed text not kept: %q %q", bad, d.Find("#f-score").AttrOr("value", ""), d.Find("#f-comment").Text())
		}
	}
	if a := attempt(); a.PendingGrading != 1 {
		t.Fatalf("a refused grade changed the attempt: %+v", a)
	}

	// Grade 80%: the attempt passes at 80%, the grade is audited, the list is empty.
	resp, _ = mgr.post(essay, url.Values{"score": {"80"}, "comment": {"Clear and honest."}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/grading" {
		t.Fatalf("grade: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	a := attempt()
	if a.PendingGrading != 0 || a.Passed == nil || !*a.Passed || a.Percent == nil || *a.Percent != 80 {
		t.Fatalf("graded attempt: %+v", a)
	}
	_, body = mgr.get("/grading")
	d = doc(t, body)
	if !strings.Contains(d.Find(".flash").Text(), "Graded") || d.Find("#no-essays").Length() != 1 {
		t.Errorf("after grading: flash %q, list %q", d.Find(".flash").Text(), d.Find("main").Text())
	}
	var audit []people.AuditEntry
	if err := ts.DB.NewSelect().Model(&audit).Where("action = ?", "essay.grade").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Subject != inLine || !strings.Contains(audit[0].Detail, "80%") || !strings.Contains(audit[0].Actor, "Daniel Kim") {
		t.Errorf("audit: %+v", audit)
	}

	// The learner's result shows the decision.
	_, body = learner.get("/learn/six-cs/quiz/grading-essay/attempt/" + strconv.FormatInt(attemptID, 10) + "/result")
	if got := doc(t, body).Find("#score-percent").Text(); got != "80%" {
		t.Errorf("learner's result: %q", got)
	}
}
