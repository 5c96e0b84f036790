package assessments

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is one problem in an imported question file. Line and Column
// are 1-based; Column counts characters (a tab is one), so it matches what an
// editor shows for UTF-8 text.
type ParseError struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// Error returns "line L, column C: message".
func (e ParseError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// ParseGIFT parses a file in Moodle's GIFT format. It returns every question,
// or (and then no question) every problem found, each at its line and column:
// one bad question means the caller imports nothing. A file with no questions
// returns neither.
//
// Questions are separated by blank lines; a line whose first non-blank
// characters are // is a comment; a "$CATEGORY: path" line sets Category for
// the questions after it. A UTF-8 byte order mark and Windows line endings are
// accepted; text that is not UTF-8, or a control character other than a tab
// or line end, is an error at its first such character. Each
// question is
//
//	::Title:: [format] text {answers} text after
//
// with an optional title and format ([html], [markdown], [plain] or [moodle];
// an unknown lowercase [name] is an error, other bracketed text is text).
// \~ \= \# \{ \} \: \\ write those characters literally and \n a new line;
// \> (an extension) writes a literal >, needed in ordering items and for a
// literal -> in short answers and matching. The answer block decides the type:
//
//   - {=right ~wrong ~wrong}: single choice. Weights such as ~%50% give
//     partial credit, negative ones take marks away; several = answers are
//     all right (100 each). Text after the block makes it missing word
//     (Text before the blank, TextAfter after it).
//   - {~%50%a ~%50%b ~%-100%c}: multiple response, when no answer has = and
//     the positive weights add up to 100.
//   - {T}, {TRUE}, {F}, {FALSE}, with Moodle's feedback order:
//     {T#shown for a wrong answer#shown for a right answer}. So {T#x#y} has
//     FalseFeedback x and TrueFeedback y, and {F#x#y} has TrueFeedback x and
//     FalseFeedback y.
//   - {=answer =%50%other}: short answer (every answer starts with =).
//   - {#5}, {#5:0.5}, {#1..5}, {#=%100%5:0 =%50%5:2}: numeric. Moodle's
//     "~#feedback" for any other number becomes an answer of weight 0 over
//     the whole float64 range (-math.MaxFloat64..math.MaxFloat64).
//   - {=left -> right =left2 -> right2}: matching, two pairs or more; a pair
//     with no left (= -> extra) adds a distractor.
//   - {>first >second >third}: ordering, items in the correct order. This is
//     an extension: Moodle's GIFT has no ordering questions.
//   - {}: essay.
//
// Short-answer and numeric questions may have text after the block too.
// Per-answer feedback follows # and general feedback follows #### before the
// closing brace. A format may also start an answer or a feedback; it is
// dropped. IDs are the title's slug (made unique with -2, -3 …) or "q1",
// "q2" … by position; options are "a", "b" … and pairs "p1", "p2" … in
// authored order; Points is 1. GIFT has no tags, points or all-or-nothing.
// Text without an answer block (a Moodle "description") is an error.
func ParseGIFT(src string) ([]Question, []ParseError) {
	if errs := checkText(src); errs != nil {
		return nil, errs
	}
	var p giftParser
	var block []giftLine
	for i, line := range importLines(src) {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			p.block(block)
			block = nil
		case strings.HasPrefix(t, "//"):
			// A comment: it neither ends the question nor belongs to it.
		default:
			block = append(block, giftLine{n: i + 1, text: line})
		}
	}
	p.block(block)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	giftAssignIDs(p.qs)
	return p.qs, nil
}

// importLines drops a byte order mark and splits src into lines, accepting
// \r\n and lone \r line endings.
func importLines(src string) []string {
	src = strings.TrimPrefix(src, "\uFEFF")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	return strings.Split(src, "\n")
}

// checkText returns an error at the first byte of src that is not UTF-8 (a
// file saved in another encoding) or is a control character other than a
// tab or a line end (a NUL byte, which no database stores, or a terminal
// escape), or nil.
func checkText(src string) []ParseError {
	if utf8.ValidString(src) && !strings.ContainsFunc(src, isBadControl) {
		return nil
	}
	for i, line := range importLines(src) {
		for at := 0; at < len(line); {
			r, n := utf8.DecodeRuneInString(line[at:])
			col := utf8.RuneCountInString(line[:at]) + 1
			switch {
			case r == utf8.RuneError && n <= 1:
				return []ParseError{{Line: i + 1, Column: col,
					Message: "this character is not UTF-8: the file is in another encoding (such as Windows-1252 or Latin-1). Save it as UTF-8 and import it again."}}
			case isBadControl(r):
				return []ParseError{{Line: i + 1, Column: col,
					Message: fmt.Sprintf("this is a control character (U+%04X, such as a NUL byte), not text: remove it and import the file again.", r)}}
			}
			at += n
		}
	}
	return nil
}

// isBadControl reports whether r is a control character a question may not
// hold: every C0 and C1 control and DEL but the tab and the line ends.
func isBadControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

type giftLine struct {
	n    int
	text string
}

// giftChar is one character of a question after escapes are read: an escaped
// character is never a marker. line and col locate it (for an escape, its
// backslash).
type giftChar struct {
	r         rune
	esc       bool
	line, col int32
}

func (c giftChar) is(r rune) bool { return !c.esc && c.r == r }

type giftParser struct {
	qs       []Question
	errs     []ParseError
	category string
}

func (p *giftParser) errAt(c giftChar, format string, args ...any) {
	p.errs = append(p.errs, ParseError{Line: int(c.line), Column: int(c.col), Message: fmt.Sprintf(format, args...)})
}

// block reads one blank-line separated block: category lines, then a question.
func (p *giftParser) block(lines []giftLine) {
	for len(lines) > 0 {
		t := strings.TrimSpace(lines[0].text)
		if !strings.HasPrefix(t, "$CATEGORY:") {
			break
		}
		p.category = strings.TrimSpace(strings.TrimPrefix(t, "$CATEGORY:"))
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return
	}
	if q, ok := p.question(giftChars(lines)); ok {
		q.Category = p.category
		p.qs = append(p.qs, q)
	}
}

// giftChars reads escapes; lines are joined with unescaped newlines.
func giftChars(lines []giftLine) []giftChar {
	size := 0
	for _, l := range lines {
		size += len(l.text) + 1
	}
	cs := make([]giftChar, 0, size)
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			cs = append(cs, giftChar{r: '\n', line: int32(prev.n), col: int32(utf8.RuneCountInString(prev.text) + 1)})
		}
		rs := []rune(l.text)
		for k := 0; k < len(rs); k++ {
			c := giftChar{r: rs[k], line: int32(l.n), col: int32(k + 1)}
			if rs[k] == '\\' {
				c.esc = true // a backslash that escapes nothing is literal
				if k+1 < len(rs) {
					switch next := rs[k+1]; next {
					case '~', '=', '#', '{', '}', ':', '\\', '>':
						c.r = next
						k++
					case 'n':
						c.r = '\n'
						k++
					}
				}
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func (p *giftParser) question(cs []giftChar) (Question, bool) {
	q := Question{Points: 1}
	nerrs := len(p.errs)
	i := giftSkipSpace(cs, 0)
	if i == len(cs) {
		p.errAt(cs[0], "a question needs an answer block {…}")
		return q, false
	}
	start := cs[i]
	if giftAt(cs, i, "::") {
		end := giftFind(cs, i+2, "::")
		if end < 0 {
			p.errAt(cs[i], "the title is not closed: write ::Title:: before the question text")
			return q, false
		}
		q.Title = giftText(cs[i+2 : end])
		i = end + 2
	}
	rest := cs[i:]

	open, close := -1, -1
	for k, c := range rest {
		switch {
		case c.is('{') && open >= 0 && close < 0:
			p.errAt(c, "a { inside an answer block must be written \\{")
			return q, false
		case c.is('{') && open >= 0:
			p.errAt(c, "a question has one answer block, and this { starts a second one (write \\{ for a literal brace)")
			return q, false
		case c.is('{'):
			open = k
		case c.is('}') && (open < 0 || close >= 0):
			p.errAt(c, "this } closes no answer block (write \\} for a literal brace)")
			return q, false
		case c.is('}'):
			close = k
		}
	}
	if open < 0 {
		p.errAt(start, "a question needs an answer block {…}")
		return q, false
	}
	if close < 0 {
		p.errAt(rest[open], "this { is not closed by a } before the next blank line")
		return q, false
	}
	brace := rest[open]
	before, body, after := rest[:open], rest[open+1:close], rest[close+1:]

	before = giftTrimLeft(before)
	if tag, n, ok := giftFormatTag(before); ok {
		switch name := strings.ToLower(tag); {
		case giftFormats[name]:
			q.Format = name
			before = before[n:]
		case tag == name:
			p.errAt(before[0], "unknown format [%s]: use [html], [markdown], [plain] or [moodle]", tag)
		}
	}
	q.Text = giftText(before)
	q.TextAfter = giftText(after)

	if k := giftFind(body, 0, "####"); k >= 0 {
		q.GeneralFeedback = giftText(giftStripFormat(body[k+4:]))
		body = body[:k]
	}
	body = giftTrim(body)
	switch {
	case len(body) == 0:
		q.Type = Essay
	case body[0].is('#'):
		q.Type = Numeric
		p.numeric(&q, body)
	case body[0].is('>'):
		q.Type = Ordering
		p.ordering(&q, brace, body)
	default:
		if p.trueFalse(&q, body) {
			break
		}
		switch {
		case giftFind(body, 0, "~") >= 0:
			p.choice(&q, brace, body)
		case giftFind(body, 0, "=") >= 0 && giftFind(body, 0, "->") >= 0:
			q.Type = Matching
			p.matching(&q, brace, body)
		case body[0].is('='):
			q.Type = ShortAnswer
			p.shortAnswer(&q, brace, body)
		default:
			p.errAt(body[0], "an answer block holds answers that start with = or ~, T or F, #number or >item")
		}
	}

	if q.TextAfter != "" && len(p.errs) == nerrs {
		at := after[giftSkipSpace(after, 0)]
		switch q.Type {
		case SingleChoice:
			q.Type = MissingWord
		case MultipleResponse:
			p.errAt(at, "text after the answer block makes a missing-word question, which needs its right answer marked with =")
		case ShortAnswer, Numeric:
		default:
			p.errAt(at, "only missing-word, short-answer and numeric questions have text after the answer block")
		}
	}
	if q.Text == "" && q.TextAfter == "" {
		p.errAt(brace, "the question has no text before its answer block")
	}
	return q, len(p.errs) == nerrs
}

// giftAnswer is one answer of a block: its marker (= ~ >), or for text before
// the first marker (bare) its first character; an optional %weight%; its
// text; and an optional #feedback.
type giftAnswer struct {
	mark      giftChar
	bare      bool
	hasWeight bool
	weight    []giftChar // between the percent signs
	weightAt  giftChar   // the opening percent sign
	text      []giftChar // after the weight, before the feedback
	hasFB     bool
	fbAt      giftChar
	feedback  string
}

// answers splits body at the unescaped markers in marks.
func (p *giftParser) answers(body []giftChar, marks string) []giftAnswer {
	var out []giftAnswer
	segment := func(mark giftChar, bare bool, seg []giftChar) {
		a := giftAnswer{mark: mark, bare: bare}
		seg = giftTrimLeft(seg)
		head := seg
		if k := giftFind(seg, 0, "#"); k >= 0 {
			head = seg[:k]
			a.hasFB, a.fbAt = true, seg[k]
			a.feedback = giftText(giftStripFormat(seg[k+1:]))
		}
		if len(head) > 0 && head[0].is('%') {
			if end := giftFind(head, 1, "%"); end > 0 {
				a.hasWeight, a.weightAt, a.weight = true, head[0], head[1:end]
				head = head[end+1:]
			}
		}
		a.text = head
		out = append(out, a)
	}
	start, mark, bare := 0, giftChar{}, true
	for k, c := range body {
		if c.esc || !strings.ContainsRune(marks, c.r) {
			continue
		}
		if seg := body[start:k]; !bare || giftSkipSpace(seg, 0) < len(seg) {
			if bare {
				mark = seg[giftSkipSpace(seg, 0)]
			}
			segment(mark, bare, seg)
		}
		start, mark, bare = k+1, c, false
	}
	if seg := body[start:]; !bare || giftSkipSpace(seg, 0) < len(seg) {
		if bare {
			mark = seg[giftSkipSpace(seg, 0)]
		}
		segment(mark, bare, seg)
	}
	return out
}

// weightOf returns a's weight, or def when it has none; a bad weight is reported.
func (p *giftParser) weightOf(a giftAnswer, def float64) float64 {
	if !a.hasWeight {
		return def
	}
	at := a.weightAt
	if len(a.weight) > 0 {
		at = a.weight[0]
	}
	s := strings.TrimSpace(giftString(a.weight))
	w, err := strconv.ParseFloat(s, 64)
	if err != nil || !(w >= -100 && w <= 100) {
		p.errAt(at, "the weight %%%s%% must be a number from -100 to 100", s)
		return def
	}
	return w
}

// marked reports whether a starts with a marker, and reports text before the
// first marker as an error.
func (p *giftParser) marked(a giftAnswer, marks string) bool {
	if a.bare {
		p.errAt(a.mark, "text before the first answer: each answer starts with %s", marks)
	}
	return !a.bare
}

func (p *giftParser) choice(q *Question, brace giftChar, body []giftChar) {
	nerrs := len(p.errs)
	hasEq := false
	for _, a := range p.answers(body, "=~") {
		if !p.marked(a, "= or ~") {
			continue
		}
		w := 0.0
		if a.mark.r == '=' {
			w, hasEq = 100, true
		}
		w = p.weightOf(a, w)
		text := giftText(giftStripFormat(a.text))
		if text == "" {
			p.errAt(a.mark, "the answer after %c is empty", a.mark.r)
		}
		q.Options = append(q.Options, Option{ID: giftOptionID(len(q.Options)), Text: text, Weight: w, Feedback: a.feedback})
	}
	if len(p.errs) > nerrs {
		return
	}
	if len(q.Options) < 2 {
		p.errAt(brace, "a choice question needs at least two answers")
		return
	}
	if hasEq {
		q.Type = SingleChoice
		if !giftHasFull(q.Options) {
			p.errAt(brace, "no answer is worth 100%%: a single-choice question needs one")
		}
		return
	}
	q.Type = MultipleResponse
	sum := 0.0
	for _, o := range q.Options {
		if o.Weight > 0 {
			sum += o.Weight
		}
	}
	switch {
	case sum == 0:
		p.errAt(brace, "this question has no right answer: mark one with =, or give weights such as ~%%50%% for several")
	case math.Abs(sum-100) > 1:
		p.errAt(brace, "the positive weights add up to %s%%: a multiple-response question needs them to add up to 100%%", giftFloat(sum))
	}
}

func giftHasFull(opts []Option) bool {
	for _, o := range opts {
		if o.Weight == 100 {
			return true
		}
	}
	return false
}

func (p *giftParser) shortAnswer(q *Question, brace giftChar, body []giftChar) {
	nerrs := len(p.errs)
	full := false
	for _, a := range p.answers(body, "=") {
		if !p.marked(a, "=") {
			continue
		}
		w := p.weightOf(a, 100)
		full = full || w == 100
		text := giftText(giftStripFormat(a.text))
		if text == "" {
			p.errAt(a.mark, "the answer after = is empty")
		}
		q.Answers = append(q.Answers, TextAnswer{Text: text, Weight: w, Feedback: a.feedback})
	}
	if len(p.errs) == nerrs && !full {
		p.errAt(brace, "no answer is worth 100%%: a short-answer question needs one")
	}
}

func (p *giftParser) matching(q *Question, brace giftChar, body []giftChar) {
	nerrs := len(p.errs)
	lefts := 0
	for _, a := range p.answers(body, "=") {
		if !p.marked(a, "=") {
			continue
		}
		if a.hasWeight {
			p.errAt(a.weightAt, "matching pairs take no weight")
		}
		if a.hasFB {
			p.errAt(a.fbAt, "matching pairs take no feedback (write \\# for a literal #)")
		}
		k := giftFind(a.text, 0, "->")
		if k < 0 {
			p.errAt(a.mark, "this pair has no ->: a matching question pairs every item, as in =item -> match")
			continue
		}
		left := giftText(giftStripFormat(a.text[:k]))
		right := giftText(a.text[k+2:])
		if right == "" {
			p.errAt(a.text[k], "nothing follows ->: write =item -> match")
		}
		if left != "" {
			lefts++
		}
		q.Pairs = append(q.Pairs, Pair{ID: "p" + strconv.Itoa(len(q.Pairs)+1), Left: left, Right: right})
	}
	if len(p.errs) == nerrs && lefts < 2 {
		p.errAt(brace, "a matching question needs at least two pairs")
	}
}

func (p *giftParser) ordering(q *Question, brace giftChar, body []giftChar) {
	nerrs := len(p.errs)
	for _, c := range body {
		if c.is('=') || c.is('~') {
			p.errAt(c, "an ordering question lists its items with > only (write \\%c for a literal %c)", c.r, c.r)
			return
		}
	}
	for _, a := range p.answers(body, ">") {
		if a.hasWeight {
			p.errAt(a.weightAt, "ordering items take no weight")
		}
		text := giftText(giftStripFormat(a.text))
		if text == "" {
			p.errAt(a.mark, "the item after > is empty")
		}
		q.Options = append(q.Options, Option{ID: giftOptionID(len(q.Options)), Text: text, Feedback: a.feedback})
	}
	if len(p.errs) == nerrs && len(q.Options) < 2 {
		p.errAt(brace, "an ordering question needs at least two items")
	}
}

func (p *giftParser) numeric(q *Question, body []giftChar) {
	nerrs := len(p.errs)
	rest := giftTrim(body[1:])
	if len(rest) == 0 {
		p.errAt(body[0], "a number is missing after #")
		return
	}
	full := false
	for _, a := range p.answers(rest, "=~") {
		if a.mark.is('~') && !a.bare {
			if a.hasWeight || giftText(a.text) != "" {
				p.errAt(a.mark, "~ in a numeric question only gives feedback for any other number: write ~#feedback")
				continue
			}
			q.Numbers = append(q.Numbers, NumericAnswer{IsRange: true, Min: -math.MaxFloat64, Max: math.MaxFloat64, Feedback: a.feedback})
			continue
		}
		n, msg := giftNumber(giftText(a.text))
		if msg != "" {
			at := a.mark
			if i := giftSkipSpace(a.text, 0); i < len(a.text) {
				at = a.text[i]
			}
			p.errAt(at, "%s", msg)
		}
		n.Weight = p.weightOf(a, 100)
		n.Feedback = a.feedback
		full = full || n.Weight == 100
		q.Numbers = append(q.Numbers, n)
	}
	if len(p.errs) == nerrs && !full {
		p.errAt(body[0], "no answer is worth 100%%: a numeric question needs one")
	}
}

// giftNumber reads "5", "5:0.5" or "1..5"; it returns a message when it cannot.
func giftNumber(s string) (NumericAnswer, string) {
	if s == "" {
		return NumericAnswer{}, "a number is missing"
	}
	if k := strings.Index(s, ".."); k >= 0 {
		lo, ok1 := giftParseFloat(s[:k])
		hi, ok2 := giftParseFloat(s[k+2:])
		if !ok1 || !ok2 {
			return NumericAnswer{}, fmt.Sprintf("%q is not a range of numbers: write min..max, as in 1..5", s)
		}
		if lo > hi {
			return NumericAnswer{}, fmt.Sprintf("the range %s starts above its end", s)
		}
		return NumericAnswer{IsRange: true, Min: lo, Max: hi}, ""
	}
	if k := strings.Index(s, ":"); k >= 0 {
		v, ok1 := giftParseFloat(s[:k])
		tol, ok2 := giftParseFloat(s[k+1:])
		if !ok1 || !ok2 {
			return NumericAnswer{}, fmt.Sprintf("%q is not a number with a tolerance: write value:tolerance, as in 5:0.5", s)
		}
		if tol < 0 {
			return NumericAnswer{}, fmt.Sprintf("the tolerance in %s must not be negative", s)
		}
		return NumericAnswer{Value: v, Tolerance: tol}, ""
	}
	v, ok := giftParseFloat(s)
	if !ok {
		return NumericAnswer{}, fmt.Sprintf("%q is not a number", s)
	}
	return NumericAnswer{Value: v}, ""
}

func giftParseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// trueFalse reads {T}, {FALSE#wrong#right} …; it reports false, and changes
// nothing, when body is not a true/false answer.
func (p *giftParser) trueFalse(q *Question, body []giftChar) bool {
	head, fb := body, []giftChar(nil)
	if k := giftFind(body, 0, "#"); k >= 0 {
		head, fb = body[:k], body[k+1:]
	}
	if head = giftTrim(head); len(head) > len("FALSE") {
		return false
	}
	switch strings.ToUpper(giftString(head)) {
	case "T", "TRUE":
		q.Correct = true
	case "F", "FALSE":
		q.Correct = false
	default:
		return false
	}
	q.Type = TrueFalse
	var wrong, right string
	if fb != nil {
		w := fb
		if k := giftFind(fb, 0, "#"); k >= 0 {
			w = fb[:k]
			right = giftText(giftStripFormat(fb[k+1:]))
		}
		wrong = giftText(giftStripFormat(w))
	}
	if q.Correct {
		q.TrueFeedback, q.FalseFeedback = right, wrong
	} else {
		q.TrueFeedback, q.FalseFeedback = wrong, right
	}
	return true
}

var giftFormats = map[string]bool{"html": true, "markdown": true, "plain": true, "moodle": true}

// giftFormatTag reports whether cs starts with [letters], returning the
// letters and the length of the tag.
func giftFormatTag(cs []giftChar) (string, int, bool) {
	if len(cs) < 3 || !cs[0].is('[') {
		return "", 0, false
	}
	for k := 1; k < len(cs); k++ {
		c := cs[k]
		if c.is(']') && k > 1 {
			return giftString(cs[1:k]), k + 1, true
		}
		if c.esc || c.r > unicode.MaxASCII || !unicode.IsLetter(c.r) {
			return "", 0, false
		}
	}
	return "", 0, false
}

// giftStripFormat drops leading space and a known format tag.
func giftStripFormat(cs []giftChar) []giftChar {
	cs = giftTrimLeft(cs)
	if tag, n, ok := giftFormatTag(cs); ok && giftFormats[strings.ToLower(tag)] {
		return cs[n:]
	}
	return cs
}

func giftIsSpace(c giftChar) bool { return unicode.IsSpace(c.r) }

func giftSkipSpace(cs []giftChar, i int) int {
	for i < len(cs) && giftIsSpace(cs[i]) {
		i++
	}
	return i
}

func giftTrimLeft(cs []giftChar) []giftChar { return cs[giftSkipSpace(cs, 0):] }

func giftTrim(cs []giftChar) []giftChar {
	cs = giftTrimLeft(cs)
	for len(cs) > 0 && giftIsSpace(cs[len(cs)-1]) {
		cs = cs[:len(cs)-1]
	}
	return cs
}

// giftAt reports whether the unescaped characters of s start at cs[i].
func giftAt(cs []giftChar, i int, s string) bool {
	for _, r := range s {
		if i >= len(cs) || !cs[i].is(r) {
			return false
		}
		i++
	}
	return true
}

// giftFind returns the index of the first unescaped s in cs at or after from, or -1.
func giftFind(cs []giftChar, from int, s string) int {
	for i := from; i < len(cs); i++ {
		if giftAt(cs, i, s) {
			return i
		}
	}
	return -1
}

func giftString(cs []giftChar) string {
	var b strings.Builder
	b.Grow(len(cs))
	for _, c := range cs {
		b.WriteRune(c.r)
	}
	return b.String()
}

// giftText is the text of cs with escapes read and surrounding space trimmed.
func giftText(cs []giftChar) string { return strings.TrimSpace(giftString(cs)) }

// giftAssignIDs gives each question its title's slug, or "q" and its
// position, made unique with -2, -3 ….
func giftAssignIDs(qs []Question) {
	used := make(map[string]bool, len(qs))
	next := make(map[string]int)
	for i := range qs {
		base := giftSlug(qs[i].Title)
		if base == "" {
			base = "q" + strconv.Itoa(i+1)
		}
		id := base
		if used[id] {
			n := max(next[base], 2)
			for id = base + "-" + strconv.Itoa(n); used[id]; id = base + "-" + strconv.Itoa(n) {
				n++
			}
			next[base] = n + 1
		}
		used[id] = true
		qs[i].ID = id
	}
}

// giftSlug keeps ASCII letters (lowercased) and digits, joining runs of
// anything else with one hyphen; at most 64 characters.
func giftSlug(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			if b.Len() >= 64 {
				break
			}
			continue
		}
		hyphen = true
	}
	return strings.TrimRight(b.String(), "-")
}

// giftOptionID is "a" … "z", "aa", "ab" … for the option at index i.
func giftOptionID(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('a' + (i-1)%26)}, b...)
	}
	return string(b)
}

// ExportGIFT writes questions in GIFT as ParseGIFT reads them, so that
// ParseGIFT(ExportGIFT(qs)) gives back qs where GIFT can hold them: IDs
// follow from titles and positions, Points come back as 1, and Tags,
// AllOrNothing and a numeric range's Value and Tolerance are not written.
// Ordering questions use the {>item} extension. A Category line is written
// whenever the category changes.
func ExportGIFT(qs []Question) string {
	var b strings.Builder
	category := ""
	for _, q := range qs {
		if q.Category != category {
			category = q.Category
			c := strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(category))
			if c == "" {
				b.WriteString("$CATEGORY:\n\n")
			} else {
				b.WriteString("$CATEGORY: " + c + "\n\n")
			}
		}
		giftWriteQuestion(&b, q)
		b.WriteString("\n")
	}
	return b.String()
}

func giftWriteQuestion(b *strings.Builder, q Question) {
	switch {
	case q.Title != "":
		b.WriteString("::" + giftEscape(q.Title, false, false) + "::")
	case q.Format == "" && (strings.HasPrefix(q.Text, "//") || strings.HasPrefix(q.Text, "\uFEFF")):
		b.WriteString("::::") // an empty title, so the line is not a comment or a byte order mark
	}
	if q.Format != "" {
		b.WriteString("[" + q.Format + "]")
	}
	if q.Text != "" {
		b.WriteString(giftEscape(q.Text, false, false) + " ")
	}
	format := q.Format
	if !giftFormats[format] {
		format = "moodle"
	}
	arrows, gt := q.Type == ShortAnswer || q.Type == Matching, q.Type == Ordering
	text := func(s string) string { return giftProtect(s, format, true) + giftEscape(s, arrows, gt) }
	feedback := func(s string) string {
		if s == "" {
			return ""
		}
		return "#" + giftProtect(s, format, false) + giftEscape(s, arrows, gt)
	}
	general := ""
	if q.GeneralFeedback != "" {
		general = "####" + giftProtect(q.GeneralFeedback, format, false) + giftEscape(q.GeneralFeedback, arrows, gt)
	}
	lines := func(open string, items []string) {
		b.WriteString(open + "\n")
		for _, s := range items {
			b.WriteString("\t" + s + "\n")
		}
		if general != "" {
			b.WriteString("\t" + general + "\n")
		}
		b.WriteString("}")
	}

	switch q.Type {
	case TrueFalse:
		word, wrong, right := "FALSE", q.TrueFeedback, q.FalseFeedback
		if q.Correct {
			word, wrong, right = "TRUE", q.FalseFeedback, q.TrueFeedback
		}
		b.WriteString("{" + word)
		if wrong != "" || right != "" {
			b.WriteString(feedback(wrong))
			if wrong == "" {
				b.WriteString("#")
			}
			b.WriteString(feedback(right))
		}
		b.WriteString(general + "}")
	case SingleChoice, MissingWord, MultipleResponse:
		var items []string
		right := false
		for _, o := range q.Options {
			mark := "~"
			switch {
			case q.Type != MultipleResponse && o.Weight == 100 && !right:
				mark, right = "=", true
			case o.Weight != 0:
				mark += "%" + giftFloat(o.Weight) + "%"
			}
			items = append(items, mark+text(o.Text)+feedback(o.Feedback))
		}
		lines("{", items)
	case ShortAnswer:
		var items []string
		for _, a := range q.Answers {
			mark := "="
			if a.Weight != 100 {
				mark += "%" + giftFloat(a.Weight) + "%"
			}
			items = append(items, mark+text(a.Text)+feedback(a.Feedback))
		}
		lines("{", items)
	case Numeric:
		if len(q.Numbers) == 1 && q.Numbers[0].Weight == 100 && q.Numbers[0].Feedback == "" && !giftCatchAll(q.Numbers[0]) {
			b.WriteString("{#" + giftNumberText(q.Numbers[0]) + general + "}")
			break
		}
		var items []string
		for _, n := range q.Numbers {
			if giftCatchAll(n) {
				items = append(items, "~"+feedback(n.Feedback))
				continue
			}
			mark := "="
			if n.Weight != 100 {
				mark += "%" + giftFloat(n.Weight) + "%"
			}
			items = append(items, mark+giftNumberText(n)+feedback(n.Feedback))
		}
		lines("{#", items)
	case Matching:
		var items []string
		for _, p := range q.Pairs {
			left := text(p.Left)
			if left != "" {
				left += " "
			}
			items = append(items, "="+left+"-> "+giftEscape(p.Right, true, false))
		}
		lines("{", items)
	case Ordering:
		var items []string
		for _, o := range q.Options {
			items = append(items, ">"+text(o.Text)+feedback(o.Feedback))
		}
		lines("{", items)
	default: // Essay, and any type GIFT cannot hold
		b.WriteString("{" + general + "}")
	}
	if q.TextAfter != "" {
		b.WriteString(" " + giftEscape(q.TextAfter, false, false))
	}
	b.WriteString("\n")
}

// giftCatchAll reports whether n is the "any other number" answer that
// ParseGIFT makes of Moodle's ~#feedback.
func giftCatchAll(n NumericAnswer) bool {
	return n.IsRange && n.Min == -math.MaxFloat64 && n.Max == math.MaxFloat64 && n.Weight == 0
}

func giftNumberText(n NumericAnswer) string {
	switch {
	case n.IsRange:
		return giftFloat(n.Min) + ".." + giftFloat(n.Max)
	case n.Tolerance != 0:
		return giftFloat(n.Value) + ":" + giftFloat(n.Tolerance)
	}
	return giftFloat(n.Value)
}

func giftFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// giftProtect returns a format tag to write before s when ParseGIFT would
// otherwise read the start of s as a format tag (or, for an answer, as a
// %weight%); the tag is dropped again on import.
func giftProtect(s, format string, answer bool) string {
	if answer && strings.HasPrefix(s, "%") {
		return "[" + format + "]"
	}
	if !strings.HasPrefix(s, "[") {
		return ""
	}
	end := strings.IndexByte(s, ']')
	if end < 2 {
		return ""
	}
	for _, r := range s[1:end] {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) {
			return ""
		}
	}
	if giftFormats[strings.ToLower(s[1:end])] {
		return "[" + format + "]"
	}
	return ""
}

// giftEscape writes s so that ParseGIFT reads it back: \ ~ = # { } : and new
// lines are escaped; with arrows, the > of -> too; with gt, every >.
func giftEscape(s string, arrows, gt bool) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case r == '\n':
			b.WriteString(`\n`)
		case strings.ContainsRune(`\~=#{}:`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '>' && (gt || arrows && prev == '-'):
			b.WriteString(`\>`)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}
