package assessments

import (
	"slices"
	"strings"
	"testing"
)

// cueSC builds a single-choice question whose first option is the key.
func cueSC(id, stem, key string, wrong ...string) Question {
	q := Question{ID: id, Title: "Title " + id, Text: stem, Type: SingleChoice, Points: 1}
	q.Options = append(q.Options, Option{ID: "a", Text: key, Weight: 100})
	for i, w := range wrong {
		q.Options = append(q.Options, Option{ID: giftOptionID(i + 1), Text: w})
	}
	return q
}

// cueAt moves the key of a single-choice question built by cueSC to
// position i.
func cueAt(q Question, i int) Question {
	opts := slices.Clone(q.Options)
	key := opts[0]
	opts = slices.Delete(opts, 0, 1)
	q.Options = slices.Insert(opts, i, key)
	return q
}

func cueMR(id string, opts ...Option) Question {
	return Question{ID: id, Text: "Which of these apply?", Type: MultipleResponse, Options: opts, Points: 1}
}

func cueTF(id string, correct bool) Question {
	return Question{ID: id, Text: "A statement.", Type: TrueFalse, Correct: correct, Points: 1}
}

func cueShort(id string, answers ...string) Question {
	q := Question{ID: id, Text: "One word for it?", Type: ShortAnswer, Points: 1}
	for _, a := range answers {
		w := 100.0
		if strings.HasPrefix(a, "0:") {
			a, w = a[2:], 0
		}
		q.Answers = append(q.Answers, TextAnswer{Text: a, Weight: w})
	}
	return q
}

// cueCodes is "code@field" for each warning, for compact comparisons.
func cueCodes(ws []CueWarning) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, string(w.Code)+"@"+w.Field)
	}
	return out
}

func TestCheckQuestion(t *testing.T) {
	tests := []struct {
		name string
		q    Question
		want []string // code@field, in order
		says []string // substrings of the messages, in any warning
	}{
		{"OK", cueSC("ok", "When does the clock start?", "When the customer first asks.", "When we log the case.", "When the engineer is booked."), nil, nil},
		{"OKKeyWithinTwentyFivePercent", cueSC("k", "Which?", "Twelve chars", "Ten chars!", "Nine char"), nil, nil},
		{"OKShortOptionsBelowMinChars", cueSC("k", "Is it?", "Yes", "No", "Nah"), nil, nil},
		{"LongKey", cueSC("long", "What do you do?", "Apologise, say what went wrong and when it will be fixed, then check it was.", "Apologise.", "Fix it."),
			[]string{"long-key@option a"}, []string{"Make the wrong options as long"}},
		{"LongKeyMeanNotLongest", cueSC("mean", "What do you do?", "Apologise, explain what went wrong and give a time.", "Apologise, explain what went wrong and give a date!", "Fix it.", "Wait."),
			[]string{"long-key@option a"}, nil},
		{"LongKeyMissingWord", Question{ID: "mw", Type: MissingWord, Text: "Always give", TextAfter: "to the customer.", Options: []Option{
			{ID: "a", Text: "a time you are sure you can keep", Weight: 100}, {ID: "b", Text: "a date"}, {ID: "c", Text: "hope"}}},
			[]string{"long-key@option a"}, nil},
		{"OKPartialCreditIgnored", Question{ID: "p", Type: SingleChoice, Text: "Which?", Options: []Option{
			{ID: "a", Text: "Right one", Weight: 100}, {ID: "b", Text: "A partly right option that is very long indeed", Weight: 50}, {ID: "c", Text: "Wrong one"}}}, nil, nil},
		{"LongKeyMultipleResponse", cueMR("mr",
			Option{ID: "a", Text: "Say what went wrong and what happens next", Weight: 50},
			Option{ID: "b", Text: "Give a time you can keep and then keep it", Weight: 50},
			Option{ID: "c", Text: "Blame IT"}, Option{ID: "d", Text: "Hang up"}),
			[]string{"long-key@options"}, []string{"right options average"}},
		{"OKMultipleResponseBalanced", cueMR("mr",
			Option{ID: "a", Text: "Say what went wrong", Weight: 50},
			Option{ID: "b", Text: "Blame the system", Weight: -50},
			Option{ID: "c", Text: "Give a time to call", Weight: 50}),
			nil, nil},
		{"AllOfTheAbove", cueSC("all", "Which?", "All of the above.", "Listen to them", "Act at once"),
			[]string{"all-none-of-the-above@option a"}, []string{`"all of the above"`}},
		{"NoneOfTheseMultipleResponse", cueMR("none",
			Option{ID: "a", Text: "Listen", Weight: 100}, Option{ID: "b", Text: "None of these!"}),
			[]string{"all-none-of-the-above@option b"}, nil},
		{"OKAllInsideOtherWords", cueSC("ok", "Which?", "Call them all back", "Call above all", "Call none back"), nil, nil},
		{"DuplicateOption", cueSC("dup", "Which?", "Say sorry", "Call back", "call  BACK!"),
			[]string{"duplicate-option@option c"}, []string{"option c says the same as option b", "Option c"}},
		{"DuplicateOrderingItem", Question{ID: "ord", Type: Ordering, Text: "Order these.", Options: []Option{
			{ID: "a", Text: "Listen"}, {ID: "b", Text: "Act"}, {ID: "c", Text: "Listen."}}},
			[]string{"duplicate-option@option c"}, nil},
		{"DuplicateMatchingPrompt", Question{ID: "m", Type: Matching, Text: "Match.", Pairs: []Pair{
			{ID: "p1", Left: "Reliable", Right: "Does it"}, {ID: "p2", Left: "reliable", Right: "Shows up"}, {ID: "p3", Right: "Extra"}, {ID: "p4", Right: "Extra"}}},
			[]string{"duplicate-option@pair p2"}, nil},
		{"NegativeStemNot", cueSC("neg", "Which of these is NOT part of the promise?", "Jam", "Ham", "Spam"),
			[]string{"negative-stem@stem"}, []string{`"NOT"`}},
		{"NegativeStemExcept", cueSC("neg", "All of these help, except which?", "Jam", "Ham", "Spam"),
			[]string{"negative-stem@stem"}, []string{`"EXCEPT"`}},
		{"NegativeStemLeast", cueSC("neg", "Which matters least?", "Jam", "Ham", "Spam"), []string{"negative-stem@stem"}, nil},
		{"NegativeStemContraction", cueSC("neg", "What shouldn’t you say?", "Jam", "Ham", "Spam"), []string{"negative-stem@stem"}, []string{`"SHOULDN'T"`}},
		{"NegativeStemNever", cueTF("tf", true), nil, nil},
		{"NegativeStemTrueFalse", Question{ID: "tf", Type: TrueFalse, Text: "You should never promise a time."}, []string{"negative-stem@stem"}, []string{`"NEVER"`}},
		{"OKNegativeInScenarioOnly", cueSC("ok", "The engineer did not come. The customer is not happy. What do you say first?", "Jam", "Ham", "Spam"), nil, nil},
		{"OKAtLeast", cueSC("ok", "What should you give at least?", "Jam", "Ham", "Spam"), nil, nil},
		{"OKEssayNegative", Question{ID: "e", Type: Essay, Text: "Say what you would do so it does not happen again."}, nil, nil},
		{"NegativeStemTrueFalseMessage", Question{ID: "tf", Type: TrueFalse, Text: "Colleagues don't count as customers."}, []string{"negative-stem@stem"}, []string{"statement is worded in the negative"}},
		{"OKNotInsideWord", cueSC("ok", "Whose note is it? Nothing else matters.", "Jam", "Ham", "Spam"), nil, nil},
		{"NegativeStemMissingWordAfterBlank", Question{ID: "mw", Type: MissingWord, Text: "The customer has waited. You", TextAfter: "promise a time you can't keep.", Options: []Option{
			{ID: "a", Text: "should", Weight: 100}, {ID: "b", Text: "could"}}},
			[]string{"negative-stem@stem"}, nil},
		{"LooseWildcardLine", cueShort("sa", "*line*"), []string{"loose-wildcard@answer 1"}, []string{`"airline"`, `"no line"`}},
		{"LooseWildcardUpdate", cueShort("sa", "*update*"), []string{"loose-wildcard@answer 1"}, []string{`"no update"`}},
		{"LooseWildcardLimit", cueShort("sa", "*limit*"), []string{"loose-wildcard@answer 1"}, []string{`"unlimited"`}},
		{"LooseWildcardAnyAnswer", cueShort("sa", "*a*"), []string{"loose-wildcard@answer 1"}, []string{"accepts almost any answer"}},
		{"LooseWildcardSecondAnswer", cueShort("sa", "update time", "*confirm*"), []string{"loose-wildcard@answer 2"}, []string{`"unconfirmed"`}},
		{"OKWildcardInflectionsOnly", cueShort("sa", "apologi*"), nil, nil},
		{"LooseWildcardTrailingCompound", cueShort("sa", "limit*"), []string{"loose-wildcard@answer 1"}, []string{`"limitless"`}},
		{"OKNoWildcard", cueShort("sa", "deadline"), nil, nil},
		{"OKZeroWeightPatternIgnored", cueShort("sa", "0:*cost*", "price"), nil, nil},
		{"OKEssay", Question{ID: "e", Type: Essay, Text: "Describe a recovery."}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := CheckQuestion(tt.q)
			if got := cueCodes(ws); !slices.Equal(got, tt.want) {
				t.Fatalf("warnings %q, want %q (%+v)", got, tt.want, ws)
			}
			all := ""
			for _, w := range ws {
				if w.QuestionID != tt.q.ID || w.Title != tt.q.Title || w.Message == "" {
					t.Errorf("warning %+v: want question %q, title %q and a message", w, tt.q.ID, tt.q.Title)
				}
				all += w.Message + "\n"
			}
			for _, s := range tt.says {
				if !strings.Contains(strings.ToLower(all), strings.ToLower(s)) {
					t.Errorf("messages %q do not say %q", all, s)
				}
			}
		})
	}
}

func TestCueWildcardWords(t *testing.T) {
	tests := []struct {
		name      string
		word, lit string
		related   bool
	}{
		{"OKSame", "line", "line", true},
		{"OKPlural", "lines", "line", true},
		{"OKDroppedE", "updating", "update", true},
		{"OKDoubledConsonant", "benefitted", "benefit", true},
		{"OKDerived", "limitation", "limit", true},
		{"OKSpacesIgnored", "callback", "call back", true},
		{"Prefix", "deadline", "line", false},
		{"Opposite", "unlimited", "limit", false},
		{"OtherSuffix", "linen", "line", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cueRelated(tt.word, tt.lit); got != tt.related {
				t.Errorf("cueRelated(%q, %q) = %v, want %v", tt.word, tt.lit, got, tt.related)
			}
		})
	}
	line := cueAccepts("*line*", "line")
	for _, w := range []string{"headline", "deadline", "decline", "linen"} {
		if !slices.Contains(line, w) {
			t.Errorf("*line* accepts %q, not in %q", w, line)
		}
	}
	if slices.Contains(line, "lines") || slices.Contains(line, "lined") {
		t.Errorf("*line* accepts forms of line itself, reported in %q", line)
	}
	if !cueIsWord("headline") || cueIsWord("qzxv") {
		t.Error("the embedded word list should hold headline and not qzxv")
	}
}

func TestCheckBank(t *testing.T) {
	// Short, balanced single-choice questions with the key at position i.
	sc := func(id string, pos int) Question {
		return cueAt(cueSC(id, "Which one?", "Right", "Wrong", "Other", "Third"), pos)
	}
	mr := func(id string, rightFirst bool, wrong int) Question {
		q := cueMR(id, Option{ID: "a", Text: "Good", Weight: 50}, Option{ID: "b", Text: "Fine", Weight: 50})
		for i := 0; i < wrong; i++ {
			q.Options = append(q.Options, Option{ID: giftOptionID(2 + i), Text: "Bad " + giftOptionID(2+i)})
		}
		if !rightFirst {
			q.Options[0], q.Options[len(q.Options)-1] = q.Options[len(q.Options)-1], q.Options[0]
		}
		return q
	}
	tests := []struct {
		name string
		qs   []Question
		want []string // bank-level code@field
		says []string
	}{
		{"OK", []Question{sc("1", 0), sc("2", 1), sc("3", 2), sc("4", 3), mr("5", true, 1), mr("6", false, 2), cueTF("7", true), cueTF("8", false)}, nil, nil},
		{"OKEmpty", nil, nil, nil},
		{"OKTwoQuestionsSamePosition", []Question{sc("1", 0), sc("2", 0)}, nil, nil},
		{"KeyPosition", []Question{sc("1", 0), sc("2", 0), sc("3", 1)},
			[]string{"key-position@options"}, []string{"position 1 in 2 of 3"}},
		{"OKKeyPositionHalf", []Question{sc("1", 2), sc("2", 2), sc("3", 1), sc("4", 0)}, nil, nil},
		{"KeyLongest", []Question{
			cueAt(cueSC("1", "Which?", "Right answer", "Wrong one", "Wrong"), 0),
			cueAt(cueSC("2", "Which?", "Right answer", "Wrong one", "Wrong"), 1),
			cueAt(cueSC("3", "Which?", "Right", "Wrong one", "Wrong"), 2)},
			[]string{"key-longest@options"}, []string{"longest in 2 of 3"}},
		{"RightFirst", []Question{mr("1", true, 1), mr("2", true, 2), mr("3", false, 3)},
			[]string{"right-options-first@options"}, []string{"2 of 3"}},
		{"SameWrongCount", []Question{mr("1", true, 2), mr("2", false, 2)},
			[]string{"same-wrong-count@options"}, []string{"exactly 2 wrong options"}},
		{"TrueFalseBalance", []Question{cueTF("1", false), cueTF("2", false), cueTF("3", false), cueTF("4", true)},
			[]string{"true-false-balance@true/false answers"}, []string{"1 of 4", "25%", `"false"`}},
		{"TrueFalseAllTrue", []Question{cueTF("1", true), cueTF("2", true)},
			[]string{"true-false-balance@true/false answers"}, []string{`"true"`}},
		{"OKTrueFalseOneApart", []Question{cueTF("1", false), cueTF("2", false), cueTF("3", true)}, nil, nil},
		{"OKTrueFalseInRange", []Question{cueTF("1", false), cueTF("2", false), cueTF("3", true), cueTF("4", true), cueTF("5", false)}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bank []CueWarning
			for _, w := range CheckBank(tt.qs) {
				if w.QuestionID == "" {
					bank = append(bank, w)
				}
			}
			if got := cueCodes(bank); !slices.Equal(got, tt.want) {
				t.Fatalf("bank warnings %q, want %q (%+v)", got, tt.want, bank)
			}
			all := ""
			for _, w := range bank {
				all += w.Message + "\n"
			}
			for _, s := range tt.says {
				if !strings.Contains(all, s) {
					t.Errorf("messages %q do not say %q", all, s)
				}
			}
		})
	}
}

func TestCheckBankIncludesQuestionWarnings(t *testing.T) {
	qs := []Question{cueSC("a", "Which is not right?", "Jam", "Ham", "Spam"), cueShort("b", "*line*")}
	got := cueCodes(CheckBank(qs))
	want := []string{"negative-stem@stem", "loose-wildcard@answer 1"}
	if !slices.Equal(got, want) {
		t.Errorf("CheckBank = %q, want %q", got, want)
	}
}

func TestLongestOptionStrategy(t *testing.T) {
	long := cueSC("long", "Which?", "The long right answer", "Short", "Wrong")        // longest is right: 1
	short := cueSC("short", "Which?", "Right", "A much longer wrong answer", "Wrong") // longest is wrong: 0
	tie := cueSC("tie", "Which?", "Right", "Wrong", "Nope")                           // tie of two at 5: 0.5
	mw := Question{ID: "mw", Type: MissingWord, Text: "Give", TextAfter: ".", Options: []Option{{ID: "a", Text: "a time", Weight: 100}, {ID: "b", Text: "hope"}}}
	two := long
	two.Points = 2
	tests := []struct {
		name string
		qs   []Question
		want StrategyScore
	}{
		{"Empty", nil, StrategyScore{}},
		{"LongestRight", []Question{long}, StrategyScore{Items: 1, Points: 1, Max: 1, Percent: 100}},
		{"LongestWrong", []Question{short}, StrategyScore{Items: 1, Points: 0, Max: 1, Percent: 0}},
		{"TieHalf", []Question{tie}, StrategyScore{Items: 1, Points: 0.5, Max: 1, Percent: 50}},
		{"MissingWord", []Question{mw}, StrategyScore{Items: 1, Points: 1, Max: 1, Percent: 100}},
		{"PointsWeigh", []Question{two, short}, StrategyScore{Items: 2, Points: 2, Max: 3, Percent: 66.67}},
		{"CommonerFalse", []Question{cueTF("1", false), cueTF("2", false), cueTF("3", true)}, StrategyScore{Items: 3, Points: 2, Max: 3, Percent: 66.67}},
		{"CommonerTrue", []Question{cueTF("1", true), cueTF("2", true), cueTF("3", true), cueTF("4", false)}, StrategyScore{Items: 4, Points: 3, Max: 4, Percent: 75}},
		{"TrueFalseTieHalf", []Question{cueTF("1", true), cueTF("2", false)}, StrategyScore{Items: 2, Points: 1, Max: 2, Percent: 50}},
		{"OtherTypesNotCounted", []Question{long, cueShort("s", "x"), cueMR("m", Option{ID: "a", Text: "x", Weight: 100}), {ID: "e", Type: Essay}}, StrategyScore{Items: 1, Points: 1, Max: 1, Percent: 100}},
		{"Mixed", []Question{long, short, cueTF("1", false), cueTF("2", false), cueTF("3", true)}, StrategyScore{Items: 5, Points: 3, Max: 5, Percent: 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LongestOptionStrategy(tt.qs); got != tt.want {
				t.Errorf("LongestOptionStrategy = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBankCues(t *testing.T) {
	qs := []Question{
		cueAt(cueSC("1", "Which?", "The long right answer", "Short", "Wrong"), 0),
		cueAt(cueSC("2", "Which?", "Right", "A longer wrong one", "Wrong"), 2),
		cueMR("3", Option{ID: "a", Text: "x", Weight: 100}, Option{ID: "b", Text: "y"}, Option{ID: "c", Text: "z"}),
		cueTF("4", true), cueTF("5", false), cueTF("6", false),
	}
	f := BankCues(qs)
	if f.SingleChoice != 2 || f.KeyLongest != 1 || f.KeyLongestShare() != 0.5 {
		t.Errorf("single choice %d, key longest %d (%v), want 2, 1 (0.5)", f.SingleChoice, f.KeyLongest, f.KeyLongestShare())
	}
	if !slices.Equal(f.KeyPositions, []int{1, 0, 1}) || f.PositionItems != 2 {
		t.Errorf("key positions %v of %d, want [1 0 1] of 2", f.KeyPositions, f.PositionItems)
	}
	if pos, n := f.TopPosition(); pos != 0 || n != 1 {
		t.Errorf("top position %d (%d), want 0 (1)", pos, n)
	}
	if f.MultipleResponse != 1 || f.RightFirst != 1 || f.WrongCounts[2] != 1 {
		t.Errorf("multiple response %d, right first %d, wrong counts %v", f.MultipleResponse, f.RightFirst, f.WrongCounts)
	}
	if f.True != 1 || f.False != 2 {
		t.Errorf("true %d false %d, want 1 and 2", f.True, f.False)
	}
	if f.Strategy.Items != 5 || f.Strategy.Points != 3 {
		t.Errorf("strategy %+v, want 3 of 5", f.Strategy)
	}
}

// BenchmarkCheckBank runs the whole cue check over every built-in bank, as
// the bank pages do for one bank per request.
func BenchmarkCheckBank(b *testing.B) {
	banks, err := BuiltinBanks()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, qs := range banks {
			CheckBank(qs)
		}
	}
}

// FuzzCheckBank runs the cue check over whatever GIFT parses: it must not
// panic, and every warning has a code, a field and a message.
func FuzzCheckBank(f *testing.F) {
	f.Add("::A:: Which is NOT it? {=all of the above ~x ~X.}\n\n::B:: Word? {=*line* =%0%*}\n\n::C:: True. {F}")
	f.Add("::M:: Match {=a -> b =A -> c = -> d}\n\n::O:: Order {>x >x.}")
	f.Add(`Q {=\* ~*}`)
	f.Fuzz(func(t *testing.T, src string) {
		qs, perrs := ParseGIFT(src)
		if len(perrs) > 0 {
			return
		}
		for _, w := range CheckBank(qs) {
			if w.Code == "" || w.Field == "" || w.Message == "" {
				t.Fatalf("incomplete warning %+v", w)
			}
		}
		LongestOptionStrategy(qs)
	})
}
