package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

// cueGIFT imports cleanly and gives the cue check something to say about
// each question, and about the file as a whole (three false statements).
const cueGIFT = `::Cue test long key:: What do you do when a repair slips? {
	=Call the customer, say what went wrong, and give a new time you are sure you can keep.
	~Wait.
	~Email them.
	~Say nothing.
}

::Cue test negative:: Which of these is NOT part of the promise? {=Jam ~Ham ~Spam}

::Cue test wildcard:: One word for a short summary of the problem? {=*line*}

::Cue test all of the above:: Which help? {=All of the above ~Listening ~Noting}

::Cue test false one:: The clock starts when we log the case. {F}

::Cue test false two:: A promise is kept when the engineer arrives. {F}

::Cue test false three:: Updates are optional. {F}
`

// cueCodesIn returns the cue codes listed under the selector sel.
func cueCodesIn(t *testing.T, body, sel string) []string {
	t.Helper()
	var codes []string
	for _, n := range doc(t, body).Find(sel + ` li[data-cue]`).Nodes {
		for _, a := range n.Attr {
			if a.Key == "data-cue" {
				codes = append(codes, a.Val)
			}
		}
	}
	return codes
}

func hasCode(codes []string, code string) bool {
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

func TestBankCueWarnings(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(hrEmail)
	c.get(bankURL)
	before := bankSize(t, ts, "six-cs")

	// The dry run lists each question's warnings and the file's own, and
	// says they do not stop the import; nothing is written.
	resp, body := c.post(bankURL+"/import", url.Values{"text": {cueGIFT}, "action": {"dry_run"}})
	if resp.StatusCode != 200 {
		t.Fatalf("dry run: %d\n%.800s", resp.StatusCode, body)
	}
	d := doc(t, body)
	if s := d.Find("#dry-run-summary").Text(); !strings.Contains(s, "cue check found") || !strings.Contains(s, "do not stop the import") {
		t.Errorf("dry-run summary does not mention the cue check: %q", s)
	}
	for id, code := range map[string]string{
		"cue-test-long-key": "long-key", "cue-test-negative": "negative-stem", "cue-test-wildcard": "loose-wildcard",
		"cue-test-all-of-the-above": "all-none-of-the-above",
	} {
		found := false
		d.Find(`#import-plan tbody tr`).Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Find(".mono").Text(), id) && s.Find(`li[data-cue="`+code+`"]`).Length() == 1 {
				found = true
			}
		})
		if !found {
			t.Errorf("import plan: no %s warning next to %s", code, id)
		}
	}
	if w := d.Find(`#import-plan li[data-cue="loose-wildcard"]`).Text(); !strings.Contains(w, `"*line*" also accepts`) || !strings.Contains(w, `"airline"`) {
		t.Errorf("wildcard warning does not give example words: %q", w)
	}
	if !hasCode(cueCodesIn(t, body, "#import-bank-cues"), "true-false-balance") {
		t.Errorf("the file's true/false balance is not flagged: %q", d.Find("#import-bank-cues").Text())
	}
	if bankSize(t, ts, "six-cs") != before {
		t.Fatal("the dry run wrote questions")
	}

	// The import still imports, and says how many warnings it found.
	resp, _ = c.post(bankURL+"/import", url.Values{"text": {cueGIFT}, "action": {"import"}})
	if resp.StatusCode != http.StatusSeeOther || bankSize(t, ts, "six-cs") != before+7 {
		t.Fatalf("import with cue warnings: %d, bank %d → %d", resp.StatusCode, before, bankSize(t, ts, "six-cs"))
	}
	_, body = c.get(bankURL)
	d = doc(t, body)
	if f := d.Find(".flash").Text(); !strings.Contains(f, "7 created") || !strings.Contains(f, "cue check found") {
		t.Errorf("flash after import: %q", f)
	}
	for id, code := range map[string]string{"long-key": "long-key", "negative": "negative-stem", "wildcard": "loose-wildcard", "all-of-the-above": "all-none-of-the-above"} {
		if !hasCode(cueCodesIn(t, body, "#q-cue-test-"+id), code) {
			t.Errorf("bank row %s: no %s warning: %q", id, code, d.Find("#q-cue-test-"+id).Text())
		}
	}
	if n := d.Find(`#q-cue-test-false-one li[data-cue]`).Length(); n != 0 {
		t.Errorf("a plain true/false statement has %d warnings", n)
	}

	// The health panel agrees with the pure functions over the stored bank.
	list, err := assessments.NewStore(ts.DB).ListQuestions(context.Background(), "six-cs")
	if err != nil {
		t.Fatal(err)
	}
	qs := make([]assessments.Question, len(list))
	for i, bq := range list {
		qs[i] = bq.Question
	}
	f := assessments.BankCues(qs)
	ws := assessments.CheckBank(qs)
	if got, want := strings.TrimSpace(d.Find("#health-strategy .stat-value").Text()), fmt.Sprint(f.Strategy.Percent)+"%"; got != want {
		t.Errorf("strategy score %q, want %q", got, want)
	}
	if got := d.Find("#health-strategy .badge").Length(); got != 1 {
		t.Errorf("strategy score not compared with a pass mark (%d badges)", got)
	}
	if got, want := strings.TrimSpace(d.Find("#health-total .stat-value").Text()), fmt.Sprint(len(ws)); got != want {
		t.Errorf("total warnings %q, want %q", got, want)
	}
	if got := d.Find("#health-truefalse").Text(); !strings.Contains(got, fmt.Sprintf("%d true, %d false", f.True, f.False)) || d.Find("#health-truefalse svg").Length() != 1 {
		t.Errorf("true/false balance: %q", got)
	}
	if got := d.Find("#health-longest").Text(); !strings.Contains(got, fmt.Sprintf("%d of %d", f.KeyLongest, f.SingleChoice)) {
		t.Errorf("longest option: %q", got)
	}
	if got := d.Find("#health-positions .bar-row").Length(); got != len(f.KeyPositions) {
		t.Errorf("%d key-position bars, want %d", got, len(f.KeyPositions))
	}
	counts := map[string]int{}
	for _, w := range ws {
		counts[string(w.Code)]++
	}
	for code, n := range counts {
		if got := strings.TrimSpace(d.Find(`#health-rules tr[data-cue="` + code + `"] td.num`).Text()); got != fmt.Sprint(n) {
			t.Errorf("rule %s: %q warnings, want %d", code, got, n)
		}
	}

	// The editor shows the question's warnings; a warning never stops a save.
	_, body = c.get(bankURL + "/cue-test-negative")
	if !hasCode(cueCodesIn(t, body, "#cue-check"), "negative-stem") {
		t.Fatalf("editor: no negative-stem warning: %q", doc(t, body).Find("#cue-check").Text())
	}
	form := url.Values{"title": {"Cue test negative"}, "text": {"Which of these is NOT part of the promise?"}, "points": {"1"},
		"opt_id": {"a", "b", "c"}, "opt_text": {"Jam", "Ham", "Spam"}, "opt_weight": {"100", "0", "0"}, "opt_feedback": {"", "", ""}}
	form.Set("action", "preview")
	_, body = c.post(bankURL+"/cue-test-negative", form)
	if !hasCode(cueCodesIn(t, body, "#cue-check"), "negative-stem") {
		t.Error("preview: no negative-stem warning")
	}
	form.Set("text", "Which of these is part of the promise?")
	_, body = c.post(bankURL+"/cue-test-negative", form)
	if doc(t, body).Find("#cue-check").Length() != 0 {
		t.Errorf("preview of the reworded stem still warns: %q", doc(t, body).Find("#cue-check").Text())
	}
	form.Set("text", "Which of these is never part of the promise?")
	form.Del("action")
	if resp, _ = c.post(bankURL+"/cue-test-negative", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving a question with a cue warning: %d", resp.StatusCode)
	}
	_, body = c.get(bankURL + "/cue-test-negative")
	if w := doc(t, body).Find(`#cue-check li[data-cue="negative-stem"]`).Text(); !strings.Contains(w, `"NEVER"`) {
		t.Errorf("saved question's warning: %q", w)
	}
}

func TestAPIQuestionImportCueWarnings(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr, _, _ := ts.People.CreateToken(context.Background(), "hr", people.RoleHR, "", nil)
	path := "/api/v1/courses/six-cs/questions"
	before := bankSize(t, ts, "six-cs")
	for _, dry := range []bool{true, false} {
		req, _ := http.NewRequest("POST", "http://localhost"+path+fmt.Sprintf("?dry_run=%v", dry), strings.NewReader(cueGIFT))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+hr)
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		var out struct {
			Created  int                      `json:"created"`
			Warnings []assessments.CueWarning `json:"warnings"`
		}
		if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("dry_run=%v: %d %v\n%s", dry, resp.StatusCode, err, b)
		}
		got := map[string]bool{}
		for _, w := range out.Warnings {
			got[string(w.Code)+"@"+w.QuestionID] = true
		}
		for _, want := range []string{"long-key@cue-test-long-key", "loose-wildcard@cue-test-wildcard", "negative-stem@cue-test-negative", "true-false-balance@"} {
			if !got[want] {
				t.Errorf("dry_run=%v: no %s in %+v", dry, want, out.Warnings)
			}
		}
		if out.Created != 7 {
			t.Errorf("dry_run=%v: created %d, want 7", dry, out.Created)
		}
	}
	if got := bankSize(t, ts, "six-cs"); got != before+7 {
		t.Errorf("bank %d → %d, want 7 more: warnings must not stop the import", before, got)
	}
	// A text with errors has no warnings, only errors.
	req, _ := http.NewRequest("POST", "http://localhost"+path, strings.NewReader(badGIFT))
	req.Header.Set("Authorization", "Bearer "+hr)
	resp, _ := ts.App.Test(req, -1)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 422 || !strings.Contains(string(b), `"warnings":[]`) {
		t.Errorf("bad import: %d %s", resp.StatusCode, b)
	}
}
