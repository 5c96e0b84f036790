package demo

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
)

// The scale fixture's history: each employee's years of programmes played
// event by event in memory, with the rules the stores apply (assignment
// and its counting window, a cycle complete when its required courses
// are, the expiry, the recertification window, the retake of the courses,
// the statuses and the readiness from the real pure functions), and
// written out as the rows the app would have left.

// scaleCatalogue is the built-in catalogue as the fixture uses it.
type scaleCatalogue struct {
	courses []*scaleCourse
	bySlug  map[string]int
}

// scaleCourse is one built-in course with its assessments.
type scaleCourse struct {
	slug      string
	id        int64
	versionID int64
	lessons   []int64
	quiz      *scaleQuiz
	checklist *scaleChecklist
}

type scaleQuiz struct {
	id       int64
	passMark float64
	limit    time.Duration
	draws    []scaleDraw
}

// scaleDraw is one drawn set of questions, as an attempt stores it.
type scaleDraw struct {
	json     string
	maxScore float64
}

type scaleChecklist struct {
	id            int64
	version       int
	body          string
	reobserveDays int
	c             *assessments.Checklist
}

// scaleVersion is a programme version and when it became current.
type scaleVersion struct {
	id            int64
	version       int
	from          time.Time
	courses       []int // every course (required and optional), by catalogue index
	optional      []int
	required      []int
	requiredSlugs []string
}

// scaleProgramme is one of the fixture's programmes.
type scaleProgramme struct {
	in       courses.ProgrammeInput
	days     int // created this many days before now
	rules    []scaleRule
	v2Days   int    // a second version, this many days ago,
	v2Add    string // adds this optional course
	id       int64
	created  time.Time
	versions []*scaleVersion
	ruleIDs  []int64
	template string // the certificate template, as JSON
}

// scaleRule is an audience rule: one of department, location, job title,
// or everyone below the chief executive.
type scaleRule struct {
	dept, loc, job string
	line           bool
}

func (p *scaleProgramme) versionAt(t time.Time) *scaleVersion {
	v := p.versions[0]
	for _, w := range p.versions {
		if !w.from.After(t) {
			v = w
		}
	}
	return v
}

// scaleProgrammes are the fixture's ten programmes.
func scaleProgrammes() []*scaleProgramme {
	c := func(slug string, required bool) courses.ProgrammeCourseInput {
		return courses.ProgrammeCourseInput{Slug: slug, Required: required}
	}
	after := func(days int) courses.DueRule { return courses.DueRule{Kind: courses.DueAfterAssignment, Days: days} }
	dept := func(names ...string) []scaleRule {
		var out []scaleRule
		for _, n := range names {
			out = append(out, scaleRule{dept: n})
		}
		return out
	}
	return []*scaleProgramme{
		{in: courses.ProgrammeInput{Slug: "induction", Title: "Induction: Mission, Vision and Service Promise",
			Description: "Everyone starts here: what we stand for, and the promises every customer can hold us to.",
			Due:         courses.DueRule{Kind: courses.DueAfterHire, Days: 30}, ValidityMonths: 24, RecertDays: 60,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("six-cs", false)}},
			days: 2190, rules: []scaleRule{{line: true}}},
		{in: courses.ProgrammeInput{Slug: "field-service-excellence", Title: "Field Service Excellence",
			Description: "For engineers in customers' homes: recovering a failed visit, and keeping the times we give.",
			Due:         after(60), ValidityMonths: 12, RecertDays: 30, ShowScore: true,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("service-recovery", true), c("promises-timelines", true), c("internal-customer", false)}},
			days: 2100, rules: dept("Field Service"), v2Days: 700, v2Add: "customer-world"},
		{in: courses.ProgrammeInput{Slug: "front-desk-excellence", Title: "Front Desk Service Excellence",
			Description: "For the people customers meet first: putting things right on the spot, and handing over without dropping the ball.",
			Due:         after(60), ValidityMonths: 12, RecertDays: 30,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("service-recovery", true), c("empathy-difficult-customers", true), c("internal-customer", false)}},
			days: 1900, rules: dept("Front Desk")},
		{in: courses.ProgrammeInput{Slug: "contact-centre-excellence", Title: "Contact Centre Excellence",
			Description: "For advisors on the phone: resolution times, irate callers, and the customer's whole history.",
			Due:         after(30), ValidityMonths: 12, RecertDays: 30,
			Courses: []courses.ProgrammeCourseInput{c(courses.MissionCourse, true), c("promises-timelines", true), c("empathy-difficult-customers", true), c("customer-world", false)}},
			days: 1700, rules: dept("Contact Centre"), v2Days: 365, v2Add: "six-cs"},
		{in: courses.ProgrammeInput{Slug: "complaint-handling", Title: "Complaint Handling and Service Recovery",
			Description: "For the team that takes the complaints: owning the problem, calming the customer, putting it right.",
			Due:         after(45), ValidityMonths: 12, RecertDays: 30, ShowScore: true,
			Courses: []courses.ProgrammeCourseInput{c("service-recovery", true), c("empathy-difficult-customers", true), c("promises-timelines", true)}},
			days: 1400, rules: dept("Customer Relations")},
		{in: courses.ProgrammeInput{Slug: "sales-customer-focus", Title: "Customer Focus for Sales",
			Description: "Selling to customers we keep: the six Cs, the customer's whole history, and promises we can keep.",
			Due:         after(60), ValidityMonths: 24, RecertDays: 60,
			Courses: []courses.ProgrammeCourseInput{c("six-cs", true), c("customer-world", true), c("promises-timelines", true), c("internal-customer", false)}},
			days: 1200, rules: dept("Sales")},
		{in: courses.ProgrammeInput{Slug: "internal-customers", Title: "Serving Internal Customers",
			Description: "For the teams behind the front line: colleagues are customers too.",
			Due:         after(90), Courses: []courses.ProgrammeCourseInput{c("internal-customer", true), c("six-cs", false)}},
			days: 730, rules: dept("People & HR", "Finance", "IT", "Marketing")},
		{in: courses.ProgrammeInput{Slug: "operations-promises", Title: "Keeping Promises in Operations",
			Description: "Schedulers, warehouses and drivers: every time we give a customer depends on you.",
			Due:         after(60), ValidityMonths: 24, RecertDays: 60,
			Courses: []courses.ProgrammeCourseInput{c("promises-timelines", true), c("internal-customer", true), c("service-recovery", true)}},
			days: 900, rules: dept("Operations", "Logistics")},
		{in: courses.ProgrammeInput{Slug: "flagship-standards", Title: "Flagship Sites: Service Standards",
			Description: "Our busiest sites set the standard: difficult conversations handled well, and every failure put right.",
			Due:         after(45), ValidityMonths: 12, RecertDays: 30,
			Courses: []courses.ProgrammeCourseInput{c("empathy-difficult-customers", true), c("service-recovery", true)}},
			days: 425, rules: []scaleRule{{loc: "London City"}, {loc: "Manchester Piccadilly"}, {loc: "Birmingham"}, {loc: "Glasgow"}}},
		{in: courses.ProgrammeInput{Slug: "leading-service-teams", Title: "Leading Service Teams",
			Description: "For team leaders and managers: coaching the difficult call, and being the colleague other teams can rely on.",
			Due:         after(90), ValidityMonths: 24, RecertDays: 60,
			Courses: []courses.ProgrammeCourseInput{c("empathy-difficult-customers", true), c("internal-customer", true), c("six-cs", true)}},
			days: 800, rules: []scaleRule{{job: titleTeamLeader}, {job: titleManager}}},
	}
}

// Outcomes of one cycle for its learner.
const (
	outPrompt  = iota // every course before the due date
	outLate           // the last course after it
	outPartial        // half the courses, the rest much later
	outNever          // nothing for a long time
)

// simKind is what an event does.
type simKind uint8

const (
	evAssign simKind = iota
	evStart
	evQuizFail
	evObsFail
	evComplete
	evRecert
	evExtend
	evExempt
	evLesson
)

type simEvent struct {
	at   time.Time
	seq  int
	kind simKind
	prog *scaleProgramme
	plan *simPlan
	cyc  *simCycle
}

type simQueue []*simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if c := q[i].at.Compare(q[j].at); c != 0 {
		return c < 0
	}
	return q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simPlan is one course the learner means to take: started, then
// completed, with the assessments' story on the way.
type simPlan struct {
	course     int
	start, end time.Time
	quizFails  int
	done       bool
}

type simAsg struct {
	prog   *scaleProgramme
	id     int64
	rule   int64
	at     time.Time
	closed *time.Time
	cycles []*simCycle
}

type simCycle struct {
	asg          *simAsg
	n            int
	id           int64
	version      *scaleVersion
	assigned     time.Time
	countsFrom   *time.Time
	due, origDue string
	started      *time.Time
	completed    *time.Time
	expires      *time.Time
	exemptAt     *time.Time
	exemptReason string
	closed       *time.Time
	closedStatus courses.Status
}

func (c *simCycle) facts() courses.CycleFacts {
	return courses.CycleFacts{DueOn: c.due, Started: c.started != nil, CompletedAt: c.completed, ExpiresAt: c.expires, Exempt: c.exemptAt != nil}
}

func (c *simCycle) newest() bool { cs := c.asg.cycles; return cs[len(cs)-1] == c }

// simEnrolment is the learner's one enrolment in a course (its first
// version); a recertification resets it to be taken again.
type simEnrolment struct {
	id         int64
	started    time.Time
	completed  *time.Time
	from       *time.Time // assessments_from
	roundStart *time.Time // the current round's start (its lessons)
	roundEnd   time.Time  // when the current round means to finish
}

// simObservation is a signed-off observation, as readiness sees it.
type simObservation struct {
	assessments.ObservationFact
	checklist int // catalogue index of its course
	reobserve string
}

// scaleSim holds what the whole history shares: the catalogue, the
// programmes, the clock, the counters and the rows being written.
type scaleSim struct {
	cat   *scaleCatalogue
	progs []*scaleProgramme
	org   *scaleOrg
	loc   *time.Location
	now   time.Time
	// Quiz attempts and role-play observations are kept from these moments
	// on (the courses' earlier completions stand without them): the volume
	// of a few months is what a large organisation's pages need.
	attemptsFrom, observationsFrom time.Time
	weeks                          []time.Time
	seed                           int64
	ids                            scaleIDs
	out                            *scaleRows
	promises                       []courses.Promise
	cs                             courses.CertificateSettings
	company                        string
	tz                             string
	verify                         func(code string) string
	hr                             int64
	// readiness as the history decided it now, by employee id - 1 (checked
	// against what RefreshAllReadiness stored)
	expected []uint64
	deptIDs  []int64
	locIDs   []int64
	jobIDs   []int64
	locNames []string
	jobNames []string
}

type scaleIDs struct {
	asg, cycle, ext, comp, enrol, attempt, obs, cert int64
}

// simEmployee is one employee's history being played.
type simEmployee struct {
	sim       *scaleSim
	p         *scalePerson
	rng       *rand.Rand
	q         simQueue
	seq       int
	asgs      []*simAsg
	comps     [][]time.Time // by course, oldest first
	pending   []*simPlan    // by course
	enrol     []*simEnrolment
	attempts  []int                         // by course: attempts at its quiz so far
	results   [][]assessments.AttemptResult // by course: its quiz's attempts
	obs       []simObservation
	acked     bool
	certs     []*courses.Certificate // by issue order
	reliable  float64
	end       time.Time // now, or when they left
	nextWeek  int
	managerID *int64
}

func (e *simEmployee) push(ev *simEvent) {
	if ev.at.After(e.end) {
		return // after now, or after they left: it never happened
	}
	e.seq++
	ev.seq = e.seq
	heap.Push(&e.q, ev)
}

// play runs the employee's history and appends their rows.
func (s *scaleSim) play(p *scalePerson) {
	n := len(s.cat.courses)
	e := &simEmployee{sim: s, p: p, rng: rand.New(rand.NewPCG(uint64(s.seed), uint64(p.ID)*0x9e3779b97f4a7c15)),
		comps: make([][]time.Time, n), results: make([][]assessments.AttemptResult, n), pending: make([]*simPlan, n), enrol: make([]*simEnrolment, n), attempts: make([]int, n),
		end: s.now}
	if !p.LeftAt.IsZero() {
		e.end = p.LeftAt
	}
	if p.Manager >= 0 {
		id := s.org.people[p.Manager].ID
		e.managerID = &id
	}
	e.reliable = 1 - e.rng.Float64()*e.rng.Float64() // most people mostly reliable
	for _, pr := range s.progs {
		rule := s.matchingRules(pr, p)
		if len(rule) == 0 {
			continue
		}
		at := pr.created.Add(time.Duration(e.rng.IntN(300)) * time.Second)
		if p.HiredAt.After(at) {
			at = p.HiredAt.Add(time.Duration(5+e.rng.IntN(240)) * time.Minute) // the import that brought them in
		}
		e.push(&simEvent{at: at, kind: evAssign, prog: pr})
		if p.LeftAt.IsZero() {
			for _, r := range rule {
				since := pr.created
				if at.After(since) {
					since = at
				}
				s.out.members = append(s.out.members, courses.RuleMember{RuleID: r, EmployeeID: p.ID, Since: since})
			}
		}
	}
	for e.q.Len() > 0 {
		ev := heap.Pop(&e.q).(*simEvent)
		e.snapshotsBefore(ev.at)
		e.handle(ev)
	}
	e.snapshotsBefore(e.end)
	if !p.LeftAt.IsZero() {
		e.leave(p.LeftAt)
	}
	e.write()
}

// matchingRules returns the ids of the programme's rules that match p.
func (s *scaleSim) matchingRules(pr *scaleProgramme, p *scalePerson) []int64 {
	var out []int64
	for i, r := range pr.rules {
		ok := false
		switch {
		case r.line:
			ok = p.Manager >= 0
		case r.dept != "":
			ok = scaleDepartments[p.Dept].name == r.dept
		case r.loc != "":
			ok = s.locNames[p.Loc] == r.loc
		case r.job != "":
			ok = s.jobNames[p.Job] == r.job
		}
		if ok {
			out = append(out, pr.ruleIDs[i])
		}
	}
	return out
}

func (e *simEmployee) handle(ev *simEvent) {
	switch ev.kind {
	case evAssign:
		e.assign(ev.prog, ev.at)
	case evStart:
		e.startCourse(ev.plan, ev.at)
	case evQuizFail:
		if !ev.plan.done && !ev.at.Before(e.sim.attemptsFrom) {
			e.attempt(ev.plan.course, ev.at, false)
		}
	case evObsFail:
		if !ev.plan.done && !ev.at.Before(e.sim.observationsFrom) {
			e.observe(ev.plan.course, ev.at, false)
		}
	case evComplete:
		e.completeCourse(ev.plan, ev.at)
	case evRecert:
		e.recertify(ev.cyc, ev.at)
	case evExtend:
		e.extend(ev.cyc, ev.at)
	case evLesson:
		if !ev.plan.done {
			e.markStarted(ev.plan.course, ev.at) // CompleteLesson marks them too
		}
	case evExempt:
		c := ev.cyc
		if c.closed == nil && c.completed == nil && c.exemptAt == nil && c.newest() {
			at := ev.at
			c.exemptAt, c.exemptReason = &at, scaleExemptReasons[e.rng.IntN(len(scaleExemptReasons))]
		}
	}
}

var scaleExemptReasons = []string{
	"On long-term leave until next year; HR will reassign on return.",
	"Holds the equivalent external qualification (certificate on file).",
	"Seconded to a project outside customer-facing work for this cycle.",
}

var scaleExtendReasons = []string{
	"Covering for a colleague on long-term leave; training moved with the team lead's agreement.",
	"Peak season on the rota: agreed to finish after the busy weeks.",
	"Back from sick leave; given time to catch up.",
	"Waiting for a role-play slot with their manager.",
}

// assign opens the programme for the employee, as an audience rule does.
func (e *simEmployee) assign(pr *scaleProgramme, at time.Time) {
	s := e.sim
	s.ids.asg++
	rules := s.matchingRules(pr, e.p)
	a := &simAsg{prog: pr, id: s.ids.asg, rule: rules[0], at: at}
	e.asgs = append(e.asgs, a)
	due := pr.in.Due.DueOn(at, e.p.Hire, s.loc)
	c := &simCycle{asg: a, n: 1, version: pr.versionAt(at), assigned: at, countsFrom: courses.FirstCountsFrom(pr.in.ValidityMonths, at),
		due: due, origDue: due}
	e.openCycle(c, at)
	if c.completed == nil {
		// A finished course that does not count for the new cycle is reset, to be taken again.
		for _, k := range c.version.required {
			if _, ok := e.counted(c, k); !ok {
				e.retake(k, at)
			}
		}
		e.plan(c, at)
	}
}

// openCycle stores a new cycle and settles it, as insertCycles does.
func (e *simEmployee) openCycle(c *simCycle, at time.Time) {
	e.sim.ids.cycle++
	c.id = e.sim.ids.cycle
	c.asg.cycles = append(c.asg.cycles, c)
	e.settle(c, c.version.required, at)
	if c.started != nil {
		return
	}
	// A course of it part-way through: the next lesson read marks it started.
	for _, k := range c.version.courses {
		p, en := e.pending[k], e.enrol[k]
		if p == nil || en == nil || en.completed != nil || en.roundStart == nil {
			continue
		}
		n := len(e.sim.cat.courses[k].lessons)
		for i := range n {
			if t := lessonTime(*en.roundStart, p.end, i, n); t.After(at) {
				e.push(&simEvent{at: t, kind: evLesson, plan: p})
				break
			}
		}
	}
}

// lessonTime is when the i-th of n lessons of a round from start to end is read.
func lessonTime(start, end time.Time, i, n int) time.Time {
	return start.Add(end.Sub(start) * time.Duration(i+1) / time.Duration(n+1))
}

// counted returns the newest completion of course k that counts for c.
func (e *simEmployee) counted(c *simCycle, k int) (time.Time, bool) {
	list := e.comps[k]
	if len(list) == 0 {
		return time.Time{}, false
	}
	t := list[len(list)-1]
	return t, courses.Counts(t, c.countsFrom)
}

// settle decides cycle c at now by the programme completion rule
// (courses.SettleCycle), with the completions that count for it of the courses
// look: the required courses of every cycle the store decides with it.
func (e *simEmployee) settle(c *simCycle, look []int, now time.Time) {
	cat := e.sim.cat.courses
	counted := make(map[string]time.Time, len(look))
	for _, k := range look {
		if t, ok := e.counted(c, k); ok {
			counted[cat[k].slug] = t
		}
	}
	pr := c.asg.prog
	d := courses.SettleCycle(courses.SettleFacts{Closed: c.closed != nil, Exempt: c.exemptAt != nil, StartedAt: c.started,
		CompletedAt: c.completed, ExpiresAt: c.expires, Required: c.version.requiredSlugs, Counted: counted,
		ValidityMonths: pr.in.ValidityMonths}, now, e.sim.loc, false)
	c.started, c.completed, c.expires = d.StartedAt, d.CompletedAt, d.ExpiresAt
	if d.Completed {
		e.cycleCompleted(c, now)
	}
}

// cycleCompleted issues the certificate (superseding the earlier ones of the
// programme) and schedules the recertification.
func (e *simEmployee) cycleCompleted(c *simCycle, now time.Time) {
	s := e.sim
	pr := c.asg.prog
	s.ids.cert++
	code := newCertCode()
	id := c.id
	cert := &courses.Certificate{ID: s.ids.cert, Code: code, EmployeeID: e.p.ID, ProgrammeID: pr.id, ProgrammeVersion: c.version.version,
		CycleID: &id, Achievement: pr.in.Title, EmployeeName: e.p.First + " " + e.p.Last, Score: e.cycleScore(c),
		IssuedAt: *c.completed, ExpiresAt: c.expires, CompanyName: s.company, SignatoryName: s.cs.SignatoryName,
		SignatoryTitle: s.cs.SignatoryTitle, Template: pr.template, TimeZone: s.tz, VerifyURL: s.verify(code), CreatedAt: now}
	for _, old := range e.certs {
		if old.ProgrammeID == pr.id && old.SupersededAt == nil && old.RevokedAt == nil {
			t, by := now, cert.ID
			old.SupersededAt, old.SupersededByID = &t, &by
		}
	}
	e.certs = append(e.certs, cert)
	if c.expires == nil {
		return
	}
	next := time.Duration(1+e.rng.IntN(290)) * time.Second // the scheduler's next run
	if pr.in.RecertDays > 0 {
		next = time.Duration(1+e.rng.IntN(290)) * time.Second // drawn again: the same seed keeps its history
	}
	open := courses.RecertOpens(*c.expires, pr.in.RecertDays).Add(next)
	if open.Before(now) {
		open = now.Add(time.Minute)
	}
	e.push(&simEvent{at: open, kind: evRecert, cyc: c})
}

// cycleScore is the certificate's score (assessments.CertificateScore):
// the quizzes of the version's required courses, attempted within the cycle.
func (e *simEmployee) cycleScore(c *simCycle) *float64 {
	quizzes := make([][]assessments.AttemptResult, len(c.version.required))
	for i, k := range c.version.required {
		quizzes[i] = e.results[k]
	}
	return assessments.CertificateScore(quizzes, c.countsFrom)
}

// recertify opens the next cycle when the window opens (the scheduler's
// recertify): the courses reset to be taken again.
func (e *simEmployee) recertify(c *simCycle, at time.Time) {
	pr := c.asg.prog
	if c.asg.closed != nil || c.closed != nil || c.exemptAt != nil || !c.newest() {
		return
	}
	v := pr.versionAt(at)
	for _, k := range v.required {
		e.retake(k, at)
	}
	due := courses.RecertDueOn(pr.in.Due, pr.in.RecertDays, *c.expires, at, e.p.Hire, e.sim.loc)
	from := at
	next := &simCycle{asg: c.asg, n: c.n + 1, version: v, assigned: at, countsFrom: &from, due: due, origDue: due}
	e.openCycle(next, at)
	e.plan(next, at)
}

// retake resets a finished enrolment to be taken again.
func (e *simEmployee) retake(k int, at time.Time) {
	en := e.enrol[k]
	if en == nil || en.completed == nil {
		return
	}
	t := at
	en.completed, en.from, en.roundStart = nil, &t, nil
}

// plan decides when the learner takes the courses the cycle still needs.
func (e *simEmployee) plan(c *simCycle, at time.Time) {
	s := e.sim
	var need []int
	for _, k := range c.version.required {
		if _, ok := e.counted(c, k); ok || e.pending[k] != nil {
			continue
		}
		if en := e.enrol[k]; en != nil && en.completed != nil {
			continue // finished and not reset: it cannot be taken again
		}
		need = append(need, k)
	}
	window := 60 * 24 * time.Hour
	if c.due != "" {
		d, _ := time.ParseInLocation(time.DateOnly, c.due, s.loc)
		window = max(d.AddDate(0, 0, 1).Sub(at), 48*time.Hour)
	}
	r := e.rng
	outcome := outPrompt
	switch u := r.Float64(); {
	case u < 0.02+0.12*(1-e.reliable):
		outcome = outNever
	case u < 0.05+0.25*(1-e.reliable):
		outcome = outPartial
	case u < 0.10+0.40*(1-e.reliable):
		outcome = outLate
	}
	fracs := make([]float64, len(need))
	for j := range fracs {
		switch outcome {
		case outPrompt:
			fracs[j] = 0.05 + 0.9*r.Float64()
		case outLate:
			fracs[j] = 0.3 + 0.7*r.Float64()
		case outPartial:
			fracs[j] = 0.05 + 0.85*r.Float64()
			if j >= (len(need)+1)/2 || len(need) == 1 {
				fracs[j] = 2.5 + 6*r.Float64()
			}
		case outNever:
			fracs[j] = 4 + 8*r.Float64()
		}
	}
	slices.Sort(fracs)
	if outcome == outLate && len(fracs) > 0 {
		fracs[len(fracs)-1] = 1.05 + r.Float64()
	}
	for j, k := range need {
		end := at.Add(time.Duration(fracs[j] * float64(window))).Truncate(time.Minute)
		dur := time.Duration(1+r.IntN(240)) * time.Hour
		start := end.Add(-dur)
		if outcome == outNever && r.IntN(2) == 0 {
			start = at.Add(time.Duration((0.2 + 1.3*r.Float64()) * float64(window))).Truncate(time.Minute)
		}
		if !start.After(at) {
			start = at.Add(time.Duration(1+r.IntN(60)) * time.Minute)
		}
		if !end.After(start) {
			end = start.Add(time.Duration(30+r.IntN(120)) * time.Minute)
		}
		e.schedule(k, start, end)
	}
	// Some take the optional courses of their first cycle too.
	if c.n == 1 {
		for _, k := range c.version.optional {
			if e.pending[k] != nil || len(e.comps[k]) > 0 || e.enrol[k] != nil || r.IntN(3) != 0 {
				continue
			}
			end := at.Add(time.Duration((0.1 + 1.2*r.Float64()) * float64(window))).Truncate(time.Minute)
			e.schedule(k, end.Add(-time.Duration(1+r.IntN(72))*time.Hour), end)
		}
	}
	// A manager moves the due date of someone running late; HR exempts a few.
	if outcome != outPrompt && c.due != "" && e.managerID != nil && r.IntN(8) == 0 {
		d, _ := time.ParseInLocation(time.DateOnly, c.due, s.loc)
		x := d.AddDate(0, 0, -2-r.IntN(9)).Add(10 * time.Hour)
		if x.After(at) {
			e.push(&simEvent{at: x, kind: evExtend, cyc: c})
		}
	}
	if outcome != outPrompt && r.IntN(150) == 0 {
		e.push(&simEvent{at: at.Add(time.Duration((0.1 + 0.7*r.Float64()) * float64(window))), kind: evExempt, cyc: c})
	}
}

// schedule plans taking course k from start to end, with the assessments' story.
func (e *simEmployee) schedule(k int, start, end time.Time) {
	r := e.rng
	p := &simPlan{course: k, start: start, end: end}
	switch u := r.IntN(100); {
	case u < 4:
		p.quizFails = 2
	case u < 22:
		p.quizFails = 1
	}
	e.pending[k] = p
	e.push(&simEvent{at: start, kind: evStart, plan: p})
	for i := 0; i < p.quizFails; i++ {
		t := end.Add(-time.Duration(p.quizFails-i) * time.Duration(2+r.IntN(24)) * time.Hour)
		if !t.After(start) {
			t = start.Add(time.Duration(i+1) * 10 * time.Minute)
		}
		e.push(&simEvent{at: t, kind: evQuizFail, plan: p})
	}
	if e.sim.cat.courses[k].checklist != nil && e.managerID != nil && r.IntN(100) < 14 {
		if t := start.Add(end.Sub(start) / 2); end.Sub(start) > 48*time.Hour {
			e.push(&simEvent{at: t, kind: evObsFail, plan: p})
		}
	}
	e.push(&simEvent{at: end, kind: evComplete, plan: p})
}

// startCourse opens the course: the enrolment, and the cycles marked started.
func (e *simEmployee) startCourse(p *simPlan, at time.Time) {
	en := e.enrol[p.course]
	if en == nil {
		e.sim.ids.enrol++
		en = &simEnrolment{id: e.sim.ids.enrol, started: at}
		e.enrol[p.course] = en
		e.markStarted(p.course, at) // as Start does for a new enrolment
	} else {
		// Taken again: the first lesson read marks the cycles started.
		e.push(&simEvent{at: lessonTime(at, p.end, 0, len(e.sim.cat.courses[p.course].lessons)), kind: evLesson, plan: p})
	}
	if en.roundStart == nil {
		t := at
		en.roundStart = &t
	}
	en.roundEnd = p.end
}

// markStarted marks the open, unstarted cycles whose version has course k.
func (e *simEmployee) markStarted(k int, at time.Time) {
	for _, a := range e.asgs {
		for _, c := range a.cycles {
			if c.closed == nil && c.completed == nil && c.started == nil && slices.Contains(c.version.courses, k) {
				t := at
				c.started = &t
			}
		}
	}
}

// completeCourse records the completion (lessons read, assessments passed)
// and decides the open cycles that contain the course.
func (e *simEmployee) completeCourse(p *simPlan, at time.Time) {
	k := p.course
	p.done = true
	e.pending[k] = nil
	en := e.enrol[k]
	if en == nil || en.completed != nil {
		return
	}
	s := e.sim
	sc := s.cat.courses[k]
	if !at.Before(s.attemptsFrom) {
		quizAt := at
		if sc.checklist != nil {
			quizAt = at.Add(-time.Duration(1+e.rng.IntN(40)) * time.Hour)
			if en.roundStart != nil && quizAt.Before(*en.roundStart) {
				quizAt = en.roundStart.Add(time.Minute)
			}
		}
		e.attempt(k, quizAt, true)
	}
	if sc.checklist != nil && !at.Before(s.observationsFrom) {
		e.observe(k, at, true)
	}
	t := at
	en.completed = &t
	e.comps[k] = append(e.comps[k], at)
	s.ids.comp++
	eid := en.id
	s.out.completions = append(s.out.completions, courses.CourseCompletion{ID: s.ids.comp, EmployeeID: e.p.ID, CourseID: sc.id,
		CourseSlug: sc.slug, VersionID: sc.versionID, EnrolmentID: &eid, CompletedAt: at})
	if sc.slug == courses.MissionCourse && !e.acked {
		e.acked = true
		for _, pr := range s.promises {
			s.out.acks = append(s.out.acks, courses.Ack{EmployeeID: e.p.ID, PromiseID: pr.ID, PromiseVersion: pr.Version, Text: pr.Text,
				AcknowledgedAt: at.Add(-time.Minute)})
		}
	}
	// The open cycles with the course are decided together, each with the
	// completions of every one's required courses.
	var open []*simCycle
	var look []int
	for _, a := range e.asgs {
		for _, cy := range a.cycles {
			if cy.closed == nil && cy.completed == nil && cy.exemptAt == nil && slices.Contains(cy.version.courses, k) {
				open = append(open, cy)
				for _, r := range cy.version.required {
					if !slices.Contains(look, r) {
						look = append(look, r)
					}
				}
			}
		}
	}
	for _, cy := range open {
		e.settle(cy, look, at)
	}
}

// attempt writes one submitted attempt at the course's quiz.
func (e *simEmployee) attempt(k int, submitted time.Time, pass bool) {
	s := e.sim
	qz := s.cat.courses[k].quiz
	r := e.rng
	d := qz.draws[r.IntN(len(qz.draws))]
	right := 2 + r.IntN(5) // of 10: 20-60%
	if pass {
		right = 7 + r.IntN(4)
	}
	score := d.maxScore * float64(right) / 10
	percent := assessments.RoundPercent(100 * score / d.maxScore)
	passed := assessments.Passed(percent, qz.passMark)
	started := submitted.Add(-time.Duration(4+r.IntN(14)) * time.Minute)
	deadline := started.Add(qz.limit)
	e.attempts[k]++
	e.results[k] = append(e.results[k], assessments.AttemptResult{StartedAt: started, Percent: percent, Passed: passed})
	s.ids.attempt++
	max := d.maxScore
	s.out.attempts = append(s.out.attempts, assessments.Attempt{ID: s.ids.attempt, QuizID: qz.id, EmployeeID: e.p.ID, Number: e.attempts[k],
		PassMark: qz.passMark, StartedAt: started, Deadline: &deadline, SubmittedAt: &submitted, Score: &score, MaxScore: &max,
		Percent: &percent, Passed: &passed, DrawJSON: d.json})
}

// observe writes one signed-off observation by the employee's manager:
// passed, or failed on a critical item (a re-observation due).
func (e *simEmployee) observe(k int, signed time.Time, pass bool) {
	s := e.sim
	if e.managerID == nil {
		return
	}
	cl := s.cat.courses[k].checklist
	r := e.rng
	ratings := make(map[string]assessments.Rating, len(cl.c.Items))
	for _, it := range cl.c.Items {
		ratings[it.ID] = assessments.Fully
	}
	items := cl.c.Items
	if pass {
		if n := len(items); n > 1 && !items[n-1].Critical && r.IntN(3) == 0 {
			ratings[items[n-1].ID] = assessments.NA
		}
		for _, it := range items {
			if !it.Critical && r.IntN(6) == 0 {
				ratings[it.ID] = assessments.Partly
			}
		}
		if !assessments.ScoreObservation(cl.c, ratings).Passed {
			for _, it := range items {
				ratings[it.ID] = assessments.Fully
			}
		}
	} else {
		failCritical(items, ratings)
	}
	o := assessments.Observation{ChecklistID: cl.id, ChecklistVersion: cl.version, ChecklistSnapshot: cl.body, EmployeeID: e.p.ID,
		AssessorID: *e.managerID, Revision: 1, Ratings: ratings, ItemComments: map[string]string{},
		CreatedAt: signed.Add(-30 * time.Minute), Checklist: cl.c}
	if err := o.ApplyResult(cl.reobserveDays, signed); err != nil { // as the sign-off scores it
		s.out.err = fmt.Errorf("observation of %s: %w", scaleNumber(e.p.ID), err)
		return
	}
	passed := *o.Passed
	o.OverallComment = "Confident and warm throughout; keep it up."
	var due string
	if !passed {
		o.OverallComment = "Good start, but a critical step was only partly done: we will practise it and observe again."
		if o.ReobserveDue != nil {
			due = *o.ReobserveDue
		}
	}
	if ack := signed.AddDate(0, 0, 1); r.IntN(5) < 3 && ack.Before(s.now) {
		o.EmployeeAckAt, o.UpdatedAt, o.EmployeeComment = &ack, ack, "Thanks — useful feedback."
	}
	s.ids.obs++
	o.ID = s.ids.obs
	s.out.observations = append(s.out.observations, o)
	e.obs = append(e.obs, simObservation{ObservationFact: assessments.ObservationFact{ID: o.ID, ChecklistID: cl.id, SignedOffAt: signed,
		Passed: passed, FailedCritical: o.FailedCritical}, checklist: k, reobserve: due})
}

// extend has the manager move the due date of a cycle running late.
func (e *simEmployee) extend(c *simCycle, at time.Time) {
	if c.closed != nil || c.completed != nil || c.exemptAt != nil || !c.newest() || c.due == "" {
		return
	}
	s := e.sim
	d, _ := time.ParseInLocation(time.DateOnly, c.due, s.loc)
	to := d.AddDate(0, 0, 14+e.rng.IntN(22))
	if today := courses.LocalDay(at, s.loc); to.Before(today) {
		to = today.AddDate(0, 0, 7)
	}
	s.ids.ext++
	s.out.extensions = append(s.out.extensions, courses.Extension{ID: s.ids.ext, CycleID: c.id, FromDue: c.due, ToDue: to.Format(time.DateOnly),
		Reason: scaleExtendReasons[e.rng.IntN(len(scaleExtendReasons))], ByID: e.managerID, At: at})
	c.due = to.Format(time.DateOnly)
}

// leave closes the leaver's assignments and cycles, as the import's rule
// evaluation does.
func (e *simEmployee) leave(at time.Time) {
	closed := at.Add(time.Minute)
	for _, a := range e.asgs {
		a.closed = &closed
		for _, c := range a.cycles {
			if c.closed == nil {
				c.closedStatus, _ = courses.CycleStatus(c.facts(), closed, e.sim.loc)
				c.closed = &closed
			}
		}
	}
}

// snapshotsBefore takes the weekly snapshots due before t.
func (e *simEmployee) snapshotsBefore(t time.Time) {
	s := e.sim
	for e.nextWeek < len(s.weeks) && s.weeks[e.nextWeek].Before(t) {
		w := s.weeks[e.nextWeek]
		e.nextWeek++
		if e.p.HiredAt.After(w) || (!e.p.LeftAt.IsZero() && !e.p.LeftAt.After(w)) {
			continue
		}
		st, reasons, _ := e.readinessAt(w)
		p := e.p
		row := courses.SnapshotRow{Week: courses.SnapshotWeek(w, s.loc), EmployeeID: p.ID, Status: st, Reasons: reasons,
			DepartmentID: &s.deptIDs[p.Dept], LocationID: &s.locIDs[p.Loc], JobTitleID: &s.jobIDs[p.Job], LinePath: p.Path}
		if e.managerID != nil {
			row.ManagerID = e.managerID
		}
		if row.Reasons == nil {
			row.Reasons = []courses.Reason{}
		}
		s.out.snapshots = append(s.out.snapshots, row)
	}
}

// statusAt is the cycle's stored status at t and when the clock changes it.
func (c *simCycle) statusAt(t time.Time, loc *time.Location) (courses.Status, time.Time) {
	if c.closed != nil && !c.closed.After(t) {
		return c.closedStatus, time.Time{}
	}
	return courses.CycleStatus(c.facts(), t, loc)
}

// readinessAt is the readiness RefreshReadiness would store at t from the
// rows as they were then (readinessInputs and the CriticalFailures hook).
func (e *simEmployee) readinessAt(t time.Time) (courses.Readiness, []courses.Reason, time.Time) {
	s := e.sim
	var progs []courses.ReadinessProgramme
	for _, a := range e.asgs {
		if a.closed != nil && !a.closed.After(t) {
			continue
		}
		top := a.cycles[len(a.cycles)-1].n
		var group []*simCycle
		for _, c := range a.cycles {
			if (c.closed == nil || c.closed.After(t)) && c.n >= top-1 {
				group = append(group, c)
			}
		}
		if len(group) == 0 {
			continue
		}
		cycles := make([]*courses.Cycle, len(group))
		for i, c := range group {
			st, _ := c.statusAt(t, s.loc)
			cycles[i] = &courses.Cycle{Status: st, DueOn: c.due, ExpiresAt: c.expires}
		}
		progs = append(progs, courses.ProgrammeReadiness(a.prog.in.Title, cycles))
	}
	// The role-plays failed on a critical item and not passed since, as signed off by t.
	var signed []assessments.ObservationFact
	for _, o := range e.obs {
		if !o.SignedOffAt.After(t) {
			signed = append(signed, o.ObservationFact)
		}
	}
	var fails []courses.CriticalFailure
	for _, f := range assessments.StillFailed(signed) {
		o := e.obs[slices.IndexFunc(e.obs, func(o simObservation) bool { return o.ID == f.ID })]
		cl := s.cat.courses[o.checklist].checklist
		fails = append(fails, courses.CriticalFailure{Checklist: cl.c.Title, Items: cl.c.ItemTexts(f.FailedCritical), ReobserveDue: o.reobserve})
	}
	return courses.DecideReadiness(progs, fails, t, s.loc)
}

// write appends the employee's rows: assignments, cycles, enrolments and
// lesson progress, certificates, and the readiness decided now.
func (e *simEmployee) write() {
	s := e.sim
	out := s.out
	for _, a := range e.asgs {
		row := courses.Assignment{ID: a.id, ProgrammeID: a.prog.id, EmployeeID: e.p.ID, RuleID: &a.rule, AssignedAt: a.at, ClosedAt: a.closed}
		if a.closed != nil {
			row.CloseReason = "left the company"
		}
		out.assignments = append(out.assignments, row)
		for _, c := range a.cycles {
			cy := courses.Cycle{ID: c.id, AssignmentID: a.id, ProgrammeID: a.prog.id, VersionID: c.version.id, EmployeeID: e.p.ID, Cycle: c.n,
				AssignedAt: c.assigned, CountsFrom: c.countsFrom, DueOn: c.due, OriginalDueOn: c.origDue, StartedAt: c.started,
				CompletedAt: c.completed, ExpiresAt: c.expires, ExemptAt: c.exemptAt, ExemptReason: c.exemptReason, ClosedAt: c.closed}
			if c.exemptAt != nil {
				cy.ExemptByID = &s.hr
			}
			if c.closed != nil {
				cy.Status, cy.CloseReason = c.closedStatus, "left the company"
			} else {
				st, until := courses.CycleStatus(c.facts(), s.now, s.loc)
				cy.Status = st
				if !until.IsZero() {
					cy.StatusUntil = &until
				}
			}
			out.cycles = append(out.cycles, cy)
		}
	}
	for k, en := range e.enrol {
		if en == nil {
			continue
		}
		sc := s.cat.courses[k]
		row := courses.Enrolment{ID: en.id, EmployeeID: e.p.ID, CourseID: sc.id, VersionID: sc.versionID, StartedAt: en.started,
			CompletedAt: en.completed, AssessmentsFrom: en.from}
		if en.roundStart != nil {
			// The lessons of the current round: all of them once complete,
			// otherwise those read by now.
			start, end := *en.roundStart, en.roundEnd
			if en.completed != nil {
				end = *en.completed
			}
			n := len(sc.lessons)
			last := sc.lessons[0] // opened
			for i := range n {
				at := lessonTime(start, end, i, n)
				if en.completed == nil && (i == n-1 || at.After(e.end)) {
					break
				}
				out.lessons = append(out.lessons, courses.LessonDone{EmployeeID: e.p.ID, LessonID: sc.lessons[i], CompletedAt: at})
				last = sc.lessons[i]
			}
			row.LastLessonID = &last
		}
		out.enrolments = append(out.enrolments, row)
	}
	// Now and then HR revokes a current certificate issued in error.
	for _, c := range e.certs {
		if c.SupersededAt == nil && c.IssuedAt.Before(s.now.AddDate(0, 0, -30)) && e.rng.IntN(300) == 0 {
			at := c.IssuedAt.AddDate(0, 0, 1+e.rng.IntN(28))
			c.RevokedAt, c.RevokedByID = &at, &s.hr
			c.RevokedReason = scaleRevokeReasons[e.rng.IntN(len(scaleRevokeReasons))]
		}
	}
	for i := len(e.certs) - 1; i >= 0; i-- { // newest first: a superseding certificate is stored before the one it replaces
		out.certs = append(out.certs, *e.certs[i])
	}
	st, reasons, until := e.readinessAt(s.now)
	s.expected[e.p.ID-1] = readinessHash(st, reasons, until)
}

var scaleRevokeReasons = []string{
	"Issued in error: the role-play was recorded against the wrong employee.",
	"Completed on a colleague's account; the training is to be taken again.",
}
