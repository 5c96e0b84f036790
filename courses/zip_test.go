package courses_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// zipEntry is one file of a test zip; declare, when set, is the
// uncompressed size the header claims (a zip bomb lies).
type zipEntry struct {
	name    string
	data    string
	declare uint64
	symlink bool
}

func mkzip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.declare > 0 {
			var comp bytes.Buffer
			fw, _ := flate.NewWriter(&comp, flate.BestCompression)
			fw.Write([]byte(e.data))
			fw.Close()
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(e.data)),
				CompressedSize64: uint64(comp.Len()), UncompressedSize64: e.declare})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(comp.Bytes())
			continue
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.symlink {
			h.SetMode(0o777 | 1<<27) // fs.ModeSymlink
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	goodYAML = "slug: shop\ntitle: Shop floor\nversion: 1\nestimated_minutes: 4\nsummary: S\ntags: [listening]\nprerequisites: []\nmodules:\n  - title: One\n    lessons: [hello, goodbye]\n"
	hello    = "---\ntitle: Hello\nminutes: 2\n---\nSay hello.\n"
	goodbye  = "---\ntitle: Goodbye\nminutes: 2\n---\nSay goodbye.\n"
)

func goodZip() []zipEntry {
	return []zipEntry{{name: "shop/"}, {name: "shop/course.yaml", data: goodYAML}, {name: "shop/hello.md", data: hello}, {name: "shop/goodbye.md", data: goodbye}}
}

func countCourses(t *testing.T, db *bun.DB) int64 {
	t.Helper()
	n, err := db.NewSelect().Model((*courses.Version)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestZipRoundTrip: a published version exported and imported elsewhere is
// the same course; imported over a course of ours it becomes the new draft;
// over a built-in it is refused.
func TestZipRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		builtins, err := courses.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		if _, err := s.SyncBuiltins(ctx, builtins); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CopyCourse(ctx, "six-cs", "our-six-cs", "Our six Cs", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateDraftInfo(ctx, "our-six-cs", courses.DraftInfo{Title: "Our six Cs", Summary: "Ours: with a \"quote\" and\na second line.",
			EstimatedMinutes: 50, Tags: []string{"six-cs", "ours"}, Prerequisites: []string{"mission-vision-promise"}}); err != nil {
			t.Fatal(err)
		}
		v, err := s.Publish(ctx, "our-six-cs", nil)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := s.ExportZip(ctx, v.ID, &buf); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if !slices.Contains(names, "our-six-cs/course.yaml") || len(names) < 4 {
			t.Fatalf("zip holds %q", names)
		}
		want, err := s.SourceOf(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Into another academy (with the built-ins its prerequisite needs).
		db2 := storetest.MustOpen(t, dialectOf(db))
		s2 := courses.NewStore(db2, courses.NoAssessments, courses.Options{})
		if _, err := s2.SyncBuiltins(ctx, builtins); err != nil {
			t.Fatal(err)
		}
		c, ps, err := s2.ImportZip(ctx, buf.Bytes(), nil)
		if err != nil || len(ps) > 0 {
			t.Fatalf("import: %v %v", ps, err)
		}
		if c.Slug != "our-six-cs" || c.DraftVersionID == nil || c.PublishedVersionID != nil {
			t.Fatalf("imported course: %+v", c)
		}
		got, err := s2.SourceOf(ctx, *c.DraftVersionID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip changed the course:\n got %+v\nwant %+v", got, want)
		}

		// Over our own course: its new draft, numbered after the highest.
		if _, err := s.EditDraft(ctx, "our-six-cs", nil); err != nil {
			t.Fatal(err)
		}
		c, ps, err = s.ImportZip(ctx, buf.Bytes(), nil)
		if err != nil || len(ps) > 0 {
			t.Fatalf("re-import: %v %v", ps, err)
		}
		o := draftOutline(t, s, "our-six-cs")
		if o.Version.Version != 2 || *c.PublishedVersionID != v.ID {
			t.Fatalf("re-import draft version %d, published %v", o.Version.Version, c.PublishedVersionID)
		}
		if n, _ := db.NewSelect().Model((*courses.Version)(nil)).Where("status = ?", courses.Draft).Count(ctx); n != 1 {
			t.Fatalf("%d drafts, want the old one replaced", n)
		}

		// Over a built-in: refused.
		var b2 bytes.Buffer
		c6, _ := s.FindCourse(ctx, "six-cs")
		if err := s.ExportZip(ctx, *c6.PublishedVersionID, &b2); err != nil {
			t.Fatal(err)
		}
		before := countCourses(t, db)
		_, ps, err = s.ImportZip(ctx, b2.Bytes(), nil)
		if err != nil || len(ps) != 1 || !strings.Contains(ps[0].Message, "copy the built-in course instead") {
			t.Fatalf("import over a built-in: %v %v", ps, err)
		}
		if countCourses(t, db) != before {
			t.Fatal("a refused import wrote something")
		}
	})
}

func dialectOf(db *bun.DB) string {
	if store.IsPostgresDB(db) {
		return "postgres"
	}
	return "sqlite"
}

// TestZipImportRefused: every bad zip is refused with every problem listed
// and nothing written.
func TestZipImportRefused(t *testing.T) {
	replace := func(name string, e zipEntry) []zipEntry {
		out := []zipEntry{}
		for _, g := range goodZip() {
			if g.name == name {
				if e.name != "" {
					out = append(out, e)
				}
				continue
			}
			out = append(out, g)
		}
		return out
	}
	with := func(extra ...zipEntry) []zipEntry { return append(goodZip(), extra...) }
	big := strings.Repeat("All work and no play. ", 20_000) // ~440 KB
	many := goodZip()
	for i := range 500 {
		many = append(many, zipEntry{name: "shop/x" + strconv.Itoa(i) + ".md", data: "x"})
	}
	type want struct{ file, msg string }
	type zipCase struct {
		name string
		data []byte
		want []want
	}
	var cases []zipCase
	for _, tc := range []zipCase{
		{"ErrPathTraversal", mkzip(t, with(zipEntry{name: "../evil/course.yaml", data: goodYAML})...), []want{{"../evil/course.yaml", "path traversal"}}},
		{"ErrTraversalInside", mkzip(t, with(zipEntry{name: "shop/../../etc/passwd", data: "x"})...), []want{{"shop/../../etc/passwd", "path traversal"}}},
		{"ErrAbsolutePath", mkzip(t, with(zipEntry{name: "/abs.md", data: hello})...), []want{{"/abs.md", "absolute path"}}},
		{"ErrDrivePath", mkzip(t, with(zipEntry{name: "C:/abs.md", data: hello})...), []want{{"C:/abs.md", "absolute path"}}},
		{"ErrBackslash", mkzip(t, with(zipEntry{name: `a\b.md`, data: hello})...), []want{{`a\b.md`, "backslash"}}},
		{"ErrTwoTopFolders", mkzip(t, with(zipEntry{name: "other/course.yaml", data: goodYAML})...), []want{{"(upload)", "2 top folders (other, shop)"}}},
		{"ErrNoFolder", mkzip(t, zipEntry{name: "course.yaml", data: goodYAML}), []want{{"course.yaml", "not inside a folder"}}},
		{"ErrSubFolder", mkzip(t, with(zipEntry{name: "shop/img/x.md", data: "x"})...), []want{{"shop/img/x.md", "sub-folder"}}},
		{"ErrSymlink", mkzip(t, with(zipEntry{name: "shop/link.md", data: "/etc/passwd", symlink: true})...), []want{{"shop/link.md", "symbolic link"}}},
		{"ErrMissingLesson", mkzip(t, replace("shop/goodbye.md", zipEntry{})...), []want{{"shop/goodbye.md", "missing"}}},
		{"ErrMissingCourseYAML", mkzip(t, replace("shop/course.yaml", zipEntry{})...), []want{{"shop/course.yaml", "missing"}}},
		{"ErrExtraFile", mkzip(t, with(zipEntry{name: "shop/notes.md", data: hello}, zipEntry{name: "shop/logo.png", data: "png"})...),
			[]want{{"shop/notes.md", "not listed"}, {"shop/logo.png", "unexpected file"}}},
		{"ErrBadYAML", mkzip(t, replace("shop/course.yaml", zipEntry{name: "shop/course.yaml", data: "slug: shop\ntitle: [unclosed\n"})...), []want{{"shop/course.yaml", "not valid YAML"}}},
		{"ErrDuplicateLessonSlug", mkzip(t, replace("shop/course.yaml", zipEntry{name: "shop/course.yaml", data: strings.Replace(goodYAML, "[hello, goodbye]", "[hello, goodbye, hello]", 1)})...),
			[]want{{"shop/course.yaml", `lesson "hello" is listed twice`}}},
		{"ErrSlugNotFolder", mkzip(t, replace("shop/course.yaml", zipEntry{name: "shop/course.yaml", data: strings.Replace(goodYAML, "slug: shop", "slug: store", 1)})...),
			[]want{{"shop/course.yaml", "differs from its folder"}}},
		{"ErrEveryLessonProblem", mkzip(t, zipEntry{name: "shop/course.yaml", data: goodYAML}, zipEntry{name: "shop/hello.md", data: "no front matter"},
			zipEntry{name: "shop/goodbye.md", data: "---\ntitle: Goodbye\nminutes: 0\n---\n"}),
			[]want{{"shop/hello.md", "front matter"}, {"shop/goodbye.md", "minutes"}, {"shop/goodbye.md", "no text"}}},
		{"ErrNULInLesson", mkzip(t, replace("shop/hello.md", zipEntry{name: "shop/hello.md", data: hello + "a NUL \x00 here\n"})...), []want{{"shop/hello.md", "NUL"}}},
		{"ErrVersionOutOfRange", mkzip(t, replace("shop/course.yaml", zipEntry{name: "shop/course.yaml", data: strings.Replace(goodYAML, "version: 1", "version: 99999999999", 1)})...),
			[]want{{"shop/course.yaml", "version must be"}}},
		{"ErrLongModuleTitle", mkzip(t, replace("shop/course.yaml", zipEntry{name: "shop/course.yaml", data: strings.Replace(goodYAML, "title: One", "title: "+strings.Repeat("long ", 50), 1)})...),
			[]want{{"shop/course.yaml", "module 1: its title is longer than 200 characters"}}},
		{"ErrUnknownPrerequisite", mkzip(t, replace("shop/course.yaml", zipEntry{name: "shop/course.yaml", data: strings.Replace(goodYAML, "prerequisites: []", "prerequisites: [nowhere]", 1)})...),
			[]want{{"shop/course.yaml", `prerequisite "nowhere" is not a course here`}}},
		{"ErrLargeEntry", mkzip(t, replace("shop/hello.md", zipEntry{name: "shop/hello.md", data: "---\ntitle: Hello\nminutes: 2\n---\n" + big})...), []want{{"shop/hello.md", "uncompressed: a file may be up to 200 KB"}}},
		{"ErrZipBomb", mkzip(t, replace("shop/hello.md", zipEntry{name: "shop/hello.md", data: "---\ntitle: Hello\nminutes: 2\n---\n" + big, declare: 100})...), []want{{"shop/hello.md", "larger than declared"}}},
		{"ErrOversize", bytes.Repeat([]byte("x"), courses.MaxZipBytes+1), []want{{"(upload)", "the limit is 5 MB"}}},
		{"ErrNotAZip", []byte("PK this is not really a zip"), []want{{"(upload)", "not a .zip"}}},
		{"ErrTooManyEntries", mkzip(t, many...), []want{{"(upload)", "entries: a course .zip may hold up to 500"}}},
		{"ErrEmpty", mkzip(t), []want{{"(upload)", "empty"}}},
	} {
		cases = append(cases, tc)
	}
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c, ps, err := s.ImportZip(context.Background(), tc.data, nil)
				if err != nil || c != nil {
					t.Fatalf("course %+v, err %v; want problems only", c, err)
				}
				for _, w := range tc.want {
					if !slices.ContainsFunc(ps, func(p courses.Problem) bool { return p.File == w.file && strings.Contains(p.Message, w.msg) }) {
						t.Errorf("no problem %s: %s in\n%v", w.file, w.msg, strings.ReplaceAll(ps.Error(), "; ", "\n"))
					}
				}
				if n := countCourses(t, db); n != 0 {
					t.Fatalf("%d versions written by a refused import", n)
				}
			})
		}
		// And the good zip itself imports.
		c, ps, err := s.ImportZip(context.Background(), mkzip(t, with(zipEntry{name: "__MACOSX/._hello.md", data: "junk"}, zipEntry{name: "shop/.DS_Store", data: "junk"})...), nil)
		if err != nil || len(ps) > 0 || c.Slug != "shop" {
			t.Fatalf("good zip: %+v %v %v", c, ps, err)
		}
	})
}
