package app

import (
	"context"
	"net/url"
	"strconv"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
)

// homeCount is one count on a home page with the link to the filtered page
// that lists what it counts.
type homeCount struct {
	ID, Label, URL, Action string
	N                      int
	Bad                    bool // needs doing: shown as attention when N > 0
}

// managerCounts are a manager's to-dos across their reporting line: people
// to observe again, essays to grade, people overdue, certificates expiring.
func (s *Server) managerCounts(ctx context.Context, me *people.Employee) ([]homeCount, error) {
	line, err := s.people.ReportingLine(ctx, me.ID, true)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(line))
	inLine := make(map[int64]bool, len(line))
	for _, m := range line {
		ids = append(ids, m.ID)
		inLine[m.ID] = true
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	observe := 0
	if len(ids) > 0 {
		due, err := s.observations.DueReobservations(ctx, s.courses.Now().In(loc))
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for i := range due {
			if id := due[i].EmployeeID; inLine[id] && !seen[id] {
				seen[id] = true
				observe++
			}
		}
	}
	essays := 0
	if len(ids) > 0 {
		list, err := s.quizzes.PendingEssays(ctx, assessments.EssayFilter{EmployeeIDs: ids, ExceptEmployee: me.ID, Limit: gradingListLimit})
		if err != nil {
			return nil, err
		}
		essays = len(list)
	}
	overdue, err := s.reasonCount(ctx, courses.ReadinessFilter{LineOf: me.ID}, courses.ReasonOverdue)
	if err != nil {
		return nil, err
	}
	expiring := 0
	if len(ids) > 0 {
		if _, expiring, err = s.courses.ListCertificates(ctx, courses.CertFilter{EmployeeIDs: ids, ExpiringDays: coachSoonDays, Limit: 1}); err != nil {
			return nil, err
		}
	}
	return []homeCount{
		{ID: "count-observe", N: observe, Label: noun(observe, "person", "people") + " to observe again", URL: "/team/coach#people", Action: "Observe", Bad: true},
		{ID: "count-essays", N: essays, Label: noun(essays, "essay", "essays") + " to grade", URL: "/grading", Action: "Grade", Bad: true},
		{ID: "count-overdue", N: overdue, Label: noun(overdue, "person", "people") + " overdue", URL: "/team?reason=overdue", Action: "See who", Bad: true},
		{ID: "count-expiring", N: expiring, Label: noun(expiring, "certificate", "certificates") + " expiring within " + strconv.Itoa(coachSoonDays) + " days", URL: "/team/coach#people", Action: "See which"},
	}, nil
}

// reasonCount is how many people of f have a reason of kind (the stored readiness).
func (s *Server) reasonCount(ctx context.Context, f courses.ReadinessFilter, kind courses.ReasonKind) (int, error) {
	f.Reason, f.Limit = kind, 1
	_, sum, _, err := s.courses.ReadinessList(ctx, f)
	return sum.Headcount, err
}

// noun is one or many by n (the count is shown beside it).
func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// hrCounts are HR's to-dos for the whole organisation: readiness from the
// stored readiness, their imports waiting to be applied, certificates
// expiring, and e-mails that failed.
func (s *Server) hrCounts(ctx context.Context, p *Principal) (courses.ReadinessSummary, []homeCount, error) {
	sum, err := s.courses.ReadinessSummaryOf(ctx, courses.ReadinessFilter{})
	if err != nil {
		return sum, nil, err
	}
	batches, err := s.people.ListImportBatches(ctx, p.Employee.ID)
	if err != nil {
		return sum, nil, err
	}
	importURL := "/people/import"
	if len(batches) > 0 {
		importURL = "/people/import/" + url.PathEscape(batches[0].ID)
	}
	_, expiring, err := s.courses.ListCertificates(ctx, courses.CertFilter{ExpiringDays: coachSoonDays, Limit: 1})
	if err != nil {
		return sum, nil, err
	}
	var failed int
	if err := s.cfg.DB.NewSelect().TableExpr("notifications").ColumnExpr("COUNT(*)").Where("status = ?", notify.Failed).Scan(ctx, &failed); err != nil {
		return sum, nil, err
	}
	out := []homeCount{
		{ID: "count-imports", N: len(batches), Label: noun(len(batches), "import", "imports") + " previewed, waiting to be applied", URL: importURL, Action: "Review", Bad: true},
		{ID: "count-expiring", N: expiring, Label: noun(expiring, "certificate", "certificates") + " expiring within " + strconv.Itoa(coachSoonDays) + " days",
			URL: "/certificates?expiring=" + strconv.Itoa(coachSoonDays), Action: "See which"},
	}
	failedURL := ""
	if p.Has(people.RoleAdmin) {
		failedURL = "/admin/outbox?status=failed"
	}
	out = append(out, homeCount{ID: "count-failed", N: failed, Label: noun(failed, "e-mail", "e-mails") + " that could not be sent", URL: failedURL, Action: "See them", Bad: true})
	return sum, out, nil
}
