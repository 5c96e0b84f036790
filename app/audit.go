package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
)

// The audit log for HR and admins: filters, pages of entries newest first,
// and a CSV export of everything the filters match.

// auditAction is a known action and what it means in words.
type auditAction struct{ Action, Label string }

// auditGroup is the actions sharing a prefix ("assignment."), for the action filter.
type auditGroup struct {
	Prefix, Label string
	Actions       []auditAction
}

// auditGroups lists the known actions by group, in the order the filter offers them.
var auditGroups = []auditGroup{
	{"assignment.", "Assignments", []auditAction{
		{"assignment.create", "Programme assigned"}, {"assignment.extend", "Due date extended"},
		{"assignment.exempt", "Exempted"}, {"assignment.unexempt", "Exemption lifted"},
		{"assignment.close", "Assignment closed"}, {"assignment.recertify", "Recertification started"}}},
	{"rule.", "Audience rules", []auditAction{
		{"rule.create", "Audience rule created"}, {"rule.update", "Audience rule changed"},
		{"rule.delete", "Audience rule deleted"}, {"rule.evaluate", "Audience rules re-evaluated"}}},
	{"programme.", "Programmes", []auditAction{
		{"programme.create", "Programme created"}, {"programme.update", "Programme changed"},
		{"programme.archive", "Programme archived"}, {"programme.delete", "Programme deleted"},
		{"programme.complete", "Programme completed"}}},
	{"certificate.", "Certificates", []auditAction{
		{"certificate.issue", "Certificate issued"}, {"certificate.revoke", "Certificate revoked"},
		{"certificate.reissue", "Certificate reissued"}, {"certificate.download", "Certificates downloaded"},
		{"certificate.settings", "Certificate settings changed"}}},
	{"observation.", "Role-play observations", []auditAction{
		{"observation.signoff", "Observation signed off"}, {"observation.amend", "Observation amended"}}},
	{"essay.", "Essays", []auditAction{{"essay.grade", "Essay graded"}}},
	{"employee.", "Employees", []auditAction{
		{"employee.create", "Employee added"}, {"employee.update", "Employee changed"},
		{"employee.deactivate", "Employee deactivated"}, {"employee.reactivate", "Employee reactivated"},
		{"employee.roles", "Roles changed"}}},
	{"employees.", "Employee imports", []auditAction{{"employees.import", "Employees imported from CSV"}}},
	{"password.", "Passwords", []auditAction{
		{"password.link", "Password link created"}, {"password.set", "Password set with a link"}}},
	{"access.", "Refused actions", []auditAction{{"access.refused", "Action refused (roles, HR and admin people)"}}},
	{"token.", "API tokens", []auditAction{{"token.create", "API token created"}, {"token.revoke", "API token revoked"}}},
	{"course.", "Courses", []auditAction{
		{"course.create", "Course created"}, {"course.copy", "Course copied"}, {"course.publish", "Course published"},
		{"course.discard", "Draft discarded"}, {"course.import", "Course imported"}}},
	{"lesson.", "Lessons", []auditAction{{"lesson.save", "Lesson saved"}}},
	{"question.", "Questions", []auditAction{{"question.save", "Question saved"}, {"question.retire", "Question retired"}}},
	{"questions.", "Question imports", []auditAction{{"questions.import", "Questions imported"}}},
	{"quiz.", "Quizzes", []auditAction{{"quiz.save", "Quiz settings saved"}}},
	{"checklist.", "Role-play checklists", []auditAction{{"checklist.save", "Checklist saved"}, {"checklist.copy", "Checklist copied"}}},
	{"company.", "Company settings", []auditAction{
		{"company.update", "Company settings changed"}, {"company.promises", "Service promises changed"},
		{"company.logo", "Logo changed"}}},
	{"measure.", "Service measures", []auditAction{
		{"measure.create", "Measure added"}, {"measure.update", "Measure changed"},
		{"measure.archive", "Measure archived"}, {"measure.restore", "Measure restored"}}},
	{"outcomes.", "Outcome imports", []auditAction{{"outcomes.import", "Outcome events imported"}}},
	{"org.", "Organisation lists", []auditAction{{"org.create", "Department, location or job title added"}, {"org.rename", "Renamed"}}},
	{"notification.", "Notifications", []auditAction{
		{"notification.kind", "Notification wording or switch changed"},
		{"notification.preferences", "Notification choices changed"},
		{"notification.unsubscribe", "Unsubscribed by e-mail link"}}},
	{"admin.", "Administrators", []auditAction{{"admin.create", "Administrator created on the command line"}}},
	{"demo.", "Demo", []auditAction{{"demo.load", "Demo organisation loaded"}}},
	{"notification.", "E-mails", []auditAction{{"notification.resend", "E-mail resent"}, {"notification.test", "Test e-mail sent"}}},
}

// auditLabels maps every known action and group prefix to its words.
var auditLabels = func() map[string]string {
	m := map[string]string{}
	for _, g := range auditGroups {
		m[g.Prefix] = g.Label
		for _, a := range g.Actions {
			m[a.Action] = a.Label
		}
	}
	return m
}()

// auditFilterFields is the order of the filter form's fields, for the error summary.
var auditFilterFields = []string{"action", "actor", "subject", "from", "to", "detail", "before", "limit"}

// newAuditFilterForm reads the filter from the query string, copying every value.
func newAuditFilterForm(c *fiber.Ctx, loc *time.Location) people.AuditFilter {
	q := func(k string) string { return strings.Clone(c.Query(k)) }
	return people.AuditFilter{Action: q("action"), Actor: q("actor"), Subject: q("subject"),
		From: q("from"), To: q("to"), Detail: q("detail"), Before: q("before"), Loc: loc}
}

// auditQuery is the query string that repeats f's filters (not its page).
func auditQuery(f people.AuditFilter) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"action", f.Action}, {"actor", f.Actor}, {"subject", f.Subject},
		{"from", f.From}, {"to", f.To}, {"detail", f.Detail}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// auditRow is one entry as the page shows it.
type auditRow struct {
	ID                          int64
	When, ISO                   string
	Actor, ActorNumber          string
	Action, ActionLabel         string
	Subject, SubjectURL, Detail string
}

func auditRows(list []people.AuditEntry, loc *time.Location) []auditRow {
	rows := make([]auditRow, len(list))
	for i, e := range list {
		r := auditRow{ID: e.ID, When: e.At.In(loc).Format("2 Jan 2006 15:04 MST"), ISO: e.At.UTC().Format(time.RFC3339),
			Actor: e.Actor, ActorNumber: e.ActorNumber, Action: e.Action, ActionLabel: auditLabels[e.Action],
			Subject: e.Subject, Detail: e.Detail}
		if e.SubjectEmployee {
			r.SubjectURL = "/people/" + url.PathEscape(e.Subject)
		}
		rows[i] = r
	}
	return rows
}

// auditLocation is the company time zone and its name.
func (s *Server) auditLocation(c *fiber.Ctx) (*time.Location, string, error) {
	prof, err := s.courses.CachedCompany(c.UserContext())
	if err != nil {
		return nil, "", err
	}
	return prof.Loc, prof.Loc.String(), nil
}

// auditPage renders the log page: the filter form as typed, its problems
// (status 422) or a page of entries.
func (s *Server) auditPage(c *fiber.Ctx, status int, f people.AuditFilter, zone string, list []people.AuditEntry, next string, errs map[string]string) error {
	filters := auditQuery(f)
	data := fiber.Map{"Title": "Audit log", "Form": f, "Zone": zone, "Groups": auditGroups,
		"Errors": errs, "ErrorList": orderedErrors(errs, auditFilterFields),
		"Rows": auditRows(list, f.Loc), "Paged": f.Before != "",
		"Newest": "/admin/audit", "CSV": "/admin/audit.csv"}
	if _, known := auditLabels[f.Action]; f.Action != "" && !known {
		data["OtherAction"] = f.Action
	}
	if len(filters) > 0 {
		data["Newest"] = "/admin/audit?" + filters.Encode()
		data["CSV"] = "/admin/audit.csv?" + filters.Encode()
	}
	if next != "" {
		older := auditQuery(f)
		older.Set("before", next)
		data["Older"] = "/admin/audit?" + older.Encode()
	}
	return s.renderStatus(c, status, "admin/audit", data)
}

// auditIndex shows a page of the audit log, newest first, narrowed by the filters.
func (s *Server) auditIndex(c *fiber.Ctx) error {
	loc, zone, err := s.auditLocation(c)
	if err != nil {
		return err
	}
	f := newAuditFilterForm(c, loc)
	if errs := f.Check(); len(errs) > 0 {
		return s.auditPage(c, http.StatusUnprocessableEntity, f, zone, nil, "", fieldErrors(errs, same))
	}
	list, next, err := s.people.ListAudit(c.UserContext(), f)
	if field, msg, ok := asFieldError(err); ok {
		return s.auditPage(c, http.StatusUnprocessableEntity, f, zone, nil, "", map[string]string{field: msg})
	} else if err != nil {
		return err
	}
	return s.auditPage(c, http.StatusOK, f, zone, list, next, nil)
}

// auditCSVBatch is how many entries the export reads at a time.
const auditCSVBatch = people.MaxAuditLimit

// auditCSV streams every entry the filters match as CSV, newest first, in
// batches: the log is never held in memory. Bad filters get the page with
// the messages (422), like auditIndex.
func (s *Server) auditCSV(c *fiber.Ctx) error {
	loc, zone, err := s.auditLocation(c)
	if err != nil {
		return err
	}
	f := newAuditFilterForm(c, loc)
	f.Limit = auditCSVBatch
	if errs := f.Check(); len(errs) > 0 {
		return s.auditPage(c, http.StatusUnprocessableEntity, f, zone, nil, "", fieldErrors(errs, same))
	}
	// The first batch is read before the headers go out, so that a failing
	// database is an error page rather than an empty file.
	first, next, err := s.people.ListAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	name := "audit-log-" + s.people.Now().In(loc).Format(time.DateOnly) + ".csv"
	download(c, "text/csv; charset=utf-8", "attachment", name)
	// The writer runs after this handler has returned, when c belongs to
	// another request: it uses only the copied filter and the store.
	ppl, log := s.people, s.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), auditCSVTimeout)
		defer cancel()
		more := func(before string) ([]people.AuditEntry, string, error) {
			f.Before = before
			return ppl.ListAudit(ctx, f)
		}
		if err := writeCSVPages(w, auditCSVHeader, first, next, more, auditRecord); err != nil {
			log.Warn("audit log export stopped", "err", err)
		}
	})
	return nil
}

// auditCSVTimeout bounds one export (the server's write timeout usually ends it first).
const auditCSVTimeout = 10 * time.Minute

// auditCSVHeader is the export's first row.
var auditCSVHeader = []string{"at", "actor", "actor_number", "action", "subject", "detail"}

// writeCSVPages writes header, the rows of the first batch and then those
// of each batch more returns for the previous next value, until next is "".
// Each batch is flushed to w as soon as it is written, so a long export
// reaches the client while the rest is still being read. record turns one
// entry into its cells; it defuses them with csvCell itself.
func writeCSVPages[T any](w io.Writer, header []string, first []T, next string,
	more func(next string) ([]T, string, error), record func(T) []string) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriter(w)
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(header); err != nil {
		return err
	}
	batch := first
	for {
		for _, e := range batch {
			if err := cw.Write(record(e)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		if next == "" {
			return nil
		}
		from := next
		var err error
		if batch, next, err = more(from); err != nil {
			return fmt.Errorf("read the batch from %s: %w", from, err)
		}
	}
}

// auditRecord is one audit entry's CSV cells.
func auditRecord(e people.AuditEntry) []string {
	return []string{e.At.UTC().Format(time.RFC3339), csvCell(e.Actor), csvCell(e.ActorNumber),
		csvCell(e.Action), csvCell(e.Subject), csvCell(e.Detail)}
}

// csvCell defuses a cell that a spreadsheet would run as a formula (one
// starting with = + - @, a tab or a carriage return) by putting a single
// quote in front. The csv package does the quoting.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
