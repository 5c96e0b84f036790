package courses

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for image.DecodeConfig and image.Decode
	_ "image/png"  // registers PNG
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Keys of the company settings in the settings table.
const (
	SettingName     = "company.name"
	SettingMission  = "company.mission"
	SettingVision   = "company.vision"
	SettingValues   = "company.values"   // one value per line
	SettingTimeZone = "company.timezone" // IANA name, such as Europe/London; dates on screen and due dates use it
)

// Limits of the company settings.
const (
	MaxNameRunes      = 200
	MaxStatementRunes = 2000 // mission and vision
	MaxValues         = 20
	MaxValueRunes     = 200
	MinPromises       = 1
	MaxPromises       = 20
	MinPromiseRunes   = 5
	MaxPromiseRunes   = 300
	MaxFactRunes      = 150 // each fact of a promise (PromiseFacts)
	MaxLogoBytes      = 1 << 20
	MaxLogoSide       = 4000 // pixels, each way
)

// Promise is one service promise. Its Version goes up whenever its text or
// one of its facts changes, and every employee must then acknowledge it again.
type Promise struct {
	bun.BaseModel `bun:"table:service_promises,alias:sp"`

	ID       int64  `bun:",pk,autoincrement"`
	Position int    `bun:",notnull"`
	Text     string `bun:",notnull"`
	Version  int    `bun:",notnull"`
	Active   bool   `bun:",notnull"`
	// The facts (PromiseFacts), each "" when not given.
	ClockStarts string    `bun:",notnull"`
	DoneWhen    string    `bun:",notnull"`
	TimeLimit   string    `bun:",notnull"`
	Exclusions  string    `bun:",notnull"`
	KeptBy      string    `bun:",notnull"`
	UpdatedAt   time.Time `bun:",notnull"`
}

// PromiseFacts are what a learner should be able to say about a promise;
// quiz questions are generated from them. Each is optional.
type PromiseFacts struct {
	ClockStarts string // when the clock starts, e.g. "when the request is logged"
	DoneWhen    string // what counts as done, e.g. "the customer has spoken to the engineer"
	TimeLimit   string // e.g. "2 working days"
	Exclusions  string // the limits, e.g. "not on bank holidays"
	KeptBy      string // the role or team who keeps it, e.g. "the field service team"
}

// Facts returns the promise's facts.
func (p *Promise) Facts() PromiseFacts {
	return PromiseFacts{ClockStarts: p.ClockStarts, DoneWhen: p.DoneWhen, TimeLimit: p.TimeLimit, Exclusions: p.Exclusions, KeptBy: p.KeptBy}
}

// LabelledFact is one fact of a promise with its label, for a page.
type LabelledFact struct{ Key, Label, Value string }

// FactList returns the facts given, labelled, in form order.
func (p Promise) FactList() []LabelledFact {
	f := p.Facts()
	var out []LabelledFact
	for _, k := range PromiseFactKeys {
		if v := f.Get(k); v != "" {
			out = append(out, LabelledFact{Key: k, Label: PromiseFactLabels[k], Value: v})
		}
	}
	return out
}

// setFacts stores f on the promise.
func (p *Promise) setFacts(f PromiseFacts) {
	p.ClockStarts, p.DoneWhen, p.TimeLimit, p.Exclusions, p.KeptBy = f.ClockStarts, f.DoneWhen, f.TimeLimit, f.Exclusions, f.KeptBy
}

// PromiseFactKeys names the facts as their form fields end
// (PromiseFactField), in form order.
var PromiseFactKeys = []string{"clock", "done", "limit", "exclusions", "keeper"}

// PromiseFactLabels are the facts' names on the form and in messages, by key.
var PromiseFactLabels = map[string]string{"clock": "When the clock starts", "done": "What counts as done",
	"limit": "Time limit", "exclusions": "Limits and exclusions", "keeper": "Who keeps it"}

// Get returns the fact with key (one of PromiseFactKeys).
func (f *PromiseFacts) Get(key string) string {
	if p := f.ptr(key); p != nil {
		return *p
	}
	return ""
}

// Set sets the fact with key (one of PromiseFactKeys); other keys are ignored.
func (f *PromiseFacts) Set(key, v string) {
	if p := f.ptr(key); p != nil {
		*p = v
	}
}

func (f *PromiseFacts) ptr(key string) *string {
	switch key {
	case "clock":
		return &f.ClockStarts
	case "done":
		return &f.DoneWhen
	case "limit":
		return &f.TimeLimit
	case "exclusions":
		return &f.Exclusions
	case "keeper":
		return &f.KeptBy
	}
	return nil
}

// Ack is one employee's acknowledgement of one version of a promise, with
// the text they confirmed.
type Ack struct {
	bun.BaseModel `bun:"table:promise_acknowledgements,alias:pa"`

	ID             int64     `bun:",pk,autoincrement"`
	EmployeeID     int64     `bun:",notnull"`
	PromiseID      int64     `bun:",notnull"`
	PromiseVersion int       `bun:",notnull"`
	Text           string    `bun:",notnull"`
	AcknowledgedAt time.Time `bun:",notnull"`
}

type companyLogo struct {
	bun.BaseModel `bun:"table:company_logo"`
	ID            int64     `bun:",pk"`
	ContentType   string    `bun:",notnull"`
	Data          []byte    `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Profile is what the company says about itself.
type Profile struct {
	Name, Mission, Vision string
	TimeZone              string         // IANA name; "" is UTC
	Loc                   *time.Location // TimeZone loaded (UTC when unset or unknown)
	Values                []string
	Promises              []Promise // active, in order
	HasLogo               bool
	LogoUpdatedAt         time.Time // for cache-busting links to the logo
}

// Company returns the text lesson placeholders stand for.
func (p *Profile) Company() Company {
	c := Company{Name: p.Name, Mission: p.Mission, Vision: p.Vision, Values: p.Values}
	if c.Name == "" {
		c.Name = "our company"
	}
	for _, pr := range p.Promises {
		if pr.Active {
			c.Promises = append(c.Promises, pr.Text)
		}
	}
	return c
}

// CompanyProfile returns the company's name, statements, active promises and
// whether a logo is stored. Unset settings are empty.
func (s *Store) CompanyProfile(ctx context.Context) (*Profile, error) {
	return s.companyProfile(ctx, s.DB)
}

// companyProfile is CompanyProfile reading through db.
func (s *Store) companyProfile(ctx context.Context, db bun.IDB) (*Profile, error) {
	var rows []people.SettingRow
	if err := db.NewSelect().Model(&rows).
		Where("key IN (?)", bun.In([]string{SettingName, SettingMission, SettingVision, SettingValues, SettingTimeZone})).Scan(ctx); err != nil {
		return nil, err
	}
	p := &Profile{Values: []string{}, Loc: time.UTC}
	for _, r := range rows {
		switch r.Key {
		case SettingName:
			p.Name = r.Value
		case SettingMission:
			p.Mission = r.Value
		case SettingVision:
			p.Vision = r.Value
		case SettingValues:
			p.Values = splitLines(r.Value)
		case SettingTimeZone:
			p.TimeZone = r.Value
			if loc, err := time.LoadLocation(r.Value); err == nil && r.Value != "" {
				p.Loc = loc
			}
		}
	}
	var err error
	if p.Promises, err = activePromises(ctx, db); err != nil {
		return nil, err
	}
	var logo companyLogo
	err = db.NewSelect().Model(&logo).Column("id", "updated_at").Where("id = 1").Scan(ctx)
	switch {
	case err == nil:
		p.HasLogo, p.LogoUpdatedAt = true, logo.UpdatedAt
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	return p, nil
}

func activePromises(ctx context.Context, db bun.IDB) ([]Promise, error) {
	list := []Promise{}
	err := db.NewSelect().Model(&list).Where("sp.active = ?", true).OrderExpr("sp.position, sp.id").Scan(ctx)
	return list, err
}

// splitLines returns the trimmed, non-empty lines of s.
func splitLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// CompanyInput is the company settings form.
type CompanyInput struct {
	Name    string
	Mission string // Markdown
	Vision  string // Markdown
	Values  string // one per line
	// TimeZone is an IANA name such as Europe/London ("" keeps UTC).
	TimeZone string
}

// Check tidies the input (trimmed name, Unix line ends, no blank value
// lines) and returns every problem, each an Invalid error naming its field.
func (in *CompanyInput) Check() []*store.Error {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	nl := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	in.Mission = strings.TrimSpace(nl.Replace(in.Mission))
	in.Vision = strings.TrimSpace(nl.Replace(in.Vision))
	values := splitLines(nl.Replace(in.Values))
	in.Values = strings.Join(values, "\n")

	var errs []*store.Error
	add := func(field, format string, args ...any) { errs = append(errs, store.FieldError(field, format, args...)) }
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		add("name", "Enter the company name.")
	case n > MaxNameRunes:
		add("name", "The name is %d characters long; the limit is %d.", n, MaxNameRunes)
	}
	if n := utf8.RuneCountInString(in.Mission); n > MaxStatementRunes {
		add("mission", "The mission is %d characters long; the limit is %d.", n, MaxStatementRunes)
	}
	if n := utf8.RuneCountInString(in.Vision); n > MaxStatementRunes {
		add("vision", "The vision is %d characters long; the limit is %d.", n, MaxStatementRunes)
	}
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if in.TimeZone != "" {
		if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
			add("timezone", "%q is not a time zone: use a name such as Europe/London or America/New_York.", in.TimeZone)
		}
	}
	if len(values) > MaxValues {
		add("values", "There are %d values; the limit is %d.", len(values), MaxValues)
	} else {
		for i, v := range values {
			if n := utf8.RuneCountInString(v); n > MaxValueRunes {
				add("values", "Value %d is %d characters long; the limit is %d per line.", i+1, n, MaxValueRunes)
				break
			}
		}
	}
	return errs
}

// SaveCompany stores the name, mission, vision and values. It returns the
// names of the settings that changed ("name", "mission", "vision",
// "values", "time zone"), or the first problem as an Invalid error naming its field.
func (s *Store) SaveCompany(ctx context.Context, in CompanyInput) ([]string, error) {
	defer s.ForgetCompany()
	if errs := in.Check(); len(errs) > 0 {
		return nil, errs[0]
	}
	want := []struct{ label, key, value string }{
		{"name", SettingName, in.Name}, {"mission", SettingMission, in.Mission},
		{"vision", SettingVision, in.Vision}, {"values", SettingValues, in.Values},
		{"time zone", SettingTimeZone, in.TimeZone},
	}
	var changed []string
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		changed = nil
		for _, w := range want {
			var cur people.SettingRow
			err := tx.NewSelect().Model(&cur).Where("key = ?", w.key).Scan(ctx)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if cur.Value == w.value { // an unset setting reads as ""
				continue
			}
			if err := people.PutSetting(ctx, tx, w.key, w.value, s.Now()); err != nil {
				return err
			}
			changed = append(changed, w.label)
		}
		return nil
	})
	return changed, err
}

// PromiseInput is one row of the promises form, in the order wanted: ID is
// the promise it edits (0 for a new one).
type PromiseInput struct {
	ID    int64
	Text  string
	Facts PromiseFacts
}

// PromiseField names the form field of the i-th promise in a list given to
// CheckPromises or SavePromises (from 0).
func PromiseField(i int) string { return fmt.Sprintf("promise-%d", i) }

// PromiseFactField names the form field of one fact (a key of
// PromiseFactKeys) of the i-th promise, such as "promise-0-clock".
func PromiseFactField(i int, key string) string { return fmt.Sprintf("promise-%d-%s", i, key) }

// CheckPromises tidies the texts and facts (single spaces, trimmed) and
// returns every problem: field "promises" for the list as a whole,
// PromiseField(i) for one promise's text, PromiseFactField(i, key) for one
// of its facts (at most MaxFactRunes, no control characters).
func CheckPromises(in []PromiseInput) []*store.Error {
	var errs []*store.Error
	switch {
	case len(in) < MinPromises:
		errs = append(errs, store.FieldError("promises", "Enter at least one service promise."))
	case len(in) > MaxPromises:
		errs = append(errs, store.FieldError("promises", "There are %d promises; the limit is %d. Fewer, clearer promises are easier to keep.", len(in), MaxPromises))
	}
	seenText := map[string]int{}
	seenID := map[int64]bool{}
	for i := range in {
		in[i].Text = strings.Join(strings.Fields(in[i].Text), " ")
		f := PromiseField(i)
		for _, key := range PromiseFactKeys {
			v := strings.Join(strings.Fields(in[i].Facts.Get(key)), " ")
			in[i].Facts.Set(key, v)
			label := PromiseFactLabels[key]
			switch n := utf8.RuneCountInString(v); {
			case people.HasControl(v) || !utf8.ValidString(v):
				errs = append(errs, store.FieldError(PromiseFactField(i, key), "Promise %d, %s: the text has a character that is not text (a control character such as a NUL byte); remove it.", i+1, strings.ToLower(label)))
			case n > MaxFactRunes:
				errs = append(errs, store.FieldError(PromiseFactField(i, key), "Promise %d, %s: %d characters long; the limit is %d.", i+1, strings.ToLower(label), n, MaxFactRunes))
			}
		}
		switch n := utf8.RuneCountInString(in[i].Text); {
		case people.HasControl(in[i].Text) || !utf8.ValidString(in[i].Text):
			errs = append(errs, store.FieldError(f, "Promise %d has a character that is not text (a control character such as a NUL byte); remove it.", i+1))
			continue
		case n < MinPromiseRunes:
			errs = append(errs, store.FieldError(f, "Promise %d is too short: write at least %d characters a customer could check.", i+1, MinPromiseRunes))
			continue
		case n > MaxPromiseRunes:
			errs = append(errs, store.FieldError(f, "Promise %d is %d characters long; the limit is %d.", i+1, n, MaxPromiseRunes))
			continue
		}
		key := strings.ToLower(in[i].Text)
		if j, ok := seenText[key]; ok {
			errs = append(errs, store.FieldError(f, "Promise %d repeats promise %d.", i+1, j+1))
			continue
		}
		seenText[key] = i
		if in[i].ID != 0 {
			if seenID[in[i].ID] {
				errs = append(errs, store.FieldError(f, "Promise %d is listed twice; reload the page and try again.", i+1))
				continue
			}
			seenID[in[i].ID] = true
		}
	}
	return errs
}

// PromiseChanges says what SavePromises did.
type PromiseChanges struct {
	Added, Changed, Removed, Moved int
	// Reacknowledge counts the active employees who had acknowledged an
	// earlier text of a changed promise and are now asked to confirm it again.
	Reacknowledge int
}

// Any reports whether anything changed.
func (c PromiseChanges) Any() bool { return c.Added+c.Changed+c.Removed+c.Moved > 0 }

// SavePromises makes the active promises exactly in, in that order. A row
// with the ID of a stored promise (or, without an ID, the same text as an
// active one) keeps that promise: its version goes up only when its text
// changed, so moving a promise asks nobody to acknowledge it again. Stored
// promises missing from in become inactive; their acknowledgements are
// kept. Returns the first problem of CheckPromises as an Invalid error.
func (s *Store) SavePromises(ctx context.Context, in []PromiseInput) (PromiseChanges, error) {
	defer s.ForgetCompany() // again once committed
	var ch PromiseChanges
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		ch, err = s.SavePromisesIn(ctx, tx, in)
		return err
	})
	return ch, err
}

// SavePromisesIn is SavePromises inside tx, for a workflow that does more
// in the same transaction (training regenerates the promises' questions);
// the caller calls ForgetCompany once tx has committed. A promise's version goes up when its text or any of its facts changed.
func (s *Store) SavePromisesIn(ctx context.Context, tx bun.IDB, in []PromiseInput) (PromiseChanges, error) {
	defer s.ForgetCompany()
	in = append([]PromiseInput(nil), in...)
	if errs := CheckPromises(in); len(errs) > 0 {
		return PromiseChanges{}, errs[0]
	}
	var ch PromiseChanges
	err := func() error {
		now := s.Now()
		var all []Promise
		if err := tx.NewSelect().Model(&all).OrderExpr("sp.id").Scan(ctx); err != nil {
			return err
		}
		byID := map[int64]*Promise{}
		byText := map[string]*Promise{}
		for i := range all {
			byID[all[i].ID] = &all[i]
			if all[i].Active {
				byText[all[i].Text] = &all[i]
			}
		}
		claimed := map[int64]bool{}
		for _, row := range in {
			if row.ID != 0 && byID[row.ID] != nil {
				claimed[row.ID] = true
			}
		}
		var changedIDs []int64
		for i, row := range in {
			pos := i + 1
			p := byID[row.ID]
			if p == nil {
				if q := byText[row.Text]; q != nil && !claimed[q.ID] {
					p = q
				}
			}
			if p == nil {
				np := &Promise{Position: pos, Text: row.Text, Version: 1, Active: true, UpdatedAt: now}
				np.setFacts(row.Facts)
				if _, err := tx.NewInsert().Model(np).Returning("id").Exec(ctx); err != nil {
					return fmt.Errorf("insert promise: %w", err)
				}
				ch.Added++
				continue
			}
			claimed[p.ID] = true
			dirty := false
			if !p.Active {
				p.Active, dirty = true, true
				ch.Added++
			}
			if p.Text != row.Text || p.Facts() != row.Facts { // one rule: what learners confirm changed
				p.Text, p.Version, dirty = row.Text, p.Version+1, true
				p.setFacts(row.Facts)
				ch.Changed++
				changedIDs = append(changedIDs, p.ID)
			}
			if p.Position != pos {
				if !dirty {
					ch.Moved++
				}
				p.Position, dirty = pos, true
			}
			if dirty {
				p.UpdatedAt = now
				if _, err := tx.NewUpdate().Model(p).Column("position", "text", "version", "active",
					"clock_starts", "done_when", "time_limit", "exclusions", "kept_by", "updated_at").
					WherePK().Exec(ctx); err != nil {
					return fmt.Errorf("update promise: %w", err)
				}
			}
		}
		for i := range all {
			p := &all[i]
			if !p.Active || claimed[p.ID] {
				continue
			}
			p.Active, p.UpdatedAt = false, now
			if _, err := tx.NewUpdate().Model(p).Column("active", "updated_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("retire promise: %w", err)
			}
			ch.Removed++
		}
		if len(changedIDs) > 0 {
			err := tx.NewSelect().TableExpr("promise_acknowledgements AS pa").
				ColumnExpr("COUNT(DISTINCT pa.employee_id)").
				Join("JOIN employees AS e ON e.id = pa.employee_id").
				Where("e.active = ?", true).Where("pa.promise_id IN (?)", bun.In(changedIDs)).
				Scan(ctx, &ch.Reacknowledge)
			if err != nil {
				return err
			}
		}
		return nil
	}()
	return ch, err
}

// CheckLogo returns the content type of a logo: a PNG or JPEG (by its
// content, not its name) of at most MaxLogoBytes and MaxLogoSide pixels
// each way that decodes completely. Otherwise an Invalid error for field "logo".
func CheckLogo(data []byte) (string, error) {
	if len(data) == 0 {
		return "", store.FieldError("logo", "Choose a PNG or JPEG file for the logo.")
	}
	if len(data) > MaxLogoBytes {
		return "", store.FieldError("logo", "That file is %.1f MB; the logo limit is 1 MB. Save it smaller (for example 512 × 512 pixels) and try again.",
			float64(len(data))/(1<<20))
	}
	var want, contentType string
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		want, contentType = "png", "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		want, contentType = "jpeg", "image/jpeg"
	default:
		return "", store.FieldError("logo", "That file is not a PNG or JPEG image. Save the logo as PNG or JPEG and upload it again.")
	}
	damaged := store.FieldError("logo", "That file looks like a %s image but cannot be read: it may be damaged or incomplete.", strings.ToUpper(want))
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != want {
		return "", damaged
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return "", store.FieldError("logo", "The image is %d × %d pixels; the limit is %d × %d.", cfg.Width, cfg.Height, MaxLogoSide, MaxLogoSide)
	}
	// The header can be whole while the pixels are cut off: decode them all.
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return "", damaged
	}
	return contentType, nil
}

// SaveLogo replaces the company logo after CheckLogo.
func (s *Store) SaveLogo(ctx context.Context, data []byte) error {
	defer s.ForgetCompany()
	ct, err := CheckLogo(data)
	if err != nil {
		return err
	}
	_, err = s.DB.NewInsert().Model(&companyLogo{ID: 1, ContentType: ct, Data: data, UpdatedAt: s.Now()}).
		On("CONFLICT (id) DO UPDATE").
		Set("content_type = EXCLUDED.content_type, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return err
}

// Logo returns the logo's content type and bytes, or NotFound when none is stored.
func (s *Store) Logo(ctx context.Context) (string, []byte, error) {
	return s.logo(ctx, s.DB)
}

// logo is Logo reading through db.
func (s *Store) logo(ctx context.Context, db bun.IDB) (string, []byte, error) {
	var l companyLogo
	err := db.NewSelect().Model(&l).Where("id = 1").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, store.Errorf(store.NotFound, "No company logo has been uploaded.")
	}
	return l.ContentType, l.Data, err
}

// PendingAcknowledgements returns the active promises, in order, whose
// current version the employee has not acknowledged.
func PendingAcknowledgements(ctx context.Context, db bun.IDB, employeeID int64) ([]Promise, error) {
	list := []Promise{}
	err := db.NewSelect().Model(&list).Where("sp.active = ?", true).
		Where("NOT EXISTS (SELECT 1 FROM promise_acknowledgements AS pa WHERE pa.promise_id = sp.id AND pa.promise_version = sp.version AND pa.employee_id = ?)", employeeID).
		OrderExpr("sp.position, sp.id").Scan(ctx)
	return list, err
}

// Acknowledge records that the employee confirms every active promise, in
// one transaction of its own (AcknowledgePromises says what it does).
func (s *Store) Acknowledge(ctx context.Context, employeeID int64, promiseIDs []int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := s.AcknowledgePromises(ctx, tx, employeeID, promiseIDs)
		return err
	})
}

// AcknowledgePromises records, in tx, that the employee confirms every
// active promise: each gets a row with its version and text. Every active
// promise must be in promiseIDs, else an Invalid error for field "promises"
// names the ones missing; ids of inactive promises are ignored. Confirming
// a version again changes nothing. As the last step of the mission course,
// it completes the employee's enrolment there when every lesson is done
// (UpdateCompletion), and reports whether it did.
func (s *Store) AcknowledgePromises(ctx context.Context, tx bun.IDB, employeeID int64, promiseIDs []int64) (bool, error) {
	ticked := map[int64]bool{}
	for _, id := range promiseIDs {
		ticked[id] = true
	}
	active, err := activePromises(ctx, tx)
	if err != nil {
		return false, err
	}
	if len(active) == 0 {
		return false, store.FieldError("promises", "There are no service promises to confirm yet.")
	}
	var missing []string
	for i, p := range active {
		if !ticked[p.ID] {
			missing = append(missing, fmt.Sprintf("%d", i+1))
		}
	}
	if len(missing) > 0 {
		noun := "promise " + missing[0]
		if len(missing) > 1 {
			noun = "promises " + strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
		}
		return false, store.FieldError("promises", "Confirm every promise by ticking its box: %s not ticked yet.", noun)
	}
	now := s.Now()
	acks := make([]Ack, len(active))
	for i, p := range active {
		acks[i] = Ack{EmployeeID: employeeID, PromiseID: p.ID, PromiseVersion: p.Version, Text: p.Text, AcknowledgedAt: now}
	}
	if _, err = tx.NewInsert().Model(&acks).On("CONFLICT (employee_id, promise_id, promise_version) DO NOTHING").Exec(ctx); err != nil {
		return false, err
	}
	// The acknowledgement may be the mission course's last outstanding step.
	c := new(Course)
	err = tx.NewSelect().Model(c).Where("slug = ?", MissionCourse).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	en, err := currentEnrolment(ctx, tx, employeeID, c.ID)
	if err != nil || en == nil || en.CompletedAt != nil {
		return false, err
	}
	_, completed, err := s.UpdateCompletion(ctx, tx, en)
	return completed, err
}

// Acknowledgements returns every acknowledgement the employee has made, newest first.
func (s *Store) Acknowledgements(ctx context.Context, employeeID int64) ([]Ack, error) {
	list := []Ack{}
	err := s.DB.NewSelect().Model(&list).Where("employee_id = ?", employeeID).
		OrderExpr("acknowledged_at DESC, id DESC").Scan(ctx)
	return list, err
}

// PromiseStatus is one active promise as an employee's acknowledgement page shows it.
type PromiseStatus struct {
	Promise
	Confirmed *time.Time // when they confirmed this version; nil if not
	Earlier   *time.Time // when they last confirmed an earlier text (it has changed since); nil if never
}

// AcknowledgementStatus returns every active promise, in order, with when
// the employee confirmed it.
func (s *Store) AcknowledgementStatus(ctx context.Context, employeeID int64) ([]PromiseStatus, error) {
	active, err := activePromises(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	acks, err := s.Acknowledgements(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	out := make([]PromiseStatus, len(active))
	for i, p := range active {
		out[i].Promise = p
		for _, a := range acks { // newest first
			if a.PromiseID != p.ID {
				continue
			}
			at := a.AcknowledgedAt
			if a.PromiseVersion == p.Version && out[i].Confirmed == nil {
				out[i].Confirmed = &at
			} else if a.PromiseVersion < p.Version && out[i].Earlier == nil {
				out[i].Earlier = &at
			}
		}
	}
	return out, nil
}

// Location returns the company's time zone (UTC when unset), for due dates
// and for dates on screen.
func (s *Store) Location(ctx context.Context) (*time.Location, error) {
	return s.LocationIn(ctx, s.DB)
}

// LocationIn is Location for code running in a transaction (db): the cached
// profile when it is fresh, else read through db (and not cached, as a
// transaction's reads may not be committed).
func (s *Store) LocationIn(ctx context.Context, db bun.IDB) (*time.Location, error) {
	if s.isPool(db) {
		p, err := s.CachedCompany(ctx)
		if err != nil {
			return nil, err
		}
		return p.Loc, nil
	}
	if p := s.freshCompany(); p != nil {
		return p.Loc, nil
	}
	p, err := s.companyProfile(ctx, db)
	if err != nil {
		return nil, err
	}
	return p.Loc, nil
}
