package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// demoCertificates returns the demo's certificates by status.
func demoCertificates(t *testing.T, ts *testServer) map[courses.CertStatus][]courses.Certificate {
	t.Helper()
	s := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	list, _, err := s.ListCertificates(context.Background(), courses.CertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[courses.CertStatus][]courses.Certificate{}
	for _, c := range list {
		st := c.Status(s.Now())
		out[st] = append(out[st], c)
	}
	for _, st := range courses.CertStatuses {
		if len(out[st]) == 0 {
			t.Fatalf("the demo has no %s certificate", st)
		}
	}
	return out
}

// proxiedApp is the app on ts's database trusting X-Forwarded-For, so a
// test can send requests from many addresses (the verify pages are
// rate-limited per address).
func proxiedApp(t *testing.T, ts *testServer) *fiber.App {
	t.Helper()
	a, err := app.New(app.Config{DB: ts.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://localhost",
		Version: "test", ProxyHeader: "X-Forwarded-For"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var visitorN atomic.Int64

// visitorGet requests path with no session, each time from a new address.
func visitorGet(t *testing.T, a *fiber.App, path string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
	n := visitorN.Add(1)
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.%d.%d", n/250%250, 1+n%250))
	resp, err := a.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestVerifyPages(t *testing.T) {
	ts := mustServer(t, "sqlite")
	pa := proxiedApp(t, ts)
	byStatus := demoCertificates(t, ts)
	for _, st := range courses.CertStatuses {
		c := byStatus[st][0]
		t.Run(string(st), func(t *testing.T) {
			resp, body := visitorGet(t, pa, "/verify/"+strings.ToLower(strings.ReplaceAll(c.Code, "-", "")))
			if resp.StatusCode != 200 {
				t.Fatalf("verify page: %d", resp.StatusCode)
			}
			d := doc(t, string(body))
			res := d.Find("#verify-result")
			if res.AttrOr("data-status", "") != string(st) || !strings.Contains(res.Text(), c.EmployeeName) || !strings.Contains(res.Text(), c.Achievement) {
				t.Fatalf("verify result: %q", res.Text())
			}
			if st == courses.CertRevoked && (!strings.Contains(res.Text(), "revoked on") || strings.Contains(string(body), c.RevokedReason)) {
				t.Fatalf("a revoked certificate's page must give the date, not the reason: %q", res.Text())
			}
			// JSON: exactly the public fields; the hash is that of the PDF's bytes.
			resp, body = visitorGet(t, pa, "/verify/"+c.Code+".json")
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("json: %d %v", resp.StatusCode, err)
			}
			var keys []string
			for k := range got {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"code", "expires_at", "issued_at", "issuer", "name", "programme", "sha256", "status"}; !slices.Equal(keys, want) {
				t.Fatalf("json keys %v, want %v", keys, want)
			}
			if got["status"] != string(st) || got["code"] != c.Code || got["sha256"] != d.Find("#verify-sha").Text() {
				t.Fatalf("json: %v", got)
			}
			hr := ts.client(t)
			hr.signIn(hrEmail)
			r1, pdf := hr.get("/certificates/" + c.Code + ".pdf")
			_, again := hr.get("/certificates/" + c.Code + ".pdf")
			sum := sha256.Sum256([]byte(pdf))
			if r1.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF") || pdf != again || hex.EncodeToString(sum[:]) != got["sha256"] {
				t.Fatalf("PDF download: %d, same bytes %v, hash matches %v", r1.StatusCode, pdf == again, hex.EncodeToString(sum[:]) == got["sha256"])
			}
			// The revocation list names the credential only once revoked.
			_, body = visitorGet(t, pa, "/verify/"+c.Code+"/status.json")
			var status struct {
				Type    string `json:"type"`
				Revoked []struct {
					ID string `json:"id"`
				} `json:"revokedCredentials"`
			}
			json.Unmarshal(body, &status)
			if status.Type != "1EdTechRevocationList" || (len(status.Revoked) == 1) != (st == courses.CertRevoked) {
				t.Fatalf("status list: %s", body)
			}
		})
	}
	// Unknown and malformed codes: a 404 page that says so, and a JSON 404.
	for _, code := range []string{"K7Q2-M9XD-4TPA-8WBN", "not-a-code", strings.Repeat("A", 300)} {
		resp, body := visitorGet(t, pa, "/verify/"+code)
		if resp.StatusCode != 404 || !strings.Contains(doc(t, string(body)).Find("#verify-result").Text(), "No certificate has the code") {
			t.Errorf("unknown code %.20s: %d", code, resp.StatusCode)
		}
		if resp, _ := visitorGet(t, pa, "/verify/"+code+".json"); resp.StatusCode != 404 {
			t.Errorf("unknown code %.20s (json): %d", code, resp.StatusCode)
		}
	}
	// The code form redirects to the page; a malformed one is refused next to the field.
	if resp, _ := visitorGet(t, pa, "/verify?code="+strings.ToLower(byStatus[courses.CertValid][0].Code)); resp.StatusCode != 303 ||
		resp.Header.Get("Location") != "/verify/"+byStatus[courses.CertValid][0].Code {
		t.Fatalf("verify form: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := visitorGet(t, pa, "/verify?code=abc"); resp.StatusCode != 422 || doc(t, string(body)).Find("#e-code").Length() != 1 {
		t.Fatalf("malformed code in the form: %d", resp.StatusCode)
	}
}

// TestCertificatePDFTools: a demo certificate's PDF passes qpdf, holds the
// name, programme and code as text, and its QR code (at 150 dpi) decodes to
// the verify address.
func TestCertificatePDFTools(t *testing.T) {
	ts := mustServer(t, "sqlite")
	c := demoCertificates(t, ts)[courses.CertValid][0]
	hr := ts.client(t)
	hr.signIn(hrEmail)
	_, pdf := hr.get("/certificates/" + c.Code + ".pdf")
	dir := t.TempDir()
	path := filepath.Join(dir, "c.pdf")
	os.WriteFile(path, []byte(pdf), 0o644)
	if out, err := exec.Command(needPDFTool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, out)
	}
	text, err := exec.Command(needPDFTool(t, "pdftotext"), path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, want := range []string{c.EmployeeName, c.Achievement, c.Code, c.CompanyName} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if out, err := exec.Command(needPDFTool(t, "pdftoppm"), "-r", "150", "-png", "-singlefile", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(needPDFTool(t, "zbarimg"), "--quiet", "--raw", filepath.Join(dir, "page.png")).Output()
	if err != nil || strings.TrimSpace(string(out)) != c.VerifyURL {
		t.Fatalf("QR code %q (%v), want %q", out, err, c.VerifyURL)
	}
}

// TestBadgesMatchSchema: the Open Badges credential of every demo
// certificate validates against 1EdTech's OB 3.0 schema (kept in
// courses/certdoc/testdata; see its README).
func TestBadgesMatchSchema(t *testing.T) {
	ts := mustServer(t, "sqlite")
	pa := proxiedApp(t, ts)
	f, err := os.Open("../courses/certdoc/testdata/ob_v3p0_achievementcredential_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	if err := comp.AddResource("ob3.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := comp.Compile("ob3.json")
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{}).ListCertificates(context.Background(), courses.CertFilter{})
	if err != nil || len(list) == 0 {
		t.Fatalf("%d certificates: %v", len(list), err)
	}
	for _, c := range list {
		resp, body := visitorGet(t, pa, "/verify/"+c.Code+"/badge.json")
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatal("rate-limited: the test address must differ per request")
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
		if err != nil {
			t.Fatalf("%s: %v", c.Code, err)
		}
		if err := schema.Validate(v); err != nil {
			t.Fatalf("%s does not validate: %v", c.Code, err)
		}
	}
}

// TestVerifyRateLimit: one address gets a burst, then 429 with Retry-After;
// another address is not affected.
func TestVerifyRateLimit(t *testing.T) {
	ts := mustServer(t, "sqlite")
	pa := proxiedApp(t, ts)
	get := func(ip string) *http.Response {
		req, _ := http.NewRequest("GET", "http://localhost/verify/K7Q2-M9XD-4TPA-8WBN.json", nil)
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := pa.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	var last *http.Response
	n := 0
	for ; n < 100; n++ {
		if last = get("198.51.100.7"); last.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if n < 20 || n >= 100 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("limited after %d requests (Retry-After %q)", n, last.Header.Get("Retry-After"))
	}
	if get("198.51.100.8").StatusCode == http.StatusTooManyRequests {
		t.Fatal("another address was limited too")
	}
}

// TestCertificatesAPIAndAccess: the API's shapes and filters, and who may
// download which certificate (own, line, everyone), by page and by token.
func TestCertificatesAPIAndAccess(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	s := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	all, _, _ := s.ListCertificates(ctx, courses.CertFilter{})
	mgr, _ := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	var inLineCert, outsideCert *courses.Certificate
	for i := range all {
		c := &all[i]
		in, _ := ts.People.InLine(ctx, mgr.ID, c.EmployeeID)
		if in && inLineCert == nil {
			inLineCert = c
		}
		if !in && c.EmployeeID != mgr.ID && outsideCert == nil {
			outsideCert = c
		}
	}
	if inLineCert == nil || outsideCert == nil {
		t.Fatal("the demo needs certificates inside and outside the contact centre manager's line")
	}
	token := func(role people.Role, emp string) string {
		tok, _, err := ts.People.CreateToken(ctx, string(role), role, emp, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	hrTok, mgrTok := token(people.RoleHR, ""), token(people.RoleManager, "BW1012")
	call := func(tok, path string, v any) int {
		req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := ts.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			json.NewDecoder(resp.Body).Decode(v)
		}
		return resp.StatusCode
	}
	var list struct {
		Certificates []map[string]any `json:"certificates"`
	}
	if st := call(hrTok, "/api/v1/certificates", &list); st != 200 || len(list.Certificates) != len(all) {
		t.Fatalf("HR list: %d, %d of %d", st, len(list.Certificates), len(all))
	}
	for _, k := range []string{"code", "employee_number", "employee_name", "programme", "issued_at", "expires_at", "status"} {
		if _, ok := list.Certificates[0][k]; !ok {
			t.Fatalf("a certificate lacks %q: %v", k, list.Certificates[0])
		}
	}
	if st := call(hrTok, "/api/v1/certificates?status=revoked", &list); st != 200 || len(list.Certificates) != 1 || list.Certificates[0]["status"] != "revoked" {
		t.Fatalf("revoked filter: %d %v", st, list.Certificates)
	}
	if st := call(hrTok, "/api/v1/certificates?programme=induction&status=valid", &list); st != 200 || len(list.Certificates) == 0 {
		t.Fatalf("programme filter: %d", st)
	}
	for _, c := range list.Certificates {
		if c["programme"] != "induction" || c["status"] != "valid" {
			t.Fatalf("programme filter returned %v", c)
		}
	}
	var e map[string]any
	if st := call(hrTok, "/api/v1/certificates?status=lost", &e); st != 422 || e["field"] != "status" {
		t.Fatalf("bad status: %d %v", st, e)
	}
	// The manager's token sees the line only.
	if st := call(mgrTok, "/api/v1/certificates", &list); st != 200 {
		t.Fatal(st)
	}
	for _, c := range list.Certificates {
		if c["code"] == outsideCert.Code {
			t.Fatal("a manager's token listed a certificate outside the line")
		}
	}
	if st := call(mgrTok, "/api/v1/certificates/"+outsideCert.Code, nil); st != 404 {
		t.Fatalf("outside the line by code: %d", st)
	}
	if st := call(mgrTok, "/api/v1/certificates/"+inLineCert.Code+".pdf", nil); st != 200 {
		t.Fatalf("PDF in the line: %d", st)
	}
	var one map[string]any
	if st := call(mgrTok, "/api/v1/certificates/"+inLineCert.Code, &one); st != 200 || one["code"] != inLineCert.Code {
		t.Fatalf("one certificate: %d %v", st, one)
	}
	// Pages: a manager downloads the line's, not others'; staff see their own list.
	m := ts.client(t)
	m.signIn(ccMgrEmail)
	if resp, _ := m.get("/certificates/" + inLineCert.Code + ".pdf"); resp.StatusCode != 200 {
		t.Fatalf("manager, line: %d", resp.StatusCode)
	}
	if resp, _ := m.get("/certificates/" + outsideCert.Code + ".pdf"); resp.StatusCode != 404 {
		t.Fatalf("manager, outside: %d", resp.StatusCode)
	}
	owner, _ := ts.People.FindEmployee(ctx, outsideCert.EmployeeID)
	if err := ts.People.SetPassword(ctx, owner.ID, demoPassword); err != nil {
		t.Fatal(err)
	}
	o := ts.client(t)
	o.signIn(owner.Email)
	_, body := o.get("/me/certificates")
	if doc(t, body).Find(`#my-certificates tr[data-code="`+outsideCert.Code+`"] a[href$=".pdf"]`).Length() != 1 {
		t.Fatal("My certificates does not list the owner's certificate with a download")
	}
	if resp, _ := o.get("/certificates/" + inLineCert.Code + ".pdf"); inLineCert.EmployeeID != owner.ID && resp.StatusCode != 404 {
		t.Fatalf("someone else's certificate: %d", resp.StatusCode)
	}
}
