package assessments

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// builtinBankMinQuestions is the fewest questions a built-in bank may hold.
const builtinBankMinQuestions = 14

func builtinBanksLoad(t *testing.T) map[string][]Question {
	t.Helper()
	banks, err := BuiltinBanks()
	if err != nil {
		t.Fatalf("BuiltinBanks: %v", err)
	}
	return banks
}

// builtinBankCourse is what the tests need from a built-in course's
// course.yaml.
type builtinBankCourse struct {
	Slug string   `yaml:"slug"`
	Tags []string `yaml:"tags"`
}

// builtinBankCourses reads the course.yaml of every built-in course. It reads
// the files rather than importing package courses, so that package may
// import this one.
func builtinBankCourses(t *testing.T) []builtinBankCourse {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "courses", "builtin", "*", "course.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no built-in course.yaml found (%v)", err)
	}
	var out []builtinBankCourse
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c builtinBankCourse
		if err := yaml.Unmarshal(src, &c); err != nil || c.Slug == "" {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, c)
	}
	return out
}

// TestBuiltinBanksCoverCourses checks there is one bank per built-in course
// and no bank for a course that does not exist.
func TestBuiltinBanksCoverCourses(t *testing.T) {
	banks := builtinBanksLoad(t)
	var want, got []string
	for _, c := range builtinBankCourses(t) {
		want = append(want, c.Slug)
	}
	for slug := range banks {
		got = append(got, slug)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("banks for %v, want one per built-in course %v", got, want)
	}
}

func TestBuiltinBanksSize(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		if len(qs) < builtinBankMinQuestions {
			t.Errorf("%s: %d questions, want at least %d", slug, len(qs), builtinBankMinQuestions)
		}
	}
}

// TestBuiltinBanksEveryType checks every question type appears somewhere in
// the built-in banks. It used to ask for every type in every bank, which
// forced arithmetic numeric items into banks where no number is the point
// (issue 14): each bank now uses the types that fit what it teaches.
func TestBuiltinBanksEveryType(t *testing.T) {
	count := map[Type]int{}
	for slug, qs := range builtinBanksLoad(t) {
		own := map[Type]int{}
		for _, q := range qs {
			count[q.Type]++
			own[q.Type]++
		}
		t.Logf("%s: %d questions %v", slug, len(qs), own)
	}
	for _, typ := range Types {
		if count[typ] == 0 {
			t.Errorf("no built-in bank has a %s question", typ)
		}
	}
}

// TestBuiltinBanksIDs checks every question has a title and that its id is
// the title's own slug: unique in the bank, never a -2 suffix or a position,
// so ids stay stable when questions are added or moved.
func TestBuiltinBanksIDs(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		seen := map[string]bool{}
		for i, q := range qs {
			if q.Title == "" {
				t.Errorf("%s: question %d (%.40q) has no ::Title::", slug, i+1, q.Text)
				continue
			}
			if seen[q.ID] {
				t.Errorf("%s: id %q used twice", slug, q.ID)
			}
			seen[q.ID] = true
			if own := giftSlug(q.Title); q.ID != own {
				t.Errorf("%s: %q has id %q, want its title's slug %q (another title makes the same slug)", slug, q.Title, q.ID, own)
			}
		}
	}
}

// TestBuiltinBanksCategories checks every question sits in a category
// "<course slug>/<tag>" whose tag is one of the course's tags, and that every
// tag of the course has questions.
func TestBuiltinBanksCategories(t *testing.T) {
	banks := builtinBanksLoad(t)
	for _, c := range builtinBankCourses(t) {
		qs, ok := banks[c.Slug]
		if !ok {
			continue // TestBuiltinBanksCoverCourses reports it
		}
		used := map[string]bool{}
		for _, q := range qs {
			tag, ok := strings.CutPrefix(q.Category, c.Slug+"/")
			if !ok || !slices.Contains(c.Tags, tag) {
				t.Errorf("%s: %q is in category %q, want %s/<one of %v>", c.Slug, q.Title, q.Category, c.Slug, c.Tags)
				continue
			}
			used[tag] = true
		}
		for _, tag := range c.Tags {
			if !used[tag] {
				t.Errorf("%s: no question in category %s/%s", c.Slug, c.Slug, tag)
			}
		}
	}
}

// TestBuiltinBanksAnswers checks every question can be answered right and
// teaches: choice questions have a right answer and feedback on every wrong
// option, multiple-response weights add up and take marks away for a wrong
// pick, true/false explains a wrong answer, short answers accept several
// wordings with at most a trailing wildcard (a leading or inner one such as
// *line* also accepts "deadline", *update* "no update": issue 14; the cue
// check judges trailing ones against its word list), and each bank has
// general feedback.
func TestBuiltinBanksAnswers(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		general, negative := 0, false
		for _, q := range qs {
			name := slug + ": " + q.Title
			if q.GeneralFeedback != "" {
				general++
			}
			switch q.Type {
			case SingleChoice, MissingWord:
				right := false
				for _, o := range q.Options {
					right = right || o.Weight == 100
					if o.Weight < 100 && o.Feedback == "" {
						t.Errorf("%s: wrong option %q has no feedback", name, o.Text)
					}
				}
				if !right {
					t.Errorf("%s: no option is worth 100%%", name)
				}
				if q.Type == MissingWord && q.TextAfter == "" {
					t.Errorf("%s: a missing-word question with no text after the blank", name)
				}
			case MultipleResponse:
				sum, wrongs := 0.0, 0
				for _, o := range q.Options {
					if o.Weight > 0 {
						sum += o.Weight
						continue
					}
					wrongs++
					negative = negative || o.Weight < 0
					if o.Feedback == "" {
						t.Errorf("%s: wrong option %q has no feedback", name, o.Text)
					}
				}
				if math.Abs(sum-100) > 0.01 || wrongs == 0 {
					t.Errorf("%s: right options add up to %g%% with %d wrong ones, want 100%% and at least one wrong", name, sum, wrongs)
				}
			case TrueFalse:
				wrongFB := q.TrueFeedback
				if q.Correct {
					wrongFB = q.FalseFeedback
				}
				if wrongFB == "" {
					t.Errorf("%s: no feedback for the wrong answer", name)
				}
			case ShortAnswer:
				full := 0
				for _, a := range q.Answers {
					if a.Weight == 100 {
						full++
					}
					if strings.Contains(strings.TrimSuffix(a.Text, "*"), "*") {
						t.Errorf("%s: accepted answer %q has a leading or inner wildcard: list the exact answers instead", name, a.Text)
					}
				}
				if full < 2 {
					t.Errorf("%s: %d accepted answers worth 100%%, want several", name, full)
				}
			case Numeric:
				right := false
				for _, n := range q.Numbers {
					right = right || n.Weight == 100
				}
				if !right {
					t.Errorf("%s: no number is worth 100%%", name)
				}
			case Matching:
				lefts := 0
				for _, p := range q.Pairs {
					if p.Left != "" {
						lefts++
					}
				}
				if lefts < 3 {
					t.Errorf("%s: %d pairs, want at least 3", name, lefts)
				}
			case Ordering:
				if len(q.Options) < 3 {
					t.Errorf("%s: %d items, want at least 3", name, len(q.Options))
				}
			}
		}
		if !negative {
			t.Errorf("%s: no multiple-response option with a negative weight", slug)
		}
		if general == 0 {
			t.Errorf("%s: no question has general feedback", slug)
		}
	}
}

// TestBuiltinBanksValid checks every question passes ValidateQuestion, so
// the banks can be saved as they are.
func TestBuiltinBanksValid(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		for _, q := range qs {
			for _, err := range ValidateQuestion(q) {
				t.Errorf("%s: %q: %v", slug, q.Title, err)
			}
		}
	}
}

// TestBuiltinBanksFullMarks checks Score gives full marks to the right
// response to every question (and sends essays for grading).
func TestBuiltinBanksFullMarks(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		for _, q := range qs {
			var r Response
			switch q.Type {
			case SingleChoice, MissingWord:
				for _, o := range q.Options {
					if o.Weight == 100 {
						r.Choice = o.ID
						break
					}
				}
			case MultipleResponse:
				for _, o := range q.Options {
					if o.Weight > 0 {
						r.Choices = append(r.Choices, o.ID)
					}
				}
			case TrueFalse:
				r.Choice = strconv.FormatBool(q.Correct)
			case ShortAnswer:
				for _, a := range q.Answers {
					if a.Weight == 100 {
						r.Text = strings.ReplaceAll(a.Text, "*", "")
						break
					}
				}
			case Numeric:
				for _, n := range q.Numbers {
					if n.Weight == 100 {
						r.Text = strconv.FormatFloat(n.Value, 'g', -1, 64)
						if n.IsRange {
							r.Text = strconv.FormatFloat(n.Min, 'g', -1, 64)
						}
						break
					}
				}
			case Matching:
				r.Matches = map[string]string{}
				for _, p := range q.Pairs {
					if p.Left != "" {
						r.Matches[p.ID] = p.ID
					}
				}
			case Ordering:
				for _, o := range q.Options {
					r.Order = append(r.Order, o.ID)
				}
			}
			if err := ValidateResponse(&q, r); err != nil {
				t.Errorf("%s: %q: the right response is not valid: %v", slug, q.Title, err)
			}
			res := Score(&q, r)
			if q.Type == Essay {
				if !res.NeedsGrading {
					t.Errorf("%s: %q: an essay that needs no grading", slug, q.Title)
				}
				continue
			}
			if res.Fraction != 1 {
				t.Errorf("%s: %q: the right response scores %g, want 1", slug, q.Title, res.Fraction)
			}
		}
	}
}

// TestBuiltinBanksRoundTrip checks ExportGIFT writes every bank so that
// ParseGIFT gives back exactly the same questions.
func TestBuiltinBanksRoundTrip(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		src := ExportGIFT(qs)
		back, errs := ParseGIFT(src)
		if len(errs) > 0 {
			t.Errorf("%s: the export does not parse: %v", slug, errs)
			continue
		}
		if len(back) != len(qs) {
			t.Errorf("%s: %d questions after the round trip, want %d", slug, len(back), len(qs))
			continue
		}
		for i := range qs {
			if !reflect.DeepEqual(back[i], qs[i]) {
				t.Errorf("%s: question %q changed in the round trip:\n got %#v\nwant %#v", slug, qs[i].Title, back[i], qs[i])
			}
		}
	}
}

// builtinBankAmerican matches American spellings: the banks are in British
// English.
var builtinBankAmerican = regexp.MustCompile(`(?i)\b\w*(organiz|apologiz|realiz|recogniz|prioritiz|emphasiz|minimiz|color|behavior|favor|honor|center|catalog\b|analyz|judgment|canceled|canceling|license\b|practicing)\w*`)

func TestBuiltinBanksBritishEnglish(t *testing.T) {
	for slug, qs := range builtinBanksLoad(t) {
		for _, q := range qs {
			if m := builtinBankAmerican.FindString(ExportGIFT([]Question{q})); m != "" {
				t.Errorf("%s: %q uses the American spelling %q", slug, q.Title, m)
			}
		}
	}
}

// TestBuiltinBanksParseErrors checks a broken bank fails the whole load,
// naming the file and each problem's line and column, and that a bank with
// no questions is an error too.
func TestBuiltinBanksParseErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"banks/good.gift":   {Data: []byte("::Fine:: Greet first? {T}\n")},
		"banks/broken.gift": {Data: []byte("// a comment\n::Fine:: Greet first? {T}\n\n::Open:: Who owns it? {=you ~nobody\n")},
		"banks/empty.gift":  {Data: []byte("// nothing yet\n")},
	}
	banks, err := parseBankFiles(fsys, "banks/*.gift")
	if err == nil {
		t.Fatalf("parseBankFiles = %v, want an error", banks)
	}
	for _, want := range []string{
		"banks/broken.gift: line 4, column 23: this { is not closed",
		"banks/empty.gift: the bank holds no questions",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "good.gift") {
		t.Errorf("error %q names a good file", err)
	}
	var pe ParseError
	if !errors.As(err, &pe) || pe.Line != 4 || pe.Column != 23 {
		t.Errorf("errors.As(ParseError) = %+v, want line 4, column 23", pe)
	}
	if _, err := parseBankFiles(fsys, "none/*.gift"); err == nil {
		t.Error("no matching files: want an error")
	}
}
