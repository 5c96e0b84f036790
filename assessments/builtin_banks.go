package assessments

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// builtinBanksFS holds the question banks of the built-in courses, one GIFT
// file per course, named after the course slug.
//
//go:embed builtin/banks/*.gift
var builtinBanksFS embed.FS

// builtinBanksDir is where the bank files live inside builtinBanksFS.
const builtinBanksDir = "builtin/banks"

// BuiltinBanks parses the question bank of every built-in course and returns
// them by course slug (the file name without ".gift"). Question ids come from
// the ::Title:: of each question, so they stay stable while titles do.
//
// Every bank is parsed fresh, so callers may change what they get. A file
// that does not parse, or holds no question, is an error naming the file and
// every problem at its line and column; the error wraps each ParseError, so
// errors.As finds them.
func BuiltinBanks() (map[string][]Question, error) {
	return parseBankFiles(builtinBanksFS, builtinBanksDir+"/*.gift")
}

// parseBankFiles parses the GIFT files of fsys that match pattern, keyed by
// file name without its extension.
func parseBankFiles(fsys fs.FS, pattern string) (map[string][]Question, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("built-in question banks: no file matches %s", pattern)
	}
	banks := make(map[string][]Question, len(names))
	var errs []error
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		qs, perrs := ParseGIFT(string(src))
		for _, pe := range perrs {
			errs = append(errs, fmt.Errorf("%s: %w", name, pe))
		}
		if len(perrs) > 0 {
			continue
		}
		if len(qs) == 0 {
			errs = append(errs, fmt.Errorf("%s: the bank holds no questions", name))
			continue
		}
		banks[strings.TrimSuffix(path.Base(name), path.Ext(name))] = qs
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("built-in question banks: %w", errors.Join(errs...))
	}
	return banks, nil
}
