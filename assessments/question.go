// Package assessments holds quizzes: questions, question banks, attempts and
// their scoring, GIFT and Aiken import and GIFT export; and role-play
// checklists with their observations and self-assessments.
package assessments

// Type is the kind of a question.
type Type string

// Question types, named as the API names them.
const (
	SingleChoice     Type = "single_choice"
	MultipleResponse Type = "multiple_response"
	TrueFalse        Type = "true_false"
	ShortAnswer      Type = "short_answer"
	Numeric          Type = "numeric"
	Matching         Type = "matching"
	Ordering         Type = "ordering"
	MissingWord      Type = "missing_word"
	Essay            Type = "essay"
)

// Types lists every question type.
var Types = []Type{SingleChoice, MultipleResponse, TrueFalse, ShortAnswer, Numeric, Matching, Ordering, MissingWord, Essay}

// Question is one authored question. Options, answers and pairs carry
// authored ids: scoring compares ids, never the positions a learner saw.
type Question struct {
	ID              string   // authored id, unique in its bank (GIFT title slug or generated)
	Title           string   // GIFT ::title::, may be empty
	Text            string   // the stem; for missing word, the text before the blank
	TextAfter       string   // missing word: the text after the blank
	Format          string   // "html", "markdown", "plain" or "moodle" (GIFT [format]); "" means the default
	Type            Type     //
	Category        string   // GIFT $CATEGORY in force
	Tags            []string // service standards
	GeneralFeedback string   // GIFT ####
	Points          float64  // default 1

	Options       []Option        // single choice, multiple response, missing word; ordering: items in the correct order
	AllOrNothing  bool            // multiple response: full marks only for exactly the right set
	Correct       bool            // true/false: the right answer
	TrueFeedback  string          // true/false: feedback when the learner answers true
	FalseFeedback string          // true/false: feedback when the learner answers false
	Answers       []TextAnswer    // short answer
	Numbers       []NumericAnswer // numeric
	Pairs         []Pair          // matching
}

// Option is one choice. Weight is the percentage of the question's points it
// earns (-100 to 100); a single-choice right answer is 100.
type Option struct {
	ID       string
	Text     string
	Weight   float64
	Feedback string
}

// TextAnswer is one accepted short answer; "*" in Text matches any run of
// characters; comparison ignores letter case and runs of spaces.
type TextAnswer struct {
	Text     string
	Weight   float64 // percent
	Feedback string
}

// NumericAnswer accepts Value ± Tolerance, or Min..Max when IsRange.
type NumericAnswer struct {
	Value     float64
	Tolerance float64
	IsRange   bool
	Min, Max  float64
	Weight    float64 // percent
	Feedback  string
}

// Pair is one matching pair: the learner matches each Left to a Right.
// Right texts may repeat (distractor-only rights have an empty Left).
type Pair struct {
	ID    string
	Left  string
	Right string
}

// Response is what a learner answered to one question, by authored ids.
type Response struct {
	Choice  string            // single choice, missing word: an option id; true/false: "true" or "false"
	Choices []string          // multiple response: option ids
	Text    string            // short answer, numeric, essay
	Matches map[string]string // matching: pair id (left) → pair id whose Right was chosen
	Order   []string          // ordering: option ids in the learner's order
}

// Result is the score of one response.
type Result struct {
	Fraction     float64  // 0..1 of the question's points
	Points       float64  // Fraction × Question.Points
	NeedsGrading bool     // an essay: an assessor grades it later
	Feedback     []string // per-option / per-answer feedback that applies, then general feedback
}
