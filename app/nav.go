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

// navGroup is one group of the main navigation: Me, My team, Administration.
type navGroup struct {
	ID, Label string
	Items     []navItem
}

type navLink struct {
	href, label string
	prefix      bool // current on sub-pages too
	role        people.Role
	unlessHR    bool // only for managers who are not HR (HR sees everyone under People)
	group       int  // index into navGroups
}

// navGroups are the groups in order: what is the person's own, what concerns
// the people they look after, and running the academy.
var navGroups = [...]struct{ id, label string }{{"nav-me", "Me"}, {"nav-team", "My team"}, {"nav-admin", "Administration"}}

const (
	groupMe = iota
	groupTeam
	groupAdmin
)

// nav is the main navigation in order; each link names the least role that
// sees it and its group.
func nav(me string) []navLink {
	return []navLink{
		{"/", "Home", false, people.RoleStaff, false, groupMe},
		{"/learn", "My learning", true, people.RoleStaff, false, groupMe},
		{"/me/observations", "My observations", true, people.RoleStaff, false, groupMe},
		{"/me/certificates", "My certificates", false, people.RoleStaff, false, groupMe},
		{"/search", "Knowledge base", false, people.RoleStaff, false, groupMe},
		{me, "My profile", false, people.RoleStaff, false, groupMe},
		{"/people", "People", false, people.RoleHR, false, groupTeam},
		{"/people", "My team", false, people.RoleManager, true, groupTeam},
		{me + "/team", "Reporting line", false, people.RoleManager, true, groupTeam},
		{"/team", "Team readiness", true, people.RoleManager, false, groupTeam},
		{"/grading", "Grading", true, people.RoleManager, false, groupTeam},
		{"/matrix", "Matrix", false, people.RoleManager, false, groupTeam},
		{"/readiness", "Readiness", true, people.RoleHR, false, groupTeam},
		{"/readiness/standards", "Service standards", false, people.RoleManager, true, groupTeam},
		{"/impact", "Service impact", false, people.RoleManager, false, groupTeam},
		{"/digest", "Weekly digest", false, people.RoleManager, true, groupTeam},
		{"/people/import", "Import", true, people.RoleHR, false, groupAdmin},
		{"/completions/import", "Import completions", true, people.RoleHR, false, groupAdmin},
		{"/org/departments", "Organisation", false, people.RoleHR, false, groupAdmin},
		{"/programmes", "Programmes", true, people.RoleHR, false, groupAdmin},
		{"/measures", "Measures", true, people.RoleHR, false, groupAdmin},
		{"/certificates", "Certificates", true, people.RoleHR, false, groupAdmin},
		{"/recovery", "Service recovery", true, people.RoleHR, false, groupAdmin},
		{"/authoring", "Courses", false, people.RoleHR, false, groupAdmin},
		{"/authoring/checklists", "Checklists", true, people.RoleHR, false, groupAdmin},
		{"/settings/company", "Company", true, people.RoleHR, false, groupAdmin},
		{"/admin/audit", "Audit log", false, people.RoleHR, false, groupAdmin},
		{"/admin/tokens", "API tokens", false, people.RoleAdmin, false, groupAdmin},
		{"/admin/outbox", "Outbox", true, people.RoleAdmin, false, groupAdmin},
	}
}

// navFor returns the groups of links p may follow (empty groups left out),
// marking the one for path; computed in Go so the layout calls no template
// functions on every page.
func navFor(p *Principal, path string) []navGroup {
	if p == nil || p.Employee == nil {
		return nil
	}
	me := "/people/" + url.PathEscape(p.Employee.Number)
	groups := make([]navGroup, len(navGroups))
	for i, g := range navGroups {
		groups[i] = navGroup{ID: g.id, Label: g.label}
	}
	for _, l := range nav(me) {
		if !p.Has(l.role) || (l.unlessHR && p.Has(people.RoleHR)) {
			continue
		}
		cur := path == l.href || (l.prefix && strings.HasPrefix(path, l.href+"/"))
		if l.href == "/org/departments" {
			cur = strings.HasPrefix(path, "/org/")
		}
		groups[l.group].Items = append(groups[l.group].Items, navItem{Href: l.href, Label: l.label, Current: cur})
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Items) > 0 {
			out = append(out, g)
		}
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
  <nav class="site-nav" id="site-nav" aria-label="Main">`)
	groups := navFor(p, path)
	for _, g := range groups {
		b.WriteString(`
    <div class="nav-group" id="` + g.ID + `">`)
		if len(groups) > 1 { // staff have only their own links: no heading needed
			b.WriteString(`<span class="nav-group-label" id="` + g.ID + `-label">` + html.EscapeString(g.Label) + `</span>`)
		}
		b.WriteString(`<ul`)
		if len(groups) > 1 {
			b.WriteString(` aria-labelledby="` + g.ID + `-label"`)
		}
		b.WriteString(`>`)
		for _, it := range g.Items {
			b.WriteString(`<li><a href="` + html.EscapeString(it.Href) + `"`)
			if it.Current {
				b.WriteString(` aria-current="page"`)
			}
			b.WriteString(">" + html.EscapeString(it.Label) + "</a></li>")
		}
		b.WriteString(`</ul></div>`)
	}
	b.WriteString(`
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
