package people_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestTokenRoles(t *testing.T) {
	const (
		staff, manager, hr, admin = people.RoleStaff, people.RoleManager, people.RoleHR, people.RoleAdmin
	)
	for _, tc := range []struct {
		name  string
		token people.Role
		held  []people.Role
		want  []people.Role
	}{
		{"OKSame", hr, []people.Role{staff, hr}, []people.Role{staff, manager, hr}},
		{"OKAdminCoversHR", hr, []people.Role{staff, admin}, []people.Role{staff, manager, hr}},
		{"OKTokenBelowEmployee", staff, []people.Role{staff, manager, hr, admin}, []people.Role{staff}},
		{"ErrHRRemoved", hr, []people.Role{staff}, []people.Role{staff}},
		{"ErrHRRemovedStillManager", hr, []people.Role{staff, manager}, []people.Role{staff, manager}},
		{"ErrAdminNowHR", admin, []people.Role{staff, hr}, []people.Role{staff, manager, hr}},
		{"ErrNothingHeld", admin, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := people.TokenRoles(tc.token, tc.held); !slices.Equal(got, tc.want) {
				t.Fatalf("TokenRoles(%s, %v) = %v, want %v", tc.token, tc.held, got, tc.want)
			}
		})
	}
}

// TestFinding01ImportRoleRules: only an admin's import changes roles or
// people who hold HR or admin; nobody's import leaves no active admin. A
// refused file writes nothing and its refusals are audited.
func TestFinding01ImportRoleRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		admin := emp("1", "")
		admin.Roles = "admin"
		mustSave(t, s, admin)
		hr := emp("2", "1")
		hr.Roles = "hr"
		hrEmp := mustSave(t, s, hr)
		mustSave(t, s, emp("3", "1"))
		const head = "id,first name,last name,email,manager id,status,roles\n"
		row := func(n, mgr, status, roles string) string {
			return n + ",First" + n + ",Last" + n + ",e" + n + "@example.com," + mgr + "," + status + "," + roles + "\n"
		}
		hrOpt := people.ImportOptions{Importer: hrEmp.ID}
		adminOpt := people.ImportOptions{Admin: true}
		for _, tc := range []struct {
			name  string
			data  string
			opt   people.ImportOptions
			field string // "" when the file is accepted
		}{
			{"ErrHRMakesHerselfAdmin", head + row("2", "1", "Active", "hr admin"), hrOpt, "roles"},
			{"ErrHRGrantsManager", head + row("3", "1", "Active", "manager"), hrOpt, "roles"},
			{"ErrHRCreatesWithRole", head + row("9", "1", "Active", "hr"), hrOpt, "roles"},
			{"ErrHRClearsRoles", head + row("2", "1", "Active", "staff"), hrOpt, "roles"},
			{"ErrHRChangesAdmin", head + strings.Replace(row("1", "", "Active", ""), "e1@", "x1@", 1), hrOpt, "employee_number"},
			{"ErrHRDeactivatesAdmin", head + row("1", "", "Inactive", ""), hrOpt, "employee_number"},
			{"ErrHRDeactivatesHerself", head + row("2", "1", "Inactive", ""), hrOpt, "employee_number"},
			{"ErrHRDeactivatesMissingAdmin", head + row("2", "1", "Active", "") + row("3", "1", "Active", ""), people.ImportOptions{Importer: hrEmp.ID, DeactivateMissing: true}, "employee_number"},
			{"ErrAdminRemovesLastAdmin", head + row("1", "", "Active", "staff"), adminOpt, "roles"},
			{"ErrAdminDeactivatesLastAdmin", head + row("1", "", "Inactive", ""), adminOpt, "active"},
			{"ErrMissingLastAdmin", head + row("2", "1", "Active", "") + row("3", "1", "Active", ""), people.ImportOptions{Admin: true, DeactivateMissing: true}, "active"},
			{"OKUnchangedRoles", head + row("2", "1", "Active", "hr") + row("1", "", "Active", "admin"), hrOpt, ""},
			{"OKEmptyRolesCellKeeps", head + row("3", "1", "Active", ""), hrOpt, ""},
			{"OKHREditsHerself", head + strings.Replace(row("2", "1", "Active", ""), "First2", "Priya", 1), hrOpt, ""},
			{"OKAdminGrants", head + row("3", "1", "Active", "hr"), adminOpt, ""},
			{"OKAdminMovesAdminRole", head + row("3", "1", "Active", "admin") + row("1", "", "Active", "staff"), adminOpt, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var before []people.Employee
				if err := db.NewSelect().Model(&before).OrderExpr("id").Scan(ctx); err != nil {
					t.Fatal(err)
				}
				plan, err := s.ApplyImport(ctx, []byte(tc.data), tc.opt, nil, "test")
				if err != nil {
					t.Fatal(err)
				}
				if tc.field == "" {
					if !plan.OK() {
						t.Fatalf("refused: %+v", plan.Errors)
					}
					// Put things back for the next case.
					for _, e := range before {
						in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: e.LastName, Email: e.Email,
							Active: e.Active, Roles: e.Roles, Department: "Front Desk", Location: "Leeds", JobTitle: "Agent"}
						if e.ManagerID != nil {
							in.ManagerNumber = "1"
						}
						if _, err := s.SaveEmployee(ctx, in); err != nil {
							t.Fatal(err)
						}
					}
					db.NewDelete().TableExpr("employees").Where("number = '9'").Exec(ctx)
					return
				}
				if plan.OK() || plan.Errors[0].Field != tc.field {
					t.Fatalf("errors %+v, want one on %s", plan.Errors, tc.field)
				}
				var after []people.Employee
				if err := db.NewSelect().Model(&after).OrderExpr("id").Scan(ctx); err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Fatalf("%d employees, want %d", len(after), len(before))
				}
				for i := range after {
					if a, b := after[i], before[i]; a.Roles != b.Roles || a.Active != b.Active || a.Email != b.Email {
						t.Fatalf("%s changed: %+v", a.Number, a)
					}
				}
			})
		}
		refused, err := db.NewSelect().TableExpr("audit_log").Where("action = 'access.refused'").Count(ctx)
		if err != nil || refused < 7 {
			t.Fatalf("%d refusals audited (%v), want at least 7", refused, err)
		}
	})
}

// TestFinding01LastActiveAdminKept: SetRoles, SetActive and SaveEmployee
// never take the admin role or the active flag from the last active admin,
// also when two changes race for the last two admins.
func TestFinding01LastActiveAdminKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		a := emp("1", "")
		a.Roles = "admin"
		one := mustSave(t, s, a)
		b := emp("2", "")
		b.Roles = "manager,admin"
		two := mustSave(t, s, b)
		conflict := func(err error, field string) {
			t.Helper()
			if store.KindOf(err) != store.Conflict || store.FieldOf(err) != field {
				t.Fatalf("got %v, want a conflict on %s", err, field)
			}
		}
		if err := s.SetRoles(ctx, two.ID, "manager"); err != nil {
			t.Fatal(err)
		}
		conflict(s.SetRoles(ctx, one.ID, "hr"), "roles")
		conflict(s.SetActive(ctx, one.ID, false), "active")
		in := a
		in.Roles = ""
		_, err := s.SaveEmployee(ctx, in)
		conflict(err, "roles")
		in = a
		in.KeepRoles, in.Active = true, false
		_, err = s.SaveEmployee(ctx, in)
		conflict(err, "active")
		if e := mustFind(t, s, "1"); e.Roles != "admin" || !e.Active {
			t.Fatalf("the last admin: roles %q active %v", e.Roles, e.Active)
		}
		// An inactive admin is not an admin anyone can use.
		if err := s.SetRoles(ctx, two.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetActive(ctx, two.ID, false); err != nil {
			t.Fatal(err)
		}
		conflict(s.SetRoles(ctx, one.ID, ""), "roles")
		if err := s.SetActive(ctx, two.ID, true); err != nil {
			t.Fatal(err)
		}

		// Two admins remove each other at the same moment: one change wins.
		for round := 0; round < 10; round++ {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, id := range []int64{one.ID, two.ID} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.SetRoles(ctx, id, "")
				}()
			}
			wg.Wait()
			n, err := db.NewSelect().TableExpr("employees").Where("active AND roles LIKE '%admin%'").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 || (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: %d admins left, errors %v", round, n, errs)
			}
			for _, e := range errs {
				if e != nil && store.KindOf(e) != store.Conflict {
					t.Fatalf("round %d: %v", round, e)
				}
			}
			if err := s.SetRoles(ctx, one.ID, "admin"); err != nil {
				t.Fatal(err)
			}
			if err := s.SetRoles(ctx, two.ID, "admin"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestFinding11StoreRefusesControlCharacters: a NUL byte (which the SQL
// layer cannot carry) or another control character in a lookup, a search or
// an employee's fields is NotFound or Invalid naming the field, never an
// internal error.
func TestFinding11StoreRefusesControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		if _, err := s.FindEmployeeByNumber(ctx, "1\x00"); !store.IsNotFound(err) {
			t.Errorf("find by number with NUL: %v, want NotFound", err)
		}
		if _, err := s.FindEmployeeByEmail(ctx, "e1@example.com\x00"); !store.IsNotFound(err) {
			t.Errorf("find by email with NUL: %v, want NotFound", err)
		}
		for _, q := range []string{"\x00", "first\x00", "\x01", "a\x7fb"} {
			if _, _, err := s.ListEmployees(ctx, people.EmployeeFilter{Search: q}); store.KindOf(err) != store.Invalid || store.FieldOf(err) != "q" {
				t.Errorf("search %q: %v, want Invalid on q", q, err)
			}
		}
		for _, tc := range []struct{ field, value string }{
			{"employee_number", "9\x00"}, {"first_name", "An\x00n"}, {"last_name", "Lee\x01"}, {"email", "a\x00@example.com"},
			{"job_title", "Chef\x7f"}, {"department", "\x00"}, {"location", "Le\x1beds"}, {"manager_number", "1\x00"}, {"hire_date", "2020-01-01\x00"},
		} {
			in := emp("9", "1")
			switch tc.field {
			case "employee_number":
				in.Number = tc.value
			case "first_name":
				in.FirstName = tc.value
			case "last_name":
				in.LastName = tc.value
			case "email":
				in.Email = tc.value
			case "job_title":
				in.JobTitle = tc.value
			case "department":
				in.Department = tc.value
			case "location":
				in.Location = tc.value
			case "manager_number":
				in.ManagerNumber = tc.value
			case "hire_date":
				in.HireDate = tc.value
			}
			if _, err := s.SaveEmployee(ctx, in); store.KindOf(err) != store.Invalid || store.FieldOf(err) != tc.field {
				t.Errorf("save with a control character in %s: %v, want Invalid on it", tc.field, err)
			}
		}
		plan, err := s.ApplyImport(ctx, []byte("id,first name,last name,email\n9,An\x01n,Lee,ann@example.com\n"), people.ImportOptions{Admin: true}, nil, "test")
		if err != nil || plan.OK() || plan.Errors[0].Field != "first_name" {
			t.Fatalf("import with a control character: %+v %v, want a row error on first_name", plan, err)
		}
		plan, err = s.ApplyImport(ctx, []byte("id,first name,last name,email\n9,An\x00n,Lee,ann@example.com\n"), people.ImportOptions{Admin: true}, nil, "test")
		if err != nil || plan.OK() {
			t.Fatalf("import with NUL: %+v %v, want a problem in the plan", plan, err)
		}
	})
}

// signInCast is one active employee with a known password and a fixed clock.
func signInCast(t *testing.T, db *bun.DB) (*people.Store, *people.Employee, *time.Time) {
	t.Helper()
	s := people.NewStore(db)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	e := mustSave(t, s, emp("1", ""))
	if err := s.SetPassword(context.Background(), e.ID, rightPassword); err != nil {
		t.Fatal(err)
	}
	return s, e, &now
}

const rightPassword = "demo-password-for-tests"

// TestFinding05SignInThrottleReservesAttempt: 44 wrong passwords and the
// right one sent at once for one account from one address: the attempts
// are reserved before any password is checked, so no more wrong passwords
// are checked than the limit allows, and once the limit is reached the
// right password does not get in either.
func TestFinding05SignInThrottleReservesAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, e, now := signInCast(t, db)
		const n = 45
		checksBefore := people.PasswordChecks()
		var wg sync.WaitGroup
		results := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			pw := fmt.Sprintf("wrong password %02d", i)
			if i == n/2 {
				pw = rightPassword
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, _, _, results[i] = s.SignIn(ctx, e.Email, pw, "203.0.113.9", "test")
			}()
		}
		close(start)
		wg.Wait()
		checked := int(people.PasswordChecks() - checksBefore)
		signedIn := 0
		for _, err := range results {
			if err == nil {
				signedIn++
			} else if err != people.ErrSignIn {
				t.Fatalf("attempt failed with %v, want ErrSignIn", err)
			}
		}
		if wrong := checked - signedIn; wrong > people.PairAttempts || signedIn > 1 {
			t.Fatalf("%d passwords checked (%d signed in): more than %d wrong ones were checked", checked, signedIn, people.PairAttempts)
		}
		t.Logf("%d of %d attempts checked, %d signed in", checked, n, signedIn)
		// The limit is reached: the right password is refused without a check.
		if signedIn == 0 {
			before := people.PasswordChecks()
			if _, _, _, err := s.SignIn(ctx, e.Email, rightPassword, "203.0.113.9", "test"); err != people.ErrSignIn {
				t.Fatalf("right password after the limit: %v, want ErrSignIn", err)
			}
			if people.PasswordChecks() != before {
				t.Fatal("a password was checked while sign-in was paused")
			}
		}
		// After the pause the right password works.
		*now = now.Add(people.PairLockMax)
		if _, _, _, err := s.SignIn(ctx, e.Email, rightPassword, "203.0.113.9", "test"); err != nil {
			t.Fatalf("right password after the pause: %v", err)
		}
	})
}

// setVar sets a package setting for one test.
func setVar[T any](t *testing.T, p *T, v T) {
	old := *p
	*p = v
	t.Cleanup(func() { *p = old })
}

// TestFinding10LockoutPerAccountAndAddress: wrong passwords pause one
// account from one address, with a pause that doubles each time, never the
// account for everyone; generous caps per address and per account stop
// guessing spread over many accounts or many addresses; a success gives its
// attempt back; every refusal is the same ErrSignIn.
func TestFinding10LockoutPerAccountAndAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, e, now := signInCast(t, db)
		signIn := func(email, pw, ip string) (bool, bool) { // signed in, checked
			t.Helper()
			before := people.PasswordChecks()
			_, _, _, err := s.SignIn(ctx, email, pw, ip, "test")
			if err != nil && err != people.ErrSignIn {
				t.Fatalf("sign in: %v, want ErrSignIn", err)
			}
			return err == nil, people.PasswordChecks() != before
		}
		wrong := func(ip string, n int) {
			t.Helper()
			for range n {
				if _, checked := signIn(e.Email, "not the password", ip); !checked {
					t.Fatalf("a wrong password from %s was not checked within the limit", ip)
				}
			}
		}

		// A success gives its attempt back: signing in often is never paused.
		for range 3 * people.PairAttempts {
			if ok, _ := signIn(e.Email, rightPassword, "198.51.100.1"); !ok {
				t.Fatal("repeated successful sign-ins were paused")
			}
		}

		// The limit from one address pauses that address only.
		wrong("198.51.100.2", people.PairAttempts)
		if ok, checked := signIn(e.Email, rightPassword, "198.51.100.2"); ok || checked {
			t.Fatalf("right password from the paused address: signed in %v, checked %v", ok, checked)
		}
		if ok, _ := signIn(e.Email, rightPassword, "198.51.100.3"); !ok {
			t.Fatal("another address was paused too: anyone could lock the account for everyone")
		}

		// The pause doubles: 1 minute, then 2.
		*now = now.Add(people.PairLockBase)
		wrong("198.51.100.2", people.PairAttempts)
		if _, checked := signIn(e.Email, rightPassword, "198.51.100.2"); checked {
			t.Fatal("checked beyond the limit after the first pause")
		}
		*now = now.Add(people.PairLockBase)
		if _, checked := signIn(e.Email, rightPassword, "198.51.100.2"); checked {
			t.Fatal("the second pause did not double")
		}
		*now = now.Add(people.PairLockBase)
		if ok, _ := signIn(e.Email, rightPassword, "198.51.100.2"); !ok {
			t.Fatal("still paused after the doubled pause")
		}

		// One address guessing many accounts meets the address cap.
		setVar(t, &people.AddressAttempts, 8)
		for i := range 8 {
			if _, checked := signIn(fmt.Sprintf("nobody%d@example.com", i), "not the password", "198.51.100.4"); !checked {
				t.Fatalf("attempt %d from one address not checked", i)
			}
		}
		if ok, checked := signIn(e.Email, rightPassword, "198.51.100.4"); ok || checked {
			t.Fatal("the address cap did not stop the ninth account")
		}

		// Many addresses guessing one account meet the account cap (in a
		// window of its own: the wrong passwords above count in the last one).
		*now = now.Add(people.AccountWindow)
		setVar(t, &people.AccountAttempts, 6)
		for i := range 6 {
			if _, checked := signIn(e.Email, "not the password", fmt.Sprintf("192.0.2.%d", i)); !checked {
				t.Fatalf("attempt from address %d not checked", i)
			}
		}
		if ok, checked := signIn(e.Email, rightPassword, "192.0.2.99"); ok || checked {
			t.Fatal("the account cap did not stop a seventh address")
		}
		*now = now.Add(people.AccountWindow)
		if ok, _ := signIn(e.Email, rightPassword, "192.0.2.99"); !ok {
			t.Fatal("the account was still paused after its window")
		}

		// The counters hold no emails or addresses, and old ones are pruned.
		var keys []string
		if err := db.NewSelect().TableExpr("signin_throttle").Column("key").Scan(ctx, &keys); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.Contains(k, "@") || strings.Contains(k, "198.51") || len(k) != 64 {
				t.Fatalf("throttle key %q is not a hash", k)
			}
		}
		*now = now.Add(people.ThrottleForget + people.PairLockMax)
		if _, err := s.PruneAccessData(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "signin_throttle"); n != 0 {
			t.Fatalf("%d throttle rows left after pruning", n)
		}
	})
}

// TestFinding10CurrentPasswordThrottled: the current-password check of a
// password change goes through the same throttle.
func TestFinding10CurrentPasswordThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, e, _ := signInCast(t, db)
		e, _ = s.FindEmployee(ctx, e.ID)
		for range people.PairAttempts {
			if err := s.CheckCurrentPassword(ctx, e, "not the password", "198.51.100.7"); store.KindOf(err) != store.Invalid || store.FieldOf(err) != "current" {
				t.Fatalf("wrong current password: %v", err)
			}
		}
		before := people.PasswordChecks()
		err := s.CheckCurrentPassword(ctx, e, rightPassword, "198.51.100.7")
		if store.KindOf(err) != store.TooMany || store.FieldOf(err) != "current" || people.PasswordChecks() != before {
			t.Fatalf("after the limit: %v (checked %v), want TooMany on current without a check", err, people.PasswordChecks() != before)
		}
		if err := s.CheckCurrentPassword(ctx, e, rightPassword, "198.51.100.8"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
	})
}

// TestFinding10PasswordRules: the rules of NIST SP 800-63B, each with its
// own message next to the password field.
func TestFinding10PasswordRules(t *testing.T) {
	ann := &people.Employee{FirstName: "Ann-Marie", LastName: "O'Neill", Email: "amoneill.cs@brightwater.example"}
	for _, tc := range []struct {
		name, pw string
		want     string // part of the message; "" when accepted
	}{
		{"OKDemo", "academy-demo", ""},
		{"OKTests", "demo-password-for-tests", ""},
		{"OKPassphrase", "correct horse battery", ""},
		{"OKLong", strings.Repeat("é", 200), ""},
		{"OKNameInside", "ann-marie likes tea", ""},
		{"ErrShort", "abc123", "at least 10"},
		{"ErrLong", strings.Repeat("x", 201), "at most 200"},
		{"ErrSpaces", "          ", "only spaces"},
		{"ErrTabsAndSpaces", " \t \t \t \t \t ", "only spaces"},
		{"ErrCommon", "password12", "most common"},
		{"ErrCommonUpper", "PASSWORD12", "most common"},
		{"ErrCommonDigits", "1234567890", "most common"},
		{"ErrCommonKeyboard", "qwertyuiop", "most common"},
		{"ErrEmail", "amoneill.cs@brightwater.example", "email"},
		{"ErrEmailLocalPart", "AMONeill.CS", "email"},
		{"ErrName", "Ann-Marie O'Neill", "name"},
		{"ErrNameReversed", "oneill annmarie", "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := people.ValidatePasswordFor(tc.pw, ann)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if store.KindOf(err) != store.Invalid || store.FieldOf(err) != "password" || !strings.Contains(store.MessageOf(err), tc.want) {
				t.Fatalf("got %v, want a message on password with %q", err, tc.want)
			}
		})
	}
	if n := people.CommonPasswordCount(); n != 100000 {
		t.Fatalf("the embedded list holds %d passwords, want 100,000", n)
	}
}

// TestFinding10SetPasswordFollowsTheRules: the store refuses a password the
// rules refuse, whoever sets it (a link, the change page, the command line).
func TestFinding10SetPasswordFollowsTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		e := mustSave(t, s, emp("1", ""))
		for _, pw := range []string{"          ", "password12", "e1@example.com", "First1 Last1"} {
			if err := s.SetPassword(ctx, e.ID, pw); store.FieldOf(err) != "password" {
				t.Errorf("SetPassword(%q): %v, want refused on password", pw, err)
			}
		}
		if err := s.SetPassword(ctx, e.ID, rightPassword); err != nil {
			t.Fatal(err)
		}
	})
}
