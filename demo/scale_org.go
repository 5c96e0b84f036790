package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// The scale fixture's organisation: a chief executive, a director per
// department, heads, senior managers, managers, team leads and staff, each
// manager with four to twelve reports, six to eight levels deep, built in
// memory before a row is written.

// scaleDept is a department with its share of the company and its staff's
// job titles (weighted).
type scaleDept struct {
	name   string
	share  float64
	office bool // works from the offices, not the regions
	titles []scaleTitle
}

type scaleTitle struct {
	name   string
	weight int
}

var scaleDepartments = []scaleDept{
	{"Executive", 0, true, []scaleTitle{{"Executive Assistant", 1}}},
	{"People & HR", 0.025, true, []scaleTitle{{"HR Advisor", 5}, {"Payroll Officer", 2}, {"Training Coordinator", 2}}},
	{"Finance", 0.03, true, []scaleTitle{{"Accountant", 3}, {"Finance Analyst", 2}}},
	{"IT", 0.04, true, []scaleTitle{{"IT Support Analyst", 4}, {"Software Developer", 3}, {"Systems Administrator", 1}}},
	{"Marketing", 0.025, true, []scaleTitle{{"Marketing Executive", 1}}},
	{"Sales", 0.08, false, []scaleTitle{{"Sales Executive", 3}, {"Account Manager", 1}}},
	{"Customer Relations", 0.06, false, []scaleTitle{{"Complaints Handler", 3}, {"Quality Analyst", 1}}},
	{"Front Desk", 0.17, false, []scaleTitle{{"Receptionist", 5}, {"Senior Receptionist", 1}}},
	{"Field Service", 0.22, false, []scaleTitle{{"Field Service Engineer", 6}, {"Senior Field Service Engineer", 2}, {"Apprentice Engineer", 1}}},
	{"Contact Centre", 0.18, false, []scaleTitle{{"Customer Service Advisor", 5}, {"Senior Customer Service Advisor", 1}}},
	{"Operations", 0.09, false, []scaleTitle{{"Operations Analyst", 2}, {"Scheduler", 3}}},
	{"Logistics", 0.08, false, []scaleTitle{{"Warehouse Operative", 4}, {"Delivery Driver", 3}, {"Logistics Coordinator", 1}}},
}

// Managers' job titles by level.
const (
	titleCEO        = "Chief Executive"
	titleDirector   = "Director"
	titleHead       = "Head of Department"
	titleSenior     = "Senior Manager"
	titleManager    = "Manager"
	titleTeamLeader = "Team Leader"
)

// scaleRegions groups the locations; each region's first is its hub.
var scaleRegions = [][]string{
	{"London City", "London Docklands", "Reading", "Oxford", "Brighton"},
	{"Birmingham", "Coventry", "Leicester", "Nottingham", "Derby"},
	{"Manchester Piccadilly", "Liverpool", "Preston", "Stoke-on-Trent", "Bradford"},
	{"Leeds", "Sheffield", "York", "Hull", "Newcastle"},
	{"Glasgow", "Edinburgh", "Aberdeen", "Dundee", "Inverness"},
	{"Bristol", "Cardiff", "Swansea", "Exeter", "Plymouth"},
	{"Southampton", "Portsmouth", "Cambridge", "Norwich", "Milton Keynes"},
	{"Belfast", "Dublin", "Cork"},
}

// The offices where head-office departments work.
var scaleOffices = []string{"London Head Office", "Manchester Salford"}

func scaleLocations() []string {
	out := append([]string{}, scaleOffices...)
	for _, r := range scaleRegions {
		out = append(out, r...)
	}
	return out
}

func scaleJobTitles() []string {
	out := []string{titleCEO, titleDirector, titleHead, titleSenior, titleManager, titleTeamLeader}
	for _, d := range scaleDepartments {
		for _, t := range d.titles {
			out = append(out, t.name)
		}
	}
	return out
}

var scaleFirstNames = strings.Fields(`Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas
Henry William Freddie Alfie Theo Archie Joshua James Lucas Isaac Ethan Mason Samuel Daniel Adam Reuben Logan
Joseph Finley Harrison Sebastian Dylan Max Zachary Louis Toby Elijah Rory Kai Aaron Ibrahim Yusuf Omar Ali Ravi
Arjun Rohan Kwame Kofi Chinedu Tunde Dmitri Mateo Luca Marco Tomasz Piotr Ciaran Connor Callum Rhys Euan Fraser
Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence Emily Ella Poppy Evie
Charlotte Sienna Daisy Phoebe Sophie Alice Ruby Harper Matilda Evelyn Millie Eva Chloe Lucy Hannah Megan Holly
Zara Aisha Fatima Maryam Amira Layla Priya Anika Sana Nadia Yasmin Chiamaka Ama Abena Ngozi Zofia Maja Elena
Chiara Aoife Niamh Siobhan Eilidh Morag Caitlin Bethan Seren Carys Jade Leah Erin Kate Laura Rachel Sarah Helen`)

var scaleLastNames = strings.Fields(`Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright
Thompson Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill
Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James Bennett
Young Phillips Richardson Mitchell Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Marshall
Simpson Anderson Ellis Adams Murray Price Mason Hussain Ali Ahmed Rahman Chowdhury Shah Sharma Kaur Gill Mistry Nair
Okafor Adeyemi Mensah Owusu Boateng Nwosu Okonkwo Asante Kowalski Nowak Wisniewski Rossi Bianchi Ferrari Costa
Silva Santos Garcia Martinez Lopez Fernandez Murphy Byrne Walsh Ryan Doyle Gallagher Campbell Stewart MacDonald
Robertson Fraser Reid Ross Paterson Grant Hamilton Graham Kennedy Jenkins Lloyd Price Rees Powell Owen Pugh Howells
Chen Wang Li Zhang Liu Nguyen Tran Kim Park Tanaka Sato Cohen Levy Novak Horvat Popescu Ivanova Petrov Schmidt
Muller Weber Dubois Laurent Moreau Jansen Visser Larsen Nielsen Andersen Berg`)

// scalePerson is one employee of the fixture, in memory.
type scalePerson struct {
	ID          int64
	Manager     int32 // index of the manager, -1 for the chief executive
	Depth       int8
	Dept        int8  // into scaleDepartments
	Loc         int16 // into scaleLocations()
	Job         int16 // into scaleJobTitles()
	Region      int8
	Reports     int32 // direct
	Below       int32 // the whole line below
	First, Last string
	Email       string
	Roles       string
	Hire        string    // YYYY-MM-DD, company-local
	HiredAt     time.Time // the morning of the hire date: when the import brought them in
	LeftAt      time.Time // zero while active
	Path        string
}

// scaleOrg is the organisation and the named accounts in it.
type scaleOrg struct {
	people []scalePerson // by id - 1
	hr     int           // the HR director (the HR login)
	admin  int           // the systems administrator (the admin login)
	five   []int         // managers with about 500 people in their line
}

// scaleCapacity[d] is the most people that can be below a manager at depth
// d when everyone has at most twelve reports and the tree is at most eight
// levels deep.
var scaleCapacity = func() [8]int {
	var c [8]int
	for d := 6; d >= 0; d-- {
		c[d] = 12 * (1 + c[d+1])
	}
	return c
}()

// buildScaleOrg lays out n people (n >= 20) for the seed, hire dates before now.
func buildScaleOrg(n int, seed int64, now time.Time, loc *time.Location) *scaleOrg {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5ca1e0))
	org := &scaleOrg{people: make([]scalePerson, 0, n), hr: -1, admin: -1}
	type pending struct {
		idx, budget int
	}
	add := func(manager int, depth int, dept int) int {
		org.people = append(org.people, scalePerson{ID: int64(len(org.people) + 1), Manager: int32(manager), Depth: int8(depth), Dept: int8(dept)})
		return len(org.people) - 1
	}
	ceo := add(-1, 0, 0)
	queue := []pending{}
	// The chief executive: an assistant and a director per department, sized by share.
	add(ceo, 1, 0)
	rest := n - 2
	var shares float64
	for _, d := range scaleDepartments[1:] {
		shares += d.share
	}
	budgets := make([]int, len(scaleDepartments))
	left := rest - (len(scaleDepartments) - 1)
	given := 0
	for i := 1; i < len(scaleDepartments); i++ {
		budgets[i] = int(float64(left) * scaleDepartments[i].share / shares)
		given += budgets[i]
	}
	largest := 1
	for i := range scaleDepartments {
		if scaleDepartments[i].share > scaleDepartments[largest].share {
			largest = i
		}
	}
	budgets[largest] += left - given // the rounding
	for i := 1; i < len(scaleDepartments); i++ {
		queue = append(queue, pending{add(ceo, 1, i), budgets[i]})
	}
	forceFive := n >= 10_000
	heads := 0
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		p := &org.people[q.idx]
		depth := int(p.Depth)
		var kids []int
		forced := depth == 2 && forceFive && len(org.five) < 3 && q.budget >= 1200 && heads%3 == 1
		if forced {
			// A senior manager with about 500 people in their line.
			five := 495 + rng.IntN(11)
			kids = append([]int{five}, splitBudget(rng, q.budget-five-1, depth, 11)...)
		} else {
			kids = splitBudget(rng, q.budget, depth, 12)
		}
		if depth == 2 {
			heads++
		}
		for k, b := range kids {
			c := add(q.idx, depth+1, int(p.Dept))
			if forced && k == 0 {
				org.five = append(org.five, c)
			}
			if b > 0 {
				queue = append(queue, pending{c, b})
			}
		}
	}
	org.fill(rng, now, loc)
	return org
}

// splitBudget divides budget people below a manager at depth among their
// direct reports (at most maxKids): each entry is the number of people
// below one report (0: someone without reports).
func splitBudget(rng *rand.Rand, budget, depth, maxKids int) []int {
	if budget <= 0 {
		return nil
	}
	cap := scaleCapacity[min(depth+1, 7)]
	if budget <= 12 || cap == 0 {
		return make([]int, min(budget, maxKids))
	}
	f := 4 + rng.IntN(9)
	f = max(f, int(math.Ceil(float64(budget)/float64(1+cap))))
	f = min(f, maxKids, budget)
	r := budget - f
	leaf := 0.0
	switch {
	case depth == 2:
		leaf = 0.1
	case depth >= 3:
		leaf = 0.2
	}
	w := make([]float64, f)
	sum := 0.0
	for i := range w {
		if rng.Float64() >= leaf {
			w[i] = math.Exp(rng.NormFloat64() * 0.5)
			sum += w[i]
		}
	}
	if sum == 0 {
		w[0], sum = 1, 1
	}
	out := make([]int, f)
	given := 0
	for i := range out {
		out[i] = int(float64(r) * w[i] / sum)
		given += out[i]
	}
	extra := r - given
	for i := range out {
		if out[i] > cap {
			extra += out[i] - cap
			out[i] = cap
		}
		if out[i] > 0 && out[i] < 4 { // too small a team: an individual contributor instead
			extra += out[i]
			out[i] = 0
		}
	}
	for extra > 0 {
		placed := false
		for i := range out {
			if extra == 0 {
				break
			}
			if out[i] > 0 && out[i] < cap {
				give := min(extra, cap-out[i], max(1, extra/f+1))
				out[i] += give
				extra -= give
				placed = true
			}
		}
		if !placed {
			for i := range out {
				if out[i] == 0 {
					give := min(extra, cap)
					out[i] += give
					extra -= give
					break
				}
			}
		}
	}
	return out
}

// fill gives everyone a name, email, job title, location, hire date and
// path, counts the lines, and picks the leavers and the named accounts.
func (org *scaleOrg) fill(rng *rand.Rand, now time.Time, loc *time.Location) {
	ps := org.people
	for i := range ps {
		if m := ps[i].Manager; m >= 0 {
			ps[m].Reports++
		}
	}
	for i := len(ps) - 1; i > 0; i-- { // children come after their manager
		ps[ps[i].Manager].Below += ps[i].Below + 1
	}
	titles := scaleJobTitles()
	titleIdx := map[string]int16{}
	for i, t := range titles {
		titleIdx[t] = int16(i)
	}
	locIdx := map[string]int16{}
	for i, l := range scaleLocations() {
		locIdx[l] = int16(i)
	}
	used := map[string]int{}
	today := courses.LocalDay(now, loc)
	for i := range ps {
		p := &ps[i]
		parent := (*scalePerson)(nil)
		if p.Manager >= 0 {
			parent = &ps[p.Manager]
			p.Path = people.ChildPath(parent.Path, p.ID)
		} else {
			p.Path = people.ChildPath("", p.ID)
		}
		dept := scaleDepartments[p.Dept]
		// Job title by level.
		switch {
		case p.Depth == 0:
			p.Job = titleIdx[titleCEO]
		case p.Reports == 0:
			p.Job = titleIdx[pickTitle(rng, dept.titles)]
		case p.Depth == 1:
			p.Job = titleIdx[titleDirector]
		case p.Depth == 2:
			p.Job = titleIdx[titleHead]
		case p.Below == p.Reports:
			p.Job = titleIdx[titleTeamLeader]
		case p.Depth == 3:
			p.Job = titleIdx[titleSenior]
		default:
			p.Job = titleIdx[titleManager]
		}
		// Location: offices for the head office and the top; regions for the rest.
		switch {
		case p.Depth <= 1 || dept.office:
			p.Loc = locIdx[scaleOffices[0]]
			if p.Depth > 1 && rng.IntN(5) == 0 {
				p.Loc = locIdx[scaleOffices[1]]
			}
		case p.Depth == 2:
			p.Region = int8(rng.IntN(len(scaleRegions)))
			p.Loc = locIdx[scaleRegions[p.Region][0]]
		default:
			p.Region = parent.Region
			p.Loc = parent.Loc
			stay := 0.7
			if p.Reports == 0 {
				stay = 0.92
			}
			if parent.Depth == 2 || rng.Float64() >= stay {
				r := scaleRegions[p.Region]
				p.Loc = locIdx[r[rng.IntN(len(r))]]
			}
		}
		// Names and a unique email.
		p.First = scaleFirstNames[rng.IntN(len(scaleFirstNames))]
		p.Last = scaleLastNames[rng.IntN(len(scaleLastNames))]
		base := strings.ToLower(p.First + "." + p.Last)
		used[base]++
		if k := used[base]; k > 1 {
			base += fmt.Sprint(k)
		}
		p.Email = base + "@" + scaleDomain
		// Hire dates over ten years; managers longer ago, staff recently more often.
		var days int
		switch {
		case p.Depth == 0:
			days = 3650 + rng.IntN(900)
		case p.Reports > 0:
			days = 365 + rng.IntN(3650-365)
		case rng.IntN(4) == 0:
			days = 7 + rng.IntN(730)
		default:
			days = 7 + rng.IntN(3650)
		}
		hired := today.AddDate(0, 0, -days)
		p.Hire = hired.Format(time.DateOnly)
		p.HiredAt = hired.Add(8*time.Hour + time.Duration(rng.IntN(120))*time.Minute).UTC()
		// About 2% have left: people without reports, deactivated in the last two years.
		if p.Reports == 0 && p.Depth > 1 && rng.IntN(45) == 0 {
			from := p.HiredAt.AddDate(0, 0, 60)
			if two := now.AddDate(-2, 0, 0); from.Before(two) {
				from = two
			}
			if to := now.AddDate(0, 0, -2); from.Before(to) {
				p.LeftAt = from.Add(time.Duration(rng.Int64N(int64(to.Sub(from))))).Truncate(time.Minute)
			}
		}
	}
	// The named accounts: the HR director and an IT systems administrator.
	for i := range ps {
		p := &ps[i]
		switch {
		case p.Depth == 1 && scaleDepartments[p.Dept].name == "People & HR":
			org.hr = i
			p.First, p.Last, p.Email, p.Roles = "Priya", "Shah", "hr@"+scaleDomain, "hr"
			hired := today.AddDate(0, 0, -2700-rng.IntN(400)) // before the first programme
			p.Hire, p.HiredAt = hired.Format(time.DateOnly), hired.Add(9*time.Hour).UTC()
		case p.Depth == 2 && scaleDepartments[p.Dept].name == "People & HR":
			p.Roles = "hr"
		case org.admin < 0 && p.Reports == 0 && p.LeftAt.IsZero() && scaleDepartments[p.Dept].name == "IT":
			org.admin = i
			p.First, p.Last, p.Email, p.Roles = "Alex", "Morgan", "admin@"+scaleDomain, "admin"
			p.Job = titleIdx["Systems Administrator"]
		}
	}
	if len(org.five) == 0 {
		// A small organisation: the managers whose lines are nearest 500.
		best := []int{}
		for i := range ps {
			if ps[i].Depth > 0 && ps[i].Reports > 0 {
				best = append(best, i)
			}
		}
		dist := func(i int) int { return abs(int(ps[i].Below) - 500) }
		for k := 0; k < 3 && k < len(best); k++ {
			m := k
			for j := k + 1; j < len(best); j++ {
				if dist(best[j]) < dist(best[m]) {
					m = j
				}
			}
			best[k], best[m] = best[m], best[k]
			org.five = append(org.five, best[k])
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func pickTitle(rng *rand.Rand, ts []scaleTitle) string {
	total := 0
	for _, t := range ts {
		total += t.weight
	}
	k := rng.IntN(total)
	for _, t := range ts {
		if k < t.weight {
			return t.name
		}
		k -= t.weight
	}
	return ts[0].name
}

// scaleDomain is the fixture's email domain, the demo's.
const scaleDomain = "brightwater.example"
