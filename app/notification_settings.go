package app

import (
	"context"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// HR's notification settings (/settings/notifications): every kind, an
// optional one switched off for everyone, and each kind's subject and
// opening sentence (empty: the default), with a preview on sample data.

// kindForm is one kind's form as typed (or as stored).
type kindForm struct {
	Enabled          bool
	Subject, Opening string
}

func newKindForm(c *fiber.Ctx) kindForm {
	return kindForm{Enabled: formChecked(c, "enabled"), Subject: formValue(c, "subject"), Opening: formValue(c, "opening")}
}

// kindView is one kind's section of the page.
type kindView struct {
	notify.KindSetting
	Form         kindForm
	Errors       map[string]string // subject, opening
	Placeholders string            // the ones it may use, {a}, {b}
	Why          string            // mandatory: why it is always sent
	Preview      *kindPreview
}

// kindPreview is a kind's wording filled with sample data.
type kindPreview struct{ Subject, Opening string }

// kindSettingsPage renders the page: every kind as stored, except the one
// posted (kind), which shows f as typed with errs or its preview.
func (s *Server) kindSettingsPage(c *fiber.Ctx, status int, kind notify.Kind, f *kindForm, errs map[string]string, preview *kindPreview) error {
	settings, err := notify.KindSettings(c.UserContext(), s.cfg.DB)
	if err != nil {
		return err
	}
	views := make([]kindView, 0, len(settings))
	for _, k := range settings {
		v := kindView{KindSetting: k, Form: kindForm{Enabled: k.Enabled, Subject: k.Subject, Opening: k.Opening},
			Errors: map[string]string{}, Placeholders: strings.Join(k.AllPlaceholders(), ", "), Why: notify.AlwaysSent(k.Kind)}
		if k.Kind == kind {
			if f != nil {
				v.Form = *f
			}
			if errs != nil {
				v.Errors = errs
			}
			v.Preview = preview
		}
		views = append(views, v)
	}
	return s.renderStatus(c, status, "notifications/settings", fiber.Map{"Title": "Notification settings", "Kinds": views, "Posted": string(kind)})
}

func (s *Server) kindSettingsShow(c *fiber.Ctx) error {
	return s.kindSettingsPage(c, http.StatusOK, "", nil, nil, nil)
}

// kindSettingsSave previews (action=preview) or saves one kind's settings;
// a problem comes back next to its field with what was typed (422).
func (s *Server) kindSettingsSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	ks, err := notify.FindKindSetting(ctx, s.cfg.DB, notify.Kind(c.Params("kind")))
	if err != nil {
		return err
	}
	f := newKindForm(c)
	in := notify.KindInput{Kind: ks.Kind, Enabled: f.Enabled, Subject: f.Subject, Opening: f.Opening}
	if errs := in.Check(); len(errs) > 0 {
		return s.kindSettingsPage(c, http.StatusUnprocessableEntity, ks.Kind, &f, fieldErrors(errs, same), nil)
	}
	if c.FormValue("action") == "preview" {
		prof, err := s.courses.CachedCompany(ctx)
		if err != nil {
			return err
		}
		data := map[string]string{}
		for k, v := range notify.SampleData {
			data[k] = v
		}
		if prof.Name != "" {
			data["company"] = prof.Name
		}
		typed := ks
		typed.Subject, typed.Opening = in.Subject, in.Opening
		sub, op := notify.Compose(typed, data)
		return s.kindSettingsPage(c, http.StatusOK, ks.Kind, &f, nil, &kindPreview{Subject: sub, Opening: op})
	}
	var changed []string
	err = s.cfg.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.people.Now()
		changed, err = notify.SaveKindSetting(ctx, tx, now, in)
		if err != nil || len(changed) == 0 {
			return err
		}
		id, label := principal(c).actor()
		return people.Audit(ctx, tx, now, id, label, "notification.kind", string(ks.Kind), ks.Title+": "+strings.Join(changed, "; "))
	})
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			return s.kindSettingsPage(c, http.StatusUnprocessableEntity, ks.Kind, &f, map[string]string{store.FieldOf(err): store.MessageOf(err)}, nil)
		}
		return err
	}
	if len(changed) == 0 {
		s.flash(c, "info", ks.Title+": nothing changed.")
	} else {
		s.flash(c, "success", ks.Title+" saved.")
	}
	return c.Redirect("/settings/notifications#kind-"+string(ks.Kind), http.StatusSeeOther)
}
