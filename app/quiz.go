package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

// quizBase is the address of a quiz's intro page.
func quizBase(courseSlug, quizSlug string) string {
	return "/learn/" + url.PathEscape(courseSlug) + "/quiz/" + url.PathEscape(quizSlug)
}

func attemptURL(courseSlug, quizSlug string, id int64) string {
	return quizBase(courseSlug, quizSlug) + "/attempt/" + strconv.FormatInt(id, 10)
}

// quizFor returns the course and quiz named by the route; NotFound when the
// quiz does not belong to the course.
func (s *Server) quizFor(c *fiber.Ctx) (*courses.Course, *courses.Outline, *assessments.Quiz, error) {
	ctx := c.UserContext()
	course, err := s.courses.FindCourse(ctx, slugParam(c, "course"))
	if err != nil {
		return nil, nil, nil, err
	}
	quiz, err := s.quizzes.FindQuiz(ctx, slugParam(c, "quiz"))
	if err != nil {
		return nil, nil, nil, err
	}
	if quiz.CourseSlug != course.Slug {
		return nil, nil, nil, store.Errorf(store.NotFound, "There is no quiz %q in this course.", quiz.Slug)
	}
	o, _, err := s.courses.VersionFor(ctx, principal(c).Employee.ID, course)
	if err != nil {
		return nil, nil, nil, err
	}
	return course, o, quiz, nil
}

// quizRules describes a quiz's settings in plain words.
func quizRules(q *assessments.Quiz, used int) []string {
	rules := []string{
		plural(q.DrawCount, "question", "questions") + ".",
		"To pass, score at least " + strconv.FormatFloat(q.PassMark, 'f', -1, 64) + "%.",
	}
	if q.TimeLimitMinutes > 0 {
		rules = append(rules, "You have "+plural(q.TimeLimitMinutes, "minute", "minutes")+" from the moment you start. Answers saved after that do not count.")
	} else {
		rules = append(rules, "There is no time limit.")
	}
	if q.AttemptLimit > 0 {
		rules = append(rules, plural(q.AttemptLimit, "attempt", "attempts")+" allowed; "+plural(max(q.AttemptLimit-used, 0), "attempt", "attempts")+" left.")
	} else {
		rules = append(rules, "You may try as often as you like.")
	}
	if q.MinWaitMinutes > 0 {
		rules = append(rules, "Wait "+plural(q.MinWaitMinutes, "minute", "minutes")+" between attempts.")
	}
	switch q.ReviewPolicy {
	case assessments.ReviewAfterPassing:
		rules = append(rules, "Once you have passed, you can see the right answers and the feedback.")
	case assessments.ReviewAfterLast:
		rules = append(rules, "After your last attempt, you can see the right answers and the feedback.")
	default:
		rules = append(rules, "The right answers are not shown; you see your score.")
	}
	return rules
}

// quizRound is when the learner's current round of attempts began: the
// start of a recertification retake of the course, else zero (every attempt
// counts).
func (s *Server) quizRound(ctx context.Context, employeeID int64, course *courses.Course) (time.Time, error) {
	_, en, err := s.courses.VersionFor(ctx, employeeID, course)
	if err != nil || en == nil || en.AssessmentsFrom == nil {
		return time.Time{}, err
	}
	return *en.AssessmentsFrom, nil
}

// quizAttempts returns the employee's attempts at quiz in the round that
// began at since, oldest first.
func (s *Server) quizAttempts(ctx context.Context, employeeID int64, quiz *assessments.Quiz, since time.Time) ([]assessments.AttemptSummary, error) {
	all, err := s.quizzes.ListAttempts(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	var mine []assessments.AttemptSummary
	for _, a := range all {
		if a.Quiz == quiz.Slug && (a.SubmittedAt == nil || !a.StartedAt.Before(since)) {
			mine = append(mine, a)
		}
	}
	slices.Reverse(mine)
	return mine, nil
}

// quizShow is a quiz's intro page: its rules, the learner's attempts and a
// Start (or Resume) button.
func (s *Server) quizShow(c *fiber.Ctx) error {
	return s.quizIntro(c, http.StatusOK, "")
}

func (s *Server) quizIntro(c *fiber.Ctx, status int, problem string) error {
	course, o, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	since, err := s.quizRound(c.UserContext(), principal(c).Employee.ID, course)
	if err != nil {
		return err
	}
	attempts, err := s.quizAttempts(c.UserContext(), principal(c).Employee.ID, quiz, since)
	if err != nil {
		return err
	}
	open := false
	rows := make([]attemptRow, len(attempts))
	for i, a := range attempts {
		rows[i] = newAttemptRow(a)
		open = open || a.SubmittedAt == nil
		if a.SubmittedAt != nil && a.Passed == nil {
			if rows[i].Result, err = s.pendingResult(c.UserContext(), a.ID, principal(c).Employee.ID); err != nil {
				return err
			}
		}
	}
	usedUp := quiz.AttemptLimit > 0 && len(attempts) >= quiz.AttemptLimit && !open
	return s.renderStatus(c, status, "quiz/show", fiber.Map{"Title": quiz.Title, "Quiz": quiz, "CourseTitle": o.Version.Title,
		"CourseURL": "/learn/" + url.PathEscape(course.Slug), "Base": quizBase(course.Slug, quiz.Slug),
		"Rules": quizRules(quiz, len(attempts)), "Attempts": rows, "Open": open, "UsedUp": usedUp, "Problem": problem})
}

// attemptRow is one of the learner's attempts on a quiz's intro page.
type attemptRow struct {
	ID        int64
	Started   time.Time
	Submitted *time.Time
	Score     string // percent, "" before submission
	Result    string // "passed", "not passed", "waiting for grading" or "" (in progress)
	Late      bool
}

func newAttemptRow(a assessments.AttemptSummary) attemptRow {
	r := attemptRow{ID: a.ID, Started: a.StartedAt, Submitted: a.SubmittedAt, Late: a.Late}
	if a.Score != nil {
		r.Score = strconv.FormatFloat(*a.Score, 'f', -1, 64) + "%"
	}
	switch {
	case a.SubmittedAt == nil:
	case a.Passed == nil:
		r.Result = "waiting for grading"
	case *a.Passed:
		r.Result = "passed"
	default:
		r.Result = "not passed"
	}
	return r
}

// pendingResult words the result of a submitted attempt whose essays wait
// for grading: "not passed" when a pass is already out of reach
// (assessments.AttemptVerdict), else "waiting for grading".
func (s *Server) pendingResult(ctx context.Context, attemptID, employeeID int64) (string, error) {
	a, err := s.quizzes.FindAttempt(ctx, attemptID, employeeID)
	if err != nil || a.Score == nil || a.MaxScore == nil {
		return "waiting for grading", err
	}
	pending, err := s.quizzes.PendingPoints(ctx, attemptID, employeeID)
	if err != nil {
		return "", err
	}
	if assessments.AttemptVerdict(a.Passed, *a.Score, *a.MaxScore, pending, a.PassMark) == assessments.VerdictOutOfReach {
		return "not passed", nil
	}
	return "waiting for grading", nil
}

// quizStart starts (or resumes) the learner's attempt and opens it. A used-up
// limit or a wait shows the intro page again with the reason (409).
func (s *Server) quizStart(c *fiber.Ctx) error {
	course, _, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	since, err := s.quizRound(c.UserContext(), principal(c).Employee.ID, course)
	if err != nil {
		return err
	}
	a, err := s.quizzes.StartAttemptSince(c.UserContext(), quiz.ID, principal(c).Employee.ID, since)
	if k := store.KindOf(err); err != nil && (k == store.Conflict || k == store.Invalid) {
		return s.quizIntro(c, statusOf(k), store.MessageOf(err))
	} else if err != nil {
		return err
	}
	return c.Redirect(attemptURL(course.Slug, quiz.Slug, a.ID), http.StatusSeeOther)
}

// quizOption is one option, item or match of a question on the attempt page.
type quizOption struct {
	ID      string
	Text    string
	Checked bool   // chosen (choices)
	Pos     int    // ordering: the place it is in (the list is in this order)
	Last    bool   // ordering: the last item (no Down button)
	Chosen  string // matching: the shown id of the right chosen for this left
}

// quizQuestion is one question on the attempt page, prefilled from the
// learner's answer; it holds nothing the learner was not shown.
type quizQuestion struct {
	ID        int64
	Key       string // form field name: "a" + ID
	Number    int
	Type      string
	Text      string
	TextAfter string
	Points    float64
	Options   []quizOption
	Lefts     []quizOption
	Rights    []assessments.ShownOption
	Choice    string
	Answer    string // text answers
	Answered  bool
	Error     string
}

func newQuizQuestion(sq assessments.ShownQuestion, r *assessments.Response) quizQuestion {
	q := quizQuestion{ID: sq.ID, Key: "a" + strconv.FormatInt(sq.ID, 10), Number: sq.Number, Type: string(sq.Type),
		Text: sq.Text, TextAfter: sq.TextAfter, Points: sq.Points, Rights: sq.Rights, Answered: r != nil}
	if r == nil {
		r = &assessments.Response{}
	}
	q.Choice, q.Answer = r.Choice, r.Text
	for i, o := range sq.Options {
		opt := quizOption{ID: o.ID, Text: o.Text, Checked: slices.Contains(r.Choices, o.ID) || r.Choice == o.ID, Pos: i + 1}
		if sq.Type == assessments.Ordering {
			if j := slices.Index(r.Order, o.ID); j >= 0 {
				opt.Pos = j + 1
			}
		}
		q.Options = append(q.Options, opt)
	}
	if sq.Type == assessments.Ordering {
		slices.SortStableFunc(q.Options, func(a, b quizOption) int { return a.Pos - b.Pos })
		for i := range q.Options {
			q.Options[i].Pos, q.Options[i].Last = i+1, i == len(q.Options)-1
		}
	}
	for _, l := range sq.Lefts {
		q.Lefts = append(q.Lefts, quizOption{ID: l.ID, Text: l.Text, Chosen: r.Matches[l.ID]})
	}
	return q
}

// parseResponse reads question sq's answer from a form: "a<id>" holds the
// choice(s) or text, "a<id>.<left>" a matching's chosen right, and an
// ordering's items in order are the values of "a<id>.order" (or, as older
// pages sent it, "a<id>.<item>" holds each item's place). Invalid (with the
// field) when an ordering is not a full order of its items.
func parseResponse(sq assessments.ShownQuestion, form url.Values) (assessments.Response, error) {
	key := "a" + strconv.FormatInt(sq.ID, 10)
	var r assessments.Response
	switch sq.Type {
	case assessments.SingleChoice, assessments.MissingWord, assessments.TrueFalse:
		r.Choice = strings.TrimSpace(form.Get(key))
	case assessments.MultipleResponse:
		r.Choices = slices.Clone(form[key])
	case assessments.Matching:
		for _, l := range sq.Lefts {
			if v := form.Get(key + "." + l.ID); v != "" {
				if r.Matches == nil {
					r.Matches = map[string]string{}
				}
				r.Matches[l.ID] = v
			}
		}
	case assessments.Ordering:
		if order, ok := form[key+".order"]; ok {
			if !fullOrder(sq.Options, order) {
				return r, store.FieldError(key, "Put each item in the list exactly once: reload the page to see the saved order.")
			}
			r.Order = slices.Clone(order)
			break
		}
		placed := make([]string, len(sq.Options))
		given := 0
		for _, o := range sq.Options {
			v := form.Get(key + "." + o.ID)
			if v == "" {
				continue
			}
			given++
			p, err := strconv.Atoi(v)
			if err != nil || p < 1 || p > len(placed) {
				return r, store.FieldError(key, "Choose a place from 1 to %d for each item.", len(placed))
			}
			if placed[p-1] != "" {
				return r, store.FieldError(key, "Two items are in place %d: give each item its own place.", p)
			}
			placed[p-1] = o.ID
		}
		switch given {
		case 0:
		case len(placed):
			r.Order = placed
		default:
			return r, store.FieldError(key, "Give every item a place.")
		}
	default:
		r.Text = form.Get(key)
	}
	return r, nil
}

// fullOrder reports whether order holds each of opts' ids exactly once.
func fullOrder(opts []assessments.ShownOption, order []string) bool {
	if len(order) != len(opts) {
		return false
	}
	seen := map[string]bool{}
	for _, id := range order {
		if seen[id] || !slices.ContainsFunc(opts, func(o assessments.ShownOption) bool { return o.ID == id }) {
			return false
		}
		seen[id] = true
	}
	return true
}

// applyMove applies the no-JavaScript ordering button the form was sent
// with ("move" = "<question>.<item>.up" or ".down") to the form's order of
// that question (the shown order when it sends none), so that the save
// stores the moved order. It returns the question's row id and the moved
// item's text and new place; ok is false when there is no move to make.
func applyMove(v *assessments.AttemptView, form url.Values) (qid int64, text string, place int, ok bool) {
	parts := strings.Split(form.Get("move"), ".")
	if len(parts) != 3 || (parts[2] != "up" && parts[2] != "down") {
		return 0, "", 0, false
	}
	qid, _ = strconv.ParseInt(parts[0], 10, 64)
	i := slices.IndexFunc(v.Questions, func(q assessments.ShownQuestion) bool {
		return q.ID == qid && q.Type == assessments.Ordering
	})
	if i < 0 {
		return 0, "", 0, false
	}
	sq := v.Questions[i]
	key := "a" + parts[0] + ".order"
	order := form[key]
	if !fullOrder(sq.Options, order) {
		order = nil
		for _, o := range newQuizQuestion(sq, sq.Answer).Options {
			order = append(order, o.ID)
		}
	}
	order = slices.Clone(order)
	j := slices.Index(order, parts[1])
	k := j - 1
	if parts[2] == "down" {
		k = j + 1
	}
	if j < 0 || k < 0 || k >= len(order) {
		return 0, "", 0, false
	}
	order[j], order[k] = order[k], order[j]
	form[key] = order
	if !slices.Contains(form["q"], parts[0]) {
		form.Add("q", parts[0])
	}
	for _, o := range sq.Options {
		if o.ID == parts[1] {
			text = o.Text
		}
	}
	return qid, text, k + 1, true
}

// blankResponse reports whether r answers nothing.
func blankResponse(r assessments.Response) bool {
	return r.Choice == "" && len(r.Choices) == 0 && strings.TrimSpace(r.Text) == "" && len(r.Matches) == 0 && len(r.Order) == 0
}

// sameResponse reports whether a and b answer the same (nil and empty alike).
func sameResponse(a, b assessments.Response) bool {
	norm := func(r assessments.Response) assessments.Response {
		if len(r.Choices) == 0 {
			r.Choices = nil
		}
		if len(r.Order) == 0 {
			r.Order = nil
		}
		if len(r.Matches) == 0 {
			r.Matches = nil
		}
		return r
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// loadAttemptView returns the learner's attempt at the route's quiz;
// NotFound when it is someone else's or another quiz's.
func (s *Server) loadAttemptView(c *fiber.Ctx, quiz *assessments.Quiz) (*assessments.AttemptView, error) {
	id, err := idParam(c, "id", "There is no such attempt.")
	if err != nil {
		return nil, err
	}
	v, err := s.quizzes.AttemptView(c.UserContext(), id, principal(c).Employee.ID)
	if err != nil {
		return nil, err
	}
	if v.Quiz != quiz.Slug {
		return nil, store.Errorf(store.NotFound, "There is no attempt %d at this quiz.", id)
	}
	return v, nil
}

// attemptShow is the attempt page: the drawn questions in their fixed order,
// with the learner's saved answers and the time left.
func (s *Server) attemptShow(c *fiber.Ctx) error {
	course, o, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	v, err := s.loadAttemptView(c, quiz)
	if err != nil {
		return err
	}
	if v.SubmittedAt != nil {
		return c.Redirect(attemptURL(course.Slug, quiz.Slug, v.AttemptID)+"/result", http.StatusSeeOther)
	}
	qs := make([]quizQuestion, len(v.Questions))
	for i, sq := range v.Questions {
		qs[i] = newQuizQuestion(sq, sq.Answer)
	}
	return s.renderAttempt(c, http.StatusOK, course, o, quiz, v, qs, "")
}

func (s *Server) renderAttempt(c *fiber.Ctx, status int, course *courses.Course, o *courses.Outline, quiz *assessments.Quiz,
	v *assessments.AttemptView, qs []quizQuestion, problem string) error {
	data := fiber.Map{"Title": quiz.Title + " · attempt " + strconv.Itoa(v.Number), "Quiz": quiz, "View": v, "Questions": qs,
		"CourseTitle": o.Version.Title, "CourseURL": "/learn/" + url.PathEscape(course.Slug), "Base": quizBase(course.Slug, quiz.Slug),
		"URL": attemptURL(course.Slug, quiz.Slug, v.AttemptID), "Problem": problem}
	if v.Deadline != nil {
		left := int(v.Deadline.Sub(s.quizzes.Now()).Seconds())
		data["Remaining"], data["TimeUp"], data["DeadlineISO"] = max(left, 0), left <= 0, v.Deadline.UTC().Format(time.RFC3339)
	}
	return s.renderStatus(c, status, "quiz/attempt", data)
}

// saveForm saves every question of the attempt page's form (those listed in
// "q") whose answer changed. It returns the page's questions as typed, and
// whether any answer was refused (its message is on the question). Answers
// refused because the attempt is over are not errors: the submission decides.
func (s *Server) saveForm(c *fiber.Ctx, v *assessments.AttemptView, form url.Values) ([]quizQuestion, bool, error) {
	listed := form["q"]
	qs := make([]quizQuestion, len(v.Questions))
	refused := false
	now := s.quizzes.Now()
	for i, sq := range v.Questions {
		id := strconv.FormatInt(sq.ID, 10)
		if !slices.Contains(listed, id) {
			qs[i] = newQuizQuestion(sq, sq.Answer)
			continue
		}
		r, err := parseResponse(sq, form)
		if err == nil {
			switch {
			case sq.Answer != nil && sameResponse(*sq.Answer, r):
			case sq.Answer == nil && blankResponse(r):
			default:
				err = s.quizzes.SaveAnswer(c.UserContext(), v.AttemptID, principal(c).Employee.ID, sq.ID, r, now)
			}
		}
		qs[i] = newQuizQuestion(sq, &r)
		switch k := store.KindOf(err); {
		case err == nil, k == store.Conflict:
		case k == store.Invalid:
			qs[i].Error, refused = store.MessageOf(err), true
		default:
			return nil, false, err
		}
	}
	return qs, refused, nil
}

// formAnswers reads the attempt page's form (the questions listed in "q") as
// saveForm does, without saving: the page's questions as typed, the answers
// that changed (by question row id, in shown ids), and whether any answer
// could not be read (its message is on the question).
func formAnswers(v *assessments.AttemptView, form url.Values) ([]quizQuestion, map[int64]assessments.Response, bool) {
	listed := form["q"]
	qs := make([]quizQuestion, len(v.Questions))
	changed := map[int64]assessments.Response{}
	refused := false
	for i, sq := range v.Questions {
		if !slices.Contains(listed, strconv.FormatInt(sq.ID, 10)) {
			qs[i] = newQuizQuestion(sq, sq.Answer)
			continue
		}
		r, err := parseResponse(sq, form)
		qs[i] = newQuizQuestion(sq, &r)
		switch {
		case err != nil:
			qs[i].Error, refused = store.MessageOf(err), true
		case sq.Answer != nil && sameResponse(*sq.Answer, r):
		case sq.Answer == nil && blankResponse(r):
		default:
			changed[sq.ID] = r
		}
	}
	return qs, changed, refused
}

const submitRefused = "Some answers could not be saved, so the attempt was not submitted: see the messages below."

// attemptSave saves the whole attempt form (the no-JavaScript Save button)
// and shows the page again.
func (s *Server) attemptSave(c *fiber.Ctx) error {
	course, o, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	v, err := s.loadAttemptView(c, quiz)
	if err != nil {
		return err
	}
	back := attemptURL(course.Slug, quiz.Slug, v.AttemptID)
	if v.SubmittedAt != nil {
		return c.Redirect(back+"/result", http.StatusSeeOther)
	}
	form, err := formValues(c)
	if err != nil {
		return err
	}
	moved, movedText, movedPlace, isMove := applyMove(v, form)
	qs, refused, err := s.saveForm(c, v, form)
	if err != nil {
		return err
	}
	if refused {
		return s.renderAttempt(c, http.StatusUnprocessableEntity, course, o, quiz, v, qs, "Some answers could not be saved: see the messages below.")
	}
	timeUp := v.Deadline != nil && s.quizzes.Now().After(*v.Deadline)
	switch {
	case timeUp:
		s.flash(c, "error", "Time is up: answers can no longer be saved. Submit the attempt.")
	case isMove:
		s.flash(c, "success", "Moved “"+movedText+"” to place "+strconv.Itoa(movedPlace)+". The order is saved.")
	default:
		s.flash(c, "success", "Your answers are saved.")
	}
	switch {
	case form.Get("next") == "summary":
		return c.Redirect(back+"/summary", http.StatusSeeOther)
	case isMove:
		return c.Redirect(back+"#q-"+strconv.FormatInt(moved, 10), http.StatusSeeOther)
	}
	return c.Redirect(back, http.StatusSeeOther)
}

// summaryRow is one question on the summary page before submission.
type summaryRow struct {
	ID       int64
	Number   int
	Text     string
	Answered bool
}

// attemptSummary is the page before the final submit: each question
// answered or not with a link back to it, the time left, and the Submit
// button.
func (s *Server) attemptSummary(c *fiber.Ctx) error {
	course, o, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	v, err := s.loadAttemptView(c, quiz)
	if err != nil {
		return err
	}
	here := attemptURL(course.Slug, quiz.Slug, v.AttemptID)
	if v.SubmittedAt != nil {
		return c.Redirect(here+"/result", http.StatusSeeOther)
	}
	rows := make([]summaryRow, len(v.Questions))
	answered := 0
	for i, sq := range v.Questions {
		rows[i] = summaryRow{ID: sq.ID, Number: sq.Number, Text: sq.Text, Answered: sq.Answer != nil && !blankResponse(*sq.Answer)}
		if rows[i].Answered {
			answered++
		}
	}
	data := fiber.Map{"Title": quiz.Title + " · check and submit", "Quiz": quiz, "View": v, "Rows": rows,
		"Answered": answered, "Unanswered": len(rows) - answered,
		"CourseTitle": o.Version.Title, "CourseURL": "/learn/" + url.PathEscape(course.Slug), "Base": quizBase(course.Slug, quiz.Slug), "URL": here}
	if v.Deadline != nil {
		left := int(v.Deadline.Sub(s.quizzes.Now()).Seconds())
		data["Remaining"], data["TimeUp"], data["DeadlineISO"] = max(left, 0), left <= 0, v.Deadline.UTC().Format(time.RFC3339)
	}
	return s.render(c, "quiz/summary", data)
}

// answerRequest is one autosaved answer: the question's row id and the
// response in the ids the page showed.
type answerRequest struct {
	Question int64                `json:"question"`
	Response assessments.Response `json:"response"`
}

// attemptAnswer autosaves one answer (JSON, or the question's form fields
// with "question"): 204, or a 4xx JSON {"error","field"}.
func (s *Server) attemptAnswer(c *fiber.Ctx) error {
	_, _, quiz, err := s.quizFor(c)
	if err != nil {
		return s.jsonError(c, err)
	}
	id, err := idParam(c, "id", "There is no such attempt.")
	if err != nil {
		return s.jsonError(c, err)
	}
	emp := principal(c).Employee.ID
	var req answerRequest
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		if err := json.Unmarshal(c.Body(), &req); err != nil || req.Question < 1 {
			return s.jsonError(c, store.FieldError("question", "Send {\"question\": id, \"response\": {...}}."))
		}
		a, err := s.quizzes.FindAttempt(c.UserContext(), id, emp)
		if err != nil {
			return s.jsonError(c, err)
		}
		if a.QuizID != quiz.ID {
			return s.jsonError(c, store.Errorf(store.NotFound, "There is no attempt %d at this quiz.", id))
		}
	} else {
		v, err := s.loadAttemptView(c, quiz)
		if err != nil {
			return s.jsonError(c, err)
		}
		form, err := formValues(c)
		if err != nil {
			return s.jsonError(c, err)
		}
		req.Question, _ = strconv.ParseInt(form.Get("question"), 10, 64)
		i := slices.IndexFunc(v.Questions, func(q assessments.ShownQuestion) bool { return q.ID == req.Question })
		if i < 0 {
			return s.jsonError(c, store.FieldError("question", "That question is not part of this attempt. Reload the page."))
		}
		if req.Response, err = parseResponse(v.Questions[i], form); err != nil {
			return s.jsonError(c, err)
		}
	}
	err = s.quizzes.SaveAnswer(c.UserContext(), id, emp, req.Question, req.Response, s.quizzes.Now())
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			// The field names the form's question, never the question's authored id.
			err = &store.Error{Kind: store.Invalid, Field: "a" + strconv.FormatInt(req.Question, 10), Message: store.MessageOf(err)}
		}
		return s.jsonError(c, err)
	}
	return c.SendStatus(http.StatusNoContent)
}

// attemptSubmit saves the form's answers (when it sends them) and submits
// and scores the attempt once, deciding course completion in the same
// transaction (training.SubmitAttempt); then it shows the result.
func (s *Server) attemptSubmit(c *fiber.Ctx) error {
	course, o, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	emp := principal(c).Employee.ID
	v, err := s.loadAttemptView(c, quiz)
	if err != nil {
		return err
	}
	result := attemptURL(course.Slug, quiz.Slug, v.AttemptID) + "/result"
	if v.SubmittedAt != nil {
		return c.Redirect(result, http.StatusSeeOther)
	}
	form, err := formValues(c)
	if err != nil {
		return err
	}
	// The form's changed answers are saved in the submission's transaction.
	var qs []quizQuestion
	var answers map[int64]assessments.Response
	if len(form["q"]) > 0 {
		var refused bool
		qs, answers, refused = formAnswers(v, form)
		if refused {
			return s.renderAttempt(c, http.StatusUnprocessableEntity, course, o, quiz, v, qs, submitRefused)
		}
	}
	_, completed, err := s.training.SubmitAttempt(ctx, course.Slug, v.AttemptID, emp, answers, s.quizzes.Now())
	if err != nil {
		var ar *assessments.AnswersRefused
		if !errors.As(err, &ar) {
			return err
		}
		for i := range qs {
			if e := ar.Errors[v.Questions[i].ID]; e != nil {
				qs[i].Error = store.MessageOf(e)
			}
		}
		return s.renderAttempt(c, http.StatusUnprocessableEntity, course, o, quiz, v, qs, submitRefused)
	}
	if completed {
		s.flash(c, "success", "Course complete: "+o.Version.Title+". Well done.")
	}
	return c.Redirect(result, http.StatusSeeOther)
}

// reviewItem is one question of the result page's review.
type reviewItem struct {
	Number       int
	Text         string
	TextAfter    string
	Yours        []string
	Right        []string
	Feedback     []string
	Points       float64
	MaxPoints    float64
	Fraction     float64
	NeedsGrading bool
	Answered     bool
	GradeComment string
	Ordered      bool // an ordering: Yours and Right are numbered lists
	Alternatives bool // a short answer or number: any one of Right is right
}

// answerTexts describes a learner's answer in words, from the shown ids.
func answerTexts(sq assessments.ShownQuestion) []string {
	if sq.Answer == nil {
		return nil
	}
	r := sq.Answer
	text := func(opts []assessments.ShownOption, id string) string {
		for _, o := range opts {
			if o.ID == id {
				return o.Text
			}
		}
		return ""
	}
	var out []string
	switch sq.Type {
	case assessments.SingleChoice, assessments.MissingWord:
		if t := text(sq.Options, r.Choice); t != "" {
			out = append(out, t)
		}
	case assessments.TrueFalse:
		switch r.Choice {
		case "true":
			out = append(out, "True")
		case "false":
			out = append(out, "False")
		}
	case assessments.MultipleResponse:
		for _, o := range sq.Options {
			if slices.Contains(r.Choices, o.ID) {
				out = append(out, o.Text)
			}
		}
	case assessments.Ordering:
		for _, id := range r.Order {
			out = append(out, text(sq.Options, id))
		}
	case assessments.Matching:
		for _, l := range sq.Lefts {
			if rt := text(sq.Rights, r.Matches[l.ID]); rt != "" {
				out = append(out, l.Text+" → "+rt)
			}
		}
	default:
		if strings.TrimSpace(r.Text) != "" {
			out = append(out, r.Text)
		}
	}
	return out
}

// attemptResult shows a submitted attempt's score, and the review when the
// quiz's review policy allows it (else the policy's message).
func (s *Server) attemptResult(c *fiber.Ctx) error {
	course, o, quiz, err := s.quizFor(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id", "There is no such attempt.")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	emp := principal(c).Employee.ID
	a, err := s.quizzes.FindAttempt(ctx, id, emp)
	if err != nil {
		return err
	}
	if a.QuizID != quiz.ID {
		return store.Errorf(store.NotFound, "There is no attempt %d at this quiz.", id)
	}
	if !a.Submitted() {
		return c.Redirect(attemptURL(course.Slug, quiz.Slug, a.ID), http.StatusSeeOther)
	}
	data := fiber.Map{"Title": quiz.Title + " · result", "Quiz": quiz, "Attempt": a, "CourseTitle": o.Version.Title,
		"CourseURL": "/learn/" + url.PathEscape(course.Slug), "Base": quizBase(course.Slug, quiz.Slug)}
	if data["Reaction"], err = s.learnerReaction(c, course); err != nil { // the pass that completed the course lands here
		return err
	}
	data["Outcome"] = string(assessments.AttemptVerdict(a.Passed, 0, 0, 0, a.PassMark))
	if a.Passed == nil && a.Score != nil && a.MaxScore != nil {
		pending, err := s.quizzes.PendingPoints(ctx, a.ID, emp)
		if err != nil {
			return err
		}
		data["Outcome"] = string(assessments.AttemptVerdict(nil, *a.Score, *a.MaxScore, pending, a.PassMark))
		if *a.MaxScore > 0 {
			data["BestPercent"] = strconv.FormatFloat(assessments.RoundPercent(100*(*a.Score+pending) / *a.MaxScore), 'f', -1, 64)
		}
	}
	if a.Percent != nil {
		data["Percent"] = strconv.FormatFloat(*a.Percent, 'f', -1, 64)
		if a.PendingGrading == 0 {
			data["Band"] = quiz.BandFeedback(*a.Percent)
		}
	}
	if a.Score != nil && a.MaxScore != nil {
		data["Points"] = strconv.FormatFloat(*a.Score, 'f', -1, 64) + " of " + strconv.FormatFloat(*a.MaxScore, 'f', -1, 64)
	}
	rev, err := s.quizzes.Review(ctx, a.ID, emp)
	switch {
	case store.KindOf(err) == store.Forbidden:
		data["Policy"] = store.MessageOf(err)
	case err != nil:
		return err
	default:
		items := make([]reviewItem, len(rev.Questions))
		for i, q := range rev.Questions {
			items[i] = reviewItem{Number: q.Number, Text: q.Text, TextAfter: q.TextAfter, Yours: answerTexts(q.ShownQuestion),
				Right: q.RightAnswers, Feedback: q.Feedback, Points: q.Points, MaxPoints: q.ShownQuestion.Points,
				Fraction: q.Fraction, NeedsGrading: q.NeedsGrading, Answered: q.Answered, GradeComment: q.GradeComment,
				Ordered: q.Type == assessments.Ordering, Alternatives: q.Type == assessments.ShortAnswer || q.Type == assessments.Numeric}
		}
		data["Review"] = items
	}
	return s.render(c, "quiz/result", data)
}

// courseQuiz is one quiz on a course page with the learner's best result.
type courseQuiz struct {
	Title, URL string
	Required   bool
	Attempts   int
	Best       string // best percent, "" before any scored attempt
	Passed     bool
	InProgress bool
}

// courseQuizzes lists the course's quizzes with the employee's results, for
// the course page; required are the assessment slugs the learner's version
// of the course lists.
func (s *Server) courseQuizzes(ctx context.Context, employeeID int64, courseSlug string, required []string, since time.Time) ([]courseQuiz, error) {
	list, err := s.quizzes.QuizzesForCourse(ctx, courseSlug)
	if err != nil {
		return nil, err
	}
	for _, slug := range required { // a copied course may require the original's quiz
		if slices.ContainsFunc(list, func(q *assessments.Quiz) bool { return q.Slug == slug }) {
			continue
		}
		if q, err := s.quizzes.FindQuiz(ctx, slug); err == nil {
			list = append(list, q)
		} else if !store.IsNotFound(err) {
			return nil, err
		}
	}
	if len(list) == 0 {
		return nil, nil
	}
	attempts, err := s.quizzes.ListAttempts(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	out := make([]courseQuiz, len(list))
	for i, q := range list {
		cq := courseQuiz{Title: q.Title, URL: quizBase(q.CourseSlug, q.Slug), Required: slices.Contains(required, q.Slug)}
		best := -1.0
		for _, a := range attempts {
			if a.Quiz != q.Slug || (a.SubmittedAt != nil && a.StartedAt.Before(since)) {
				continue
			}
			cq.Attempts++
			if a.SubmittedAt == nil {
				cq.InProgress = true
			}
			if a.Score != nil && *a.Score > best {
				best = *a.Score
			}
			if a.Passed != nil && *a.Passed {
				cq.Passed = true
			}
		}
		if best >= 0 {
			cq.Best = strconv.FormatFloat(best, 'f', -1, 64)
		}
		out[i] = cq
	}
	return out, nil
}

// courseRoleplay is one role-play checklist on a course page with the
// employee's latest signed-off observation on it.
type courseRoleplay struct {
	Slug, Title  string
	Required     bool
	Observed     bool
	Passed       bool
	Score        string // percent of the latest result
	ReobserveDue string // after a failure
	SelfURL      string
}

// courseRoleplays lists the role-plays of the course that the learner's
// version requires, with where they stand; others of the course follow.
func (s *Server) courseRoleplays(ctx context.Context, employeeID int64, courseSlug string, required []string, since time.Time) ([]courseRoleplay, error) {
	all, err := s.observations.ListChecklists(ctx)
	if err != nil {
		return nil, err
	}
	var out []courseRoleplay
	for _, cl := range all {
		if cl.CourseSlug != courseSlug && !slices.Contains(required, cl.Slug) {
			continue
		}
		out = append(out, courseRoleplay{Slug: cl.Slug, Title: cl.Title, Required: slices.Contains(required, cl.Slug),
			SelfURL: "/me/self-assessment/" + url.PathEscape(cl.Slug)})
	}
	if len(out) == 0 {
		return nil, nil
	}
	history, err := s.observations.History(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, o := range history { // newest first
			if o.ChecklistSlug != out[i].Slug || o.Status != assessments.ObservationSignedOff || o.SignedOffAt == nil || o.SignedOffAt.Before(since) {
				continue
			}
			out[i].Observed, out[i].Passed = true, o.Passed != nil && *o.Passed
			if o.Score != nil {
				out[i].Score = percent(o.Score)
			}
			if !out[i].Passed && o.ReobserveDue != nil {
				out[i].ReobserveDue = *o.ReobserveDue
			}
			break
		}
	}
	slices.SortStableFunc(out, func(a, b courseRoleplay) int {
		if a.Required != b.Required {
			if a.Required {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}
