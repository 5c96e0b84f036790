package training

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

// StepKind names what a person's next step is.
type StepKind string

const (
	StepReobserve   StepKind = "reobserve"   // a failed critical role-play to practise before it is observed again
	StepAcknowledge StepKind = "acknowledge" // service promises new or changed since last confirmed
	StepLesson      StepKind = "lesson"      // a lesson to read
	StepQuiz        StepKind = "quiz"        // a required quiz to take (every lesson read)
	StepReaction    StepKind = "reaction"    // the reaction survey of a completed course
	StepWaiting     StepKind = "waiting"     // a course waits for a role-play to be observed
	StepNone        StepKind = "none"        // nothing waiting
)

// Step is the one thing a person should do next: a title, the reason in
// words, and one link.
type Step struct {
	Kind   StepKind
	Title  string // "Practise for your re-observation"
	Reason string // why this, in a sentence
	URL    string
	Label  string // the link's words
	Urgent bool   // overdue: shown as needing attention
	Course string // the course slug it concerns ("" none)
}

// NextState is what NextStep decides from.
type NextState struct {
	Today           string // YYYY-MM-DD in the company's time zone
	Reobservations  []PendingReobservation
	PromisesPending int
	Courses         []NextCourse // in the order the learner sees them
}

// PendingReobservation is a role-play failed on a critical item and not
// passed since.
type PendingReobservation struct {
	Checklist     string // its title
	Course        string // the course slug it belongs to ("" none)
	Due           string // YYYY-MM-DD, "" when none was scheduled
	ObservationID int64  // the failed observation (the learner's result page)
}

// NextCourse is one course as NextStep sees it.
type NextCourse struct {
	Slug, Title        string
	Assigned           bool // required by an open assigned programme
	Overdue            bool // by a programme past its due date
	Started, Completed bool
	LessonSlug         string // the first lesson not done ("" when all are read)
	LessonTitle        string
	Quiz               *NextQuiz // the first required quiz not passed (nil: none)
	ReactionPending    bool      // completed, the reaction survey neither answered nor dismissed
}

// NextQuiz is a required quiz not passed yet.
type NextQuiz struct {
	Title, URL string
	InProgress bool // an attempt is open
	Attempts   int  // attempts so far (in the current round)
}

// NextStep is the one rule for a person's next step, in this order: a
// re-observation whose date has come (practise what failed), the service
// promises to confirm, then course work — assigned courses first (overdue
// ones, then those started), a lesson not read yet, else a required quiz
// not passed — a
// re-observation still to come, a reaction survey, a course that waits for
// its role-play to be observed; else nothing. It never
// points at a lesson already read.
func NextStep(st NextState) Step {
	var later []PendingReobservation
	for _, r := range st.Reobservations {
		if r.Due != "" && r.Due <= st.Today {
			return Step{Kind: StepReobserve, Title: "Practise for your re-observation", Urgent: true, Course: r.Course,
				Reason: fmt.Sprintf("Your role-play “%s” failed on a critical step and was due to be observed again on %s. Read what to practise, then ask your manager to observe you again.", r.Checklist, prettyDay(r.Due)),
				URL:    "/me/observations/" + strconv.FormatInt(r.ObservationID, 10), Label: "See what to practise"}
		}
		later = append(later, r)
	}
	if st.PromisesPending > 0 {
		what := "1 service promise is"
		if st.PromisesPending > 1 {
			what = strconv.Itoa(st.PromisesPending) + " service promises are"
		}
		return Step{Kind: StepAcknowledge, Title: "Confirm the service promises", Course: courses.MissionCourse,
			Reason: what + " new or changed since you last confirmed them.",
			URL:    "/learn/" + courses.MissionCourse + "/acknowledge", Label: "Read and confirm"}
	}
	order := make([]NextCourse, 0, len(st.Courses))
	for _, c := range st.Courses {
		if !c.Completed && (c.Assigned || c.Started) {
			order = append(order, c)
		}
	}
	rank := func(c NextCourse) int { // overdue, then assigned (what is started first), then started
		switch {
		case c.Overdue:
			return 0
		case c.Assigned && c.Started:
			return 1
		case c.Assigned:
			return 2
		}
		return 3
	}
	slices.SortStableFunc(order, func(a, b NextCourse) int { return rank(a) - rank(b) })
	for _, c := range order {
		base := "/learn/" + url.PathEscape(c.Slug)
		why := "You have started " + c.Title + "."
		switch {
		case c.Overdue:
			why = c.Title + " is part of an overdue programme."
		case c.Assigned:
			why = c.Title + " is part of a programme assigned to you."
		}
		if c.LessonSlug != "" {
			s := Step{Kind: StepLesson, Title: "Continue " + c.Title, Reason: why, Urgent: c.Overdue, Course: c.Slug,
				URL: base + "/" + url.PathEscape(c.LessonSlug), Label: "Read: " + c.LessonTitle}
			if !c.Started {
				s.Title, s.Label = "Start "+c.Title, "Start: "+c.LessonTitle
			}
			return s
		}
		if q := c.Quiz; q != nil {
			s := Step{Kind: StepQuiz, Title: "Take the quiz: " + q.Title, Urgent: c.Overdue, Course: c.Slug,
				Reason: "You have read every lesson of " + c.Title + "; pass the quiz to complete it. " + why,
				URL:    q.URL, Label: "Take the quiz"}
			switch {
			case q.InProgress:
				s.Label = "Resume the quiz"
			case q.Attempts > 0:
				s.Label = "Try the quiz again"
			}
			return s
		}
	}
	if len(later) > 0 {
		r := later[0]
		reason := fmt.Sprintf("Your role-play “%s” failed on a critical step. Practise it before your manager observes you again", r.Checklist)
		if r.Due != "" {
			reason += " (by " + prettyDay(r.Due) + ")"
		}
		return Step{Kind: StepReobserve, Title: "Practise for your re-observation", Reason: reason + ".", Course: r.Course,
			URL: "/me/observations/" + strconv.FormatInt(r.ObservationID, 10), Label: "See what to practise"}
	}
	for _, c := range st.Courses {
		if c.Completed && c.ReactionPending {
			return Step{Kind: StepReaction, Title: "What did you think of " + c.Title + "?", Course: c.Slug,
				Reason: "You completed it: three quick questions help HR improve it for your colleagues.",
				URL:    "/learn/" + url.PathEscape(c.Slug) + "/reaction", Label: "Answer three questions"}
		}
	}
	if len(order) > 0 {
		c := order[0]
		return Step{Kind: StepWaiting, Title: c.Title + ": your role-play comes next", Course: c.Slug, Urgent: c.Overdue,
			Reason: "You have read every lesson and passed its quizzes; your manager observes the role-play. Rate yourself first to see where you stand.",
			URL:    "/learn/" + url.PathEscape(c.Slug) + "#roleplays", Label: "See the role-plays"}
	}
	return Step{Kind: StepNone, Title: "Nothing is waiting for you", Reason: "Every course assigned to you is done. Browse the others when you like.",
		URL: "/learn#courses", Label: "See all courses"}
}

// prettyDay is a YYYY-MM-DD date as "2 Jan 2006".
func prettyDay(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("2 Jan 2006")
	}
	return d
}

// NextStepFor reads employeeID's state and decides their next step
// (NextStep). progress is their course progress as Courses().Progress
// returned it (the pages have it already); now is read in the company's
// time zone.
func (s *Service) NextStepFor(ctx context.Context, employeeID int64, progress []*courses.CourseProgress, now time.Time) (Step, error) {
	st, err := s.nextState(ctx, employeeID, progress, now)
	if err != nil {
		return Step{}, err
	}
	return NextStep(st), nil
}

func (s *Service) nextState(ctx context.Context, employeeID int64, progress []*courses.CourseProgress, now time.Time) (NextState, error) {
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return NextState{}, err
	}
	st := NextState{Today: now.In(loc).Format(time.DateOnly)}
	pending, err := courses.PendingAcknowledgements(ctx, s.db, employeeID)
	if err != nil {
		return st, err
	}
	st.PromisesPending = len(pending)
	assigned, err := s.courses.AssignedProgrammes(ctx, employeeID)
	if err != nil {
		return st, err
	}
	required, overdue := map[string]bool{}, map[string]bool{}
	for _, pp := range assigned {
		if pp.Status == courses.Exempt {
			continue
		}
		for _, c := range pp.Courses {
			if c.Required && !c.Done {
				required[c.Slug] = true
				if pp.Status == courses.Overdue {
					overdue[c.Slug] = true
				}
			}
		}
	}
	// Role-plays: the newest signed-off result of each checklist.
	history, err := s.observations.History(ctx, employeeID)
	if err != nil {
		return st, err
	}
	seen := map[string]bool{}
	var courseOf map[string]string // checklist slug → course slug, read when needed
	for _, o := range history {    // newest first
		if o.Status != assessments.ObservationSignedOff || seen[o.ChecklistSlug] {
			continue
		}
		seen[o.ChecklistSlug] = true
		if o.Passed != nil && !*o.Passed && len(o.FailedCritical) > 0 {
			r := PendingReobservation{Checklist: o.ChecklistSlug, ObservationID: o.ID}
			if o.Checklist != nil {
				r.Checklist = o.Checklist.Title
			}
			if courseOf == nil {
				list, err := s.observations.ListChecklists(ctx)
				if err != nil {
					return st, err
				}
				courseOf = map[string]string{}
				for _, cl := range list {
					courseOf[cl.Slug] = cl.CourseSlug
				}
			}
			r.Course = courseOf[o.ChecklistSlug]
			if o.ReobserveDue != nil {
				r.Due = *o.ReobserveDue
			}
			st.Reobservations = append(st.Reobservations, r)
		}
	}
	slices.SortStableFunc(st.Reobservations, func(a, b PendingReobservation) int {
		switch {
		case a.Due == b.Due:
			return 0
		case a.Due == "":
			return 1
		case b.Due == "":
			return -1
		case a.Due < b.Due:
			return -1
		}
		return 1
	})
	var attempts []assessments.AttemptSummary
	for _, cp := range progress {
		nc := NextCourse{Slug: cp.Course.Slug, Title: cp.Outline.Version.Title, Assigned: required[cp.Course.Slug],
			Overdue: overdue[cp.Course.Slug], Started: cp.Started(), Completed: cp.Completed()}
		for _, l := range cp.Outline.Lessons {
			if !cp.IsDone(l.ID) {
				nc.LessonSlug, nc.LessonTitle = l.Slug, l.Title
				break
			}
		}
		if nc.Completed {
			offer, err := s.courses.ReactionOfferFor(ctx, employeeID, cp.Course)
			if err != nil && store.KindOf(err) != store.Forbidden {
				return st, err
			}
			nc.ReactionPending = offer.Pending()
		} else if nc.LessonSlug == "" && (nc.Assigned || nc.Started) {
			var since time.Time
			if cp.Enrolment != nil && cp.Enrolment.AssessmentsFrom != nil {
				since = *cp.Enrolment.AssessmentsFrom
			}
			for _, slug := range cp.Outline.Version.AssessmentList() {
				q, err := s.quizzes.FindQuiz(ctx, slug)
				if store.IsNotFound(err) {
					continue // a role-play checklist
				} else if err != nil {
					return st, err
				}
				if attempts == nil {
					if attempts, err = s.quizzes.ListAttempts(ctx, employeeID); err != nil {
						return st, err
					}
				}
				nq := &NextQuiz{Title: q.Title, URL: "/learn/" + url.PathEscape(q.CourseSlug) + "/quiz/" + url.PathEscape(q.Slug)}
				passed := false
				for _, a := range attempts {
					if a.Quiz != q.Slug || (a.SubmittedAt != nil && a.StartedAt.Before(since)) {
						continue
					}
					nq.Attempts++
					nq.InProgress = nq.InProgress || a.SubmittedAt == nil
					passed = passed || (a.Passed != nil && *a.Passed)
				}
				if !passed {
					nc.Quiz = nq
					break
				}
			}
		}
		st.Courses = append(st.Courses, nc)
	}
	return st, nil
}
