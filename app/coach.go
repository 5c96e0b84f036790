package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// The coach queue grouped by person: one block each, with what needs doing
// (observe again, overdue, a certificate expiring) and its action, and the
// bulk actions on the people ticked (extend their due dates, remind them now).

// coachPerson is one person of the coach queue.
type coachPerson struct {
	Number, Name string
	Items        []coachItem
}

// coachItem is one thing to do about a person.
type coachItem struct {
	Kind          string // observe, overdue, certificate
	Text          string
	ChecklistSlug string // observe: the checklist to start ("" unknown: choose one)
}

// coachPeople groups the queue's sections by person, in the order they
// first appear (re-observations due first): one observe item per
// checklist, however many sections name it.
func coachPeople(observe []coachObservation, critical []coachReason, overdue []coachReason, certs []courses.Certificate, loc *time.Location) []*coachPerson {
	var out []*coachPerson
	byNumber := map[string]*coachPerson{}
	get := func(number, name string) *coachPerson {
		if p, ok := byNumber[number]; ok {
			return p
		}
		p := &coachPerson{Number: number, Name: name}
		byNumber[number] = p
		out = append(out, p)
		return p
	}
	observing := map[string]bool{} // number|checklist title
	for _, o := range observe {
		p := get(o.Number, o.Name)
		text := "Role-play “" + o.Checklist + "” failed"
		if o.Critical {
			text += " on a critical item"
		}
		text += "; re-observation was due " + localDate(loc, o.Due)
		p.Items = append(p.Items, coachItem{Kind: "observe", Text: text, ChecklistSlug: o.ChecklistSlug})
		observing[o.Number+"|"+o.Checklist] = true
	}
	for _, r := range critical {
		p := get(r.Number, r.Name)
		for _, l := range r.Reasons {
			if observing[r.Number+"|"+l.Programme] {
				continue
			}
			observing[r.Number+"|"+l.Programme] = true
			p.Items = append(p.Items, coachItem{Kind: "observe", Text: l.Detail, ChecklistSlug: l.ChecklistSlug})
		}
	}
	for _, r := range overdue {
		p := get(r.Number, r.Name)
		for _, l := range r.Reasons {
			p.Items = append(p.Items, coachItem{Kind: "overdue", Text: l.Detail})
		}
	}
	for _, ce := range certs {
		p := get(ce.EmployeeNumber, ce.EmployeeName)
		text := ce.Achievement
		if ce.ExpiresAt != nil {
			text += " valid until " + validUntil(loc, *ce.ExpiresAt)
		}
		p.Items = append(p.Items, coachItem{Kind: "certificate", Text: text})
	}
	return out
}

// HasKind reports whether the person has an item of kind (for the block's links).
func (p *coachPerson) HasKind(kind string) bool {
	for _, it := range p.Items {
		if it.Kind == kind {
			return true
		}
	}
	return false
}

// coachBulkForm is the bulk form as typed.
type coachBulkForm struct {
	Numbers        []string
	Action         string // extend or remind
	DueOn, Reason  string
	Manager        string // the line shown (HR)
	selectedNumber map[string]bool
}

// Selected reports whether number was ticked.
func (f coachBulkForm) Selected(number string) bool { return f.selectedNumber[number] }

func newCoachBulkForm(c *fiber.Ctx) coachBulkForm {
	f := coachBulkForm{Action: formTrimmed(c, "action"), DueOn: formTrimmed(c, "due_on"), Reason: strings.TrimSpace(formValue(c, "reason")),
		Manager: formTrimmed(c, "manager"), selectedNumber: map[string]bool{}}
	for _, v := range c.Request().PostArgs().PeekMulti("employee") {
		n := strings.TrimSpace(string(v))
		if n != "" && !f.selectedNumber[n] {
			f.selectedNumber[n] = true
			f.Numbers = append(f.Numbers, n)
		}
	}
	return f
}

// coachBulk is POST /team/coach/bulk: extend the due dates of, or remind
// now, the people ticked. Every one must be in the manager's line (HR:
// anyone) before anything changes: someone outside it is NotFound, and a
// manager ticking themself is Forbidden.
func (s *Server) coachBulk(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	f := newCoachBulkForm(c)
	errs := fieldMessages{}
	if f.Action != "extend" && f.Action != "remind" {
		errs.add("employee", "Choose Extend due dates or Send a reminder.")
	}
	if len(f.Numbers) == 0 {
		errs.add("employee", "Tick at least one person.")
	}
	if len(f.Numbers) > coachLimit*4 {
		errs.add("employee", "Tick at most "+strconv.Itoa(coachLimit*4)+" people at once.")
	}
	var chosen []*people.Employee
	for _, n := range f.Numbers {
		e, err := s.visibleEmployee(c, n)
		if err != nil {
			return err
		}
		if p.Employee != nil && p.Employee.ID == e.ID && !p.SeesEveryone() {
			return store.Errorf(store.Forbidden, "Your manager or HR can extend your due dates or remind you; you cannot act on yourself here.")
		}
		chosen = append(chosen, e)
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	if f.Action == "extend" {
		d, perr := time.ParseInLocation(time.DateOnly, f.DueOn, loc)
		today := s.courses.Now().In(loc).Format(time.DateOnly)
		switch {
		case f.DueOn == "":
			errs.add("due_on", "Enter the new due date, such as "+s.courses.Now().In(loc).AddDate(0, 0, 14).Format(time.DateOnly)+".")
		case perr != nil:
			errs.add("due_on", "Enter the new due date as a date, such as 2027-01-31.")
		case d.Format(time.DateOnly) < today:
			errs.add("due_on", "The new due date cannot be in the past.")
		}
		if f.Reason == "" {
			errs.add("reason", "Say why the due dates move (the employee's record keeps it).")
		}
	}
	if len(errs) > 0 {
		return s.coachPage(c, http.StatusUnprocessableEntity, f.Manager, f, errs)
	}
	id, label := p.actor()
	var msg string
	switch f.Action {
	case "extend":
		moved, people := 0, 0
		for _, e := range chosen {
			assigned, err := s.courses.AssignedProgrammes(ctx, e.ID)
			if err != nil {
				return err
			}
			n := 0
			for _, pp := range assigned {
				cy := pp.Cycle
				if cy == nil || cy.CompletedAt != nil || cy.ExemptAt != nil || cy.ClosedAt != nil || cy.DueOn == "" || cy.DueOn >= f.DueOn {
					continue
				}
				if pp.Status != courses.Overdue && pp.Status != courses.DueSoon {
					continue
				}
				if _, err := s.courses.ExtendDue(ctx, cy.ID, f.DueOn, f.Reason, id, label); err != nil {
					if k := store.KindOf(err); k == store.Invalid {
						errs.add(cmpField(store.FieldOf(err)), store.MessageOf(err))
						return s.coachPage(c, http.StatusUnprocessableEntity, f.Manager, f, errs)
					} else if k == store.Conflict {
						continue
					}
					return err
				}
				n++
			}
			moved += n
			if n > 0 {
				people++
			}
		}
		msg = "Due dates moved to " + localDate(loc, f.DueOn) + ": " + plural(moved, "programme", "programmes") + " of " + plural(people, "person", "people") + "."
		if moved == 0 {
			msg = "Nothing to extend: none of the people ticked has a programme overdue or due soon before " + localDate(loc, f.DueOn) + "."
		}
	case "remind":
		sent, people := 0, 0
		for _, e := range chosen {
			n, err := s.training.RemindOverdue(ctx, e, training.Actor{ID: id, Name: label})
			if err != nil {
				return err
			}
			sent += n
			if n > 0 {
				people++
			}
		}
		msg = "Reminder sent to " + plural(people, "person", "people") + " about " + plural(sent, "overdue programme", "overdue programmes") + "."
		if sent == 0 {
			msg = "No reminder sent: none of the people ticked has an overdue programme not already reminded of today."
		}
	}
	s.flash(c, "success", msg)
	to := "/team/coach"
	if f.Manager != "" {
		to += "?manager=" + url.QueryEscape(f.Manager)
	}
	return c.Redirect(to+"#people", http.StatusSeeOther)
}

// cmpField maps a store field to the bulk form's ("" → due_on).
func cmpField(f string) string {
	if f == "reason" {
		return "reason"
	}
	return "due_on"
}
