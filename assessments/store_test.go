package assessments_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

const bankCourse = "demo"

// quizClock is a settable clock for Store.Now.
type quizClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *quizClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *quizClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// newQuizStore returns a store on db whose clock starts at a fixed time.
func newQuizStore(db *bun.DB) (*assessments.Store, *quizClock) {
	s := assessments.NewStore(db)
	clock := &quizClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s.Now = clock.Now
	return s, clock
}

// quizEmployee adds an employee and returns their id.
func quizEmployee(t *testing.T, db *bun.DB, number string) int64 {
	t.Helper()
	var id int64
	now := time.Now().UTC()
	email := number + "@example.test"
	err := db.NewRaw("INSERT INTO employees (number, first_name, last_name, email, email_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		number, "Test", number, email, email, now, now).Scan(context.Background(), &id)
	if err != nil {
		t.Fatalf("insert employee: %v", err)
	}
	return id
}

// quizBank has one question of every type but essay. Right options start
// with "RIGHT"; every string a learner must not see before submitting is
// in secretStrings.
func quizBank() []assessments.Question {
	type (
		Q = assessments.Question
		O = assessments.Option
	)
	return []Q{
		{ID: "sc", Title: "TITLE-SECRET", Type: assessments.SingleChoice, Text: "Which promise do you make?", Tags: []string{"promises"},
			GeneralFeedback: "GENERAL-FEEDBACK-SC", Options: []O{
				{ID: "a", Text: "RIGHT a time you can keep", Weight: 100, Feedback: "FEEDBACK-SC-A"},
				{ID: "b", Text: "soon", Feedback: "FEEDBACK-SC-B"},
				{ID: "c", Text: "within the hour, to calm them"},
			}},
		{ID: "mr", Type: assessments.MultipleResponse, Text: "What goes in a call-back note?", Tags: []string{"promises"}, Options: []O{
			{ID: "a", Text: "RIGHT the agreed time", Weight: 50, Feedback: "FEEDBACK-MR-A"},
			{ID: "b", Text: "RIGHT the number to call", Weight: 50},
			{ID: "c", Text: "your opinion of them", Weight: -100, Feedback: "FEEDBACK-MR-C"},
		}},
		{ID: "tf", Type: assessments.TrueFalse, Text: "Recovery done well builds loyalty.", Correct: true, Tags: []string{"empathy"},
			TrueFeedback: "FEEDBACK-TRUE", FalseFeedback: "FEEDBACK-FALSE"},
		{ID: "sa", Type: assessments.ShortAnswer, Text: "The secret word?", Tags: []string{"empathy"},
			Answers: []assessments.TextAnswer{{Text: "bonjour-secret", Weight: 100, Feedback: "FEEDBACK-SA"}}},
		{ID: "num", Type: assessments.Numeric, Text: "How many minutes?",
			Numbers: []assessments.NumericAnswer{{Value: 4217.5, Tolerance: 0.25, Weight: 100, Feedback: "FEEDBACK-NUM"}}},
		{ID: "match", Type: assessments.Matching, Text: "Match the phrases.", Pairs: []assessments.Pair{
			{ID: "p1", Left: "Greeting", Right: "Hello"}, {ID: "p2", Left: "Farewell", Right: "Goodbye"},
			{ID: "p3", Left: "Gratitude", Right: "Thanks"}, {ID: "p4", Right: "Distractor"},
		}},
		{ID: "order", Type: assessments.Ordering, Text: "Put the steps in order.", Options: []O{
			{ID: "a", Text: "1 Listen"}, {ID: "b", Text: "2 Apologise"}, {ID: "c", Text: "3 Fix"}, {ID: "d", Text: "4 Follow up"},
		}},
		{ID: "mw", Type: assessments.MissingWord, Text: "Always give a", TextAfter: "time.", Options: []O{
			{ID: "a", Text: "RIGHT resolution", Weight: 100, Feedback: "FEEDBACK-MW"}, {ID: "b", Text: "vague"},
		}},
	}
}

var secretStrings = []string{"TITLE-SECRET", "GENERAL-FEEDBACK", "FEEDBACK-", "bonjour-secret", "4217.5", "0.25"}

var matchingKey = map[string]string{"Greeting": "Hello", "Farewell": "Goodbye", "Gratitude": "Thanks"}

// seedBank saves qs into the demo course's bank.
func seedBank(t *testing.T, s *assessments.Store, qs []assessments.Question) {
	t.Helper()
	for _, q := range qs {
		if _, err := s.SaveQuestion(context.Background(), bankCourse, q, nil); err != nil {
			t.Fatalf("save question %s: %v", q.ID, err)
		}
	}
}

// quizSettings are valid settings drawing n questions from the demo bank.
func quizSettings(slug string, n int) assessments.QuizSettings {
	return assessments.QuizSettings{CourseSlug: bankCourse, Slug: slug, Title: "Quiz " + slug, DrawCount: n, PassMark: 70,
		ReviewPolicy: assessments.ReviewNever}
}

func mustSaveQuiz(t *testing.T, s *assessments.Store, qs assessments.QuizSettings) *assessments.Quiz {
	t.Helper()
	q, err := s.SaveQuiz(context.Background(), qs)
	if err != nil {
		t.Fatalf("save quiz: %v", err)
	}
	return q
}

func wantQuizErr(t *testing.T, err error, kind store.Kind, msg string) {
	t.Helper()
	if err == nil || store.KindOf(err) != kind {
		t.Fatalf("want error of kind %d, got %v (kind %d)", kind, err, store.KindOf(err))
	}
	if msg != "" && !strings.Contains(store.MessageOf(err), msg) {
		t.Fatalf("want a message with %q, got %q", msg, store.MessageOf(err))
	}
}

func TestValidateQuestion(t *testing.T) {
	ok := quizBank()
	byID := map[string]assessments.Question{}
	for _, q := range ok {
		byID[q.ID] = q
	}
	with := func(id string, edit func(q *assessments.Question)) assessments.Question {
		q := byID[id]
		q.Options = append([]assessments.Option(nil), q.Options...)
		q.Pairs = append([]assessments.Pair(nil), q.Pairs...)
		q.Answers = append([]assessments.TextAnswer(nil), q.Answers...)
		q.Numbers = append([]assessments.NumericAnswer(nil), q.Numbers...)
		edit(&q)
		return q
	}
	cases := []struct {
		name  string
		q     assessments.Question
		field string // of the first error; "" means valid
	}{
		{"OKEssay", assessments.Question{Type: assessments.Essay, Text: "Describe a call you recovered."}, ""},
		{"OKNoID", with("sc", func(q *assessments.Question) { q.ID = "" }), ""},
		{"OKAllOrNothing", with("mr", func(q *assessments.Question) { q.AllOrNothing, q.Options[0].Weight = true, 10 }), ""},
		{"OKNumericRange", with("num", func(q *assessments.Question) {
			q.Numbers[0] = assessments.NumericAnswer{IsRange: true, Min: 1, Max: 5, Weight: 100}
		}), ""},
		{"OKMissingWordBlankFirst", with("mw", func(q *assessments.Question) { q.Text = "" }), ""},
		{"ErrBadID", with("sc", func(q *assessments.Question) { q.ID = "has space" }), "id"},
		{"ErrUnknownType", with("sc", func(q *assessments.Question) { q.Type = "poll" }), "type"},
		{"ErrNoText", with("sc", func(q *assessments.Question) { q.Text = "  " }), "text"},
		{"ErrFormat", with("sc", func(q *assessments.Question) { q.Format = "rtf" }), "format"},
		{"ErrPointsNegative", with("sc", func(q *assessments.Question) { q.Points = -1 }), "points"},
		{"ErrPointsNaN", with("sc", func(q *assessments.Question) { q.Points = math.NaN() }), "points"},
		{"ErrTagComma", with("sc", func(q *assessments.Question) { q.Tags = []string{"a,b"} }), "tags"},
		{"ErrTagTwice", with("sc", func(q *assessments.Question) { q.Tags = []string{"a", "a"} }), "tags"},
		{"ErrSingleChoiceNoRightAnswer", with("sc", func(q *assessments.Question) { q.Options[0].Weight = 50 }), "options"},
		{"ErrSingleChoiceOneOption", with("sc", func(q *assessments.Question) { q.Options = q.Options[:1] }), "options"},
		{"ErrOptionIDTwice", with("sc", func(q *assessments.Question) { q.Options[1].ID = "a" }), "options"},
		{"ErrOptionEmpty", with("sc", func(q *assessments.Question) { q.Options[2].Text = "" }), "options"},
		{"ErrWeightAboveHundred", with("sc", func(q *assessments.Question) { q.Options[1].Weight = 150 }), "options"},
		{"ErrMultipleResponseNoRight", with("mr", func(q *assessments.Question) { q.Options[0].Weight, q.Options[1].Weight = 0, 0 }), "options"},
		{"ErrMultipleResponseNotHundred", with("mr", func(q *assessments.Question) { q.Options[0].Weight = 20 }), "options"},
		{"ErrMissingWordNoRight", with("mw", func(q *assessments.Question) { q.Options[0].Weight = 0 }), "options"},
		{"ErrShortAnswerNone", with("sa", func(q *assessments.Question) { q.Answers = nil }), "answers"},
		{"ErrShortAnswerNoFullMarks", with("sa", func(q *assessments.Question) { q.Answers[0].Weight = 50 }), "answers"},
		{"ErrShortAnswerEmpty", with("sa", func(q *assessments.Question) { q.Answers[0].Text = " " }), "answers"},
		{"ErrNumericNone", with("num", func(q *assessments.Question) { q.Numbers = nil }), "numbers"},
		{"ErrNumericRangeBackwards", with("num", func(q *assessments.Question) {
			q.Numbers[0] = assessments.NumericAnswer{IsRange: true, Min: 5, Max: 1, Weight: 100}
		}), "numbers"},
		{"ErrNumericNegativeTolerance", with("num", func(q *assessments.Question) { q.Numbers[0].Tolerance = -1 }), "numbers"},
		{"ErrNumericInfinite", with("num", func(q *assessments.Question) { q.Numbers[0].Value = math.Inf(1) }), "numbers"},
		{"ErrMatchingOnePair", with("match", func(q *assessments.Question) { q.Pairs = q.Pairs[:1] }), "pairs"},
		{"ErrMatchingPairIDTwice", with("match", func(q *assessments.Question) { q.Pairs[1].ID = "p1" }), "pairs"},
		{"ErrMatchingNoRight", with("match", func(q *assessments.Question) { q.Pairs[0].Right = "" }), "pairs"},
		{"ErrOrderingOneItem", with("order", func(q *assessments.Question) { q.Options = q.Options[:1] }), "options"},
		{"ErrEssayTextAfter", assessments.Question{Type: assessments.Essay, Text: "Describe.", TextAfter: "more"}, "text"},
	}
	for _, q := range ok {
		cases = append(cases, struct {
			name  string
			q     assessments.Question
			field string
		}{"OK" + string(q.Type), q, ""})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := assessments.ValidateQuestion(c.q)
			switch {
			case c.field == "" && len(errs) > 0:
				t.Fatalf("want valid, got %v", errs)
			case c.field != "" && len(errs) == 0:
				t.Fatalf("want an error on %q, got none", c.field)
			case c.field != "":
				if got := store.FieldOf(errs[0]); got != c.field || store.KindOf(errs[0]) != store.Invalid {
					t.Fatalf("want Invalid on %q, got %q: %v", c.field, got, errs[0])
				}
			}
		})
	}
}

func TestValidateQuiz(t *testing.T) {
	valid := quizSettings("six-cs-quiz", 5)
	with := func(edit func(q *assessments.QuizSettings)) assessments.QuizSettings {
		q := valid
		edit(&q)
		return q
	}
	cases := []struct {
		name  string
		q     assessments.QuizSettings
		field string
	}{
		{"OK", valid, ""},
		{"OKEverything", with(func(q *assessments.QuizSettings) {
			q.DrawPerTag = map[string]int{"promises": 2, "empathy": 3}
			q.AttemptLimit, q.MinWaitMinutes, q.TimeLimitMinutes = 3, 60, 20
			q.ReviewPolicy = assessments.ReviewAfterLast
			q.FeedbackBands = []assessments.FeedbackBand{{Min: 0, Text: "Read it again."}, {Min: 80, Text: "Well done."}}
		}), ""},
		{"OKPassMarkZero", with(func(q *assessments.QuizSettings) { q.PassMark = 0 }), ""},
		{"OKPassMarkHundred", with(func(q *assessments.QuizSettings) { q.PassMark = 100 }), ""},
		{"ErrCourse", with(func(q *assessments.QuizSettings) { q.CourseSlug = "" }), "course_slug"},
		{"ErrSlugEmpty", with(func(q *assessments.QuizSettings) { q.Slug = "" }), "slug"},
		{"ErrSlugCase", with(func(q *assessments.QuizSettings) { q.Slug = "Six-Cs" }), "slug"},
		{"ErrTitleEmpty", with(func(q *assessments.QuizSettings) { q.Title = "" }), "title"},
		{"ErrTitleLong", with(func(q *assessments.QuizSettings) { q.Title = strings.Repeat("x", 201) }), "title"},
		{"ErrDrawCountZero", with(func(q *assessments.QuizSettings) { q.DrawCount = 0 }), "draw_count"},
		{"ErrDrawCountHuge", with(func(q *assessments.QuizSettings) { q.DrawCount = 501 }), "draw_count"},
		{"ErrDrawPerTagAboveTotal", with(func(q *assessments.QuizSettings) { q.DrawPerTag = map[string]int{"a": 3, "b": 3} }), "draw_per_tag"},
		{"ErrDrawPerTagZero", with(func(q *assessments.QuizSettings) { q.DrawPerTag = map[string]int{"a": 0} }), "draw_per_tag"},
		{"ErrDrawPerTagBadTag", with(func(q *assessments.QuizSettings) { q.DrawPerTag = map[string]int{"a,b": 1} }), "draw_per_tag"},
		{"ErrPassMarkAboveHundred", with(func(q *assessments.QuizSettings) { q.PassMark = 100.5 }), "pass_mark"},
		{"ErrPassMarkNegative", with(func(q *assessments.QuizSettings) { q.PassMark = -1 }), "pass_mark"},
		{"ErrPassMarkNaN", with(func(q *assessments.QuizSettings) { q.PassMark = math.NaN() }), "pass_mark"},
		{"ErrAttemptLimitNegative", with(func(q *assessments.QuizSettings) { q.AttemptLimit = -1 }), "attempt_limit"},
		{"ErrMinWaitNegative", with(func(q *assessments.QuizSettings) { q.MinWaitMinutes = -5 }), "min_wait_minutes"},
		{"ErrTimeLimitTooLong", with(func(q *assessments.QuizSettings) { q.TimeLimitMinutes = 24*60 + 1 }), "time_limit_minutes"},
		{"ErrReviewPolicyUnknown", with(func(q *assessments.QuizSettings) { q.ReviewPolicy = "always" }), "review_policy"},
		{"ErrReviewAfterLastUnlimited", with(func(q *assessments.QuizSettings) { q.ReviewPolicy = assessments.ReviewAfterLast }), "review_policy"},
		{"ErrBandMinAboveHundred", with(func(q *assessments.QuizSettings) {
			q.FeedbackBands = []assessments.FeedbackBand{{Min: 101, Text: "x"}}
		}), "feedback_bands"},
		{"ErrBandTwice", with(func(q *assessments.QuizSettings) {
			q.FeedbackBands = []assessments.FeedbackBand{{Min: 50, Text: "x"}, {Min: 50, Text: "y"}}
		}), "feedback_bands"},
		{"ErrBandEmpty", with(func(q *assessments.QuizSettings) { q.FeedbackBands = []assessments.FeedbackBand{{Min: 50}} }), "feedback_bands"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := assessments.ValidateQuiz(c.q)
			switch {
			case c.field == "" && len(errs) > 0:
				t.Fatalf("want valid, got %v", errs)
			case c.field != "" && len(errs) == 0:
				t.Fatalf("want an error on %q, got none", c.field)
			case c.field != "":
				if got := store.FieldOf(errs[0]); got != c.field {
					t.Fatalf("want an error on %q, got %q: %v", c.field, got, errs[0])
				}
			}
		})
	}
}

func TestBandFeedback(t *testing.T) {
	q := assessments.QuizSettings{FeedbackBands: []assessments.FeedbackBand{{Min: 80, Text: "Great"}, {Min: 0, Text: "Again"}, {Min: 50, Text: "Close"}}}
	for p, want := range map[float64]string{0: "Again", 49.99: "Again", 50: "Close", 79.996: "Great", 100: "Great"} {
		if got := q.BandFeedback(p); got != want {
			t.Errorf("BandFeedback(%v) = %q, want %q", p, got, want)
		}
	}
	if got := (&assessments.QuizSettings{}).BandFeedback(50); got != "" {
		t.Errorf("no bands: %q", got)
	}
}

const importSrc = `// A small bank.
::Call-back promise::What do you promise? {=A time you can keep#Yes ~Soon#No}

::Recovery paradox::Recovery done well builds loyalty. {T}

::Greeting::Say hello in French. {=bonjour =salut}

::Match::Match them. {=Greeting -> Hello =Farewell -> Goodbye}

::Reflect::Describe a call you recovered. {}
`

// TestImportGIFT: a dry run writes nothing and reports what would happen by
// type; one bad question means nothing is written; re-importing identical
// text changes nothing, a changed question gets a new version; the export
// imports back unchanged.
func TestImportGIFT(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, _ := newQuizStore(db)
		author := quizEmployee(t, db, "A1")

		res, err := s.ImportGIFT(ctx, bankCourse, importSrc, true, &author)
		if err != nil || len(res.Errors) != 0 {
			t.Fatalf("dry run: %v %v", err, res.Errors)
		}
		if res.Created != 5 || len(res.Questions) != 5 || len(res.ByType) != len(assessments.Types) {
			t.Fatalf("dry run result: %+v", res)
		}
		for typ, n := range map[string]int{"single_choice": 1, "true_false": 1, "short_answer": 1, "matching": 1, "essay": 1,
			"multiple_response": 0, "numeric": 0, "ordering": 0, "missing_word": 0} {
			if got, ok := res.ByType[typ]; !ok || got != n {
				t.Errorf("by_type[%s] = %d (present %v), want %d", typ, got, ok, n)
			}
		}
		b, _ := json.Marshal(res)
		if !strings.Contains(string(b), `"errors":[]`) || !strings.Contains(string(b), `"by_type":{`) {
			t.Errorf("result JSON: %s", b)
		}
		if list, _ := s.ListQuestions(ctx, bankCourse); len(list) != 0 {
			t.Fatalf("the dry run wrote %d questions", len(list))
		}

		// One bad question: every error with its line, nothing written.
		bad := importSrc + "\n::Broken::This one never closes {=yes ~no\n"
		res, err = s.ImportGIFT(ctx, bankCourse, bad, false, &author)
		if err != nil || len(res.Errors) == 0 || res.Errors[0].Line == 0 || res.Created != 0 {
			t.Fatalf("bad file: %v %+v", err, res)
		}
		if list, _ := s.ListQuestions(ctx, bankCourse); len(list) != 0 {
			t.Fatalf("a bad file wrote %d questions", len(list))
		}
		if res, _ = s.ImportGIFT(ctx, bankCourse, "// only a comment\n", false, nil); len(res.Errors) != 1 {
			t.Fatalf("empty file: %+v", res)
		}

		res, err = s.ImportGIFT(ctx, bankCourse, importSrc, false, &author)
		if err != nil || res.Created != 5 || res.ByType["essay"] != 1 {
			t.Fatalf("import: %v %+v", err, res)
		}
		list, err := s.ListQuestions(ctx, bankCourse)
		if err != nil || len(list) != 5 || list[0].Question.Title != "Call-back promise" || list[4].Question.Type != assessments.Essay {
			t.Fatalf("bank after import: %v %d", err, len(list))
		}
		if list[0].CreatedByID == nil || *list[0].CreatedByID != author || list[0].Version != 1 || !list[0].Current {
			t.Fatalf("first question: %+v", list[0])
		}

		res, err = s.ImportGIFT(ctx, bankCourse, importSrc, false, &author)
		if err != nil || res.Created != 0 || res.Updated != 0 || res.Unchanged != 5 || res.ByType["essay"] != 0 {
			t.Fatalf("identical re-import: %v %+v", err, res)
		}
		changed := strings.Replace(importSrc, "{=bonjour =salut}", "{=bonjour =salut =coucou}", 1)
		res, err = s.ImportGIFT(ctx, bankCourse, changed, false, &author)
		if err != nil || res.Updated != 1 || res.Unchanged != 4 || res.ByType["short_answer"] != 1 {
			t.Fatalf("changed re-import: %v %+v", err, res)
		}
		q, err := s.FindQuestion(ctx, bankCourse, "greeting")
		if err != nil || q.Version != 2 || len(q.Question.Answers) != 3 || q.Position != list[2].Position {
			t.Fatalf("new version: %v %+v", err, q)
		}

		src, err := s.ExportGIFT(ctx, bankCourse)
		if err != nil || !strings.Contains(src, "coucou") {
			t.Fatalf("export: %v\n%s", err, src)
		}
		res, err = s.ImportGIFT(ctx, bankCourse, src, false, nil)
		if err != nil || res.Unchanged != 5 || res.Created+res.Updated != 0 {
			t.Fatalf("round trip: %v %+v\n%s", err, res, src)
		}
	})
}

// TestQuestionBank: saving, versions, retiring and quizzes.
func TestQuestionBank(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, _ := newQuizStore(db)
		if _, err := s.SaveQuestion(ctx, bankCourse, assessments.Question{Type: assessments.SingleChoice, Text: "No options"}, nil); store.FieldOf(err) != "options" {
			t.Fatalf("invalid question saved: %v", err)
		}
		seedBank(t, s, quizBank())
		bq, err := s.SaveQuestion(ctx, bankCourse, assessments.Question{Title: "Why essays?", Type: assessments.Essay, Text: "Explain."}, nil)
		if err != nil || bq.Question.ID != "why-essays" || bq.Version != 1 {
			t.Fatalf("generated id: %v %+v", err, bq)
		}
		again, err := s.SaveQuestion(ctx, bankCourse, assessments.Question{Title: "Why essays?", Type: assessments.Essay, Text: "Explain more."}, nil)
		if err != nil || again.Question.ID == "why-essays" {
			t.Fatalf("a second question with the same title: %v %+v", err, again)
		}
		same, err := s.SaveQuestion(ctx, bankCourse, quizBank()[0], nil)
		if err != nil || same.Version != 1 {
			t.Fatalf("saving an identical question made a version: %v %+v", err, same)
		}
		if err := s.RetireQuestion(ctx, bankCourse, "why-essays"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindQuestion(ctx, bankCourse, "why-essays"); !store.IsNotFound(err) {
			t.Fatalf("retired question found: %v", err)
		}
		if err := s.RetireQuestion(ctx, bankCourse, "why-essays"); !store.IsNotFound(err) {
			t.Fatalf("retire twice: %v", err)
		}
		back, err := s.SaveQuestion(ctx, bankCourse, assessments.Question{ID: "why-essays", Type: assessments.Essay, Text: "Explain."}, nil)
		if err != nil || back.Version != 2 {
			t.Fatalf("revived question: %v %+v", err, back)
		}
		if list, _ := s.ListQuestions(ctx, bankCourse); len(list) != len(quizBank())+2 {
			t.Fatalf("bank has %d questions", len(list))
		}

		// Quizzes: create, update by slug, list by course.
		qs := quizSettings("demo-quiz", 3)
		qs.DrawPerTag = map[string]int{"promises": 1}
		qs.FeedbackBands = []assessments.FeedbackBand{{Min: 0, Text: "Try again."}}
		qz := mustSaveQuiz(t, s, qs)
		qs.Title, qs.PassMark = "Renamed", 80
		qz2 := mustSaveQuiz(t, s, qs)
		if qz2.ID != qz.ID || qz2.Title != "Renamed" || qz2.PassMark != 80 || qz2.DrawPerTag["promises"] != 1 || len(qz2.FeedbackBands) != 1 {
			t.Fatalf("updated quiz: %+v", qz2)
		}
		qs.PassMark = 101
		if _, err := s.SaveQuiz(ctx, qs); store.FieldOf(err) != "pass_mark" {
			t.Fatalf("invalid quiz saved: %v", err)
		}
		if _, err := s.FindQuiz(ctx, "nope"); !store.IsNotFound(err) {
			t.Fatalf("unknown quiz: %v", err)
		}
		list, err := s.QuizzesForCourse(ctx, bankCourse)
		if err != nil || len(list) != 1 || list[0].Slug != "demo-quiz" {
			t.Fatalf("quizzes for course: %v %+v", err, list)
		}
	})
}
