package outcomes

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/serviceacademy/academy/store"
)

// MaxImportBytes is the largest outcome file ParseEvents reads (about two
// million events). The web upload and the API take up to their own
// limit, 20 MB.
const MaxImportBytes = 64 << 20

// maxListedEventErrors bounds the problems an import lists: past it, one more
// entry says how many were left out.
const maxListedEventErrors = 10000

// eventColumns lists the headings accepted for each column of an outcome
// file, those of helpdesk exports (Zendesk's and Freshdesk's satisfaction
// and ticket exports) included. Headings are compared by store.HeadingKey.
// An employee is named by "employee" (a number or an e-mail) or "email".
var eventColumns = []store.CSVColumn{
	{Field: "employee", Aliases: []string{"employee number", "employee id", "employee no", "emp id", "staff id", "staff number",
		"agent", "agent id", "assignee", "assignee id", "agent number", "user id", "person"}},
	{Field: "email", Aliases: []string{"e-mail", "employee email", "agent email", "assignee email", "work email",
		"staff email", "email address", "agent e-mail"}},
	{Field: "date", Aliases: []string{"created at", "created", "date created", "created date", "rated at", "date rated",
		"survey date", "response date", "responded at", "submitted at", "event date", "timestamp", "received at",
		"complaint date", "day"}},
	{Field: "value", Aliases: []string{"satisfaction", "rating", "score", "satisfaction rating", "csat", "csat score",
		"customer satisfaction", "survey rating", "survey result", "result", "answer", "nps"}},
	{Field: "category", Aliases: []string{"type", "reason", "complaint type", "complaint category", "issue type", "topic"}},
	{Field: "id", Aliases: []string{"ticket id", "ticket", "ticket number", "event id", "response id", "survey id",
		"rating id", "satisfaction rating id", "reference", "ref", "case id", "case number", "complaint id", "source id"}},
}

// EmployeeIndex is who an outcome file may name: employee numbers as stored and
// e-mail addresses lower-cased, each to the employee's id.
type EmployeeIndex struct {
	ByNumber map[string]int64
	ByEmail  map[string]int64
}

// EventRow is one row of an outcome file as an event to write. It is
// kept small: a plan holds a million of them.
type EventRow struct {
	Line       int     `json:"line"`
	EmployeeID int64   `json:"-"`
	Day        Day     `json:"-"`
	Value      float64 `json:"value"`
	Category   string  `json:"category,omitempty"`
	SourceID   string  `json:"id,omitempty"`
}

// DuplicateRow is a row whose id is already on an earlier line or already
// stored: it adds nothing.
type DuplicateRow struct {
	EventRow
	Reason string `json:"reason"` // e.g. "id T1 is also on line 4"
}

// EventPlan is what an outcome import would do (ParseEvents, then
// MarkStored) or did.
type EventPlan struct {
	Rows           int               `json:"rows"`       // data rows read
	Events         []EventRow        `json:"events"`     // to create
	Duplicates     []DuplicateRow    `json:"duplicates"` // an id already in the file or already stored: nothing to add
	Errors         []store.LineError `json:"errors"`
	IgnoredColumns []string          `json:"ignored_columns"`
	ErrorCount     int               `json:"error_count"` // all problems, also those past the listed ones
}

// OK reports whether the file has no errors, so the plan can be applied.
func (p *EventPlan) OK() bool { return p.ErrorCount == 0 }

// Summary says in words what the plan does, e.g. "120 new events, 3 duplicates".
func (p *EventPlan) Summary() string {
	events, dups := "events", "duplicates"
	if len(p.Events) == 1 {
		events = "event"
	}
	if len(p.Duplicates) == 1 {
		dups = "duplicate"
	}
	return fmt.Sprintf("%d new %s, %d %s", len(p.Events), events, len(p.Duplicates), dups)
}

func (p *EventPlan) add(e store.LineError) {
	p.ErrorCount++
	switch {
	case len(p.Errors) < maxListedEventErrors:
		p.Errors = append(p.Errors, e)
	case len(p.Errors) == maxListedEventErrors:
		p.Errors = append(p.Errors, store.LineError{Line: e.Line, Field: "file",
			Message: "There are more problems from this line on; they are not listed. Correct those above and upload the file again."})
	}
}

func (p *EventPlan) addf(line int, field, format string, args ...any) {
	p.add(store.LineErrorf(line, field, format, args...))
}

// EmployeeIDs returns the distinct employees of the events to create.
func (p *EventPlan) EmployeeIDs() []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for i := range p.Events {
		if id := p.Events[i].EmployeeID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// ParseEvents reads an outcome file of measure m: one event per row, with
// the employee (a number or e-mail), the date (ISO, day-month-year, or a
// helpdesk's timestamp, taken as a date in loc), the value (as
// Measure.ParseValue reads it; a count needs none), an optional category
// and an optional id in the source system. People are looked up in ppl;
// today is the date in loc now (later dates are errors). Rows with an id
// already on an earlier line are duplicates, not errors. It is pure: ids
// already stored are marked by MarkStored. Every problem is in
// plan.Errors with its line and field (a column name, or "file").
func ParseEvents(data []byte, m *Measure, ppl EmployeeIndex, loc *time.Location, today Day) *EventPlan {
	plan := &EventPlan{Events: []EventRow{}, Duplicates: []DuplicateRow{}, Errors: []store.LineError{}, IgnoredColumns: []string{}}
	f, errs := store.ReadCSV(data, store.CSVSpec{MaxBytes: MaxImportBytes, Columns: eventColumns})
	for _, e := range errs {
		plan.add(e)
	}
	if f == nil {
		return plan
	}
	if f.Ignored != nil {
		plan.IgnoredColumns = f.Ignored
	}
	if !f.Has("employee") && !f.Has("email") {
		plan.add(f.MissingColumn("employee", `"Employee", "Employee ID", "Agent", "Assignee" or "Agent email"`))
	}
	if !f.Has("date") {
		plan.add(f.MissingColumn("date", `"Date" or "Created at"`))
	}
	if !f.Has("value") && m.Kind != Count {
		plan.add(f.MissingColumn("value", `"Value", "Satisfaction", "Rating" or "Score"`))
	}
	if !plan.OK() {
		return plan
	}

	plan.Events = make([]EventRow, 0, bytes.Count(data, []byte("\n"))+1)
	categories := map[string]string{} // one copy of each category
	var withIDs int
	for rec, ok := f.Next(); ok; rec, ok = f.Next() {
		plan.Rows++
		if rec.Problem != nil {
			plan.add(*rec.Problem)
			continue
		}
		r := EventRow{Line: rec.Line}
		before := plan.ErrorCount

		// The employee: by e-mail when the file has one, else by the employee cell.
		emp, mail := strings.TrimSpace(rec.Cell("employee")), strings.TrimSpace(rec.Cell("email"))
		switch {
		case mail == "" && emp == "":
			field := "employee"
			if !f.Has("employee") {
				field = "email"
			}
			plan.addf(r.Line, field, "No employee: give their employee number or e-mail.")
		default:
			id, found := int64(0), false
			if mail != "" {
				id, found = ppl.find(mail)
			}
			if !found && emp != "" {
				id, found = ppl.find(emp)
			}
			switch {
			case found:
				r.EmployeeID = id
			case mail != "":
				plan.addf(r.Line, "email", "No employee has the e-mail (or number) %q.", clipCell(mail))
			default:
				plan.addf(r.Line, "employee", "No employee has the number or e-mail %q.", clipCell(emp))
			}
		}

		if d, err := ParseEventDay(rec.Cell("date"), loc); err != nil {
			plan.addf(r.Line, "date", "%s", store.MessageOf(err))
		} else if d > today {
			plan.addf(r.Line, "date", "%s is in the future (today is %s).", d, today)
		} else {
			r.Day = d
		}

		if v, err := m.ParseValue(rec.Cell("value")); err != nil {
			plan.addf(r.Line, "value", "%s", store.MessageOf(err))
		} else {
			r.Value = v
		}

		if c := rec.Cell("category"); c != "" {
			c = strings.Join(strings.Fields(c), " ")
			switch {
			case !cellIsText(c):
				plan.addf(r.Line, "category", "The category has a character that is not text (a control character).")
			case utf8.RuneCountInString(c) > 100:
				plan.addf(r.Line, "category", "The category is %d characters long; the limit is 100.", utf8.RuneCountInString(c))
			default:
				if kept, ok := categories[c]; ok {
					c = kept
				} else if len(categories) < 1000 {
					c = strings.Clone(c)
					categories[c] = c
				} else {
					c = strings.Clone(c)
				}
				r.Category = c
			}
		}
		if id := strings.TrimSpace(rec.Cell("id")); id != "" {
			switch {
			case !cellIsText(id):
				plan.addf(r.Line, "id", "The id has a character that is not text (a control character).")
			case len(id) > 200:
				plan.addf(r.Line, "id", "The id is %d characters long; the limit is 200.", len(id))
			default:
				r.SourceID = strings.Clone(id) // not the whole record's string
				withIDs++
			}
		}
		if plan.ErrorCount == before {
			plan.Events = append(plan.Events, r)
		}
	}
	if plan.Rows == 0 {
		plan.addf(f.HeaderLine, "file", "The file has a header line but no events.")
	}
	if withIDs > 0 {
		plan.dropRepeatedIDs(withIDs)
	}
	return plan
}

// dropRepeatedIDs moves the events whose id is on an earlier line to the
// duplicates. It sorts positions rather than keeping a map of every id:
// the same answer in a fraction of the memory.
func (p *EventPlan) dropRepeatedIDs(withIDs int) {
	at := make([]int32, 0, withIDs)
	for i := range p.Events {
		if p.Events[i].SourceID != "" {
			at = append(at, int32(i))
		}
	}
	slices.SortFunc(at, func(a, b int32) int {
		if c := strings.Compare(p.Events[a].SourceID, p.Events[b].SourceID); c != 0 {
			return c
		}
		return int(a - b)
	})
	firstOf := map[int32]int32{} // a repeated event → the first with its id
	for k := 1; k < len(at); k++ {
		if p.Events[at[k]].SourceID == p.Events[at[k-1]].SourceID {
			first := at[k-1]
			if f, ok := firstOf[at[k-1]]; ok {
				first = f
			}
			firstOf[at[k]] = first
		}
	}
	if len(firstOf) == 0 {
		return
	}
	keep := p.Events[:0]
	for i, r := range p.Events {
		if first, dup := firstOf[int32(i)]; dup {
			p.Duplicates = append(p.Duplicates, DuplicateRow{EventRow: r,
				Reason: fmt.Sprintf("id %s is also on line %d", clipCell(r.SourceID), p.Events[first].Line)})
			continue
		}
		keep = append(keep, r)
	}
	p.Events = keep
}

// lookup finds an employee by number, or by e-mail when s looks like one.
func (ppl EmployeeIndex) find(s string) (int64, bool) {
	if id, ok := ppl.ByNumber[s]; ok {
		return id, true
	}
	if strings.Contains(s, "@") {
		id, ok := ppl.ByEmail[strings.ToLower(s)]
		return id, ok
	}
	return 0, false
}

// SourceIDs returns the ids of the events to create, for MarkStored.
func (p *EventPlan) SourceIDs() []string {
	var ids []string
	for i := range p.Events {
		if id := p.Events[i].SourceID; id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// MarkStored moves the events whose id is in stored (the measure holds an
// event with that id already) to the duplicates.
func (p *EventPlan) MarkStored(stored map[string]bool) {
	if len(stored) == 0 {
		return
	}
	keep := p.Events[:0]
	for _, r := range p.Events {
		if r.SourceID != "" && stored[r.SourceID] {
			p.Duplicates = append(p.Duplicates, DuplicateRow{EventRow: r, Reason: fmt.Sprintf("id %s was imported before", clipCell(r.SourceID))})
			continue
		}
		keep = append(keep, r)
	}
	p.Events = keep
	slices.SortStableFunc(p.Duplicates, func(a, b DuplicateRow) int { return a.Line - b.Line })
}

func cellIsText(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) < 0
}

// clip shortens what a file holds for a message.
func clipCell(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	r := []rune(s)
	return string(r[:60]) + "…"
}

var eventDayLayouts = []string{
	"2006-01-02", "2006/01/02", "02/01/2006", "2/1/2006", "02.01.2006", "2.1.2006", "02-01-2006", "2-1-2006",
	"2 Jan 2006", "02 Jan 2006", "2 January 2006", "02-Jan-2006", "2-Jan-2006",
}

// Timestamps without a zone are the company's local time; with one, they
// are moved to it first.
var eventStampLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04",
	"02/01/2006 15:04:05", "02/01/2006 15:04", "2/1/2006 15:04", "02.01.2006 15:04", "02-01-2006 15:04",
}

var eventZonedLayouts = []string{
	time.RFC3339, time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST",
	"2006-01-02T15:04:05.000Z", "Mon, 02 Jan 2006 15:04:05 -0700", "January 2, 2006 15:04",
}

// ParseEventDay reads an event's date: ISO (2026-03-04), day-month-year
// (04/03/2026, 4.3.2026, 4 Mar 2026) or a timestamp as helpdesks export it
// (2026-03-04T10:22:00Z, 2026-03-04 10:22:00); a timestamp with a zone is
// the date it was in loc, one without is already local. Impossible dates
// and years outside 1970-2200 are an Invalid error naming "date".
func ParseEventDay(s string, loc *time.Location) (Day, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, store.FieldError("date", "The date is empty: give it as YYYY-MM-DD or DD/MM/YYYY.")
	}
	if d, ok := parseISODay(s, loc); ok {
		return d, nil
	}
	ok := func(t time.Time) bool { return t.Year() >= 1970 && t.Year() <= 2200 }
	for _, layouts := range [][]string{eventDayLayouts, eventStampLayouts} {
		for _, layout := range layouts {
			if t, err := time.Parse(layout, s); err == nil && ok(t) {
				return DateDay(t.Date()), nil
			}
		}
	}
	for _, layout := range eventZonedLayouts {
		if t, err := time.Parse(layout, s); err == nil && ok(t) {
			return DayOf(t, loc), nil
		}
	}
	return 0, store.FieldError("date", "%q is not a date: give it as YYYY-MM-DD or DD/MM/YYYY (a timestamp such as 2026-03-04T10:22:00Z also works).", clipCell(s))
}

// parseISODay reads YYYY-MM-DD, alone or followed by T or a space, hh:mm,
// optional :ss and fraction, and an optional zone (Z, UTC, GMT, ±hh:mm,
// ±hhmm, ±hh), without allocating: a million-row import reads a million
// of them. ok is false for anything else (ParseEventDay tries its layouts).
func parseISODay(s string, loc *time.Location) (Day, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := atoiDigits(s[0:4])
	mo, ok2 := atoiDigits(s[5:7])
	d, ok3 := atoiDigits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return 0, false
	}
	if t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC); t.Day() != d {
		return 0, false // 30 February
	}
	rest := s[10:]
	if rest == "" {
		return DateDay(y, time.Month(mo), d), true
	}
	if rest[0] != 'T' && rest[0] != ' ' || len(rest) < 6 || rest[3] != ':' {
		return 0, false
	}
	hh, okh := atoiDigits(rest[1:3])
	mm, okm := atoiDigits(rest[4:6])
	ss := 0
	rest = rest[6:]
	if len(rest) >= 3 && rest[0] == ':' {
		var oks bool
		if ss, oks = atoiDigits(rest[1:3]); !oks {
			return 0, false
		}
		rest = rest[3:]
		if len(rest) > 1 && rest[0] == '.' {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			rest = rest[i:]
		}
	}
	if !okh || !okm || hh > 23 || mm > 59 || ss > 60 {
		return 0, false
	}
	rest = strings.TrimLeft(rest, " ")
	var offset int // seconds east of UTC
	switch {
	case rest == "":
		return DateDay(y, time.Month(mo), d), true // local time already
	case rest == "Z" || rest == "UTC" || rest == "GMT":
	case rest[0] == '+' || rest[0] == '-':
		digits := strings.Replace(rest[1:], ":", "", 1)
		oh, okoh := 0, false
		om, okom := 0, true
		switch len(digits) {
		case 2:
			oh, okoh = atoiDigits(digits)
		case 4:
			oh, okoh = atoiDigits(digits[:2])
			om, okom = atoiDigits(digits[2:])
		}
		if !okoh || !okom || oh > 14 || om > 59 {
			return 0, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	t := time.Date(y, time.Month(mo), d, hh, mm, ss, 0, time.UTC).Add(-time.Duration(offset) * time.Second)
	return DayOf(t, loc), true
}

// atoiDigits reads a string of ASCII digits only.
func atoiDigits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
