package assessments

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestCueReport prints, per built-in bank, the figures the closing
// note compares before and after the banks are rewritten: the share of
// single-choice questions whose right option is strictly the longest, the
// true/false balance, the longest-option strategy score, and how many cue
// warnings of each kind the bank has. It asserts only that it ran over every
// bank; run it with
//
//	go test -count=1 -run TestCueReport -v ./assessments
func TestCueReport(t *testing.T) {
	banks := builtinBanksLoad(t)
	slugs := make([]string, 0, len(banks))
	for slug := range banks {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| bank | key longest (single choice) | key position | true/false (true share) | longest-option strategy | warnings |\n|---|---|---|---|---|---|\n")
	var all []Question
	total := map[CueCode]int{}
	for _, slug := range slugs {
		qs := banks[slug]
		all = append(all, qs...)
		counts := map[CueCode]int{}
		for _, w := range CheckBank(qs) {
			counts[w.Code]++
			total[w.Code]++
		}
		b.WriteString(cueReportRow(slug, qs, counts))
	}
	// The last row pools every bank's questions (so "commoner true/false"
	// is the commoner over all banks, as the "always False") and adds
	// up each bank's warnings.
	b.WriteString(cueReportRow("all banks", all, total))
	t.Log(b.String())
	if len(slugs) != len(builtinBankCourses(t)) {
		t.Errorf("reported %d banks, want one per built-in course (%d)", len(slugs), len(builtinBankCourses(t)))
	}
}

func cueReportRow(name string, qs []Question, counts map[CueCode]int) string {
	f := BankCues(qs)
	pos, n := f.TopPosition()
	codes := make([]string, 0, len(counts))
	for c, k := range counts {
		codes = append(codes, fmt.Sprintf("%s %d", c, k))
	}
	sort.Strings(codes)
	return fmt.Sprintf("| %s | %d/%d (%.0f%%) | %d/%d at %d | %d true, %d false (%.0f%%) | %.1f%% of %d items | %s |\n",
		name, f.KeyLongest, f.SingleChoice, 100*f.KeyLongestShare(), n, f.PositionItems, pos+1,
		f.True, f.False, 100*f.TrueShare(), f.Strategy.Percent, f.Strategy.Items, strings.Join(codes, ", "))
}
