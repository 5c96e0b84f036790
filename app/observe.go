package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// ratingChoices are the four ratings in the order the form offers them.
var ratingChoices = []assessments.Rating{assessments.NotShown, assessments.Partly, assessments.Fully, assessments.NA}

// ratingOption is one radio button of an item.
type ratingOption struct {
	Value   string
	Label   string
	Checked bool
}

// obsItem is one checklist item as a page shows it.
type obsItem struct {
	N                  int
	ID, Text, Guidance string
	Weight             float64
	Critical           bool
	Rating             string // the rating's label, "" when not rated
	Rated              bool
	Comment            string
	FailedCritical     bool // a critical item rated below Fully
	Options            []ratingOption
}

// obsForm is what an observation or self-assessment form holds: ratings and
// comments by item id, copied out of fiber's buffers.
type obsForm struct {
	Ratings  map[string]assessments.Rating
	Comments map[string]string
	Overall  string
	Reason   string
}

// newObsForm reads the form fields r_ID (a rating number) and c_ID (a
// comment) for c's items, and overall_comment and reason. A rating that is not
// a number is passed on as an invalid Rating for the store to reject.
func newObsForm(c *fiber.Ctx, cl *assessments.Checklist) obsForm {
	f := obsForm{Ratings: map[string]assessments.Rating{}, Comments: map[string]string{},
		Overall: formValue(c, "overall_comment"), Reason: formValue(c, "reason")}
	for _, it := range cl.Items {
		if v := strings.TrimSpace(c.FormValue("r_" + it.ID)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				n = 99
			}
			f.Ratings[it.ID] = assessments.Rating(n)
		}
		if v := formValue(c, "c_"+it.ID); v != "" {
			f.Comments[it.ID] = v
		}
	}
	return f
}

// obsItems builds the items of cl with ratings and comments for a page.
func obsItems(cl *assessments.Checklist, ratings map[string]assessments.Rating, comments map[string]string, failed []string) []obsItem {
	items := make([]obsItem, len(cl.Items))
	for i, it := range cl.Items {
		r, rated := ratings[it.ID]
		v := obsItem{N: i + 1, ID: it.ID, Text: it.Text, Guidance: it.Guidance, Weight: it.Weight, Critical: it.Critical,
			Rated: rated && r.Valid(), Comment: comments[it.ID]}
		if v.Rated {
			v.Rating = r.String()
		}
		for _, id := range failed {
			if id == it.ID {
				v.FailedCritical = true
			}
		}
		for _, choice := range ratingChoices {
			v.Options = append(v.Options, ratingOption{Value: strconv.Itoa(int(choice)), Label: choice.String(),
				Checked: v.Rated && r == choice})
		}
		items[i] = v
	}
	return items
}

// itemTexts names the items with ids, in checklist order.
func itemTexts(cl *assessments.Checklist, ids []string) []string {
	var out []string
	for _, it := range cl.Items {
		for _, id := range ids {
			if id == it.ID {
				out = append(out, it.Text)
			}
		}
	}
	return out
}

// obsRow is one observation in a list.
type obsRow struct {
	ID                  int64
	Checklist, Assessor string
	Status, SignedOff   string
	Revision            int
	Score               string
	Passed              bool
	FailedCritical      []string
	ReobserveDue        string
	Acknowledged        bool
}

// obsRowOf is an observation's row, its sign-off day in loc (company time).
func obsRowOf(o *assessments.Observation, loc *time.Location) obsRow {
	r := obsRow{ID: o.ID, Checklist: o.Checklist.Title, Assessor: o.AssessorName, Status: obsStatus(o.Status),
		Revision: o.Revision, Score: percent(o.Score), Passed: o.Passed != nil && *o.Passed,
		FailedCritical: itemTexts(o.Checklist, o.FailedCritical), Acknowledged: o.EmployeeAckAt != nil}
	if o.SignedOffAt != nil {
		r.SignedOff = localDate(loc, o.SignedOffAt)
	}
	if o.ReobserveDue != nil && o.Status == assessments.ObservationSignedOff {
		r.ReobserveDue = *o.ReobserveDue
	}
	return r
}

func obsStatus(s string) string {
	switch s {
	case assessments.ObservationDraft:
		return "draft"
	case assessments.ObservationSignedOff:
		return "signed off"
	case assessments.ObservationAmended:
		return "amended"
	}
	return s
}

// assessable loads the employee named in the URL if the principal may observe
// them; NotFound otherwise, so nobody learns who exists outside their line.
func (s *Server) assessable(c *fiber.Ctx) (*people.Employee, error) {
	e, err := s.people.FindEmployeeByNumber(c.UserContext(), number(c))
	if err != nil {
		return nil, err
	}
	ok, err := s.canAssess(c.UserContext(), principal(c), e)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.Errorf(store.NotFound, "No employee with number %q that you can observe.", e.Number)
	}
	return e, nil
}

// assessorObservation loads observation :id for someone who may observe the
// employee now (the reporting line, or HR), its assessor included: an
// assessor whose employee has left their line loses it. NotFound for anyone
// else. Editing actions still check that the principal is the assessor.
func (s *Server) assessorObservation(c *fiber.Ctx) (*assessments.Observation, error) {
	id, err := idParam(c, "id", "There is no such observation.")
	if err != nil {
		return nil, err
	}
	o, err := s.observations.Observation(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	p := principal(c)
	e, err := s.people.FindEmployee(c.UserContext(), o.EmployeeID)
	if err != nil {
		return nil, err
	}
	if ok, err := s.canAssess(c.UserContext(), p, e); err != nil {
		return nil, err
	} else if !ok {
		return nil, store.Errorf(store.NotFound, "There is no such observation.")
	}
	return o, nil
}

// observeIndex lists the checklists and the employee's observations.
func (s *Server) observeIndex(c *fiber.Ctx) error {
	e, err := s.assessable(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	checklists, err := s.observations.ListChecklists(ctx)
	if err != nil {
		return err
	}
	history, err := s.observations.History(ctx, e.ID)
	if err != nil {
		return err
	}
	rows := make([]obsRow, len(history))
	for i := range history {
		rows[i] = obsRowOf(&history[i], s.companyZone())
	}
	return s.render(c, "observe/index", fiber.Map{"Title": "Role-play observations: " + e.Name(), "E": e,
		"Checklists": checklists, "Observations": rows})
}

// observeStart starts (or resumes) the principal's draft on a checklist.
func (s *Server) observeStart(c *fiber.Ctx) error {
	e, err := s.assessable(c)
	if err != nil {
		return err
	}
	o, err := s.observations.StartObservation(c.UserContext(), slugParam(c, "checklist"), e.ID, principal(c).Employee.ID)
	if err != nil {
		return err
	}
	return c.Redirect("/observations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

// observationPage renders an observation: the form for its assessor while
// it is a draft, else the result.
func (s *Server) observationPage(c *fiber.Ctx, status int, o *assessments.Observation, f *obsForm, errs map[string]string) error {
	p := principal(c)
	ratings, comments, overall := o.Ratings, o.ItemComments, o.OverallComment
	if f != nil {
		ratings, comments, overall = f.Ratings, f.Comments, f.Overall
	}
	res := assessments.ScoreObservation(o.Checklist, ratings)
	failed := o.FailedCritical
	if o.Status == assessments.ObservationDraft {
		failed = nil
	}
	data := fiber.Map{"Title": o.Checklist.Title + ": " + o.EmployeeName, "O": o, "Row": obsRowOf(o, s.companyZone()),
		"Items": obsItems(o.Checklist, ratings, comments, failed), "Overall": overall, "Errors": errs,
		"Editable": o.Status == assessments.ObservationDraft && p.Employee != nil && o.AssessorID == p.Employee.ID,
		"Draft":    o.Status == assessments.ObservationDraft, "Unrated": len(res.Unrated),
		"CanAmend": o.Status == assessments.ObservationSignedOff && p.Employee != nil && o.AssessorID == p.Employee.ID}
	if o.Status != assessments.ObservationDraft {
		history, err := s.revisions(c, o)
		if err != nil {
			return err
		}
		data["History"] = history
	}
	return s.renderStatus(c, status, "observe/observation", data)
}

// revisions is the chain of signed-off revisions o belongs to, newest first.
func (s *Server) revisions(c *fiber.Ctx, o *assessments.Observation) ([]obsRow, error) {
	all, err := s.observations.History(c.UserContext(), o.EmployeeID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*assessments.Observation{}
	next := map[int64]*assessments.Observation{}
	for i := range all {
		byID[all[i].ID] = &all[i]
		if all[i].AmendedFromID != nil {
			next[*all[i].AmendedFromID] = &all[i]
		}
	}
	first := o
	for first.AmendedFromID != nil && byID[*first.AmendedFromID] != nil {
		first = byID[*first.AmendedFromID]
	}
	var chain []obsRow
	for cur := first; cur != nil; cur = next[cur.ID] {
		row := obsRowOf(cur, s.companyZone())
		row.Checklist = cur.AmendReason // the list shows why each revision was made
		chain = append([]obsRow{row}, chain...)
	}
	return chain, nil
}

func (s *Server) observationShow(c *fiber.Ctx) error {
	o, err := s.assessorObservation(c)
	if err != nil {
		return err
	}
	return s.observationPage(c, http.StatusOK, o, nil, nil)
}

// wantsJSON reports whether the request came from the autosave script.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get("Accept"), "application/json")
}

// observationDraft saves the draft: JSON for the autosave, a redirect for the form.
func (s *Server) observationDraft(c *fiber.Ctx) error {
	o, err := s.assessorObservation(c)
	if err != nil {
		return err
	}
	f := newObsForm(c, o.Checklist)
	saved, err := s.observations.SaveDraft(c.UserContext(), o.ID, principal(c).Employee.ID, f.Ratings, f.Comments, f.Overall)
	if wantsJSON(c) {
		if err != nil {
			if store.KindOf(err) == store.Internal {
				return err
			}
			return s.jsonError(c, err)
		}
		res := saved.Result()
		return c.JSON(fiber.Map{"saved": true, "saved_at": saved.UpdatedAt, "unrated": len(res.Unrated)})
	}
	if err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		return s.observationPage(c, http.StatusUnprocessableEntity, o, &f, obsErrors(err))
	}
	s.flash(c, "success", "Draft saved.")
	return c.Redirect("/observations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

// obsErrors puts an Invalid error's message under its field.
func obsErrors(err error) map[string]string {
	field := store.FieldOf(err)
	if field == "" {
		field = "form"
	}
	return map[string]string{field: store.MessageOf(err)}
}

// observationSignOff saves the form and signs the observation off; unrated
// items come back as 422 with the ratings kept.
func (s *Server) observationSignOff(c *fiber.Ctx) error {
	o, err := s.assessorObservation(c)
	if err != nil {
		return err
	}
	me := principal(c).Employee.ID
	f := newObsForm(c, o.Checklist)
	ctx := c.UserContext()
	if o.Status == assessments.ObservationDraft {
		if _, err := s.observations.SaveDraft(ctx, o.ID, me, f.Ratings, f.Comments, f.Overall); err != nil {
			if store.KindOf(err) != store.Invalid {
				return err
			}
			return s.observationPage(c, http.StatusUnprocessableEntity, o, &f, obsErrors(err))
		}
	}
	signed, err := s.training.SignOffObservation(ctx, o.ID, s.people.Now(), principal(c).trainingActor())
	if err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		return s.observationPage(c, http.StatusUnprocessableEntity, o, &f, obsErrors(err))
	}
	s.flash(c, "success", "Observation signed off.")
	return c.Redirect("/observations/"+strconv.FormatInt(signed.ID, 10), http.StatusSeeOther)
}

// observationAmendShow is the amend form, filled with the current ratings.
func (s *Server) observationAmendShow(c *fiber.Ctx) error {
	o, err := s.assessorObservation(c)
	if err != nil {
		return err
	}
	return s.amendPage(c, http.StatusOK, o, obsForm{Ratings: o.Ratings, Comments: o.ItemComments}, nil)
}

func (s *Server) amendPage(c *fiber.Ctx, status int, o *assessments.Observation, f obsForm, errs map[string]string) error {
	p := principal(c)
	if o.Status != assessments.ObservationSignedOff || p.Employee == nil || o.AssessorID != p.Employee.ID {
		return store.Errorf(store.Conflict, "Only the latest signed-off revision can be amended, by its assessor.")
	}
	return s.renderStatus(c, status, "observe/amend", fiber.Map{"Title": "Amend: " + o.Checklist.Title, "O": o,
		"Items": obsItems(o.Checklist, f.Ratings, f.Comments, nil), "Reason": f.Reason, "Errors": errs})
}

// observationAmend makes the next revision with a reason.
func (s *Server) observationAmend(c *fiber.Ctx) error {
	o, err := s.assessorObservation(c)
	if err != nil {
		return err
	}
	f := newObsForm(c, o.Checklist)
	next, err := s.training.AmendObservation(c.UserContext(), o.ID, f.Reason, f.Ratings, f.Comments, s.people.Now(), principal(c).trainingActor())
	if err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		return s.amendPage(c, http.StatusUnprocessableEntity, o, f, obsErrors(err))
	}
	s.flash(c, "success", "Observation amended: revision "+strconv.Itoa(next.Revision)+".")
	return c.Redirect("/observations/"+strconv.FormatInt(next.ID, 10), http.StatusSeeOther)
}

// compareRow is one item of the side-by-side view.
type compareRow struct {
	N                            int
	Text                         string
	Critical                     bool
	Assessor, Self               string
	AssessorComment, SelfComment string
	Gap                          string // "" when they agree
}

// observationCompare shows the assessor's and the employee's ratings side by side.
func (s *Server) observationCompare(c *fiber.Ctx) error {
	o, err := s.assessorObservation(c)
	if err != nil {
		return err
	}
	sb, err := s.observations.SideBySide(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	rows := make([]compareRow, len(sb.Rows))
	for i, r := range sb.Rows {
		row := compareRow{N: i + 1, Text: r.Item.Text, Critical: r.Item.Critical, Assessor: "not rated", Self: "not rated",
			AssessorComment: r.AssessorComment, SelfComment: r.SelfComment}
		if r.AssessorRated {
			row.Assessor = r.Assessor.String()
		}
		if r.SelfRated {
			row.Self = r.Self.String()
		}
		if r.Gap != nil {
			row.Gap = r.Gap.Direction.String()
		}
		rows[i] = row
	}
	return s.render(c, "observe/compare", fiber.Map{"Title": "Side by side: " + o.Checklist.Title, "O": o, "SB": sb,
		"Rows": rows, "GapCount": len(sb.Gaps)})
}

// --- The observed employee ---

// myObservations lists the principal's signed-off observations and the
// checklists they can rate themselves on.
func (s *Server) myObservations(c *fiber.Ctx) error {
	ctx := c.UserContext()
	history, err := s.observations.History(ctx, principal(c).Employee.ID)
	if err != nil {
		return err
	}
	var rows []obsRow
	for i := range history {
		if history[i].Status == assessments.ObservationSignedOff {
			rows = append(rows, obsRowOf(&history[i], s.companyZone()))
		}
	}
	checklists, err := s.observations.ListChecklists(ctx)
	if err != nil {
		return err
	}
	return s.render(c, "observe/mine", fiber.Map{"Title": "My role-play observations", "Observations": rows, "Checklists": checklists})
}

// myObservation loads observation :id if it is the principal's and signed off.
func (s *Server) myObservation(c *fiber.Ctx) (*assessments.Observation, error) {
	id, err := idParam(c, "id", "There is no such observation.")
	if err != nil {
		return nil, err
	}
	o, err := s.observations.Observation(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if o.EmployeeID != principal(c).Employee.ID || o.Status == assessments.ObservationDraft {
		return nil, store.Errorf(store.NotFound, "There is no such observation.")
	}
	return o, nil
}

func (s *Server) myObservationPage(c *fiber.Ctx, status int, o *assessments.Observation, comment string, errs map[string]string) error {
	if comment == "" {
		comment = o.EmployeeComment
	}
	return s.renderStatus(c, status, "observe/result", fiber.Map{"Title": o.Checklist.Title, "O": o, "Row": obsRowOf(o, s.companyZone()),
		"Items": obsItems(o.Checklist, o.Ratings, o.ItemComments, o.FailedCritical), "Comment": comment, "Errors": errs,
		"Current": o.Status == assessments.ObservationSignedOff})
}

func (s *Server) myObservationShow(c *fiber.Ctx) error {
	o, err := s.myObservation(c)
	if err != nil {
		return err
	}
	return s.myObservationPage(c, http.StatusOK, o, "", nil)
}

// myObservationAcknowledge records that the employee has seen the result.
func (s *Server) myObservationAcknowledge(c *fiber.Ctx) error {
	o, err := s.myObservation(c)
	if err != nil {
		return err
	}
	comment := formValue(c, "comment")
	if _, err := s.observations.Acknowledge(c.UserContext(), o.ID, principal(c).Employee.ID, comment, s.people.Now()); err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		return s.myObservationPage(c, http.StatusUnprocessableEntity, o, comment, obsErrors(err))
	}
	s.flash(c, "success", "Thank you: you have acknowledged this observation.")
	return c.Redirect("/me/observations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

// selfAssessmentPage is the self-assessment form for a checklist.
func (s *Server) selfAssessmentPage(c *fiber.Ctx, status int, cl *assessments.StoredChecklist, f *obsForm, errs map[string]string) error {
	data := fiber.Map{"Title": "Rate yourself: " + cl.Title, "C": cl, "Errors": errs}
	if f == nil {
		f = &obsForm{}
		sa, err := s.observations.SelfAssessment(c.UserContext(), principal(c).Employee.ID, cl.Slug)
		switch {
		case err == nil:
			f.Ratings, f.Comments = sa.Ratings, sa.Comments
			data["SA"] = sa
		case !store.IsNotFound(err):
			return err
		}
	}
	data["Items"] = obsItems(&cl.Checklist, f.Ratings, f.Comments, nil)
	return s.renderStatus(c, status, "observe/self", data)
}

func (s *Server) selfAssessmentShow(c *fiber.Ctx) error {
	cl, err := s.observations.FindChecklist(c.UserContext(), slugParam(c, "checklist"))
	if err != nil {
		return err
	}
	return s.selfAssessmentPage(c, http.StatusOK, cl, nil, nil)
}

// selfAssessmentSave saves the self-assessment as a draft, or submits it.
func (s *Server) selfAssessmentSave(c *fiber.Ctx) error {
	cl, err := s.observations.FindChecklist(c.UserContext(), slugParam(c, "checklist"))
	if err != nil {
		return err
	}
	f := newObsForm(c, &cl.Checklist)
	submit := c.FormValue("action") == "submit"
	if _, err := s.observations.SaveSelfAssessment(c.UserContext(), principal(c).Employee.ID, cl.Slug, f.Ratings, f.Comments, submit); err != nil {
		if store.KindOf(err) != store.Invalid {
			return err
		}
		return s.selfAssessmentPage(c, http.StatusUnprocessableEntity, cl, &f, obsErrors(err))
	}
	if submit {
		s.flash(c, "success", "Self-assessment submitted: your assessor will see it next to their observation.")
	} else {
		s.flash(c, "success", "Self-assessment draft saved.")
	}
	return c.Redirect("/me/self-assessment/"+url.PathEscape(cl.Slug), http.StatusSeeOther)
}
