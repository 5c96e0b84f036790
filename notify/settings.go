package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// What HR set per kind (the wording, the company-wide switch) and what each
// person turned off.

// Lengths HR's wording may have, in characters (the columns' sizes).
const (
	MaxSubject = 200
	MaxOpening = 1000
)

// KindSetting is a kind with what HR set for it.
type KindSetting struct {
	Info
	// Enabled is HR's company-wide switch: an optional kind switched off is
	// not sent at all. Mandatory kinds are always enabled.
	Enabled bool
	Subject string    // HR's subject; "" sends the default
	Opening string    // HR's opening sentence; "" sends the default
	Updated time.Time // when HR last changed it; zero when never
}

// Wording returns the subject and opening sentence in use: HR's, or the
// default where HR left them empty.
func (s KindSetting) Wording() (subject, opening string) {
	subject, opening = s.Subject, s.Opening
	if strings.TrimSpace(subject) == "" {
		subject = s.DefaultSubject
	}
	if strings.TrimSpace(opening) == "" {
		opening = s.DefaultOpening
	}
	return subject, opening
}

// AllPlaceholders returns the placeholders the kind's wording may use, each
// written {name}: the ones every kind has, then the kind's own.
func (in Info) AllPlaceholders() []string {
	all := append(slices.Clone(commonPlaceholders), in.Placeholders...)
	for i, p := range all {
		all[i] = "{" + p + "}"
	}
	return all
}

// AlwaysSent says why a mandatory kind cannot be turned off ("" for an
// optional kind), for the preference and settings pages.
func AlwaysSent(k Kind) string {
	switch k {
	case Assigned:
		return "Training you are required to do: you need to know it exists and when it is due."
	case Overdue:
		return "Required training is late; your manager and HR may be told as well."
	case RecertOpened:
		return "A certificate you hold needs renewing to stay valid."
	case CertificateExpiring:
		return "When a certificate expires you may no longer be allowed to do the work it covers."
	case ObservationSigned:
		return "The result of your role-play goes on your record, and a failed one says what to practise."
	case ReobservationDue:
		return "Someone is waiting for you to observe them again."
	case PasswordLink:
		return "Sent only when you or HR ask for it: it is how you get into your account."
	case TestMessage:
		return "Sent only to the address an admin types, to check that e-mail works."
	}
	return ""
}

// SampleData are example values for every placeholder, for previews.
var SampleData = map[string]string{
	"company": "Brightwater", "first_name": "Aisha", "name": "Aisha Khan",
	"programme": "Customer Service Induction", "due_date": "14 Dec 2026", "days": "7 days",
	"learner": "Tom Baker", "certificate": "K7Q2-M9XD-4TPA-8WBN", "expires": "31 Jan 2027",
	"checklist": "Handling a complaint", "result": "passed", "assessor": "Daniel Kim",
	"quiz": "The six Cs", "ready": "8", "total": "10",
}

// Compose returns the subject and opening sentence of a message of the
// kind, as setting words them, filled with data (the row's values with
// company, first_name and name added by the caller).
func Compose(s KindSetting, data map[string]string) (subject, opening string) {
	subject, opening = s.Wording()
	return Fill(subject, data), Fill(opening, data)
}

// KindSettings returns every kind in the order of Kinds with what HR set.
func KindSettings(ctx context.Context, db bun.IDB) ([]KindSetting, error) {
	var rows []kindSetting
	if err := db.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: kind settings: %w", err)
	}
	set := map[Kind]kindSetting{}
	for _, r := range rows {
		set[r.Kind] = r
	}
	out := make([]KindSetting, 0, len(Kinds))
	for _, in := range Kinds {
		out = append(out, settingOf(in, set[in.Kind]))
	}
	return out, nil
}

// FindKindSetting returns one kind with what HR set; NotFound for an
// unknown kind.
func FindKindSetting(ctx context.Context, db bun.IDB, k Kind) (KindSetting, error) {
	in, ok := InfoOf(k)
	if !ok {
		return KindSetting{}, store.Errorf(store.NotFound, "There is no kind of notification called %q.", k)
	}
	var r kindSetting
	err := db.NewSelect().Model(&r).Where("kind = ?", k).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return KindSetting{}, fmt.Errorf("notify: kind setting %s: %w", k, err)
	}
	return settingOf(in, r), nil
}

func settingOf(in Info, r kindSetting) KindSetting {
	s := KindSetting{Info: in, Enabled: true}
	if r.Kind == in.Kind {
		s.Enabled = r.Enabled || !in.Optional
		s.Subject, s.Opening, s.Updated = r.Subject, r.Opening, r.UpdatedAt
	}
	return s
}

// CurrentWording returns the subject and opening sentence a message of kind k is
// sent with: HR's where set, else the default. It never fails: when the
// setting cannot be read (or k is unknown) the defaults are returned, so a
// message is always worded.
func CurrentWording(ctx context.Context, db bun.IDB, k Kind) (subject, opening string) {
	s, err := FindKindSetting(ctx, db, k)
	if err != nil {
		in, _ := InfoOf(k)
		return in.DefaultSubject, in.DefaultOpening
	}
	return s.Wording()
}

// KindInput is what HR typed for a kind on the settings page.
type KindInput struct {
	Kind    Kind
	Enabled bool // ignored for a mandatory kind (always sent)
	Subject string
	Opening string
}

// Check tidies the input (spaces around the text removed; wording equal to
// the default becomes "", the default) and returns every problem, each an
// Invalid error naming its field: subject or opening.
func (in *KindInput) Check() []*store.Error {
	info, ok := InfoOf(in.Kind)
	if !ok {
		return []*store.Error{store.FieldError("kind", "There is no kind of notification called %q.", in.Kind)}
	}
	in.Subject, in.Opening = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Opening)
	if !info.Optional {
		in.Enabled = true
	}
	var errs []*store.Error
	for _, f := range []struct {
		field, label string
		text         *string
		max          int
		def          string
	}{
		{"subject", "The subject", &in.Subject, MaxSubject, info.DefaultSubject},
		{"opening", "The opening sentence", &in.Opening, MaxOpening, info.DefaultOpening},
	} {
		if *f.text == f.def {
			*f.text = ""
		}
		switch n := utf8.RuneCountInString(*f.text); {
		case !utf8.ValidString(*f.text):
			errs = append(errs, store.FieldError(f.field, "%s holds characters that are not text.", f.label))
		case n > f.max:
			errs = append(errs, store.FieldError(f.field, "%s is %d characters long; the limit is %d.", f.label, n, f.max))
		case strings.IndexFunc(*f.text, unicode.IsControl) >= 0:
			errs = append(errs, store.FieldError(f.field, "%s must be one line, without tabs or other control characters.", f.label))
		default:
			if err := CheckPlaceholders(in.Kind, *f.text); err != nil {
				errs = append(errs, store.FieldError(f.field, "%s: %s.", f.label, strings.TrimSuffix(err.Error(), ".")))
			}
		}
	}
	return errs
}

// SaveKindSetting checks in and stores it, returning what changed in words
// (nothing: nil, and nothing is written). The first problem comes back as
// an Invalid error naming its field.
func SaveKindSetting(ctx context.Context, db bun.IDB, now time.Time, in KindInput) ([]string, error) {
	if errs := in.Check(); len(errs) > 0 {
		return nil, errs[0]
	}
	old, err := FindKindSetting(ctx, db, in.Kind)
	if err != nil {
		return nil, err
	}
	var changed []string
	if old.Enabled != in.Enabled {
		changed = append(changed, map[bool]string{true: "switched on", false: "switched off"}[in.Enabled])
	}
	describe := func(label, before, after, def string) {
		if before == after {
			return
		}
		show := func(s string) string {
			if s == "" {
				return "the default (“" + def + "”)"
			}
			return "“" + s + "”"
		}
		changed = append(changed, fmt.Sprintf("%s %s → %s", label, show(before), show(after)))
	}
	describe("subject", old.Subject, in.Subject, old.DefaultSubject)
	describe("opening", old.Opening, in.Opening, old.DefaultOpening)
	if len(changed) == 0 {
		return nil, nil
	}
	row := &kindSetting{Kind: in.Kind, Enabled: in.Enabled, Subject: in.Subject, Opening: in.Opening, UpdatedAt: now.UTC()}
	if _, err := db.NewInsert().Model(row).On("CONFLICT (kind) DO UPDATE").
		Set("enabled = EXCLUDED.enabled, subject = EXCLUDED.subject, opening = EXCLUDED.opening, updated_at = EXCLUDED.updated_at").
		Exec(ctx); err != nil {
		return nil, fmt.Errorf("notify: save kind %s: %w", in.Kind, err)
	}
	return changed, nil
}

// OptOuts returns the optional kinds the employee turned off.
func OptOuts(ctx context.Context, db bun.IDB, employeeID int64) (map[Kind]bool, error) {
	var rows []optout
	if err := db.NewSelect().Model(&rows).Where("employee_id = ?", employeeID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: opt-outs: %w", err)
	}
	out := map[Kind]bool{}
	for _, r := range rows {
		out[r.Kind] = true
	}
	return out, nil
}

// SetOptOut turns the optional kind k off (off true) or back on for the
// employee, reporting whether that changed anything. A mandatory or
// unknown kind is an Invalid error.
func SetOptOut(ctx context.Context, db bun.IDB, now time.Time, employeeID int64, k Kind, off bool) (bool, error) {
	in, ok := InfoOf(k)
	if !ok {
		return false, store.FieldError("kind", "There is no kind of notification called %q.", k)
	}
	if !in.Optional {
		return false, store.FieldError("kind", "%s is always sent: %s", in.Title, AlwaysSent(k))
	}
	var n int64
	if off {
		res, err := db.NewInsert().Model(&optout{EmployeeID: employeeID, Kind: k, CreatedAt: now.UTC()}).
			On("CONFLICT (employee_id, kind) DO NOTHING").Exec(ctx)
		if err != nil {
			return false, fmt.Errorf("notify: opt out of %s: %w", k, err)
		}
		n, _ = res.RowsAffected()
	} else {
		res, err := db.NewDelete().Model((*optout)(nil)).Where("employee_id = ? AND kind = ?", employeeID, k).Exec(ctx)
		if err != nil {
			return false, fmt.Errorf("notify: opt in to %s: %w", k, err)
		}
		n, _ = res.RowsAffected()
	}
	return n > 0, nil
}
