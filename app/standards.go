package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

// The service-standard heatmap (/readiness/standards): one row per person,
// one column per service standard, each cell the person's latest result on
// it, with the team's average per standard and the weakest standards.

const standardsPageSize = 50

// standardsAverageLimit is the largest selection whose averages are taken
// over everyone; a larger one averages the page shown (and says so).
const standardsAverageLimit = 5000

// standardCell is one person's latest result on one standard.
type standardCell struct {
	Has     bool
	Percent int
	Source  string // quiz, role-play, course completed
	Detail  string // what and when, in words
	Band    string // strong, good, weak, gap: the colour's meaning
	at      time.Time
}

// band names the range a percentage falls in (the heatmap's colours).
func band(pct int) string {
	switch {
	case pct >= 90:
		return "strong"
	case pct >= 75:
		return "good"
	case pct >= 50:
		return "weak"
	}
	return "gap"
}

// standardInputs are the results standardCells combines.
type standardInputs struct {
	Quiz        map[int64]map[string]assessments.StandardScore
	RolePlays   []assessments.RolePlayResult
	Completions map[int64]map[string]time.Time
	CourseTags  map[string][]string // course slug → its standards
}

// standardCells decides each person's cell per standard: the newer of the
// latest quiz score on the standard's questions and the latest role-play on
// a checklist of a course teaching it; without either, 100 % "course
// completed" when a course teaching it was completed; else no result.
// Dates are written in loc.
func standardCells(in standardInputs, loc *time.Location) map[int64]map[string]standardCell {
	out := map[int64]map[string]standardCell{}
	cellOf := func(id int64) map[string]standardCell {
		if out[id] == nil {
			out[id] = map[string]standardCell{}
		}
		return out[id]
	}
	day := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") }
	for id, tags := range in.Quiz {
		cells := cellOf(id)
		for tag, sc := range tags {
			pct := int(math.Round(sc.Percent()))
			cells[tag] = standardCell{Has: true, Percent: pct, Source: "quiz", at: sc.At,
				Detail: fmt.Sprintf("Quiz “%s”, %s: %s of %s points", sc.Quiz, day(sc.At), trimFloat(sc.Points), trimFloat(sc.MaxPoints))}
		}
	}
	for _, rp := range in.RolePlays {
		cells := cellOf(rp.EmployeeID)
		result := "not passed"
		if rp.Passed {
			result = "passed"
		}
		for _, tag := range in.CourseTags[rp.CourseSlug] {
			if c, ok := cells[tag]; ok && !rp.At.After(c.at) {
				continue
			}
			pct := int(math.Round(rp.Percent))
			cells[tag] = standardCell{Has: true, Percent: pct, Source: "role-play", at: rp.At,
				Detail: fmt.Sprintf("Role-play “%s”, %s: %s", rp.Title, day(rp.At), result)}
		}
	}
	for id, done := range in.Completions {
		cells := cellOf(id)
		for slug, at := range done {
			for _, tag := range in.CourseTags[slug] {
				if c, ok := cells[tag]; ok && (c.Source != "course completed" || !at.After(c.at)) {
					continue
				}
				cells[tag] = standardCell{Has: true, Percent: 100, Source: "course completed", at: at,
					Detail: "Course completed " + day(at) + " (no quiz or role-play result on it)"}
			}
		}
	}
	for _, cells := range out {
		for tag, c := range cells {
			c.Band = band(c.Percent)
			cells[tag] = c
		}
	}
	return out
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// standardColumn is one standard with the team's average on it.
type standardColumn struct {
	Tag, Label string
	Average    int // of the people with a result
	Results    int // how many have one
	Band       string
}

// heatmapColumns orders the standards weakest first (the lowest average,
// then the one more people have a result on) and leaves out the standards
// nobody selected has a result on, returning them separately.
func heatmapColumns(cols []standardColumn) (weakest, empty []standardColumn) {
	for _, c := range cols {
		if c.Results == 0 {
			empty = append(empty, c)
		} else {
			weakest = append(weakest, c)
		}
	}
	slices.SortStableFunc(weakest, func(a, b standardColumn) int {
		return cmp.Or(cmp.Compare(a.Average, b.Average), cmp.Compare(b.Results, a.Results))
	})
	return weakest, empty
}

// standardLabel is a tag in words ("single-customer-view" → "single customer view").
func standardLabel(tag string) string { return strings.ReplaceAll(tag, "-", " ") }

// standardRow is one person's row.
type standardRow struct {
	E     people.Employee
	Cells []standardCell // one per column
}

// standards returns the service standards: every tag on a published
// course or a current question, sorted, and the course tags by slug.
func (s *Server) standards(ctx context.Context) ([]string, map[string][]string, error) {
	published, err := s.courses.ListPublished(ctx)
	if err != nil {
		return nil, nil, err
	}
	tags, err := s.quizzes.QuestionTags(ctx)
	if err != nil {
		return nil, nil, err
	}
	byCourse := map[string][]string{}
	for _, v := range published {
		byCourse[v.Slug] = v.TagList()
		tags = append(tags, v.TagList()...)
	}
	slices.Sort(tags)
	return slices.Compact(tags), byCourse, nil
}

// standardResults computes the cells of the people, in bulk.
func (s *Server) standardResults(ctx context.Context, ids []int64, courseTags map[string][]string, loc *time.Location) (map[int64]map[string]standardCell, error) {
	in := standardInputs{CourseTags: courseTags}
	var err error
	if in.Quiz, err = s.quizzes.QuizStandardScores(ctx, ids); err != nil {
		return nil, err
	}
	if in.RolePlays, err = s.observations.LatestRolePlays(ctx, ids); err != nil {
		return nil, err
	}
	if in.Completions, err = s.courses.LatestCompletions(ctx, ids); err != nil {
		return nil, err
	}
	return standardCells(in, loc), nil
}

// standardsShow is GET /readiness/standards: a manager's line (?scope=direct
// for direct reports only), or for HR everyone or ?manager=NUMBER's line.
func (s *Server) standardsShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	mgr, err := s.lineScope(c, true)
	if err != nil {
		return err
	}
	direct := c.Query("scope") == "direct" && mgr != nil
	active := true
	f := people.EmployeeFilter{Active: &active}
	switch {
	case mgr != nil && direct:
		f.ManagerID = mgr.ID
	case mgr != nil:
		f.LineOf = mgr.ID
	}
	page := max(1, c.QueryInt("page", 1))
	f.Limit, f.Offset = standardsPageSize, (page-1)*standardsPageSize
	list, total, err := s.people.ListEmployees(ctx, f)
	if err != nil {
		return err
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	tags, courseTags, err := s.standards(ctx)
	if err != nil {
		return err
	}
	// Averages over the whole selection (when it is not huge), cells for the page.
	pageIDs := make([]int64, len(list))
	for i, e := range list {
		pageIDs[i] = e.ID
	}
	allIDs, wholeTeam := pageIDs, total <= standardsAverageLimit
	if wholeTeam && total > len(list) {
		if allIDs, err = s.people.EmployeeIDs(ctx, f); err != nil {
			return err
		}
	}
	cells, err := s.standardResults(ctx, allIDs, courseTags, loc)
	if err != nil {
		return err
	}
	cols := make([]standardColumn, len(tags))
	for i, tag := range tags {
		sum := 0
		col := standardColumn{Tag: tag, Label: standardLabel(tag)}
		for _, id := range allIDs {
			if c := cells[id][tag]; c.Has {
				sum += c.Percent
				col.Results++
			}
		}
		if col.Results > 0 {
			col.Average = int(math.Round(float64(sum) / float64(col.Results)))
			col.Band = band(col.Average)
		}
		cols[i] = col
	}
	weakest, empty := heatmapColumns(cols)
	rows := make([]standardRow, len(list))
	for i, e := range list {
		rows[i] = standardRow{E: e, Cells: make([]standardCell, len(weakest))}
		for j, col := range weakest {
			rows[i].Cells[j] = cells[e.ID][col.Tag]
		}
	}
	title := "Service standards"
	switch {
	case mgr == nil:
		title += ": everyone"
	case direct:
		title += ": direct reports of " + mgr.Name()
	default:
		title += ": reporting line of " + mgr.Name()
	}
	q, number := url.Values{}, ""
	if mgr != nil && c.Query("manager") != "" {
		number = mgr.Number
		q.Set("manager", number)
	}
	base := q.Encode()
	return s.render(c, "readiness/standards", fiber.Map{"Title": title, "Manager": mgr, "Direct": direct, "Columns": weakest, "Empty": empty, "Rows": rows,
		"Weakest": weakest, "Total": total, "WholeTeam": wholeTeam, "AverageLimit": standardsAverageLimit, "Page": newPage(c, page, standardsPageSize, total),
		"ManagerQuery": base, "ManagerNumber": number, "Own": mgr != nil && principal(c).Employee != nil && mgr.ID == principal(c).Employee.ID,
		"SeesEveryone": principal(c).SeesEveryone()})
}
