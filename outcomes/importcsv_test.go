package outcomes_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/store"
)

var (
	goodBad   = &outcomes.Measure{ID: 1, Slug: "csat", Kind: outcomes.Rating, Scale: outcomes.GoodBad, Report: outcomes.PercentSatisfied}
	fivePoint = &outcomes.Measure{ID: 2, Slug: "csat5", Kind: outcomes.Rating, Scale: outcomes.OneToFive, Report: outcomes.Mean}
	counted   = &outcomes.Measure{ID: 3, Slug: "complaints", Kind: outcomes.Count}
	minutes   = &outcomes.Measure{ID: 4, Slug: "aht", Kind: outcomes.Value, MinValue: ptr(0.0), MaxValue: ptr(120.0)}

	testIndex = outcomes.EmployeeIndex{
		ByNumber: map[string]int64{"BW1": 11, "BW2": 12, "007": 13},
		ByEmail:  map[string]int64{"ann@example.com": 11, "bob@example.com": 12},
	}
	today = outcomes.DateDay(2026, time.March, 10)
)

func day(s string) outcomes.Day {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return outcomes.DateDay(t.Date())
}

// row is an event as the tests compare it.
type row struct {
	line     int
	employee int64
	day      string
	value    float64
	category string
	id       string
}

func dupRows(list []outcomes.DuplicateRow) []row {
	var rows []outcomes.EventRow
	for _, d := range list {
		rows = append(rows, d.EventRow)
	}
	return rowsOf(rows)
}

func rowsOf(list []outcomes.EventRow) []row {
	var out []row
	for _, r := range list {
		out = append(out, row{r.Line, r.EmployeeID, r.Day.String(), r.Value, r.Category, r.SourceID})
	}
	return out
}

func TestParseEvents(t *testing.T) {
	tests := []struct {
		name    string
		m       *outcomes.Measure
		data    string
		events  []row
		dups    []row
		ignored []string
	}{
		{"OKCanonical", goodBad, "employee,date,value\nBW1,2026-03-04,good\nann@example.com,04/03/2026,bad\n",
			[]row{{2, 11, "2026-03-04", 1, "", ""}, {3, 11, "2026-03-04", 0, "", ""}}, nil, nil},
		{"OKZendesk", goodBad, "Ticket ID,Subject,Assignee,Satisfaction,Created at\n" +
			"4501,Refund,bob@example.com,Good,2026-03-04T10:22:00Z\n4502,Lost bag,BW1,Bad,2026-03-05T23:30:00Z\n",
			[]row{{2, 12, "2026-03-04", 1, "", "4501"}, {3, 11, "2026-03-05", 0, "", "4502"}}, nil, []string{"Subject"}},
		{"OKFreshdeskAgentNameAndEmail", fivePoint, "Ticket ID;Agent;Agent email;Rating;Created at\n" +
			"88;Ann Lee;Ann@Example.com;5;2026-03-04 10:22:00\n89;BW2;;4;2026-03-06 08:00\n",
			[]row{{2, 11, "2026-03-04", 5, "", "88"}, {3, 12, "2026-03-06", 4, "", "89"}}, nil, nil},
		{"OKEmployeeIDColumn", fivePoint, "Employee ID\tDate\tScore\n007\t1.3.2026\t3\n",
			[]row{{2, 13, "2026-03-01", 3, "", ""}}, nil, nil},
		{"OKCountIgnoresValue", counted, "employee,date,category,id,value\nBW1,2026-03-01, Late  delivery ,C-1,anything\nBW2,2026-03-02,,C-2,\n",
			[]row{{2, 11, "2026-03-01", 1, "Late delivery", "C-1"}, {3, 12, "2026-03-02", 1, "", "C-2"}}, nil, nil},
		{"OKCountWithoutValueColumn", counted, "employee,date\nBW1,2026-03-01\n",
			[]row{{2, 11, "2026-03-01", 1, "", ""}}, nil, nil},
		{"OKValueWithin", minutes, "employee,date,value\nBW1,2026-03-01,\"7,5\"\nBW2,2026-03-10,120\n",
			[]row{{2, 11, "2026-03-01", 7.5, "", ""}, {3, 12, "2026-03-10", 120, "", ""}}, nil, nil},
		{"DuplicateIDInFile", goodBad, "id,employee,date,value\nT1,BW1,2026-03-01,good\nT1,BW2,2026-03-02,bad\nT2,BW2,2026-03-02,bad\nT1,BW1,2026-03-03,bad\n",
			[]row{{2, 11, "2026-03-01", 1, "", "T1"}, {4, 12, "2026-03-02", 0, "", "T2"}},
			[]row{{3, 12, "2026-03-02", 0, "", "T1"}, {5, 11, "2026-03-03", 0, "", "T1"}}, nil},
		{"TimestampWithZoneIsLocalDate", goodBad, "employee,date,value\nBW1,2026-03-04T23:30:00-05:00,good\n",
			[]row{{2, 11, "2026-03-05", 1, "", ""}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := outcomes.ParseEvents([]byte(tt.data), tt.m, testIndex, time.UTC, today)
			if !plan.OK() {
				t.Fatalf("errors: %+v", plan.Errors)
			}
			if got := rowsOf(plan.Events); !slices.Equal(got, tt.events) {
				t.Errorf("events %+v\nwant %+v", got, tt.events)
			}
			if got := dupRows(plan.Duplicates); !slices.Equal(got, tt.dups) {
				t.Errorf("duplicates %+v\nwant %+v", got, tt.dups)
			}
			if !slices.Equal(plan.IgnoredColumns, append([]string{}, tt.ignored...)) {
				t.Errorf("ignored %q, want %q", plan.IgnoredColumns, tt.ignored)
			}
			if plan.Rows != len(tt.events)+len(tt.dups) {
				t.Errorf("rows %d", plan.Rows)
			}
		})
	}
}

func TestParseEventsErrors(t *testing.T) {
	type rowErr struct {
		line  int
		field string
	}
	const head = "employee,date,value\n"
	tests := []struct {
		name    string
		m       *outcomes.Measure
		data    string
		want    []rowErr
		message string // in the first error
	}{
		{"ErrUnknownEmployee", goodBad, head + "BW1,2026-03-01,good\nBW9,2026-03-01,good\n", []rowErr{{3, "employee"}}, `"BW9"`},
		{"ErrUnknownEmail", goodBad, "agent email,date,value\nzed@example.com,2026-03-01,good\n", []rowErr{{2, "email"}}, "zed@example.com"},
		{"ErrNoEmployee", goodBad, head + ",2026-03-01,good\n", []rowErr{{2, "employee"}}, "No employee"},
		{"ErrFutureDate", goodBad, head + "BW1,2026-03-11,good\n", []rowErr{{2, "date"}}, "future"},
		{"ErrImpossibleDate", goodBad, head + "BW1,31/02/2026,good\n", []rowErr{{2, "date"}}, "31/02/2026"},
		{"ErrEmptyDate", goodBad, head + "BW1,,good\n", []rowErr{{2, "date"}}, "empty"},
		{"ErrGoodBadValue", goodBad, head + "BW1,2026-03-01,meh\n", []rowErr{{2, "value"}}, `"meh"`},
		{"ErrScoreOutOfScale", fivePoint, head + "BW1,2026-03-01,6\nBW1,2026-03-01,4.5\n", []rowErr{{2, "value"}, {3, "value"}}, "1 to 5"},
		{"ErrValueOutOfRange", minutes, head + "BW1,2026-03-01,121\nBW1,2026-03-01,-1\n", []rowErr{{2, "value"}, {3, "value"}}, "0 to 120"},
		{"ErrValueNotNumber", minutes, head + "BW1,2026-03-01,fast\n", []rowErr{{2, "value"}}, "not a number"},
		{"ErrSeveralInOneRow", goodBad, head + "BW9,2026-13-01,meh\n", []rowErr{{2, "employee"}, {2, "date"}, {2, "value"}}, "BW9"},
		{"ErrCategoryControl", counted, "employee,date,category\nBW1,2026-03-01,a\x1bb\n", []rowErr{{2, "category"}}, "not text"},
		{"ErrCategoryLong", counted, "employee,date,category\nBW1,2026-03-01," + strings.Repeat("x", 101) + "\n", []rowErr{{2, "category"}}, "101"},
		{"ErrIDLong", counted, "employee,date,id\nBW1,2026-03-01," + strings.Repeat("x", 201) + "\n", []rowErr{{2, "id"}}, "201"},
		{"ErrMissingEmployeeColumn", goodBad, "date,value\n2026-03-01,good\n", []rowErr{{1, "file"}}, "no employee column"},
		{"ErrMissingDateAndValue", goodBad, "employee\nBW1\n", []rowErr{{1, "file"}, {1, "file"}}, "no date column"},
		{"ErrDuplicateColumn", goodBad, "employee,date,rating,satisfaction\nBW1,2026-03-01,good,good\n", []rowErr{{1, "file"}}, "both hold value"},
		{"ErrLatin1", goodBad, head + "BW1,2026-03-01,good\nBW2,2026-03-01,gr\xfcn\n", []rowErr{{3, "file"}}, "not UTF-8"},
		{"ErrUTF16", goodBad, "\xFF\xFEe\x00m\x00", []rowErr{{1, "file"}}, "UTF-16"},
		{"ErrEmpty", goodBad, "", []rowErr{{1, "file"}}, "empty"},
		{"ErrHeaderOnly", goodBad, head, []rowErr{{1, "file"}}, "no events"},
		{"ErrUnreadableRecord", goodBad, head + "BW1,2026-03-01,\"good\nBW2,2026-03-01,bad\n", []rowErr{{2, "file"}}, "cannot be read"},
		{"ErrDuplicateIDNotCheckedOnBadRow", goodBad, "id,employee,date,value\nT1,BW9,2026-03-01,good\nT1,BW1,2026-03-01,good\n", []rowErr{{2, "employee"}}, "BW9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := outcomes.ParseEvents([]byte(tt.data), tt.m, testIndex, time.UTC, today)
			var got []rowErr
			for _, e := range plan.Errors {
				got = append(got, rowErr{e.Line, e.Field})
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("errors %+v, want %v", plan.Errors, tt.want)
			}
			if plan.OK() || plan.ErrorCount != len(tt.want) {
				t.Fatalf("OK() %v, count %d", plan.OK(), plan.ErrorCount)
			}
			if !strings.Contains(plan.Errors[0].Message, tt.message) {
				t.Errorf("message %q does not contain %q", plan.Errors[0].Message, tt.message)
			}
		})
	}
}

func TestParseEventsListsAtMost10000Errors(t *testing.T) {
	var b strings.Builder
	b.WriteString("employee,date,value\n")
	for range 10050 {
		b.WriteString("BW9,2026-03-01,good\n")
	}
	plan := outcomes.ParseEvents([]byte(b.String()), goodBad, testIndex, time.UTC, today)
	if plan.ErrorCount != 10050 || len(plan.Errors) != 10001 {
		t.Fatalf("count %d, listed %d", plan.ErrorCount, len(plan.Errors))
	}
	if last := plan.Errors[10000]; last.Field != "file" || last.Line != 10002 || !strings.Contains(last.Message, "not listed") {
		t.Errorf("last: %+v", last)
	}
}

func TestParseEventDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	tests := []struct {
		in   string
		want string // "" for an error
	}{
		{"2026-03-04", "2026-03-04"},
		{" 04/03/2026 ", "2026-03-04"},
		{"4/3/2026", "2026-03-04"},
		{"04.03.2026", "2026-03-04"},
		{"4-3-2026", "2026-03-04"},
		{"4 Mar 2026", "2026-03-04"},
		{"2026-03-04 10:22:00", "2026-03-04"},
		{"2026-03-04 23:59", "2026-03-04"},
		{"2026-03-04T10:22:00", "2026-03-04"},
		{"04/03/2026 10:22", "2026-03-04"},
		{"2026-03-04T10:22:00Z", "2026-03-04"},
		{"2026-03-04T03:22:00Z", "2026-03-03"}, // 22:22 the day before in New York
		{"2026-03-04T03:22:00.123Z", "2026-03-03"},
		{"2026-03-04T10:22:00+01:00", "2026-03-04"},
		{"2026-03-04 10:22:00 +0100", "2026-03-04"},
		{"", ""},
		{"yesterday", ""},
		{"2026-02-30", ""},
		{"31/02/2026", ""},
		{"1969-12-31", ""},
		{"2026-03-04 99:00:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := outcomes.ParseEventDay(tt.in, ny)
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("got %s, want an error", d)
			case tt.want == "":
				if store.FieldOf(err) != "date" {
					t.Errorf("field %q", store.FieldOf(err))
				}
			case err != nil:
				t.Errorf("error %v", err)
			case d.String() != tt.want:
				t.Errorf("got %s, want %s", d, tt.want)
			}
		})
	}
}

func TestMarkStored(t *testing.T) {
	plan := outcomes.ParseEvents([]byte("id,employee,date,value\nA,BW1,2026-03-01,good\nB,BW1,2026-03-01,good\n,BW2,2026-03-01,bad\nA,BW2,2026-03-02,good\n"),
		goodBad, testIndex, time.UTC, today)
	if ids := plan.SourceIDs(); !slices.Equal(ids, []string{"A", "B"}) {
		t.Fatalf("ids %q", ids)
	}
	plan.MarkStored(map[string]bool{"B": true})
	if got := fmt.Sprint(rowsOf(plan.Events)); got != "[{2 11 2026-03-01 1  A} {4 12 2026-03-01 0  }]" {
		t.Errorf("events %s", got)
	}
	if len(plan.Duplicates) != 2 || plan.Duplicates[0].SourceID != "B" || !strings.Contains(plan.Duplicates[0].Reason, "imported before") ||
		plan.Duplicates[1].Line != 5 || !strings.Contains(plan.Duplicates[1].Reason, "line 2") {
		t.Errorf("duplicates %+v", plan.Duplicates)
	}
	if plan.Summary() != "2 new events, 2 duplicates" {
		t.Errorf("summary %q", plan.Summary())
	}
	if ids := plan.EmployeeIDs(); !slices.Equal(ids, []int64{11, 12}) {
		t.Errorf("employees %v", ids)
	}
}
