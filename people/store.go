package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Store reads and writes people. Methods that take a bun.IDB run inside the
// caller's transaction.
type Store struct {
	DB  *bun.DB
	Now func() time.Time
}

// NewStore returns a Store on db with the real clock.
func NewStore(db *bun.DB) *Store {
	return &Store{DB: db, Now: func() time.Time { return time.Now().UTC() }}
}

// OrgKind names one of the organisation lists.
type OrgKind string

const (
	Departments OrgKind = "departments"
	Locations   OrgKind = "locations"
	JobTitles   OrgKind = "job_titles"
)

// ParseOrgKind returns the list named s, or NotFound.
func ParseOrgKind(s string) (OrgKind, error) {
	switch OrgKind(s) {
	case Departments, Locations, JobTitles:
		return OrgKind(s), nil
	}
	return "", store.Errorf(store.NotFound, "There is no list called %q.", s)
}

// Label is the list's name for people.
func (k OrgKind) Label() string {
	switch k {
	case Departments:
		return "Departments"
	case Locations:
		return "Locations"
	}
	return "Job titles"
}

// Noun is one item of the list in running text ("department").
func (k OrgKind) Noun() string {
	switch k {
	case Departments:
		return "department"
	case Locations:
		return "location"
	}
	return "job title"
}

func (k OrgKind) column() string {
	switch k {
	case Departments:
		return "department_id"
	case Locations:
		return "location_id"
	}
	return "job_title_id"
}

// OrgItem is one department, location or job title.
type OrgItem struct {
	ID        int64     `bun:",pk,autoincrement"`
	Name      string    `bun:",notnull"`
	NameKey   string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
	Headcount int       `bun:",scanonly"`
}

func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ListOrg returns the items of a list with their active headcount, by name.
func (s *Store) ListOrg(ctx context.Context, kind OrgKind) ([]OrgItem, error) {
	var items []OrgItem
	err := s.DB.NewSelect().Model(&items).ModelTableExpr(string(kind) + " AS o").
		ColumnExpr("o.*").
		ColumnExpr("(SELECT COUNT(*) FROM employees e WHERE e." + kind.column() + " = o.id AND e.active) AS headcount").
		OrderExpr("o.name_key").Scan(ctx)
	return items, err
}

// ListOrgNames is ListOrg without the headcounts (which read every
// employee), for the filters of large reports.
func (s *Store) ListOrgNames(ctx context.Context, kind OrgKind) ([]OrgItem, error) {
	var items []OrgItem
	err := s.DB.NewSelect().Model(&items).ModelTableExpr(string(kind) + " AS o").ColumnExpr("o.*").OrderExpr("o.name_key").Scan(ctx)
	return items, err
}

// FindOrg returns one item, or NotFound.
func (s *Store) FindOrg(ctx context.Context, kind OrgKind, id int64) (*OrgItem, error) {
	var it OrgItem
	err := s.DB.NewSelect().Model(&it).ModelTableExpr(string(kind)+" AS o").ColumnExpr("o.*").Where("o.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "That %s does not exist.", strings.TrimSuffix(kind.Label(), "s"))
	}
	return &it, err
}

// FindOrgByName returns the item called name (in any letter case and
// spacing), or NotFound.
func (s *Store) FindOrgByName(ctx context.Context, kind OrgKind, name string) (*OrgItem, error) {
	var it OrgItem
	err := s.DB.NewSelect().Model(&it).ModelTableExpr(string(kind)+" AS o").ColumnExpr("o.*").Where("o.name_key = ?", nameKey(name)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no %s called %q.", kind.Noun(), name)
	}
	return &it, err
}

// SaveOrg creates an item (id 0) or renames one. A name already used (in any
// letter case) is a Conflict on field "name".
func (s *Store) SaveOrg(ctx context.Context, kind OrgKind, id int64, name string) (*OrgItem, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return nil, store.FieldError("name", "Name is required.")
	}
	if len([]rune(name)) > 200 {
		return nil, store.FieldError("name", "Name is longer than 200 characters.")
	}
	it := &OrgItem{ID: id, Name: name, NameKey: nameKey(name), CreatedAt: s.Now()}
	var err error
	if id == 0 {
		_, err = s.DB.NewInsert().Model(it).ModelTableExpr(string(kind)).Returning("id").Exec(ctx)
	} else {
		var res sql.Result
		res, err = s.DB.NewUpdate().TableExpr(string(kind)).Set("name = ?", it.Name).Set("name_key = ?", it.NameKey).
			Where("id = ?", id).Exec(ctx)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return nil, store.Errorf(store.NotFound, "That item does not exist.")
			}
		}
	}
	if store.IsUniqueViolation(err) {
		return nil, &store.Error{Kind: store.Conflict, Field: "name", Message: fmt.Sprintf("%q is already in the list.", name)}
	}
	return it, err
}

// ensureOrg returns the id of the item called name, creating it if needed;
// nil for an empty name. cache maps name keys to ids across calls.
func ensureOrg(ctx context.Context, db bun.IDB, kind OrgKind, name string, cache map[string]int64, now time.Time) (*int64, error) {
	if name == "" {
		return nil, nil
	}
	key := nameKey(name)
	if id, ok := cache[key]; ok {
		return &id, nil
	}
	var id int64
	err := db.NewSelect().TableExpr(string(kind)).Column("id").Where("name_key = ?", key).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		it := &OrgItem{Name: name, NameKey: key, CreatedAt: now}
		if _, err = db.NewInsert().Model(it).ModelTableExpr(string(kind)).Returning("id").Exec(ctx); err != nil {
			return nil, err
		}
		id = it.ID
	} else if err != nil {
		return nil, err
	}
	if cache != nil {
		cache[key] = id
	}
	return &id, nil
}

// selectEmployees is the one base query that fills the joined names.
func selectEmployees(db bun.IDB, dest any) *bun.SelectQuery {
	return db.NewSelect().Model(dest).
		ColumnExpr("e.*").
		ColumnExpr("COALESCE(jt.name, '') AS job_title").
		ColumnExpr("COALESCE(d.name, '') AS department").
		ColumnExpr("COALESCE(l.name, '') AS location").
		ColumnExpr("COALESCE(m.number, '') AS manager_number").
		ColumnExpr("COALESCE(m.first_name || ' ' || m.last_name, '') AS manager_name").
		Join("LEFT JOIN job_titles AS jt ON jt.id = e.job_title_id").
		Join("LEFT JOIN departments AS d ON d.id = e.department_id").
		Join("LEFT JOIN locations AS l ON l.id = e.location_id").
		Join("LEFT JOIN employees AS m ON m.id = e.manager_id")
}

func notFoundEmployee(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.Errorf(store.NotFound, "No employee %s.", what)
	}
	return err
}

// FindEmployee returns the employee with id, or NotFound.
func (s *Store) FindEmployee(ctx context.Context, id int64) (*Employee, error) {
	return s.FindEmployeeIn(ctx, s.DB, id)
}

// FindEmployeeIn is FindEmployee through db (a transaction).
func (s *Store) FindEmployeeIn(ctx context.Context, db bun.IDB, id int64) (*Employee, error) {
	e := new(Employee)
	err := selectEmployees(db, e).Where("e.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, notFoundEmployee(err, "with that id")
	}
	return e, nil
}

// FindEmployeeByNumber returns the employee with that employee number, or NotFound.
func (s *Store) FindEmployeeByNumber(ctx context.Context, number string) (*Employee, error) {
	if HasControl(number) { // nobody's number has one, and a NUL cannot reach SQL
		return nil, store.Errorf(store.NotFound, "No employee has number %q.", number)
	}
	e := new(Employee)
	err := selectEmployees(s.DB, e).Where("e.number = ?", number).Scan(ctx)
	if err != nil {
		return nil, notFoundEmployee(err, fmt.Sprintf("has number %q", number))
	}
	return e, nil
}

// FindEmployeeByEmail returns the employee with that email (any letter case), or NotFound.
func (s *Store) FindEmployeeByEmail(ctx context.Context, email string) (*Employee, error) {
	if HasControl(email) {
		return nil, store.Errorf(store.NotFound, "No employee has that email.")
	}
	e := new(Employee)
	err := selectEmployees(s.DB, e).Where("e.email_key = ?", strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		return nil, notFoundEmployee(err, "has that email")
	}
	return e, nil
}

// EmployeeFilter narrows ListEmployees. Zero values do not filter.
type EmployeeFilter struct {
	Search        string // number, name or email contains (any case)
	DepartmentID  int64
	LocationID    int64
	JobTitleID    int64
	Department    string // by name (API)
	Location      string // by name (API)
	ManagerID     int64  // direct reports of
	LineOf        int64  // restrict to the reporting line (direct and indirect) of
	Active        *bool
	AfterNumber   string // keyset: numbers after this one, ordered by number
	OrderByNumber bool   // order by number instead of name
	Limit         int
	Offset        int
}

// ListEmployees returns one page of employees matching f and the total count
// (-1 for keyset pages, which do not need it).
func (s *Store) ListEmployees(ctx context.Context, f EmployeeFilter) ([]Employee, int, error) {
	var list []Employee
	q, err := s.filterEmployees(ctx, selectEmployees(s.DB, &list), f)
	if err != nil {
		return nil, 0, err
	}
	if f.OrderByNumber {
		q = q.OrderExpr("e.number")
	} else {
		q = q.OrderExpr("e.last_name, e.first_name, e.number")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1001 {
		limit = 50
	}
	if err := q.Limit(int64(limit)).Offset(int64(f.Offset)).Scan(ctx); err != nil {
		return nil, 0, err
	}
	if f.AfterNumber != "" || f.OrderByNumber {
		return list, -1, nil
	}
	// The count needs no joins unless a filter names a department or location.
	cq := s.DB.NewSelect().TableExpr("employees AS e")
	if f.Department != "" {
		cq = cq.Join("JOIN departments AS d ON d.id = e.department_id")
	}
	if f.Location != "" {
		cq = cq.Join("JOIN locations AS l ON l.id = e.location_id")
	}
	if cq, err = s.filterEmployees(ctx, cq, f); err != nil {
		return nil, 0, err
	}
	n, err := cq.Count(ctx)
	return list, int(n), err
}

// filterEmployees adds f's conditions to q (which selects employees AS e).
func (s *Store) filterEmployees(ctx context.Context, q *bun.SelectQuery, f EmployeeFilter) (*bun.SelectQuery, error) {
	if f.LineOf != 0 {
		root, err := linePath(ctx, s.DB, f.LineOf)
		if err != nil {
			return nil, err
		}
		q = whereBelow(q, "e", root)
	}
	if HasControl(f.Search) {
		return nil, store.FieldError("q", "The search contains a control character (such as a NUL byte); remove it.")
	}
	for _, w := range strings.Fields(strings.ToLower(f.Search)) {
		if store.IsPostgresDB(s.DB) {
			q = q.Where("strpos(e.search_key, ?) > 0", w)
		} else {
			q = q.Where("instr(e.search_key, ?) > 0", w) // much cheaper than LIKE '%w%' in SQLite
		}
	}
	if f.DepartmentID != 0 {
		q = q.Where("e.department_id = ?", f.DepartmentID)
	}
	if f.LocationID != 0 {
		q = q.Where("e.location_id = ?", f.LocationID)
	}
	if f.JobTitleID != 0 {
		q = q.Where("e.job_title_id = ?", f.JobTitleID)
	}
	if f.Department != "" {
		q = q.Where("d.name_key = ?", nameKey(f.Department))
	}
	if f.Location != "" {
		q = q.Where("l.name_key = ?", nameKey(f.Location))
	}
	if f.ManagerID != 0 {
		q = q.Where("e.manager_id = ?", f.ManagerID)
	}
	if f.Active != nil {
		q = q.Where("e.active = ?", *f.Active)
	}
	if f.AfterNumber != "" {
		q = q.Where("e.number > ?", f.AfterNumber)
	}
	return q, nil
}

// HasReports reports whether anyone active reports directly to id.
func (s *Store) HasReports(ctx context.Context, id int64) (bool, error) {
	return s.DB.NewSelect().TableExpr("employees").Where("manager_id = ? AND active", id).Exists(ctx)
}

// DirectReports returns the people who report directly to id, by name.
func (s *Store) DirectReports(ctx context.Context, id int64) ([]Employee, error) {
	var list []Employee
	err := selectEmployees(s.DB, &list).
		ColumnExpr("(SELECT COUNT(*) FROM employees AS r WHERE r.manager_id = e.id AND r.active) AS reports").
		Where("e.manager_id = ?", id).OrderExpr("e.active DESC, e.last_name, e.first_name").Scan(ctx)
	return list, err
}

// CountEmployees returns the number of active and of all employees.
func (s *Store) CountEmployees(ctx context.Context) (active, all int, err error) {
	err = s.DB.NewSelect().TableExpr("employees").
		ColumnExpr("COUNT(*)").ColumnExpr("COALESCE(SUM(CASE WHEN active THEN 1 ELSE 0 END), 0)").
		Scan(ctx, &all, &active)
	return active, all, err
}

// SaveResult says what SaveEmployee did.
type SaveResult struct {
	Employee *Employee
	Created  bool
	Changed  []string // names of fields that changed on update
}

// SaveEmployee creates or updates (by number) one employee from in, in its own
// transaction. Returns Invalid for bad fields, Conflict for a taken email or a
// reporting cycle, each naming the field.
func (s *Store) SaveEmployee(ctx context.Context, in EmployeeInput) (*SaveResult, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var res *SaveResult
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		res, err = saveEmployee(ctx, tx, in, s.Now())
		return err
	})
	return res, err
}

// SaveEmployeeIn is SaveEmployee inside the caller's transaction tx (a
// load of many people written at once), with the same errors.
func (s *Store) SaveEmployeeIn(ctx context.Context, tx bun.IDB, in EmployeeInput) (*SaveResult, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	return saveEmployee(ctx, tx, in, s.Now())
}

func saveEmployee(ctx context.Context, tx bun.IDB, in EmployeeInput, now time.Time) (*SaveResult, error) {
	e := new(Employee)
	err := tx.NewSelect().Model(e).Where("number = ?", in.Number).Scan(ctx)
	created := errors.Is(err, sql.ErrNoRows)
	if err != nil && !created {
		return nil, err
	}
	before := *e
	if created {
		e = &Employee{Number: in.Number, Active: true, CreatedAt: now}
	}

	emailKey := strings.ToLower(in.Email)
	var other Employee
	err = tx.NewSelect().Model(&other).Column("number").Where("email_key = ?", emailKey).Scan(ctx)
	if err == nil && other.Number != in.Number {
		return nil, &store.Error{Kind: store.Conflict, Field: "email",
			Message: fmt.Sprintf("%s is already the email of employee %s.", in.Email, other.Number)}
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}

	var managerID *int64
	parentPath := "/"
	if in.ManagerNumber != "" {
		var m Employee
		err := tx.NewSelect().Model(&m).Column("id", "line_path").Where("number = ?", in.ManagerNumber).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.FieldError("manager_number", "No employee has number %q.", in.ManagerNumber)
		} else if err != nil {
			return nil, err
		}
		if !created {
			below, err := InLine(ctx, tx, e.ID, m.ID)
			if err != nil {
				return nil, err
			}
			if below || m.ID == e.ID {
				return nil, &store.Error{Kind: store.Conflict, Field: "manager_number",
					Message: fmt.Sprintf("%s reports to %s already, so %s cannot be their manager: that would be a reporting cycle.", in.ManagerNumber, in.Number, in.ManagerNumber)}
			}
		}
		managerID = &m.ID
		parentPath = m.LinePath
	}

	if e.JobTitleID, err = ensureOrg(ctx, tx, JobTitles, in.JobTitle, nil, now); err != nil {
		return nil, err
	}
	if e.DepartmentID, err = ensureOrg(ctx, tx, Departments, in.Department, nil, now); err != nil {
		return nil, err
	}
	if e.LocationID, err = ensureOrg(ctx, tx, Locations, in.Location, nil, now); err != nil {
		return nil, err
	}
	e.FirstName, e.LastName, e.Email, e.EmailKey = in.FirstName, in.LastName, in.Email, emailKey
	e.ManagerID, e.HireDate = managerID, in.HireDate
	if !in.KeepRoles {
		e.Roles = in.Roles
	}
	setActive(e, in.Active, now)
	e.SearchKey = searchKey(e)
	e.UpdatedAt = now
	if !created {
		if err := keepAnAdmin(ctx, tx, &before, e); err != nil {
			return nil, err
		}
	}

	res := &SaveResult{Employee: e, Created: created}
	if created {
		_, err = tx.NewInsert().Model(e).Returning("id").Exec(ctx)
	} else {
		res.Changed = changedFields(&before, e)
		if len(res.Changed) == 0 {
			return res, nil
		}
		_, err = tx.NewUpdate().Model(e).ExcludeColumn("line_path").WherePK().Exec(ctx)
	}
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, &store.Error{Kind: store.Conflict, Field: "email", Message: "That email or number is already taken.", Err: err}
		}
		return nil, err
	}
	if err := setPath(ctx, tx, e, parentPath); err != nil {
		return nil, err
	}
	if !e.Active {
		if err := endSessions(ctx, tx, e.ID); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func setActive(e *Employee, active bool, now time.Time) {
	if e.Active && !active {
		e.DeactivatedAt = &now
	} else if active {
		e.DeactivatedAt = nil
	}
	e.Active = active
}

func eqID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// changedFields names the stored fields that differ between a and b.
func changedFields(a, b *Employee) []string {
	var out []string
	add := func(cond bool, name string) {
		if cond {
			out = append(out, name)
		}
	}
	add(a.FirstName != b.FirstName, "first_name")
	add(a.LastName != b.LastName, "last_name")
	add(a.Email != b.Email, "email")
	add(!eqID(a.JobTitleID, b.JobTitleID), "job_title")
	add(!eqID(a.DepartmentID, b.DepartmentID), "department")
	add(!eqID(a.LocationID, b.LocationID), "location")
	add(!eqID(a.ManagerID, b.ManagerID), "manager")
	add(a.HireDate != b.HireDate, "hire_date")
	add(a.Active != b.Active, "active")
	add(a.Roles != b.Roles, "roles")
	return out
}

// SetActive deactivates (a leaver: kept, cannot sign in, sessions ended) or
// reactivates the employee with id. Returns NotFound for an unknown id.
func (s *Store) SetActive(ctx context.Context, id int64, active bool) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		e := new(Employee)
		if err := tx.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundEmployee(err, "with that id")
		}
		now := s.Now()
		before := *e
		setActive(e, active, now)
		e.UpdatedAt = now
		if err := keepAnAdmin(ctx, tx, &before, e); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(e).Column("active", "deactivated_at", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if !active {
			return endSessions(ctx, tx, id)
		}
		return nil
	})
}

// SetRoles replaces the granted roles (canonical form, see ParseRoles).
// Returns NotFound for an unknown id, and Conflict (field roles) when it
// would take the admin role from the last active admin.
func (s *Store) SetRoles(ctx context.Context, id int64, roles string) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		e := new(Employee)
		if err := tx.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundEmployee(err, "with that id")
		}
		after := *e
		after.Roles = roles
		if err := keepAnAdmin(ctx, tx, e, &after); err != nil {
			return err
		}
		_, err := tx.NewUpdate().TableExpr("employees").Set("roles = ?", roles).Set("updated_at = ?", s.Now()).
			Where("id = ?", id).Exec(ctx)
		return err
	})
}

func endSessions(ctx context.Context, db bun.IDB, employeeID int64) error {
	_, err := db.NewDelete().TableExpr("sessions").Where("employee_id = ?", employeeID).Exec(ctx)
	return err
}
