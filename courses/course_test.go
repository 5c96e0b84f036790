package courses_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

func demoCourse(t *testing.T, body string) *courses.Source {
	t.Helper()
	fsys := fstest.MapFS{
		"demo/course.yaml": {Data: []byte("slug: demo\ntitle: Demo\nversion: 1\nestimated_minutes: 6\nsummary: S\ntags: [listening]\nprerequisites: []\nmodules:\n  - title: One\n    lessons: [first, second]\n  - title: Two\n    lessons: [third]\n")},
		"demo/first.md":    {Data: []byte("---\ntitle: First\nminutes: 2\n---\n" + body + "\n")},
		"demo/second.md":   {Data: []byte("---\ntitle: Second\nminutes: 2\n---\nThe call-back promise matters.\n")},
		"demo/third.md":    {Data: []byte("---\ntitle: Third\nminutes: 2\n---\nThird lesson.\n")},
	}
	src, err := courses.ParseCourse(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func employee(t *testing.T, db *bun.DB, number string) int64 {
	t.Helper()
	res, err := people.NewStore(db).SaveEmployee(context.Background(), people.EmployeeInput{Number: number, FirstName: "F", LastName: "L",
		Email: number + "@example.com", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Employee.ID
}

// TestVersionsAndCompletion: a learner keeps the version they started when a
// new one is published, completes it lesson by lesson (idempotently: the
// completion is reported once), and meets the new version only afterwards.
func TestVersionsAndCompletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		if _, err := s.SyncBuiltins(ctx, []*courses.Source{demoCourse(t, "Version one text.")}); err != nil {
			t.Fatal(err)
		}
		if changed, _ := s.SyncBuiltins(ctx, []*courses.Source{demoCourse(t, "Version one text.")}); len(changed) != 0 {
			t.Fatalf("unchanged built-in re-synced: %v", changed)
		}
		emp := employee(t, db, "1")
		c, _ := s.FindCourse(ctx, "demo")
		o1, en, err := s.Start(ctx, emp, c)
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		complete := func(en *courses.Enrolment, lessonID int64) (courses.Completion, bool, error) {
			comp, done, err := completeLesson(ctx, s, en, lessonID)
			if done {
				calls++
			}
			return comp, done, err
		}
		if _, done, err := complete(en, o1.Lessons[0].ID); err != nil || done {
			t.Fatalf("first lesson: done=%v err=%v", done, err)
		}
		// A new version is published while the learner is part-way through.
		if changed, err := s.SyncBuiltins(ctx, []*courses.Source{demoCourse(t, "Version two text.")}); err != nil || len(changed) != 1 {
			t.Fatalf("new version: %v %v", changed, err)
		}
		c, _ = s.FindCourse(ctx, "demo")
		o, en2, _ := s.VersionFor(ctx, emp, c)
		if o.Version.ID != o1.Version.ID || en2.ID != en.ID {
			t.Fatal("the learner was moved to the new version part-way through")
		}
		if !strings.Contains(o.Lessons[0].BodyHTML, "Version one") {
			t.Fatal("old version text lost")
		}
		complete(en, o1.Lessons[1].ID)
		comp, done, err := complete(en, o1.Lessons[2].ID)
		if err != nil || !done || !comp.Complete || calls != 1 {
			t.Fatalf("last lesson: comp=%+v done=%v calls=%d err=%v", comp, done, calls, err)
		}
		if _, done, _ := complete(en, o1.Lessons[2].ID); done || calls != 1 {
			t.Fatal("completing again is not idempotent")
		}
		// Finished: now they meet version two.
		o, _, _ = s.VersionFor(ctx, emp, c)
		if o.Version.ID == o1.Version.ID || !strings.Contains(o.Lessons[0].BodyHTML, "Version two") {
			t.Fatal("after finishing, the learner should see the new version")
		}
		p, err := s.ProgressIn(ctx, emp, c)
		if err != nil || p.Started() || p.LessonsDone != 0 {
			t.Fatalf("new version progress: %+v %v", p, err)
		}
		// A lesson of another version cannot be completed in this enrolment.
		o2, en3, _ := s.Start(ctx, emp, c)
		if _, _, err := complete(en3, o1.Lessons[0].ID); err == nil {
			t.Fatal("completed a lesson of another version")
		}
		_ = o2
	})
}

func TestDecideCompletion(t *testing.T) {
	ls := []*courses.Lesson{{ID: 1}, {ID: 2}}
	all := map[int64]time.Time{1: {}, 2: {}}
	for _, tc := range []struct {
		name     string
		lessons  []*courses.Lesson
		done     map[int64]time.Time
		required []string
		passed   bool
		want     bool
	}{
		{"OK", ls, all, nil, false, true},
		{"ErrLessonMissing", ls, map[int64]time.Time{1: {}}, nil, false, false},
		{"ErrAssessmentOutstanding", ls, all, []string{"quiz"}, false, false},
		{"AssessmentPassed", ls, all, []string{"quiz"}, true, true},
		{"ErrNoLessons", nil, nil, nil, false, false},
		{"DoneOfAnotherVersionIgnored", ls, map[int64]time.Time{1: {}, 3: {}}, nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := courses.DecideCompletion(tc.lessons, tc.done, tc.required, tc.passed, nil); got.Complete != tc.want {
				t.Fatalf("Complete = %v, want %v (%+v)", got.Complete, tc.want, got)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		builtins, err := courses.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SyncBuiltins(ctx, append(builtins, demoCourse(t, "Say <script>alert(1)</script> when you call back."))); err != nil {
			t.Fatal(err)
		}
		hits, err := s.Search(ctx, "what is our call-back promise?", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			t.Fatal("no hits for a call-back question")
		}
		for _, h := range hits {
			if strings.Contains(string(h.Snippet), "<script") {
				t.Fatalf("unescaped snippet: %s", h.Snippet)
			}
		}
		if !strings.Contains(strings.ToLower(string(hits[0].Snippet)), "<mark>") {
			t.Fatalf("no highlight in %q", hits[0].Snippet)
		}
		if hits, _ := s.Search(ctx, "zzzqqq", 10); len(hits) != 0 {
			t.Fatalf("nonsense matched: %v", hits)
		}
		if hits, err := s.Search(ctx, `"OR NEAR( * ) AND -`, 10); err != nil {
			t.Fatalf("operators in the query broke the search: %v (%d hits)", err, len(hits))
		}
	})
}

// BenchmarkSearch: the knowledge-base query over the seven built-in courses.
func BenchmarkSearch(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.MustOpen(b, dialect)
			s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
			builtins, err := courses.Builtin()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.SyncBuiltins(context.Background(), builtins); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				hits, err := s.Search(context.Background(), "what is our call-back promise?", 20)
				if err != nil || len(hits) == 0 {
					b.Fatalf("%d hits, %v", len(hits), err)
				}
			}
		})
	}
}
