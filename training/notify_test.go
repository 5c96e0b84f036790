package training_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/store/storetest"
)

// notes are the rows of a kind to an employee, the e-mail's data first
// when there is one (nil when there is none).
func (c *chain) notes(kind notify.Kind, employeeID int64) []notify.Row {
	c.t.Helper()
	var rows []notify.Row
	if err := c.svc.DB().NewSelect().Model(&rows).Where("kind = ? AND employee_id = ?", kind, employeeID).
		OrderExpr("channel, id").Scan(c.ctx); err != nil {
		c.t.Fatal(err)
	}
	return rows
}

// remind runs the reminders at t.
func (c *chain) remind(t time.Time) {
	c.t.Helper()
	c.at(t)
	if _, err := c.svc.Remind(c.ctx, t); err != nil {
		c.t.Fatal(err)
	}
}

// TestNotificationsOfTheCertificate: completing the programme queues the
// certificate (links to the PDF and the verify page) in the completion's
// transaction; 30 and 7 days before it expires the learner is reminded,
// unless a newer cycle is complete by then; the recertification cycle the
// scheduler opens is announced.
func TestNotificationsOfTheCertificate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		q := c.quiz("six-cs")
		c.programme("basics", "six-cs")
		if n := c.notes(notify.Assigned, c.learner.ID); len(n) != 2 || n[0].Channel != notify.Email || n[0].Address != "leo@example.com" {
			t.Fatalf("assigned: %+v", n)
		}
		c.read("six-cs")
		if _, completed := c.takeQuiz("six-cs", q, 2); !completed {
			t.Fatal("not completed")
		}
		cert := c.certificates()[0]
		issued := c.notes(notify.CertificateIssued, c.learner.ID)
		if len(issued) != 2 {
			t.Fatalf("certificate issued: %+v", issued)
		}
		if v := issued[0].Values(); v["link"] != "/certificates/"+cert.Code+".pdf" || v["link2"] != "/verify/"+cert.Code ||
			v["programme"] != "Programme basics" || v["certificate"] != cert.Code || v["expires"] == "" {
			t.Errorf("certificate issued data: %v", v)
		}

		expires := cert.ExpiresAt.UTC() // the company is on UTC here
		c.remind(expires.AddDate(0, 0, -31).Add(12 * time.Hour))
		if n := c.notes(notify.CertificateExpiring, c.learner.ID); len(n) != 0 {
			t.Fatalf("reminded 31 days before: %+v", n)
		}
		for range 2 {
			c.remind(expires.AddDate(0, 0, -30).Add(12 * time.Hour))
		}
		n := c.notes(notify.CertificateExpiring, c.learner.ID)
		// The reminder names the certificate's last valid day, the day before it expires.
		if len(n) != 2 || n[0].Values()["expires"] != expires.Add(-time.Second).Format("2 Jan 2006") {
			t.Fatalf("expiring, 30 days before: %+v", n)
		}

		// The recertification opens 30 days before; completed again, the old
		// certificate is not reminded about 7 days before its expiry.
		c.at(expires.AddDate(0, 0, -20))
		if _, err := c.svc.Tick(c.ctx); err != nil {
			t.Fatal(err)
		}
		recert := c.notes(notify.RecertOpened, c.learner.ID)
		if len(recert) != 2 || recert[0].Values()["programme"] != "Programme basics" {
			t.Fatalf("recertification opened: %+v", recert)
		}
		c.read("six-cs")
		c.at(c.clock.Now().Add(time.Hour))
		if _, completed := c.takeQuiz("six-cs", q, 2); !completed {
			t.Fatal("the second cycle did not complete")
		}
		c.remind(expires.AddDate(0, 0, -7).Add(12 * time.Hour))
		if n := c.notes(notify.CertificateExpiring, c.learner.ID); len(n) != 2 {
			t.Fatalf("reminded about a renewed certificate: %+v", n)
		}
		if n := c.notes(notify.CertificateIssued, c.learner.ID); len(n) != 4 {
			t.Fatalf("%d certificate-issued rows after renewing, want 4", len(n))
		}
	})
}

// TestNotificationsOfAssessments: a role-play failed on a critical item
// tells the learner what failed and when they are observed again; on that
// day the assessor is reminded; an essay submitted waits for the learner's
// manager.
func TestNotificationsOfAssessments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		c := newChain(t, db)
		q := c.quiz("internal-customer")
		c.programme("colleagues", "internal-customer")
		c.read("internal-customer")
		c.takeQuiz("internal-customer", q, 2)
		failed := c.observe("wrong-department-handover", true)
		n := c.notes(notify.ObservationSigned, c.learner.ID)
		if len(n) != 2 {
			t.Fatalf("observation signed: %+v", n)
		}
		v := n[0].Values()
		var critical string
		for _, it := range failed.Checklist.Items {
			if it.ID == failed.FailedCritical[0] {
				critical = it.Text
			}
		}
		if !strings.HasPrefix(v["result"], "not passed") || v["assessor"] != "Maya Chain" || !strings.Contains(v["body"], critical) ||
			v["link"] != "/me/observations/"+strconv.FormatInt(failed.ID, 10) {
			t.Errorf("observation signed data: %v", v)
		}
		if failed.ReobserveDue == nil {
			t.Fatal("no re-observation date")
		}
		due, _ := time.Parse(time.DateOnly, *failed.ReobserveDue)
		if !strings.Contains(v["body"], due.Format("2 Jan 2006")) {
			t.Errorf("the re-observation date is not in the message: %q", v["body"])
		}
		c.remind(due.Add(-time.Hour)) // the day before
		if n := c.notes(notify.ReobservationDue, c.manager.ID); len(n) != 0 {
			t.Fatalf("reminded the day before: %+v", n)
		}
		c.remind(due.Add(8 * time.Hour))
		c.remind(due.Add(9 * time.Hour))
		if n := c.notes(notify.ReobservationDue, c.manager.ID); len(n) != 2 || n[0].Values()["learner"] != "Leo Chain (L1)" {
			t.Fatalf("re-observation due: %+v", n)
		}

		// An essay waits for the manager.
		quizzes := c.svc.Quizzes()
		if _, err := quizzes.SaveQuestion(c.ctx, "six-cs", assessments.Question{ID: "note-essay", Type: assessments.Essay,
			Text: "Describe a service failure you put right.", Tags: []string{"note-essay"}}, nil); err != nil {
			t.Fatal(err)
		}
		eq, err := quizzes.FindQuiz(c.ctx, "six-cs-quiz")
		if err != nil {
			t.Fatal(err)
		}
		eq.DrawCount, eq.DrawPerTag, eq.PassMark, eq.AttemptLimit, eq.MinWaitMinutes = 1, map[string]int{"note-essay": 1}, 50, 0, 0
		if _, err := quizzes.SaveQuiz(c.ctx, eq.QuizSettings); err != nil {
			t.Fatal(err)
		}
		c.programme("basics", "six-cs")
		c.read("six-cs")
		a, err := quizzes.StartAttempt(c.ctx, eq.ID, c.learner.ID)
		if err != nil {
			t.Fatal(err)
		}
		view, err := quizzes.AttemptView(c.ctx, a.ID, c.learner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.svc.SubmitAttempt(c.ctx, "six-cs", a.ID, c.learner.ID,
			map[int64]assessments.Response{view.Questions[0].ID: {Text: "I said sorry at once, then fixed it."}}, c.clock.Now()); err != nil {
			t.Fatal(err)
		}
		essay := c.notes(notify.EssayToGrade, c.manager.ID)
		if len(essay) != 2 || essay[0].Values()["learner"] != "Leo Chain (L1)" || essay[0].Values()["link"] != "/grading" ||
			essay[0].Values()["quiz"] != eq.Title {
			t.Fatalf("essay to grade: %+v", essay)
		}
	})
}
