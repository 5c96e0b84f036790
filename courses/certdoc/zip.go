package certdoc

import (
	"archive/zip"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LoadFunc returns the i-th certificate of a bulk download and its template.
// WriteZip calls it from several goroutines at once, each i exactly once.
type LoadFunc func(i int) (Certificate, Template, error)

// WriteZip renders n certificates and streams them to w as one zip, in order
// 0..n-1, each entry named after its code ("K7Q2-M9XD-4TPA-8WBN.pdf"; a code
// seen before gets "-2", "-3" … added). Rendering runs on GOMAXPROCS
// goroutines while the zip is written; at most a few PDFs per core are held
// in memory at once. The PDFs are stored, not deflated again: they are
// compressed already.
//
// progress, if not nil, is called after each entry is written with the
// number written so far, from the goroutine that called WriteZip.
//
// WriteZip stops at the first error, from load, Render (e.g. ErrBadLogo) or
// w, and when ctx is cancelled (returning ctx.Err()). The zip is then
// incomplete, so w should be discarded. Either way no goroutine is left
// running and load is not called again once it returns.
func (r *Renderer) WriteZip(ctx context.Context, w io.Writer, n int, load LoadFunc, progress func(done int)) error {
	if n < 0 {
		return fmt.Errorf("certdoc: WriteZip of %d certificates", n)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		code string
		cert Certificate
		pdf  []byte
		crc  uint32
		err  error
	}
	type job struct {
		i   int
		out chan result
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job)
	pending := make(chan chan result, 2*workers) // in input order; bounds what is in flight

	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred later, so run first)
	defer cancel()

	wg.Add(1)
	go func() { // feed jobs in order, each with its result slot queued for the writer
		defer wg.Done()
		defer close(jobs)
		defer close(pending)
		for i := 0; i < n; i++ {
			out := make(chan result, 1)
			select {
			case pending <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-ctx.Done():
				out <- result{err: ctx.Err()}
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					j.out <- result{err: ctx.Err()}
					continue
				}
				c, t, err := load(j.i)
				if err != nil {
					j.out <- result{err: fmt.Errorf("certdoc: loading certificate %d: %w", j.i, err)}
					continue
				}
				pdf, err := r.Render(c, t)
				if err != nil {
					err = fmt.Errorf("certdoc: certificate %d (%s): %w", j.i, c.Code, err)
				}
				j.out <- result{code: c.Code, cert: c, pdf: pdf, crc: crc32.ChecksumIEEE(pdf), err: err}
			}
		}()
	}

	zw := zip.NewWriter(w)
	names := map[string]bool{}
	done := 0
	for out := range pending {
		var res result
		select {
		case res = <-out:
		case <-ctx.Done():
			return ctx.Err()
		}
		if res.err != nil {
			return res.err
		}
		name := entryName(res.code, names)
		h := &zip.FileHeader{
			Name:               name,
			Method:             zip.Store,
			CRC32:              res.crc,
			CompressedSize64:   uint64(len(res.pdf)),
			UncompressedSize64: uint64(len(res.pdf)),
		}
		setModified(h, res.cert.IssuedAt)
		h.SetMode(0o644)
		// CreateRaw with the sizes known up front writes no data descriptor,
		// which streaming unzippers need for stored entries.
		f, err := zw.CreateRaw(h)
		if err == nil {
			_, err = f.Write(res.pdf)
		}
		if err != nil {
			return fmt.Errorf("certdoc: writing %s: %w", name, err)
		}
		done++
		if progress != nil {
			progress(done)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if done != n {
		return fmt.Errorf("certdoc: wrote %d of %d certificates", done, n)
	}
	return zw.Close()
}

// setModified stamps h with t (UTC) both ways unzip tools read it: MS-DOS
// date and time, and the extended timestamp field. (zip.Writer.CreateRaw,
// unlike CreateHeader, does not derive them from FileHeader.Modified.)
func setModified(h *zip.FileHeader, t time.Time) {
	t = t.UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	h.Modified = t
	h.ModifiedDate = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	h.ModifiedTime = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	if unix := t.Unix(); unix <= math.MaxUint32 {
		ext := []byte{0x55, 0x54, 5, 0, 1} // "UT", 5 bytes, modification time only
		h.Extra = binary.LittleEndian.AppendUint32(ext, uint32(unix))
	}
}

// entryName is code as a file name ending in .pdf, with characters outside
// [A-Za-z0-9._-] replaced by "_", made unique among the names in seen (to
// which it is added).
func entryName(code string, seen map[string]bool) string {
	base := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, code)
	if base == "" || strings.Trim(base, ".") == "" {
		base = "certificate"
	}
	name := base + ".pdf"
	for k := 2; seen[name]; k++ {
		name = base + "-" + strconv.Itoa(k) + ".pdf"
	}
	seen[name] = true
	return name
}
