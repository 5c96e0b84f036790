package app

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// gradingListLimit caps the essays /grading lists at once.
const gradingListLimit = 500

// essayURL is the page where an essay answer is graded.
func essayURL(attemptID, questionRowID int64) string {
	return "/grading/" + strconv.FormatInt(attemptID, 10) + "/" + strconv.FormatInt(questionRowID, 10)
}

// gradingRow is one essay waiting on /grading.
type gradingRow struct {
	URL, Employee, Number, Quiz, Question string
	SubmittedAt                           string
}

// gradingIndex lists the essays waiting for a grade: from the manager's
// reporting line, or everyone's for HR and admins; never the principal's own.
func (s *Server) gradingIndex(c *fiber.Ctx) error {
	p := principal(c)
	if p.Employee == nil {
		return store.Errorf(store.Forbidden, "Sign in as an employee to grade essays.")
	}
	ctx := c.UserContext()
	f := assessments.EssayFilter{All: p.SeesEveryone(), ExceptEmployee: p.Employee.ID, Limit: gradingListLimit}
	if !f.All {
		line, err := s.people.ReportingLine(ctx, p.Employee.ID, false)
		if err != nil {
			return err
		}
		for _, m := range line {
			f.EmployeeIDs = append(f.EmployeeIDs, m.ID)
		}
	}
	list, err := s.quizzes.PendingEssays(ctx, f)
	if err != nil {
		return err
	}
	rows := make([]gradingRow, len(list))
	for i, e := range list {
		rows[i] = gradingRow{URL: essayURL(e.AttemptID, e.QuestionRowID), Employee: e.EmployeeName, Number: e.EmployeeNumber,
			Quiz: e.QuizTitle, Question: excerpt(e.QuestionText, 120), SubmittedAt: localTime(s.companyZone(), e.SubmittedAt)}
	}
	return s.render(c, "grading/index", fiber.Map{"Title": "Essays to grade", "Rows": rows,
		"Capped": len(list) == gradingListLimit, "Limit": gradingListLimit, "Everyone": f.All})
}

// excerpt shortens s to at most n characters, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

// gradableEssay loads the essay answer named by the route, submitted, for a
// principal who may grade it: NotFound for a bad address or an employee
// outside a manager's line; Forbidden for the principal's own attempt.
func (s *Server) gradableEssay(c *fiber.Ctx) (*assessments.PendingEssay, *people.Employee, error) {
	missing := store.Errorf(store.NotFound, "There is no such essay to grade.")
	attemptID, err1 := idParam(c, "attempt", missing.Message)
	questionID, err2 := idParam(c, "question", missing.Message)
	if err1 != nil || err2 != nil {
		return nil, nil, missing
	}
	p := principal(c)
	if p.Employee == nil {
		return nil, nil, store.Errorf(store.Forbidden, "Sign in as an employee to grade essays.")
	}
	ctx := c.UserContext()
	list, err := s.quizzes.PendingEssays(ctx, assessments.EssayFilter{All: true, AttemptID: attemptID, QuestionRowID: questionID,
		IncludeGraded: true})
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, missing
	}
	pe := &list[0]
	if pe.EmployeeID == p.Employee.ID {
		return nil, nil, store.Errorf(store.Forbidden, "You cannot grade your own answers.")
	}
	e, err := s.people.FindEmployee(ctx, pe.EmployeeID)
	if err != nil {
		return nil, nil, err
	}
	if ok, err := s.canAssess(ctx, p, e); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, missing
	}
	return pe, e, nil
}

// gradingShow shows an essay answer with the grading form (the current
// grade filled in when it has one).
func (s *Server) gradingShow(c *fiber.Ctx) error {
	pe, e, err := s.gradableEssay(c)
	if err != nil {
		return err
	}
	score := ""
	if pe.Grade != nil {
		score = strconv.FormatFloat(assessments.RoundPercent(*pe.Grade*100), 'f', -1, 64)
	}
	return s.gradingPage(c, http.StatusOK, pe, e, score, pe.GradeComment, nil)
}

func (s *Server) gradingPage(c *fiber.Ctx, status int, pe *assessments.PendingEssay, e *people.Employee, score, comment string, errs map[string]string) error {
	if errs == nil {
		errs = map[string]string{}
	}
	essay := strings.ReplaceAll(strings.ReplaceAll(pe.Essay, "\r\n", "\n"), "\r", "\n")
	return s.renderStatus(c, status, "grading/show", fiber.Map{"Title": "Grade an essay: " + e.Name(), "E": e, "Essay": pe,
		"Lines": strings.Split(essay, "\n"), "URL": essayURL(pe.AttemptID, pe.QuestionRowID), "Score": score,
		"Comment": comment, "Errors": errs, "Graded": pe.Grade != nil, "MaxComment": assessments.MaxGradeComment})
}

// parseScore reads the score field: a percentage from 0 to 100.
func parseScore(v string) (float64, error) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	if v == "" {
		return 0, store.FieldError("score", "Enter a score from 0 to 100%%.")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, store.FieldError("score", "Enter the score as a number from 0 to 100, such as 80.")
	}
	if f < 0 || f > 100 {
		return 0, store.FieldError("score", "Give a score from 0 to 100%%.")
	}
	return f, nil
}

// gradingSubmit grades the essay: the attempt is re-scored and the
// employee's course completion decided in the grade's transaction, with an
// audit entry (training.GradeEssay); then back to the list.
func (s *Server) gradingSubmit(c *fiber.Ctx) error {
	pe, e, err := s.gradableEssay(c)
	if err != nil {
		return err
	}
	score, comment := strings.Clone(c.FormValue("score")), strings.Clone(c.FormValue("comment"))
	pct, err := parseScore(score)
	if err != nil {
		return s.gradingPage(c, http.StatusUnprocessableEntity, pe, e, score, comment, map[string]string{"score": store.MessageOf(err)})
	}
	a, completed, err := s.training.GradeEssay(c.UserContext(), pe, pct, comment, principal(c).trainingActor())
	if err != nil {
		if store.KindOf(err) != store.Invalid || store.FieldOf(err) == "" {
			return err
		}
		field := store.FieldOf(err)
		if field == "grade" {
			field = "score"
		}
		return s.gradingPage(c, http.StatusUnprocessableEntity, pe, e, score, comment, map[string]string{field: store.MessageOf(err)})
	}
	msg := fmt.Sprintf("Graded %s's essay on %s: %s%%. The attempt is %s.", e.Name(), pe.QuizTitle,
		strconv.FormatFloat(pct, 'f', -1, 64), a.Outcome())
	if completed {
		msg += " " + e.Name() + " has completed the course."
	}
	s.flash(c, "success", msg)
	return c.Redirect("/grading", http.StatusSeeOther)
}
