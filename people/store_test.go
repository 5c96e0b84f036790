package people_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func mustSave(t testing.TB, s *people.Store, in people.EmployeeInput) *people.Employee {
	t.Helper()
	in.Active = true
	res, err := s.SaveEmployee(context.Background(), in)
	if err != nil {
		t.Fatalf("save %s: %v", in.Number, err)
	}
	return res.Employee
}

func emp(number, manager string) people.EmployeeInput {
	return people.EmployeeInput{Number: number, FirstName: "First" + number, LastName: "Last" + number,
		Email: "e" + number + "@example.com", Department: "Front Desk", Location: "Leeds", JobTitle: "Agent",
		ManagerNumber: manager, Active: true}
}

func TestEmployees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		ceo := mustSave(t, s, emp("1", ""))
		mustSave(t, s, emp("2", "1"))
		mustSave(t, s, emp("3", "2"))
		mustSave(t, s, emp("4", "3"))
		mustSave(t, s, emp("5", "1"))

		t.Run("FindByNumberJoinsNames", func(t *testing.T) {
			e, err := s.FindEmployeeByNumber(ctx, "3")
			if err != nil {
				t.Fatal(err)
			}
			if e.Department != "Front Desk" || e.Location != "Leeds" || e.JobTitle != "Agent" || e.ManagerNumber != "2" {
				t.Fatalf("joined fields wrong: %+v", e)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.FindEmployeeByNumber(ctx, "nope")
			if !store.IsNotFound(err) {
				t.Fatalf("want NotFound, got %v", err)
			}
		})
		t.Run("ReportingLine", func(t *testing.T) {
			line, err := s.ReportingLine(ctx, ceo.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, m := range line {
				got[m.Number] = m.Depth
			}
			want := map[string]int{"2": 1, "5": 1, "3": 2, "4": 3}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("line = %v, want %v", got, want)
			}
			two, _ := s.FindEmployeeByNumber(ctx, "2")
			four, _ := s.FindEmployeeByNumber(ctx, "4")
			five, _ := s.FindEmployeeByNumber(ctx, "5")
			if ok, _ := s.InLine(ctx, two.ID, four.ID); !ok {
				t.Error("4 should be in 2's line")
			}
			if ok, _ := s.InLine(ctx, two.ID, five.ID); ok {
				t.Error("5 should not be in 2's line")
			}
		})
		t.Run("ErrCycle", func(t *testing.T) {
			in := emp("2", "4")
			_, err := s.SaveEmployee(ctx, in)
			if store.KindOf(err) != store.Conflict || store.FieldOf(err) != "manager_number" {
				t.Fatalf("want cycle conflict on manager_number, got %v", err)
			}
		})
		t.Run("ErrEmailTaken", func(t *testing.T) {
			in := emp("9", "")
			in.Email = "E1@Example.com"
			_, err := s.SaveEmployee(ctx, in)
			if store.KindOf(err) != store.Conflict || store.FieldOf(err) != "email" {
				t.Fatalf("want email conflict, got %v", err)
			}
		})
		t.Run("UnchangedUpdate", func(t *testing.T) {
			res, err := s.SaveEmployee(ctx, emp("5", "1"))
			if err != nil || res.Created || len(res.Changed) != 0 {
				t.Fatalf("res=%+v err=%v", res, err)
			}
		})
		t.Run("DeactivatedCannotSignIn", func(t *testing.T) {
			if err := s.SetPassword(ctx, ceo.ID, "correct horse battery"); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := s.SignIn(ctx, "e1@example.com", "correct horse battery", "1.2.3.4", "test"); err != nil {
				t.Fatalf("sign in: %v", err)
			}
			if err := s.SetActive(ctx, ceo.ID, false); err != nil {
				t.Fatal(err)
			}
			_, _, _, err := s.SignIn(ctx, "e1@example.com", "correct horse battery", "1.2.3.4", "test")
			if err != people.ErrSignIn {
				t.Fatalf("inactive sign-in: want ErrSignIn, got %v", err)
			}
			e, err := s.FindEmployee(ctx, ceo.ID)
			if err != nil || e.Active || e.DeactivatedAt == nil {
				t.Fatalf("leaver must be kept, inactive: %+v %v", e, err)
			}
		})
	})
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ISO", "2024-02-29", "2024-02-29"},
		{"DayMonthYearSlash", "29/02/2024", "2024-02-29"},
		{"DayMonthYearDots", "1.3.2026", "2026-03-01"},
		{"DayMonthYearDash", "15-01-2026", "2026-01-15"},
		{"MonthName", "2 Jan 2006", "2006-01-02"},
		{"ErrNotLeapYear", "29/02/2023", ""},
		{"ErrImpossible", "31/02/2024", ""},
		{"ErrMonth13", "2024-13-01", ""},
		{"ErrYearTooOld", "01/01/1850", ""},
		{"ErrText", "yesterday", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := people.ParseDate(tc.in)
			if (err != nil) != (tc.want == "") || got != tc.want {
				t.Fatalf("ParseDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestEmployeeInputCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     people.EmployeeInput
		fields []string
	}{
		{"OK", people.EmployeeInput{Number: "1", FirstName: "A", Email: "a@example.com"}, nil},
		{"ErrEverything", people.EmployeeInput{Email: "nope", HireDate: "31/02/2024", Roles: "wizard"},
			[]string{"employee_number", "first_name", "email", "hire_date", "roles"}},
		{"ErrOwnManager", people.EmployeeInput{Number: "1", FirstName: "A", Email: "a@example.com", ManagerNumber: "1"}, []string{"manager_number"}},
		{"ErrEmailWithName", people.EmployeeInput{Number: "1", FirstName: "A", Email: "Ann <a@example.com>"}, []string{"email"}},
		{"ErrEmailNoDomainDot", people.EmployeeInput{Number: "1", FirstName: "A", Email: "a@localhost"}, []string{"email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range tc.in.Check() {
				got = append(got, e.Field)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.fields) {
				t.Fatalf("fields %v, want %v", got, tc.fields)
			}
		})
	}
}
