package certdoc

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"sync"

	"github.com/go-pdf/fpdf"
)

// ErrBadLogo is wrapped by the error Render and CheckLogo return when a logo
// is not a decodable PNG or JPEG (or is absurdly large).
var ErrBadLogo = errors.New("certdoc: the logo is not a usable PNG or JPEG image")

// Logo limits: larger images are refused (decoding them would take too much
// memory), and images with more pixels than the logo box needs at print
// resolution (70×20 mm at 300 dpi) are scaled down before embedding.
const (
	maxLogoPixels      = 16 << 20
	logoBoxW, logoBoxH = 827, 236
)

// CheckLogo reports whether data can be used as Certificate.Logo: nil, or an
// error wrapping ErrBadLogo. Use it to vet an upload before storing it.
func CheckLogo(data []byte) error {
	_, err := prepareLogo(data)
	return err
}

// preparedLogo is a logo as it goes into every PDF: a JPEG passed through, or
// a PNG without alpha (fpdf copies those without decoding them).
type preparedLogo struct {
	data []byte
	kind string // fpdf image type: "PNG" or "JPG"
	w, h int    // pixels
}

func badLogo(err error) error { return fmt.Errorf("%w: %v", ErrBadLogo, err) }

// prepareLogo decodes data fully (so a corrupt file is caught here, not in a
// PDF viewer), flattens transparency onto white (the page colour) and scales
// it down to print resolution.
func prepareLogo(data []byte) (*preparedLogo, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, badLogo(err)
	}
	if format != "png" && format != "jpeg" {
		return nil, badLogo(fmt.Errorf("%s images are not supported", format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxLogoPixels {
		return nil, badLogo(fmt.Errorf("%d×%d pixels is too large", cfg.Width, cfg.Height))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, badLogo(err)
	}
	scale := min(1, float64(logoBoxW)/float64(cfg.Width), float64(logoBoxH)/float64(cfg.Height))
	cmyk := cfg.ColorModel == color.CMYKModel
	if format == "jpeg" && scale == 1 && !cmyk {
		return &preparedLogo{data: data, kind: "JPG", w: cfg.Width, h: cfg.Height}, nil
	}
	flat := image.NewRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	if scale < 1 {
		flat = shrink(flat, max(1, int(float64(cfg.Width)*scale+0.5)), max(1, int(float64(cfg.Height)*scale+0.5)))
	}
	w, h := flat.Bounds().Dx(), flat.Bounds().Dy()
	var out bytes.Buffer
	if format == "jpeg" {
		err = jpeg.Encode(&out, flat, &jpeg.Options{Quality: 90})
		return &preparedLogo{data: out.Bytes(), kind: "JPG", w: w, h: h}, err
	}
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, flat)
	return &preparedLogo{data: out.Bytes(), kind: "PNG", w: w, h: h}, err
}

// shrink scales src down to w×h by averaging the source pixels under each
// destination pixel (a box filter: right for downscaling).
func shrink(src *image.RGBA, w, h int) *image.RGBA {
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for dy := 0; dy < h; dy++ {
		y0, y1 := dy*sh/h, max((dy+1)*sh/h, dy*sh/h+1)
		for dx := 0; dx < w; dx++ {
			x0, x1 := dx*sw/w, max((dx+1)*sw/w, dx*sw/w+1)
			var sum [4]int
			for y := y0; y < y1; y++ {
				row := src.Pix[y*src.Stride+4*x0 : y*src.Stride+4*x1]
				for i := 0; i < len(row); i += 4 {
					sum[0] += int(row[i])
					sum[1] += int(row[i+1])
					sum[2] += int(row[i+2])
					sum[3] += int(row[i+3])
				}
			}
			n := (y1 - y0) * (x1 - x0)
			p := dst.Pix[dy*dst.Stride+4*dx:]
			for c := range 4 {
				p[c] = uint8((sum[c] + n/2) / n)
			}
		}
	}
	return dst
}

// logoCache keeps the last few prepared logos by content hash: a company's
// logo is prepared once, not once per certificate.
type logoCache struct {
	mu    sync.Mutex
	byKey map[[32]byte]*preparedLogo
	order [][32]byte
}

const logoCacheSize = 8

func (lc *logoCache) prepare(data []byte) (*preparedLogo, error) {
	key := sha256.Sum256(data)
	lc.mu.Lock()
	l, ok := lc.byKey[key]
	lc.mu.Unlock()
	if ok {
		return l, nil
	}
	l, err := prepareLogo(data)
	if err != nil {
		return nil, err
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.byKey == nil {
		lc.byKey = map[[32]byte]*preparedLogo{}
	}
	if _, ok := lc.byKey[key]; !ok {
		if len(lc.order) == logoCacheSize {
			delete(lc.byKey, lc.order[0])
			lc.order = lc.order[1:]
		}
		lc.byKey[key] = l
		lc.order = append(lc.order, key)
	}
	return l, nil
}

// image draws l as large as fits in the box x, y, w, h (millimetres),
// centred.
func (d *doc) image(l *preparedLogo, x, y, w, h float64) error {
	opts := fpdf.ImageOptions{ImageType: l.kind}
	d.pdf.RegisterImageOptionsReader("logo", opts, bytes.NewReader(l.data))
	if err := d.pdf.Error(); err != nil {
		return badLogo(err)
	}
	scale := min(w/float64(l.w), h/float64(l.h))
	iw, ih := float64(l.w)*scale, float64(l.h)*scale
	d.pdf.ImageOptions("logo", x+(w-iw)/2, y+(h-ih)/2, iw, ih, false, opts, 0, "")
	return nil
}
