package assessments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store/storetest"
)

// BenchmarkItemAnalysis analyses one quiz with 220,000 submitted attempts
// (110,000 people, two attempts each; ten of twelve questions drawn per
// attempt, 5% left blank), written straight into a SQLite database:
// the scale fixture spreads its attempts over every quiz and stores no
// answers. ACADEMY_BENCH_ITEM_ATTEMPTS sets another number of attempts.
func BenchmarkItemAnalysis(b *testing.B) {
	n := 220000
	if v, err := strconv.Atoi(os.Getenv("ACADEMY_BENCH_ITEM_ATTEMPTS")); err == nil && v > 1 {
		n = v
	}
	db := storetest.MustOpen(b, "sqlite")
	s, _ := newQuizStore(db)
	quizID := itemFixture(b, s, db, n)
	for _, first := range []bool{true, false} {
		name := "all"
		if first {
			name = "first"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				rep, err := s.AnalyseQuiz(context.Background(), quizID, first)
				if err != nil {
					b.Fatal(err)
				}
				if want := n; !first && rep.Attempts != want || first && rep.Attempts != n/2 {
					b.Fatalf("%d attempts analysed", rep.Attempts)
				}
			}
		})
	}
}

// itemFixture writes n submitted attempts at a new quiz, with answers, and
// returns the quiz id.
func itemFixture(b *testing.B, s *assessments.Store, db *bun.DB, n int) int64 {
	b.Helper()
	ctx := context.Background()
	bank := quizBank()
	for i := range 4 {
		bank = append(bank, assessments.Question{ID: fmt.Sprintf("extra%d", i), Type: assessments.SingleChoice, Text: "Which one?",
			Options: []assessments.Option{{ID: "a", Text: "RIGHT this", Weight: 100}, {ID: "b", Text: "that"}, {ID: "c", Text: "the other"}, {ID: "d", Text: "none"}}})
	}
	qs := make([]*assessments.BankQuestion, len(bank))
	for i, q := range bank {
		bq, err := s.SaveQuestion(ctx, bankCourse, q, nil)
		if err != nil {
			b.Fatal(err)
		}
		qs[i] = bq
	}
	qz, err := s.SaveQuiz(ctx, quizSettings("bench", 10))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(14, 1))
	// Each question's right and wrong responses, as stored (authored ids).
	resp := func(q *assessments.Question, right bool) string {
		var r assessments.Response
		switch q.Type {
		case assessments.SingleChoice, assessments.MissingWord:
			r.Choice = q.Options[0].ID
			if !right {
				r.Choice = q.Options[1+rng.IntN(len(q.Options)-1)].ID
			}
		case assessments.MultipleResponse:
			r.Choices = []string{"a", "b"}
			if !right {
				r.Choices = []string{"a", "c"}
			}
		case assessments.TrueFalse:
			r.Choice = strconv.FormatBool(right == q.Correct)
		case assessments.ShortAnswer:
			r.Text = "bonjour-secret"
			if !right {
				r.Text = []string{"bonjour", "hello", "no idea"}[rng.IntN(3)]
			}
		case assessments.Numeric:
			r.Text = "4217.5"
			if !right {
				r.Text = strconv.Itoa(4000 + rng.IntN(5))
			}
		case assessments.Matching:
			r.Matches = map[string]string{"p1": "p1", "p2": "p2", "p3": "p3"}
			if !right {
				r.Matches = map[string]string{"p1": "p2", "p2": "p1", "p3": "p4"}
			}
		case assessments.Ordering:
			r.Order = []string{"a", "b", "c", "d"}
			if !right {
				r.Order = []string{"b", "a", "c", "d"}
			}
		}
		j, err := json.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		return string(j)
	}
	const when = "'2026-11-23 09:00:00+00:00'"
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	exec := func(sb *strings.Builder) {
		if sb.Len() == 0 {
			return
		}
		if _, err := tx.ExecContext(ctx, sb.String()); err != nil {
			b.Fatal(err)
		}
		sb.Reset()
	}
	var emp, att, ans strings.Builder
	people := n / 2
	for p := 1; p <= people; p++ {
		if emp.Len() == 0 {
			emp.WriteString("INSERT INTO employees (id, number, first_name, last_name, email, email_key, created_at, updated_at) VALUES ")
		} else {
			emp.WriteString(",")
		}
		fmt.Fprintf(&emp, "(%d, 'B%d', 'B', 'B', 'b%d@x.test', 'b%d@x.test', %s, %s)", p, p, p, p, when, when)
		if p%500 == 0 {
			exec(&emp)
		}
	}
	exec(&emp)
	id := 0
	for p := 1; p <= people; p++ {
		ability := rng.Float64()
		for number := 1; number <= 2; number++ {
			id++
			draw := make([]assessments.DrawItem, 0, 10)
			for _, k := range rng.Perm(len(qs))[:10] {
				draw = append(draw, assessments.DrawItem{QuestionID: qs[k].ID})
			}
			dj, _ := json.Marshal(draw)
			if att.Len() == 0 {
				att.WriteString("INSERT INTO attempts (id, quiz_id, employee_id, number, pass_mark, started_at, submitted_at, late, score, max_score, percent, passed, pending_grading, draw) VALUES ")
			} else {
				att.WriteString(",")
			}
			fmt.Fprintf(&att, "(%d, %d, %d, %d, 70, %s, %s, FALSE, 0, 10, 0, FALSE, 0, '%s')", id, qz.ID, p, number, when, when, dj)
			for _, it := range draw {
				if rng.IntN(20) == 0 {
					continue // left blank
				}
				var q *assessments.Question
				for _, bq := range qs {
					if bq.ID == it.QuestionID {
						q = &bq.Question
					}
				}
				if ans.Len() == 0 {
					ans.WriteString("INSERT INTO attempt_answers (attempt_id, question_row_id, response, saved_at, grade_comment) VALUES ")
				} else {
					ans.WriteString(",")
				}
				fmt.Fprintf(&ans, "(%d, %d, '%s', %s, '')", id, it.QuestionID, resp(q, rng.Float64() < 0.3+0.6*ability), when)
			}
			if id%200 == 0 {
				exec(&att)
				exec(&ans)
			}
		}
	}
	exec(&att)
	exec(&ans)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return qz.ID
}
