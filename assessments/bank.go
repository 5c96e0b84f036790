package assessments

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// BankQuestion is one version of a question in a course's bank. Editing a
// question inserts a new version and makes it the current one; attempts keep
// the versions they drew.
type BankQuestion struct {
	ID          int64 // the row id: one version
	CourseSlug  string
	Version     int
	Current     bool
	Position    int // order in the bank, kept across versions
	CreatedAt   time.Time
	CreatedByID *int64
	Question    Question // Question.ID is the authored id, stable across versions
}

type questionRow struct {
	bun.BaseModel `bun:"table:questions,alias:qn"`

	ID          int64     `bun:",pk,autoincrement"`
	CourseSlug  string    `bun:",notnull"`
	QID         string    `bun:"qid,notnull"`
	Version     int       `bun:",notnull"`
	IsCurrent   bool      `bun:",notnull"`
	Position    int       `bun:",notnull"`
	Type        string    `bun:",notnull"`
	Tags        string    `bun:",notnull"` // comma-separated, for reading the table by hand
	Body        string    `bun:",notnull"` // the Question as JSON
	CreatedAt   time.Time `bun:",notnull"`
	CreatedByID *int64    `bun:"created_by_id"`
}

func (r *questionRow) bankQuestion() (*BankQuestion, error) {
	bq := &BankQuestion{ID: r.ID, CourseSlug: r.CourseSlug, Version: r.Version, Current: r.IsCurrent,
		Position: r.Position, CreatedAt: r.CreatedAt, CreatedByID: r.CreatedByID}
	if err := json.Unmarshal([]byte(r.Body), &bq.Question); err != nil {
		return nil, fmt.Errorf("question row %d: %w", r.ID, err)
	}
	return bq, nil
}

// Question limits, in characters.
const (
	MaxQuestionText = 10000
	MaxOptionText   = 2000
	MaxFeedbackText = 4000
	MaxQuestionID   = 80
	maxTag          = 80
	maxOptions      = 100
	maxPoints       = 1000
)

func questionTagOK(t string) bool {
	return t != "" && utf8.RuneCountInString(t) <= maxTag && !strings.ContainsAny(t, ",\r\n") && strings.TrimSpace(t) == t
}

// questionIDOK: letters, digits, hyphens, underscores and dots, up to MaxQuestionID.
func questionIDOK(s string) bool {
	if s == "" || len(s) > MaxQuestionID {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// ValidateQuestion returns every problem with q as Invalid *store.Error
// values whose Field is "id", "type", "text", "format", "points", "tags",
// "options", "answers", "numbers" or "pairs"; nil when q can be saved. The
// rules: a known type and a stem; choice questions have two options or more
// with distinct ids and texts, weights from -100 to 100, and a right answer
// (single choice and missing word: an option of weight 100; multiple response:
// positive weights adding up to 100, or any positive weight with
// AllOrNothing); short-answer and numeric questions have an answer of weight
// 100; matching has two pairs or more with a left; ordering two items or more.
// An empty ID is allowed (SaveQuestion makes one).
func ValidateQuestion(q Question) []error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, store.FieldError(field, format, args...))
	}
	if q.ID != "" && !questionIDOK(q.ID) {
		add("id", "%q: use letters, digits, hyphens, underscores and dots (up to %d).", q.ID, MaxQuestionID)
	}
	if !slices.Contains(Types, q.Type) {
		add("type", "Choose the type of question.")
	}
	switch n := utf8.RuneCountInString(q.Text) + utf8.RuneCountInString(q.TextAfter); {
	case strings.TrimSpace(q.Text) == "" && (q.Type != MissingWord || strings.TrimSpace(q.TextAfter) == ""):
		add("text", "Write the question.")
	case n > MaxQuestionText:
		add("text", "The question is %d characters long; the limit is %d.", n, MaxQuestionText)
	}
	if q.TextAfter != "" && q.Type == Essay {
		add("text", "An essay question has no text after the answer.")
	}
	if !slices.Contains([]string{"", "html", "markdown", "plain", "moodle"}, q.Format) {
		add("format", "The format %q is not one of html, markdown, plain or moodle.", q.Format)
	}
	if math.IsNaN(q.Points) || q.Points < 0 || q.Points > maxPoints {
		add("points", "A question is worth from 0 (counted as 1) to %d points.", maxPoints)
	}
	for i, t := range q.Tags {
		if !questionTagOK(t) {
			add("tags", "Tag %d: tags are 1 to %d characters, without commas or spaces around them.", i+1, maxTag)
		} else if slices.Contains(q.Tags[:i], t) {
			add("tags", "The tag %q is there twice.", t)
		}
	}
	for _, f := range []string{q.GeneralFeedback, q.TrueFeedback, q.FalseFeedback} {
		if utf8.RuneCountInString(f) > MaxFeedbackText {
			add("text", "A feedback text is longer than %d characters.", MaxFeedbackText)
		}
	}
	switch q.Type {
	case SingleChoice, MissingWord, MultipleResponse, Ordering:
		validateOptions(q, add)
	case ShortAnswer:
		if len(q.Answers) == 0 {
			add("answers", "Add at least one accepted answer.")
		}
		best := math.Inf(-1)
		for i, a := range q.Answers {
			switch {
			case strings.TrimSpace(a.Text) == "":
				add("answers", "Answer %d is empty.", i+1)
			case utf8.RuneCountInString(a.Text) > MaxOptionText:
				add("answers", "Answer %d is longer than %d characters.", i+1, MaxOptionText)
			}
			validateWeight("answers", "Answer", i, a.Weight, a.Feedback, add)
			best = max(best, a.Weight)
		}
		if len(q.Answers) > 0 && best < 100 {
			add("answers", "Give at least one accepted answer full marks (100%%).")
		}
	case Numeric:
		if len(q.Numbers) == 0 {
			add("numbers", "Add at least one accepted number or range.")
		}
		best := math.Inf(-1)
		for i, n := range q.Numbers {
			if !finite(n.Value) || !finite(n.Tolerance) || !finite(n.Min) || !finite(n.Max) {
				add("numbers", "Answer %d: enter numbers.", i+1)
			} else if n.IsRange && n.Min > n.Max {
				add("numbers", "Answer %d: the range starts at %g, after its end %g.", i+1, n.Min, n.Max)
			} else if !n.IsRange && n.Tolerance < 0 {
				add("numbers", "Answer %d: the tolerance cannot be negative.", i+1)
			}
			validateWeight("numbers", "Answer", i, n.Weight, n.Feedback, add)
			best = max(best, n.Weight)
		}
		if len(q.Numbers) > 0 && best < 100 {
			add("numbers", "Give at least one accepted number full marks (100%%).")
		}
	case Matching:
		lefts := 0
		if len(q.Pairs) > maxOptions {
			add("pairs", "Use at most %d pairs.", maxOptions)
		}
		for i, p := range q.Pairs {
			switch {
			case p.ID == "":
				add("pairs", "Pair %d has no id.", i+1)
			case slices.ContainsFunc(q.Pairs[:i], func(o Pair) bool { return o.ID == p.ID }):
				add("pairs", "Pairs share the id %q; give each its own.", p.ID)
			}
			if strings.TrimSpace(p.Right) == "" {
				add("pairs", "Pair %d has nothing to match.", i+1)
			}
			if utf8.RuneCountInString(p.Left)+utf8.RuneCountInString(p.Right) > MaxOptionText {
				add("pairs", "Pair %d is longer than %d characters.", i+1, MaxOptionText)
			}
			if strings.TrimSpace(p.Left) != "" {
				lefts++
				if slices.ContainsFunc(q.Pairs[:i], func(o Pair) bool { return o.Left == p.Left }) {
					add("pairs", "Pair %d repeats the item %q.", i+1, p.Left)
				}
			}
		}
		if lefts < 2 {
			add("pairs", "Add at least two pairs to match.")
		}
	case TrueFalse, Essay:
	}
	return errs
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func validateWeight(field, what string, i int, w float64, feedback string, add func(string, string, ...any)) {
	if !(w >= -100 && w <= 100) {
		add(field, "%s %d: a weight is from -100%% to 100%%.", what, i+1)
	}
	if utf8.RuneCountInString(feedback) > MaxFeedbackText {
		add(field, "%s %d: the feedback is longer than %d characters.", what, i+1, MaxFeedbackText)
	}
}

func validateOptions(q Question, add func(string, string, ...any)) {
	if len(q.Options) < 2 {
		if q.Type == Ordering {
			add("options", "Add at least two items to put in order.")
		} else {
			add("options", "Add at least two options.")
		}
	}
	if len(q.Options) > maxOptions {
		add("options", "Use at most %d options.", maxOptions)
	}
	best, positive := math.Inf(-1), 0.0
	for i, o := range q.Options {
		switch {
		case o.ID == "":
			add("options", "Option %d has no id.", i+1)
		case slices.ContainsFunc(q.Options[:i], func(p Option) bool { return p.ID == o.ID }):
			add("options", "Options share the id %q; give each its own.", o.ID)
		}
		switch {
		case strings.TrimSpace(o.Text) == "":
			add("options", "Option %d is empty.", i+1)
		case utf8.RuneCountInString(o.Text) > MaxOptionText:
			add("options", "Option %d is longer than %d characters.", i+1, MaxOptionText)
		case slices.ContainsFunc(q.Options[:i], func(p Option) bool { return p.Text == o.Text }):
			add("options", "Option %d repeats %q.", i+1, o.Text)
		}
		if q.Type != Ordering {
			validateWeight("options", "Option", i, o.Weight, o.Feedback, add)
		}
		best = max(best, o.Weight)
		if o.Weight > 0 {
			positive += o.Weight
		}
	}
	if len(q.Options) < 2 {
		return
	}
	switch q.Type {
	case SingleChoice, MissingWord:
		if best < 100 {
			add("options", "Mark the right answer: one option needs full marks (100%%).")
		}
	case MultipleResponse:
		switch {
		case positive == 0:
			add("options", "Mark the right answers: give at least one option a positive weight.")
		case !q.AllOrNothing && math.Abs(positive-100) > 0.5:
			add("options", "The positive weights add up to %g%%; make them add up to 100%% so a full answer earns full marks.", positive)
		}
	}
}

// normalizeQuestion gives equal content one JSON form: empty lists are nil
// and Points ≤ 0 is 1.
func normalizeQuestion(q Question) Question {
	if len(q.Tags) == 0 {
		q.Tags = nil
	}
	if len(q.Options) == 0 {
		q.Options = nil
	}
	if len(q.Answers) == 0 {
		q.Answers = nil
	}
	if len(q.Numbers) == 0 {
		q.Numbers = nil
	}
	if len(q.Pairs) == 0 {
		q.Pairs = nil
	}
	if !(q.Points > 0) {
		q.Points = 1
	}
	return q
}

// ImportedQuestion is one question of an import and what it did (or, in a
// dry run, would do): "create", "update" (a new version) or "unchanged".
type ImportedQuestion struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Type   Type   `json:"type"`
	Action string `json:"action"`
}

// Import actions.
const (
	ImportCreate    = "create"
	ImportUpdate    = "update"
	ImportUnchanged = "unchanged"
)

// ImportResult says what an import wrote (or would write). ByType has a key
// for every type and counts the questions written: created or updated.
type ImportResult struct {
	Created   int                `json:"created"`
	Updated   int                `json:"updated"`
	Unchanged int                `json:"unchanged"`
	ByType    map[string]int     `json:"by_type"`
	Questions []ImportedQuestion `json:"questions"`
	Errors    []ParseError       `json:"errors"`
}

func newImportResult() ImportResult {
	r := ImportResult{ByType: make(map[string]int, len(Types)), Questions: []ImportedQuestion{}, Errors: []ParseError{}}
	for _, t := range Types {
		r.ByType[string(t)] = 0
	}
	return r
}

// plannedQuestion is one question to write.
type plannedQuestion struct {
	q       Question
	body    string
	action  string
	prevID  int64 // the current version it replaces (update)
	version int
	pos     int
}

// planQuestions decides, against the bank as db shows it, what saving qs
// does: a new id is created (version 1, or the next after a retired one), a
// changed question gets a new version, an identical one is left alone.
func planQuestions(ctx context.Context, db bun.IDB, courseSlug string, qs []Question) ([]plannedQuestion, error) {
	var rows []struct {
		ID        int64
		QID       string `bun:"qid"`
		Version   int
		IsCurrent bool
		Position  int
		Body      string
	}
	if err := db.NewSelect().Model((*questionRow)(nil)).Column("id", "qid", "version", "is_current", "position", "body").
		Where("course_slug = ?", courseSlug).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	type known struct {
		current     int64
		body        string
		pos         int
		lastVersion int
	}
	bank := make(map[string]*known, len(rows))
	nextPos := 1
	for _, r := range rows {
		k := bank[r.QID]
		if k == nil {
			k = &known{pos: r.Position}
			bank[r.QID] = k
		}
		k.lastVersion = max(k.lastVersion, r.Version)
		if r.IsCurrent {
			k.current, k.body, k.pos = r.ID, r.Body, r.Position
		}
		nextPos = max(nextPos, r.Position+1)
	}
	plan := make([]plannedQuestion, 0, len(qs))
	for _, q := range qs {
		q = normalizeQuestion(q)
		b, err := json.Marshal(q)
		if err != nil {
			return nil, err
		}
		p := plannedQuestion{q: q, body: string(b), action: ImportCreate, version: 1, pos: nextPos}
		if k := bank[q.ID]; k != nil {
			p.version, p.pos = k.lastVersion+1, k.pos
			switch {
			case k.current != 0 && k.body == p.body:
				p.action = ImportUnchanged
			case k.current != 0:
				p.action, p.prevID = ImportUpdate, k.current
			}
		} else {
			nextPos++
		}
		plan = append(plan, p)
	}
	return plan, nil
}

// writeQuestions applies a plan inside tx and returns the rows it inserted.
func writeQuestions(ctx context.Context, tx bun.IDB, courseSlug string, plan []plannedQuestion, by *int64, now time.Time) ([]questionRow, error) {
	var replaced []int64
	var rows []questionRow
	for _, p := range plan {
		if p.action == ImportUnchanged {
			continue
		}
		if p.prevID != 0 {
			replaced = append(replaced, p.prevID)
		}
		rows = append(rows, questionRow{CourseSlug: courseSlug, QID: p.q.ID, Version: p.version, IsCurrent: true,
			Position: p.pos, Type: string(p.q.Type), Tags: strings.Join(p.q.Tags, ","), Body: p.body, CreatedAt: now, CreatedByID: by})
	}
	if len(replaced) > 0 {
		if _, err := tx.NewUpdate().Model((*questionRow)(nil)).Set("is_current = ?", false).
			Where("id IN (?)", bun.In(replaced)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if _, err := tx.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, store.Errorf(store.Conflict, "The question bank was changed by someone else at the same time. Try again.")
		}
		return nil, err
	}
	return rows, nil
}

// MaxQuestionFile is the largest GIFT or Aiken text an import accepts (the
// pages, the API and the command line refuse a larger one before parsing).
const MaxQuestionFile = 2 << 20

// ImportGIFT imports GIFT text into the course's bank. Questions with a new
// id are created, changed ones get a new version, identical ones are left
// alone. When the text has errors (ParseGIFT's, or a question that
// ValidateQuestion refuses, reported at line 0 with the question named) they
// are all in Errors and nothing is written; so is a file without questions.
// A dry run writes nothing either and reports what would happen. by is the
// author, or nil. The error is for what is not the file's fault: an invalid
// course slug (Invalid), a bank changed at the same moment (Conflict), the
// database.
func (s *Store) ImportGIFT(ctx context.Context, courseSlug, src string, dryRun bool, by *int64) (ImportResult, error) {
	res := newImportResult()
	if !checklistSlugOK(courseSlug) {
		return res, store.FieldError("course_slug", "There is no course %q.", courseSlug)
	}
	qs, perrs := ParseGIFT(src)
	if len(perrs) > 0 {
		res.Errors = append(res.Errors, perrs...)
		return res, nil
	}
	if len(qs) == 0 {
		res.Errors = append(res.Errors, ParseError{Line: 1, Column: 1, Message: "The file has no questions."})
		return res, nil
	}
	for i := range qs {
		for _, err := range ValidateQuestion(qs[i]) {
			name := qs[i].Title
			if name == "" {
				name = "question " + strconv.Itoa(i+1)
			}
			res.Errors = append(res.Errors, ParseError{Message: fmt.Sprintf("%s (%s): %s", name, qs[i].ID, store.MessageOf(err))})
		}
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	report := func(plan []plannedQuestion) {
		for _, p := range plan {
			res.Questions = append(res.Questions, ImportedQuestion{ID: p.q.ID, Title: p.q.Title, Type: p.q.Type, Action: p.action})
			switch p.action {
			case ImportCreate:
				res.Created++
			case ImportUpdate:
				res.Updated++
			default:
				res.Unchanged++
				continue
			}
			res.ByType[string(p.q.Type)]++
		}
	}
	if dryRun {
		plan, err := planQuestions(ctx, s.DB, courseSlug, qs)
		if err != nil {
			return res, err
		}
		report(plan)
		return res, nil
	}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		plan, err := planQuestions(ctx, tx, courseSlug, qs)
		if err != nil {
			return err
		}
		if _, err := writeQuestions(ctx, tx, courseSlug, plan, by, s.Now().UTC()); err != nil {
			return err
		}
		report(plan)
		return nil
	})
	if err != nil {
		return newImportResult(), err
	}
	return res, nil
}

// ExportGIFT writes the course's current questions in GIFT, in bank order.
func (s *Store) ExportGIFT(ctx context.Context, courseSlug string) (string, error) {
	list, err := s.ListQuestions(ctx, courseSlug)
	if err != nil {
		return "", err
	}
	qs := make([]Question, len(list))
	for i, bq := range list {
		qs[i] = bq.Question
	}
	return ExportGIFT(qs), nil
}

// ListQuestions returns the current version of every question in the
// course's bank, in bank order (retired questions are left out).
func (s *Store) ListQuestions(ctx context.Context, courseSlug string) ([]*BankQuestion, error) {
	return listQuestions(ctx, s.DB, courseSlug)
}

func listQuestions(ctx context.Context, db bun.IDB, courseSlug string) ([]*BankQuestion, error) {
	var rows []questionRow
	if err := db.NewSelect().Model(&rows).Where("course_slug = ? AND is_current = ?", courseSlug, true).
		OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, err
	}
	list := make([]*BankQuestion, 0, len(rows))
	for i := range rows {
		bq, err := rows[i].bankQuestion()
		if err != nil {
			return nil, err
		}
		list = append(list, bq)
	}
	return list, nil
}

// FindQuestion returns the current version of question qid in the course's
// bank, or NotFound (also when it was retired).
func (s *Store) FindQuestion(ctx context.Context, courseSlug, qid string) (*BankQuestion, error) {
	var row questionRow
	err := s.DB.NewSelect().Model(&row).Where("course_slug = ? AND qid = ? AND is_current = ?", courseSlug, qid, true).
		Limit(1).Scan(ctx)
	if err != nil {
		if isNoRows(err) {
			return nil, store.Errorf(store.NotFound, "There is no question %q in this bank.", qid)
		}
		return nil, err
	}
	return row.bankQuestion()
}

// SaveQuestion saves q into the course's bank: a new id is created, a change
// makes a new version (attempts keep the old one), an identical question is
// left alone. An empty q.ID gets one from the title ("q" and a number
// without one). It returns the first of ValidateQuestion's errors when q is
// not valid, and Conflict when someone saved the same question at the same
// moment.
func (s *Store) SaveQuestion(ctx context.Context, courseSlug string, q Question, by *int64) (*BankQuestion, error) {
	if errs := ValidateQuestion(q); len(errs) > 0 {
		return nil, errs[0]
	}
	if !checklistSlugOK(courseSlug) {
		return nil, store.FieldError("course_slug", "There is no course %q.", courseSlug)
	}
	var saved *BankQuestion
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if q.ID == "" {
			id, err := newQuestionID(ctx, tx, courseSlug, q.Title)
			if err != nil {
				return err
			}
			q.ID = id
		}
		plan, err := planQuestions(ctx, tx, courseSlug, []Question{q})
		if err != nil {
			return err
		}
		rows, err := writeQuestions(ctx, tx, courseSlug, plan, by, s.Now().UTC())
		if err != nil {
			return err
		}
		if len(rows) == 0 { // unchanged: return the current version
			var row questionRow
			if err := tx.NewSelect().Model(&row).Where("course_slug = ? AND qid = ? AND is_current = ?", courseSlug, q.ID, true).
				Scan(ctx); err != nil {
				return err
			}
			rows = []questionRow{row}
		}
		saved, err = rows[0].bankQuestion()
		return err
	})
	return saved, err
}

// newQuestionID makes an id from the title's slug (or "q"), unique in the bank.
func newQuestionID(ctx context.Context, db bun.IDB, courseSlug, title string) (string, error) {
	base := questionSlug(title)
	var used []string
	if err := db.NewSelect().Model((*questionRow)(nil)).Distinct().Column("qid").Where("course_slug = ?", courseSlug).
		Scan(ctx, &used); err != nil {
		return "", err
	}
	if base != "" && !slices.Contains(used, base) {
		return base, nil
	}
	if base == "" {
		base = "q"
	} else {
		base += "-"
	}
	for n := len(used) + 1; ; n++ {
		if id := base + strconv.Itoa(n); !slices.Contains(used, id) {
			return id, nil
		}
	}
}

// questionSlug keeps ASCII letters (lowercased) and digits of s, joining runs
// of anything else with one hyphen; at most 60 characters.
func questionSlug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			if b.Len() >= 60 {
				break
			}
			continue
		}
		hyphen = true
	}
	return b.String()
}

// RetireQuestion takes question qid out of the bank: no new attempt draws
// it; attempts that drew it keep it. Saving or importing the id again brings
// it back as a new version. NotFound when it is not in the bank.
func (s *Store) RetireQuestion(ctx context.Context, courseSlug, qid string) error {
	res, err := s.DB.NewUpdate().Model((*questionRow)(nil)).Set("is_current = ?", false).
		Where("course_slug = ? AND qid = ? AND is_current = ?", courseSlug, qid, true).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.Errorf(store.NotFound, "There is no question %q in this bank.", qid)
	}
	return nil
}
