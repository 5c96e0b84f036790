package assessments_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
)

func aikenQuestion(id, text string, right int, options ...string) question {
	q := question{ID: id, Type: assessments.SingleChoice, Text: text, Points: 1}
	for i, o := range options {
		q.Options = append(q.Options, option{ID: string(rune('a' + i)), Text: o})
	}
	q.Options[right].Weight = 100
	return q
}

func TestParseAiken(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []question
		errs []wantErr
	}{
		{name: "OK", src: "Who owns a complaint?\nA. The manager\nB. The first person who hears it\nC. Nobody\nANSWER: B\n",
			want: []question{aikenQuestion("q1", "Who owns a complaint?", 1, "The manager", "The first person who hears it", "Nobody")}},
		{name: "TwoQuestions", src: "First?\nA. yes\nB. no\nANSWER: A\n\nSecond?\nA) yes\nB) no\nANSWER: B",
			want: []question{aikenQuestion("q1", "First?", 0, "yes", "no"), aikenQuestion("q2", "Second?", 1, "yes", "no")}},
		{name: "NoBlankLineBetween", src: "First?\nA. yes\nB. no\nANSWER: A\nSecond?\nA. yes\nB. no\nANSWER: B",
			want: []question{aikenQuestion("q1", "First?", 0, "yes", "no"), aikenQuestion("q2", "Second?", 1, "yes", "no")}},
		{name: "TextOverSeveralLines", src: "A customer calls back angry.\nWhat first?\nA. Listen\nB. Explain the policy\nANSWER: A",
			want: []question{aikenQuestion("q1", "A customer calls back angry.\nWhat first?", 0, "Listen", "Explain the policy")}},
		{name: "LowerCaseAnswerAndSpacing", src: "  Q?\n  A.   one  \n\tB.\ttwo\nanswer:b",
			want: []question{aikenQuestion("q1", "Q?", 1, "one", "two")}},
		{name: "WindowsLineEndingsAndBOM", src: "\uFEFFQ?\r\nA. one\r\nB. two\r\nANSWER: A\r\n",
			want: []question{aikenQuestion("q1", "Q?", 0, "one", "two")}},
		{name: "LettersOutOfOrder", src: "Q?\nC. one\nA. two\nANSWER: A",
			want: []question{aikenQuestion("q1", "Q?", 1, "one", "two")}},
		{name: "DotWithoutSpaceIsText", src: "A.B. testing works?\nA. yes\nB. no\nANSWER: A",
			want: []question{aikenQuestion("q1", "A.B. testing works?", 0, "yes", "no")}},
		{name: "Empty", src: "\n\n"},

		{name: "ErrMissingAnswerAtEnd", src: "Q?\nA. one\nB. two\n", errs: []wantErr{{1, 1, "no ANSWER"}}},
		{name: "ErrMissingAnswerBeforeNext", src: "Q1?\nA. one\nB. two\n\nQ2?\nA. one\nB. two\nANSWER: A",
			errs: []wantErr{{1, 1, "no ANSWER"}}},
		{name: "ErrAnswerNotAnOption", src: "Q?\nA. one\nB. two\nANSWER: C", errs: []wantErr{{4, 9, `"C" is not one of the option letters A, B`}}},
		{name: "ErrAnswerNotALetter", src: "Q?\nA. one\nB. two\nANSWER:   AB", errs: []wantErr{{4, 11, `"AB"`}}},
		{name: "ErrAnswerEmpty", src: "Q?\nA. one\nB. two\nANSWER:", errs: []wantErr{{4, 1, "needs the letter"}}},
		{name: "ErrOneOption", src: "Q?\nA. one\nANSWER: A", errs: []wantErr{{3, 1, "at least two options"}}},
		{name: "ErrNoOptions", src: "Q?\nANSWER: A", errs: []wantErr{{2, 1, "at least two options"}}},
		{name: "ErrOptionWithoutQuestion", src: "A. one\nB. two\nANSWER: A", errs: []wantErr{{1, 1, "no question above it"}}},
		{name: "ErrAnswerWithoutQuestion", src: "ANSWER: A", errs: []wantErr{{1, 1, "needs a question"}}},
		{name: "ErrRepeatedLetter", src: "Q?\nA. one\nA. two\nANSWER: A", errs: []wantErr{{3, 1, "appears twice"}}},
		{name: "ErrNotUTF8", src: "0\nA) 0\nB) \xff\nANSWER:A", errs: []wantErr{{3, 4, "not UTF-8"}}},
		{name: "ErrNUL", src: "0\nA) 0\nB) 1\x00\nANSWER:A", errs: []wantErr{{3, 5, "control character"}}},
		{name: "ErrEmptyOption", src: "Q?\nA. one\n  B.\nANSWER: A", errs: []wantErr{{3, 3, "has no text"}}},
		{name: "ErrEveryQuestionReported", src: "Q1?\nA. a\nB. b\nANSWER: Z\n\nQ2?\nA. a\nB. b\nANSWER: B\n\nQ3?\nA. a\nANSWER: A",
			errs: []wantErr{{4, 9, "not one of"}, {13, 1, "at least two"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := assessments.ParseAiken(tc.src)
			if len(tc.errs) > 0 {
				if got != nil {
					t.Errorf("got %d questions along with errors", len(got))
				}
				if len(errs) != len(tc.errs) {
					t.Fatalf("got errors %v, want %v", errs, tc.errs)
				}
				for i, w := range tc.errs {
					if e := errs[i]; e.Line != w.line || e.Column != w.col || !strings.Contains(e.Message, w.msg) {
						t.Errorf("error %d = %v, want line %d, column %d, containing %q", i, e, w.line, w.col, w.msg)
					}
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", giftJSON(got), giftJSON(tc.want))
			}
		})
	}
}
