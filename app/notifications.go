package app

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// The notification centre (the bell and /notifications), a person's
// preferences (/account/notifications) and the unsubscribe link of an
// e-mail, which works without signing in.

// bellLimit is the most unread notifications the bell counts; beyond it
// shows "99+".
const bellLimit = 100

// inboxPageSize is how many notifications a page of /notifications lists.
const inboxPageSize = 20

// bell is the notification bell in the page header.
type bell struct {
	Count int    // unread, up to bellLimit; -1 when it could not be counted
	Text  string // the count as shown ("3", "99+"); "" for none
	Label string // the link's accessible name, such as "Notifications 3 unread"
}

// bellFor is the bell of the signed-in employee p (nil for visitors and API
// tokens): a bounded count on the notifications_recipient index, reused for
// bellTTL (see bellCache). A count that fails leaves the bell without a
// number rather than failing the page.
func (s *Server) bellFor(c *fiber.Ctx, p *Principal) *bell {
	if p == nil || p.Employee == nil {
		return nil
	}
	if n, ok := s.bells.get(p.Employee.ID, time.Now()); ok {
		return bellOf(n)
	}
	n, err := s.unreadCount(c.UserContext(), p.Employee.ID)
	if err != nil {
		s.log.Warn("unread count", "route", routeOf(c), "err", err)
		return &bell{Count: -1, Label: "Notifications"}
	}
	return bellOf(n)
}

// unreadCount counts the employee's unread notifications afresh and keeps
// the count for the bell.
func (s *Server) unreadCount(ctx context.Context, employeeID int64) (int, error) {
	now := time.Now()
	n, err := notify.UnreadCount(ctx, s.cfg.DB, employeeID, bellLimit)
	if err != nil {
		return 0, err
	}
	s.bells.put(employeeID, n, now)
	return n, nil
}

// bellOf is the bell for n unread. Its accessible name begins with what it
// shows ("Notifications 3", the word hidden on a phone), as WCAG 2.5.3 asks
// of a control's name: "Notifications 3 unread".
func bellOf(n int) *bell {
	switch {
	case n <= 0:
		return &bell{Label: "Notifications, none unread"}
	case n >= bellLimit:
		text := strconv.Itoa(bellLimit-1) + "+"
		return &bell{Count: n, Text: text, Label: fmt.Sprintf("Notifications %s unread (more than %d)", text, bellLimit-1)}
	}
	return &bell{Count: n, Text: strconv.Itoa(n), Label: fmt.Sprintf("Notifications %d unread", n)}
}

// inboxItem is one notification as the list shows it.
type inboxItem struct {
	ID               int64
	Kind             string
	Subject, Opening string
	When             string // company time
	Unread           bool
	HasLink          bool
}

// fillData is a row's values with the placeholders every kind has.
func fillData(r *notify.Row, company string, e *people.Employee) map[string]string {
	data := r.Values()
	data["company"], data["first_name"], data["name"] = company, e.FirstName, e.Name()
	return data
}

// notificationsIndex lists the signed-in person's notifications, newest first.
func (s *Server) notificationsIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := principal(c).Employee
	page := max(1, c.QueryInt("page", 1))
	rows, total, err := notify.ListInApp(ctx, s.cfg.DB, me.ID, (page-1)*inboxPageSize, inboxPageSize)
	if err != nil {
		return err
	}
	settings, err := notify.KindSettings(ctx, s.cfg.DB)
	if err != nil {
		return err
	}
	byKind := map[notify.Kind]notify.KindSetting{}
	for _, k := range settings {
		byKind[k.Kind] = k
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return err
	}
	company := prof.Name
	if company == "" {
		company = "Service Academy"
	}
	items := make([]inboxItem, 0, len(rows))
	unread := 0
	for i := range rows {
		r := &rows[i]
		ks, ok := byKind[r.Kind]
		if !ok { // a kind this version does not know: its key as the subject
			ks = notify.KindSetting{Info: notify.Info{Kind: r.Kind, DefaultSubject: string(r.Kind)}}
		}
		sub, op := notify.Compose(ks, fillData(r, company, me))
		items = append(items, inboxItem{ID: r.ID, Kind: ks.Title, Subject: sub, Opening: op,
			When: localTime(prof.Loc, r.CreatedAt), Unread: r.Status == notify.Unread, HasLink: r.Values()["link"] != ""})
		if r.Status == notify.Unread {
			unread++
		}
	}
	n, err := s.unreadCount(ctx, me.ID) // afresh: the bell on this page is never behind
	if err != nil {
		return err
	}
	return s.render(c, "notifications/index", fiber.Map{"Title": "Notifications", "Items": items, "Total": total,
		"Unread": n, "UnreadText": bellOf(n).Text, "PageNumber": page, "Page": newPage(c, page, inboxPageSize, total)})
}

// notificationOpen marks the person's notification read and follows its
// link (a path on this site; anything else, or none, opens the list).
func (s *Server) notificationOpen(c *fiber.Ctx) error {
	id, err := idParam(c, "id", notify.ErrNoNotification.Message)
	if err != nil {
		return err
	}
	me := principal(c).Employee.ID
	r, err := notify.MarkRead(c.UserContext(), s.cfg.DB, s.people.Now(), me, id)
	if err != nil {
		return err
	}
	s.bells.forget(me)
	return c.Redirect(sameSitePath(r.Values()["link"], "/notifications"), http.StatusSeeOther)
}

// sameSitePath is link when it is a path on this site, else def.
func sameSitePath(link, def string) string {
	if link == "" || safeNext(link) != link {
		return def
	}
	return link
}

// notificationRead marks one of the person's notifications read and goes
// back to the page of the list it was on.
func (s *Server) notificationRead(c *fiber.Ctx) error {
	id, err := idParam(c, "id", notify.ErrNoNotification.Message)
	if err != nil {
		return err
	}
	me := principal(c).Employee.ID
	if _, err := notify.MarkRead(c.UserContext(), s.cfg.DB, s.people.Now(), me, id); err != nil {
		return err
	}
	s.bells.forget(me)
	return c.Redirect(inboxPath(c), http.StatusSeeOther)
}

// inboxPath is the list at the page the form was posted from.
func inboxPath(c *fiber.Ctx) string {
	if p, err := strconv.Atoi(c.FormValue("page")); err == nil && p > 1 {
		return "/notifications?page=" + strconv.Itoa(p)
	}
	return "/notifications"
}

// notificationsReadAll marks every notification of the person read.
func (s *Server) notificationsReadAll(c *fiber.Ctx) error {
	me := principal(c).Employee.ID
	n, err := notify.MarkAllRead(c.UserContext(), s.cfg.DB, s.people.Now(), me)
	if err != nil {
		return err
	}
	s.bells.forget(me)
	if n == 0 {
		s.flash(c, "info", "There was nothing unread.")
	} else {
		s.flash(c, "success", plural(n, "notification", "notifications")+" marked read.")
	}
	return c.Redirect("/notifications", http.StatusSeeOther)
}

// --- Preferences ------------------------------------------------------------

// forManagers are kinds only managers, HR and admins receive: their own
// preferences list them, staff's do not.
var forManagers = map[notify.Kind]bool{notify.ManagerDigest: true, notify.EssayToGrade: true, notify.ReobservationDue: true}

// preferenceRow is one kind on the preferences page.
type preferenceRow struct {
	notify.KindSetting
	On  bool   // the person receives it
	Why string // mandatory: why it is always sent
}

// preferenceRows are the kinds p may receive: the optional ones with p's
// choice, then the mandatory ones with why.
func (s *Server) preferenceRows(ctx context.Context, p *Principal) (optional, always []preferenceRow, err error) {
	settings, err := notify.KindSettings(ctx, s.cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	outs, err := notify.OptOuts(ctx, s.cfg.DB, p.Employee.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range settings {
		if k.Kind == notify.TestMessage || forManagers[k.Kind] && !p.Has(people.RoleManager) {
			continue
		}
		if k.Optional {
			optional = append(optional, preferenceRow{KindSetting: k, On: !outs[k.Kind]})
		} else {
			always = append(always, preferenceRow{KindSetting: k, On: true, Why: notify.AlwaysSent(k.Kind)})
		}
	}
	return optional, always, nil
}

func (s *Server) accountNotificationsShow(c *fiber.Ctx) error {
	optional, always, err := s.preferenceRows(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return s.render(c, "notifications/preferences", fiber.Map{"Title": "Your notification choices", "Optional": optional, "Always": always})
}

// accountNotificationsSave turns the optional kinds on and off as ticked.
func (s *Server) accountNotificationsSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	optional, _, err := s.preferenceRows(ctx, p)
	if err != nil {
		return err
	}
	var changes []string
	err = s.cfg.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.people.Now()
		for _, k := range optional {
			on := formChecked(c, "kind_"+string(k.Kind))
			changed, err := notify.SetOptOut(ctx, tx, now, p.Employee.ID, k.Kind, !on)
			if err != nil {
				return err
			}
			if changed {
				changes = append(changes, k.Title+map[bool]string{true: " turned on", false: " turned off"}[on])
			}
		}
		if len(changes) == 0 {
			return nil
		}
		id, label := p.actor()
		return people.Audit(ctx, tx, now, id, label, "notification.preferences", p.Employee.Number,
			strings.Join(changes, "; ")+" (account page)")
	})
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		s.flash(c, "info", "Nothing changed.")
	} else {
		s.flash(c, "success", strings.Join(changes, "; ")+".")
	}
	return c.Redirect("/account/notifications", http.StatusSeeOther)
}

// --- Unsubscribe (no sign-in) -------------------------------------------------

// linkSecret is the key unsubscribe links are signed with (notify.Secret),
// read once: it never changes.
func (s *Server) linkSecret(ctx context.Context) ([]byte, error) {
	s.secretMu.Lock()
	defer s.secretMu.Unlock()
	if s.secret == nil {
		key, err := notify.Secret(ctx, s.cfg.DB)
		if err != nil {
			return nil, err
		}
		s.secret = key
	}
	return s.secret, nil
}

// unsubscribeTarget reads the link's token: the employee and the kind it
// turns off, or ok false when the token is not valid (any change to it) or
// its employee no longer exists.
func (s *Server) unsubscribeTarget(c *fiber.Ctx) (*people.Employee, notify.KindSetting, bool, error) {
	ctx := c.UserContext()
	secret, err := s.linkSecret(ctx)
	if err != nil {
		return nil, notify.KindSetting{}, false, err
	}
	empID, kind, err := notify.ParseUnsubscribe(secret, c.Params("token"))
	if err != nil {
		return nil, notify.KindSetting{}, false, nil
	}
	e, err := s.people.FindEmployee(ctx, empID)
	if err != nil {
		if store.IsNotFound(err) {
			return nil, notify.KindSetting{}, false, nil
		}
		return nil, notify.KindSetting{}, false, err
	}
	ks, err := notify.FindKindSetting(ctx, s.cfg.DB, kind)
	if err != nil {
		return nil, notify.KindSetting{}, false, err
	}
	return e, ks, true, nil
}

func (s *Server) unsubscribeBad(c *fiber.Ctx) error {
	return s.renderStatus(c, http.StatusBadRequest, "notifications/unsubscribe",
		fiber.Map{"Title": "Unsubscribe link not valid", "Bad": notify.ErrBadToken.Error()})
}

// unsubscribeShow says what the link turns off, with a button to do it.
func (s *Server) unsubscribeShow(c *fiber.Ctx) error {
	e, ks, ok, err := s.unsubscribeTarget(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.unsubscribeBad(c)
	}
	outs, err := notify.OptOuts(c.UserContext(), s.cfg.DB, e.ID)
	if err != nil {
		return err
	}
	return s.render(c, "notifications/unsubscribe", fiber.Map{"Title": "Unsubscribe", "Kind": ks,
		"FirstName": e.FirstName, "Token": strings.Clone(c.Params("token")), "Already": outs[ks.Kind]})
}

// unsubscribeSubmit turns the link's kind off for its employee: the button
// of unsubscribeShow, or a mail client's RFC 8058 one-click POST (body
// "List-Unsubscribe=One-Click", no cookie, no CSRF token: the signed token
// is the protection, so the route has no CSRF check). 200 with a page
// saying so; a token that is not valid is a 400 page and changes nothing.
func (s *Server) unsubscribeSubmit(c *fiber.Ctx) error {
	e, ks, ok, err := s.unsubscribeTarget(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.unsubscribeBad(c)
	}
	how := "unsubscribe page"
	if bodyValue(c, "List-Unsubscribe") == "One-Click" {
		how = "one-click unsubscribe from the mail program"
	}
	ctx := c.UserContext()
	err = s.cfg.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.people.Now()
		changed, err := notify.SetOptOut(ctx, tx, now, e.ID, ks.Kind, true)
		if err != nil || !changed {
			return err
		}
		return people.Audit(ctx, tx, now, &e.ID, e.Name()+" ("+e.Number+") via an e-mail link", "notification.unsubscribe",
			e.Number, ks.Title+" off ("+how+")")
	})
	if err != nil {
		return err
	}
	return s.render(c, "notifications/unsubscribe", fiber.Map{"Title": "Unsubscribed", "Kind": ks, "FirstName": e.FirstName, "Done": true})
}
