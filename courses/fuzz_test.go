package courses

import (
	"archive/zip"
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/store"
)

// The fuzz targets of the course file format. make test runs each for a few
// seconds and make fuzz for longer; inputs that once failed are kept under
// testdata/fuzz/<target> and run with every go test.

// archiveFile is one file of a test archive.
type archiveFile struct {
	name string
	data []byte
}

// splitArchive reads files written as in golang.org/x/tools/txtar: each
// starts with a line "-- name --" and holds the lines up to the next one.
// Text before the first marker is ignored.
func splitArchive(b []byte) []archiveFile {
	var files []archiveFile
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		if name, ok := archiveMarker(line); ok {
			files = append(files, archiveFile{name: name})
		} else if len(files) > 0 {
			f := &files[len(files)-1]
			f.data = append(append(f.data, line...), '\n')
			if len(rest) == 0 && !bytes.HasSuffix(b, []byte("\n")) {
				f.data = f.data[:len(f.data)-1] // the last line had no new line
			}
		}
		b = rest
	}
	return files
}

func archiveMarker(line []byte) (string, bool) {
	s := string(line)
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 6 {
		return "", false
	}
	return s[3 : len(s)-3], true
}

// joinArchive writes files in the form splitArchive reads.
func joinArchive(files []archiveFile) []byte {
	var b bytes.Buffer
	for _, f := range files {
		b.WriteString("-- " + f.name + " --\n")
		b.Write(f.data)
		if len(f.data) > 0 && !bytes.HasSuffix(f.data, []byte("\n")) {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// builtinArchives returns every built-in course as an archive of
// <slug>/<file> entries.
func builtinArchives(tb testing.TB) [][]byte {
	tb.Helper()
	dirs, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, d := range dirs {
		entries, err := fs.ReadDir(builtinFS, "builtin/"+d.Name())
		if err != nil {
			tb.Fatal(err)
		}
		var files []archiveFile
		for _, e := range entries {
			b, err := fs.ReadFile(builtinFS, "builtin/"+d.Name()+"/"+e.Name())
			if err != nil {
				tb.Fatal(err)
			}
			files = append(files, archiveFile{d.Name() + "/" + e.Name(), b})
		}
		out = append(out, joinArchive(files))
	}
	return out
}

// builtinFiles returns the built-in course files whose names end with suffix.
func builtinFiles(tb testing.TB, suffix string) [][]byte {
	tb.Helper()
	var out [][]byte
	err := fs.WalkDir(builtinFS, "builtin", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			b, err := fs.ReadFile(builtinFS, p)
			out = append(out, b)
			return err
		}
		return err
	})
	if err != nil || len(out) == 0 {
		tb.Fatalf("built-in %s files: %d, %v", suffix, len(out), err)
	}
	return out
}

// lineCount is the number of lines of a file as an editor (and YAML) shows
// them: \r\n, \n and a lone \r each end a line.
func lineCount(b []byte) int {
	return bytes.Count(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n")) + bytes.Count(b, []byte("\r")) - bytes.Count(b, []byte("\r\n")) + 1
}

// checkProblems fails unless every problem names a file, says something and
// has a line inside its file (lines maps a file name to its line count; a
// file not in it may only have line 0).
func checkProblems(t *testing.T, ps Problems, lines map[string]int) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatal("an error without problems")
	}
	for _, p := range ps {
		if p.File == "" || strings.TrimSpace(p.Message) == "" || p.Line < 0 || p.Line > lines[p.File] {
			t.Fatalf("problem %q (line %d): want a file, a message and a line within the file (%d lines)", p, p.Line, lines[p.File])
		}
	}
}

// checkAccepted fails unless src keeps the format's rules and limits.
func checkAccepted(t *testing.T, src *Source) {
	t.Helper()
	texts := slices.Concat([]string{src.Slug, src.Title, src.Summary}, src.Tags, src.Prerequisites, src.Assessments)
	for _, m := range src.Modules {
		texts = append(texts, m.Title)
	}
	if slices.ContainsFunc(texts, func(s string) bool { return strings.ContainsRune(s, 0) }) {
		t.Fatalf("accepted a course with a NUL, which no database stores: %q", texts)
	}
	if !ValidSlug(src.Slug) || src.Title == "" || src.Title != strings.TrimSpace(src.Title) || utf8.RuneCountInString(src.Title) > maxTitle ||
		src.Version < 1 || src.Version > math.MaxInt32 || src.EstimatedMinutes > math.MaxInt32 || // INTEGER columns
		len(src.Modules) == 0 || src.Tags == nil || src.Prerequisites == nil {
		t.Fatalf("accepted a course that breaks the rules: %+v", src)
	}
	seen := map[string]bool{}
	for _, m := range src.Modules {
		if strings.TrimSpace(m.Title) == "" || utf8.RuneCountInString(m.Title) > maxTitle || len(m.Lessons) == 0 || len(m.Bodies) != len(m.Lessons) {
			t.Fatalf("accepted module %+v", m)
		}
		for i, l := range m.Bodies {
			if l.Slug != m.Lessons[i] || seen[l.Slug] || !ValidSlug(l.Slug) {
				t.Fatalf("accepted lesson %q in module %q (listed %v)", l.Slug, m.Title, m.Lessons)
			}
			seen[l.Slug] = true
			checkLesson(t, l)
		}
	}
	if len(seen) > maxLessons {
		t.Fatalf("accepted %d lessons; the limit is %d", len(seen), maxLessons)
	}
}

func checkLesson(t *testing.T, l SourceLesson) {
	t.Helper()
	if strings.ContainsRune(l.Title+l.Body, 0) {
		t.Fatalf("accepted a lesson with a NUL, which no database stores: %q", l.Title+l.Body)
	}
	if l.Title == "" || l.Title != strings.TrimSpace(l.Title) || utf8.RuneCountInString(l.Title) > maxTitle ||
		l.Minutes < 1 || l.Minutes > 600 || strings.TrimSpace(l.Body) == "" || len(l.Body) > maxLessonBytes+1 {
		t.Fatalf("accepted a lesson that breaks the rules: %+v", l)
	}
}

// sameSource reports whether a and b are the same course (an empty list of
// assessments is no list: course.yaml omits it).
func sameSource(a, b *Source) bool {
	norm := func(s Source) Source {
		if len(s.Assessments) == 0 {
			s.Assessments = nil
		}
		return s
	}
	return reflect.DeepEqual(norm(*a), norm(*b))
}

// FuzzParseLesson: a lesson file either parses into a lesson within the
// limits that LessonFile writes back to the same lesson, or gives problems
// naming the file at lines inside it.
func FuzzParseLesson(f *testing.F) {
	for _, b := range builtinFiles(f, ".md") {
		f.Add(b)
	}
	for _, s := range []string{goodLesson, "---\n---", "---\n---\n", "---\r\ntitle: X\r\nminutes: 3\r\n---\r\nText\r\n",
		"\ufeff---\ntitle: X\nminutes: 3\n---\nText\n", "---\ntitle: [\n---\nText\n", "---\ntitle: X\nminutes: 3\ncolour: red\n---\nText\n",
		"---\ntitle: |\n  two\n  lines\nminutes: 3\n---\nText\n---\nmore\n", "## No front matter\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, ps := ParseLesson("lesson", data)
		if len(ps) > 0 {
			checkProblems(t, ps, map[string]int{"lesson.md": lineCount(data)})
			return
		}
		if l.Slug != "lesson" {
			t.Fatalf("slug %q", l.Slug)
		}
		checkLesson(t, l)
		out := LessonFile(l)
		again, ps := ParseLesson("lesson", out)
		if len(ps) > 0 {
			t.Fatalf("the written lesson does not parse: %v\n%s", Problems(ps), out)
		}
		if !reflect.DeepEqual(again, l) {
			t.Fatalf("write then parse changed the lesson\n got %+v\nwant %+v\nfile:\n%s", again, l, out)
		}
	})
}

// FuzzParseCourse: a course.yaml (with a good file for every lesson it
// lists) either gives a course within the rules that CourseYAML writes back
// to the same course, or gives problems and no course.
func FuzzParseCourse(f *testing.F) {
	for _, b := range builtinFiles(f, "course.yaml") {
		f.Add(b)
	}
	for _, s := range []string{goodYAML, "", "slug: [oops\n", goodYAML + "colour: red\n", "slug: demo\n---\nslug: other\n",
		strings.Replace(goodYAML, "[first, second]", "[first, first]", 1), strings.Replace(goodYAML, "version: 1", "version: 99999999999999999999", 1),
		strings.Replace(goodYAML, "version: 1", "version: 99999999999", 1), strings.Replace(goodYAML, "title: One", "title: "+strings.Repeat("long ", 50), 1),
		"a: &a [*a, *a]\n", strings.Replace(goodYAML, "summary: A demo.", `summary: "A \0 NUL"`, 1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fsys := fstest.MapFS{"demo/course.yaml": {Data: raw}}
		var listed Source // the lessons it lists, to give each a file
		if yaml.Unmarshal(raw, &listed) == nil {
			for _, m := range listed.Modules {
				for _, slug := range m.Lessons {
					if ValidSlug(slug) {
						fsys["demo/"+slug+".md"] = &fstest.MapFile{Data: []byte(goodLesson)}
					}
				}
			}
		}
		src, err := ParseCourse(fsys, "demo")
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v is not Problems", err)
			}
			if src != nil {
				t.Fatalf("a course (%q) along with problems %v", src.Slug, err)
			}
			lines := map[string]int{"course.yaml": lineCount(raw)}
			for name := range fsys {
				if name != "demo/course.yaml" {
					lines[path.Base(name)] = lineCount([]byte(goodLesson))
				}
			}
			checkProblems(t, ps, lines)
			return
		}
		if src.Slug != "demo" {
			t.Fatalf("accepted slug %q in folder demo", src.Slug)
		}
		checkAccepted(t, src)
		y, err := src.CourseYAML()
		if err != nil {
			t.Fatal(err)
		}
		out := fstest.MapFS{"demo/course.yaml": {Data: y}}
		for _, l := range src.Lessons() {
			out["demo/"+l.Slug+".md"] = &fstest.MapFile{Data: LessonFile(l)}
		}
		again, err := ParseCourse(out, "demo")
		if err != nil {
			t.Fatalf("the written course does not parse: %v\ncourse.yaml:\n%s", err, y)
		}
		if !sameSource(again, src) {
			t.Fatalf("write then parse changed the course\n got %+v\nwant %+v\ncourse.yaml:\n%s", again, src, y)
		}
	})
}

// FuzzCourseZip builds a .zip from fuzzed entries (an archive of names and
// contents; a name ending in / is a folder), optionally damages one byte of
// it, and imports it: either a course within the rules whose export imports
// to the same course, or problems (and no course) each naming the upload, a
// file of the upload or a file of its course folder.
func FuzzCourseZip(f *testing.F) {
	for _, a := range builtinArchives(f) {
		f.Add(a, uint32(0), byte(0))
	}
	ok := joinArchive([]archiveFile{{"demo/course.yaml", []byte(goodYAML)}, {"demo/first.md", []byte(goodLesson)}, {"demo/second.md", []byte(goodLesson)}})
	f.Add(ok, uint32(0), byte(0))
	f.Add(ok, uint32(40), byte(0xff))
	for _, files := range [][]archiveFile{
		{{"demo/course.yaml", []byte(goodYAML)}, {"demo/first.md", []byte("---\n---")}, {"demo/second.md", []byte(goodLesson)}},
		{{"../evil/course.yaml", []byte("slug: [")}, {"shop/course.yaml", nil}, {"other/x.md", nil}},
		{{"demo/", nil}, {"demo/sub/", nil}, {"demo/sub/x.md", nil}, {"__MACOSX/demo/._x", nil}, {"demo/.DS_Store", nil}},
		{{"/abs/course.yaml", nil}, {`demo\course.yaml`, nil}, {"C:demo/x", nil}, {"demo/./x.md", nil}, {"demo//x.md", nil}},
		{{"course.yaml", []byte(goodYAML)}},
		{},
	} {
		f.Add(joinArchive(files), uint32(0), byte(0))
	}
	f.Fuzz(func(t *testing.T, archive []byte, at uint32, flip byte) {
		entries := splitArchive(archive)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, e := range entries {
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
			if strings.HasSuffix(e.name, "/") {
				h.SetMode(fs.ModeDir | 0o755)
			}
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Skipf("archive/zip will not write entry %q: %v", e.name, err)
			}
			if !strings.HasSuffix(e.name, "/") {
				w.Write(e.data)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		if flip != 0 && len(data) > 0 {
			data[int(at%uint32(len(data)))] ^= flip
		}
		src, root, ps, err := parseCourseZip(data)
		if err != nil {
			t.Fatalf("an error that is not a problem with the file: %v", err)
		}
		if len(ps) > 0 {
			if src != nil {
				t.Fatalf("a course along with problems %v", ps)
			}
			shown := map[string]bool{"(upload)": true}
			if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); zr != nil {
				for _, zf := range zr.File {
					shown[displayName(zf.Name)] = true
				}
			} else if err == nil {
				t.Fatal("zip.NewReader: no reader and no error")
			}
			for _, p := range ps {
				if !shown[p.File] && (root == "" || !strings.HasPrefix(p.File, root+"/")) || strings.TrimSpace(p.Message) == "" || p.Line < 0 {
					t.Fatalf("problem %q names no file of the upload", p)
				}
			}
			return
		}
		if src == nil || root != src.Slug {
			t.Fatalf("no problems, course %v in folder %q", src, root)
		}
		checkAccepted(t, src)
		var out bytes.Buffer
		if err := writeCourseZip(&out, src, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		again, root2, ps, err := parseCourseZip(out.Bytes())
		if err != nil || len(ps) > 0 {
			t.Fatalf("the exported course does not import: %v %v", err, ps)
		}
		if root2 != root || !sameSource(again, src) {
			t.Fatalf("export then import changed the course\n got %+v\nwant %+v", again, src)
		}
	})
}

// FuzzCheckLogo: an uploaded logo is either refused with a message on the
// logo field (a 422 on the company page) or is a PNG or JPEG within the
// limits that certificates can print too (certdoc.CheckLogo), so a logo the
// company page took never goes missing from a certificate.
func FuzzCheckLogo(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 24, 12))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	gray := image.NewGray(image.Rect(0, 0, 8, 8))
	pal := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.White, color.Black})
	cmyk := image.NewCMYK(image.Rect(0, 0, 8, 8))
	for _, m := range []image.Image{img, gray, pal} {
		var b bytes.Buffer
		if err := png.Encode(&b, m); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()/2])
	}
	for _, m := range []image.Image{img, gray, cmyk} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 50}); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()/2])
	}
	f.Add([]byte("GIF89a not really"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, err := CheckLogo(data)
		if err != nil {
			if store.KindOf(err) != store.Invalid || store.FieldOf(err) != "logo" || store.MessageOf(err) == "" {
				t.Fatalf("refused with %v: want an Invalid error with a message on field logo", err)
			}
			return
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		switch {
		case err != nil:
			t.Fatalf("accepted a logo whose header does not decode: %v", err)
		case "image/"+format != ct:
			t.Fatalf("accepted a %s logo as %s", format, ct)
		case cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide || len(data) > MaxLogoBytes:
			t.Fatalf("accepted a %d×%d logo of %d bytes", cfg.Width, cfg.Height, len(data))
		}
		if err := certdoc.CheckLogo(data); err != nil {
			t.Fatalf("the company page accepts the logo but certificates would leave it out: %v", err)
		}
	})
}
