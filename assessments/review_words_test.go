package assessments

import "testing"

func TestAcceptedInWords(t *testing.T) {
	for _, tc := range []struct{ name, pattern, want string }{
		{"Plain", "Check", "Check"},
		{"PlainTrimmed", "  call back  ", "call back"},
		{"Containing", "*check*", "an answer containing “check”"},
		{"StartingWith", "check*", "an answer starting with “check”"},
		{"EndingWith", "*back", "an answer ending with “back”"},
		{"ContainingInOrder", "*follow*up*", "an answer containing “follow”, then “up”"},
		{"StartAndEnd", "follow*up", "an answer starting with “follow” and ending with “up”"},
		{"StartMiddleEnd", "a*b*c", "an answer starting with “a” and containing “b” and ending with “c”"},
		{"OnlyStars", "**", "any answer"},
		{"EscapedStarIsLiteral", `5\*`, "5*"},
		{"EscapedStarInPattern", `*5\**`, "an answer containing “5*”"},
		{"SpacesAroundPieces", "* call  *", "an answer containing “call”"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AcceptedInWords(tc.pattern); got != tc.want {
				t.Errorf("AcceptedInWords(%q) = %q, want %q", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestRightAnswersShortAnswerInWords(t *testing.T) {
	q := &Question{Type: ShortAnswer, Answers: []TextAnswer{
		{Text: "Check", Weight: 100}, {Text: "*check*", Weight: 100}, {Text: "*follow*up*", Weight: 100},
		{Text: "*CHECK*", Weight: 100}, {Text: "*maybe*", Weight: 50},
	}}
	got := RightAnswers(q)
	want := []string{"Check", "an answer containing “check”", "an answer containing “follow”, then “up”", "an answer containing “CHECK”"}
	if len(got) != len(want) {
		t.Fatalf("RightAnswers = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("RightAnswers[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	for _, g := range got {
		if g != "any answer" && (len(g) > 0 && (g[0] == '*' || g[len(g)-1] == '*')) {
			t.Errorf("a pattern leaked into the review: %q", g)
		}
	}
}

func TestAttemptVerdict(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name                                 string
		passed                               *bool
		points, maxPoints, pending, passMark float64
		want                                 Verdict
	}{
		{"PassedRecorded", &yes, 8, 10, 0, 70, VerdictPassed},
		{"FailedRecorded", &no, 5, 10, 0, 70, VerdictFailed},
		{"OutOfReachEvenWithFullEssayMarks", nil, 2, 10, 4, 70, VerdictOutOfReach},
		{"ReachableOnlyWithEssays", nil, 4, 10, 4, 70, VerdictPending},
		{"ExactlyReachableIsPending", nil, 3, 10, 4, 70, VerdictPending},
		{"AssuredWithoutEssays", nil, 7, 10, 3, 70, VerdictAssured},
		{"NoMaximumIsPending", nil, 0, 0, 0, 70, VerdictPending},
		{"TwoThirdsRoundsToThePassMark", nil, 1, 3, 1, 66.67, VerdictPending},
		{"JustShortAfterRounding", nil, 1, 3, 0.99, 66.67, VerdictOutOfReach},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AttemptVerdict(tc.passed, tc.points, tc.maxPoints, tc.pending, tc.passMark); got != tc.want {
				t.Errorf("AttemptVerdict(%v, %v, %v, %v, %v) = %q, want %q", tc.passed, tc.points, tc.maxPoints, tc.pending, tc.passMark, got, tc.want)
			}
		})
	}
}
