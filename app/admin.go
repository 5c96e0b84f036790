package app

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

func (s *Server) tokenPage(c *fiber.Ctx, status int, data fiber.Map) error {
	list, err := s.people.ListTokens(c.UserContext())
	if err != nil {
		return err
	}
	data["Title"], data["Tokens"], data["AllRoles"] = "API tokens", list, people.AllRoles
	if _, ok := data["Form"]; !ok {
		data["Form"] = fiber.Map{"role": "hr"}
	}
	return s.renderStatus(c, status, "admin/tokens", data)
}

func (s *Server) tokenIndex(c *fiber.Ctx) error { return s.tokenPage(c, http.StatusOK, fiber.Map{}) }

func (s *Server) tokenCreate(c *fiber.Ctx) error {
	name := formValue(c, "name")
	roleName := formValue(c, "role")
	emp := formTrimmed(c, "employee")
	form := fiber.Map{"name": name, "role": roleName, "employee": emp}
	role, err := people.ParseRole(roleName)
	if err != nil {
		return s.tokenPage(c, http.StatusUnprocessableEntity, fiber.Map{"Form": form, "Errors": map[string]string{"role": store.MessageOf(err)}})
	}
	id, label := principal(c).actor()
	secret, t, err := s.people.CreateToken(c.UserContext(), name, role, emp, id)
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			return s.tokenPage(c, http.StatusUnprocessableEntity, fiber.Map{"Form": form, "Errors": map[string]string{store.FieldOf(err): store.MessageOf(err)}})
		}
		return err
	}
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "token.create", t.Name, "role "+string(t.Role)); err != nil {
		return err
	}
	// The secret is shown on this response only.
	return s.tokenPage(c, http.StatusCreated, fiber.Map{"NewSecret": secret, "NewToken": t})
}

func (s *Server) tokenRevoke(c *fiber.Ctx) error {
	tid, err := idParam(c, "id", "No such token.")
	if err != nil {
		return err
	}
	t, err := s.people.RevokeToken(c.UserContext(), tid)
	if err != nil {
		return err
	}
	id, label := principal(c).actor()
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "token.revoke", t.Name, ""); err != nil {
		return err
	}
	s.flash(c, "success", "Token “"+t.Name+"” revoked; it stops working now.")
	return c.Redirect("/admin/tokens", http.StatusSeeOther)
}
