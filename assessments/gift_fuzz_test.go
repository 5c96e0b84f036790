package assessments_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/serviceacademy/academy/assessments"
)

// FuzzParseGIFT checks that ParseGIFT never panics, finishes quickly, places
// every error inside the file, and that whatever it accepts comes back
// unchanged through ExportGIFT. The fuzz engine's own timeout catches hangs.
func FuzzParseGIFT(f *testing.F) {
	for _, tc := range giftCases {
		f.Add(tc.src)
	}
	if src, err := os.ReadFile("testdata/service.gift"); err == nil {
		f.Add(string(src))
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		qs, errs := assessments.ParseGIFT(src)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("ParseGIFT took %v on %d bytes", d, len(src))
		}
		if len(errs) > 0 {
			if qs != nil {
				t.Fatalf("got %d questions along with %d errors", len(qs), len(errs))
			}
			lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(src, "\uFEFF"), "\r\n", "\n"), "\r", "\n"), "\n")
			for _, e := range errs {
				if e.Line < 1 || e.Line > len(lines) || e.Column < 1 || e.Column > utf8.RuneCountInString(lines[e.Line-1])+1 || e.Message == "" {
					t.Fatalf("error outside the file (%d lines): %v", len(lines), e)
				}
			}
			return
		}
		out := assessments.ExportGIFT(qs)
		again, errs := assessments.ParseGIFT(out)
		if len(errs) > 0 {
			t.Fatalf("parsing the export failed: %v\nexport:\n%s", errs, out)
		}
		if !reflect.DeepEqual(again, qs) {
			t.Fatalf("round trip changed the questions\nexport:\n%s\ngot  %#v\nwant %#v", out, again, qs)
		}
	})
}
