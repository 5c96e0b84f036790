package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store/storetest"
)

// certStore is a courses store on ts's database that can render PDFs.
func certStore(t testing.TB, ts *testServer) *courses.Store {
	t.Helper()
	r, err := certdoc.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{Docs: r, BaseURL: "http://localhost"})
}

// demoCerts returns the demo's certificates with the status (all for "").
func demoCerts(t testing.TB, cs *courses.Store, st courses.CertStatus) []courses.Certificate {
	t.Helper()
	list, _, err := cs.ListCertificates(context.Background(), courses.CertFilter{Status: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatalf("the demo has no %q certificates", st)
	}
	return list
}

// registerCodes returns the codes of the register's rows with their statuses.
func registerCodes(d *goquery.Document) ([]string, []string) {
	var codes, statuses []string
	d.Find("#certificates tbody tr").Each(func(_ int, tr *goquery.Selection) {
		codes = append(codes, tr.AttrOr("data-code", ""))
		statuses = append(statuses, tr.AttrOr("data-status", ""))
	})
	return codes, statuses
}

func codesOf(list []courses.Certificate) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Code)
	}
	return out
}

func TestCertificateRegister(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			cs := certStore(t, ts)
			ctx := context.Background()
			hr := ts.client(t)
			hr.signIn(hrEmail)

			all, total, err := cs.ListCertificates(ctx, courses.CertFilter{})
			if err != nil {
				t.Fatal(err)
			}
			_, body := hr.get("/certificates")
			d := doc(t, body)
			codes, _ := registerCodes(d)
			if len(codes) != min(total, 50) || codes[0] != all[0].Code {
				t.Fatalf("unfiltered: %d rows (want %d), first %q (want %q)", len(codes), min(total, 50), codes[0], all[0].Code)
			}
			if d.Find("#cert-chart svg.stacked-bar[role=img]").Length() != 1 {
				t.Error("no status chart")
			}
			sum := 0
			for _, st := range courses.CertStatuses {
				_, n, err := cs.ListCertificates(ctx, courses.CertFilter{Status: st, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Errorf("the demo has no %s certificate", st)
				}
				sum += n
				if got := strings.TrimSpace(d.Find("#cert-counts [data-status=" + string(st) + "] .n").Text()); got != itoa(int64(n)) {
					t.Errorf("count of %s in the legend: %q, want %d", st, got, n)
				}
			}
			if sum != total {
				t.Errorf("statuses add up to %d of %d", sum, total)
			}
			row := d.Find("#certificates tbody tr").First()
			if row.Find("a[href='/people/"+all[0].EmployeeNumber+"']").Length() != 1 || row.Find("a.mono[href='/certificates/"+all[0].Code+"']").Length() != 1 ||
				row.Find(".badge[data-status] [aria-hidden=true]").Length() != 1 {
				t.Errorf("first row lacks the employee link, the code link or the badge's icon: %s", row.Text())
			}

			check := func(query string, f courses.CertFilter, status string) []string {
				t.Helper()
				resp, body := hr.get("/certificates?" + query)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", query, resp.StatusCode)
				}
				got, statuses := registerCodes(doc(t, body))
				f.Limit = 50
				want, _, err := cs.ListCertificates(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 || len(got) >= total || !slices.Equal(got, codesOf(want)) {
					t.Errorf("%s: rows %q, want %q (of %d in all)", query, got, codesOf(want), total)
				}
				for i, st := range statuses {
					if status != "" && st != status {
						t.Errorf("%s: row %s is %s", query, got[i], st)
					}
				}
				return got
			}
			check("status=revoked", courses.CertFilter{Status: courses.CertRevoked}, "revoked")
			check("status=superseded", courses.CertFilter{Status: courses.CertSuperseded}, "superseded")
			check("status=expired", courses.CertFilter{Status: courses.CertExpired}, "expired")
			pg, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).FindProgramme(ctx, all[0].ProgrammeSlug)
			if err != nil {
				t.Fatal(err)
			}
			check("programme="+pg.Slug, courses.CertFilter{ProgrammeID: pg.ID}, "")
			depts, err := ts.People.ListOrg(ctx, people.Departments)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(depts, func(o people.OrgItem) bool { return o.Name == all[0].Department })
			if i < 0 {
				t.Fatalf("no department %q", all[0].Department)
			}
			check("department="+itoa(depts[i].ID), courses.CertFilter{DepartmentID: depts[i].ID}, "")
			_, body = hr.get("/certificates?expiring=30")
			soon := doc(t, body)
			expiring := check("expiring=30", courses.CertFilter{ExpiringDays: 30}, "valid")
			if n := soon.Find("#certificates tbody tr .expires-soon").Length(); n != len(expiring) {
				t.Errorf("expiring within 30 days: %d rows say so, of %d", n, len(expiring))
			}
			soonCert, err := cs.FindCertificate(ctx, expiring[0])
			if err != nil {
				t.Fatal(err)
			}
			check("status=valid&expiring=30&programme="+soonCert.ProgrammeSlug, courses.CertFilter{Status: courses.CertValid, ExpiringDays: 30, ProgrammeID: soonCert.ProgrammeID}, "valid")
			if got := check("q="+url.QueryEscape(strings.ToLower(all[3].Code)), courses.CertFilter{Search: strings.ToLower(all[3].Code)}, ""); len(got) != 1 {
				t.Errorf("search by code: %q", got)
			}
			check("q="+all[0].EmployeeNumber, courses.CertFilter{Search: all[0].EmployeeNumber}, "")

			// A number of days that is not one comes back with a message by the field.
			resp, body := hr.get("/certificates?expiring=soon")
			d = doc(t, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-expiring").Length() != 1 || d.Find("#expiring").AttrOr("value", "") != "soon" {
				t.Errorf("expiring=soon: %d %q", resp.StatusCode, d.Find("#e-expiring").Text())
			}
		})
	}
}

func TestCertificateRevoke(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			cs := certStore(t, ts)
			ctx := context.Background()
			hr := ts.client(t)
			hr.signIn(hrEmail)
			cert := demoCerts(t, cs, courses.CertValid)[0]
			path := "/certificates/" + cert.Code

			_, body := hr.get(path)
			d := doc(t, body)
			if d.Find("#pdf-link").AttrOr("href", "") != path+".pdf" || d.Find("#verify-link").AttrOr("href", "") != "/verify/"+cert.Code ||
				d.Find("#revoke-form #f-reason").Length() != 1 || !strings.Contains(d.Find("#status").Text(), "Valid") {
				t.Fatalf("detail page: %s", d.Find("main").Text())
			}
			if resp, _ := hr.get("/certificates/" + strings.ToLower(strings.ReplaceAll(cert.Code, "-", ""))); resp.StatusCode != http.StatusMovedPermanently ||
				resp.Header.Get("Location") != path {
				t.Errorf("a code typed another way: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}

			before := auditCount(t, ts, "certificate.revoke")
			resp, body := hr.post(path+"/revoke", url.Values{"reason": {"   "}})
			d = doc(t, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-reason").Length() != 1 || d.Find("#f-reason").AttrOr("aria-invalid", "") != "true" {
				t.Fatalf("no reason: %d %q", resp.StatusCode, d.Find("#e-reason").Text())
			}
			long := strings.Repeat("Issued twice by mistake. ", 30)
			resp, body = hr.post(path+"/revoke", url.Values{"reason": {long}})
			d = doc(t, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#e-reason").Text(), "limit") || d.Find("#f-reason").Text() != long {
				t.Fatalf("a reason too long: %d %q, typed text kept: %v", resp.StatusCode, d.Find("#e-reason").Text(), d.Find("#f-reason").Text() == long)
			}
			if c, _ := cs.FindCertificate(ctx, cert.Code); c.RevokedAt != nil {
				t.Fatal("revoked without a reason")
			}

			resp, _ = hr.post(path+"/revoke", url.Values{"reason": {"Issued in error: recorded against the wrong employee."}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
				t.Fatalf("revoke: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			_, body = hr.get(path)
			d = doc(t, body)
			if !strings.Contains(d.Find(".flash").Text(), "revoked") || !strings.Contains(d.Find("h1 .badge").Text(), "Revoked") ||
				d.Find("#revoked-reason").Text() != "Issued in error: recorded against the wrong employee." ||
				!strings.Contains(d.Find("#revoked").Text(), hrName(t, ts)) || d.Find("#revoke-form").Length() != 0 || d.Find("#no-reissue").Length() != 1 {
				t.Fatalf("after revoking: %s", d.Find("#record").Text())
			}
			if got := auditCount(t, ts, "certificate.revoke"); got != before+1 {
				t.Errorf("audit entries: %d, want %d", got, before+1)
			}
			var entry people.AuditEntry
			if err := ts.DB.NewSelect().Model(&entry).Where("action = 'certificate.revoke'").OrderExpr("id DESC").Limit(1).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if entry.Subject != cert.EmployeeNumber || !strings.Contains(entry.Detail, cert.Code) || !strings.Contains(entry.Detail, "wrong employee") {
				t.Errorf("audit entry: %+v", entry)
			}
			_, body = hr.get("/certificates?status=revoked")
			if codes, _ := registerCodes(doc(t, body)); !slices.Contains(codes, cert.Code) {
				t.Errorf("the register's revoked do not include %s", cert.Code)
			}

			// Again: a conflict, said on the page.
			resp, body = hr.post(path+"/revoke", url.Values{"reason": {"twice"}})
			if resp.StatusCode != http.StatusConflict || !strings.Contains(doc(t, body).Find("#problem").Text(), "revoked") {
				t.Errorf("revoke twice: %d %q", resp.StatusCode, doc(t, body).Find("#problem").Text())
			}
			// And a revoked certificate is not reissued.
			resp, body = hr.post(path+"/reissue", nil)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(doc(t, body).Find("#problem").Text(), "revoked") {
				t.Errorf("reissue a revoked one: %d %q", resp.StatusCode, doc(t, body).Find("#problem").Text())
			}
		})
	}
}

func TestCertificateReissue(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			cs := certStore(t, ts)
			ctx := context.Background()
			hr := ts.client(t)
			hr.signIn(hrEmail)
			old := demoCerts(t, cs, courses.CertValid)[1]
			path := "/certificates/" + old.Code

			// A change of name.
			e, err := ts.People.FindEmployee(ctx, old.EmployeeID)
			if err != nil {
				t.Fatal(err)
			}
			in := people.EmployeeInput{Number: e.Number, FirstName: e.FirstName, LastName: "Ødegård-Smith", Email: e.Email, JobTitle: e.JobTitle,
				Department: e.Department, Location: e.Location, ManagerNumber: e.ManagerNumber, HireDate: e.HireDate, Active: e.Active, Roles: e.Roles}
			if _, err := ts.People.SaveEmployee(ctx, in); err != nil {
				t.Fatal(err)
			}
			newName := e.FirstName + " Ødegård-Smith"

			_, body := hr.get(path)
			d := doc(t, body)
			if d.Find("#printed-name").Text() != old.EmployeeName || d.Find("#current-name").Text() != newName || d.Find("#same-name").Length() != 0 {
				t.Fatalf("names: printed %q, now %q", d.Find("#printed-name").Text(), d.Find("#current-name").Text())
			}
			before := auditCount(t, ts, "certificate.reissue")
			resp, _ := hr.post(path+"/reissue", nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/certificates/") || loc == path {
				t.Fatalf("reissue: %d %q", resp.StatusCode, loc)
			}
			nc, err := cs.FindCertificate(ctx, strings.TrimPrefix(loc, "/certificates/"))
			if err != nil {
				t.Fatal(err)
			}
			if nc.EmployeeName != newName || nc.ReissuedFromID == nil || *nc.ReissuedFromID != old.ID || !nc.IssuedAt.Equal(old.IssuedAt) {
				t.Errorf("new certificate: name %q, from %v, issued %v", nc.EmployeeName, nc.ReissuedFromID, nc.IssuedAt)
			}
			oc, err := cs.FindCertificate(ctx, old.Code)
			if err != nil {
				t.Fatal(err)
			}
			if oc.Status(time.Now()) != courses.CertSuperseded || oc.SupersededByID == nil || *oc.SupersededByID != nc.ID {
				t.Errorf("old certificate: %s, superseded by %v", oc.Status(time.Now()), oc.SupersededByID)
			}
			if got := auditCount(t, ts, "certificate.reissue"); got != before+1 {
				t.Errorf("audit entries: %d, want %d", got, before+1)
			}

			_, body = hr.get(loc)
			d = doc(t, body)
			if !strings.Contains(d.Find(".flash").Text(), nc.Code) || d.Find("#name-printed").Text() != newName ||
				d.Find("#reissued-from").AttrOr("href", "") != path || d.Find("#same-name").Length() != 1 {
				t.Errorf("new certificate's page: %s", d.Find("#record").Text())
			}
			_, body = hr.get(path)
			d = doc(t, body)
			if d.Find("#superseded-by").AttrOr("href", "") != loc || !strings.Contains(d.Find("h1 .badge").Text(), "Superseded") ||
				d.Find("#reissue-form").Length() != 0 || !strings.Contains(d.Find("#no-reissue").Text(), "superseded") {
				t.Errorf("old certificate's page: %s", d.Find("#record").Text())
			}
			resp, body = hr.post(path+"/reissue", nil)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(doc(t, body).Find("#problem").Text(), "newer") {
				t.Errorf("reissue a superseded one: %d %q", resp.StatusCode, doc(t, body).Find("#problem").Text())
			}
		})
	}
}

// hrName is the name of the demo's HR account.
func hrName(t *testing.T, ts *testServer) string {
	t.Helper()
	e, err := ts.People.FindEmployeeByEmail(context.Background(), hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	return e.FirstName + " " + e.LastName
}

// zipOf opens a zip answer and returns its entries by name, in order.
func zipOf(t *testing.T, body string) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip (%d bytes): %v", len(body), err)
	}
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		rc.Close()
		names = append(names, f.Name)
		files[f.Name] = b.Bytes()
	}
	return names, files
}

func TestCertificateBulkZip(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			cs := certStore(t, ts)
			ctx := context.Background()
			hr := ts.client(t)
			hr.signIn(hrEmail)
			hr.get("/certificates")
			all := demoCerts(t, cs, "")
			picked := []courses.Certificate{all[4], all[0], all[2]}
			form := url.Values{"code": {picked[0].Code, strings.ToLower(picked[1].Code), picked[2].Code, picked[0].Code}, "all": {"0"}}

			resp, body := hr.post("/certificates/bulk.zip", form)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" || resp.Header.Get("X-Certificate-Count") != "3" {
				t.Fatalf("bulk: %d %q count %q\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Certificate-Count"), body)
			}
			if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="certificates-`+time.Now().Format("2006-01")) || !strings.HasSuffix(cd, `.zip"`) {
				t.Errorf("Content-Disposition: %q", cd)
			}
			names, files := zipOf(t, body)
			// In the register's order (newest first), each once.
			want := []string{all[0].Code + ".pdf", all[2].Code + ".pdf", all[4].Code + ".pdf"}
			if !slices.Equal(names, want) {
				t.Fatalf("entries %q, want %q", names, want)
			}
			for _, c := range picked {
				got := files[c.Code+".pdf"]
				pdf, _, err := cs.PDF(ctx, &c)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(got, []byte("%PDF")) || !bytes.Equal(got, pdf) {
					t.Errorf("%s: %d bytes starting %q, not the certificate's own PDF (%d bytes)", c.Code, len(got), got[:min(len(got), 8)], len(pdf))
				}
			}

			// Everything matching the filters.
			revoked := demoCerts(t, cs, courses.CertRevoked)
			resp, body = hr.post("/certificates/bulk.zip", url.Values{"all": {"1"}, "status": {"revoked"}, "code": {all[0].Code}})
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Certificate-Count") != itoa(int64(len(revoked))) {
				t.Fatalf("all revoked: %d count %q", resp.StatusCode, resp.Header.Get("X-Certificate-Count"))
			}
			if names, _ := zipOf(t, body); len(names) != len(revoked) || names[0] != revoked[0].Code+".pdf" {
				t.Errorf("all revoked: entries %q", names)
			}
			resp, body = hr.post("/certificates/bulk.zip", url.Values{"all": {"1"}})
			if names, _ := zipOf(t, body); resp.StatusCode != http.StatusOK || len(names) != len(all) {
				t.Errorf("all: %d, %d entries of %d", resp.StatusCode, len(names), len(all))
			}
			if n := auditCount(t, ts, "certificate.download"); n != 3 {
				t.Errorf("download audit entries: %d, want 3", n)
			}

			// Nothing to send: the register, with a message by the buttons.
			for name, form := range map[string]url.Values{
				"nothing ticked":  {"all": {"0"}, "status": {"revoked"}},
				"not a code":      {"code": {"not-a-code"}},
				"unknown code":    {"code": {"0000-0000-0000-0000"}},
				"no match":        {"all": {"1"}, "q": {"nobody-has-this-name"}},
				"bad filter":      {"all": {"1"}, "expiring": {"x"}},
				"without a field": {},
			} {
				resp, body := hr.post("/certificates/bulk.zip", form)
				d := doc(t, body)
				if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-bulk, #e-expiring").Length() != 1 || d.Find("#bulk-form").Length() != 1 {
					t.Errorf("%s: %d %q", name, resp.StatusCode, d.Find(".field-error").Text())
				}
				if name == "nothing ticked" && d.Find("#status option[selected]").AttrOr("value", "") != "revoked" {
					t.Errorf("%s: the filters are not kept", name)
				}
			}
		})
	}
}

func TestCertificateBulkZipCap(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr := ts.client(t)
	hr.signIn(hrEmail)
	codes := make([]string, 20001)
	for i := range codes {
		codes[i] = certdoc.NewCode()
	}
	resp, body := hr.post("/certificates/bulk.zip", url.Values{"code": codes})
	if msg := doc(t, body).Find("#e-bulk").Text(); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "at most 20,000") {
		t.Errorf("over the cap: %d %q", resp.StatusCode, msg)
	}
}

// pdfText returns the text of a PDF by pdftotext; without it the test
// skips, except on CI.
func TestCertificateSettings(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ts := mustServer(t, dialect)
			cs := certStore(t, ts)
			ctx := context.Background()
			hr := ts.client(t)
			hr.signIn(hrEmail)
			settingsBefore := auditCount(t, ts, "certificate.settings") // the demo's own

			_, body := hr.get("/settings/certificates")
			d := doc(t, body)
			form := browserForm(d, "#cert-settings-form")
			if form.Get("title") != "Certificate of Completion" || form.Get("accent_color") != "#1f4e79" || d.Find("#f-accent_color-picker[type=color]").AttrOr("value", "") != "#1f4e79" ||
				d.Find("#preview-cert[formaction='/settings/certificates/preview.pdf'][formmethod=get][formtarget=_blank]").Length() != 1 ||
				d.Find("a[href^='/settings/company']").Length() == 0 {
				t.Fatalf("settings page: %v", form)
			}

			// Problems come back by their fields, with what was typed.
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set("title", "  ")
			bad.Set("accent_color", "blue")
			bad.Set("signatory_name", strings.Repeat("x", 121))
			resp, body := hr.post("/settings/certificates", bad)
			d = doc(t, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-title").Length() != 1 || d.Find("#e-accent_color").Length() != 1 ||
				d.Find("#e-signatory_name").Length() != 1 || d.Find("#f-accent_color").AttrOr("value", "") != "blue" ||
				d.Find(".form-errors li").Length() != 3 {
				t.Fatalf("bad settings: %d %q", resp.StatusCode, d.Find(".field-error").Text())
			}

			// The preview renders what is typed, before it is saved.
			typed := url.Values{"title": {"Award of Service Excellence"}, "intro": {"We are proud that"}, "completion": {"has mastered"},
				"accent_color": {"#7a1f5c"}, "text_color": {"#111"}, "signatory_name": {"Priya Raman"}, "signatory_title": {"Head of People"}}
			resp, body = hr.get("/settings/certificates/preview.pdf?" + typed.Encode())
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
				t.Fatalf("preview: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			text := pdfText(t, body)
			for _, want := range []string{"Award of Service Excellence", "We are proud that", "Zoë Núñez Øberg", "Priya Raman", "Head of People", "Brightwater"} {
				if !strings.Contains(text, want) {
					t.Errorf("preview text lacks %q: %q", want, text)
				}
			}
			resp, body = hr.get("/settings/certificates/preview.pdf?title=Award&accent_color=red&text_color=%23222")
			if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, body).Find("#e-accent_color").Length() != 1 {
				t.Errorf("preview with a bad colour: %d", resp.StatusCode)
			}

			// Saving: the picker wins when only it was changed.
			good := url.Values{}
			for k, v := range typed {
				good[k] = v
			}
			good.Set("accent_color_was", "#7a1f5c")
			good.Set("accent_color_picker", "#7a1f5c")
			good.Set("text_color_was", "#111")
			good.Set("text_color_picker", "#0a0a0a")
			resp, _ = hr.post("/settings/certificates", good)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d", resp.StatusCode)
			}
			saved, err := cs.CertificateSettings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if saved.Title != "Award of Service Excellence" || saved.AccentColor != "#7a1f5c" || saved.TextColor != "#0a0a0a" || saved.SignatoryName != "Priya Raman" {
				t.Errorf("saved: %+v", saved)
			}
			if n := auditCount(t, ts, "certificate.settings"); n != settingsBefore+1 {
				t.Errorf("settings audit entries: %d, want %d", n, settingsBefore+1)
			}
			_, body = hr.get("/settings/certificates/preview.pdf")
			if text := pdfText(t, body); !strings.Contains(text, "Award of Service Excellence") {
				t.Errorf("preview of the saved settings: %q", text)
			}
		})
	}
}
