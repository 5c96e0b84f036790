package app_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serviceacademy/academy/courses"
)

// TestBrowserAuthoringFlow follows the issue: an HR user edits a lesson,
// previews, publishes, and a learner sees the new version only after
// finishing the old one.
func TestBrowserAuthoringFlow(t *testing.T) {
	ts := mustServer(t, "sqlite")
	base := ts.Listen(t)
	ctx := context.Background()

	// Set-up over HTTP: HR copies a built-in (without its prerequisite) and
	// publishes it as v1; a learner starts it and finishes the first lesson.
	hr := ts.client(t)
	hr.signIn(hrEmail)
	if resp, body := hr.post("/authoring/six-cs/copy", url.Values{"title": {"Our Six Cs"}, "slug": {"our-six-cs"}}); resp.StatusCode != 303 {
		t.Fatalf("copy: %d %.300s", resp.StatusCode, body)
	}
	hr.get("/authoring/our-six-cs")
	if resp, _ := hr.post("/authoring/our-six-cs/info", url.Values{"title": {"Our Six Cs"}, "estimated_minutes": {"40"}, "prerequisites": {""}}); resp.StatusCode != 303 {
		t.Fatalf("clear prerequisites: %d", resp.StatusCode)
	}
	if resp, body := hr.post("/authoring/our-six-cs/publish", nil); resp.StatusCode != 303 {
		t.Fatalf("publish v1: %d %.500s", resp.StatusCode, body)
	}
	_, v1, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).PublishedOutline(ctx, "our-six-cs")
	if err != nil {
		t.Fatal(err)
	}
	first := v1.Lessons[0]
	learner := ts.client(t)
	learner.signIn(staffEmail)
	if resp, _ := learner.get("/learn/our-six-cs/" + first.Slug); resp.StatusCode != 200 {
		t.Fatalf("learner opens lesson 1: %d", resp.StatusCode)
	}
	if resp, _ := learner.post("/learn/our-six-cs/"+first.Slug+"/complete", nil); resp.StatusCode != 303 {
		t.Fatalf("learner completes lesson 1: %d", resp.StatusCode)
	}

	b := mustBrowser(t, 60*time.Second)
	labelled := func(page string) {
		t.Helper()
		if unlabelled := eval[[]string](b, `Array.from(document.querySelectorAll("main input:not([type=hidden]), main select, main textarea"))
			.filter(el => !(el.labels && el.labels.length)).map(el => el.outerHTML)`); len(unlabelled) > 0 {
			t.Errorf("%s: fields without a label: %q", page, unlabelled)
		}
	}
	signIn := func(email string) {
		t.Helper()
		b.do("open the sign-in page", chromedp.Navigate(base+"/signin"))
		b.waitFor("the sign-in form", `document.querySelector("#f-email")`)
		b.do("sign in as "+email,
			chromedp.SendKeys(chromedp.CSS("#f-email"), email),
			chromedp.SendKeys(chromedp.CSS("#f-password"), demoPassword),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		)
		b.waitFor("the home page", `location.pathname === "/" && document.querySelector("h1")`)
	}

	// 1. HR opens the course from the authoring list and starts a draft.
	signIn(hrEmail)
	b.do("open Courses", chromedp.Click(chromedp.CSS(`.site-nav a[href="/authoring"]`)))
	b.waitFor("the course list", `location.pathname === "/authoring" && document.querySelector("#courses-table")`)
	labelled("/authoring")
	b.screenshot("authoring-index")
	b.do("open our course", chromedp.Click(chromedp.CSS(`#courses-table a[href="/authoring/our-six-cs"]`)))
	b.waitFor("the course page", `location.pathname === "/authoring/our-six-cs" && document.querySelector("button#edit")`)
	b.do("start a draft", chromedp.Click(chromedp.CSS("button#edit")))
	b.waitFor("the draft editor", `document.querySelector("button#publish")?.textContent.includes("version 2")`)
	labelled("/authoring/our-six-cs")
	b.screenshot("authoring-draft")

	// 2. Edit the first lesson: the preview follows the typing.
	b.do("open the first lesson", chromedp.Click(chromedp.CSS(".module-card ol.authoring-lessons li:first-child .lesson-name a")))
	b.waitFor("the lesson editor", `document.querySelector("textarea#f-body") && document.querySelector("#preview").textContent.length > 100`)
	labelled("lesson editor")
	if eval[int](b, `document.querySelectorAll("#preview script").length`) != 0 {
		t.Error("the server-side preview holds a script")
	}
	eval[bool](b, `(document.querySelector("textarea#f-body").value = "", true)`)
	b.do("type the new text", chromedp.SendKeys(chromedp.CSS("textarea#f-body"), "## Version two\n\nGreet every customer **by name**."))
	b.waitFor("the live preview", `document.querySelector("#preview h2")?.textContent === "Version two" &&
		document.querySelector("#preview strong")?.textContent === "by name"`)
	b.screenshot("authoring-lesson-editor")
	b.do("save", chromedp.Click(chromedp.CSS("button#save")))
	b.waitFor("the saved lesson", `document.querySelector(".flash-success")?.textContent.includes("Lesson saved")`)
	if got := eval[string](b, `document.querySelector("textarea#f-body").value`); !strings.Contains(got, "Greet every customer **by name**.") {
		t.Fatalf("saved text = %q", got)
	}

	// On a phone the editor and the draft fit the screen (no sideways scrolling).
	b.do("phone size", chromedp.EmulateViewport(390, 844))
	for _, page := range []string{"", "/authoring/our-six-cs"} {
		if page != "" {
			b.do("open "+page, chromedp.Navigate(base+page))
		}
		b.waitFor("the page at phone size", `window.innerWidth === 390 && document.querySelector("main h1")`)
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %dpx wide on a 390px phone", eval[string](b, "location.pathname"), w)
		}
	}
	b.screenshot("authoring-draft-phone")
	b.do("desktop size", chromedp.EmulateViewport(1280, 900))

	// 3. Publish version 2.
	b.waitFor("the draft editor", `document.querySelector("button#publish")`)
	b.do("publish", chromedp.Click(chromedp.CSS("button#publish")))
	b.waitFor("published", `document.querySelector(".flash-success")?.textContent.includes("Version 2 published")`)

	// 4. The learner, part-way through v1, still reads v1.
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitFor("the sign-in page", `location.pathname === "/signin"`)
	signIn(staffEmail)
	b.do("open the first lesson", chromedp.Navigate(base+"/learn/our-six-cs/"+first.Slug))
	b.waitFor("the lesson", `document.querySelector("#lesson .lesson-body")`)
	if text := b.text("#lesson .lesson-body"); strings.Contains(text, "Version two") || !strings.Contains(text, firstWords(first.BodyMD)) {
		b.fatalf("part-way through v1, the learner sees %.200q", text)
	}
	// Finish v1, lesson by lesson.
	for i := range v1.Lessons {
		b.do("mark complete", chromedp.Click(chromedp.CSS("button#complete")))
		if i+1 < len(v1.Lessons) {
			next := v1.Lessons[i+1].Slug
			b.waitFor("lesson "+next, `location.pathname === "/learn/our-six-cs/`+next+`"`)
		}
	}
	b.waitFor("the course complete", `location.pathname === "/learn/our-six-cs" && document.querySelector(".flash-success")?.textContent.includes("Course complete")`)

	// 5. Now the course is version 2, with the new text.
	b.do("open the course again", chromedp.Navigate(base+"/learn/our-six-cs"))
	b.waitFor("the course page", `document.querySelector("a.resume")`)
	if got := b.text("main p.muted"); !strings.Contains(got, "Version 2") {
		t.Errorf("course page says %q, want Version 2", got)
	}
	b.do("start version 2", chromedp.Click(chromedp.CSS("a.resume")))
	b.waitFor("the first lesson of v2", `document.querySelector("#lesson .lesson-body h2")`)
	if h2 := b.text("#lesson .lesson-body h2"); h2 != "Version two" {
		b.fatalf("after finishing v1 the learner sees %q, want the v2 text", h2)
	}
	b.screenshot("learner-sees-version-two")

	b.mu.Lock()
	exceptions := slices.Clone(b.exceptions)
	b.mu.Unlock()
	if len(exceptions) > 0 {
		t.Errorf("pages threw JavaScript exceptions: %q", exceptions)
	}
}

// firstWords returns the first few words of a lesson's first paragraph of
// plain text, to recognise it on the page.
func firstWords(md string) string {
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.ContainsAny(line[:1], "#-*>|{") {
			continue
		}
		words := strings.Fields(line)
		return strings.Join(words[:min(4, len(words))], " ")
	}
	return ""
}
