package assessments_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
)

var testPromises = []assessments.PromiseSource{
	{ID: 3, Text: "We call you back within 4 working hours.", ClockStarts: "when the request is logged", DoneWhen: "you have spoken to the customer or left a message with a name and number",
		TimeLimit: "4 working hours", Exclusions: "not at weekends", KeptBy: "the contact centre"},
	{ID: 5, Text: "An engineer visits by the end of the next working day.", ClockStarts: "when the fault is confirmed by the remote test", DoneWhen: "the engineer is at the customer's door",
		TimeLimit: "the end of the next working day", Exclusions: "only in areas we cover", KeptBy: "the field service team"},
	{ID: 8, Text: "Refunds reach your account within 5 working days.", ClockStarts: "when the returned item is received", DoneWhen: "the money has left our account",
		TimeLimit: "5 working days", KeptBy: "the billing team"},
	{ID: 9, Text: "Every complaint is acknowledged the same working day.", KeptBy: "the complaints team"},
}

func TestPromiseQuestions(t *testing.T) {
	qs := assessments.PromiseQuestions(testPromises)
	byID := map[string]assessments.Question{}
	for _, q := range qs {
		if _, dup := byID[q.ID]; dup {
			t.Fatalf("question %s generated twice", q.ID)
		}
		byID[q.ID] = q
	}
	// 5 + 5 + 4 + 1 facts given.
	if len(qs) != 15 {
		t.Fatalf("%d questions, want 15: %v", len(qs), slices.Collect(func(yield func(string) bool) {
			for _, q := range qs {
				if !yield(q.ID) {
					return
				}
			}
		}))
	}
	cases := []struct {
		id      string
		typ     assessments.Type
		key     string   // the right option (single choice) or the fact the statement must hold (true/false, true)
		wrong   []string // every wrong option, in any order (single choice)
		correct bool     // true/false
		stemHas string
		stemNot string
	}{
		{id: "promise-3-clock", typ: assessments.SingleChoice, key: "when the request is logged",
			wrong: []string{"when the fault is confirmed by the remote test", "when the returned item is received"}, stemHas: "When does the clock start"},
		{id: "promise-3-limit", typ: assessments.SingleChoice, key: "4 working hours",
			wrong: []string{"the end of the next working day", "5 working days"}, stemHas: "within …”", stemNot: "4 working hours"},
		{id: "promise-9-keeper", typ: assessments.SingleChoice, key: "the complaints team",
			wrong: []string{"the contact centre", "the field service team", "the billing team"}, stemHas: "Who keeps this promise?"},
		// Only one other promise gives exclusions: a true/false statement.
		{id: "promise-3-exclusions", typ: assessments.TrueFalse, stemHas: "A limit of our promise"},
		{id: "promise-5-exclusions", typ: assessments.TrueFalse, stemHas: "A limit of our promise"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			q, ok := byID[tc.id]
			if !ok {
				t.Fatalf("no question %s", tc.id)
			}
			if q.Type != tc.typ || q.Title != tc.id || q.Category != assessments.PromiseCategory || !slices.Equal(q.Tags, []string{assessments.PromiseTag}) {
				t.Errorf("type %s title %q category %q tags %v", q.Type, q.Title, q.Category, q.Tags)
			}
			if errs := assessments.ValidateQuestion(q); len(errs) > 0 {
				t.Errorf("not valid: %v", errs)
			}
			if !strings.Contains(q.Text, tc.stemHas) || (tc.stemNot != "" && strings.Contains(q.Text, tc.stemNot)) {
				t.Errorf("stem %q: want %q in it and not %q", q.Text, tc.stemHas, tc.stemNot)
			}
			if !strings.HasPrefix(q.GeneralFeedback, "Our promise: “") {
				t.Errorf("feedback %q does not restate the promise", q.GeneralFeedback)
			}
			if q.Type != assessments.SingleChoice {
				return
			}
			var keys, wrong []string
			for _, o := range q.Options {
				if o.Weight == 100 {
					keys = append(keys, o.Text)
				} else {
					wrong = append(wrong, o.Text)
				}
			}
			slices.Sort(wrong)
			want := slices.Sorted(slices.Values(tc.wrong))
			if !slices.Equal(keys, []string{tc.key}) || !slices.Equal(wrong, want) {
				t.Errorf("key %v wrong %v, want %q and %v", keys, wrong, tc.key, want)
			}
		})
	}

	// The true/false statements: a false one states another promise's fact.
	for _, id := range []string{"promise-3-exclusions", "promise-5-exclusions"} {
		q := byID[id]
		own, other := "not at weekends", "only in areas we cover"
		if id == "promise-5-exclusions" {
			own, other = other, own
		}
		if q.Correct && !strings.Contains(q.Text, own) || !q.Correct && !strings.Contains(q.Text, other) {
			t.Errorf("%s: correct=%v with %q", id, q.Correct, q.Text)
		}
	}

	// Feedback restates every fact of the promise.
	fb := byID["promise-5-clock"].GeneralFeedback
	for _, want := range []string{strings.TrimRight(testPromises[1].Text, "."), "the remote test", "customer's door", "next working day", "areas we cover", "field service team"} {
		if !strings.Contains(fb, want) {
			t.Errorf("feedback %q lacks %q", fb, want)
		}
	}

	// Keys at varied positions; no "all/none of the above"; options distinct.
	positions := map[int]bool{}
	for _, q := range qs {
		for j, o := range q.Options {
			if o.Weight == 100 {
				positions[j] = true
			}
			low := strings.ToLower(o.Text)
			if strings.Contains(low, "of the above") {
				t.Errorf("%s: option %q", q.ID, o.Text)
			}
		}
		if errs := assessments.ValidateQuestion(q); len(errs) > 0 {
			t.Errorf("%s not valid: %v", q.ID, errs)
		}
	}
	if len(positions) < 2 {
		t.Errorf("every key at the same position: %v", positions)
	}

	// Stable: generating again gives the same questions.
	again := assessments.PromiseQuestions(testPromises)
	if len(again) != len(qs) {
		t.Fatal("regeneration differs")
	}
	for i := range qs {
		if qs[i].ID != again[i].ID || qs[i].Text != again[i].Text || len(qs[i].Options) != len(again[i].Options) {
			t.Errorf("question %d differs when generated again", i)
		}
	}
}

func TestPromiseQuestionsEdges(t *testing.T) {
	cases := []struct {
		name     string
		in       []assessments.PromiseSource
		want     int
		wantType assessments.Type
	}{
		{"none", nil, 0, ""},
		{"no facts", []assessments.PromiseSource{{ID: 1, Text: "We answer the phone."}}, 0, ""},
		{"one promise: a true statement", []assessments.PromiseSource{{ID: 1, Text: "We answer the phone.", KeptBy: "reception"}}, 1, assessments.TrueFalse},
		{"same fact elsewhere is no distractor", []assessments.PromiseSource{{ID: 1, Text: "A promise.", KeptBy: "Reception"}, {ID: 2, Text: "B promise.", KeptBy: "reception"}}, 2, assessments.TrueFalse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			qs := assessments.PromiseQuestions(tc.in)
			if len(qs) != tc.want {
				t.Fatalf("%d questions, want %d", len(qs), tc.want)
			}
			for _, q := range qs {
				if q.Type != tc.wantType {
					t.Errorf("%s: type %s, want %s", q.ID, q.Type, tc.wantType)
				}
				if q.Type == assessments.TrueFalse && !q.Correct {
					t.Errorf("%s: false statement without another promise's fact: %q", q.ID, q.Text)
				}
			}
		})
	}
}

// TestPromiseQuestionsConfusedFacts: with no other promise to borrow from, a
// false statement gives the promise's own end as its start (or the other
// way round), with feedback that says so.
func TestPromiseQuestionsConfusedFacts(t *testing.T) {
	qs := assessments.PromiseQuestions([]assessments.PromiseSource{{ID: 1, Text: "We answer every letter within a week.",
		ClockStarts: "when the letter arrives", DoneWhen: "the reply is posted"}})
	if len(qs) != 2 {
		t.Fatalf("%d questions", len(qs))
	}
	clock, done := qs[0], qs[1]
	if clock.ID != "promise-1-clock" || clock.Type != assessments.TrueFalse || clock.Correct ||
		!strings.Contains(clock.Text, "the clock starts: the reply is posted") || !strings.Contains(clock.FalseFeedback, "what counts as done for this promise") {
		t.Errorf("clock: %+v", clock)
	}
	if done.ID != "promise-1-done" || !done.Correct || !strings.Contains(done.Text, "counts as done when: the reply is posted") {
		t.Errorf("done: %+v", done)
	}
}

// TestPromiseQuestionsNoLongKey: facts of very different lengths (a short
// key among long wrong answers and the other way round) never make a
// generated question whose key the cue check finds longer than the wrong
// options: the distractors closest in length are chosen, and a key that
// would still stand out is asked as a true/false statement instead.
func TestPromiseQuestionsNoLongKey(t *testing.T) {
	ps := []assessments.PromiseSource{
		{ID: 1, Text: "We call back within 4 working hours.", DoneWhen: "the customer has the answer, or a named person and a time for it", TimeLimit: "the same working day"},
		{ID: 2, Text: "Engineers arrive in the slot.", DoneWhen: "the engineer is at the door", TimeLimit: "2 hours"},
		{ID: 3, Text: "A written price first.", DoneWhen: "the price is agreed", TimeLimit: "1 day"},
		{ID: 4, Text: "Complaints acknowledged.", DoneWhen: "an acknowledgement names the owner", TimeLimit: "90 days"},
		{ID: 5, Text: "Repairs that fail are put right.", DoneWhen: "it works again", TimeLimit: "4 hours"},
	}
	choices := 0
	for _, q := range assessments.PromiseQuestions(ps) {
		if q.Type == assessments.SingleChoice {
			choices++
		}
		for _, w := range assessments.CheckQuestion(q) {
			t.Errorf("%s: %s", q.ID, w.Message)
		}
	}
	if choices < 5 {
		t.Errorf("%d single-choice questions, want most facts asked as a choice", choices)
	}
}
