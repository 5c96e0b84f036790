package app

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// The historical completions import (HR): upload → preview → apply, as the
// employee import; and the same through the API. The work is
// training.ImportCompletions: all or nothing, one audit entry.

func (s *Server) completionsImportPage(c *fiber.Ctx, status int, errs map[string]string, certificates bool) error {
	return s.renderStatus(c, status, "completions/import", fiber.Map{"Title": "Import historical completions", "MaxMB": MaxUpload >> 20,
		"Errors": errs, "Certificates": certificates})
}

func (s *Server) completionsImportShow(c *fiber.Ctx) error {
	return s.completionsImportPage(c, http.StatusOK, nil, false)
}

// completionsImportUpload stores the upload and shows what applying it would do.
func (s *Server) completionsImportUpload(c *fiber.Ctx) error {
	certificates := formChecked(c, "certificates")
	fail := func(status int, msg string) error {
		return s.completionsImportPage(c, status, map[string]string{"file": msg}, certificates)
	}
	f, refused, err := readImportFile(c, "Choose a CSV file of completions exported from your previous system or a spreadsheet.", "Split the file.")
	if err != nil {
		return err
	}
	if refused != nil {
		return fail(refused.Status, refused.Message)
	}
	// A file that cannot be read at all (encoding, columns) is refused here,
	// with its problems by line: there is nothing to preview, or to store.
	if rows, problems := training.ReadCompletions(f.Data); rows == nil && len(problems) > 0 {
		return s.renderStatus(c, http.StatusUnprocessableEntity, "completions/import", fiber.Map{"Title": "Import historical completions",
			"MaxMB": MaxUpload >> 20, "Certificates": certificates, "Problems": problems, "Filename": f.Name,
			"Errors": map[string]string{"file": f.Name + " cannot be imported: see the problems above."}})
	}
	p := principal(c)
	if p.Employee == nil {
		return store.Errorf(store.Forbidden, "Only employees upload imports.")
	}
	b, err := s.training.CreateCompletionBatch(c.UserContext(), p.Employee.ID, f.Name, f.Data, certificates)
	if err != nil {
		return err
	}
	return c.Redirect("/completions/import/"+url.PathEscape(b.ID), http.StatusSeeOther)
}

// completionBatch is the batch in the address, uploaded by the signed-in employee.
func (s *Server) completionBatch(c *fiber.Ctx) (*training.CompletionBatch, error) {
	p := principal(c)
	if p.Employee == nil {
		return nil, store.Errorf(store.NotFound, "This import preview has expired or was already applied. Upload the file again.")
	}
	return s.training.FindCompletionBatch(c.UserContext(), slugParam(c, "batch"), p.Employee.ID)
}

func (s *Server) completionsImportPreview(c *fiber.Ctx) error {
	b, err := s.completionBatch(c)
	if err != nil {
		return err
	}
	id, label := principal(c).actor()
	plan, err := s.training.ImportCompletionsCSV(c.UserContext(), []byte(b.Content),
		training.CompletionOptions{Certificates: b.Certificates, DryRun: true, Filename: b.Filename}, training.Actor{ID: id, Name: label})
	if err != nil {
		return err
	}
	return s.completionsPreviewPage(c, http.StatusOK, b, plan)
}

func (s *Server) completionsPreviewPage(c *fiber.Ctx, status int, b *training.CompletionBatch, plan *training.CompletionPlan) error {
	if !plan.OK() {
		status = http.StatusUnprocessableEntity
	}
	return s.renderStatus(c, status, "completions/preview", fiber.Map{"Title": "Completions import preview", "Batch": b, "Plan": plan,
		"MaxMB": MaxUpload >> 20, "Certificates": b.Certificates})
}

func (s *Server) completionsImportApply(c *fiber.Ctx) error {
	b, err := s.completionBatch(c)
	if err != nil {
		return err
	}
	id, label := principal(c).actor()
	plan, err := s.training.ImportCompletionsCSV(c.UserContext(), []byte(b.Content),
		training.CompletionOptions{Certificates: b.Certificates, Filename: b.Filename}, training.Actor{ID: id, Name: label})
	if err != nil {
		return err
	}
	if !plan.OK() {
		// The people or programmes changed since the preview: the new problems; nothing was written.
		return s.completionsPreviewPage(c, http.StatusUnprocessableEntity, b, plan)
	}
	if err := s.training.DeleteCompletionBatch(c.UserContext(), b.ID); err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Import applied: %s recorded, %d imported before, %s assigned, %s completed.",
		plural(plan.Created, "completion", "completions"), plan.Duplicates, plural(plan.Assigned, "programme", "programmes"),
		plural(plan.Completed, "programme cycle", "programme cycles")))
	return c.Redirect("/completions/import", http.StatusSeeOther)
}

// apiCompletionsResult is the answer of POST /api/v1/completions.
type apiCompletionsResult struct {
	DryRun       bool                          `json:"dry_run"`
	Rows         int                           `json:"rows"`
	Created      int                           `json:"created"`
	Duplicates   int                           `json:"duplicates"`
	Assigned     int                           `json:"assigned"`
	Completed    int                           `json:"completed"`
	Certificates bool                          `json:"certificates"`
	Records      []training.PlannedCompletion  `json:"records"`
	Errors       []training.CompletionRowError `json:"errors"`
}

// apiCompletionsImport imports a CSV body of historical completions
// (?dry_run=true: nothing written; ?certificates=true: certificates for the
// cycles completed): 200 with what was (or would be) done, or 422 with
// every problem by line and field and nothing written.
func (s *Server) apiCompletionsImport(c *fiber.Ctx) error {
	body := c.Body()
	if len(body) > MaxUpload {
		return &store.Error{Kind: store.Invalid, Field: "body", Message: "The CSV is larger than the 20 MB limit."}
	}
	id, label := principal(c).actor()
	opt := training.CompletionOptions{Certificates: c.QueryBool("certificates"), DryRun: c.QueryBool("dry_run"), Filename: "API upload"}
	plan, err := s.training.ImportCompletionsCSV(c.UserContext(), body, opt, training.Actor{ID: id, Name: label})
	if err != nil {
		return err
	}
	out := apiCompletionsResult{DryRun: opt.DryRun, Rows: plan.Rows, Created: plan.Created, Duplicates: plan.Duplicates, Assigned: plan.Assigned,
		Completed: plan.Completed, Certificates: plan.Certificates, Records: plan.Records, Errors: plan.Errors}
	status := http.StatusOK
	if !plan.OK() {
		status = http.StatusUnprocessableEntity
	}
	return c.Status(status).JSON(out)
}
