package certdoc

import (
	"math"
	"strconv"

	qr "github.com/piglig/go-qr"
)

// qrModules encodes text as a QR code (error correction M, about 15%; the
// smallest version that fits, mask chosen by the ISO 18004 penalty rules)
// and returns its modules by row, true for dark, without the quiet zone.
func qrModules(text string) ([][]bool, error) {
	q, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return nil, err
	}
	n := q.Size()
	rows := make([][]bool, n)
	cells := make([]bool, n*n)
	for y := range rows {
		rows[y] = cells[y*n : (y+1)*n]
		for x := range rows[y] {
			rows[y][x] = q.Module(x, y)
		}
	}
	return rows, nil
}

// qr draws modules as a size×size millimetre square at x, y: one black path
// of rectangles, a row's adjacent dark modules merged into one, filled at
// once so no seams show between them. The page around it is left white for
// the quiet zone.
func (d *doc) qr(modules [][]bool, x, y, size float64) {
	n := len(modules)
	if n == 0 {
		return
	}
	// Work in points on a 0.01 pt grid, the precision written below, so
	// neighbouring modules share edges exactly.
	const k = 72 / 25.4 // points per millimetre
	grid := func(v float64) float64 { return math.Round(v*100) / 100 }
	m := math.Floor(size*k/float64(n)*100) / 100
	x0, top := grid(x*k), grid((pageH-y)*k)
	b := make([]byte, 0, 32*n*n/4)
	b = append(b, "q 0 0 0 rg\n"...)
	num := func(v float64) { b = strconv.AppendFloat(b, v, 'f', 2, 64); b = append(b, ' ') }
	for row, cells := range modules {
		for col := 0; col < n; {
			if !cells[col] {
				col++
				continue
			}
			end := col
			for end < n && cells[end] {
				end++
			}
			num(x0 + float64(col)*m)
			num(top - float64(row+1)*m)
			num(float64(end-col) * m)
			num(m)
			b = append(b, "re\n"...)
			col = end
		}
	}
	b = append(b, "f Q"...)
	d.pdf.RawWriteStr(string(b))
}
