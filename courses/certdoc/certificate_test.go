package certdoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// writePDF saves pdf in the test's temporary folder and returns its path.
func writePDF(tb testing.TB, pdf []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// runTool runs a tool and returns its standard output, failing the test on error.
func runTool(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(needTool(tb, name), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// squash removes all whitespace, so text wrapped across lines still matches.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

var wordBox = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// checkTextInsideFrame fails unless every word pdftotext finds lies inside
// the certificate's outer frame (9 mm in from each edge of the A4 page).
func checkTextInsideFrame(tb testing.TB, path string) {
	tb.Helper()
	const frame = 9 / mmPerPt // points
	const w, h = pageW / mmPerPt, pageH / mmPerPt
	words := wordBox.FindAllStringSubmatch(runTool(tb, "pdftotext", "-bbox", path, "-"), -1)
	if len(words) == 0 {
		tb.Fatal("pdftotext -bbox found no words")
	}
	for _, m := range words {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		if v[0] < frame || v[1] < frame || v[2] > w-frame || v[3] > h-frame {
			tb.Errorf("word %q at (%.1f,%.1f)-(%.1f,%.1f) pt is outside the frame", m[5], v[0], v[1], v[2], v[3])
		}
	}
}

var longName = strings.Repeat("Wolfeschlegelsteinhausenbergerdorff", 6)[:200]

func TestRenderNames(t *testing.T) {
	tests := []struct{ name, employee string }{
		{"Latin", "Zoë Núñez Øberg"},
		{"Cyrillic", "Дмитрий Иванов"},
		{"CJK", "山田 太郎"},
		{"Greek", "Γιώργος Παπαδόπουλος"},
		{"MixedScripts", "Zoë 山田 Дмитрий Γιώργος"},
		{"Long200NoSpaces", longName},
		{"LongWithSpaces", strings.Repeat("Maria José Alejandra ", 10)},
		{"OneCharacter", "X"},
	}
	r := MustRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleCertificate(t)
			c.EmployeeName = tt.employee
			pdf, err := r.Render(c, DefaultTemplate())
			if err != nil {
				t.Fatal(err)
			}
			path := writePDF(t, pdf)
			if out := runTool(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
			text := squash(runTool(t, "pdftotext", path, "-"))
			for _, want := range []string{tt.employee, c.Programme, c.Code, "Version3", "92.5%", "12March2025"} {
				if !strings.Contains(text, squash(want)) {
					t.Errorf("pdftotext output lacks %q:\n%s", want, text)
				}
			}
			checkTextInsideFrame(t, path)
		})
	}
}

func TestRenderQRScans(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Certificate)
	}{
		{"OK", func(*Certificate) {}},
		{"LongURLNoLogo", func(c *Certificate) {
			c.Logo = nil
			c.VerifyURL = "https://learning.a-very-long-company-name-for-testing.example.com/academy/verify/" + c.Code
		}},
	}
	r := MustRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleCertificate(t)
			tt.edit(&c)
			pdf, err := r.Render(c, DefaultTemplate())
			if err != nil {
				t.Fatal(err)
			}
			path := writePDF(t, pdf)
			prefix := filepath.Join(filepath.Dir(path), "page")
			runTool(t, "pdftoppm", "-r", "150", "-png", "-singlefile", path, prefix)
			got := strings.TrimSpace(runTool(t, "zbarimg", "--quiet", "--raw", prefix+".png"))
			if got != c.VerifyURL {
				t.Fatalf("zbarimg read %q from the 150 dpi page, want %q", got, c.VerifyURL)
			}
		})
	}
}

func TestRenderOptionalParts(t *testing.T) {
	r := MustRenderer(t)
	c := sampleCertificate(t)
	c.Logo, c.SignatoryName, c.SignatoryTitle, c.ExpiresAt, c.CompanyName = nil, "", "", nil, ""
	tmpl := DefaultTemplate()
	tmpl.ShowScore, tmpl.Intro, tmpl.Completion = false, "", ""
	pdf, err := r.Render(c, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	text := runTool(t, "pdftotext", writePDF(t, pdf), "-")
	if !strings.Contains(text, "Does not expire") {
		t.Errorf("no %q in:\n%s", "Does not expire", text)
	}
	for _, absent := range []string{"Score", "92.5", "This certifies", "Aisha"} {
		if strings.Contains(text, absent) {
			t.Errorf("%q printed though it was left out:\n%s", absent, text)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	r := MustRenderer(t)
	c := sampleCertificate(t)
	want, err := r.Render(c, DefaultTemplate())
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent renders, a different name in between: same bytes every time.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other := c
			other.EmployeeName = fmt.Sprintf("Someone Else %d 山田", i)
			if _, err := r.Render(other, DefaultTemplate()); err != nil {
				errs <- err
				return
			}
			got, err := r.Render(c, DefaultTemplate())
			if err != nil {
				errs <- err
			} else if !bytes.Equal(got, want) {
				errs <- errors.New("a render gave different bytes")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// goldenSHA256 is the SHA-256 of sampleCertificate rendered with
// DefaultTemplate. When a change to the layout, fonts or fpdf is meant to
// change the PDF, look at the new PDF (the failure message says where it
// was written), then replace this value with the one the failure prints.
const goldenSHA256 = "ea91ca9e2914c2c9dd1183e4cebfd1b46988ee3bf3d07bfc552d0229836edc81"

func TestRenderGolden(t *testing.T) {
	pdf, err := MustRenderer(t).Render(sampleCertificate(t), DefaultTemplate())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	if got := hex.EncodeToString(sum[:]); got != goldenSHA256 {
		path := filepath.Join(os.TempDir(), "certdoc-golden.pdf")
		_ = os.WriteFile(path, pdf, 0o644)
		t.Fatalf("SHA-256 of the sample certificate = %s, want %s (new PDF written to %s)", got, goldenSHA256, path)
	}
}

// encode returns img in the given format.
func encode(tb testing.TB, img image.Image, format string) []byte {
	tb.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestRenderLogos(t *testing.T) {
	gradient := func(w, h int) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.Set(x, y, color.RGBA{uint8(x), uint8(y), 0x80, 0xff})
			}
		}
		return img
	}
	grey := image.NewGray(image.Rect(0, 0, 300, 100))
	paletted := image.NewPaletted(image.Rect(0, 0, 300, 100), color.Palette{color.Transparent, color.Black})
	paletted.SetColorIndex(10, 10, 1)
	tests := []struct {
		name string
		logo []byte
	}{
		{"PNGWithAlpha", testLogoPNG(t)},
		{"JPEG", encode(t, gradient(400, 120), "jpeg")},
		{"LargeJPEGScaledDown", encode(t, gradient(3000, 900), "jpeg")},
		{"LargePNGScaledDown", encode(t, gradient(2400, 2400), "png")},
		{"GreyPNG", encode(t, grey, "png")},
		{"PalettedPNG", encode(t, paletted, "png")},
		{"TallAndThin", encode(t, gradient(10, 400), "png")},
	}
	r := MustRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckLogo(tt.logo); err != nil {
				t.Fatalf("CheckLogo: %v", err)
			}
			c := sampleCertificate(t)
			c.Logo = tt.logo
			pdf, err := r.Render(c, DefaultTemplate())
			if err != nil {
				t.Fatal(err)
			}
			if len(pdf) > 200<<10 {
				t.Errorf("PDF is %d KB; a logo should not make it this big", len(pdf)>>10)
			}
			if out := runTool(t, "qpdf", "--check", writePDF(t, pdf)); !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	pngLogo := testLogoPNG(t)
	tests := []struct {
		name    string
		edit    func(*Certificate, *Template)
		badLogo bool   // want ErrBadLogo
		field   string // or want a FieldError for this field
	}{
		{name: "ErrBadLogoGarbage", edit: func(c *Certificate, _ *Template) { c.Logo = []byte("not an image") }, badLogo: true},
		{name: "ErrBadLogoTruncatedPNG", edit: func(c *Certificate, _ *Template) { c.Logo = pngLogo[:len(pngLogo)/2] }, badLogo: true},
		{name: "ErrBadLogoGIF", edit: func(c *Certificate, _ *Template) {
			c.Logo = encode(t, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black}), "gif")
		}, badLogo: true},
		{name: "ErrNoEmployeeName", edit: func(c *Certificate, _ *Template) { c.EmployeeName = " " }, field: "EmployeeName"},
		{name: "ErrNoProgramme", edit: func(c *Certificate, _ *Template) { c.Programme = "" }, field: "Programme"},
		{name: "ErrNoCode", edit: func(c *Certificate, _ *Template) { c.Code = "" }, field: "Code"},
		{name: "ErrNoIssuedAt", edit: func(c *Certificate, _ *Template) { c.IssuedAt = time.Time{} }, field: "IssuedAt"},
		{name: "ErrExpiresBeforeIssued", edit: func(c *Certificate, _ *Template) { c.ExpiresAt = ptr(c.IssuedAt.AddDate(0, 0, -1)) }, field: "ExpiresAt"},
		{name: "ErrScoreAboveHundred", edit: func(c *Certificate, _ *Template) { c.Score = ptr(100.5) }, field: "Score"},
		{name: "ErrScoreNaN", edit: func(c *Certificate, _ *Template) { zero := 0.0; c.Score = ptr(zero / zero) }, field: "Score"},
		{name: "ErrRelativeVerifyURL", edit: func(c *Certificate, _ *Template) { c.VerifyURL = "/verify/K7Q2" }, field: "VerifyURL"},
		{name: "ErrVerifyURLTooLongForQR", edit: func(c *Certificate, _ *Template) { c.VerifyURL = "https://x.example/" + strings.Repeat("a", 3000) }, field: "VerifyURL"},
		{name: "ErrNameTooLong", edit: func(c *Certificate, _ *Template) { c.EmployeeName = strings.Repeat("a", maxField+1) }, field: "EmployeeName"},
		{name: "ErrBadAccentColor", edit: func(_ *Certificate, t *Template) { t.AccentColor = "blue" }, field: "AccentColor"},
		{name: "ErrNoTitle", edit: func(_ *Certificate, t *Template) { t.Title = "" }, field: "Title"},
	}
	r := MustRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, tmpl := sampleCertificate(t), DefaultTemplate()
			tt.edit(&c, &tmpl)
			pdf, err := r.Render(c, tmpl)
			if pdf != nil {
				t.Errorf("got a PDF along with error %v", err)
			}
			if tt.badLogo {
				if !errors.Is(err, ErrBadLogo) {
					t.Fatalf("Render() error = %v; want ErrBadLogo", err)
				}
				if !errors.Is(CheckLogo(c.Logo), ErrBadLogo) {
					t.Errorf("CheckLogo accepted the logo Render refused")
				}
				c.Logo = nil // the caller's fallback: render without it
				if _, err := r.Render(c, tmpl); err != nil {
					t.Errorf("without the logo: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Render() error = %v; want a FieldError for %s", err, tt.field)
			}
		})
	}
}

func TestTemplateValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Template)
		fields []string // the FieldErrors wanted, in order; none for OK
	}{
		{"OK", func(*Template) {}, nil},
		{"OKShortColours", func(t *Template) { t.AccentColor, t.TextColor = "#abc", "#FFF" }, nil},
		{"OKEmptyIntroAndCompletion", func(t *Template) { t.Intro, t.Completion = "", "" }, nil},
		{"ErrColourName", func(t *Template) { t.AccentColor = "red" }, []string{"AccentColor"}},
		{"ErrColourNoHash", func(t *Template) { t.TextColor = "1f4e79" }, []string{"TextColor"}},
		{"ErrColourBadHex", func(t *Template) { t.TextColor = "#1f4e7g" }, []string{"TextColor"}},
		{"ErrColourTooLong", func(t *Template) { t.AccentColor = "#1f4e7900" }, []string{"AccentColor"}},
		{"ErrBlankTitle", func(t *Template) { t.Title = "   " }, []string{"Title"}},
		{"ErrIntroTooLong", func(t *Template) { t.Intro = strings.Repeat("x", maxTemplateLine+1) }, []string{"Intro"}},
		{"ErrSeveral", func(t *Template) { t.Title, t.AccentColor, t.TextColor = "", "", "#12" }, []string{"Title", "AccentColor", "TextColor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := DefaultTemplate()
			tt.edit(&tmpl)
			err := tmpl.Validate()
			var got []string
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var fe *FieldError
					if !errors.As(e, &fe) {
						t.Fatalf("%v is not a FieldError", e)
					}
					got = append(got, fe.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("Validate() = %v; want FieldErrors for %v", err, tt.fields)
			}
		})
	}
}

func TestFitStaysInBox(t *testing.T) {
	fonts := MustRenderer(t).fonts
	tests := []struct {
		name, text     string
		w, h, max, min float64
		wantLines      int // 0: any
	}{
		{"ShortNameFullSize", "Zoë Núñez Øberg", contentW, 28, 34, 18, 1},
		{"LongNameShrinksThenWraps", longName, contentW, 28, 34, 18, 0},
		{"CJKWrapsBetweenCharacters", strings.Repeat("山田太郎", 30), contentW, 28, 34, 18, 0},
		{"HugeTextTruncated", strings.Repeat("Wolfeschlegelstein ", 200), 50, 10, 12, 8, 0},
		{"CombiningMarksKept", strings.Repeat("e\u0301", 300), 40, 30, 12, 8, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fonts.fit(cleanText(tt.text), tt.w, tt.h, tt.max, tt.min)
			if tt.wantLines > 0 && len(f.lines) != tt.wantLines {
				t.Errorf("%d lines, want %d", len(f.lines), tt.wantLines)
			}
			if h := float64(len(f.lines)) * lineHeight(f.size); h > tt.h+1e-9 {
				t.Errorf("%d lines at %.1f pt are %.1f mm tall, box is %.1f", len(f.lines), f.size, h, tt.h)
			}
			for _, line := range f.lines {
				if w := fonts.width(line, f.size); w > tt.w+1e-9 {
					t.Errorf("line %q is %.1f mm wide, box is %.1f", line, w, tt.w)
				}
				if strings.HasPrefix(line, "\u0301") {
					t.Errorf("line starts with a combining mark: %q", line)
				}
			}
		})
	}
}

func BenchmarkCertificatePDF(b *testing.B) {
	r := MustRenderer(b)
	for _, bm := range []struct{ name, employee string }{
		{"Latin", "Zoë Núñez Øberg"},
		{"CJK", "山田 太郎"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			c := sampleCertificate(b) // with the logo, as in production
			c.EmployeeName = bm.employee
			var size int
			for b.Loop() {
				pdf, err := r.Render(c, DefaultTemplate())
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			b.ReportMetric(float64(size), "pdf-bytes")
		})
	}
}

func TestRenderDatesInLocation(t *testing.T) {
	c := sampleCertificate(t)
	c.IssuedAt = time.Date(2025, 3, 12, 23, 30, 0, 0, time.UTC)
	c.ExpiresAt = ptr(time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC))
	c.Location = time.FixedZone("NZDT", 13*3600)
	pdf, err := MustRenderer(t).Render(c, DefaultTemplate())
	if err != nil {
		t.Fatal(err)
	}
	text := runTool(t, "pdftotext", writePDF(t, pdf), "-")
	for _, want := range []string{"13 March 2025", "1 January 2027"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q (dates in the company's zone) in:\n%s", want, text)
		}
	}
}

func TestFormatScore(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"Whole", 92, "92%"},
		{"OneDecimal", 87.5, "87.5%"},
		{"RoundsToOneDecimal", 66.666, "66.7%"},
		{"Zero", 0, "0%"},
		{"Hundred", 100, "100%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatScore(tt.in); got != tt.want {
				t.Errorf("formatScore(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Unchanged", "Zoë Núñez", "Zoë Núñez"},
		{"WhitespaceCollapsed", "  Ann\t\n  Lee  ", "Ann Lee"},
		{"ControlsDropped", "A\x00B\u200bC", "AB\u200bC"},
		{"OutsideBMPReplaced", "Emoji 😀 𠮷", "Emoji \ufffd \ufffd"},
		{"InvalidUTF8Replaced", "a\xffb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in); got != tt.want {
				t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRenderValidUntilLastDay: a certificate expiring at the start of 9
// September (company time) says "Valid until 8 September", its last valid
// day, as every page does.
func TestRenderValidUntilLastDay(t *testing.T) {
	c := sampleCertificate(t)
	c.Location = time.FixedZone("BST", 3600)
	c.ExpiresAt = ptr(time.Date(2028, 9, 8, 23, 0, 0, 0, time.UTC)) // 00:00 on 9 Sep in BST
	pdf, err := MustRenderer(t).Render(c, DefaultTemplate())
	if err != nil {
		t.Fatal(err)
	}
	text := runTool(t, "pdftotext", writePDF(t, pdf), "-")
	if !strings.Contains(text, "8 September 2028") || strings.Contains(text, "9 September 2028") {
		t.Errorf("want the last valid day, 8 September 2028, in:\n%s", text)
	}
}
