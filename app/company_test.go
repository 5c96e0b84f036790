package app_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/people"
)

// browserForm reads every named control of the form matched by sel, as a
// browser would submit it (ticked checkboxes only, no buttons).
func browserForm(d *goquery.Document, sel string) url.Values {
	v := url.Values{}
	d.Find(sel + " input[name], " + sel + " textarea[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if goquery.NodeName(s) == "textarea" {
			v.Add(name, s.Text())
			return
		}
		switch t, _ := s.Attr("type"); t {
		case "checkbox":
			if _, ok := s.Attr("checked"); ok {
				val, _ := s.Attr("value")
				v.Add(name, val)
			}
		case "file", "submit":
		default:
			val, _ := s.Attr("value")
			v.Add(name, val)
		}
	})
	return v
}

const (
	promiseCallBack = "If we cannot answer on the first call, we call you back within 4 working hours."
	promiseSlot     = "Your engineer arrives within the booked 2-hour slot or calls ahead."
	promiseComplain = "Every complaint is acknowledged the same working day with a named owner."
)

// clearPromises retires the demo promises, so a test starts from none.
func clearPromises(t *testing.T, ts *testServer) {
	t.Helper()
	if _, err := ts.DB.NewUpdate().Table("service_promises").Set("active = ?", false).Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// saveCompany posts the settings form as HR with the given promises in
// order (existing rows first, as the page lists them) and returns the response.
func saveCompany(t *testing.T, c *client, edit func(v url.Values)) (*http.Response, string) {
	t.Helper()
	_, body := c.get("/settings/company")
	v := browserForm(doc(t, body), "#company-form")
	edit(v)
	return c.post("/settings/company", v)
}

func TestCompanySettings(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr := ts.client(t)
	hr.signIn(hrEmail)

	t.Run("DemoPromisesListed", func(t *testing.T) {
		_, body := hr.get("/settings/company")
		d := doc(t, body)
		if n, _ := d.Find(`input[name="promise_rows"]`).Attr("value"); n != "8" {
			t.Fatalf("%s rows, want the 5 demo promises and 3 empty rows", n)
		}
		if v := d.Find("#f-promise-0").Text(); !strings.Contains(v, "4 working hours") {
			t.Fatalf("first promise %q", v)
		}
	})
	clearPromises(t, ts)

	t.Run("StaffAndManagersForbidden", func(t *testing.T) {
		for _, email := range []string{staffEmail, ccMgrEmail} {
			c := ts.client(t)
			c.signIn(email)
			if resp, _ := c.get("/settings/company"); resp.StatusCode != 403 {
				t.Fatalf("%s GET: %d, want 403", email, resp.StatusCode)
			}
			if resp, _ := c.post("/settings/company", url.Values{"name": {"Hijacked"}}); resp.StatusCode != 403 {
				t.Fatalf("%s POST: %d, want 403", email, resp.StatusCode)
			}
			if resp, _ := c.post("/settings/company/logo", nil); resp.StatusCode != 403 {
				t.Fatalf("%s POST logo: %d, want 403", email, resp.StatusCode)
			}
		}
		if resp, _ := hr.get("/settings/company"); resp.StatusCode != 200 {
			t.Fatalf("HR: %d", resp.StatusCode)
		}
		a := ts.client(t)
		a.signIn(adminEmail)
		if resp, body := a.get("/settings/company"); resp.StatusCode != 200 || doc(t, body).Find(`nav a[href="/settings/company"]`).Length() != 1 {
			t.Fatalf("admin: %d or no nav link", resp.StatusCode)
		}
	})

	t.Run("HRSavesAndSeesTheValues", func(t *testing.T) {
		resp, _ := saveCompany(t, hr, func(v url.Values) {
			v.Set("name", "Brightwater Home Services")
			v.Set("mission", "We keep homes **warm** and safe.")
			v.Set("vision", "The firm neighbours recommend first.")
			v.Set("values", "Honest\r\n\r\nOn time\r\nRespectful")
			v.Set("promise_0_text", promiseCallBack)
			v.Set("promise_1_text", promiseSlot)
			v.Set("promise_2_text", promiseComplain)
		})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/settings/company" {
			t.Fatalf("save: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := hr.get("/settings/company")
		d := doc(t, body)
		if v, _ := d.Find("#f-name").Attr("value"); v != "Brightwater Home Services" {
			t.Fatalf("name on the form: %q", v)
		}
		if got := d.Find("#f-mission").Text(); got != "We keep homes **warm** and safe." {
			t.Fatalf("mission on the form: %q", got)
		}
		if got := d.Find("#f-values").Text(); got != "Honest\nOn time\nRespectful" {
			t.Fatalf("values on the form: %q", got)
		}
		for i, want := range []string{promiseCallBack, promiseSlot, promiseComplain, "", "", ""} {
			if got := d.Find("#f-promise-" + itoa64(int64(i))).Text(); got != want {
				t.Fatalf("promise row %d: %q, want %q", i, got, want)
			}
		}
		if id, _ := d.Find(`input[name="promise_0_id"]`).Attr("value"); id == "" {
			t.Fatal("a stored promise does not post its id")
		}
		if !strings.Contains(d.Find(".flash-success").Text(), "saved") {
			t.Fatalf("flash: %q", d.Find(".flash").Text())
		}
		if d.Find("title").Text() != "Company settings · Brightwater Home Services" {
			t.Fatalf("the layout does not use the new name: %q", d.Find("title").Text())
		}
		log, _, err := ts.People.ListAudit(context.Background(), people.AuditFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, e := range log {
			actions[e.Action] = true
		}
		if !actions["company.update"] || !actions["company.promises"] {
			t.Fatalf("audit actions %v", actions)
		}
	})

	t.Run("ValidationKeepsTypedInput", func(t *testing.T) {
		resp, body := saveCompany(t, hr, func(v url.Values) {
			v.Set("name", "  ")
			v.Set("mission", "A new mission, typed but not saved.")
			v.Set("promise_1_text", "ok")
			v.Set("promise_3_text", "A brand new promise that is long enough.")
		})
		if resp.StatusCode != 422 {
			t.Fatalf("status %d, want 422", resp.StatusCode)
		}
		d := doc(t, body)
		if inv, _ := d.Find("#f-name").Attr("aria-invalid"); inv != "true" || d.Find("#e-name").Length() != 1 {
			t.Fatal("no error next to the name")
		}
		if got := d.Find("#f-mission").Text(); got != "A new mission, typed but not saved." {
			t.Fatalf("typed mission lost: %q", got)
		}
		if v := d.Find("#f-promise-1").Text(); v != "ok" || d.Find("#e-promise-1").Length() != 1 {
			t.Fatalf("short promise: value %q, error %q", v, d.Find("#e-promise-1").Text())
		}
		if v := d.Find("#f-promise-3").Text(); v != "A brand new promise that is long enough." {
			t.Fatalf("typed new promise lost: %q", v)
		}
		if d.Find(`.form-errors a[href="#f-name"]`).Length() != 1 {
			t.Fatal("the error summary does not link to the name")
		}
		p, _ := ts.People.Setting(context.Background(), "company.mission", "")
		if p != "We keep homes **warm** and safe." {
			t.Fatalf("an invalid form changed the mission to %q", p)
		}
	})

	t.Run("MoveButtonReordersWithoutSaving", func(t *testing.T) {
		_, body := hr.get("/settings/company")
		v := browserForm(doc(t, body), "#company-form")
		v.Set("move", "1:up")
		resp, body := hr.post("/settings/company", v)
		if resp.StatusCode != 200 {
			t.Fatalf("move: %d", resp.StatusCode)
		}
		d := doc(t, body)
		if got := d.Find("#f-promise-0").Text(); got != promiseSlot {
			t.Fatalf("first row after moving the second up: %q", got)
		}
		_, body = hr.get("/settings/company")
		if got := doc(t, body).Find("#f-promise-0").Text(); got != promiseCallBack {
			t.Fatalf("moving saved the order: %q", got)
		}
	})

	t.Run("Logo", func(t *testing.T) {
		upload := func(name string, data []byte) (*http.Response, string) {
			hr.get("/settings/company")
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			w.WriteField("_csrf", hr.csrf)
			fw, _ := w.CreateFormFile("logo", name)
			fw.Write(data)
			w.Close()
			return hr.do("POST", "/settings/company/logo", &buf, w.FormDataContentType())
		}
		img := image.NewRGBA(image.Rect(0, 0, 4, 4))
		img.Set(1, 1, color.RGBA{200, 0, 0, 255})
		var pngData, gifData bytes.Buffer
		png.Encode(&pngData, img)
		gif.Encode(&gifData, img, nil)

		if resp, _ := ts.client(t).get("/company/logo"); resp.StatusCode != 404 {
			t.Fatalf("logo before upload: %d, want 404", resp.StatusCode)
		}
		for _, tc := range []struct {
			name, file string
			data       []byte
			want       string
		}{
			{"GIF", "logo.gif", gifData.Bytes(), "not a PNG or JPEG"},
			{"TextRenamed", "logo.png", []byte("just some text"), "not a PNG or JPEG"},
			{"OverOneMB", "huge.png", append(pngData.Bytes(), make([]byte, 1<<20)...), "1 MB"},
		} {
			resp, body := upload(tc.file, tc.data)
			msg := doc(t, body).Find("#e-logo").Text()
			if resp.StatusCode != 422 || !strings.Contains(msg, tc.want) {
				t.Fatalf("%s: %d, message %q", tc.name, resp.StatusCode, msg)
			}
		}
		if resp, _ := upload("logo.png", pngData.Bytes()); resp.StatusCode != 303 {
			t.Fatalf("PNG upload: %d", resp.StatusCode)
		}
		resp, body := ts.client(t).get("/company/logo") // public
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || body != pngData.String() ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("logo: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
		_, body = hr.get("/settings/company")
		if doc(t, body).Find("img.company-logo").Length() != 1 {
			t.Fatal("the settings page does not show the current logo")
		}
	})
}

func TestPromiseAcknowledgement(t *testing.T) {
	ts := mustServer(t, "sqlite")
	staff := ts.client(t)
	staff.signIn(staffEmail)
	hr := ts.client(t)
	hr.signIn(hrEmail)
	const path = "/learn/mission-vision-promise/acknowledge"
	clearPromises(t, ts)

	t.Run("NoPromisesYet", func(t *testing.T) {
		resp, body := staff.get(path)
		if resp.StatusCode != 200 || !strings.Contains(doc(t, body).Find("#no-promises").Text(), "Company settings") {
			t.Fatalf("%d: %s", resp.StatusCode, doc(t, body).Find("main").Text())
		}
	})

	resp, _ := saveCompany(t, hr, func(v url.Values) {
		v.Set("name", "Brightwater Services")
		v.Set("promise_0_text", promiseCallBack)
		v.Set("promise_1_text", promiseSlot)
		v.Set("promise_2_text", promiseComplain)
	})
	if resp.StatusCode != 303 {
		t.Fatalf("HR save: %d", resp.StatusCode)
	}

	t.Run("AllMustBeTicked", func(t *testing.T) {
		_, body := staff.get(path)
		d := doc(t, body)
		boxes := d.Find(`#ack-form input[type=checkbox][name=promise]`)
		if boxes.Length() != 3 {
			t.Fatalf("%d checkboxes, want 3", boxes.Length())
		}
		boxes.Each(func(i int, s *goquery.Selection) {
			if !strings.Contains(s.Closest("label").Text(), "I understand and will keep this promise") || s.Is(":checked") {
				t.Fatalf("checkbox %d: label %q", i, s.Closest("label").Text())
			}
		})
		v := browserForm(d, "#ack-form")
		first, _ := boxes.Eq(0).Attr("value")
		third, _ := boxes.Eq(2).Attr("value")
		v["promise"] = []string{first, third}
		resp, body := staff.post(path, v)
		if resp.StatusCode != 422 {
			t.Fatalf("one unticked: %d, want 422", resp.StatusCode)
		}
		d = doc(t, body)
		if msg := d.Find("#f-promises #e-promises").Text(); !strings.Contains(msg, "promise 2") {
			t.Fatalf("message next to the list: %q", msg)
		}
		checked := d.Find(`#ack-form input[name=promise]:checked`)
		if checked.Length() != 2 {
			t.Fatalf("%d ticks kept, want 2", checked.Length())
		}
	})

	t.Run("ConfirmThenDatesShown", func(t *testing.T) {
		_, body := staff.get(path)
		d := doc(t, body)
		v := browserForm(d, "#ack-form")
		v["promise"] = nil
		d.Find(`#ack-form input[name=promise]`).Each(func(_ int, s *goquery.Selection) {
			val, _ := s.Attr("value")
			v.Add("promise", val)
		})
		resp, _ := staff.post(path, v)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/learn/mission-vision-promise" {
			t.Fatalf("confirm: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = staff.get(path)
		d = doc(t, body)
		if d.Find("#all-confirmed").Length() != 1 || d.Find("#ack-form").Length() != 0 {
			t.Fatal("the page still asks for confirmation")
		}
		dates := d.Find("#promise-list .ack-date")
		if dates.Length() != 3 || strings.TrimSpace(dates.First().Text()) == "" {
			t.Fatalf("%d acknowledgement dates", dates.Length())
		}
		// Every confirmation is listed, the demo's earlier ones too, newest first.
		me, _ := ts.People.FindEmployeeByEmail(context.Background(), staffEmail)
		stored, _ := ts.DB.NewSelect().TableExpr("promise_acknowledgements").Where("employee_id = ?", me.ID).Count(context.Background())
		rows := d.Find("#ack-history tbody tr")
		if rows.Length() < 3 || int64(rows.Length()) != int64(stored) {
			t.Fatalf("the history lists %d confirmations; %d are stored", rows.Length(), stored)
		}
		if !strings.Contains(rows.First().Text(), "v") || !strings.Contains(rows.Text(), promiseComplain) {
			t.Fatalf("the newest confirmations are not listed: %q", rows.First().Text())
		}
	})

	t.Run("ChangedPromiseIsPendingAgain", func(t *testing.T) {
		resp, _ := saveCompany(t, hr, func(v url.Values) {
			v.Set("promise_1_text", "Your engineer arrives within the booked 2-hour slot, or calls before it starts.")
		})
		if resp.StatusCode != 303 {
			t.Fatalf("HR change: %d", resp.StatusCode)
		}
		_, body := hr.get("/settings/company")
		if flash := doc(t, body).Find(".flash-success").Text(); !strings.Contains(flash, "1 employee who confirmed") {
			t.Fatalf("flash does not say who re-acknowledges: %q", flash)
		}
		_, body = staff.get(path)
		d := doc(t, body)
		if d.Find("#ack-form").Length() != 1 {
			t.Fatal("no confirmation form after a promise changed")
		}
		item := d.Find("#promise-list li").Eq(1)
		if item.Find(".changed").Length() != 1 || item.Find("input[type=checkbox]").Is(":checked") {
			t.Fatalf("changed promise: %q", item.Text())
		}
		if d.Find(`#ack-form input[name=promise]:checked`).Length() != 2 {
			t.Fatal("the unchanged promises are not shown as confirmed")
		}
	})
}
