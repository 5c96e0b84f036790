package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Historical completions import: companies arrive with years of history
// from their previous LMS. Each row says that an employee completed a
// programme or a course on a day; the import records them as imported
// course completions (a programme row: one for each of its required
// courses), which count for status, readiness and transcripts through the
// courses' own rules. All or nothing: a file with any problem writes
// nothing. Re-importing the same file is idempotent: a row already
// imported (same employee, programme or course, and day) adds nothing and
// is reported as a duplicate.

// CompletionRow is one data row of a completions file, as typed. Line is
// its line in the file (the header is line 1).
type CompletionRow struct {
	Line        int
	Employee    string // employee number or e-mail
	Programme   string // slug or title; or
	Course      string // slug or title
	CompletedAt string // ISO or day-month-year
	Score       string // optional, 0–100
	Source      string // optional: the system it came from
}

// CompletionOptions change what an import does.
type CompletionOptions struct {
	// Certificates issues a certificate for each programme cycle the
	// import completes; without it none is issued.
	Certificates bool
	DryRun       bool   // plan only: nothing is written
	Filename     string // for the import's record
}

// CompletionRowError is one problem in a completions file: Field is
// employee, programme, course, completed_at, score, source or file.
type CompletionRowError = store.LineError

// PlannedCompletion is what one row records (or, in a dry run, would).
type PlannedCompletion struct {
	Line        int      `json:"line"`
	Employee    string   `json:"employee"` // the employee's number
	Name        string   `json:"name"`
	Kind        string   `json:"kind"` // programme or course
	Slug        string   `json:"slug"`
	Title       string   `json:"title"`
	CompletedOn string   `json:"completed_on"` // YYYY-MM-DD, company-local
	Score       *float64 `json:"score"`
	Source      string   `json:"source"`
	Duplicate   bool     `json:"duplicate"` // imported before: adds nothing
	Effect      string   `json:"effect"`    // in words: the cycle it completes, or why it completes none
}

// CompletionPlan is what an import would do (dry run) or did.
type CompletionPlan struct {
	Rows         int                  `json:"rows"`
	Created      int                  `json:"created"`    // rows recorded
	Duplicates   int                  `json:"duplicates"` // rows imported before
	Assigned     int                  `json:"assigned"`   // programmes assigned to people who did not have them
	Completed    int                  `json:"completed"`  // programme cycles completed
	Certificates bool                 `json:"certificates"`
	Records      []PlannedCompletion  `json:"records"`
	Errors       []CompletionRowError `json:"errors"`
}

// OK reports whether the file has no problems.
func (p *CompletionPlan) OK() bool { return len(p.Errors) == 0 }

func (p *CompletionPlan) addError(line int, field, format string, args ...any) {
	p.Errors = append(p.Errors, CompletionRowError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// completionImport is the record of one import applied.
type completionImport struct {
	bun.BaseModel `bun:"table:completion_imports"`

	ID           int64     `bun:",pk,autoincrement"`
	Filename     string    `bun:",notnull"`
	RowsRead     int       `bun:",notnull"`
	Created      int       `bun:",notnull"`
	Duplicates   int       `bun:",notnull"`
	Certificates bool      `bun:",notnull"`
	CreatedByID  *int64    `bun:"created_by_id"`
	CreatedAt    time.Time `bun:",notnull"`
}

// MaxCompletionsBytes is the largest completions file read.
const MaxCompletionsBytes = 20 << 20

// completionColumns are the headings accepted for each field: the
// academy's own, common LMS exports' (Totara's completion upload:
// username, courseshortname, completiondate, grade) and spreadsheets'.
var completionColumns = []store.CSVColumn{
	{Field: "employee", Aliases: []string{"employee number", "employee id", "employee no", "staff id", "staff number", "number",
		"email", "e-mail", "employee email", "work email", "user", "username", "user email", "learner", "learner email"}},
	{Field: "programme", Aliases: []string{"program", "programme slug", "programme title", "programme name", "program name",
		"program title", "learning plan", "certification", "curriculum"}},
	{Field: "course", Aliases: []string{"course name", "course title", "course slug", "course short name", "courseshortname"}},
	{Field: "completed_at", Aliases: []string{"completed", "completed at", "completed on", "completion date", "date completed",
		"completed date", "completion time", "time completed", "date"}},
	{Field: "score", Aliases: []string{"grade", "final score", "result", "score percent"}},
	{Field: "source", Aliases: []string{"system", "lms", "origin", "imported from"}},
}

// ReadCompletions reads a completions file (CSV, see completionColumns).
// Problems with the file as a whole (size, encoding, missing columns) and
// records that cannot be read come back as errors with their lines; rows
// holds every record that could be read.
func ReadCompletions(data []byte) (rows []CompletionRow, errs []store.LineError) {
	f, errs := store.ReadCSV(data, store.CSVSpec{MaxBytes: MaxCompletionsBytes, Columns: completionColumns})
	if f == nil {
		return nil, errs
	}
	if !f.Has("employee") {
		errs = append(errs, f.MissingColumn("employee", `"Employee", "Employee Number", "Email" or "Username"`))
	}
	if !f.Has("programme") && !f.Has("course") {
		errs = append(errs, store.LineErrorf(f.HeaderLine, "file", `The file has no programme or course column (headings such as "Programme", "Course" or "Course Name" are recognised).`))
	}
	if !f.Has("completed_at") {
		errs = append(errs, f.MissingColumn("completed_at", `"Completed At", "Completion Date" or "Date Completed"`))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for rec, ok := f.Next(); ok; rec, ok = f.Next() {
		if rec.Problem != nil {
			errs = append(errs, *rec.Problem)
			continue
		}
		rows = append(rows, CompletionRow{Line: rec.Line, Employee: rec.Cell("employee"), Programme: rec.Cell("programme"),
			Course: rec.Cell("course"), CompletedAt: rec.Cell("completed_at"), Score: rec.Cell("score"), Source: rec.Cell("source")})
	}
	if len(rows) == 0 && len(errs) == 0 {
		errs = append(errs, store.LineErrorf(f.HeaderLine, "file", "The file has a header line but no completions."))
	}
	return rows, errs
}

// ImportCompletionsCSV reads a completions file and imports it as
// ImportCompletions does; a file that cannot be read, or has records that
// cannot be read, writes nothing, and the plan lists every problem found,
// by line.
func (s *Service) ImportCompletionsCSV(ctx context.Context, data []byte, opt CompletionOptions, actor Actor) (*CompletionPlan, error) {
	rows, errs := ReadCompletions(data)
	if len(errs) > 0 && rows == nil {
		plan := &CompletionPlan{Certificates: opt.Certificates, Records: []PlannedCompletion{}, Errors: errs}
		return plan, nil
	}
	if len(errs) > 0 {
		opt.DryRun = true // the rows are still checked, so that every problem is reported; nothing is written
	}
	plan, err := s.ImportCompletions(ctx, rows, opt, actor)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		plan.Rows += len(errs)
		plan.Errors = append(plan.Errors, errs...)
		slices.SortStableFunc(plan.Errors, func(a, b CompletionRowError) int { return a.Line - b.Line })
		plan.Records, plan.Created, plan.Duplicates, plan.Assigned, plan.Completed = []PlannedCompletion{}, 0, 0, 0, 0
	}
	return plan, nil
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ImportCompletions checks rows and, when every row is good, records them
// in one transaction with one audit entry by actor: employees without an
// open assignment of a programme named are assigned it (by hand, by the
// actor) first; then the completions are recorded and the cycles they
// complete decided (certificates only with opt.Certificates). With
// opt.DryRun the same work is done and rolled back, so the plan says
// exactly what applying would do. Problems in the file come back in
// plan.Errors with nothing written; the error is for internal failures.
func (s *Service) ImportCompletions(ctx context.Context, rows []CompletionRow, opt CompletionOptions, actor Actor) (*CompletionPlan, error) {
	var plan *CompletionPlan
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		plan, err = s.importCompletions(ctx, tx, rows, opt, actor)
		if err != nil {
			return err
		}
		if opt.DryRun || !plan.OK() {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return plan, nil
}

// importEmployee is what the import needs of an employee.
type importEmployee struct {
	ID                          int64
	Number, FirstName, LastName string
	EmailKey                    string
	Active                      bool
}

// checkedCompletion is a good row with what it names.
type checkedCompletion struct {
	row       *PlannedCompletion
	emp       *importEmployee
	programme *courses.Programme // nil for a course row
	slugs     []string           // the courses recorded
	at        time.Time
	score     *float64
	source    string
}

func (s *Service) importCompletions(ctx context.Context, tx bun.IDB, rows []CompletionRow, opt CompletionOptions, actor Actor) (*CompletionPlan, error) {
	plan := &CompletionPlan{Rows: len(rows), Certificates: opt.Certificates, Records: []PlannedCompletion{}, Errors: []CompletionRowError{}}
	if len(rows) == 0 {
		plan.addError(1, "file", "The file has a header line but no completions.")
		return plan, nil
	}
	loc, err := s.courses.LocationIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	today := now.In(loc).Format(time.DateOnly)
	emps, err := importEmployees(ctx, tx, rows)
	if err != nil {
		return nil, err
	}
	progs, err := courses.ProgrammesIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	published, err := courses.PublishedIn(ctx, tx)
	if err != nil {
		return nil, err
	}

	var good []checkedCompletion
	seen := map[string]int{} // employee, what, day → first line
	for i := range rows {
		r := &rows[i]
		bad := false
		fail := func(field, format string, args ...any) {
			bad = true
			plan.addError(r.Line, field, format, args...)
		}
		rec := PlannedCompletion{Line: r.Line}
		c := checkedCompletion{}

		who := strings.TrimSpace(r.Employee)
		switch e := employeeFor(emps, who); {
		case who == "":
			fail("employee", "Give the employee's number or e-mail.")
		case e == nil:
			fail("employee", "No employee has the number or e-mail %q.", who)
		case !e.Active:
			fail("employee", "%s (%s) has left: completions are imported for current employees.", strings.TrimSpace(e.FirstName+" "+e.LastName), e.Number)
		default:
			c.emp = e
			rec.Employee, rec.Name = e.Number, strings.TrimSpace(e.FirstName+" "+e.LastName)
		}

		prog, course := strings.TrimSpace(r.Programme), strings.TrimSpace(r.Course)
		switch {
		case prog != "" && course != "":
			fail("programme", "Give a programme or a course on each line, not both.")
		case prog == "" && course == "":
			fail("programme", "Give the programme (or the course) that was completed.")
		case prog != "":
			p, msg := findByName(progs, prog, func(p *courses.Programme) (string, string) { return p.Slug, p.Title })
			switch {
			case p == nil:
				fail("programme", "%s", strings.ReplaceAll(msg, "%WHAT%", "programme"))
			case p.ArchivedAt != nil:
				fail("programme", "%s is archived: completions of it are no longer recorded.", p.Title)
			case len(p.Required()) == 0:
				fail("programme", "%s has no required course to record.", p.Title)
			default:
				c.programme, c.slugs = p, p.Required()
				rec.Kind, rec.Slug, rec.Title = "programme", p.Slug, p.Title
			}
		default:
			v, msg := findByName(versionPtrs(published), course, func(v *courses.Version) (string, string) { return v.Slug, v.Title })
			if v == nil {
				fail("course", "%s", strings.ReplaceAll(msg, "%WHAT%", "published course"))
			} else {
				c.slugs = []string{v.Slug}
				rec.Kind, rec.Slug, rec.Title = "course", v.Slug, v.Title
			}
		}

		day, err := people.ParseDate(r.CompletedAt)
		switch {
		case strings.TrimSpace(r.CompletedAt) == "":
			fail("completed_at", "Give the day it was completed (such as 2025-03-31 or 31/03/2025).")
		case err != nil:
			fail("completed_at", "%q is not a date: write it as 2025-03-31 or 31/03/2025.", strings.TrimSpace(r.CompletedAt))
		case day > today:
			fail("completed_at", "%s is in the future: only completions that have happened are imported.", day)
		default:
			d, _ := time.ParseInLocation(time.DateOnly, day, loc)
			c.at, rec.CompletedOn = d.UTC(), day
		}

		if sc := strings.TrimSpace(r.Score); sc != "" {
			f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.ReplaceAll(sc, ",", "."), "%")), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 100 {
				fail("score", "%q is not a score from 0 to 100.", sc)
			} else {
				c.score, rec.Score = &f, &f
			}
		}
		src := strings.TrimSpace(r.Source)
		switch {
		case utf8.RuneCountInString(src) > 200:
			fail("source", "The source is %d characters long; keep it to 200.", utf8.RuneCountInString(src))
		case people.HasControl(src):
			fail("source", "The source has a control character; remove it.")
		default:
			c.source, rec.Source = src, src
		}

		if bad {
			continue
		}
		key := fmt.Sprintf("%d|%s:%s|%s", c.emp.ID, rec.Kind, rec.Slug, rec.CompletedOn)
		if first, dup := seen[key]; dup {
			plan.addError(r.Line, rec.Kind, "This line repeats line %d (%s, %s, %s).", first, rec.Employee, rec.Title, rec.CompletedOn)
			continue
		}
		seen[key] = r.Line
		plan.Records = append(plan.Records, rec)
		good = append(good, c)
	}
	if !plan.OK() {
		plan.Records = []PlannedCompletion{}
		return plan, nil
	}
	for i := range good {
		good[i].row = &plan.Records[i]
	}
	return plan, s.recordCompletions(ctx, tx, plan, good, opt, actor, loc, now)
}

// recordCompletions writes the checked rows of plan and fills in what each did.
func (s *Service) recordCompletions(ctx context.Context, tx bun.IDB, plan *CompletionPlan, good []checkedCompletion, opt CompletionOptions, actor Actor, loc *time.Location, now time.Time) error {
	// Which rows were imported before.
	var list []courses.ImportedCompletion
	var owner []int // index in good of each of list
	for i, c := range good {
		key := c.row.Kind + ":" + c.row.Slug
		for _, slug := range c.slugs {
			list = append(list, courses.ImportedCompletion{EmployeeID: c.emp.ID, CourseSlug: slug, CompletedAt: c.at,
				Score: c.score, Source: c.source, Key: key})
			owner = append(owner, i)
		}
	}
	recorded, err := courses.ImportedRecorded(ctx, tx, list)
	if err != nil {
		return err
	}
	dup := make([]bool, len(good))
	for i := range dup {
		dup[i] = true
	}
	for j, done := range recorded {
		if !done {
			dup[owner[j]] = false
		}
	}
	var fresh []courses.ImportedCompletion
	for j, c := range list {
		if !dup[owner[j]] && !recorded[j] {
			fresh = append(fresh, c)
		}
	}

	// Programmes first: whoever has no open assignment of one is assigned it.
	byProgramme := map[int64][]int64{}
	var programmes []*courses.Programme
	for i, c := range good {
		if c.programme == nil || dup[i] {
			continue
		}
		if !slices.Contains(byProgramme[c.programme.ID], c.emp.ID) {
			if len(byProgramme[c.programme.ID]) == 0 {
				programmes = append(programmes, c.programme)
			}
			byProgramme[c.programme.ID] = append(byProgramme[c.programme.ID], c.emp.ID)
		}
	}
	assignedNow := map[[2]int64]bool{}
	for _, p := range programmes {
		open, err := courses.OpenAssignmentsIn(ctx, tx, p.ID, byProgramme[p.ID])
		if err != nil {
			return err
		}
		var need []int64
		for _, id := range byProgramme[p.ID] {
			if !open[id] {
				need = append(need, id)
			}
		}
		ids, err := s.courses.AssignEmployeesIn(ctx, tx, p, need, actor.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			assignedNow[[2]int64{p.ID, id}] = true
		}
		plan.Assigned += len(ids)
	}

	var importID int64
	created := 0
	for _, d := range dup {
		if !d {
			created++
		}
	}
	plan.Created, plan.Duplicates = created, len(good)-created
	if created > 0 {
		ci := &completionImport{Filename: truncate(opt.Filename, 300), RowsRead: plan.Rows, Created: created,
			Duplicates: plan.Duplicates, Certificates: opt.Certificates, CreatedByID: actor.ID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(ci).Returning("id").Exec(ctx); err != nil {
			return err
		}
		importID = ci.ID
	}
	completed, err := s.courses.RecordImported(ctx, tx, fresh, importID, opt.Certificates)
	if err != nil {
		return err
	}
	plan.Completed = len(completed)

	// What each row did.
	for i, c := range good {
		r := c.row
		r.Duplicate = dup[i]
		if dup[i] {
			r.Effect = "imported before: nothing to add"
			continue
		}
		var done []string
		for _, cy := range completed {
			if cy.EmployeeID == c.emp.ID && cy.CompletedAt != nil && cy.CompletedAt.Equal(c.at) &&
				(c.programme == nil || cy.ProgrammeID == c.programme.ID) {
				done = append(done, s.cycleWords(ctx, tx, cy, loc))
			}
		}
		switch {
		case len(done) > 0:
			r.Effect = "completes " + strings.Join(done, "; ")
		case c.programme != nil:
			r.Effect, err = s.noCycleWords(ctx, tx, c, loc, assignedNow[[2]int64{c.programme.ID, c.emp.ID}])
			if err != nil {
				return err
			}
		default:
			r.Effect = "recorded in the course history"
		}
		if assignedNow[[2]int64{progID(c.programme), c.emp.ID}] {
			r.Effect = "assigned by the import; " + r.Effect
		}
	}
	if created == 0 {
		return nil
	}
	what := fmt.Sprintf("%d recorded, %d imported before, %d programmes assigned, %d cycles completed", created, plan.Duplicates, plan.Assigned, plan.Completed)
	if opt.Certificates {
		what += ", with certificates"
	}
	return people.Audit(ctx, tx, now, actor.ID, actor.Name, "completions.import", truncate(opt.Filename, 100), what)
}

func progID(p *courses.Programme) int64 {
	if p == nil {
		return 0
	}
	return p.ID
}

// cycleWords names a completed cycle: "Front Desk Induction, cycle 1 (valid until 3 Dec 2027)".
func (s *Service) cycleWords(ctx context.Context, tx bun.IDB, cy *courses.Cycle, loc *time.Location) string {
	title := ""
	var p courses.Programme
	if err := tx.NewSelect().Model(&p).Column("title").Where("id = ?", cy.ProgrammeID).Scan(ctx); err == nil {
		title = p.Title
	}
	out := fmt.Sprintf("%s, cycle %d", title, cy.Cycle)
	if cy.ExpiresAt != nil {
		out += " (valid until " + cy.ExpiresAt.In(loc).Format("2 Jan 2006") + ")"
	}
	return out
}

// noCycleWords says why a programme row completes no cycle.
func (s *Service) noCycleWords(ctx context.Context, tx bun.IDB, c checkedCompletion, loc *time.Location, assigned bool) (string, error) {
	cy, err := courses.CurrentCycleIn(ctx, tx, c.emp.ID, c.programme.ID)
	if err != nil || cy == nil {
		return "recorded in the course history", err
	}
	switch {
	case cy.ExemptAt != nil:
		return fmt.Sprintf("recorded; cycle %d is exempt", cy.Cycle), nil
	case cy.CompletedAt != nil:
		return fmt.Sprintf("recorded; cycle %d was already completed on %s", cy.Cycle, cy.CompletedAt.In(loc).Format("2 Jan 2006")), nil
	case cy.CountsFrom != nil && !cy.CountsFrom.Before(c.at):
		return fmt.Sprintf("recorded; too old to count for cycle %d (completions count from %s, within the programme's validity)",
			cy.Cycle, cy.CountsFrom.In(loc).Format("2 Jan 2006")), nil
	}
	return fmt.Sprintf("recorded; cycle %d is still open", cy.Cycle), nil
}

// importEmployees finds the employees the rows name: keyed by number as
// written, and by "@" and the lower-cased e-mail (see employeeFor).
func importEmployees(ctx context.Context, tx bun.IDB, rows []CompletionRow) (map[string]*importEmployee, error) {
	var keys []string
	for _, r := range rows {
		if k := strings.TrimSpace(r.Employee); k != "" && !people.HasControl(k) && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	out := map[string]*importEmployee{}
	for start := 0; start < len(keys); start += 400 {
		chunk := keys[start:min(start+400, len(keys))]
		lower := make([]string, len(chunk))
		for i, k := range chunk {
			lower[i] = strings.ToLower(k)
		}
		var list []*importEmployee
		if err := tx.NewSelect().TableExpr("employees").Column("id", "number", "first_name", "last_name", "email_key", "active").
			Where("number IN (?) OR email_key IN (?)", bun.In(chunk), bun.In(lower)).Scan(ctx, &list); err != nil {
			return nil, err
		}
		for _, e := range list {
			out[e.Number] = e
			out["@"+e.EmailKey] = e
		}
	}
	return out, nil
}

// employeeFor is the employee whose number is who (as written) or whose
// e-mail is who (any letter case).
func employeeFor(emps map[string]*importEmployee, who string) *importEmployee {
	if e := emps[who]; e != nil {
		return e
	}
	return emps["@"+strings.ToLower(who)]
}

func versionPtrs(list []courses.Version) []*courses.Version {
	out := make([]*courses.Version, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// findByName finds the item whose slug is name, or else whose title is name
// (any letter case); msg explains a miss, with %WHAT% for the kind of thing.
func findByName[T any](list []T, name string, key func(T) (slug, title string)) (found T, msg string) {
	var zero T
	for _, it := range list {
		if slug, _ := key(it); slug == name {
			return it, ""
		}
	}
	var matches []T
	for _, it := range list {
		if _, title := key(it); strings.EqualFold(strings.Join(strings.Fields(title), " "), strings.Join(strings.Fields(name), " ")) {
			matches = append(matches, it)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], ""
	case 0:
		return zero, fmt.Sprintf("There is no %%WHAT%% with the short name or title %q.", name)
	}
	return zero, fmt.Sprintf("%d %%WHAT%%s are titled %q: give the short name of the one you mean.", len(matches), name)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// CompletionBatch is an uploaded completions file waiting between preview
// and apply, kept in the database so the apply can land on any instance.
type CompletionBatch struct {
	bun.BaseModel `bun:"table:completion_import_batches"`

	ID           string    `bun:",pk"`
	CreatedByID  int64     `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
	Filename     string    `bun:",notnull"`
	Content      string    `bun:",notnull"`
	Certificates bool      `bun:",notnull"`
}

// CreateCompletionBatch stores an upload for preview under a new random id.
func (s *Service) CreateCompletionBatch(ctx context.Context, createdBy int64, filename string, content []byte, certificates bool) (*CompletionBatch, error) {
	b := &CompletionBatch{ID: people.NewToken(18), CreatedByID: createdBy, CreatedAt: s.Now(), Filename: truncate(filename, 300),
		Content: string(content), Certificates: certificates}
	_, err := s.db.NewInsert().Model(b).Exec(ctx)
	return b, err
}

// FindCompletionBatch returns the batch id uploaded by createdBy, or
// NotFound (also for someone else's batch, or one older than a day).
func (s *Service) FindCompletionBatch(ctx context.Context, id string, createdBy int64) (*CompletionBatch, error) {
	b := new(CompletionBatch)
	err := s.db.NewSelect().Model(b).Where("id = ? AND created_by_id = ? AND created_at > ?", id, createdBy,
		s.Now().Add(-24*time.Hour)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "This import preview has expired or was already applied. Upload the file again.")
	}
	return b, err
}

// DeleteCompletionBatch removes a batch once applied.
func (s *Service) DeleteCompletionBatch(ctx context.Context, id string) error {
	_, err := s.db.NewDelete().Model((*CompletionBatch)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}
