package assessments_test

import (
	"slices"
	"testing"
	"time"

	"github.com/serviceacademy/academy/assessments"
)

func TestCertificateScore(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	from := day(10)
	r := func(d int, percent float64, passed bool) assessments.AttemptResult {
		return assessments.AttemptResult{StartedAt: day(d), Percent: percent, Passed: passed}
	}
	tests := []struct {
		name    string
		quizzes [][]assessments.AttemptResult
		after   *time.Time
		want    float64 // -1: no score
	}{
		{"NoQuiz", nil, nil, -1},
		{"NeverPassed", [][]assessments.AttemptResult{{r(11, 60, false)}}, nil, -1},
		{"OnePass", [][]assessments.AttemptResult{{r(11, 60, false), r(12, 80, true)}}, nil, 80},
		{"BestOfThePassed", [][]assessments.AttemptResult{{r(11, 90, true), r(12, 75, true), r(13, 95, false)}}, nil, 90},
		{"MeanOverQuizzes", [][]assessments.AttemptResult{{r(11, 90, true)}, {r(12, 70, true)}}, nil, 80},
		{"AQuizNotPassedDoesNotCount", [][]assessments.AttemptResult{{r(11, 90, true)}, {r(12, 40, false)}, {}}, nil, 90},
		{"OnlyAfterTheCycleStarts", [][]assessments.AttemptResult{{r(9, 100, true), r(11, 75, true)}}, &from, 75},
		{"StartedAtTheMomentDoesNotCount", [][]assessments.AttemptResult{{r(10, 100, true)}}, &from, -1},
		{"EarlierPassesOnly", [][]assessments.AttemptResult{{r(1, 100, true)}, {r(2, 80, true)}}, &from, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := assessments.CertificateScore(tt.quizzes, tt.after)
			switch {
			case tt.want < 0 && got != nil:
				t.Errorf("score %v, want none", *got)
			case tt.want >= 0 && (got == nil || *got != tt.want):
				t.Errorf("score %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStillFailed(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 2, h, 0, 0, 0, time.UTC) }
	failed := []string{"apologise"}
	fact := func(id, checklist int64, h int, passed bool, critical []string) assessments.ObservationFact {
		return assessments.ObservationFact{ID: id, ChecklistID: checklist, SignedOffAt: at(h), Passed: passed, FailedCritical: critical}
	}
	tests := []struct {
		name string
		obs  []assessments.ObservationFact
		want []int64
	}{
		{"None", nil, nil},
		{"FailedOnACriticalItem", []assessments.ObservationFact{fact(1, 7, 9, false, failed)}, []int64{1}},
		{"FailedBelowThePassMarkOnly", []assessments.ObservationFact{fact(1, 7, 9, false, nil)}, nil},
		{"PassedSince", []assessments.ObservationFact{fact(1, 7, 9, false, failed), fact(2, 7, 10, true, nil)}, nil},
		{"FailedAgain", []assessments.ObservationFact{fact(1, 7, 9, false, failed), fact(2, 7, 10, true, nil), fact(3, 7, 11, false, failed)}, []int64{3}},
		{"TheNewestBySignOffNotById", []assessments.ObservationFact{fact(1, 7, 11, true, nil), fact(2, 7, 10, false, failed)}, nil},
		{"AtTheSameMomentTheHigherId", []assessments.ObservationFact{fact(1, 7, 10, true, nil), fact(2, 7, 10, false, failed)}, []int64{2}},
		{"EachChecklistApart", []assessments.ObservationFact{fact(1, 7, 9, false, failed), fact(2, 8, 10, true, nil), fact(3, 8, 8, false, failed)}, []int64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, f := range assessments.StillFailed(tt.obs) {
				got = append(got, f.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("StillFailed = %v, want %v", got, tt.want)
			}
		})
	}
}
