package courses

import (
	"context"
	"html"
	"html/template"
	"regexp"
	"strings"
	"unicode"
)

// The knowledge base searches lesson titles and text of published versions
// with the database's own full-text index: FTS5 (porter stemming, diacritics
// folded) on SQLite and a weighted tsvector with a GIN index on PostgreSQL.
// Both ship with the database, rank by relevance and mark the matches, so
// no second index has to be kept in step with the lessons.

// Hit is one lesson that matches a search.
type Hit struct {
	CourseSlug  string
	CourseTitle string
	LessonSlug  string
	LessonTitle string
	Snippet     template.HTML // escaped text with <mark> around the matches
}

var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about an and are as at be but by can do does for from has have how i if in is it
		its me my no not of on or our so than that the their them then there these they this to us was we what when where
		which who why will with you your`) {
		stopwords[w] = true
	}
}

// searchTerms splits a question into the words worth searching for.
func searchTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(f)) < 2 || stopwords[f] || seen[f] || len(out) == 12 {
			continue
		}
		seen[f] = true
		out = append(out, f)
	}
	return out
}

const (
	markOpen  = "\u27e6" // ⟦ and ⟧ surround matches in the database's snippet,
	markClose = "\u27e7" // then become <mark> after the text is escaped
)

var mdNoise = regexp.MustCompile("[#*_`>|]+")

// highlight escapes a snippet and turns the match markers into <mark>.
func highlight(s string) template.HTML {
	s = mdNoise.ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(s), " ")
	s = html.EscapeString(s)
	s = strings.ReplaceAll(s, markOpen, "<mark>")
	s = strings.ReplaceAll(s, markClose, "</mark>")
	return template.HTML(s)
}

// Search returns up to limit published lessons matching q, best first.
func (s *Store) Search(ctx context.Context, q string, limit int) ([]Hit, error) {
	terms := searchTerms(q)
	if len(terms) == 0 {
		return nil, nil
	}
	var rows []struct {
		CourseSlug  string
		CourseTitle string
		LessonSlug  string
		LessonTitle string
		Snippet     string
	}
	var err error
	if isPostgres(s) {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = t + ":*"
		}
		query := strings.Join(parts, " | ")
		err = s.DB.NewRaw(`SELECT c.slug AS course_slug, v.title AS course_title, l.slug AS lesson_slug, l.title AS lesson_title,
			ts_headline('english', l.body_md, to_tsquery('english', ?), ?) AS snippet
			FROM lessons AS l
			JOIN course_versions AS v ON v.id = l.version_id AND v.status = 'published'
			JOIN courses AS c ON c.id = v.course_id
			WHERE l.search @@ to_tsquery('english', ?)
			ORDER BY ts_rank(l.search, to_tsquery('english', ?)) DESC, l.id
			LIMIT ?`, query, "StartSel="+markOpen+", StopSel="+markClose+", MaxWords=28, MinWords=12, MaxFragments=1", query, query, limit).Scan(ctx, &rows)
	} else {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = `"` + t + `"*`
		}
		query := strings.Join(parts, " OR ")
		err = s.DB.NewRaw(`SELECT c.slug AS course_slug, v.title AS course_title, l.slug AS lesson_slug, l.title AS lesson_title,
			snippet(lesson_fts, 1, ?, ?, '…', 24) AS snippet
			FROM lesson_fts
			JOIN lessons AS l ON l.id = lesson_fts.rowid
			JOIN course_versions AS v ON v.id = l.version_id AND v.status = 'published'
			JOIN courses AS c ON c.id = v.course_id
			WHERE lesson_fts MATCH ?
			ORDER BY bm25(lesson_fts, 4.0, 1.0), l.id
			LIMIT ?`, markOpen, markClose, query, limit).Scan(ctx, &rows)
	}
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(rows))
	for i, r := range rows {
		hits[i] = Hit{CourseSlug: r.CourseSlug, CourseTitle: r.CourseTitle, LessonSlug: r.LessonSlug, LessonTitle: r.LessonTitle,
			Snippet: highlight(r.Snippet)}
	}
	return hits, nil
}

// MatchText marks the search terms of q in a short text (a promise, a
// value) and reports whether any matched.
func MatchText(q, text string) (template.HTML, bool) {
	terms := searchTerms(q)
	lower := strings.ToLower(text)
	if len(lower) != len(text) { // case folding changed byte offsets: match without marking
		for _, t := range terms {
			if strings.Contains(lower, t) {
				return template.HTML(html.EscapeString(text)), true
			}
		}
		return template.HTML(html.EscapeString(text)), false
	}
	matched := false
	var b strings.Builder
	i := 0
	for i < len(text) {
		best := -1
		bestLen := 0
		for _, t := range terms {
			if j := strings.Index(lower[i:], t); j >= 0 && (best < 0 || j < best) {
				best, bestLen = j, len(t)
			}
		}
		if best < 0 {
			b.WriteString(html.EscapeString(text[i:]))
			break
		}
		matched = true
		b.WriteString(html.EscapeString(text[i : i+best]))
		b.WriteString("<mark>" + html.EscapeString(text[i+best:i+best+bestLen]) + "</mark>")
		i += best + bestLen
	}
	return template.HTML(b.String()), matched
}
