package app

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// blankPromiseRows is how many empty rows the promises list offers for new ones.
const blankPromiseRows = 3

// maxPromiseRows bounds the rows read from a posted form.
const maxPromiseRows = courses.MaxPromises + 30

// companyForm is the company settings form as typed.
type companyForm struct {
	courses.CompanyInput
	Rows []promiseRow // in the order shown
}

// promiseRow is one row of the promises list: ID is 0 for a new promise;
// clearing the text of a stored one removes it.
type promiseRow struct {
	ID       int64
	Text     string
	Facts    courses.PromiseFacts
	Position string
	Up, Down bool // show the move buttons
	posted   int  // index of the row in the posted form
}

func (r promiseRow) blank() bool { return strings.TrimSpace(r.Text) == "" }

// promiseFactView is one fact's field of a promise row, as the view shows it.
type promiseFactView struct {
	Key, Label, Value string
}

// FactFields are the row's fact fields in form order.
func (r promiseRow) FactFields() []promiseFactView {
	out := make([]promiseFactView, len(courses.PromiseFactKeys))
	for i, k := range courses.PromiseFactKeys {
		out[i] = promiseFactView{Key: k, Label: courses.PromiseFactLabels[k], Value: r.Facts.Get(k)}
	}
	return out
}

// HasFacts reports whether any fact of the row is filled in.
func (r promiseRow) HasFacts() bool { return r.Facts != courses.PromiseFacts{} }

// newCompanyForm reads the settings form, copying every value, with the
// promise rows in the order of their position numbers (rows without a
// number keep their place after the numbered ones).
func newCompanyForm(c *fiber.Ctx) companyForm {
	f := companyForm{CompanyInput: courses.CompanyInput{
		Name:     formValue(c, "name"),
		Mission:  formValue(c, "mission"),
		Vision:   formValue(c, "vision"),
		Values:   formValue(c, "values"),
		TimeZone: formValue(c, "timezone"),
	}}
	n, _ := strconv.Atoi(c.FormValue("promise_rows"))
	n = min(max(n, 0), maxPromiseRows)
	for i := range n {
		key := "promise_" + strconv.Itoa(i) + "_"
		id, _ := strconv.ParseInt(c.FormValue(key+"id"), 10, 64)
		row := promiseRow{ID: max(id, 0), Text: oneLine(formValue(c, key+"text")),
			Position: formTrimmed(c, key+"position"), posted: i}
		for _, k := range courses.PromiseFactKeys {
			row.Facts.Set(k, formValue(c, key+k))
		}
		f.Rows = append(f.Rows, row)
	}
	pos := func(r promiseRow) int {
		if p, err := strconv.Atoi(r.Position); err == nil {
			return p
		}
		return 1 << 30
	}
	sort.SliceStable(f.Rows, func(a, b int) bool { return pos(f.Rows[a]) < pos(f.Rows[b]) })
	return f
}

// promises returns the list to save (rows with text) and, for each, the
// index of its row.
func (f *companyForm) promises() ([]courses.PromiseInput, []int) {
	var in []courses.PromiseInput
	var rows []int
	for i, r := range f.Rows {
		// A new row with facts but no text is an error to show, not a row to drop.
		if !r.blank() || r.ID == 0 && r.HasFacts() {
			in = append(in, courses.PromiseInput{ID: r.ID, Text: r.Text, Facts: r.Facts})
			rows = append(rows, i)
		}
	}
	return in, rows
}

// move applies a move button ("3:up" names posted row 3) to the rows shown.
func (f *companyForm) move(arg string) {
	idx, dir, _ := strings.Cut(arg, ":")
	posted, err := strconv.Atoi(idx)
	if err != nil {
		return
	}
	for k, r := range f.Rows {
		if r.posted != posted {
			continue
		}
		j := k - 1
		if dir == "down" {
			j = k + 1
		}
		if j >= 0 && j < len(f.Rows) {
			f.Rows[k], f.Rows[j] = f.Rows[j], f.Rows[k]
		}
		break
	}
	f.renumber()
}

// renumber drops empty new rows, numbers the rest 1, 2, ... in the order
// shown, adds the blank rows for new promises and sets the move buttons.
func (f *companyForm) renumber() {
	var rows []promiseRow
	for _, r := range f.Rows {
		if r.ID != 0 || !r.blank() || r.HasFacts() {
			rows = append(rows, r)
		}
	}
	for range blankPromiseRows {
		rows = append(rows, promiseRow{})
	}
	last := len(rows) - blankPromiseRows - 1
	for i := range rows {
		rows[i].Position = strconv.Itoa(i + 1)
		rows[i].Up, rows[i].Down = i > 0 && i <= last, i < last
	}
	f.Rows = rows
}

// companyFormOf is the form showing what is stored.
func companyFormOf(p *courses.Profile) companyForm {
	f := companyForm{CompanyInput: courses.CompanyInput{Name: p.Name, Mission: p.Mission, Vision: p.Vision,
		Values: strings.Join(p.Values, "\n"), TimeZone: p.TimeZone}}
	for _, pr := range p.Promises {
		f.Rows = append(f.Rows, promiseRow{ID: pr.ID, Text: pr.Text, Facts: pr.Facts()})
	}
	f.renumber()
	return f
}

func (s *Server) companyPage(c *fiber.Ctx, status int, f companyForm, errs map[string]string, notice string) error {
	prof, err := s.courses.CompanyProfile(c.UserContext())
	if err != nil {
		return err
	}
	order := []string{"name", "mission", "vision", "values", "promises"}
	for i := range f.Rows {
		order = append(order, courses.PromiseField(i))
		for _, k := range courses.PromiseFactKeys {
			order = append(order, courses.PromiseFactField(i, k))
		}
	}
	return s.renderStatus(c, status, "company/settings", fiber.Map{"Title": "Company settings", "Form": f,
		"Profile": prof, "Errors": errs, "ErrorList": orderedErrors(errs, append(order, "logo")), "Notice": notice})
}

func (s *Server) companyShow(c *fiber.Ctx) error {
	prof, err := s.courses.CompanyProfile(c.UserContext())
	if err != nil {
		return err
	}
	return s.companyPage(c, http.StatusOK, companyFormOf(prof), nil, "")
}

func (s *Server) companySave(c *fiber.Ctx) error {
	f := newCompanyForm(c)
	if mv := c.FormValue("move"); mv != "" {
		f.move(mv)
		return s.companyPage(c, http.StatusOK, f, nil, "Order changed. Save the settings to keep it.")
	}
	errs := map[string]string{}
	note := func(field, msg string) {
		if _, ok := errs[field]; !ok {
			errs[field] = msg
		}
	}
	in := f.CompanyInput
	for _, e := range in.Check() {
		note(e.Field, e.Message)
	}
	list, rows := f.promises()
	for _, e := range courses.CheckPromises(list) {
		field := e.Field
		for i := range list {
			if field == courses.PromiseField(i) {
				field = courses.PromiseField(rows[i])
			}
			for _, k := range courses.PromiseFactKeys {
				if field == courses.PromiseFactField(i, k) {
					field = courses.PromiseFactField(rows[i], k)
				}
			}
		}
		note(field, e.Message)
	}
	if len(errs) > 0 {
		f.renumber()
		return s.companyPage(c, http.StatusUnprocessableEntity, f, errs, "")
	}

	ctx := c.UserContext()
	changed, err := s.courses.SaveCompany(ctx, in)
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			f.renumber()
			return s.companyPage(c, http.StatusUnprocessableEntity, f, map[string]string{store.FieldOf(err): store.MessageOf(err)}, "")
		}
		return err
	}
	id, label := principal(c).actor()
	ch, err := s.training.SavePromises(ctx, list, training.Actor{ID: id, Name: label})
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			f.renumber()
			return s.companyPage(c, http.StatusUnprocessableEntity, f, map[string]string{"promises": store.MessageOf(err)}, "")
		}
		return err
	}

	now := s.people.Now()
	if len(changed) > 0 {
		if err := people.Audit(ctx, s.cfg.DB, now, id, label, "company.update", "company", "changed: "+strings.Join(changed, ", ")); err != nil {
			return err
		}
	}
	// training.SavePromises audits the promises and their questions itself.
	if len(changed) == 0 && !ch.Any() {
		s.flash(c, "info", "Nothing changed.")
		return c.Redirect("/settings/company", http.StatusSeeOther)
	}
	msg := "Company settings saved."
	if ch.Changed > 0 {
		msg += fmt.Sprintf(" %s changed wording or facts: %s who confirmed the old wording will be asked to confirm again.",
			plural(ch.Changed, "promise has", "promises have"), plural(ch.Reacknowledge, "employee", "employees"))
	}
	if ch.Added > 0 {
		msg += fmt.Sprintf(" Everyone will be asked to confirm the %s.", plural(ch.Added, "new promise", "new promises"))
	}
	if q := ch.Questions; q.Created+q.Updated+q.Retired > 0 {
		msg += fmt.Sprintf(" Quiz questions on the promises: %d new, %d replaced, %d retired.", q.Created, q.Updated, q.Retired)
	}
	s.flash(c, "success", msg)
	return c.Redirect("/settings/company", http.StatusSeeOther)
}

func (s *Server) companyLogoUpload(c *fiber.Ctx) error {
	ctx := c.UserContext()
	fail := func(msg string) error {
		prof, err := s.courses.CompanyProfile(ctx)
		if err != nil {
			return err
		}
		return s.companyPage(c, http.StatusUnprocessableEntity, companyFormOf(prof), map[string]string{"logo": msg}, "")
	}
	fh, err := c.FormFile("logo")
	if err != nil {
		return fail("Choose a PNG or JPEG file for the logo.")
	}
	if fh.Size > courses.MaxLogoBytes {
		return fail(fmt.Sprintf("%s is %.1f MB; the logo limit is 1 MB. Save it smaller (for example 512 × 512 pixels) and try again.",
			fh.Filename, float64(fh.Size)/(1<<20)))
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, courses.MaxLogoBytes+1))
	if err != nil {
		return err
	}
	if err := s.courses.SaveLogo(ctx, data); err != nil {
		if store.KindOf(err) == store.Invalid {
			return fail(store.MessageOf(err))
		}
		return err
	}
	id, label := principal(c).actor()
	ct, _ := courses.CheckLogo(data)
	if err := people.Audit(ctx, s.cfg.DB, s.people.Now(), id, label, "company.logo", "company",
		fmt.Sprintf("%s, %d KB", ct, (len(data)+1023)/1024)); err != nil {
		return err
	}
	s.flash(c, "success", "The logo has been updated.")
	return c.Redirect("/settings/company", http.StatusSeeOther)
}

// companyLogo serves the uploaded logo to anyone (it may appear on the sign-in page).
func (s *Server) companyLogo(c *fiber.Ctx) error {
	ct, data, err := s.courses.Logo(c.UserContext())
	if err != nil {
		return err
	}
	c.Set("Content-Type", ct)
	c.Set("Cache-Control", "public, max-age=300")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "default-src 'none'")
	return c.Send(data)
}

// pendingPromises returns the service promises the signed-in employee has
// not yet confirmed in their current wording (none for a service token).
func (s *Server) pendingPromises(c *fiber.Ctx) ([]courses.Promise, error) {
	p := principal(c)
	if p == nil || p.Employee == nil {
		return nil, nil
	}
	return courses.PendingAcknowledgements(c.UserContext(), s.cfg.DB, p.Employee.ID)
}

func (s *Server) acknowledgePage(c *fiber.Ctx, status int, ticked map[int64]bool, errs map[string]string) error {
	p := principal(c)
	if p.Employee == nil {
		return store.Errorf(store.Forbidden, "Only employees confirm the service promises.")
	}
	ctx := c.UserContext()
	list, err := s.courses.AcknowledgementStatus(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	history, err := s.courses.Acknowledgements(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	pending := 0
	for _, st := range list {
		if st.Confirmed == nil {
			pending++
		}
	}
	if ticked == nil { // first view: what they have confirmed already stays ticked
		ticked = map[int64]bool{}
		for _, st := range list {
			ticked[st.ID] = st.Confirmed != nil
		}
	}
	return s.renderStatus(c, status, "company/acknowledge", fiber.Map{"Title": "Confirm our service promises",
		"Promises": list, "Pending": pending, "Ticked": ticked, "History": history, "Errors": errs,
		"CourseURL": "/learn/" + courses.MissionCourse})
}

func (s *Server) acknowledgeShow(c *fiber.Ctx) error {
	return s.acknowledgePage(c, http.StatusOK, nil, nil)
}

func (s *Server) acknowledgeSubmit(c *fiber.Ctx) error {
	p := principal(c)
	if p.Employee == nil {
		return store.Errorf(store.Forbidden, "Only employees confirm the service promises.")
	}
	ctx := c.UserContext()
	list, err := s.courses.AcknowledgementStatus(ctx, p.Employee.ID)
	if err != nil {
		return err
	}
	ticked := map[int64]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("promise") {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			ticked[id] = true
		}
	}
	// A promise reworded while the page was open must be read again.
	var changed []string
	for i, st := range list {
		if ticked[st.ID] && c.FormValue("version_"+strconv.FormatInt(st.ID, 10)) != strconv.Itoa(st.Version) {
			ticked[st.ID] = false
			changed = append(changed, strconv.Itoa(i+1))
		}
	}
	if len(changed) > 0 {
		return s.acknowledgePage(c, http.StatusUnprocessableEntity, ticked, map[string]string{"promises": fmt.Sprintf(
			"The wording or facts of promise %s changed while you had this page open. Read it again and tick it to confirm.", strings.Join(changed, ", "))})
	}
	var ids []int64
	for id, ok := range ticked {
		if ok {
			ids = append(ids, id)
		}
	}
	completed, err := s.training.AcknowledgePromises(ctx, p.Employee.ID, ids)
	if err != nil {
		if store.KindOf(err) == store.Invalid {
			return s.acknowledgePage(c, http.StatusUnprocessableEntity, ticked, map[string]string{"promises": store.MessageOf(err)})
		}
		return err
	}
	msg := fmt.Sprintf("Thank you: you have confirmed our %s.", plural(len(list), "service promise", "service promises"))
	if completed {
		msg += " Course complete. Well done."
	}
	s.flash(c, "success", msg)
	return c.Redirect("/learn/"+courses.MissionCourse, http.StatusSeeOther)
}
