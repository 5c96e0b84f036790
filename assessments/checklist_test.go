package assessments_test

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store"
)

// complaintCall is a checklist with weights 10, 20 (critical), 30 and 40:
// 200 points when everything is Fully.
func complaintCall() *assessments.Checklist {
	return &assessments.Checklist{
		Slug:  "complaint-call",
		Title: "A complaint on the phone",
		Brief: assessments.Brief{
			Customer:          "Mrs Patel, whose delivery is three days late",
			Situation:         "She calls, upset, for the second time.",
			WhatGoodLooksLike: "She feels heard and knows what happens next.",
		},
		Items: []assessments.Item{
			{ID: "greet", Text: "Greets and gives their name", Weight: 10},
			{ID: "listen", Text: "Lets her finish without interrupting", Weight: 20, Critical: true, Guidance: "Partly: interrupts once."},
			{ID: "solve", Text: "Offers a concrete next step", Weight: 30},
			{ID: "close", Text: "Checks she is satisfied", Weight: 40},
		},
		PassPercent: 70,
	}
}

type ratings = map[string]assessments.Rating

const (
	na       = assessments.NA
	notShown = assessments.NotShown
	partly   = assessments.Partly
	fully    = assessments.Fully
)

func TestScoreObservation(t *testing.T) {
	base := complaintCall()
	heavyGreet := complaintCall()
	heavyGreet.Items[0].Weight, heavyGreet.Items[3].Weight = 40, 10
	thirds := &assessments.Checklist{Slug: "thirds", Title: "Thirds", PassPercent: 66.67, Items: []assessments.Item{
		{ID: "a", Text: "A", Weight: 1}, {ID: "b", Text: "B", Weight: 1}, {ID: "c", Text: "C", Weight: 1},
	}}
	thirdsHigher := *thirds
	thirdsHigher.PassPercent = 66.68
	zeroMark := complaintCall()
	zeroMark.PassPercent = 0
	zeroMark.Items[1].Critical = false
	allCritical := complaintCall()
	for i := range allCritical.Items {
		allCritical.Items[i].Critical = true
	}

	for _, tc := range []struct {
		name string
		c    *assessments.Checklist
		r    ratings
		want assessments.ObservationResult
	}{
		{"OKAllFully", base, ratings{"greet": fully, "listen": fully, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 100, Points: 200, MaxPoints: 200, Passed: true, Complete: true}},
		{"ErrCriticalPartlyFailsAtNinetyPercent", base, ratings{"greet": fully, "listen": partly, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 90, Points: 180, MaxPoints: 200, FailedCritical: []string{"listen"}, Complete: true}},
		{"ErrCriticalNotShown", base, ratings{"greet": fully, "listen": notShown, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 80, Points: 160, MaxPoints: 200, FailedCritical: []string{"listen"}, Complete: true}},
		{"ErrEveryCriticalNamed", allCritical, ratings{"greet": partly, "listen": fully, "solve": notShown, "close": fully},
			assessments.ObservationResult{Score: 65, Points: 130, MaxPoints: 200, FailedCritical: []string{"greet", "solve"}, BelowThreshold: true, Complete: true}},
		{"OKNALeavesDenominator", base, ratings{"greet": na, "listen": fully, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 100, Points: 180, MaxPoints: 180, Passed: true, Complete: true}},
		{"OKNAWithPartly", base, ratings{"greet": fully, "listen": fully, "solve": partly, "close": na},
			assessments.ObservationResult{Score: 75, Points: 90, MaxPoints: 120, Passed: true, Complete: true}},
		{"OKThresholdExactlyMet", base, ratings{"greet": notShown, "listen": fully, "solve": fully, "close": partly},
			assessments.ObservationResult{Score: 70, Points: 140, MaxPoints: 200, Passed: true, Complete: true}},
		{"ErrBelowThreshold", base, ratings{"greet": fully, "listen": fully, "solve": partly, "close": partly},
			assessments.ObservationResult{Score: 65, Points: 130, MaxPoints: 200, BelowThreshold: true, Complete: true}},
		{"OKRoundedScoreMeetsRoundedMark", thirds, ratings{"a": fully, "b": partly, "c": partly},
			assessments.ObservationResult{Score: 200.0 / 3, Points: 4, MaxPoints: 6, Passed: true, Complete: true}},
		{"ErrRoundedScoreBelowMark", &thirdsHigher, ratings{"a": fully, "b": partly, "c": partly},
			assessments.ObservationResult{Score: 200.0 / 3, Points: 4, MaxPoints: 6, BelowThreshold: true, Complete: true}},
		{"ErrAllPartly", base, ratings{"greet": partly, "listen": partly, "solve": partly, "close": partly},
			assessments.ObservationResult{Score: 50, Points: 100, MaxPoints: 200, FailedCritical: []string{"listen"}, BelowThreshold: true, Complete: true}},
		{"ErrUnratedIncompleteEvenAboveMark", base, ratings{"listen": fully, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 90, Points: 180, MaxPoints: 200, Unrated: []string{"greet"}}},
		{"ErrNothingRated", base, nil,
			assessments.ObservationResult{Score: 0, Points: 0, MaxPoints: 200, BelowThreshold: true, Unrated: []string{"greet", "listen", "solve", "close"}}},
		{"ErrUnratedCriticalIsNotFailedCritical", base, ratings{"greet": fully, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 80, Points: 160, MaxPoints: 200, Unrated: []string{"listen"}}},
		{"ErrInvalidRatingIsUnrated", base, ratings{"greet": fully, "listen": assessments.Rating(7), "solve": fully, "close": assessments.Rating(-2)},
			assessments.ObservationResult{Score: 40, Points: 80, MaxPoints: 200, BelowThreshold: true, Unrated: []string{"listen", "close"}}},
		{"ErrAllNANothingToPassOn", base, ratings{"greet": na, "listen": na, "solve": na, "close": na},
			assessments.ObservationResult{Score: 0, BelowThreshold: true, CriticalNA: []string{"listen"}, Complete: true}},
		{"ErrAllNAEvenWithZeroMark", zeroMark, ratings{"greet": na, "listen": na, "solve": na, "close": na},
			assessments.ObservationResult{Complete: true}},
		{"OKCriticalNAFlaggedNotFailed", base, ratings{"greet": fully, "listen": na, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 100, Points: 160, MaxPoints: 160, Passed: true, CriticalNA: []string{"listen"}, Complete: true}},
		{"OKWeightsMatterLightItemMissed", base, ratings{"greet": notShown, "listen": fully, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 90, Points: 180, MaxPoints: 200, Passed: true, Complete: true}},
		{"ErrWeightsMatterHeavyItemMissed", heavyGreet, ratings{"greet": notShown, "listen": fully, "solve": fully, "close": fully},
			assessments.ObservationResult{Score: 60, Points: 120, MaxPoints: 200, BelowThreshold: true, Complete: true}},
		{"OKUnknownItemsIgnored", base, ratings{"greet": fully, "listen": fully, "solve": fully, "close": fully, "smile": notShown},
			assessments.ObservationResult{Score: 100, Points: 200, MaxPoints: 200, Passed: true, Complete: true}},
		{"OKZeroMarkPassesNotShown", zeroMark, ratings{"greet": notShown, "listen": notShown, "solve": notShown, "close": notShown},
			assessments.ObservationResult{Score: 0, Points: 0, MaxPoints: 200, Passed: true, Complete: true}},
		{"OKNilChecklist", nil, ratings{"greet": fully}, assessments.ObservationResult{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := assessments.ScoreObservation(tc.c, tc.r)
			if math.Abs(got.Score-tc.want.Score) > 1e-9 {
				t.Errorf("Score = %v, want %v", got.Score, tc.want.Score)
			}
			got.Score = tc.want.Score
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ScoreObservation =\n %+v, want\n %+v", got, tc.want)
			}
		})
	}
}

func TestChecklistRating(t *testing.T) {
	var zero assessments.Rating
	if zero != notShown || zero == na {
		t.Errorf("the zero Rating is %v, want Not shown (and distinct from N/A)", zero)
	}
	for _, tc := range []struct {
		r     assessments.Rating
		valid bool
		text  string
	}{
		{na, true, "N/A"}, {notShown, true, "Not shown"}, {partly, true, "Partly"}, {fully, true, "Fully"},
		{assessments.Rating(3), false, "Invalid rating"}, {assessments.Rating(-2), false, "Invalid rating"},
	} {
		if tc.r.Valid() != tc.valid || tc.r.String() != tc.text {
			t.Errorf("Rating(%d): Valid %v, String %q; want %v, %q", int(tc.r), tc.r.Valid(), tc.r.String(), tc.valid, tc.text)
		}
	}
}

func TestGaps(t *testing.T) {
	one := &assessments.Checklist{Items: []assessments.Item{{ID: "x", Text: "X", Weight: 1, Critical: true}}}
	for _, tc := range []struct {
		name           string
		assessor, self ratings
		want           assessments.GapDirection // 0: no gap
	}{
		{"OKSame", ratings{"x": partly}, ratings{"x": partly}, 0},
		{"OKBothNA", ratings{"x": na}, ratings{"x": na}, 0},
		{"OKSelfHigher", ratings{"x": partly}, ratings{"x": fully}, assessments.SelfHigher},
		{"OKSelfHigherByTwo", ratings{"x": notShown}, ratings{"x": fully}, assessments.SelfHigher},
		{"OKSelfLower", ratings{"x": fully}, ratings{"x": notShown}, assessments.SelfLower},
		{"OKSelfNA", ratings{"x": notShown}, ratings{"x": na}, assessments.NAMismatch},
		{"OKAssessorNA", ratings{"x": na}, ratings{"x": fully}, assessments.NAMismatch},
		{"OKSelfUnrated", ratings{"x": fully}, ratings{}, 0},
		{"OKAssessorUnrated", nil, ratings{"x": fully}, 0},
		{"OKInvalidRatingSkipped", ratings{"x": assessments.Rating(9)}, ratings{"x": fully}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := assessments.Gaps(one, tc.assessor, tc.self)
			if tc.want == 0 {
				if len(got) != 0 {
					t.Errorf("Gaps = %+v, want none", got)
				}
				return
			}
			want := []assessments.Gap{{ItemID: "x", Critical: true, Self: tc.self["x"], Assessor: tc.assessor["x"], Direction: tc.want}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Gaps = %+v, want %+v", got, want)
			}
		})
	}
	t.Run("OKChecklistOrder", func(t *testing.T) {
		c := complaintCall()
		got := assessments.Gaps(c,
			ratings{"close": notShown, "listen": partly, "solve": na, "greet": fully, "extra": fully},
			ratings{"close": partly, "listen": fully, "solve": partly, "greet": fully, "extra": notShown})
		var ids []string
		for _, g := range got {
			ids = append(ids, fmt.Sprintf("%s:%s", g.ItemID, g.Direction))
		}
		want := []string{"listen:self higher", "solve:N/A on one side", "close:self higher"}
		if !slices.Equal(ids, want) {
			t.Errorf("Gaps = %q, want %q", ids, want)
		}
	})
	if got := assessments.Gaps(nil, ratings{"x": fully}, ratings{"x": na}); got != nil {
		t.Errorf("Gaps(nil) = %+v, want nil", got)
	}
}

func TestValidateChecklist(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(c *assessments.Checklist)
		fields []string // of the errors, in order
		msg    string   // a part of the first message
	}{
		{"OK", func(c *assessments.Checklist) {}, nil, ""},
		{"OKAllCritical", func(c *assessments.Checklist) {
			for i := range c.Items {
				c.Items[i].Critical = true
			}
		}, nil, ""},
		{"OKPassZero", func(c *assessments.Checklist) { c.PassPercent = 0 }, nil, ""},
		{"OKPassHundred", func(c *assessments.Checklist) { c.PassPercent = 100 }, nil, ""},
		{"OKWeightHundred", func(c *assessments.Checklist) { c.Items[0].Weight = 100 }, nil, ""},
		{"OKWeightFraction", func(c *assessments.Checklist) { c.Items[0].Weight = 0.5 }, nil, ""},
		{"OKItemIDWithUnderscore", func(c *assessments.Checklist) { c.Items[0].ID = "Greet_1" }, nil, ""},
		{"OKEmptyBrief", func(c *assessments.Checklist) { c.Brief = assessments.Brief{} }, nil, ""},
		{"ErrNoSlug", func(c *assessments.Checklist) { c.Slug = "" }, []string{"slug"}, "Enter a short name"},
		{"ErrSlugSpaces", func(c *assessments.Checklist) { c.Slug = "Complaint Call" }, []string{"slug"}, "lowercase letters"},
		{"ErrSlugDoubleHyphen", func(c *assessments.Checklist) { c.Slug = "complaint--call" }, []string{"slug"}, "single hyphens"},
		{"ErrSlugLeadingHyphen", func(c *assessments.Checklist) { c.Slug = "-call" }, []string{"slug"}, "single hyphens"},
		{"ErrSlugTrailingHyphen", func(c *assessments.Checklist) { c.Slug = "call-" }, []string{"slug"}, "single hyphens"},
		{"ErrSlugTooLong", func(c *assessments.Checklist) { c.Slug = strings.Repeat("a", 81) }, []string{"slug"}, "up to 80"},
		{"ErrNoTitle", func(c *assessments.Checklist) { c.Title = "" }, []string{"title"}, "Enter a title"},
		{"ErrTitleTooLong", func(c *assessments.Checklist) { c.Title = strings.Repeat("é", 201) }, []string{"title"}, "201 characters long; the limit is 200"},
		{"ErrBriefTooLong", func(c *assessments.Checklist) { c.Brief.Situation = strings.Repeat("x", 4001) }, []string{"brief"}, "situation is 4001 characters"},
		{"ErrNoItems", func(c *assessments.Checklist) { c.Items = nil }, []string{"items"}, "at least one item"},
		{"ErrDuplicateItemIDs", func(c *assessments.Checklist) { c.Items[3].ID = "listen" }, []string{"items"}, `Items 2 and 4 have the same id "listen"`},
		{"ErrEmptyItemID", func(c *assessments.Checklist) { c.Items[1].ID = "" }, []string{"items"}, "Item 2 has no id"},
		{"ErrItemIDSpaces", func(c *assessments.Checklist) { c.Items[1].ID = "let finish" }, []string{"items"}, "Item 2: id"},
		{"ErrItemNoText", func(c *assessments.Checklist) { c.Items[2].Text = "" }, []string{"items"}, "Item 3: describe"},
		{"ErrItemTextTooLong", func(c *assessments.Checklist) { c.Items[2].Text = strings.Repeat("x", 501) }, []string{"items"}, "Item 3 is 501 characters"},
		{"ErrGuidanceTooLong", func(c *assessments.Checklist) { c.Items[2].Guidance = strings.Repeat("x", 4001) }, []string{"items"}, "guidance"},
		{"ErrWeightZero", func(c *assessments.Checklist) { c.Items[0].Weight = 0 }, []string{"items"}, "Item 1: give it a weight"},
		{"ErrWeightNegative", func(c *assessments.Checklist) { c.Items[0].Weight = -5 }, []string{"items"}, "weight above 0"},
		{"ErrWeightAboveHundred", func(c *assessments.Checklist) { c.Items[0].Weight = 100.5 }, []string{"items"}, "up to 100"},
		{"ErrWeightNaN", func(c *assessments.Checklist) { c.Items[0].Weight = math.NaN() }, []string{"items"}, "weight"},
		{"ErrPassNegative", func(c *assessments.Checklist) { c.PassPercent = -1 }, []string{"pass_percent"}, "from 0 to 100"},
		{"ErrPassAboveHundred", func(c *assessments.Checklist) { c.PassPercent = 100.01 }, []string{"pass_percent"}, "from 0 to 100"},
		{"ErrPassNaN", func(c *assessments.Checklist) { c.PassPercent = math.NaN() }, []string{"pass_percent"}, "from 0 to 100"},
		{"ErrEveryProblemListed", func(c *assessments.Checklist) {
			c.Slug, c.Title, c.PassPercent = "", "", 120
			c.Items[0].Weight = 0
			c.Items[1].ID = "greet"
		}, []string{"slug", "title", "pass_percent", "items", "items"}, "Enter a short name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := complaintCall()
			tc.edit(c)
			errs := assessments.ValidateChecklist(c)
			var fields []string
			for _, err := range errs {
				if store.KindOf(err) != store.Invalid {
					t.Errorf("%v: kind %v, want Invalid", err, store.KindOf(err))
				}
				fields = append(fields, store.FieldOf(err))
			}
			if !slices.Equal(fields, tc.fields) {
				t.Fatalf("errors %v (fields %q), want fields %q", errs, fields, tc.fields)
			}
			if tc.msg != "" && !strings.Contains(store.MessageOf(errs[0]), tc.msg) {
				t.Errorf("message %q, want it to contain %q", store.MessageOf(errs[0]), tc.msg)
			}
		})
	}
	if errs := assessments.ValidateChecklist(nil); len(errs) != 1 {
		t.Errorf("ValidateChecklist(nil) = %v, want one error", errs)
	}
}

func BenchmarkScoreObservation(b *testing.B) {
	c := &assessments.Checklist{Slug: "bench", Title: "Bench", PassPercent: 75}
	r := ratings{}
	for i := range 20 {
		id := fmt.Sprint("item-", i)
		c.Items = append(c.Items, assessments.Item{ID: id, Text: "Behaviour", Weight: float64(5 + i%4*5), Critical: i%5 == 0})
		r[id] = []assessments.Rating{fully, fully, partly, na, fully}[i%5]
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = assessments.ScoreObservation(c, r)
	}
}
