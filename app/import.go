package app

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
)

// importOptions are the options of an import by p: only an admin's import
// may change roles or people who hold HR or admin.
func importOptions(p *Principal, deactivateMissing bool) people.ImportOptions {
	opt := people.ImportOptions{DeactivateMissing: deactivateMissing, Admin: p.Has(people.RoleAdmin)}
	if p.Employee != nil {
		opt.Importer = p.Employee.ID
	}
	return opt
}

func (s *Server) importShow(c *fiber.Ctx) error {
	return s.render(c, "people/import", fiber.Map{"Title": "Import employees", "MaxMB": MaxUpload >> 20})
}

func (s *Server) importUploadError(c *fiber.Ctx, status int, msg string, deactivate bool) error {
	return s.renderStatus(c, status, "people/import", fiber.Map{"Title": "Import employees", "MaxMB": MaxUpload >> 20,
		"Errors": map[string]string{"file": msg}, "Deactivate": deactivate})
}

// importPreview stores the upload and shows what applying it would do.
func (s *Server) importPreview(c *fiber.Ctx) error {
	deactivate := c.FormValue("deactivate_missing") == "on"
	f, refused, err := readImportFile(c, "Choose a CSV file exported from your HR system or spreadsheet.", "Split the file or remove unused columns.")
	if err != nil {
		return err
	}
	if refused == nil {
		refused = textRefusal(f)
	}
	if refused != nil {
		return s.importUploadError(c, refused.Status, refused.Message, deactivate)
	}
	b, err := s.people.CreateImportBatch(c.UserContext(), principal(c).Employee.ID, f.Name, f.Data, deactivate)
	if err != nil {
		return err
	}
	return c.Redirect("/people/import/"+url.PathEscape(b.ID), http.StatusSeeOther)
}

func (s *Server) importPreviewShow(c *fiber.Ctx) error {
	b, err := s.people.FindImportBatch(c.UserContext(), slugParam(c, "batch"), principal(c).Employee.ID)
	if err != nil {
		return err
	}
	plan, err := s.people.PlanImport(c.UserContext(), []byte(b.Content), importOptions(principal(c), b.DeactivateMissing))
	if err != nil {
		return err
	}
	return s.importPreviewPage(c, http.StatusOK, b, plan)
}

func (s *Server) importPreviewPage(c *fiber.Ctx, status int, b *people.ImportBatch, plan *people.ImportPlan) error {
	if !plan.OK() && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	return s.renderStatus(c, status, "people/preview", fiber.Map{"Title": "Import preview", "Batch": b, "Plan": plan,
		"MaxMB": MaxUpload >> 20, "Deactivate": b.DeactivateMissing})
}

func (s *Server) importApply(c *fiber.Ctx) error {
	p := principal(c)
	b, err := s.people.FindImportBatch(c.UserContext(), slugParam(c, "batch"), p.Employee.ID)
	if err != nil {
		return err
	}
	id, label := p.actor()
	plan, err := s.people.ApplyImport(c.UserContext(), []byte(b.Content), importOptions(p, b.DeactivateMissing), id, label)
	if err != nil {
		return err
	}
	if !plan.OK() {
		// The people changed since the preview: show the new problems; nothing was written.
		return s.importPreviewPage(c, http.StatusUnprocessableEntity, b, plan)
	}
	s.sessions.forget(0) // leavers and moved managers: nobody's cached session outlives the import
	if err := s.people.DeleteImportBatch(c.UserContext(), b.ID); err != nil {
		return err
	}
	msg := fmt.Sprintf("Import applied: %d created, %d updated, %d unchanged, %d deactivated.",
		len(plan.Creates), len(plan.Updates), len(plan.Unchanged), len(plan.Deactivates))
	if more := s.peopleChanged(c.UserContext()); more != "" {
		msg += " " + more
	}
	s.flash(c, "success", msg)
	return c.Redirect("/people?status=all", http.StatusSeeOther)
}
