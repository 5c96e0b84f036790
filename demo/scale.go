package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// ScaleConfig says what LoadScale builds.
type ScaleConfig struct {
	Employees int    // at least MinScaleEmployees
	Seed      int64  // the same seed builds the same organisation and history
	Password  string // every account's password, hashed once
	BaseURL   string // starts the certificates' verify links; "" is http://localhost:8080
	Progress  io.Writer
	// Now is when the history ends (zero: the current minute). Everything
	// is dated relative to it, so a seed and a Now give the same rows
	// (certificate codes and the password's salt aside: they are random).
	Now time.Time
}

// MinScaleEmployees is the smallest organisation LoadScale builds.
const MinScaleEmployees = 200

// ScaleInfo says what LoadScale built: the accounts to sign in with, the
// managers worth looking at, and the rows per table.
type ScaleInfo struct {
	Employees, Active int
	Logins            []Login
	CEO               ScaleManager   // the whole company in the line
	Largest           ScaleManager   // the director with the largest line
	AroundFiveHundred []ScaleManager // managers with about 500 people in their line
	Rows              []TableRows    // in load order
	Elapsed           time.Duration
}

// ScaleManager is a manager and the number of people in their whole line.
type ScaleManager struct {
	ID                  int64
	Number, Name, Email string
	Line                int
}

// TableRows is the number of rows in a table.
type TableRows struct {
	Table string
	Rows  int
}

// scaleTables are the tables the fixture fills, in load order.
var scaleTables = []string{"employees", "departments", "locations", "job_titles", "programmes", "programme_versions", "programme_courses",
	"audience_rules", "audience_members", "assignments", "cycles", "extensions", "enrolments", "lesson_progress", "course_completions",
	"promise_acknowledgements", "attempts", "observations", "certificates", "readiness", "readiness_snapshots", "measures", "outcome_events"}

// Fixture sizes and pace.
const (
	scaleChunk           = 500  // rows per INSERT
	scaleBatch           = 1000 // employees whose history is written per transaction
	scaleWeeks           = 12   // weekly readiness snapshots
	scaleAttemptDays     = 180  // quiz attempts are kept for the last this many days
	scaleObservationDays = 75   // and role-play observations for these
	scaleDrawSalt        = 0x5ca1e
)

// LoadScale builds a large organisation into an empty database: cfg.Employees
// people in a deep reporting line, the built-in courses in ten programmes
// assigned by audience rules, and years of history — course completions,
// programme cycles of every status and their recertifications, quiz
// attempts, role-play observations, certificates (some revoked, many
// superseded), extensions and exemptions — played per employee with the
// stores' own rules and pure functions and written in bulk, then readiness
// decided for everyone by RefreshAllReadiness and twelve weekly snapshots.
// A Conflict error when the database has employees or programmes already.
func LoadScale(ctx context.Context, db *bun.DB, cfg ScaleConfig) (*ScaleInfo, error) {
	began := time.Now()
	if cfg.Employees < MinScaleEmployees {
		return nil, store.Errorf(store.Invalid, "The scale fixture needs at least %d employees.", MinScaleEmployees)
	}
	if err := people.ValidatePassword(cfg.Password); err != nil && len(cfg.Password) < 8 {
		return nil, fmt.Errorf("demo password: use at least 8 characters")
	}
	now := cfg.Now.UTC()
	if now.IsZero() {
		now = time.Now().UTC().Truncate(time.Minute)
	}
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "scale: %6.1fs  "+format+"\n", append([]any{time.Since(began).Seconds()}, args...)...)
		}
	}
	emps, err := db.NewSelect().TableExpr("employees").Count(ctx)
	if err != nil {
		return nil, err
	}
	progs, err := db.NewSelect().TableExpr("programmes").Count(ctx)
	if err != nil {
		return nil, err
	}
	if emps > 0 || progs > 0 {
		return nil, store.Errorf(store.Conflict, "The scale fixture loads only into an empty database: this one has %d employees and %d programmes.", emps, progs)
	}

	s, err := newLoader(db, cfg.BaseURL, true) // no notifications: 100,000 people's would only slow the fixture
	if err != nil {
		return nil, err
	}
	defer s.clockAt(now)()
	sim, org, err := prepareScale(ctx, s, cfg, now, logf)
	if err != nil {
		return nil, err
	}
	if err := sim.history(ctx, db, logf); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if err := s.courses.RefreshAllReadiness(ctx); err != nil {
		return nil, fmt.Errorf("readiness: %w", err)
	}
	logf("readiness decided for everyone")
	if err := sim.checkReadiness(ctx, db); err != nil {
		return nil, err
	}
	if err := sim.outcomes(ctx, s, logf); err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	// The dashboard's trends read each snapshot week's totals.
	var weeks []string
	if err := db.NewSelect().TableExpr("readiness_snapshots").ColumnExpr("DISTINCT week").Scan(ctx, &weeks); err != nil {
		return nil, err
	}
	for _, w := range weeks {
		if err := courses.WriteSnapshotTotals(ctx, db, w); err != nil {
			return nil, fmt.Errorf("snapshot totals: %w", err)
		}
	}
	if store.IsPostgresDB(db) {
		if err := resetSequences(ctx, db); err != nil {
			return nil, err
		}
	}
	if err := people.Audit(ctx, db, now, nil, "demo", "demo.load", Company,
		fmt.Sprintf("scale fixture: %d employees, seed %d", cfg.Employees, cfg.Seed)); err != nil {
		return nil, err
	}
	info := org.info(cfg.Employees)
	for _, t := range scaleTables {
		n, err := db.NewSelect().TableExpr(t).Count(ctx)
		if err != nil {
			return nil, err
		}
		info.Rows = append(info.Rows, TableRows{t, int(n)})
	}
	info.Elapsed = time.Since(began)
	logf("done")
	return info, nil
}

// prepareScale loads what the history needs through the stores (the
// catalogue, the company, the lists, the programmes and their rules) and
// writes the employees.
func prepareScale(ctx context.Context, s *loader, cfg ScaleConfig, now time.Time, logf func(string, ...any)) (*scaleSim, *scaleOrg, error) {
	db := s.db
	if _, err := s.training.SyncBuiltins(ctx); err != nil {
		return nil, nil, err
	}
	if err := people.PutSetting(ctx, db, courses.SettingName, Company, now); err != nil {
		return nil, nil, err
	}
	if err := loadCompany(ctx, s.courses); err != nil {
		return nil, nil, err
	}
	s.courses.ForgetCompany()
	if _, err := s.training.RegeneratePromiseQuestions(ctx); err != nil { // the demo promises' facts, asked in the promises quiz
		return nil, nil, err
	}
	prof, err := s.courses.CompanyProfile(ctx)
	if err != nil {
		return nil, nil, err
	}
	loc := prof.Loc
	logf("catalogue, question banks, checklists and company loaded")

	org := buildScaleOrg(cfg.Employees, cfg.Seed, now, loc)
	sim := &scaleSim{org: org, loc: loc, now: now, attemptsFrom: now.AddDate(0, 0, -scaleAttemptDays),
		observationsFrom: now.AddDate(0, 0, -scaleObservationDays), seed: cfg.Seed, progs: scaleProgrammes(),
		promises: prof.Promises, company: prof.Name, tz: prof.TimeZone, verify: s.courses.VerifyURL,
		locNames: scaleLocations(), jobNames: scaleJobTitles(), expected: make([]uint64, cfg.Employees)}
	if sim.tz == "" {
		sim.tz = "UTC"
	}
	monday, err := time.ParseInLocation(time.DateOnly, courses.SnapshotWeek(now, loc), loc)
	if err != nil {
		return nil, nil, err
	}
	for k := scaleWeeks - 1; k >= 0; k-- {
		sim.weeks = append(sim.weeks, monday.AddDate(0, 0, -7*k))
	}
	// The lists, through the store.
	for _, l := range []struct {
		kind  people.OrgKind
		names []string
		ids   *[]int64
	}{{people.Departments, deptNames(), &sim.deptIDs}, {people.Locations, sim.locNames, &sim.locIDs}, {people.JobTitles, sim.jobNames, &sim.jobIDs}} {
		for _, name := range l.names {
			it, err := s.people.SaveOrg(ctx, l.kind, 0, name)
			if err != nil {
				return nil, nil, fmt.Errorf("%s %q: %w", l.kind, name, err)
			}
			*l.ids = append(*l.ids, it.ID)
		}
	}
	hash, err := people.HashPassword(cfg.Password)
	if err != nil {
		return nil, nil, err
	}
	if err := sim.writeEmployees(ctx, db, hash); err != nil {
		return nil, nil, fmt.Errorf("employees: %w", err)
	}
	hr := &org.people[org.hr]
	sim.hr = hr.ID
	logf("%d employees written", len(org.people))

	// The programmes, each created (and one or two changed) at its moment, by HR.
	actor := hr.First + " " + hr.Last + " (" + scaleNumber(hr.ID) + ")"
	sim.cs, err = s.courses.CertificateSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	sim.cs.SignatoryName, sim.cs.SignatoryTitle = "Priya Shah", "HR Director, "+Company
	s.clockAt(now.AddDate(0, 0, -2300))
	if err := s.courses.SaveCertificateSettings(ctx, sim.cs, &hr.ID, actor); err != nil {
		return nil, nil, err
	}
	type change struct {
		at time.Time
		p  *scaleProgramme
		v2 bool
	}
	var changes []change
	for _, p := range sim.progs {
		p.created = now.AddDate(0, 0, -p.days).Truncate(time.Hour).Add(2 * time.Hour)
		changes = append(changes, change{p.created, p, false})
		if p.v2Days > 0 {
			changes = append(changes, change{now.AddDate(0, 0, -p.v2Days).Truncate(time.Hour).Add(3 * time.Hour), p, true})
		}
	}
	slices.SortStableFunc(changes, func(a, b change) int { return a.at.Compare(b.at) })
	for _, ch := range changes {
		s.clockAt(ch.at)
		p := ch.p
		if !ch.v2 {
			if _, err := s.courses.CreateProgramme(ctx, p.in, &hr.ID, actor); err != nil {
				return nil, nil, fmt.Errorf("programme %s: %w", p.in.Slug, err)
			}
			if err := sim.saveRules(ctx, db, p, &hr.ID, actor); err != nil {
				return nil, nil, err
			}
			continue
		}
		in := p.in
		in.Courses = append(slices.Clone(in.Courses), courses.ProgrammeCourseInput{Slug: p.v2Add})
		if _, err := s.courses.UpdateProgramme(ctx, p.in.Slug, in, courses.KeepCycles, &hr.ID, actor); err != nil {
			return nil, nil, fmt.Errorf("programme %s: %w", p.in.Slug, err)
		}
	}
	s.clockAt(now)
	if sim.cat, err = s.scaleCatalogue(ctx, cfg.Seed); err != nil {
		return nil, nil, err
	}
	for _, p := range sim.progs {
		if err := sim.loadProgramme(ctx, s, p); err != nil {
			return nil, nil, err
		}
	}
	logf("%d programmes and their audience rules created", len(sim.progs))
	return sim, org, nil
}

func deptNames() []string {
	out := make([]string, len(scaleDepartments))
	for i, d := range scaleDepartments {
		out[i] = d.name
	}
	return out
}

func scaleNumber(id int64) string { return fmt.Sprintf("BW%06d", 100000+id) }

// loadConn returns the connection the bulk load writes on. On SQLite its
// page cache is made large enough for the indexes filled in random order
// (certificate codes, expiry dates): with the default 2 MB nearly every
// insert reads a page back from the file. release restores it.
func loadConn(ctx context.Context, db *bun.DB) (conn bun.Conn, release func(), err error) {
	if conn, err = db.Conn(ctx); err != nil {
		return conn, nil, err
	}
	if store.IsPostgresDB(db) {
		return conn, func() { conn.Close() }, nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil { // 64 MB
		conn.Close()
		return conn, nil, err
	}
	return conn, func() {
		conn.ExecContext(context.Background(), "PRAGMA cache_size = -2000")
		conn.Close()
	}, nil
}

// writeEmployees inserts the organisation, managers first, every account
// with the one password hash.
func (sim *scaleSim) writeEmployees(ctx context.Context, db *bun.DB, hash string) error {
	conn, release, err := loadConn(ctx, db)
	if err != nil {
		return err
	}
	defer release()
	return conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		rows := make([]people.Employee, 0, scaleChunk)
		for i := range sim.org.people {
			p := &sim.org.people[i]
			e := people.Employee{ID: p.ID, Number: scaleNumber(p.ID), FirstName: p.First, LastName: p.Last, Email: p.Email,
				EmailKey: strings.ToLower(p.Email), JobTitleID: &sim.jobIDs[p.Job], DepartmentID: &sim.deptIDs[p.Dept],
				LocationID: &sim.locIDs[p.Loc], LinePath: p.Path, HireDate: p.Hire, Active: p.LeftAt.IsZero(), Roles: p.Roles,
				PasswordHash: hash, CreatedAt: p.HiredAt, UpdatedAt: p.HiredAt}
			if p.Manager >= 0 {
				m := sim.org.people[p.Manager].ID
				e.ManagerID = &m
			}
			if !p.LeftAt.IsZero() {
				t := p.LeftAt
				e.DeactivatedAt, e.UpdatedAt = &t, t
			}
			e.SearchKey = people.SearchKeyOf(&e)
			rows = append(rows, e)
			if len(rows) == scaleChunk || i == len(sim.org.people)-1 {
				if _, err := tx.NewInsert().Model(&rows).Returning("NULL").Exec(ctx); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return nil
	})
}

// saveRules stores the programme's audience rules as HR created them with
// the programme (assigning everyone they match then and later).
func (sim *scaleSim) saveRules(ctx context.Context, db *bun.DB, p *scaleProgramme, by *int64, actor string) error {
	for _, r := range p.rules {
		rule := &courses.Rule{ApplyExisting: true, CreatedByID: by, CreatedAt: p.created, UpdatedAt: p.created}
		if err := db.NewSelect().TableExpr("programmes").Column("id").Where("slug = ?", p.in.Slug).Scan(ctx, &rule.ProgrammeID); err != nil {
			return err
		}
		var a courses.Audience
		switch {
		case r.line:
			ceo := sim.org.people[0].ID
			a.ManagerID = &ceo
		case r.dept != "":
			a.DepartmentID = &sim.deptIDs[slices.Index(deptNames(), r.dept)]
		case r.loc != "":
			a.LocationID = &sim.locIDs[slices.Index(sim.locNames, r.loc)]
		case r.job != "":
			a.JobTitleID = &sim.jobIDs[slices.Index(sim.jobNames, r.job)]
		}
		rule.DepartmentID, rule.LocationID, rule.JobTitleID, rule.ManagerID = a.DepartmentID, a.LocationID, a.JobTitleID, a.ManagerID
		if _, err := db.NewInsert().Model(rule).Returning("id").Exec(ctx); err != nil {
			return err
		}
		p.ruleIDs = append(p.ruleIDs, rule.ID)
		desc, err := courses.DescribeAudience(ctx, db, a)
		if err != nil {
			return err
		}
		if err := people.Audit(ctx, db, p.created, by, actor, "rule.create", p.in.Slug, fmt.Sprintf("rule %d (%s), existing true", rule.ID, desc)); err != nil {
			return err
		}
	}
	return nil
}

// loadProgramme reads back the programme's id, versions and certificate template.
func (sim *scaleSim) loadProgramme(ctx context.Context, s *loader, p *scaleProgramme) error {
	pr, err := s.courses.FindProgramme(ctx, p.in.Slug)
	if err != nil {
		return err
	}
	p.id = pr.ID
	var versions []courses.ProgrammeVersion
	if err := s.db.NewSelect().Model(&versions).Where("programme_id = ?", pr.ID).OrderExpr("version").Scan(ctx); err != nil {
		return err
	}
	for _, v := range versions {
		var pcs []courses.ProgrammeCourse
		if err := s.db.NewSelect().Model(&pcs).Where("version_id = ?", v.ID).OrderExpr("position").Scan(ctx); err != nil {
			return err
		}
		sv := &scaleVersion{id: v.ID, version: v.Version, from: v.CreatedAt}
		for _, pc := range pcs {
			k, ok := sim.cat.bySlug[pc.CourseSlug]
			if !ok {
				return fmt.Errorf("programme %s: course %s is not in the catalogue", p.in.Slug, pc.CourseSlug)
			}
			sv.courses = append(sv.courses, k)
			if !pc.Required {
				sv.optional = append(sv.optional, k)
			} else {
				sv.required, sv.requiredSlugs = append(sv.required, k), append(sv.requiredSlugs, pc.CourseSlug)
			}
		}
		p.versions = append(p.versions, sv)
	}
	tpl, err := json.Marshal(sim.cs.Template(pr.ShowScore))
	if err != nil {
		return err
	}
	p.template = string(tpl)
	return nil
}

// scaleCatalogue reads the built-in courses with their lessons, quizzes
// (and a few draws of each) and checklists.
func (s *loader) scaleCatalogue(ctx context.Context, seed int64) (*scaleCatalogue, error) {
	cat := &scaleCatalogue{bySlug: map[string]int{}}
	slugs := []string{courses.MissionCourse, "six-cs", "service-recovery", "promises-timelines", "empathy-difficult-customers", "customer-world", "internal-customer"}
	rng := rand.New(rand.NewPCG(uint64(seed), scaleDrawSalt))
	for i, slug := range slugs {
		c, o, err := s.courses.PublishedOutline(ctx, slug)
		if err != nil {
			return nil, err
		}
		sc := &scaleCourse{slug: slug, id: c.ID, versionID: o.Version.ID}
		for _, l := range o.Lessons {
			sc.lessons = append(sc.lessons, l.ID)
		}
		for _, a := range o.Version.AssessmentList() {
			if q, err := s.quizzes.FindQuiz(ctx, a); err == nil {
				bank, err := s.quizzes.ListQuestions(ctx, q.CourseSlug)
				if err != nil {
					return nil, err
				}
				sc.quiz = &scaleQuiz{id: q.ID, passMark: q.PassMark, limit: time.Duration(q.TimeLimitMinutes) * time.Minute}
				for range 12 {
					d, err := scaleDrawOf(&q.QuizSettings, bank, rng)
					if err != nil {
						return nil, fmt.Errorf("quiz %s: %w", q.Slug, err)
					}
					sc.quiz.draws = append(sc.quiz.draws, d)
				}
				continue
			}
			cl, err := s.observations.FindChecklist(ctx, a)
			if err != nil {
				return nil, fmt.Errorf("course %s: assessment %s: %w", slug, a, err)
			}
			sc.checklist = &scaleChecklist{id: cl.ID, version: cl.Version, body: cl.Body, reobserveDays: cl.ReobserveDays, c: &cl.Checklist}
		}
		if sc.quiz == nil {
			return nil, fmt.Errorf("course %s has no quiz", slug)
		}
		cat.courses = append(cat.courses, sc)
		cat.bySlug[slug] = i
	}
	return cat, nil
}

// scaleDrawOf draws an attempt's questions as StartAttempt does
// (assessments.DrawQuestions), with the points they are worth.
func scaleDrawOf(q *assessments.QuizSettings, bank []*assessments.BankQuestion, rng *rand.Rand) (scaleDraw, error) {
	items, err := assessments.DrawQuestions(q, bank, rng)
	if err != nil {
		return scaleDraw{}, err
	}
	byID := make(map[int64]*assessments.Question, len(bank))
	for _, bq := range bank {
		byID[bq.ID] = &bq.Question
	}
	unanswered := make([]assessments.AttemptQuestion, len(items))
	for i, it := range items {
		unanswered[i].Question = byID[it.QuestionID]
	}
	b, err := json.Marshal(items)
	return scaleDraw{json: string(b), maxScore: assessments.ScoreAttempt(unanswered).MaxPoints}, err
}

// scaleRows are the rows of one batch of employees' history.
type scaleRows struct {
	assignments  []courses.Assignment
	cycles       []courses.Cycle
	extensions   []courses.Extension
	enrolments   []courses.Enrolment
	lessons      []courses.LessonDone
	completions  []courses.CourseCompletion
	acks         []courses.Ack
	attempts     []assessments.Attempt
	observations []assessments.Observation
	certs        []courses.Certificate
	members      []courses.RuleMember
	snapshots    []courses.SnapshotRow
	employees    int
	stmts        []string
	counts       [3]int // cycles, completions, certificates
	err          error
}

// format builds the batch's INSERT statements, parents before children,
// and lets go of the rows: the statements are built while the previous
// batch is written.
func (r *scaleRows) format(db *bun.DB) error {
	for _, f := range []func() error{
		func() error { return r.add(formatChunks(db, r.assignments)) },
		func() error { return r.add(formatChunks(db, r.cycles)) },
		func() error { return r.add(formatChunks(db, r.extensions)) },
		func() error { return r.add(formatChunks(db, r.enrolments)) },
		func() error { return r.add(formatChunks(db, r.lessons)) },
		func() error { return r.add(formatChunks(db, r.completions)) },
		func() error { return r.add(formatChunks(db, r.acks)) },
		func() error { return r.add(formatChunks(db, r.attempts)) },
		func() error { return r.add(formatChunks(db, r.observations)) },
		func() error { return r.add(formatChunks(db, r.certs)) },
		func() error { return r.add(formatChunks(db, r.members)) },
		func() error { return r.add(formatChunks(db, r.snapshots)) },
	} {
		if err := f(); err != nil {
			return err
		}
	}
	r.counts = [3]int{len(r.cycles), len(r.completions), len(r.certs)}
	*r = scaleRows{stmts: r.stmts, employees: r.employees, counts: r.counts, err: r.err}
	return nil
}

func (r *scaleRows) add(stmts []string, err error) error {
	r.stmts = append(r.stmts, stmts...)
	return err
}

// insert runs the batch's statements in tx.
func (r *scaleRows) insert(ctx context.Context, tx bun.Tx) error {
	for _, q := range r.stmts {
		if _, err := tx.Tx.ExecContext(ctx, q); err != nil { // built by bun already
			return fmt.Errorf("%.60s…: %w", q, err)
		}
	}
	return nil
}

// formatChunks builds the multi-row INSERTs of rows, scaleChunk rows each.
func formatChunks[T any](db *bun.DB, rows []T) ([]string, error) {
	var out []string
	for start := 0; start < len(rows); start += scaleChunk {
		chunk := rows[start:min(start+scaleChunk, len(rows))]
		b, err := db.NewInsert().Model(&chunk).Returning("NULL").AppendQuery(db.QueryGen(), nil)
		if err != nil {
			var zero T
			return out, fmt.Errorf("insert %T: %w", zero, err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

// history plays every employee's history, a batch at a time, while the
// previous batch is written.
func (sim *scaleSim) history(ctx context.Context, db *bun.DB, logf func(string, ...any)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *scaleRows, 1)
	staff := sim.org.people
	go func() {
		defer close(batches)
		for start := 0; start < len(staff); start += scaleBatch {
			rows := &scaleRows{}
			sim.out = rows
			for i := start; i < min(start+scaleBatch, len(staff)); i++ {
				sim.play(&staff[i])
				rows.employees++
			}
			if err := rows.format(db); err != nil && rows.err == nil {
				rows.err = err
			}
			select {
			case batches <- rows:
			case <-ctx.Done():
				return
			}
		}
	}()
	conn, release, err := loadConn(ctx, db)
	if err != nil {
		return err
	}
	defer release()
	done, next := 0, 1
	var cycles, comps, certs int
	for rows := range batches {
		if err != nil {
			continue // drain
		}
		if err = rows.err; err == nil {
			err = conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return rows.insert(ctx, tx) })
		}
		if err != nil {
			cancel()
			continue
		}
		done += rows.employees
		cycles, comps, certs = cycles+rows.counts[0], comps+rows.counts[1], certs+rows.counts[2]
		for done*10 >= next*len(staff) && next <= 10 {
			logf("history %3d%%: %d of %d employees (cycles %d, completions %d, certificates %d)",
				next*10, done, len(staff), cycles, comps, certs)
			next++
		}
	}
	return err
}

// checkReadiness compares the readiness RefreshAllReadiness stored with
// what the history decided: they agree unless the history broke a rule.
func (sim *scaleSim) checkReadiness(ctx context.Context, db *bun.DB) error {
	bad := 0
	var first int64
	for start := int64(1); start <= int64(len(sim.expected)); start += 5000 {
		var rows []courses.ReadinessRow
		if err := db.NewSelect().Model(&rows).Where("employee_id >= ? AND employee_id < ?", start, start+5000).Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			var until time.Time
			if r.Until != nil {
				until = *r.Until
			}
			if readinessHash(r.Status, r.Reasons, until) != sim.expected[r.EmployeeID-1] {
				if bad == 0 {
					first = r.EmployeeID
				}
				bad++
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("readiness: the stored readiness of %d employees differs from the history's (the first: %s)", bad, scaleNumber(first))
	}
	return nil
}

func readinessHash(st courses.Readiness, reasons []courses.Reason, until time.Time) uint64 {
	h := fnv.New64a()
	h.Write([]byte(st))
	if len(reasons) > 0 {
		b, _ := json.Marshal(reasons)
		h.Write(b)
	}
	if !until.IsZero() {
		fmt.Fprint(h, until.UTC().Truncate(time.Microsecond).UnixMicro())
	}
	return h.Sum64()
}

// resetSequences moves PostgreSQL's identity sequences past the ids the
// fixture chose.
func resetSequences(ctx context.Context, db *bun.DB) error {
	for _, t := range []string{"employees", "assignments", "cycles", "extensions", "course_completions", "enrolments", "attempts",
		"observations", "certificates"} {
		if _, err := db.NewRaw("SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ?",
			t, bun.Ident(t)).Exec(ctx); err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	return nil
}

// info describes the organisation's accounts and notable lines.
func (org *scaleOrg) info(n int) *ScaleInfo {
	ps := org.people
	mgr := func(i int) ScaleManager {
		p := &ps[i]
		return ScaleManager{ID: p.ID, Number: scaleNumber(p.ID), Name: p.First + " " + p.Last, Email: p.Email, Line: int(p.Below)}
	}
	info := &ScaleInfo{Employees: n, CEO: mgr(0)}
	largest := -1
	for i := range ps {
		if ps[i].LeftAt.IsZero() {
			info.Active++
		}
		if ps[i].Depth == 1 && (largest < 0 || ps[i].Below > ps[largest].Below) {
			largest = i
		}
	}
	info.Largest = mgr(largest)
	for _, i := range org.five {
		info.AroundFiveHundred = append(info.AroundFiveHundred, mgr(i))
	}
	login := func(role string, i int, what string) {
		p := &ps[i]
		for _, l := range info.Logins {
			if l.Email == p.Email {
				return // a small organisation's director can have the line nearest 500
			}
		}
		info.Logins = append(info.Logins, Login{Role: role, Email: p.Email, Name: p.First + " " + p.Last + " (" + scaleNumber(p.ID) + what + ")"})
	}
	login("admin", org.admin, "")
	login("hr", org.hr, "")
	login("manager", 0, fmt.Sprintf(", chief executive: %d in the line", ps[0].Below))
	login("manager", largest, fmt.Sprintf(", director: %d in the line", ps[largest].Below))
	for _, i := range org.five {
		login("manager", i, fmt.Sprintf(": %d in the line", ps[i].Below))
	}
	if len(org.five) > 0 {
		for i := range ps { // a member of the first of them's line
			if ps[i].Reports == 0 && ps[i].LeftAt.IsZero() && strings.HasPrefix(ps[i].Path, ps[org.five[0]].Path) && i != org.five[0] {
				login("staff", i, "")
				break
			}
		}
	}
	return info
}

// newCertCode is a certificate code, as the store draws it.
func newCertCode() string { return certdoc.NewCode() }
