package certdoc

import (
	"strings"
	"testing"
)

func TestSubset(t *testing.T) {
	fonts := MustRenderer(t).fonts
	tests := []struct {
		name                 string
		font                 int
		text                 string
		minGlyphs, maxGlyphs int // including .notdef and composite components
	}{
		{"Latin", 0, "Zoë Zoë", 7, 7},               // .notdef Z o ë space, and ë's parts e and ¨
		{"CompositeBringsComponents", 0, "ǅ", 6, 6}, // .notdef ǅ, its parts D and ž, and ž's parts z and ˇ
		{"MissingCharactersLeftOut", 0, "a山", 2, 2}, // DejaVu has no 山
		{"CJK", 1, "山田 太郎", 6, 12},                  // .notdef, four ideographs, space, and any parts
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fonts[tt.font]
			sub, err := parseSFNT("sub", f.subset([]rune(tt.text)))
			if err != nil {
				t.Fatalf("the subset does not parse: %v", err)
			}
			if sub.numGlyphs < tt.minGlyphs || sub.numGlyphs > tt.maxGlyphs {
				t.Errorf("%d glyphs, want %d to %d", sub.numGlyphs, tt.minGlyphs, tt.maxGlyphs)
			}
			glyf := sub.tables["glyf"]
			for g := 0; g < sub.numGlyphs; g++ {
				data := glyf[sub.loca[g]:sub.loca[g+1]]
				for _, off := range components(data) {
					if c := int(data[off])<<8 | int(data[off+1]); c >= sub.numGlyphs {
						t.Errorf("glyph %d refers to component %d, beyond the subset's %d glyphs", g, c, sub.numGlyphs)
					}
				}
			}
			for _, r := range tt.text {
				if f.has(r) != sub.has(r) {
					t.Errorf("has(%q): font %v, subset %v", r, f.has(r), sub.has(r))
				}
				if f.has(r) && f.width1000(r) != sub.width1000(r) {
					t.Errorf("width of %q: font %d, subset %d", r, f.width1000(r), sub.width1000(r))
				}
			}
		})
	}
}

func TestParseSFNTRejects(t *testing.T) {
	tests := []struct{ name, data, errContains string }{
		{"ErrEmpty", "", "too short"},
		{"ErrCFF", "OTTO\x00\x00\x00\x00\x00\x00\x00\x00", "CFF"},
		{"ErrNotAFont", "GIF89a......", "not a TrueType font"},
		{"ErrTruncatedDirectory", "\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00", "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSFNT("x", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.errContains) {
				t.Fatalf("parseSFNT() error = %v, want one containing %q", err, tt.errContains)
			}
		})
	}
}

func TestFontRuns(t *testing.T) {
	fonts := MustRenderer(t).fonts
	tests := []struct {
		name, in string
		want     []run
	}{
		{"Latin", "Zoë Øberg", []run{{0, "Zoë Øberg"}}},
		{"CJKKeepsItsSpace", "山田 太郎", []run{{1, "山田 太郎"}}},
		{"Mixed", "Zoë 山田 (Jr.)", []run{{0, "Zoë "}, {1, "山田 "}, {0, "(Jr.)"}}}, // Droid has no "("
		{"NoFontHasIt", "한", []run{{0, "한"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fonts.runs(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("runs(%q) = %v, want %v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("runs(%q) = %v, want %v", tt.in, got, tt.want)
				}
			}
		})
	}
}
