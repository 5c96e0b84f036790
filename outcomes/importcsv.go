package outcomes

import (
	"fmt"
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

// EventRow is one row of an outcome file as an event to write (or a
// duplicate that adds nothing).
type EventRow struct {
	Line       int     `json:"line"`
	EmployeeID int64   `json:"-"`
	Employee   string  `json:"employee"` // as the file names them (a number or an e-mail), trimmed
	Day        Day     `json:"-"`
	Value      float64 `json:"value"`
	Category   string  `json:"category,omitempty"`
	SourceID   string  `json:"id,omitempty"`
	Duplicate  string  `json:"duplicate,omitempty"` // why a duplicate adds nothing, e.g. "also on line 4"
}

// EventPlan is what an outcome import would do (ParseEvents, then
// MarkStored) or did.
type EventPlan struct {
	Rows           int               `json:"rows"`       // data rows read
	Events         []EventRow        `json:"events"`     // to create
	Duplicates     []EventRow        `json:"duplicates"` // an id already in the file or already stored: nothing to add
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
	plan := &EventPlan{Events: []EventRow{}, Duplicates: []EventRow{}, Errors: []store.LineError{}, IgnoredColumns: []string{}}
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

	firstLine := map[string]int{} // source id → the line it is first on
	for rec, ok := f.Next(); ok; rec, ok = f.Next() {
		plan.Rows++
		if rec.Problem != nil {
			plan.add(*rec.Problem)
			continue
		}
		line := rec.Line
		r := EventRow{Line: line}
		bad := false
		fail := func(field, format string, args ...any) {
			bad = true
			plan.addf(line, field, format, args...)
		}

		// The employee: by e-mail when the file has one, else by the employee cell.
		emp, mail := strings.TrimSpace(rec.Cell("employee")), strings.TrimSpace(rec.Cell("email"))
		switch {
		case mail == "" && emp == "":
			field := "employee"
			if !f.Has("employee") {
				field = "email"
			}
			fail(field, "No employee: give their employee number or e-mail.")
		default:
			id, found := int64(0), false
			if mail != "" {
				id, found = ppl.find(mail)
				r.Employee = mail
			}
			if !found && emp != "" {
				if id, found = ppl.find(emp); found {
					r.Employee = emp
				}
			}
			switch {
			case found:
				r.EmployeeID = id
			case mail != "":
				fail("email", "No employee has the e-mail (or number) %q.", clipCell(mail))
			default:
				fail("employee", "No employee has the number or e-mail %q.", clipCell(emp))
			}
		}

		if d, err := ParseEventDay(rec.Cell("date"), loc); err != nil {
			fail("date", "%s", store.MessageOf(err))
		} else if d > today {
			fail("date", "%s is in the future (today is %s).", d, today)
		} else {
			r.Day = d
		}

		if v, err := m.ParseValue(rec.Cell("value")); err != nil {
			fail("value", "%s", store.MessageOf(err))
		} else {
			r.Value = v
		}

		r.Category = strings.Join(strings.Fields(rec.Cell("category")), " ")
		switch {
		case !cellIsText(r.Category):
			fail("category", "The category has a character that is not text (a control character).")
		case utf8.RuneCountInString(r.Category) > 100:
			fail("category", "The category is %d characters long; the limit is 100.", utf8.RuneCountInString(r.Category))
		}
		r.SourceID = strings.TrimSpace(rec.Cell("id"))
		switch {
		case !cellIsText(r.SourceID):
			fail("id", "The id has a character that is not text (a control character).")
		case len(r.SourceID) > 200:
			fail("id", "The id is %d characters long; the limit is 200.", len(r.SourceID))
		}
		if bad {
			continue
		}
		if r.SourceID != "" {
			if first, dup := firstLine[r.SourceID]; dup {
				r.Duplicate = fmt.Sprintf("id %s is also on line %d", clipCell(r.SourceID), first)
				plan.Duplicates = append(plan.Duplicates, r)
				continue
			}
			firstLine[r.SourceID] = line
		}
		plan.Events = append(plan.Events, r)
	}
	if plan.Rows == 0 {
		plan.addf(f.HeaderLine, "file", "The file has a header line but no events.")
	}
	return plan
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
			r.Duplicate = fmt.Sprintf("id %s was imported before", clipCell(r.SourceID))
			p.Duplicates = append(p.Duplicates, r)
			continue
		}
		keep = append(keep, r)
	}
	p.Events = keep
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
// the date it was in loc. Impossible dates and years outside 1970-2200 are
// an Invalid error naming "date".
func ParseEventDay(s string, loc *time.Location) (Day, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, store.FieldError("date", "The date is empty: give it as YYYY-MM-DD or DD/MM/YYYY.")
	}
	ok := func(t time.Time) bool { return t.Year() >= 1970 && t.Year() <= 2200 }
	// The fast path: YYYY-MM-DD, alone or at the start of a timestamp without a zone.
	if len(s) == 10 || len(s) >= 16 && (s[10] == ' ' || s[10] == 'T') && !stampHasZone(s[11:]) {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil && ok(t) {
			if len(s) == 10 {
				return DateDay(t.Date()), nil
			}
			for _, layout := range eventStampLayouts[:4] {
				if _, err := time.Parse(layout, s); err == nil {
					return DateDay(t.Date()), nil
				}
			}
		}
	}
	for _, layout := range eventDayLayouts {
		if t, err := time.Parse(layout, s); err == nil && ok(t) {
			return DateDay(t.Date()), nil
		}
	}
	for _, layout := range eventStampLayouts {
		if t, err := time.Parse(layout, s); err == nil && ok(t) {
			return DateDay(t.Date()), nil
		}
	}
	for _, layout := range eventZonedLayouts {
		if t, err := time.Parse(layout, s); err == nil && ok(t) {
			return DayOf(t, loc), nil
		}
	}
	return 0, store.FieldError("date", "%q is not a date: give it as YYYY-MM-DD or DD/MM/YYYY (a timestamp such as 2026-03-04T10:22:00Z also works).", clipCell(s))
}

// hasZone reports whether the time part of a timestamp ends in a zone (Z,
// +01:00, -0500, UTC).
func stampHasZone(t string) bool {
	return strings.HasSuffix(t, "Z") || strings.ContainsAny(t, "+") || strings.Count(t, "-") > 0 ||
		strings.IndexFunc(t, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) >= 0
}
