package certdoc

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// Certificate is what one certificate PDF shows.
type Certificate struct {
	Code             string     // the verification code, printed as given (see NewCode)
	EmployeeName     string     // required
	Programme        string     // the programme's title; required
	ProgrammeVersion int        // printed as "Version N" when above 0
	IssuedAt         time.Time  // required
	ExpiresAt        *time.Time // nil: the certificate does not expire
	Score            *float64   // a percentage, 0–100; nil: not shown
	CompanyName      string     // the issuing company, printed at the top
	Logo             []byte     // PNG or JPEG, or nil for none
	SignatoryName    string     // who signs; the signature block is left out when empty
	SignatoryTitle   string
	VerifyURL        string         // full http(s) URL, {base}/verify/{code}; the QR code encodes it
	Location         *time.Location // time zone for the printed dates; nil means UTC
}

// Template is the wording and colours a company chooses for its certificates.
type Template struct {
	Title       string // the heading; required
	Intro       string // the line before the employee's name; may be empty
	Completion  string // the line between the name and the programme; may be empty
	AccentColor string // "#rrggbb" or "#rgb": heading, programme, frame
	TextColor   string // "#rrggbb" or "#rgb": everything else
	ShowScore   bool   // print Certificate.Score when it is set
}

// DefaultTemplate is the template a company starts with.
func DefaultTemplate() Template {
	return Template{
		Title:       "Certificate of Completion",
		Intro:       "This certifies that",
		Completion:  "has successfully completed",
		AccentColor: "#1f4e79",
		TextColor:   "#222222",
		ShowScore:   true,
	}
}

// FieldError says which field of a Certificate, Template or BadgeInput cannot
// be used, and why. Render, Validate and Badge return it (possibly several
// joined with errors.Join); find it with errors.As.
type FieldError struct {
	Field   string // the Go field name, e.g. "AccentColor"
	Problem string // a short, user-presentable sentence
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Length limits, in characters. Text that is within them but too long for its
// place on the page is shrunk and wrapped to fit.
const (
	maxTemplateLine = 200
	maxField        = 500
)

// Validate reports every unusable field of t as a *FieldError (joined).
func (t Template) Validate() error {
	var errs []error
	bad := func(field, problem string) { errs = append(errs, &FieldError{field, problem}) }
	if strings.TrimSpace(t.Title) == "" {
		bad("Title", "must not be empty")
	}
	for _, f := range []struct{ name, v string }{{"Title", t.Title}, {"Intro", t.Intro}, {"Completion", t.Completion}} {
		if utf8.RuneCountInString(f.v) > maxTemplateLine {
			bad(f.name, fmt.Sprintf("must be at most %d characters", maxTemplateLine))
		}
	}
	if _, err := parseColor(t.AccentColor); err != nil {
		bad("AccentColor", err.Error())
	}
	if _, err := parseColor(t.TextColor); err != nil {
		bad("TextColor", err.Error())
	}
	return errors.Join(errs...)
}

// validate reports every unusable field of c as a *FieldError (joined).
func (c Certificate) validate() error {
	var errs []error
	bad := func(field, problem string) { errs = append(errs, &FieldError{field, problem}) }
	required := []struct{ name, v string }{{"Code", c.Code}, {"EmployeeName", c.EmployeeName}, {"Programme", c.Programme}, {"VerifyURL", c.VerifyURL}}
	for _, f := range required {
		if strings.TrimSpace(f.v) == "" {
			bad(f.name, "must not be empty")
		}
	}
	for _, f := range append(required, []struct{ name, v string }{{"CompanyName", c.CompanyName}, {"SignatoryName", c.SignatoryName}, {"SignatoryTitle", c.SignatoryTitle}}...) {
		if utf8.RuneCountInString(f.v) > maxField {
			bad(f.name, fmt.Sprintf("must be at most %d characters", maxField))
		}
	}
	if c.VerifyURL != "" {
		if u, err := url.Parse(c.VerifyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("VerifyURL", "must be an absolute http or https URL")
		}
	}
	if c.IssuedAt.IsZero() {
		bad("IssuedAt", "must be set")
	}
	if c.ExpiresAt != nil && c.ExpiresAt.Before(c.IssuedAt) {
		bad("ExpiresAt", "must not be before IssuedAt")
	}
	if c.Score != nil && !(*c.Score >= 0 && *c.Score <= 100) {
		bad("Score", "must be a percentage from 0 to 100")
	}
	return errors.Join(errs...)
}

type rgb struct{ r, g, b int }

// parseColor reads "#rrggbb" or "#rgb".
func parseColor(s string) (rgb, error) {
	bad := fmt.Errorf("want a colour like #1f4e79, got %q", s)
	if !strings.HasPrefix(s, "#") || (len(s) != 7 && len(s) != 4) {
		return rgb{}, bad
	}
	hex := s[1:]
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return rgb{}, bad
	}
	return rgb{int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)}, nil
}

// lighter mixes c with white; amount 0 is c, 1 is white.
func (c rgb) lighter(amount float64) rgb {
	mix := func(v int) int { return v + int(math.Round(float64(255-v)*amount)) }
	return rgb{mix(c.r), mix(c.g), mix(c.b)}
}

// Renderer makes certificate PDFs. Build one with NewRenderer and share it:
// it is safe for concurrent use.
type Renderer struct {
	fonts fontChain
	logos logoCache
}

// NewRenderer parses the embedded fonts (about a millisecond).
func NewRenderer() (*Renderer, error) {
	dejavu, err := parseSFNT("dejavu", dejaVuSansTTF)
	if err != nil {
		return nil, fmt.Errorf("certdoc: DejaVu Sans: %w", err)
	}
	droid, err := parseSFNT("droid", droidSansFallbackTTF)
	if err != nil {
		return nil, fmt.Errorf("certdoc: Droid Sans Fallback: %w", err)
	}
	return &Renderer{fonts: fontChain{dejavu, droid}}, nil
}

// Page geometry, millimetres: A4 landscape.
const (
	pageW, pageH = 297.0, 210.0
	contentX     = 30.0 // left and right margin of the centred text
	contentW     = pageW - 2*contentX
)

// Render returns c as a one-page A4 landscape PDF laid out by t. The same c
// and t always give the same bytes. It returns *FieldError values (joined)
// for unusable fields, and an error wrapping ErrBadLogo when c.Logo is not
// a decodable PNG or JPEG; rendering without the logo is then the caller's
// choice.
func (r *Renderer) Render(c Certificate, t Template) ([]byte, error) {
	if err := errors.Join(c.validate(), t.Validate()); err != nil {
		return nil, err
	}
	var logo *preparedLogo
	if len(c.Logo) > 0 {
		var err error
		if logo, err = r.logos.prepare(c.Logo); err != nil {
			return nil, err
		}
	}
	qr, err := qrModules(c.VerifyURL)
	if err != nil {
		return nil, &FieldError{"VerifyURL", "is too long for a QR code"}
	}
	accent, _ := parseColor(t.AccentColor)
	ink, _ := parseColor(t.TextColor)
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}

	d := newDoc(r.fonts)
	d.pdf.SetTitle(cleanText(t.Title+": "+c.Programme), true)
	d.pdf.SetSubject(cleanText(c.EmployeeName), true)
	d.pdf.SetAuthor(cleanText(c.CompanyName), true)
	d.pdf.SetCreationDate(c.IssuedAt.UTC())
	d.pdf.SetModificationDate(c.IssuedAt.UTC())

	// The frame.
	d.pdf.SetDrawColor(accent.r, accent.g, accent.b)
	d.pdf.SetLineWidth(1.2)
	d.pdf.Rect(9, 9, pageW-18, pageH-18, "D")
	d.pdf.SetLineWidth(0.3)
	d.pdf.Rect(12.5, 12.5, pageW-25, pageH-25, "D")

	// The header: logo, then the company's name.
	companyTop := 22.0
	if logo != nil {
		if err := d.image(logo, pageW/2-35, 18, 70, 20); err != nil {
			return nil, err
		}
		companyTop = 40
	}
	d.block(c.CompanyName, box{contentX, companyTop, contentW, 9}, 13, 8, ink, alignCenter)

	d.block(t.Title, box{contentX, 52, contentW, 16}, 30, 16, accent, alignCenter)
	d.block(t.Intro, box{contentX, 70, contentW, 8}, 13, 8, ink, alignCenter)
	d.block(c.EmployeeName, box{contentX, 79, contentW, 28}, 34, 18, ink, alignCenter)
	d.pdf.SetDrawColor(accent.r, accent.g, accent.b)
	d.pdf.SetLineWidth(0.4)
	d.pdf.Line(pageW/2-75, 108.5, pageW/2+75, 108.5)
	d.block(t.Completion, box{contentX, 111, contentW, 8}, 13, 8, ink, alignCenter)
	d.block(c.Programme, box{contentX, 120, contentW, 17}, 21, 12, accent, alignCenter)
	if c.ProgrammeVersion > 0 {
		d.block("Version "+strconv.Itoa(c.ProgrammeVersion), box{contentX, 137, contentW, 6}, 9, 7, ink.lighter(0.35), alignCenter)
	}

	// The details row, left of the QR code.
	type detail struct{ label, value string }
	details := []detail{{"Date of issue", formatDate(c.IssuedAt.In(loc))}}
	if c.ExpiresAt != nil {
		// The last valid day (it expires at the start of the next), as on every page.
		details = append(details, detail{"Valid until", formatDate(c.ExpiresAt.Add(-time.Second).In(loc))})
	} else {
		details = append(details, detail{"Valid until", "Does not expire"})
	}
	if t.ShowScore && c.Score != nil {
		details = append(details, detail{"Score", formatScore(*c.Score)})
	}
	details = append(details, detail{"Certificate code", c.Code})
	const rowX, rowW = 25.0, 200.0
	colW := rowW / float64(len(details))
	for i, dt := range details {
		x := rowX + float64(i)*colW
		d.block(dt.label, box{x, 149, colW - 4, 5}, 8.5, 6, ink.lighter(0.4), alignLeft)
		d.block(dt.value, box{x, 154.5, colW - 4, 11}, 12, 7, ink, alignLeft)
	}

	// The signature, bottom left.
	if strings.TrimSpace(c.SignatoryName) != "" {
		d.pdf.SetDrawColor(ink.r, ink.g, ink.b)
		d.pdf.SetLineWidth(0.3)
		d.pdf.Line(rowX, 180, rowX+80, 180)
		d.block(c.SignatoryName, box{rowX, 181, 80, 6.5}, 11, 7, ink, alignLeft)
		d.block(c.SignatoryTitle, box{rowX, 187.5, 80, 5.5}, 8.5, 6, ink.lighter(0.35), alignLeft)
	}

	// The QR code and the verify line, bottom right.
	const qrSize = 30.0
	qrX, qrY := pageW-25-qrSize, 143.0
	d.qr(qr, qrX, qrY, qrSize)
	d.block("Verify at "+c.VerifyURL, box{pageW - 25 - 95, 178.5, 95, 12}, 7.5, 5.5, ink.lighter(0.2), alignRight)

	return d.finish()
}

// formatDate prints t as "2 January 2006".
func formatDate(t time.Time) string { return t.Format("2 January 2006") }

// formatScore prints a percentage with at most one decimal: "92%", "87.5%".
func formatScore(s float64) string {
	return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64) + "%"
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// box is a rectangle on the page, millimetres from the top left.
type box struct{ x, y, w, h float64 }

// doc is one PDF being drawn. Text goes through block, which splits it into
// font runs; the fonts themselves are added to the PDF at finish, cut down to
// the characters used.
type doc struct {
	pdf   *fpdf.Fpdf
	fonts fontChain
	ops   []textOp
	used  [][]rune // per font of the chain, the characters drawn with it
}

func newDoc(fonts fontChain) *doc {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("Service Academy", false)
	pdf.SetProducer("Service Academy (fpdf)", false)
	pdf.AddPage()
	return &doc{pdf: pdf, fonts: fonts, used: make([][]rune, len(fonts))}
}

// textOp is a run of text to draw once the fonts are in place.
type textOp struct {
	x, y  float64 // baseline start, millimetres
	font  int
	size  float64
	color rgb
	text  string
}

// block fits s into b (see fontChain.fit) and queues its lines, vertically
// centred in b.
func (d *doc) block(s string, b box, maxSize, minSize float64, color rgb, a align) {
	s = cleanText(s)
	if s == "" {
		return
	}
	ft := d.fonts.fit(s, b.w, b.h, maxSize, minSize)
	lh := lineHeight(ft.size)
	top := b.y + (b.h-float64(len(ft.lines))*lh)/2
	for i, line := range ft.lines {
		// Baseline: the line's middle plus about a third of the size, which
		// centres capitals and x-height letters optically.
		y := top + float64(i)*lh + lh/2 + 0.33*ft.size*mmPerPt
		x := b.x
		switch w := d.fonts.width(line, ft.size); a {
		case alignCenter:
			x += (b.w - w) / 2
		case alignRight:
			x += b.w - w
		}
		for _, rn := range d.fonts.runs(line) {
			d.ops = append(d.ops, textOp{x, y, rn.font, ft.size, color, rn.text})
			d.used[rn.font] = append(d.used[rn.font], []rune(rn.text)...)
			x += d.fonts.runWidth(rn, ft.size)
		}
	}
}

// finish adds each font that text was queued for, as a subset of the
// characters it draws, then draws the text and returns the PDF.
func (d *doc) finish() ([]byte, error) {
	for i, f := range d.fonts {
		if len(d.used[i]) > 0 {
			d.pdf.AddUTF8FontFromBytes(f.family, "", f.subset(d.used[i]))
		}
	}
	for _, op := range d.ops {
		d.pdf.SetFont(d.fonts[op.font].family, "", op.size)
		d.pdf.SetTextColor(op.color.r, op.color.g, op.color.b)
		d.pdf.Text(op.x, op.y, op.text)
	}
	var out bytes.Buffer
	out.Grow(48 << 10)
	if err := d.pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certdoc: writing the PDF: %w", err)
	}
	return out.Bytes(), nil
}
