package app

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// The service-recovery rules (HR): "when someone collects N complaints in
// D days, assign a refresher and/or ask their manager to observe them",
// with a preview of who they would act on now, the recent actions, and the
// coach queue's thresholds for ratings.

const recoveryPath = "/recovery"

// recoveryFields is the rule form's fields in the order it shows them.
var recoveryFields = []string{"measure", "category", "threshold", "days", "programme", "checklist", "cooldown_days"}

// recoveryForm is the rule form as typed.
type recoveryForm struct {
	Measure, Category, Threshold, Days, Programme, Checklist, CooldownDays string
}

func newRecoveryForm(c *fiber.Ctx) recoveryForm {
	return recoveryForm{Measure: formTrimmed(c, "measure"), Category: formTrimmed(c, "category"), Threshold: formTrimmed(c, "threshold"),
		Days: formTrimmed(c, "days"), Programme: formTrimmed(c, "programme"), Checklist: formTrimmed(c, "checklist"),
		CooldownDays: formTrimmed(c, "cooldown_days")}
}

// input turns the form into a rule, with a message by field for numbers
// that are not whole numbers.
func (f recoveryForm) input(errs fieldMessages) training.RecoveryRuleInput {
	in := training.RecoveryRuleInput{Measure: f.Measure, Category: f.Category, Programme: f.Programme, Checklist: f.Checklist}
	for _, n := range []struct {
		field, val string
		dest       *int
		def        int
	}{{"threshold", f.Threshold, &in.Threshold, 0}, {"days", f.Days, &in.Days, 0}, {"cooldown_days", f.CooldownDays, &in.CooldownDays, 0}} {
		if n.val == "" {
			*n.dest = n.def
			continue
		}
		v, err := strconv.Atoi(n.val)
		if err != nil {
			errs.add(n.field, "Give a whole number of "+map[string]string{"threshold": "events.", "days": "days.", "cooldown_days": "days."}[n.field])
			continue
		}
		*n.dest = v
	}
	return in
}

// recoveryOption is one choice of a select.
type recoveryOption struct {
	Value, Label string
}

// recoveryPage renders /recovery with the form f and its messages or its
// preview.
func (s *Server) recoveryPage(c *fiber.Ctx, status int, f recoveryForm, errs fieldMessages, preview *training.RecoveryPreview) error {
	ctx := c.UserContext()
	rules, err := s.training.RecoveryRules(ctx, false)
	if err != nil {
		return err
	}
	actions, err := s.training.RecoveryActions(ctx, 50)
	if err != nil {
		return err
	}
	measures, err := s.training.Outcomes().ListMeasures(ctx, false)
	if err != nil {
		return err
	}
	thresholds, err := outcomes.CoachThresholds(ctx, s.cfg.DB)
	if err != nil {
		return err
	}
	type measureRow struct {
		*outcomes.Measure
		CoachBelow float64
		Set        bool
	}
	var counted []recoveryOption
	var ratings []measureRow
	byID := map[int64]*outcomes.Measure{}
	for _, m := range measures {
		byID[m.ID] = m
		if !m.Counts() {
			continue
		}
		counted = append(counted, recoveryOption{m.Slug, m.Title + " (" + string(m.Kind) + ")"})
		if v, ok := thresholds[m.ID]; m.Kind == outcomes.Rating {
			x, _ := m.CoachBelow(nil)
			if ok {
				x = v
			}
			ratings = append(ratings, measureRow{Measure: m, CoachBelow: x, Set: ok})
		}
	}
	type ruleRow struct {
		*outcomes.RecoveryRule
		Described string
	}
	rows := make([]ruleRow, len(rules))
	for i, r := range rules {
		m := byID[r.MeasureID]
		if m == nil { // an archived measure
			m = &outcomes.Measure{Title: r.MeasureTitle, Kind: outcomes.Count}
		}
		rows[i] = ruleRow{RecoveryRule: r, Described: r.Describe(m)}
	}
	programmes, err := s.courses.ListProgrammes(ctx, false)
	if err != nil {
		return err
	}
	var progs []recoveryOption
	for _, p := range programmes {
		progs = append(progs, recoveryOption{p.Slug, p.Title})
	}
	checklists, err := s.observations.ListChecklists(ctx)
	if err != nil {
		return err
	}
	var cls []recoveryOption
	for _, cl := range checklists {
		cls = append(cls, recoveryOption{cl.Slug, cl.Title})
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Service recovery", "Loc": loc, "Rules": rows, "Actions": actions, "Form": f, "Errors": map[string]string(errs),
		"ErrorList": orderedErrors(errs, recoveryFields), "Measures": counted, "Programmes": progs, "Checklists": cls,
		"Ratings": ratings}
	if preview != nil {
		data["Preview"] = preview
		data["Described"] = preview.Rule.Describe(preview.Measure)
	}
	return s.renderStatus(c, status, "recovery/index", data)
}

// recoveryIndex is the rules, a new rule's form, the recent actions and
// the coach thresholds.
func (s *Server) recoveryIndex(c *fiber.Ctx) error {
	return s.recoveryPage(c, http.StatusOK, recoveryForm{Threshold: "3", Days: "30", CooldownDays: "30"}, nil, nil)
}

// recoveryCreate previews the rule (action=preview, the default: who it
// would act on now) or saves it (action=save), which acts at once.
func (s *Server) recoveryCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := newRecoveryForm(c)
	errs := fieldMessages{}
	in := f.input(errs)
	problems, err := s.training.CheckRecoveryRule(ctx, in)
	if err != nil {
		return err
	}
	for _, e := range problems {
		if _, ok := errs[e.Field]; !ok {
			errs.add(e.Field, e.Message)
		}
	}
	if len(errs) > 0 {
		return s.recoveryPage(c, http.StatusUnprocessableEntity, f, errs, nil)
	}
	save := c.FormValue("action") == "save"
	prev, err := s.training.CreateRecoveryRule(ctx, in, principal(c).trainingActor(), !save)
	if err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		errs.add(store.FieldOf(err), store.MessageOf(err))
		return s.recoveryPage(c, http.StatusUnprocessableEntity, f, errs, nil)
	}
	if !save {
		return s.recoveryPage(c, http.StatusOK, f, nil, prev)
	}
	s.flash(c, "success", fmt.Sprintf("Recovery rule saved: it acted on %s now, and acts on every import and scheduler run from now on.",
		plural(len(prev.Affected), "person", "people")))
	return c.Redirect(recoveryPath, http.StatusSeeOther)
}

// recoveryArchive stops a rule (its actions are kept).
func (s *Server) recoveryArchive(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "There is no such recovery rule.")
	if err != nil {
		return err
	}
	if err := s.training.ArchiveRecoveryRule(c.UserContext(), id, principal(c).trainingActor()); err != nil {
		return err
	}
	s.flash(c, "success", "Recovery rule archived: it no longer acts. What it did is kept below.")
	return c.Redirect(recoveryPath, http.StatusSeeOther)
}

// recoveryCoachBelow sets a rating's coach threshold ("satisfaction fell
// below X"); empty restores the default.
func (s *Server) recoveryCoachBelow(c *fiber.Ctx) error {
	slug := slugParam(c, "measure")
	raw := formTrimmed(c, "coach_below")
	var x *float64
	if raw != "" {
		v, ok := parseNumber(raw, 0)
		if !ok {
			return store.FieldError("coach_below", "Give a number, or leave it empty for the default.")
		}
		x = &v
	}
	m, err := s.training.Outcomes().SetCoachBelow(c.UserContext(), slug, x)
	if err != nil {
		return err
	}
	by, name := principal(c).actor()
	if err := people.Audit(c.UserContext(), s.cfg.DB, s.people.Now(), by, name, "measure.coach_below", m.Slug, "coach queue below "+cmp.Or(raw, "the default")); err != nil {
		return err
	}
	s.flash(c, "success", "Coach threshold saved for "+m.Title+".")
	return c.Redirect(recoveryPath+"#coach", http.StatusSeeOther)
}

// --- API ---------------------------------------------------------------------

type apiRecoveryRule struct {
	ID           int64  `json:"id"`
	Measure      string `json:"measure"`
	Category     string `json:"category"`
	Threshold    int    `json:"threshold"`
	Days         int    `json:"days"`
	Programme    string `json:"programme,omitempty"`
	Checklist    string `json:"checklist,omitempty"`
	CooldownDays int    `json:"cooldown_days"`
	Archived     bool   `json:"archived"`
	CreatedAt    string `json:"created_at,omitempty"`
}

type apiRecoveryHit struct {
	Employee string `json:"employee"`
	Name     string `json:"name"`
	Events   int    `json:"events"`
	FirstDay string `json:"first_day"`
	LastDay  string `json:"last_day"`
}

func apiRuleOf(r *outcomes.RecoveryRule) apiRecoveryRule {
	out := apiRecoveryRule{ID: r.ID, Measure: r.MeasureSlug, Category: r.Category, Threshold: r.Threshold, Days: r.Days,
		Programme: r.ProgrammeSlug, Checklist: r.ChecklistSlug, CooldownDays: r.CooldownDays, Archived: r.ArchivedAt != nil}
	if !r.CreatedAt.IsZero() && r.ID != 0 {
		out.CreatedAt = r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	return out
}

// apiRecoveryRules lists the rules that are not archived (HR tokens).
func (s *Server) apiRecoveryRules(c *fiber.Ctx) error {
	rules, err := s.training.RecoveryRules(c.UserContext(), c.QueryBool("archived"))
	if err != nil {
		return err
	}
	out := make([]apiRecoveryRule, len(rules))
	for i, r := range rules {
		out[i] = apiRuleOf(r)
	}
	return c.JSON(fiber.Map{"rules": out})
}

// apiRecoveryRuleCreate creates a rule (HR tokens) and acts on who it finds
// now: 201 with the rule and the people; ?dry_run=true writes nothing and
// says who it would act on (200). 422 names the field.
func (s *Server) apiRecoveryRuleCreate(c *fiber.Ctx) error {
	var in training.RecoveryRuleInput
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return store.FieldError("body", "The body must be JSON like {\"measure\":\"complaints\",\"threshold\":3,\"days\":30,\"programme\":\"slug\",\"checklist\":\"slug\",\"cooldown_days\":30}: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	dry := c.QueryBool("dry_run")
	prev, err := s.training.CreateRecoveryRule(c.UserContext(), in, principal(c).trainingActor(), dry)
	if err != nil {
		return err
	}
	hits := make([]apiRecoveryHit, len(prev.Affected))
	for i, h := range prev.Affected {
		hits[i] = apiRecoveryHit{Employee: h.Number, Name: h.Name, Events: h.Run.Events, FirstDay: h.Run.First.String(), LastDay: h.Run.Last.String()}
	}
	body := fiber.Map{"dry_run": dry, "rule": apiRuleOf(prev.Rule), "affected": hits}
	if dry {
		return c.JSON(body)
	}
	return c.Status(http.StatusCreated).JSON(body)
}
