package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// The outcome import (HR): upload a helpdesk or CRM export for a measure,
// see per row what it would create, what is a duplicate and every problem
// with its line, then apply it all at once or not at all. The upload waits
// between preview and apply in the same table as the employee import's.
// And the API's POST /api/v1/outcomes.

// outcomePreviewRows is how many rows of each kind the preview lists.
const outcomePreviewRows = 200

func (s *Server) outcomeImportShow(c *fiber.Ctx) error {
	return s.outcomeImportPage(c, http.StatusOK, queryTrimmed(c, "measure"), nil)
}

// outcomeImportPage is the upload form with the measure chosen (slug) and
// its problems, and the latest imports.
func (s *Server) outcomeImportPage(c *fiber.Ctx, status int, slug string, errs map[string]string) error {
	ctx := c.UserContext()
	measures, err := s.training.Outcomes().ListMeasures(ctx, false)
	if err != nil {
		return err
	}
	recent, err := outcomes.ListImports(ctx, s.cfg.DB, 20)
	if err != nil {
		return err
	}
	prof, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return err
	}
	type recentRow struct {
		When, Measure, Filename, By string
		Created, Duplicates         int
	}
	rows := make([]recentRow, len(recent))
	for i, r := range recent {
		rows[i] = recentRow{When: localTime(prof.Loc, r.CreatedAt), Measure: r.Measure, Filename: r.Filename,
			By: r.By, Created: r.Created, Duplicates: r.Duplicates}
	}
	return s.renderStatus(c, status, "outcomes/import", fiber.Map{"Title": "Import outcome events", "Measures": measures,
		"Measure": slug, "Errors": errs, "MaxMB": MaxUpload >> 20, "Recent": rows})
}

// outcomeImportUpload stores the upload and shows what applying it would do.
func (s *Server) outcomeImportUpload(c *fiber.Ctx) error {
	slug := formTrimmed(c, "measure")
	fail := func(status int, field, msg string) error {
		return s.outcomeImportPage(c, status, slug, map[string]string{field: msg})
	}
	if slug == "" {
		return fail(http.StatusUnprocessableEntity, "measure", "Choose the measure the file holds events of.")
	}
	m, err := s.training.Outcomes().FindMeasure(c.UserContext(), slug)
	if store.IsNotFound(err) || err == nil && m.ArchivedAt != nil {
		return fail(http.StatusUnprocessableEntity, "measure", fmt.Sprintf("There is no measure %q that takes imports.", slug))
	}
	if err != nil {
		return err
	}
	f, refused, err := readImportFile(c, "Choose a CSV file exported from your helpdesk, CRM or spreadsheet.", "Split the export by date and import the parts.")
	if err != nil {
		return err
	}
	if refused == nil {
		refused = textRefusal(f)
	}
	if refused != nil {
		return fail(refused.Status, "file", refused.Message)
	}
	b, err := s.people.CreateImportBatch(c.UserContext(), principal(c).Employee.ID, f.Name, f.Data, false)
	if err != nil {
		return err
	}
	return c.Redirect(outcomeBatchURL(b.ID, m.Slug), http.StatusSeeOther)
}

func outcomeBatchURL(batch, measure string) string {
	return "/outcomes/import/" + url.PathEscape(batch) + "?measure=" + url.QueryEscape(measure)
}

func (s *Server) outcomeImportPreview(c *fiber.Ctx) error {
	b, err := s.people.FindImportBatch(c.UserContext(), slugParam(c, "batch"), principal(c).Employee.ID)
	if err != nil {
		return err
	}
	res, err := s.training.PlanOutcomes(c.UserContext(), queryTrimmed(c, "measure"), []byte(b.Content))
	if err != nil {
		return s.outcomeMeasureGone(c, err)
	}
	return s.outcomePreviewPage(c, http.StatusOK, b, res)
}

// outcomeMeasureGone shows the upload form again when the measure is
// unknown or archived (a mangled address, or archived since the upload).
func (s *Server) outcomeMeasureGone(c *fiber.Ctx, err error) error {
	if store.FieldOf(err) == "measure" {
		return s.outcomeImportPage(c, statusOf(store.KindOf(err)), queryTrimmed(c, "measure"), map[string]string{"measure": store.MessageOf(err)})
	}
	return err
}

// previewEvent is one row of the preview, in words.
type previewEvent struct {
	Line                                int
	Employee, Date, Value, Category, ID string
	Reason                              string
}

func eventValue(m *outcomes.Measure, v float64) string {
	switch {
	case m.Kind == outcomes.Count:
		return "1 event"
	case m.Kind == outcomes.Rating && m.Scale == outcomes.GoodBad:
		if v >= 1 {
			return "good"
		}
		return "bad"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func (s *Server) outcomePreviewPage(c *fiber.Ctx, status int, b *people.ImportBatch, res *training.OutcomeImportResult) error {
	plan, m := res.Plan, res.Measure
	if !plan.OK() && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	events := plan.Events[:min(len(plan.Events), outcomePreviewRows)]
	dups := plan.Duplicates[:min(len(plan.Duplicates), outcomePreviewRows)]
	ids := make([]int64, 0, len(events)+len(dups))
	for _, r := range events {
		ids = append(ids, r.EmployeeID)
	}
	for _, r := range dups {
		ids = append(ids, r.EmployeeID)
	}
	labels, err := outcomes.EmployeeLabels(c.UserContext(), s.cfg.DB, ids)
	if err != nil {
		return err
	}
	row := func(r outcomes.EventRow, reason string) previewEvent {
		return previewEvent{Line: r.Line, Employee: labels[r.EmployeeID], Date: r.Day.Date().Format("2 Jan 2006"),
			Value: eventValue(m, r.Value), Category: r.Category, ID: r.SourceID, Reason: reason}
	}
	var shownEvents, shownDups []previewEvent
	for _, r := range events {
		shownEvents = append(shownEvents, row(r, ""))
	}
	for _, r := range dups {
		shownDups = append(shownDups, row(r.EventRow, r.Reason))
	}
	shownErrors := plan.Errors[:min(len(plan.Errors), 1000)]
	total := max(1, len(plan.Events)+len(plan.Duplicates)+plan.ErrorCount)
	bars := []bar{
		{Label: "New events", Value: len(plan.Events), Pct: len(plan.Events) * 100 / total},
		{Label: "Duplicates (nothing to add)", Value: len(plan.Duplicates), Pct: len(plan.Duplicates) * 100 / total},
		{Label: "Problems", Value: plan.ErrorCount, Pct: plan.ErrorCount * 100 / total},
	}
	var measures []*outcomes.Measure
	if !plan.OK() { // for uploading the corrected file
		if measures, err = s.training.Outcomes().ListMeasures(c.UserContext(), false); err != nil {
			return err
		}
	}
	return s.renderStatus(c, status, "outcomes/preview", fiber.Map{"Title": "Import preview", "Batch": b, "Measure": m,
		"Plan": plan, "Events": shownEvents, "Duplicates": shownDups, "RowErrors": shownErrors, "Bars": bars,
		"MoreEvents": len(plan.Events) - len(events), "MoreDuplicates": len(plan.Duplicates) - len(dups),
		"MoreErrors": len(plan.Errors) - len(shownErrors), "MaxMB": MaxUpload >> 20,
		"UploadMeasures": measures, "NoErrors": map[string]string{}})
}

func (s *Server) outcomeImportApply(c *fiber.Ctx) error {
	p := principal(c)
	b, err := s.people.FindImportBatch(c.UserContext(), slugParam(c, "batch"), p.Employee.ID)
	if err != nil {
		return err
	}
	id, label := p.actor()
	slug := formTrimmed(c, "measure")
	res, err := s.training.ImportOutcomes(c.UserContext(), training.OutcomeImport{Measure: slug, Filename: b.Filename,
		By: training.Actor{ID: id, Name: label}}, []byte(b.Content))
	if err != nil {
		if store.FieldOf(err) == "measure" {
			return s.outcomeImportPage(c, statusOf(store.KindOf(err)), slug, map[string]string{"measure": store.MessageOf(err)})
		}
		return err
	}
	if !res.Applied {
		// The people or the events changed since the preview: show the new problems; nothing was written.
		return s.outcomePreviewPage(c, http.StatusUnprocessableEntity, b, res)
	}
	if err := s.people.DeleteImportBatch(c.UserContext(), b.ID); err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Imported into %s: %s, %s skipped.", res.Measure.Title,
		plural(res.Created, "new event", "new events"), plural(res.Duplicates, "duplicate", "duplicates")))
	return c.Redirect("/outcomes/import?measure="+url.QueryEscape(res.Measure.Slug), http.StatusSeeOther)
}

// apiOutcomeResult is the answer of POST /api/v1/outcomes.
type apiOutcomeResult struct {
	Measure    string            `json:"measure"`
	DryRun     bool              `json:"dry_run"`
	Rows       int               `json:"rows"`
	Created    int               `json:"created"`
	Duplicates int               `json:"duplicates"`
	Errors     []store.LineError `json:"errors"`
}

// apiOutcomeImport takes a CSV body of events of ?measure=SLUG (HR
// tokens); ?dry_run=true only plans. 200 with what was (or would be)
// created; 422 with every problem and nothing written; 404 naming
// "measure" for an unknown measure.
func (s *Server) apiOutcomeImport(c *fiber.Ctx) error {
	body := c.Body()
	if len(body) > MaxUpload {
		return store.FieldError("body", "The CSV is larger than the %d MB limit: split the export by date.", MaxUpload>>20)
	}
	id, label := principal(c).actor()
	in := training.OutcomeImport{Measure: queryTrimmed(c, "measure"), DryRun: c.QueryBool("dry_run"), By: training.Actor{ID: id, Name: label}}
	res, err := s.training.ImportOutcomes(c.UserContext(), in, body)
	if err != nil {
		return err
	}
	out := apiOutcomeResult{Measure: res.Measure.Slug, DryRun: in.DryRun, Rows: res.Plan.Rows, Errors: res.Plan.Errors}
	if !res.Plan.OK() {
		return c.Status(http.StatusUnprocessableEntity).JSON(out)
	}
	out.Created, out.Duplicates = res.Created, res.Duplicates
	return c.JSON(out)
}
