package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

const bankURL = "/authoring/six-cs/bank"

// bankSize is the number of current questions in the course's bank.
func bankSize(t *testing.T, ts *testServer, slug string) int {
	t.Helper()
	list, err := assessments.NewStore(ts.DB).ListQuestions(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

const goodGIFT = `::Bank test greeting:: How do you greet a customer? {=Warmly ~Coldly}

::Bank test ok:: The customer is always heard. {T}

::Bank test essay:: Describe a good call. {}
`

// badGIFT has an unclosed answer block on line 3.
const badGIFT = `::Fine:: A fine question {=yes ~no}

::Broken:: An open block {=yes ~no
`

func TestBankListFilterImportExport(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(hrEmail)

	resp, body := c.get("/authoring")
	if resp.StatusCode != 200 || doc(t, body).Find(`#c-six-cs a[href="/authoring/six-cs/bank"]`).Length() != 1 {
		t.Fatalf("authoring index has no Question bank link: %d", resp.StatusCode)
	}

	resp, body = c.get(bankURL)
	if resp.StatusCode != 200 {
		t.Fatalf("bank: %d\n%.500s", resp.StatusCode, body)
	}
	before := bankSize(t, ts, "six-cs")
	if n := doc(t, body).Find("#questions tbody tr[data-type]").Length(); n != before || n < 12 {
		t.Fatalf("bank lists %d questions, store has %d", n, before)
	}

	_, body = c.get(bankURL + "?type=matching")
	rows := doc(t, body).Find("#questions tbody tr[data-type]")
	if rows.Length() == 0 {
		t.Fatal("type filter: no matching questions")
	}
	rows.Each(func(_ int, s *goquery.Selection) {
		if tp, _ := s.Attr("data-type"); tp != "matching" {
			t.Errorf("type filter shows a %s question", tp)
		}
	})

	// Dry run with errors: a table with line and column; nothing written.
	resp, body = c.post(bankURL+"/import", url.Values{"text": {badGIFT}, "format": {"gift"}, "action": {"dry_run"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad dry run: %d", resp.StatusCode)
	}
	d := doc(t, body)
	errRows := d.Find("#import-errors tbody tr")
	if errRows.Length() == 0 || strings.TrimSpace(errRows.First().Find("td").First().Text()) != "3" || strings.TrimSpace(errRows.First().Find("td").Eq(1).Text()) == "" {
		t.Fatalf("error table: %q", errRows.Text())
	}
	if got := d.Find("#f-text").Text(); got != badGIFT {
		t.Errorf("typed text not kept: %q", got)
	}
	// Import with the same errors writes nothing either.
	if resp, _ = c.post(bankURL+"/import", url.Values{"text": {badGIFT}, "action": {"import"}}); resp.StatusCode != 422 || bankSize(t, ts, "six-cs") != before {
		t.Fatalf("bad import: %d, bank %d → %d", resp.StatusCode, before, bankSize(t, ts, "six-cs"))
	}

	// A good dry run lists what would be created, and writes nothing.
	resp, body = c.post(bankURL+"/import", url.Values{"text": {goodGIFT}, "action": {"dry_run"}})
	if resp.StatusCode != 200 || doc(t, body).Find(`#import-plan tr[data-action="create"]`).Length() != 3 {
		t.Fatalf("dry run: %d\n%s", resp.StatusCode, doc(t, body).Find("#import").Text())
	}
	if bankSize(t, ts, "six-cs") != before {
		t.Fatal("the dry run wrote questions")
	}
	// An uploaded file works the same (no action: a dry run).
	resp, body = c.upload(bankURL+"/import", "bank.gift", []byte(goodGIFT))
	if resp.StatusCode != 200 || doc(t, body).Find(`#import-plan tr[data-action="create"]`).Length() != 3 {
		t.Fatalf("upload dry run: %d", resp.StatusCode)
	}
	// Aiken.
	aiken := "Who owns a complaint?\nA. The first person who hears it\nB. Nobody\nANSWER: A\n"
	resp, body = c.post(bankURL+"/import", url.Values{"text": {aiken}, "format": {"aiken"}, "action": {"dry_run"}})
	if resp.StatusCode != 200 || doc(t, body).Find(`#import-plan tbody tr`).Length() != 1 {
		t.Fatalf("aiken dry run: %d", resp.StatusCode)
	}
	resp, body = c.post(bankURL+"/import", url.Values{"text": {"Question?\nA. x\nANSWER: C\n"}, "format": {"aiken"}})
	if resp.StatusCode != 422 || doc(t, body).Find("#import-errors tbody tr").Length() == 0 {
		t.Fatalf("bad aiken: %d", resp.StatusCode)
	}

	resp, _ = c.post(bankURL+"/import", url.Values{"text": {goodGIFT}, "action": {"import"}})
	if resp.StatusCode != http.StatusSeeOther || bankSize(t, ts, "six-cs") != before+3 {
		t.Fatalf("import: %d, bank %d", resp.StatusCode, bankSize(t, ts, "six-cs"))
	}
	_, body = c.get(bankURL)
	if doc(t, body).Find("#q-bank-test-greeting").Length() != 1 {
		t.Fatal("imported question not listed")
	}
	// Importing again changes nothing.
	_, body = c.post(bankURL+"/import", url.Values{"text": {goodGIFT}, "action": {"dry_run"}})
	if doc(t, body).Find(`#import-plan tr[data-action="unchanged"]`).Length() != 3 {
		t.Fatal("second dry run: not unchanged")
	}

	// Too large.
	resp, body = c.post(bankURL+"/import", url.Values{"text": {strings.Repeat("x", 2<<20+1)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || doc(t, body).Find("#e-text").Length() != 1 {
		t.Fatalf("large import: %d", resp.StatusCode)
	}

	// Export.
	resp, body = c.get(bankURL + "/export.gift")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "six-cs.gift") || !strings.Contains(body, "::Bank test greeting::") {
		t.Fatalf("export: %d %v\n%.300s", resp.StatusCode, resp.Header, body)
	}
	if qs, errs := assessments.ParseGIFT(body); len(errs) > 0 || len(qs) != before+3 {
		t.Fatalf("export does not parse back: %d questions, %v", len(qs), errs)
	}
}

func TestBankQuestionEditor(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(hrEmail)

	for _, tp := range assessments.Types {
		resp, body := c.get(bankURL + "/new?type=" + string(tp))
		if resp.StatusCode != 200 || doc(t, body).Find(`#question-form input[name="type"][value="`+string(tp)+`"]`).Length() != 1 {
			t.Fatalf("new %s: %d", tp, resp.StatusCode)
		}
	}
	if _, body := c.get(bankURL + "/new"); doc(t, body).Find("#question-types a").Length() != len(assessments.Types) {
		t.Fatal("type chooser")
	}

	// Validation: no right answer → 422, message next to the options, typed input kept.
	form := url.Values{"type": {"single_choice"}, "title": {"Greeting check"}, "text": {"How do you greet?"},
		"opt_id": {"", ""}, "opt_text": {"Warmly", "Coldly"}, "opt_weight": {"50", "0"}, "opt_feedback": {"Nice", "No"}}
	resp, body := c.post(bankURL+"/new", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid question: %d", resp.StatusCode)
	}
	d := doc(t, body)
	if d.Find("#e-options").Length() != 1 || d.Find(".form-errors").Length() != 1 {
		t.Fatal("no error next to the options")
	}
	if v := d.Find(`textarea[name="opt_text"]`).First().Text(); v != "Warmly" {
		t.Fatalf("typed option not kept: %q", v)
	}
	if v, _ := d.Find(`input[name="title"]`).Attr("value"); v != "Greeting check" {
		t.Fatalf("typed title not kept: %q", v)
	}
	// A weight that is not a number.
	bad := url.Values{"type": {"short_answer"}, "text": {"Q?"}, "ans_text": {"yes"}, "ans_weight": {"lots"}}
	if resp, body = c.post(bankURL+"/new", bad); resp.StatusCode != 422 || doc(t, body).Find("#e-answers").Length() != 1 {
		t.Fatalf("bad weight: %d", resp.StatusCode)
	}

	// Saved, then edited: a new version.
	form.Set("opt_weight", "100")
	form["opt_weight"] = []string{"100", "0"}
	resp, _ = c.post(bankURL+"/new", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != bankURL+"/greeting-check" {
		t.Fatalf("create: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	form.Set("id", "greeting-check")
	if resp, body = c.post(bankURL+"/new", form); resp.StatusCode != 422 || doc(t, body).Find("#e-id").Length() != 1 {
		t.Fatalf("taken id: %d", resp.StatusCode)
	}
	form.Set("text", "How do you greet a customer?")
	resp, _ = c.post(bankURL+"/greeting-check", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	bq, err := assessments.NewStore(ts.DB).FindQuestion(context.Background(), "six-cs", "greeting-check")
	if err != nil || bq.Version != 2 || bq.Question.Text != "How do you greet a customer?" || bq.Question.Options[0].ID != "a" {
		t.Fatalf("after edit: %+v %v", bq, err)
	}

	// Every type saves from the form, and its preview shows no answers.
	cases := []struct {
		name    string
		form    url.Values
		secrets []string
	}{
		{"multiple_response", url.Values{"text": {"Pick the Cs"}, "opt_text": {"Commitment", "Cleverness", "Capability"}, "opt_weight": {"50", "-100", "50"},
			"opt_feedback": {"FB-ONE", "FB-TWO", "FB-THREE"}, "all_or_nothing": {"on"}}, []string{"FB-ONE", "-100", "50"}},
		{"true_false", url.Values{"text": {"Sky is blue"}, "correct": {"false"}, "true_feedback": {"FB-TRUE"}, "false_feedback": {"FB-FALSE"}}, []string{"FB-TRUE", "FB-FALSE", "checked"}},
		{"short_answer", url.Values{"text": {"Name the colour"}, "ans_text": {"SECRET-ANSWER", "ALSO*"}, "ans_weight": {"100", "50"}, "ans_feedback": {"FB-A", ""}}, []string{"SECRET-ANSWER", "ALSO", "FB-A"}},
		{"numeric", url.Values{"text": {"How many"}, "num_kind": {"exact", "range"}, "num_value": {"42.5", ""}, "num_tolerance": {"0.5", ""},
			"num_min": {"", "40"}, "num_max": {"", "45"}, "num_weight": {"100", "50"}, "num_feedback": {"FB-N", ""}}, []string{"42.5", "FB-N"}},
		{"matching", url.Values{"text": {"Match them"}, "pair_left": {"Cat", "Dog", ""}, "pair_right": {"Meow", "Woof", "Moo"}}, nil},
		{"ordering", url.Values{"text": {"Put in order"}, "opt_text": {"Zulu first", "Alpha second", "Mike third"}}, nil},
		{"missing_word", url.Values{"text": {"The customer is"}, "text_after": {"right."}, "opt_text": {"always", "never"}, "opt_weight": {"100", "0"}, "opt_feedback": {"FB-MW", ""}}, []string{"FB-MW", "100"}},
		{"essay", url.Values{"text": {"Describe a call"}, "general_feedback": {"FB-GENERAL"}}, []string{"FB-GENERAL"}},
	}
	for _, tc := range cases {
		tc.form.Set("type", tc.name)
		tc.form.Set("title", "Editor "+tc.name)
		resp, body := c.post(bankURL+"/new", tc.form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", tc.name, resp.StatusCode, doc(t, body).Find(".form-errors").Text())
		}
		resp, body = c.get(resp.Header.Get("Location"))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: edit page %d", tc.name, resp.StatusCode)
		}
		prev := doc(t, body).Find("#preview")
		if prev.Length() != 1 {
			t.Fatalf("%s: no preview", tc.name)
		}
		html, _ := prev.Html()
		for _, s := range tc.secrets {
			if strings.Contains(html, s) {
				t.Errorf("%s: the preview shows %q:\n%s", tc.name, s, html)
			}
		}
		switch tc.name {
		case "ordering":
			if items := prev.Find("ol li"); items.First().Text() != "Alpha second" {
				t.Errorf("ordering preview gives the order away: %q", items.Text())
			}
		case "matching":
			if prev.Find("select").Length() != 2 || prev.Find("select").First().Find("option").Length() != 4 {
				t.Errorf("matching preview: %s", html)
			}
		}
	}
	// The Preview button shows the typed question and saves nothing.
	pv := url.Values{"type": {"single_choice"}, "text": {"Typed stem"}, "opt_text": {"One", "Two"}, "opt_weight": {"100", "0"}, "action": {"preview"}}
	resp, body = c.post(bankURL+"/new", pv)
	if resp.StatusCode != 200 || !strings.Contains(doc(t, body).Find("#preview").Text(), "Typed stem") {
		t.Fatalf("preview button: %d", resp.StatusCode)
	}

	// Retire.
	resp, _ = c.post(bankURL+"/greeting-check/retire", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire: %d", resp.StatusCode)
	}
	if resp, _ = c.get(bankURL + "/greeting-check"); resp.StatusCode != 404 {
		t.Fatalf("retired question: %d", resp.StatusCode)
	}
}

func TestQuizSettingsPage(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(hrEmail)
	path := "/authoring/six-cs/quizzes/six-cs-quiz"
	resp, body := c.get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("quiz: %d", resp.StatusCode)
	}
	form := browserForm(doc(t, body), "#quiz-form")
	form.Set("review_policy", "after_passing")
	form.Set("pass_mark", "150")
	form.Set("draw_per_tag", "Courtesy: 20")
	form.Set("attempt_limit", "lots")
	resp, body = c.post(path, form)
	d := doc(t, body)
	if resp.StatusCode != 422 || d.Find("#e-pass_mark").Length() != 1 || d.Find("#e-draw_per_tag").Length() != 1 || d.Find("#e-attempt_limit").Length() != 1 {
		t.Fatalf("invalid quiz: %d %s", resp.StatusCode, d.Find(".form-errors").Text())
	}
	if v, _ := d.Find("#f-pass_mark").Attr("value"); v != "150" {
		t.Fatalf("typed pass mark not kept: %q", v)
	}
	form = browserForm(doc(t, body), "#quiz-form")
	form.Set("pass_mark", "80")
	form.Set("attempt_limit", "2")
	form.Set("review_policy", "after_last")
	form.Set("draw_per_tag", "")
	form["band_min"] = []string{"0", "80"}
	form["band_text"] = []string{"Try again", "Well done"}
	if resp, body = c.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save quiz: %d %s", resp.StatusCode, doc(t, body).Find(".form-errors").Text())
	}
	q, err := assessments.NewStore(ts.DB).FindQuiz(context.Background(), "six-cs-quiz")
	if err != nil || q.PassMark != 80 || q.AttemptLimit != 2 || len(q.FeedbackBands) != 2 {
		t.Fatalf("saved quiz: %+v %v", q, err)
	}

	// New quiz: a taken short name is refused; a free one is created.
	_, body = c.get("/authoring/six-cs/quizzes/new")
	form = browserForm(doc(t, body), "#quiz-form")
	form.Set("review_policy", "never")
	form.Set("slug", "service-recovery-quiz")
	form.Set("title", "Second quiz")
	if resp, body = c.post("/authoring/six-cs/quizzes", form); resp.StatusCode != 422 || doc(t, body).Find("#e-slug").Length() != 1 {
		t.Fatalf("taken slug: %d", resp.StatusCode)
	}
	form.Set("slug", "six-cs-extra")
	if resp, _ = c.post("/authoring/six-cs/quizzes", form); resp.StatusCode != 303 || resp.Header.Get("Location") != "/authoring/six-cs/quizzes/six-cs-extra" {
		t.Fatalf("new quiz: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Another course's quiz is not reachable through this course.
	if resp, _ = c.get("/authoring/six-cs/quizzes/service-recovery-quiz"); resp.StatusCode != 404 {
		t.Fatalf("other course's quiz: %d", resp.StatusCode)
	}
}

// TestBankRoleTable: only HR and admins reach the bank and quiz pages.
func TestBankRoleTable(t *testing.T) {
	const ok, found, unauth, forbid, missing, invalid = 200, 302, 401, 403, 404, 422
	ts := mustServer(t, "sqlite")
	table := []roleRoute{
		{"GET", bankURL, nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/no-such-course/bank", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", bankURL + "/export.gift", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", bankURL + "/new?type=essay", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", bankURL + "/no-such-question", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/authoring/six-cs/quizzes/six-cs-quiz", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/quizzes/new", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", bankURL + "/import", url.Values{"text": {badGIFT}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", bankURL + "/new", url.Values{"type": {"essay"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", bankURL + "/no-such-question/retire", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/authoring/six-cs/quizzes", url.Values{"slug": {"x"}}, st(unauth, forbid, forbid, invalid, invalid)},
	}
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			c := ts.client(t)
			signInAs(c, role)
			checkRoutes(t, c, role, table)
		})
	}
}

type apiQuestions struct {
	Created int            `json:"created"`
	ByType  map[string]int `json:"by_type"`
	Errors  []struct {
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
	Error string `json:"error"`
}

func apiPostQuestions(t *testing.T, ts *testServer, token, path, body string) (int, apiQuestions) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://localhost"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	var out apiQuestions
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", path, err, b)
	}
	return resp.StatusCode, out
}

func TestAPIQuestionImport(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	hr, _, _ := ts.People.CreateToken(ctx, "hr", people.RoleHR, "", nil)
	admin, _, _ := ts.People.CreateToken(ctx, "admin", people.RoleAdmin, "", nil)
	staff, _, _ := ts.People.CreateToken(ctx, "staff", people.RoleStaff, staffNumber, nil)
	boss, err := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	if err != nil {
		t.Fatal(err)
	}
	mgr, _, err := ts.People.CreateToken(ctx, "mgr", people.RoleManager, boss.Number, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/courses/six-cs/questions"
	before := bankSize(t, ts, "six-cs")

	status, out := apiPostQuestions(t, ts, hr, path+"?dry_run=true", goodGIFT)
	if status != 200 || out.Created != 3 || len(out.ByType) != 9 || out.ByType["true_false"] != 1 || out.Errors == nil || len(out.Errors) != 0 {
		t.Fatalf("dry run: %d %+v", status, out)
	}
	if bankSize(t, ts, "six-cs") != before {
		t.Fatal("dry run wrote")
	}

	status, out = apiPostQuestions(t, ts, hr, path, badGIFT)
	if status != 422 || out.Created != 0 || len(out.ByType) != 9 || len(out.Errors) == 0 || out.Errors[0].Line != 3 || out.Errors[0].Column < 1 || out.Errors[0].Message == "" {
		t.Fatalf("bad GIFT: %d %+v", status, out)
	}
	if bankSize(t, ts, "six-cs") != before {
		t.Fatal("bad GIFT wrote")
	}

	status, out = apiPostQuestions(t, ts, admin, path, goodGIFT)
	if status != 200 || out.Created != 3 || out.ByType["single_choice"] != 1 || out.ByType["essay"] != 1 || bankSize(t, ts, "six-cs") != before+3 {
		t.Fatalf("import: %d %+v", status, out)
	}

	if status, _ = apiPostQuestions(t, ts, hr, "/api/v1/courses/no-such-course/questions", goodGIFT); status != 404 {
		t.Fatalf("unknown course: %d", status)
	}
	if status, out = apiPostQuestions(t, ts, hr, path, strings.Repeat("x", 2<<20+1)); status != 413 || len(out.Errors) != 1 {
		t.Fatalf("large body: %d %+v", status, out)
	}
	if status, _ = apiPostQuestions(t, ts, "", path, goodGIFT); status != 401 {
		t.Fatalf("no token: %d", status)
	}
	for _, tok := range []string{staff, mgr} {
		if status, _ = apiPostQuestions(t, ts, tok, path, goodGIFT); status != 403 {
			t.Fatalf("staff/manager token: %d", status)
		}
	}
}
