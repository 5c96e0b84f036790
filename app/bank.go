package app

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

// Question banks and quiz settings (HR): the bank of a course with its
// filters, GIFT/Aiken import with a dry run, GIFT export, an editor with a
// learner's-eye preview for every question type, and the quiz settings form.

func bankPath(slug string) string { return coursePath(slug) + "/bank" }

func questionPath(slug, qid string) string { return bankPath(slug) + "/" + url.PathEscape(qid) }

func quizPath(slug, quiz string) string { return coursePath(slug) + "/quizzes/" + url.PathEscape(quiz) }

// typeLabels names the question types as authors read them.
var typeLabels = map[assessments.Type]string{
	assessments.SingleChoice:     "Single choice",
	assessments.MultipleResponse: "Multiple response",
	assessments.TrueFalse:        "True / false",
	assessments.ShortAnswer:      "Short answer",
	assessments.Numeric:          "Numeric",
	assessments.Matching:         "Matching",
	assessments.Ordering:         "Ordering",
	assessments.MissingWord:      "Missing word",
	assessments.Essay:            "Essay",
}

// typeChoice is one question type for a menu or filter.
type typeChoice struct {
	Value, Label string
	Count        int
}

func typeChoices() []typeChoice {
	out := make([]typeChoice, len(assessments.Types))
	for i, t := range assessments.Types {
		out[i] = typeChoice{Value: string(t), Label: typeLabels[t]}
	}
	return out
}

// bankCourse is the course named in the address, with a title to show.
type bankCourse struct {
	Slug, Title string
}

// findBankCourse returns the course of the address, or NotFound.
func (s *Server) findBankCourse(c *fiber.Ctx) (bankCourse, error) {
	course, err := s.courses.AuthoringCourse(c.UserContext(), slugParam(c, "slug"))
	if err != nil {
		return bankCourse{}, err
	}
	return bankCourse{Slug: course.Slug, Title: s.courseTitle(c.UserContext(), course)}, nil
}

// courseTitle is the published title, else the draft's, else the slug.
func (s *Server) courseTitle(ctx context.Context, course *courses.Course) string {
	for _, id := range []*int64{course.PublishedVersionID, course.DraftVersionID} {
		if id == nil {
			continue
		}
		if o, err := s.courses.Outline(ctx, *id); err == nil {
			return o.Version.Title
		}
	}
	return course.Slug
}

// emptyImportResult has a zero count for every type and empty lists.
func emptyImportResult() assessments.ImportResult {
	r := assessments.ImportResult{ByType: map[string]int{}, Questions: []assessments.ImportedQuestion{}, Errors: []assessments.ParseError{}}
	for _, t := range assessments.Types {
		r.ByType[string(t)] = 0
	}
	return r
}

// importQuestions imports GIFT (format "gift" or "") or Aiken ("aiken")
// text into the course's bank as ImportGIFT does: nothing is written when
// there is an error, or in a dry run. When the text imports (or would), it
// also returns the cue check's warnings about its questions: advice that
// never stops the import.
func importQuestions(ctx context.Context, st *assessments.Store, slug, src, format string, dryRun bool, by *int64) (assessments.ImportResult, []assessments.CueWarning, error) {
	switch format {
	case "", "gift":
	case "aiken":
		qs, perrs := assessments.ParseAiken(src)
		if len(perrs) > 0 {
			res := emptyImportResult()
			res.Errors = append(res.Errors, perrs...)
			return res, nil, nil
		}
		src = assessments.ExportGIFT(qs)
	default:
		return emptyImportResult(), nil, store.FieldError("format", "The format %q is not gift or aiken.", format)
	}
	res, err := st.ImportGIFT(ctx, slug, src, dryRun, by)
	if err != nil || len(res.Errors) > 0 {
		return res, nil, err
	}
	return res, importWarnings(src), nil
}

// --- The bank -------------------------------------------------------------

// bankRow is one question in the bank list.
type bankRow struct {
	ID, Title, Type, TypeLabel string
	Tags                       []string
	Version                    int
	Cues                       []cueNote // the cue check's warnings about it
}

// importForm is the import form as typed.
type importForm struct {
	Text, Format, FileName string
	DryRun                 bool
}

// newImportForm reads the pasted text; the format is GIFT unless Aiken is
// chosen, and only the Import button writes (anything else is a dry run).
// An uploaded file replaces the text (see bankImport).
func newImportForm(c *fiber.Ctx) importForm {
	f := importForm{Text: formValue(c, "text"), Format: formTrimmed(c, "format"), DryRun: c.FormValue("action") != "import"}
	if f.Format != "aiken" {
		f.Format = "gift"
	}
	return f
}

func (s *Server) bankIndex(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	return s.bankPage(c, http.StatusOK, course, importForm{Format: "gift"}, nil, nil, nil)
}

// bankPage shows the bank with each question's cue warnings and the health
// panel, and the import form with res (a dry run's plan, or its errors) and
// cues, the cue warnings about the imported text.
func (s *Server) bankPage(c *fiber.Ctx, status int, course bankCourse, form importForm, res *assessments.ImportResult, cues []assessments.CueWarning, errs map[string]string) error {
	ctx := c.UserContext()
	list, err := s.quizzes.ListQuestions(ctx, course.Slug)
	if err != nil {
		return err
	}
	quizzes, err := s.quizzes.QuizzesForCourse(ctx, course.Slug)
	if err != nil {
		return err
	}
	var required []string // by the published version
	if _, o, err := s.courses.PublishedOutline(ctx, course.Slug); err == nil {
		required = o.Version.AssessmentList()
	} else if !store.IsNotFound(err) {
		return err
	}
	qs := bankQuestions(list)
	warnings := assessments.CheckBank(qs)
	byQuestion := cueByQuestion(warnings)
	fType, fTag := strings.Clone(c.Query("type")), strings.Clone(c.Query("tag"))
	types := typeChoices()
	var tags []string
	var rows []bankRow
	for _, bq := range list {
		q := bq.Question
		for i := range types {
			if types[i].Value == string(q.Type) {
				types[i].Count++
			}
		}
		for _, t := range q.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		if (fType != "" && string(q.Type) != fType) || (fTag != "" && !slices.Contains(q.Tags, fTag)) {
			continue
		}
		rows = append(rows, bankRow{ID: q.ID, Title: q.Title, Type: string(q.Type), TypeLabel: typeLabels[q.Type], Tags: q.Tags, Version: bq.Version, Cues: byQuestion[q.ID]})
	}
	slices.Sort(tags)
	importRows, importBank := importCueRows(res, cues)
	return s.renderStatus(c, status, "bank/index", fiber.Map{"Title": "Question bank: " + course.Title, "Course": course,
		"Rows": rows, "Total": len(list), "Types": types, "Tags": tags, "FilterType": fType, "FilterTag": fTag,
		"Quizzes": quizzes, "Required": required, "Import": form, "Result": res, "Errors": errs, "MaxMB": assessments.MaxQuestionFile >> 20,
		"Health": bankHealthOf(qs, warnings, quizzes), "ImportRows": importRows, "ImportBankCues": importBank, "ImportCueCount": len(cues)})
}

// bankImport runs a dry run (the default) or an import of pasted or
// uploaded GIFT/Aiken text; with any error nothing is written.
func (s *Server) bankImport(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	form := newImportForm(c)
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		form.FileName = strings.Clone(fh.Filename)
		if fh.Size > assessments.MaxQuestionFile {
			return s.bankPage(c, http.StatusRequestEntityTooLarge, course, form, nil, nil, map[string]string{
				"file": fmt.Sprintf("%s is %.1f MB; the limit is %d MB.", form.FileName, float64(fh.Size)/(1<<20), assessments.MaxQuestionFile>>20)})
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(f, assessments.MaxQuestionFile+1))
		f.Close()
		if err != nil {
			return err
		}
		form.Text = string(data)
	}
	if len(form.Text) > assessments.MaxQuestionFile {
		n := len(form.Text)
		form.Text = ""
		return s.bankPage(c, http.StatusRequestEntityTooLarge, course, form, nil, nil, map[string]string{
			"text": fmt.Sprintf("The text is %.1f MB; the limit is %d MB.", float64(n)/(1<<20), assessments.MaxQuestionFile>>20)})
	}
	if strings.TrimSpace(form.Text) == "" {
		return s.bankPage(c, http.StatusUnprocessableEntity, course, form, nil, nil, map[string]string{
			"text": "Paste the questions in GIFT or Aiken, or choose a file."})
	}
	res, cues, err := importQuestions(c.UserContext(), s.quizzes, course.Slug, form.Text, form.Format, form.DryRun, actorID(c))
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		return s.bankPage(c, http.StatusUnprocessableEntity, course, form, &res, nil, nil)
	}
	if form.DryRun {
		return s.bankPage(c, http.StatusOK, course, form, &res, cues, nil)
	}
	summary := fmt.Sprintf("%d created, %d updated, %d unchanged", res.Created, res.Updated, res.Unchanged)
	if err := s.auditCourse(c, "questions.import", course.Slug, summary); err != nil {
		return err
	}
	msg := "Questions imported: " + summary + "."
	if len(cues) > 0 {
		msg += fmt.Sprintf(" The cue check found %s in them, listed next to each question and in the bank health panel; they did not stop the import.", plural(len(cues), "warning", "warnings"))
	}
	s.flash(c, "success", msg)
	return c.Redirect(bankPath(course.Slug), http.StatusSeeOther)
}

// bankExport downloads the current questions as a GIFT file.
func (s *Server) bankExport(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	text, err := s.quizzes.ExportGIFT(c.UserContext(), course.Slug)
	if err != nil {
		return err
	}
	download(c, "text/plain; charset=utf-8", "attachment", course.Slug+".gift")
	return c.SendString(text)
}

// --- The question editor --------------------------------------------------

type optionRow struct{ ID, Text, Weight, Feedback string }

type answerRow struct{ Text, Weight, Feedback string }

type numberRow struct{ Kind, Value, Tolerance, Min, Max, Weight, Feedback string }

type pairRow struct{ ID, Left, Right string }

// questionForm is the question editor as typed.
type questionForm struct {
	ID, Title, Type, Text, TextAfter, Format, Tags, Points, GeneralFeedback string
	AllOrNothing                                                            bool
	Correct, TrueFeedback, FalseFeedback                                    string
	Options                                                                 []optionRow
	Answers                                                                 []answerRow
	Numbers                                                                 []numberRow
	Pairs                                                                   []pairRow
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// questionFormOf fills the editor from a saved question.
func questionFormOf(q assessments.Question) questionForm {
	f := questionForm{ID: q.ID, Title: q.Title, Type: string(q.Type), Text: q.Text, TextAfter: q.TextAfter, Format: q.Format,
		Tags: strings.Join(q.Tags, ", "), Points: num(q.Points), GeneralFeedback: q.GeneralFeedback, AllOrNothing: q.AllOrNothing,
		Correct: strconv.FormatBool(q.Correct), TrueFeedback: q.TrueFeedback, FalseFeedback: q.FalseFeedback}
	for _, o := range q.Options {
		f.Options = append(f.Options, optionRow{ID: o.ID, Text: o.Text, Weight: num(o.Weight), Feedback: o.Feedback})
	}
	for _, a := range q.Answers {
		f.Answers = append(f.Answers, answerRow{Text: a.Text, Weight: num(a.Weight), Feedback: a.Feedback})
	}
	for _, n := range q.Numbers {
		r := numberRow{Kind: "exact", Value: num(n.Value), Tolerance: num(n.Tolerance), Weight: num(n.Weight), Feedback: n.Feedback}
		if n.IsRange {
			r = numberRow{Kind: "range", Min: num(n.Min), Max: num(n.Max), Weight: num(n.Weight), Feedback: n.Feedback}
		}
		f.Numbers = append(f.Numbers, r)
	}
	for _, p := range q.Pairs {
		f.Pairs = append(f.Pairs, pairRow{ID: p.ID, Left: p.Left, Right: p.Right})
	}
	return f
}

func newQuestionForm(c *fiber.Ctx) questionForm {
	f := questionForm{ID: formTrimmed(c, "id"), Title: formTrimmed(c, "title"), Type: formValue(c, "type"),
		Text: formValue(c, "text"), TextAfter: formValue(c, "text_after"), Format: formValue(c, "format"), Tags: formValue(c, "tags"),
		Points: formTrimmed(c, "points"), GeneralFeedback: formValue(c, "general_feedback"),
		AllOrNothing: formChecked(c, "all_or_nothing"), Correct: formValue(c, "correct"),
		TrueFeedback: formValue(c, "true_feedback"), FalseFeedback: formValue(c, "false_feedback")}
	oid, otext, ow, ofb := formList(c, "opt_id"), formList(c, "opt_text"), formList(c, "opt_weight"), formList(c, "opt_feedback")
	for i := range longest(oid, otext, ow, ofb) {
		f.Options = append(f.Options, optionRow{ID: strings.TrimSpace(at(oid, i)), Text: oneLine(at(otext, i)), Weight: strings.TrimSpace(at(ow, i)), Feedback: oneLine(at(ofb, i))})
	}
	at2, aw, afb := formList(c, "ans_text"), formList(c, "ans_weight"), formList(c, "ans_feedback")
	for i := range longest(at2, aw, afb) {
		f.Answers = append(f.Answers, answerRow{Text: oneLine(at(at2, i)), Weight: strings.TrimSpace(at(aw, i)), Feedback: oneLine(at(afb, i))})
	}
	nk, nv, nt, nmin, nmax, nw, nfb := formList(c, "num_kind"), formList(c, "num_value"), formList(c, "num_tolerance"),
		formList(c, "num_min"), formList(c, "num_max"), formList(c, "num_weight"), formList(c, "num_feedback")
	for i := range longest(nv, nt, nmin, nmax, nw, nfb) {
		f.Numbers = append(f.Numbers, numberRow{Kind: at(nk, i), Value: strings.TrimSpace(at(nv, i)), Tolerance: strings.TrimSpace(at(nt, i)),
			Min: strings.TrimSpace(at(nmin, i)), Max: strings.TrimSpace(at(nmax, i)), Weight: strings.TrimSpace(at(nw, i)), Feedback: oneLine(at(nfb, i))})
	}
	pid, pl, pr := formList(c, "pair_id"), formList(c, "pair_left"), formList(c, "pair_right")
	for i := range longest(pid, pl, pr) {
		f.Pairs = append(f.Pairs, pairRow{ID: strings.TrimSpace(at(pid, i)), Left: oneLine(at(pl, i)), Right: oneLine(at(pr, i))})
	}
	return f
}

// nextID returns the first of gen(0), gen(1) … not in used, and marks it used.
func nextID(used map[string]bool, gen func(int) string) string {
	for i := 0; ; i++ {
		if id := gen(i); !used[id] {
			used[id] = true
			return id
		}
	}
}

func optionLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('a' + (i-1)%26)}, b...)
	}
	return string(b)
}

// question turns the form into a question. Blank rows are dropped; rows
// without an id get one. Numbers that do not read are reported by field.
func (f questionForm) question() (assessments.Question, fieldMessages) {
	errs := fieldMessages{}
	q := assessments.Question{ID: f.ID, Title: f.Title, Type: assessments.Type(f.Type), Text: f.Text, Format: f.Format,
		GeneralFeedback: f.GeneralFeedback}
	if q.Type == assessments.MissingWord {
		q.TextAfter = f.TextAfter
	}
	for _, t := range strings.Split(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			q.Tags = append(q.Tags, t)
		}
	}
	if p, ok := parseNumber(f.Points, 0); ok {
		q.Points = p
	} else {
		errs.add("points", "Enter the points as a number, such as 1.")
	}
	switch q.Type {
	case assessments.SingleChoice, assessments.MultipleResponse, assessments.MissingWord, assessments.Ordering:
		used := map[string]bool{}
		for _, o := range f.Options {
			if o.ID != "" {
				used[o.ID] = true
			}
		}
		for i, o := range f.Options {
			if strings.TrimSpace(o.Text) == "" && o.ID == "" && strings.TrimSpace(o.Feedback) == "" && (o.Weight == "" || o.Weight == "0") {
				continue
			}
			w, ok := parseNumber(o.Weight, 0)
			if !ok && q.Type != assessments.Ordering {
				errs.add("options", fmt.Sprintf("Row %d: enter the weight as a percentage, such as 100 or -50.", i+1))
			}
			if o.ID == "" {
				o.ID = nextID(used, optionLetter)
			}
			opt := assessments.Option{ID: o.ID, Text: o.Text, Weight: w, Feedback: o.Feedback}
			if q.Type == assessments.Ordering {
				opt.Weight, opt.Feedback = 0, ""
			}
			q.Options = append(q.Options, opt)
		}
		q.AllOrNothing = q.Type == assessments.MultipleResponse && f.AllOrNothing
	case assessments.TrueFalse:
		q.Correct = f.Correct == "true"
		q.TrueFeedback, q.FalseFeedback = f.TrueFeedback, f.FalseFeedback
	case assessments.ShortAnswer:
		for i, a := range f.Answers {
			if strings.TrimSpace(a.Text) == "" && strings.TrimSpace(a.Feedback) == "" {
				continue
			}
			w, ok := parseNumber(a.Weight, 100)
			if !ok {
				errs.add("answers", fmt.Sprintf("Row %d: enter the weight as a percentage, such as 100.", i+1))
			}
			q.Answers = append(q.Answers, assessments.TextAnswer{Text: a.Text, Weight: w, Feedback: a.Feedback})
		}
	case assessments.Numeric:
		for i, n := range f.Numbers {
			if n.Value == "" && n.Tolerance == "" && n.Min == "" && n.Max == "" && strings.TrimSpace(n.Feedback) == "" {
				continue
			}
			a := assessments.NumericAnswer{IsRange: n.Kind == "range", Feedback: n.Feedback}
			ok1, ok2, ok3 := true, true, true
			a.Weight, ok3 = parseNumber(n.Weight, 100)
			if a.IsRange {
				a.Min, ok1 = parseNumber(n.Min, math.NaN())
				a.Max, ok2 = parseNumber(n.Max, math.NaN())
				ok1, ok2 = ok1 && !math.IsNaN(a.Min), ok2 && !math.IsNaN(a.Max)
			} else {
				a.Value, ok1 = parseNumber(n.Value, math.NaN())
				ok1 = ok1 && !math.IsNaN(a.Value)
				a.Tolerance, ok2 = parseNumber(n.Tolerance, 0)
			}
			if !ok1 || !ok2 || !ok3 {
				errs.add("numbers", fmt.Sprintf("Row %d: enter numbers, such as 12.5 (a range needs both ends).", i+1))
				a.Min, a.Max, a.Value = 0, 0, 0
			}
			q.Numbers = append(q.Numbers, a)
		}
	case assessments.Matching:
		used := map[string]bool{}
		for _, p := range f.Pairs {
			if p.ID != "" {
				used[p.ID] = true
			}
		}
		for _, p := range f.Pairs {
			if strings.TrimSpace(p.Left) == "" && strings.TrimSpace(p.Right) == "" {
				continue
			}
			if p.ID == "" {
				p.ID = nextID(used, func(i int) string { return "p" + strconv.Itoa(i+1) })
			}
			q.Pairs = append(q.Pairs, assessments.Pair{ID: p.ID, Left: p.Left, Right: p.Right})
		}
	}
	for _, err := range assessments.ValidateQuestion(q) {
		errs.add(store.FieldOf(err), store.MessageOf(err))
	}
	return q, errs
}

// withBlankRows adds empty rows for the author to fill in.
func (f questionForm) withBlankRows() questionForm {
	f.Options = slices.Clip(f.Options)
	f.Answers = slices.Clip(f.Answers)
	f.Numbers = slices.Clip(f.Numbers)
	f.Pairs = slices.Clip(f.Pairs)
	for range max(3, 5-len(f.Options)) {
		f.Options = append(f.Options, optionRow{})
	}
	for range max(2, 3-len(f.Answers)) {
		f.Answers = append(f.Answers, answerRow{})
	}
	for range max(2, 3-len(f.Numbers)) {
		f.Numbers = append(f.Numbers, numberRow{Kind: "exact"})
	}
	for range max(2, 4-len(f.Pairs)) {
		f.Pairs = append(f.Pairs, pairRow{})
	}
	return f
}

// questionPreview is a question as a learner sees it: no weights, no
// feedback, no right answers, and lists a learner sees shuffled in a
// fixed order that gives nothing away.
type questionPreview struct {
	Type               string
	Text, TextAfter    template.HTML
	Options            []string
	Lefts, Rights      []string
	Points             float64
	MultipleSelections bool
}

// previewText renders question text in its format: Markdown and HTML
// sanitised as lessons are, anything else as escaped text.
func previewText(s, format string) template.HTML {
	if format == "markdown" || format == "html" {
		return template.HTML(courses.RenderMarkdown(s))
	}
	return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "\n", "<br>"))
}

func previewOf(q assessments.Question) *questionPreview {
	p := &questionPreview{Type: string(q.Type), Text: previewText(q.Text, q.Format), Points: q.Points,
		MultipleSelections: q.Type == assessments.MultipleResponse}
	if q.Type == assessments.MissingWord {
		p.TextAfter = previewText(q.TextAfter, q.Format)
	}
	if p.Points <= 0 {
		p.Points = 1
	}
	for _, o := range q.Options {
		p.Options = append(p.Options, o.Text)
	}
	if q.Type == assessments.Ordering {
		slices.Sort(p.Options) // the correct order is the authored one
	}
	for _, pr := range q.Pairs {
		if strings.TrimSpace(pr.Left) != "" {
			p.Lefts = append(p.Lefts, pr.Left)
		}
		if !slices.Contains(p.Rights, pr.Right) {
			p.Rights = append(p.Rights, pr.Right)
		}
	}
	slices.Sort(p.Rights)
	return p
}

var questionFieldOrder = []string{"id", "type", "title", "text", "format", "points", "tags", "options", "answers", "numbers", "pairs"}

func (s *Server) questionPage(c *fiber.Ctx, status int, course bankCourse, bq *assessments.BankQuestion, form questionForm, errs fieldMessages) error {
	q, _ := form.question()
	title := "New question"
	if bq != nil {
		title = "Edit question: " + bq.Question.ID
	}
	data := fiber.Map{"Title": title, "Course": course, "BQ": bq, "Form": form.withBlankRows(), "TypeLabel": typeLabels[assessments.Type(form.Type)],
		"Preview": previewOf(q), "Errors": map[string]string(errs), "ErrorList": orderedErrors(errs, questionFieldOrder),
		"Formats": []string{"", "plain", "markdown", "html", "moodle"}, "Cues": cueNotes(assessments.CheckQuestion(q))}
	if errs == nil {
		data["Errors"] = map[string]string{}
	}
	return s.renderStatus(c, status, "bank/question", data)
}

// questionNew shows an empty editor for ?type=, or the list of types.
func (s *Server) questionNew(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	t := assessments.Type(c.Query("type"))
	if !slices.Contains(assessments.Types, t) {
		return s.render(c, "bank/types", fiber.Map{"Title": "New question", "Course": course, "Types": typeChoices()})
	}
	form := questionForm{Type: string(t), Points: "1", Correct: "true"}
	return s.questionPage(c, http.StatusOK, course, nil, form, nil)
}

// questionCreate adds a question to the bank (or previews the typed one).
func (s *Server) questionCreate(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	form := newQuestionForm(c)
	if !slices.Contains(assessments.Types, assessments.Type(form.Type)) {
		return store.FieldError("type", "Choose the type of question.")
	}
	q, errs := form.question()
	if c.FormValue("action") == "preview" {
		return s.questionPage(c, http.StatusOK, course, nil, form, nil)
	}
	if q.ID != "" && len(errs) == 0 {
		if _, err := s.quizzes.FindQuestion(c.UserContext(), course.Slug, q.ID); err == nil {
			errs.add("id", fmt.Sprintf("There is already a question %q in this bank; choose another id or edit that question.", q.ID))
		} else if !store.IsNotFound(err) {
			return err
		}
	}
	return s.questionStore(c, course, nil, form, q, errs)
}

// questionStore saves q, or shows the form again (422) with errs.
func (s *Server) questionStore(c *fiber.Ctx, course bankCourse, bq *assessments.BankQuestion, form questionForm, q assessments.Question, errs fieldMessages) error {
	if len(errs) == 0 {
		saved, err := s.quizzes.SaveQuestion(c.UserContext(), course.Slug, q, actorID(c))
		if f, msg, ok := asFieldError(err); ok {
			errs.add(f, msg)
		} else if err != nil {
			return err
		} else {
			if bq != nil && saved.Version == bq.Version {
				s.flash(c, "info", "Nothing changed: the question is still version "+strconv.Itoa(saved.Version)+".")
			} else {
				if err := s.auditCourse(c, "question.save", course.Slug+"/"+saved.Question.ID, fmt.Sprintf("version %d", saved.Version)); err != nil {
					return err
				}
				s.flash(c, "success", fmt.Sprintf("Question saved as version %d. Attempts already started keep the version they drew.", saved.Version))
			}
			return c.Redirect(questionPath(course.Slug, saved.Question.ID), http.StatusSeeOther)
		}
	}
	return s.questionPage(c, http.StatusUnprocessableEntity, course, bq, form, errs)
}

func (s *Server) bankQuestion(c *fiber.Ctx) (bankCourse, *assessments.BankQuestion, error) {
	course, err := s.findBankCourse(c)
	if err != nil {
		return course, nil, err
	}
	bq, err := s.quizzes.FindQuestion(c.UserContext(), course.Slug, slugParam(c, "qid"))
	return course, bq, err
}

func (s *Server) questionEdit(c *fiber.Ctx) error {
	course, bq, err := s.bankQuestion(c)
	if err != nil {
		return err
	}
	return s.questionPage(c, http.StatusOK, course, bq, questionFormOf(bq.Question), nil)
}

// questionSave saves the edited question as a new version (or previews it).
// The id and type stay those of the saved question.
func (s *Server) questionSave(c *fiber.Ctx) error {
	course, bq, err := s.bankQuestion(c)
	if err != nil {
		return err
	}
	form := newQuestionForm(c)
	form.ID, form.Type = bq.Question.ID, string(bq.Question.Type)
	q, errs := form.question()
	q.Category = bq.Question.Category
	if c.FormValue("action") == "preview" {
		return s.questionPage(c, http.StatusOK, course, bq, form, nil)
	}
	return s.questionStore(c, course, bq, form, q, errs)
}

// questionRetire takes a question out of the bank.
func (s *Server) questionRetire(c *fiber.Ctx) error {
	course, bq, err := s.bankQuestion(c)
	if err != nil {
		return err
	}
	if err := s.quizzes.RetireQuestion(c.UserContext(), course.Slug, bq.Question.ID); err != nil {
		return err
	}
	if err := s.auditCourse(c, "question.retire", course.Slug+"/"+bq.Question.ID, fmt.Sprintf("version %d", bq.Version)); err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Question %s retired: new attempts no longer draw it.", bq.Question.ID))
	return c.Redirect(bankPath(course.Slug), http.StatusSeeOther)
}

// --- Quiz settings --------------------------------------------------------

type bandRow struct{ Min, Text string }

// quizForm is the quiz settings form as typed.
type quizForm struct {
	Slug, Title, DrawCount, DrawPerTag, PassMark, AttemptLimit, MinWait, TimeLimit, ReviewPolicy string
	ShuffleQuestions, ShuffleOptions                                                             bool
	Bands                                                                                        []bandRow
}

func quizFormOf(q assessments.QuizSettings) quizForm {
	f := quizForm{Slug: q.Slug, Title: q.Title, DrawCount: strconv.Itoa(q.DrawCount), PassMark: num(q.PassMark),
		AttemptLimit: strconv.Itoa(q.AttemptLimit), MinWait: strconv.Itoa(q.MinWaitMinutes), TimeLimit: strconv.Itoa(q.TimeLimitMinutes),
		ReviewPolicy: q.ReviewPolicy, ShuffleQuestions: q.ShuffleQuestions, ShuffleOptions: q.ShuffleOptions}
	var lines []string
	for tag, n := range q.DrawPerTag {
		lines = append(lines, tag+": "+strconv.Itoa(n))
	}
	slices.Sort(lines)
	f.DrawPerTag = strings.Join(lines, "\n")
	for _, b := range q.FeedbackBands {
		f.Bands = append(f.Bands, bandRow{Min: num(b.Min), Text: b.Text})
	}
	return f
}

func newQuizForm(c *fiber.Ctx) quizForm {
	f := quizForm{Slug: formTrimmed(c, "slug"), Title: formTrimmed(c, "title"),
		DrawCount: formTrimmed(c, "draw_count"), DrawPerTag: formValue(c, "draw_per_tag"),
		PassMark: formTrimmed(c, "pass_mark"), AttemptLimit: formTrimmed(c, "attempt_limit"),
		MinWait: formTrimmed(c, "min_wait_minutes"), TimeLimit: formTrimmed(c, "time_limit_minutes"),
		ReviewPolicy: formValue(c, "review_policy"), ShuffleQuestions: formChecked(c, "shuffle_questions"),
		ShuffleOptions: formChecked(c, "shuffle_options")}
	mins, texts := formList(c, "band_min"), formList(c, "band_text")
	for i := range longest(mins, texts) {
		f.Bands = append(f.Bands, bandRow{Min: strings.TrimSpace(at(mins, i)), Text: at(texts, i)})
	}
	return f
}

// settings turns the form into quiz settings for courseSlug, with every
// problem by field.
func (f quizForm) settings(courseSlug string) (assessments.QuizSettings, fieldMessages) {
	errs := fieldMessages{}
	q := assessments.QuizSettings{CourseSlug: courseSlug, Slug: f.Slug, Title: f.Title, ReviewPolicy: f.ReviewPolicy,
		ShuffleQuestions: f.ShuffleQuestions, ShuffleOptions: f.ShuffleOptions}
	whole := func(field, s string, def int, msg string) int {
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs.add(field, msg)
		}
		return n
	}
	q.DrawCount = whole("draw_count", f.DrawCount, 0, "Enter the number of questions as a whole number, such as 10.")
	q.AttemptLimit = whole("attempt_limit", f.AttemptLimit, 0, "Enter the attempts as a whole number, or 0 for no limit.")
	q.MinWaitMinutes = whole("min_wait_minutes", f.MinWait, 0, "Enter the wait in whole minutes, or 0.")
	q.TimeLimitMinutes = whole("time_limit_minutes", f.TimeLimit, 0, "Enter the time limit in whole minutes, or 0 for none.")
	if p, ok := parseNumber(f.PassMark, math.NaN()); ok {
		q.PassMark = p
	} else {
		q.PassMark = math.NaN()
	}
	for i, line := range strings.Split(strings.ReplaceAll(f.DrawPerTag, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		tag, n, ok := strings.Cut(line, ":")
		count, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err != nil {
			errs.add("draw_per_tag", fmt.Sprintf("Line %d: write a tag, a colon and a number, such as \"Courtesy: 3\".", i+1))
			continue
		}
		if q.DrawPerTag == nil {
			q.DrawPerTag = map[string]int{}
		}
		q.DrawPerTag[strings.TrimSpace(tag)] += count
	}
	for i, b := range f.Bands {
		if b.Min == "" && strings.TrimSpace(b.Text) == "" {
			continue
		}
		m, ok := parseNumber(b.Min, math.NaN())
		if !ok || math.IsNaN(m) {
			errs.add("feedback_bands", fmt.Sprintf("Row %d: enter the lowest score of the band as a percentage, such as 80.", i+1))
			m = 0
		}
		q.FeedbackBands = append(q.FeedbackBands, assessments.FeedbackBand{Min: m, Text: b.Text})
	}
	for _, err := range assessments.ValidateQuiz(q) {
		if f := store.FieldOf(err); f == "course_slug" {
			errs.add("slug", store.MessageOf(err))
		} else if _, done := errs[f]; !done || !slices.Contains([]string{"draw_count", "attempt_limit", "min_wait_minutes", "time_limit_minutes"}, f) {
			errs.add(f, store.MessageOf(err))
		}
	}
	return q, errs
}

var quizFieldOrder = []string{"slug", "title", "draw_count", "draw_per_tag", "pass_mark", "attempt_limit", "min_wait_minutes",
	"time_limit_minutes", "review_policy", "feedback_bands"}

func (s *Server) quizPage(c *fiber.Ctx, status int, course bankCourse, quiz *assessments.Quiz, form quizForm, errs fieldMessages) error {
	for range max(2, 4-len(form.Bands)) {
		form.Bands = append(slices.Clip(form.Bands), bandRow{})
	}
	title := "New quiz"
	if quiz != nil {
		title = "Quiz settings: " + quiz.Title
	}
	if errs == nil {
		errs = fieldMessages{}
	}
	return s.renderStatus(c, status, "bank/quiz", fiber.Map{"Title": title, "Course": course, "Quiz": quiz, "Form": form,
		"Errors": map[string]string(errs), "ErrorList": orderedErrors(errs, quizFieldOrder), "Policies": assessments.ReviewPolicies})
}

func (s *Server) quizNew(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	form := quizFormOf(assessments.QuizSettings{Slug: course.Slug + "-quiz", DrawCount: 10, PassMark: 70, AttemptLimit: 3,
		ShuffleQuestions: true, ShuffleOptions: true, ReviewPolicy: assessments.ReviewAfterPassing})
	return s.quizPage(c, http.StatusOK, course, nil, form, nil)
}

// courseQuiz returns the quiz of the address when it belongs to the course.
func (s *Server) courseQuiz(c *fiber.Ctx) (bankCourse, *assessments.Quiz, error) {
	course, err := s.findBankCourse(c)
	if err != nil {
		return course, nil, err
	}
	quiz, err := s.quizzes.FindQuiz(c.UserContext(), slugParam(c, "quiz"))
	if err != nil {
		return course, nil, err
	}
	if quiz.CourseSlug != course.Slug {
		return course, nil, store.Errorf(store.NotFound, "There is no quiz %q in this course.", quiz.Slug)
	}
	return course, quiz, nil
}

func (s *Server) quizEdit(c *fiber.Ctx) error {
	course, quiz, err := s.courseQuiz(c)
	if err != nil {
		return err
	}
	return s.quizPage(c, http.StatusOK, course, quiz, quizFormOf(quiz.QuizSettings), nil)
}

// quizCreate saves a new quiz; a slug taken by any quiz is refused.
func (s *Server) quizCreate(c *fiber.Ctx) error {
	course, err := s.findBankCourse(c)
	if err != nil {
		return err
	}
	form := newQuizForm(c)
	q, errs := form.settings(course.Slug)
	if _, ok := errs["slug"]; !ok && q.Slug != "" {
		if _, err := s.quizzes.FindQuiz(c.UserContext(), q.Slug); err == nil {
			errs.add("slug", fmt.Sprintf("A quiz with the short name %q already exists; choose another.", q.Slug))
		} else if !store.IsNotFound(err) {
			return err
		}
	}
	return s.quizStore(c, course, nil, form, q, errs)
}

// quizSave changes the settings of a quiz of the course.
func (s *Server) quizSave(c *fiber.Ctx) error {
	course, quiz, err := s.courseQuiz(c)
	if err != nil {
		return err
	}
	form := newQuizForm(c)
	form.Slug = quiz.Slug
	q, errs := form.settings(course.Slug)
	return s.quizStore(c, course, quiz, form, q, errs)
}

func (s *Server) quizStore(c *fiber.Ctx, course bankCourse, quiz *assessments.Quiz, form quizForm, q assessments.QuizSettings, errs fieldMessages) error {
	if len(errs) == 0 {
		saved, err := s.quizzes.SaveQuiz(c.UserContext(), q)
		if f, msg, ok := asFieldError(err); ok {
			errs.add(f, msg)
		} else if err != nil {
			return err
		} else {
			if err := s.auditCourse(c, "quiz.save", course.Slug+"/"+saved.Slug, saved.Title); err != nil {
				return err
			}
			s.flash(c, "success", "Quiz settings saved. Attempts already started keep their questions and pass mark.")
			return c.Redirect(quizPath(course.Slug, saved.Slug), http.StatusSeeOther)
		}
	}
	return s.quizPage(c, http.StatusUnprocessableEntity, course, quiz, form, errs)
}
