package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/serviceacademy/academy/people"
)

// roleRoute is one row of the route × role table: the status each role gets.
type roleRoute struct {
	method, path string
	form         url.Values
	want         map[string]int // role → status
}

var roles = []string{"visitor", "staff", "manager", "hr", "admin"}

var roleEmails = map[string]string{"staff": staffEmail, "manager": ccMgrEmail, "hr": hrEmail, "admin": adminEmail}

// st builds the expected statuses in the order of roles.
func st(visitor, staff, manager, hr, admin int) map[string]int {
	return map[string]int{"visitor": visitor, "staff": staff, "manager": manager, "hr": hr, "admin": admin}
}

// inLine is an advisor in the contact centre manager's line; staffNumber is a receptionist outside it.
const inLine = "BW1133"

// TestRouteRoleTable proves who may do what: every route, every role, expected status.
// Visitors are redirected to sign in on pages (302) and get 401 on actions;
// records outside a manager's line are 404 (their existence is not revealed).
func TestRouteRoleTable(t *testing.T) {
	const (
		ok, created, see, found, bad, unauth, forbid, missing, conflict, invalid = 200, 201, 303, 302, 400, 401, 403, 404, 409, 422
	)
	_ = created
	_ = bad
	cert, revoked := demoCertificateCodes(t)
	table := []roleRoute{
		{"GET", "/healthz", nil, st(ok, ok, ok, ok, ok)},
		{"GET", "/static/css/app.css", nil, st(ok, ok, ok, ok, ok)},
		{"GET", "/signin", nil, st(ok, found, found, found, found)},
		{"GET", "/password/not-a-real-token", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/account/password", nil, st(found, ok, ok, ok, ok)},
		// Notifications (app/notifications.go): each person their own; HR's wording page.
		{"GET", "/notifications", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/notifications?page=9", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/notifications/999999", nil, st(found, missing, missing, missing, missing)},
		{"POST", "/notifications/999999/read", nil, st(unauth, missing, missing, missing, missing)},
		{"POST", "/notifications/read-all", nil, st(unauth, see, see, see, see)},
		{"GET", "/account/notifications", nil, st(found, ok, ok, ok, ok)},
		{"POST", "/account/notifications", url.Values{"kind_due_soon": {"on"}}, st(unauth, see, see, see, see)},
		{"GET", "/settings/notifications", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", "/settings/notifications/assigned", url.Values{"subject": {"{nope}"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/settings/notifications/nonsense", nil, st(unauth, forbid, forbid, missing, missing)},
		{"GET", "/unsubscribe/not-a-token", nil, st(bad, bad, bad, bad, bad)},
		{"POST", "/unsubscribe/not-a-token", nil, st(bad, bad, bad, bad, bad)},
		{"GET", "/people", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/people/new", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/people/import", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/people/import/no-such-batch", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/people/" + staffNumber, nil, st(found, ok, missing, ok, ok)},
		{"GET", "/people/" + inLine, nil, st(found, missing, ok, ok, ok)},
		{"GET", "/people/" + inLine + "/team", nil, st(found, missing, ok, ok, ok)},
		{"GET", "/people/NOPE", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/team", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team?scope=direct&sort=status&status=not_ready&reason=overdue", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team?manager=BW1132", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team?manager=" + inLine, nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team?manager=" + staffNumber, nil, st(found, forbid, missing, ok, ok)},
		{"GET", "/team?manager=BW1010", nil, st(found, forbid, missing, ok, ok)},
		{"GET", "/team?manager=NOPE", nil, st(found, forbid, missing, missing, missing)},
		{"GET", "/team?after=not-a-cursor", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/team/coach", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team/coach?manager=BW1132", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team/coach?manager=BW1010", nil, st(found, forbid, missing, ok, ok)},
		{"GET", "/team/coach?manager=NOPE", nil, st(found, forbid, missing, missing, missing)},
		{"POST", "/team/coach/bulk", url.Values{"employee": {staffNumber}, "action": {"remind"}}, st(unauth, forbid, missing, see, see)},
		{"POST", "/team/coach/bulk", url.Values{"employee": {inLine}, "action": {"extend"}, "due_on": {"2099-01-01"}}, st(unauth, forbid, invalid, invalid, invalid)},
		{"POST", "/team", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/me/transcript", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/me/certificates", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/certificates/K7Q2-M9XD-4TPA-8WBN.pdf", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/verify", nil, st(ok, ok, ok, ok, ok)},
		{"GET", "/verify/K7Q2-M9XD-4TPA-8WBN", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/verify/K7Q2-M9XD-4TPA-8WBN.json", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/issuer", nil, st(ok, ok, ok, ok, ok)},
		{"GET", "/me/transcript.pdf", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/people/" + inLine + "/transcript.pdf", nil, st(found, missing, ok, ok, ok)},
		{"GET", "/people/" + staffNumber + "/transcript", nil, st(found, ok, missing, ok, ok)},
		{"GET", "/people/" + inLine + "/transcript", nil, st(found, missing, ok, ok, ok)},
		{"GET", "/people/NOPE/transcript", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/people/" + staffNumber + "/edit", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/org/departments", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/org/locations", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/org/job_titles", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/org/planets", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/admin/audit", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/admin/audit?action=assignment.&from=2026-01-01", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/admin/audit?from=not-a-date", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/admin/audit.csv", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/admin/audit.csv?to=not-a-date", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/admin/tokens", nil, st(found, forbid, forbid, forbid, ok)},
		{"GET", "/admin/outbox", nil, st(found, forbid, forbid, forbid, ok)},
		{"GET", "/admin/outbox?status=lost", nil, st(found, forbid, forbid, forbid, invalid)},
		{"GET", "/admin/outbox/999999", nil, st(found, forbid, forbid, forbid, missing)},
		{"GET", "/admin/outbox/999999/html", nil, st(found, forbid, forbid, forbid, missing)},
		{"GET", "/no/such/page", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/learn", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/learn/six-cs", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/learn/mission-vision-promise/our-service-promises", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/learn/mission-vision-promise/no-such-lesson", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/learn/no-such-course", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/learn/mission-vision-promise/acknowledge", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/search?q=promise", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/settings/company", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/company/logo", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/authoring", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/quizzes/six-cs-quiz/analysis", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/quizzes/six-cs-quiz/analysis?attempts=all", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/quizzes/six-cs-quiz/analysis?attempts=some", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/authoring/six-cs/quizzes/no-such-quiz/analysis", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/authoring/six-cs/quizzes/six-cs-quiz/analysis.csv", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/quizzes/service-recovery-quiz/analysis.csv", nil, st(found, forbid, forbid, missing, missing)},
		{"POST", "/account/password", url.Values{"current": {"wrong"}}, st(unauth, invalid, invalid, invalid, invalid)},
		{"POST", "/people", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/people/" + inLine, url.Values{"email": {"bad"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/people/import", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/people/import/no-such-batch/apply", nil, st(unauth, forbid, forbid, missing, missing)},
		{"GET", "/completions/import", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/completions/import/no-such-batch", nil, st(found, forbid, forbid, missing, missing)},
		{"POST", "/completions/import", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/completions/import/no-such-batch/apply", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/org/departments", url.Values{"name": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/org/departments/1", url.Values{"name": {"Front Desk & Reception"}}, st(unauth, forbid, forbid, see, see)},
		{"POST", "/people/" + inLine + "/password-link", nil, st(unauth, forbid, forbid, ok, ok)},
		{"POST", "/people/" + inLine + "/roles", url.Values{"role_hr": {"on"}}, st(unauth, forbid, forbid, forbid, see)},
		// People who hold HR or admin: only admins edit them, send them links, deactivate them.
		{"GET", "/people/" + adminNumber + "/edit", nil, st(found, forbid, forbid, forbid, ok)},
		{"GET", "/people/" + otherHRNumber + "/edit", nil, st(found, forbid, forbid, forbid, ok)},
		{"GET", "/people/" + hrNumber + "/edit", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", "/people/" + adminNumber + "/password-link", nil, st(unauth, forbid, forbid, forbid, ok)},
		{"POST", "/people/" + otherHRNumber + "/password-link", nil, st(unauth, forbid, forbid, forbid, ok)},
		{"POST", "/people/" + adminNumber + "/deactivate", nil, st(unauth, forbid, forbid, forbid, see)},
		{"POST", "/people/" + otherHRNumber + "/reactivate", nil, st(unauth, forbid, forbid, forbid, see)},
		{"POST", "/people/" + adminNumber + "/roles", url.Values{}, st(unauth, forbid, forbid, forbid, see)},
		{"POST", "/admin/tokens", url.Values{"name": {""}, "role": {"hr"}}, st(unauth, forbid, forbid, forbid, invalid)},
		{"POST", "/admin/tokens/999/revoke", nil, st(unauth, forbid, forbid, forbid, missing)},
		{"POST", "/admin/outbox/test", url.Values{"address": {"not an address"}}, st(unauth, forbid, forbid, forbid, invalid)},
		{"POST", "/admin/outbox/999999/resend", nil, st(unauth, forbid, forbid, forbid, missing)},
		{"POST", "/people/" + inLine + "/deactivate", nil, st(unauth, forbid, forbid, see, see)},
		{"POST", "/people/" + inLine + "/reactivate", nil, st(unauth, forbid, forbid, see, see)},
		{"POST", "/learn/mission-vision-promise/our-service-promises/complete", nil, st(unauth, see, see, see, see)},
		{"POST", "/learn/mission-vision-promise/acknowledge", url.Values{}, st(unauth, invalid, invalid, invalid, invalid)},
		// The reaction survey: every demo login completed the mission course, none six-cs.
		{"GET", "/learn/mission-vision-promise/reaction", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/learn/six-cs/reaction", nil, st(found, forbid, forbid, forbid, forbid)},
		{"GET", "/learn/no-such-course/reaction", nil, st(found, missing, missing, missing, missing)},
		{"POST", "/learn/mission-vision-promise/reaction", url.Values{"relevance": {"9"}}, st(unauth, invalid, invalid, invalid, invalid)},
		{"POST", "/learn/six-cs/reaction", url.Values{"relevance": {"4"}, "confidence": {"4"}, "recommend": {"9"}}, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/learn/six-cs/reaction", url.Values{"dismiss": {"1"}}, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/settings/company", url.Values{"name": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/authoring/preview", url.Values{"body": {"*hi*"}}, st(unauth, forbid, forbid, ok, ok)},
		{"GET", "/matrix", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/matrix?programme=induction", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/matrix?programme=induction&manager=" + inLine, nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/matrix?programme=induction&manager=" + staffNumber, nil, st(found, forbid, invalid, ok, ok)},
		{"GET", "/matrix?programme=no-such-programme", nil, st(found, forbid, missing, missing, missing)},
		{"GET", "/matrix?programme=induction&after=bogus", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/matrix.csv?programme=induction", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/matrix.csv?programme=no-such-programme", nil, st(found, forbid, missing, missing, missing)},
		{"GET", "/matrix.csv", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/matrix.xlsx?programme=contact-centre-excellence", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/matrix.xlsx?programme=induction&department=x", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/programmes", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/new", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/induction", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/induction?status=overdue", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/no-such-programme", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/programmes/induction/edit", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/induction/assign", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/induction/rules/new", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/programmes/induction/rules/999", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/people/" + inLine + "/programmes", nil, st(found, missing, ok, ok, ok)},
		{"GET", "/people/" + staffNumber + "/programmes", nil, st(found, ok, missing, ok, ok)},
		{"POST", "/programmes", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/programmes/induction", url.Values{"title": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/programmes/induction/assign", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/programmes/induction/rules", url.Values{"existing": {"yes"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/programmes/induction/rules/999/delete", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/programmes/induction/delete", nil, st(unauth, forbid, forbid, see, see)},
		{"POST", "/people/" + inLine + "/programmes/999999/extend", url.Values{"due_on": {"2030-01-01"}, "reason": {"x"}}, st(unauth, forbid, missing, missing, missing)},
		{"POST", "/people/" + staffNumber + "/programmes/999999/extend", nil, st(unauth, forbid, missing, missing, missing)},
		{"POST", "/people/" + inLine + "/programmes/999999/exempt", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/people/" + inLine + "/programmes/999999/close", nil, st(unauth, forbid, forbid, missing, missing)},
		{"GET", "/me/transcript", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/me/certificates", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/certificates/K7Q2-M9XD-4TPA-8WBN.pdf", nil, st(found, missing, missing, missing, missing)},
		{"GET", "/verify", nil, st(ok, ok, ok, ok, ok)},
		{"GET", "/verify/K7Q2-M9XD-4TPA-8WBN", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/verify/K7Q2-M9XD-4TPA-8WBN.json", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/issuer", nil, st(ok, ok, ok, ok, ok)},
		{"GET", "/me/transcript.pdf", nil, st(found, ok, ok, ok, ok)},
		{"GET", "/people/" + inLine + "/transcript.pdf", nil, st(found, missing, ok, ok, ok)},
		{"GET", "/certificates", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/certificates?status=revoked&expiring=30&q=bw", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/certificates?expiring=soon", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/certificates/" + cert, nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/certificates/0000-0000-0000-0000", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/certificates/not-a-code", nil, st(found, forbid, forbid, missing, missing)},
		{"POST", "/certificates/" + cert + "/revoke", url.Values{"reason": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/certificates/" + revoked + "/revoke", url.Values{"reason": {"again"}}, st(unauth, forbid, forbid, conflict, conflict)},
		{"POST", "/certificates/" + revoked + "/reissue", nil, st(unauth, forbid, forbid, conflict, conflict)},
		{"POST", "/certificates/0000-0000-0000-0000/reissue", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/certificates/bulk.zip", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/certificates/bulk.zip", url.Values{"code": {cert}}, st(unauth, forbid, forbid, ok, ok)},
		{"GET", "/settings/certificates", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", "/settings/certificates", url.Values{"title": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"GET", "/settings/certificates/preview.pdf", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/settings/certificates/preview.pdf?title=", nil, st(found, forbid, forbid, invalid, invalid)},
		{"POST", "/certificates/" + cert + "/reissue", nil, st(unauth, forbid, forbid, see, see)},
		{"GET", "/readiness", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/readiness?manager=BW1012&weeks=26", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/readiness?as_of=2020-01-01", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/readiness?department=not-a-number", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/readiness/report.pdf", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/readiness/report.pdf?manager=NOPE", nil, st(found, forbid, forbid, invalid, invalid)},
		{"GET", "/readiness/standards", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/impact", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/impact?programme=field-service-excellence&measure=complaints&window_days=60&manager=BW1132", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/impact?programme=nope&measure=csat", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/impact?window_days=45", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/impact?manager=BW1010", nil, st(found, forbid, invalid, ok, ok)},
		{"POST", "/impact", nil, st(missing, missing, missing, missing, missing)},
		{"GET", "/readiness/standards?scope=direct", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/readiness/standards?manager=" + staffNumber, nil, st(found, forbid, missing, ok, ok)},
		{"GET", "/readiness/standards?manager=" + inLine, nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team/report.pdf", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/team/report.pdf?manager=" + staffNumber, nil, st(found, forbid, missing, ok, ok)},
		{"GET", "/team/report.pdf?as_of=2020-01-01", nil, st(found, forbid, invalid, invalid, invalid)},
		{"GET", "/digest", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/digest.pdf", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/digest.txt", nil, st(found, forbid, ok, ok, ok)},
		{"GET", "/digest?manager=" + staffNumber, nil, st(found, forbid, missing, ok, ok)},
		{"GET", "/digest.txt?manager=NOPE", nil, st(found, forbid, missing, missing, missing)},
		// Service measures and the outcome import.
		{"GET", "/measures", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", "/measures", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/measures", url.Values{"slug": {"rt-csat"}, "title": {"CSAT"}, "kind": {"rating"}, "scale": {"good_bad"}}, st(unauth, forbid, forbid, see, see)},
		{"POST", "/measures", url.Values{"slug": {"rt-csat"}, "title": {"Again"}, "kind": {"count"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"GET", "/measures/rt-csat", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/measures/no-such-measure", nil, st(found, forbid, forbid, missing, missing)},
		{"POST", "/measures/rt-csat", url.Values{"title": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/measures/rt-csat", url.Values{"title": {"Customer satisfaction"}, "higher_is_better": {"higher"}}, st(unauth, forbid, forbid, see, see)},
		{"POST", "/measures/no-such-measure", url.Values{"title": {"X"}}, st(unauth, forbid, forbid, missing, missing)},
		{"GET", "/outcomes/import", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/outcomes/import?measure=rt-csat", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", "/outcomes/import", url.Values{}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/outcomes/import", url.Values{"measure": {"rt-csat"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"GET", "/outcomes/import/no-such-batch?measure=rt-csat", nil, st(found, forbid, forbid, missing, missing)},
		{"POST", "/outcomes/import/no-such-batch/apply", url.Values{"measure": {"rt-csat"}}, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/measures/rt-csat/archive", nil, st(unauth, forbid, forbid, see, see)},
		{"POST", "/measures/no-such-measure/archive", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/measures/rt-csat/restore", nil, st(unauth, forbid, forbid, see, see)},
		{"POST", "/measures/no-such-measure/restore", nil, st(unauth, forbid, forbid, missing, missing)},
		{"GET", "/recovery", nil, st(found, forbid, forbid, ok, ok)},
		{"POST", "/team/requests/999999/dismiss", nil, st(unauth, forbid, missing, missing, missing)},
		{"POST", "/recovery", url.Values{"measure": {"nope"}, "threshold": {"3"}, "days": {"30"}, "checklist": {"missed-promise-complaint"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/recovery/999999/archive", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/recovery/not-a-number/archive", nil, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/recovery/coach/nope", url.Values{"coach_below": {"70"}}, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/signout", nil, st(unauth, see, see, see, see)},
	}
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			ts := mustServer(t, "sqlite")
			mgr, _ := ts.People.FindEmployeeByEmail(context.Background(), ccMgrEmail)
			adv, _ := ts.People.FindEmployeeByNumber(context.Background(), inLine)
			if ok, _ := ts.People.InLine(context.Background(), mgr.ID, adv.ID); !ok {
				t.Fatalf("demo changed: %s is no longer in %s's line", inLine, ccMgrEmail)
			}
			c := ts.client(t)
			signInAs(c, role)
			checkRoutes(t, c, role, table)
		})
	}
}

// demoCertificateCodes returns the code of a valid and of a revoked demo
// certificate (every SQLite test server starts from the same demo copy).
func demoCertificateCodes(t *testing.T) (valid, revoked string) {
	t.Helper()
	db := demoCopy(t)
	now := time.Now()
	if err := db.NewSelect().TableExpr("certificates").Column("code").
		Where("revoked_at IS NULL AND superseded_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", now).OrderExpr("id").Limit(1).Scan(context.Background(), &valid); err != nil {
		t.Fatalf("a valid demo certificate: %v", err)
	}
	if err := db.NewSelect().TableExpr("certificates").Column("code").Where("revoked_at IS NOT NULL").OrderExpr("id").Limit(1).Scan(context.Background(), &revoked); err != nil {
		t.Fatalf("a revoked demo certificate: %v", err)
	}
	return valid, revoked
}

// TestAPIRoleTable: every API route with no token, a bad token, and a token of each role.
func TestAPIRoleTable(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	tokens := map[string]string{"none": "", "bogus": "sa_not-a-real-token"}
	for _, r := range []struct{ role, emp string }{{"staff", staffNumber}, {"manager", "BW1012"}, {"hr", ""}, {"admin", ""}} {
		role, _ := people.ParseRole(r.role)
		secret, _, err := ts.People.CreateToken(ctx, r.role+" token", role, r.emp, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens[r.role] = secret
	}
	put := `{"first_name":"Api","last_name":"Person","email":"api.person@brightwater.example"}`
	table := []struct {
		method, path, body string
		want               map[string]int
	}{
		{"GET", "/api/v1/employees", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/employees/" + staffNumber, "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/employees/" + inLine, "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/employees/" + staffNumber + "/transcript", "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/employees/" + inLine + "/transcript", "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/employees/NOPE/transcript", "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 404, "hr": 404, "admin": 404}},
		{"PUT", "/api/v1/employees/API1", put, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 201, "admin": 200}},
		{"POST", "/api/v1/employees/import?dry_run=true", "Employee ID,Full Name,Email\nX1,Ex Ample,x1@brightwater.example\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/employees/import?dry_run=true", "Employee ID,Full Name,Email,Roles\nX1,Ex Ample,x1@brightwater.example,admin\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 200}},
		{"PUT", "/api/v1/employees/" + adminNumber, `{"first_name":"Alex","last_name":"Morgan","email":"admin@brightwater.example","roles":["admin"]}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 403, "admin": 200}},
		{"PUT", "/api/v1/employees/API2", `{"first_name":"Api","last_name":"Two","email":"api.two@brightwater.example","roles":["hr"]}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 403, "admin": 201}},
		{"GET", "/api/v1/certificates", "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/certificates/K7Q2-M9XD-4TPA-8WBN", "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 404, "hr": 404, "admin": 404}},
		{"GET", "/api/v1/programmes", "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 200, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/assignments?dry_run=true", `{"programme":"induction","employees":["` + inLine + `"]}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/assignments", `{"programme":"induction"}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 422}},
		{"POST", "/api/v1/completions?dry_run=true", "employee,programme,completed_at\n" + inLine + ",induction,2026-01-05\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/completions", "employee,completed_at\n" + inLine + ",2026-01-05\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/readiness", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/impact?programme=field-service-excellence&measure=csat", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/impact?programme=field-service-excellence&measure=csat&manager=BW1010", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/impact?programme=nope&measure=csat", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 422, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/impact?programme=field-service-excellence&measure=csat&window_days=7", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 422, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/readiness?manager=BW1132&department=contact+centre&location=LEEDS&limit=5", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/readiness?manager=BW1010", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/readiness?manager=" + staffNumber, "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/readiness?limit=0", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 422, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/readiness?as_of=someday", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 422, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/readiness?after=garbage", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 422, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/readiness?department=Nowhere", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 422, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/readiness/employees/" + staffNumber, "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/readiness/employees/" + inLine, "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/readiness/employees/BW1010", "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 404, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/readiness/employees/NOPE", "", map[string]int{"none": 401, "bogus": 401, "staff": 404, "manager": 404, "hr": 404, "admin": 404}},
		{"GET", "/api/v1/measures", "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 200, "hr": 200, "admin": 200}},
		{"GET", "/api/v1/measures?archived=true", "", map[string]int{"none": 401, "bogus": 401, "staff": 200, "manager": 200, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/measures", `{"slug":"api-csat","title":"CSAT","unit":"","kind":"rating","scale":"good_bad","higher_is_better":true}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 201, "admin": 409}},
		{"POST", "/api/v1/measures", `{}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 422}},
		{"POST", "/api/v1/outcomes?measure=api-csat&dry_run=true", "employee,date,value\n" + inLine + ",2026-01-05,good\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/outcomes?measure=api-csat", "employee,date,value\nNOPE,2026-01-05,good\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 422}},
		{"POST", "/api/v1/outcomes?measure=no-such-measure", "employee,date,value\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 404, "admin": 404}},
		{"POST", "/api/v1/outcomes", "employee,date,value\n", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/recovery-rules", "", map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 200, "admin": 200}},
		{"POST", "/api/v1/recovery-rules?dry_run=true", `{"measure":"nope","threshold":3,"days":30,"checklist":"missed-promise-complaint"}`, map[string]int{"none": 401, "bogus": 401, "staff": 403, "manager": 403, "hr": 422, "admin": 422}},
		{"GET", "/api/v1/nothing", "", map[string]int{"none": 404, "bogus": 404, "staff": 404, "manager": 404, "hr": 404, "admin": 404}},
	}
	for _, who := range []string{"none", "bogus", "staff", "manager", "hr", "admin"} {
		for _, r := range table {
			req, _ := http.NewRequest(r.method, "http://localhost"+r.path, strings.NewReader(r.body))
			if tokens[who] != "" {
				req.Header.Set("Authorization", "Bearer "+tokens[who])
			}
			resp, err := ts.App.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if want := r.want[who]; resp.StatusCode != want {
				t.Errorf("%s %s with %s token: status %d, want %d", r.method, r.path, who, resp.StatusCode, want)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s with %s token: content type %q, want JSON", r.method, r.path, who, ct)
			}
		}
	}
}

// signInAs signs c in as one of the roles of a role table ("visitor" stays signed out).
func signInAs(c *client, role string) {
	if role == "visitor" {
		c.get("/signin")
		return
	}
	c.signIn(roleEmails[role])
}

// checkRoutes requests every row of a role table with c and checks the status role gets.
func checkRoutes(t *testing.T, c *client, role string, table []roleRoute) {
	t.Helper()
	for _, r := range table {
		var resp *http.Response
		var body string
		if r.method == "GET" {
			resp, body = c.get(r.path)
		} else {
			form := url.Values{}
			for k, v := range r.form {
				form[k] = v
			}
			resp, body = c.post(r.path, form)
		}
		if want := r.want[role]; resp.StatusCode != want {
			t.Errorf("%s %s as %s: status %d, want %d\n%.300s", r.method, r.path, role, resp.StatusCode, want, body)
		}
	}
}

func TestHealthz(t *testing.T) {
	ts := mustServer(t, "sqlite")
	req, _ := http.NewRequest("GET", "http://localhost/healthz", nil)
	resp, _ := ts.App.Test(req, -1)
	if resp.StatusCode != 200 {
		t.Fatalf("healthy: %d", resp.StatusCode)
	}
	ts.DB.Close()
	resp, _ = ts.App.Test(req, -1)
	if resp.StatusCode != 503 {
		t.Fatalf("database closed: %d, want 503", resp.StatusCode)
	}
}
