package app

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"

	"github.com/serviceacademy/academy/assessments"
)

// The cue check on the bank pages: warnings next to each question, in the
// editor and in the import preview, and the bank's health panel. The check
// is advice: nothing here stops a save or an import.

// cueLabels names the cue rules as authors read them, in the order the
// health panel lists them.
var cueLabels = []struct {
	Code  assessments.CueCode
	Label string
}{
	{assessments.CueLongKey, "Right option longer than the wrong ones"},
	{assessments.CueAllNone, "All / none of the above"},
	{assessments.CueDuplicateOption, "Duplicate options"},
	{assessments.CueNegativeStem, "Negatively worded question"},
	{assessments.CueLooseWildcard, "Wildcard accepts unrelated words"},
	{assessments.CueKeyPosition, "Right option in the same position"},
	{assessments.CueKeyLongest, "Right option usually the longest"},
	{assessments.CueRightFirst, "Right options listed first"},
	{assessments.CueSameWrongCount, "Same number of wrong options"},
	{assessments.CueTrueFalseBalance, "True/false balance"},
}

func cueLabel(code assessments.CueCode) string {
	for _, l := range cueLabels {
		if l.Code == code {
			return l.Label
		}
	}
	return string(code)
}

// cueNote is one warning as a page shows it.
type cueNote struct {
	Code, Label, Field, Message string
}

func cueNotes(ws []assessments.CueWarning) []cueNote {
	out := make([]cueNote, 0, len(ws))
	for _, w := range ws {
		out = append(out, cueNote{Code: string(w.Code), Label: cueLabel(w.Code), Field: w.Field, Message: w.Message})
	}
	return out
}

// cueByQuestion groups warnings by question id; the bank's own warnings
// (no question id) are under "".
func cueByQuestion(ws []assessments.CueWarning) map[string][]cueNote {
	out := map[string][]cueNote{}
	for _, w := range ws {
		out[w.QuestionID] = append(out[w.QuestionID], cueNote{Code: string(w.Code), Label: cueLabel(w.Code), Field: w.Field, Message: w.Message})
	}
	return out
}

// cueCount is one rule's number of warnings in the bank.
type cueCount struct {
	Code, Label string
	N           int
}

// bankHealth is the health panel of a bank: what a learner who has read
// nothing could get from its cues.
type bankHealth struct {
	Questions int
	Figures   assessments.BankCueFigures

	LongestPct int           // single-choice keys that are strictly the longest option, percent
	LongestBar template.HTML // longest vs not
	TruePct    int
	TrueBar    template.HTML // true vs false
	TrueOK     bool          // within the 35–65% band (or too few to tell)
	Positions  []bar         // keys at each written position
	Strategy   assessments.StrategyScore
	StrategyOK bool    // below the lowest pass mark of the course's quizzes
	PassMark   float64 // that pass mark; 0 when no quiz
	PassQuiz   string

	Counts   []cueCount // per rule, every rule listed
	Total    int        // warnings in all
	Bank     []cueNote  // the warnings about the bank as a whole
	TrueMin  int
	TrueMax  int
	LongKey  string // the long-key rule as a sentence
	ClosedOK bool   // the bank has closed questions to score
}

// bankHealthOf computes the panel for the current questions qs with their
// warnings ws; quizzes give the pass mark the strategy score is compared with.
func bankHealthOf(qs []assessments.Question, ws []assessments.CueWarning, quizzes []*assessments.Quiz) bankHealth {
	f := assessments.BankCues(qs)
	h := bankHealth{Questions: len(qs), Figures: f, Strategy: f.Strategy, ClosedOK: f.Strategy.Items > 0,
		TrueMin: int(100 * assessments.CueTrueMin), TrueMax: int(100 * assessments.CueTrueMax),
		LongKey: fmt.Sprintf("more than %.0f%% longer than the mean wrong option", 100*(assessments.CueLongKeyRatio-1))}
	h.LongestPct = int(100*f.KeyLongestShare() + 0.5)
	h.LongestBar = stackedSVG([]chartPart{
		{f.KeyLongest, "right option is the longest", "#b54708"},
		{f.SingleChoice - f.KeyLongest, "right option is not the longest", "#067647"},
	})
	h.TruePct = int(100*f.TrueShare() + 0.5)
	h.TrueBar = stackedSVG([]chartPart{{f.True, "true", "#1f5fa8"}, {f.False, "false", "#667085"}})
	h.TrueOK = true
	for _, w := range ws {
		if w.Code == assessments.CueTrueFalseBalance {
			h.TrueOK = false
		}
	}
	maxN := 0
	for _, n := range f.KeyPositions {
		maxN = max(maxN, n)
	}
	for i, n := range f.KeyPositions {
		h.Positions = append(h.Positions, bar{Label: "Position " + strconv.Itoa(i+1), Value: n, Pct: n * 100 / max(maxN, 1)})
	}
	h.StrategyOK = true
	for _, q := range quizzes {
		if h.PassQuiz == "" || q.PassMark < h.PassMark {
			h.PassMark, h.PassQuiz = q.PassMark, q.Title
		}
	}
	if h.PassQuiz != "" && h.ClosedOK && h.Strategy.Percent >= h.PassMark {
		h.StrategyOK = false
	}
	counts := map[assessments.CueCode]int{}
	for _, w := range ws {
		counts[w.Code]++
		if w.QuestionID == "" {
			h.Bank = append(h.Bank, cueNote{Code: string(w.Code), Label: cueLabel(w.Code), Field: w.Field, Message: w.Message})
		}
	}
	for _, l := range cueLabels {
		h.Counts = append(h.Counts, cueCount{Code: string(l.Code), Label: l.Label, N: counts[l.Code]})
		h.Total += counts[l.Code]
	}
	return h
}

// cueCountBars are the per-rule counts as bars, rules with warnings only.
func (h bankHealth) CountBars() []bar {
	maxN := 0
	for _, c := range h.Counts {
		maxN = max(maxN, c.N)
	}
	var out []bar
	for _, c := range h.Counts {
		if c.N > 0 {
			out = append(out, bar{Label: c.Label, Value: c.N, Pct: c.N * 100 / maxN})
		}
	}
	return out
}

// importWarnings runs the cue check over the questions of an import's GIFT
// text (Aiken already converted), keyed by question id as the import plan
// names them; nil when the text does not parse (the import reports that).
func importWarnings(giftSrc string) []assessments.CueWarning {
	qs, perrs := assessments.ParseGIFT(giftSrc)
	if len(perrs) > 0 || len(qs) == 0 {
		return nil
	}
	return assessments.CheckBank(qs)
}

// importCueRow is one question of an import plan with its warnings.
type importCueRow struct {
	assessments.ImportedQuestion
	Cues []cueNote
}

func importCueRows(res *assessments.ImportResult, ws []assessments.CueWarning) ([]importCueRow, []cueNote) {
	if res == nil {
		return nil, nil
	}
	by := cueByQuestion(ws)
	rows := make([]importCueRow, len(res.Questions))
	for i, q := range res.Questions {
		rows[i] = importCueRow{ImportedQuestion: q, Cues: by[q.ID]}
	}
	return rows, by[""]
}

// bankQuestions are the questions of a bank listing, in bank order.
func bankQuestions(list []*assessments.BankQuestion) []assessments.Question {
	qs := make([]assessments.Question, len(list))
	for i, bq := range list {
		qs[i] = bq.Question
	}
	return slices.Clip(qs)
}
