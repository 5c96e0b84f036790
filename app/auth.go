package app

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

const (
	sessionCookie = "academy_session"
	preCookie     = "academy_csrf" // CSRF token for visitors who are not signed in
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// Principal is who is making the request: a signed-in employee, or an API
// token (which may act as an employee).
type Principal struct {
	Employee *people.Employee // nil for a service token
	Roles    []people.Role
	Session  *people.Session
	Token    *people.APIToken

	headers headerCache // path → rendered page header (see userHeader)
}

// Has reports whether the principal holds role; admin holds everything hr
// does, and hr and admin see everyone a manager could.
func (p *Principal) Has(r people.Role) bool {
	if p == nil {
		return false
	}
	if slices.Contains(p.Roles, r) {
		return true
	}
	switch r {
	case people.RoleManager:
		return slices.Contains(p.Roles, people.RoleHR) || slices.Contains(p.Roles, people.RoleAdmin)
	case people.RoleHR:
		return slices.Contains(p.Roles, people.RoleAdmin)
	case people.RoleStaff:
		return len(p.Roles) > 0
	}
	return false
}

// SeesEveryone reports whether the principal may see every employee.
func (p *Principal) SeesEveryone() bool { return p.Has(people.RoleHR) }

// Name is the display name, or the token's name.
func (p *Principal) Name() string {
	if p.Employee != nil {
		return p.Employee.Name()
	}
	if p.Token != nil {
		return "token " + p.Token.Name
	}
	return ""
}

// trainingActor is the principal as the training workflows' audit entries name them.
func (p *Principal) trainingActor() training.Actor {
	id, label := p.actor()
	return training.Actor{ID: id, Name: label}
}

// actor returns the id and label for the audit log.
func (p *Principal) actor() (*int64, string) {
	label := p.Name()
	if p.Employee != nil {
		label += " (" + p.Employee.Number + ")"
		if p.Token != nil {
			label += " via token " + p.Token.Name
		}
		return &p.Employee.ID, label
	}
	return nil, label
}

func principal(c *fiber.Ctx) *Principal {
	p, _ := c.Locals("principal").(*Principal)
	return p
}

// loadSession reads the session cookie (if any) and stores the principal.
func (s *Server) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	now := time.Now()
	if p := s.sessions.get(token, now); p != nil {
		c.Locals("principal", p)
		return c.Next()
	}
	sess, e, err := s.people.FindSession(c.UserContext(), token)
	if err != nil {
		if store.IsNotFound(err) {
			s.clearCookie(c, sessionCookie)
			return c.Next()
		}
		return err
	}
	roles, err := s.rolesOf(c, e)
	if err != nil {
		return err
	}
	p := &Principal{Employee: e, Roles: roles, Session: sess}
	s.sessions.put(token, p, now)
	c.Locals("principal", p)
	return c.Next()
}

func (s *Server) rolesOf(c *fiber.Ctx, e *people.Employee) ([]people.Role, error) {
	has, err := s.people.HasReports(c.UserContext(), e.ID)
	if err != nil {
		return nil, err
	}
	return e.EffectiveRoles(has), nil
}

// requireSignIn sends visitors to the sign-in page, remembering where they were going.
func (s *Server) requireSignIn(c *fiber.Ctx) error {
	if principal(c) == nil {
		if c.Method() != http.MethodGet {
			return fiber.NewError(http.StatusUnauthorized, "Your session has ended. Sign in again.")
		}
		return c.Redirect("/signin?next=" + url.QueryEscape(c.OriginalURL()))
	}
	return c.Next()
}

// require lets the request through when the principal holds role.
func require(role people.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !principal(c).Has(role) {
			return store.Errorf(store.Forbidden, "This page is for %s only.", roleLabel(role))
		}
		return c.Next()
	}
}

func roleLabel(r people.Role) string {
	switch r {
	case people.RoleManager:
		return "managers, HR and admins"
	case people.RoleHR:
		return "HR and admins"
	case people.RoleAdmin:
		return "admins"
	}
	return "signed-in staff"
}

// csrfToken is the token forms must send back: the session's, or for
// visitors a random value kept in a cookie (set here when missing).
func (s *Server) csrfToken(c *fiber.Ctx) string {
	if p := principal(c); p != nil && p.Session != nil {
		return p.Session.CSRFToken
	}
	if t, ok := c.Locals("precsrf").(string); ok {
		return t
	}
	t := c.Cookies(preCookie)
	if len(t) < 20 {
		t = people.NewToken(24)
		s.setCookie(c, preCookie, t, time.Time{})
	}
	c.Locals("precsrf", t)
	return t
}

// checkCSRF rejects unsafe requests that do not carry the expected token.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return c.Next()
	}
	var want string
	if p := principal(c); p != nil && p.Session != nil {
		want = p.Session.CSRFToken
	} else {
		want = c.Cookies(preCookie)
	}
	got := c.Get(csrfHeader)
	if got == "" {
		got = bodyValue(c, csrfField)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return fiber.NewError(http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	return c.Next()
}

// bodyValue is a field of the request body (urlencoded or multipart form),
// never of the query string: fiber's FormValue reads the query first.
func bodyValue(c *fiber.Ctx, key string) string {
	if v := c.Request().PostArgs().Peek(key); len(v) > 0 {
		return string(v)
	}
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		if f, err := c.MultipartForm(); err == nil && len(f.Value[key]) > 0 {
			return f.Value[key][0]
		}
	}
	return ""
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, Secure: s.secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: expires})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: s.secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

// safeNext keeps a post-sign-in redirect on this site: a path on this host,
// or "/" for anything else. It first removes what a browser's URL parser
// removes (ASCII tab, LF and CR anywhere; C0 controls and spaces at either
// end), then refuses backslashes (browsers read them as slashes), any other
// control character, a scheme, a host or user, and a path that starts with
// "//" (as written or once decoded).
func safeNext(next string) string {
	b := make([]byte, 0, len(next))
	for i := 0; i < len(next); i++ {
		if c := next[i]; c != '\t' && c != '\n' && c != '\r' {
			b = append(b, c)
		}
	}
	clean := strings.TrimFunc(string(b), func(r rune) bool { return r <= ' ' })
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") || strings.ContainsRune(clean, '\\') ||
		strings.IndexFunc(clean, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return "/"
	}
	u, err := url.Parse(clean)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.ContainsRune(u.Path, '\\') {
		return "/"
	}
	return clean
}

func (s *Server) signinShow(c *fiber.Ctx) error {
	if principal(c) != nil {
		return c.Redirect(safeNext(c.Query("next")))
	}
	return s.render(c, "auth/signin", fiber.Map{"Title": "Sign in", "Next": safeNext(c.Query("next")), "Form": fiber.Map{}})
}

func (s *Server) signinSubmit(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	if email == "" || password == "" {
		errs := map[string]string{}
		if email == "" {
			errs["email"] = "Enter your work email."
		}
		if password == "" {
			errs["password"] = "Enter your password."
		}
		return s.renderStatus(c, http.StatusUnprocessableEntity, "auth/signin", fiber.Map{"Title": "Sign in", "Next": next,
			"Form": fiber.Map{"email": email}, "Errors": errs})
	}
	// The old session (if any) is dropped: sign-in always gets a new id.
	if old := c.Cookies(sessionCookie); old != "" {
		s.sessions.forgetToken(old)
		if err := s.people.DeleteSession(c.UserContext(), old); err != nil {
			return err
		}
	}
	sess, token, e, err := s.people.SignIn(c.UserContext(), email, password, c.IP(), c.Get("User-Agent"))
	if err == people.ErrSignIn {
		s.log.Info("sign-in refused", "ip", c.IP())
		return s.renderStatus(c, http.StatusUnauthorized, "auth/signin", fiber.Map{"Title": "Sign in", "Next": next,
			"Form": fiber.Map{"email": email}, "FormError": store.MessageOf(err)})
	} else if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, token, sess.ExpiresAt)
	s.clearCookie(c, preCookie)
	s.log.Info("signed in", "employee", e.Number)
	return c.Redirect(next, http.StatusSeeOther)
}

func (s *Server) signout(c *fiber.Ctx) error {
	if t := c.Cookies(sessionCookie); t != "" {
		s.sessions.forgetToken(t)
		if err := s.people.DeleteSession(c.UserContext(), t); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	s.flash(c, "success", "You have signed out.")
	return c.Redirect("/signin", http.StatusSeeOther)
}

func (s *Server) passwordLinkShow(c *fiber.Ctx) error {
	e, err := s.people.FindPasswordLink(c.UserContext(), slugParam(c, "token"))
	if err != nil {
		return err
	}
	return s.render(c, "auth/password", fiber.Map{"Title": "Choose your password", "Who": e, "Token": slugParam(c, "token")})
}

func (s *Server) passwordLinkSubmit(c *fiber.Ctx) error {
	token := slugParam(c, "token")
	pw, confirm := c.FormValue("password"), c.FormValue("confirm")
	e, err := s.people.FindPasswordLink(c.UserContext(), token)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	if perr := people.ValidatePasswordFor(pw, e); perr != nil {
		errs["password"] = store.MessageOf(perr)
	} else if pw != confirm {
		errs["confirm"] = "The two passwords are not the same."
	}
	if len(errs) > 0 {
		return s.renderStatus(c, http.StatusUnprocessableEntity, "auth/password", fiber.Map{"Title": "Choose your password",
			"Who": e, "Token": token, "Errors": errs})
	}
	if _, err := s.people.UsePasswordLink(c.UserContext(), token, pw); err != nil {
		return err
	}
	s.sessions.forget(e.ID)
	_ = people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), &e.ID, e.Name()+" ("+e.Number+")", "password.set", e.Number, "via one-time link")
	s.flash(c, "success", "Your password is set. Sign in with your email and new password.")
	return c.Redirect("/signin", http.StatusSeeOther)
}

func (s *Server) accountPasswordShow(c *fiber.Ctx) error {
	return s.render(c, "auth/change", fiber.Map{"Title": "Change password"})
}

func (s *Server) accountPasswordSubmit(c *fiber.Ctx) error {
	p := principal(c)
	current, pw, confirm := c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm")
	errs := map[string]string{}
	status := http.StatusUnprocessableEntity
	// The current password is checked through the sign-in throttle.
	if err := s.people.CheckCurrentPassword(c.UserContext(), p.Employee, current, c.IP()); err != nil {
		switch store.KindOf(err) {
		case store.TooMany:
			status = http.StatusTooManyRequests
		case store.Invalid:
		default:
			return err
		}
		errs["current"] = store.MessageOf(err)
	} else if perr := people.ValidatePasswordFor(pw, p.Employee); perr != nil {
		errs["password"] = store.MessageOf(perr)
	} else if pw != confirm {
		errs["confirm"] = "The two passwords are not the same."
	}
	if len(errs) > 0 {
		return s.renderStatus(c, status, "auth/change", fiber.Map{"Title": "Change password", "Errors": errs})
	}
	if err := s.people.SetPassword(c.UserContext(), p.Employee.ID, pw); err != nil {
		return err
	}
	s.sessions.forget(p.Employee.ID)
	// SetPassword ended every session; start a fresh one for this browser.
	sess, token, err := s.people.CreateSession(c.UserContext(), p.Employee.ID, c.IP(), c.Get("User-Agent"))
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, token, sess.ExpiresAt)
	s.flash(c, "success", "Your password has been changed; other devices have been signed out.")
	return c.Redirect("/", http.StatusSeeOther)
}
