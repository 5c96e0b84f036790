package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// mayManage reports whether p may edit, deactivate, reactivate or send a
// password link to e: admins anyone; HR only people who hold neither HR nor
// admin. selfOK lets a privileged principal edit their own record (never
// their roles, their status or a password link for themself).
func mayManage(p *Principal, e *people.Employee, selfOK bool) bool {
	if p.Has(people.RoleAdmin) || !e.Privileged() {
		return true
	}
	return selfOK && p.Employee != nil && p.Employee.ID == e.ID
}

// refuse records a refused action on subject (an employee number) in the
// audit log and returns the Forbidden error (naming field, if any) the
// principal sees. It names the rule, never anything secret.
func (s *Server) refuse(c *fiber.Ctx, subject, field, detail, message string) error {
	if err := s.refused(c, subject, detail); err != nil {
		return err
	}
	return &store.Error{Kind: store.Forbidden, Field: field, Message: message}
}

// refuseManage is refuse for an action on someone who holds HR or admin.
func (s *Server) refuseManage(c *fiber.Ctx, e *people.Employee, action string) error {
	return s.refuse(c, e.Number, "", action+": they hold the HR or admin role",
		"Only an admin may "+action+" "+e.Name()+", who holds the HR or admin role.")
}

// refused records a refusal the page answers itself (a flash message).
func (s *Server) refused(c *fiber.Ctx, subject, detail string) error {
	id, label := principal(c).actor()
	return people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), id, label, "access.refused", subject, detail)
}
