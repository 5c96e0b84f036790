package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestAuthoringRoleTable: only HR (and admins) reach the authoring pages.
func TestAuthoringRoleTable(t *testing.T) {
	const ok, found, unauth, forbid, missing, invalid = 200, 302, 401, 403, 404, 422
	ts := mustServer(t, "sqlite")
	table := []roleRoute{
		{"GET", "/authoring", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/no-such-course", nil, st(found, forbid, forbid, missing, missing)},
		{"GET", "/authoring/six-cs/copy", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/export.zip", nil, st(found, forbid, forbid, ok, ok)},
		{"GET", "/authoring/six-cs/lessons/1", nil, st(found, forbid, forbid, missing, missing)},
		{"POST", "/authoring/preview", url.Values{"body": {"**hi**"}}, st(unauth, forbid, forbid, ok, ok)},
		{"POST", "/authoring", url.Values{"title": {""}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/authoring/import", nil, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/authoring/six-cs/copy", url.Values{"slug": {"Bad Slug"}, "title": {"T"}}, st(unauth, forbid, forbid, invalid, invalid)},
		{"POST", "/authoring/six-cs/edit", nil, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/authoring/six-cs/publish", nil, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/authoring/six-cs/discard", nil, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/authoring/six-cs/info", url.Values{"title": {"X"}}, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/authoring/six-cs/modules", url.Values{"title": {"X"}}, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/authoring/six-cs/modules/1/move", url.Values{"dir": {"up"}}, st(unauth, forbid, forbid, forbid, forbid)},
		{"POST", "/authoring/six-cs/lessons/1", url.Values{"title": {"X"}, "minutes": {"5"}, "body": {"x"}}, st(unauth, forbid, forbid, missing, missing)},
		{"POST", "/authoring/six-cs/lessons/1/delete", nil, st(unauth, forbid, forbid, forbid, forbid)},
	}
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			c := ts.client(t)
			signInAs(c, role)
			checkRoutes(t, c, role, table)
		})
	}
}

// upload posts a file to path as a multipart form with the CSRF token.
func (c *client) upload(path, name string, content []byte) (*http.Response, string) {
	c.tb.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", c.csrf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	return c.do("POST", path, &buf, w.FormDataContentType())
}

func TestAuthoringPages(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			ctx := context.Background()
			store := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
			c := ts.client(t)
			c.signIn(hrEmail)

			// The index lists the built-ins with Copy, and the two forms.
			_, body := c.get("/authoring")
			d := doc(t, body)
			if d.Find(`#courses-table a[href="/authoring/six-cs/copy"]`).Length() != 1 || d.Find("form[action='/authoring'] #f-title").Length() != 1 ||
				d.Find("form[action='/authoring/import'] input#f-file[type=file]").Length() != 1 {
				t.Fatalf("index: %s", d.Find("main").Text())
			}
			if d.Find(`.site-nav a[href="/authoring"][aria-current=page]`).Length() != 1 {
				t.Error("no current Courses item in the navigation")
			}

			// New course: a bad short name comes back with the typed values.
			resp, body := c.post("/authoring", url.Values{"title": {"Front desk basics"}, "slug": {"Front Desk"}})
			d = doc(t, body)
			if resp.StatusCode != 422 || d.Find("#e-slug").Text() == "" {
				t.Fatalf("bad slug: %d %q", resp.StatusCode, d.Find("#e-slug").Text())
			}
			if v, _ := d.Find("#f-title").Attr("value"); v != "Front desk basics" {
				t.Fatalf("typed title lost: %q", v)
			}
			resp, _ = c.post("/authoring", url.Values{"title": {"Front desk basics"}})
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/authoring/front-desk-basics" {
				t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}

			// The draft editor.
			_, body = c.get("/authoring/front-desk-basics")
			d = doc(t, body)
			if h1 := d.Find("h1").Text(); !strings.Contains(h1, "Draft: Front desk basics") {
				t.Fatalf("editor h1 %q", h1)
			}
			if v, _ := d.Find("#info #f-title").Attr("value"); v != "Front desk basics" {
				t.Fatalf("info title %q", v)
			}
			lessonLink := d.Find(".module-card ol.authoring-lessons a").First()
			href, _ := lessonLink.Attr("href")
			if lessonLink.Text() != "Introduction" || !strings.HasPrefix(href, "/authoring/front-desk-basics/lessons/") {
				t.Fatalf("lesson link %q %q", lessonLink.Text(), href)
			}
			for _, sel := range []string{"button#publish", "button#discard", "form[action$='/modules'] #f-module-title"} {
				if d.Find(sel).Length() != 1 {
					t.Errorf("editor has no %s", sel)
				}
			}

			// The lesson editor renders the body and its preview.
			_, body = c.get(href)
			d = doc(t, body)
			if d.Find("textarea#f-body[data-preview=preview]").Length() != 1 || !strings.Contains(d.Find("#preview").Text(), "What this course is about") {
				t.Fatalf("lesson editor: %s", d.Find("main").Text())
			}

			// Saving with errors keeps the typed text, with messages next to the fields.
			typed := "## Greeting\n\nSmile & say *hello*. <script>alert(1)</script>"
			resp, body = c.post(href, url.Values{"title": {""}, "minutes": {"zero"}, "body": {typed}, "action": {"save"}})
			d = doc(t, body)
			if resp.StatusCode != 422 || d.Find("#e-title").Length() != 1 || d.Find("#e-minutes").Length() != 1 {
				t.Fatalf("bad save: %d title %q minutes %q", resp.StatusCode, d.Find("#e-title").Text(), d.Find("#e-minutes").Text())
			}
			if got := d.Find("textarea#f-body").Text(); got != typed {
				t.Fatalf("typed body lost: %q", got)
			}
			if v, _ := d.Find("#f-minutes").Attr("value"); v != "zero" {
				t.Fatalf("typed minutes lost: %q", v)
			}

			// Preview without JavaScript: the page again, with the typed text previewed and nothing saved.
			resp, body = c.post(href, url.Values{"title": {"Introduction"}, "minutes": {"5"}, "body": {typed}, "action": {"preview"}})
			d = doc(t, body)
			if resp.StatusCode != 200 || d.Find("#preview h2").Text() != "Greeting" || d.Find("#preview script").Length() != 0 || d.Find("textarea#f-body").Text() != typed {
				t.Fatalf("no-JS preview: %d %q", resp.StatusCode, d.Find("#preview").Text())
			}
			if o := draftOf(t, store, "front-desk-basics"); strings.Contains(o.Lessons[0].BodyMD, "Greeting") {
				t.Fatal("the Preview button saved the lesson")
			}

			// The live preview endpoint: sanitised HTML, and only with the CSRF token.
			preview := func(header string) (*http.Response, string) {
				req, _ := http.NewRequest("POST", "http://localhost/authoring/preview", strings.NewReader(url.Values{"body": {typed + "\n\n[x](javascript:alert(1))"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if header != "" {
					req.Header.Set("X-CSRF-Token", header)
				}
				for _, ck := range c.jar.Cookies(base) {
					req.AddCookie(ck)
				}
				resp, err := ts.App.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b)
			}
			resp, html := preview(c.csrf)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(html, "<h2") || !strings.Contains(html, "<em>hello</em>") || strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
				t.Fatalf("preview HTML not as expected / not sanitised: %s", html)
			}
			if resp, _ := preview(""); resp.StatusCode != 403 {
				t.Fatalf("preview without the CSRF token: %d, want 403", resp.StatusCode)
			}
			if resp, _ := preview("forged"); resp.StatusCode != 403 {
				t.Fatalf("preview with a forged CSRF token: %d, want 403", resp.StatusCode)
			}

			// Save for real.
			resp, _ = c.post(href, url.Values{"title": {"Welcome"}, "minutes": {"4"}, "body": {typed}, "action": {"save"}})
			if resp.StatusCode != 303 {
				t.Fatalf("save: %d", resp.StatusCode)
			}
			o := draftOf(t, store, "front-desk-basics")
			if l := o.Lessons[0]; l.Title != "Welcome" || l.Minutes != 4 || !strings.Contains(l.BodyHTML, "<h2") || strings.Contains(l.BodyHTML, "<script") {
				t.Fatalf("saved lesson: %+v", l)
			}

			// Add a lesson without text: publishing lists the problem and publishes nothing.
			mod := strconv.FormatInt(o.Modules[0].ID, 10)
			resp, _ = c.post("/authoring/front-desk-basics/modules/"+mod+"/lessons", url.Values{"title": {"Saying goodbye"}})
			if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/authoring/front-desk-basics/lessons/") {
				t.Fatalf("add lesson: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, body = c.post("/authoring/front-desk-basics/modules/"+mod+"/lessons", url.Values{"title": {"Again"}, "slug": {"saying-goodbye"}})
			d = doc(t, body)
			if resp.StatusCode != 422 || d.Find("#e-m"+mod+"-lesson-slug").Length() != 1 || d.Find("details.add-lesson[open]").Length() != 1 {
				t.Fatalf("duplicate lesson slug: %d", resp.StatusCode)
			}
			resp, body = c.post("/authoring/front-desk-basics/publish", nil)
			d = doc(t, body)
			if resp.StatusCode != 422 || !strings.Contains(d.Find("#problems").Text(), "no text") || d.Find("#problems a[href^='/authoring/front-desk-basics/lessons/']").Length() != 1 {
				t.Fatalf("publish with a problem: %d %q", resp.StatusCode, d.Find("#publish-problems").Text())
			}
			if c2, _ := store.AuthoringCourse(ctx, "front-desk-basics"); c2.PublishedVersionID != nil {
				t.Fatal("an invalid draft was published")
			}
			o = draftOf(t, store, "front-desk-basics")
			last := o.Lessons[len(o.Lessons)-1]
			resp, _ = c.post("/authoring/front-desk-basics/lessons/"+strconv.FormatInt(last.ID, 10)+"/move", url.Values{"dir": {"up"}})
			if resp.StatusCode != 303 {
				t.Fatalf("move: %d", resp.StatusCode)
			}
			if o = draftOf(t, store, "front-desk-basics"); o.Lessons[0].ID != last.ID {
				t.Fatal("the lesson did not move up")
			}
			// A module with lessons is not deleted: the page says why.
			resp, _ = c.post("/authoring/front-desk-basics/modules/"+mod+"/delete", nil)
			if resp.StatusCode != 303 {
				t.Fatalf("delete a module with lessons: %d", resp.StatusCode)
			}
			if _, body = c.get("/authoring/front-desk-basics"); !strings.Contains(doc(t, body).Find(".flash-error").Text(), "still has lessons") {
				t.Fatalf("no message for a module with lessons: %q", doc(t, body).Find(".flash").Text())
			}
			resp, _ = c.post("/authoring/front-desk-basics/lessons/"+strconv.FormatInt(last.ID, 10), url.Values{"title": {"Saying goodbye"}, "minutes": {"3"}, "body": {"Thank them."}, "action": {"save"}})
			if resp.StatusCode != 303 {
				t.Fatalf("save: %d", resp.StatusCode)
			}
			resp, _ = c.post("/authoring/front-desk-basics/publish", nil)
			if resp.StatusCode != 303 {
				t.Fatalf("publish: %d", resp.StatusCode)
			}
			_, body = c.get("/authoring/front-desk-basics")
			if d = doc(t, body); !strings.Contains(d.Find(".flash").Text(), "Version 1 published") {
				t.Fatalf("flash after publish: %q", d.Find(".flash").Text())
			}

			// Export: a .zip in the file format.
			resp, body = c.get("/authoring/front-desk-basics/export.zip")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
				resp.Header.Get("Content-Disposition") != `attachment; filename="front-desk-basics-v1.zip"` {
				t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
			}
			zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
			if err != nil || len(zr.File) != 3 || zr.File[0].Name != "front-desk-basics/course.yaml" {
				t.Fatalf("exported zip: %v", err)
			}
			exported := []byte(body)

			// Import: every problem listed (422), nothing written.
			var bad bytes.Buffer
			zw := zip.NewWriter(&bad)
			for _, name := range []string{"../evil/course.yaml", "shop/course.yaml", "other/x.md"} {
				w, _ := zw.Create(name)
				w.Write([]byte("slug: ["))
			}
			zw.Close()
			c.get("/authoring")
			before, _ := store.ListCourses(ctx)
			resp, body = c.upload("/authoring/import", "bad.zip", bad.Bytes())
			d = doc(t, body)
			rows := d.Find("table#import-problems tbody tr")
			if resp.StatusCode != 422 || rows.Length() < 2 || !strings.Contains(rows.Text(), "path traversal") || !strings.Contains(rows.Text(), "2 top folders") {
				t.Fatalf("bad import: %d %q", resp.StatusCode, rows.Text())
			}
			if after, _ := store.ListCourses(ctx); len(after) != len(before) {
				t.Fatal("a refused import wrote a course")
			}
			resp, body = c.upload("/authoring/import", "big.zip", bytes.Repeat([]byte("x"), courses.MaxZipBytes+1))
			if resp.StatusCode != 413 || !strings.Contains(doc(t, body).Find("#e-file").Text(), "5 MB") {
				t.Fatalf("oversize import: %d %q", resp.StatusCode, doc(t, body).Find("#e-file").Text())
			}
			// The exported course imported again becomes its new draft.
			resp, _ = c.upload("/authoring/import", "front-desk-basics-v1.zip", exported)
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/authoring/front-desk-basics" {
				t.Fatalf("good import: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			if o := draftOf(t, store, "front-desk-basics"); o.Version.Version != 2 || len(o.Lessons) != 2 {
				t.Fatalf("imported draft: v%d with %d lessons", o.Version.Version, len(o.Lessons))
			}

			// Built-ins are copied, not edited.
			resp, _ = c.post("/authoring/six-cs/edit", nil)
			if resp.StatusCode != 403 {
				t.Fatalf("edit a built-in: %d", resp.StatusCode)
			}
			_, body = c.get("/authoring/six-cs/copy")
			if v, _ := doc(t, body).Find("#f-slug").Attr("value"); v != "six-cs-copy" {
				t.Fatalf("copy form slug %q", v)
			}
			resp, _ = c.post("/authoring/six-cs/copy", url.Values{"title": {"Our six Cs"}, "slug": {"our-six-cs"}})
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/authoring/our-six-cs" {
				t.Fatalf("copy: %d", resp.StatusCode)
			}
			resp, body = c.post("/authoring/our-six-cs/info", url.Values{"title": {"Our six Cs"}, "estimated_minutes": {"lots"}, "prerequisites": {"nowhere"}})
			d = doc(t, body)
			if resp.StatusCode != 422 || d.Find("#e-estimated_minutes").Length() != 1 {
				t.Fatalf("bad info: %d", resp.StatusCode)
			}
			if v, _ := d.Find("#f-prerequisites").Attr("value"); v != "nowhere" {
				t.Fatalf("typed prerequisites lost: %q", v)
			}
			resp, _ = c.post("/authoring/our-six-cs/discard", nil)
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/authoring" {
				t.Fatalf("discard a never-published copy: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}

			// Every action is in the audit log.
			_, body = c.get("/admin/audit")
			for _, action := range []string{"course.create", "lesson.save", "course.publish", "course.import", "course.copy", "course.discard"} {
				if !strings.Contains(body, action) {
					t.Errorf("audit log has no %s", action)
				}
			}
		})
	}
}

func draftOf(t *testing.T, s *courses.Store, slug string) *courses.Outline {
	t.Helper()
	c, err := s.AuthoringCourse(context.Background(), slug)
	if err != nil || c.DraftVersionID == nil {
		t.Fatalf("%s has no draft (%v)", slug, err)
	}
	o, err := s.Outline(context.Background(), *c.DraftVersionID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
