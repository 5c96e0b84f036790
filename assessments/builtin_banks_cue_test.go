package assessments

import "testing"

// TestBuiltinBanksPassTheCueCheck runs the cue check over every built-in
// bank and fails on any warning, printing them all: the banks must not give
// their answers away (issue 14).
func TestBuiltinBanksPassTheCueCheck(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		for _, w := range CheckBank(qs) {
			where := w.Title
			if where == "" {
				where = "the bank"
			}
			t.Errorf("%s: %s (%s, %s): %s", slug, where, w.Code, w.Field, w.Message)
		}
	}
}
