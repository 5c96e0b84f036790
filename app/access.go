package app

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Who may see whom. HR and admins see everyone; every employee sees
// themself; a manager sees their reporting line, everyone below them
// however deep. Every page, export and API answer about one employee goes
// through sees; someone outside the line is NotFound, like someone who does
// not exist, so nobody learns who exists elsewhere. (Lists are narrowed to
// the line by their store filters: LineOf, ManagerID.)

// sees reports whether p may see employee e.
func (s *Server) sees(ctx context.Context, p *Principal, e *people.Employee) (bool, error) {
	if p.SeesEveryone() || (p.Employee != nil && p.Employee.ID == e.ID) {
		return true, nil
	}
	if p.Employee == nil || !p.Has(people.RoleManager) {
		return false, nil
	}
	return s.people.InLine(ctx, p.Employee.ID, e.ID)
}

// checkVisible is nil when the principal may see e, NotFound otherwise.
func (s *Server) checkVisible(c *fiber.Ctx, e *people.Employee) error {
	ok, err := s.sees(c.UserContext(), principal(c), e)
	if err != nil {
		return err
	}
	if !ok {
		return store.Errorf(store.NotFound, "No employee with number %q in your reporting line.", e.Number)
	}
	return nil
}

// visibleEmployee loads the employee with number num if the principal may
// see them; NotFound for an unknown number and for anyone outside the line.
func (s *Server) visibleEmployee(c *fiber.Ctx, num string) (*people.Employee, error) {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), num)
	if err != nil {
		return nil, err
	}
	if err := s.checkVisible(c, e); err != nil {
		return nil, err
	}
	return e, nil
}

// canAssess reports whether the principal may observe e or grade e's
// essays: anyone they see but themself.
func (s *Server) canAssess(ctx context.Context, p *Principal, e *people.Employee) (bool, error) {
	if p.Employee == nil || p.Employee.ID == e.ID {
		return false, nil
	}
	return s.sees(ctx, p, e)
}

// teamRoot returns the manager whose line a readiness page or API call
// shows: num, or the principal when num is empty or their own number. A
// manager may name themself or someone in their line; anyone else, and
// unknown numbers, are NotFound (field manager). HR see everyone: with no
// num the root is nil. A token that acts as no employee is Forbidden.
func (s *Server) teamRoot(c *fiber.Ctx, num string) (*people.Employee, error) {
	p := principal(c)
	msg := fmt.Sprintf("There is no employee with number %q.", num)
	switch {
	case p.SeesEveryone() && num == "":
		return nil, nil
	case p.SeesEveryone():
	case p.Employee == nil:
		return nil, store.Errorf(store.Forbidden, "This token acts as no employee, so it has no reporting line.")
	case num == "" || num == p.Employee.Number:
		return p.Employee, nil
	default:
		msg = fmt.Sprintf("There is no employee with number %q in your reporting line.", num)
	}
	e, err := s.visibleEmployee(c, num)
	if store.IsNotFound(err) {
		return nil, &store.Error{Kind: store.NotFound, Field: "manager", Message: msg}
	}
	return e, err
}

// lineScope is whose people a manager page shows: ?manager=NUMBER (HR:
// anyone; a manager: themselves or someone in their line, others are
// NotFound), else the signed-in employee's own line. HR without ?manager=
// get nil (everyone) when everyone is true.
func (s *Server) lineScope(c *fiber.Ctx, everyone bool) (*people.Employee, error) {
	p := principal(c)
	if num := queryTrimmed(c, "manager"); num != "" {
		return s.visibleEmployee(c, num)
	}
	if everyone && p.SeesEveryone() {
		return nil, nil
	}
	if p.Employee == nil {
		return nil, store.Errorf(store.Forbidden, "This page shows a manager's reporting line: sign in as an employee.")
	}
	return p.Employee, nil
}
