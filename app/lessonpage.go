package app

import (
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/serviceacademy/academy/courses"
)

// lessonParts are the parts of a lesson page that are the same for every
// learner: breadcrumbs, title, body, and the previous/next links. Lessons of
// published versions never change, so they are built once in Go (not by the
// template engine, whose escapers are most of a page's cost) and kept until
// the company text in the body changes.
type lessonParts struct {
	body    string // the filled body they were built from
	article template.HTML
	pager   template.HTML
}

var lessonPartsCache sync.Map // lesson id → *lessonParts

func lessonPage(o *courses.Outline, l *courses.Lesson, module *courses.Module, courseSlug, body string, mission bool) *lessonParts {
	if v, ok := lessonPartsCache.Load(l.ID); ok {
		if lp := v.(*lessonParts); lp.body == body {
			return lp
		}
	}
	esc := html.EscapeString
	base := "/learn/" + url.PathEscape(courseSlug) + "/"
	i := o.Index(l.ID)
	var b strings.Builder
	b.WriteString(`<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/learn">My learning</a> › <a href="` + esc(strings.TrimSuffix(base, "/")) + `">` + esc(o.Version.Title) + `</a>`)
	if module != nil {
		b.WriteString(" › " + esc(module.Title))
	}
	b.WriteString(`</nav>
<article class="lesson" id="lesson">
  <header>
    <h1>` + esc(l.Title) + `</h1>
    <p class="muted">Lesson ` + strconv.Itoa(i+1) + ` of ` + strconv.Itoa(len(o.Lessons)) + ` · ` + strconv.Itoa(l.Minutes) + ` minutes</p>
  </header>
  <div class="lesson-body">`)
	b.WriteString(body) // sanitised when the lesson was saved; company text escaped when filled in
	b.WriteString("</div>\n</article>")
	var p strings.Builder
	p.WriteString(`<nav class="pager" aria-label="Lessons">`)
	if i > 0 {
		prev := o.Lessons[i-1]
		p.WriteString(`<a id="prev" rel="prev" href="` + esc(base+url.PathEscape(prev.Slug)) + `">← ` + esc(prev.Title) + `</a>`)
	}
	if i+1 < len(o.Lessons) {
		next := o.Lessons[i+1]
		p.WriteString(`<a id="next" rel="next" href="` + esc(base+url.PathEscape(next.Slug)) + `">` + esc(next.Title) + ` →</a>`)
	} else if mission {
		p.WriteString(`<a id="next" href="` + esc(base+"acknowledge") + `">Acknowledge the promises →</a>`)
	}
	p.WriteString(`</nav>
  <p class="muted keys">Keyboard: left arrow for the previous lesson, right arrow for the next.</p>`)
	lp := &lessonParts{body: body, article: template.HTML(b.String()), pager: template.HTML(p.String())}
	lessonPartsCache.Store(l.ID, lp)
	return lp
}
