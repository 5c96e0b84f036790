package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/store"
)

// Verification is public: anyone holding a certificate's code (or its QR
// code) can check it. Pages say the status, the name, the achievement,
// the dates, the issuer and the SHA-256 of the PDF; nothing else personal
// (never a revocation's reason, never a score).

// verifyLimiter limits verify requests per client address: a token bucket
// of verifyBurst requests, refilled at verifyRate per second. Each instance
// keeps its own buckets.
type verifyLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

const (
	verifyBurst = 30
	verifyRate  = 1.0 // per second: 60 a minute sustained
)

func newVerifyLimiter() *verifyLimiter { return &verifyLimiter{buckets: map[string]*bucket{}} }

// allow takes a token for ip at now; when none is left it returns how long
// until the next one.
func (l *verifyLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute { // forget idle addresses
		for k, b := range l.buckets {
			if now.Sub(b.at) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[ip]
	if b == nil {
		b = &bucket{tokens: verifyBurst, at: now}
		l.buckets[ip] = b
	}
	b.tokens = min(verifyBurst, b.tokens+now.Sub(b.at).Seconds()*verifyRate)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / verifyRate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// verifyLimit is the middleware of the verify routes.
func (s *Server) verifyLimit(c *fiber.Ctx) error {
	jsonURL := strings.HasSuffix(c.Path(), ".json")
	if jsonURL {
		c.Set("X-Content-Type-Options", "nosniff")
	}
	ok, wait := s.verifies.allow(strings.Clone(c.IP()), time.Now())
	if ok {
		return c.Next()
	}
	c.Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	const msg = "Too many verification requests from your address: please wait a minute and try again."
	if jsonURL { // the JSON addresses answer in JSON, errors too
		return s.jsonError(c, store.Errorf(store.TooMany, msg))
	}
	return store.Errorf(store.TooMany, msg)
}

// verifyCode reads the code of the address (with or without a suffix).
func verifyCode(c *fiber.Ctx) string {
	code, err := url.PathUnescape(c.Params("code"))
	if err != nil {
		return ""
	}
	return strings.Clone(code)
}

// verifyForm is /verify: type a code, or go to it.
func (s *Server) verifyForm(c *fiber.Ctx) error {
	code := queryTrimmed(c, "code")
	if code == "" {
		return s.render(c, "verify/form", fiber.Map{"Title": "Verify a certificate"})
	}
	canon, err := certdoc.ParseCode(code)
	if err != nil {
		return s.renderStatus(c, http.StatusUnprocessableEntity, "verify/form", fiber.Map{"Title": "Verify a certificate", "Code": code,
			"Errors": map[string]string{"code": "A certificate code has 16 letters and digits in four groups, such as K7Q2-M9XD-4TPA-8WBN."}})
	}
	return c.Redirect("/verify/"+canon, http.StatusSeeOther)
}

// verifyShow is the public verify page of a certificate; an unknown or
// malformed code gets a 404 page that says so.
func (s *Server) verifyShow(c *fiber.Ctx) error {
	code := verifyCode(c)
	cert, err := s.courses.FindCertificate(c.UserContext(), code)
	if err != nil {
		if store.IsNotFound(err) {
			return s.renderStatus(c, http.StatusNotFound, "verify/show", fiber.Map{"Title": "Certificate not found", "Code": code})
		}
		return err
	}
	_, sum, err := s.courses.PDF(c.UserContext(), cert)
	if err != nil {
		return err
	}
	loc, err := s.courses.Location(c.UserContext())
	if err != nil {
		return err
	}
	now := s.courses.Now()
	return s.render(c, "verify/show", fiber.Map{"Title": "Certificate " + cert.Code, "C": cert, "Status": cert.Status(now),
		"SHA": sum, "Loc": loc, "Code": cert.Code})
}

// apiVerify is the JSON form of the verify page.
type apiVerify struct {
	Code      string     `json:"code"`
	Status    string     `json:"status"`
	Name      string     `json:"name"`
	Programme string     `json:"programme"`
	IssuedAt  time.Time  `json:"issued_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	Issuer    string     `json:"issuer"`
	SHA256    string     `json:"sha256"`
}

// verifyCert finds the certificate of a JSON verify address, answering 404
// JSON itself when there is none.
func (s *Server) verifyCert(c *fiber.Ctx) (*courses.Certificate, error) {
	cert, err := s.courses.FindCertificate(c.UserContext(), verifyCode(c))
	if err != nil {
		if store.IsNotFound(err) {
			return nil, s.jsonError(c, &store.Error{Kind: store.NotFound, Field: "code", Message: "There is no certificate with that code."})
		}
		return nil, err
	}
	c.Set("Access-Control-Allow-Origin", "*") // anyone may verify, from anywhere
	c.Set("Cache-Control", "no-cache")
	return cert, nil
}

func (s *Server) verifyJSON(c *fiber.Ctx) error {
	cert, err := s.verifyCert(c)
	if cert == nil {
		return err
	}
	_, sum, err := s.courses.PDF(c.UserContext(), cert)
	if err != nil {
		return err
	}
	out := apiVerify{Code: cert.Code, Status: string(cert.Status(s.courses.Now())), Name: cert.EmployeeName, Programme: cert.Achievement,
		IssuedAt: cert.IssuedAt.UTC(), ExpiresAt: utcPtr(cert.ExpiresAt), Issuer: cert.CompanyName, SHA256: sum}
	return c.JSON(out)
}

// issuerID is the id of the issuing company's Open Badges profile.
func (s *Server) issuerID() string { return s.cfg.BaseURL + "/issuer" }

// badgeInput is the Open Badges credential of a certificate.
func (s *Server) badgeInput(c *fiber.Ctx, cert *courses.Certificate) (certdoc.BadgeInput, error) {
	p, err := s.courses.FindProgrammeByID(c.UserContext(), cert.ProgrammeID)
	if err != nil {
		return certdoc.BadgeInput{}, err
	}
	var required []string
	for _, pc := range p.Courses {
		if pc.Required {
			required = append(required, pc.Title)
		}
	}
	criteria := "Completed every required course of the programme, with its quizzes and observed role-plays: " + strings.Join(required, "; ") + "."
	desc := p.Description
	if cert.CourseSlug != "" {
		criteria = "Completed the course " + cert.Achievement + ", with its quiz and observed role-play where it has them."
		desc = "A course of " + p.Title + "."
	}
	if desc == "" {
		desc = p.Title
	}
	achievement := s.cfg.BaseURL + "/achievements/" + url.PathEscape(p.Slug) + "/v" + strconv.Itoa(cert.ProgrammeVersion)
	if cert.CourseSlug != "" {
		achievement = s.cfg.BaseURL + "/achievements/courses/" + url.PathEscape(cert.CourseSlug)
	}
	return certdoc.BadgeInput{VerifyURL: cert.VerifyURL, IssuerID: s.issuerID(), IssuerName: cert.CompanyName, IssuerURL: s.cfg.BaseURL,
		EmployeeName: cert.EmployeeName, AchievementID: achievement, Programme: cert.Achievement, Description: desc, Criteria: criteria,
		IssuedAt: cert.IssuedAt, ExpiresAt: cert.ExpiresAt}, nil
}

// verifyBadge is the certificate as an Open Badges 3.0 credential.
func (s *Server) verifyBadge(c *fiber.Ctx) error {
	cert, err := s.verifyCert(c)
	if cert == nil {
		return err
	}
	in, err := s.badgeInput(c, cert)
	if err != nil {
		return err
	}
	b, err := certdoc.Badge(in)
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/ld+json")
	return c.Send(b)
}

// verifyStatus is the credential's 1EdTech revocation list: empty while it
// stands, naming the credential once revoked (never the reason).
func (s *Server) verifyStatus(c *fiber.Ctx) error {
	cert, err := s.verifyCert(c)
	if cert == nil {
		return err
	}
	type revoked struct {
		ID string `json:"id"`
	}
	list := []revoked{}
	if cert.RevokedAt != nil {
		list = append(list, revoked{ID: cert.VerifyURL})
	}
	return c.JSON(fiber.Map{"id": cert.VerifyURL + "/status.json", "type": "1EdTechRevocationList", "issuer": s.issuerID(),
		"revokedCredentials": list})
}

// issuerProfile is the issuing company as an Open Badges profile.
func (s *Server) issuerProfile(c *fiber.Ctx) error {
	prof, err := s.courses.CachedCompany(c.UserContext())
	if err != nil {
		return err
	}
	name := prof.Name
	if name == "" {
		name = "Service Academy"
	}
	b, _ := json.Marshal(fiber.Map{"@context": []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id": s.issuerID(), "type": []string{"Profile"}, "name": name, "url": s.cfg.BaseURL})
	c.Set("Content-Type", "application/ld+json")
	c.Set("Access-Control-Allow-Origin", "*")
	return c.Send(b)
}

// --- Downloads and the learner's certificates -----------------------------

// certificateFor returns the certificate of the address if the principal
// may see it: their own, their line's (managers), anyone's (HR); NotFound
// otherwise.
func (s *Server) certificateFor(c *fiber.Ctx) (*courses.Certificate, error) {
	cert, err := s.courses.FindCertificate(c.UserContext(), verifyCode(c))
	if err != nil {
		return nil, err
	}
	e, err := s.people.FindEmployee(c.UserContext(), cert.EmployeeID)
	if err != nil {
		return nil, err
	}
	if err := s.checkVisible(c, e); err != nil {
		return nil, store.Errorf(store.NotFound, "There is no certificate with that code that you may see.")
	}
	return cert, nil
}

// certificatePDF downloads a certificate's PDF.
func (s *Server) certificatePDF(c *fiber.Ctx) error {
	cert, err := s.certificateFor(c)
	if err != nil {
		return err
	}
	b, _, err := s.courses.PDF(c.UserContext(), cert)
	if err != nil {
		return err
	}
	sendPDF(c, "certificate-"+cert.Code+".pdf", b)
	return nil
}

func sendPDF(c *fiber.Ctx, name string, b []byte) {
	download(c, "application/pdf", "attachment", url.PathEscape(name))
	c.Send(b)
}

// myCertificates lists the signed-in employee's certificates, newest first.
func (s *Server) myCertificates(c *fiber.Ctx) error {
	p := principal(c)
	list, _, err := s.courses.ListCertificates(c.UserContext(), courses.CertFilter{EmployeeID: p.Employee.ID})
	if err != nil {
		return err
	}
	loc, err := s.courses.Location(c.UserContext())
	if err != nil {
		return err
	}
	now := s.courses.Now()
	rows := make([]certRow, len(list))
	for i := range list {
		rows[i] = certRow{C: list[i], Status: list[i].Status(now)}
	}
	return s.render(c, "verify/mine", fiber.Map{"Title": "My certificates", "Rows": rows, "Loc": loc})
}
