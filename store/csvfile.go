package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The CSV files people upload (employees, outcome events, completions) are
// read the same way: ReadCSV checks the file as a whole (size, encoding, a
// header line), maps its headings to canonical fields, and CSVFile.Next hands
// out the records one by one with their line numbers. What a cell means is
// the caller's business.
//
//	f, errs := store.ReadCSV(data, store.CSVSpec{MaxBytes: 20 << 20, Columns: columns})
//	if f == nil { ...errs say why the file cannot be read... }
//	if !f.Has("email") { errs = append(errs, f.MissingColumn("email", `"Email"`)) }
//	for rec, ok := f.Next(); ok; rec, ok = f.Next() {
//		if rec.Problem != nil { ...an unreadable record at rec.Line...; continue }
//		email := rec.Cell("email")
//	}

// LineError is one problem in an uploaded file. Line is the physical line
// where the record starts (the header is usually line 1); Field is a
// canonical column name (employee_number, email, ...) or "file" for
// problems with the whole file or a record that cannot be read.
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// LineErrorf returns a LineError with a formatted message.
func LineErrorf(line int, field, format string, args ...any) LineError {
	return LineError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CSVColumn is a canonical field and the headings accepted for it. The field
// name itself is always accepted. Headings are compared by HeadingKey.
type CSVColumn struct {
	Field   string
	Aliases []string
}

// CSVSpec says what ReadCSV accepts.
type CSVSpec struct {
	MaxBytes int // larger files are refused; 0: no limit
	Columns  []CSVColumn
}

// HeadingKey is how headings are compared: lower-cased, with everything but
// letters and digits dropped ("E-mail" and "email" are the same heading).
func HeadingKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// CSVFile is a readable CSV file past its header line.
type CSVFile struct {
	Header     []string       // the header line's cells, as written
	HeaderLine int            // the physical line of the header
	Columns    map[string]int // canonical field → column index
	Ignored    []string       // headings not recognised, as written (blank ones left out)

	cr   *csv.Reader
	done bool
}

// CSVRecord is one non-blank record. With Problem set, the record could not
// be read (Problem says why, at Line) and has no cells.
type CSVRecord struct {
	Line    int
	Problem *LineError

	cells []string
	cols  map[string]int
}

// Cell returns the record's cell for field, "" when the file has no such
// column or the record is short. The string is the caller's to keep.
func (r CSVRecord) Cell(field string) string {
	if i, ok := r.cols[field]; ok && i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

const csvFix = "Save it as CSV UTF-8 (in Excel: File → Save As → \"CSV UTF-8 (Comma delimited)\") and upload it again."

// CheckText reports why data cannot be read as a UTF-8 text file — UTF-16,
// another encoding, a NUL — with the line where it happens, or nil. ReadCSV
// checks it first; an upload kept for a preview is checked with it before
// it is stored (a text column would not keep the bad bytes to report).
func CheckText(data []byte) *LineError {
	fail := func(line int, format string, args ...any) *LineError {
		e := LineErrorf(line, "file", format, args...)
		return &e
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return fail(1, "The file is UTF-16 (\"Unicode text\"), not CSV. %s", csvFix)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return fail(1+bytes.Count(data[:at], []byte("\n")),
			"The file is not UTF-8: this line has a character in another encoding (such as Windows-1252 or Latin-1). %s", csvFix)
	}
	switch at := bytes.IndexByte(data, 0); {
	case at >= 0 && at < 4096:
		return fail(1, "The file looks like UTF-16 (\"Unicode text\"), not CSV. %s", csvFix)
	case at >= 0: // no database stores a NUL in text
		return fail(1+bytes.Count(data[:at], []byte("\n")), "This line has a NUL character: the file is not plain text. %s", csvFix)
	}
	return nil
}

// ReadCSV checks data as a whole and reads its header line: the first
// non-blank record, after an optional UTF-8 byte-order mark and an Excel
// "sep=;" line. The delimiter is comma, semicolon or tab (see
// detectDelimiter). When the file cannot be read at all (too large,
// UTF-16, not UTF-8, a NUL, empty, an unreadable header) f is nil and errs
// say why, with the line where it happens. Otherwise errs may still hold
// headings that name the same field twice (the first one counts).
func ReadCSV(data []byte, spec CSVSpec) (f *CSVFile, errs []LineError) {
	fail := func(line int, format string, args ...any) (*CSVFile, []LineError) {
		return nil, []LineError{LineErrorf(line, "file", format, args...)}
	}
	if spec.MaxBytes > 0 && len(data) > spec.MaxBytes {
		return fail(1, "The file is larger than %d MB. Split it, or leave out columns the academy does not use.", spec.MaxBytes>>20)
	}
	if e := CheckText(data); e != nil {
		return nil, []LineError{*e}
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(1, "The file is empty.")
	}

	delim, skipLine := detectDelimiter(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if skipLine {
		if _, err := cr.Read(); err != nil {
			return fail(1, "The file has no header line.")
		}
	}

	f = &CSVFile{cr: cr, HeaderLine: 1, Columns: map[string]int{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return fail(1, "The file is empty.")
		}
		if err != nil {
			return fail(csvErrorLine(err, 1), "The header line cannot be read: %s.", csvProblem(err))
		}
		if !blankRecord(rec) {
			f.Header = slices.Clone(rec)
			f.HeaderLine, _ = cr.FieldPos(0)
			break
		}
	}

	aliases := map[string]string{}
	for _, c := range spec.Columns {
		aliases[HeadingKey(c.Field)] = c.Field
		for _, a := range c.Aliases {
			aliases[HeadingKey(a)] = c.Field
		}
	}
	for i, h := range f.Header {
		h = strings.TrimSpace(h)
		field, ok := aliases[HeadingKey(h)]
		if !ok {
			if h != "" {
				f.Ignored = append(f.Ignored, h)
			}
			continue
		}
		if j, dup := f.Columns[field]; dup {
			errs = append(errs, LineErrorf(f.HeaderLine, "file", "Columns %d (%q) and %d (%q) both hold %s; keep one of them.",
				j+1, strings.TrimSpace(f.Header[j]), i+1, h, strings.ReplaceAll(field, "_", " ")))
			continue
		}
		f.Columns[field] = i
	}
	return f, errs
}

// Has reports whether the file has a column for field.
func (f *CSVFile) Has(field string) bool {
	_, ok := f.Columns[field]
	return ok
}

// MissingColumn is the problem of a file without a column for field;
// headings lists some that are recognised, e.g. `"Email" or "Work Email"`.
func (f *CSVFile) MissingColumn(field, headings string) LineError {
	return LineErrorf(f.HeaderLine, "file", "The file has no %s column (headings such as %s are recognised).", field, headings)
}

// Next returns the next record that is not blank (blank records are
// skipped), and false at the end of the file. A record that cannot be read
// comes back with Problem set; reading goes on after it.
func (f *CSVFile) Next() (CSVRecord, bool) {
	for !f.done {
		rec, err := f.cr.Read()
		if err == io.EOF {
			f.done = true
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) { // not the CSV: the reader itself failed
				f.done = true
				p := LineErrorf(f.HeaderLine, "file", "The file cannot be read: %v.", err)
				return CSVRecord{Line: f.HeaderLine, Problem: &p}, true
			}
			p := LineErrorf(pe.StartLine, "file", "This record cannot be read: %s.", csvProblem(err))
			return CSVRecord{Line: pe.StartLine, Problem: &p}, true
		}
		if blankRecord(rec) {
			continue
		}
		line, _ := f.cr.FieldPos(0)
		return CSVRecord{Line: line, cells: rec, cols: f.Columns}, true
	}
	return CSVRecord{}, false
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// detectDelimiter picks comma, semicolon or tab, whichever occurs most
// (outside quotes) in the first non-blank line. A "sep=;" line, as Excel
// writes, names the delimiter and is skipped (skipLine).
func detectDelimiter(data []byte) (delim rune, skipLine bool) {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			break
		}
		data = rest
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	first = bytes.TrimSpace(first)
	if len(first) == 5 && bytes.EqualFold(first[:4], []byte("sep=")) && bytes.ContainsRune([]byte(",;\t|"), rune(first[4])) {
		return rune(first[4]), true
	}
	counts := map[byte]int{}
	quoted := false
	for _, b := range data {
		if b == '"' {
			quoted = !quoted
		} else if !quoted {
			if b == '\n' {
				break
			}
			counts[b]++
		}
	}
	delim = ','
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[byte(delim)] {
			delim = rune(d)
		}
	}
	return delim, false
}

func csvErrorLine(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return def
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return `a field that is not in quotes contains a quote (") character; put the field in quotes and double the quote ("")`
		case errors.Is(pe.Err, csv.ErrQuote):
			return `a quoted field is not closed, or has text after its closing quote (") on line ` + strconv.Itoa(pe.Line)
		}
		return pe.Err.Error()
	}
	return err.Error()
}
