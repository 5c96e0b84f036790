package certdoc

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	canonical := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if !canonical.MatchString(c) {
			t.Fatalf("NewCode() = %q, not canonical", c)
		}
		if got, err := ParseCode(c); err != nil || got != c {
			t.Fatalf("ParseCode(%q) = %q, %v; want it back unchanged", c, got, err)
		}
		if seen[c] {
			t.Fatalf("NewCode() repeated %q", c)
		}
		seen[c] = true
	}
}

func TestParseCode(t *testing.T) {
	tests := []struct {
		name, in, want, errContains string
	}{
		{name: "Canonical", in: "K7Q2-M9XD-4TPA-8WBN", want: "K7Q2-M9XD-4TPA-8WBN"},
		{name: "LowerCase", in: "k7q2-m9xd-4tpa-8wbn", want: "K7Q2-M9XD-4TPA-8WBN"},
		{name: "NoSeparators", in: "K7Q2M9XD4TPA8WBN", want: "K7Q2-M9XD-4TPA-8WBN"},
		{name: "SpacesAndTabs", in: "  K7Q2 M9XD\t4TPA 8WBN ", want: "K7Q2-M9XD-4TPA-8WBN"},
		{name: "OddGrouping", in: "K7-Q2M9X-D4TPA8-WBN", want: "K7Q2-M9XD-4TPA-8WBN"},
		{name: "LetterOIsZero", in: "OOOO-oooo-0000-0000", want: "0000-0000-0000-0000"},
		{name: "LettersILAreOne", in: "IIII-llll-LLLL-iiii", want: "1111-1111-1111-1111"},
		{name: "ErrTooShort", in: "K7Q2-M9XD-4TPA", errContains: "want 16 characters, got 12"},
		{name: "ErrTooLong", in: "K7Q2-M9XD-4TPA-8WBN-X", errContains: "got 17"},
		{name: "ErrEmpty", in: "", errContains: "got 0"},
		{name: "ErrLetterU", in: "K7Q2-M9XD-4TPA-8WBU", errContains: `'U'`},
		{name: "ErrPunctuation", in: "K7Q2.M9XD.4TPA.8WBN", errContains: `'.'`},
		{name: "ErrNonASCII", in: "K7Q2-M9XD-4TPA-8WBÑ", errContains: `'Ñ'`},
		{name: "ErrFullwidthDigit", in: "K7Q2-M9XD-4TPA-8WB１", errContains: "not a code character"},
		{name: "ErrOverlongInput", in: strings.Repeat("-", 65), errContains: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCode(tt.in)
			if tt.errContains != "" {
				if err == nil || !errors.Is(err, ErrBadCode) || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("ParseCode(%q) = %q, %v; want an ErrBadCode error containing %q", tt.in, got, err, tt.errContains)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
