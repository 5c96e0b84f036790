package courses

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestBuiltinCourses: the shipped curriculum loads and meets the product's bar.
func TestBuiltinCourses(t *testing.T) {
	srcs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mission-vision-promise", "service-recovery", "six-cs", "promises-timelines",
		"empathy-difficult-customers", "customer-world", "internal-customer", "leading-service"}
	got := map[string]*Source{}
	for _, s := range srcs {
		got[s.Slug] = s
	}
	for _, slug := range want {
		s, ok := got[slug]
		if !ok {
			t.Errorf("built-in course %s is missing", slug)
			continue
		}
		lessons := s.Lessons()
		if len(lessons) < 3 {
			t.Errorf("%s: %d lessons, want at least 3", slug, len(lessons))
		}
		for _, l := range lessons {
			words := len(strings.Fields(l.Body))
			if words < 350 {
				t.Errorf("%s/%s: %d words is not a lesson of substance", slug, l.Slug, words)
			}
			for _, section := range []string{"## Do", "## Don", "## Reflection"} {
				if !strings.Contains(l.Body, section) && !strings.Contains(l.Body, "| Do") {
					t.Errorf("%s/%s: no %q section", slug, l.Slug, section)
				}
			}
			if strings.Contains(l.Body, "\n# ") || strings.HasPrefix(l.Body, "# ") {
				t.Errorf("%s/%s: uses a level-1 heading (the page's h1 is the title)", slug, l.Slug)
			}
		}
	}
	mission := got["mission-vision-promise"]
	if mission != nil {
		var all string
		for _, l := range mission.Lessons() {
			all += l.Body
		}
		for _, ph := range []string{"{{company.mission}}", "{{company.vision}}", "{{company.values}}", "{{company.promises}}"} {
			if !strings.Contains(all, ph) {
				t.Errorf("mission course does not show %s", ph)
			}
		}
	}
}

const goodYAML = `slug: demo
title: Demo
version: 1
estimated_minutes: 10
summary: A demo.
tags: [listening]
prerequisites: []
modules:
  - title: One
    lessons: [first, second]
`

const goodLesson = "---\ntitle: First\nminutes: 5\n---\n## Hello\n\nText.\n"

func TestParseCourse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // substrings of problems, in any order; empty = OK
	}{
		{"OK", map[string]string{"course.yaml": goodYAML, "first.md": goodLesson, "second.md": goodLesson}, nil},
		{"ErrMissingYAML", map[string]string{"first.md": goodLesson}, []string{"course.yaml: missing"}},
		{"ErrBadYAML", map[string]string{"course.yaml": "slug: [oops\n"}, []string{"course.yaml:", "not valid YAML"}},
		{"ErrUnknownField", map[string]string{"course.yaml": goodYAML + "colour: red\n", "first.md": goodLesson, "second.md": goodLesson}, []string{"colour"}},
		{"ErrMissingLesson", map[string]string{"course.yaml": goodYAML, "first.md": goodLesson}, []string{"second.md: missing"}},
		{"ErrStrayFile", map[string]string{"course.yaml": goodYAML, "first.md": goodLesson, "second.md": goodLesson, "third.md": goodLesson, "x.exe": "MZ"},
			[]string{"third.md: not listed", "x.exe: unexpected file"}},
		{"ErrDuplicateLesson", map[string]string{"course.yaml": strings.Replace(goodYAML, "[first, second]", "[first, first]", 1), "first.md": goodLesson},
			[]string{"listed twice"}},
		{"ErrBadSlug", map[string]string{"course.yaml": strings.Replace(goodYAML, "slug: demo", "slug: ../Demo", 1), "first.md": goodLesson, "second.md": goodLesson},
			[]string{`slug "../Demo"`}},
		{"ErrNoFrontMatter", map[string]string{"course.yaml": goodYAML, "first.md": "## Just text\n", "second.md": goodLesson}, []string{"first.md:1: must start with front matter"}},
		{"ErrBadMinutes", map[string]string{"course.yaml": goodYAML, "first.md": "---\ntitle: X\nminutes: 0\n---\nText\n", "second.md": goodLesson}, []string{"minutes must be"}},
		{"ErrEmptyLesson", map[string]string{"course.yaml": goodYAML, "first.md": "---\ntitle: X\nminutes: 3\n---\n\n", "second.md": goodLesson}, []string{"no text"}},
		{"ErrNULInLesson", map[string]string{"course.yaml": goodYAML, "first.md": goodLesson + "a \x00 here\n", "second.md": goodLesson}, []string{"first.md:8: a NUL character"}},
		{"ErrSelfPrerequisite", map[string]string{"course.yaml": strings.Replace(goodYAML, "prerequisites: []", "prerequisites: [demo]", 1), "first.md": goodLesson, "second.md": goodLesson}, []string{"own prerequisite"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys["demo/"+name] = &fstest.MapFile{Data: []byte(body)}
			}
			src, err := ParseCourse(fsys, "demo")
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected problems: %v", err)
				}
				if src.Slug != "demo" || len(src.Lessons()) != 2 || src.Lessons()[0].Title != "First" {
					t.Fatalf("parsed wrongly: %+v", src)
				}
				return
			}
			if err == nil {
				t.Fatal("no problems reported")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems %q lack %q", err.Error(), w)
				}
			}
		})
	}
}

func TestCourseFilesRoundTrip(t *testing.T) {
	fsys := fstest.MapFS{"demo/course.yaml": {Data: []byte(goodYAML)}, "demo/first.md": {Data: []byte(goodLesson)}, "demo/second.md": {Data: []byte(goodLesson)}}
	src, err := ParseCourse(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	y, _ := src.CourseYAML()
	out := fstest.MapFS{"demo/course.yaml": {Data: y}}
	for _, l := range src.Lessons() {
		out["demo/"+l.Slug+".md"] = &fstest.MapFile{Data: LessonFile(l)}
	}
	again, err := ParseCourse(out, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if sourceHash(again) != sourceHash(src) {
		t.Fatal("export then import changed the course")
	}
}

// TestFinding18EmptyFrontMatter: a lesson whose front matter is empty or
// unclosed gets problems with lines inside the file, never a panic.
func TestFinding18EmptyFrontMatter(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want []string // substrings of the problems
	}{
		{"EmptyFrontMatterNoNewline", "---\n---", []string{"title is required", "no text"}},
		{"EmptyFrontMatter", "---\n---\n", []string{"title is required", "no text"}},
		{"EmptyFrontMatterCRLF", "---\r\n---\r\n", []string{"title is required", "no text"}},
		{"EmptyFrontMatterWithBody", "---\n---\n## Text\n", []string{"title is required"}},
		{"BlankFrontMatter", "---\n\n---\nText\n", []string{"title is required"}},
		{"ClosedAtEnd", "---\ntitle: X\nminutes: 3\n---", []string{"no text"}},
		{"OnlyOpening", "---\n", []string{"not closed"}},
		{"OpeningTwiceNoClose", "---\n--\n", []string{"not closed"}},
		{"DashesOnly", "---", []string{"must start with front matter"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := ParseLesson("first", []byte(tc.data))
			if len(ps) == 0 {
				t.Fatal("no problems reported")
			}
			lines := strings.Count(strings.ReplaceAll(tc.data, "\r\n", "\n"), "\n") + 1
			all := Problems(ps).Error()
			for _, p := range ps {
				if p.File != "first.md" || p.Line < 0 || p.Line > lines {
					t.Errorf("problem %v: want file first.md and a line within its %d lines", p, lines)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems %q lack %q", all, w)
				}
			}
		})
	}
}
