// Package training owns every workflow that spans the domains: a lesson
// completed, a quiz submitted (or submitted as saved when time is up), an
// essay graded, a role-play signed off or amended, the service promises
// acknowledged — each deciding lesson → course → programme → certificate →
// readiness in ONE transaction (db.RunInTx, with the transaction passed down
// to the stores as bun.IDB) — and the audience rules after people change,
// the scheduler's tick under its lease, the built-in catalogue synced at
// start and the certificate's score.
//
// New builds the domain stores (people, courses, assessments) once and ties
// them together: the courses ask the assessments through the
// courses.Assessments interface, implemented here. The web layer (app), the
// command line and the demo get the stores from the Service and write
// through its methods. training imports courses, assessments, people and
// store; never app, never fiber.
package training

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Options are a Service's settings.
type Options struct {
	// BaseURL is the public address certificates' verify links start with
	// (e.g. https://academy.example.com); "" reads http://localhost:8080.
	BaseURL string
	// Log receives the scheduler's reports; nil is slog.Default().
	Log *slog.Logger
	// Clock is every store's clock; nil is store.SystemClock. The demo
	// passes a *store.ManualClock and sets it to each moment it replays.
	Clock store.Clock
	// Docs renders certificate PDFs; nil makes one.
	Docs *certdoc.Renderer
	// Quiet writes no notifications for the workflows and the scheduler's
	// reminders (the 100,000-person fixture); a password link is still sent.
	Quiet bool
}

// Service runs the workflows over the stores it holds.
type Service struct {
	db           *bun.DB
	log          *slog.Logger
	clock        store.Clock
	docs         *certdoc.Renderer
	people       *people.Store
	courses      *courses.Store
	quizzes      *assessments.Store
	observations *assessments.ObservationStore
	outcomes     *outcomes.Store
	quiet        bool // Options.Quiet
}

// New returns a Service on db with its stores. It fails only when the
// certificate renderer cannot load its embedded fonts.
func New(db *bun.DB, opts Options) (*Service, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = store.SystemClock
	}
	if opts.Docs == nil {
		docs, err := certdoc.NewRenderer()
		if err != nil {
			return nil, fmt.Errorf("certificate renderer: %w", err)
		}
		opts.Docs = docs
	}
	s := &Service{db: db, log: opts.Log, clock: opts.Clock, docs: opts.Docs, people: people.NewStore(db),
		quizzes: assessments.NewStore(db), observations: assessments.NewObservationStore(db),
		outcomes: outcomes.NewStore(db, opts.Clock), quiet: opts.Quiet}
	s.people.Now, s.quizzes.Now, s.observations.Now = opts.Clock.Now, opts.Clock.Now, opts.Clock.Now
	var ev courses.Events = events{courses: func() *courses.Store { return s.courses }}
	if opts.Quiet {
		ev = courses.NoEvents
	}
	s.courses = courses.NewStore(db, assessed{quizzes: s.quizzes, observations: s.observations},
		courses.Options{Clock: opts.Clock, BaseURL: strings.TrimRight(opts.BaseURL, "/"), Docs: opts.Docs, Events: ev})
	return s, nil
}

// DB is the database the Service writes to.
func (s *Service) DB() *bun.DB { return s.db }

// People is the employees' store.
func (s *Service) People() *people.Store { return s.people }

// Courses is the store of courses, programmes, certificates and readiness.
func (s *Service) Courses() *courses.Store { return s.courses }

// Quizzes is the store of question banks, quizzes and attempts.
func (s *Service) Quizzes() *assessments.Store { return s.quizzes }

// Observations is the store of role-play checklists and observations.
func (s *Service) Observations() *assessments.ObservationStore { return s.observations }

// Docs renders certificate (and report) PDFs.
func (s *Service) Docs() *certdoc.Renderer { return s.docs }

// Now is the time on the Service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Actor is who does something, as the audit log names them: an employee's
// id (nil for a token or the system) and a label such as
// "Priya Shah (BW1001)".
type Actor struct {
	ID   *int64
	Name string
}

// SyncBuiltins makes the database hold the built-in courses (a changed one
// becomes a new version), question banks and role-play checklists: what
// every start does. It returns the slugs of the courses it created or
// updated.
func (s *Service) SyncBuiltins(ctx context.Context) ([]string, error) {
	builtins, err := courses.Builtin()
	if err != nil {
		return nil, err
	}
	synced, err := s.courses.SyncBuiltins(ctx, builtins)
	if err != nil {
		return nil, fmt.Errorf("load built-in courses: %w", err)
	}
	if err := s.quizzes.SyncBuiltinBanks(ctx); err != nil {
		return nil, fmt.Errorf("load built-in question banks: %w", err)
	}
	if err := s.observations.SyncBuiltinChecklists(ctx); err != nil {
		return nil, fmt.Errorf("load built-in checklists: %w", err)
	}
	if _, err := s.RegeneratePromiseQuestions(ctx); err != nil {
		return nil, fmt.Errorf("questions on the service promises: %w", err)
	}
	return synced, nil
}

// enrolment is the employee's enrolment in the course with slug, the one
// an assessment of the course may complete; nil when there is no such
// course, it is not published or they have not started it. It reads
// through the pool, before the workflow's transaction begins.
func (s *Service) enrolment(ctx context.Context, employeeID int64, courseSlug string) (*courses.Enrolment, error) {
	c, err := s.courses.FindCourse(ctx, courseSlug)
	if store.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	_, en, err := s.courses.VersionFor(ctx, employeeID, c)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	return en, nil
}

// completeIn re-decides the enrolment's course completion in tx (nil en:
// nothing to decide) and reports whether it completed the course.
func (s *Service) completeIn(ctx context.Context, tx bun.IDB, en *courses.Enrolment) (bool, error) {
	if en == nil {
		return false, nil
	}
	_, done, err := s.courses.UpdateCompletion(ctx, tx, en)
	return done, err
}

// forget drops the store's cached view of the learner once the workflow's
// transaction has committed.
func (s *Service) forget(en *courses.Enrolment) {
	if en != nil {
		s.courses.Forget(en)
	}
}

// errNoEmployee refuses a workflow that an employee must do (grading,
// observing) to a token or the system.
var errNoEmployee = store.Errorf(store.Forbidden, "Only an employee can do this.")
