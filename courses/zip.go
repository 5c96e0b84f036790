package courses

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// A course travels as a .zip holding one folder named after the course:
// <slug>/course.yaml and <slug>/<lesson>.md, exactly the file format.

// Limits on an imported .zip.
const (
	MaxZipBytes   = 5 << 20        // the upload itself
	maxZipEntries = 500            // files and folders
	maxZipEntry   = maxLessonBytes // one file, uncompressed
	maxZipTotal   = 50 << 20       // every file together, uncompressed
)

// ExportZip writes version versionID as a .zip in the course file format
// (<slug>/course.yaml and <slug>/<lesson>.md). NotFound when there is no
// such version.
func (s *Store) ExportZip(ctx context.Context, versionID int64, w io.Writer) error {
	o, err := s.Outline(ctx, versionID)
	if err != nil {
		return err
	}
	src := outlineSource(o)
	modified := o.Version.CreatedAt
	if o.Version.PublishedAt != nil {
		modified = *o.Version.PublishedAt
	}
	return writeCourseZip(w, src, modified)
}

// writeCourseZip writes src as a .zip in the course file format, every file
// dated modified.
func writeCourseZip(w io.Writer, src *Source, modified time.Time) error {
	zw := zip.NewWriter(w)
	add := func(name string, data []byte) error {
		h := &zip.FileHeader{Name: src.Slug + "/" + name, Method: zip.Deflate, Modified: modified.UTC()}
		h.SetMode(0o644)
		f, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	y, err := src.CourseYAML()
	if err != nil {
		return err
	}
	if err := add("course.yaml", y); err != nil {
		return err
	}
	for _, l := range src.Lessons() {
		if err := add(l.Slug+".md", LessonFile(l)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ImportZip reads a course .zip and stores it as a draft: a new course, or
// the new draft of an existing course that is not built in (replacing its
// draft, if any). Every problem with the upload is returned as Problems and
// then nothing is written; err is for failures of the database only.
func (s *Store) ImportZip(ctx context.Context, data []byte, by *int64) (*Course, Problems, error) {
	src, root, ps, err := parseCourseZip(data)
	if err != nil || len(ps) > 0 {
		return nil, ps, err
	}
	var c *Course
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		known, err := courseSlugs(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range checkPrerequisites(src, known) {
			p.File = root + "/" + p.File
			ps = append(ps, p)
		}
		existing, err := lockCourse(ctx, tx, src.Slug)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		if existing != nil && existing.Builtin {
			ps = append(ps, Problem{File: root + "/course.yaml", Message: fmt.Sprintf(
				"%q is a built-in course, which is not replaced by an import: copy the built-in course instead, or give this course another slug", src.Slug)})
		}
		if len(ps) > 0 {
			return nil // nothing written
		}
		now := s.Now()
		if existing == nil {
			if c, err = insertCourse(ctx, tx, src.Slug, "", now); err != nil {
				return err
			}
			_, err = setDraft(ctx, tx, c, max(src.Version, 1), src, by, now)
			return err
		}
		c = existing
		if c.DraftVersionID != nil {
			old := *c.DraftVersionID
			c.DraftVersionID = nil
			if _, err := tx.NewUpdate().Model(c).Column("draft_version_id").WherePK().Exec(ctx); err != nil {
				return err
			}
			if err := deleteVersion(ctx, tx, old); err != nil {
				return err
			}
		}
		n, err := maxVersion(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		src.Version = max(src.Version, n+1)
		_, err = setDraft(ctx, tx, c, src.Version, src, by, now)
		return err
	})
	s.ForgetCourses()
	if err != nil {
		return nil, nil, err
	}
	if len(ps) > 0 {
		return nil, ps, nil
	}
	return c, nil, nil
}

// parseCourseZip reads a course .zip and checks it as a course: the course
// and its top folder, or every problem with the upload (then src is nil;
// files are named root/name). err is for failures that are not the file's.
func parseCourseZip(data []byte) (src *Source, root string, ps Problems, err error) {
	fsys, root, ps := readCourseZip(data)
	if root == "" {
		return nil, "", ps, nil
	}
	src, err = ParseCourse(fsys, root)
	if err != nil {
		var parse Problems
		if !errors.As(err, &parse) {
			return nil, "", nil, err
		}
		reported := map[string]bool{}
		for _, p := range ps {
			reported[p.File] = true
		}
		for _, p := range parse {
			p.File = root + "/" + p.File
			if !reported[p.File] { // already refused above (too large, say): not "missing" as well
				ps = append(ps, p)
			}
		}
	}
	if len(ps) > 0 {
		return nil, root, ps, nil
	}
	return src, root, nil, nil
}

var drivePrefix = regexp.MustCompile(`^[A-Za-z]:`)

// readCourseZip checks the layout of a course .zip and reads its files. It
// returns the files, the one top folder (root; "" when the zip cannot be
// read as a course at all) and every problem found. Files with a problem
// are left out of fsys.
func readCourseZip(data []byte) (memFS, string, Problems) {
	var ps Problems
	add := func(file, format string, args ...any) {
		ps = append(ps, Problem{File: file, Message: fmt.Sprintf(format, args...)})
	}
	const upload = "(upload)"
	if len(data) > MaxZipBytes {
		add(upload, "the file is %.1f MB; the limit is %d MB", float64(len(data))/(1<<20), MaxZipBytes>>20)
		return nil, "", ps
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are refused one by one below
		add(upload, "not a .zip file (or a damaged one): export the course again")
		return nil, "", ps
	}
	if len(zr.File) > maxZipEntries {
		add(upload, "%d entries: a course .zip may hold up to %d", len(zr.File), maxZipEntries)
		return nil, "", ps
	}
	if len(zr.File) == 0 {
		add(upload, "the .zip is empty: it should hold one folder with course.yaml and the lessons")
		return nil, "", ps
	}
	fsys := memFS{}
	tops := map[string]bool{}
	seen := map[string]bool{}
	var total int64
	for _, f := range zr.File {
		name := f.Name
		shown := displayName(name)
		if seen[name] {
			add(shown, "appears twice in the .zip")
			continue
		}
		seen[name] = true
		// The name itself: relative, forward slashes, no way out of the folder.
		switch {
		case name == "":
			add(shown, "an entry has no name")
			continue
		case strings.Contains(name, `\`):
			add(shown, `backslash in the name: names use forward slashes (/) only`)
			continue
		case strings.HasPrefix(name, "/") || drivePrefix.MatchString(name):
			add(shown, "absolute path: every file must be inside the course folder")
			continue
		case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
			add(shown, "the name is not plain UTF-8 text")
			continue
		}
		isDir := strings.HasSuffix(name, "/")
		parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
		if slices.Contains(parts, "..") {
			add(shown, "path traversal (..): every file must be inside the course folder")
			continue
		}
		if slices.Contains(parts, ".") || slices.Contains(parts, "") {
			add(shown, "empty or . folder in the name")
			continue
		}
		// Archive clutter from macOS Finder is not part of the course.
		if parts[0] == "__MACOSX" || parts[len(parts)-1] == ".DS_Store" {
			continue
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			add(shown, "a symbolic link: a course holds plain files only")
			continue
		case isDir != mode.IsDir():
			add(shown, "a folder entry that is not a folder (or the reverse)")
			continue
		case !isDir && !mode.IsRegular():
			add(shown, "not a plain file")
			continue
		}
		tops[parts[0]] = true
		if isDir {
			if len(parts) > 1 {
				add(shown, "unexpected folder: a course is one flat folder")
			}
			continue
		}
		if len(parts) == 1 {
			add(shown, "not inside a folder: the .zip holds one folder named after the course")
			continue
		}
		if len(parts) > 2 {
			add(shown, "inside a sub-folder: a course is one flat folder")
			continue
		}
		if f.UncompressedSize64 > maxZipEntry {
			add(shown, "%d KB uncompressed: a file may be up to %d KB", f.UncompressedSize64>>10, maxZipEntry>>10)
			continue
		}
		b, err := readEntry(f)
		switch {
		case errors.Is(err, errEntryTooLarge):
			add(shown, "larger than declared in the .zip (or over %d KB uncompressed): refused", maxZipEntry>>10)
			continue
		case err != nil:
			add(shown, "cannot be read (damaged .zip): export the course again")
			continue
		}
		if total += int64(len(b)); total > maxZipTotal {
			add(upload, "more than %d MB uncompressed in all: refused", maxZipTotal>>20)
			return nil, "", ps
		}
		fsys[name] = b
	}
	switch len(tops) {
	case 0:
		add(upload, "no course folder: the .zip holds one folder with course.yaml and the lessons")
		return nil, "", ps
	case 1:
	default:
		names := make([]string, 0, len(tops))
		for t := range tops {
			names = append(names, displayName(t))
		}
		sort.Strings(names)
		add(upload, "%d top folders (%s): a course .zip holds exactly one folder, named after the course", len(names), strings.Join(names, ", "))
		return nil, "", ps
	}
	var root string
	for t := range tops {
		root = t
	}
	return fsys, root, ps
}

var errEntryTooLarge = errors.New("zip entry larger than allowed")

// readEntry reads one file, never more than maxZipEntry bytes whatever its
// header claims (a zip bomb declares a small size).
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxZipEntry+1))
	if len(b) > maxZipEntry {
		return nil, errEntryTooLarge
	}
	if errors.Is(err, zip.ErrFormat) {
		return nil, errEntryTooLarge // archive/zip stops at the declared size: there is more
	}
	return b, err
}

// displayName shortens a name from an upload for showing in a problem list.
func displayName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 120 {
		s = string([]rune(s)[:120]) + "…"
	}
	if s == "" {
		return "(no name)"
	}
	return s
}
