package app_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/notify"
)

// axeSource is axe-core 4.14.1 (MPL-2.0) from npm: see testdata/axe/README.md.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axePage is one page axe checks: route is its pattern in app/routes.go;
// path is where it is, or via and link say where to find it (the href of
// the first element matching link on the page via), so the ids are the demo's.
type axePage struct {
	route, role, path, via, link string
}

// axeRoles sign in as the five demo people; "visitor" is signed out (and
// the test adds "assessor", who signed off the newest demo observation).
var axeRoles = []struct{ role, email string }{
	{"visitor", ""}, {"staff", staffEmail}, {"manager", ccMgrEmail}, {"head", headEmail}, {"hr", hrEmail}, {"admin", adminEmail},
}

// axePages is every HTML page of app/routes.go (TestAxePagesCoverRoutes
// keeps it so), each as the people who use it.
var axePages = []axePage{
	{route: "/signin", role: "visitor", path: "/signin"},
	{route: "/verify", role: "visitor", path: "/verify"},
	{route: "/verify/:code", role: "visitor"}, // a valid demo certificate

	// Every signed-in person's own pages.
	{route: "/", role: "staff", path: "/"}, {route: "/", role: "manager", path: "/"}, {route: "/", role: "head", path: "/"}, {route: "/", role: "hr", path: "/"}, {route: "/", role: "admin", path: "/"},
	{route: "/account/password", role: "staff", path: "/account/password"},
	{route: "/notifications", role: "staff", path: "/notifications"},
	{route: "/notifications/:id", role: "staff", via: "/notifications", link: `main a[href^="/notifications/"]`},
	{route: "/account/notifications", role: "staff", path: "/account/notifications"},
	{route: "/learn", role: "staff", path: "/learn"}, {route: "/learn", role: "manager", path: "/learn"},
	{route: "/search", role: "staff", path: "/search?q=promise"},
	{route: "/learn/:course", role: "staff", path: "/learn/six-cs"},
	{route: "/learn/:course/:lesson", role: "staff", path: "/learn/mission-vision-promise/our-service-promises"},
	{route: "/learn/:course/reaction", role: "staff", path: "/learn/mission-vision-promise/reaction"},
	{route: "/learn/mission-vision-promise/acknowledge", role: "staff", path: "/learn/mission-vision-promise/acknowledge"},
	{route: "/learn/:course/quiz/:quiz", role: "staff", path: "/learn/six-cs/quiz/six-cs-quiz"},
	{route: "/learn/:course/quiz/:quiz/attempt/:id/result", role: "staff"},  // the essay attempt the test writes
	{route: "/learn/:course/quiz/:quiz/attempt/:id", role: "staff"},         // an attempt the test starts, every type of question
	{route: "/learn/:course/quiz/:quiz/attempt/:id/summary", role: "staff"}, // its summary before submitting
	{route: "/unsubscribe/:token", role: "visitor"},                         // a signed token the test makes
	{route: "/password/:token", role: "visitor"},                            // a password link the test makes
	{route: "/me/transcript", role: "staff", path: "/me/transcript"}, {route: "/me/transcript", role: "manager", path: "/me/transcript"},
	{route: "/me/certificates", role: "staff", path: "/me/certificates"},
	{route: "/me/observations", role: "staff", path: "/me/observations"},
	{route: "/me/observations/:id", role: "staff", via: "/me/observations", link: `main a[href^="/me/observations/"]`},
	{route: "/me/self-assessment/:checklist", role: "staff", via: "/me/observations", link: `main a[href^="/me/self-assessment/"]`},
	{route: "/people/:number", role: "staff", path: "/people/" + staffNumber},
	{route: "/people/:number/transcript", role: "staff", path: "/people/" + staffNumber + "/transcript"},
	{route: "/people/:number/programmes", role: "staff", path: "/people/" + staffNumber + "/programmes"},

	// Managers: their line.
	{route: "/people", role: "manager", path: "/people"},
	{route: "/people/:number", role: "manager", path: "/people/" + inLine},
	{route: "/people/:number/team", role: "manager", path: "/people/" + inLine + "/team"},
	{route: "/people/:number/transcript", role: "manager", path: "/people/" + inLine + "/transcript"},
	{route: "/people/:number/programmes", role: "manager", path: "/people/" + inLine + "/programmes"},
	{route: "/team", role: "manager", path: "/team"}, {route: "/team", role: "head", path: "/team"},
	{route: "/team/coach", role: "manager", path: "/team/coach"},
	{route: "/readiness/standards", role: "manager", path: "/readiness/standards"},
	{route: "/impact", role: "manager", path: "/impact?programme=field-service-excellence&measure=csat&window_days=90"},
	{route: "/digest", role: "manager", path: "/digest"},
	{route: "/matrix", role: "manager", path: "/matrix?programme=induction"},
	{route: "/people/:number/observe", role: "manager", path: "/people/" + inLine + "/observe"},
	{route: "/observations/:id", role: "hr"},             // the newest signed-off demo observation
	{route: "/observations/:id/amend", role: "assessor"}, // the newest signed-off observation, as its assessor (only they amend it)
	{route: "/observations/:id/compare", role: "hr"},     // one with a submitted self-assessment
	{route: "/grading", role: "manager", path: "/grading"},
	{route: "/grading", role: "hr", path: "/grading"},
	{route: "/grading/:attempt/:question", role: "hr"}, // the essay the test writes

	// HR.
	{route: "/people", role: "hr", path: "/people"},
	{route: "/people/new", role: "hr", path: "/people/new"},
	{route: "/people/:number/edit", role: "hr", path: "/people/" + staffNumber + "/edit"},
	{route: "/people/import", role: "hr", path: "/people/import"},
	{route: "/completions/import", role: "hr", path: "/completions/import"},
	{route: "/org/:kind", role: "hr", path: "/org/departments"},
	{route: "/admin/audit", role: "hr", path: "/admin/audit"},
	{route: "/readiness", role: "hr", path: "/readiness"},
	{route: "/readiness/standards", role: "hr", path: "/readiness/standards"},
	{route: "/settings/company", role: "hr", path: "/settings/company"},
	{route: "/settings/notifications", role: "hr", path: "/settings/notifications"},
	{route: "/authoring", role: "hr", path: "/authoring"},
	{route: "/authoring/:slug", role: "hr", path: "/authoring/six-cs"},
	{route: "/authoring/:slug/copy", role: "hr", path: "/authoring/six-cs/copy"},
	{route: "/authoring/:slug/lessons/:id", role: "hr"}, // a lesson of a demo draft
	{route: "/authoring/checklists", role: "hr", path: "/authoring/checklists"},
	{route: "/authoring/checklists/new", role: "hr", path: "/authoring/checklists/new"},
	{route: "/authoring/checklists/:slug", role: "hr", via: "/authoring/checklists", link: `#checklists a[href^="/authoring/checklists/"]`},
	{route: "/authoring/:slug/bank", role: "hr", path: "/authoring/six-cs/bank"},
	{route: "/authoring/:slug/bank/new", role: "hr", path: "/authoring/six-cs/bank/new"},
	{route: "/authoring/:slug/bank/:qid", role: "hr", via: "/authoring/six-cs/bank", link: `#questions a[href^="/authoring/six-cs/bank/"]`},
	{route: "/authoring/:slug/quizzes/new", role: "hr", path: "/authoring/six-cs/quizzes/new"},
	{route: "/authoring/:slug/quizzes/:quiz", role: "hr", path: "/authoring/six-cs/quizzes/six-cs-quiz"},
	{route: "/authoring/:slug/quizzes/:quiz/analysis", role: "hr", path: "/authoring/six-cs/quizzes/six-cs-quiz/analysis"},
	{route: "/programmes", role: "hr", path: "/programmes"},
	{route: "/programmes/new", role: "hr", path: "/programmes/new"},
	{route: "/programmes/:slug", role: "hr", path: "/programmes/induction"},
	{route: "/programmes/:slug/edit", role: "hr", path: "/programmes/induction/edit"},
	{route: "/programmes/:slug/assign", role: "hr", path: "/programmes/induction/assign"},
	{route: "/programmes/:slug/rules/new", role: "hr", path: "/programmes/induction/rules/new"},
	{route: "/programmes/:slug/rules/:id", role: "hr", via: "/programmes/induction", link: `#rules-table a[href*="/rules/"]`},
	{route: "/certificates", role: "hr", path: "/certificates"},
	{route: "/certificates/:code", role: "hr", via: "/certificates", link: `#certificates a[href^="/certificates/"]:not([href$=".pdf"])`},
	{route: "/settings/certificates", role: "hr", path: "/settings/certificates"},
	{route: "/measures", role: "hr", path: "/measures"},
	{route: "/measures/:slug", role: "hr", via: "/measures", link: `#measures a[href^="/measures/"]`},
	{route: "/outcomes/import", role: "hr", path: "/outcomes/import?measure=rt-csat"},
	{route: "/recovery", role: "hr", path: "/recovery"},

	// Admin.
	{route: "/admin/tokens", role: "admin", path: "/admin/tokens"},
	{route: "/admin/outbox", role: "admin", path: "/admin/outbox"},
	{route: "/admin/outbox/:id", role: "admin", via: "/admin/outbox", link: `#outbox a[href^="/admin/outbox/"]`},
	{route: "/admin/audit", role: "admin", path: "/admin/audit"},
}

// axeNotPages are the GET routes of app/routes.go axe does not open, each with why.
var axeNotPages = map[string]string{
	"/issuer":            "JSON (the issuer profile badges point to)",
	"/company/logo":      "an image",
	"/me/transcript.pdf": "a PDF", "/certificates/:code.pdf": "a PDF", "/people/:number/transcript.pdf": "a PDF",
	"/team/report.pdf": "a PDF", "/digest.pdf": "a PDF", "/digest.txt": "plain text", "/matrix.csv": "CSV", "/matrix.xlsx": "a spreadsheet",
	"/admin/audit.csv": "CSV", "/readiness/report.pdf": "a PDF", "/authoring/:slug/export.zip": "a zip",
	"/authoring/:slug/bank/export.gift": "GIFT text", "/authoring/:slug/quizzes/:quiz/analysis.csv": "CSV",
	"/settings/certificates/preview.pdf": "a PDF", "/admin/outbox/:id/html": "an e-mail's HTML shown sandboxed in a frame, not a page",
	"/people/import/:batch":      "an import preview needs an uploaded file (the import browser tests check it)",
	"/completions/import/:batch": "an import preview needs an uploaded file (the import browser tests check it)",
	"/outcomes/import/:batch":    "an import preview needs an uploaded file (the import browser tests check it)",
}

// axeKnown are violations known and accepted, keyed by "rule
// element" (axe's CSS selector of the element), each with why. Every entry
// must still occur (a stale entry fails the test).
var axeKnown = map[string]string{}

// TestAxePagesCoverRoutes: every GET route of app/routes.go is a page axe
// opens or is named in axeNotPages with a reason.
func TestAxePagesCoverRoutes(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]bool{}
	for _, p := range axePages {
		opened[p.route] = true
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`web\("GET", "([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		r := m[1]
		seen[r] = true
		if !opened[r] && axeNotPages[r] == "" {
			t.Errorf("GET %s: not in axePages, nor in axeNotPages with a reason", r)
		}
	}
	for r := range opened {
		if !seen[r] && r != "/verify/:code" { // added with HEAD (addWithHEAD)
			t.Errorf("axePages opens %s, which app/routes.go does not have", r)
		}
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// TestBrowserAxe runs axe-core (WCAG 2.0/2.1 A and AA rules) over every page
// at 1366×900 and 390×844, as the person who uses it, and fails on any
// violation not listed in axeKnown.
func TestBrowserAxe(t *testing.T) {
	if testing.Short() {
		t.Skip("the axe run opens every page twice")
	}
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	cert, _ := demoCertificateCodes(t)
	// Real records for the pages with ids: the demo's, and an essay Aisha writes now.
	attempt, question := mustEssayWaiting(t, ts, staffEmail)
	// A new course's draft, for the lesson editor (the demo's courses are all published).
	author := ts.client(t)
	author.signIn(hrEmail)
	if resp, body := author.post("/authoring", url.Values{"title": {"Front desk basics"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create a course: %d %.300s", resp.StatusCode, body)
	}
	ctx := context.Background()
	var obs, compared, amend int64
	var draftSlug string
	var lesson int64
	if err := ts.DB.NewSelect().TableExpr("observations").Column("id").Where("status = 'signed_off'").OrderExpr("id DESC").Limit(1).Scan(ctx, &obs); err != nil {
		t.Fatalf("a signed-off demo observation: %v", err)
	}
	var assessor string
	if err := ts.DB.NewSelect().TableExpr("observations AS o").ColumnExpr("o.id, e.email").Join("JOIN employees AS e ON e.id = o.assessor_id").
		Where("o.status = 'signed_off'").OrderExpr("o.id DESC").Limit(1).Scan(ctx, &amend, &assessor); err != nil {
		t.Fatalf("the newest signed-off demo observation: %v", err)
	}
	roles := append(slices.Clone(axeRoles), struct{ role, email string }{"assessor", assessor})
	if err := ts.DB.NewSelect().TableExpr("observations AS o").Column("o.id").
		Join("JOIN self_assessments AS sa ON sa.employee_id = o.employee_id AND sa.checklist_id = o.checklist_id AND sa.status = 'submitted'").
		Where("o.status = 'signed_off'").OrderExpr("o.id").Limit(1).Scan(ctx, &compared); err != nil {
		t.Fatalf("a demo observation with a self-assessment: %v", err)
	}
	if err := ts.DB.NewSelect().TableExpr("courses AS c").ColumnExpr("c.slug, l.id").Join("JOIN lessons AS l ON l.version_id = c.draft_version_id").
		OrderExpr("l.id").Limit(1).Scan(ctx, &draftSlug, &lesson); err != nil {
		t.Fatalf("a lesson of a demo draft: %v", err)
	}
	// An attempt in progress at a quiz drawing every type of question of
	// the six Cs bank, started through the store; a signed unsubscribe
	// token and a password link for the staff member.
	staffID := employeeIDByEmail(t, ts, staffEmail)
	axeQuiz := mustQuiz(t, ts, assessments.QuizSettings{Slug: "axe-every-type", Title: "Every type", DrawCount: 12, PassMark: 70, ReviewPolicy: assessments.ReviewNever})
	started, err := assessments.NewStore(ts.DB).StartAttempt(ctx, axeQuiz.ID, staffID)
	if err != nil {
		t.Fatalf("start an attempt: %v", err)
	}
	secret, err := notify.Secret(ctx, ts.DB)
	if err != nil {
		t.Fatal(err)
	}
	pwLink, err := ts.People.CreatePasswordLink(ctx, staffID, nil)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{
		"/learn/:course/quiz/:quiz/attempt/:id":         fmt.Sprintf("/learn/six-cs/quiz/axe-every-type/attempt/%d", started.ID),
		"/learn/:course/quiz/:quiz/attempt/:id/summary": fmt.Sprintf("/learn/six-cs/quiz/axe-every-type/attempt/%d/summary", started.ID),
		"/unsubscribe/:token":                           "/unsubscribe/" + notify.UnsubscribeToken(secret, staffID, notify.DueSoon),
		"/password/:token":                              "/password/" + pwLink,
		"/verify/:code":                                 "/verify/" + cert,
		"/learn/:course/quiz/:quiz/attempt/:id/result":  fmt.Sprintf("/learn/six-cs/quiz/grading-essay/attempt/%d/result", attempt),
		"/grading/:attempt/:question":                   fmt.Sprintf("/grading/%d/%d", attempt, question),
		"/observations/:id":                             fmt.Sprintf("/observations/%d", obs),
		"/observations/:id/amend":                       fmt.Sprintf("/observations/%d/amend", amend),
		"/observations/:id/compare":                     fmt.Sprintf("/observations/%d/compare", compared),
		"/authoring/:slug/lessons/:id":                  fmt.Sprintf("/authoring/%s/lessons/%d", draftSlug, lesson),
	}
	b := mustBrowser(t, 170*time.Second)
	sizes := []struct {
		name string
		act  chromedp.Action[chromedp.Void]
	}{
		{"1366x900", chromedp.EmulateViewport(1366, 900)},
		{"390x844", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)},
	}
	found := map[string][]string{}     // "route rule" → where
	knownSeen := map[string][]string{} // axeKnown key → where
	pages := 0
	for _, who := range roles {
		if who.email != "" {
			if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatalf("sign out (forget the cookies): %v", err)
			}
			b.do("size for signing in", chromedp.EmulateViewport(1366, 900))
			signInBrowser(b, base, who.email)
		}
		for _, p := range axePages {
			if p.role != who.role {
				continue
			}
			path := p.path
			if path == "" && p.via == "" {
				path = paths[p.route]
			}
			if path == "" {
				b.do("open "+p.via, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+p.via))
				path = eval[string](b, fmt.Sprintf(`document.querySelector(%q)?.getAttribute("href") ?? ""`, p.link))
				if path == "" {
					t.Errorf("%s as %s: no link %s on %s to find a real one", p.route, p.role, p.link, p.via)
					continue
				}
			}
			for _, size := range sizes {
				b.do("size "+size.name, size.act)
				resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(base+path))
				if err != nil || resp == nil || resp.Status != 200 {
					status := int64(0)
					if resp != nil {
						status = resp.Status
					}
					t.Errorf("open %s as %s: status %d %v", path, who.role, status, err)
					continue
				}
				var res []axeViolation
				if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
					t.Fatalf("inject axe: %v", err)
				}
				raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Errorf("axe on %s at %s as %s: %v", path, size.name, who.role, err)
					continue
				}
				pages++
				if err := json.Unmarshal([]byte(raw), &res); err != nil {
					t.Fatalf("axe's answer: %v", err)
				}
				for _, v := range res {
					var targets []string
					for _, n := range v.Nodes {
						target := fmt.Sprint(n.Target...)
						if _, ok := axeKnown[v.ID+" "+target]; ok {
							knownSeen[v.ID+" "+target] = append(knownSeen[v.ID+" "+target], path+" at "+size.name)
							continue
						}
						targets = append(targets, target)
					}
					if len(targets) == 0 {
						continue
					}
					if len(targets) > 3 {
						targets = append(targets[:3], fmt.Sprintf("… %d in all", len(targets)))
					}
					key := p.route + " " + v.ID
					found[key] = append(found[key], fmt.Sprintf("%s at %s as %s (%s: %s) %s", path, size.name, who.role, v.Impact, v.Help, strings.Join(targets, ", ")))
				}
			}
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("axe: %s:\n\t%s", k, strings.Join(found[k], "\n\t"))
	}
	for k, why := range axeKnown {
		if where := knownSeen[k]; len(where) == 0 {
			t.Errorf("axeKnown lists %q, which no longer occurs: remove it", k)
		} else {
			t.Logf("known exception %s on %d page loads (%s), e.g. %s", k, len(where), why, where[0])
		}
	}
	t.Logf("axe checked %d page loads (%d pages × 2 sizes)", pages, pages/2)
}
