package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
)

// checklistForm is the editor's form with two items, the first critical.
func checklistFormValues(slug, course string) url.Values {
	return url.Values{"slug": {slug}, "course": {course}, "title": {"Taking a message"},
		"brief_customer": {"A caller asking for a manager who is out."}, "brief_situation": {"The manager is at lunch."},
		"brief_good": {"A complete message, read back."}, "pass_percent": {"75"}, "reobserve_days": {"10"},
		"item_id": {"", "", ""}, "item_position": {"2", "1", "3"},
		"item_text":   {"Reads the message back", "Takes the caller's name and number", ""},
		"item_weight": {"1", "2", ""}, "item_guidance": {"Fully: every detail.", "", ""},
		"item_critical": {"1"}}
}

func auditCount(t *testing.T, ts *testServer, action string) int {
	t.Helper()
	n, err := ts.DB.NewSelect().Model((*people.AuditEntry)(nil)).Where("action = ?", action).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestChecklistAuthoring(t *testing.T) {
	ts := mustServer(t, "sqlite")
	st := assessments.NewObservationStore(ts.DB)
	c := ts.client(t)
	c.signIn(hrEmail)

	resp, body := c.get("/authoring/checklists/new")
	if resp.StatusCode != 200 {
		t.Fatalf("new: %d\n%.500s", resp.StatusCode, body)
	}
	d := doc(t, body)
	if d.Find(`#f-course option[value="six-cs"]`).Length() != 1 || d.Find(`#item-rows li.item-row`).Length() != 3 {
		t.Fatalf("new form: no six-cs course or not 3 empty rows")
	}

	// Create: two items (the blank row dropped), ordered by position.
	resp, body = c.post("/authoring/checklists/new", checklistFormValues("take-a-message", "six-cs"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/authoring/checklists/take-a-message" {
		t.Fatalf("create: %d %s\n%.2000s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	sc, err := st.FindChecklist(context.Background(), "take-a-message")
	if err != nil {
		t.Fatal(err)
	}
	items := sc.Checklist.Items
	if sc.Version != 1 || sc.Builtin || sc.CourseSlug != "six-cs" || sc.ReobserveDays != 10 || sc.PassPercent != 75 || len(items) != 2 ||
		items[0].Text != "Takes the caller's name and number" || !items[0].Critical || items[0].Weight != 2 ||
		items[1].Critical || items[1].Guidance != "Fully: every detail." || items[0].ID == "" || items[0].ID == items[1].ID ||
		sc.Checklist.Brief.Situation != "The manager is at lunch." {
		t.Fatalf("created: %+v", sc)
	}
	if auditCount(t, ts, "checklist.save") != 1 {
		t.Fatal("no checklist.save audit entry")
	}
	// The same short name again is refused next to the field.
	resp, body = c.post("/authoring/checklists/new", checklistFormValues("take-a-message", "six-cs"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, body).Find("#e-slug").Text(), "already exists") {
		t.Fatalf("duplicate: %d", resp.StatusCode)
	}

	// The editor shows the rows; edit: remove one, add one, change the pass mark.
	resp, body = c.get("/authoring/checklists/take-a-message")
	d = doc(t, body)
	if resp.StatusCode != 200 || d.Find(`#item-rows li.item-row`).Length() != 5 || d.Find(`#f-title`).AttrOr("value", "") != "Taking a message" {
		t.Fatalf("editor: %d\n%.1000s", resp.StatusCode, body)
	}
	form := url.Values{"course": {"six-cs"}, "title": {"Taking a message well"}, "brief_customer": {"x"}, "brief_situation": {"y"},
		"brief_good": {"z"}, "pass_percent": {"80"}, "reobserve_days": {"7"},
		"item_id": {items[0].ID, items[1].ID, ""}, "item_position": {"1", "2", "3"},
		"item_text": {items[0].Text, items[1].Text, "Thanks the caller"}, "item_weight": {"2", "1", "1"},
		"item_guidance": {"", "", ""}, "item_critical": {"0"}, "item_remove": {"1"}}
	resp, body = c.post("/authoring/checklists/take-a-message", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%.2000s", resp.StatusCode, body)
	}
	sc2, _ := st.FindChecklist(context.Background(), "take-a-message")
	if sc2.Version != 2 || sc2.Title != "Taking a message well" || sc2.PassPercent != 80 || len(sc2.Checklist.Items) != 2 ||
		sc2.Checklist.Items[0].ID != items[0].ID || sc2.Checklist.Items[1].Text != "Thanks the caller" || sc2.Checklist.Items[1].ID == items[1].ID {
		t.Fatalf("edited: %+v", sc2)
	}
	if auditCount(t, ts, "checklist.save") != 2 {
		t.Fatal("edit not audited")
	}

	// A validation error keeps what was typed, next to the field.
	bad := checklistFormValues("", "six-cs")
	bad.Set("title", "Kept title")
	bad.Set("pass_percent", "150")
	bad.Set("reobserve_days", "0")
	bad["item_text"] = []string{"Kept behaviour text", "", ""}
	bad["item_critical"] = nil
	resp, body = c.post("/authoring/checklists/take-a-message", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", resp.StatusCode)
	}
	d = doc(t, body)
	if d.Find("#e-pass_percent").Length() != 1 || d.Find("#e-reobserve_days").Length() != 1 ||
		d.Find(`#f-title`).AttrOr("value", "") != "Kept title" || d.Find(`#f-pass_percent`).AttrOr("value", "") != "150" ||
		!d.Find(`textarea[name="item_text"]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Kept behaviour text" }).Is("textarea") {
		t.Fatalf("invalid edit lost its input or errors:\n%.3000s", body)
	}
	if sc3, _ := st.FindChecklist(context.Background(), "take-a-message"); sc3.Version != 2 {
		t.Fatalf("invalid edit saved: v%d", sc3.Version)
	}
	resp, body = c.post("/authoring/checklists/new", url.Values{"slug": {"Bad Slug"}, "title": {"Typed title"}, "course": {"six-cs"},
		"pass_percent": {"80"}, "reobserve_days": {"14"}})
	d = doc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-slug").Length() != 1 || d.Find("#e-items").Length() != 1 ||
		d.Find(`#f-slug`).AttrOr("value", "") != "Bad Slug" || d.Find(`#f-title`).AttrOr("value", "") != "Typed title" {
		t.Fatalf("invalid new: %d\n%.3000s", resp.StatusCode, body)
	}

	// Built-in: shown as readable text (no form, nothing disabled), no edit in place, but a copy.
	resp, body = c.get("/authoring/checklists/irate-billing-error")
	d = doc(t, body)
	builtin, err := st.FindChecklist(context.Background(), "irate-billing-error")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || d.Find("#checklist-form").Length() != 0 || d.Find("#checklist-readonly").Length() != 1 ||
		d.Find("#checklist-readonly [disabled], #checklist-readonly input, #checklist-readonly textarea").Length() != 0 {
		t.Fatalf("built-in view: %d\n%.2000s", resp.StatusCode, body)
	}
	if n := d.Find("#item-list > li").Length(); n != len(builtin.Checklist.Items) {
		t.Errorf("the built-in view lists %d items, want %d", n, len(builtin.Checklist.Items))
	}
	if got := d.Find("#item-list .item-text").First().Text(); got != builtin.Checklist.Items[0].Text {
		t.Errorf("first item %q, want %q", got, builtin.Checklist.Items[0].Text)
	}
	if !strings.Contains(d.Find("#checklist-readonly").Text(), builtin.Checklist.Brief.Customer) || d.Find("#copy-form").Length() != 1 {
		t.Error("the built-in view lacks the brief or the copy form")
	}
	resp, _ = c.post("/authoring/checklists/irate-billing-error", form)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("edit built-in: %d", resp.StatusCode)
	}
	resp, body = c.post("/authoring/checklists/irate-billing-error/copy", url.Values{"copy_slug": {"take-a-message"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, body).Find("#e-copy_slug").Length() != 1 {
		t.Fatalf("copy onto a taken slug: %d", resp.StatusCode)
	}
	resp, _ = c.post("/authoring/checklists/irate-billing-error/copy", url.Values{"copy_slug": {"billing-ours"}, "copy_title": {"Billing (ours)"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/authoring/checklists/billing-ours" {
		t.Fatalf("copy: %d", resp.StatusCode)
	}
	if cp, err := st.FindChecklist(context.Background(), "billing-ours"); err != nil || cp.Builtin || cp.Title != "Billing (ours)" {
		t.Fatalf("copy: %+v, %v", cp, err)
	}
	if auditCount(t, ts, "checklist.copy") != 1 {
		t.Fatal("copy not audited")
	}
}

func TestChecklistAuthoringForbidden(t *testing.T) {
	ts := mustServer(t, "sqlite")
	for _, email := range []string{staffEmail, ccMgrEmail} {
		c := ts.client(t)
		c.signIn(email)
		for _, path := range []string{"/authoring/checklists", "/authoring/checklists/new", "/authoring/checklists/irate-billing-error"} {
			if resp, _ := c.get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", email, path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/authoring/checklists/new", "/authoring/checklists/irate-billing-error",
			"/authoring/checklists/irate-billing-error/copy"} {
			if resp, _ := c.post(path, checklistFormValues("sneaky", "six-cs")); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", email, path, resp.StatusCode)
			}
		}
	}
	if _, err := assessments.NewObservationStore(ts.DB).FindChecklist(context.Background(), "sneaky"); err == nil {
		t.Fatal("a checklist was created without HR")
	}
}

func TestChecklistList(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := ts.client(t)
	c.signIn(hrEmail)
	resp, body := c.get("/authoring/checklists")
	d := doc(t, body)
	row := d.Find(`#cl-irate-billing-error[data-builtin="true"]`)
	if resp.StatusCode != 200 || row.Length() != 1 || !strings.Contains(row.Text(), "v1") || d.Find(`#new-checklist`).Length() != 1 {
		t.Fatalf("list: %d\n%.2000s", resp.StatusCode, body)
	}
}
