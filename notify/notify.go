// Package notify is what leaves the product to reach people: the outbox of
// e-mails and in-app notifications, the kinds of message with their default
// wording and the placeholders each may use, what HR changed of that
// wording, the kinds a person turned off, and (in later files) rendering,
// delivery over SMTP under a lease, and the notification centre's reads.
//
// Producers (training's workflows and the scheduler) call Enqueue inside the
// transaction of the event: a rolled-back event leaves no row, and the
// idempotency key (kind, event key, recipient, channel) is unique, so an
// event retried or a scheduler run repeated writes nothing twice. notify
// imports people and store; never courses, assessments, training or app.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification.
const (
	Assigned            Kind = "assigned"             // a programme assigned (with an .ics entry for the due date)
	DueSoon             Kind = "due_soon"             // a programme due in N days (the programme's ladder)
	Overdue             Kind = "overdue"              // overdue, escalating to the manager and HR
	OverdueTeam         Kind = "overdue_team"         // the escalation: a manager's (or HR's) people overdue, one message a day
	RecertOpened        Kind = "recert_opened"        // a recertification cycle opened
	CertificateIssued   Kind = "certificate_issued"   // a certificate issued (PDF and verify links)
	CertificateExpiring Kind = "certificate_expiring" // a certificate expiring
	ObservationSigned   Kind = "observation_signed"   // a role-play observation signed off (to the employee)
	ReobservationDue    Kind = "reobservation_due"    // a re-observation due (to the assessor)
	EssayToGrade        Kind = "essay_to_grade"       // an essay waiting to be graded (to the grader)
	PasswordLink        Kind = "password_link"        // a password set/reset link (to the person)
	ManagerDigest       Kind = "manager_digest"       // the weekly digest of a manager's line
	TestMessage         Kind = "test"                 // "send a test e-mail" (admin)
)

// Channel is how a notification reaches its recipient.
type Channel string

const (
	Email Channel = "email" // delivered by the sender over SMTP
	InApp Channel = "inapp" // the notification centre (the bell)
)

// Statuses of a notification row.
const (
	Queued    = "queued"    // e-mail waiting to be sent (next_attempt_at says when)
	Sending   = "sending"   // e-mail leased by a sender (lease_until)
	Sent      = "sent"      // e-mail accepted by the SMTP server
	Failed    = "failed"    // e-mail refused for good (error says why)
	Cancelled = "cancelled" // e-mail not sent: opted out or switched off after queueing, or too old when SMTP came
	Unread    = "unread"    // in-app, not read yet
	Read      = "read"      // in-app, read
)

// Info describes a kind: its name in words, whether a person (and HR) may
// turn it off, the default subject and opening sentence, and the
// placeholders those may use (written {name}).
type Info struct {
	Kind           Kind
	Title          string
	Optional       bool
	DefaultSubject string
	DefaultOpening string
	Placeholders   []string
}

// Placeholders every kind may use.
var commonPlaceholders = []string{"company", "first_name", "name"}

// Kinds lists every kind in the order the settings page shows them.
var Kinds = []Info{
	{Assigned, "Programme assigned", false, "New training for you: {programme}", "You have been assigned {programme}. Due: {due_date}.", []string{"programme", "due_date"}},
	{DueSoon, "Due soon", true, "{programme} is due in {days}", "A reminder: {programme} is due by {due_date}, in {days}.", []string{"programme", "due_date", "days"}},
	{Overdue, "Overdue", false, "Overdue: {programme}", "{programme} was due on {due_date} and is not complete yet.", []string{"programme", "due_date", "days", "learner"}},
	{OverdueTeam, "Overdue: escalated to managers and HR", false, "Overdue training: {count}", "Training is overdue for {count}; they are listed below.", []string{"count"}},
	{RecertOpened, "Recertification opened", false, "Time to renew: {programme}", "Your {programme} certificate needs renewing by {due_date}.", []string{"programme", "due_date"}},
	{CertificateIssued, "Certificate issued", true, "Your certificate: {programme}", "Well done: you completed {programme} and your certificate is ready.", []string{"programme", "certificate"}},
	{CertificateExpiring, "Certificate expiring", false, "Your {programme} certificate is valid until {expires}", "Your {programme} certificate is valid until {expires}.", []string{"programme", "expires"}},
	{ObservationSigned, "Role-play observed", false, "Your role-play: {checklist}", "{assessor} signed off your {checklist} role-play: {result}.", []string{"checklist", "result", "assessor"}},
	{ReobservationDue, "Re-observation due", false, "Re-observation due: {learner}", "{learner} is due to be observed again on {checklist} by {due_date}.", []string{"checklist", "learner", "due_date"}},
	{EssayToGrade, "Essay to grade", true, "An essay to grade: {quiz}", "{learner} submitted an answer in {quiz} that needs grading.", []string{"quiz", "learner"}},
	{PasswordLink, "Password link", false, "Set your password for {company}", "Use the link below to set your password. It works once and expires on {expires}.", []string{"expires"}},
	{ManagerDigest, "Weekly manager digest", true, "Your team this week: {ready} of {total} ready", "Here is where your team stands this week.", []string{"ready", "total"}},
	{TestMessage, "Test e-mail", false, "Test e-mail from {company}", "This is a test e-mail: delivery works.", nil},
}

// InfoOf returns the kind's description; ok is false for an unknown kind.
func InfoOf(k Kind) (Info, bool) {
	for _, in := range Kinds {
		if in.Kind == k {
			return in, true
		}
	}
	return Info{}, false
}

var placeholderRE = regexp.MustCompile(`\{([a-z_]*)\}`)

// CheckPlaceholders returns an error naming the first placeholder in s that
// the kind does not have (for the settings form, next to the field).
func CheckPlaceholders(k Kind, s string) error {
	in, ok := InfoOf(k)
	if !ok {
		return fmt.Errorf("unknown kind %q", k)
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(in.Placeholders, m[1]) && !slices.Contains(commonPlaceholders, m[1]) {
			return fmt.Errorf("{%s} is not a placeholder of this message; it may use %s", m[1], placeholderList(in))
		}
	}
	if strings.Count(s, "{") != len(placeholderRE.FindAllString(s, -1)) {
		return errors.New("a { is not closed, or holds more than lower-case letters and _")
	}
	return nil
}

func placeholderList(in Info) string {
	all := append(slices.Clone(commonPlaceholders), in.Placeholders...)
	for i, p := range all {
		all[i] = "{" + p + "}"
	}
	return strings.Join(all, ", ")
}

// Fill replaces each {name} in s with data[name] ("" when missing).
func Fill(s string, data map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string { return data[m[1:len(m)-1]] })
}

// Event is one thing that happened, to notify about.
type Event struct {
	Kind Kind
	// Key names the event within its kind, e.g. "cycle:42" or
	// "cycle:42:day7": with the kind, the recipient and the channel it is
	// the idempotency key, so the same event is queued once per recipient.
	Key string
	// To are the recipients (employee ids). Inactive employees and those
	// without an e-mail address get the in-app row only (e-mail: none).
	To []int64
	// Data are the placeholders' values and what the message links to:
	// "link" is a path under the base URL (such as "/learn/programmes/x"),
	// and any other key is the kind's own (see Info.Placeholders). The
	// renderer adds company, first_name and name.
	Data map[string]string
	// NoInApp leaves the notification centre out (a password link, a test).
	NoInApp bool
	// Address sends the e-mail to this address rather than the recipients'
	// (the admin's test e-mail); To is then empty.
	Address string
}

// Row is a notifications row.
type Row struct {
	bun.BaseModel `bun:"table:notifications,alias:n"`

	ID            int64      `bun:",pk,autoincrement"`
	Kind          Kind       `bun:",notnull"`
	Channel       Channel    `bun:",notnull"`
	IdemKey       string     `bun:",notnull"`
	EmployeeID    *int64     `bun:"employee_id"`
	Address       string     `bun:",notnull"`
	Data          string     `bun:",notnull"` // JSON of Event.Data
	Status        string     `bun:",notnull"`
	Attempts      int        `bun:",notnull"`
	NextAttemptAt *time.Time `bun:",nullzero"`
	LeaseHolder   string     `bun:",notnull"`
	LeaseUntil    *time.Time `bun:",nullzero"`
	Error         string     `bun:",notnull"`
	MessageID     string     `bun:",notnull"`
	CreatedAt     time.Time  `bun:",notnull"`
	SentAt        *time.Time `bun:",nullzero"`
	ReadAt        *time.Time `bun:",nullzero"`
}

// Values returns the row's data.
func (r *Row) Values() map[string]string {
	m := map[string]string{}
	_ = json.Unmarshal([]byte(r.Data), &m) // written by Enqueue; unreadable data renders empty placeholders
	if m == nil {                          // "null": an event without Data
		m = map[string]string{}
	}
	return m
}

// kindSetting is a notification_kinds row.
type kindSetting struct {
	bun.BaseModel `bun:"table:notification_kinds"`

	Kind      Kind      `bun:",pk"`
	Enabled   bool      `bun:",notnull"`
	Subject   string    `bun:",notnull"`
	Opening   string    `bun:",notnull"`
	UpdatedAt time.Time `bun:",notnull"`
}

// optout is a notification_optouts row.
type optout struct {
	bun.BaseModel `bun:"table:notification_optouts"`

	EmployeeID int64     `bun:",pk"`
	Kind       Kind      `bun:",pk"`
	CreatedAt  time.Time `bun:",notnull"`
}

// recipient is what Enqueue reads of an employee.
type recipient struct {
	ID     int64
	Email  string
	Active bool
}

// Enqueue writes the event's rows through db (the event's transaction): for
// each recipient an in-app row (unless NoInApp) and an e-mail row (when they
// are active and have an address), none for an optional kind that HR
// switched off or the recipient turned off. A row whose idempotency key
// exists already is left as it is. It returns how many rows it wrote.
func Enqueue(ctx context.Context, db bun.IDB, now time.Time, ev Event) (int, error) {
	return EnqueueMany(ctx, db, now, []Event{ev})
}
