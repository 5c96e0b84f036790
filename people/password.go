package people

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	_ "embed"

	"golang.org/x/crypto/argon2"

	"github.com/serviceacademy/academy/store"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id PHC string for password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is compared against when no account matches, so a wrong email
// costs the same time as a wrong password.
var dummyHash, _ = HashPassword("no account has this password")

// CheckPassword reports whether password matches the PHC string hash.
// An empty or malformed hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// MinPasswordLength is the fewest characters a password may have.
const MinPasswordLength = 10

// ValidatePassword returns an Invalid error (field "password") saying which
// rule pw breaks, as NIST SP 800-63B asks: at least MinPasswordLength
// characters (at most 200), not only spaces, and not one of the 100,000
// most common passwords from breaches (passwords/, in any letter case).
// ValidatePasswordFor adds the rules about the person.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return store.FieldError("password", "Use at least %d characters.", MinPasswordLength)
	case n > 200:
		return store.FieldError("password", "Use at most 200 characters.")
	case strings.TrimSpace(pw) == "":
		return store.FieldError("password", "Use more than spaces: a password of only spaces is among the first anyone tries.")
	case commonPassword(pw):
		return store.FieldError("password", "This is one of the 100,000 most common passwords found in data breaches, so it is among the first an attacker tries. Choose another.")
	}
	return nil
}

// ValidatePasswordFor is ValidatePassword for e's password: it is also not
// e's email address, the part of it before the @, or e's name (compared
// without letter case, spaces or punctuation).
func ValidatePasswordFor(pw string, e *Employee) error {
	if err := ValidatePassword(pw); err != nil {
		return err
	}
	p := plainWord(pw)
	local, _, _ := strings.Cut(e.Email, "@")
	switch {
	case p == plainWord(e.Email) || p == plainWord(local):
		return store.FieldError("password", "Do not use your email address (or the part before the @) as your password.")
	case p == plainWord(e.FirstName+e.LastName) || p == plainWord(e.LastName+e.FirstName) ||
		p == plainWord(e.FirstName) || p == plainWord(e.LastName):
		return store.FieldError("password", "Do not use your name as your password.")
	}
	return nil
}

// plainWord lower-cases s and keeps only its letters and digits.
func plainWord(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

//go:embed passwords/common-passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is the list's entries long enough to pass the length
// rule, lower-cased, read on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := map[string]struct{}{}
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("people: the embedded password list: " + err.Error()) // part of the binary: a test fails first
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Text(); utf8.RuneCountInString(w) >= MinPasswordLength {
			set[strings.ToLower(w)] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		panic("people: the embedded password list: " + err.Error())
	}
	return set
})

func commonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// NewToken returns a random URL-safe token with n random bytes.
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the hex SHA-256 of a token: what the database stores.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
