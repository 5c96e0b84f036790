package courses

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed builtin
var builtinFS embed.FS

// Builtin reads and validates every built-in course shipped in the binary,
// in a stable order (prerequisites first when they are built-in too).
// A broken built-in course is an error naming every problem.
func Builtin() ([]*Source, error) {
	return parseFolders(builtinFS, "builtin")
}

func parseFolders(fsys fs.FS, dir string) ([]*Source, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []*Source
	var all Problems
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src, err := ParseCourse(fsys, path.Join(dir, e.Name()))
		if err != nil {
			for _, p := range err.(Problems) {
				p.File = e.Name() + "/" + p.File
				all = append(all, p)
			}
			continue
		}
		out = append(out, src)
	}
	var slugs []string
	for _, s := range out {
		slugs = append(slugs, s.Slug)
	}
	for _, s := range out {
		for _, p := range checkPrerequisites(s, slugs) {
			p.File = s.Slug + "/" + p.File
			all = append(all, p)
		}
	}
	if len(all) > 0 {
		return nil, fmt.Errorf("built-in courses: %w", all)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Prerequisites) < len(out[j].Prerequisites) })
	return out, nil
}
