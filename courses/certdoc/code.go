package certdoc

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// A certificate code is 16 characters of Crockford base32 (80 random bits)
// in four groups: "K7Q2-M9XD-4TPA-8WBN". The alphabet leaves out I, L, O and
// U, so a code read aloud or copied from paper is hard to get wrong.
const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeChars    = 16
	codeGroup    = 4
	maxCodeInput = 64 // longer input is refused before it is looked at
)

// ErrBadCode is wrapped by ParseCode's errors.
var ErrBadCode = errors.New("not a certificate code")

// NewCode returns a fresh random certificate code in canonical form.
func NewCode() string {
	var raw [codeChars * 5 / 8]byte
	rand.Read(raw[:]) // never fails (crypto/rand panics if the OS source does)
	var b strings.Builder
	acc, bits := uint(0), 0
	for _, c := range raw {
		acc, bits = acc<<8|uint(c), bits+8
		for bits >= 5 {
			bits -= 5
			if b.Len() > 0 && (b.Len()+1)%(codeGroup+1) == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(codeAlphabet[acc>>bits&31])
		}
	}
	return b.String()
}

// ParseCode reads a code as a person types it: any case, with or without
// spaces and hyphens, with O for 0 and I or L for 1. It returns the code in
// canonical form ("K7Q2-M9XD-4TPA-8WBN"), or an error wrapping ErrBadCode
// that says what is wrong.
func ParseCode(s string) (string, error) {
	if len(s) > maxCodeInput {
		return "", fmt.Errorf("%w: too long", ErrBadCode)
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 'Z' || !strings.ContainsRune(codeAlphabet, r) {
			return "", fmt.Errorf("%w: %q is not a code character", ErrBadCode, r)
		}
		if n > 0 && n%codeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
		n++
	}
	if n != codeChars {
		return "", fmt.Errorf("%w: want %d characters, got %d", ErrBadCode, codeChars, n)
	}
	return b.String(), nil
}
