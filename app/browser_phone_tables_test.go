package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/assessments"
)

// phoneTablePage is a page with a wide table and, on a 390 px phone, the
// cells that must be on screen: each selector matches at least one element,
// each of them within the window's width and not cut off.
type phoneTablePage struct {
	role, path string
	must       []string // CSS selectors of the name, status and action cells
	labels     []string // column names shown as the labels of card values
}

// TestBrowserTablesOnPhone: at 390×844 every wide table is a list of cards;
// nothing is wider than the phone; the name, status and action of each page's
// rows are visible within the width, as the person who uses the page; the
// other values carry their column's name; and any frame that still scrolls
// sideways can be reached with the keyboard.
func TestBrowserTablesOnPhone(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	// An essay waiting for grading (the demo's are all graded).
	mustEssayWaiting(t, ts, staffEmail)
	pages := []phoneTablePage{
		// The coach queue is one block per person (no table): name, status and the action.
		{"hr", "/team/coach", []string{`#people .coach-person label strong`, `#people .coach-person .badge`, `#people .coach-person button[formaction*="/observe/"]`}, nil},
		{"manager", "/team/coach", []string{`#people .coach-person label strong`, `#people .coach-person li[data-kind="overdue"] .badge`, `#bulk-extend`}, nil},
		{"manager", "/team", []string{`#team-table tbody a.person`, `#team-table tbody .badge`, `#team-table tbody a.transcript-link`, `#team-table tbody ul.reasons li`}, []string{"Why", "Records"}},
		{"hr", "/grading", []string{`#essays tbody tr td:first-child`, `#essays tbody a[href^="/grading/"]`}, []string{"Quiz", "Submitted"}}, // the essay written above
		{"manager", "/people", []string{`#people-table tbody td:first-child a`}, []string{"Job title"}},
		{"manager", "/people/" + inLine + "/transcript", []string{`table.data tbody td`}, nil},
		{"manager", "/matrix?programme=induction", nil, nil},
		{"staff", "/me/transcript", []string{`table.data tbody td`}, nil},
		{"hr", "/certificates", []string{`#certificates tbody td:nth-child(2) a`, `#certificates tbody .badge`, `#certificates tbody a.mono`}, []string{"Valid until", "Code"}},
		{"hr", "/admin/audit", []string{`#audit tbody td.subject:not(:empty)`, `#audit tbody td.detail`, `#audit tbody time`}, []string{"Detail"}},
		{"hr", "/people", []string{`#people-table tbody td:first-child a`}, []string{"Job title", "Manager"}},
		{"hr", "/programmes", []string{`#programmes tbody a`}, nil},
		{"admin", "/admin/outbox", []string{`#outbox tbody a[href^="/admin/outbox/"]`}, []string{"Kind", "Status"}},
	}
	emails := map[string]string{"staff": staffEmail, "manager": ccMgrEmail, "hr": hrEmail, "admin": adminEmail}
	b := mustBrowser(t, 120*time.Second)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	signedIn := ""
	for _, p := range pages {
		if p.role != signedIn {
			if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatalf("sign out (forget the cookies): %v", err)
			}
			signInBrowser(b, base, emails[p.role])
			signedIn = p.role
		}
		b.do("open "+p.path, chromedp.Navigate(base+p.path))
		b.waitFor(p.path, `document.querySelector("main h1")`)
		if w := eval[int](b, `document.scrollingElement.scrollWidth`); w > 390 {
			t.Errorf("%s as %s: the page is %d px wide on a 390 px phone: %v", p.path, p.role, w,
				eval[[]string](b, `Array.from(document.querySelectorAll("main *")).filter(el => el.getBoundingClientRect().right > 391 && !el.closest('[role=region][tabindex="0"]')).slice(0, 6).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))`))
		}
		// Nothing in main ends beyond the window, except inside a keyboard-reachable scroll frame.
		if over := eval[[]string](b, `Array.from(document.querySelectorAll("main *")).filter(el => {
				const r = el.getBoundingClientRect();
				return r.width > 0 && (r.right > 390.5 || r.left < -0.5) && !el.closest('[role=region][tabindex="0"]') && !el.closest(".visually-hidden") &&
					!el.closest("table.data:not(.no-cards) > thead"); // kept for screen readers, clipped to 1 px
			}).slice(0, 6).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().left) + "–" + Math.round(el.getBoundingClientRect().right))`); len(over) > 0 {
			t.Errorf("%s as %s: elements beyond 390 px: %q", p.path, p.role, over)
		}
		// Frames that scroll sideways are focusable, labelled regions (axe's scrollable-region-focusable).
		if bad := eval[[]string](b, `Array.from(document.querySelectorAll("main *")).filter(el => {
				const s = getComputedStyle(el);
				return /auto|scroll/.test(s.overflowX) && el.scrollWidth > el.clientWidth + 1 &&
					!(el.getAttribute("tabindex") === "0" && (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")));
			}).map(el => el.tagName + "#" + el.id + "." + el.className)`); len(bad) > 0 {
			t.Errorf("%s as %s: scroll frames the keyboard cannot reach: %q", p.path, p.role, bad)
		}
		for _, sel := range p.must {
			res := eval[map[string]any](b, fmt.Sprintf(`(() => {
				const els = Array.from(document.querySelectorAll(%q));
				const bad = els.filter(el => { const r = el.getBoundingClientRect();
					return r.width === 0 || r.height === 0 || r.left < -0.5 || r.right > 390.5 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "hidden"; })
					.slice(0, 3).map(el => el.outerHTML.slice(0, 120) + " @" + Math.round(el.getBoundingClientRect().left) + "–" + Math.round(el.getBoundingClientRect().right));
				return {n: els.length, bad};
			})()`, sel))
			if res["n"].(float64) == 0 {
				t.Errorf("%s as %s: nothing matches %s", p.path, p.role, sel)
			}
			if bad, _ := res["bad"].([]any); len(bad) > 0 {
				t.Errorf("%s as %s: %s not fully visible within 390 px: %v", p.path, p.role, sel, bad)
			}
		}
		for _, label := range p.labels {
			// The value is shown under its column's name (a card's label).
			shown := eval[bool](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(td =>
				getComputedStyle(td, "::before").content.includes(%q) && td.getBoundingClientRect().width > 0)`, `table.data tbody td[data-label="`+label+`"]`, label))
			if !shown {
				t.Errorf("%s as %s: no card value labelled %q", p.path, p.role, label)
			}
		}
		if strings.HasPrefix(p.path, "/matrix") {
			if !eval[bool](b, `(() => { const f = document.querySelector("#matrix-frame"); return !!f && f.tabIndex === 0 && f.getAttribute("role") === "region" })()`) {
				t.Errorf("the matrix's scroll frame is not a focusable region")
			}
		}
		b.screenshot("phone-table-" + p.role + strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(p.path))
	}
}

// mustEssayWaiting has the learner signed in as email write an essay on a
// new six-cs quiz ("grading-essay", as TestGradingEssays sets up) and
// returns the attempt and question ids that wait for a grade.
func mustEssayWaiting(t *testing.T, ts *testServer, email string) (attempt, question int64) {
	t.Helper()
	if _, err := assessments.NewStore(ts.DB).SaveQuestion(context.Background(), "six-cs", assessments.Question{ID: "grading-essay", Type: assessments.Essay,
		Text: "Describe a service failure you put right.", Tags: []string{"grading-test"}}, nil); err != nil {
		t.Fatal(err)
	}
	mustQuiz(t, ts, assessments.QuizSettings{Slug: "grading-essay", Title: "Written recovery", DrawCount: 1,
		DrawPerTag: map[string]int{"grading-test": 1}, PassMark: 70, ReviewPolicy: assessments.ReviewNever})
	learner := ts.client(t)
	learner.signIn(email)
	return writeEssay(t, learner, "I listen, say sorry, fix it and follow up the next day.")
}
