package assessments

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// SyncBuiltinBanks stores the built-in question banks (a changed question
// becomes a new version) and gives each course a quiz drawing from its bank
// when it has none, one question per topic (the last part of the questions'
// categories: the course's tags) and the rest from any, so every topic of
// the course is sampled. A quiz the course already has keeps its settings,
// except a built-in quiz nobody changed since an earlier version made it
// (builtinUntouched): it takes the per-topic draw too, so installations
// made before the draw sampled every topic get it. The quizzes are not
// required for completion until a course lists them under `assessments:` in
// its course.yaml.
func (s *Store) SyncBuiltinBanks(ctx context.Context) error {
	banks, err := BuiltinBanks()
	if err != nil {
		return err
	}
	for slug, qs := range banks {
		res, err := s.ImportGIFT(ctx, slug, ExportGIFT(qs), false, nil)
		if err != nil {
			return fmt.Errorf("built-in bank %s: %w", slug, err)
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("built-in bank %s: %v", slug, res.Errors)
		}
		existing, err := s.QuizzesForCourse(ctx, slug)
		if err != nil {
			return err
		}
		want := builtinQuiz(slug, qs)
		if len(existing) > 0 && !slices.ContainsFunc(existing, func(q *Quiz) bool { return builtinUntouched(q, want) }) {
			continue
		}
		if _, err := s.SaveQuiz(ctx, want); err != nil {
			return fmt.Errorf("built-in quiz %s: %w", slug, err)
		}
	}
	return nil
}

// builtinQuiz is the quiz a built-in bank comes with.
func builtinQuiz(slug string, qs []Question) QuizSettings {
	draw := min(10, len(qs))
	return QuizSettings{CourseSlug: slug, Slug: slug + "-quiz", Title: "Check your understanding",
		DrawCount: draw, DrawPerTag: builtinDrawPerTag(qs, draw), ShuffleQuestions: true, ShuffleOptions: true, PassMark: 70, AttemptLimit: 3,
		TimeLimitMinutes: 20, ReviewPolicy: "after_passing"}
}

// builtinUntouched reports whether q is the built-in quiz want replaces as
// an earlier version left it: every setting as the built-in makes it but the
// draw, and a draw of at most ten questions with no per-topic counts (what
// the built-in quizzes drew before they sampled every topic). A quiz HR
// changed in any way, or one already drawing per topic, keeps its settings.
func builtinUntouched(q *Quiz, want QuizSettings) bool {
	got := q.QuizSettings
	if got.Slug != want.Slug || len(got.DrawPerTag) > 0 || got.DrawCount > 10 || len(got.FeedbackBands) > 0 {
		return false
	}
	got.DrawCount, got.DrawPerTag, got.FeedbackBands = want.DrawCount, want.DrawPerTag, want.FeedbackBands
	return reflect.DeepEqual(got, want)
}

// builtinDrawPerTag draws one question per topic of a built-in bank, the
// topic being the last part of each question's category ("six-cs/commitment"
// is commitment), in bank order while the draw has room.
func builtinDrawPerTag(qs []Question, draw int) map[string]int {
	per := map[string]int{}
	for _, q := range qs {
		i := strings.LastIndexByte(q.Category, '/')
		if i < 0 || i == len(q.Category)-1 {
			continue
		}
		if topic := q.Category[i+1:]; per[topic] == 0 && len(per) < draw {
			per[topic] = 1
		}
	}
	if len(per) == 0 {
		return nil
	}
	return per
}
