package training

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/notify"
)

// The reminders the scheduler queues (Remind), each on its local day in the
// company's time zone and keyed by that day, so a run every minute queues
// each once:
//
//   - the learner, from each programme's ladder (courses.Ladder): due soon
//     and overdue combined into ONE message a day ("day:YYYY-MM-DD"), of
//     kind overdue when anything is overdue, else due soon;
//   - a manager whose people reach a manager step that day: ONE message
//     listing them all ("team:MANAGER:YYYY-MM-DD");
//   - HR (active employees with the hr role): ONE message a day listing
//     everyone who reached an HR step ("hr:YYYY-MM-DD");
//   - a certificate expiring, from the programme's ladder
//     ("certificate:ID:expiring:DAYS"), unless a newer cycle is complete;
//   - a re-observation due that day, to its assessor ("reobserve:ID");
//   - on Monday from 07:00, the weekly digest to each manager
//     ("digest:MANAGER:ISOWEEK").
//
// A day missed (the scheduler down all day) is not caught up: each step
// fires on its day or not at all, never late and never twice.

// listLimit is the most people an escalation's body lists.
const listLimit = 50

// digestHour is the local hour on Monday from which the digests go.
const digestHour = 7

// RemindReport counts what one run queued (rows, in-app and e-mail).
type RemindReport struct {
	Learners, Managers, HR, Expiring, Reobserve, Digests int
}

// Total is every row queued.
func (r *RemindReport) Total() int {
	return r.Learners + r.Managers + r.HR + r.Expiring + r.Reobserve + r.Digests
}

// Remind queues the reminders that fall on now's day in the company's
// time zone (see above). It is idempotent: a second run the same day
// queues nothing new. The scheduler runs it after Tick, under its lease.
func (s *Service) Remind(ctx context.Context, now time.Time) (*RemindReport, error) {
	rep := &RemindReport{}
	if s.quiet {
		return rep, nil
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	var progs []*courses.Programme
	if err := s.db.NewSelect().Model(&progs).Where("archived_at IS NULL").Scan(ctx); err != nil {
		return nil, err
	}
	ladders := make(map[int64]ladderOf, len(progs))
	for _, p := range progs {
		ladders[p.ID] = ladderOf{p: p, l: p.Ladder()}
	}
	day := localMidnight(now, loc)
	if err := s.remindCycles(ctx, now, day, ladders, rep); err != nil {
		return nil, fmt.Errorf("reminders: %w", err)
	}
	if err := s.remindExpiring(ctx, now, day, loc, ladders, rep); err != nil {
		return nil, fmt.Errorf("certificates expiring: %w", err)
	}
	if err := s.remindReobserve(ctx, now, day, rep); err != nil {
		return nil, fmt.Errorf("re-observations: %w", err)
	}
	if err := s.sendDigests(ctx, now, loc, rep); err != nil {
		return nil, fmt.Errorf("manager digests: %w", err)
	}
	return rep, nil
}

type ladderOf struct {
	p *courses.Programme
	l courses.Ladder
}

// localMidnight is now's calendar day in loc, as a UTC date (for day
// arithmetic that summer time cannot shift).
func localMidnight(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dueCycle is an open, unfinished cycle due on one of the ladder's dates.
type dueCycle struct {
	ID, EmployeeID, ProgrammeID int64
	DueOn                       string
	FirstName, LastName, Number string
	ManagerID                   *int64
	ManagerActive               *bool
}

func (c *dueCycle) name() string {
	return strings.TrimSpace(c.FirstName+" "+c.LastName) + " (" + c.Number + ")"
}

// item is one programme in a reminder.
type item struct {
	c       *dueCycle
	title   string
	days    int // until the due date (due soon) or overdue (0: the first overdue day)
	overdue bool
}

func (it item) line(withName bool) string {
	var b strings.Builder
	b.WriteString("- ")
	if withName {
		b.WriteString(it.c.name() + ": ")
	}
	b.WriteString(it.title + ", due " + dayWords(it.c.DueOn))
	if it.overdue {
		b.WriteString(", overdue " + plural(it.days+1, "day", "days"))
	} else {
		b.WriteString(", in " + plural(it.days, "day", "days"))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// remindCycles queues the learners', managers' and HR's reminders of the
// cycles whose ladder step falls on day.
func (s *Service) remindCycles(ctx context.Context, now, day time.Time, ladders map[int64]ladderOf, rep *RemindReport) error {
	var dates []string
	add := func(d time.Time) {
		if iso := d.Format(time.DateOnly); !slices.Contains(dates, iso) {
			dates = append(dates, iso)
		}
	}
	for _, lp := range ladders {
		for _, n := range lp.l.DueSoon {
			add(day.AddDate(0, 0, n))
		}
		for _, list := range [][]int{lp.l.OverdueLearner, lp.l.OverdueManager, lp.l.OverdueHR} {
			for _, n := range list {
				add(day.AddDate(0, 0, -1-n)) // overdue day n: n+1 days after the due date
			}
		}
	}
	if len(dates) == 0 {
		return nil
	}
	var cycles []dueCycle
	if err := s.db.NewSelect().TableExpr("cycles AS cy").Join("JOIN employees AS e ON e.id = cy.employee_id").
		ColumnExpr("cy.id, cy.employee_id, cy.programme_id, cy.due_on, e.first_name, e.last_name, e.number, e.manager_id").
		ColumnExpr("(SELECT m.active FROM employees AS m WHERE m.id = e.manager_id) AS manager_active").
		Where("cy.due_on IN (?) AND cy.closed_at IS NULL AND cy.completed_at IS NULL AND cy.exempt_at IS NULL", bun.In(dates)).
		Where("e.active").OrderExpr("cy.due_on, e.number, cy.id").Scan(ctx, &cycles); err != nil {
		return err
	}
	learners := map[int64][]item{}
	managers := map[int64][]item{}
	var learnerOrder, managerOrder []int64
	var hr []item
	for i := range cycles {
		c := &cycles[i]
		lp, ok := ladders[c.ProgrammeID]
		if !ok {
			continue
		}
		due, err := time.Parse(time.DateOnly, c.DueOn)
		if err != nil {
			continue
		}
		until := int(due.Sub(day).Hours() / 24)
		if until > 0 && slices.Contains(lp.l.DueSoon, until) {
			if learners[c.EmployeeID] == nil {
				learnerOrder = append(learnerOrder, c.EmployeeID)
			}
			learners[c.EmployeeID] = append(learners[c.EmployeeID], item{c: c, title: lp.p.Title, days: until})
		}
		if until >= 0 {
			continue
		}
		over := -until - 1
		it := item{c: c, title: lp.p.Title, days: over, overdue: true}
		if slices.Contains(lp.l.OverdueLearner, over) {
			if learners[c.EmployeeID] == nil {
				learnerOrder = append(learnerOrder, c.EmployeeID)
			}
			learners[c.EmployeeID] = append(learners[c.EmployeeID], it)
		}
		if slices.Contains(lp.l.OverdueManager, over) && c.ManagerID != nil && c.ManagerActive != nil && *c.ManagerActive {
			if managers[*c.ManagerID] == nil {
				managerOrder = append(managerOrder, *c.ManagerID)
			}
			managers[*c.ManagerID] = append(managers[*c.ManagerID], it)
		}
		if slices.Contains(lp.l.OverdueHR, over) {
			hr = append(hr, it)
		}
	}
	iso := day.Format(time.DateOnly)

	// The learners: one message a day each.
	var evs []notify.Event
	for _, id := range learnerOrder {
		evs = append(evs, learnerEvent(id, learners[id], iso))
	}
	evs, err := s.notSentToday(ctx, evs)
	if err != nil {
		return err
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := notify.EnqueueMany(ctx, tx, now, evs)
		rep.Learners += n
		return err
	})
	if err != nil {
		return err
	}

	// Managers and HR: one message a day each, listing their people.
	evs = evs[:0]
	for _, id := range managerOrder {
		evs = append(evs, teamEvent("team:"+strconv.FormatInt(id, 10)+":"+iso, []int64{id}, managers[id], "/team", "Open your team"))
	}
	var hrEv []notify.Event
	if len(hr) > 0 {
		to, err := hrRecipients(ctx, s.db)
		if err != nil {
			return err
		}
		if len(to) > 0 {
			hrEv = append(hrEv, teamEvent("hr:"+iso, to, hr, "/readiness", "Open the readiness dashboard"))
		}
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := notify.EnqueueMany(ctx, tx, now, evs)
		if err != nil {
			return err
		}
		rep.Managers += n
		n, err = notify.EnqueueMany(ctx, tx, now, hrEv)
		rep.HR += n
		return err
	})
}

// learnerEvent is a learner's reminder of the day: overdue when anything
// is, else due soon; the first item fills the placeholders, the body lists
// them all.
func learnerEvent(id int64, items []item, iso string) notify.Event {
	slices.SortStableFunc(items, func(a, b item) int {
		if a.overdue != b.overdue {
			if a.overdue {
				return -1
			}
			return 1
		}
		return strings.Compare(a.c.DueOn, b.c.DueOn)
	})
	first := items[0]
	kind := notify.DueSoon
	days := plural(first.days, "day", "days")
	if first.overdue {
		kind = notify.Overdue
		days = plural(first.days+1, "day", "days")
	}
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = it.line(false)
	}
	return notify.Event{Kind: kind, Key: "day:" + iso, To: []int64{id}, Data: map[string]string{
		"programme": first.title, "due_date": dayWords(first.c.DueOn), "days": days, "learner": first.c.name(),
		"link": learnLink, "link_label": "Open My learning", "body": strings.Join(lines, "\n")}}
}

// teamEvent is a manager's (or HR's) escalation of the day, listing at
// most listLimit people.
func teamEvent(key string, to []int64, items []item, link, label string) notify.Event {
	people := map[int64]bool{}
	for _, it := range items {
		people[it.c.EmployeeID] = true
	}
	var lines []string
	for i, it := range items {
		if i == listLimit {
			lines = append(lines, fmt.Sprintf("… and %d more: see the list.", len(items)-listLimit))
			break
		}
		lines = append(lines, it.line(true))
	}
	return notify.Event{Kind: notify.OverdueTeam, Key: key, To: to, Data: map[string]string{
		"count": plural(len(people), "person", "people"), "link": link, "link_label": label, "body": strings.Join(lines, "\n")}}
}

// notSentToday drops the learners' events of the day when a reminder of
// either kind (due soon or overdue) was queued already that day: at most
// one reminder a day, even when a step appears later in the day; and the
// scheduler's later runs that day write nothing, not even conflicting rows.
func (s *Service) notSentToday(ctx context.Context, evs []notify.Event) ([]notify.Event, error) {
	keys := func(ev notify.Event) []string {
		var out []string
		for _, k := range []notify.Kind{notify.DueSoon, notify.Overdue} {
			for _, ch := range []notify.Channel{notify.InApp, notify.Email} {
				out = append(out, fmt.Sprintf("%s|%s|emp:%d|%s", k, ev.Key, ev.To[0], ch))
			}
		}
		return out
	}
	sent := map[string]bool{}
	for start := 0; start < len(evs); start += 250 {
		var batch []string
		for _, ev := range evs[start:min(start+250, len(evs))] {
			batch = append(batch, keys(ev)...)
		}
		var found []string
		if err := s.db.NewSelect().TableExpr("notifications").Column("idem_key").Where("idem_key IN (?)", bun.In(batch)).
			Scan(ctx, &found); err != nil {
			return nil, err
		}
		for _, k := range found {
			sent[k] = true
		}
	}
	if len(sent) == 0 {
		return evs, nil
	}
	out := evs[:0]
	for _, ev := range evs {
		if !slices.ContainsFunc(keys(ev), func(k string) bool { return sent[k] }) {
			out = append(out, ev)
		}
	}
	return out, nil
}

// expiringCert is a certificate expiring on one of the ladder's days.
type expiringCert struct {
	ID, EmployeeID, ProgrammeID int64
	Code, Achievement           string
	ExpiresAt                   time.Time
}

// remindExpiring queues "certificate expiring" for the current programme
// certificates whose expiry falls a ladder step after day, unless a newer
// cycle of the programme is complete.
func (s *Service) remindExpiring(ctx context.Context, now, day time.Time, loc *time.Location, ladders map[int64]ladderOf, rep *RemindReport) error {
	var steps []int
	for _, lp := range ladders {
		for _, n := range lp.l.Expiring {
			if !slices.Contains(steps, n) {
				steps = append(steps, n)
			}
		}
	}
	var evs []notify.Event
	for _, n := range steps {
		from, to := localStart(day.AddDate(0, 0, n), loc), localStart(day.AddDate(0, 0, n+1), loc)
		var certs []expiringCert
		if err := s.db.NewSelect().TableExpr("certificates AS ce").Join("JOIN employees AS e ON e.id = ce.employee_id").
			ColumnExpr("ce.id, ce.employee_id, ce.programme_id, ce.code, ce.achievement, ce.expires_at").
			Where("ce.expires_at >= ? AND ce.expires_at < ?", from, to).
			Where("ce.course_slug = '' AND ce.revoked_at IS NULL AND ce.superseded_at IS NULL AND e.active").
			Where("NOT EXISTS (SELECT 1 FROM cycles AS n WHERE n.employee_id = ce.employee_id AND n.programme_id = ce.programme_id AND n.completed_at > ce.issued_at)").
			OrderExpr("ce.id").Scan(ctx, &certs); err != nil {
			return err
		}
		for _, c := range certs {
			lp, ok := ladders[c.ProgrammeID]
			if !ok || !slices.Contains(lp.l.Expiring, n) {
				continue
			}
			evs = append(evs, notify.Event{Kind: notify.CertificateExpiring, Key: fmt.Sprintf("certificate:%d:expiring:%d", c.ID, n),
				To: []int64{c.EmployeeID}, Data: map[string]string{"programme": c.Achievement, "expires": localDay(loc, c.ExpiresAt.Add(-time.Second)), // the last valid day
					"certificate": c.Code, "link": learnLink, "link_label": "Renew on My learning",
					"body": "Complete the programme again by then to stay certified."}})
		}
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := notify.EnqueueMany(ctx, tx, now, evs)
		rep.Expiring += n
		return err
	})
}

// localStart is the moment the calendar day d (a UTC date) starts in loc.
func localStart(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC()
}

// remindReobserve queues "re-observation due" to the assessor of each
// failed observation whose re-observation is due on day and not passed
// since.
func (s *Service) remindReobserve(ctx context.Context, now, day time.Time, rep *RemindReport) error {
	var due []struct {
		ID, EmployeeID, AssessorID int64
		Checklist, Number          string
		FirstName, LastName        string
		ReobserveDue               string
	}
	if err := s.db.NewSelect().TableExpr("observations AS o").Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
		Join("JOIN employees AS e ON e.id = o.employee_id").Join("JOIN employees AS a ON a.id = o.assessor_id").
		ColumnExpr("o.id, o.employee_id, o.assessor_id, cl.title AS checklist, e.number, e.first_name, e.last_name, o.reobserve_due").
		Where("o.status = 'signed_off' AND NOT o.passed AND o.reobserve_due = ?", day.Format(time.DateOnly)).
		Where("e.active AND a.active").
		Where(`NOT EXISTS (SELECT 1 FROM observations AS n WHERE n.employee_id = o.employee_id
			AND n.checklist_id = o.checklist_id AND n.status = 'signed_off' AND n.signed_off_at > o.signed_off_at)`).
		OrderExpr("o.id").Scan(ctx, &due); err != nil {
		return err
	}
	var evs []notify.Event
	for _, o := range due {
		learner := strings.TrimSpace(o.FirstName+" "+o.LastName) + " (" + o.Number + ")"
		evs = append(evs, notify.Event{Kind: notify.ReobservationDue, Key: "reobserve:" + strconv.FormatInt(o.ID, 10), To: []int64{o.AssessorID},
			Data: map[string]string{"checklist": o.Checklist, "learner": learner, "due_date": dayWords(o.ReobserveDue),
				"link": "/people/" + url.PathEscape(o.Number) + "/observe", "link_label": "Observe " + strings.TrimSpace(o.FirstName+" "+o.LastName)}})
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := notify.EnqueueMany(ctx, tx, now, evs)
		rep.Reobserve += n
		return err
	})
}

// digestBatch is the most digests one scheduler run works out: a company
// with thousands of managers has theirs spread over the next runs.
const digestBatch = 1000

// sendDigests queues, on Monday from digestHour company time, the weekly
// digest to each active manager (an employee with active people reporting
// to them) who has not had this week's: the digest the /digest page shows
// (Service.Digest), summed up, with a link to it.
func (s *Service) sendDigests(ctx context.Context, now time.Time, loc *time.Location, rep *RemindReport) error {
	local := now.In(loc)
	if local.Weekday() != time.Monday || local.Hour() < digestHour {
		return nil
	}
	var enabled *bool
	err := s.db.NewSelect().TableExpr("notification_kinds").Column("enabled").Where("kind = ?", notify.ManagerDigest).Scan(ctx, &enabled)
	if err == nil && enabled != nil && !*enabled {
		return nil // switched off by HR: nothing to work out
	}
	y, w := local.ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	var managers []int64
	if err := s.db.NewSelect().TableExpr("employees AS m").Column("m.id").
		Where("m.active AND EXISTS (SELECT 1 FROM employees AS r WHERE r.manager_id = m.id AND r.active)").
		// This week's in-app row (always written) found by its unique key; and
		// those who turned digests off are not worked out again every run.
		Where("NOT EXISTS (SELECT 1 FROM notifications AS n WHERE n.idem_key = ? || m.id || ? || m.id || ?)",
			string(notify.ManagerDigest)+"|digest:", ":"+week+"|emp:", "|"+string(notify.InApp)).
		Where("NOT EXISTS (SELECT 1 FROM notification_optouts AS o WHERE o.employee_id = m.id AND o.kind = ?)", notify.ManagerDigest).
		OrderExpr("m.id").Limit(digestBatch).Scan(ctx, &managers); err != nil {
		return err
	}
	var evs []notify.Event
	for _, id := range managers {
		mgr, err := s.people.FindEmployee(ctx, id)
		if err != nil {
			return err
		}
		d, err := s.Digest(ctx, mgr, now)
		if err != nil {
			return err
		}
		ready, total := d.Count("Ready"), d.Count("People")
		if d.Week == "" { // no snapshot yet: readiness now
			sum, err := s.courses.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: id})
			if err != nil {
				return err
			}
			ready, total = sum.Ready, sum.Headcount
		}
		body := []string{fmt.Sprintf("Ready: %d of %s · at risk: %d · not ready: %d.", ready, plural(total, "person", "people"),
			d.Count("At risk"), d.Count("Not ready"))}
		if d.Week != "" && d.Prev != "" {
			body = append(body, fmt.Sprintf("This week %s became not ready, %s at risk and %s ready.",
				plural(d.NotReady.Total, "person", "people"), plural(d.AtRisk.Total, "person", "people"), plural(d.Ready.Total, "person", "people")))
		}
		body = append(body, fmt.Sprintf("Now: %s overdue, %s expiring in the next 30 days, %s due.",
			plural(d.Overdue.Total, "person", "people"), plural(d.Expiring.Total, "certificate", "certificates"),
			plural(d.Reobserve.Total, "re-observation", "re-observations")))
		evs = append(evs, notify.Event{Kind: notify.ManagerDigest, Key: fmt.Sprintf("digest:%d:%s", id, week), To: []int64{id},
			Data: map[string]string{"ready": strconv.Itoa(ready), "total": strconv.Itoa(total), "body": strings.Join(body, "\n\n"),
				"link": "/digest", "link_label": "Open the full digest", "link2": "/digest.pdf", "link2_label": "The digest as a PDF"}})
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := notify.EnqueueMany(ctx, tx, now, evs)
		rep.Digests += n
		return err
	})
}
