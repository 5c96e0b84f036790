package training_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/training"
)

// TestReadCompletions: headings from common exports, delimiters and
// encodings; file problems with their lines.
func TestReadCompletions(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		rows       []string // employee|programme|course|completed_at|score|source @line
		errs       []string // line:field
	}{
		{"OK", "employee,programme,completed_at,score,source\nBW1,induction,2025-03-31,88,OldLMS\n",
			[]string{"BW1|induction||2025-03-31|88|OldLMS@2"}, nil},
		{"OKTotaraHeadings", "username,courseshortname,completiondate,grade\njo@example.com,six-cs,31/03/2025,75\n",
			[]string{"jo@example.com||six-cs|31/03/2025|75|@2"}, nil},
		{"OKSemicolonBOMAndBlankLines", "\xef\xbb\xbfEmployee Number;Course Name;Date Completed\n\n\"BW2\";\"Six Cs\";2025-01-02\n",
			[]string{"BW2||Six Cs|2025-01-02||@3"}, nil},
		{"ErrNotUTF8", "employee,course,completed_at\nBW1,Caf\xe9,2025-01-01\n", nil, []string{"2:file"}},
		{"ErrUTF16", "\xff\xfee\x00", nil, []string{"1:file"}},
		{"ErrEmpty", "", nil, []string{"1:file"}},
		{"ErrNoEmployeeOrDate", "name,course\nx,y\n", nil, []string{"1:file", "1:file"}},
		{"ErrNoProgrammeOrCourse", "employee,completed_at\nBW1,2025-01-01\n", nil, []string{"1:file"}},
		{"ErrHeaderOnly", "employee,course,completed_at\n", nil, []string{"1:file"}},
		{"ErrBadRecordReadOn", "employee,course,completed_at\nBW1,\"six-cs,2025-01-01\nBW2,six-cs,2025-01-01\n", nil, []string{"2:file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, errs := training.ReadCompletions([]byte(tc.data))
			var got, gotErrs []string
			for _, r := range rows {
				got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s|%s@%d", r.Employee, r.Programme, r.Course, r.CompletedAt, r.Score, r.Source, r.Line))
			}
			for _, e := range errs {
				gotErrs = append(gotErrs, fmt.Sprintf("%d:%s", e.Line, e.Field))
				if e.Message == "" {
					t.Errorf("error at line %d has no message", e.Line)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.rows, "\n") {
				t.Errorf("rows\n got %v\nwant %v", got, tc.rows)
			}
			if strings.Join(gotErrs, " ") != strings.Join(tc.errs, " ") {
				t.Errorf("errors %v, want %v", gotErrs, tc.errs)
			}
		})
	}
}
