package app

import (
	"bytes"
	"testing"
	"time"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/training"
)

// TestReadinessDocumentDeterministic: the same report at the same time is
// the same bytes; another time is not.
func TestReadinessDocumentDeterministic(t *testing.T) {
	r, err := certdoc.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	rep := func(now time.Time) *readinessReport {
		return &readinessReport{Title: "Team readiness: Daniel Kim", Scope: "Everyone in the line.", Company: "Brightwater", Now: now, Loc: loc,
			Summary: courses.ReadinessSummary{Headcount: 3, Ready: 1, AtRisk: 1, NotReady: 1}, BarsTitle: "Readiness by team", GroupColumn: "Manager",
			Bars: courses.Breakdown{Groups: 1, Rows: []courses.BreakdownRow{{ID: 1, Name: "Yuki Tanaka", ReadinessSummary: courses.ReadinessSummary{Headcount: 3, Ready: 1, AtRisk: 1, NotReady: 1}}}},
			People: []courses.ReadinessEntry{{Number: "E1", Name: "Zoë Núñez", Manager: "Yuki Tanaka", Status: courses.NotReady,
				Reasons: []courses.Reason{{Kind: courses.ReasonOverdue, Detail: "Induction is overdue (was due 1 Nov 2026)"}}}}, Listed: 2}
	}
	a, err := readinessDocument(r, rep(at))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := readinessDocument(r, rep(at))
	c, _ := readinessDocument(r, rep(at.Add(time.Minute)))
	if !bytes.Equal(a, b) || bytes.Equal(a, c) || !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatalf("same time equal %v, other time equal %v", bytes.Equal(a, b), bytes.Equal(a, c))
	}
	d := &digest{Title: "Weekly digest: Daniel Kim", Scope: "His line.", Digest: &training.Digest{Week: "2026-11-30", Prev: "2026-11-23", Now: at, Loc: loc,
		Counts:   []digestCount{{Label: "People", This: 3, Last: 3}, {Label: "Ready", This: 1, Last: 2}},
		NotReady: digestList{Items: []digestItem{{Number: "E1", Name: "Zoë Núñez", Detail: "was ready; Induction is overdue"}}, Total: 1}}}
	x, err := digestDocument(r, d)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := digestDocument(r, d)
	if !bytes.Equal(x, y) {
		t.Fatal("the digest PDF differs between two renderings")
	}
}

func TestDigestCountChange(t *testing.T) {
	for _, c := range []struct {
		this, last int
		want       string
	}{{3, 1, "+2"}, {1, 3, "−2"}, {2, 2, "no change"}} {
		if got := (digestCount{This: c.this, Last: c.last}).Change(); got != c.want {
			t.Errorf("%d vs %d: %q, want %q", c.this, c.last, got, c.want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[int]int{0: 1, 1: 1, 3: 5, 7: 10, 13: 20, 48: 50, 51: 100, 2080: 5000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}

// TestStandardCells: the newer of the quiz and the role-play decides a
// cell; a completed course counts only without either.
func TestStandardCells(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	in := standardInputs{
		CourseTags: map[string][]string{"empathy": {"empathy", "ownership"}, "recovery": {"ownership", "complaints"}},
		Quiz: map[int64]map[string]assessments.StandardScore{
			1: {"empathy": {Points: 3, MaxPoints: 4, Quiz: "Q", At: day(5)}, "ownership": {Points: 1, MaxPoints: 2, Quiz: "Q", At: day(5)}},
		},
		RolePlays: []assessments.RolePlayResult{
			{EmployeeID: 1, CourseSlug: "empathy", Title: "Irate", Percent: 88.4, Passed: true, At: day(3)}, // older than the quiz
			{EmployeeID: 1, CourseSlug: "recovery", Title: "Loan", Percent: 40, Passed: false, At: day(9)},  // newer: ownership
			{EmployeeID: 2, CourseSlug: "recovery", Title: "Loan", Percent: 66.5, Passed: true, At: day(1)},
		},
		Completions: map[int64]map[string]time.Time{1: {"empathy": day(10)}, 3: {"recovery": day(2)}},
	}
	cells := standardCells(in, time.UTC)
	for _, c := range []struct {
		id       int64
		tag      string
		has      bool
		pct      int
		src      string
		bandWant string
	}{
		{1, "empathy", true, 75, "quiz", "good"},
		{1, "ownership", true, 40, "role-play", "gap"},
		{1, "complaints", true, 40, "role-play", "gap"},
		{2, "ownership", true, 67, "role-play", "weak"},
		{3, "complaints", true, 100, "course completed", "strong"},
		{3, "empathy", false, 0, "", ""},
		{4, "empathy", false, 0, "", ""},
	} {
		got := cells[c.id][c.tag]
		if got.Has != c.has || got.Percent != c.pct || got.Source != c.src || got.Band != c.bandWant {
			t.Errorf("%d %s: %+v, want %v %d %s %s", c.id, c.tag, got, c.has, c.pct, c.src, c.bandWant)
		}
	}
}
