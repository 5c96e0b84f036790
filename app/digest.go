package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/training"
)

// The weekly digest of a manager's line (/digest, .pdf, .txt): this week's
// snapshot against last week's (the counts, who became not ready and why,
// at risk, or ready), then what needs doing now: certificates expiring in
// the next 30 days, people overdue, re-observations due. What it holds is
// read by training (Service.Digest); this file renders it.

// The digest's lists and counts are training's (training.Service.Digest,
// shared with the Monday e-mail); these names keep the page's code short.
type (
	digestItem  = training.DigestItem
	digestList  = training.DigestList
	digestCount = training.DigestCount
)

// digestReobserveDays: re-observations due within this many days are listed.
const digestReobserveDays = training.DigestReobserveDays

// digest is a manager's week with the page's title and scope.
type digest struct {
	*training.Digest
	Title, Scope string
}

// loadDigest reads the digest of mgr's line (nil: everyone).
func (s *Server) loadDigest(ctx context.Context, mgr *people.Employee) (*digest, error) {
	d, err := s.training.Digest(ctx, mgr, s.courses.Now())
	if err != nil {
		return nil, err
	}
	out := &digest{Digest: d, Title: "Weekly digest: everyone", Scope: "Everyone in the company."}
	if mgr != nil {
		out.Title, out.Scope = "Weekly digest: "+mgr.Name(), teamScope(mgr)
	}
	return out, nil
}

// digestScope is the digest's manager: ?manager=NUMBER (their line; a
// manager only within their own), HR without it everyone, a manager their line.
func (s *Server) digestOf(c *fiber.Ctx) (*digest, error) {
	mgr, err := s.lineScope(c, true)
	if err != nil {
		return nil, err
	}
	return s.loadDigest(c.UserContext(), mgr)
}

// digestShow is GET /digest.
func (s *Server) digestShow(c *fiber.Ctx) error {
	d, err := s.digestOf(c)
	if err != nil {
		return err
	}
	q := ""
	if d.Manager != nil && c.Query("manager") != "" {
		q = "?manager=" + d.Manager.Number
	}
	return s.render(c, "digest/show", fiber.Map{"Title": d.Title, "D": d, "Query": q, "SeesEveryone": principal(c).SeesEveryone()})
}

// digestPDF is GET /digest.pdf.
func (s *Server) digestPDF(c *fiber.Ctx) error {
	d, err := s.digestOf(c)
	if err != nil {
		return err
	}
	b, err := digestDocument(s.docs, d)
	if err != nil {
		return err
	}
	sendPDF(c, digestFileName(d)+".pdf", b)
	return nil
}

// digestText is GET /digest.txt: the digest as plain text, for e-mail.
func (s *Server) digestText(c *fiber.Ctx) error {
	d, err := s.digestOf(c)
	if err != nil {
		return err
	}
	download(c, "text/plain; charset=utf-8", "inline", digestFileName(d)+".txt")
	return c.SendString(digestPlain(d))
}

func digestFileName(d *digest) string {
	who := "everyone"
	if d.Manager != nil {
		who = d.Manager.Number
	}
	return "digest-" + who + "-" + d.Now.In(d.Loc).Format(time.DateOnly)
}

// digestSection is one list of the digest with its heading and what it says when empty.
type digestSection struct {
	ID, Heading, Empty string
	List               digestList
	Dated              string // the date column's heading ("" none)
}

// Sections are the digest's lists in order.
func (d *digest) Sections() []digestSection {
	return []digestSection{
		{"became-not-ready", "Became not ready this week, and why", "Nobody became not ready.", d.NotReady, ""},
		{"became-at-risk", "Became at risk this week", "Nobody became at risk.", d.AtRisk, ""},
		{"became-ready", "Became ready this week", "Nobody became ready.", d.Ready, ""},
		{"expiring", "Certificates expiring in the next 30 days", "No certificate expires in the next 30 days.", d.Expiring, "Valid until"},
		{"overdue", "Overdue now", "Nobody is overdue.", d.Overdue, ""},
		{"reobserve", fmt.Sprintf("Re-observations due (overdue or within %d days)", digestReobserveDays), "No re-observation is due.", d.Reobserve, "Due"},
	}
}

// Comparing is the weeks compared, in words.
func (d *digest) Comparing() string {
	switch {
	case d.Week == "":
		return "No weekly snapshot yet: the scheduler takes the first this week."
	case d.Prev == "":
		return "The week beginning " + weekLong(d.Week) + " (the first snapshot: nothing to compare with)."
	}
	return "The week beginning " + weekLong(d.Week) + " compared with the week beginning " + weekLong(d.Prev) + "."
}

// digestPlain is the digest as plain text.
func digestPlain(d *digest) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("%s", d.Title)
	line("%s", strings.Repeat("=", len([]rune(d.Title))))
	line("%s", d.Scope)
	line("%s", d.Comparing())
	line("Printed %s (company time).", d.Now.In(d.Loc).Format("2 January 2006, 15:04 MST"))
	if len(d.Counts) > 0 {
		line("")
		line("This week against last week")
		for _, c := range d.Counts {
			line("  %-10s %6d  (last week %d, %s)", c.Label+":", c.This, c.Last, c.Change())
		}
	}
	for _, sec := range d.Sections() {
		line("")
		line("%s (%d)", sec.Heading, sec.List.Total)
		if sec.List.Total == 0 {
			line("  %s", sec.Empty)
		}
		for _, it := range sec.List.Items {
			date := ""
			if it.Date != "" {
				date = " — " + strings.ToLower(sec.Dated) + " " + it.Date
			}
			line("  - %s (%s): %s%s", it.Name, it.Number, it.Detail, date)
		}
		if n := sec.List.More(); n > 0 {
			line("  … and %d more.", n)
		}
	}
	return b.String()
}

// digestDocument is the digest as a PDF report.
func digestDocument(r *certdoc.Renderer, d *digest) ([]byte, error) {
	company := d.Company
	if company == "" {
		company = "Service Academy"
	}
	printed := d.Now.In(d.Loc).Format("2 January 2006, 15:04 MST")
	doc := r.NewReport(d.Title, company+" · printed "+printed, d.Now)
	doc.Heading(1, d.Title)
	doc.Text(d.Scope, false)
	doc.Text(d.Comparing()+" Printed "+printed+".", true)
	if len(d.Counts) > 0 {
		doc.Heading(2, "This week against last week")
		var rows [][]string
		for _, c := range d.Counts {
			rows = append(rows, []string{c.Label, fmt.Sprint(c.This), fmt.Sprint(c.Last), c.Change()})
		}
		doc.Table([]certdoc.Column{{Title: "", Width: 2}, {Title: "This week", Width: 1.2, Right: true},
			{Title: "Last week", Width: 1.2, Right: true}, {Title: "Change", Width: 1.4, Right: true}}, rows)
	}
	for _, sec := range d.Sections() {
		doc.Heading(2, fmt.Sprintf("%s (%d)", sec.Heading, sec.List.Total))
		if sec.List.Total == 0 {
			doc.Text(sec.Empty, false)
			continue
		}
		cols := []certdoc.Column{{Title: "Name", Width: 2.2}, {Title: "Number", Width: 1.1}, {Title: "Detail", Width: 5}}
		if sec.Dated != "" {
			cols = append(cols, certdoc.Column{Title: sec.Dated, Width: 1.4})
		}
		var rows [][]string
		for _, it := range sec.List.Items {
			rows = append(rows, []string{it.Name, it.Number, dash(it.Detail), dash(it.Date)})
		}
		doc.Table(cols, rows)
		if n := sec.List.More(); n > 0 {
			doc.Text(fmt.Sprintf("… and %d more.", n), true)
		}
	}
	return doc.Bytes()
}
