package app

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// transcriptShow is an employee's whole learning record: staff see their
// own, managers their reporting line, HR everyone (others get 404).
func (s *Server) transcriptShow(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	return s.renderTranscript(c, e)
}

// myTranscript is the signed-in employee's own transcript.
func (s *Server) myTranscript(c *fiber.Ctx) error {
	return s.renderTranscript(c, principal(c).Employee)
}

func (s *Server) renderTranscript(c *fiber.Ctx, e *people.Employee) error {
	t, err := s.transcriptOf(c.UserContext(), e)
	if err != nil {
		return err
	}
	me := principal(c).Employee
	return s.render(c, "transcript/show", fiber.Map{"Title": "Transcript of " + e.Name(), "E": e, "Loc": t.Loc,
		"Own": me != nil && me.ID == e.ID, "Programmes": t.Programmes, "Completions": t.Completions,
		"Attempts": t.Attempts, "Observations": t.Observations, "Certificates": t.Certificates})
}

// transcript is everything the transcript page and PDF show.
type transcript struct {
	Loc          *time.Location
	Certificates map[int64]string // cycle id → certificate code
	Programmes   []transcriptProgramme
	Completions  []courses.TranscriptCourse
	Attempts     []transcriptAttempt
	Observations []transcriptObservation
}

func (s *Server) transcriptOf(ctx context.Context, e *people.Employee) (*transcript, error) {
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := s.courses.Transcript(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	progs, err := s.transcriptProgrammes(ctx, tr.Programmes)
	if err != nil {
		return nil, err
	}
	attempts, err := s.transcriptAttempts(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	history, err := s.observations.History(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	obs := make([]transcriptObservation, len(history))
	for i := range history {
		obs[i] = transcriptObservationOf(&history[i])
	}
	certs, err := s.courses.CycleCertificates(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	return &transcript{Loc: loc, Programmes: progs, Completions: tr.Completions, Attempts: attempts, Observations: obs, Certificates: certs}, nil
}

// transcriptProgramme is one assignment on the transcript, with its
// extensions named by cycle and author.
type transcriptProgramme struct {
	*courses.ProgrammeProgress
	Extensions []transcriptExtension
	Recert     map[int64]bool // cycle ids that renew a completion
}

type transcriptExtension struct {
	courses.Extension
	Cycle int
}

func (s *Server) transcriptProgrammes(ctx context.Context, list []*courses.ProgrammeProgress) ([]transcriptProgramme, error) {
	names := map[int64]string{}
	out := make([]transcriptProgramme, len(list))
	for i, pp := range list {
		out[i].ProgrammeProgress = pp
		out[i].Recert = map[int64]bool{}
		for j, cy := range pp.Cycles {
			out[i].Recert[cy.ID] = recertification(pp.Cycles, j)
		}
		for _, ext := range pp.Extensions {
			te := transcriptExtension{Extension: ext}
			for _, cy := range pp.Cycles {
				if cy.ID == ext.CycleID {
					te.Cycle = cy.Cycle
				}
			}
			if ext.ByID != nil {
				name, ok := names[*ext.ByID]
				if !ok {
					by, err := s.people.FindEmployee(ctx, *ext.ByID)
					if err != nil && !store.IsNotFound(err) {
						return nil, err
					}
					if by != nil {
						name = by.Name()
					}
					names[*ext.ByID] = name
				}
				te.ByName = name
			}
			out[i].Extensions = append(out[i].Extensions, te)
		}
	}
	return out, nil
}

// transcriptAttempt is one quiz attempt with the quiz's and course's titles.
type transcriptAttempt struct {
	assessments.AttemptSummary
	QuizTitle, CourseTitle string
	ScoreText              string
	Result                 string // passed, failed, grading (essays wait for a grader) or open
}

func (s *Server) transcriptAttempts(ctx context.Context, employeeID int64) ([]transcriptAttempt, error) {
	list, err := s.quizzes.ListAttempts(ctx, employeeID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	published, err := s.courses.ListPublished(ctx)
	if err != nil {
		return nil, err
	}
	courseTitles := make(map[string]string, len(published))
	for _, v := range published {
		courseTitles[v.Slug] = v.Title
	}
	quizTitles := map[string]string{}
	out := make([]transcriptAttempt, len(list))
	for i, a := range list {
		title, ok := quizTitles[a.Quiz]
		if !ok {
			title = a.Quiz
			q, err := s.quizzes.FindQuiz(ctx, a.Quiz)
			if err != nil && !store.IsNotFound(err) {
				return nil, err
			}
			if q != nil {
				title = q.Title
			}
			quizTitles[a.Quiz] = title
		}
		out[i] = transcriptAttempt{AttemptSummary: a, QuizTitle: title, CourseTitle: cmp.Or(courseTitles[a.Course], a.Course),
			ScoreText: percent(a.Score), Result: "open"}
		switch {
		case a.Passed != nil && *a.Passed:
			out[i].Result = "passed"
		case a.Passed != nil:
			out[i].Result = "failed"
		case a.SubmittedAt != nil:
			out[i].Result = "grading"
		}
	}
	return out, nil
}

// transcriptObservation is one signed-off revision of a role-play observation.
type transcriptObservation struct {
	Checklist, Assessor string
	Revision            int
	Superseded          bool // a later amendment replaced it
	AmendReason         string
	SignedOffAt         *time.Time
	Score               string
	Passed              bool
	FailedCritical      []string
}

func transcriptObservationOf(o *assessments.Observation) transcriptObservation {
	return transcriptObservation{Checklist: o.Checklist.Title, Assessor: o.AssessorName, Revision: o.Revision,
		Superseded: o.Status == assessments.ObservationAmended, AmendReason: o.AmendReason, SignedOffAt: o.SignedOffAt,
		Score: percent(o.Score), Passed: o.Passed != nil && *o.Passed, FailedCritical: itemTexts(o.Checklist, o.FailedCritical)}
}

// apiTranscriptCycle is one programme cycle in the transcript API.
type apiTranscriptCycle struct {
	Slug            string     `json:"slug"`
	Title           string     `json:"title"`
	Cycle           int        `json:"cycle"`
	Status          string     `json:"status"`
	AssignedAt      time.Time  `json:"assigned_at"`
	DueAt           *string    `json:"due_at"` // company-local date YYYY-MM-DD
	CompletedAt     *time.Time `json:"completed_at"`
	ExpiresAt       *time.Time `json:"expires_at"`
	CertificateCode *string    `json:"certificate_code"` // the cycle's newest certificate, or null
}

type apiTranscriptCourse struct {
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Version     int       `json:"version"`
	CompletedAt time.Time `json:"completed_at"`
	Imported    bool      `json:"imported,omitempty"` // a historical completion from another system
	Source      string    `json:"source,omitempty"`   // that system, when the import named it
}

// apiEmployeeTranscript is an employee's every programme cycle and course
// completion, oldest first (self, own reporting line, or HR).
func (s *Server) apiEmployeeTranscript(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	tr, err := s.courses.Transcript(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	certs, err := s.courses.CycleCertificates(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	type cycleRow struct {
		cy  *courses.Cycle
		out apiTranscriptCycle
	}
	var rows []cycleRow
	for _, pp := range tr.Programmes {
		for _, cy := range pp.Cycles {
			r := apiTranscriptCycle{Slug: pp.Programme.Slug, Title: pp.Programme.Title, Cycle: cy.Cycle, Status: string(cy.Status),
				AssignedAt: cy.AssignedAt.UTC(), CompletedAt: utcPtr(cy.CompletedAt), ExpiresAt: utcPtr(cy.ExpiresAt)}
			if cy.DueOn != "" {
				due := cy.DueOn
				r.DueAt = &due
			}
			if code, ok := certs[cy.ID]; ok {
				r.CertificateCode = &code
			}
			rows = append(rows, cycleRow{cy, r})
		}
	}
	// Oldest first across programmes: by the time each cycle opened.
	slices.SortStableFunc(rows, func(a, b cycleRow) int {
		return cmp.Or(a.cy.AssignedAt.Compare(b.cy.AssignedAt), cmp.Compare(a.cy.ID, b.cy.ID))
	})
	progs := make([]apiTranscriptCycle, len(rows))
	for i, r := range rows {
		progs[i] = r.out
	}
	list := make([]apiTranscriptCourse, len(tr.Completions))
	for i, cc := range tr.Completions { // newest first: turn round
		list[len(list)-1-i] = apiTranscriptCourse{Slug: cc.Slug, Title: cc.Title, Version: cc.Version, CompletedAt: cc.CompletedAt.UTC(),
			Imported: cc.Imported, Source: cc.Source}
	}
	return c.JSON(fiber.Map{"programmes": progs, "courses": list})
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
