// Package courses holds courses (modules, lessons, versions), the built-in
// curriculum, the course file format, the company's mission, vision and
// service promises, and learners' progress; and what hangs off a completed
// course: programmes, their assignments, audience rules and cycles,
// certificates, readiness and the training matrix. Each is types, the
// Store's reads and writes, and pure rules that take the clock as an
// argument (DecideCompletion, CycleStatus, SettleCycle, RecertOpens,
// EffectiveStatus, ProgrammeReadiness, DecideReadiness, DecideCell): the
// store decides with them, and the demo's simulated history calls the same
// functions.
//
// What the courses need from the quizzes and role-plays — whether the
// assessments a course requires are passed, a certificate's score, the
// role-plays failed on a critical item — they ask through the Assessments
// interface given to NewStore (the training package implements it;
// NoAssessments says there are none). courses never imports assessments.
// The writes of a workflow that spans the domains take the caller's
// transaction (UpdateCompletion, CompleteLesson, AcknowledgePromises,
// EvaluateRulesIn): the training package opens it.
package courses

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// A course on disk (or in a zip) is a folder:
//
//	course.yaml       slug, title, version, estimated_minutes, summary, tags,
//	                  prerequisites, modules: [{title, lessons: [lesson-slug]}]
//	<lesson-slug>.md  front matter (title, minutes) between --- lines, then Markdown

// Source is a course as its files describe it.
type Source struct {
	Slug             string         `yaml:"slug" json:"slug"`
	Title            string         `yaml:"title" json:"title"`
	Version          int            `yaml:"version" json:"version"`
	EstimatedMinutes int            `yaml:"estimated_minutes" json:"estimated_minutes"`
	Summary          string         `yaml:"summary" json:"summary"`
	Tags             []string       `yaml:"tags" json:"tags"`
	Prerequisites    []string       `yaml:"prerequisites" json:"prerequisites"`
	Assessments      []string       `yaml:"assessments,omitempty" json:"assessments,omitempty"` // quiz / checklist slugs required to complete (assessments issue)
	Modules          []SourceModule `yaml:"modules" json:"modules"`
}

// SourceModule is a titled, ordered group of lessons.
type SourceModule struct {
	Title   string         `yaml:"title" json:"title"`
	Lessons []string       `yaml:"lessons" json:"-"`
	Bodies  []SourceLesson `yaml:"-" json:"lessons"`
}

// SourceLesson is one lesson file.
type SourceLesson struct {
	Slug    string `yaml:"-" json:"slug"`
	Title   string `yaml:"title" json:"title"`
	Minutes int    `yaml:"minutes" json:"minutes"`
	Body    string `yaml:"-" json:"-"` // Markdown
}

// Problem is one thing wrong with a course's files.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// Problems is every problem found in a course; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	tagRE  = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// Limits on what a course may hold.
const (
	maxLessonBytes   = 200 << 10
	maxLessons       = 200
	maxTitle         = 200
	maxCourseVersion = 1_000_000 // far below the INTEGER column's limit, which publishing counts up from
)

// ValidSlug reports whether s can name a course or lesson.
func ValidSlug(s string) bool { return len(s) <= 80 && slugRE.MatchString(s) }

// ParseCourse reads the course folder at root of fsys and validates it,
// returning every problem it finds (as Problems) or the course.
func ParseCourse(fsys fs.FS, root string) (*Source, error) {
	var ps Problems
	add := func(file string, line int, format string, args ...any) {
		ps = append(ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	yamlPath := path.Join(root, "course.yaml")
	raw, err := fs.ReadFile(fsys, yamlPath)
	if err != nil {
		add("course.yaml", 0, "missing: every course needs a course.yaml")
		return nil, ps
	}
	var src Source
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&src); err != nil {
		add("course.yaml", yamlLine(err), "not valid YAML: %s", yamlMessage(err))
		return nil, ps
	}
	switch {
	case !ValidSlug(src.Slug):
		add("course.yaml", 0, "slug %q: use lowercase letters, digits and single hyphens (up to 80)", src.Slug)
	case root != "." && path.Base(root) != src.Slug:
		add("course.yaml", 0, "slug %q differs from its folder %q", src.Slug, path.Base(root))
	}
	if t := strings.TrimSpace(src.Title); t == "" || utf8.RuneCountInString(t) > maxTitle {
		add("course.yaml", 0, "title is required (up to %d characters)", maxTitle)
	}
	if strings.ContainsRune(src.Title+src.Summary, 0) {
		add("course.yaml", 0, "a NUL character (\\0) in the title or summary: a course is plain text")
	}
	if src.Version < 1 || src.Version > maxCourseVersion {
		add("course.yaml", 0, "version must be between 1 and %d", maxCourseVersion)
	}
	if src.EstimatedMinutes < 0 || src.EstimatedMinutes > 100_000 {
		add("course.yaml", 0, "estimated_minutes must be between 0 and 100000")
	}
	for _, t := range src.Tags {
		if !tagRE.MatchString(t) {
			add("course.yaml", 0, "tag %q: use lowercase letters, digits and hyphens", t)
		}
	}
	for _, p := range src.Prerequisites {
		if !ValidSlug(p) {
			add("course.yaml", 0, "prerequisite %q is not a course slug", p)
		} else if p == src.Slug {
			add("course.yaml", 0, "a course cannot be its own prerequisite")
		}
	}
	if len(src.Modules) == 0 {
		add("course.yaml", 0, "modules: a course needs at least one module with lessons")
	}
	seen := map[string]bool{}
	total := 0
	for i := range src.Modules {
		m := &src.Modules[i]
		if strings.TrimSpace(m.Title) == "" {
			add("course.yaml", 0, "module %d has no title", i+1)
		} else if utf8.RuneCountInString(m.Title) > maxTitle {
			add("course.yaml", 0, "module %d: its title is longer than %d characters", i+1, maxTitle)
		} else if strings.ContainsRune(m.Title, 0) {
			add("course.yaml", 0, "module %d: a NUL character (\\0) in its title", i+1)
		}
		if len(m.Lessons) == 0 {
			add("course.yaml", 0, "module %q has no lessons", m.Title)
		}
		for _, slug := range m.Lessons {
			total++
			if !ValidSlug(slug) {
				add("course.yaml", 0, "lesson %q: use lowercase letters, digits and single hyphens", slug)
				continue
			}
			if seen[slug] {
				add("course.yaml", 0, "lesson %q is listed twice", slug)
				continue
			}
			seen[slug] = true
			file := path.Join(root, slug+".md")
			body, err := fs.ReadFile(fsys, file)
			if err != nil {
				add(slug+".md", 0, "missing: module %q lists it", m.Title)
				continue
			}
			l, lp := ParseLesson(slug, body)
			ps = append(ps, lp...)
			m.Bodies = append(m.Bodies, l)
		}
	}
	if total > maxLessons {
		add("course.yaml", 0, "%d lessons: the limit is %d", total, maxLessons)
	}
	// Every Markdown file must be a listed lesson: a stray file is a mistake.
	entries, _ := fs.ReadDir(fsys, root)
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			add(name, 0, "unexpected folder: a course is one flat folder")
		case name == "course.yaml":
		case strings.HasSuffix(name, ".md"):
			if !seen[strings.TrimSuffix(name, ".md")] {
				add(name, 0, "not listed in any module of course.yaml")
			}
		default:
			add(name, 0, "unexpected file: a course holds course.yaml and .md lessons")
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	src.Title = strings.TrimSpace(src.Title)
	src.Summary = strings.TrimSpace(src.Summary)
	if src.Tags == nil {
		src.Tags = []string{}
	}
	if src.Prerequisites == nil {
		src.Prerequisites = []string{}
	}
	return &src, nil
}

// ParseLesson reads a lesson file: front matter between --- lines, then Markdown.
func ParseLesson(slug string, data []byte) (SourceLesson, []Problem) {
	file := slug + ".md"
	var ps []Problem
	add := func(line int, format string, args ...any) {
		ps = append(ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	l := SourceLesson{Slug: slug}
	if len(data) > maxLessonBytes {
		add(0, "%d KB: a lesson may be up to %d KB", len(data)>>10, maxLessonBytes>>10)
		return l, ps
	}
	if !utf8.Valid(data) {
		add(0, "not UTF-8 text")
		return l, ps
	}
	if at := bytes.IndexByte(data, 0); at >= 0 { // no database stores a NUL in text
		add(1+bytes.Count(data[:at], []byte("\n")), "a NUL character: a lesson is plain text")
		return l, ps
	}
	text := strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		add(1, "must start with front matter: a line ---, then title: and minutes:, then ---")
		return l, ps
	}
	front, body, closing, ok := splitFrontMatter(text)
	if !ok {
		add(1, "front matter is not closed with a --- line")
		return l, ps
	}
	dec := yaml.NewDecoder(strings.NewReader(front))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil && !errors.Is(err, io.EOF) { // EOF: empty front matter
		add(1+yamlLine(err), "front matter: %s", yamlMessage(err))
		return l, ps
	}
	l.Slug = slug
	l.Title = strings.TrimSpace(l.Title)
	switch {
	case l.Title == "" || utf8.RuneCountInString(l.Title) > maxTitle:
		add(2, "title is required (up to %d characters)", maxTitle)
	case strings.ContainsRune(l.Title, 0):
		add(2, "a NUL character (\\0) in the title: a lesson is plain text")
	}
	if l.Minutes < 1 || l.Minutes > 600 {
		add(2, "minutes must be between 1 and 600")
	}
	l.Body = strings.TrimSpace(body) + "\n"
	if strings.TrimSpace(body) == "" {
		add(closing, "the lesson has no text")
	}
	return l, ps
}

// splitFrontMatter splits text (which starts with a line ---, line ends \n)
// at the next line ---: the front matter between them, the body after, and
// the line number of the closing ---. ok is false when no line closes it.
func splitFrontMatter(text string) (front, body string, closing int, ok bool) {
	rest := text[len("---\n"):]
	line := 2
	for off := 0; off < len(rest); line++ {
		end := strings.IndexByte(rest[off:], '\n')
		next := len(rest)
		if end >= 0 {
			end += off
			next = end + 1
		} else {
			end = len(rest)
		}
		if strings.TrimRight(rest[off:end], " \t") == "---" {
			return rest[:off], rest[next:], line, true
		}
		off = next
	}
	return "", "", 0, false
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	return 0
}

func yamlMessage(err error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "yaml: "), "unmarshal errors:\n  ")
}

// Lessons returns every lesson in order.
func (s *Source) Lessons() []SourceLesson {
	var out []SourceLesson
	for _, m := range s.Modules {
		out = append(out, m.Bodies...)
	}
	return out
}

// CourseYAML writes the course.yaml of s (for export).
func (s *Source) CourseYAML() ([]byte, error) {
	type mod struct {
		Title   string   `yaml:"title"`
		Lessons []string `yaml:"lessons"`
	}
	out := struct {
		Slug             string   `yaml:"slug"`
		Title            string   `yaml:"title"`
		Version          int      `yaml:"version"`
		EstimatedMinutes int      `yaml:"estimated_minutes"`
		Summary          string   `yaml:"summary"`
		Tags             []string `yaml:"tags"`
		Prerequisites    []string `yaml:"prerequisites"`
		Assessments      []string `yaml:"assessments,omitempty"`
		Modules          []mod    `yaml:"modules"`
	}{s.Slug, s.Title, s.Version, s.EstimatedMinutes, s.Summary, s.Tags, s.Prerequisites, s.Assessments, nil}
	for _, m := range s.Modules {
		var slugs []string
		for _, l := range m.Bodies {
			slugs = append(slugs, l.Slug)
		}
		out.Modules = append(out.Modules, mod{m.Title, slugs})
	}
	return yaml.Marshal(out)
}

// LessonFile writes one lesson file (front matter and Markdown).
func LessonFile(l SourceLesson) []byte {
	front, _ := yaml.Marshal(struct {
		Title   string `yaml:"title"`
		Minutes int    `yaml:"minutes"`
	}{l.Title, l.Minutes})
	return []byte("---\n" + string(front) + "---\n" + l.Body)
}

// checkPrerequisites reports prerequisites that name no known course.
func checkPrerequisites(src *Source, known []string) Problems {
	var ps Problems
	for _, p := range src.Prerequisites {
		if !slices.Contains(known, p) {
			ps = append(ps, Problem{File: "course.yaml", Message: fmt.Sprintf("prerequisite %q is not a course here", p)})
		}
	}
	return ps
}
