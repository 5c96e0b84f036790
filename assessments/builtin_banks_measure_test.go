package assessments

import (
	"fmt"
	"slices"
	"testing"
	"unicode/utf8"
)

// bankCueFigures are the figures issue 14 reports per built-in bank: how
// often the key of a single-choice question is strictly its longest option,
// where the keys sit as written, the true/false balance, and what a learner
// scores on the closed items (single choice, missing word, true/false) by
// always picking the longest option and always giving the bank's commoner
// true/false answer.
type bankCueFigures struct {
	choice, keyLongest     int   // single-choice and missing-word questions; of them, key strictly longest
	single, singleLongest  int   // the same for single choice alone (the 40 of 46)
	keyAt                  []int // keys per position as written (0 = first)
	multi, multiRightFirst int   // multiple-response questions; of them, every right option before every wrong one
	trueN, falseN          int
	closed                 int
	strategy               float64 // marks the strategy earns on the closed items
}

func (f bankCueFigures) trueShare() float64 {
	if f.trueN+f.falseN == 0 {
		return 0.5
	}
	return float64(f.trueN) / float64(f.trueN+f.falseN)
}

func measureBank(qs []Question) bankCueFigures {
	var f bankCueFigures
	for _, q := range qs {
		if q.Type == TrueFalse {
			if q.Correct {
				f.trueN++
			} else {
				f.falseN++
			}
		}
	}
	commoner := f.trueN > f.falseN
	for _, q := range qs {
		switch q.Type {
		case SingleChoice, MissingWord:
			f.choice++
			f.closed++
			if q.Type == SingleChoice {
				f.single++
			}
			key, longest, ties := -1, 0, 0
			for i, o := range q.Options {
				if o.Weight == 100 {
					key = i
				}
				n := utf8.RuneCountInString(o.Text)
				switch {
				case n > longest:
					longest, ties = n, 1
				case n == longest:
					ties++
				}
			}
			for len(f.keyAt) <= key {
				f.keyAt = append(f.keyAt, 0)
			}
			if key >= 0 {
				f.keyAt[key]++
				if n := utf8.RuneCountInString(q.Options[key].Text); n == longest {
					f.strategy += 1 / float64(ties) // a tie: the strategy guesses among the longest
					if ties == 1 {
						f.keyLongest++
						if q.Type == SingleChoice {
							f.singleLongest++
						}
					}
				}
			}
		case TrueFalse:
			f.closed++
			if q.Correct == commoner {
				f.strategy++
			}
		case MultipleResponse:
			f.multi++
			lastRight, firstWrong := -1, len(q.Options)
			for i, o := range q.Options {
				if o.Weight > 0 {
					lastRight = i
				} else if i < firstWrong {
					firstWrong = i
				}
			}
			if lastRight < firstWrong {
				f.multiRightFirst++
			}
		}
	}
	return f
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}

// TestBuiltinBanksKeyLength checks no single-choice or missing-word key is
// more than 25% (and 5 characters) longer than the mean of its wrong options:
// issue 14's long-key cue rule, as the cue check defines it.
func TestBuiltinBanksKeyLength(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		for _, q := range qs {
			if q.Type != SingleChoice && q.Type != MissingWord {
				continue
			}
			key, wrong, n := 0, 0, 0
			for _, o := range q.Options {
				if o.Weight == 100 {
					key = utf8.RuneCountInString(o.Text)
				} else {
					wrong += utf8.RuneCountInString(o.Text)
					n++
				}
			}
			if mean := float64(wrong) / float64(max(n, 1)); n > 0 && float64(key) > 1.25*mean && float64(key) >= mean+5 {
				t.Errorf("%s: %q: the key has %d characters, the wrong options %.0f on average", slug, q.Title, key, float64(wrong)/float64(n))
			}
		}
	}
}

// TestBuiltinBanksCueFigures prints the issue 14 figures per bank and holds
// the banks to them, with the cue check's bank rules (key strictly longest
// in at most half the single-choice questions, no position holding more than
// half the keys, right options not always listed first, true/false within
// 35–65% true unless the counts differ by one) and one of its own: the
// longest-option strategy scores under half marks on the closed items.
func TestBuiltinBanksCueFigures(t *testing.T) {
	banks := builtinBanksLoad(t)
	var total bankCueFigures
	for _, slug := range slices.Sorted(func(yield func(string) bool) {
		for s := range banks {
			if !yield(s) {
				return
			}
		}
	}) {
		f := measureBank(banks[slug])
		t.Logf("%-28s single choice key longest %2d/%2d", slug, f.singleLongest, f.single)
		t.Logf("%-28s key longest %2d/%2d (%4s)  keys at %v  MR right-first %d/%d  T/F %d:%d (%s true)  strategy %.1f/%d (%s)",
			slug, f.keyLongest, f.choice, pct(f.keyLongest, f.choice), f.keyAt, f.multiRightFirst, f.multi,
			f.trueN, f.falseN, pct(f.trueN, f.trueN+f.falseN), f.strategy, f.closed, fmt.Sprintf("%.0f%%", 100*f.strategy/float64(max(f.closed, 1))))
		total.choice += f.choice
		total.single += f.single
		total.singleLongest += f.singleLongest
		total.keyLongest += f.keyLongest
		total.trueN += f.trueN
		total.falseN += f.falseN
		total.closed += f.closed
		total.strategy += f.strategy
		total.multi += f.multi
		total.multiRightFirst += f.multiRightFirst
		for i, n := range f.keyAt {
			for len(total.keyAt) <= i {
				total.keyAt = append(total.keyAt, 0)
			}
			total.keyAt[i] += n
		}
		if 2*f.singleLongest > f.single {
			t.Errorf("%s: the key is strictly the longest option in %d of %d single-choice questions, want at most half", slug, f.singleLongest, f.single)
		}
		for i, n := range f.keyAt {
			if 2*n > f.choice {
				t.Errorf("%s: %d of %d keys sit at position %d as written, want at most half", slug, n, f.choice, i+1)
			}
		}
		if f.multi > 1 && f.multiRightFirst == f.multi {
			t.Errorf("%s: every multiple-response question lists its right options first", slug)
		}
		if s := f.trueShare(); (s < 0.35 || s > 0.65) && (f.trueN-f.falseN > 1 || f.falseN-f.trueN > 1) {
			t.Errorf("%s: true/false is %d true to %d false, want 35%%–65%% true", slug, f.trueN, f.falseN)
		}
		if 2*f.strategy >= float64(f.closed) {
			t.Errorf("%s: always the longest option and the commoner true/false answer scores %.1f of %d closed items, want under half", slug, f.strategy, f.closed)
		}
	}
	t.Logf("%-28s single choice key longest %2d/%2d", "all banks", total.singleLongest, total.single)
	t.Logf("%-28s key longest %2d/%2d (%4s)  keys at %v  MR right-first %d/%d  T/F %d:%d  strategy %.1f/%d (%.0f%%)",
		"all banks", total.keyLongest, total.choice, pct(total.keyLongest, total.choice), total.keyAt, total.multiRightFirst, total.multi,
		total.trueN, total.falseN, total.strategy, total.closed, 100*total.strategy/float64(max(total.closed, 1)))
}
