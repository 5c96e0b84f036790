package training

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// office is a company in Europe/London driven through the Service with the
// clock set by the test: a manager, two learners reporting to them, an HR
// person and a leaver.
type office struct {
	t                  *testing.T
	ctx                context.Context
	db                 *bun.DB
	svc                *Service
	clock              *store.ManualClock
	loc                *time.Location
	manager, hr        int64
	learner, learner2  int64
	leaver             int64
	managerN, learnerN string
	left               bool // the leaver has left
}

func newOffice(t *testing.T, db *bun.DB) *office {
	t.Helper()
	o := &office{t: t, ctx: context.Background(), db: db, clock: &store.ManualClock{}}
	o.loc, _ = time.LoadLocation("Europe/London")
	o.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	if _, err := db.NewInsert().Model(&map[string]any{"key": courses.SettingTimeZone, "value": "Europe/London", "updated_at": o.clock.Now()}).
		TableExpr("settings").Exec(o.ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := New(db, Options{BaseURL: "https://academy.example.com", Clock: o.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o.svc = svc
	if _, err := svc.SyncBuiltins(o.ctx); err != nil {
		t.Fatal(err)
	}
	save := func(number, first, manager, roles string) int64 {
		res, err := svc.People().SaveEmployee(o.ctx, people.EmployeeInput{Number: number, FirstName: first, LastName: "Office",
			Email: strings.ToLower(first) + "@example.com", ManagerNumber: manager, HireDate: "2025-01-06", Active: true, Roles: roles})
		if err != nil {
			t.Fatalf("save %s: %v", number, err)
		}
		return res.Employee.ID
	}
	o.manager, o.managerN = save("M1", "Maya", "", ""), "M1"
	o.learner, o.learnerN = save("L1", "Leo", "M1", ""), "L1"
	o.learner2 = save("L2", "Lin", "M1", "")
	o.hr = save("H1", "Hana", "", "hr")
	o.leaver = save("X1", "Xavier", "M1", "")
	return o
}

// programme creates a programme of one course due 30 days after the
// assignment, with ladder (nil: the default), and assigns it to the
// learners (and the leaver, who then leaves).
func (o *office) programme(slug string, ladder *courses.LadderInput) {
	o.t.Helper()
	in := courses.ProgrammeInput{Slug: slug, Title: "Programme " + slug, Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30},
		Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}}, Ladder: ladder}
	if _, err := o.svc.Courses().CreateProgramme(o.ctx, in, nil, "test"); err != nil {
		o.t.Fatal(err)
	}
	to := []int64{o.learner, o.learner2}
	if !o.left {
		to = append(to, o.leaver)
	}
	if _, err := o.svc.Courses().Assign(o.ctx, courses.AssignRequest{Programme: slug, EmployeeIDs: to, Actor: "test"}, false); err != nil {
		o.t.Fatal(err)
	}
	o.leave()
}

// leave makes the leaver leave.
func (o *office) leave() {
	o.t.Helper()
	if _, err := o.db.NewUpdate().TableExpr("employees").Set("active = FALSE").Where("id = ?", o.leaver).Exec(o.ctx); err != nil {
		o.t.Fatal(err)
	}
	o.left = true
}

// sent lists the e-mail rows of kinds as "kind who local-day", in order;
// with the local time too ("... 00:05") when at.
func (o *office) sent(kinds ...notify.Kind) []string { return o.sentAt(false, kinds...) }

func (o *office) sentAt(at bool, kinds ...notify.Kind) []string {
	o.t.Helper()
	var rows []notify.Row
	if err := o.db.NewSelect().Model(&rows).Where("channel = ? AND kind IN (?)", notify.Email, bun.In(kinds)).OrderExpr("id").Scan(o.ctx); err != nil {
		o.t.Fatal(err)
	}
	names := map[int64]string{o.manager: "manager", o.learner: "learner", o.learner2: "learner2", o.hr: "hr", o.leaver: "leaver"}
	var out []string
	for _, r := range rows {
		layout := time.DateOnly
		if at {
			layout += " 15:04"
		}
		out = append(out, string(r.Kind)+" "+names[*r.EmployeeID]+" "+r.CreatedAt.In(o.loc).Format(layout))
	}
	return out
}

func (o *office) count() int {
	o.t.Helper()
	n, err := o.db.NewSelect().Model((*notify.Row)(nil)).Count(o.ctx)
	if err != nil {
		o.t.Fatal(err)
	}
	return int(n)
}

// runDays runs the scheduler at local 00:05 and 23:55 of every day from
// first to last (London dates), twice each time: the edges of the local
// day, where a day reckoned in UTC would be wrong during summer time.
func (o *office) runDays(first, last string) {
	o.t.Helper()
	d, _ := time.ParseInLocation(time.DateOnly, first, o.loc)
	end, _ := time.ParseInLocation(time.DateOnly, last, o.loc)
	for ; !d.After(end); d = d.AddDate(0, 0, 1) {
		for _, at := range []time.Time{d.Add(5 * time.Minute), time.Date(d.Year(), d.Month(), d.Day(), 23, 55, 0, 0, o.loc)} {
			o.clock.Set(at)
			o.svc.schedulerRun(o.ctx)
			before := o.count()
			o.svc.schedulerRun(o.ctx)
			if n := o.count(); n != before {
				o.t.Fatalf("a second run at %v queued %d more rows", at, n-before)
			}
		}
	}
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestRemindLadderThroughTheScheduler: a programme assigned on 2 March
// (London) is due on 1 April, across the change to summer time on 29
// March. The default ladder reminds the learners 7 days and 1 day before,
// on the first overdue day and 7 days later, their manager once on day 7
// listing both, and HR once on day 14 — each on its London day, once
// however often the scheduler runs, never to the leaver.
func TestRemindLadderThroughTheScheduler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		o := newOffice(t, db)
		o.programme("ladder", nil)
		equal(t, "assigned", o.sent(notify.Assigned), []string{"assigned learner 2026-03-02", "assigned learner2 2026-03-02", "assigned leaver 2026-03-02"})
		var a notify.Row
		if err := db.NewSelect().Model(&a).Where("kind = ? AND channel = ? AND employee_id = ?", notify.Assigned, notify.Email, o.learner).Scan(o.ctx); err != nil {
			t.Fatal(err)
		}
		if v := a.Values(); v["due_date"] != "1 Apr 2026" || v["ics_due"] != "2026-04-01" || v["link"] != "/learn" || v["programme"] != "Programme ladder" {
			t.Errorf("assigned data: %v", v)
		}

		o.runDays("2026-03-20", "2026-04-20")
		// Each at the first run of its London day (00:05), winter and summer.
		equal(t, "reminders", o.sentAt(true, notify.DueSoon, notify.Overdue, notify.OverdueTeam), []string{
			"due_soon learner 2026-03-25 00:05", "due_soon learner2 2026-03-25 00:05",
			"due_soon learner 2026-03-31 00:05", "due_soon learner2 2026-03-31 00:05",
			"overdue learner 2026-04-02 00:05", "overdue learner2 2026-04-02 00:05",
			"overdue learner 2026-04-09 00:05", "overdue learner2 2026-04-09 00:05",
			"overdue_team manager 2026-04-09 00:05",
			"overdue_team hr 2026-04-16 00:05",
		})
		var team notify.Row
		if err := db.NewSelect().Model(&team).Where("kind = ? AND channel = ? AND employee_id = ?", notify.OverdueTeam, notify.Email, o.manager).Scan(o.ctx); err != nil {
			t.Fatal(err)
		}
		v := team.Values()
		if v["count"] != "2 people" || !strings.Contains(v["body"], "Leo Office (L1): Programme ladder, due 1 Apr 2026, overdue 8 days") ||
			!strings.Contains(v["body"], "Lin Office (L2)") || v["link"] != "/team" {
			t.Errorf("the manager's escalation: %v", v)
		}
		var hr notify.Row
		if err := db.NewSelect().Model(&hr).Where("kind = ? AND channel = ? AND employee_id = ?", notify.OverdueTeam, notify.Email, o.hr).Scan(o.ctx); err != nil {
			t.Fatal(err)
		}
		if v := hr.Values(); v["count"] != "2 people" || !strings.Contains(v["body"], "overdue 15 days") || !strings.Contains(v["body"], "Lin Office (L2)") ||
			v["link"] != "/readiness" {
			t.Errorf("HR's escalation: %v", v)
		}
		// The in-app rows match the e-mails, one each.
		var inapp int64
		if inapp, _ = db.NewSelect().Model((*notify.Row)(nil)).Where("channel = ? AND kind IN (?)", notify.InApp,
			bun.In([]notify.Kind{notify.DueSoon, notify.Overdue, notify.OverdueTeam})).Count(o.ctx); inapp != 10 {
			t.Errorf("%d in-app reminders, want 10", inapp)
		}
	})
}

// TestRemindLadderPerProgramme: the programme's own ladder decides what is
// sent: here 3 days before, nothing overdue to the learner, the manager on
// the first overdue day, no HR; and a learner with two programmes due the
// same day gets one message listing both.
func TestRemindLadderPerProgramme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		o := newOffice(t, db)
		ladder := &courses.LadderInput{DueSoon: "3", OverdueManager: "0"}
		o.programme("short", ladder)
		o.programme("twin", ladder)
		o.runDays("2026-03-25", "2026-04-20")
		equal(t, "reminders", o.sent(notify.DueSoon, notify.Overdue, notify.OverdueTeam), []string{
			"due_soon learner 2026-03-29", "due_soon learner2 2026-03-29",
			"overdue_team manager 2026-04-02",
		})
		var r notify.Row
		if err := db.NewSelect().Model(&r).Where("kind = ? AND channel = ? AND employee_id = ?", notify.DueSoon, notify.Email, o.learner).Scan(o.ctx); err != nil {
			t.Fatal(err)
		}
		if v := r.Values(); !strings.Contains(v["body"], "Programme short") || !strings.Contains(v["body"], "Programme twin") || v["days"] != "3 days" {
			t.Errorf("the combined reminder: %v", v)
		}

		// Saved through the store: the ladder is tidied, and bad input named by field.
		p, err := o.svc.Courses().FindProgramme(o.ctx, "short")
		if err != nil || p.RemindDueDays != "3" || p.OverdueLearnerDays != "" || p.OverdueManagerDays != "0" {
			t.Fatalf("stored ladder: %+v %v", p, err)
		}
		in := courses.ProgrammeInput{Title: p.Title, Due: p.Due(), Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}},
			Ladder: &courses.LadderInput{DueSoon: "1 7 7", OverdueHR: "soon"}}
		if _, err := o.svc.Courses().UpdateProgramme(o.ctx, "short", in, "", nil, "test"); store.FieldOf(err) != "overdue_hr_days" {
			t.Errorf("a bad ladder: %v", err)
		}
		in.Ladder.OverdueHR = "14"
		if p, err = o.svc.Courses().UpdateProgramme(o.ctx, "short", in, "", nil, "test"); err != nil || p.RemindDueDays != "7, 1" || p.OverdueHRDays != "14" {
			t.Errorf("tidied: %q %q %v", p.RemindDueDays, p.OverdueHRDays, err)
		}
	})
}

// TestEventsInTheirTransaction: an assignment queues its rows in its own
// transaction (rolled back: none); a password link goes by e-mail only,
// carrying the link; an essay waiting goes to the learner's manager.
func TestEventsInTheirTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		o := newOffice(t, db)
		if _, err := o.svc.Courses().CreateProgramme(o.ctx, courses.ProgrammeInput{Slug: "tx", Title: "In a transaction",
			Due: courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30}, Courses: []courses.ProgrammeCourseInput{{Slug: "six-cs", Required: true}}}, nil, "test"); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("the workflow failed after assigning")
		err := db.RunInTx(o.ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := o.svc.Courses().AssignIn(ctx, tx, courses.AssignRequest{Programme: "tx", EmployeeIDs: []int64{o.learner}, Actor: "test"}, false); err != nil {
				return err
			}
			if n, err := tx.NewSelect().Model((*notify.Row)(nil)).Where("kind = ?", notify.Assigned).Count(ctx); err != nil || n != 2 {
				t.Errorf("inside the transaction: %d rows (%v), want 2", n, err)
			}
			return boom
		})
		if !errors.Is(err, boom) || o.count() != 0 {
			t.Fatalf("rolled back: %v, %d rows", err, o.count())
		}
		if _, err := o.svc.Courses().Assign(o.ctx, courses.AssignRequest{Programme: "tx", EmployeeIDs: []int64{o.learner}, Actor: "test"}, false); err != nil {
			t.Fatal(err)
		}
		var cycle int64
		if err := db.NewSelect().TableExpr("cycles").Column("id").Where("employee_id = ?", o.learner).Scan(o.ctx, &cycle); err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := db.NewSelect().TableExpr("notifications").Column("idem_key").OrderExpr("id").Scan(o.ctx, &keys); err != nil {
			t.Fatal(err)
		}
		want := "assigned|cycle:" + itoa(cycle) + "|emp:" + itoa(o.learner)
		equal(t, "keys", keys, []string{want + "|inapp", want + "|email"})

		token, err := o.svc.SendPasswordLink(o.ctx, o.learner, &o.hr)
		if err != nil {
			t.Fatal(err)
		}
		var pw []notify.Row
		if err := db.NewSelect().Model(&pw).Where("kind = ?", notify.PasswordLink).Scan(o.ctx); err != nil {
			t.Fatal(err)
		}
		if len(pw) != 1 || pw[0].Channel != notify.Email || pw[0].Address != "leo@example.com" || pw[0].Values()["link"] != "/password/"+token {
			t.Errorf("the password link's rows: %+v", pw)
		}
		o.leave()
		if _, err := o.svc.SendPasswordLink(o.ctx, o.leaver, &o.hr); store.KindOf(err) != store.Invalid {
			t.Errorf("a leaver's link: %v", err)
		}
		if n, _ := db.NewSelect().Model((*notify.Row)(nil)).Where("kind = ?", notify.PasswordLink).Count(o.ctx); n != 1 {
			t.Errorf("%d password-link rows after the leaver's refusal", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRemindDigest: the weekly digest goes to each manager (not to HR
// without reports) on Monday from 07:00 London time, once a week however
// often the scheduler runs.
func TestRemindDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		o := newOffice(t, db)
		o.programme("digest", nil)
		run := func(at time.Time) {
			o.clock.Set(at)
			o.svc.schedulerRun(o.ctx)
		}
		monday := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, o.loc) }
		run(monday(9, 6, 55))
		equal(t, "before 07:00", o.sent(notify.ManagerDigest), nil)
		run(monday(9, 7, 0))
		run(monday(9, 7, 1))
		run(monday(10, 7, 0)) // Tuesday
		equal(t, "that Monday", o.sent(notify.ManagerDigest), []string{"manager_digest manager 2026-03-09"})
		run(monday(30, 7, 30)) // summer time: 06:30 UTC
		equal(t, "three weeks on", o.sent(notify.ManagerDigest), []string{"manager_digest manager 2026-03-09", "manager_digest manager 2026-03-30"})
		// Turned off: no more.
		if _, err := db.NewInsert().Model(&map[string]any{"employee_id": o.manager, "kind": notify.ManagerDigest, "created_at": o.clock.Now()}).
			TableExpr("notification_optouts").Exec(o.ctx); err != nil {
			t.Fatal(err)
		}
		run(time.Date(2026, 4, 6, 8, 0, 0, 0, o.loc))
		equal(t, "opted out", o.sent(notify.ManagerDigest), []string{"manager_digest manager 2026-03-09", "manager_digest manager 2026-03-30"})
		var r notify.Row
		if err := db.NewSelect().Model(&r).Where("kind = ? AND channel = ?", notify.ManagerDigest, notify.Email).OrderExpr("id").Limit(1).Scan(o.ctx); err != nil {
			t.Fatal(err)
		}
		// Maya's line: Leo and Lin (Xavier left).
		if v := r.Values(); v["total"] != "2" || v["ready"] != "0" || v["link"] != "/digest" || !strings.Contains(v["body"], "Ready: 0 of 2 people") || !strings.Contains(v["body"], "0 people overdue") {
			t.Errorf("digest data: %v", v)
		}
	})
}
