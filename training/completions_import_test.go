package training_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// importCounts is what an import may write: imported completions, import
// records, certificates, audit entries, assignments.
func importCounts(t *testing.T, c *chain) string {
	t.Helper()
	db := c.svc.DB()
	count := func(table, where string) int {
		q := db.NewSelect().TableExpr(table)
		if where != "" {
			q = q.Where(where)
		}
		n, err := q.Count(c.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	return fmt.Sprintf("completions=%d imports=%d certificates=%d audit=%d assignments=%d",
		count("course_completions", "imported"), count("completion_imports", ""), count("certificates", ""),
		count("audit_log", ""), count("assignments", ""))
}

func errorsOf(plan *training.CompletionPlan) string {
	var out []string
	for _, e := range plan.Errors {
		out = append(out, fmt.Sprintf("%d:%s", e.Line, e.Field))
	}
	return strings.Join(out, " ")
}

// TestImportCompletions: bad rows are every one reported with line and
// field and nothing is written; a dry run writes nothing and says what
// applying does; applying records imported completions that complete the
// programme (status, readiness, expiry from the completion day), assign
// it to someone who did not have it, show on the transcript marked
// imported with the source, and issue no certificate unless asked;
// importing the same file again adds nothing.
func TestImportCompletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		c.programme("p1", "six-cs", "promises-timelines") // assigned to the learner
		cs := c.svc.Courses()
		for _, slug := range []string{"p2", "p3"} {
			in := courses.ProgrammeInput{Slug: slug, Title: "Programme " + slug, Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
				ValidityMonths: 24, Courses: []courses.ProgrammeCourseInput{{Slug: "internal-customer", Required: true}}}
			if _, err := cs.CreateProgramme(c.ctx, in, nil, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := cs.DeleteProgramme(c.ctx, "p3", nil, "test"); err != nil { // never assigned: removed
			t.Fatal(err)
		}
		in := courses.ProgrammeInput{Slug: "old", Title: "Old programme", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
			Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}}}
		if _, err := cs.CreateProgramme(c.ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.Assign(c.ctx, courses.AssignRequest{Programme: "old", EmployeeIDs: []int64{c.manager.ID}, Actor: "test"}, false); err != nil {
			t.Fatal(err)
		}
		cy, _ := courses.CurrentCycleIn(c.ctx, db, c.manager.ID, mustProgramme(t, c, "old").ID)
		if err := cs.CloseAssignment(c.ctx, cy.ID, "test", nil, "test"); err != nil {
			t.Fatal(err)
		}
		if archived, err := cs.DeleteProgramme(c.ctx, "old", nil, "test"); err != nil || !archived {
			t.Fatalf("archive old: %v %v", archived, err)
		}
		actor := training.Actor{ID: &c.manager.ID, Name: "Maya Chain (M1)"}
		before := importCounts(t, c)

		// Bad input: every problem, with its line and field; nothing written.
		bad := []training.CompletionRow{
			{Line: 2, Employee: "NOPE", Programme: "p1", CompletedAt: "2025-12-01"},
			{Line: 3, Employee: "L1", Programme: "no-such", CompletedAt: "2025-12-01"},
			{Line: 4, Employee: "L1", Programme: "old", CompletedAt: "2025-12-01"},
			{Line: 5, Employee: "L1", Course: "no-such-course", CompletedAt: "2025-12-01"},
			{Line: 6, Employee: "L1", Programme: "p1", CompletedAt: "2027-01-01"},
			{Line: 7, Employee: "L1", Programme: "p1", CompletedAt: "31/02/2025"},
			{Line: 8, Employee: "L1", Programme: "p1", CompletedAt: "2025-12-01", Score: "101"},
			{Line: 9, Employee: "L1", Programme: "p1", CompletedAt: "2025-12-01", Score: "-1"},
			{Line: 10, Employee: "L1", Programme: "p1", Course: "six-cs", CompletedAt: "2025-12-01"},
			{Line: 11, Employee: "", CompletedAt: ""},
			{Line: 12, Employee: "L1", Programme: "p2", CompletedAt: "2025-12-01"},
			{Line: 13, Employee: "l1", Programme: "Programme P2", CompletedAt: "01/12/2025"}, // the same as line 12
			{Line: 14, Employee: "L1", Course: "six-cs", CompletedAt: "2025-12-01", Source: "bell\x07"},
		}
		plan, err := c.svc.ImportCompletions(c.ctx, bad, training.CompletionOptions{}, actor)
		if err != nil {
			t.Fatal(err)
		}
		want := "2:employee 3:programme 4:programme 5:course 6:completed_at 7:completed_at 8:score 9:score 10:programme " +
			"11:employee 11:programme 11:completed_at 13:employee 14:source"
		if got := errorsOf(plan); got != want {
			t.Errorf("errors\n got %s\nwant %s", got, want)
		}
		for _, e := range plan.Errors {
			if e.Message == "" {
				t.Errorf("line %d %s: no message", e.Line, e.Field)
			}
		}
		if after := importCounts(t, c); after != before {
			t.Fatalf("a refused import wrote: %s → %s", before, after)
		}
		// A number is matched as written; line 13 names nobody ("l1"), so
		// it is not a repeat of line 12. A true repeat:
		plan, _ = c.svc.ImportCompletions(c.ctx, []training.CompletionRow{
			{Line: 2, Employee: "L1", Programme: "p2", CompletedAt: "2025-12-01"},
			{Line: 3, Employee: "leo@example.com", Programme: "Programme P2", CompletedAt: "01/12/2025"},
		}, training.CompletionOptions{}, actor)
		if got := errorsOf(plan); got != "3:programme" || !strings.Contains(plan.Errors[0].Message, "repeats line 2") {
			t.Errorf("repeated row: %s %+v", got, plan.Errors)
		}

		good := []training.CompletionRow{
			{Line: 2, Employee: "L1", Programme: "p1", CompletedAt: "2025-12-01", Score: "88", Source: "OldLMS"},
			{Line: 3, Employee: "maya@example.com", Programme: "Programme p2", CompletedAt: "01/02/2026", Source: "OldLMS"},
			{Line: 4, Employee: "L1", Course: "The Six Cs of a Customer-Focused Organisation", CompletedAt: "2024-01-15"},
		}
		// Dry run: the plan, nothing written.
		plan, err = c.svc.ImportCompletions(c.ctx, good, training.CompletionOptions{DryRun: true}, actor)
		if err != nil || !plan.OK() {
			t.Fatalf("dry run: %v %+v", err, plan.Errors)
		}
		if after := importCounts(t, c); after != before {
			t.Fatalf("a dry run wrote: %s → %s", before, after)
		}
		if plan.Created != 3 || plan.Duplicates != 0 || plan.Assigned != 1 || plan.Completed != 2 {
			t.Errorf("dry run plan: created %d duplicates %d assigned %d completed %d", plan.Created, plan.Duplicates, plan.Assigned, plan.Completed)
		}
		if r := plan.Records[0]; !strings.Contains(r.Effect, "completes Programme p1, cycle 1 (valid until 1 Dec 2026)") {
			t.Errorf("row 2 effect: %q", r.Effect)
		}
		if r := plan.Records[1]; !strings.HasPrefix(r.Effect, "assigned by the import; completes Programme p2, cycle 1") || r.Employee != "M1" {
			t.Errorf("row 3: %+v", r)
		}
		if r := plan.Records[2]; r.Kind != "course" || r.Slug != "six-cs" || r.Effect != "recorded in the course history" {
			t.Errorf("row 4: %+v", r)
		}

		// Apply.
		plan, err = c.svc.ImportCompletions(c.ctx, good, training.CompletionOptions{Filename: "history.csv"}, actor)
		if err != nil || !plan.OK() || plan.Created != 3 {
			t.Fatalf("apply: %v %+v", err, plan)
		}
		p1 := mustProgramme(t, c, "p1")
		cy, err = courses.CurrentCycleIn(c.ctx, db, c.learner.ID, p1.ID)
		if err != nil || cy == nil {
			t.Fatal(err)
		}
		if cy.Status != courses.Completed || cy.CompletedAt == nil || cy.CompletedAt.Format(time.DateOnly) != "2025-12-01" ||
			cy.ExpiresAt == nil || cy.ExpiresAt.Format(time.DateOnly) != "2026-12-01" {
			t.Errorf("learner's p1 cycle: status %s completed %v expires %v", cy.Status, cy.CompletedAt, cy.ExpiresAt)
		}
		r, err := cs.EmployeeReadiness(c.ctx, c.learner.ID)
		if err != nil || r.Status != courses.Ready {
			t.Errorf("learner's readiness: %+v %v", r, err)
		}
		cy2, _ := courses.CurrentCycleIn(c.ctx, db, c.manager.ID, mustProgramme(t, c, "p2").ID)
		if cy2 == nil || cy2.Status != courses.Completed {
			t.Errorf("manager's p2 cycle: %+v", cy2)
		}
		tr, err := cs.Transcript(c.ctx, c.learner.ID)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, tc := range tr.Completions {
			score := "-"
			if tc.Score != nil {
				score = fmt.Sprint(*tc.Score)
			}
			lines = append(lines, fmt.Sprintf("%s %s imported=%v source=%q score=%s", tc.Slug, tc.CompletedAt.Format(time.DateOnly), tc.Imported, tc.Source, score))
		}
		wantTr := []string{
			`promises-timelines 2025-12-01 imported=true source="OldLMS" score=88`,
			`six-cs 2025-12-01 imported=true source="OldLMS" score=88`,
			`six-cs 2024-01-15 imported=true source="" score=-`,
		}
		if strings.Join(lines, "\n") != strings.Join(wantTr, "\n") {
			t.Errorf("transcript\n got %s\nwant %s", strings.Join(lines, "\n"), strings.Join(wantTr, "\n"))
		}
		if n, _ := db.NewSelect().TableExpr("certificates").Count(c.ctx); n != 0 {
			t.Errorf("%d certificates issued without being asked", n)
		}
		// The manager, assigned p2 by the import, is not told of "new training" done in 2025.
		if n, _ := db.NewSelect().TableExpr("notifications").Where("kind = 'assigned' AND employee_id = ? AND data LIKE ?", c.manager.ID, "%Programme p2%").Count(c.ctx); n != 0 {
			t.Errorf("%d assignment notifications from the import", n)
		}
		var audit []string
		if err := db.NewSelect().TableExpr("audit_log").Column("detail").Where("action = ?", "completions.import").Scan(c.ctx, &audit); err != nil || len(audit) != 1 {
			t.Errorf("audit: %v %v", audit, err)
		}
		applied := importCounts(t, c)

		// The same file again: nothing added, every row a duplicate.
		plan, err = c.svc.ImportCompletions(c.ctx, good, training.CompletionOptions{Filename: "history.csv"}, actor)
		if err != nil || !plan.OK() || plan.Created != 0 || plan.Duplicates != 3 {
			t.Fatalf("re-import: %v %+v", err, plan)
		}
		for _, r := range plan.Records {
			if !r.Duplicate {
				t.Errorf("re-import row %d not a duplicate", r.Line)
			}
		}
		if after := importCounts(t, c); after != applied {
			t.Errorf("re-import wrote: %s → %s", applied, after)
		}

		// With certificates asked: one, dated the completion day.
		in = courses.ProgrammeInput{Slug: "p4", Title: "Programme p4", Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
			ValidityMonths: 12, Courses: []courses.ProgrammeCourseInput{{Slug: "mission-vision-promise", Required: true}}}
		if _, err := cs.CreateProgramme(c.ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		plan, err = c.svc.ImportCompletions(c.ctx, []training.CompletionRow{{Line: 2, Employee: "L1", Programme: "p4", CompletedAt: "2026-02-20"}},
			training.CompletionOptions{Certificates: true}, actor)
		if err != nil || !plan.OK() || plan.Completed != 1 {
			t.Fatalf("import with certificates: %v %+v", err, plan)
		}
		var issued []time.Time
		if err := db.NewSelect().TableExpr("certificates").Column("issued_at").Scan(c.ctx, &issued); err != nil || len(issued) != 1 ||
			issued[0].Format(time.DateOnly) != "2026-02-20" {
			t.Errorf("certificates: %v %v", issued, err)
		}
	})
}

func mustProgramme(t *testing.T, c *chain, slug string) *courses.Programme {
	t.Helper()
	p, err := c.svc.Courses().FindProgramme(c.ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
