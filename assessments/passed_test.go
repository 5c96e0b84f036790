package assessments_test

import (
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
