package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// scaleTestNow is when the test fixtures' history ends.
var scaleTestNow = time.Date(2026, 11, 30, 15, 7, 0, 0, time.UTC)

func loadTestScale(t *testing.T, db *bun.DB, n int) *ScaleInfo {
	t.Helper()
	info, err := LoadScale(context.Background(), db, ScaleConfig{Employees: n, Seed: 7, Password: "academy-demo", Now: scaleTestNow})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestScale builds a 2,000-person organisation and checks its shape
// against the app's own readers: the rows per table, every status, the
// reporting lines, the certificates, readiness, and that the scheduler
// finds nothing left to do at the moment the history ends.
func TestScale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		const n = 2000
		info := loadTestScale(t, db, n)
		rows := map[string]int{}
		for _, r := range info.Rows {
			rows[r.Table] = r.Rows
		}
		for _, c := range []struct {
			table    string
			min, max int
		}{
			{"employees", n, n}, {"readiness", n, n}, {"departments", 12, 12}, {"locations", 40, 40}, {"job_titles", 25, 35},
			{"programmes", 10, 10}, {"audience_rules", 10, 30}, {"audience_members", n, 3 * n},
			{"assignments", n, 3 * n}, {"cycles", 3 * n, 8 * n}, {"extensions", 20, n / 2}, {"enrolments", 2 * n, 6 * n},
			{"lesson_progress", 8 * n, 25 * n}, {"course_completions", 7 * n, 14 * n}, {"promise_acknowledgements", 4 * n, 5 * n},
			{"attempts", n, 4 * n}, {"observations", n / 10, n}, {"certificates", 3 * n, 7 * n},
			{"readiness_snapshots", 11 * n, 12 * n}, {"measures", 2, 2}, {"outcome_events", 40 * n, scaleEventsPer * n},
		} {
			if got := rows[c.table]; got < c.min || got > c.max {
				t.Errorf("%s: %d rows, want %d to %d", c.table, got, c.min, c.max)
			}
		}
		if info.Employees != n || info.Active < n*95/100 || info.Active == n {
			t.Errorf("employees %d, active %d", info.Employees, info.Active)
		}

		// Every status of a current cycle, and recertifications.
		var byStatus []struct {
			Status courses.Status
			N      int
		}
		if err := db.NewSelect().TableExpr("cycles").ColumnExpr("status, COUNT(*) AS n").Where("closed_at IS NULL").
			GroupExpr("status").Scan(ctx, &byStatus); err != nil {
			t.Fatal(err)
		}
		seen := map[courses.Status]int{}
		for _, s := range byStatus {
			seen[s.Status] = s.N
		}
		for _, st := range []courses.Status{courses.Completed, courses.Expiring, courses.Expired, courses.Overdue, courses.DueSoon,
			courses.InProgress, courses.NotStarted} {
			if seen[st] == 0 {
				t.Errorf("no current cycle is %s (%v)", st, seen)
			}
		}
		recert, err := db.NewSelect().TableExpr("cycles").Where("cycle > 1").Count(ctx)
		if err != nil || recert < n/2 {
			t.Errorf("%d recertification cycles (%v)", recert, err)
		}
		closed, err := db.NewSelect().TableExpr("cycles").Where("closed_at IS NOT NULL AND close_reason = 'left the company'").Count(ctx)
		if err != nil || closed == 0 {
			t.Errorf("%d leavers' cycles closed (%v)", closed, err)
		}

		// Rows that belong together agree.
		for what, q := range map[string]string{
			"completed cycles without a certificate": `SELECT COUNT(*) FROM cycles AS cy LEFT JOIN certificates AS ce ON ce.cycle_id = cy.id
				WHERE cy.completed_at IS NOT NULL AND ce.id IS NULL`,
			"completions of someone else's enrolment": `SELECT COUNT(*) FROM course_completions AS cc JOIN enrolments AS en ON en.id = cc.enrolment_id
				WHERE en.employee_id <> cc.employee_id OR en.course_id <> cc.course_id`,
			"finished enrolments not at their last completion": `SELECT COUNT(*) FROM enrolments AS en
				LEFT JOIN (SELECT enrolment_id, MAX(completed_at) AS last FROM course_completions GROUP BY enrolment_id) AS l ON l.enrolment_id = en.id
				WHERE en.completed_at IS NOT NULL AND (l.last IS NULL OR en.completed_at <> l.last)`,
			"certificates superseded by none": `SELECT COUNT(*) FROM certificates WHERE (superseded_at IS NULL) <> (superseded_by_id IS NULL)`,
			"observations by someone outside the line": `SELECT COUNT(*) FROM observations AS o JOIN employees AS e ON e.id = o.employee_id
				WHERE e.manager_id <> o.assessor_id`,
			"in-progress cycles never started": `SELECT COUNT(*) FROM cycles WHERE status = 'in_progress' AND started_at IS NULL`,
		} {
			var bad int
			if err := db.QueryRowContext(ctx, q).Scan(&bad); err != nil || bad != 0 {
				t.Errorf("%s: %d (%v)", what, bad, err)
			}
		}

		s, err := newLoader(db, "", true)
		if err != nil {
			t.Fatal(err)
		}
		defer s.clockAt(scaleTestNow)()

		// The scheduler at the end of the history changes nothing: the
		// audience members, recertifications, statuses and readiness are
		// what it would have left.
		rep, err := s.courses.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Changed() {
			t.Errorf("the scheduler found work: %s", rep)
		}
		// Every path is what the reporting lines make it.
		if changed, err := people.RebuildPaths(ctx, db); err != nil || changed != 0 {
			t.Errorf("RebuildPaths changed %d paths (%v)", changed, err)
		}
		if line, err := s.people.CountLine(ctx, info.CEO.ID, false); err != nil || line != n-1 || info.CEO.Line != n-1 {
			t.Errorf("the chief executive's line: %d, info %d (%v)", line, info.CEO.Line, err)
		}
		for _, m := range info.AroundFiveHundred {
			if line, err := s.people.CountLine(ctx, m.ID, false); err != nil || line != m.Line {
				t.Errorf("%s's line: %d, info %d (%v)", m.Number, line, m.Line, err)
			}
		}
		m := info.AroundFiveHundred[0]
		members, err := s.people.ReportingLine(ctx, m.ID, false)
		if err != nil || len(members) != m.Line {
			t.Fatalf("reporting line of %s: %d (%v)", m.Number, len(members), err)
		}
		deep := members[len(members)-1].ID
		for _, mm := range members {
			if mm.Depth > 1 {
				deep = mm.ID
			}
		}
		if in, err := s.people.InLine(ctx, m.ID, deep); err != nil || !in {
			t.Errorf("%d is below %s: %v %v", deep, m.Number, in, err)
		}
		if in, err := s.people.InLine(ctx, deep, m.ID); err != nil || in {
			t.Errorf("%s is not below %d: %v %v", m.Number, deep, in, err)
		}

		// The readers, for an employee with a long history.
		var sample int64
		if err := db.NewSelect().TableExpr("cycles AS cy").Column("cy.employee_id").
			Join("JOIN employees AS e ON e.id = cy.employee_id AND e.active").
			Where("cy.cycle > 2").OrderExpr("cy.employee_id").Limit(1).Scan(ctx, &sample); err != nil {
			t.Fatal(err)
		}
		progs, err := s.courses.AssignedProgrammes(ctx, sample)
		if err != nil || len(progs) == 0 {
			t.Fatalf("assigned programmes of %d: %d (%v)", sample, len(progs), err)
		}
		for _, p := range progs {
			if p.Programme == nil || p.Cycle == nil || p.Total == 0 || len(p.Cycles) == 0 {
				t.Errorf("programme progress %+v", p)
			}
			if p.Cycle.CompletedAt != nil && p.Done != p.Total {
				t.Errorf("%s: completed with %d of %d courses", p.Programme.Slug, p.Done, p.Total)
			}
		}
		tr, err := s.courses.Transcript(ctx, sample)
		if err != nil {
			t.Fatal(err)
		}
		comps, _ := db.NewSelect().TableExpr("course_completions").Where("employee_id = ?", sample).Count(ctx)
		if len(tr.Completions) != int(comps) || len(tr.Programmes) < len(progs) {
			t.Errorf("transcript: %d completions of %d, %d programmes", len(tr.Completions), comps, len(tr.Programmes))
		}
		var tried int64
		if err := db.NewSelect().TableExpr("attempts").Column("employee_id").OrderExpr("id DESC").Limit(1).Scan(ctx, &tried); err != nil {
			t.Fatal(err)
		}
		if list, err := s.quizzes.ListAttempts(ctx, tried); err != nil || len(list) == 0 || list[0].Score == nil || list[0].Passed == nil {
			t.Errorf("attempts of %d: %+v (%v)", tried, list, err)
		}
		if _, err := s.quizzes.FindAttempt(ctx, 1, 0); !store.IsNotFound(err) {
			t.Errorf("someone else's attempt: %v", err) // the owner check, after the draw is read
		}
		for _, st := range courses.CertStatuses {
			if _, total, err := s.courses.ListCertificates(ctx, courses.CertFilter{Status: st, Limit: 5}); err != nil || total == 0 {
				t.Errorf("certificates %s: %d (%v)", st, total, err)
			}
		}
		list, _, err := s.courses.ListCertificates(ctx, courses.CertFilter{EmployeeID: sample})
		if err != nil || len(list) == 0 {
			t.Fatalf("certificates of %d: %v", sample, err)
		}
		if c, err := s.courses.FindCertificate(ctx, strings.ToLower(list[0].Code)); err != nil || c.EmployeeID != sample || !strings.HasSuffix(c.VerifyURL, c.Code) {
			t.Errorf("find certificate %s: %+v %v", list[0].Code, c, err)
		}
		// Readiness: all three, decided for everyone, and the snapshots' weeks.
		var ready []struct {
			Status courses.Readiness
			N      int
		}
		if err := db.NewSelect().TableExpr("readiness").ColumnExpr("status, COUNT(*) AS n").GroupExpr("status").Scan(ctx, &ready); err != nil {
			t.Fatal(err)
		}
		if len(ready) != 3 {
			t.Errorf("readiness: %+v", ready)
		}
		var weeks []string
		if err := db.NewSelect().TableExpr("readiness_snapshots").ColumnExpr("DISTINCT week").OrderExpr("week").Scan(ctx, &weeks); err != nil {
			t.Fatal(err)
		}
		if len(weeks) != scaleWeeks || weeks[len(weeks)-1] != "2026-11-30" || weeks[0] != "2026-09-14" {
			t.Errorf("snapshot weeks %v", weeks)
		}

		// The logins: the named accounts exist with the password.
		for _, l := range info.Logins {
			e, err := s.people.FindEmployeeByEmail(ctx, l.Email)
			if err != nil || !people.CheckPassword(e.PasswordHash, "academy-demo") || !e.Active {
				t.Errorf("login %s: %v", l.Email, err)
			}
		}

		// The app's own writes after the load get fresh ids (PostgreSQL's sequences moved on).
		res, err := s.people.SaveEmployee(ctx, people.EmployeeInput{Number: "NEW1", FirstName: "New", LastName: "Starter",
			Email: "new.starter@example.com", Active: true, HireDate: "2026-11-30"})
		if err != nil || res.Employee.ID != n+1 {
			t.Fatalf("a new employee: %+v %v", res, err)
		}
		qz, err := s.quizzes.FindQuiz(ctx, "six-cs-quiz")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := s.quizzes.StartAttempt(ctx, qz.ID, res.Employee.ID); err != nil || a.ID != int64(rows["attempts"]+1) {
			t.Errorf("a new attempt: %+v %v", a, err)
		}

		// A second load refuses: the database is not empty.
		_, err = LoadScale(ctx, db, ScaleConfig{Employees: n, Seed: 7, Password: "academy-demo"})
		if store.KindOf(err) != store.Conflict || !strings.Contains(store.MessageOf(err), "empty database") {
			t.Errorf("second load: %v", err)
		}
	})
}

// TestScaleDeterministic: the same seed and end give the same rows
// (certificate codes aside).
func TestScaleDeterministic(t *testing.T) {
	digest := func() string {
		db := storetest.MustOpen(t, "sqlite")
		loadTestScale(t, db, 400)
		var out []string
		for _, q := range []string{
			"SELECT COUNT(*), SUM(id * cycle), SUM(LENGTH(status || due_on)) FROM cycles",
			"SELECT COUNT(*), SUM(employee_id * course_id), MAX(completed_at) FROM course_completions",
			"SELECT COUNT(*), SUM(LENGTH(first_name || last_name || email || line_path)), MIN(hire_date) FROM employees",
			"SELECT COUNT(*), SUM(LENGTH(reasons)), SUM(employee_id) FROM readiness_snapshots",
		} {
			var a, b int64
			var c string
			if err := db.QueryRowContext(context.Background(), q).Scan(&a, &b, &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(a, b, c))
		}
		return strings.Join(out, "; ")
	}
	if a, b := digest(), digest(); a != b {
		t.Errorf("two loads differ:\n%s\n%s", a, b)
	}
}

// TestScaleTooSmall: a useful organisation has a few hundred people.
func TestScaleTooSmall(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	_, err := LoadScale(context.Background(), db, ScaleConfig{Employees: 50, Password: "academy-demo"})
	if store.KindOf(err) != store.Invalid {
		t.Fatalf("50 employees: %v", err)
	}
}
