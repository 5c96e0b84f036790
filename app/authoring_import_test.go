package app_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// courseZip builds a course .zip from name → content.
func courseZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFinding18CourseImportEmptyFrontMatter: a lesson file holding only
// "---\n---" is a problem listed against that file (422), not a 500.
func TestFinding18CourseImportEmptyFrontMatter(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(hrEmail)
	c.get("/authoring/import")
	data := courseZip(t, map[string]string{
		"shop-basics/course.yaml": "slug: shop-basics\ntitle: Shop basics\nversion: 1\nestimated_minutes: 5\n" +
			"modules:\n  - title: One\n    lessons: [greeting, goodbye]\n",
		"shop-basics/greeting.md": "---\ntitle: Greeting\nminutes: 3\n---\nSay hello.\n",
		"shop-basics/goodbye.md":  "---\n---",
	})
	resp, body := c.upload("/authoring/import", "shop-basics.zip", data)
	if resp.StatusCode != 422 {
		t.Fatalf("status %d, want 422\n%s", resp.StatusCode, body)
	}
	rows := doc(t, body).Find("table#import-problems tbody tr")
	if rows.Length() == 0 {
		t.Fatalf("no problems listed:\n%s", body)
	}
	var named bool
	for i := range rows.Length() {
		cells := rows.Eq(i).Find("td")
		file, msg := strings.TrimSpace(cells.Eq(0).Text()), cells.Eq(2).Text()
		if file != "shop-basics/goodbye.md" {
			t.Errorf("problem %q names %q, want only shop-basics/goodbye.md", msg, file)
			continue
		}
		if strings.Contains(msg, "title is required") {
			named = true
		}
	}
	if !named {
		t.Errorf("no problem says the title is required: %q", rows.Text())
	}
	if resp, _ := c.get("/authoring/shop-basics"); resp.StatusCode != 404 {
		t.Errorf("the refused import wrote the course: /authoring/shop-basics answers %d", resp.StatusCode)
	}
}
