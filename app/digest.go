package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
)

// The weekly digest of a manager's line (/digest, .pdf, .txt): this week's
// snapshot against last week's (the counts, who became not ready and why,
// at risk, or ready), then what needs doing now: certificates expiring in
// the next 30 days, people overdue, re-observations due.

// digestListLimit is the most people each list of a digest names.
const digestListLimit = 100

// digestReobserveDays: re-observations due within this many days are listed.
const digestReobserveDays = 7

// digestItem is one line of a digest list.
type digestItem struct {
	Number, Name, Detail string
	Date                 string // company-local, in words
}

// digestList is a list with how many there are in all.
type digestList struct {
	Items []digestItem
	Total int
}

func (l *digestList) add(it digestItem) {
	l.Total++
	if len(l.Items) < digestListLimit {
		l.Items = append(l.Items, it)
	}
}

// More is how many the list leaves out.
func (l digestList) More() int { return l.Total - len(l.Items) }

// digestCount is one readiness's count this week and last.
type digestCount struct {
	Label      string
	This, Last int
}

// Change is the difference in words ("+2", "−1", "no change").
func (d digestCount) Change() string {
	switch n := d.This - d.Last; {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprintf("−%d", -n)
	}
	return "no change"
}

// digest is a manager's week.
type digest struct {
	Title, Scope                 string
	Manager                      *people.Employee // nil: everyone
	Week, Prev                   string           // the snapshot weeks compared
	Counts                       []digestCount
	NotReady, AtRisk, Ready      digestList // who became each, this week
	Expiring, Overdue, Reobserve digestList
	Now                          time.Time
	Loc                          *time.Location
	Company                      string
}

// loadDigest reads the digest of mgr's line (nil: everyone).
func (s *Server) loadDigest(ctx context.Context, mgr *people.Employee) (*digest, error) {
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return nil, err
	}
	now := s.courses.Now()
	d := &digest{Manager: mgr, Now: now, Loc: loc, Company: prof.Name, Title: "Weekly digest: everyone", Scope: "Everyone in the company."}
	var rf courses.ReadinessFilter
	active := true
	ef := people.EmployeeFilter{Active: &active}
	if mgr != nil {
		rf.LineOf, ef.LineOf = mgr.ID, mgr.ID
		d.Title, d.Scope = "Weekly digest: "+mgr.Name(), teamScope(mgr)
	}
	day := func(iso string) string { return localDate(loc, iso) }

	weeks, err := s.courses.SnapshotWeeks(ctx)
	if err != nil {
		return nil, err
	}
	if len(weeks) > 0 {
		d.Week = weeks[0]
		this, err := s.courses.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: rf.LineOf, AsOf: d.Week})
		if err != nil {
			return nil, err
		}
		var last courses.ReadinessSummary
		if len(weeks) > 1 {
			d.Prev = weeks[1]
			if last, err = s.courses.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: rf.LineOf, AsOf: d.Prev}); err != nil {
				return nil, err
			}
			changes, err := s.courses.ReadinessChanges(ctx, rf, d.Week, d.Prev)
			if err != nil {
				return nil, err
			}
			for _, c := range changes {
				it := digestItem{Number: c.Number, Name: c.Name, Detail: "was " + strings.ToLower(readinessWord(c.From))}
				if len(c.Reasons) > 0 && c.To != courses.Ready {
					var why []string
					for _, r := range c.Reasons {
						why = append(why, r.Detail)
					}
					it.Detail += "; " + strings.Join(why, "; ")
				}
				switch c.To {
				case courses.NotReady:
					d.NotReady.add(it)
				case courses.AtRisk:
					d.AtRisk.add(it)
				case courses.Ready:
					d.Ready.add(it)
				}
			}
		}
		d.Counts = []digestCount{{"People", this.Headcount, last.Headcount}, {"Ready", this.Ready, last.Ready},
			{"At risk", this.AtRisk, last.AtRisk}, {"Not ready", this.NotReady, last.NotReady}}
	}

	// Now: certificates expiring, people overdue, re-observations due.
	var ids []int64 // nil: everyone
	if mgr != nil {
		if ids, err = s.people.EmployeeIDs(ctx, ef); err != nil {
			return nil, err
		}
		if ids == nil {
			ids = []int64{}
		}
	}
	certs, _, err := s.courses.ListCertificates(ctx, courses.CertFilter{EmployeeIDs: ids, ExpiringDays: 30})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(certs, func(a, b courses.Certificate) int { return a.ExpiresAt.Compare(*b.ExpiresAt) })
	for _, c := range certs {
		d.Expiring.add(digestItem{Number: c.EmployeeNumber, Name: c.EmployeeName, Detail: c.Achievement + " (certificate " + c.Code + ")",
			Date: localDate(loc, c.ExpiresAt)})
	}
	overdue, sum, _, err := s.courses.ReadinessList(ctx, courses.ReadinessFilter{LineOf: rf.LineOf, Reason: courses.ReasonOverdue, Limit: digestListLimit})
	if err != nil {
		return nil, err
	}
	d.Overdue.Total = sum.Headcount - len(overdue) // add counts each listed one
	for _, e := range overdue {
		var what []string
		for _, r := range e.Reasons {
			if r.Kind == courses.ReasonOverdue {
				what = append(what, r.Detail)
			}
		}
		d.Overdue.add(digestItem{Number: e.Number, Name: e.Name, Detail: strings.Join(what, "; ")})
	}
	due, err := s.observations.DueReobservations(ctx, now.In(loc).AddDate(0, 0, digestReobserveDays))
	if err != nil {
		return nil, err
	}
	inLine := make(map[int64]bool, len(ids))
	for _, id := range ids {
		inLine[id] = true
	}
	for _, o := range due {
		if ids != nil && !inLine[o.EmployeeID] {
			continue
		}
		title := o.ChecklistSlug
		if o.Checklist != nil {
			title = o.Checklist.Title
		}
		when := ""
		if o.ReobserveDue != nil {
			when = day(*o.ReobserveDue)
		}
		detail := "Role-play “" + title + "”, not passed on " + localDate(loc, o.SignedOffAt)
		if o.ReobserveDue != nil && *o.ReobserveDue < now.In(loc).Format(time.DateOnly) {
			detail += "; the re-observation is overdue"
		}
		d.Reobserve.add(digestItem{Number: o.EmployeeNumber, Name: o.EmployeeName, Detail: detail, Date: when})
	}
	return d, nil
}

// readinessWord is a readiness in words, "new here" for none.
func readinessWord(r courses.Readiness) string {
	if r == "" {
		return "not in last week's snapshot"
	}
	return r.Label()
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
		{"expiring", "Certificates expiring in the next 30 days", "No certificate expires in the next 30 days.", d.Expiring, "Expires"},
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
