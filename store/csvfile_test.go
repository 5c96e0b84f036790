package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/store"
)

var csvColumns = []store.CSVColumn{
	{Field: "employee", Aliases: []string{"Employee ID", "Agent email"}},
	{Field: "value", Aliases: []string{"Satisfaction", "Rating"}},
}

type csvRow struct {
	line      int
	employee  string
	value     string
	unreadble bool
}

func readAll(f *store.CSVFile) []csvRow {
	var rows []csvRow
	for rec, ok := f.Next(); ok; rec, ok = f.Next() {
		if rec.Problem != nil {
			rows = append(rows, csvRow{line: rec.Line, unreadble: true})
			continue
		}
		rows = append(rows, csvRow{line: rec.Line, employee: rec.Cell("employee"), value: rec.Cell("value")})
	}
	return rows
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name       string
		data       string
		headerLine int
		ignored    []string
		rows       []csvRow
		errs       []store.LineError // Message: a part of it
	}{
		{"OK", "Employee ID,Satisfaction,Comment\n7,good,fine\n", 1, []string{"Comment"},
			[]csvRow{{line: 2, employee: "7", value: "good"}}, nil},
		{"BOMSemicolonBlankLines", "\xEF\xBB\xBF\n\nagent-email;RATING\n\n8;5\n;\n9;\"4\"\n", 3, nil,
			[]csvRow{{line: 5, employee: "8", value: "5"}, {line: 7, employee: "9", value: "4"}}, nil},
		{"TabAndShortRecord", "employee\tvalue\n7\n", 1, nil, []csvRow{{line: 2, employee: "7"}}, nil},
		{"ExcelSepLine", "sep=;\nemployee;value\n7;1\n", 2, nil, []csvRow{{line: 3, employee: "7", value: "1"}}, nil},
		{"MultilineRecordLines", "employee,value\n\"7\n7\",1\n8,2\n", 1, nil,
			[]csvRow{{line: 2, employee: "7\n7", value: "1"}, {line: 4, employee: "8", value: "2"}}, nil},
		{"UnreadableRecord", "employee,value\n7,a \"b\" c\n8,2\n", 1, nil,
			[]csvRow{{line: 2, unreadble: true}, {line: 3, employee: "8", value: "2"}}, nil},
		{"ErrDuplicateColumn", "employee,Agent Email,value\n7,x,1\n", 1, nil,
			[]csvRow{{line: 2, employee: "7", value: "1"}}, []store.LineError{{Line: 1, Field: "file", Message: "both hold employee"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, errs := store.ReadCSV([]byte(tt.data), store.CSVSpec{Columns: csvColumns})
			if f == nil {
				t.Fatalf("unreadable: %v", errs)
			}
			checkErrs(t, errs, tt.errs)
			if f.HeaderLine != tt.headerLine || !slices.Equal(f.Ignored, tt.ignored) {
				t.Errorf("header line %d, ignored %q; want %d, %q", f.HeaderLine, f.Ignored, tt.headerLine, tt.ignored)
			}
			if got := readAll(f); !slices.Equal(got, tt.rows) {
				t.Errorf("rows %+v, want %+v", got, tt.rows)
			}
		})
	}
}

func checkErrs(t *testing.T, got, want []store.LineError) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i].Line != want[i].Line || got[i].Field != want[i].Field || !strings.Contains(got[i].Message, want[i].Message) {
			t.Errorf("error %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadCSVUnreadableFile(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		max     int
		line    int
		message string
	}{
		{"ErrTooLarge", "employee,value\n7,1\n", 10, 1, "larger than"},
		{"ErrUTF16", "\xFF\xFEe\x00", 0, 1, "UTF-16"},
		{"ErrNULEarly", "employee,value\n7\x00,1\n", 0, 1, "UTF-16"},
		{"ErrNULLate", "employee,value\n" + strings.Repeat("7,1\n", 1100) + "8\x00,1\n", 0, 1102, "NUL"},
		{"ErrLatin1", "employee,value\n7,1\n8,Ren\xe9e\n", 0, 3, "not UTF-8"},
		{"ErrEmpty", " \n\t\n", 0, 1, "empty"},
		{"ErrBlankRecordsOnly", ",\n ,,\n", 0, 1, "empty"},
		{"ErrHeaderUnreadable", "\"employee,value\n", 0, 1, "header line cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, errs := store.ReadCSV([]byte(tt.data), store.CSVSpec{MaxBytes: tt.max, Columns: csvColumns})
			if f != nil {
				t.Fatal("a file came back")
			}
			checkErrs(t, errs, []store.LineError{{Line: tt.line, Field: "file", Message: tt.message}})
		})
	}
}

func TestHeadingKey(t *testing.T) {
	for in, want := range map[string]string{"E-mail": "email", " Agent  Email ": "agentemail", "Créé le": "crééle", "ID#": "id"} {
		if got := store.HeadingKey(in); got != want {
			t.Errorf("HeadingKey(%q) = %q, want %q", in, got, want)
		}
	}
}
