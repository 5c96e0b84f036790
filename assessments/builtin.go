package assessments

import (
	"context"
	"fmt"
	"strings"
)

// SyncBuiltinBanks stores the built-in question banks (a changed question
// becomes a new version) and gives each course a quiz drawing from its bank
// when it has none, one question per topic (the last part of the questions'
// categories: the course's tags) and the rest from any, so every topic of
// the course is sampled. A quiz the course already has keeps its settings. The quizzes are not required for completion until a
// course lists them under `assessments:` in its course.yaml.
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
		if len(existing) > 0 {
			continue
		}
		draw := min(10, len(qs))
		if _, err := s.SaveQuiz(ctx, QuizSettings{CourseSlug: slug, Slug: slug + "-quiz", Title: "Check your understanding",
			DrawCount: draw, DrawPerTag: builtinDrawPerTag(qs, draw), ShuffleQuestions: true, ShuffleOptions: true, PassMark: 70, AttemptLimit: 3,
			TimeLimitMinutes: 20, ReviewPolicy: "after_passing"}); err != nil {
			return fmt.Errorf("built-in quiz %s: %w", slug, err)
		}
	}
	return nil
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
