package assessments_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store/storetest"
)

// itemSummary is "qid vN attempts facility discrimination" for each row.
func itemSummary(rep assessments.ItemReport) string {
	var b strings.Builder
	for _, it := range rep.Items {
		d := "-"
		if it.Discrimination != nil {
			d = fmt.Sprintf("%.0f", *it.Discrimination)
		}
		f := "-"
		if it.Facility != nil {
			f = fmt.Sprintf("%.0f", math.Round(*it.Facility))
		}
		fmt.Fprintf(&b, "%s v%d %d %s %s\n", it.QID, it.Version, it.Attempts, f, d)
	}
	return b.String()
}

// analyseStreamed is AnalyseQuiz's report computed from ItemAttempts, with
// the pure tally: AnalyseQuiz must agree with it.
func analyseStreamed(t *testing.T, s *assessments.Store, quizID int64, firstOnly bool) assessments.ItemReport {
	t.Helper()
	var tally *assessments.ItemTally
	err := s.ItemAttempts(context.Background(), quizID, firstOnly, func(qs []assessments.ItemQuestion) { tally = assessments.NewItemTally(qs) },
		func(a []assessments.ItemResponse) { tally.Add(a) })
	if err != nil {
		t.Fatal(err)
	}
	return tally.Report()
}

// sameReport compares the figures (rounded) and the responses of two reports.
func sameReport(t *testing.T, what string, got, want assessments.ItemReport) {
	t.Helper()
	if g, w := itemSummary(got), itemSummary(want); got.Attempts != want.Attempts || g != w {
		t.Errorf("%s: AnalyseQuiz (%d attempts)\n%s\nItemAttempts (%d)\n%s", what, got.Attempts, g, want.Attempts, w)
		return
	}
	for i := range got.Items {
		if g, w := fmt.Sprint(got.Items[i].Options, got.Items[i].Blank), fmt.Sprint(want.Items[i].Options, want.Items[i].Blank); g != w {
			t.Errorf("%s: item %d responses %s, streamed %s", what, i, g, w)
		}
	}
}

// TestAnalyseQuiz reads stored attempts: one right and one wrong first
// attempt give every question a facility of 50% and a discrimination of
// 100%; a second (wrong) attempt counts only with all attempts; an
// unsubmitted attempt never counts; a question edited later is analysed per
// version; a quiz nobody took has no attempts.
func TestAnalyseQuiz(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s, clock := newQuizStore(db)
		seedBank(t, s, quizBank())
		qz := mustSaveQuiz(t, s, quizSettings("analysed", len(quizBank())))
		e1, e2, e3 := quizEmployee(t, db, "E1"), quizEmployee(t, db, "E2"), quizEmployee(t, db, "E3")
		takeQuiz(t, s, clock, qz.ID, e1, true)
		takeQuiz(t, s, clock, qz.ID, e1, false)
		takeQuiz(t, s, clock, qz.ID, e2, false)
		if _, err := s.StartAttempt(ctx, qz.ID, e3); err != nil {
			t.Fatal(err)
		}

		first, err := s.AnalyseQuiz(ctx, qz.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, "first attempts", first, analyseStreamed(t, s, qz.ID, true))
		want := "sc v1 2 50 100\nmr v1 2 50 100\ntf v1 2 50 100\nsa v1 2 50 100\nnum v1 2 50 100\nmatch v1 2 50 100\norder v1 2 50 100\nmw v1 2 50 100\n"
		if got := itemSummary(first); first.Attempts != 2 || got != want {
			t.Errorf("first attempts (%d):\n%s\nwant\n%s", first.Attempts, got, want)
		}
		sc := first.Items[0]
		if f := sc.Flags(); len(f) != 1 || f[0] != "nobody chose “within the hour, to calm them”" || sc.Options[0].Count != 1 || sc.Options[1].Count != 1 {
			t.Errorf("single choice: flags %q, options %+v", f, sc.Options)
		}
		sa := first.Items[3]
		if !sa.MostCommon || len(sa.Options) != 2 || sa.Options[0].Text != "bonjour-secret" || sa.Options[1].Text != "no idea" {
			t.Errorf("short answer responses: %+v", sa.Options)
		}
		if order := first.Items[6]; !order.MostCommon || order.Options[0].Text != "1 Listen → 2 Apologise → 3 Fix → 4 Follow up" && order.Options[1].Text != "1 Listen → 2 Apologise → 3 Fix → 4 Follow up" {
			t.Errorf("ordering responses: %+v", order.Options)
		}

		all, err := s.AnalyseQuiz(ctx, qz.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, "all attempts", all, analyseStreamed(t, s, qz.ID, false))
		if all.Attempts != 3 || all.Items[0].Attempts != 3 || math.Round(*all.Items[0].Facility) != 33 {
			t.Errorf("all attempts: %d\n%s", all.Attempts, itemSummary(all))
		}

		edited := quizBank()[0]
		edited.Options[2].Text = "within the hour"
		if _, err := s.SaveQuestion(ctx, bankCourse, edited, nil); err != nil {
			t.Fatal(err)
		}
		takeQuiz(t, s, clock, qz.ID, quizEmployee(t, db, "E4"), true)
		all, err = s.AnalyseQuiz(ctx, qz.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, "after an edit", all, analyseStreamed(t, s, qz.ID, false))
		if got := itemSummary(all); !strings.HasPrefix(got, "sc v1 3 33 100\nsc v2 1 100 -\nsc v0 4 50 100\nmr v1 4 50 100\n") {
			t.Errorf("after an edit:\n%s", got)
		}

		none := mustSaveQuiz(t, s, quizSettings("untaken", 2))
		rep, err := s.AnalyseQuiz(ctx, none.ID, true)
		if err != nil || rep.Attempts != 0 || len(rep.Items) != 0 {
			t.Errorf("no attempts: %+v %v", rep, err)
		}
	})
}
