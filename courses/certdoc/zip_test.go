package certdoc

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// zipLoader returns a LoadFunc for n distinct certificates (codes derived
// from i, so the expected names are known) sharing one logo, as a company's
// bulk download does. Every tenth name is Cyrillic and every fifteenth CJK.
func zipLoader(tb testing.TB) LoadFunc {
	base := sampleCertificate(tb)
	return func(i int) (Certificate, Template, error) {
		c := base
		c.Code = fmt.Sprintf("TEST-%04d-%04d-0000", i/10000, i%10000)
		c.VerifyURL = "https://academy.brightwater.example/verify/" + c.Code
		c.EmployeeName = "Employee Number " + strconv.Itoa(i)
		switch {
		case i%15 == 0:
			c.EmployeeName = "山田 太郎 " + strconv.Itoa(i)
		case i%10 == 0:
			c.EmployeeName = "Дмитрий Иванов " + strconv.Itoa(i)
		}
		c.IssuedAt = base.IssuedAt.Add(time.Duration(i) * time.Minute)
		return c, DefaultTemplate(), nil
	}
}

func TestWriteZip(t *testing.T) {
	r := MustRenderer(t)
	const n = 40
	load := zipLoader(t)
	var buf bytes.Buffer
	var calls []int
	if err := r.WriteZip(context.Background(), &buf, n, load, func(done int) { calls = append(calls, done) }); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != n {
		t.Fatalf("%d entries, want %d", len(zr.File), n)
	}
	for i, f := range zr.File {
		c, tmpl, _ := load(i)
		if want := c.Code + ".pdf"; f.Name != want {
			t.Errorf("entry %d is %q, want %q (input order)", i, f.Name, want)
		}
		if f.Method != zip.Store || f.Flags&0x8 != 0 {
			t.Errorf("%s: method %d, flags %#x; want stored without a data descriptor", f.Name, f.Method, f.Flags)
		}
		if !f.Modified.Equal(c.IssuedAt) {
			t.Errorf("%s: modified %v, want the issue time %v", f.Name, f.Modified, c.IssuedAt)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		want, _ := r.Render(c, tmpl)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from Render's output", f.Name)
		}
	}
	for i, done := range calls {
		if done != i+1 {
			t.Fatalf("progress calls %v; want 1..%d", calls, n)
		}
	}
	if len(calls) != n {
		t.Fatalf("%d progress calls, want %d", len(calls), n)
	}
	if out := runTool(t, "unzip", "-tq", writeFile(t, "bulk.zip", buf.Bytes())); !strings.Contains(out, "No errors detected") {
		t.Errorf("unzip -t: %s", out)
	}
}

func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := tb.TempDir() + "/" + name
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestEntryName(t *testing.T) {
	tests := []struct {
		name  string
		codes []string
		want  []string
	}{
		{"OK", []string{"K7Q2-M9XD-4TPA-8WBN"}, []string{"K7Q2-M9XD-4TPA-8WBN.pdf"}},
		{"Duplicates", []string{"A", "A", "A"}, []string{"A.pdf", "A-2.pdf", "A-3.pdf"}},
		{"DuplicateClashesWithCode", []string{"A", "A-2", "A"}, []string{"A.pdf", "A-2.pdf", "A-3.pdf"}},
		{"PathCharacters", []string{"../etc/passwd", `a\b:c`}, []string{".._etc_passwd.pdf", "a_b_c.pdf"}},
		{"Empty", []string{"", ".."}, []string{"certificate.pdf", "certificate-2.pdf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for i, code := range tt.codes {
				if got := entryName(code, seen); got != tt.want[i] {
					t.Errorf("entryName(%q) = %q, want %q", code, got, tt.want[i])
				}
			}
		})
	}
}

func TestWriteZipStopsOnError(t *testing.T) {
	r := MustRenderer(t)
	ok := zipLoader(t)
	errBroken := errors.New("row 7 is broken")
	tests := []struct {
		name string
		load LoadFunc
		want error
	}{
		{"ErrLoad", func(i int) (Certificate, Template, error) {
			if i == 7 {
				return Certificate{}, Template{}, errBroken
			}
			return ok(i)
		}, errBroken},
		{"ErrBadLogo", func(i int) (Certificate, Template, error) {
			c, tmpl, err := ok(i)
			if i == 3 {
				c.Logo = []byte("junk")
			}
			return c, tmpl, err
		}, ErrBadLogo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			load := func(i int) (Certificate, Template, error) { calls.Add(1); return tt.load(i) }
			err := r.WriteZip(context.Background(), io.Discard, 1000, load, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("WriteZip() = %v; want %v", err, tt.want)
			}
			after := calls.Load()
			time.Sleep(20 * time.Millisecond)
			if calls.Load() != after || after > 100 {
				t.Errorf("load called %d times, then %d: want it to stop soon after the error", after, calls.Load())
			}
		})
	}
}

func TestWriteZipCancel(t *testing.T) {
	r := MustRenderer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	load := zipLoader(t)
	err := r.WriteZip(ctx, io.Discard, 100000, func(i int) (Certificate, Template, error) {
		calls.Add(1)
		return load(i)
	}, func(done int) {
		if done == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteZip() = %v; want context.Canceled", err)
	}
	after := calls.Load()
	time.Sleep(20 * time.Millisecond)
	if calls.Load() != after || after > 10+int64(4*runtime.GOMAXPROCS(0))+2 {
		t.Errorf("load called %d times (then %d) for 10 entries written", after, calls.Load())
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkZip10000 writes a zip of 10,000 certificates (one logo, mixed
// scripts) and reports seconds per zip, the heap's peak while it runs and
// the process's peak resident memory (VmHWM, the whole test binary so far).
func BenchmarkZip10000(b *testing.B) {
	r := MustRenderer(b)
	load := zipLoader(b)
	const n = 10000
	for b.Loop() {
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		w := &countingWriter{}
		start := time.Now()
		if err := r.WriteZip(context.Background(), w, n, load, nil); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		close(stop)
		<-sampled
		b.ReportMetric(elapsed.Seconds(), "s/zip")
		b.ReportMetric(float64(w.n)/(1<<20), "zip-MB")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		if hwm := vmHWM(); hwm > 0 {
			b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
		}
	}
}

// vmHWM is the process's peak resident set size in bytes (Linux), or 0.
func vmHWM() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
