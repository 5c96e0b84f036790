package app

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

// The reaction survey: after completing a course, the learner answers three
// questions (or dismisses the offer); HR reads the results on the course's
// authoring page. Answers are the learner's own, so they are not audited;
// comments appear only on HR's page, without names.

// reactionForm is the survey as typed.
type reactionForm struct {
	Relevance, Confidence, Recommend, Comment string
}

func newReactionForm(c *fiber.Ctx) reactionForm {
	return reactionForm{Relevance: formTrimmed(c, "relevance"), Confidence: formTrimmed(c, "confidence"),
		Recommend: formTrimmed(c, "recommend"), Comment: formValue(c, "comment")}
}

// reactionFormOf fills the form from a stored answer (empty when there is none).
func reactionFormOf(r *courses.Reaction) reactionForm {
	if !r.Answered() {
		return reactionForm{}
	}
	itoa := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	return reactionForm{Relevance: itoa(r.Relevance), Confidence: itoa(r.Confidence), Recommend: itoa(r.Recommend), Comment: r.Comment}
}

// scaleOption is one radio button of a question's scale.
type scaleOption struct {
	Value   string
	Label   string
	Checked bool
}

// reactionQuestion is one question of the form with its scale.
type reactionQuestion struct {
	Name, Text, Hint string
	Options          []scaleOption
}

func reactionQuestions(f reactionForm) []reactionQuestion {
	scale := func(lo, hi int, typed string, ends map[int]string) []scaleOption {
		var out []scaleOption
		for n := lo; n <= hi; n++ {
			v := strconv.Itoa(n)
			label := v
			if e, ok := ends[n]; ok {
				label += " " + e
			}
			out = append(out, scaleOption{Value: v, Label: label, Checked: typed == v})
		}
		return out
	}
	return []reactionQuestion{
		{Name: "relevance", Text: "How relevant is this course to your job?", Hint: "1 not at all relevant, 5 very relevant.",
			Options: scale(1, 5, f.Relevance, map[int]string{1: "(not at all)", 5: "(very)"})},
		{Name: "confidence", Text: "How confident are you that you can apply what you learned?", Hint: "1 not at all confident, 5 very confident.",
			Options: scale(1, 5, f.Confidence, map[int]string{1: "(not at all)", 5: "(very)"})},
		{Name: "recommend", Text: "How likely are you to recommend this course to a colleague?", Hint: "0 not at all likely, 10 extremely likely.",
			Options: scale(0, 10, f.Recommend, map[int]string{0: "(not at all)", 10: "(extremely)"})},
	}
}

func (s *Server) reactionPage(c *fiber.Ctx, status int, offer *courses.ReactionOffer, f reactionForm, errs map[string]string) error {
	return s.renderStatus(c, status, "learn/reaction", fiber.Map{"Title": "What did you think of " + offer.Version.Title + "?",
		"Offer": offer, "Form": f, "Questions": reactionQuestions(f), "Errors": errs,
		"ErrorList":  orderedErrors(errs, []string{"relevance", "confidence", "recommend", "comment"}),
		"CourseURL":  "/learn/" + url.PathEscape(offer.Course.Slug),
		"CommentMax": courses.ReactionCommentMax})
}

// reactionOffer finds the course in the address and the signed-in learner's
// survey for it: Forbidden when they are not an employee or have not
// completed the course, NotFound for an unknown course.
func (s *Server) reactionOffer(c *fiber.Ctx) (*courses.ReactionOffer, error) {
	p := principal(c)
	if p.Employee == nil {
		return nil, store.Errorf(store.Forbidden, "Only employees answer the questions about a course.")
	}
	course, err := s.courses.FindCourse(c.UserContext(), slugParam(c, "course"))
	if err != nil {
		return nil, err
	}
	return s.courses.ReactionOfferFor(c.UserContext(), p.Employee.ID, course)
}

// reactionShow is the survey of a course the learner completed, with their
// answer so far.
func (s *Server) reactionShow(c *fiber.Ctx) error {
	offer, err := s.reactionOffer(c)
	if err != nil {
		return err
	}
	return s.reactionPage(c, http.StatusOK, offer, reactionFormOf(offer.Reaction), nil)
}

// reactionSubmit saves the answer (again: it replaces the earlier one), or
// with "dismiss" records that the learner does not want to answer.
func (s *Server) reactionSubmit(c *fiber.Ctx) error {
	offer, err := s.reactionOffer(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	back := "/learn/" + url.PathEscape(offer.Course.Slug)
	if formTrimmed(c, "dismiss") != "" {
		if err := s.courses.DismissReaction(ctx, principal(c).Employee.ID, offer.Course); err != nil {
			return err
		}
		s.flash(c, "info", "No questions, then. You can still answer them from the course page.")
		return c.Redirect(back, http.StatusSeeOther)
	}
	f := newReactionForm(c)
	a, problems := courses.ParseReaction(f.Relevance, f.Confidence, f.Recommend, f.Comment)
	if len(problems) > 0 {
		return s.reactionPage(c, http.StatusUnprocessableEntity, offer, f, fieldErrors(problems, same))
	}
	if _, err := s.courses.SaveReaction(ctx, principal(c).Employee.ID, offer.Course, a); err != nil {
		return err
	}
	s.flash(c, "success", "Thank you: your answers about "+offer.Version.Title+" are saved.")
	return c.Redirect(back, http.StatusSeeOther)
}

// learnerReaction is the survey offer on the course page of a learner who
// completed it: nil when they have not (or are not an employee).
func (s *Server) learnerReaction(c *fiber.Ctx, course *courses.Course) (*courses.ReactionOffer, error) {
	p := principal(c)
	if p.Employee == nil {
		return nil, nil
	}
	offer, err := s.courses.ReactionOfferFor(c.UserContext(), p.Employee.ID, course)
	if store.KindOf(err) == store.Forbidden {
		return nil, nil
	}
	return offer, err
}

// reactionResult is one course version's reactions on HR's course page.
type reactionResult struct {
	courses.VersionReactions
	Relevance, Confidence, Recommend string // means to one decimal
	NetPromoter                      string // signed whole points
	Chart                            template.HTML
	Comments                         []reactionCommentRow
}

type reactionCommentRow struct {
	Text, When string
}

// Colours of the recommend groups (the status colours: ok, neutral, bad).
const promoterFill, passiveFill, detractorFill = "#067647", "#667085", "#b42318"

// reactionResults are the reactions to each version of course, newest version first.
func (s *Server) reactionResults(c *fiber.Ctx, course *courses.Course) ([]reactionResult, error) {
	ctx := c.UserContext()
	list, err := s.courses.CourseReactions(ctx, course.ID)
	if err != nil {
		return nil, err
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]reactionResult, len(list))
	for i, vr := range list {
		sum := vr.Summary
		r := reactionResult{VersionReactions: vr, Relevance: "–", Confidence: "–", Recommend: "–", NetPromoter: "–"}
		if sum.Count > 0 {
			r.Relevance, r.Confidence, r.Recommend = oneDecimal(sum.Relevance), oneDecimal(sum.Confidence), oneDecimal(sum.Recommend)
			r.NetPromoter = fmt.Sprintf("%+d", sum.NetPromoterRounded())
			if sum.NetPromoterRounded() == 0 {
				r.NetPromoter = "0"
			}
		}
		r.Chart = stackedSVG([]chartPart{{sum.Promoters, "promoters (9–10)", promoterFill},
			{sum.Passives, "passives (7–8)", passiveFill}, {sum.Detractors, "detractors (0–6)", detractorFill}})
		for _, cm := range vr.Comments {
			r.Comments = append(r.Comments, reactionCommentRow{Text: cm.Text, When: localDate(loc, cm.At)})
		}
		out[i] = r
	}
	return out, nil
}

func oneDecimal(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
