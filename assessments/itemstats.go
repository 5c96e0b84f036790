package assessments

import (
	"cmp"
	"math"
	"slices"
)

// Item analysis, after Moodle's quiz statistics report. For one question
// version over a set of submitted attempts (x is the points the attempt
// scored on the question, y the attempt's total points less x):
//
//   - Attempts: how many of the attempts drew the question (a blank answer
//     counts, scoring 0).
//   - Facility index: 100 × mean(x) / the question's points; the share of the
//     marks people got.
//   - Discrimination index: 100 × the Pearson correlation of x and y (the
//     score on the rest of the test). Undefined with fewer than two attempts
//     or when either x or y does not vary.
//   - Option shares: for choice questions, the share of attempts that chose
//     each option (multiple response: chose it among others); for the other
//     types, the most common responses.
//
// Flags: too easy (facility above 90%), too hard (below 20%), negative
// discrimination, and an option nobody chose.

// Flag thresholds, in percent.
const (
	ItemTooEasy = 90
	ItemTooHard = 20
)

// ItemMostCommon is how many of the most common responses an item keeps for
// the types without options.
const ItemMostCommon = 5

// ItemQuestion is one question version to analyse.
type ItemQuestion struct {
	RowID     int64 // questions row: one version
	QID       string
	Version   int
	Title     string // the title, or the start of the stem
	Type      Type
	Options   []ItemOption // choice types, in authored order; true/false: True, False
	MaxPoints float64
}

// ItemOption is one option of an ItemQuestion.
type ItemOption struct {
	ID, Text string
	Right    bool // earns marks
}

// ItemResponse is one question as one attempt drew it.
type ItemResponse struct {
	RowID    int64
	Points   float64
	Answered bool
	Choices  []int  // choice types: the chosen options, by index in ItemQuestion.Options
	Text     string // other types: the response as text (for the most common responses)
}

// ItemOptionShare is how often one option (or response) was chosen.
type ItemOptionShare struct {
	Text    string
	Right   bool
	Count   int
	Percent float64 // of the item's attempts
}

// ItemStats is the analysis of one question version, or of all versions of a
// question (Version 0, only when it has more than one).
type ItemStats struct {
	QID            string
	Version        int // 0: all versions together
	Title          string
	Type           Type
	Attempts       int
	Blank          int      // attempts that left it blank
	Facility       *float64 // percent; nil without attempts
	Discrimination *float64 // percent (100 × r); nil when undefined
	Options        []ItemOptionShare
	MostCommon     bool // Options are the most common responses, not the options
	TooEasy        bool
	TooHard        bool
	Negative       bool     // negative discrimination
	Unchosen       []string // options nobody chose
}

// Flags returns the item's flags in words.
func (s *ItemStats) Flags() []string {
	var f []string
	if s.TooEasy {
		f = append(f, "too easy")
	}
	if s.TooHard {
		f = append(f, "too hard")
	}
	if s.Negative {
		f = append(f, "negative discrimination")
	}
	for _, o := range s.Unchosen {
		f = append(f, "nobody chose “"+o+"”")
	}
	return f
}

// ItemReport is the analysis of a quiz: one row per question version in the
// order the questions were given, each question's versions followed by a
// row for all its versions when it has several.
type ItemReport struct {
	Attempts int // attempts analysed
	Items    []ItemStats
}

// isChoice reports whether the type's responses are counted per option.
func isChoice(t Type) bool {
	switch t {
	case SingleChoice, MultipleResponse, MissingWord, TrueFalse:
		return true
	}
	return false
}

// itemSums are the moments of one item: x its points, t the attempt's total.
type itemSums struct {
	n, answered           int
	sx, sxx, st, stt, stx float64
	maxPoints             float64
	chosen                []int
	texts                 map[string]int
}

func (m *itemSums) add(x, total float64) {
	m.n++
	m.sx += x
	m.sxx += x * x
	m.st += total
	m.stt += total * total
	m.stx += total * x
}

func (m *itemSums) merge(o *itemSums) {
	m.n += o.n
	m.answered += o.answered
	m.sx, m.sxx, m.st, m.stt, m.stx = m.sx+o.sx, m.sxx+o.sxx, m.st+o.st, m.stt+o.stt, m.stx+o.stx
}

// ItemTally accumulates attempts for an ItemReport without keeping them.
type ItemTally struct {
	questions []ItemQuestion
	byRow     map[int64]int
	sums      []itemSums
	attempts  int
}

// NewItemTally starts an analysis of the question versions.
func NewItemTally(questions []ItemQuestion) *ItemTally {
	t := &ItemTally{questions: questions, byRow: make(map[int64]int, len(questions)), sums: make([]itemSums, len(questions))}
	for i, q := range questions {
		t.byRow[q.RowID] = i
		t.sums[i].maxPoints = q.MaxPoints
		if isChoice(q.Type) {
			t.sums[i].chosen = make([]int, len(q.Options))
		} else {
			t.sums[i].texts = map[string]int{}
		}
	}
	return t
}

// Add counts one submitted attempt: the questions it drew with their scores.
// A response for a question version the tally was not given is ignored.
func (t *ItemTally) Add(attempt []ItemResponse) {
	t.attempts++
	total := 0.0
	for i := range attempt {
		total += attempt[i].Points
	}
	for i := range attempt {
		r := &attempt[i]
		k, ok := t.byRow[r.RowID]
		if !ok {
			continue
		}
		m := &t.sums[k]
		m.add(r.Points, total)
		if r.Answered {
			m.count(r, 1)
		}
	}
}

func (m *itemSums) count(r *ItemResponse, n int) {
	m.answered += n
	if m.chosen != nil {
		for _, c := range r.Choices {
			if c >= 0 && c < len(m.chosen) {
				m.chosen[c] += n
			}
		}
	} else if r.Text != "" {
		m.texts[r.Text] += n
	}
}

// Report returns the analysis of the attempts added so far.
func (t *ItemTally) Report() ItemReport {
	rep := ItemReport{Attempts: t.attempts}
	for i := 0; i < len(t.questions); {
		j := i + 1
		for j < len(t.questions) && t.questions[j].QID == t.questions[i].QID {
			j++
		}
		var all itemSums
		for k := i; k < j; k++ {
			rep.Items = append(rep.Items, t.stats(&t.questions[k], &t.sums[k]))
			s := &t.sums[k]
			all.merge(s)
			all.maxPoints += s.maxPoints * float64(s.n) // weighted below
		}
		if j-i > 1 {
			if all.n > 0 {
				all.maxPoints /= float64(all.n)
			}
			q := t.questions[j-1]
			st := itemFigures(&all)
			st.QID, st.Title, st.Type = q.QID, q.Title, q.Type
			rep.Items = append(rep.Items, st)
		}
		i = j
	}
	return rep
}

// itemFigures computes attempts, facility, discrimination and the facility
// and discrimination flags from the sums.
func itemFigures(m *itemSums) ItemStats {
	st := ItemStats{Attempts: m.n, Blank: m.n - m.answered}
	if m.n == 0 {
		return st
	}
	n := float64(m.n)
	// y = t - x: the score on the rest of the test.
	sy, syy, sxy := m.st-m.sx, m.stt-2*m.stx+m.sxx, m.stx-m.sxx
	if m.maxPoints > 0 {
		f := 100 * m.sx / n / m.maxPoints
		st.Facility = &f
		st.TooEasy, st.TooHard = f > ItemTooEasy, f < ItemTooHard
	}
	vx := n*m.sxx - m.sx*m.sx
	vy := n*syy - sy*sy
	// Sums of squares of equal values can come out a rounding error above 0.
	if m.n > 1 && vx > 1e-9*n*m.sxx && vy > 1e-9*n*syy {
		r := (n*sxy - m.sx*sy) / math.Sqrt(vx*vy)
		d := 100 * max(-1, min(1, r))
		st.Discrimination = &d
		st.Negative = d < 0
	}
	return st
}

func (t *ItemTally) stats(q *ItemQuestion, m *itemSums) ItemStats {
	st := itemFigures(m)
	st.QID, st.Version, st.Title, st.Type = q.QID, q.Version, q.Title, q.Type
	pct := func(c int) float64 {
		if m.n == 0 {
			return 0
		}
		return 100 * float64(c) / float64(m.n)
	}
	if m.chosen != nil {
		for i, o := range q.Options {
			st.Options = append(st.Options, ItemOptionShare{Text: o.Text, Right: o.Right, Count: m.chosen[i], Percent: pct(m.chosen[i])})
			if m.n > 0 && m.chosen[i] == 0 {
				st.Unchosen = append(st.Unchosen, o.Text)
			}
		}
		return st
	}
	st.MostCommon = true
	for text, c := range m.texts {
		st.Options = append(st.Options, ItemOptionShare{Text: text, Count: c, Percent: pct(c)})
	}
	slices.SortFunc(st.Options, func(a, b ItemOptionShare) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Text, b.Text)
	})
	if len(st.Options) > ItemMostCommon {
		st.Options = st.Options[:ItemMostCommon]
	}
	return st
}

// AnalyseItems is the item analysis of the attempts (each the questions it
// drew) over the question versions, ordered as given (keep a question's
// versions together, oldest first).
func AnalyseItems(questions []ItemQuestion, attempts [][]ItemResponse) ItemReport {
	t := NewItemTally(questions)
	for _, a := range attempts {
		t.Add(a)
	}
	return t.Report()
}
