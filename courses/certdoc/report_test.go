package certdoc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func sampleReport(t testing.TB) []byte {
	rp := MustRenderer(t).NewReport("Transcript: Дмитрий Иванов", "Brightwater Services", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	rp.Heading(1, "Transcript: Дмитрий Иванов")
	rp.Text("Employee BW1101 · Front Desk · Leeds. Every programme cycle, course completion, quiz attempt and role-play observation.", true)
	rp.Heading(2, "Programmes")
	var rows [][]string
	for i := 0; i < 120; i++ {
		rows = append(rows, []string{fmt.Sprintf("Programme %d with a long title that wraps in its column", i), strconv.Itoa(1 + i%3), "Completed", "1 Dec 2026", "山田 太郎"})
	}
	rp.Table([]Column{{"Programme", 4, false}, {"Cycle", 1, true}, {"Status", 2, false}, {"Completed", 2, false}, {"Assessor", 2, false}}, rows)
	rp.Heading(2, "Readiness by team")
	rp.Bars([]Bar{{"Front Desk", 41, 50, "82% (41 of 50)"}, {"Γιώργος Παπαδόπουλος's team", 0, 10, "0% (0 of 10)"}})
	b, err := rp.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReport: a multi-page report with a repeated table header, every
// script, page numbers, checked by qpdf and pdftotext; the same content
// gives the same bytes.
func TestReport(t *testing.T) {
	b := sampleReport(t)
	if !bytes.Equal(b, sampleReport(t)) {
		t.Fatal("the same report rendered to different bytes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(needTool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(needTool(t, "pdftotext"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	pages := strings.Count(text, "\f")
	if pages < 3 {
		t.Fatalf("%d pages for 120 rows, want at least 3", pages)
	}
	for _, want := range []string{"Дмитрий Иванов", "山田 太郎", "Γιώργος Παπαδόπουλος", "Programme 119", "82% (41 of 50)",
		fmt.Sprintf("Page %d of %d", pages, pages), "Brightwater Services"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// The table header is repeated on every page the table continues on.
	if n := len(regexp.MustCompile(`Programme\s+Cycle\s+Status`).FindAllString(text, -1)); n < pages-1 {
		t.Errorf("the table header appears %d times over %d pages", n, pages)
	}
}

func BenchmarkReport(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sampleReport(b)
	}
}
