package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
)

// transcriptPDF downloads an employee's transcript as a PDF (the same
// access as the page).
func (s *Server) transcriptPDF(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	return s.sendTranscriptPDF(c, e)
}

// myTranscriptPDF is the signed-in employee's own transcript as a PDF.
func (s *Server) myTranscriptPDF(c *fiber.Ctx) error {
	return s.sendTranscriptPDF(c, principal(c).Employee)
}

func (s *Server) sendTranscriptPDF(c *fiber.Ctx, e *people.Employee) error {
	ctx := c.UserContext()
	t, err := s.transcriptOf(ctx, e)
	if err != nil {
		return err
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return err
	}
	now := s.courses.Now()
	b, err := transcriptDocument(s.docs, e, t, prof.Name, now)
	if err != nil {
		return err
	}
	name := "transcript-" + e.Number + "-" + now.In(t.Loc).Format(time.DateOnly) + ".pdf"
	sendPDF(c, name, b)
	return nil
}

// transcriptDocument lays the transcript out as a report.
func transcriptDocument(r *certdoc.Renderer, e *people.Employee, t *transcript, company string, now time.Time) ([]byte, error) {
	day := func(tm *time.Time) string {
		if tm == nil {
			return "—"
		}
		return tm.In(t.Loc).Format("2 Jan 2006")
	}
	lastDay := func(tm *time.Time) string {
		if tm == nil {
			return "—"
		}
		return validUntil(t.Loc, tm)
	}
	iso := func(d string) string {
		if d == "" {
			return "—"
		}
		if v, err := time.Parse(time.DateOnly, d); err == nil {
			return v.Format("2 Jan 2006")
		}
		return d
	}
	rp := r.NewReport("Transcript: "+e.Name(), company+" · printed "+now.In(t.Loc).Format("2 Jan 2006 15:04 MST"), now)
	rp.Heading(1, "Transcript: "+e.Name())
	facts := []string{"Employee " + e.Number}
	for _, f := range []string{e.JobTitle, e.Department, e.Location} {
		if f != "" {
			facts = append(facts, f)
		}
	}
	rp.Text(strings.Join(facts, " · "), true)
	rp.Text("Every programme cycle, course completion, quiz attempt and role-play observation on record, as of "+
		now.In(t.Loc).Format("2 January 2006")+". Dates are in the company's time zone ("+t.Loc.String()+").", true)

	rp.Heading(2, "Programmes")
	if len(t.Programmes) == 0 {
		rp.Text("No programmes assigned.", false)
	}
	for _, pp := range t.Programmes {
		title := pp.Programme.Title
		if pp.Assignment.ClosedAt != nil {
			title += " (closed " + day(pp.Assignment.ClosedAt) + ": " + pp.Assignment.CloseReason + ")"
		}
		rp.Heading(3, title)
		var rows [][]string
		for _, cy := range pp.Cycles {
			due := iso(cy.DueOn)
			if cy.OriginalDueOn != "" && cy.OriginalDueOn != cy.DueOn {
				due += " (first " + iso(cy.OriginalDueOn) + ")"
			}
			status := cy.Status.Label()
			if cy.ExemptAt != nil {
				status += ": " + cy.ExemptReason
			}
			if cy.ClosedAt != nil {
				status += " (closed: " + cy.CloseReason + ")"
			}
			cert := t.Certificates[cy.ID]
			if cert == "" {
				cert = "—"
			}
			rows = append(rows, []string{strconv.Itoa(cy.Cycle), status, day(&cy.AssignedAt), due, day(cy.CompletedAt), lastDay(cy.ExpiresAt), cert})
		}
		rp.Table([]certdoc.Column{{Title: "Cycle", Width: 0.8, Right: true}, {Title: "Status", Width: 2.4}, {Title: "Assigned", Width: 1.5},
			{Title: "Due", Width: 2}, {Title: "Completed", Width: 1.5}, {Title: "Valid until", Width: 1.5}, {Title: "Certificate", Width: 2.2}}, rows)
		for _, ext := range pp.Extensions {
			by := ext.ByName
			if by == "" {
				by = "—"
			}
			rp.Text(fmt.Sprintf("Cycle %d extended from %s to %s by %s on %s: %s", ext.Cycle, iso(ext.FromDue), iso(ext.ToDue), by,
				day(&ext.At), ext.Reason), true)
		}
	}

	rp.Heading(2, "Course completions")
	rows := [][]string{}
	for _, cc := range t.Completions {
		at := cc.CompletedAt
		title := cc.Title
		if cc.Imported { // a historical completion from another system
			title += " (imported"
			if cc.Source != "" {
				title += " from " + cc.Source
			}
			title += ")"
		}
		rows = append(rows, []string{title, "v" + strconv.Itoa(cc.Version), day(&at)})
	}
	if len(rows) == 0 {
		rp.Text("No course completed yet.", false)
	} else {
		rp.Table([]certdoc.Column{{Title: "Course", Width: 6}, {Title: "Version", Width: 1, Right: true}, {Title: "Completed", Width: 2}}, rows)
	}

	rp.Heading(2, "Quiz attempts")
	rows = nil
	for _, a := range t.Attempts {
		score := a.ScoreText
		if score == "" {
			score = "—"
		}
		result := a.Result
		if a.Late {
			result += " (late)"
		}
		started := a.StartedAt
		rows = append(rows, []string{a.QuizTitle, a.CourseTitle, day(&started), score, result})
	}
	if len(rows) == 0 {
		rp.Text("No quiz attempts.", false)
	} else {
		rp.Table([]certdoc.Column{{Title: "Quiz", Width: 3}, {Title: "Course", Width: 3}, {Title: "Started", Width: 1.6},
			{Title: "Score", Width: 1, Right: true}, {Title: "Result", Width: 1.4}}, rows)
	}

	rp.Heading(2, "Role-play observations")
	rows = nil
	for _, o := range t.Observations {
		result := "not passed"
		if o.Passed {
			result = "passed"
		}
		if len(o.FailedCritical) > 0 {
			result += "; critical item below Fully: " + strings.Join(o.FailedCritical, "; ")
		}
		if o.Superseded {
			result += " (amended later)"
		}
		score := o.Score
		if score == "" {
			score = "—"
		}
		rows = append(rows, []string{o.Checklist, o.Assessor, day(o.SignedOffAt), score, result})
	}
	if len(rows) == 0 {
		rp.Text("No role-play observations.", false)
	} else {
		rp.Table([]certdoc.Column{{Title: "Role-play", Width: 3}, {Title: "Assessor", Width: 2}, {Title: "Signed off", Width: 1.6},
			{Title: "Score", Width: 1, Right: true}, {Title: "Result", Width: 3.4}}, rows)
	}
	return rp.Bytes()
}
