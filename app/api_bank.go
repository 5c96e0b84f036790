package app

import (
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
)

// apiQuestionResult is the answer to a question import.
type apiQuestionResult struct {
	DryRun    bool                           `json:"dry_run"`
	Created   int                            `json:"created"`
	Updated   int                            `json:"updated"`
	Unchanged int                            `json:"unchanged"`
	ByType    map[string]int                 `json:"by_type"`
	Questions []assessments.ImportedQuestion `json:"questions"`
	Errors    []assessments.ParseError       `json:"errors"`
	Warnings  []assessments.CueWarning       `json:"warnings"` // the cue check's advice; never stops the import
}

// apiQuestionImport imports the GIFT text of the body into the course's
// bank (?format=aiken for Aiken); ?dry_run=true writes nothing. Any error in
// the text: 422 with every error at its line and column, nothing written.
func (s *Server) apiQuestionImport(c *fiber.Ctx) error {
	course, err := s.courses.AuthoringCourse(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return err
	}
	dry := c.QueryBool("dry_run")
	body := c.Body()
	if len(body) > assessments.MaxQuestionFile {
		res := emptyImportResult()
		res.Errors = append(res.Errors, assessments.ParseError{Message: fmt.Sprintf(
			"The body is %.1f MB; the limit is %d MB. Split the file.", float64(len(body))/(1<<20), assessments.MaxQuestionFile>>20)})
		return c.Status(http.StatusRequestEntityTooLarge).JSON(apiQuestionOut(res, nil, dry))
	}
	res, cues, err := importQuestions(c.UserContext(), s.quizzes, course.Slug, string(body), c.Query("format", "gift"), dry, actorID(c))
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		return c.Status(http.StatusUnprocessableEntity).JSON(apiQuestionOut(res, nil, dry))
	}
	if !dry && res.Created+res.Updated > 0 {
		if err := s.auditCourse(c, "questions.import", course.Slug,
			fmt.Sprintf("%d created, %d updated, %d unchanged (API)", res.Created, res.Updated, res.Unchanged)); err != nil {
			return err
		}
	}
	return c.JSON(apiQuestionOut(res, cues, dry))
}

func apiQuestionOut(res assessments.ImportResult, cues []assessments.CueWarning, dry bool) apiQuestionResult {
	if cues == nil {
		cues = []assessments.CueWarning{}
	}
	return apiQuestionResult{DryRun: dry, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged,
		ByType: res.ByType, Questions: res.Questions, Errors: res.Errors, Warnings: cues}
}
