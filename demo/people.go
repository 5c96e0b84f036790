package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Company is the name of the demo organisation.
const Company = "Brightwater Services"

const demoDomain = "brightwater.example"

// Login is one account printed at start in demo mode.
type Login struct {
	Role  string
	Email string
	Name  string
}

// Info says what the demo organisation holds.
type Info struct {
	Employees int
	Logins    []Login
}

type demoEmployee struct {
	number, first, last, title, dept, loc, manager, hired, roles string
	inactive                                                     bool
}

// demoPeople builds the organisation: a service company with front desk,
// field service and a contact centre at four locations, reporting lines four
// levels below the chief executive.
func demoPeople() []demoEmployee {
	ps := []demoEmployee{
		{"BW1000", "Helen", "Carter", "Chief Executive", "Executive", "Leeds", "", "2012-03-01", "", false},
		{"BW1001", "Priya", "Shah", "HR Manager", "People & HR", "Leeds", "BW1000", "2016-09-12", "hr", false},
		{"BW1002", "Alex", "Morgan", "Systems Administrator", "IT", "Leeds", "BW1000", "2018-01-08", "admin", false},
		{"BW1003", "Olivia", "Bennett", "Head of Customer Service", "Customer Service", "Leeds", "BW1000", "2014-05-19", "", false},
		{"BW1004", "Ruth", "Adeyemi", "Training Coordinator", "People & HR", "Leeds", "BW1001", "2021-02-01", "hr", false},
		{"BW1010", "James", "O'Connor", "Front Desk Manager", "Front Desk", "Manchester", "BW1003", "2015-07-06", "", false},
		{"BW1011", "Grace", "Okafor", "Field Service Manager", "Field Service", "Bristol", "BW1003", "2016-04-11", "", false},
		{"BW1012", "Daniel", "Kim", "Contact Centre Manager", "Contact Centre", "Leeds", "BW1003", "2017-10-02", "", false},
	}
	locations := []string{"Leeds", "Manchester", "Bristol", "Glasgow"}
	firsts := []string{"Sam", "Aisha", "Tom", "Chloe", "Mohammed", "Emily", "Lewis", "Zoë", "Jack", "Fatima", "Ryan", "Hannah",
		"Oscar", "Amelia", "Kwame", "Isla", "Noah", "Maya", "Callum", "Sofia", "Ethan", "Leah", "Arjun", "Megan", "Finn",
		"Niamh", "Dmitri", "Ellie", "Tariq", "Rosie", "Ben", "Yuki", "Harvey", "Imogen", "Luca", "Freya", "Omar", "Ava",
		"Rhys", "Nadia", "Kai", "Lucy", "Mateo", "Erin", "Joel", "Sara"}
	lasts := []string{"Taylor", "Khan", "Wilson", "Evans", "Ali", "Roberts", "Walker", "Núñez", "Wright", "Hussain", "Hughes",
		"Green", "Hall", "Lewis", "Mensah", "Clarke", "Jackson", "Patel", "Murray", "Rossi", "Turner", "Cooper", "Singh",
		"Ward", "Reid", "Byrne", "Ivanov", "Morris", "Aziz", "Price", "Bell", "Tanaka", "Cook", "Hill", "Bianchi", "Baker",
		"Farah", "Young", "Jones", "Haddad", "Lee", "Fox", "García", "Kelly", "Grant", "Lund"}
	n, seq := 0, 1100
	next := func() (string, string, string) {
		f, l := firsts[n%len(firsts)], lasts[(n+n/len(firsts)*5)%len(lasts)]
		n++
		seq++
		return fmt.Sprintf("BW%d", seq), f, l
	}
	hired := func(i int) string { return fmt.Sprintf("20%02d-%02d-%02d", 18+i%7, 1+i%12, 1+(i*7)%28) }

	// Front desk: a supervisor per location, three receptionists each.
	for i, loc := range locations {
		num, f, l := next()
		ps = append(ps, demoEmployee{num, f, l, "Front Desk Supervisor", "Front Desk", loc, "BW1010", hired(i), "", false})
		for j := 0; j < 3; j++ {
			rn, rf, rl := next()
			ps = append(ps, demoEmployee{rn, rf, rl, "Receptionist", "Front Desk", loc, num, hired(i + j), "", false})
		}
	}
	// Field service: a team lead in three locations, four engineers each.
	for i, loc := range locations[:3] {
		num, f, l := next()
		ps = append(ps, demoEmployee{num, f, l, "Field Team Lead", "Field Service", loc, "BW1011", hired(i + 3), "", false})
		for j := 0; j < 4; j++ {
			en, ef, el := next()
			title := "Field Service Engineer"
			if j == 3 {
				title = "Senior Field Service Engineer"
			}
			ps = append(ps, demoEmployee{en, ef, el, title, "Field Service", loc, num, hired(i*4 + j), "", false})
		}
	}
	// Contact centre: two team leaders in Leeds and one in Glasgow, seven agents each.
	for i, loc := range []string{"Leeds", "Leeds", "Glasgow"} {
		num, f, l := next()
		ps = append(ps, demoEmployee{num, f, l, "Contact Centre Team Leader", "Contact Centre", loc, "BW1012", hired(i + 5), "", false})
		for j := 0; j < 7; j++ {
			an, af, al := next()
			title := "Customer Service Advisor"
			if j == 0 {
				title = "Senior Customer Service Advisor"
			}
			ps = append(ps, demoEmployee{an, af, al, title, "Contact Centre", loc, num, hired(i*6 + j), "", j == 6 && i == 2})
		}
	}
	return ps
}

func demoEmail(first, last string) string {
	clean := func(s string) string {
		s = strings.NewReplacer("'", "", "ë", "e", "ú", "u", "ñ", "n", "í", "i", " ", "").Replace(strings.ToLower(s))
		return s
	}
	return clean(first) + "." + clean(last) + "@" + demoDomain
}

// loadPeople loads the demo organisation into an empty database, every
// account with password, and sets the company name, in one transaction
// with clock set to the moment. On a database that already has employees it
// writes nothing and returns loaded=false. The logins it returns are the
// accounts worth trying, one per role.
func loadPeople(ctx context.Context, s *people.Store, clock *store.ManualClock, password string) (info *Info, loaded bool, err error) {
	ps := demoPeople()
	info = &Info{Employees: len(ps), Logins: []Login{
		{"admin", "admin@" + demoDomain, "Alex Morgan"},
		{"hr", "hr@" + demoDomain, "Priya Shah"},
		{"manager", demoEmail("Olivia", "Bennett"), "Olivia Bennett (head of service: three levels below her)"},
		{"manager", demoEmail("Daniel", "Kim"), "Daniel Kim (contact centre)"},
		{"staff", demoEmail("Aisha", "Khan"), "Aisha Khan (receptionist)"},
	}}
	_, all, err := s.CountEmployees(ctx)
	if err != nil {
		return nil, false, err
	}
	if all > 0 {
		return info, false, nil
	}
	if err := people.ValidatePassword(password); err != nil && len(password) < 8 {
		return nil, false, fmt.Errorf("ACADEMY_DEMO_PASSWORD: use at least 8 characters")
	}
	hash, err := people.HashPassword(password)
	if err != nil {
		return nil, false, err
	}
	now := s.Now()
	clock.Set(now) // everyone created at the same moment
	defer clock.Set(time.Time{})
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, p := range ps {
			email := demoEmail(p.first, p.last)
			switch p.number {
			case "BW1001":
				email = "hr@" + demoDomain
			case "BW1002":
				email = "admin@" + demoDomain
			}
			in := people.EmployeeInput{Number: p.number, FirstName: p.first, LastName: p.last, Email: email, JobTitle: p.title,
				Department: p.dept, Location: p.loc, ManagerNumber: p.manager, HireDate: p.hired, Active: !p.inactive, Roles: p.roles}
			if _, err := s.SaveEmployeeIn(ctx, tx, in); err != nil {
				return fmt.Errorf("demo person %s: %w", p.number, err)
			}
		}
		if _, err := tx.NewUpdate().Model((*people.Employee)(nil)).Set("password_hash = ?", hash).Where("1 = 1").Exec(ctx); err != nil {
			return err
		}
		if err := people.PutSetting(ctx, tx, "company.name", Company, now); err != nil {
			return err
		}
		return people.Audit(ctx, tx, now, nil, "demo", "demo.load", Company, fmt.Sprintf("%d employees", len(ps)))
	})
	if err != nil {
		return nil, false, err
	}
	return info, true, nil
}
