package assessments_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store"
)

const general = "Remember the six Cs."

// scoreCase is one named Score case; feedback is compared exactly (nil and
// empty are the same).
type scoreCase struct {
	name     string
	q        *assessments.Question
	r        assessments.Response
	fraction float64
	feedback []string
}

func runScoreCases(t *testing.T, cases []scoreCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := assessments.Score(tc.q, tc.r)
			if math.Abs(got.Fraction-tc.fraction) > 1e-9 {
				t.Errorf("Fraction = %v, want %v", got.Fraction, tc.fraction)
			}
			points := tc.q.Points
			if points <= 0 {
				points = 1
			}
			if math.Abs(got.Points-tc.fraction*points) > 1e-9 {
				t.Errorf("Points = %v, want %v", got.Points, tc.fraction*points)
			}
			if got.NeedsGrading {
				t.Errorf("NeedsGrading = true for a %s question", tc.q.Type)
			}
			if !slices.Equal(got.Feedback, tc.feedback) {
				t.Errorf("Feedback = %q, want %q", got.Feedback, tc.feedback)
			}
		})
	}
}

func choiceQuestion(typ assessments.Type) *assessments.Question {
	return &assessments.Question{
		ID: "q-choice", Type: typ, Points: 2, GeneralFeedback: general,
		Options: []assessments.Option{
			{ID: "a", Text: "Greet the customer", Weight: 100, Feedback: "Right"},
			{ID: "b", Text: "Ignore them", Weight: 0, Feedback: "Wrong"},
			{ID: "c", Text: "Nod", Weight: 50, Feedback: "Half"},
			{ID: "d", Text: "Over-authored", Weight: 150, Feedback: "Over"},
			{ID: "e", Text: "Argue", Weight: -50, Feedback: "Negative"},
			{ID: "f", Text: "Silent", Weight: 0},
		},
	}
}

func TestScoreSingleChoice(t *testing.T) {
	for _, typ := range []assessments.Type{assessments.SingleChoice, assessments.MissingWord} {
		q := choiceQuestion(typ)
		t.Run(string(typ), func(t *testing.T) {
			runScoreCases(t, []scoreCase{
				{"OKRight", q, assessments.Response{Choice: "a"}, 1, []string{"Right", general}},
				{"OKWrong", q, assessments.Response{Choice: "b"}, 0, []string{"Wrong", general}},
				{"OKPartialWeight", q, assessments.Response{Choice: "c"}, 0.5, []string{"Half", general}},
				{"OKWeightAboveHundredClamped", q, assessments.Response{Choice: "d"}, 1, []string{"Over", general}},
				{"OKNegativeWeightClampedToZero", q, assessments.Response{Choice: "e"}, 0, []string{"Negative", general}},
				{"OKNoOptionFeedback", q, assessments.Response{Choice: "f"}, 0, []string{general}},
				{"OKUnknownOptionScoresZero", q, assessments.Response{Choice: "zz"}, 0, []string{general}},
				{"OKNothingChosen", q, assessments.Response{}, 0, []string{general}},
				{"OKChoicesIgnored", q, assessments.Response{Choices: []string{"a"}}, 0, []string{general}},
			})
		})
	}
	noGeneral := choiceQuestion(assessments.SingleChoice)
	noGeneral.GeneralFeedback = ""
	zeroPoints := choiceQuestion(assessments.SingleChoice)
	zeroPoints.Points = 0
	negPoints := choiceQuestion(assessments.SingleChoice)
	negPoints.Points = -3
	runScoreCases(t, []scoreCase{
		{"OKNoGeneralFeedback", noGeneral, assessments.Response{Choice: "a"}, 1, []string{"Right"}},
		{"OKPointsZeroMeansOne", zeroPoints, assessments.Response{Choice: "c"}, 0.5, []string{"Half", general}},
		{"OKNegativePointsMeanOne", negPoints, assessments.Response{Choice: "a"}, 1, []string{"Right", general}},
	})
	if got := assessments.Score(zeroPoints, assessments.Response{Choice: "c"}); got.Points != 0.5 {
		t.Errorf("Points 0 question: Points = %v, want 0.5", got.Points)
	}
}

func TestScoreTrueFalse(t *testing.T) {
	tq := &assessments.Question{ID: "tf", Type: assessments.TrueFalse, Correct: true, Points: 1,
		TrueFeedback: "You said true", FalseFeedback: "You said false", GeneralFeedback: general}
	fq := *tq
	fq.Correct = false
	bare := &assessments.Question{ID: "tf2", Type: assessments.TrueFalse, Correct: true}
	runScoreCases(t, []scoreCase{
		{"OKTrueWhenTrue", tq, assessments.Response{Choice: "true"}, 1, []string{"You said true", general}},
		{"OKFalseWhenTrue", tq, assessments.Response{Choice: "false"}, 0, []string{"You said false", general}},
		{"OKFalseWhenFalse", &fq, assessments.Response{Choice: "false"}, 1, []string{"You said false", general}},
		{"OKTrueWhenFalse", &fq, assessments.Response{Choice: "true"}, 0, []string{"You said true", general}},
		{"OKNoAnswer", tq, assessments.Response{}, 0, []string{general}},
		{"OKNotLowercaseIsNoAnswer", tq, assessments.Response{Choice: "TRUE"}, 0, []string{general}},
		{"OKOtherWordIsNoAnswer", &fq, assessments.Response{Choice: "no"}, 0, []string{general}},
		{"OKNoFeedbackAuthored", bare, assessments.Response{Choice: "true"}, 1, nil},
	})
}

func TestScoreMultipleResponse(t *testing.T) {
	opts := []assessments.Option{
		{ID: "a", Weight: 50, Feedback: "fa"},
		{ID: "b", Weight: 50, Feedback: "fb"},
		{ID: "c", Weight: -50, Feedback: "fc"},
		{ID: "d", Weight: -100, Feedback: "fd"},
		{ID: "e", Weight: 0},
	}
	q := &assessments.Question{ID: "mr", Type: assessments.MultipleResponse, Points: 4, Options: opts, GeneralFeedback: general}
	aon := &assessments.Question{ID: "mr-aon", Type: assessments.MultipleResponse, Points: 4, Options: opts, AllOrNothing: true}
	over := &assessments.Question{ID: "mr-over", Type: assessments.MultipleResponse, Options: []assessments.Option{
		{ID: "x", Weight: 60}, {ID: "y", Weight: 60}, {ID: "z", Weight: -10},
	}}
	thirds := &assessments.Question{ID: "mr-thirds", Type: assessments.MultipleResponse, Options: []assessments.Option{
		{ID: "x", Weight: 33.33333}, {ID: "y", Weight: 33.33333}, {ID: "z", Weight: 33.33333}, {ID: "w", Weight: -100},
	}}
	choose := func(ids ...string) assessments.Response { return assessments.Response{Choices: ids} }
	runScoreCases(t, []scoreCase{
		{"OKBothRight", q, choose("a", "b"), 1, []string{"fa", "fb", general}},
		{"OKOneRight", q, choose("a"), 0.5, []string{"fa", general}},
		{"OKNegativeWeightSubtracts", q, choose("a", "b", "c"), 0.5, []string{"fa", "fb", "fc", general}},
		{"OKTotalBelowZeroClamped", q, choose("a", "d"), 0, []string{"fa", "fd", general}},
		{"OKOnlyWrong", q, choose("c", "d"), 0, []string{"fc", "fd", general}},
		{"OKDuplicatesCountedOnce", q, choose("a", "a", "a"), 0.5, []string{"fa", general}},
		{"OKUnknownIDsIgnored", q, choose("a", "zz", ""), 0.5, []string{"fa", general}},
		{"OKZeroWeightOptionHarmless", q, choose("a", "b", "e"), 1, []string{"fa", "fb", general}},
		{"OKFeedbackInAuthoredOrder", q, choose("b", "a"), 1, []string{"fa", "fb", general}},
		{"OKNothingChosen", q, choose(), 0, []string{general}},
		{"OKTotalAboveHundredClamped", over, choose("x", "y"), 1, nil},
		{"OKAboveHundredMinusWrongStillClamped", over, choose("x", "y", "z"), 1, nil},
		{"OKThirds", thirds, choose("x", "y"), 0.6666666, nil},
		{"OKAllThirdsMinusWrong", thirds, choose("x", "y", "z", "w"), 0, nil},

		{"OKAllOrNothingExact", aon, choose("a", "b"), 1, []string{"fa", "fb"}},
		{"OKAllOrNothingOrderAndDuplicatesIgnored", aon, choose("b", "a", "b"), 1, []string{"fa", "fb"}},
		{"OKAllOrNothingSubset", aon, choose("a"), 0, []string{"fa"}},
		{"OKAllOrNothingPlusZeroWeight", aon, choose("a", "b", "e"), 0, []string{"fa", "fb"}},
		{"OKAllOrNothingPlusNegative", aon, choose("a", "b", "c"), 0, []string{"fa", "fb", "fc"}},
		{"OKAllOrNothingUnknownIgnored", aon, choose("a", "b", "zz"), 1, []string{"fa", "fb"}},
		{"OKAllOrNothingNothingChosen", aon, choose(), 0, nil},
		{"OKAllOrNothingOnlyWrong", aon, choose("c", "d", "e"), 0, []string{"fc", "fd"}},
	})
}

func TestScoreShortAnswer(t *testing.T) {
	sa := func(answers ...assessments.TextAnswer) *assessments.Question {
		return &assessments.Question{ID: "sa", Type: assessments.ShortAnswer, Points: 1, Answers: answers}
	}
	ans := func(text string, w float64, fb string) assessments.TextAnswer {
		return assessments.TextAnswer{Text: text, Weight: w, Feedback: fb}
	}
	text := func(s string) assessments.Response { return assessments.Response{Text: s} }

	tiered := sa(ans("Customer First", 100, "Exactly"), ans("customer*", 50, "Close"), ans("*", 0, "Not quite"))
	tiered.GeneralFeedback = general
	middle := sa(ans("*listen*", 100, ""))
	start := sa(ans("*ing", 100, ""))
	inner := sa(ans("acknowledge * apologise", 100, ""))
	several := sa(ans("a*b*c", 100, ""))
	unicodeQ := sa(ans("Crème BRÛLÉE", 100, "fr"), ans("ΟΔΥΣΣΕΥΣ", 100, "gr"), ans("ÉCOLE  NORMALE", 100, "fr2"))
	literal := sa(ans(`5\* rating`, 100, "literal"))
	anchored := sa(ans("yes", 100, ""))
	ties := sa(ans("thank*", 80, "first"), ans("*you", 80, "second"), ans("thank you", 60, "lower"))
	negative := sa(ans("never", -50, "Never say never"), ans("now", 100, "Good"))
	runScoreCases(t, []scoreCase{
		{"OKExact", tiered, text("customer first"), 1, []string{"Exactly", general}},
		{"OKCaseAndWhiteSpace", tiered, text("  CUSTOMER\t\n  first  "), 1, []string{"Exactly", general}},
		{"OKBestWeightWins", tiered, text("Customer First"), 1, []string{"Exactly", general}},
		{"OKWildcardAtEnd", tiered, text("customers matter"), 0.5, []string{"Close", general}},
		{"OKWildcardAtEndEmptyRun", tiered, text("Customer"), 0.5, []string{"Close", general}},
		{"OKCatchAllFeedback", tiered, text("banana"), 0, []string{"Not quite", general}},
		{"OKEmptyMatchesCatchAll", tiered, text(""), 0, []string{"Not quite", general}},

		{"OKWildcardBothEnds", middle, text("Active listening skills"), 1, nil},
		{"OKWildcardBothEndsEmptyRuns", middle, text("LISTEN"), 1, nil},
		{"OKWildcardBothEndsNoMatch", middle, text("lis ten"), 0, nil},
		{"OKWildcardAtStart", start, text("Listening"), 1, nil},
		{"OKWildcardAtStartOnlySuffix", start, text("ing"), 1, nil},
		{"OKWildcardAtStartAnchoredEnd", start, text("listen"), 0, nil},
		{"OKWildcardAtStartAnchoredEndTrailing", start, text("ringing bell"), 0, nil},
		{"OKWildcardInMiddle", inner, text("Acknowledge them, then  APOLOGISE"), 1, nil},
		{"OKWildcardInMiddleLongRun", inner, text("acknowledge the feeling and then apologise"), 1, nil},
		{"OKWildcardInMiddleSpacesAreLiteral", inner, text("acknowledge apologise"), 0, nil},
		{"OKWildcardInMiddleNeedsTheSpace", inner, text("acknowledge, then apologise"), 0, nil},
		{"OKWildcardInMiddleWrongEnd", inner, text("acknowledge then argue"), 0, nil},
		{"OKSeveralWildcards", several, text("AxxByyC"), 1, nil},
		{"OKSeveralWildcardsEmptyRuns", several, text("abc"), 1, nil},
		{"OKSeveralWildcardsBacktrack", several, text("abcbc"), 1, nil},
		{"OKSeveralWildcardsWrongOrder", several, text("acb"), 0, nil},
		{"OKSeveralWildcardsAnchoredEnd", several, text("abcd"), 0, nil},

		{"OKUnicodeAccentsFolded", unicodeQ, text("crème brûlée"), 1, []string{"fr"}},
		{"OKUnicodeFinalSigma", unicodeQ, text("οδυσσευς"), 1, []string{"gr"}},
		{"OKUnicodeCollapsedSpaces", unicodeQ, text("école\u00a0normale"), 1, []string{"fr2"}},
		{"OKUnicodeAccentMatters", unicodeQ, text("creme brulee"), 0, nil},

		{"OKEscapedAsteriskLiteral", literal, text("5* Rating"), 1, []string{"literal"}},
		{"OKEscapedAsteriskNotWildcard", literal, text("5 star rating"), 0, nil},
		{"OKAnchoredNoPrefix", anchored, text("oh yes"), 0, nil},
		{"OKAnchoredNoSuffix", anchored, text("yes please"), 0, nil},
		{"OKTieGoesToFirst", ties, text("Thank you"), 0.8, []string{"first"}},
		{"OKNegativeWeightFeedback", negative, text("Never"), 0, []string{"Never say never"}},
		{"OKNegativeWeightOtherAnswer", negative, text("now"), 1, []string{"Good"}},
		{"OKNoAnswersAuthored", sa(), text("anything"), 0, nil},
	})
}

func TestScoreNumeric(t *testing.T) {
	q := &assessments.Question{ID: "num", Type: assessments.Numeric, Points: 5, GeneralFeedback: general, Numbers: []assessments.NumericAnswer{
		{Value: 3.5, Tolerance: 0.1, Weight: 100, Feedback: "Right"},
		{Value: 3.5, Tolerance: 0.5, Weight: 50, Feedback: "Close"},
		{IsRange: true, Min: 10, Max: 20, Weight: 80, Feedback: "In range"},
	}}
	odd := &assessments.Question{ID: "num2", Type: assessments.Numeric, Numbers: []assessments.NumericAnswer{
		{IsRange: true, Min: 200, Max: 100, Weight: 100, Feedback: "reversed range"},
		{Value: -2, Tolerance: -0.5, Weight: 70, Feedback: "negative tolerance"},
		{Value: 0.3, Weight: 90, Feedback: "exact"},
		{Value: 1e6, Tolerance: 0.001, Weight: 60, Feedback: "big"},
	}}
	text := func(s string) assessments.Response { return assessments.Response{Text: s} }
	nan := []string{assessments.FeedbackNotANumber, general}
	runScoreCases(t, []scoreCase{
		{"OKExact", q, text("3.5"), 1, []string{"Right", general}},
		{"OKDecimalComma", q, text("3,5"), 1, []string{"Right", general}},
		{"OKSurroundingSpaces", q, text("  3.5\n"), 1, []string{"Right", general}},
		{"OKToleranceUpperBoundInclusive", q, text("3.6"), 1, []string{"Right", general}},
		{"OKToleranceLowerBoundInclusive", q, text("3,4"), 1, []string{"Right", general}},
		{"OKJustOutsideFallsToWider", q, text("3.61"), 0.5, []string{"Close", general}},
		{"OKWiderUpperBoundInclusive", q, text("4"), 0.5, []string{"Close", general}},
		{"OKWiderLowerBoundInclusive", q, text("3.0"), 0.5, []string{"Close", general}},
		{"OKOutsideEverything", q, text("4.01"), 0, []string{general}},
		{"OKNegativeOutside", q, text("-3.5"), 0, []string{general}},
		{"OKExponent", q, text("0.35e1"), 1, []string{"Right", general}},
		{"OKPlusSign", q, text("+3.5"), 1, []string{"Right", general}},
		{"OKRangeLowInclusive", q, text("10"), 0.8, []string{"In range", general}},
		{"OKRangeHighInclusive", q, text("20.0"), 0.8, []string{"In range", general}},
		{"OKRangeInside", q, text("15,25"), 0.8, []string{"In range", general}},
		{"OKRangeJustAbove", q, text("20.0001"), 0, []string{general}},
		{"OKRangeJustBelow", q, text("9,999"), 0, []string{general}},

		{"OKReversedRange", odd, text("150"), 1, []string{"reversed range"}},
		{"OKReversedRangeBound", odd, text("100"), 1, []string{"reversed range"}},
		{"OKNegativeToleranceIsAbsolute", odd, text("-1.5"), 0.7, []string{"negative tolerance"}},
		{"OKTypographicMinus", odd, text("\u22122"), 0.7, []string{"negative tolerance"}},
		{"OKZeroToleranceExact", odd, text("0.3"), 0.9, []string{"exact"}},
		{"OKZeroToleranceOff", odd, text("0.30001"), 0, nil},
		{"OKBigValueTolerance", odd, text("1000000.001"), 0.6, []string{"big"}},
		{"OKBigValueOutside", odd, text("1000000.002"), 0, nil},

		{"ErrNotANumberWord", q, text("three and a half"), 0, nan},
		{"ErrNotANumberEmpty", q, text("   "), 0, nan},
		{"ErrNotANumberCommaAndDot", q, text("1,234.5"), 0, nan},
		{"ErrNotANumberTwoCommas", q, text("1,2,3"), 0, nan},
		{"ErrNotANumberTwoDots", q, text("3.5.1"), 0, nan},
		{"ErrNotANumberInf", q, text("Inf"), 0, nan},
		{"ErrNotANumberNaN", q, text("NaN"), 0, nan},
		{"ErrNotANumberHex", q, text("0x10"), 0, nan},
		{"ErrNotANumberUnderscore", q, text("1_0"), 0, nan},
		{"ErrNotANumberOverflow", q, text("1e999"), 0, nan},
		{"ErrNotANumberUnit", q, text("3.5 kg"), 0, nan},
		{"ErrNotANumberInnerSpace", q, text("3 5"), 0, nan},
	})
}

func TestScoreMatching(t *testing.T) {
	q := &assessments.Question{ID: "match", Type: assessments.Matching, Points: 4, GeneralFeedback: general, Pairs: []assessments.Pair{
		{ID: "p1", Left: "Greet", Right: "Smile and say hello"},
		{ID: "p2", Left: "Listen", Right: "Let them finish"},
		{ID: "p3", Left: "Resolve", Right: "Fix it"},
		{ID: "d1", Right: "Blame the system"}, // distractor
		{ID: "p4", Left: "Follow up", Right: "Fix it"},
	}}
	onlyDistractors := &assessments.Question{ID: "m2", Type: assessments.Matching, Pairs: []assessments.Pair{{ID: "d", Right: "x"}}}
	m := func(kv ...string) assessments.Response {
		r := assessments.Response{Matches: map[string]string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Matches[kv[i]] = kv[i+1]
		}
		return r
	}
	g := []string{general}
	runScoreCases(t, []scoreCase{
		{"OKAllCorrect", q, m("p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"), 1, g},
		{"OKDuplicateRightsInterchangeable", q, m("p1", "p1", "p2", "p2", "p3", "p4", "p4", "p3"), 1, g},
		{"OKDuplicateRightChosenTwice", q, m("p1", "p1", "p2", "p2", "p3", "p3", "p4", "p3"), 1, g},
		{"OKDistractorChosen", q, m("p1", "d1", "p2", "p2", "p3", "p3", "p4", "p4"), 0.75, g},
		{"OKSwapped", q, m("p1", "p2", "p2", "p1", "p3", "p3", "p4", "p4"), 0.5, g},
		{"OKOneLeftUnanswered", q, m("p2", "p2", "p3", "p3", "p4", "p4"), 0.75, g},
		{"OKEmptyChoice", q, m("p1", "", "p2", "p2", "p3", "p3", "p4", "p4"), 0.75, g},
		{"OKUnknownPairWrong", q, m("p1", "zz", "p2", "p2", "p3", "p3", "p4", "p4"), 0.75, g},
		{"OKEverythingToOneRight", q, m("p1", "p3", "p2", "p3", "p3", "p3", "p4", "p3"), 0.5, g},
		{"OKDistractorKeyIgnored", q, m("d1", "d1", "p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"), 1, g},
		{"OKNothing", q, assessments.Response{}, 0, g},
		{"OKNoLeftItems", onlyDistractors, m("d", "d"), 0, nil},
	})
}

func TestScoreOrdering(t *testing.T) {
	q := &assessments.Question{ID: "ord", Type: assessments.Ordering, Points: 4, GeneralFeedback: general, Options: []assessments.Option{
		{ID: "o1", Text: "Greet"}, {ID: "o2", Text: "Listen"}, {ID: "o3", Text: "Resolve"}, {ID: "o4", Text: "Thank"},
	}}
	empty := &assessments.Question{ID: "ord0", Type: assessments.Ordering}
	order := func(ids ...string) assessments.Response { return assessments.Response{Order: ids} }
	g := []string{general}
	runScoreCases(t, []scoreCase{
		{"OKCorrect", q, order("o1", "o2", "o3", "o4"), 1, g},
		{"OKReversed", q, order("o4", "o3", "o2", "o1"), 0, g},
		{"OKAdjacentSwap", q, order("o2", "o1", "o3", "o4"), 0.5, g},
		{"OKMiddleSwap", q, order("o1", "o3", "o2", "o4"), 0.5, g},
		{"OKOuterSwap", q, order("o4", "o2", "o3", "o1"), 0.5, g},
		{"OKThreeCycleOneInPlace", q, order("o2", "o3", "o1", "o4"), 0.25, g},
		// Position, not longest common subsequence: a rotation keeps three
		// in relative order but none in its place.
		{"OKRotationScoresZero", q, order("o2", "o3", "o4", "o1"), 0, g},
		{"ErrDuplicate", q, order("o1", "o1", "o3", "o4"), 0, g},
		{"ErrMissingItem", q, order("o1", "o2", "o3"), 0, g},
		{"ErrExtraItem", q, order("o1", "o2", "o3", "o4", "o4"), 0, g},
		{"ErrUnknownItem", q, order("o1", "o2", "o3", "zz"), 0, g},
		{"ErrNoOrder", q, order(), 0, g},
		{"OKNoItemsAuthored", empty, order(), 0, nil},
	})
}

func TestScoreEssay(t *testing.T) {
	q := &assessments.Question{ID: "essay", Type: assessments.Essay, Points: 10, GeneralFeedback: general}
	for _, tc := range []struct {
		name string
		r    assessments.Response
	}{
		{"OKWithText", assessments.Response{Text: "I would listen first, then..."}},
		{"OKEmptyText", assessments.Response{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := assessments.Score(q, tc.r)
			want := assessments.Result{NeedsGrading: true, Feedback: []string{general}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Score = %+v, want %+v", got, want)
			}
		})
	}
}

func TestScoreOddQuestions(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    *assessments.Question
	}{
		{"OKNilQuestion", nil},
		{"OKUnknownType", &assessments.Question{Type: "hotspot", Options: []assessments.Option{{ID: "a", Weight: 100}}}},
		{"OKNoType", &assessments.Question{Options: []assessments.Option{{ID: "a", Weight: 100}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := assessments.Score(tc.q, assessments.Response{Choice: "a", Text: "a"})
			if got.Fraction != 0 || got.Points != 0 || got.NeedsGrading || len(got.Feedback) != 0 {
				t.Errorf("Score = %+v, want zero", got)
			}
		})
	}
}

func TestScoreValidateResponse(t *testing.T) {
	choice := choiceQuestion(assessments.SingleChoice)
	missing := choiceQuestion(assessments.MissingWord)
	multi := choiceQuestion(assessments.MultipleResponse)
	tf := &assessments.Question{ID: "tf", Type: assessments.TrueFalse}
	short := &assessments.Question{ID: "sa", Type: assessments.ShortAnswer}
	num := &assessments.Question{ID: "num", Type: assessments.Numeric}
	essay := &assessments.Question{ID: "essay", Type: assessments.Essay}
	match := &assessments.Question{ID: "match", Type: assessments.Matching, Pairs: []assessments.Pair{
		{ID: "p1", Left: "A", Right: "1"}, {ID: "p2", Left: "B", Right: "2"}, {ID: "d1", Right: "3"},
	}}
	ord := &assessments.Question{ID: "ord", Type: assessments.Ordering, Options: []assessments.Option{{ID: "o1"}, {ID: "o2"}, {ID: "o3"}}}
	odd := &assessments.Question{ID: "odd", Type: "hotspot"}

	longest := strings.Repeat("é", assessments.MaxResponseText)
	tooLong := longest + "x"
	many := make([]string, assessments.MaxResponseChoices+1)
	for i := range many {
		many[i] = "a"
	}
	for _, tc := range []struct {
		name string
		q    *assessments.Question
		r    assessments.Response
		err  string // a part of the message; "" means valid
	}{
		{"OKSingleChoice", choice, assessments.Response{Choice: "c"}, ""},
		{"OKSingleChoiceBlank", choice, assessments.Response{}, ""},
		{"OKMissingWord", missing, assessments.Response{Choice: "a"}, ""},
		{"OKTrue", tf, assessments.Response{Choice: "true"}, ""},
		{"OKFalse", tf, assessments.Response{Choice: "false"}, ""},
		{"OKTrueFalseBlank", tf, assessments.Response{}, ""},
		{"OKMultiple", multi, assessments.Response{Choices: []string{"a", "c", "a"}}, ""},
		{"OKMultipleNone", multi, assessments.Response{}, ""},
		{"OKMultipleAtLimit", multi, assessments.Response{Choices: many[1:]}, ""},
		{"OKShortAnswerLongest", short, assessments.Response{Text: longest}, ""},
		{"OKNumericNotANumberIsAWrongAnswer", num, assessments.Response{Text: "abc"}, ""},
		{"OKEssayLongest", essay, assessments.Response{Text: longest}, ""},
		{"OKMatching", match, assessments.Response{Matches: map[string]string{"p1": "d1", "p2": ""}}, ""},
		{"OKMatchingBlank", match, assessments.Response{}, ""},
		{"OKOrdering", ord, assessments.Response{Order: []string{"o3", "o1", "o2"}}, ""},
		{"OKOrderingBlank", ord, assessments.Response{}, ""},
		{"OKUnusedFieldsIgnored", choice, assessments.Response{Choice: "a", Choices: []string{"zz"}, Order: []string{"zz"}}, ""},

		{"ErrSingleChoiceUnknownOption", choice, assessments.Response{Choice: "zz"}, "not one of this question's options"},
		{"ErrMissingWordUnknownOption", missing, assessments.Response{Choice: "zz"}, "not one of this question's options"},
		{"ErrTrueFalseYes", tf, assessments.Response{Choice: "yes"}, "true or false"},
		{"ErrTrueFalseCapitalised", tf, assessments.Response{Choice: "True"}, "true or false"},
		{"ErrMultipleUnknownOption", multi, assessments.Response{Choices: []string{"a", "zz"}}, "not one of this question's options"},
		{"ErrMultipleEmptyID", multi, assessments.Response{Choices: []string{""}}, "not one of this question's options"},
		{"ErrMultipleTooMany", multi, assessments.Response{Choices: many}, "lists 1001 options"},
		{"ErrShortAnswerTooLong", short, assessments.Response{Text: tooLong}, "10001 characters long; the limit is 10000"},
		{"ErrEssayTooLong", essay, assessments.Response{Text: tooLong}, "the limit is 10000"},
		{"ErrNumericTooLong", num, assessments.Response{Text: tooLong}, "the limit is 10000"},
		{"ErrTextTooLongOnAnyType", choice, assessments.Response{Choice: "a", Text: tooLong}, "the limit is 10000"},
		{"ErrInvalidUTF8", essay, assessments.Response{Text: "caf\xe9"}, "cannot be read"},
		{"ErrMatchingUnknownLeft", match, assessments.Response{Matches: map[string]string{"zz": "p1"}}, "matches an item that is not in this question"},
		{"ErrMatchingDistractorAsLeft", match, assessments.Response{Matches: map[string]string{"d1": "p1"}}, "matches an item that is not in this question"},
		{"ErrMatchingUnknownRight", match, assessments.Response{Matches: map[string]string{"p1": "zz"}}, "chooses a match that is not in this question"},
		{"ErrOrderingUnknownItem", ord, assessments.Response{Order: []string{"o1", "o2", "zz"}}, "item that is not in this question"},
		{"ErrOrderingDuplicate", ord, assessments.Response{Order: []string{"o1", "o1", "o2"}}, "lists an item twice"},
		{"ErrOrderingPartial", ord, assessments.Response{Order: []string{"o1", "o2"}}, "has 2 of the 3 items"},
		{"ErrOrderingTooMany", ord, assessments.Response{Order: []string{"o1", "o2", "o3", "o1"}}, "lists an item twice"},
		{"ErrUnknownType", odd, assessments.Response{}, "cannot be answered"},
		{"ErrNilQuestion", nil, assessments.Response{}, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := assessments.ValidateResponse(tc.q, tc.r)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("ValidateResponse = %v, want nil", err)
				}
				return
			}
			var re *assessments.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("ValidateResponse = %v (%T), want a *ResponseError", err, err)
			}
			if !strings.Contains(re.Message, tc.err) {
				t.Errorf("Message = %q, want it to contain %q", re.Message, tc.err)
			}
			wantID := ""
			if tc.q != nil {
				wantID = tc.q.ID
			}
			if re.QuestionID != wantID || store.FieldOf(err) != wantID {
				t.Errorf("QuestionID = %q, field %q, want %q", re.QuestionID, store.FieldOf(err), wantID)
			}
			if store.KindOf(err) != store.Invalid || store.MessageOf(err) != re.Message {
				t.Errorf("as store error: kind %v message %q, want Invalid with the same message", store.KindOf(err), store.MessageOf(err))
			}
		})
	}
}

func TestScoreAttempt(t *testing.T) {
	single := choiceQuestion(assessments.SingleChoice) // 2 points
	multi := &assessments.Question{ID: "mr", Type: assessments.MultipleResponse, Options: []assessments.Option{
		{ID: "a", Weight: 50}, {ID: "b", Weight: 50},
	}} // 1 point
	essay := &assessments.Question{ID: "essay", Type: assessments.Essay, Points: 3}
	short := &assessments.Question{ID: "sa", Type: assessments.ShortAnswer, GeneralFeedback: "Say thank you.",
		Answers: []assessments.TextAnswer{{Text: "*", Weight: 100}}}

	t.Run("OKMixed", func(t *testing.T) {
		got := assessments.ScoreAttempt([]assessments.AttemptQuestion{
			{Question: single, Response: assessments.Response{Choice: "a"}, Answered: true},
			{Question: multi, Response: assessments.Response{Choices: []string{"b"}}, Answered: true},
			{Question: essay, Response: assessments.Response{Text: "..."}, Answered: true},
			{Question: short, Response: assessments.Response{Text: "would match"}, Answered: false},
			{Question: nil, Answered: true},
		})
		if got.Points != 2.5 || got.MaxPoints != 7 || got.Pending != 1 {
			t.Errorf("Points %v / %v, Pending %d; want 2.5 / 7, 1", got.Points, got.MaxPoints, got.Pending)
		}
		if math.Abs(got.Percent-100*2.5/7) > 1e-9 {
			t.Errorf("Percent = %v, want %v", got.Percent, 100*2.5/7)
		}
		if len(got.PerQuestion) != 5 {
			t.Fatalf("PerQuestion has %d results, want 5", len(got.PerQuestion))
		}
		if r := got.PerQuestion[2]; !r.NeedsGrading {
			t.Errorf("essay result %+v, want NeedsGrading", r)
		}
		if r := got.PerQuestion[3]; r.Fraction != 0 || !slices.Equal(r.Feedback, []string{"Say thank you."}) {
			t.Errorf("unanswered result %+v, want 0 with only the general feedback", r)
		}
		if r := got.PerQuestion[4]; !reflect.DeepEqual(r, assessments.Result{}) {
			t.Errorf("nil question result %+v, want zero", r)
		}
	})
	t.Run("OKUnansweredEssayNotPending", func(t *testing.T) {
		got := assessments.ScoreAttempt([]assessments.AttemptQuestion{{Question: essay, Answered: false}})
		if got.Pending != 0 || got.MaxPoints != 3 || got.Percent != 0 {
			t.Errorf("got %+v, want Pending 0, MaxPoints 3, Percent 0", got)
		}
	})
	t.Run("OKAllRight", func(t *testing.T) {
		got := assessments.ScoreAttempt([]assessments.AttemptQuestion{
			{Question: single, Response: assessments.Response{Choice: "a"}, Answered: true},
			{Question: multi, Response: assessments.Response{Choices: []string{"a", "b"}}, Answered: true},
		})
		if got.Percent != 100 || !assessments.Passed(got.Percent, 100) {
			t.Errorf("Percent = %v, want 100 and a pass at 100", got.Percent)
		}
	})
	t.Run("OKEmpty", func(t *testing.T) {
		got := assessments.ScoreAttempt(nil)
		if got.Points != 0 || got.MaxPoints != 0 || got.Percent != 0 || got.PerQuestion == nil {
			t.Errorf("got %+v, want zeros and an empty (not nil) PerQuestion", got)
		}
	})
}

func TestScorePassed(t *testing.T) {
	for _, tc := range []struct {
		name              string
		percent, passMark float64
		want              bool
	}{
		{"OKExactlyAtMark", 70, 70, true},
		{"OKRoundsUpToMark", 69.9999, 70, true},
		{"OKRoundsUpAtThirdDecimal", 69.996, 70, true},
		{"ErrRoundsDownBelowMark", 69.994, 70, false},
		{"ErrOneHundredthBelow", 69.99, 70, false},
		{"OKAboveMark", 85, 70, true},
		{"OKTwoThirdsAtRoundedMark", 200.0 / 3, 66.67, true},
		{"ErrTwoThirdsBelowHigherMark", 200.0 / 3, 66.68, false},
		{"OKSumOfFloats", 0.1 + 0.2, 0.3, true},
		{"OKFullMarksRequired", 100, 100, true},
		{"ErrFullMarksRequired", 99.99, 100, false},
		{"OKZeroMark", 0, 0, true},
		{"ErrNaNPercent", math.NaN(), 0, false},
		{"ErrNaNMark", 50, math.NaN(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := assessments.Passed(tc.percent, tc.passMark); got != tc.want {
				t.Errorf("Passed(%v, %v) = %v, want %v", tc.percent, tc.passMark, got, tc.want)
			}
		})
	}
	if got := assessments.RoundPercent(12.3456); got != 12.35 {
		t.Errorf("RoundPercent(12.3456) = %v, want 12.35", got)
	}
}

// TestScoreIgnoresShownOrder simulates the quiz page: options are shown in a
// shuffled order, the learner picks by what they see on the screen, and the form
// posts the ids at the screen positions picked. Whatever the shuffle, the
// result must be the same as for the intended ids.
func TestScoreIgnoresShownOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240611, 7))
	weights := []float64{-100, -50, -33.333, 0, 0, 20, 25, 33.333, 50, 100, 150}
	const iterations = 3000
	for it := range iterations {
		n := 2 + rng.IntN(7)
		q := &assessments.Question{ID: fmt.Sprint("q", it), Points: float64(1 + rng.IntN(4)), GeneralFeedback: "g"}
		for i := range n {
			q.Options = append(q.Options, assessments.Option{
				ID: fmt.Sprintf("opt-%d", i), Text: fmt.Sprint("text ", i),
				Weight: weights[rng.IntN(len(weights))], Feedback: fmt.Sprint("fb ", i),
			})
			left := ""
			if rng.IntN(4) > 0 {
				left = fmt.Sprint("left ", i)
			}
			// Few right texts, so some repeat and are interchangeable.
			q.Pairs = append(q.Pairs, assessments.Pair{ID: fmt.Sprintf("pair-%d", i), Left: left, Right: fmt.Sprint("right ", rng.IntN(n/2+1))})
		}
		types := []assessments.Type{assessments.SingleChoice, assessments.MissingWord, assessments.MultipleResponse, assessments.Matching, assessments.Ordering}
		q.Type = types[rng.IntN(len(types))]
		q.AllOrNothing = rng.IntN(2) == 0

		// The learner's intent, by content: option indexes to pick (choice
		// types), a right text per left (matching), an arrangement (ordering).
		var pick []int
		for i := range n {
			if rng.IntN(2) == 0 {
				pick = append(pick, i)
			}
		}
		one := rng.IntN(n)
		rightFor := map[int]string{}
		for i := range n {
			if q.Pairs[i].Left != "" && rng.IntN(5) > 0 {
				rightFor[i] = fmt.Sprint("right ", rng.IntN(n/2+1))
			}
		}
		arrangement := rng.Perm(n)

		var want assessments.Result
		for shuffle := range 4 {
			screen := rng.Perm(n) // screen position → authored index
			if shuffle == 0 {
				for i := range screen {
					screen[i] = i // as authored
				}
			}
			at := func(authored int) int { return slices.Index(screen, authored) }
			var r assessments.Response
			switch q.Type {
			case assessments.SingleChoice, assessments.MissingWord:
				r.Choice = q.Options[screen[at(one)]].ID
			case assessments.MultipleResponse:
				clicks := slices.Clone(pick)
				rng.Shuffle(len(clicks), func(i, j int) { clicks[i], clicks[j] = clicks[j], clicks[i] })
				for _, i := range clicks {
					r.Choices = append(r.Choices, q.Options[screen[at(i)]].ID)
				}
			case assessments.Matching:
				// The right column is shuffled; the learner takes the first
				// right on screen with the text they mean.
				r.Matches = map[string]string{}
				for i, text := range rightFor {
					for _, authored := range screen {
						if q.Pairs[authored].Right == text {
							r.Matches[q.Pairs[i].ID] = q.Pairs[authored].ID
							break
						}
					}
				}
			case assessments.Ordering:
				// Items start shuffled; the learner drags them into the
				// arrangement they believe right, whatever the start.
				start := make([]string, n)
				for s, authored := range screen {
					start[s] = q.Options[authored].ID
				}
				for _, authored := range arrangement {
					r.Order = append(r.Order, start[at(authored)])
				}
			}
			if err := assessments.ValidateResponse(q, r); err != nil {
				t.Fatalf("iteration %d: simulated response %+v is invalid: %v", it, r, err)
			}
			got := assessments.Score(q, r)
			if shuffle == 0 {
				want = got
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("iteration %d (%s, all-or-nothing %v), shuffle %v: Score = %+v, as authored %+v",
					it, q.Type, q.AllOrNothing, screen, got, want)
			}
		}
	}
}

// benchAttempt is a 50-question attempt with the mix of a typical service quiz.
func benchAttempt() []assessments.AttemptQuestion {
	var items []assessments.AttemptQuestion
	add := func(q *assessments.Question, r assessments.Response) {
		q.ID = fmt.Sprint("q", len(items))
		q.GeneralFeedback = "Review the lesson on " + q.ID
		items = append(items, assessments.AttemptQuestion{Question: q, Response: r, Answered: true})
	}
	opts := func(n int, right ...int) []assessments.Option {
		var os []assessments.Option
		for i := range n {
			w := -100.0 / float64(n)
			if slices.Contains(right, i) {
				w = 100.0 / float64(len(right))
			}
			os = append(os, assessments.Option{ID: fmt.Sprint("o", i), Text: fmt.Sprint("Option ", i), Weight: w, Feedback: fmt.Sprint("Because ", i)})
		}
		return os
	}
	for i := range 16 {
		add(&assessments.Question{Type: assessments.SingleChoice, Options: opts(4, 1)}, assessments.Response{Choice: fmt.Sprint("o", i%4)})
	}
	for i := range 10 {
		add(&assessments.Question{Type: assessments.MultipleResponse, AllOrNothing: i%3 == 0, Options: opts(6, 0, 2, 5)},
			assessments.Response{Choices: []string{"o0", "o2", fmt.Sprint("o", i%6)}})
	}
	for i := range 6 {
		add(&assessments.Question{Type: assessments.TrueFalse, Correct: i%2 == 0, TrueFeedback: "t", FalseFeedback: "f"}, assessments.Response{Choice: "true"})
	}
	for i := range 7 {
		add(&assessments.Question{Type: assessments.ShortAnswer, Answers: []assessments.TextAnswer{
			{Text: "Acknowledge the customer's feelings", Weight: 100, Feedback: "Yes"},
			{Text: "*acknowledge*", Weight: 70, Feedback: "Nearly"},
			{Text: "*apolog*", Weight: 30, Feedback: "Apologising is not enough"},
			{Text: "*", Weight: 0, Feedback: "Think about feelings"},
		}}, assessments.Response{Text: []string{"acknowledge the  customer's FEELINGS", "I would apologise first", "first acknowledge them", "offer a voucher"}[i%4]})
	}
	for i := range 4 {
		add(&assessments.Question{Type: assessments.Numeric, Numbers: []assessments.NumericAnswer{
			{Value: 48, Tolerance: 0, Weight: 100}, {IsRange: true, Min: 24, Max: 72, Weight: 50, Feedback: "Within three days"},
		}}, assessments.Response{Text: []string{"48", "36,5", "two days", "100"}[i%4]})
	}
	for range 3 {
		add(&assessments.Question{Type: assessments.Matching, Pairs: []assessments.Pair{
			{ID: "p1", Left: "Greet", Right: "Hello"}, {ID: "p2", Left: "Listen", Right: "Nod"}, {ID: "p3", Left: "Resolve", Right: "Fix"},
			{ID: "p4", Left: "Close", Right: "Thank"}, {ID: "d1", Right: "Blame"},
		}}, assessments.Response{Matches: map[string]string{"p1": "p1", "p2": "p3", "p3": "p2", "p4": "p4"}})
	}
	for range 3 {
		add(&assessments.Question{Type: assessments.Ordering, Options: opts(5)},
			assessments.Response{Order: []string{"o0", "o2", "o1", "o3", "o4"}})
	}
	add(&assessments.Question{Type: assessments.Essay, Points: 5}, assessments.Response{Text: "I would listen, then..."})
	return items
}

func BenchmarkScoreAttempt50(b *testing.B) {
	items := benchAttempt()
	if len(items) != 50 {
		b.Fatalf("%d questions, want 50", len(items))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = assessments.ScoreAttempt(items)
	}
}
