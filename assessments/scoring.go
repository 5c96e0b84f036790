package assessments

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/serviceacademy/academy/store"
)

// MaxResponseText is the longest text answer ValidateResponse accepts, in characters.
const MaxResponseText = 10000

// MaxResponseChoices is the most option ids a multiple-response answer may list.
const MaxResponseChoices = 1000

// FeedbackNotANumber is the feedback of a numeric answer that cannot be read as a number.
const FeedbackNotANumber = "That is not a number: write it with digits, such as 3.5 or 3,5."

// Score marks one response. It is pure and never fails: an option id that is
// not in the question earns nothing (ValidateResponse reports it). Per type:
//
//   - single choice, missing word: the chosen option's weight (clamped to
//     0..100) and its feedback.
//   - true/false: full marks when Choice ("true" or "false") equals Correct;
//     TrueFeedback or FalseFeedback by what was answered.
//   - multiple response: the sum of the chosen options' weights (each counted
//     once, negative weights subtract), clamped to 0..100; with AllOrNothing,
//     full marks only when the chosen ids are exactly the options of positive
//     weight, else nothing. Feedback of every chosen option, in authored order.
//   - short answer: the best-weighted accepted answer that matches, ignoring
//     letter case and runs of white space; "*" matches any run of characters
//     (also none) and "\*" a literal asterisk.
//   - numeric: the best-weighted answer whose Value±Tolerance or Min..Max
//     (both inclusive) holds the number. A comma is read as the decimal point
//     when the text has exactly one comma and no dot ("3,5" is 3.5); otherwise
//     commas make it not a number ("1,234.5" too: thousands separators are not
//     guessed), and it scores 0 with FeedbackNotANumber.
//   - matching: the share of pairs with a Left whose chosen pair has the same
//     Right text (so repeated right texts are interchangeable); distractor
//     pairs (empty Left) are not counted.
//   - ordering: the share of items in their correct position (by position, not
//     longest common subsequence: moving the first item to the end scores 0);
//     an order that is not a permutation of the option ids scores 0.
//   - essay: NeedsGrading and 0 until an assessor grades it.
//
// Points is Fraction × q.Points, where Points ≤ 0 counts as 1. GeneralFeedback,
// when set, is the last feedback.
func Score(q *Question, r Response) Result {
	if q == nil {
		return Result{}
	}
	var res Result
	switch q.Type {
	case SingleChoice, MissingWord:
		if i := scoreOptionIndex(q.Options, r.Choice); i >= 0 {
			res.Fraction = scoreWeightFraction(q.Options[i].Weight)
			res.Feedback = scoreAddFeedback(res.Feedback, q.Options[i].Feedback)
		}
	case TrueFalse:
		switch r.Choice {
		case "true":
			if q.Correct {
				res.Fraction = 1
			}
			res.Feedback = scoreAddFeedback(res.Feedback, q.TrueFeedback)
		case "false":
			if !q.Correct {
				res.Fraction = 1
			}
			res.Feedback = scoreAddFeedback(res.Feedback, q.FalseFeedback)
		}
	case MultipleResponse:
		res = scoreMultipleResponse(q, r)
	case ShortAnswer:
		res = scoreShortAnswer(q, r)
	case Numeric:
		res = scoreNumeric(q, r)
	case Matching:
		res.Fraction = scoreMatching(q, r)
	case Ordering:
		res.Fraction = scoreOrdering(q, r)
	case Essay:
		res.NeedsGrading = true
	}
	res.Points = res.Fraction * scoreMaxPoints(q)
	res.Feedback = scoreAddFeedback(res.Feedback, q.GeneralFeedback)
	return res
}

// scoreMaxPoints is what a question is worth: Points, or 1 when Points is not positive.
func scoreMaxPoints(q *Question) float64 {
	if q.Points > 0 {
		return q.Points
	}
	return 1
}

func scoreAddFeedback(fb []string, s string) []string {
	if s == "" {
		return fb
	}
	if fb == nil {
		fb = make([]string, 0, 2) // usually an option's feedback, then the general one
	}
	return append(fb, s)
}

// scoreWeightFraction turns a weight in percent into a fraction clamped to 0..1.
func scoreWeightFraction(w float64) float64 {
	switch {
	case w > 100:
		return 1
	case w > 0:
		return w / 100
	}
	return 0 // negative or NaN
}

func scoreOptionIndex(opts []Option, id string) int {
	if id == "" {
		return -1
	}
	for i := range opts {
		if opts[i].ID == id {
			return i
		}
	}
	return -1
}

func scoreMultipleResponse(q *Question, r Response) Result {
	var res Result
	sum, exact := 0.0, true
	for i := range q.Options {
		o := &q.Options[i]
		chosen := o.ID != "" && slices.Contains(r.Choices, o.ID)
		if chosen != (o.Weight > 0) {
			exact = false
		}
		if chosen {
			if !math.IsNaN(o.Weight) {
				sum += o.Weight
			}
			res.Feedback = scoreAddFeedback(res.Feedback, o.Feedback)
		}
	}
	if q.AllOrNothing {
		if exact {
			res.Fraction = 1
		}
		return res
	}
	res.Fraction = scoreWeightFraction(sum)
	return res
}

func scoreShortAnswer(q *Question, r Response) Result {
	var res Result
	text := scoreNormalizeText(r.Text)
	best := -1
	for i := range q.Answers {
		a := &q.Answers[i]
		if best >= 0 && !(a.Weight > q.Answers[best].Weight) {
			continue // ties go to the first accepted answer
		}
		if scoreWildcardMatch(scoreNormalizeText(a.Text), text) {
			best = i
		}
	}
	if best >= 0 {
		res.Fraction = scoreWeightFraction(q.Answers[best].Weight)
		res.Feedback = scoreAddFeedback(res.Feedback, q.Answers[best].Feedback)
	}
	return res
}

// scoreNormalizeText lowers the letter case and collapses runs of white space
// to one space, trimming both ends: the same as
// strings.Join(strings.Fields(strings.ToLower(s)), " ") in one pass, and
// without allocating when s is already normal.
func scoreNormalizeText(s string) string {
	normal, space := true, true // space: the previous byte was a space (or the start)
	for i := 0; i < len(s) && normal; i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf, 'A' <= c && c <= 'Z', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			normal = false
		case c == ' ':
			normal, space = !space, true
		default:
			space = false
		}
	}
	if normal && (!space || s == "") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// scoreWildcardMatch reports whether the whole of s matches pattern, where "*"
// is any run of characters (including none) and "\*" a literal asterisk.
// Runes compare by Unicode simple case folding (so final and medial sigma
// match). It backtracks only to the last star, so it runs in O(len(p)·len(s)).
func scoreWildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	starP, starI := -1, -1
	for i < len(s) {
		if p < len(pattern) {
			pr, pn := utf8.DecodeRuneInString(pattern[p:])
			literal := false
			if pr == '\\' && strings.HasPrefix(pattern[p+1:], "*") {
				pr, pn, literal = '*', 2, true
			}
			if pr == '*' && !literal {
				p += pn
				starP, starI = p, i
				continue
			}
			sr, sn := utf8.DecodeRuneInString(s[i:])
			if scoreRuneFold(pr, sr) {
				p += pn
				i += sn
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, sn := utf8.DecodeRuneInString(s[starI:])
		starI += sn
		p, i = starP, starI
	}
	for ; p < len(pattern); p++ {
		if pattern[p] != '*' {
			return false
		}
	}
	return true
}

func scoreRuneFold(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return false // both already lower case
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func scoreNumeric(q *Question, r Response) Result {
	var res Result
	x, ok := scoreParseNumber(r.Text)
	if !ok {
		res.Feedback = scoreAddFeedback(res.Feedback, FeedbackNotANumber)
		return res
	}
	best := -1
	for i := range q.Numbers {
		a := &q.Numbers[i]
		if best >= 0 && !(a.Weight > q.Numbers[best].Weight) {
			continue
		}
		if scoreNumberMatches(a, x) {
			best = i
		}
	}
	if best >= 0 {
		res.Fraction = scoreWeightFraction(q.Numbers[best].Weight)
		res.Feedback = scoreAddFeedback(res.Feedback, q.Numbers[best].Feedback)
	}
	return res
}

// scoreParseNumber reads a learner's number: optional sign, digits, one decimal
// point or (when there is no dot) one decimal comma, optional exponent. Spaces
// around it and a typographic minus (U+2212) are accepted; "Inf", "NaN", hex
// and thousands separators are not.
func scoreParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\u2212", "-")
	if s == "" {
		return 0, false
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789+-.eE", rune(s[i])) {
			return 0, false
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x, true
}

// scoreNumberMatches reports whether x lies in the answer's interval, both ends
// included, allowing a relative 1e-12 for binary rounding (3.5 ± 0.1 takes 3.6).
func scoreNumberMatches(a *NumericAnswer, x float64) bool {
	lo, hi := a.Value-math.Abs(a.Tolerance), a.Value+math.Abs(a.Tolerance)
	if a.IsRange {
		lo, hi = min(a.Min, a.Max), max(a.Min, a.Max)
	}
	eps := 1e-12 * max(1, math.Abs(lo), math.Abs(hi))
	return x >= lo-eps && x <= hi+eps
}

func scoreMatching(q *Question, r Response) float64 {
	total, correct := 0, 0
	for i := range q.Pairs {
		p := &q.Pairs[i]
		if p.Left == "" {
			continue
		}
		total++
		chosen, ok := r.Matches[p.ID]
		if !ok || chosen == "" {
			continue
		}
		for j := range q.Pairs {
			if q.Pairs[j].ID == chosen {
				if q.Pairs[j].Right == p.Right {
					correct++
				}
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(correct) / float64(total)
}

func scoreOrdering(q *Question, r Response) float64 {
	n := len(q.Options)
	if n == 0 || len(r.Order) != n {
		return 0
	}
	for i, id := range r.Order {
		if scoreOptionIndex(q.Options, id) < 0 || slices.Contains(r.Order[:i], id) {
			return 0
		}
	}
	inPlace := 0
	for i, id := range r.Order {
		if q.Options[i].ID == id {
			inPlace++
		}
	}
	return float64(inPlace) / float64(n)
}

// ResponseError reports a response that does not fit its question: an id the
// question does not have, an answer the form cannot produce, a text that is too
// long. It is the caller's fault (a 4xx); Message is safe to show. It unwraps
// to a store.Error of kind Invalid whose Field is the question id, so the web
// layer's usual error mapping applies.
type ResponseError struct {
	QuestionID string
	Message    string
}

func (e *ResponseError) Error() string { return e.Message }

// Unwrap returns the equivalent *store.Error (kind Invalid).
func (e *ResponseError) Unwrap() error {
	return &store.Error{Kind: store.Invalid, Field: e.QuestionID, Message: e.Message}
}

// ValidateResponse checks that r could have come from q's form and returns a
// *ResponseError when it could not. An empty response (nothing answered) is
// valid; fields the question's type does not use are ignored, except that
// Text must be valid UTF-8 of at most MaxResponseText characters whatever the
// type. A numeric text that is not a number is valid: it is a wrong answer.
func ValidateResponse(q *Question, r Response) error {
	if q == nil {
		return &ResponseError{Message: "This answer is for a question that does not exist. Reload the page and try again."}
	}
	fail := func(format string, args ...any) error {
		return &ResponseError{QuestionID: q.ID, Message: fmt.Sprintf(format, args...)}
	}
	if !utf8.ValidString(r.Text) {
		return fail("The answer contains characters that cannot be read. Type it again.")
	}
	if n := utf8.RuneCountInString(r.Text); n > MaxResponseText {
		return fail("The answer is %d characters long; the limit is %d.", n, MaxResponseText)
	}
	switch q.Type {
	case SingleChoice, MissingWord:
		if r.Choice != "" && scoreOptionIndex(q.Options, r.Choice) < 0 {
			return fail("The chosen answer is not one of this question's options. Reload the page and answer again.")
		}
	case TrueFalse:
		if r.Choice != "" && r.Choice != "true" && r.Choice != "false" {
			return fail("Answer true or false.")
		}
	case MultipleResponse:
		if len(r.Choices) > MaxResponseChoices {
			return fail("The answer lists %d options; the question has %d.", len(r.Choices), len(q.Options))
		}
		for _, id := range r.Choices {
			if scoreOptionIndex(q.Options, id) < 0 {
				return fail("One of the chosen answers is not one of this question's options. Reload the page and answer again.")
			}
		}
	case Matching:
		for left, right := range r.Matches {
			i := slices.IndexFunc(q.Pairs, func(p Pair) bool { return p.ID == left })
			if i < 0 || q.Pairs[i].Left == "" {
				return fail("The answer matches an item that is not in this question. Reload the page and answer again.")
			}
			if right != "" && !slices.ContainsFunc(q.Pairs, func(p Pair) bool { return p.ID == right }) {
				return fail("The answer chooses a match that is not in this question. Reload the page and answer again.")
			}
		}
	case Ordering:
		if len(r.Order) == 0 {
			return nil
		}
		for i, id := range r.Order {
			if scoreOptionIndex(q.Options, id) < 0 {
				return fail("The order includes an item that is not in this question. Reload the page and answer again.")
			}
			if slices.Contains(r.Order[:i], id) {
				return fail("The order lists an item twice. Put each item in one place.")
			}
		}
		if len(r.Order) != len(q.Options) {
			return fail("The order has %d of the %d items. Put every item in order.", len(r.Order), len(q.Options))
		}
	case ShortAnswer, Numeric, Essay:
	default:
		return fail("This question (type %q) cannot be answered.", string(q.Type))
	}
	return nil
}

// AttemptQuestion is one question of an attempt with the learner's response.
// Answered is false when the learner left it blank: it scores 0 (an
// unanswered essay is not waiting to be graded).
type AttemptQuestion struct {
	Question *Question
	Response Response
	Answered bool
}

// AttemptScore is the score of a whole attempt. While Pending > 0 the essays
// count 0 and Percent is provisional: decide a pass only when Pending is 0.
type AttemptScore struct {
	Points, MaxPoints float64
	Percent           float64  // 100 × Points / MaxPoints; 0 when MaxPoints is 0
	Pending           int      // answered essays waiting for an assessor
	PerQuestion       []Result // one per item, in order
}

// ScoreAttempt scores every question of an attempt with Score. A blank
// question scores 0 and gets only its general feedback; an item without a
// question scores 0 and adds nothing to MaxPoints.
func ScoreAttempt(items []AttemptQuestion) AttemptScore {
	s := AttemptScore{PerQuestion: make([]Result, len(items))}
	for i := range items {
		q := items[i].Question
		if q == nil {
			continue
		}
		s.MaxPoints += scoreMaxPoints(q)
		if !items[i].Answered {
			s.PerQuestion[i].Feedback = scoreAddFeedback(nil, q.GeneralFeedback)
			continue
		}
		res := Score(q, items[i].Response)
		if res.NeedsGrading {
			s.Pending++
		}
		s.Points += res.Points
		s.PerQuestion[i] = res
	}
	if s.MaxPoints > 0 {
		s.Percent = 100 * s.Points / s.MaxPoints
	}
	return s
}

// RoundPercent rounds a percentage to 2 decimals, halves away from zero. It is
// the rounding Passed applies, so show percentages rounded the same way.
func RoundPercent(p float64) float64 { return math.Round(p*100) / 100 }

// Passed reports whether percent reaches passMark once both are rounded to 2
// decimals (RoundPercent): 69.996 passes a mark of 70, 69.994 does not. NaN
// never passes.
func Passed(percent, passMark float64) bool {
	return RoundPercent(percent) >= RoundPercent(passMark)
}
