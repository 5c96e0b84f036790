package certdoc

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

var (
	rendererOnce sync.Once
	renderer     *Renderer
	rendererErr  error
)

// MustRenderer returns a Renderer shared by the package's tests.
func MustRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	rendererOnce.Do(func() { renderer, rendererErr = NewRenderer() })
	if rendererErr != nil {
		tb.Fatal(rendererErr)
	}
	return renderer
}

// testLogoPNG is a 600×180 logo with transparency, like a company's upload.
func testLogoPNG(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 600, 180))
	for y := 0; y < 180; y++ {
		for x := 0; x < 600; x++ {
			switch {
			case (x-90)*(x-90)+(y-90)*(y-90) < 80*80:
				img.Set(x, y, color.NRGBA{0x1f, 0x4e, 0x79, 0xff})
			case x > 200 && x < 580 && y > 60 && y < 120 && (x/20)%2 == 0:
				img.Set(x, y, color.NRGBA{0xd0, 0x80, 0x20, uint8(100 + x%150)})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func ptr[T any](v T) *T { return &v }

// sampleCertificate is a certificate as production makes them, logo included.
func sampleCertificate(tb testing.TB) Certificate {
	return Certificate{
		Code:             "K7Q2-M9XD-4TPA-8WBN",
		EmployeeName:     "Zoë Núñez Øberg",
		Programme:        "Food Safety and Hygiene, Level 2",
		ProgrammeVersion: 3,
		IssuedAt:         time.Date(2025, 3, 12, 14, 30, 0, 0, time.UTC),
		ExpiresAt:        ptr(time.Date(2027, 3, 12, 14, 30, 0, 0, time.UTC)),
		Score:            ptr(92.5),
		CompanyName:      "Brightwater Hotels & Resorts",
		Logo:             testLogoPNG(tb),
		SignatoryName:    "Aisha Khan",
		SignatoryTitle:   "Head of Learning and Development",
		VerifyURL:        "https://academy.brightwater.example/verify/K7Q2-M9XD-4TPA-8WBN",
	}
}

// needTool returns the path of a command-line tool a test needs. Without it
// the test is skipped, except under CI (env CI set), where it fails: CI
// installs the tools (poppler-utils, qpdf, zbar-tools).
func needTool(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " is not installed (Debian: apt-get install poppler-utils qpdf zbar-tools unzip)"
	if os.Getenv("CI") != "" {
		tb.Fatal(msg + "; CI must have it")
	}
	tb.Skip("skipping: " + msg)
	return ""
}
