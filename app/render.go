package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
)

const flashCookie = "academy_flash"

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string `json:"k"` // success, error, info
	Text string `json:"t"`
}

// flash queues a message for the next rendered page.
func (s *Server) flash(c *fiber.Ctx, kind, text string) {
	b, _ := json.Marshal(Flash{Kind: kind, Text: text})
	s.setCookie(c, flashCookie, base64.RawURLEncoding.EncodeToString(b), time.Time{})
}

func (s *Server) takeFlash(c *fiber.Ctx) *Flash {
	v := c.Cookies(flashCookie)
	if v == "" {
		return nil
	}
	s.clearCookie(c, flashCookie)
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var f Flash
	if json.Unmarshal(b, &f) != nil || f.Text == "" {
		return nil
	}
	return &f
}

// render writes a page with status 200.
func (s *Server) render(c *fiber.Ctx, name string, data fiber.Map) error {
	return s.renderStatus(c, http.StatusOK, name, data)
}

// renderStatus gives every page its user, CSRF token, flash message, company
// name and current section, then renders name inside the main layout.
func (s *Server) renderStatus(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	p := principal(c)
	data["User"] = p
	data["CSRF"] = s.csrfToken(c)
	data["Flash"] = s.takeFlash(c)
	data["Path"] = c.Path()
	data["Header"] = userHeader(p, c.Path(), data["CSRF"].(string))
	data["Bell"] = s.bellFor(c, p)
	data["Demo"] = s.cfg.Demo
	data["Version"] = s.cfg.Version
	company, logo := "Service Academy", "/static/img/logo.svg"
	if prof, err := s.courses.CachedCompany(c.UserContext()); err == nil {
		if prof.Name != "" {
			company = prof.Name
		}
		if prof.HasLogo {
			logo = "/company/logo?v=" + strconv.FormatInt(prof.LogoUpdatedAt.Unix(), 10)
		}
	}
	data["Company"], data["Logo"] = company, logo
	if _, ok := data["Errors"]; !ok {
		data["Errors"] = map[string]string{}
	}
	c.Set("Cache-Control", "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	// The page is rendered on its own first: the engine's {{embed}} would
	// swallow a failing page's error and send half a page.
	var body bytes.Buffer
	if err := s.views.Render(&body, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	data["Body"] = template.HTML(body.String())
	return c.Status(status).Render("layouts/main", data)
}

// templateFuncs are the views' helpers; zone is the company's time zone,
// in which every date and time is written (utcTime is the one exception,
// for times labelled as UTC).
func templateFuncs(zone func() *time.Location) template.FuncMap {
	return template.FuncMap{
		"has": func(p *Principal, role string) bool { return p.Has(people.Role(role)) },
		"isRole": func(roles []people.Role, role string) bool {
			return slices.Contains(roles, people.Role(role))
		},
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		"pct": func(part, whole int) int {
			if whole == 0 {
				return 0
			}
			return part * 100 / whole
		},
		"date":        func(t time.Time) string { return localDate(zone(), t) },
		"datetime":    func(t time.Time) string { return localTime(zone(), t) },
		"utcTime":     utcTime,
		"isoDate":     func(s string) string { return localDate(time.UTC, s) },
		"ptrTime":     func(t *time.Time) string { return localTime(zone(), t) },
		"join":        strings.Join,
		"inList":      func(s string, list []string) bool { return slices.Contains(list, s) },
		"statusBadge": statusBadge,
		"certBadge":   certBadge,
		"stackedBar":  stackedBarSVG,
		"cycleDue":    dueText,
		"rosterDates": rosterDates,
		"mulMB":       func(mb int) int { return mb << 20 },
		"pathEsc":     url.PathEscape,
		"itoa":        strconv.Itoa,
		"thousands":   thousands,
		"i64":         func(i int64) string { return strconv.FormatInt(i, 10) },
		"indent":      func(depth int) string { return fmt.Sprintf("%drem", (depth-1)*1) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"active": func(path, prefix string) bool {
			if prefix == "/" {
				return path == "/"
			}
			return path == prefix || strings.HasPrefix(path, prefix+"/")
		},

		// Dates in the company's time zone, and programme statuses.
		"localDate":  localDate,
		"localTime":  localTime,
		"validUntil": validUntil,
		"statusMark": statusMark,
	}
}

// localDate is a day in the company's time zone loc, such as "31 Dec 2026",
// of a time.Time, a *time.Time or a company-local "YYYY-MM-DD" date; "" for
// a zero time, nil or "".
func localDate(loc *time.Location, v any) string {
	if loc == nil {
		loc = time.UTC
	}
	switch t := v.(type) {
	case time.Time:
		if !t.IsZero() {
			return t.In(loc).Format("2 Jan 2006")
		}
	case *time.Time:
		if t != nil && !t.IsZero() {
			return t.In(loc).Format("2 Jan 2006")
		}
	case string:
		if d, err := time.Parse(time.DateOnly, t); err == nil {
			return d.Format("2 Jan 2006")
		}
		return t
	}
	return ""
}

// validUntil is the last day something that expires at v (a time.Time or
// *time.Time) is valid, in loc: the day of the second before it expires, so
// an expiry at midnight on 9 Sep reads "8 Sep". "" for a zero time or nil.
// Every certificate and completion says "valid until" this day.
func validUntil(loc *time.Location, v any) string {
	switch t := v.(type) {
	case time.Time:
		if !t.IsZero() {
			return localDate(loc, t.Add(-time.Second))
		}
	case *time.Time:
		if t != nil && !t.IsZero() {
			return localDate(loc, t.Add(-time.Second))
		}
	}
	return ""
}

// utcTime is a time in UTC, labelled so: "31 Dec 2026, 14:05 UTC".
func utcTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04") + " UTC"
}

// companyZone is the company's time zone from the cached profile (UTC when
// the profile cannot be read).
func (s *Server) companyZone() *time.Location {
	if p, err := s.courses.CachedCompany(context.Background()); err == nil && p.Loc != nil {
		return p.Loc
	}
	return time.UTC
}

// localTime is localDate with the time of day, such as "31 Dec 2026, 14:05".
func localTime(loc *time.Location, v any) string {
	if loc == nil {
		loc = time.UTC
	}
	switch t := v.(type) {
	case time.Time:
		if !t.IsZero() {
			return t.In(loc).Format("2 Jan 2006, 15:04")
		}
	case *time.Time:
		if t != nil && !t.IsZero() {
			return t.In(loc).Format("2 Jan 2006, 15:04")
		}
	}
	return ""
}

// download sets the headers of a file the response carries: its type, how
// the browser should show it (disposition "attachment" or "inline") under
// filename, never cached (it holds someone's records) and never sniffed.
func download(c *fiber.Ctx, contentType, disposition, filename string) {
	c.Set("Content-Type", contentType)
	c.Set("Content-Disposition", disposition+`; filename="`+filename+`"`)
	c.Set("Cache-Control", "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
}

// Page is one page of a paged list, for the pagination partial.
type Page struct {
	Number, Size, Total, Pages int
	Links                      []PageLink
	Prev, Next                 string
}

// PageLink is one numbered link in the pagination bar.
type PageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

// newPage builds the pagination for total rows, keeping the other query parameters.
func newPage(c *fiber.Ctx, number, size, total int) Page {
	q := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { q.Set(string(k), string(v)) })
	return pageOf(c.Path(), q, number, size, total)
}

// pageOf builds the pagination for total rows of the list at path with the
// query parameters q (page replaced).
func pageOf(path string, q url.Values, number, size, total int) Page {
	p := Page{Number: number, Size: size, Total: total, Pages: (total + size - 1) / size}
	if p.Pages < 1 {
		p.Pages = 1
	}
	link := func(n int) string {
		q.Set("page", strconv.Itoa(n))
		return path + "?" + q.Encode()
	}
	if number > 1 {
		p.Prev = link(number - 1)
	}
	if number < p.Pages {
		p.Next = link(number + 1)
	}
	last := 0
	for n := 1; n <= p.Pages; n++ {
		if n == 1 || n == p.Pages || (n >= number-2 && n <= number+2) {
			if last != 0 && n != last+1 {
				p.Links = append(p.Links, PageLink{Gap: true})
			}
			p.Links = append(p.Links, PageLink{N: n, URL: link(n), Current: n == number})
			last = n
		}
	}
	return p
}
