package courses_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestParseReaction(t *testing.T) {
	long := strings.Repeat("é", courses.ReactionCommentMax+1)
	for _, tc := range []struct {
		name                    string
		rel, conf, rec, comment string
		want                    courses.ReactionAnswer
		fields                  []string // fields with a problem, in order
	}{
		{"OK", "4", "5", "9", "  Useful.\r\nThanks  ", courses.ReactionAnswer{Relevance: 4, Confidence: 5, Recommend: 9, Comment: "Useful.\nThanks"}, nil},
		{"OKBounds", "1", "1", "0", "", courses.ReactionAnswer{Relevance: 1, Confidence: 1, Recommend: 0}, nil},
		{"OKTopBounds", " 5 ", "5", "10", "", courses.ReactionAnswer{Relevance: 5, Confidence: 5, Recommend: 10}, nil},
		{"OKLongestComment", "3", "3", "7", strings.Repeat("é", courses.ReactionCommentMax), courses.ReactionAnswer{Relevance: 3, Confidence: 3, Recommend: 7, Comment: strings.Repeat("é", courses.ReactionCommentMax)}, nil},
		{"ErrMissing", "", "", "", "", courses.ReactionAnswer{}, []string{"relevance", "confidence", "recommend"}},
		{"ErrRelevanceZero", "0", "3", "5", "", courses.ReactionAnswer{Confidence: 3, Recommend: 5}, []string{"relevance"}},
		{"ErrConfidenceSix", "3", "6", "5", "", courses.ReactionAnswer{Relevance: 3, Recommend: 5}, []string{"confidence"}},
		{"ErrRecommendEleven", "3", "3", "11", "", courses.ReactionAnswer{Relevance: 3, Confidence: 3}, []string{"recommend"}},
		{"ErrRecommendNegative", "3", "3", "-1", "", courses.ReactionAnswer{Relevance: 3, Confidence: 3}, []string{"recommend"}},
		{"ErrNotANumber", "four", "3.5", "9", "", courses.ReactionAnswer{Recommend: 9}, []string{"relevance", "confidence"}},
		{"ErrCommentTooLong", "3", "3", "3", long, courses.ReactionAnswer{Relevance: 3, Confidence: 3, Recommend: 3, Comment: long}, []string{"comment"}},
		{"ErrCommentControl", "3", "3", "3", "bad\x00byte", courses.ReactionAnswer{Relevance: 3, Confidence: 3, Recommend: 3, Comment: "bad\x00byte"}, []string{"comment"}},
		{"ErrCommentNotUTF8", "3", "3", "3", "caf\xe9", courses.ReactionAnswer{Relevance: 3, Confidence: 3, Recommend: 3, Comment: "caf\xe9"}, []string{"comment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := courses.ParseReaction(tc.rel, tc.conf, tc.rec, tc.comment)
			var fields []string
			for _, e := range errs {
				fields = append(fields, e.Field)
				if e.Kind != store.Invalid || e.Message == "" {
					t.Errorf("error %+v: want an Invalid error with a message", e)
				}
			}
			if strings.Join(fields, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields with problems %v, want %v", fields, tc.fields)
			}
			if got != tc.want {
				t.Errorf("answer %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSummariseReactions(t *testing.T) {
	a := func(rel, conf, rec int) courses.ReactionAnswer {
		return courses.ReactionAnswer{Relevance: rel, Confidence: conf, Recommend: rec}
	}
	for _, tc := range []struct {
		name    string
		answers []courses.ReactionAnswer
		want    courses.ReactionSummary
		nps     int
	}{
		{"None", nil, courses.ReactionSummary{}, 0},
		{"OnePromoter", []courses.ReactionAnswer{a(5, 4, 10)}, courses.ReactionSummary{Count: 1, Relevance: 5, Confidence: 4, Recommend: 10, Promoters: 1, NetPromoter: 100}, 100},
		{"OneDetractor", []courses.ReactionAnswer{a(1, 1, 6)}, courses.ReactionSummary{Count: 1, Relevance: 1, Confidence: 1, Recommend: 6, Detractors: 1, NetPromoter: -100}, -100},
		// 9 and 10 promote, 7 and 8 are passive, 0–6 detract: (2 − 1) / 4 = 25 points.
		{"Mixed", []courses.ReactionAnswer{a(4, 3, 9), a(5, 5, 10), a(3, 2, 7), a(2, 2, 0)},
			courses.ReactionSummary{Count: 4, Relevance: 3.5, Confidence: 3, Recommend: 6.5, Promoters: 2, Passives: 1, Detractors: 1, NetPromoter: 25}, 25},
		// The boundaries: 8 is passive, 6 detracts; (1 − 2) / 3 = −33.3 points.
		{"Boundaries", []courses.ReactionAnswer{a(1, 5, 9), a(2, 4, 6), a(3, 3, 6)},
			courses.ReactionSummary{Count: 3, Relevance: 2, Confidence: 4, Recommend: 7, Promoters: 1, Detractors: 2, NetPromoter: -100.0 / 3}, -33},
		{"AllPassive", []courses.ReactionAnswer{a(3, 3, 7), a(3, 3, 8)},
			courses.ReactionSummary{Count: 2, Relevance: 3, Confidence: 3, Recommend: 7.5, Passives: 2}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := courses.SummariseReactions(tc.answers)
			if got != tc.want {
				t.Errorf("summary %+v, want %+v", got, tc.want)
			}
			if n := got.NetPromoterRounded(); n != tc.nps {
				t.Errorf("rounded net promoter %d, want %d", n, tc.nps)
			}
		})
	}
}

// TestReactionStore: only someone who completed the course may answer;
// answering again replaces the answer (one per person per version); a
// dismissal hides the offer and is not counted; a new version's answers
// are kept apart; comments come back newest first.
func TestReactionStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		if _, err := s.SyncBuiltins(ctx, []*courses.Source{demoCourse(t, "Version one text.")}); err != nil {
			t.Fatal(err)
		}
		c, _ := s.FindCourse(ctx, "demo")
		finish := func(emp int64) {
			t.Helper()
			c, _ := s.FindCourse(ctx, "demo")
			o, en, err := s.Start(ctx, emp, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range o.Lessons {
				if _, _, err := completeLesson(ctx, s, en, l.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		ann, ben, cat, dan := employee(t, db, "1"), employee(t, db, "2"), employee(t, db, "3"), employee(t, db, "4")
		answer := courses.ReactionAnswer{Relevance: 4, Confidence: 3, Recommend: 9, Comment: "Clear and useful."}

		// Not completed: refused, nothing written.
		if _, err := s.ReactionOfferFor(ctx, ann, c); store.KindOf(err) != store.Forbidden {
			t.Fatalf("offer before completing: %v, want Forbidden", err)
		}
		if _, err := s.SaveReaction(ctx, ann, c, answer); store.KindOf(err) != store.Forbidden {
			t.Fatalf("answer before completing: %v, want Forbidden", err)
		}
		if err := s.DismissReaction(ctx, ann, c); store.KindOf(err) != store.Forbidden {
			t.Fatalf("dismiss before completing: %v, want Forbidden", err)
		}
		if n, _ := db.NewSelect().TableExpr("course_reactions").Count(ctx); n != 0 {
			t.Fatalf("%d reactions written by refused calls", n)
		}

		for _, e := range []int64{ann, ben, cat} {
			finish(e)
		}
		offer, err := s.ReactionOfferFor(ctx, ann, c)
		if err != nil || !offer.Pending() || offer.Version.Version != 1 {
			t.Fatalf("offer after completing: %+v %v", offer, err)
		}
		if _, err := s.SaveReaction(ctx, ann, c, answer); err != nil {
			t.Fatal(err)
		}
		// Answering again replaces the answer: still one row for ann.
		answer2 := courses.ReactionAnswer{Relevance: 5, Confidence: 5, Recommend: 10, Comment: "Even better on reflection."}
		if _, err := s.SaveReaction(ctx, ann, c, answer2); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.NewSelect().TableExpr("course_reactions").Where("employee_id = ?", ann).Count(ctx); n != 1 {
			t.Fatalf("ann has %d reactions, want 1", n)
		}
		if offer, _ := s.ReactionOfferFor(ctx, ann, c); offer.Pending() || !offer.Reaction.Answered() || *offer.Reaction.Recommend != 10 {
			t.Fatalf("offer after answering: %+v", offer.Reaction)
		}
		if _, err := s.SaveReaction(ctx, ben, c, courses.ReactionAnswer{Relevance: 2, Confidence: 2, Recommend: 3, Comment: "Too long <b>really</b>."}); err != nil {
			t.Fatal(err)
		}
		// cat dismisses: not pending, not counted; dismissing twice is harmless.
		for range 2 {
			if err := s.DismissReaction(ctx, cat, c); err != nil {
				t.Fatal(err)
			}
		}
		if offer, _ := s.ReactionOfferFor(ctx, cat, c); offer.Pending() || offer.Reaction.Answered() {
			t.Fatalf("offer after dismissing: %+v", offer.Reaction)
		}
		// Dismissing after answering keeps the answer.
		if err := s.DismissReaction(ctx, ann, c); err != nil {
			t.Fatal(err)
		}

		// A new version: dan completes it; his answer is counted apart.
		if _, err := s.SyncBuiltins(ctx, []*courses.Source{demoCourse(t, "Version two text.")}); err != nil {
			t.Fatal(err)
		}
		c, _ = s.FindCourse(ctx, "demo")
		finish(dan)
		if offer, _ := s.ReactionOfferFor(ctx, dan, c); offer.Version.Version != 2 {
			t.Fatalf("dan's offer is for version %d, want 2", offer.Version.Version)
		}
		if _, err := s.SaveReaction(ctx, dan, c, courses.ReactionAnswer{Relevance: 3, Confidence: 4, Recommend: 8}); err != nil {
			t.Fatal(err)
		}

		got, err := s.CourseReactions(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Version != 2 || got[1].Version != 1 {
			t.Fatalf("versions %+v, want 2 then 1", got)
		}
		if sum := got[0].Summary; sum.Count != 1 || sum.Passives != 1 || sum.NetPromoter != 0 || len(got[0].Comments) != 0 {
			t.Errorf("version 2: %+v", got[0])
		}
		v1 := got[1]
		want := courses.ReactionSummary{Count: 2, Relevance: 3.5, Confidence: 3.5, Recommend: 6.5, Promoters: 1, Detractors: 1}
		if v1.Summary != want || v1.Dismissed != 1 {
			t.Errorf("version 1: %+v dismissed %d, want %+v dismissed 1", v1.Summary, v1.Dismissed, want)
		}
		if len(v1.Comments) != 2 || v1.Comments[0].Text != "Too long <b>really</b>." || v1.Comments[1].Text != "Even better on reflection." {
			t.Errorf("version 1 comments (newest first): %+v", v1.Comments)
		}
	})
}

// TestReactionLessonSlugRefused: a lesson cannot be called "reaction", the
// address of the survey.
func TestReactionLessonSlugRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		if _, err := s.CreateCourse(ctx, "own", "Our own course", nil); err != nil {
			t.Fatal(err)
		}
		o, err := s.EditDraft(ctx, "own", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Modules) == 0 {
			t.Fatal("a new course has no module")
		}
		_, err = s.AddLesson(ctx, "own", o.Modules[0].ID, courses.ReactionLessonSlug, "Reaction")
		if store.KindOf(err) != store.Invalid || store.FieldOf(err) != "slug" {
			t.Fatalf("lesson slug reaction: %v", err)
		}
	})
}
