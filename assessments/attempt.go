package assessments

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// DrawItem is one question of an attempt as it was drawn: the question
// version and the order its parts are shown in, fixed when the attempt starts.
type DrawItem struct {
	QuestionID int64    `json:"q"`           // questions row: one version
	Order      []string `json:"o,omitempty"` // choice, missing word, ordering: authored option ids in shown order
	Rights     []string `json:"r,omitempty"` // matching: authored pair ids, one per distinct right text, in shown order
}

// Attempt is one learner's attempt at a quiz. Score, MaxScore, Percent and
// Passed are nil until it is submitted; Passed stays nil while essays wait
// for grading (PendingGrading > 0). Its JSON form leaves out the draw.
type Attempt struct {
	bun.BaseModel `bun:"table:attempts,alias:at"`

	ID             int64      `bun:",pk,autoincrement" json:"id"`
	QuizID         int64      `bun:",notnull" json:"quiz_id"`
	EmployeeID     int64      `bun:",notnull" json:"employee_id"`
	Number         int        `bun:",notnull" json:"number"` // 1 for the first attempt at the quiz
	PassMark       float64    `bun:",notnull" json:"pass_mark"`
	StartedAt      time.Time  `bun:",notnull" json:"started_at"`
	Deadline       *time.Time `bun:",nullzero" json:"deadline"`
	SubmittedAt    *time.Time `bun:",nullzero" json:"submitted_at"`
	Late           bool       `bun:",notnull" json:"late"`
	Score          *float64   `json:"score"` // points
	MaxScore       *float64   `json:"max_score"`
	Percent        *float64   `json:"percent"` // rounded to 2 decimals
	Passed         *bool      `json:"passed"`
	PendingGrading int        `bun:",notnull" json:"pending_grading"`
	DrawJSON       string     `bun:"draw,notnull" json:"-"`
	Draw           []DrawItem `bun:"-" json:"-"`
}

// Submitted reports whether the attempt has been submitted.
func (a *Attempt) Submitted() bool { return a.SubmittedAt != nil }

func (a *Attempt) item(questionRowID int64) *DrawItem {
	for i := range a.Draw {
		if a.Draw[i].QuestionID == questionRowID {
			return &a.Draw[i]
		}
	}
	return nil
}

// DrawnQuestions returns the questions the attempt drew (the versions it
// drew), by row id.
func (s *Store) DrawnQuestions(ctx context.Context, a *Attempt) (map[int64]*Question, error) {
	return s.cachedQuestions(ctx, s.DB, a.questionIDs())
}

func (a *Attempt) questionIDs() []int64 {
	ids := make([]int64, len(a.Draw))
	for i, it := range a.Draw {
		ids[i] = it.QuestionID
	}
	return ids
}

// ScoredFunc is called inside the transaction that scored an attempt (on
// submission and after each essay grade). (The training package scores with
// SubmitAttemptIn, Submission.Submit and GradeEssayIn in its own
// transaction, deciding course completion there, instead.)
type ScoredFunc func(ctx context.Context, tx bun.IDB, a *Attempt) error

type savedAnswer struct {
	bun.BaseModel `bun:"table:attempt_answers,alias:aa"`

	AttemptID     int64      `bun:",pk"`
	QuestionRowID int64      `bun:",pk"`
	Response      string     `bun:",notnull"` // Response as JSON, with authored ids
	SavedAt       time.Time  `bun:",notnull"`
	Grade         *float64   // essays: the fraction an assessor gave
	GradedByID    *int64     `bun:"graded_by_id"`
	GradedAt      *time.Time `bun:",nullzero"`
	GradeComment  string     `bun:",notnull"`
}

// loadAttempt reads attempt id, locking its row on PostgreSQL when lock is
// set (SQLite transactions already take the write lock). NotFound when it
// does not exist or does not belong to owner (when owner is not nil).
func loadAttempt(ctx context.Context, db bun.IDB, id int64, owner *int64, lock bool) (*Attempt, error) {
	a := new(Attempt)
	q := db.NewSelect().Model(a).Where("id = ?", id)
	if lock && store.IsPostgresDB(db) {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if isNoRows(err) || err == nil && owner != nil && a.EmployeeID != *owner {
		return nil, store.Errorf(store.NotFound, "There is no attempt %d.", id)
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(a.DrawJSON), &a.Draw); err != nil {
		return nil, fmt.Errorf("attempt %d: draw: %w", id, err)
	}
	return a, nil
}

// FindAttempt returns the employee's attempt, or NotFound (also when it is
// someone else's).
func (s *Store) FindAttempt(ctx context.Context, attemptID, employeeID int64) (*Attempt, error) {
	return loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
}

// StartAttempt starts the employee's next attempt at the quiz, or returns the
// one they have not submitted yet (a reload or a second tab resumes it, with
// the same questions in the same order; an unsubmitted attempt past its
// deadline is returned too, to be submitted). A new attempt draws its
// questions from the current versions in the bank and fixes their order. It
// returns NotFound for an unknown quiz, and Conflict when the attempts are used
// up, the minimum wait since the last submission has not passed, or the bank
// holds too few questions for the draw. Concurrent starts never exceed the
// attempt limit.
func (s *Store) StartAttempt(ctx context.Context, quizID, employeeID int64) (*Attempt, error) {
	return s.StartAttemptSince(ctx, quizID, employeeID, time.Time{})
}

// StartAttemptSince is StartAttempt counting only the attempts started at or
// after since against the limit and the wait (a course taken again to
// recertify starts a new round of attempts); zero counts them all.
func (s *Store) StartAttemptSince(ctx context.Context, quizID, employeeID int64, since time.Time) (*Attempt, error) {
	for try := 1; ; try++ {
		var a *Attempt
		err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			a, err = s.startAttempt(ctx, tx, quizID, employeeID, since)
			return err
		})
		switch {
		case err == nil:
			return a, nil
		case !store.IsUniqueViolation(err):
			return nil, err
		case try == 5:
			return nil, &store.Error{Kind: store.Conflict, Message: "Another attempt was started at the same moment. Reload the page.", Err: err}
		}
		// Another request inserted the same attempt number first: look again.
	}
}

func (s *Store) startAttempt(ctx context.Context, tx bun.IDB, quizID, employeeID int64, since time.Time) (*Attempt, error) {
	quiz, err := findQuizByID(ctx, tx, quizID)
	if err != nil {
		return nil, err
	}
	var all []Attempt
	if err := tx.NewSelect().Model(&all).Column("id", "number", "started_at", "submitted_at").
		Where("quiz_id = ? AND employee_id = ?", quizID, employeeID).OrderExpr("number").Scan(ctx); err != nil {
		return nil, err
	}
	var prev []Attempt // of this round
	for _, p := range all {
		if p.SubmittedAt == nil {
			return loadAttempt(ctx, tx, p.ID, nil, false)
		}
		if !p.StartedAt.Before(since) {
			prev = append(prev, p)
		}
	}
	if quiz.AttemptLimit > 0 && len(prev) >= quiz.AttemptLimit {
		return nil, store.Errorf(store.Conflict, "You have used all %d attempts at this quiz.", quiz.AttemptLimit)
	}
	now := s.Now().UTC()
	number := 1
	if len(all) > 0 {
		number = all[len(all)-1].Number + 1
	}
	if len(prev) > 0 {
		last := prev[len(prev)-1]
		if next := last.SubmittedAt.Add(time.Duration(quiz.MinWaitMinutes) * time.Minute); now.Before(next) {
			wait := int(math.Ceil(next.Sub(now).Minutes()))
			return nil, store.Errorf(store.Conflict, "You can start your next attempt in %d minute%s.", wait, plural(wait))
		}
	}
	bank, err := listQuestions(ctx, tx, quiz.CourseSlug)
	if err != nil {
		return nil, err
	}
	draw, err := DrawQuestions(&quiz.QuizSettings, bank, newRand())
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(draw)
	if err != nil {
		return nil, err
	}
	a := &Attempt{QuizID: quizID, EmployeeID: employeeID, Number: number, PassMark: quiz.PassMark, StartedAt: now,
		DrawJSON: string(b), Draw: draw}
	if quiz.TimeLimitMinutes > 0 {
		d := now.Add(time.Duration(quiz.TimeLimitMinutes) * time.Minute)
		a.Deadline = &d
	}
	if _, err := tx.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// newRand returns a generator seeded from crypto/rand, so draws cannot be predicted.
func newRand() *rand.Rand {
	var seed [32]byte
	_, _ = crand.Read(seed[:]) // never fails (Go 1.24+)
	return rand.New(rand.NewChaCha8(seed))
}

// DrawQuestions draws q.DrawCount questions from bank (current versions, in
// bank order): first q.DrawPerTag[tag] questions carrying each tag (among
// their Standards: their own tags and the last part of their category, which
// is how a built-in bank names the course tag a question assesses), then the
// rest from any. Questions keep bank order unless ShuffleQuestions; options
// keep authored order unless ShuffleOptions; ordering items and matching
// rights are always shuffled (their authored order is the answer). Conflict
// when the bank is too small.
func DrawQuestions(q *QuizSettings, bank []*BankQuestion, rng *rand.Rand) ([]DrawItem, error) {
	tooFew := func(format string, args ...any) error {
		return store.Errorf(store.Conflict, "This quiz cannot start: "+format+" Tell the course's author.", args...)
	}
	if q.DrawCount > len(bank) || q.DrawCount < 1 {
		return nil, tooFew("it draws %d questions and the bank has %d.", q.DrawCount, len(bank))
	}
	picked := make([]bool, len(bank))
	var chosen []int
	take := func(cands []int, n int) {
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		for _, i := range cands[:n] {
			picked[i] = true
			chosen = append(chosen, i)
		}
	}
	for _, tag := range slices.Sorted(maps.Keys(q.DrawPerTag)) {
		n := q.DrawPerTag[tag]
		var cands []int
		for i, bq := range bank {
			if !picked[i] && slices.Contains(bq.Question.Standards(), tag) {
				cands = append(cands, i)
			}
		}
		if len(cands) < n {
			return nil, tooFew("it draws %d questions tagged %q and the bank has %d more.", n, tag, len(cands))
		}
		take(cands, n)
	}
	if rest := q.DrawCount - len(chosen); rest > 0 {
		var cands []int
		for i := range bank {
			if !picked[i] {
				cands = append(cands, i)
			}
		}
		take(cands, min(rest, len(cands)))
	}
	if q.ShuffleQuestions {
		rng.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	} else {
		slices.Sort(chosen)
	}
	items := make([]DrawItem, len(chosen))
	for k, i := range chosen {
		items[k] = drawItem(bank[i], q.ShuffleOptions, rng)
	}
	return items, nil
}

func drawItem(bq *BankQuestion, shuffleOptions bool, rng *rand.Rand) DrawItem {
	q := &bq.Question
	it := DrawItem{QuestionID: bq.ID}
	shuffle := func(ids []string) {
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	}
	switch q.Type {
	case SingleChoice, MissingWord, MultipleResponse, Ordering:
		for _, o := range q.Options {
			it.Order = append(it.Order, o.ID)
		}
		switch {
		case q.Type == Ordering:
			authored := slices.Clone(it.Order)
			for range 10 { // never show the items in their correct order
				if shuffle(it.Order); !slices.Equal(it.Order, authored) {
					break
				}
			}
			if len(it.Order) > 1 && slices.Equal(it.Order, authored) {
				it.Order = append(it.Order[1:], it.Order[0])
			}
		case shuffleOptions:
			shuffle(it.Order)
		}
	case Matching:
		var texts []string
		for _, p := range q.Pairs {
			if !slices.Contains(texts, p.Right) {
				texts = append(texts, p.Right)
				it.Rights = append(it.Rights, p.ID)
			}
		}
		shuffle(it.Rights)
	}
	return it
}

// Shown ids are positions ("1", "2" …) in the order shown, so nothing in a
// page hints at the authored ids (whose order often is the answer).
func shownID(i int) string { return strconv.Itoa(i + 1) }

func shownIndex(id string, n int) (int, bool) {
	i, err := strconv.Atoi(id)
	if err != nil || i < 1 || i > n || strconv.Itoa(i) != id {
		return 0, false
	}
	return i - 1, true
}

// matchingLefts returns the pairs a learner matches, in authored order.
func matchingLefts(q *Question) []Pair {
	var lefts []Pair
	for _, p := range q.Pairs {
		if p.Left != "" {
			lefts = append(lefts, p)
		}
	}
	return lefts
}

// toAuthored turns a response in shown ids into one in authored ids, keeping
// only the fields q's type uses. An id that was not shown is a *ResponseError.
func toAuthored(q *Question, it *DrawItem, r Response) (Response, error) {
	fail := func(msg string) error { return &ResponseError{QuestionID: q.ID, Message: msg} }
	const notAnOption = "One of the chosen answers is not one of this question's options. Reload the page and answer again."
	var out Response
	switch q.Type {
	case SingleChoice, MissingWord:
		if r.Choice != "" {
			i, ok := shownIndex(r.Choice, len(it.Order))
			if !ok {
				return out, fail(notAnOption)
			}
			out.Choice = it.Order[i]
		}
	case TrueFalse:
		out.Choice = r.Choice
	case MultipleResponse, Ordering:
		ids := r.Choices
		if q.Type == Ordering {
			ids = r.Order
		}
		if len(ids) > max(len(it.Order), MaxResponseChoices) {
			return out, fail(fmt.Sprintf("The answer lists %d options; the question has %d.", len(ids), len(it.Order)))
		}
		var authored []string
		for _, id := range ids {
			i, ok := shownIndex(id, len(it.Order))
			if !ok {
				return out, fail(notAnOption)
			}
			authored = append(authored, it.Order[i])
		}
		if q.Type == Ordering {
			out.Order = authored
		} else {
			out.Choices = authored
		}
	case Matching:
		lefts := matchingLefts(q)
		if len(r.Matches) > len(lefts) {
			return out, fail("The answer matches an item that is not in this question. Reload the page and answer again.")
		}
		for l, rr := range r.Matches {
			li, ok := shownIndex(l, len(lefts))
			if !ok {
				return out, fail("The answer matches an item that is not in this question. Reload the page and answer again.")
			}
			right := ""
			if rr != "" {
				ri, ok := shownIndex(rr, len(it.Rights))
				if !ok {
					return out, fail("The answer chooses a match that is not in this question. Reload the page and answer again.")
				}
				right = it.Rights[ri]
			}
			if out.Matches == nil {
				out.Matches = make(map[string]string, len(r.Matches))
			}
			out.Matches[lefts[li].ID] = right
		}
	default:
		out.Text = r.Text
	}
	return out, nil
}

// toShown turns a saved response (authored ids) into the ids the learner saw.
func toShown(q *Question, it *DrawItem, r Response) Response {
	pos := func(ids []string, id string) string {
		if i := slices.Index(ids, id); i >= 0 {
			return shownID(i)
		}
		return ""
	}
	out := Response{Text: r.Text}
	switch q.Type {
	case SingleChoice, MissingWord:
		out.Choice = pos(it.Order, r.Choice)
	case TrueFalse:
		out.Choice = r.Choice
	case MultipleResponse:
		for _, id := range r.Choices {
			out.Choices = append(out.Choices, pos(it.Order, id))
		}
	case Ordering:
		for _, id := range r.Order {
			out.Order = append(out.Order, pos(it.Order, id))
		}
	case Matching:
		lefts := matchingLefts(q)
		out.Matches = make(map[string]string, len(r.Matches))
		for l, rr := range r.Matches {
			li := slices.IndexFunc(lefts, func(p Pair) bool { return p.ID == l })
			if li < 0 {
				continue
			}
			// A right chosen by a pair id not shown (a repeated right text) shows as the one shown.
			right := ""
			if j := slices.IndexFunc(q.Pairs, func(p Pair) bool { return p.ID == rr }); j >= 0 {
				right = pos(it.Rights, rightShownAs(q, it, q.Pairs[j].Right))
			}
			out.Matches[shownID(li)] = right
		}
	}
	return out
}

// rightShownAs returns the pair id shown for a right text.
func rightShownAs(q *Question, it *DrawItem, text string) string {
	for _, id := range it.Rights {
		if j := slices.IndexFunc(q.Pairs, func(p Pair) bool { return p.ID == id }); j >= 0 && q.Pairs[j].Right == text {
			return id
		}
	}
	return ""
}

// ShownOption is an option, item or side of a match as a learner sees it.
type ShownOption struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ShownQuestion is a question as a learner sees it during an attempt: no
// weights, right answers, feedback, title or authored ids. Answers name
// options by the ids given here.
type ShownQuestion struct {
	ID        int64         `json:"id"` // pass to SaveAnswer
	Number    int           `json:"number"`
	Type      Type          `json:"type"`
	Format    string        `json:"format,omitempty"`
	Text      string        `json:"text"`
	TextAfter string        `json:"text_after,omitempty"`
	Points    float64       `json:"points"`
	Options   []ShownOption `json:"options,omitempty"` // choices; ordering: the items, shuffled
	Lefts     []ShownOption `json:"lefts,omitempty"`   // matching: the items to match
	Rights    []ShownOption `json:"rights,omitempty"`  // matching: what to match them with, shuffled
	Answer    *Response     `json:"answer,omitempty"`  // the learner's saved answer, in shown ids
}

func showQuestion(n int, q *Question, it *DrawItem) ShownQuestion {
	sq := ShownQuestion{ID: it.QuestionID, Number: n, Type: q.Type, Format: q.Format, Text: q.Text, TextAfter: q.TextAfter,
		Points: scoreMaxPoints(q)}
	for i, id := range it.Order {
		if j := scoreOptionIndex(q.Options, id); j >= 0 {
			sq.Options = append(sq.Options, ShownOption{ID: shownID(i), Text: q.Options[j].Text})
		}
	}
	if q.Type == Matching {
		for i, p := range matchingLefts(q) {
			sq.Lefts = append(sq.Lefts, ShownOption{ID: shownID(i), Text: p.Left})
		}
		for i, id := range it.Rights {
			if j := slices.IndexFunc(q.Pairs, func(p Pair) bool { return p.ID == id }); j >= 0 {
				sq.Rights = append(sq.Rights, ShownOption{ID: shownID(i), Text: q.Pairs[j].Right})
			}
		}
	}
	return sq
}

// AttemptView is an attempt as its learner sees it while answering: safe to
// render or send whole, it holds nothing that tells the right answers.
type AttemptView struct {
	AttemptID   int64           `json:"attempt_id"`
	Quiz        string          `json:"quiz"`
	QuizTitle   string          `json:"quiz_title"`
	Number      int             `json:"number"`
	StartedAt   time.Time       `json:"started_at"`
	Deadline    *time.Time      `json:"deadline,omitempty"`
	SubmittedAt *time.Time      `json:"submitted_at,omitempty"`
	Questions   []ShownQuestion `json:"questions"`
}

// attemptData is an attempt with its quiz, questions and counted answers.
type attemptData struct {
	a         *Attempt
	quiz      *Quiz
	questions []*Question    // per draw item
	answers   []*savedAnswer // per draw item; nil when blank or saved after the deadline
	responses []Response     // per draw item, authored ids
}

func (s *Store) loadAttemptData(ctx context.Context, db bun.IDB, a *Attempt) (*attemptData, error) {
	quiz, err := findQuizByID(ctx, db, a.QuizID)
	if err != nil {
		return nil, err
	}
	qs, err := s.cachedQuestions(ctx, db, a.questionIDs())
	if err != nil {
		return nil, err
	}
	d, err := s.scoringData(ctx, db, a, qs, nil)
	if err != nil {
		return nil, err
	}
	d.quiz = quiz
	return d, nil
}

func (d *attemptData) view() *AttemptView {
	v := &AttemptView{AttemptID: d.a.ID, Quiz: d.quiz.Slug, QuizTitle: d.quiz.Title, Number: d.a.Number,
		StartedAt: d.a.StartedAt, Deadline: d.a.Deadline, SubmittedAt: d.a.SubmittedAt, Questions: make([]ShownQuestion, len(d.a.Draw))}
	for i := range d.a.Draw {
		v.Questions[i] = showQuestion(i+1, d.questions[i], &d.a.Draw[i])
		if d.answers[i] != nil {
			r := toShown(d.questions[i], &d.a.Draw[i], d.responses[i])
			v.Questions[i].Answer = &r
		}
	}
	return v
}

// score scores the counted answers, with the essay grades given so far.
func (d *attemptData) score() AttemptScore {
	items := make([]AttemptQuestion, len(d.questions))
	grades := make([]*float64, len(d.questions))
	for i, q := range d.questions {
		items[i] = AttemptQuestion{Question: q, Response: d.responses[i], Answered: d.answers[i] != nil}
		if d.answers[i] != nil {
			grades[i] = d.answers[i].Grade
		}
	}
	return scoreGraded(items, grades)
}

// scoreGraded is ScoreAttempt with the assessors' grades (fractions, nil when
// not graded) applied to the essays.
func scoreGraded(items []AttemptQuestion, grades []*float64) AttemptScore {
	s := ScoreAttempt(items)
	for i, g := range grades {
		if g == nil || items[i].Question == nil || !s.PerQuestion[i].NeedsGrading {
			continue
		}
		res := &s.PerQuestion[i]
		res.NeedsGrading, res.Fraction = false, *g
		res.Points = *g * scoreMaxPoints(items[i].Question)
		s.Points += res.Points
		s.Pending--
	}
	if s.MaxPoints > 0 {
		s.Percent = 100 * s.Points / s.MaxPoints
	}
	return s
}

// applyScore records a score on the attempt; Passed is decided only when
// nothing waits for grading.
func applyScore(a *Attempt, sc AttemptScore) {
	pts, maxPts, pct := sc.Points, sc.MaxPoints, RoundPercent(sc.Percent)
	a.Score, a.MaxScore, a.Percent, a.PendingGrading, a.Passed = &pts, &maxPts, &pct, sc.Pending, nil
	if sc.Pending == 0 {
		p := Passed(sc.Percent, a.PassMark)
		a.Passed = &p
	}
}

var scoreColumns = []string{"score", "max_score", "percent", "passed", "pending_grading"}

// AttemptView returns the employee's attempt as they see it, with their
// saved answers; NotFound when it is not theirs.
func (s *Store) AttemptView(ctx context.Context, attemptID, employeeID int64) (*AttemptView, error) {
	a, err := loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
	if err != nil {
		return nil, err
	}
	d, err := s.loadAttemptData(ctx, s.DB, a)
	if err != nil {
		return nil, err
	}
	return d.view(), nil
}

// SaveAnswer saves (or replaces) the employee's answer to one question of
// their attempt. r names options by the ids AttemptView showed. It returns
// NotFound when the attempt is not theirs; Conflict when it was submitted or
// its time is up; Invalid when the question is not in the attempt or r does
// not fit the question (a *ResponseError).
//
// The checks read outside any transaction and the answer is written by one
// statement that only lands while the attempt is unsubmitted, so autosaves
// from many learners do not queue behind each other's reads.
func (s *Store) SaveAnswer(ctx context.Context, attemptID, employeeID, questionRowID int64, r Response, now time.Time) error {
	a, err := loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
	if err != nil {
		return err
	}
	if a.Submitted() {
		return errSubmitted
	}
	it := a.item(questionRowID)
	if it == nil {
		return store.Errorf(store.Invalid, "That question is not part of this attempt. Reload the page.")
	}
	qs, err := s.cachedQuestions(ctx, s.DB, []int64{questionRowID})
	if err != nil {
		return err
	}
	q := qs[questionRowID]
	authored, err := toAuthored(q, it, r)
	if err != nil {
		return err
	}
	if err := ValidateResponse(q, authored); err != nil {
		return err
	}
	if a.Deadline != nil && now.After(*a.Deadline) {
		return errTimeUp
	}
	body, err := json.Marshal(authored)
	if err != nil {
		return err
	}
	res, err := s.DB.NewRaw(`INSERT INTO attempt_answers (attempt_id, question_row_id, response, saved_at, grade_comment)
		SELECT ?, ?, ?, ?, '' WHERE EXISTS (SELECT 1 FROM attempts WHERE id = ? AND submitted_at IS NULL)
		ON CONFLICT (attempt_id, question_row_id) DO UPDATE SET response = EXCLUDED.response, saved_at = EXCLUDED.saved_at`,
		a.ID, questionRowID, string(body), now.UTC(), a.ID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errSubmitted // submitted between the check and the write
	}
	return nil
}

var (
	errSubmitted = store.Errorf(store.Conflict, "This attempt has been submitted: its answers can no longer change.")
	errTimeUp    = store.Errorf(store.Conflict, "Time is up: answers can no longer be saved. Submit the attempt.")
)

// SubmitAttempt submits and scores the employee's attempt: only the answers
// saved before the deadline count, and a submission after it is marked
// late. onScored (if not nil) runs in the same transaction. Submitting again
// (a double click, a second tab) returns the attempt as first scored and does
// not call onScored. NotFound when the attempt is not theirs.
func (s *Store) SubmitAttempt(ctx context.Context, attemptID, employeeID int64, now time.Time, onScored ScoredFunc) (*Attempt, error) {
	var out *Attempt
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, submitted, err := s.SubmitAttemptIn(ctx, tx, attemptID, employeeID, now)
		out = a
		if err != nil || !submitted || onScored == nil {
			return err
		}
		return onScored(ctx, tx, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SubmitAttemptIn is SubmitAttempt in tx, without a hook: it reports
// whether this call submitted the attempt (false when it was submitted
// already, returned as first scored).
func (s *Store) SubmitAttemptIn(ctx context.Context, tx bun.IDB, attemptID, employeeID int64, now time.Time) (*Attempt, bool, error) {
	a, err := loadAttempt(ctx, tx, attemptID, &employeeID, true)
	if err != nil {
		return nil, false, err
	}
	if a.Submitted() {
		return a, false, nil
	}
	d, err := s.loadAttemptData(ctx, tx, a)
	if err != nil {
		return nil, false, err
	}
	return markSubmitted(ctx, tx, a, d, now, employeeID)
}

// MaxGradeComment is the longest comment an assessor may leave on an essay, in characters.
const MaxGradeComment = 4000

// GradeEssay records an assessor's grade (a fraction of the question's
// points, 0..1) for an essay answer of a submitted attempt, re-scores the
// attempt (deciding Passed once no essay waits) and calls onScored in the
// same transaction. A grade can be changed by grading again. NotFound for
// an unknown attempt; Conflict when it is not submitted yet; Forbidden for
// grading one's own attempt; Invalid for a question that is not an answered
// essay of the attempt, or a fraction outside 0..1.
func (s *Store) GradeEssay(ctx context.Context, attemptID, questionRowID int64, fraction float64, comment string, graderID int64, onScored ScoredFunc) (*Attempt, error) {
	if err := checkGrade(fraction, comment); err != nil {
		return nil, err
	}
	var out *Attempt
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.GradeEssayIn(ctx, tx, attemptID, questionRowID, fraction, comment, graderID)
		out = a
		if err != nil || onScored == nil {
			return err
		}
		return onScored(ctx, tx, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkGrade(fraction float64, comment string) error {
	if !(fraction >= 0 && fraction <= 1) {
		return store.FieldError("grade", "Give a grade from 0 to 100%%.")
	}
	if n := utf8.RuneCountInString(comment); n > MaxGradeComment {
		return store.FieldError("comment", "The comment is %d characters long; the limit is %d.", n, MaxGradeComment)
	}
	return nil
}

// GradeEssayIn is GradeEssay in tx, without a hook.
func (s *Store) GradeEssayIn(ctx context.Context, tx bun.IDB, attemptID, questionRowID int64, fraction float64, comment string, graderID int64) (*Attempt, error) {
	if err := checkGrade(fraction, comment); err != nil {
		return nil, err
	}
	a, err := loadAttempt(ctx, tx, attemptID, nil, true)
	if err != nil {
		return nil, err
	}
	switch {
	case !a.Submitted():
		return nil, store.Errorf(store.Conflict, "This attempt has not been submitted yet.")
	case a.EmployeeID == graderID:
		return nil, store.Errorf(store.Forbidden, "You cannot grade your own answers.")
	}
	d, err := s.loadAttemptData(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(a.Draw, func(it DrawItem) bool { return it.QuestionID == questionRowID })
	switch {
	case i < 0:
		return nil, store.Errorf(store.Invalid, "That question is not part of this attempt.")
	case d.questions[i].Type != Essay:
		return nil, store.Errorf(store.Invalid, "Only essay answers are graded by hand.")
	case d.answers[i] == nil:
		return nil, store.Errorf(store.Invalid, "The essay was not answered (in time): it scores 0 and there is nothing to grade.")
	}
	now := s.Now().UTC()
	sa := d.answers[i]
	sa.Grade, sa.GradedByID, sa.GradedAt, sa.GradeComment = &fraction, &graderID, &now, comment
	if _, err := tx.NewUpdate().Model(sa).Column("grade", "graded_by_id", "graded_at", "grade_comment").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	applyScore(a, d.score())
	if _, err := tx.NewUpdate().Model(a).Column(scoreColumns...).WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Outcome describes a scored attempt in words: "passed (80%)", "not passed
// (40%)" or "still waiting for 1 essay grade".
func (a *Attempt) Outcome() string {
	pct := ""
	if a.Percent != nil {
		pct = " (" + strconv.FormatFloat(*a.Percent, 'f', -1, 64) + "%)"
	}
	switch {
	case a.Passed == nil:
		return fmt.Sprintf("still waiting for %d essay grade%s", a.PendingGrading, map[bool]string{true: "", false: "s"}[a.PendingGrading == 1])
	case *a.Passed:
		return "passed" + pct
	default:
		return "not passed" + pct
	}
}

// ReviewedQuestion is one question of a reviewed attempt: as it was shown,
// with the learner's answer, its score, the feedback and the right answer.
type ReviewedQuestion struct {
	ShownQuestion
	Answered     bool     `json:"answered"`
	Fraction     float64  `json:"fraction"`
	Points       float64  `json:"points_scored"`
	NeedsGrading bool     `json:"needs_grading"`
	GradeComment string   `json:"grade_comment,omitempty"`
	Feedback     []string `json:"feedback"`
	RightAnswers []string `json:"right_answers"` // readable: option texts, "left → right", numbers
}

// AttemptReview is a submitted attempt with its per-question results.
type AttemptReview struct {
	Attempt   *Attempt           `json:"attempt"`
	QuizTitle string             `json:"quiz_title"`
	Feedback  string             `json:"feedback"` // the feedback band of the score
	Questions []ReviewedQuestion `json:"questions"`
}

// Review returns the employee's submitted attempt with the right answers
// and feedback, when the quiz's review policy allows it: never; once they
// have passed the quiz (after_passing); once they have submitted their last
// allowed attempt (after_last). Forbidden (with the reason) otherwise or
// before submission; NotFound when the attempt is not theirs.
func (s *Store) Review(ctx context.Context, attemptID, employeeID int64) (*AttemptReview, error) {
	a, err := loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
	if err != nil {
		return nil, err
	}
	if !a.Submitted() {
		return nil, store.Errorf(store.Forbidden, "Submit the attempt to see how you did.")
	}
	d, err := s.loadAttemptData(ctx, s.DB, a)
	if err != nil {
		return nil, err
	}
	var others []Attempt
	if err := s.DB.NewSelect().Model(&others).Column("id", "submitted_at", "passed").
		Where("quiz_id = ? AND employee_id = ?", a.QuizID, employeeID).Scan(ctx); err != nil {
		return nil, err
	}
	if err := reviewAllowed(&d.quiz.QuizSettings, others); err != nil {
		return nil, err
	}
	sc := d.score()
	r := &AttemptReview{Attempt: a, QuizTitle: d.quiz.Title, Questions: make([]ReviewedQuestion, len(a.Draw))}
	if a.PendingGrading == 0 && a.Percent != nil {
		r.Feedback = d.quiz.BandFeedback(*a.Percent)
	}
	v := d.view()
	for i, q := range d.questions {
		res := sc.PerQuestion[i]
		rq := ReviewedQuestion{ShownQuestion: v.Questions[i], Answered: d.answers[i] != nil, Fraction: res.Fraction,
			Points: res.Points, NeedsGrading: res.NeedsGrading, Feedback: res.Feedback, RightAnswers: RightAnswers(q)}
		if rq.Feedback == nil {
			rq.Feedback = []string{}
		}
		if d.answers[i] != nil {
			rq.GradeComment = d.answers[i].GradeComment
		}
		r.Questions[i] = rq
	}
	return r, nil
}

// reviewAllowed applies the review policy to the learner's attempts at the quiz.
func reviewAllowed(q *QuizSettings, attempts []Attempt) error {
	switch q.ReviewPolicy {
	case ReviewAfterPassing:
		if slices.ContainsFunc(attempts, func(a Attempt) bool { return a.Passed != nil && *a.Passed }) {
			return nil
		}
		return store.Errorf(store.Forbidden, "The answers are shown once you have passed this quiz.")
	case ReviewAfterLast:
		submitted := 0
		for _, a := range attempts {
			if a.SubmittedAt != nil {
				submitted++
			}
		}
		if q.AttemptLimit > 0 && submitted >= q.AttemptLimit {
			return nil
		}
		return store.Errorf(store.Forbidden, "The answers are shown after your last attempt.")
	}
	return store.Errorf(store.Forbidden, "This quiz does not show the answers.")
}

// RightAnswers describes q's full-marks answers for a review: the right
// options' texts, "True" or "False", the accepted texts (in words, never
// their wildcards: AcceptedInWords) or numbers, each
// match as "left → right", the items in order. Nothing for an essay.
func RightAnswers(q *Question) []string {
	out := []string{}
	switch q.Type {
	case SingleChoice, MissingWord:
		for _, o := range q.Options {
			if o.Weight >= 100 {
				out = append(out, o.Text)
			}
		}
	case MultipleResponse:
		for _, o := range q.Options {
			if o.Weight > 0 {
				out = append(out, o.Text)
			}
		}
	case TrueFalse:
		out = append(out, map[bool]string{true: "True", false: "False"}[q.Correct])
	case ShortAnswer:
		for _, a := range q.Answers {
			if w := AcceptedInWords(a.Text); a.Weight >= 100 && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	case Numeric:
		for _, n := range q.Numbers {
			switch {
			case n.Weight < 100:
			case n.IsRange:
				out = append(out, fmt.Sprintf("%s to %s", formatNumber(n.Min), formatNumber(n.Max)))
			case n.Tolerance != 0:
				out = append(out, fmt.Sprintf("%s ± %s", formatNumber(n.Value), formatNumber(math.Abs(n.Tolerance))))
			default:
				out = append(out, formatNumber(n.Value))
			}
		}
	case Matching:
		for _, p := range matchingLefts(q) {
			out = append(out, p.Left+" → "+p.Right)
		}
	case Ordering:
		for _, o := range q.Options {
			out = append(out, o.Text)
		}
	}
	return out
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// FullMarks is a full-marks answer to q as a learner shown it as it says
// would give it (options named by the ids shown, as SaveAnswer takes them);
// false for an essay, which only an assessor grades.
func FullMarks(q *Question, it *DrawItem) (Response, bool) {
	r, ok := rightResponse(q)
	if !ok {
		return r, false
	}
	return toShown(q, it, r), true
}

// rightResponse is a full-marks answer to q, in authored ids.
func rightResponse(q *Question) (Response, bool) {
	var r Response
	switch q.Type {
	case SingleChoice, MissingWord:
		best := -1
		for i, o := range q.Options {
			if best < 0 || o.Weight > q.Options[best].Weight {
				best = i
			}
		}
		if best < 0 {
			return r, false
		}
		r.Choice = q.Options[best].ID
	case MultipleResponse:
		for _, o := range q.Options {
			if o.Weight > 0 {
				r.Choices = append(r.Choices, o.ID)
			}
		}
	case TrueFalse:
		r.Choice = map[bool]string{true: "true", false: "false"}[q.Correct]
	case ShortAnswer:
		for _, a := range q.Answers {
			if a.Weight >= 100 {
				r.Text = strings.ReplaceAll(a.Text, "*", "")
				break
			}
		}
	case Numeric:
		for _, n := range q.Numbers {
			if n.Weight >= 100 {
				if n.IsRange {
					r.Text = formatNumber(n.Min)
				} else {
					r.Text = formatNumber(n.Value)
				}
				break
			}
		}
	case Matching:
		r.Matches = map[string]string{}
		for _, p := range matchingLefts(q) {
			r.Matches[p.ID] = p.ID
		}
	case Ordering:
		for _, o := range q.Options {
			r.Order = append(r.Order, o.ID)
		}
	default:
		return r, false
	}
	return r, true
}

// AttemptSummary is one attempt in an employee's list (the API's form).
type AttemptSummary struct {
	ID          int64      `json:"id"`
	Course      string     `json:"course"` // course slug
	Quiz        string     `json:"quiz"`   // quiz slug
	StartedAt   time.Time  `json:"started_at"`
	SubmittedAt *time.Time `json:"submitted_at"`
	Score       *float64   `json:"score"` // percent, rounded to 2 decimals
	Passed      *bool      `json:"passed"`
	Late        bool       `json:"late"`
}

// ListAttempts returns the employee's attempts, newest first.
func (s *Store) ListAttempts(ctx context.Context, employeeID int64) ([]AttemptSummary, error) {
	list := []AttemptSummary{}
	err := s.DB.NewSelect().TableExpr("attempts AS at").Join("JOIN quizzes AS qz ON qz.id = at.quiz_id").
		ColumnExpr("at.id, qz.course_slug AS course, qz.slug AS quiz, at.started_at, at.submitted_at").
		ColumnExpr("at.percent AS score, at.passed, at.late").
		Where("at.employee_id = ?", employeeID).OrderExpr("at.started_at DESC, at.id DESC").Scan(ctx, &list)
	return list, err
}
