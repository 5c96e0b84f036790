package people_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func mustAudit(t testing.TB, db bun.IDB, at time.Time, actorID *int64, actor, action, subject, detail string) {
	t.Helper()
	if err := people.Audit(context.Background(), db, at, actorID, actor, action, subject, detail); err != nil {
		t.Fatal(err)
	}
}

func TestAuditFilterCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		f     people.AuditFilter
		field string // "" when valid
	}{
		{"OK", people.AuditFilter{Action: " rule.create ", From: "2026-03-01", To: "2026-03-01", Before: "12", Limit: 500}, ""},
		{"OKEmpty", people.AuditFilter{}, ""},
		{"OKOnlyTo", people.AuditFilter{To: "2026-02-28"}, ""},
		{"ErrFromNotADate", people.AuditFilter{From: "31/12/2026"}, "from"},
		{"ErrFromNoSuchDay", people.AuditFilter{From: "2026-02-30"}, "from"},
		{"ErrToNotADate", people.AuditFilter{To: "yesterday"}, "to"},
		{"ErrToBeforeFrom", people.AuditFilter{From: "2026-03-02", To: "2026-03-01"}, "to"},
		{"ErrBefore", people.AuditFilter{Before: "abc"}, "before"},
		{"ErrBeforeZero", people.AuditFilter{Before: "0"}, "before"},
		{"ErrLimitAbove500", people.AuditFilter{Limit: 501}, "limit"},
		{"ErrLimitNegative", people.AuditFilter{Limit: -1}, "limit"},
		{"ErrDetailTooLong", people.AuditFilter{Detail: strings.Repeat("x", 201)}, "detail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.f.Check()
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || errs[0].Kind != store.Invalid || errs[0].Message == "" {
				t.Fatalf("want one Invalid error on %q, got %v", tc.field, errs)
			}
		})
	}
}

func TestListAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		alice := mustSave(t, s, people.EmployeeInput{Number: "E1", FirstName: "Alice", LastName: "Smith", Email: "alice@example.com"})
		bob := mustSave(t, s, people.EmployeeInput{Number: "E2", FirstName: "Bob", LastName: "Jones", Email: "bob@example.com"})
		mustSave(t, s, people.EmployeeInput{Number: "E10", FirstName: "Carol", LastName: "Ng", Email: "carol@example.com"})
		london, err := time.LoadLocation("Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		day := func(d, h, m int) time.Time { return time.Date(2026, 7, d, h, m, 0, 0, time.UTC) }
		// Entry n (1-based) is the n-th appended; ids follow.
		entries := []struct {
			at                              time.Time
			by                              *int64
			actor, action, subject, details string
		}{
			{day(1, 9, 0), &alice.ID, "Alice Smith (E1)", "assignment.create", "induction", "2 assigned: E2, E10"},                  // 1
			{day(1, 22, 59), &alice.ID, "Alice Smith (E1)", "assignment.extend", "E2", "Induction: due → 2026-08-01; reason: Sick"}, // 2: 23:59 BST on the 1st
			{day(1, 23, 30), &bob.ID, "Bob", "rule.create", "induction", "rule 1 (department Front Desk): 50% done"},                // 3: 00:30 BST on the 2nd
			{day(2, 8, 0), nil, "scheduler", "rule.evaluate", "induction", "1 assigned"},                                            // 4
			{day(3, 8, 0), &bob.ID, "Bob", "employees.import", "3 rows", "3 created"},                                               // 5
			{day(3, 9, 0), &alice.ID, "Alice Smith (E1)", "employee.update", "E10", "changed: EMAIL"},                               // 6
			{day(3, 10, 0), nil, "system", "assignmentx.other", "E1", "not in the assignment. group"},                               // 7
			{day(4, 10, 0), &alice.ID, "Élodie Ménard", "assignment.exempt", "E1", "exempt; reason: ON LEAVE"},                      // 8
		}
		number := map[int64]int{} // entry id → n
		for i, e := range entries {
			mustAudit(t, db, e.at, e.by, e.actor, e.action, e.subject, e.details)
			var id int64
			if err := db.NewSelect().TableExpr("audit_log").ColumnExpr("MAX(id)").Scan(ctx, &id); err != nil {
				t.Fatal(err)
			}
			number[id] = i + 1
		}
		for _, tc := range []struct {
			name string
			f    people.AuditFilter
			want []int
		}{
			{"All", people.AuditFilter{}, []int{8, 7, 6, 5, 4, 3, 2, 1}},
			{"ActionExact", people.AuditFilter{Action: "rule.create"}, []int{3}},
			{"ActionGroup", people.AuditFilter{Action: "assignment."}, []int{8, 2, 1}},
			{"ActionGroupIsNotAWordPrefix", people.AuditFilter{Action: "employee."}, []int{6}},
			{"ActorNameAnyCase", people.AuditFilter{Actor: "alice SMITH"}, []int{6, 2, 1}},
			{"ActorNumberMatchesTheActorNotTheText", people.AuditFilter{Actor: "E2"}, []int{5, 3}},
			{"ActorNonASCIIAsShown", people.AuditFilter{Actor: "Élodie"}, []int{8}},
			{"SubjectExact", people.AuditFilter{Subject: "E1"}, []int{8, 7}},
			{"SubjectSlug", people.AuditFilter{Subject: "induction"}, []int{4, 3, 1}},
			{"DetailAnyCase", people.AuditFilter{Detail: "reason: on"}, []int{8}},
			{"DetailPercentIsLiteral", people.AuditFilter{Detail: "50%"}, []int{3}},
			{"DetailUnderscoreIsLiteral", people.AuditFilter{Detail: "_"}, nil},
			{"DayInCompanyZone", people.AuditFilter{From: "2026-07-02", To: "2026-07-02", Loc: london}, []int{4, 3}},
			{"DayInUTC", people.AuditFilter{From: "2026-07-01", To: "2026-07-01"}, []int{3, 2, 1}},
			{"FromOnly", people.AuditFilter{From: "2026-07-03", Loc: london}, []int{8, 7, 6, 5}},
			{"ToOnly", people.AuditFilter{To: "2026-07-01", Loc: london}, []int{2, 1}},
			{"Combined", people.AuditFilter{Action: "rule.", Subject: "induction", Actor: "bob", From: "2026-07-01", Loc: london}, []int{3}},
			{"NothingMatches", people.AuditFilter{Subject: "nobody"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list, next, err := s.ListAudit(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int
				for _, e := range list {
					got = append(got, number[e.ID])
				}
				if !slices.Equal(got, tc.want) || next != "" {
					var acts []string
					for _, e := range list {
						acts = append(acts, e.Action+"@"+e.Subject)
					}
					t.Fatalf("got entries %v (%v), next %q; want %v", got, acts, next, tc.want)
				}
			})
		}
		list, _, err := s.ListAudit(ctx, people.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		byAction := map[string]people.AuditEntry{}
		for _, e := range list {
			byAction[e.Action] = e
		}
		if e := byAction["rule.create"]; e.ActorNumber != "E2" || e.SubjectEmployee {
			t.Errorf("rule.create: actor number %q, subject is an employee %v", e.ActorNumber, e.SubjectEmployee)
		}
		if e := byAction["assignment.extend"]; e.ActorNumber != "E1" || !e.SubjectEmployee || !e.At.Equal(day(1, 22, 59)) {
			t.Errorf("assignment.extend: actor number %q, subject is an employee %v, at %v", e.ActorNumber, e.SubjectEmployee, e.At)
		}
		if e := byAction["rule.evaluate"]; e.ActorNumber != "" || e.ActorID != nil {
			t.Errorf("rule.evaluate by the scheduler: actor %q %v", e.ActorNumber, e.ActorID)
		}
		if _, _, err := s.ListAudit(ctx, people.AuditFilter{From: "2026-07-09", To: "2026-07-01"}); store.FieldOf(err) != "to" {
			t.Errorf("to before from: %v, want an error on to", err)
		}
	})
}

func TestListAuditPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := range 250 {
				action := "assignment.create" // even i
				switch i % 4 {
				case 1:
					action = "rule.evaluate"
				case 3:
					action = "rule.create"
				}
				if err := people.Audit(ctx, tx, start.Add(time.Duration(i)*time.Minute), nil, "scheduler", action, "p", fmt.Sprint(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			f     people.AuditFilter
			pages []int // sizes
		}{
			{"Default100", people.AuditFilter{}, []int{100, 100, 50}},
			{"ExactlyFull", people.AuditFilter{Action: "assignment.", Limit: 125}, []int{125}},
			{"GroupPages", people.AuditFilter{Action: "assignment.", Limit: 50}, []int{50, 50, 25}},
			{"GroupPagesWithSubject", people.AuditFilter{Action: "assignment.", Subject: "p", Limit: 60}, []int{60, 60, 5}},
			{"GroupOfTwoActions", people.AuditFilter{Action: "rule.", Limit: 100}, []int{100, 25}},
			// rule.evaluate entries are those with i%4 == 1; of those, 241, 245 and 249 contain "24".
			{"Limit1", people.AuditFilter{Action: "rule.evaluate", Limit: 1, Detail: "24"}, []int{1, 1, 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.f
				var sizes []int
				var seen []int64
				for range 10 {
					list, next, err := s.ListAudit(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					sizes = append(sizes, len(list))
					for _, e := range list {
						if len(seen) > 0 && e.ID >= seen[len(seen)-1] {
							t.Fatalf("not newest first: %d after %d", e.ID, seen[len(seen)-1])
						}
						seen = append(seen, e.ID)
					}
					if next == "" {
						break
					}
					f.Before = next
				}
				if !slices.Equal(sizes, tc.pages) {
					t.Fatalf("page sizes %v, want %v", sizes, tc.pages)
				}
			})
		}
	})
}

// TestListAuditGroupMatchesSQL: the pages of a group, read action by action,
// are exactly the group's entries newest first, with and without other filters.
func TestListAuditGroupMatchesSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		actions := []string{"rule.create", "rule.evaluate", "rule.evaluate", "rules.other", "rule.delete", "rule.evaluate", "ruler.x", "assignment.create"}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := range 400 {
				a := actions[(i*7+i/3)%len(actions)]
				if err := people.Audit(ctx, tx, start.Add(time.Duration(i)*time.Hour), nil, "scheduler", a, "p", fmt.Sprintf("run %d", i%10)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []people.AuditFilter{
			{Action: "rule.", Limit: 7},
			{Action: "rule.", Limit: 500},
			{Action: "rule.", Detail: "run 3", Limit: 4},
			{Action: "rule.", From: "2026-01-05", To: "2026-01-10", Limit: 9},
		} {
			var want []int64
			q := db.NewSelect().TableExpr("audit_log").Column("id").Where("action IN (?)", bun.In([]string{"rule.create", "rule.evaluate", "rule.delete"}))
			if f.Detail != "" {
				q = q.Where("detail = ?", f.Detail)
			}
			if f.From != "" {
				q = q.Where("at >= ? AND at < ?", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 11, 0, 0, 0, 0, time.UTC))
			}
			if err := q.OrderExpr("at DESC, id DESC").Scan(ctx, &want); err != nil {
				t.Fatal(err)
			}
			var got []int64
			for {
				list, next, err := s.ListAudit(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range list {
					got = append(got, e.ID)
				}
				if next == "" {
					break
				}
				f.Before = next
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("%+v: %d entries, want %d\n got %v\nwant %v", f, len(got), len(want), got, want)
			}
		}
	})
}

// TestListAuditByTime: the log is newest first by the time each entry shows,
// not by when it was written: an entry written later with an earlier time
// (an import, the demo's history) sorts by its time, ties by id, across
// pages and within an action group and a subject.
func TestListAuditByTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		day := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		// Written in this order; shown times jump back and forth, two equal.
		hours := []int{5, 1, 9, 3, 3, 7, 0}
		for i, h := range hours {
			if err := people.Audit(ctx, db, day.Add(time.Duration(h)*time.Hour), nil, "scheduler", "rule.evaluate", "p", fmt.Sprint("h", h, " w", i)); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"h9 w2", "h7 w5", "h5 w0", "h3 w4", "h3 w3", "h1 w1", "h0 w6"}
		for _, f := range []people.AuditFilter{{Limit: 2}, {Action: "rule.", Limit: 3}, {Action: "rule.evaluate", Limit: 100}, {Subject: "p", Limit: 1}} {
			var got []string
			for range 10 {
				list, next, err := s.ListAudit(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range list {
					got = append(got, e.Detail)
				}
				if next == "" {
					break
				}
				f.Before = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v: %q, want %q", f, got, want)
			}
		}
	})
}

// TestAuditAppendOnly: the database refuses to change or remove an entry,
// whatever the query; appending still works.
func TestAuditAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		mustAudit(t, db, at, nil, "hr@example.com", "assignment.extend", "E1", "reason: sick")
		attempts := map[string]func() error{
			"RawUpdate": func() error {
				_, err := db.ExecContext(ctx, "UPDATE audit_log SET detail = 'reason: none'")
				return err
			},
			"RawDelete": func() error { _, err := db.ExecContext(ctx, "DELETE FROM audit_log"); return err },
			"ModelUpdate": func() error {
				_, err := db.NewUpdate().Model((*people.AuditEntry)(nil)).Set("actor = ?", "someone else").Where("1 = 1").Exec(ctx)
				return err
			},
			"ModelDelete": func() error {
				_, err := db.NewDelete().Model((*people.AuditEntry)(nil)).Where("action = ?", "assignment.extend").Exec(ctx)
				return err
			},
			"InTransaction": func() error {
				return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					_, err := tx.ExecContext(ctx, "UPDATE audit_log SET at = ?", at.Add(time.Hour))
					return err
				})
			},
		}
		if store.IsPostgresDB(db) {
			attempts["Truncate"] = func() error { _, err := db.ExecContext(ctx, "TRUNCATE audit_log"); return err }
		}
		for name, try := range attempts {
			t.Run(name, func(t *testing.T) {
				if err := try(); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Fatalf("want the append-only refusal, got %v", err)
				}
			})
		}
		mustAudit(t, db, at.Add(time.Minute), nil, "hr@example.com", "assignment.exempt", "E1", "")
		list, _, err := s.ListAudit(ctx, people.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[1].Detail != "reason: sick" || list[1].Actor != "hr@example.com" || !list[1].At.Equal(at) {
			t.Fatalf("log after the attempts: %+v", list)
		}
	})
}

// TestAuditDetailCut: a long detail is cut to MaxAuditDetail bytes without
// splitting a character (PostgreSQL would refuse the entry).
func TestAuditDetailCut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		s := people.NewStore(db)
		long := strings.Repeat("a", people.MaxAuditDetail-1) + "é and more"
		mustAudit(t, db, time.Now(), nil, "hr", "essay.grade", "E1", long)
		list, _, err := s.ListAudit(context.Background(), people.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if d := list[0].Detail; len(d) != people.MaxAuditDetail-1 || !utf8.ValidString(d) {
			t.Fatalf("detail of %d bytes, valid UTF-8 %v", len(d), utf8.ValidString(d))
		}
	})
}
