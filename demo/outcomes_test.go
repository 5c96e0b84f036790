package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/store/storetest"
	"github.com/serviceacademy/academy/training"
)

// TestDemoImpact: the demo's outcomes give both answers on the impact
// report — Field Service Excellence raised customer satisfaction by about
// the eight points the data were drawn with (not eight plus the common
// trend), and made no change to complaints that could be told apart from
// chance.
func TestDemoImpact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		if _, _, err := demo.Load(ctx, db, "a-password-for-tests", "http://localhost"); err != nil {
			t.Fatal(err)
		}
		svc, err := training.New(db, training.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// The demo promises carry their facts, so the promises course's
		// bank asks about them, and the generated questions give no cue away.
		bank, err := svc.Quizzes().ListQuestions(ctx, assessments.PromiseCourse)
		if err != nil {
			t.Fatal(err)
		}
		generated := 0
		for _, bq := range bank {
			if bq.Question.Category != assessments.PromiseCategory {
				continue
			}
			generated++
			for _, w := range assessments.CheckQuestion(bq.Question) {
				t.Errorf("generated %q: %s", bq.Question.ID, w.Message)
			}
		}
		if generated < 10 {
			t.Errorf("%d questions generated from the demo promises, want at least two per promise", generated)
		}
		r, err := svc.ImpactReport(ctx, "field-service-excellence", "csat", 90, training.ImpactFilter{})
		if err != nil {
			t.Fatal(err)
		}
		im := r.Impact
		t.Logf("csat: %s %+v", r.Sentence, *im)
		if !im.EnoughData || im.CILow <= 0 || im.CILow > 8 || im.CIHigh < 8 || !strings.HasPrefix(r.Sentence, "Customer satisfaction rose ") {
			t.Fatalf("csat: %s %+v", r.Sentence, *im)
		}
		r, err = svc.ImpactReport(ctx, "field-service-excellence", "complaints", 90, training.ImpactFilter{})
		if err != nil {
			t.Fatal(err)
		}
		im = r.Impact
		t.Logf("complaints: %s %+v", r.Sentence, *im)
		if !im.EnoughData || !im.CoversZero() || !strings.Contains(r.Sentence, "could be told apart from chance") {
			t.Fatalf("complaints: %s %+v", r.Sentence, *im)
		}
		if len(r.Months) < 12 {
			t.Fatalf("months %d", len(r.Months))
		}
	})
}
