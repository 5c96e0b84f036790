package courses_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestCertificates: a completed cycle issues a certificate in the same
// transaction; a recertification supersedes it; revoke and reissue; the
// record renders to the same bytes; per-course certificates when asked.
func TestCertificates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		f := newProgFixture(t, db)
		docs, err := certdoc.NewRenderer()
		if err != nil {
			t.Fatal(err)
		}
		score := 87.5
		f.assessed.score = &score
		f.s = courses.NewStore(db, f.assessed, courses.Options{Clock: f.clock, Docs: docs, BaseURL: "https://academy.example.com"})
		in := programmeInput("fd")
		in.ShowScore = true
		if _, err := f.s.CreateProgramme(ctx, in, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "fd", EmployeeIDs: []int64{f.a}}, false); err != nil {
			t.Fatal(err)
		}
		f.finish(t, f.a, "alpha")
		if list, _, _ := f.s.ListCertificates(ctx, courses.CertFilter{EmployeeID: f.a}); len(list) != 0 {
			t.Fatal("a certificate before the programme was complete")
		}
		f.finish(t, f.a, "beta")
		list, n, err := f.s.ListCertificates(ctx, courses.CertFilter{EmployeeID: f.a})
		if err != nil || n != 1 {
			t.Fatalf("certificates after completion: %d %v", n, err)
		}
		c := list[0]
		if c.Achievement != "Programme fd" || c.EmployeeName != "First A1" || c.Score == nil || *c.Score != score || c.ExpiresAt == nil ||
			c.VerifyURL != "https://academy.example.com/verify/"+c.Code || c.Status(f.clock.Now()) != courses.CertValid || c.TimeZone != "Europe/London" {
			t.Fatalf("certificate: %+v", c)
		}
		if _, err := certdoc.ParseCode(c.Code); err != nil {
			t.Fatalf("code %q: %v", c.Code, err)
		}
		// The same record, the same bytes; the hash is recorded.
		b1, h1, err := f.s.PDF(ctx, &c)
		if err != nil {
			t.Fatal(err)
		}
		found, _ := f.s.FindCertificate(ctx, c.Code)
		b2, h2, _ := f.s.PDF(ctx, found)
		if string(b1) != string(b2) || h1 != h2 || found.PDFSHA256 != h1 {
			t.Fatal("the same certificate rendered differently, or its hash was not kept")
		}
		// Company settings changed later do not change an issued certificate.
		cs, _ := f.s.CertificateSettings(ctx)
		cs.Title, cs.SignatoryName = "Award", "New Signatory"
		if err := f.s.SaveCertificateSettings(ctx, cs, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if b3, _, _ := f.s.PDF(ctx, found); string(b3) != string(b1) {
			t.Fatal("new settings changed an issued certificate's bytes")
		}
		cs.AccentColor = "blue"
		if err := f.s.SaveCertificateSettings(ctx, cs, nil, "test"); store.FieldOf(err) != "accent_color" {
			t.Fatalf("bad colour: %v", err)
		}
		// Lookups: any case, hyphens optional; unknown and malformed codes are NotFound.
		if _, err := f.s.FindCertificate(ctx, "  "+lower(c.Code)+" "); err != nil {
			t.Fatalf("lower-case code: %v", err)
		}
		for _, bad := range []string{"", "XXXX", "K7Q2-M9XD-4TPA-8WBN", "'; DROP TABLE certificates; --"} {
			if _, err := f.s.FindCertificate(ctx, bad); !store.IsNotFound(err) {
				t.Errorf("code %q: %v", bad, err)
			}
		}
		// Expired at the expiry; a recertification supersedes it.
		if st := c.Status(*c.ExpiresAt); st != courses.CertExpired {
			t.Fatalf("at the expiry: %s", st)
		}
		f.clock.Set(c.ExpiresAt.AddDate(0, 0, -10))
		if _, err := f.s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(f.clock.Now().Add(24 * time.Hour))
		f.finish(t, f.a, "alpha")
		f.finish(t, f.a, "beta")
		list, _, _ = f.s.ListCertificates(ctx, courses.CertFilter{EmployeeID: f.a})
		if len(list) != 2 || list[0].Status(f.clock.Now()) != courses.CertValid || list[1].Status(f.clock.Now()) != courses.CertSuperseded ||
			list[1].SupersededByID == nil || *list[1].SupersededByID != list[0].ID {
			t.Fatalf("after recertification: %+v", list)
		}
		// Revoke: a reason is required; revoked once.
		if _, err := f.s.RevokeCertificate(ctx, list[0].Code, " ", nil, "test"); store.FieldOf(err) != "reason" {
			t.Fatalf("revoke without a reason: %v", err)
		}
		// Reissue after a change of name: the new one carries it, the old is superseded.
		e, _ := f.ppl.FindEmployee(ctx, f.a)
		if _, err := f.ppl.SaveEmployee(ctx, people.EmployeeInput{Number: e.Number, FirstName: "Zoë", LastName: "Núñez Øberg", Email: e.Email,
			Department: e.Department, Location: e.Location, JobTitle: e.JobTitle, ManagerNumber: e.ManagerNumber, HireDate: e.HireDate, Active: true}); err != nil {
			t.Fatal(err)
		}
		re, err := f.s.ReissueCertificate(ctx, list[0].Code, nil, "test")
		if err != nil || re.EmployeeName != "Zoë Núñez Øberg" || re.Code == list[0].Code || !re.IssuedAt.Equal(list[0].IssuedAt) {
			t.Fatalf("reissue: %+v %v", re, err)
		}
		old, _ := f.s.FindCertificate(ctx, list[0].Code)
		if old.Status(f.clock.Now()) != courses.CertSuperseded {
			t.Fatalf("the reissued certificate: %s", old.Status(f.clock.Now()))
		}
		if _, err := f.s.ReissueCertificate(ctx, list[0].Code, nil, "test"); store.KindOf(err) != store.Conflict {
			t.Fatalf("reissuing a superseded certificate: %v", err)
		}
		if _, err := f.s.RevokeCertificate(ctx, re.Code, "Issued in error", nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RevokeCertificate(ctx, re.Code, "Again", nil, "test"); store.KindOf(err) != store.Conflict {
			t.Fatalf("revoking twice: %v", err)
		}
		if got, _ := f.s.FindCertificate(ctx, re.Code); got.Status(f.clock.Now()) != courses.CertRevoked || got.RevokedReason != "Issued in error" {
			t.Fatalf("revoked: %+v", got)
		}
		if list, _, _ := f.s.ListCertificates(ctx, courses.CertFilter{Status: courses.CertRevoked}); len(list) != 1 {
			t.Fatalf("revoked filter: %d", len(list))
		}
		// A programme that asks for certificates per course.
		per := courses.ProgrammeInput{Slug: "per", Title: "Per course", Due: courses.DueRule{Kind: courses.DueNone}, CertificatePerCourse: true,
			Courses: []courses.ProgrammeCourseInput{{Slug: "gamma", Required: true}}}
		if _, err := f.s.CreateProgramme(ctx, per, nil, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assign(ctx, courses.AssignRequest{Programme: "per", EmployeeIDs: []int64{f.b}}, false); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(f.clock.Now().Add(time.Hour))
		f.finish(t, f.b, "gamma")
		list, _, _ = f.s.ListCertificates(ctx, courses.CertFilter{EmployeeID: f.b})
		if len(list) != 2 || (list[0].CourseSlug != "gamma") == (list[1].CourseSlug != "gamma") {
			t.Fatalf("per-course and programme certificates: %+v", list)
		}
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
