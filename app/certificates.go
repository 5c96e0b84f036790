package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Certificates (HR): the register with its filters and a bulk download as
// one zip, one certificate's record with revoke and reissue, and the
// certificate settings with a PDF preview.

const (
	certificatesPath = "/certificates"
	certPageSize     = 50
	// maxBulkCertificates caps one zip download: about a minute of
	// rendering on two cores, and about 400 MB.
	maxBulkCertificates = 20000
	// bulkLoadPage is how many records a bulk download loads at a time.
	bulkLoadPage = 200
	// bulkStall is how long a bulk download may go without sending a
	// certificate before the connection is given up.
	bulkStall = 2 * time.Minute
	// expiringSoonDays is when a valid certificate's expiry is pointed out.
	expiringSoonDays = 30
)

func certificatePath(code string) string { return certificatesPath + "/" + url.PathEscape(code) }

// daysUntil is the number of calendar days in loc from now to t.
func daysUntil(now, t time.Time, loc *time.Location) int {
	a, b := courses.LocalDay(now, loc), courses.LocalDay(t, loc)
	day := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) }
	return int(day(b).Sub(day(a)).Hours() / 24)
}

// --- The register ---------------------------------------------------------

// certFilterForm is the register's filters as typed: the page's query, and
// the same fields in the bulk download form.
type certFilterForm struct {
	Status, Programme, Department, Expiring, Search string
}

// newCertFilterForm reads the filters with get (c.Query or c.FormValue),
// copying every value.
func newCertFilterForm(get func(string) string) certFilterForm {
	v := func(k string) string { return strings.TrimSpace(strings.Clone(get(k))) }
	return certFilterForm{Status: v("status"), Programme: v("programme"), Department: v("department"), Expiring: v("expiring"), Search: v("q")}
}

// query is the filters as URL parameters (empty ones left out).
func (f certFilterForm) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "programme": f.Programme, "department": f.Department, "expiring": f.Expiring, "q": f.Search} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// Empty reports whether no filter is set.
func (f certFilterForm) Empty() bool { return len(f.query()) == 0 }

// filter turns the form into a store filter; programmes are looked up by
// slug. Values that are not choices are dropped from f; a number of days
// that is not one is a message for the field.
func (f *certFilterForm) filter(progs []*courses.Programme) (courses.CertFilter, fieldMessages) {
	errs := fieldMessages{}
	var cf courses.CertFilter
	if st := courses.CertStatus(f.Status); slices.Contains(courses.CertStatuses, st) {
		cf.Status = st
	} else {
		f.Status = ""
	}
	if f.Programme != "" {
		i := slices.IndexFunc(progs, func(p *courses.Programme) bool { return p.Slug == f.Programme })
		if i < 0 {
			f.Programme = ""
		} else {
			cf.ProgrammeID = progs[i].ID
		}
	}
	if id := orgID(f.Department); id != nil {
		cf.DepartmentID = *id
	} else {
		f.Department = ""
	}
	if f.Expiring != "" {
		n, err := strconv.Atoi(f.Expiring)
		if err != nil || n < 1 || n > 3660 {
			errs.add("expiring", "Enter a whole number of days from 1 to 3660, such as 30.")
		} else {
			cf.ExpiringDays = n
		}
	}
	cf.Search = f.Search
	return cf, errs
}

// certRow is one certificate in the register.
type certRow struct {
	C         courses.Certificate
	Status    courses.CertStatus
	ExpiresIn int  // days, when valid and expiring within expiringSoonDays
	Soon      bool // ExpiresIn is set
}

// certBar is one status's count, for the register's chart and filter.
type certBar struct {
	Status courses.CertStatus
	N      int
}

func (s *Server) certificateIndex(c *fiber.Ctx) error {
	f := newCertFilterForm(func(k string) string { return c.Query(k) })
	return s.certificateRegister(c, http.StatusOK, f, max(1, c.QueryInt("page", 1)), nil)
}

// certificateRegister renders the register for the filters f (also the
// bulk download's answer when it cannot send a zip, with errs["bulk"]).
func (s *Server) certificateRegister(c *fiber.Ctx, status int, f certFilterForm, page int, errs fieldMessages) error {
	ctx := c.UserContext()
	progs, err := s.courses.ListProgrammes(ctx, true)
	if err != nil {
		return err
	}
	depts, err := s.people.ListOrg(ctx, people.Departments)
	if err != nil {
		return err
	}
	cf, ferrs := f.filter(progs)
	if errs == nil {
		errs = fieldMessages{}
	}
	for k, m := range ferrs {
		errs.add(k, m)
		status = http.StatusUnprocessableEntity
	}
	cf.Limit, cf.Offset = certPageSize, (page-1)*certPageSize
	list, matching, err := s.courses.ListCertificates(ctx, cf)
	if err != nil {
		return err
	}
	// The count of each status under the other filters.
	var bars []certBar
	total := 0
	counts, err := s.courses.CertificateStatusCounts(ctx, cf)
	if err != nil {
		return err
	}
	for _, st := range courses.CertStatuses {
		bars = append(bars, certBar{st, counts[st]})
		total += counts[st]
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	now := s.courses.Now()
	rows := make([]certRow, len(list))
	for i, ce := range list {
		r := certRow{C: ce, Status: ce.Status(now)}
		if r.Status == courses.CertValid && ce.ExpiresAt != nil {
			if d := daysUntil(now, *ce.ExpiresAt, loc); d <= expiringSoonDays {
				r.ExpiresIn, r.Soon = d, true
			}
		}
		rows[i] = r
	}
	return s.renderStatus(c, status, "certificates/index", fiber.Map{"Title": "Certificates", "Rows": rows, "Matching": matching,
		"Total": total, "Bars": bars, "Chart": certBarSVG(bars), "Filter": f, "Programmes": progs, "Departments": depts, "Loc": loc,
		"Errors": map[string]string(errs), "Page": pageOf(certificatesPath, f.query(), page, certPageSize, matching),
		"MaxBulk": thousands(maxBulkCertificates)})
}

// --- One certificate ------------------------------------------------------

// certificateDetail is what the detail page shows besides the record.
type certificateDetail struct {
	C                          *courses.Certificate
	Status                     courses.CertStatus
	Template                   certdoc.Template
	Employee                   *people.Employee // now: the current name
	RevokedBy                  *people.Employee
	SupersededBy, ReissuedFrom string // codes
	Score                      string // "92%"; "" for none
}

// findCertificate loads the certificate of the address (NotFound for a
// malformed code).
func (s *Server) findCertificate(c *fiber.Ctx) (*courses.Certificate, error) {
	return s.courses.FindCertificate(c.UserContext(), slugParam(c, "code"))
}

func (s *Server) certificateShow(c *fiber.Ctx) error {
	cert, err := s.findCertificate(c)
	if err != nil {
		return err
	}
	if cert.Code != slugParam(c, "code") { // typed in another form: the canonical address
		return c.Redirect(certificatePath(cert.Code), http.StatusMovedPermanently)
	}
	return s.certificatePage(c, http.StatusOK, cert, nil, "", "")
}

// certificatePage renders a certificate's record with its forms: errs by
// field and the reason as typed for the revoke form, problem for a
// message about the whole page (a conflict).
func (s *Server) certificatePage(c *fiber.Ctx, status int, cert *courses.Certificate, errs fieldMessages, reason, problem string) error {
	ctx := c.UserContext()
	d := certificateDetail{C: cert, Status: cert.Status(s.courses.Now())}
	if cert.Score != nil {
		d.Score = strings.TrimSuffix(fmt.Sprintf("%.1f", *cert.Score), ".0") + "%"
	}
	if err := json.Unmarshal([]byte(cert.Template), &d.Template); err != nil {
		return fmt.Errorf("certificate %s template: %w", cert.Code, err)
	}
	e, err := s.people.FindEmployee(ctx, cert.EmployeeID)
	if err != nil {
		return err
	}
	d.Employee = e
	if cert.RevokedByID != nil {
		if d.RevokedBy, err = s.people.FindEmployee(ctx, *cert.RevokedByID); err != nil && !store.IsNotFound(err) {
			return err
		}
	}
	var linked []int64
	for _, id := range []*int64{cert.SupersededByID, cert.ReissuedFromID} {
		if id != nil {
			linked = append(linked, *id)
		}
	}
	others, err := s.courses.CertificatesByID(ctx, linked)
	if err != nil {
		return err
	}
	for _, o := range others {
		if cert.SupersededByID != nil && o.ID == *cert.SupersededByID {
			d.SupersededBy = o.Code
		}
		if cert.ReissuedFromID != nil && o.ID == *cert.ReissuedFromID {
			d.ReissuedFrom = o.Code
		}
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	return s.renderStatus(c, status, "certificates/show", fiber.Map{"Title": "Certificate " + cert.Code, "D": d, "Loc": loc,
		"CurrentName": strings.TrimSpace(e.FirstName + " " + e.LastName), "Errors": map[string]string(errs),
		"TypedReason": reason, "Problem": problem})
}

// certificateRevoke revokes a certificate with a reason (HR).
func (s *Server) certificateRevoke(c *fiber.Ctx) error {
	cert, err := s.findCertificate(c)
	if err != nil {
		return err
	}
	reason := formValue(c, "reason")
	loc, err := s.courses.Location(c.UserContext())
	if err != nil {
		return err
	}
	if cert.RevokedAt != nil {
		return s.certificatePage(c, http.StatusConflict, cert, nil, "", "This certificate was revoked on "+localDate(loc, cert.RevokedAt)+" already.")
	}
	id, label := principal(c).actor()
	if _, err := s.courses.RevokeCertificate(c.UserContext(), cert.Code, reason, id, label); err != nil {
		switch store.KindOf(err) {
		case store.Invalid:
			return s.certificatePage(c, http.StatusUnprocessableEntity, cert, fieldMessages{"reason": store.MessageOf(err)}, reason, "")
		case store.Conflict:
			return s.certificatePage(c, http.StatusConflict, cert, nil, "", store.MessageOf(err))
		}
		return err
	}
	s.flash(c, "success", "Certificate "+cert.Code+" is revoked: its verify page now says so.")
	return c.Redirect(certificatePath(cert.Code), http.StatusSeeOther)
}

// certificateReissue issues a new certificate with the employee's current
// name and supersedes this one (HR).
func (s *Server) certificateReissue(c *fiber.Ctx) error {
	cert, err := s.findCertificate(c)
	if err != nil {
		return err
	}
	id, label := principal(c).actor()
	nc, err := s.courses.ReissueCertificate(c.UserContext(), cert.Code, id, label)
	if err != nil {
		if store.KindOf(err) == store.Conflict {
			return s.certificatePage(c, http.StatusConflict, cert, nil, "", store.MessageOf(err))
		}
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Reissued as %s in the name %s; %s is superseded.", nc.Code, nc.EmployeeName, cert.Code))
	return c.Redirect(certificatePath(nc.Code), http.StatusSeeOther)
}

// --- Bulk download --------------------------------------------------------

// certificateBulkZip streams the ticked certificates (code, repeated), or
// all those matching the filters (all=1), as one zip of PDFs.
func (s *Server) certificateBulkZip(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form, err := bulkForm(c) // copied: nothing below reads fiber's buffers
	if err != nil {
		return err
	}
	f := newCertFilterForm(form.Get)
	all := form.Get("all") == "1"
	page, _ := strconv.Atoi(form.Get("page"))
	page = max(page, 1)
	refuse := func(msg string) error {
		return s.certificateRegister(c, http.StatusUnprocessableEntity, f, page, fieldMessages{"bulk": msg})
	}
	var cf courses.CertFilter
	if all {
		progs, err := s.courses.ListProgrammes(ctx, true)
		if err != nil {
			return err
		}
		var errs fieldMessages
		if cf, errs = f.filter(progs); len(errs) > 0 {
			return s.certificateRegister(c, http.StatusUnprocessableEntity, f, page, errs)
		}
	} else {
		typed := form["code"]
		if len(typed) > maxBulkCertificates {
			return refuse(fmt.Sprintf("That is %s certificates; one download holds at most %s. Narrow the filters and download them in parts.",
				thousands(len(typed)), thousands(maxBulkCertificates)))
		}
		cf.Codes = []string{}
		seen := map[string]bool{}
		for _, t := range typed {
			code, err := certdoc.ParseCode(t)
			if err != nil {
				if r := []rune(t); len(r) > 40 {
					t = string(r[:40]) + "…"
				}
				return refuse(fmt.Sprintf("%q is not a certificate code.", t))
			}
			if !seen[code] {
				seen[code] = true
				cf.Codes = append(cf.Codes, code)
			}
		}
		if len(cf.Codes) == 0 {
			return refuse("Tick the certificates to download, or choose “Download all matching”.")
		}
	}
	ids, err := s.courses.CertificateIDs(ctx, cf, maxBulkCertificates)
	if err != nil {
		return err
	}
	switch {
	case len(ids) == 0 && all:
		return refuse("No certificate matches these filters: there is nothing to download.")
	case len(ids) > maxBulkCertificates:
		cf.Limit = 1
		_, n, err := s.courses.ListCertificates(ctx, cf)
		if err != nil {
			return err
		}
		return refuse(fmt.Sprintf("%s certificates match; one download holds at most %s. Narrow the filters (a programme, a department, a status) and download them in parts.",
			thousands(n), thousands(maxBulkCertificates)))
	case !all && len(ids) != len(cf.Codes):
		return refuse("Some of the ticked certificates no longer exist. Reload the page and tick them again.")
	}

	loc, err := s.courses.Location(ctx)
	if err != nil {
		return err
	}
	id, label := principal(c).actor()
	if err := people.Audit(ctx, s.cfg.DB, s.courses.Now(), id, label, "certificate.download", "certificates",
		fmt.Sprintf("%d certificates as a zip", len(ids))); err != nil {
		return err
	}
	name := "certificates-" + s.courses.Now().In(loc).Format(time.DateOnly) + ".zip"
	download(c, "application/zip", "attachment", name)
	c.Set("X-Certificate-Count", strconv.Itoa(len(ids)))

	// Everything the writer needs is copied out of the request first: it
	// runs on its own goroutine while fiber reuses the request's buffers.
	pager := &certPager{store: s.courses, ids: ids, size: bulkLoadPage}
	docs, log, n := s.docs, s.log, len(ids)
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		load := func(i int) (certdoc.Certificate, certdoc.Template, error) {
			rec, err := pager.get(ctx, i)
			if err != nil {
				return certdoc.Certificate{}, certdoc.Template{}, err
			}
			return pager.store.Document(ctx, rec)
		}
		// The server's write timeout counts from the start of the answer;
		// a long download instead may not stall for longer than bulkStall.
		stretch := func(int) {
			if conn != nil {
				conn.SetWriteDeadline(time.Now().Add(bulkStall))
			}
		}
		stretch(0)
		if err := docs.WriteZip(ctx, w, n, load, stretch); err != nil {
			log.Warn("bulk certificate download stopped", "certificates", n, "err", err)
		}
	})
	return nil
}

// bulkForm copies the bulk download's form out of fiber's buffers. An
// urlencoded body is read by fasthttp, which, unlike url.ParseQuery, has no
// limit on the number of fields: a selection over the cap gets its message.
func bulkForm(c *fiber.Ctx) (url.Values, error) {
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return formValues(c)
	}
	form := url.Values{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) { form.Add(string(k), string(v)) })
	return form, nil
}

// certPager loads a bulk download's certificates a page at a time, keeping
// the page being rendered and the one before it (WriteZip asks for them
// nearly in order, a few at a time), so memory stays bounded however many
// there are.
type certPager struct {
	store *courses.Store
	ids   []int64
	size  int

	mu    sync.Mutex
	pages map[int][]courses.Certificate
}

func (p *certPager) get(ctx context.Context, i int) (*courses.Certificate, error) {
	n := i / p.size
	p.mu.Lock()
	defer p.mu.Unlock()
	page, ok := p.pages[n]
	if !ok {
		var err error
		if page, err = p.store.CertificatesByID(ctx, p.ids[n*p.size:min((n+1)*p.size, len(p.ids))]); err != nil {
			return nil, err
		}
		if p.pages == nil {
			p.pages = map[int][]courses.Certificate{}
		}
		for k := range p.pages {
			if k < n-1 {
				delete(p.pages, k)
			}
		}
		p.pages[n] = page
	}
	rec := page[i%p.size]
	return &rec, nil
}

// --- Settings -------------------------------------------------------------

var certSettingsFieldOrder = []string{"title", "intro", "completion", "accent_color", "text_color", "signatory_name", "signatory_title"}

// newCertSettingsForm reads the settings with get (c.FormValue or c.Query),
// copying every value. Each colour has a text box and a colour picker:
// whichever of the two was changed from the value the page showed wins.
func newCertSettingsForm(get func(string) string) courses.CertificateSettings {
	v := func(k string) string { return strings.Clone(get(k)) }
	color := func(k string) string {
		text, picked, was := strings.TrimSpace(v(k)), strings.TrimSpace(v(k+"_picker")), v(k+"_was")
		if text == was && picked != "" && !strings.EqualFold(picked, pickerValue(was)) {
			return picked
		}
		return text
	}
	return courses.CertificateSettings{Title: v("title"), Intro: v("intro"), Completion: v("completion"),
		AccentColor: color("accent_color"), TextColor: color("text_color"),
		SignatoryName: v("signatory_name"), SignatoryTitle: v("signatory_title")}
}

// pickerValue is a colour as an <input type=color> takes it (#rrggbb, lower
// case); "#000000" for one that is not a colour.
func pickerValue(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 4 && s[0] == '#' {
		s = string([]byte{'#', s[1], s[1], s[2], s[2], s[3], s[3]})
	}
	if len(s) != 7 || s[0] != '#' || strings.Trim(s[1:], "0123456789abcdef") != "" {
		return "#000000"
	}
	return s
}

// checkCertSettings returns the problems of the settings by field (Check
// tidies a copy: the form keeps what was typed).
func checkCertSettings(cs courses.CertificateSettings) (courses.CertificateSettings, fieldMessages) {
	errs := fieldMessages{}
	for _, e := range cs.Check() {
		errs.add(e.Field, e.Message)
	}
	return cs, errs
}

func (s *Server) certificateSettingsPage(c *fiber.Ctx, status int, cs courses.CertificateSettings, errs fieldMessages) error {
	prof, err := s.courses.CompanyProfile(c.UserContext())
	if err != nil {
		return err
	}
	return s.renderStatus(c, status, "certificates/settings", fiber.Map{"Title": "Certificate settings", "Form": cs,
		"AccentPicker": pickerValue(cs.AccentColor), "TextPicker": pickerValue(cs.TextColor), "Profile": prof,
		"Errors": map[string]string(errs), "ErrorList": orderedErrors(errs, certSettingsFieldOrder)})
}

func (s *Server) certificateSettingsShow(c *fiber.Ctx) error {
	cs, err := s.courses.CertificateSettings(c.UserContext())
	if err != nil {
		return err
	}
	return s.certificateSettingsPage(c, http.StatusOK, cs, nil)
}

func (s *Server) certificateSettingsSave(c *fiber.Ctx) error {
	typed := newCertSettingsForm(func(k string) string { return c.FormValue(k) })
	cs, errs := checkCertSettings(typed)
	if len(errs) > 0 {
		return s.certificateSettingsPage(c, http.StatusUnprocessableEntity, typed, errs)
	}
	id, label := principal(c).actor()
	if err := s.courses.SaveCertificateSettings(c.UserContext(), cs, id, label); err != nil {
		if store.KindOf(err) == store.Invalid {
			return s.certificateSettingsPage(c, http.StatusUnprocessableEntity, typed, fieldMessages{store.FieldOf(err): store.MessageOf(err)})
		}
		return err
	}
	s.flash(c, "success", "Certificate settings saved. Certificates issued from now on use them; those issued already keep theirs.")
	return c.Redirect("/settings/certificates", http.StatusSeeOther)
}

// sampleName is the employee on the preview: letters beyond ASCII show
// whether the fonts carry them.
const sampleName = "Zoë Núñez Øberg"

// certificateSettingsPreview renders a sample certificate with the settings
// in the query (the form's Preview button), or the saved ones without.
func (s *Server) certificateSettingsPreview(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var cs courses.CertificateSettings
	if c.Request().URI().QueryArgs().Has("title") {
		typed := newCertSettingsForm(func(k string) string { return c.Query(k) })
		var errs fieldMessages
		if cs, errs = checkCertSettings(typed); len(errs) > 0 {
			return s.certificateSettingsPage(c, http.StatusUnprocessableEntity, typed, errs)
		}
	} else {
		var err error
		if cs, err = s.courses.CertificateSettings(ctx); err != nil {
			return err
		}
	}
	prof, err := s.courses.CompanyProfile(ctx)
	if err != nil {
		return err
	}
	progs, err := s.courses.ListProgrammes(ctx, false)
	if err != nil {
		return err
	}
	p := &courses.Programme{Title: "Customer Service Essentials", Version: 1, ValidityMonths: 12, ShowScore: true}
	if len(progs) > 0 {
		p = progs[0]
	}
	now := s.courses.Now()
	company := prof.Name
	if company == "" {
		company = "Service Academy"
	}
	score := 92.0
	const code = "0000-0000-0000-0000"
	d := certdoc.Certificate{Code: code, EmployeeName: sampleName, Programme: p.Title, ProgrammeVersion: p.Version,
		IssuedAt: now, ExpiresAt: courses.ExpiryOf(now, p.ValidityMonths, prof.Loc), Score: &score, CompanyName: company,
		SignatoryName: cs.SignatoryName, SignatoryTitle: cs.SignatoryTitle, VerifyURL: s.courses.VerifyURL(code), Location: prof.Loc}
	if prof.HasLogo {
		if _, logo, err := s.courses.Logo(ctx); err == nil && certdoc.CheckLogo(logo) == nil {
			d.Logo = logo
		}
	}
	b, err := s.docs.Render(d, cs.Template(p.ShowScore))
	if err != nil {
		return err
	}
	download(c, "application/pdf", "inline", "certificate-preview.pdf")
	return c.Send(b)
}
