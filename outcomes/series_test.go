package outcomes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"
)

func TestEncodeSeries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		points []Point
		want   []byte // nil: not checked byte by byte
	}{
		{"none", nil, []byte{1, 0, 0}},
		{"one rating", []Point{{Day: 20000, Value: 4}}, []byte{1, 0, 1, 0xc0, 0xb8, 0x02, 4}},
		{"two on a day, then a day later", []Point{{Day: 3, Value: 5}, {Day: 3, Value: 1}, {Day: 4, Value: 0}}, []byte{1, 0, 3, 6, 0, 1, 5, 1, 0}},
		{"before 1970", []Point{{Day: -2, Value: 1}, {Day: 1, Value: 1}}, []byte{1, 0, 2, 3, 3, 1, 1}},
		{"a fraction: float64", []Point{{Day: 1, Value: 3.25}}, []byte{1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0x0a, 0x40}},
		{"negative and large values", []Point{{Day: 10, Value: -1}, {Day: 400, Value: 256}, {Day: 400, Value: math.Copysign(0, -1)}, {Day: 401, Value: 1e300}}, nil},
		{"a long gap", []Point{{Day: 0, Value: 1}, {Day: math.MaxInt32, Value: 2}}, nil},
		{"the smallest day", []Point{{Day: math.MinInt32, Value: 1}, {Day: math.MaxInt32, Value: 2}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeSeries(nil, tc.points)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil && !bytes.Equal(b, tc.want) {
				t.Fatalf("encoded % x, want % x", b, tc.want)
			}
			got, err := DecodeSeries([]Point{{Day: 99, Value: 9}}, b, math.MaxInt32)
			if err != nil {
				t.Fatal(err)
			}
			if !samePoints(got[1:], tc.points) || got[0] != (Point{Day: 99, Value: 9}) {
				t.Fatalf("decoded %v, want %v after the point already there", got, tc.points)
			}
		})
	}
}

func samePoints(a, b []Point) bool {
	return slices.EqualFunc(a, b, func(x, y Point) bool {
		return x.Day == y.Day && math.Float64bits(x.Value) == math.Float64bits(y.Value)
	})
}

func TestDecodeSeriesThrough(t *testing.T) {
	pts := []Point{{1, 1}, {5, 2}, {5, 3}, {9, 4}}
	b, err := EncodeSeries(nil, pts)
	if err != nil {
		t.Fatal(err)
	}
	for through, n := range map[Day]int{0: 0, 1: 1, 4: 1, 5: 3, 8: 3, 9: 4, 100: 4} {
		got, err := DecodeSeries(nil, b, through)
		if err != nil || !samePoints(got, pts[:n]) {
			t.Errorf("through %d: %v %v, want %v", through, got, err, pts[:n])
		}
	}
}

func TestEncodeSeriesOutOfOrder(t *testing.T) {
	if _, err := EncodeSeries(nil, []Point{{Day: 2}, {Day: 1}}); err == nil {
		t.Fatal("points out of order encoded")
	}
}

func TestDecodeSeriesMalformed(t *testing.T) {
	good, _ := EncodeSeries(nil, []Point{{Day: 3, Value: 1}, {Day: 4, Value: 2}})
	for name, b := range map[string][]byte{
		"empty":             nil,
		"version only":      {1},
		"unknown version":   {2, 0, 0},
		"unknown form":      {1, 2, 0},
		"no count":          {1, 0},
		"count too large":   {1, 0, 100, 2},
		"truncated values":  good[:len(good)-1],
		"trailing bytes":    append(slices.Clone(good), 0),
		"bad varint":        {1, 0, 1, 0x80},
		"day beyond int32":  append(binary.AppendVarint([]byte{1, 0, 1}, math.MaxInt32+1), 1),
		"day below int32":   append(binary.AppendVarint([]byte{1, 0, 1}, math.MinInt32-1), 1),
		"gap beyond uint32": append(binary.AppendUvarint([]byte{1, 0, 2, 0}, math.MaxUint32+1), 1, 1),
		"float64 truncated": {1, 1, 1, 2, 0, 0, 0},
		"sum beyond int32":  append(binary.AppendUvarint(binary.AppendVarint([]byte{1, 0, 2}, math.MaxInt32-1), 2), 1, 1),
	} {
		got, err := DecodeSeries([]Point{{1, 1}}, b, math.MaxInt32)
		if !errors.Is(err, ErrSeries) || len(got) != 1 {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}

// FuzzDecodeSeries: any bytes decode to a series or ErrSeries, never a
// panic; a series decoded encodes back to one that decodes the same.
func FuzzDecodeSeries(f *testing.F) {
	for _, pts := range [][]Point{nil, {{1, 1}}, {{20000, 4}, {20000, 5}, {20400, 1}}, {{-5, 2.5}, {7, -1}}} {
		b, _ := EncodeSeries(nil, pts)
		f.Add(b, int32(math.MaxInt32))
	}
	f.Fuzz(func(t *testing.T, b []byte, through int32) {
		pts, err := DecodeSeries(nil, b, Day(through))
		if err != nil {
			if !errors.Is(err, ErrSeries) || len(pts) != 0 {
				t.Fatalf("%v %v", pts, err)
			}
			return
		}
		for i, p := range pts {
			if p.Day > Day(through) || i > 0 && p.Day < pts[i-1].Day {
				t.Fatalf("point %d %v out of order or after %d", i, p, through)
			}
		}
		again, err := EncodeSeries(nil, pts)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeSeries(nil, again, math.MaxInt32)
		if err != nil || !samePoints(back, pts) {
			t.Fatalf("round trip: %v %v, want %v", back, err, pts)
		}
	})
}
