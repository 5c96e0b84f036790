package app

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/static"
)

// visitor marks a page anyone may open (sign-in, password links).
const visitor people.Role = ""

// routes registers every route, grouped public / staff / manager / hr /
// admin / api, each group by area. Each web route names the least role that
// may open it; handlers that show one employee also check that record
// (themself, their reporting line, or HR: access.go). An API route names
// the least role of its token (staff: any token).
func (s *Server) routes(app *fiber.App) {
	app.Use(recover.New())
	app.Use(s.requestLog)
	app.Use(refuseControl) // control characters in the path or query: 422, before any handler
	app.Use("/static", s.staticHeaders, filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: int((7 * 24 * time.Hour).Seconds())}))
	// API: bearer tokens, never cookies, so no CSRF token. Every answer,
	// errors included, is not to be stored or sniffed.
	app.Use("/api", apiHeaders)

	var t routeTable
	web := func(method, path string, role people.Role, h fiber.Handler) {
		t.add(method, path, append(s.guard(role), h)...)
	}
	api := func(method, path string, role people.Role, h fiber.Handler) {
		hs := []fiber.Handler{s.apiAuth}
		if role != people.RoleStaff {
			hs = append(hs, s.apiRequire(role))
		}
		t.addWithHEAD(method, path, append(hs, h)...)
	}

	// Public: anyone, signed in or not.
	t.addWithHEAD("GET", "/healthz", s.healthz)
	web("GET", "/signin", visitor, s.signinShow)
	web("POST", "/signin", visitor, s.signinSubmit)
	web("GET", "/password/:token", visitor, s.passwordLinkShow)
	web("POST", "/password/:token", visitor, s.passwordLinkSubmit)
	web("GET", "/company/logo", visitor, s.companyLogo)
	// Unsubscribing from an e-mail's link, signed out: the signed token is
	// the protection, so the POST (a mail client's RFC 8058 one-click, with
	// no cookie and no CSRF token) has no CSRF check.
	web("GET", "/unsubscribe/:token", visitor, s.unsubscribeShow)
	t.add("POST", "/unsubscribe/:token", s.loadSession, s.unsubscribeSubmit)
	// Certificates: verification, rate-limited per address, and the issuer.
	web("GET", "/verify", visitor, s.verifyForm)
	t.addWithHEAD("GET", "/verify/:code", append([]fiber.Handler{s.verifyLimit}, append(s.guard(visitor), s.verifyShow)...)...)
	t.addWithHEAD("GET", "/verify/:code.json", s.verifyLimit, s.verifyJSON)
	t.addWithHEAD("GET", "/verify/:code/badge.json", s.verifyLimit, s.verifyBadge)
	t.addWithHEAD("GET", "/verify/:code/status.json", s.verifyLimit, s.verifyStatus)
	t.addWithHEAD("GET", "/issuer", s.issuerProfile)

	// Staff: anyone signed in.
	web("GET", "/", people.RoleStaff, s.home)
	web("POST", "/signout", people.RoleStaff, s.signout)
	web("GET", "/account/password", people.RoleStaff, s.accountPasswordShow)
	web("POST", "/account/password", people.RoleStaff, s.accountPasswordSubmit)
	// Notifications: the list (each person their own), marking read, and
	// which optional kinds a person receives.
	web("GET", "/notifications", people.RoleStaff, s.notificationsIndex)
	web("POST", "/notifications/read-all", people.RoleStaff, s.notificationsReadAll)
	web("GET", "/notifications/:id", people.RoleStaff, s.notificationOpen)
	web("POST", "/notifications/:id/read", people.RoleStaff, s.notificationRead)
	web("GET", "/account/notifications", people.RoleStaff, s.accountNotificationsShow)
	web("POST", "/account/notifications", people.RoleStaff, s.accountNotificationsSave)
	// Learning: My learning, search, courses and lessons, the service
	// promises to acknowledge.
	web("GET", "/learn", people.RoleStaff, s.learnHome)
	web("GET", "/search", people.RoleStaff, s.searchShow)
	web("GET", "/learn/:course", people.RoleStaff, s.courseShow)
	web("GET", "/learn/:course/:lesson", people.RoleStaff, s.lessonShow)
	web("POST", "/learn/:course/:lesson/complete", people.RoleStaff, s.lessonComplete)
	// The reaction survey of a course the learner completed (app/reaction.go).
	web("GET", "/learn/:course/reaction", people.RoleStaff, s.reactionShow)
	web("POST", "/learn/:course/reaction", people.RoleStaff, s.reactionSubmit)
	web("GET", "/learn/mission-vision-promise/acknowledge", people.RoleStaff, s.acknowledgeShow)
	web("POST", "/learn/mission-vision-promise/acknowledge", people.RoleStaff, s.acknowledgeSubmit)
	// Quizzes: taking them.
	web("GET", "/learn/:course/quiz/:quiz", people.RoleStaff, s.quizShow)
	web("POST", "/learn/:course/quiz/:quiz/start", people.RoleStaff, s.quizStart)
	web("GET", "/learn/:course/quiz/:quiz/attempt/:id", people.RoleStaff, s.attemptShow)
	web("POST", "/learn/:course/quiz/:quiz/attempt/:id/answer", people.RoleStaff, s.attemptAnswer)
	web("POST", "/learn/:course/quiz/:quiz/attempt/:id/save", people.RoleStaff, s.attemptSave)
	web("GET", "/learn/:course/quiz/:quiz/attempt/:id/summary", people.RoleStaff, s.attemptSummary)
	web("POST", "/learn/:course/quiz/:quiz/attempt/:id/submit", people.RoleStaff, s.attemptSubmit)
	web("GET", "/learn/:course/quiz/:quiz/attempt/:id/result", people.RoleStaff, s.attemptResult)
	// My records: transcript, certificates, observations and self-assessments.
	web("GET", "/me/transcript", people.RoleStaff, s.myTranscript)
	web("GET", "/me/transcript.pdf", people.RoleStaff, s.myTranscriptPDF)
	web("GET", "/me/certificates", people.RoleStaff, s.myCertificates)
	web("GET", "/certificates/:code.pdf", people.RoleStaff, s.certificatePDF)
	web("GET", "/me/observations", people.RoleStaff, s.myObservations)
	web("GET", "/me/observations/:id", people.RoleStaff, s.myObservationShow)
	web("POST", "/me/observations/:id/acknowledge", people.RoleStaff, s.myObservationAcknowledge)
	web("GET", "/me/self-assessment/:checklist", people.RoleStaff, s.selfAssessmentShow)
	web("POST", "/me/self-assessment/:checklist", people.RoleStaff, s.selfAssessmentSave)
	// One employee: staff see themselves, managers their line, HR everyone.
	web("GET", "/people/:number", people.RoleStaff, s.employeeShow)
	web("GET", "/people/:number/team", people.RoleStaff, s.employeeTeam)
	web("GET", "/people/:number/transcript", people.RoleStaff, s.transcriptShow)
	web("GET", "/people/:number/transcript.pdf", people.RoleStaff, s.transcriptPDF)
	web("GET", "/people/:number/programmes", people.RoleStaff, s.employeeProgrammes)

	// Manager: their reporting line (HR and admins: everyone, or ?manager=).
	web("GET", "/people", people.RoleManager, s.peopleIndex)
	web("POST", "/people/:number/programmes/:cycle/extend", people.RoleManager, s.cycleExtend)
	// Team readiness, the coach queue and the team report; the
	// service-standard heatmap; the weekly digest.
	web("GET", "/team", people.RoleManager, s.teamShow)
	web("GET", "/team/coach", people.RoleManager, s.teamCoach)
	web("POST", "/team/coach/bulk", people.RoleManager, s.coachBulk)
	web("GET", "/team/report.pdf", people.RoleManager, s.teamReportPDF)
	web("POST", "/team/requests/:id/dismiss", people.RoleManager, s.requestDismiss)
	web("GET", "/readiness/standards", people.RoleManager, s.standardsShow)
	// Service impact: a programme's effect on a measure (managers: their line).
	web("GET", "/impact", people.RoleManager, s.impactShow)
	web("GET", "/digest", people.RoleManager, s.digestShow)
	web("GET", "/digest.pdf", people.RoleManager, s.digestPDF)
	web("GET", "/digest.txt", people.RoleManager, s.digestText)
	// The training matrix of a programme, and its exports (same filters, same access).
	web("GET", "/matrix", people.RoleManager, s.matrixShow)
	web("GET", "/matrix.csv", people.RoleManager, s.matrixCSV)
	web("GET", "/matrix.xlsx", people.RoleManager, s.matrixXLSX)
	// Role-play observations, and grading essay answers.
	web("GET", "/people/:number/observe", people.RoleManager, s.observeIndex)
	web("POST", "/people/:number/observe/:checklist", people.RoleManager, s.observeStart)
	web("GET", "/observations/:id", people.RoleManager, s.observationShow)
	web("POST", "/observations/:id/draft", people.RoleManager, s.observationDraft)
	web("POST", "/observations/:id/signoff", people.RoleManager, s.observationSignOff)
	web("GET", "/observations/:id/amend", people.RoleManager, s.observationAmendShow)
	web("POST", "/observations/:id/amend", people.RoleManager, s.observationAmend)
	web("GET", "/observations/:id/compare", people.RoleManager, s.observationCompare)
	web("GET", "/grading", people.RoleManager, s.gradingIndex)
	web("GET", "/grading/:attempt/:question", people.RoleManager, s.gradingShow)
	web("POST", "/grading/:attempt/:question", people.RoleManager, s.gradingSubmit)

	// HR (and admins).
	// People, the HR import and the organisation's lists.
	web("GET", "/people/new", people.RoleHR, s.employeeNew)
	web("POST", "/people", people.RoleHR, s.employeeCreate)
	web("GET", "/people/:number/edit", people.RoleHR, s.employeeEdit)
	web("POST", "/people/:number", people.RoleHR, s.employeeUpdate)
	web("POST", "/people/:number/deactivate", people.RoleHR, s.employeeDeactivate)
	web("POST", "/people/:number/reactivate", people.RoleHR, s.employeeReactivate)
	web("POST", "/people/:number/password-link", people.RoleHR, s.employeePasswordLink)
	web("GET", "/people/import", people.RoleHR, s.importShow)
	web("POST", "/people/import", people.RoleHR, s.importPreview)
	web("GET", "/people/import/:batch", people.RoleHR, s.importPreviewShow)
	web("POST", "/people/import/:batch/apply", people.RoleHR, s.importApply)
	// Historical completions from a previous system (app/completions_import.go).
	web("GET", "/completions/import", people.RoleHR, s.completionsImportShow)
	web("POST", "/completions/import", people.RoleHR, s.completionsImportUpload)
	web("GET", "/completions/import/:batch", people.RoleHR, s.completionsImportPreview)
	web("POST", "/completions/import/:batch/apply", people.RoleHR, s.completionsImportApply)
	web("GET", "/org/:kind", people.RoleHR, s.orgIndex)
	web("POST", "/org/:kind", people.RoleHR, s.orgCreate)
	web("POST", "/org/:kind/:id", people.RoleHR, s.orgUpdate)
	// The audit log.
	web("GET", "/admin/audit", people.RoleHR, s.auditIndex)
	web("GET", "/admin/audit.csv", people.RoleHR, s.auditCSV)
	// Readiness: the dashboard and its report.
	web("GET", "/readiness", people.RoleHR, s.readinessDashboard)
	web("GET", "/readiness/report.pdf", people.RoleHR, s.readinessReportPDF)
	// Company settings and service promises.
	web("GET", "/settings/company", people.RoleHR, s.companyShow)
	web("POST", "/settings/company", people.RoleHR, s.companySave)
	web("POST", "/settings/company/logo", people.RoleHR, s.companyLogoUpload)
	// Notifications: each kind's wording, and optional kinds switched off.
	web("GET", "/settings/notifications", people.RoleHR, s.kindSettingsShow)
	web("POST", "/settings/notifications/:kind", people.RoleHR, s.kindSettingsSave)
	// Course authoring.
	web("GET", "/authoring", people.RoleHR, s.authoringIndex)
	web("POST", "/authoring", people.RoleHR, s.courseCreate)
	web("POST", "/authoring/import", people.RoleHR, s.courseImport)
	web("POST", "/authoring/preview", people.RoleHR, s.lessonPreview)
	web("GET", "/authoring/:slug", people.RoleHR, s.draftShow)
	web("POST", "/authoring/:slug/edit", people.RoleHR, s.draftStart)
	web("GET", "/authoring/:slug/copy", people.RoleHR, s.courseCopyShow)
	web("POST", "/authoring/:slug/copy", people.RoleHR, s.courseCopy)
	web("GET", "/authoring/:slug/export.zip", people.RoleHR, s.courseExport)
	web("POST", "/authoring/:slug/info", people.RoleHR, s.draftInfoSave)
	web("POST", "/authoring/:slug/publish", people.RoleHR, s.draftPublish)
	web("POST", "/authoring/:slug/discard", people.RoleHR, s.draftDiscard)
	web("POST", "/authoring/:slug/modules", people.RoleHR, s.moduleAdd)
	web("POST", "/authoring/:slug/modules/:id", people.RoleHR, s.moduleRename)
	web("POST", "/authoring/:slug/modules/:id/move", people.RoleHR, s.moduleMove)
	web("POST", "/authoring/:slug/modules/:id/delete", people.RoleHR, s.moduleDelete)
	web("POST", "/authoring/:slug/modules/:id/lessons", people.RoleHR, s.lessonAdd)
	web("GET", "/authoring/:slug/lessons/:id", people.RoleHR, s.lessonEdit)
	web("POST", "/authoring/:slug/lessons/:id", people.RoleHR, s.lessonSave)
	web("POST", "/authoring/:slug/lessons/:id/move", people.RoleHR, s.lessonMove)
	web("POST", "/authoring/:slug/lessons/:id/delete", people.RoleHR, s.lessonDelete)
	// Role-play checklists.
	web("GET", "/authoring/checklists", people.RoleHR, s.checklistIndex)
	web("GET", "/authoring/checklists/new", people.RoleHR, s.checklistNew)
	web("POST", "/authoring/checklists/new", people.RoleHR, s.checklistCreate)
	web("GET", "/authoring/checklists/:slug", people.RoleHR, s.checklistEdit)
	web("POST", "/authoring/checklists/:slug", people.RoleHR, s.checklistSave)
	web("POST", "/authoring/checklists/:slug/copy", people.RoleHR, s.checklistCopy)
	// Question banks and quiz settings.
	web("GET", "/authoring/:slug/bank", people.RoleHR, s.bankIndex)
	web("POST", "/authoring/:slug/bank/import", people.RoleHR, s.bankImport)
	web("GET", "/authoring/:slug/bank/export.gift", people.RoleHR, s.bankExport)
	web("GET", "/authoring/:slug/bank/new", people.RoleHR, s.questionNew)
	web("POST", "/authoring/:slug/bank/new", people.RoleHR, s.questionCreate)
	web("GET", "/authoring/:slug/bank/:qid", people.RoleHR, s.questionEdit)
	web("POST", "/authoring/:slug/bank/:qid", people.RoleHR, s.questionSave)
	web("POST", "/authoring/:slug/bank/:qid/retire", people.RoleHR, s.questionRetire)
	web("GET", "/authoring/:slug/quizzes/new", people.RoleHR, s.quizNew)
	web("POST", "/authoring/:slug/quizzes", people.RoleHR, s.quizCreate)
	web("GET", "/authoring/:slug/quizzes/:quiz", people.RoleHR, s.quizEdit)
	web("POST", "/authoring/:slug/quizzes/:quiz", people.RoleHR, s.quizSave)
	web("GET", "/authoring/:slug/quizzes/:quiz/analysis", people.RoleHR, s.itemAnalysis)
	web("GET", "/authoring/:slug/quizzes/:quiz/analysis.csv", people.RoleHR, s.itemAnalysisCSV)
	// Programmes, assignments, audience rules, and closing or exempting a cycle.
	web("GET", "/programmes", people.RoleHR, s.programmeIndex)
	web("GET", "/programmes/new", people.RoleHR, s.programmeNew)
	web("POST", "/programmes", people.RoleHR, s.programmeCreate)
	web("GET", "/programmes/:slug", people.RoleHR, s.programmeShow)
	web("GET", "/programmes/:slug/edit", people.RoleHR, s.programmeEdit)
	web("POST", "/programmes/:slug", people.RoleHR, s.programmeSave)
	web("POST", "/programmes/:slug/delete", people.RoleHR, s.programmeDelete)
	web("GET", "/programmes/:slug/assign", people.RoleHR, s.assignShow)
	web("POST", "/programmes/:slug/assign", people.RoleHR, s.assignSubmit)
	web("GET", "/programmes/:slug/rules/new", people.RoleHR, s.ruleNew)
	web("POST", "/programmes/:slug/rules", people.RoleHR, s.ruleCreate)
	web("GET", "/programmes/:slug/rules/:id", people.RoleHR, s.ruleEdit)
	web("POST", "/programmes/:slug/rules/:id", people.RoleHR, s.ruleSave)
	web("POST", "/programmes/:slug/rules/:id/delete", people.RoleHR, s.ruleDelete)
	web("POST", "/people/:number/programmes/:cycle/exempt", people.RoleHR, s.cycleExempt)
	web("POST", "/people/:number/programmes/:cycle/close", people.RoleHR, s.cycleClose)
	// Certificates: the register, one certificate's record (revoke,
	// reissue), bulk downloads and the certificate settings.
	web("GET", "/certificates", people.RoleHR, s.certificateIndex)
	web("POST", "/certificates/bulk.zip", people.RoleHR, s.certificateBulkZip)
	web("GET", "/certificates/:code", people.RoleHR, s.certificateShow)
	web("POST", "/certificates/:code/revoke", people.RoleHR, s.certificateRevoke)
	web("POST", "/certificates/:code/reissue", people.RoleHR, s.certificateReissue)
	web("GET", "/settings/certificates", people.RoleHR, s.certificateSettingsShow)
	web("POST", "/settings/certificates", people.RoleHR, s.certificateSettingsSave)
	web("GET", "/settings/certificates/preview.pdf", people.RoleHR, s.certificateSettingsPreview)
	// Service measures, and importing their events (preview, then apply).
	web("GET", "/measures", people.RoleHR, s.measureIndex)
	web("POST", "/measures", people.RoleHR, s.measureCreate)
	web("GET", "/measures/:slug", people.RoleHR, s.measureEdit)
	web("POST", "/measures/:slug", people.RoleHR, s.measureSave)
	web("POST", "/measures/:slug/archive", people.RoleHR, s.measureArchive)
	web("POST", "/measures/:slug/restore", people.RoleHR, s.measureRestore)
	web("GET", "/outcomes/import", people.RoleHR, s.outcomeImportShow)
	web("POST", "/outcomes/import", people.RoleHR, s.outcomeImportUpload)
	web("GET", "/outcomes/import/:batch", people.RoleHR, s.outcomeImportPreview)
	web("POST", "/outcomes/import/:batch/apply", people.RoleHR, s.outcomeImportApply)
	// Service recovery: the rules (preview, save, archive), their recent
	// actions and the coach queue's rating thresholds.
	web("GET", "/recovery", people.RoleHR, s.recoveryIndex)
	web("POST", "/recovery", people.RoleHR, s.recoveryCreate)
	web("POST", "/recovery/:id/archive", people.RoleHR, s.recoveryArchive)
	web("POST", "/recovery/coach/:measure", people.RoleHR, s.recoveryCoachBelow)

	// Admin.
	web("POST", "/people/:number/roles", people.RoleAdmin, s.employeeRoles)
	web("GET", "/admin/tokens", people.RoleAdmin, s.tokenIndex)
	web("POST", "/admin/tokens", people.RoleAdmin, s.tokenCreate)
	web("POST", "/admin/tokens/:id/revoke", people.RoleAdmin, s.tokenRevoke)
	// The outbox: every notification, one rendered, resend, a test e-mail.
	web("GET", "/admin/outbox", people.RoleAdmin, s.outboxIndex)
	web("POST", "/admin/outbox/test", people.RoleAdmin, s.outboxTest)
	web("GET", "/admin/outbox/:id", people.RoleAdmin, s.outboxShow)
	web("GET", "/admin/outbox/:id/html", people.RoleAdmin, s.outboxHTML)
	web("POST", "/admin/outbox/:id/resend", people.RoleAdmin, s.outboxResend)

	// API.
	// Employees: manager tokens their line, HR and admin everyone, any
	// token its own employee.
	api("GET", "/api/v1/employees", people.RoleManager, s.apiEmployeeList)
	api("POST", "/api/v1/employees/import", people.RoleHR, s.apiEmployeeImport)
	api("GET", "/api/v1/employees/:number", people.RoleStaff, s.apiEmployeeShow)
	api("PUT", "/api/v1/employees/:number", people.RoleHR, s.apiEmployeePut)
	api("GET", "/api/v1/employees/:number/progress", people.RoleStaff, s.apiEmployeeProgress)
	api("GET", "/api/v1/employees/:number/attempts", people.RoleStaff, s.apiEmployeeAttempts)
	api("GET", "/api/v1/employees/:number/observations", people.RoleStaff, s.apiEmployeeObservations)
	api("GET", "/api/v1/employees/:number/transcript", people.RoleStaff, s.apiEmployeeTranscript)
	// Courses and their question banks.
	api("GET", "/api/v1/courses", people.RoleStaff, s.apiCourseList)
	api("GET", "/api/v1/courses/:slug", people.RoleStaff, s.apiCourseShow)
	api("POST", "/api/v1/courses/:slug/questions", people.RoleHR, s.apiQuestionImport)
	// Programmes, assignments and certificates.
	api("GET", "/api/v1/programmes", people.RoleStaff, s.apiProgrammes)
	api("POST", "/api/v1/assignments", people.RoleHR, s.apiAssign)
	api("POST", "/api/v1/completions", people.RoleHR, s.apiCompletionsImport)
	api("GET", "/api/v1/certificates", people.RoleStaff, s.apiCertificates)
	api("GET", "/api/v1/certificates/:code.pdf", people.RoleStaff, s.certificatePDF)
	api("GET", "/api/v1/certificates/:code", people.RoleStaff, s.apiCertificate)
	// Readiness: manager tokens their line, HR and admin everyone; one
	// employee as the employee API.
	api("GET", "/api/v1/readiness", people.RoleManager, s.apiReadiness)
	api("GET", "/api/v1/readiness/employees/:number", people.RoleStaff, s.apiReadinessEmployeeShow)
	// Service impact: manager tokens their line, HR and admin everyone.
	api("GET", "/api/v1/impact", people.RoleManager, s.apiImpact)
	// Service measures and their events: CSV, ?measure=SLUG[&dry_run=true].
	api("GET", "/api/v1/measures", people.RoleStaff, s.apiMeasures)
	api("POST", "/api/v1/measures", people.RoleHR, s.apiMeasureCreate)
	api("POST", "/api/v1/outcomes", people.RoleHR, s.apiOutcomeImport)
	// Service-recovery rules (HR tokens); ?dry_run=true previews a new one.
	api("GET", "/api/v1/recovery-rules", people.RoleHR, s.apiRecoveryRules)
	api("POST", "/api/v1/recovery-rules", people.RoleHR, s.apiRecoveryRuleCreate)
	// Notifications (the outbox), HR and admin tokens: ?employee=&status=&kind=.
	api("GET", "/api/v1/notifications", people.RoleHR, s.apiNotifications)

	t.register(app)
	app.Use("/api", func(c *fiber.Ctx) error { return fiber.NewError(http.StatusNotFound, "No such API endpoint.") })
	// Anything else: a 404 page in the app's look, with the user's navigation.
	app.Use(s.loadSession, func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// routeTable is the routes in the order routes writes them, for readers.
type routeTable []route

type route struct {
	method, path string
	handlers     []fiber.Handler
}

// add adds a route for method.
func (t *routeTable) add(method, path string, hs ...fiber.Handler) {
	*t = append(*t, route{method, path, hs})
}

// addWithHEAD adds a route for method that, when method is GET, also answers HEAD
// (as fiber's app.Get): the public JSON and API addresses.
func (t *routeTable) addWithHEAD(method, path string, hs ...fiber.Handler) {
	if method == fiber.MethodGet {
		t.add(fiber.MethodHead, path, hs...)
	}
	t.add(method, path, hs...)
}

// register hands the routes to fiber, which answers with the first route
// that matches. Where two routes could match one address, the first segment
// in which they differ decides: a fixed name goes before a parameter, so
// /people/new (HR) goes before /people/:number (staff) and
// /certificates/:code.pdf (staff) before /certificates/:code (HR), whatever
// group each is written in. Otherwise routes keep the order they are
// written in.
func (t routeTable) register(app *fiber.App) {
	slices.SortStableFunc(t, byPrecedence)
	for _, r := range t {
		app.Add(r.method, r.path, r.handlers...)
	}
}

func byPrecedence(a, b route) int { return slices.Compare(precedence(a.path), precedence(b.path)) }

// precedence is the kind of each segment of a route's path: 0 fixed
// ("new"), 1 a parameter with a fixed suffix (":code.pdf"), 2 a parameter
// (":number"). The lower goes first.
func precedence(path string) []int {
	var kinds []int
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		switch name, isParam := strings.CutPrefix(seg, ":"); {
		case !isParam:
			kinds = append(kinds, 0)
		case strings.ContainsAny(name, ".-"):
			kinds = append(kinds, 1)
		default:
			kinds = append(kinds, 2)
		}
	}
	return kinds
}

// guard returns the middleware a web route runs before its handler: load
// the session, check CSRF on unsafe methods, then require role.
func (s *Server) guard(role people.Role) []fiber.Handler {
	hs := []fiber.Handler{s.loadSession, s.checkCSRF}
	if role != visitor {
		hs = append(hs, s.requireSignIn)
	}
	if role != visitor && role != people.RoleStaff {
		hs = append(hs, require(role))
	}
	return hs
}

// apiHeaders marks every /api answer (set before the handler, so errors keep them).
func apiHeaders(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Next()
}

func (s *Server) staticHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Next()
}
