package assessments

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Store reads and writes question banks, quizzes and attempts. Courses are
// named by slug only: this package does not know the courses package.
type Store struct {
	DB  *bun.DB
	Now func() time.Time // the clock StartAttempt reads; UTC

	mu        sync.RWMutex
	questions map[int64]*Question // question versions never change: parsed bodies by row id
}

// NewStore returns a Store on db with the real clock.
func NewStore(db *bun.DB) *Store {
	return &Store{DB: db, Now: func() time.Time { return time.Now().UTC() }, questions: map[int64]*Question{}}
}

// maxCachedQuestions bounds the parsed-question cache; it is cleared when full.
const maxCachedQuestions = 20000

// Review policies: when a learner may see the right answers and the feedback
// of a submitted attempt.
const (
	ReviewNever        = "never"
	ReviewAfterPassing = "after_passing" // once they have passed the quiz
	ReviewAfterLast    = "after_last"    // once they have submitted their last allowed attempt
)

// ReviewPolicies lists the review policies in the order a form offers them.
var ReviewPolicies = []string{ReviewNever, ReviewAfterPassing, ReviewAfterLast}

// Quiz limits.
const (
	MaxQuizTitle     = 200
	MaxDrawCount     = 500
	MaxAttemptLimit  = 100
	MaxMinWait       = 60 * 24 * 30 // minutes: 30 days
	MaxTimeLimit     = 60 * 24      // minutes: one day
	MaxBandText      = 2000
	maxFeedbackBands = 20
)

// FeedbackBand is the overall feedback for a score of at least Min percent.
type FeedbackBand struct {
	Min  float64 `json:"min"`
	Text string  `json:"text"`
}

// QuizSettings is what an author sets for a quiz.
type QuizSettings struct {
	CourseSlug       string
	Slug             string // unique across courses: a course version requires assessments by slug
	Title            string
	DrawCount        int            // questions per attempt, 1..MaxDrawCount
	DrawPerTag       map[string]int // of DrawCount, how many carry each tag; the rest come from any tag
	ShuffleQuestions bool
	ShuffleOptions   bool // matching rights and ordering items are always shuffled
	PassMark         float64
	AttemptLimit     int // 0 means unlimited
	MinWaitMinutes   int // between a submission and the next start
	TimeLimitMinutes int // 0 means no time limit
	ReviewPolicy     string
	FeedbackBands    []FeedbackBand
}

// Quiz is a saved quiz.
type Quiz struct {
	ID int64
	QuizSettings
	CreatedAt, UpdatedAt time.Time
}

// BandFeedback returns the text of the band with the highest Min at or below
// percent (rounded as Passed rounds), or "".
func (q *QuizSettings) BandFeedback(percent float64) string {
	p, best, text := RoundPercent(percent), math.Inf(-1), ""
	for _, b := range q.FeedbackBands {
		if b.Min <= p && b.Min > best {
			best, text = b.Min, b.Text
		}
	}
	return text
}

// ValidateQuiz returns every problem with q, in form order, as Invalid
// *store.Error values whose Field is the column name ("course_slug", "slug",
// "title", "draw_count", "draw_per_tag", "pass_mark", "attempt_limit",
// "min_wait_minutes", "time_limit_minutes", "review_policy",
// "feedback_bands"). Whether the bank holds enough questions is checked when
// an attempt starts. It returns nil when q is valid.
func ValidateQuiz(q QuizSettings) []error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, store.FieldError(field, format, args...))
	}
	if !checklistSlugOK(q.CourseSlug) {
		add("course_slug", "Choose the course the quiz belongs to.")
	}
	switch {
	case q.Slug == "":
		add("slug", "Enter a short name for the quiz's address, such as six-cs-quiz.")
	case !checklistSlugOK(q.Slug):
		add("slug", "%q: use lowercase letters, digits and single hyphens (up to 80), such as six-cs-quiz.", q.Slug)
	}
	switch n := utf8.RuneCountInString(q.Title); {
	case n == 0:
		add("title", "Enter a title for the quiz.")
	case n > MaxQuizTitle:
		add("title", "The title is %d characters long; the limit is %d.", n, MaxQuizTitle)
	}
	if q.DrawCount < 1 || q.DrawCount > MaxDrawCount {
		add("draw_count", "Draw from 1 to %d questions per attempt.", MaxDrawCount)
	}
	sum := 0
	for _, tag := range slices.Sorted(maps.Keys(q.DrawPerTag)) {
		n := q.DrawPerTag[tag]
		switch {
		case tag == "" || !questionTagOK(tag):
			add("draw_per_tag", "%q is not a tag: tags are 1 to %d characters without commas.", tag, maxTag)
		case n < 1:
			add("draw_per_tag", "Draw at least 1 question tagged %q, or leave the tag out.", tag)
		}
		sum += max(n, 0)
	}
	if sum > q.DrawCount && q.DrawCount >= 1 {
		add("draw_per_tag", "The questions drawn per tag add up to %d, more than the %d drawn in all.", sum, q.DrawCount)
	}
	if !(q.PassMark >= 0 && q.PassMark <= 100) {
		add("pass_mark", "Enter a pass mark from 0 to 100 percent.")
	}
	if q.AttemptLimit < 0 || q.AttemptLimit > MaxAttemptLimit {
		add("attempt_limit", "Allow from 1 to %d attempts, or 0 for no limit.", MaxAttemptLimit)
	}
	if q.MinWaitMinutes < 0 || q.MinWaitMinutes > MaxMinWait {
		add("min_wait_minutes", "Enter a wait between attempts from 0 to %d minutes (30 days).", MaxMinWait)
	}
	if q.TimeLimitMinutes < 0 || q.TimeLimitMinutes > MaxTimeLimit {
		add("time_limit_minutes", "Enter a time limit from 1 to %d minutes, or 0 for none.", MaxTimeLimit)
	}
	switch {
	case !slices.Contains(ReviewPolicies, q.ReviewPolicy):
		add("review_policy", "Choose when learners may review their answers: never, after passing or after their last attempt.")
	case q.ReviewPolicy == ReviewAfterLast && q.AttemptLimit == 0:
		add("review_policy", "Review after the last attempt needs an attempt limit: with unlimited attempts there is no last one.")
	}
	if len(q.FeedbackBands) > maxFeedbackBands {
		add("feedback_bands", "Use at most %d feedback bands.", maxFeedbackBands)
	}
	for i, b := range q.FeedbackBands {
		switch {
		case !(b.Min >= 0 && b.Min <= 100):
			add("feedback_bands", "Band %d: start it at a score from 0 to 100 percent.", i+1)
		case slices.ContainsFunc(q.FeedbackBands[:i], func(o FeedbackBand) bool { return o.Min == b.Min }):
			add("feedback_bands", "Band %d starts at %g%% like an earlier band; give each band its own start.", i+1, b.Min)
		}
		switch n := utf8.RuneCountInString(b.Text); {
		case n == 0:
			add("feedback_bands", "Band %d: write the feedback, or remove the band.", i+1)
		case n > MaxBandText:
			add("feedback_bands", "Band %d is %d characters long; the limit is %d.", i+1, n, MaxBandText)
		}
	}
	return errs
}

type quizRow struct {
	bun.BaseModel `bun:"table:quizzes,alias:qz"`

	ID               int64     `bun:",pk,autoincrement"`
	CourseSlug       string    `bun:",notnull"`
	Slug             string    `bun:",notnull"`
	Title            string    `bun:",notnull"`
	DrawCount        int       `bun:",notnull"`
	DrawPerTag       string    `bun:",notnull"` // JSON object tag → count, or ""
	ShuffleQuestions bool      `bun:",notnull"`
	ShuffleOptions   bool      `bun:",notnull"`
	PassMark         float64   `bun:",notnull"`
	AttemptLimit     int       `bun:",notnull"`
	MinWaitMinutes   int       `bun:",notnull"`
	TimeLimitMinutes int       `bun:",notnull"`
	ReviewPolicy     string    `bun:",notnull"`
	FeedbackBands    string    `bun:",notnull"` // JSON array of FeedbackBand, or ""
	CreatedAt        time.Time `bun:",notnull"`
	UpdatedAt        time.Time `bun:",notnull"`
}

func (r *quizRow) quiz() (*Quiz, error) {
	q := &Quiz{ID: r.ID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, QuizSettings: QuizSettings{
		CourseSlug: r.CourseSlug, Slug: r.Slug, Title: r.Title, DrawCount: r.DrawCount,
		ShuffleQuestions: r.ShuffleQuestions, ShuffleOptions: r.ShuffleOptions, PassMark: r.PassMark,
		AttemptLimit: r.AttemptLimit, MinWaitMinutes: r.MinWaitMinutes, TimeLimitMinutes: r.TimeLimitMinutes,
		ReviewPolicy: r.ReviewPolicy,
	}}
	if r.DrawPerTag != "" {
		if err := json.Unmarshal([]byte(r.DrawPerTag), &q.DrawPerTag); err != nil {
			return nil, fmt.Errorf("quiz %d: draw_per_tag: %w", r.ID, err)
		}
	}
	if r.FeedbackBands != "" {
		if err := json.Unmarshal([]byte(r.FeedbackBands), &q.FeedbackBands); err != nil {
			return nil, fmt.Errorf("quiz %d: feedback_bands: %w", r.ID, err)
		}
	}
	return q, nil
}

// SaveQuiz creates the quiz with s.Slug, or updates its settings when it
// exists (attempts already started keep their draw and pass mark). It
// returns the first of ValidateQuiz's errors when s is not valid.
func (s *Store) SaveQuiz(ctx context.Context, q QuizSettings) (*Quiz, error) {
	if errs := ValidateQuiz(q); len(errs) > 0 {
		return nil, errs[0]
	}
	row := &quizRow{CourseSlug: q.CourseSlug, Slug: q.Slug, Title: q.Title, DrawCount: q.DrawCount,
		ShuffleQuestions: q.ShuffleQuestions, ShuffleOptions: q.ShuffleOptions, PassMark: q.PassMark,
		AttemptLimit: q.AttemptLimit, MinWaitMinutes: q.MinWaitMinutes, TimeLimitMinutes: q.TimeLimitMinutes,
		ReviewPolicy: q.ReviewPolicy}
	if len(q.DrawPerTag) > 0 {
		b, _ := json.Marshal(q.DrawPerTag)
		row.DrawPerTag = string(b)
	}
	if len(q.FeedbackBands) > 0 {
		b, _ := json.Marshal(q.FeedbackBands)
		row.FeedbackBands = string(b)
	}
	now := s.Now().UTC()
	row.CreatedAt, row.UpdatedAt = now, now
	_, err := s.DB.NewInsert().Model(row).
		On("CONFLICT (slug) DO UPDATE").
		Set("course_slug = EXCLUDED.course_slug, title = EXCLUDED.title, draw_count = EXCLUDED.draw_count").
		Set("draw_per_tag = EXCLUDED.draw_per_tag, shuffle_questions = EXCLUDED.shuffle_questions").
		Set("shuffle_options = EXCLUDED.shuffle_options, pass_mark = EXCLUDED.pass_mark").
		Set("attempt_limit = EXCLUDED.attempt_limit, min_wait_minutes = EXCLUDED.min_wait_minutes").
		Set("time_limit_minutes = EXCLUDED.time_limit_minutes, review_policy = EXCLUDED.review_policy").
		Set("feedback_bands = EXCLUDED.feedback_bands, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("save quiz %q: %w", q.Slug, err)
	}
	return s.FindQuiz(ctx, q.Slug)
}

// FindQuiz returns the quiz with slug, or NotFound.
func (s *Store) FindQuiz(ctx context.Context, slug string) (*Quiz, error) {
	return s.FindQuizIn(ctx, s.DB, slug)
}

// FindQuizIn is FindQuiz reading through db: code running in a transaction
// passes the transaction, never waiting for a second connection.
func (s *Store) FindQuizIn(ctx context.Context, db bun.IDB, slug string) (*Quiz, error) {
	row := new(quizRow)
	err := db.NewSelect().Model(row).Where("slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no quiz %q.", slug)
	} else if err != nil {
		return nil, err
	}
	return row.quiz()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// findQuizByID returns the quiz with id, or NotFound.
func findQuizByID(ctx context.Context, db bun.IDB, id int64) (*Quiz, error) {
	row := new(quizRow)
	err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no such quiz.")
	} else if err != nil {
		return nil, err
	}
	return row.quiz()
}

// QuizzesForCourse returns the quizzes of the course, by title.
func (s *Store) QuizzesForCourse(ctx context.Context, courseSlug string) ([]*Quiz, error) {
	var rows []quizRow
	if err := s.DB.NewSelect().Model(&rows).Where("course_slug = ?", courseSlug).OrderExpr("title, id").Scan(ctx); err != nil {
		return nil, err
	}
	list := make([]*Quiz, 0, len(rows))
	for i := range rows {
		q, err := rows[i].quiz()
		if err != nil {
			return nil, err
		}
		list = append(list, q)
	}
	return list, nil
}

// cachedQuestions returns the parsed questions of the row ids (versions never
// change, so they are cached). A missing id is an internal error.
func (s *Store) cachedQuestions(ctx context.Context, db bun.IDB, ids []int64) (map[int64]*Question, error) {
	out := make(map[int64]*Question, len(ids))
	var missing []int64
	s.mu.RLock()
	for _, id := range ids {
		if q, ok := s.questions[id]; ok {
			out[id] = q
		} else {
			missing = append(missing, id)
		}
	}
	s.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	var rows []questionRow
	if err := db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(missing)).Scan(ctx); err != nil {
		return nil, err
	}
	parsed := make(map[int64]*Question, len(rows))
	for i := range rows {
		bq, err := rows[i].bankQuestion()
		if err != nil {
			return nil, err
		}
		parsed[rows[i].ID] = &bq.Question
	}
	for _, id := range missing {
		if parsed[id] == nil {
			return nil, fmt.Errorf("question row %d is missing", id)
		}
	}
	s.mu.Lock()
	if len(s.questions)+len(parsed) > maxCachedQuestions {
		s.questions = make(map[int64]*Question, len(parsed))
	}
	maps.Copy(s.questions, parsed)
	s.mu.Unlock()
	maps.Copy(out, parsed)
	return out, nil
}
