package courses

import "sort"

// sortProgress puts courses in progress first, then not started, then
// completed; by title within each group.
func sortProgress(list []*CourseProgress) {
	rank := func(p *CourseProgress) int {
		switch {
		case p.Completed():
			return 2
		case p.Started():
			return 0
		}
		return 1
	}
	sort.SliceStable(list, func(i, j int) bool {
		ri, rj := rank(list[i]), rank(list[j])
		if ri != rj {
			return ri < rj
		}
		return list[i].Outline.Version.Title < list[j].Outline.Version.Title
	})
}
