package courses

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Certificate is the record of one certificate: issued when a programme
// cycle completes (or a course, when the programme asks). It keeps
// everything its PDF shows, so the same record renders to the same bytes.
type Certificate struct {
	bun.BaseModel `bun:"table:certificates,alias:ce"`

	ID               int64      `bun:",pk,autoincrement"`
	Code             string     `bun:",notnull"`
	EmployeeID       int64      `bun:",notnull"`
	ProgrammeID      int64      `bun:",notnull"`
	ProgrammeVersion int        `bun:",notnull"`
	CycleID          *int64     `bun:"cycle_id"`
	CourseSlug       string     `bun:",notnull"` // a course certificate; "" for the programme's
	Achievement      string     `bun:",notnull"` // the programme's (or course's) title as printed
	EmployeeName     string     `bun:",notnull"`
	Score            *float64   `bun:"score"`
	IssuedAt         time.Time  `bun:",notnull"`
	ExpiresAt        *time.Time `bun:",nullzero"`
	CompanyName      string     `bun:",notnull"`
	SignatoryName    string     `bun:",notnull"`
	SignatoryTitle   string     `bun:",notnull"`
	Template         string     `bun:",notnull"` // certdoc.Template as JSON
	LogoSHA256       *string    `bun:"logo_sha256"`
	TimeZone         string     `bun:",notnull"`
	VerifyURL        string     `bun:",notnull"`
	PDFSHA256        string     `bun:"pdf_sha256,notnull"` // filled at the first render
	RevokedAt        *time.Time `bun:",nullzero"`
	RevokedReason    string     `bun:",notnull"`
	RevokedByID      *int64     `bun:"revoked_by_id"`
	SupersededAt     *time.Time `bun:",nullzero"`
	SupersededByID   *int64     `bun:"superseded_by_id"`
	ReissuedFromID   *int64     `bun:"reissued_from_id"`
	CreatedAt        time.Time  `bun:",notnull"`

	EmployeeNumber string `bun:",scanonly"`
	ProgrammeSlug  string `bun:",scanonly"`
	Department     string `bun:",scanonly"`
}

// ValidUntil is the last moment the certificate is valid (a second before
// it expires: its date is the last valid day), or nil when it never expires.
func (c *Certificate) ValidUntil() *time.Time {
	if c.ExpiresAt == nil {
		return nil
	}
	t := c.ExpiresAt.Add(-time.Second)
	return &t
}

// CertStatus is where a certificate stands; the API uses the values.
type CertStatus string

const (
	CertValid      CertStatus = "valid"
	CertExpired    CertStatus = "expired"
	CertRevoked    CertStatus = "revoked"
	CertSuperseded CertStatus = "superseded"
)

// CertStatuses lists the statuses, for filters.
var CertStatuses = []CertStatus{CertValid, CertExpired, CertRevoked, CertSuperseded}

// Label is the status in words.
func (s CertStatus) Label() string {
	switch s {
	case CertValid:
		return "Valid"
	case CertExpired:
		return "Expired"
	case CertRevoked:
		return "Revoked"
	case CertSuperseded:
		return "Superseded"
	}
	return string(s)
}

// Status is the certificate's status at now: revoked, superseded (by a
// recertification or a reissue), expired, or valid.
func (c *Certificate) Status(now time.Time) CertStatus {
	switch {
	case c.RevokedAt != nil:
		return CertRevoked
	case c.SupersededAt != nil:
		return CertSuperseded
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return CertExpired
	}
	return CertValid
}

// Certificate settings keys (company settings).
const (
	SettingCertTitle          = "certificate.title"
	SettingCertIntro          = "certificate.intro"
	SettingCertCompletion     = "certificate.completion"
	SettingCertAccent         = "certificate.accent"
	SettingCertText           = "certificate.text"
	SettingCertSignatoryName  = "certificate.signatory_name"
	SettingCertSignatoryTitle = "certificate.signatory_title"
)

// CertificateSettings is how the company's certificates look: the wording,
// the colours and who signs. The logo is the company's.
type CertificateSettings struct {
	Title, Intro, Completion string
	AccentColor, TextColor   string
	SignatoryName            string
	SignatoryTitle           string
}

// Template is the settings as a certdoc template for a programme.
func (cs CertificateSettings) Template(showScore bool) certdoc.Template {
	return certdoc.Template{Title: cs.Title, Intro: cs.Intro, Completion: cs.Completion, AccentColor: cs.AccentColor,
		TextColor: cs.TextColor, ShowScore: showScore}
}

// Check tidies the settings and returns every problem as an Invalid error
// naming its field (title, intro, completion, accent_color, text_color,
// signatory_name, signatory_title).
func (cs *CertificateSettings) Check() []*store.Error {
	for _, p := range []*string{&cs.Title, &cs.Intro, &cs.Completion, &cs.AccentColor, &cs.TextColor, &cs.SignatoryName, &cs.SignatoryTitle} {
		*p = strings.Join(strings.Fields(*p), " ")
	}
	var errs []*store.Error
	for _, f := range []struct {
		field, value string
		max          int
	}{{"title", cs.Title, 80}, {"intro", cs.Intro, 120}, {"completion", cs.Completion, 120},
		{"signatory_name", cs.SignatoryName, 120}, {"signatory_title", cs.SignatoryTitle, 120}} {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			errs = append(errs, store.FieldError(f.field, "This is %d characters long; the limit is %d.", n, f.max))
		}
	}
	var fe *certdoc.FieldError
	err := cs.Template(false).Validate()
	for err != nil {
		if !errors.As(err, &fe) {
			break
		}
		field := map[string]string{"Title": "title", "AccentColor": "accent_color", "TextColor": "text_color"}[fe.Field]
		if field == "" {
			field = strings.ToLower(fe.Field)
		}
		msg := "Enter a colour as #rrggbb, such as #0b5566."
		if field == "title" {
			msg = "Enter the certificate's heading, such as Certificate of Completion."
		}
		errs = append(errs, store.FieldError(field, "%s", msg))
		// errors.Join keeps the rest: drop the one handled.
		err = dropFieldError(err, fe)
	}
	return errs
}

// dropFieldError returns err without fe (errors.Join keeps them in a list).
func dropFieldError(err error, fe *certdoc.FieldError) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var rest []error
		for _, e := range j.Unwrap() {
			var f *certdoc.FieldError
			if errors.As(e, &f) && f == fe {
				continue
			}
			rest = append(rest, e)
		}
		return errors.Join(rest...)
	}
	return nil
}

// CertificateSettings returns the company's certificate settings, the
// defaults where unset.
func (s *Store) CertificateSettings(ctx context.Context) (CertificateSettings, error) {
	return certificateSettings(ctx, s.DB)
}

// certificateSettings is CertificateSettings reading through db.
func certificateSettings(ctx context.Context, db bun.IDB) (CertificateSettings, error) {
	def := certdoc.DefaultTemplate()
	cs := CertificateSettings{Title: def.Title, Intro: def.Intro, Completion: def.Completion, AccentColor: def.AccentColor, TextColor: def.TextColor}
	var rows []people.SettingRow
	if err := db.NewSelect().Model(&rows).Where("key LIKE 'certificate.%'").Scan(ctx); err != nil {
		return cs, err
	}
	for _, r := range rows {
		switch r.Key {
		case SettingCertTitle:
			cs.Title = r.Value
		case SettingCertIntro:
			cs.Intro = r.Value
		case SettingCertCompletion:
			cs.Completion = r.Value
		case SettingCertAccent:
			cs.AccentColor = r.Value
		case SettingCertText:
			cs.TextColor = r.Value
		case SettingCertSignatoryName:
			cs.SignatoryName = r.Value
		case SettingCertSignatoryTitle:
			cs.SignatoryTitle = r.Value
		}
	}
	return cs, nil
}

// SaveCertificateSettings stores the settings (certificates issued from then
// on use them; issued ones keep theirs). Invalid errors name the field.
func (s *Store) SaveCertificateSettings(ctx context.Context, cs CertificateSettings, by *int64, actor string) error {
	if errs := cs.Check(); len(errs) > 0 {
		return errs[0]
	}
	now := s.Now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for k, v := range map[string]string{SettingCertTitle: cs.Title, SettingCertIntro: cs.Intro, SettingCertCompletion: cs.Completion,
			SettingCertAccent: cs.AccentColor, SettingCertText: cs.TextColor, SettingCertSignatoryName: cs.SignatoryName,
			SettingCertSignatoryTitle: cs.SignatoryTitle} {
			if err := people.PutSetting(ctx, tx, k, v, now); err != nil {
				return err
			}
		}
		return people.Audit(ctx, tx, now, by, actor, "certificate.settings", "", "title: "+cs.Title+"; signatory: "+cs.SignatoryName)
	})
}

// certificateSnapshot is what a new certificate copies from the company:
// name, settings, logo (stored by hash), time zone.
type certificateSnapshot struct {
	company  string
	settings CertificateSettings
	logoSHA  *string
	tz       string
}

func (s *Store) snapshot(ctx context.Context, tx bun.IDB) (*certificateSnapshot, error) {
	prof, err := s.companyProfile(ctx, tx)
	if err != nil {
		return nil, err
	}
	cs, err := certificateSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	snap := &certificateSnapshot{company: prof.Name, settings: cs, tz: "UTC"}
	if snap.company == "" {
		snap.company = "Service Academy"
	}
	if prof.TimeZone != "" {
		snap.tz = prof.TimeZone
	}
	if prof.HasLogo {
		_, data, err := s.logo(ctx, tx)
		if err != nil && !store.IsNotFound(err) {
			return nil, err
		}
		if len(data) > 0 && certdoc.CheckLogo(data) == nil {
			sum := sha256.Sum256(data)
			h := hex.EncodeToString(sum[:])
			if _, err := tx.NewRaw("INSERT INTO certificate_logos (sha256, data, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
				h, data, s.Now()).Exec(ctx); err != nil {
				return nil, err
			}
			snap.logoSHA = &h
		}
	}
	return snap, nil
}

// certificateFor builds a new certificate record from a snapshot.
func (s *Store) certificateFor(snap *certificateSnapshot, p *Programme, version int, employeeID int64, name, achievement string,
	score *float64, issued time.Time, expires *time.Time, now time.Time) (*Certificate, error) {
	tpl, err := json.Marshal(snap.settings.Template(p.ShowScore))
	if err != nil {
		return nil, err
	}
	code := certdoc.NewCode()
	return &Certificate{Code: code, EmployeeID: employeeID, ProgrammeID: p.ID, ProgrammeVersion: version, Achievement: achievement,
		EmployeeName: name, Score: score, IssuedAt: issued, ExpiresAt: expires, CompanyName: snap.company,
		SignatoryName: snap.settings.SignatoryName, SignatoryTitle: snap.settings.SignatoryTitle, Template: string(tpl),
		LogoSHA256: snap.logoSHA, TimeZone: snap.tz, VerifyURL: s.VerifyURL(code), CreatedAt: now}, nil
}

// VerifyURL is the public address of a certificate's verify page.
func (s *Store) VerifyURL(code string) string {
	base := strings.TrimRight(s.baseURL, "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	return base + "/verify/" + code
}

// cycleScore is the score on a programme certificate: the mean of the
// employee's best passed attempt at the quizzes of each required course's
// published version, started within the cycle (Assessments.Score); nil when
// none of its courses has a quiz passed. It reads only through tx.
func (s *Store) cycleScore(ctx context.Context, tx bun.IDB, c *Cycle, required []string) (*float64, error) {
	var slugs []string
	for _, slug := range required {
		_, o, err := s.PublishedOutlineIn(ctx, tx, slug)
		if store.IsNotFound(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		slugs = append(slugs, o.Version.AssessmentList()...)
	}
	return s.assessments.Score(ctx, tx, c.EmployeeID, slugs, c.CountsFrom)
}

// insertCertificate stores c, drawing a new code on the (unlikely) clash.
func insertCertificate(ctx context.Context, tx bun.IDB, c *Certificate, verify func(string) string) error {
	for try := 0; ; try++ {
		exists, err := tx.NewSelect().Model((*Certificate)(nil)).Where("code = ?", c.Code).Exists(ctx)
		if err != nil {
			return err
		}
		if !exists {
			break
		}
		if try > 5 {
			return fmt.Errorf("certificate code: too many clashes")
		}
		c.Code = certdoc.NewCode()
		c.VerifyURL = verify(c.Code)
	}
	_, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx)
	return err
}

// issueCertificates issues the certificate of each completed cycle, in the
// completing transaction; a new one supersedes the employee's earlier
// certificates of the same programme (a recertification), with the score
// cycleScore gives.
func (s *Store) issueCertificates(ctx context.Context, tx bun.IDB, cycles []*Cycle, now time.Time) error {
	if len(cycles) == 0 {
		return nil
	}
	snap, err := s.snapshot(ctx, tx)
	if err != nil {
		return err
	}
	facts, err := loadProgrammeFacts(ctx, tx, cycles)
	if err != nil {
		return err
	}
	names, err := employeeNames(ctx, tx, cycleEmployees(cycles))
	if err != nil {
		return err
	}
	for _, cy := range cycles {
		p := facts.programmes[cy.ProgrammeID]
		if p == nil {
			continue
		}
		var version int
		if err := tx.NewSelect().TableExpr("programme_versions").Column("version").Where("id = ?", cy.VersionID).Scan(ctx, &version); err != nil {
			return err
		}
		score, err := s.cycleScore(ctx, tx, cy, facts.required[cy.VersionID])
		if err != nil {
			return err
		}
		issued := now
		if cy.CompletedAt != nil {
			issued = *cy.CompletedAt
		}
		c, err := s.certificateFor(snap, p, version, cy.EmployeeID, names[cy.EmployeeID], p.Title, score, issued, cy.ExpiresAt, now)
		if err != nil {
			return err
		}
		id := cy.ID
		c.CycleID = &id
		if err := insertCertificate(ctx, tx, c, s.VerifyURL); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*Certificate)(nil)).Set("superseded_at = ?", now).Set("superseded_by_id = ?", c.ID).
			Where("employee_id = ? AND programme_id = ? AND course_slug = '' AND id <> ? AND superseded_at IS NULL AND revoked_at IS NULL",
				cy.EmployeeID, cy.ProgrammeID, c.ID).Exec(ctx); err != nil {
			return err
		}
		if err := s.events.CertificateIssued(ctx, tx, c, now); err != nil {
			return err
		}
		nums, err := employeeNumbers(ctx, tx, []int64{cy.EmployeeID})
		if err != nil {
			return err
		}
		if err := people.Audit(ctx, tx, now, nil, "system", "certificate.issue", nums[cy.EmployeeID],
			fmt.Sprintf("%s: %s, cycle %d", c.Code, p.Title, cy.Cycle)); err != nil {
			return err
		}
	}
	return nil
}

// issueCourseCertificate issues a certificate for a completed course when a
// programme the employee is assigned asks for one per course (the first
// such programme gives its validity and settings).
func (s *Store) issueCourseCertificate(ctx context.Context, tx bun.IDB, en *Enrolment, slug, title string, at time.Time) error {
	var progs []*Programme
	if err := tx.NewSelect().Model(&progs).Where("pg.certificate_per_course AND pg.archived_at IS NULL").
		Where("pg.version_id IN (SELECT version_id FROM programme_courses WHERE course_slug = ?)", slug).
		Where("EXISTS (SELECT 1 FROM assignments AS a WHERE a.programme_id = pg.id AND a.employee_id = ? AND a.closed_at IS NULL)", en.EmployeeID).
		OrderExpr("pg.id").Limit(1).Scan(ctx); err != nil || len(progs) == 0 {
		return err
	}
	p := progs[0]
	snap, err := s.snapshot(ctx, tx)
	if err != nil {
		return err
	}
	names, err := employeeNames(ctx, tx, []int64{en.EmployeeID})
	if err != nil {
		return err
	}
	var version int
	if err := tx.NewSelect().TableExpr("course_versions").Column("version").Where("id = ?", en.VersionID).Scan(ctx, &version); err != nil {
		return err
	}
	loc, err := s.LocationIn(ctx, tx)
	if err != nil {
		return err
	}
	c, err := s.certificateFor(snap, p, version, en.EmployeeID, names[en.EmployeeID], title, nil, at, ExpiryOf(at, p.ValidityMonths, loc), s.Now())
	if err != nil {
		return err
	}
	c.CourseSlug = slug
	if err := insertCertificate(ctx, tx, c, s.VerifyURL); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model((*Certificate)(nil)).Set("superseded_at = ?", at).Set("superseded_by_id = ?", c.ID).
		Where("employee_id = ? AND course_slug = ? AND id <> ? AND superseded_at IS NULL AND revoked_at IS NULL", en.EmployeeID, slug, c.ID).Exec(ctx); err != nil {
		return err
	}
	if err := s.events.CertificateIssued(ctx, tx, c, s.Now()); err != nil {
		return err
	}
	nums, err := employeeNumbers(ctx, tx, []int64{en.EmployeeID})
	if err != nil {
		return err
	}
	return people.Audit(ctx, tx, at, nil, "system", "certificate.issue", nums[en.EmployeeID], c.Code+": course "+title)
}

// employeeNames maps employee ids to their full names.
func employeeNames(ctx context.Context, db bun.IDB, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for start := 0; start < len(ids); start += 900 {
		var rows []struct {
			ID                  int64
			FirstName, LastName string
		}
		if err := db.NewSelect().TableExpr("employees").Column("id", "first_name", "last_name").
			Where("id IN (?)", bun.In(ids[start:min(start+900, len(ids))])).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = strings.TrimSpace(r.FirstName + " " + r.LastName)
		}
	}
	return out, nil
}

func selectCertificates(db bun.IDB, dest any) *bun.SelectQuery {
	return db.NewSelect().Model(dest).ColumnExpr("ce.*").
		ColumnExpr("e.number AS employee_number, pg.slug AS programme_slug, COALESCE(d.name, '') AS department").
		Join("JOIN employees AS e ON e.id = ce.employee_id").
		Join("JOIN programmes AS pg ON pg.id = ce.programme_id").
		Join("LEFT JOIN departments AS d ON d.id = e.department_id")
}

// FindCertificate returns the certificate with the code (any case, with or
// without hyphens), or NotFound (also for a malformed code).
func (s *Store) FindCertificate(ctx context.Context, code string) (*Certificate, error) {
	canon, err := certdoc.ParseCode(code)
	if err != nil {
		return nil, store.Errorf(store.NotFound, "There is no certificate with that code.")
	}
	c := new(Certificate)
	if err := selectCertificates(s.DB, c).Where("ce.code = ?", canon).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.Errorf(store.NotFound, "There is no certificate with that code.")
		}
		return nil, err
	}
	return c, nil
}

// CertFilter narrows the certificate register.
type CertFilter struct {
	EmployeeID    int64
	EmployeeIDs   []int64  // a manager's line; nil: no restriction
	Codes         []string // canonical codes (a selection); nil: no restriction
	ProgrammeID   int64
	DepartmentID  int64
	Status        CertStatus
	ExpiringDays  int // valid and expiring within this many days
	Search        string
	Limit, Offset int
}

// ListCertificates returns the certificates matching f, newest first, with
// the number matching.
func (s *Store) ListCertificates(ctx context.Context, f CertFilter) ([]Certificate, int, error) {
	var list []Certificate
	q, ok := f.apply(selectCertificates(s.DB, &list), s.Now())
	if !ok {
		return nil, 0, nil
	}
	q = q.OrderExpr("ce.issued_at DESC, ce.id DESC")
	if f.Limit <= 0 {
		err := q.Scan(ctx)
		return list, len(list), err
	}
	q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	if err := q.Scan(ctx); err != nil {
		return nil, 0, err
	}
	// The count reads only the tables the filter needs.
	cq, _ := f.apply(leanCertificates(s.DB, f), s.Now())
	n, err := cq.Count(ctx)
	return list, int(n), err
}

// leanCertificates selects from certificates, joining the employees only
// when f filters on them.
func leanCertificates(db bun.IDB, f CertFilter) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("certificates AS ce")
	if f.DepartmentID != 0 || strings.TrimSpace(f.Search) != "" {
		q = q.Join("JOIN employees AS e ON e.id = ce.employee_id")
	}
	return q
}

// CertificateStatusCounts counts the certificates matching f (whatever its
// status filter) by status, in one query.
func (s *Store) CertificateStatusCounts(ctx context.Context, f CertFilter) (map[CertStatus]int, error) {
	f.Status, f.Limit, f.Offset = "", 0, 0
	now := s.Now()
	q, ok := f.apply(leanCertificates(s.DB, f), now)
	out := map[CertStatus]int{}
	if !ok {
		return out, nil
	}
	var rows []struct {
		St CertStatus
		N  int
	}
	err := q.ColumnExpr(`CASE WHEN ce.revoked_at IS NOT NULL THEN 'revoked' WHEN ce.superseded_at IS NOT NULL THEN 'superseded'
		WHEN ce.expires_at IS NOT NULL AND ce.expires_at <= ? THEN 'expired' ELSE 'valid' END AS st`, now).
		ColumnExpr("COUNT(*) AS n").GroupExpr("st").Scan(ctx, &rows)
	for _, r := range rows {
		out[r.St] = r.N
	}
	return out, err
}

// apply adds f's conditions (not its Limit and Offset) to a query over
// selectCertificates; false when nothing can match.
func (f CertFilter) apply(q *bun.SelectQuery, now time.Time) (*bun.SelectQuery, bool) {
	if f.EmployeeID != 0 {
		q = q.Where("ce.employee_id = ?", f.EmployeeID)
	}
	if f.EmployeeIDs != nil {
		if len(f.EmployeeIDs) == 0 {
			return q, false
		}
		q = q.Where("ce.employee_id IN (?)", bun.In(f.EmployeeIDs))
	}
	if f.Codes != nil {
		if len(f.Codes) == 0 {
			return q, false
		}
		q = q.Where("ce.code IN (?)", bun.In(f.Codes))
	}
	if f.ProgrammeID != 0 {
		q = q.Where("ce.programme_id = ?", f.ProgrammeID)
	}
	if f.DepartmentID != 0 {
		q = q.Where("e.department_id = ?", f.DepartmentID)
	}
	switch f.Status {
	case CertRevoked:
		q = q.Where("ce.revoked_at IS NOT NULL")
	case CertSuperseded:
		q = q.Where("ce.revoked_at IS NULL AND ce.superseded_at IS NOT NULL")
	case CertExpired:
		q = q.Where("ce.revoked_at IS NULL AND ce.superseded_at IS NULL AND ce.expires_at IS NOT NULL AND ce.expires_at <= ?", now)
	case CertValid:
		q = q.Where("ce.revoked_at IS NULL AND ce.superseded_at IS NULL AND (ce.expires_at IS NULL OR ce.expires_at > ?)", now)
	}
	if f.ExpiringDays > 0 {
		q = q.Where("ce.revoked_at IS NULL AND ce.superseded_at IS NULL AND ce.expires_at > ? AND ce.expires_at <= ?", now, now.AddDate(0, 0, f.ExpiringDays))
	}
	if t := strings.TrimSpace(f.Search); t != "" {
		like := "%" + strings.ToLower(t) + "%"
		q = q.Where("(LOWER(ce.employee_name) LIKE ? OR LOWER(e.number) LIKE ? OR LOWER(ce.code) LIKE ?)", like, like, like)
	}
	return q, true
}

// RevokeCertificate revokes a certificate with a reason (kept for HR and
// the audit log; the verify page shows only the date). Invalid (field
// reason) without one; Conflict when already revoked.
func (s *Store) RevokeCertificate(ctx context.Context, code, reason string, by *int64, actor string) (*Certificate, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	c, err := s.FindCertificate(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.RevokedAt != nil {
		return nil, store.Errorf(store.Conflict, "This certificate was revoked on %s.", c.RevokedAt.Format("2 Jan 2006"))
	}
	now := s.Now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Certificate)(nil)).Set("revoked_at = ?", now).Set("revoked_reason = ?", reason).
			Set("revoked_by_id = ?", by).Where("id = ? AND revoked_at IS NULL", c.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.Errorf(store.Conflict, "This certificate was revoked already.")
		}
		return people.Audit(ctx, tx, now, by, actor, "certificate.revoke", c.EmployeeNumber, c.Code+": "+c.Achievement+"; reason: "+reason)
	})
	if err != nil {
		return nil, err
	}
	c.RevokedAt, c.RevokedReason, c.RevokedByID = &now, reason, by
	return c, nil
}

// ReissueCertificate issues a new certificate with the employee's current
// name (after a change of name) and the original's dates, score and
// wording; the original is superseded. Conflict for a revoked or
// superseded certificate.
func (s *Store) ReissueCertificate(ctx context.Context, code string, by *int64, actor string) (*Certificate, error) {
	old, err := s.FindCertificate(ctx, code)
	if err != nil {
		return nil, err
	}
	switch old.Status(s.Now()) {
	case CertRevoked:
		return nil, store.Errorf(store.Conflict, "A revoked certificate cannot be reissued.")
	case CertSuperseded:
		return nil, store.Errorf(store.Conflict, "This certificate was superseded: reissue the newer one.")
	}
	now := s.Now()
	var c *Certificate
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		names, err := employeeNames(ctx, tx, []int64{old.EmployeeID})
		if err != nil {
			return err
		}
		copy := *old
		c = &copy
		c.ID, c.Code, c.EmployeeName, c.PDFSHA256, c.CreatedAt = 0, certdoc.NewCode(), names[old.EmployeeID], "", now
		c.VerifyURL = s.VerifyURL(c.Code)
		c.ReissuedFromID = &old.ID
		c.SupersededAt, c.SupersededByID, c.RevokedAt, c.RevokedReason, c.RevokedByID = nil, nil, nil, "", nil
		if err := insertCertificate(ctx, tx, c, s.VerifyURL); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*Certificate)(nil)).Set("superseded_at = ?", now).Set("superseded_by_id = ?", c.ID).
			Where("id = ?", old.ID).Exec(ctx); err != nil {
			return err
		}
		return people.Audit(ctx, tx, now, by, actor, "certificate.reissue", old.EmployeeNumber,
			fmt.Sprintf("%s replaced by %s (name: %s)", old.Code, c.Code, c.EmployeeName))
	})
	return c, err
}

// Document returns what the certificate's PDF shows, from the record alone.
func (s *Store) Document(ctx context.Context, c *Certificate) (certdoc.Certificate, certdoc.Template, error) {
	var t certdoc.Template
	if err := json.Unmarshal([]byte(c.Template), &t); err != nil {
		return certdoc.Certificate{}, t, fmt.Errorf("certificate %s template: %w", c.Code, err)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d := certdoc.Certificate{Code: c.Code, EmployeeName: c.EmployeeName, Programme: c.Achievement, ProgrammeVersion: c.ProgrammeVersion,
		IssuedAt: c.IssuedAt, ExpiresAt: c.ValidUntil(), Score: c.Score, CompanyName: c.CompanyName, SignatoryName: c.SignatoryName,
		SignatoryTitle: c.SignatoryTitle, VerifyURL: c.VerifyURL, Location: loc}
	if c.LogoSHA256 != nil {
		if err := s.DB.NewSelect().TableExpr("certificate_logos").Column("data").Where("sha256 = ?", *c.LogoSHA256).Scan(ctx, &d.Logo); err != nil {
			return d, t, fmt.Errorf("certificate %s logo: %w", c.Code, err)
		}
	}
	return d, t, nil
}

// PDF renders the certificate (the same bytes every time) and returns them
// with their SHA-256, which it records the first time.
func (s *Store) PDF(ctx context.Context, c *Certificate) ([]byte, string, error) {
	if s.docs == nil {
		return nil, "", errors.New("courses: no certificate renderer")
	}
	d, t, err := s.Document(ctx, c)
	if err != nil {
		return nil, "", err
	}
	b, err := s.docs.Render(d, t)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	if c.PDFSHA256 == "" {
		if _, err := s.DB.NewUpdate().Model((*Certificate)(nil)).Set("pdf_sha256 = ?", h).Where("id = ? AND pdf_sha256 = ''", c.ID).Exec(ctx); err != nil {
			return nil, "", err
		}
		c.PDFSHA256 = h
	}
	return b, h, nil
}

// CycleCertificates maps each of the employee's programme cycles to the
// code of its newest certificate (a reissue replaces the first).
func (s *Store) CycleCertificates(ctx context.Context, employeeID int64) (map[int64]string, error) {
	var rows []struct {
		CycleID int64
		Code    string
	}
	err := s.DB.NewSelect().TableExpr("certificates").Column("cycle_id", "code").
		Where("employee_id = ? AND cycle_id IS NOT NULL AND course_slug = ''", employeeID).OrderExpr("id").Scan(ctx, &rows)
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.CycleID] = r.Code
	}
	return out, err
}
