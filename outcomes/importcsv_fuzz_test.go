package outcomes_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/serviceacademy/academy/outcomes"
)

// eventFields are the fields an outcome import problem may name.
var eventFields = []string{"file", "employee", "email", "date", "value", "category", "id"}

// FuzzParseEvents reads fuzzed outcome files for each kind of measure.
// Whatever the file, it does not panic; every problem names a known field
// and a line inside the file, with a message; a clean plan accounts for
// every row (events plus duplicates), names only known employees, no date
// after today, values the measure accepts, and no id twice among its
// events. make test runs it for a few seconds and make fuzz for longer.
func FuzzParseEvents(f *testing.F) {
	for _, s := range []string{
		"employee,date,value\nBW1,2026-03-04,good\nann@example.com,04/03/2026,bad\n",
		"Ticket ID,Subject,Assignee,Satisfaction,Created at\n4501,Refund,bob@example.com,Good,2026-03-04T10:22:00Z\n4502,Lost,BW1,Bad,2026-03-05T23:30:00-05:00\n",
		"Ticket ID;Agent;Agent email;Rating;Created at\n88;Ann Lee;Ann@Example.com;5;2026-03-04 10:22:00\n89;BW2;;4;2026-03-06 08:00\n",
		"Employee ID\tDate\tScore\n007\t1.3.2026\t3\n",
		"employee,date,category,id,value\nBW1,2026-03-01, Late  delivery ,C-1,x\nBW2,2026-03-02,,C-1,\n",
		"sep=;\nemployee;date;value\nBW1;2026-03-01;\"7,5\"\n",
		"id,employee,date,value\nT1,BW9,2026-13-01,meh\nT1,BW1,2026-03-01,good\n",
		"\xEF\xBB\xBFemployee,date,value\r\nBW1,2026-03-01,1\r\n\r\n",
		"\xFF\xFEe\x00m\x00",
		"employee,date,value\nBW1,2026-03-01,\"good\nBW2,2026-03-01,bad\n",
		"employee,date,value\nBW1,Ren\xe9e,good\n",
	} {
		for kind := range 4 {
			f.Add([]byte(s), uint8(kind))
		}
	}
	measures := []*outcomes.Measure{goodBad, fivePoint, counted, minutes}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		m := measures[int(which)%len(measures)]
		plan := outcomes.ParseEvents(data, m, testIndex, time.UTC, today)
		lines := 1 + strings.Count(string(data), "\n")
		if len(plan.Errors) > plan.ErrorCount {
			t.Fatalf("%d errors listed, %d counted", len(plan.Errors), plan.ErrorCount)
		}
		for _, e := range plan.Errors {
			if !slices.Contains(eventFields, e.Field) || e.Line < 1 || e.Line > lines || e.Message == "" || !utf8.ValidString(e.Message) {
				t.Fatalf("problem %+v (file of %d lines)", e, lines)
			}
		}
		if !plan.OK() {
			return
		}
		if len(plan.Events)+len(plan.Duplicates) != plan.Rows {
			t.Fatalf("%d rows read, %d events and %d duplicates", plan.Rows, len(plan.Events), len(plan.Duplicates))
		}
		known := map[int64]bool{}
		for _, id := range testIndex.ByNumber {
			known[id] = true
		}
		ids := map[string]bool{}
		for _, r := range plan.Events {
			if !known[r.EmployeeID] || r.Day > today || r.Line < 2 || r.Line > lines {
				t.Fatalf("event %+v", r)
			}
			if _, err := m.ParseValue(valueText(m, r.Value)); err != nil {
				t.Fatalf("event %+v: value %v the measure does not accept: %v", r, r.Value, err)
			}
			if r.SourceID != "" {
				if ids[r.SourceID] {
					t.Fatalf("id %q twice among the events", r.SourceID)
				}
				ids[r.SourceID] = true
			}
		}
		for _, d := range plan.Duplicates {
			if d.SourceID == "" || !ids[d.SourceID] || d.Reason == "" {
				t.Fatalf("duplicate %+v", d)
			}
		}
	})
}

// valueText writes a stored value back as a file would give it.
func valueText(m *outcomes.Measure, v float64) string {
	if m.Kind == outcomes.Rating && m.Scale == outcomes.GoodBad {
		if v >= 1 {
			return "good"
		}
		return "bad"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
