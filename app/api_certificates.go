package app

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

type apiCertificate struct {
	Code           string     `json:"code"`
	EmployeeNumber string     `json:"employee_number"`
	EmployeeName   string     `json:"employee_name"`
	Programme      string     `json:"programme"`
	Achievement    string     `json:"achievement"`
	Course         *string    `json:"course,omitempty"`
	IssuedAt       time.Time  `json:"issued_at"`
	ExpiresAt      *time.Time `json:"expires_at"`
	Status         string     `json:"status"`
	VerifyURL      string     `json:"verify_url"`
}

func certificateJSON(c *courses.Certificate, now time.Time) apiCertificate {
	out := apiCertificate{Code: c.Code, EmployeeNumber: c.EmployeeNumber, EmployeeName: c.EmployeeName, Programme: c.ProgrammeSlug,
		Achievement: c.Achievement, IssuedAt: c.IssuedAt.UTC(), ExpiresAt: utcPtr(c.ExpiresAt), Status: string(c.Status(now)), VerifyURL: c.VerifyURL}
	if c.CourseSlug != "" {
		slug := c.CourseSlug
		out.Course = &slug
	}
	return out
}

// apiCertificates lists certificates: a staff token its employee's, a
// manager token its reporting line's (and its own), HR and admin tokens
// everyone's; filters employee (number), programme (slug) and status.
func (s *Server) apiCertificates(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	var f courses.CertFilter
	if num := queryTrimmed(c, "employee"); num != "" {
		e, err := s.visibleEmployee(c, num)
		if err != nil {
			if store.IsNotFound(err) {
				return store.FieldError("employee", "There is no employee %q that this token may see.", num)
			}
			return err
		}
		f.EmployeeID = e.ID
	} else if !p.SeesEveryone() {
		if p.Employee == nil {
			return store.Errorf(store.Forbidden, "This token acts as no employee.")
		}
		f.EmployeeIDs = []int64{p.Employee.ID}
		if p.Has(people.RoleManager) {
			line, err := s.people.ReportingLine(ctx, p.Employee.ID, false)
			if err != nil {
				return err
			}
			for _, m := range line {
				f.EmployeeIDs = append(f.EmployeeIDs, m.ID)
			}
		}
	}
	if slug := queryTrimmed(c, "programme"); slug != "" {
		pr, err := s.courses.FindProgramme(ctx, slug)
		if err != nil {
			if store.IsNotFound(err) {
				return store.FieldError("programme", "There is no programme %q.", slug)
			}
			return err
		}
		f.ProgrammeID = pr.ID
	}
	if st := queryTrimmed(c, "status"); st != "" {
		f.Status = courses.CertStatus(st)
		valid := false
		for _, v := range courses.CertStatuses {
			valid = valid || v == f.Status
		}
		if !valid {
			return store.FieldError("status", "status is one of valid, expired, revoked, superseded.")
		}
	}
	list, _, err := s.courses.ListCertificates(ctx, f)
	if err != nil {
		return err
	}
	now := s.courses.Now()
	out := make([]apiCertificate, len(list))
	for i := range list {
		out[i] = certificateJSON(&list[i], now)
	}
	return c.JSON(fiber.Map{"certificates": out})
}

// apiCertificate is one certificate, with the same access as the list.
func (s *Server) apiCertificate(c *fiber.Ctx) error {
	cert, err := s.certificateFor(c)
	if err != nil {
		return err
	}
	out := certificateJSON(cert, s.courses.Now())
	return c.JSON(fiber.Map{"code": out.Code, "employee_number": out.EmployeeNumber, "employee_name": out.EmployeeName,
		"programme": out.Programme, "achievement": out.Achievement, "course": out.Course, "issued_at": out.IssuedAt,
		"expires_at": out.ExpiresAt, "status": out.Status, "verify_url": out.VerifyURL, "score": cert.Score,
		"revoked_at": utcPtr(cert.RevokedAt), "superseded_at": utcPtr(cert.SupersededAt)})
}
