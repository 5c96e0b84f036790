package people

import (
	"bufio"
	"bytes"
	"compress/gzip"
)

// PasswordChecks is how many passwords have been checked against a stored
// hash so far (in this test binary).
func PasswordChecks() int64 { return passwordChecks.Load() }

// CommonPasswordCount is how many passwords the embedded list holds.
func CommonPasswordCount() int {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(zr)
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}
