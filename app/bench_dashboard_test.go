package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
)

// scaleEmployee is the employees row the readiness fixture writes in bulk.
type scaleEmployee struct {
	bun.BaseModel `bun:"table:employees"`

	ID           int64  `bun:",pk"`
	Number       string `bun:",notnull"`
	FirstName    string `bun:",notnull"`
	LastName     string `bun:",notnull"`
	Email        string `bun:",notnull"`
	EmailKey     string `bun:",notnull"`
	SearchKey    string `bun:",notnull"`
	JobTitleID   int64
	DepartmentID int64
	LocationID   int64
	ManagerID    int64
	LinePath     string    `bun:",notnull"`
	Active       bool      `bun:",notnull"`
	Roles        string    `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
	UpdatedAt    time.Time `bun:",notnull"`
}

// scaleInfo is what seedReadinessScale wrote.
type scaleInfo struct {
	Employees   int
	Weeks       []string // the snapshot weeks written, oldest first
	Departments []int64
	Manager     string // the number of a manager one level below the fixture's top: about 12,500 in the line
}

// seedReadinessScale adds n employees below the demo's chief executive
// (fan-out 8, so 6 levels) in 20 departments, 30 locations and 40 job titles,
// each with a stored readiness (about 40% ready, 30% at risk, 30% not ready
// with a reason), a row in each of the demo's latest `weeks` weekly snapshots
// (readiness drifting from week to week), and an induction assignment whose
// cycle a quarter of them completed during those weeks; the snapshot totals
// are written as TakeSnapshot writes them. Everything is
// written with multi-row inserts and INSERT … SELECT, in one transaction:
// 100,000 employees take 20–35 s on the shared 2-core machine.
func seedReadinessScale(tb testing.TB, db *bun.DB, n, weeks int) scaleInfo {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	info := scaleInfo{Employees: n}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().TableExpr("readiness_snapshots").ColumnExpr("DISTINCT week").OrderExpr("week DESC").
			Limit(int64(weeks)).Scan(ctx, &info.Weeks); err != nil {
			return err
		}
		if len(info.Weeks) < weeks {
			return fmt.Errorf("the demo has %d snapshot weeks, want %d", len(info.Weeks), weeks)
		}
		for i, j := 0, len(info.Weeks)-1; i < j; i, j = i+1, j-1 {
			info.Weeks[i], info.Weeks[j] = info.Weeks[j], info.Weeks[i]
		}
		org := func(table, prefix string, count int) ([]int64, error) {
			ids := make([]int64, count)
			for i := range ids {
				name := fmt.Sprintf("%s %02d", prefix, i+1)
				if err := tx.NewRaw("INSERT INTO "+table+" (name, name_key, created_at) VALUES (?, ?, ?) RETURNING id",
					name, "scale "+name, now).Scan(ctx, &ids[i]); err != nil {
					return nil, err
				}
			}
			return ids, nil
		}
		depts, err := org("departments", "Region", 20)
		if err != nil {
			return err
		}
		locs, err := org("locations", "Town", 30)
		if err != nil {
			return err
		}
		jobs, err := org("job_titles", "Role", 40)
		if err != nil {
			return err
		}
		info.Departments = depts
		var top struct {
			ID       int64
			LinePath string
		}
		if err := tx.NewSelect().TableExpr("employees").Column("id", "line_path").Where("manager_id IS NULL AND active").
			OrderExpr("id").Limit(1).Scan(ctx, &top); err != nil {
			return err
		}
		var base int64
		if err := tx.NewSelect().TableExpr("employees").ColumnExpr("MAX(id)").Scan(ctx, &base); err != nil {
			return err
		}
		base += 1000
		paths := make([]string, n)
		batch := make([]scaleEmployee, 0, 500)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			_, err := tx.NewInsert().Model(&batch).Exec(ctx)
			batch = batch[:0]
			return err
		}
		for i := range n {
			id := base + int64(i)
			mgr, parent := top.ID, top.LinePath
			if i > 0 {
				p := (i - 1) / 8
				mgr, parent = base+int64(p), paths[p]
			}
			paths[i] = fmt.Sprintf("%s%d/", parent, id)
			// Departments follow the top of the tree, so whole lines share one.
			dept := depts[i%len(depts)]
			if i > 8 {
				dept = depts[(i-1)/8%len(depts)]
			}
			num := fmt.Sprintf("S%06d", i)
			first, last := fmt.Sprintf("Scale%d", i%997), fmt.Sprintf("Person%06d", i)
			email := fmt.Sprintf("s%06d@scale.example", i)
			batch = append(batch, scaleEmployee{ID: id, Number: num, FirstName: first, LastName: last, Email: email, EmailKey: email,
				SearchKey: fmt.Sprintf("%s %s %s %s", num, first, last, email), JobTitleID: jobs[(i*7)%len(jobs)], DepartmentID: dept,
				LocationID: locs[(i*13)%len(locs)], ManagerID: mgr, LinePath: paths[i], Active: true, Roles: "staff", CreatedAt: now, UpdatedAt: now})
			if i == 4 {
				info.Manager = num
			}
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		status := func(k string) string {
			return `CASE WHEN (e.id * 7919 + ` + k + ` * 131) % 100 < 40 THEN 'ready'
				WHEN (e.id * 7919 + ` + k + ` * 131) % 100 < 70 THEN 'at_risk' ELSE 'not_ready' END`
		}
		reasons := func(k string) string {
			return `CASE WHEN (e.id * 7919 + ` + k + ` * 131) % 100 < 40 THEN '[]'
				WHEN (e.id * 7919 + ` + k + ` * 131) % 100 < 70 THEN '[{"kind":"due_soon","programme":"Induction","detail":"Induction is due by 31 Dec 2026","date":"2026-12-31"}]'
				ELSE '[{"kind":"overdue","programme":"Induction","detail":"Induction is overdue (was due 1 Nov 2026)","date":"2026-11-01"}]' END`
		}
		scale := "e.id >= ?"
		if _, err := tx.NewRaw(`INSERT INTO readiness (employee_id, status, reasons, updated_at)
			SELECT e.id, `+status("0")+`, `+reasons("0")+`, ? FROM employees AS e WHERE `+scale, now, base).Exec(ctx); err != nil {
			return err
		}
		for k, week := range info.Weeks {
			kk := fmt.Sprint(weeks - k) // the oldest week differs most from now
			if _, err := tx.NewRaw(`INSERT INTO readiness_snapshots (week, employee_id, status, reasons, department_id, location_id, job_title_id, manager_id, line_path)
				SELECT ?, e.id, `+status(kk)+`, `+reasons(kk)+`, e.department_id, e.location_id, e.job_title_id, e.manager_id, e.line_path
				FROM employees AS e WHERE `+scale, week, base).Exec(ctx); err != nil {
				return err
			}
			if err := courses.WriteSnapshotTotals(ctx, tx, week); err != nil {
				return err
			}
		}
		var prog struct {
			ID        int64
			VersionID int64
		}
		if err := tx.NewSelect().TableExpr("programmes").Column("id", "version_id").Where("slug = 'induction'").Scan(ctx, &prog); err != nil {
			return err
		}
		first, err := time.Parse(time.DateOnly, info.Weeks[0])
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO assignments (programme_id, employee_id, manual, assigned_at)
			SELECT ?, e.id, TRUE, ? FROM employees AS e WHERE `+scale, prog.ID, first.AddDate(0, -2, 0), base).Exec(ctx); err != nil {
			return err
		}
		// A quarter complete, at times spread over the weeks.
		span := int64(weeks) * 7 * 24 * 3600
		var rows []struct {
			ID, EmployeeID int64
		}
		if err := tx.NewSelect().TableExpr("assignments AS a").Column("a.id", "a.employee_id").
			Where("a.employee_id >= ? AND a.programme_id = ?", base, prog.ID).OrderExpr("a.id").Scan(ctx, &rows); err != nil {
			return err
		}
		type cycleRow struct {
			bun.BaseModel `bun:"table:cycles"`
			AssignmentID  int64      `bun:",notnull"`
			ProgrammeID   int64      `bun:",notnull"`
			VersionID     int64      `bun:",notnull"`
			EmployeeID    int64      `bun:",notnull"`
			Cycle         int        `bun:",notnull"`
			AssignedAt    time.Time  `bun:",notnull"`
			DueOn         string     `bun:",notnull"`
			CompletedAt   *time.Time `bun:",nullzero"`
			Status        string     `bun:",notnull"`
		}
		cycles := make([]cycleRow, 0, 500)
		for i, r := range rows {
			c := cycleRow{AssignmentID: r.ID, ProgrammeID: prog.ID, VersionID: prog.VersionID, EmployeeID: r.EmployeeID, Cycle: 1,
				AssignedAt: first.AddDate(0, -2, 0), DueOn: "2026-12-31", Status: "in_progress"}
			if i%4 == 0 {
				at := first.Add(time.Duration(int64(i)*7919%span) * time.Second)
				c.CompletedAt, c.Status = &at, "completed"
			}
			cycles = append(cycles, c)
			if len(cycles) == cap(cycles) || i == len(rows)-1 {
				if _, err := tx.NewInsert().Model(&cycles).Exec(ctx); err != nil {
					return err
				}
				cycles = cycles[:0]
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("readiness fixture: %v", err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		tb.Fatal(err)
	}
	return info
}

// BenchmarkReadinessDashboard loads the HR readiness dashboard (headline,
// four breakdowns, a 12-week trend with completions) through the whole app
// (session, queries, charts, template) on 100,000 employees with 12 weekly
// snapshots, on SQLite. ns/op is the time per page; the aim is under 300 ms.
func BenchmarkReadinessDashboard(b *testing.B) {
	ts := mustServer(b, "sqlite")
	info := seedReadinessScale(b, ts.DB, 100_000, 12)
	hr := ts.client(b)
	hr.signIn(hrEmail)
	asOf, _ := time.Parse(time.DateOnly, info.Weeks[6])
	for _, bc := range []struct{ name, query string }{
		{"Now", ""},
		{"AsOf", "?as_of=" + asOf.AddDate(0, 0, 2).Format(time.DateOnly)},
		{"Department", fmt.Sprintf("?department=%d", info.Departments[3])},
		{"ManagerLine", "?manager=" + info.Manager},
		{"Weeks52", "?weeks=52"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path := "/readiness" + bc.query
			resp, body := hr.get(path)
			if resp.StatusCode != 200 || !strings.Contains(body, `id="headline"`) {
				b.Fatalf("%s: status %d\n%.500s", path, resp.StatusCode, body)
			}
			for b.Loop() {
				hr.get(path)
			}
		})
	}
}

// BenchmarkHomeHR loads HR's home page (the organisation's readiness from
// the stored readiness, imports waiting, certificates expiring, failed
// e-mails, headcounts by department and location, and HR's own next step)
// on 100,000 employees, on SQLite. ns/op is the time per page.
func BenchmarkHomeHR(b *testing.B) {
	ts := mustServer(b, "sqlite")
	seedReadinessScale(b, ts.DB, 100_000, 12)
	hr := ts.client(b)
	hr.signIn(hrEmail)
	resp, body := hr.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="org-readiness"`) {
		b.Fatalf("home: status %d\n%.500s", resp.StatusCode, body)
	}
	for b.Loop() {
		hr.get("/")
	}
}
