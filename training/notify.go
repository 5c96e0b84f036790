package training

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/notify"
)

// The notifications the workflows write, in their transactions (the
// scheduler's reminders are in remind.go). Each event's key names it, so a
// retried event queues nothing twice: "cycle:ID", "certificate:ID",
// "observation:ID", "essay:ATTEMPT", "password-link:ID".

// events tells people of what the courses write (courses.Events), through
// notify in the courses' transaction.
type events struct {
	courses func() *courses.Store
}

var _ courses.Events = events{}

// learnLink is where a learner sees their programmes.
const learnLink = "/learn"

// CyclesOpened queues "assigned" (or "recertification opened") for each
// new cycle that is not already complete or exempt.
func (e events) CyclesOpened(ctx context.Context, db bun.IDB, p *courses.Programme, cycles []*courses.Cycle, recert bool, now time.Time) error {
	kind := notify.Assigned
	if recert {
		kind = notify.RecertOpened
	}
	var titles []string
	for _, c := range p.Courses {
		if c.Required {
			titles = append(titles, c.Title)
		}
	}
	body := ""
	if len(titles) > 0 {
		body = "Its courses: " + strings.Join(titles, ", ") + "."
	}
	var evs []notify.Event
	for _, c := range cycles {
		if c.CompletedAt != nil || c.ExemptAt != nil || c.ID == 0 {
			continue
		}
		data := map[string]string{"programme": p.Title, "due_date": dayWords(c.DueOn), "link": learnLink, "link_label": "Open My learning", "body": body}
		if c.DueOn != "" {
			data["ics_due"], data["ics_title"] = c.DueOn, p.Title+" due"
		} else {
			data["due_date"] = "no due date set"
		}
		evs = append(evs, notify.Event{Kind: kind, Key: "cycle:" + strconv.FormatInt(c.ID, 10), To: []int64{c.EmployeeID}, Data: data})
	}
	_, err := notify.EnqueueMany(ctx, db, now, evs)
	return err
}

// CertificateIssued queues "certificate issued" with links to the PDF and
// the public verify page.
func (e events) CertificateIssued(ctx context.Context, db bun.IDB, c *courses.Certificate, now time.Time) error {
	data := map[string]string{"programme": c.Achievement, "certificate": c.Code,
		"link": "/certificates/" + c.Code + ".pdf", "link_label": "Download your certificate (PDF)",
		"link2": "/verify/" + c.Code, "link2_label": "Its public verify page"}
	if c.ExpiresAt != nil {
		loc, err := e.courses().LocationIn(ctx, db)
		if err != nil {
			return err
		}
		data["expires"] = localDay(loc, c.ExpiresAt.Add(-time.Second)) // the last valid day, as everywhere
		data["body"] = "It is valid until " + localDay(loc, c.ExpiresAt.Add(-time.Second)) + "."
	}
	_, err := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.CertificateIssued, Key: "certificate:" + strconv.FormatInt(c.ID, 10),
		To: []int64{c.EmployeeID}, Data: data})
	return err
}

// dayWords writes a company-local date (YYYY-MM-DD) as the product does
// ("2 Mar 2026"); "" stays "".
func dayWords(iso string) string {
	if d, err := time.Parse(time.DateOnly, iso); err == nil {
		return d.Format("2 Jan 2006")
	}
	return iso
}

// localDay writes the day of t in the company's time zone loc.
func localDay(loc *time.Location, t time.Time) string { return t.In(loc).Format("2 Jan 2006") }

// observationSigned queues "observation signed off" to the employee: the
// result, and when it failed the critical items not fully shown and the
// re-observation date. o is the observation as it was loaded (its
// checklist snapshot names the items); signed is the signed revision.
func observationSigned(ctx context.Context, db bun.IDB, now time.Time, o, signed *assessments.Observation, assessor string) error {
	title := signed.ChecklistSlug
	if o.Checklist != nil {
		title = o.Checklist.Title
	}
	passed := signed.Passed != nil && *signed.Passed
	result := "not passed"
	if passed {
		result = "passed"
	}
	if signed.Score != nil {
		result += " (" + strconv.FormatFloat(assessments.RoundPercent(*signed.Score), 'f', -1, 64) + "%)"
	}
	var body []string
	if !passed {
		var items []string
		for _, id := range signed.FailedCritical {
			text := id
			if o.Checklist != nil {
				for _, it := range o.Checklist.Items {
					if it.ID == id {
						text = it.Text
					}
				}
			}
			items = append(items, "- "+text)
		}
		if len(items) > 0 {
			body = append(body, "The critical items not fully shown:\n"+strings.Join(items, "\n"))
		}
		if signed.ReobserveDue != nil {
			body = append(body, "You will be observed again by "+dayWords(*signed.ReobserveDue)+".")
		}
	}
	data := map[string]string{"checklist": title, "result": result, "assessor": assessor,
		"link": "/me/observations/" + strconv.FormatInt(signed.ID, 10), "link_label": "See the observation", "body": strings.Join(body, "\n\n")}
	if signed.ReobserveDue != nil && !passed {
		data["reobserve_due"] = dayWords(*signed.ReobserveDue)
	}
	_, err := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.ObservationSigned, Key: "observation:" + strconv.FormatInt(signed.ID, 10),
		To: []int64{signed.EmployeeID}, Data: data})
	return err
}

// essayToGrade queues "an essay to grade" for an attempt submitted with
// essays waiting: to the learner's manager (who grades their line's essays
// on /grading), or to HR when they have no active manager.
func essayToGrade(ctx context.Context, db bun.IDB, now time.Time, a *assessments.Attempt) error {
	if a == nil || a.PendingGrading == 0 {
		return nil
	}
	var who struct {
		FirstName, LastName, Number string
		ManagerID                   *int64
		ManagerActive               *bool
	}
	if err := db.NewSelect().TableExpr("employees AS e").ColumnExpr("e.first_name, e.last_name, e.number, e.manager_id").
		ColumnExpr("(SELECT m.active FROM employees AS m WHERE m.id = e.manager_id) AS manager_active").
		Where("e.id = ?", a.EmployeeID).Scan(ctx, &who); err != nil {
		return err
	}
	var quiz string
	if err := db.NewSelect().TableExpr("quizzes").Column("title").Where("id = ?", a.QuizID).Scan(ctx, &quiz); err != nil {
		return err
	}
	var to []int64
	if who.ManagerID != nil && who.ManagerActive != nil && *who.ManagerActive {
		to = []int64{*who.ManagerID}
	} else {
		hr, err := hrRecipients(ctx, db)
		if err != nil {
			return err
		}
		to = hr
	}
	if len(to) == 0 {
		return nil
	}
	learner := strings.TrimSpace(who.FirstName+" "+who.LastName) + " (" + who.Number + ")"
	essays := "1 answer waits"
	if a.PendingGrading > 1 {
		essays = fmt.Sprintf("%d answers wait", a.PendingGrading)
	}
	_, err := notify.Enqueue(ctx, db, now, notify.Event{Kind: notify.EssayToGrade, Key: "essay:" + strconv.FormatInt(a.ID, 10), To: to,
		Data: map[string]string{"quiz": quiz, "learner": learner, "link": "/grading", "link_label": "Open the essays to grade",
			"body": essays + " for a grade; the attempt is scored when every essay is graded."}})
	return err
}

// hrRecipients are the active employees with the hr role.
func hrRecipients(ctx context.Context, db bun.IDB) ([]int64, error) {
	var ids []int64
	err := db.NewSelect().TableExpr("employees").Column("id").
		Where("active AND (',' || roles || ',') LIKE '%,hr,%'").OrderExpr("id").Scan(ctx, &ids)
	return ids, err
}

// SendPasswordLink makes a new one-time password link for the employee
// (createdBy: HR, nil for the command line) and, in the same transaction,
// queues it to them by e-mail (no in-app row: they cannot sign in yet). It
// returns the token for HR to copy off the screen as well. Invalid for an
// inactive employee (people.Store.CreatePasswordLinkIn). The row's data
// holds the link (a secret): only admins may see it on the outbox page.
func (s *Service) SendPasswordLink(ctx context.Context, employeeID int64, createdBy *int64) (string, error) {
	var token string
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t, link, err := s.people.CreatePasswordLinkIn(ctx, tx, employeeID, createdBy)
		if err != nil {
			return err
		}
		token = t
		loc, err := s.courses.LocationIn(ctx, tx)
		if err != nil {
			return err
		}
		_, err = notify.Enqueue(ctx, tx, link.CreatedAt, notify.Event{Kind: notify.PasswordLink, Key: "password-link:" + strconv.FormatInt(link.ID, 10),
			To: []int64{employeeID}, NoInApp: true, Data: map[string]string{"expires": link.ExpiresAt.In(loc).Format("2 Jan 2006, 15:04"),
				"link": "/password/" + t, "link_label": "Set your password"}})
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}
