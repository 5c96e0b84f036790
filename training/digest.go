package training

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// The weekly digest of a manager's line: this week's snapshot against last
// week's (the counts, who became not ready and why, at risk, or ready),
// then what needs doing now: certificates expiring in the next 30 days,
// people overdue, re-observations due. The /digest pages show it and the
// scheduler's Monday e-mail sums it up (sendDigests).

// DigestListLimit is the most people each list of a digest names.
const DigestListLimit = 100

// DigestReobserveDays: re-observations due within this many days are listed.
const DigestReobserveDays = 7

// DigestItem is one line of a digest list.
type DigestItem struct {
	Number, Name, Detail string
	Date                 string // company-local, in words
}

// DigestList is a list with how many there are in all.
type DigestList struct {
	Items []DigestItem
	Total int
}

func (l *DigestList) add(it DigestItem) {
	l.Total++
	if len(l.Items) < DigestListLimit {
		l.Items = append(l.Items, it)
	}
}

// More is how many the list leaves out.
func (l DigestList) More() int { return l.Total - len(l.Items) }

// DigestCount is one readiness's count this week and last.
type DigestCount struct {
	Label      string
	This, Last int
}

// Change is the difference in words ("+2", "−1", "no change").
func (d DigestCount) Change() string {
	switch n := d.This - d.Last; {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprintf("−%d", -n)
	}
	return "no change"
}

// Digest is a manager's week.
type Digest struct {
	Manager                      *people.Employee // nil: everyone
	Week, Prev                   string           // the snapshot weeks compared
	Counts                       []DigestCount    // People, Ready, At risk, Not ready
	NotReady, AtRisk, Ready      DigestList       // who became each, this week
	Expiring, Overdue, Reobserve DigestList
	Now                          time.Time
	Loc                          *time.Location
	Company                      string
}

// Count is the count labelled label this week (0 when there is no snapshot).
func (d *Digest) Count(label string) int {
	for _, c := range d.Counts {
		if c.Label == label {
			return c.This
		}
	}
	return 0
}

// readinessWord is a readiness in words, "new here" for none.
func readinessWord(r courses.Readiness) string {
	if r == "" {
		return "not in last week's snapshot"
	}
	return r.Label()
}

// Digest reads the digest of mgr's line (nil: everyone) at now.
func (s *Service) Digest(ctx context.Context, mgr *people.Employee, now time.Time) (*Digest, error) {
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return nil, err
	}
	d := &Digest{Manager: mgr, Now: now, Loc: loc, Company: prof.Name}
	var rf courses.ReadinessFilter
	active := true
	ef := people.EmployeeFilter{Active: &active}
	if mgr != nil {
		rf.LineOf, ef.LineOf = mgr.ID, mgr.ID
	}

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
				it := DigestItem{Number: c.Number, Name: c.Name, Detail: "was " + strings.ToLower(readinessWord(c.From))}
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
		d.Counts = []DigestCount{{"People", this.Headcount, last.Headcount}, {"Ready", this.Ready, last.Ready},
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
		it := DigestItem{Number: c.EmployeeNumber, Name: c.EmployeeName, Detail: c.Achievement + " (certificate " + c.Code + ")"}
		if c.ExpiresAt != nil {
			it.Date = localDay(loc, c.ExpiresAt.Add(-time.Second)) // the last valid day
		}
		d.Expiring.add(it)
	}
	overdue, sum, _, err := s.courses.ReadinessList(ctx, courses.ReadinessFilter{LineOf: rf.LineOf, Reason: courses.ReasonOverdue, Limit: DigestListLimit})
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
		d.Overdue.add(DigestItem{Number: e.Number, Name: e.Name, Detail: strings.Join(what, "; ")})
	}
	due, err := s.observations.DueReobservations(ctx, now.In(loc).AddDate(0, 0, DigestReobserveDays))
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
			when = dayWords(*o.ReobserveDue)
		}
		signed := ""
		if o.SignedOffAt != nil {
			signed = localDay(loc, *o.SignedOffAt)
		}
		detail := "Role-play “" + title + "”, not passed on " + signed
		if o.ReobserveDue != nil && *o.ReobserveDue < now.In(loc).Format(time.DateOnly) {
			detail += "; the re-observation is overdue"
		}
		d.Reobserve.add(DigestItem{Number: o.EmployeeNumber, Name: o.EmployeeName, Detail: detail, Date: when})
	}
	return d, nil
}
