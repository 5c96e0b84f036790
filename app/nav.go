package app

import (
	"html"
	"html/template"
	"net/url"
	"strings"
	"sync"

	"github.com/serviceacademy/academy/people"
)

// navItem is one link of the main navigation.
type navItem struct {
	Href, Label string
	Current     bool
}

type navLink struct {
	href, label string
	prefix      bool // current on sub-pages too
	role        people.Role
	unlessHR    bool // only for managers who are not HR (HR sees everyone under People)
}

// nav is the main navigation in order; each link names the least role that sees it.
func nav(me string) []navLink {
	return []navLink{
		{"/", "Home", false, people.RoleStaff, false},
		{"/learn", "My learning", true, people.RoleStaff, false},
		{"/me/certificates", "My certificates", false, people.RoleStaff, false},
		{"/search", "Knowledge base", false, people.RoleStaff, false},
		{me, "My profile", false, people.RoleStaff, false},
		{"/people", "People", false, people.RoleHR, false},
		{"/people", "My team", false, people.RoleManager, true},
		{me + "/team", "Reporting line", false, people.RoleManager, true},
		{"/team", "Team readiness", true, people.RoleManager, false},
		{"/people/import", "Import", true, people.RoleHR, false},
		{"/completions/import", "Import completions", true, people.RoleHR, false},
		{"/org/departments", "Organisation", false, people.RoleHR, false},
		{"/grading", "Grading", true, people.RoleManager, false},
		{"/matrix", "Matrix", false, people.RoleManager, false},
		{"/readiness", "Readiness", true, people.RoleHR, false},
		{"/readiness/standards", "Service standards", false, people.RoleManager, true},
		{"/impact", "Service impact", false, people.RoleManager, false},
		{"/digest", "Weekly digest", false, people.RoleManager, true},
		{"/programmes", "Programmes", true, people.RoleHR, false},
		{"/measures", "Measures", true, people.RoleHR, false},
		{"/certificates", "Certificates", true, people.RoleHR, false},
		{"/recovery", "Service recovery", true, people.RoleHR, false},
		{"/authoring", "Courses", false, people.RoleHR, false},
		{"/authoring/checklists", "Checklists", true, people.RoleHR, false},
		{"/settings/company", "Company", true, people.RoleHR, false},
		{"/admin/audit", "Audit log", false, people.RoleHR, false},
		{"/admin/tokens", "API tokens", false, people.RoleAdmin, false},
		{"/admin/outbox", "Outbox", true, people.RoleAdmin, false},
	}
}

// navFor returns the links p may follow, marking the one for path; computed
// in Go so the layout calls no template functions on every page.
func navFor(p *Principal, path string) []navItem {
	if p == nil || p.Employee == nil {
		return nil
	}
	me := "/people/" + url.PathEscape(p.Employee.Number)
	var out []navItem
	for _, l := range nav(me) {
		if !p.Has(l.role) || (l.unlessHR && p.Has(people.RoleHR)) {
			continue
		}
		cur := path == l.href || (l.prefix && strings.HasPrefix(path, l.href+"/"))
		if l.href == "/org/departments" {
			cur = strings.HasPrefix(path, "/org/")
		}
		out = append(out, navItem{Href: l.href, Label: l.label, Current: cur})
	}
	return out
}

// roleBadges are the roles shown beside the name (staff goes without saying).
func roleBadges(p *Principal) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, r := range p.Roles {
		if r != people.RoleStaff {
			out = append(out, string(r))
		}
	}
	return out
}

// userHeader is the signed-in part of the page header (menu button, main
// navigation, name, roles, sign-out form), built in Go and kept per
// principal and path: it is the same on every request of a session.
func userHeader(p *Principal, path, csrf string) template.HTML {
	if p == nil || p.Employee == nil {
		return ""
	}
	if h, ok := p.headers.Load(path); ok {
		return h.(template.HTML)
	}
	var b strings.Builder
	b.WriteString(`<button class="nav-toggle" type="button" aria-expanded="false" aria-controls="site-nav">Menu</button>
  <nav class="site-nav" id="site-nav" aria-label="Main">
    <ul>`)
	for _, it := range navFor(p, path) {
		b.WriteString(`<li><a href="` + html.EscapeString(it.Href) + `"`)
		if it.Current {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(">" + html.EscapeString(it.Label) + "</a></li>")
	}
	b.WriteString(`</ul>
  </nav>
  <div class="user-menu">
    <span class="user-name">` + html.EscapeString(p.Name()) + `</span>`)
	for _, r := range roleBadges(p) {
		b.WriteString(` <span class="badge badge-role">` + html.EscapeString(r) + `</span>`)
	}
	b.WriteString(`
    <a href="/account/notifications">Notification choices</a>
    <a href="/account/password">Password</a>
    <form class="inline" method="post" action="/signout"><input type="hidden" name="_csrf" value="` + html.EscapeString(csrf) + `"><button class="link" type="submit">Sign out</button></form>
  </div>`)
	h := template.HTML(b.String())
	p.headers.Store(path, h)
	return h
}

// headerCache is embedded in Principal.
type headerCache = sync.Map
