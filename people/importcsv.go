package people

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// MaxImportBytes is the largest employee file PlanImport reads.
const MaxImportBytes = 20 << 20

// ImportOptions changes what an import does beyond creating and updating.
type ImportOptions struct {
	DeactivateMissing bool // deactivate active employees not in the file
	// Admin says the importer is an admin, or the operator at the command
	// line. Otherwise a row that changes anyone's roles, or changes or
	// deactivates someone who holds HR or admin, is an error.
	Admin bool
	// Importer is the importing employee's id (0: none): their own row may
	// change although they hold HR, but not their roles or status.
	Importer int64
}

// RowError is one problem in an import file. Line is the physical line where
// the record starts (the header is line 1); Field is a canonical column name
// (employee_number, email, ...) or "file" for problems with the whole file.
type RowError = store.LineError

// PlanRow is one employee the import creates, updates, leaves alone or
// deactivates. Line is 0 for deactivations (they are not in the file).
type PlanRow struct {
	Line    int      `json:"line"`
	Number  string   `json:"number"`
	Name    string   `json:"name"`
	Changed []string `json:"changed,omitempty"` // on update: the fields that change (see changedFields)
}

// ImportPlan is what an import would do (PlanImport) or did (ApplyImport).
type ImportPlan struct {
	Rows           int        `json:"rows"` // data rows read
	Creates        []PlanRow  `json:"creates"`
	Updates        []PlanRow  `json:"updates"`
	Unchanged      []PlanRow  `json:"unchanged"`
	Deactivates    []PlanRow  `json:"deactivates"`
	Errors         []RowError `json:"errors"`
	IgnoredColumns []string   `json:"ignored_columns"` // headings not recognised, as written in the file

	refused []refusal // rows the importer may not make (see checkImportAuthority), audited by ApplyImport
}

// OK reports whether the file has no errors, so the plan can be applied.
func (p *ImportPlan) OK() bool { return len(p.Errors) == 0 }

// Summary says in words what the plan does, e.g. "3 created, 2 updated, 1 deactivated, 5 unchanged".
func (p *ImportPlan) Summary() string {
	return fmt.Sprintf("%d created, %d updated, %d deactivated, %d unchanged",
		len(p.Creates), len(p.Updates), len(p.Deactivates), len(p.Unchanged))
}

func (p *ImportPlan) addError(line int, field, format string, args ...any) {
	p.Errors = append(p.Errors, RowError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// PlanImport reads an employee file (CSV, see importColumns) and compares it
// with the database; it writes nothing. Problems in the file come back as
// plan.Errors; the error is only for internal failures. For people already
// stored, a column the file does not have keeps the stored value, and an
// empty cell clears it, except roles: an empty roles cell keeps them.
func (s *Store) PlanImport(ctx context.Context, data []byte, opt ImportOptions) (*ImportPlan, error) {
	plan, _, err := planImport(ctx, s.DB, data, opt)
	return plan, err
}

// ApplyImport plans again inside one transaction and, only when the plan has
// no errors, writes all of it and one audit entry (actorID, actor). The plan
// comes back either way; check plan.OK() to know whether anything was written.
func (s *Store) ApplyImport(ctx context.Context, data []byte, opt ImportOptions, actorID *int64, actor string) (*ImportPlan, error) {
	var plan *ImportPlan
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := activeAdminIDs(ctx, tx); err != nil { // no admin changes elsewhere meanwhile
			return err
		}
		p, w, err := planImport(ctx, tx, data, opt)
		if err != nil {
			return err
		}
		plan = p
		now := s.Now()
		if !p.OK() {
			return auditRefusals(ctx, tx, now, actorID, actor, p.refused)
		}
		if err := w.apply(ctx, tx, now); err != nil {
			return err
		}
		return Audit(ctx, tx, now, actorID, actor, "employees.import", fmt.Sprintf("%d rows", p.Rows), p.Summary())
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// Reading the file.

// importColumns lists the headings accepted for each field. Headings are
// compared by store.HeadingKey.
var importColumns = []store.CSVColumn{
	{Field: "employee_number", Aliases: []string{"employee number", "employee id", "employee no", "emp id", "emp no", "staff id",
		"staff number", "worker id", "personnel number", "id", "number"}},
	{Field: "first_name", Aliases: []string{"first name", "given name", "forename", "firstname"}},
	{Field: "last_name", Aliases: []string{"last name", "surname", "family name"}},
	{Field: "full_name", Aliases: []string{"full name", "name", "employee name", "display name"}},
	{Field: "email", Aliases: []string{"email", "work email", "email address", "e-mail", "business email", "work email address"}},
	{Field: "job_title", Aliases: []string{"job title", "title", "position", "job", "position title"}},
	{Field: "department", Aliases: []string{"department", "dept", "division"}},
	{Field: "location", Aliases: []string{"location", "city", "office", "site", "work location"}},
	{Field: "manager_number", Aliases: []string{"manager id", "manager number", "manager employee id", "manager employee number",
		"supervisor id", "reports to id", "line manager id", "manager no"}},
	{Field: "manager_email", Aliases: []string{"manager email", "supervisor email", "line manager email", "reports to email"}},
	{Field: "hire_date", Aliases: []string{"hire date", "start date", "date hired", "joining date", "date of joining",
		"original hire date", "employment start date"}},
	{Field: "active", Aliases: []string{"active", "status", "employment status"}},
	{Field: "roles", Aliases: []string{"roles", "academy roles"}},
}

var (
	activeWords   = []string{"", "active", "yes", "y", "true", "1", "employed"}
	inactiveWords = []string{"inactive", "no", "n", "false", "0", "terminated", "left", "leaver"}
)

// importRow is one data row of the file.
type importRow struct {
	line     int
	in       EmployeeInput
	emailKey string
	mgrEmail string // manager_email cell, lower-cased
	manager  string // resolved manager number; "" for none (or unresolved)
	bad      bool   // has errors
	entry    bool   // first row with its number: part of the reporting graph
	cur      *currentEmployee
	changed  []string
}

type importFile struct {
	rows    []importRow
	ignored []string
	has     map[string]bool // fields with a column
}

// readImport parses data into rows. Problems with the whole file stop it
// (rows is nil); problems with a row mark the row bad and read on.
func readImport(data []byte, plan *ImportPlan) *importFile {
	cf, errs := store.ReadCSV(data, store.CSVSpec{MaxBytes: MaxImportBytes, Columns: importColumns})
	plan.Errors = append(plan.Errors, errs...)
	if cf == nil {
		return nil
	}
	headerLine := cf.HeaderLine
	f := &importFile{ignored: cf.Ignored, has: map[string]bool{}}
	plan.IgnoredColumns = f.ignored
	for field := range cf.Columns {
		f.has[field] = true
	}
	hasFirst, hasLast, hasFull := cf.Has("first_name"), cf.Has("last_name"), cf.Has("full_name")
	missing := func(field, headings string) {
		plan.Errors = append(plan.Errors, cf.MissingColumn(field, headings))
	}
	if !cf.Has("employee_number") {
		missing("employee_number", `"Employee Number", "Employee ID" or "Staff ID"`)
	}
	if !cf.Has("email") {
		missing("email", `"Email" or "Work Email"`)
	}
	if !hasFull && !(hasFirst && hasLast) {
		switch {
		case hasFirst:
			missing("last_name", `"Last Name" or "Surname"`)
		case hasLast:
			missing("first_name", `"First Name" or "Given Name"`)
		default:
			plan.addError(headerLine, "file", `The file has no name columns: give "First Name" and "Last Name", or "Full Name".`)
		}
	}
	if !plan.OK() {
		return nil
	}

	// Errors about names go to the column the names came from.
	nameField := func(field string) string {
		if (field == "first_name" || field == "last_name") && !(hasFirst || hasLast) {
			return "full_name"
		}
		return field
	}
	hasRoles := cf.Has("roles")
	for rec, ok := cf.Next(); ok; rec, ok = cf.Next() {
		plan.Rows++
		if rec.Problem != nil {
			plan.Errors = append(plan.Errors, *rec.Problem)
			f.rows = append(f.rows, importRow{line: rec.Line, bad: true})
			continue
		}
		line := rec.Line
		r := importRow{line: line}
		in := &r.in
		in.Number = rec.Cell("employee_number")
		in.FirstName, in.LastName = rec.Cell("first_name"), rec.Cell("last_name")
		if hasFull && strings.TrimSpace(in.FirstName) == "" && strings.TrimSpace(in.LastName) == "" {
			in.FirstName, in.LastName = splitFullName(rec.Cell("full_name"))
		}
		in.Email = rec.Cell("email")
		in.JobTitle = rec.Cell("job_title")
		in.Department = rec.Cell("department")
		in.Location = rec.Cell("location")
		in.ManagerNumber = rec.Cell("manager_number")
		in.HireDate = rec.Cell("hire_date")
		in.Roles = rec.Cell("roles")
		in.KeepRoles = !hasRoles || strings.TrimSpace(in.Roles) == ""
		r.mgrEmail = strings.ToLower(strings.TrimSpace(rec.Cell("manager_email")))

		status := strings.ToLower(strings.TrimSpace(rec.Cell("active")))
		switch {
		case slices.Contains(activeWords, status):
			in.Active = true
		case slices.Contains(inactiveWords, status):
			in.Active = false
		default:
			r.bad = true
			plan.addError(line, "active", "%q is not a status: use Active or Inactive (or yes/no, true/false, 1/0, employed/terminated/left).",
				strings.TrimSpace(rec.Cell("active")))
		}
		for _, e := range in.Check() {
			r.bad = true
			plan.addError(line, nameField(e.Field), "%s", e.Message)
		}
		r.emailKey = strings.ToLower(in.Email)
		f.rows = append(f.rows, r)
	}
	if plan.Rows == 0 {
		plan.addError(headerLine, "file", "The file has a header line but no employees.")
		return nil
	}
	return f
}

// splitFullName splits at the last space: "Mary Ann Smith" is first name
// "Mary Ann", last name "Smith"; a single word is a first name.
func splitFullName(s string) (first, last string) {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// The database side.

// currentEmployee is the part of a stored employee the import compares;
// ids are 0 for none. Kept small: the plan holds every employee in memory.
type currentEmployee struct {
	id                                           int64
	number, firstName, lastName, email, emailKey string
	hireDate, roles                              string
	jobTitleID, departmentID, locationID         int64
	managerID                                    int64
	active                                       bool
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (c *currentEmployee) employee() Employee {
	return Employee{ID: c.id, Number: c.number, FirstName: c.firstName, LastName: c.lastName, Email: c.email,
		EmailKey: c.emailKey, HireDate: c.hireDate, Roles: c.roles, Active: c.active,
		JobTitleID: idPtr(c.jobTitleID), DepartmentID: idPtr(c.departmentID), LocationID: idPtr(c.locationID),
		ManagerID: idPtr(c.managerID)}
}

var importOrgKinds = [3]OrgKind{JobTitles, Departments, Locations}

var orgFields = map[OrgKind]string{JobTitles: "job_title", Departments: "department", Locations: "location"}

// importState is the database as the plan saw it.
type importState struct {
	list     []currentEmployee
	byNumber map[string]*currentEmployee
	byEmail  map[string]*currentEmployee
	byID     map[int64]*currentEmployee
	orgs     [3]map[string]int64 // name key → id, in importOrgKinds order
}

func loadImportState(ctx context.Context, db bun.IDB) (*importState, error) {
	st := &importState{}
	for i, kind := range importOrgKinds {
		var ids []int64
		var keys []string
		if err := db.NewSelect().TableExpr(string(kind)).Column("id", "name_key").Scan(ctx, &ids, &keys); err != nil {
			return nil, fmt.Errorf("load %s: %w", kind, err)
		}
		st.orgs[i] = make(map[string]int64, len(ids))
		for j, id := range ids {
			st.orgs[i][keys[j]] = id
		}
	}
	rows, err := db.NewSelect().TableExpr("employees").
		Column("id", "number", "first_name", "last_name", "email", "email_key", "roles", "active").
		ColumnExpr("COALESCE(hire_date, '')").
		ColumnExpr("COALESCE(job_title_id, 0), COALESCE(department_id, 0), COALESCE(location_id, 0), COALESCE(manager_id, 0)").
		OrderExpr("id").Rows(ctx)
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		st.list = append(st.list, currentEmployee{})
		c := &st.list[len(st.list)-1]
		if err := rows.Scan(&c.id, &c.number, &c.firstName, &c.lastName, &c.email, &c.emailKey, &c.roles, &c.active,
			&c.hireDate, &c.jobTitleID, &c.departmentID, &c.locationID, &c.managerID); err != nil {
			return nil, fmt.Errorf("load employees: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	st.byNumber = make(map[string]*currentEmployee, len(st.list))
	st.byEmail = make(map[string]*currentEmployee, len(st.list))
	st.byID = make(map[int64]*currentEmployee, len(st.list))
	for i := range st.list {
		c := &st.list[i]
		st.byNumber[c.number] = c
		st.byEmail[c.emailKey] = c
		st.byID[c.id] = c
	}
	return st, nil
}

// importWork is a checked plan: what apply writes.
type importWork struct {
	st          *importState
	hasOrg      [3]bool // the file has the column, in importOrgKinds order
	rows        []importRow
	creates     []int // indexes into rows
	updates     []int
	deactivates []*currentEmployee
}

func planImport(ctx context.Context, db bun.IDB, data []byte, opt ImportOptions) (*ImportPlan, *importWork, error) {
	plan := &ImportPlan{}
	f := readImport(data, plan)
	if f == nil {
		return plan, nil, nil
	}
	st, err := loadImportState(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	rows := f.rows

	// Duplicates within the file; fileNumbers and fileEmails keep the first
	// row, errors or not, so references to a bad row do not cascade.
	fileNumbers := make(map[string]int, len(rows))
	fileEmails := make(map[string]int, len(rows))
	for i := range rows {
		r := &rows[i]
		if r.in.Number != "" {
			if j, dup := fileNumbers[r.in.Number]; dup {
				r.bad = true
				plan.addError(r.line, "employee_number", "Employee number %s is also on line %d.", r.in.Number, rows[j].line)
			} else {
				fileNumbers[r.in.Number] = i
				r.entry = true
			}
		}
		if r.emailKey != "" {
			if j, dup := fileEmails[r.emailKey]; dup {
				r.bad = true
				plan.addError(r.line, "email", "Email %s is also on line %d.", r.in.Email, rows[j].line)
			} else {
				fileEmails[r.emailKey] = i
			}
		}
	}

	// Emails that belong to someone else in the database, unless the file
	// moves that person to another email.
	for i := range rows {
		r := &rows[i]
		if r.emailKey == "" || r.in.Number == "" {
			continue
		}
		holder := st.byEmail[r.emailKey]
		if holder == nil || holder.number == r.in.Number {
			continue
		}
		if j, ok := fileNumbers[holder.number]; ok && rows[j].emailKey != r.emailKey {
			continue
		}
		r.bad = true
		plan.addError(r.line, "email", "%s is already the email of employee %s.", r.in.Email, holder.number)
	}

	// Managers: by number or email, in the file (any line) or the database.
	for i := range rows {
		r := &rows[i]
		if !r.entry {
			continue
		}
		if !f.has["manager_number"] && !f.has["manager_email"] {
			// No manager columns: keep the stored manager.
			if c := st.byNumber[r.in.Number]; c != nil && c.managerID != 0 {
				r.manager = st.byID[c.managerID].number
			}
			continue
		}
		byNumber, byEmail := "", ""
		if m := r.in.ManagerNumber; m != "" && m != r.in.Number { // own number: Normalize said so
			if _, ok := fileNumbers[m]; ok || st.byNumber[m] != nil {
				byNumber = m
			} else {
				r.bad = true
				plan.addError(r.line, "manager_number", "No employee has number %q, in this file or in the academy.", m)
			}
		}
		if m := r.mgrEmail; m != "" {
			if j, ok := fileEmails[m]; ok && rows[j].in.Number != "" {
				byEmail = rows[j].in.Number
			} else if c := st.byEmail[m]; c != nil {
				byEmail = c.number
			} else {
				r.bad = true
				plan.addError(r.line, "manager_email", "No employee has email %s, in this file or in the academy.", m)
			}
		}
		switch {
		case byEmail != "" && byEmail == r.in.Number:
			r.bad = true
			plan.addError(r.line, "manager_email", "An employee cannot be their own manager.")
		case byNumber != "" && byEmail != "" && byNumber != byEmail:
			r.bad = true
			plan.addError(r.line, "manager_email", "Manager email %s is employee %s, but the manager number is %s.", r.mgrEmail, byEmail, byNumber)
		case byNumber != "":
			r.manager = byNumber
		default:
			r.manager = byEmail
		}
	}
	checkCycles(plan, rows, fileNumbers, st)

	// Classify the good rows against the database.
	w := &importWork{st: st, rows: rows}
	for k, kind := range importOrgKinds {
		w.hasOrg[k] = f.has[orgFields[kind]]
	}
	pending := [3]map[string]int64{{}, {}, {}}
	orgID := func(k int, name string) (*int64, error) {
		if name == "" {
			return nil, nil
		}
		key := nameKey(name)
		id, ok := st.orgs[k][key]
		if !ok {
			if id, ok = pending[k][key]; !ok {
				id = -int64(len(pending[k]) + 1) // not created yet: differs from every stored id
				pending[k][key] = id
			}
		}
		return &id, nil
	}
	for i := range rows {
		r := &rows[i]
		if r.bad {
			continue
		}
		pr := PlanRow{Line: r.line, Number: r.in.Number, Name: strings.TrimSpace(r.in.FirstName + " " + r.in.LastName)}
		r.cur = st.byNumber[r.in.Number]
		if r.cur == nil {
			w.creates = append(w.creates, i)
			plan.Creates = append(plan.Creates, pr)
			continue
		}
		if !f.has["hire_date"] {
			r.in.HireDate = r.cur.hireDate
		}
		ids, _ := w.orgIDs(r, orgID)
		var managerID *int64
		if r.manager != "" {
			if c := st.byNumber[r.manager]; c != nil {
				managerID = &c.id
			} else {
				id := -int64(fileNumbers[r.manager] + 1)
				managerID = &id
			}
		}
		before := r.cur.employee()
		after := before
		fillEmployee(&after, &r.in, ids[0], ids[1], ids[2], managerID, time.Time{})
		r.changed = changedFields(&before, &after)
		if len(r.changed) == 0 {
			plan.Unchanged = append(plan.Unchanged, pr)
			continue
		}
		pr.Changed = r.changed
		w.updates = append(w.updates, i)
		plan.Updates = append(plan.Updates, pr)
	}
	if opt.DeactivateMissing {
		for i := range st.list {
			c := &st.list[i]
			if _, inFile := fileNumbers[c.number]; c.active && !inFile {
				w.deactivates = append(w.deactivates, c)
			}
		}
		slices.SortFunc(w.deactivates, func(a, b *currentEmployee) int { return strings.Compare(a.number, b.number) })
		for _, c := range w.deactivates {
			plan.Deactivates = append(plan.Deactivates, PlanRow{Number: c.number, Name: strings.TrimSpace(c.firstName + " " + c.lastName)})
		}
	}
	checkImportAuthority(plan, w, opt)
	slices.SortStableFunc(plan.Errors, func(a, b RowError) int { return a.Line - b.Line })
	return plan, w, nil
}

// checkCycles reports, on every file row in it, each reporting cycle in the
// graph the import would leave (the database with the file's rows applied).
func checkCycles(plan *ImportPlan, rows []importRow, fileNumbers map[string]int, st *importState) {
	next := func(number string) string {
		if i, ok := fileNumbers[number]; ok {
			return rows[i].manager
		}
		if c := st.byNumber[number]; c != nil && c.managerID != 0 {
			if m := st.byID[c.managerID]; m != nil {
				return m.number
			}
		}
		return ""
	}
	const (
		onPath = 1
		done   = 2
	)
	state := make(map[string]int8, len(rows))
	var path []string
	for i := range rows {
		if !rows[i].entry {
			continue
		}
		path = path[:0]
		n := rows[i].in.Number
		for n != "" && state[n] == 0 {
			state[n] = onPath
			path = append(path, n)
			n = next(n)
		}
		if n != "" && state[n] == onPath {
			cycle := path[slices.Index(path, n):]
			for k, member := range cycle {
				j, ok := fileNumbers[member]
				if !ok {
					continue
				}
				rows[j].bad = true
				plan.addError(rows[j].line, "manager_number", "Reporting cycle: %s. Someone in it must report to a manager outside it.",
					describeCycle(cycle, k))
			}
		}
		for _, p := range path {
			state[p] = done
		}
	}
}

// describeCycle writes the cycle starting at member k, e.g. "7 → 9 → 7".
func describeCycle(cycle []string, k int) string {
	var b strings.Builder
	for i := range min(len(cycle), 12) {
		b.WriteString(cycle[(k+i)%len(cycle)])
		b.WriteString(" → ")
	}
	if len(cycle) > 12 {
		fmt.Fprintf(&b, "… (%d people) → ", len(cycle))
	}
	b.WriteString(cycle[k])
	return b.String()
}

// orgIDs returns the job title, department and location ids for r: resolve
// maps a name to an id; a column missing from the file keeps the stored id.
func (w *importWork) orgIDs(r *importRow, resolve func(k int, name string) (*int64, error)) (ids [3]*int64, err error) {
	for k, name := range []string{r.in.JobTitle, r.in.Department, r.in.Location} {
		if !w.hasOrg[k] && r.cur != nil {
			ids[k] = idPtr([]int64{r.cur.jobTitleID, r.cur.departmentID, r.cur.locationID}[k])
		} else if ids[k], err = resolve(k, name); err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// fillEmployee copies in onto e the way SaveEmployee does.
func fillEmployee(e *Employee, in *EmployeeInput, jobTitleID, departmentID, locationID, managerID *int64, now time.Time) {
	e.FirstName, e.LastName, e.Email, e.EmailKey = in.FirstName, in.LastName, in.Email, strings.ToLower(in.Email)
	e.JobTitleID, e.DepartmentID, e.LocationID = jobTitleID, departmentID, locationID
	e.ManagerID, e.HireDate = managerID, in.HireDate
	if !in.KeepRoles {
		e.Roles = in.Roles
	}
	setActive(e, in.Active, now)
	e.SearchKey = searchKey(e)
	e.UpdatedAt = now
}

// Writing.

// createLevels orders the rows to create so that managers come before their
// reports: level 0 reports to nobody new, level n to someone at level n-1.
// It returns the row indexes and, alongside, their levels.
func (w *importWork) createLevels() (order, levels []int, err error) {
	newRow := make(map[string]int, len(w.creates))
	level := make(map[int]int, len(w.creates))
	for _, i := range w.creates {
		newRow[w.rows[i].in.Number] = i
	}
	var path []int
	for _, i := range w.creates {
		path = path[:0]
		base := -1 // level of the first row above path whose level is known
		for j := i; ; {
			if l, ok := level[j]; ok {
				base = l
				break
			}
			if len(path) > len(w.creates) {
				return nil, nil, fmt.Errorf("import: reporting cycle among new employees at line %d", w.rows[i].line)
			}
			path = append(path, j)
			k, ok := newRow[w.rows[j].manager]
			if !ok {
				break
			}
			j = k
		}
		for p := len(path) - 1; p >= 0; p-- {
			base++
			level[path[p]] = base
		}
	}
	order = slices.Clone(w.creates)
	slices.SortStableFunc(order, func(a, b int) int { return level[a] - level[b] })
	levels = make([]int, len(order))
	for n, i := range order {
		levels[n] = level[i]
	}
	return order, levels, nil
}

const importChunk = 500

func chunks[T any](list []T, fn func([]T) error) error {
	for len(list) > 0 {
		n := min(len(list), importChunk)
		if err := fn(list[:n]); err != nil {
			return err
		}
		list = list[n:]
	}
	return nil
}

// apply writes a checked plan inside tx.
func (w *importWork) apply(ctx context.Context, tx bun.IDB, now time.Time) error {
	var caches [3]map[string]int64
	for k := range caches {
		caches[k] = maps.Clone(w.st.orgs[k])
	}
	ensure := func(k int, name string) (*int64, error) {
		return ensureOrg(ctx, tx, importOrgKinds[k], name, caches[k], now)
	}

	// Emails may move between people (a swap, or a new starter taking a
	// changed address): park the changing ones on unique placeholders first.
	var moving []int64
	for _, i := range w.updates {
		if r := &w.rows[i]; r.emailKey != r.cur.emailKey {
			moving = append(moving, r.cur.id)
		}
	}
	if err := chunks(moving, func(ids []int64) error {
		_, err := tx.NewUpdate().TableExpr("employees").Set("email_key = '~import~' || CAST(id AS VARCHAR(20))").
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("import: free emails: %w", err)
	}

	var ended []int64 // employees whose sessions end
	for _, i := range w.updates {
		r := &w.rows[i]
		ids, err := w.orgIDs(r, ensure)
		if err != nil {
			return err
		}
		e := r.cur.employee()
		fillEmployee(&e, &r.in, ids[0], ids[1], ids[2], e.ManagerID, now)
		cols := []string{"first_name", "last_name", "email", "email_key", "search_key", "job_title_id", "department_id",
			"location_id", "hire_date", "active", "roles", "updated_at"}
		if e.Active != r.cur.active {
			cols = append(cols, "deactivated_at") // otherwise keep a leaver's date
		}
		if _, err := tx.NewUpdate().Model(&e).Column(cols...).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("import: update %s: %w", e.Number, err)
		}
		if r.cur.active && !e.Active {
			ended = append(ended, e.ID)
		}
	}

	// New employees go in by level (managers before their reports, wherever
	// they are in the file), so each row is inserted with its manager id.
	idOf := make(map[string]int64, len(w.creates))
	lookup := func(number string) int64 {
		if c := w.st.byNumber[number]; c != nil {
			return c.id
		}
		return idOf[number]
	}
	order, levels, err := w.createLevels()
	if err != nil {
		return err
	}
	created := make([]Employee, len(order))
	for n, i := range order {
		r := &w.rows[i]
		ids, err := w.orgIDs(r, ensure)
		if err != nil {
			return err
		}
		e := &created[n]
		*e = Employee{Number: r.in.Number, Active: true, CreatedAt: now}
		fillEmployee(e, &r.in, ids[0], ids[1], ids[2], nil, now)
	}
	for start := 0; start < len(order); {
		end := start
		for end < len(order) && levels[end] == levels[start] {
			if m := w.rows[order[end]].manager; m != "" {
				id := lookup(m)
				created[end].ManagerID = &id
			}
			end++
		}
		if err := chunks(created[start:end], func(list []Employee) error {
			if _, err := tx.NewInsert().Model(&list).Returning("id").Exec(ctx); err != nil {
				return err
			}
			// Their reporting-line paths (see ChildPath): the manager's path, then their own id.
			ids := make([]int64, len(list))
			for k := range list {
				ids[k] = list[k].ID
			}
			_, err := tx.NewUpdate().TableExpr("employees").
				Set("line_path = COALESCE((SELECT NULLIF(m.line_path, '') FROM employees AS m WHERE m.id = employees.manager_id), '/') || CAST(id AS VARCHAR(20)) || '/'").
				Where("id IN (?)", bun.List(ids)).Exec(ctx)
			return err
		}); err != nil {
			return fmt.Errorf("import: create employees: %w", err)
		}
		for _, e := range created[start:end] {
			idOf[e.Number] = e.ID
		}
		start = end
	}

	// Second pass: managers of updated employees (they may report to someone new).
	type link struct{ id, managerID int64 }
	var links []link
	for _, i := range w.updates {
		r := &w.rows[i]
		if want := lookup(r.manager); want != r.cur.managerID {
			links = append(links, link{r.cur.id, want})
		}
	}
	if err := chunks(links, func(list []link) error {
		var b strings.Builder
		ids := make([]int64, len(list))
		b.WriteString("manager_id = CASE id")
		for k, l := range list {
			ids[k] = l.id
			if l.managerID == 0 {
				fmt.Fprintf(&b, " WHEN %d THEN CAST(NULL AS BIGINT)", l.id)
			} else {
				fmt.Fprintf(&b, " WHEN %d THEN %d", l.id, l.managerID)
			}
		}
		b.WriteString(" ELSE manager_id END")
		_, err := tx.NewUpdate().TableExpr("employees").Set(b.String()).Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("import: set managers: %w", err)
	}

	// People who moved take their lines with them: recompute the paths once.
	if len(links) > 0 {
		if _, err := RebuildPaths(ctx, tx); err != nil {
			return fmt.Errorf("import: reporting lines: %w", err)
		}
	}

	leavers := make([]int64, len(w.deactivates))
	for k, c := range w.deactivates {
		leavers[k] = c.id
	}
	if err := chunks(leavers, func(ids []int64) error {
		_, err := tx.NewUpdate().TableExpr("employees").
			Set("active = ?", false).Set("deactivated_at = ?", now).Set("updated_at = ?", now).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("import: deactivate: %w", err)
	}
	ended = append(ended, leavers...)
	if err := chunks(ended, func(ids []int64) error {
		_, err := tx.NewDelete().TableExpr("sessions").Where("employee_id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("import: end sessions: %w", err)
	}
	return nil
}
