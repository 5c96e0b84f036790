package assessments

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The cue check reads a question (or a whole bank) as a test-wise learner
// would and reports what gives the answer away. It never blocks anything:
// the warnings are advice shown next to the question, in the GIFT import
// preview and on the bank's health panel. Everything here is a plain function
// over Question: no database, no clock.

// CueCode names one cue rule.
type CueCode string

// The cue rules. Per question:
const (
	// CueLongKey: a right option is more than 25% longer than the mean of
	// the wrong options (see CheckQuestion for the exact definition).
	CueLongKey CueCode = "long-key"
	// CueAllNone: an option says "all of the above", "none of the above" or
	// the like.
	CueAllNone CueCode = "all-none-of-the-above"
	// CueDuplicateOption: two options (or two matching prompts, or two
	// ordering items) are the same once letter case, spaces and punctuation
	// are ignored.
	CueDuplicateOption CueCode = "duplicate-option"
	// CueNegativeStem: the question sentence asks in the negative ("not",
	// "never", "except", "least" …; CueNegativeWords lists them).
	CueNegativeStem CueCode = "negative-stem"
	// CueLooseWildcard: a short-answer pattern with * accepts words or
	// phrases that do not hold the key idea ("*line*" accepts "deadline").
	CueLooseWildcard CueCode = "loose-wildcard"
)

// Per bank:
const (
	// CueKeyPosition: more than half of the single-choice and missing-word
	// questions have their right option at the same position as written.
	CueKeyPosition CueCode = "key-position"
	// CueKeyLongest: the right option is strictly the longest in more than
	// half of the single-choice questions.
	CueKeyLongest CueCode = "key-longest"
	// CueRightFirst: more than half of the multiple-response questions list
	// every right option before every wrong one.
	CueRightFirst CueCode = "right-options-first"
	// CueSameWrongCount: every multiple-response question (two or more)
	// has the same number of wrong options.
	CueSameWrongCount CueCode = "same-wrong-count"
	// CueTrueFalseBalance: the share of true/false questions whose answer is
	// true is outside 35–65% and the two counts differ by more than one.
	CueTrueFalseBalance CueCode = "true-false-balance"
)

// CueWarning is one thing in a question or bank that gives the answer away.
// QuestionID and Title are empty for a warning about the whole bank.
type CueWarning struct {
	Code       CueCode `json:"code"`
	QuestionID string  `json:"question_id,omitempty"`
	Title      string  `json:"title,omitempty"`
	Field      string  `json:"field"`   // what it is about: "stem", "option b", "answer 2", "options", "true/false answers"
	Message    string  `json:"message"` // what is wrong and what to change, in plain words
}

// The thresholds, exported so pages and the README can quote them.
const (
	// CueLongKeyRatio: a right option longer than this times the mean wrong
	// option length is a long key.
	CueLongKeyRatio = 1.25
	// CueLongKeyMinChars: and longer by at least this many characters, so
	// one-word options ("Yes", "No") do not trip the rule.
	CueLongKeyMinChars = 5
	// CueTrueMin and CueTrueMax bound a bank's share of true answers.
	CueTrueMin = 0.35
	CueTrueMax = 0.65
	// cueExampleWords is how many example words a loose-wildcard warning names.
	cueExampleWords = 5
)

// CueNegativeWords are the words that make a question sentence negative,
// matched as whole words in any letter case. "No" is left out on purpose:
// it is common in quoted speech and in answers people give.
var CueNegativeWords = []string{
	"not", "never", "except", "least", "cannot", "neither", "nor", "without",
	"isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't",
	"shouldn't", "wouldn't", "won't", "can't", "mustn't", "needn't",
}

// cueAllNonePhrases are matched inside an option after cueNormalize.
var cueAllNonePhrases = []string{
	"all of the above", "none of the above", "all the above", "none the above",
	"all of these", "none of these", "both of the above", "neither of the above",
	"all of them", "none of them",
}

// cueSuffixes are the endings a word may add to a wildcard's literal text and
// still mean the same thing ("limit" → "limits", "limited", "limitation").
// Anything else around the literal text — a prefix above all ("unlimited",
// "deadline") — makes the word unrelated.
var cueSuffixes = []string{
	"", "s", "es", "d", "ed", "ing", "er", "ers", "ion", "ions", "ation", "ations",
	"al", "ally", "ly", "ment", "ments", "able", "ive", "ively", "ful",
}

// cueNegations are put in front of a pattern's literal text to see whether a
// leading * accepts the opposite answer ("*update*" accepts "no update").
var cueNegations = []string{"no", "not", "never", "without", "don't", "didn't", "can't"}

//go:embed cuewords/words.txt
var cueWordsFile string

// cueWords is the embedded English word list (SCOWL size 35 through
// Debian's wamerican-small, lower-case words of three letters or more; see
// cuewords/LICENSE), split once.
var cueWords = sync.OnceValue(func() []string { return strings.Fields(cueWordsFile) })

// CheckQuestion returns the cue warnings about one question, in the order of
// the rules above, each with the question's id and title. The rules:
//
//   - long key (single choice, missing word, multiple response): length is
//     counted in characters of the option with runs of spaces collapsed.
//     Right options are those with the highest positive weight (multiple
//     response: every positive weight); wrong ones have weight 0 or less;
//     partial-credit options count as neither. A right option is flagged
//     when it is longer than CueLongKeyRatio × the mean length of the wrong
//     options and by at least CueLongKeyMinChars characters. The mean rather
//     than the longest wrong option, so one long distractor does not hide a
//     key that stands out from the rest. For multiple response the mean of
//     the right options is compared, once, on the field "options".
//   - all/none of the above: any option of a choice question containing one
//     of the phrases in cueAllNonePhrases.
//   - duplicate options: options (choice and ordering questions) or matching
//     prompts that are equal after lower-casing and turning punctuation into
//     spaces; reported on the later one.
//   - negative stem (every type but essay): a word of CueNegativeWords
//     ("at least" excepted) in the question sentence — the last sentence of
//     the stem (for missing word, the sentence holding the blank), so a
//     scenario may say what did not happen before it asks. A true/false
//     statement is its own question sentence.
//   - loose wildcard (short answer, patterns with a positive weight and a *):
//     words of the embedded word list the pattern accepts that are not its
//     literal text plus one of cueSuffixes (see cueAccepts: without a
//     leading *, only compounds such as "limitless" count), and with a
//     leading * the literal text after "no", "not" …; the message gives up
//     to five examples, the negated phrase, then opposites ("unlimited"),
//     then compounds ("deadline"). A pattern with fewer than three literal
//     letters accepts almost anything and is flagged as such.
func CheckQuestion(q Question) []CueWarning {
	var ws []CueWarning
	add := func(code CueCode, field, format string, args ...any) {
		ws = append(ws, CueWarning{Code: code, QuestionID: q.ID, Title: q.Title, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch q.Type {
	case SingleChoice, MissingWord:
		cueLongKeySingle(q, add)
	case MultipleResponse:
		cueLongKeyMultiple(q, add)
	}
	switch q.Type {
	case SingleChoice, MissingWord, MultipleResponse:
		for _, o := range q.Options {
			n := cueNormalize(o.Text)
			for _, p := range cueAllNonePhrases {
				if cueContainsPhrase(n, p) {
					add(CueAllNone, "option "+o.ID, "%q lets a learner answer by spotting two right options (or one wrong one) without knowing the rest. Replace it with a plausible option of its own.", p)
					break
				}
			}
		}
	}
	switch q.Type {
	case SingleChoice, MissingWord, MultipleResponse, Ordering:
		seen := map[string]string{}
		for _, o := range q.Options {
			n := cueNormalize(o.Text)
			if first, ok := seen[n]; ok && n != "" {
				add(CueDuplicateOption, "option "+o.ID, "Option %s says the same as option %s. Remove it or make it a different, plausible mistake.", o.ID, first)
				continue
			}
			seen[n] = o.ID
		}
	case Matching:
		seen := map[string]string{}
		for _, p := range q.Pairs {
			n := cueNormalize(p.Left)
			if n == "" {
				continue
			}
			if first, ok := seen[n]; ok {
				add(CueDuplicateOption, "pair "+p.ID, "Prompt %s says the same as prompt %s. Remove it or make the two prompts different.", p.ID, first)
				continue
			}
			seen[n] = p.ID
		}
	}
	if w := cueNegativeWord(cueQuestionSentence(q)); w != "" && q.Type != Essay {
		if q.Type == TrueFalse {
			add(CueNegativeStem, "stem", "The statement is worded in the negative (%q). State it positively: judging a negative statement true or false tests careful reading more than knowing.", strings.ToUpper(w))
		} else {
			add(CueNegativeStem, "stem", "The question asks in the negative (%q). Ask for the right action instead: a negative stem tests careful reading more than knowing, and a learner who misses the word picks the right-sounding wrong answer.", strings.ToUpper(w))
		}
	}
	if q.Type == ShortAnswer {
		for i, a := range q.Answers {
			if !(a.Weight > 0) || !strings.Contains(a.Text, "*") {
				continue
			}
			if msg := cueLooseWildcard(a.Text); msg != "" {
				add(CueLooseWildcard, fmt.Sprintf("answer %d", i+1), "%s", msg)
			}
		}
	}
	return ws
}

// cueKeys splits a single-choice or missing-word question's options into
// right ones (the highest positive weight) and wrong ones (weight 0 or less).
func cueKeys(q Question) (right, wrong []Option) {
	best := 0.0
	for _, o := range q.Options {
		if o.Weight > best {
			best = o.Weight
		}
	}
	if best <= 0 {
		return nil, nil
	}
	for _, o := range q.Options {
		switch {
		case o.Weight == best:
			right = append(right, o)
		case !(o.Weight > 0):
			wrong = append(wrong, o)
		}
	}
	return right, wrong
}

// cueLen is an option's length in characters, runs of spaces counting as one.
func cueLen(s string) int { return utf8.RuneCountInString(strings.Join(strings.Fields(s), " ")) }

func cueMeanLen(opts []Option) float64 {
	if len(opts) == 0 {
		return 0
	}
	sum := 0
	for _, o := range opts {
		sum += cueLen(o.Text)
	}
	return float64(sum) / float64(len(opts))
}

func cueTooLong(key, mean float64) bool {
	return key > CueLongKeyRatio*mean && key-mean >= CueLongKeyMinChars
}

func cueLongKeySingle(q Question, add func(CueCode, string, string, ...any)) {
	right, wrong := cueKeys(q)
	if len(right) == 0 || len(wrong) == 0 {
		return
	}
	mean := cueMeanLen(wrong)
	for _, o := range right {
		if n := float64(cueLen(o.Text)); cueTooLong(n, mean) {
			add(CueLongKey, "option "+o.ID, "The right option is %.0f characters against a mean of %.0f for the wrong ones (%.0f%% longer; the limit is %.0f%%). Make the wrong options as long and as qualified as the right one, or shorten the right one.", n, mean, 100*(n/mean-1), 100*(CueLongKeyRatio-1))
		}
	}
}

func cueLongKeyMultiple(q Question, add func(CueCode, string, string, ...any)) {
	var right, wrong []Option
	for _, o := range q.Options {
		if o.Weight > 0 {
			right = append(right, o)
		} else {
			wrong = append(wrong, o)
		}
	}
	if len(right) == 0 || len(wrong) == 0 {
		return
	}
	r, w := cueMeanLen(right), cueMeanLen(wrong)
	if cueTooLong(r, w) {
		add(CueLongKey, "options", "The right options average %.0f characters against %.0f for the wrong ones (%.0f%% longer; the limit is %.0f%%). Make the wrong options as long and as qualified as the right ones.", r, w, 100*(r/w-1), 100*(CueLongKeyRatio-1))
	}
}

// cueNormalize lower-cases s, turns every rune that is not a letter or digit
// into a space (an apostrophe is dropped, so "don't" is "dont") and collapses
// the spaces.
func cueNormalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// cueContainsPhrase reports whether the normalised phrase p occurs in the
// normalised text n as whole words.
func cueContainsPhrase(n, p string) bool {
	return strings.Contains(" "+n+" ", " "+p+" ")
}

// cueQuestionSentence is the sentence that asks: the last sentence of the
// stem, or for missing word the sentence around the blank.
func cueQuestionSentence(q Question) string {
	s := cueLastSentence(q.Text)
	if q.Type == MissingWord {
		s += " ___ " + cueFirstSentence(q.TextAfter)
	}
	return s
}

// cueSentenceEnds returns the byte offsets just after each sentence end in s:
// a '.', '!' or '?' followed by a space or the end of s.
func cueSentenceEnds(s string) []int {
	var ends []int
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '.' || c == '!' || c == '?' {
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n' || s[i+1] == '\t' || s[i+1] == '"' || s[i+1] == '\'' {
				ends = append(ends, i+1)
			}
		}
	}
	return ends
}

func cueLastSentence(s string) string {
	s = strings.TrimSpace(s)
	ends := cueSentenceEnds(s)
	// The sentence ending at the end of s (if any) is the last one: start
	// after the end before it.
	for i := len(ends) - 1; i >= 0; i-- {
		if ends[i] < len(s) {
			return s[ends[i]:]
		}
	}
	return s
}

func cueFirstSentence(s string) string {
	if ends := cueSentenceEnds(s); len(ends) > 0 {
		return s[:ends[0]]
	}
	return s
}

// cueNegativeWord returns the first word of CueNegativeWords in s, or "".
func cueNegativeWord(s string) string {
	words := strings.FieldsFunc(strings.ToLower(strings.ReplaceAll(s, "’", "'")), func(r rune) bool {
		return !(unicode.IsLetter(r) || r == '\'')
	})
	for i, w := range words {
		w = strings.Trim(w, "'")
		if w == "least" && i > 0 && words[i-1] == "at" {
			continue // "at least" is not a negative
		}
		if slices.Contains(CueNegativeWords, w) {
			return w
		}
	}
	return ""
}

// cueLiteral is a wildcard pattern's literal text: lower-cased, stars
// removed and spaces collapsed ("*call*back*" → "callback", "*working hours*"
// → "working hours").
func cueLiteral(pattern string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(scoreNormalizeText(pattern), "*", "")), " ")
}

// cueLooseWildcard returns the message for a short-answer pattern that
// accepts unrelated words, or "" when it is tight enough.
func cueLooseWildcard(pattern string) string {
	p := scoreNormalizeText(pattern)
	lit := cueLiteral(pattern)
	letters := 0
	for _, r := range lit {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters++
		}
	}
	if letters < 3 {
		return fmt.Sprintf("%q accepts almost any answer. Write the key words out, with * only where a word may vary.", pattern)
	}
	var examples []string
	for _, n := range cueNegations {
		if s := n + " " + lit; scoreWildcardMatch(p, s) {
			examples = append(examples, s) // one is enough to make the point
			break
		}
	}
	words := cueAccepts(p, lit)
	if len(examples) == 0 && len(words) == 0 {
		return ""
	}
	for _, w := range words {
		if len(examples) == cueExampleWords {
			break
		}
		examples = append(examples, w)
	}
	quoted := make([]string, len(examples))
	for i, e := range examples {
		quoted[i] = fmt.Sprintf("%q", e)
	}
	return fmt.Sprintf("%q also accepts %s. Drop the * before the word (or after it) and list the forms you accept as separate answers.", pattern, strings.Join(quoted, ", "))
}

// cueAccepts returns the words of the list that the normalised pattern p
// accepts and that do not hold its literal text lit as such: opposites first
// ("unlimited" is the worst thing to accept), then compounds ("deadline"
// makes the point better than "linen"), then the rest, shorter (commoner)
// words first within each group. When p does not start with *, only
// compounds count: "apologi*" may accept "apologize", while "limit*" should
// not accept "limitless".
func cueAccepts(p, lit string) []string {
	type found struct {
		word string
		rank int // 0: an opposite; 1: a compound; 2: other
	}
	leading := strings.HasPrefix(p, "*")
	// Every literal piece must be in the word: a cheap test that leaves
	// few words for the full match.
	var pieces []string
	for _, piece := range strings.Split(strings.ReplaceAll(p, `\*`, ""), "*") {
		if piece != "" {
			pieces = append(pieces, piece)
		}
	}
	var words []found
	for _, w := range cueCandidates(pieces) {
		if !cueHasAll(w, pieces) || !scoreWildcardMatch(p, w) || cueRelated(w, lit) {
			continue
		}
		rank := 2
		switch {
		case cueOpposite(w, lit):
			rank = 0
		case cueCompound(w, lit):
			rank = 1
		}
		if rank == 2 && !leading {
			continue
		}
		words = append(words, found{w, rank})
	}
	sort.SliceStable(words, func(i, j int) bool {
		a, b := words[i], words[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if len(a.word) != len(b.word) {
			return len(a.word) < len(b.word)
		}
		return a.word < b.word
	})
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.word
	}
	return out
}

// cueCandidates returns the words of the list that hold the longest of
// pieces, found by searching the list's text rather than word by word (the
// whole list when there is no piece).
func cueCandidates(pieces []string) []string {
	longest := ""
	for _, piece := range pieces {
		if len(piece) > len(longest) {
			longest = piece
		}
	}
	if longest == "" {
		return cueWords()
	}
	var out []string
	text := cueWordsFile
	for from := 0; ; {
		i := strings.Index(text[from:], longest)
		if i < 0 {
			return out
		}
		i += from
		start := strings.LastIndexByte(text[:i], '\n') + 1
		end := strings.IndexByte(text[i:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += i
		}
		out = append(out, text[start:end])
		from = end
	}
}

func cueHasAll(w string, pieces []string) bool {
	for _, piece := range pieces {
		if !strings.Contains(w, piece) {
			return false
		}
	}
	return true
}

// cueRelated reports whether word is the literal text (spaces ignored) plus
// one of cueSuffixes, allowing a dropped final e ("update" → "updating") and
// a doubled final consonant ("benefit" → "benefitted").
func cueRelated(word, lit string) bool {
	lit = strings.ReplaceAll(lit, " ", "")
	if lit == "" {
		return false
	}
	last := lit[len(lit)-1:]
	for _, suf := range cueSuffixes {
		if word == lit+suf {
			return true
		}
		if suf == "" {
			continue
		}
		if last == "e" && word == lit[:len(lit)-1]+suf {
			return true
		}
		if !strings.Contains("aeiouy", last) && word == lit+last+suf {
			return true
		}
	}
	return false
}

// cueCompound reports whether what word adds around the literal text, before
// or after it, is itself a word of the list.
func cueCompound(word, lit string) bool {
	lit = strings.ReplaceAll(lit, " ", "")
	i := strings.Index(word, lit)
	if i < 0 {
		return false
	}
	for _, part := range []string{word[:i], word[i+len(lit):]} {
		if len(part) >= 3 && cueIsWord(part) {
			return true
		}
	}
	return false
}

// cueOpposite reports whether word is the literal text behind a negating
// prefix ("un", "in", "non" …).
func cueOpposite(word, lit string) bool {
	lit = strings.ReplaceAll(lit, " ", "")
	for _, pre := range []string{"un", "in", "im", "il", "ir", "non", "dis", "mis"} {
		if strings.HasPrefix(word, pre+lit) {
			return true
		}
	}
	return false
}

// cueIsWord reports whether w is in the embedded word list.
func cueIsWord(w string) bool {
	_, ok := slices.BinarySearch(cueWords(), w)
	return ok
}

// BankCueFigures are the numbers behind a bank's health panel and the
// issue's before/after table.
type BankCueFigures struct {
	SingleChoice int // single-choice questions with a right and a wrong option
	KeyLongest   int // of them, those whose right option is strictly the longest

	// KeyPositions[i] counts the single-choice and missing-word questions
	// whose (first) right option is written at position i (0-based).
	KeyPositions  []int
	PositionItems int // the questions KeyPositions counts

	MultipleResponse int         // multiple-response questions with right and wrong options
	RightFirst       int         // of them, those listing every right option before every wrong one
	WrongCounts      map[int]int // number of wrong options → how many multiple-response questions have it

	True, False int // true/false questions by their answer

	Strategy StrategyScore // "always the longest option, always the commoner true/false answer"
}

// KeyLongestShare is KeyLongest / SingleChoice (0 when there are none).
func (f BankCueFigures) KeyLongestShare() float64 { return cueShare(f.KeyLongest, f.SingleChoice) }

// TrueShare is the share of true/false questions whose answer is true.
func (f BankCueFigures) TrueShare() float64 { return cueShare(f.True, f.True+f.False) }

// TopPosition returns the position (0-based) holding the most keys and how
// many; -1 when no question counts.
func (f BankCueFigures) TopPosition() (int, int) {
	best, n := -1, 0
	for i, c := range f.KeyPositions {
		if c > n {
			best, n = i, c
		}
	}
	return best, n
}

func cueShare(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// BankCues computes the bank figures of qs.
func BankCues(qs []Question) BankCueFigures {
	f := BankCueFigures{WrongCounts: map[int]int{}}
	for _, q := range qs {
		switch q.Type {
		case SingleChoice, MissingWord:
			right, wrong := cueKeys(q)
			if len(right) == 0 || len(wrong) == 0 {
				continue
			}
			if q.Type == SingleChoice {
				f.SingleChoice++
				if cueStrictlyLongest(q.Options, right[0].ID) {
					f.KeyLongest++
				}
			}
			pos := slices.IndexFunc(q.Options, func(o Option) bool { return o.ID == right[0].ID })
			for len(f.KeyPositions) <= pos {
				f.KeyPositions = append(f.KeyPositions, 0)
			}
			f.KeyPositions[pos]++
			f.PositionItems++
		case MultipleResponse:
			nRight, nWrong, first := 0, 0, true
			for _, o := range q.Options {
				if o.Weight > 0 {
					nRight++
					if nWrong > 0 {
						first = false
					}
				} else {
					nWrong++
				}
			}
			if nRight == 0 || nWrong == 0 {
				continue
			}
			f.MultipleResponse++
			if first {
				f.RightFirst++
			}
			f.WrongCounts[nWrong]++
		case TrueFalse:
			if q.Correct {
				f.True++
			} else {
				f.False++
			}
		}
	}
	f.Strategy = LongestOptionStrategy(qs)
	return f
}

func cueStrictlyLongest(opts []Option, id string) bool {
	var key int
	for _, o := range opts {
		if o.ID == id {
			key = cueLen(o.Text)
		}
	}
	for _, o := range opts {
		if o.ID != id && cueLen(o.Text) >= key {
			return false
		}
	}
	return true
}

// StrategyScore is what a learner who has read nothing would score on a
// bank's closed questions by following its cues.
type StrategyScore struct {
	Items   int     // closed questions counted
	Points  float64 // points the strategy earns (expected, over ties)
	Max     float64 // points available
	Percent float64 // 100 × Points / Max, rounded to two places; 0 when Max is 0
}

// LongestOptionStrategy scores "always pick the longest option, always give
// the commoner true/false answer" over the closed questions of qs:
//
//   - single choice and missing word: the longest option (characters, runs
//     of spaces as one); a tie for longest scores the mean over the tied
//     options, as if the learner picked one at random.
//   - true/false: the answer most of the bank's true/false questions have;
//     on a tie, half marks.
//
// Each question is scored with Score and weighted by its Points, as a quiz
// would. These are the questions where one of a few written answers is the
// key, so the strategy is complete; multiple response is left out (its cues,
// right options first and a fixed number of wrong ones, have their own
// warnings), as are the types that need an answer written or arranged.
// Over main's banks before issue 14 this gives 76.67%, the "about 77%" the
// issue quotes.
func LongestOptionStrategy(qs []Question) StrategyScore {
	var s StrategyScore
	nTrue, nFalse := 0, 0
	for _, q := range qs {
		if q.Type != TrueFalse {
			continue
		}
		if q.Correct {
			nTrue++
		} else {
			nFalse++
		}
	}
	for i := range qs {
		q := &qs[i]
		var frac float64
		switch q.Type {
		case SingleChoice, MissingWord:
			if len(q.Options) == 0 {
				continue
			}
			longest := 0
			for _, o := range q.Options {
				longest = max(longest, cueLen(o.Text))
			}
			sum, n := 0.0, 0
			for _, o := range q.Options {
				if cueLen(o.Text) == longest {
					sum += Score(q, Response{Choice: o.ID}).Fraction
					n++
				}
			}
			frac = sum / float64(n)
		case TrueFalse:
			switch {
			case nTrue == nFalse:
				frac = 0.5
			case q.Correct == (nTrue > nFalse):
				frac = 1
			}
		default:
			continue
		}
		pts := q.Points
		if !(pts > 0) || math.IsInf(pts, 0) {
			pts = 1
		}
		s.Items++
		s.Points += frac * pts
		s.Max += pts
	}
	if s.Max > 0 {
		s.Percent = RoundPercent(100 * s.Points / s.Max)
	}
	return s
}

// CheckBank returns every cue warning about qs: each question's warnings
// (CheckQuestion) in bank order, then the warnings about the bank as a whole:
//
//   - key position: more than half of the single-choice and missing-word
//     questions (three or more) have the right option at the same position;
//   - key longest: the right option is strictly the longest in more than half
//     of the single-choice questions (three or more);
//   - right options first: more than half of the multiple-response questions
//     (two or more) list every right option before every wrong one;
//   - same wrong count: every multiple-response question (two or more) has
//     the same number of wrong options;
//   - true/false balance: the share of true answers is outside
//     CueTrueMin–CueTrueMax and the counts of true and false differ by more
//     than one (so three questions, two false and one true, pass).
func CheckBank(qs []Question) []CueWarning {
	var ws []CueWarning
	for _, q := range qs {
		ws = append(ws, CheckQuestion(q)...)
	}
	return append(ws, bankWarnings(BankCues(qs))...)
}

// bankWarnings turns the figures into the bank-level warnings.
func bankWarnings(f BankCueFigures) []CueWarning {
	var ws []CueWarning
	add := func(code CueCode, field, format string, args ...any) {
		ws = append(ws, CueWarning{Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if pos, n := f.TopPosition(); f.PositionItems >= 3 && 2*n > f.PositionItems {
		add(CueKeyPosition, "options", "The right option is written in position %d in %d of %d single-choice and missing-word questions. Vary where the right option sits; reviewers, GIFT exports and quizzes without shuffling all see this order.", pos+1, n, f.PositionItems)
	}
	if f.SingleChoice >= 3 && 2*f.KeyLongest > f.SingleChoice {
		add(CueKeyLongest, "options", "The right option is the longest in %d of %d single-choice questions, so \"pick the longest\" works. Write wrong options as long and as qualified as the right one.", f.KeyLongest, f.SingleChoice)
	}
	if f.MultipleResponse >= 2 && 2*f.RightFirst > f.MultipleResponse {
		add(CueRightFirst, "options", "%d of %d multiple-response questions list every right option before the wrong ones. Mix right and wrong options.", f.RightFirst, f.MultipleResponse)
	}
	if f.MultipleResponse >= 2 && len(f.WrongCounts) == 1 {
		for n := range f.WrongCounts {
			add(CueSameWrongCount, "options", "Every multiple-response question has exactly %d wrong %s, so a learner can count instead of knowing. Vary how many options are wrong.", n, cuePlural(n, "option", "options"))
		}
	}
	if t := f.True + f.False; t > 0 {
		share := f.TrueShare()
		if (share < CueTrueMin || share > CueTrueMax) && absInt(f.True-f.False) > 1 {
			commoner := "false"
			if f.True > f.False {
				commoner = "true"
			}
			add(CueTrueFalseBalance, "true/false answers", "%d of %d true/false questions are true (%.0f%%; aim for %.0f–%.0f%%), so answering %q every time scores well. Turn some statements around so both answers are common.", f.True, t, 100*share, 100*CueTrueMin, 100*CueTrueMax, commoner)
		}
	}
	return ws
}

func cuePlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
