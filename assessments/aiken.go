package assessments

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseAiken parses a file in the Aiken format: single-choice questions, each
// a question text (one line or more), then options "A. text" or "A) text",
// then "ANSWER: B".
//
//	Who owns a customer's complaint?
//	A. The team it belongs to
//	B. The first person who hears it
//	ANSWER: B
//
// It returns every question, or (and then no question) every problem found at
// its line and column: a question with no ANSWER line, fewer than two options,
// an answer letter that is not among the options, a repeated letter, or an
// option or ANSWER with no question, text that is not UTF-8 or holds a control character. Blank lines are ignored; a byte order
// mark and Windows line endings are accepted. IDs are "q1", "q2" … by
// position and options "a", "b" … in authored order; the answer's weight is
// 100 and Points is 1.
func ParseAiken(src string) ([]Question, []ParseError) {
	var (
		qs   []Question
		errs []ParseError
		cur  *aikenQuestion
	)
	if errs := checkText(src); errs != nil {
		return nil, errs
	}
	fail := func(line, col int, msg string) {
		errs = append(errs, ParseError{Line: line, Column: col, Message: msg})
	}
	unfinished := func() {
		if cur != nil && !cur.bad {
			fail(cur.line, cur.col, "this question has no ANSWER: line")
		}
		cur = nil
	}
	for i, raw := range importLines(src) {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		col := utf8.RuneCountInString(raw[:strings.Index(raw, line)]) + 1

		if len(line) >= len("ANSWER:") && strings.EqualFold(line[:len("ANSWER:")], "ANSWER:") {
			switch {
			case cur == nil:
				fail(n, col, "an ANSWER: line needs a question and its options above it")
				continue
			case cur.bad:
				cur = nil
				continue
			}
			q := cur
			cur = nil
			value := line[len("ANSWER:"):]
			letter := strings.TrimSpace(value)
			at := col + len("ANSWER:") + utf8.RuneCountInString(value[:len(value)-len(strings.TrimLeftFunc(value, unicode.IsSpace))])
			switch right := strings.Index(q.letters, strings.ToUpper(letter)); {
			case letter == "":
				fail(n, col, "ANSWER: needs the letter of the right option, as in ANSWER: B")
			case len(q.letters) < 2:
				fail(n, col, "a question needs at least two options before its ANSWER: line")
			case len(letter) != 1 || right < 0:
				fail(n, at, fmt.Sprintf("the answer %q is not one of the option letters %s", letter, strings.Join(strings.Split(q.letters, ""), ", ")))
			default:
				q.q.Options[right].Weight = 100
				qs = append(qs, q.q)
			}
			continue
		}

		if letter, text, ok := aikenOption(line); ok {
			switch {
			case cur == nil:
				fail(n, col, "option "+string(letter)+" has no question above it")
				cur = &aikenQuestion{bad: true}
				continue
			case cur.bad:
				continue
			case strings.ContainsRune(cur.letters, letter):
				fail(n, col, "option "+string(letter)+" appears twice in this question")
				cur.bad = true
				continue
			case text == "":
				fail(n, col, "option "+string(letter)+" has no text")
				cur.bad = true
				continue
			}
			cur.letters += string(letter)
			cur.q.Options = append(cur.q.Options, Option{ID: giftOptionID(len(cur.q.Options)), Text: text})
			continue
		}

		if cur != nil && len(cur.q.Options) == 0 && !cur.bad {
			cur.q.Text += "\n" + line // a question text over several lines
			continue
		}
		unfinished()
		cur = &aikenQuestion{line: n, col: col, q: Question{Type: SingleChoice, Text: line, Points: 1}}
	}
	unfinished()
	if len(errs) > 0 {
		return nil, errs
	}
	for i := range qs {
		qs[i].ID = "q" + strconv.Itoa(i+1)
	}
	return qs, nil
}

type aikenQuestion struct {
	q         Question
	letters   string // the option letters in order
	line, col int    // where the question text starts
	bad       bool   // an error was reported: skip to its ANSWER line
}

// aikenOption reads "A. text" or "A) text" (also "A." alone, with no text).
func aikenOption(line string) (rune, string, bool) {
	if len(line) < 2 || line[0] < 'A' || line[0] > 'Z' || line[1] != '.' && line[1] != ')' {
		return 0, "", false
	}
	rest := line[2:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	return rune(line[0]), strings.TrimSpace(rest), true
}
