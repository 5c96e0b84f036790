package assessments_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/serviceacademy/academy/assessments"
)

// The fuzz targets of the question formats. make test runs each for a few
// seconds and make fuzz for longer; inputs that once failed are kept under
// testdata/fuzz/<target> and run with every go test. A hang is caught by the
// fuzz engine, which fails an input that runs for seconds.

// addFiles adds the files matching pattern to the seed corpus.
func addFiles(f *testing.F, pattern string) {
	f.Helper()
	names, err := filepath.Glob(pattern)
	if err != nil || len(names) == 0 {
		f.Fatalf("no seed files match %s: %v", pattern, err)
	}
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
}

// checkPositions fails unless every error has a message and a line and
// column inside src (a column may be one past the end of its line).
func checkPositions(t *testing.T, src string, errs []assessments.ParseError) {
	t.Helper()
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(src, "\uFEFF"), "\r\n", "\n"), "\r", "\n"), "\n")
	for _, e := range errs {
		if e.Line < 1 || e.Line > len(lines) || e.Column < 1 || e.Column > utf8.RuneCountInString(lines[e.Line-1])+1 || strings.TrimSpace(e.Message) == "" {
			t.Fatalf("error outside the file (%d lines): %v", len(lines), e)
		}
	}
}

// checkRoundTrip fails unless ExportGIFT writes qs so that ParseGIFT reads
// them back unchanged.
func checkRoundTrip(t *testing.T, qs []assessments.Question) {
	t.Helper()
	out := assessments.ExportGIFT(qs)
	again, errs := assessments.ParseGIFT(out)
	if len(errs) > 0 {
		t.Fatalf("parsing the export failed: %v\nexport:\n%s", errs, out)
	}
	if !reflect.DeepEqual(again, qs) {
		t.Fatalf("round trip changed the questions\nexport:\n%s\ngot  %#v\nwant %#v", out, again, qs)
	}
}

// FuzzParseGIFT checks that ParseGIFT never panics, places every error
// inside the file and then returns no question, and that whatever it accepts
// comes back unchanged through ExportGIFT.
func FuzzParseGIFT(f *testing.F) {
	for _, tc := range giftCases {
		f.Add(tc.src)
	}
	addFiles(f, "testdata/*.gift")
	addFiles(f, "builtin/banks/*.gift")
	f.Fuzz(func(t *testing.T, src string) {
		qs, errs := assessments.ParseGIFT(src)
		if !utf8.ValidString(src) && len(errs) == 0 {
			t.Fatal("accepted text that is not UTF-8")
		}
		if len(errs) > 0 {
			if qs != nil {
				t.Fatalf("got %d questions along with %d errors", len(qs), len(errs))
			}
			checkPositions(t, src, errs)
			return
		}
		for _, q := range qs {
			for _, err := range assessments.ValidateQuestion(q) {
				if msg := err.Error(); strings.TrimSpace(msg) == "" {
					t.Fatalf("question %s refused without a message", q.ID)
				}
			}
		}
		checkRoundTrip(t, qs)
	})
}

// FuzzParseAiken checks that ParseAiken never panics, places every error
// inside the file and then returns no question, and that what it accepts is
// single-choice questions with one right option that go through GIFT (as the
// import sends them) unchanged.
func FuzzParseAiken(f *testing.F) {
	for _, s := range []string{
		"Who owns a complaint?\nA. The manager\nB. The first person who hears it\nC. Nobody\nANSWER: B\n",
		"First?\nA. yes\nB. no\nANSWER: A\n\nSecond?\nA) yes\nB) no\nANSWER: B",
		"A customer calls back angry.\nWhat first?\nA. Listen\nB. Explain the policy\nANSWER: A",
		"  Q?\n  A.   one  \n\tB.\ttwo\nanswer:b", "\uFEFFQ?\r\nA. one\r\nB. two\r\nANSWER: A\r\n",
		"Q?\nC. one\nA. two\nANSWER: A", "A.B. testing works?\nA. yes\nB. no\nANSWER: A",
		"Q?\nA. one\nB. two\n", "Q?\nA. one\nB. two\nANSWER:   AB", "Q?\nA. one\nA. two\nANSWER: A",
		"A. one\nB. two\nANSWER: A", "Q {with} ~gift =marks # and \\ escapes?\nA. {=x}\nB. ~y #z\nANSWER: A",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		qs, errs := assessments.ParseAiken(src)
		if !utf8.ValidString(src) && len(errs) == 0 {
			t.Fatal("accepted text that is not UTF-8")
		}
		if len(errs) > 0 {
			if qs != nil {
				t.Fatalf("got %d questions along with %d errors", len(qs), len(errs))
			}
			checkPositions(t, src, errs)
			return
		}
		for _, q := range qs {
			right := 0
			for _, o := range q.Options {
				if o.Weight == 100 {
					right++
				}
			}
			if q.Type != assessments.SingleChoice || len(q.Options) < 2 || right != 1 || strings.TrimSpace(q.Text) == "" {
				t.Fatalf("accepted %#v", q)
			}
		}
		checkRoundTrip(t, qs)
	})
}
