package certdoc

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// Report is a multi-page A4 portrait document of headings, paragraphs,
// tables and bar charts (a transcript, a team's readiness), drawn with the
// certificates' fonts, so every name prints whatever its script. Build one
// with (*Renderer).NewReport, add to it in order, then call Bytes. Tables
// continue across pages with their header repeated; every page carries the
// title and "page n of m". The same content and created time give the same
// bytes. A Report is not safe for concurrent use.
type Report struct {
	d      *doc
	title  string
	footer string
	y      float64 // the next free line on the current page, mm from the top
	pages  int
	opsAt  []int // index of the first text op of each page (ops are drawn per page)
	ink    rgb
	accent rgb
	muted  rgb
}

// Portrait geometry, millimetres.
const (
	repW, repH   = 210.0, 297.0
	repMargin    = 16.0
	repContentW  = repW - 2*repMargin
	repTop       = 24.0
	repBottom    = repH - 18.0
	repCellPadX  = 1.6
	repRowMinPad = 1.4
)

// Column is one column of a table: its heading and its share of the width
// (the shares of a table are scaled to the full width).
type Column struct {
	Title string
	Width float64
	Right bool // numbers: right-aligned
}

// Bar is one bar of a chart: a label, a value and the text printed beside it.
type Bar struct {
	Label string
	Value float64 // 0..Max
	Max   float64
	Text  string // e.g. "82% (41 of 50)"
}

// NewReport starts a report titled title (also the PDF's title), with
// footer (e.g. the company name) on every page; created is the PDF's date.
func (r *Renderer) NewReport(title, footer string, created time.Time) *Report {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("Service Academy", false)
	pdf.SetProducer("Service Academy (fpdf)", false)
	pdf.SetTitle(cleanText(title), true)
	pdf.SetAuthor(cleanText(footer), true)
	pdf.SetCreationDate(created.UTC())
	pdf.SetModificationDate(created.UTC())
	ink, _ := parseColor("#1d2939")
	accent, _ := parseColor("#0b5566")
	rp := &Report{d: &doc{pdf: pdf, fonts: r.fonts, used: make([][]rune, len(r.fonts))}, title: title, footer: footer,
		ink: ink, accent: accent, muted: ink.lighter(0.4)}
	rp.newPage()
	return rp
}

func (rp *Report) newPage() {
	rp.d.pdf.AddPage()
	rp.pages++
	rp.opsAt = append(rp.opsAt, len(rp.d.ops))
	rp.d.block(rp.title, box{repMargin, 8, repContentW * 0.7, 6}, 9, 6, rp.muted, alignLeft)
	rp.d.pdf.SetDrawColor(rp.accent.r, rp.accent.g, rp.accent.b)
	rp.d.pdf.SetLineWidth(0.4)
	rp.d.pdf.Line(repMargin, 15, repW-repMargin, 15)
	rp.y = repTop
}

// room starts a new page unless h millimetres fit on this one.
func (rp *Report) room(h float64) bool {
	if rp.y+h <= repBottom {
		return false
	}
	rp.newPage()
	return true
}

// Heading adds a section heading (level 1 is the document's main heading).
func (rp *Report) Heading(level int, s string) {
	size := map[int]float64{1: 18, 2: 13, 3: 11}[level]
	if size == 0 {
		size = 11
	}
	lines := rp.d.fonts.wrap(cleanText(s), size, repContentW)
	h := float64(len(lines))*lineHeight(size) + 2
	rp.room(h + 12) // keep a heading with what follows it
	rp.y += 2
	rp.d.block(s, box{repMargin, rp.y, repContentW, h - 2}, size, size, rp.accent, alignLeft)
	rp.y += h
}

// Text adds a paragraph, wrapped (muted prints it lighter).
func (rp *Report) Text(s string, muted bool) {
	const size = 9.5
	color := rp.ink
	if muted {
		color = rp.muted
	}
	for _, line := range rp.d.fonts.wrap(cleanText(s), size, repContentW) {
		rp.room(lineHeight(size))
		rp.d.block(line, box{repMargin, rp.y, repContentW, lineHeight(size)}, size, size, color, alignLeft)
		rp.y += lineHeight(size)
	}
	rp.y += 1.5
}

// Table adds a table; each row has one cell per column (missing cells are
// empty). Cells wrap within their column; a row never splits across pages.
func (rp *Report) Table(cols []Column, rows [][]string) {
	const size, headSize = 8.5, 8
	total := 0.0
	for _, c := range cols {
		total += c.Width
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = repContentW * c.Width / total
	}
	header := func() {
		h := 0.0
		lines := make([][]string, len(cols))
		for i, c := range cols {
			lines[i] = rp.d.fonts.wrap(cleanText(c.Title), headSize, widths[i]-2*repCellPadX)
			h = max(h, float64(len(lines[i]))*lineHeight(headSize))
		}
		h += 2 * repRowMinPad
		rp.d.pdf.SetFillColor(236, 241, 244)
		rp.d.pdf.Rect(repMargin, rp.y, repContentW, h, "F")
		rp.cells(cols, widths, lines, headSize, h, rp.ink)
		rp.y += h
	}
	rp.room(20)
	header()
	for _, row := range rows {
		lines := make([][]string, len(cols))
		h := 0.0
		for i := range cols {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			lines[i] = rp.d.fonts.wrap(cleanText(cell), size, widths[i]-2*repCellPadX)
			h = max(h, float64(max(1, len(lines[i])))*lineHeight(size))
		}
		h += 2 * repRowMinPad
		if rp.room(h) {
			header()
		}
		rp.cells(cols, widths, lines, size, h, rp.ink)
		rp.d.pdf.SetDrawColor(208, 213, 221)
		rp.d.pdf.SetLineWidth(0.2)
		rp.d.pdf.Line(repMargin, rp.y+h, repW-repMargin, rp.y+h)
		rp.y += h
	}
	rp.y += 3
}

func (rp *Report) cells(cols []Column, widths []float64, lines [][]string, size, h float64, color rgb) {
	x := repMargin
	lh := lineHeight(size)
	for i, c := range cols {
		a := alignLeft
		if c.Right {
			a = alignRight
		}
		for k, line := range lines[i] {
			rp.d.block(line, box{x + repCellPadX, rp.y + repRowMinPad + float64(k)*lh, widths[i] - 2*repCellPadX, lh}, size, size, color, a)
		}
		x += widths[i]
	}
	_ = h
}

// Bars adds a horizontal bar chart, one bar per item, each with its label
// and its value as text (never the bar alone).
func (rp *Report) Bars(items []Bar) {
	const size, rowH = 8.5, 7.0
	labelW, textW := repContentW*0.32, repContentW*0.22
	barW := repContentW - labelW - textW - 4
	for _, it := range items {
		rp.room(rowH)
		rp.d.block(it.Label, box{repMargin, rp.y, labelW - 2, rowH}, size, 6, rp.ink, alignLeft)
		x := repMargin + labelW
		rp.d.pdf.SetFillColor(236, 241, 244)
		rp.d.pdf.Rect(x, rp.y+1.5, barW, rowH-3, "F")
		if it.Max > 0 && it.Value > 0 {
			rp.d.pdf.SetFillColor(rp.accent.r, rp.accent.g, rp.accent.b)
			rp.d.pdf.Rect(x, rp.y+1.5, barW*min(it.Value/it.Max, 1), rowH-3, "F")
		}
		rp.d.block(it.Text, box{x + barW + 2, rp.y, textW + 2, rowH}, size, 6, rp.ink, alignLeft)
		rp.y += rowH
	}
	rp.y += 3
}

// Pages is the number of pages so far.
func (rp *Report) Pages() int { return rp.pages }

// Bytes finishes the report: the footers, the fonts (subsets of the
// characters drawn) and the text, and returns the PDF.
func (rp *Report) Bytes() ([]byte, error) {
	d := rp.d
	footers := make([]int, rp.pages)
	for p := 1; p <= rp.pages; p++ {
		footers[p-1] = len(d.ops)
		d.block(rp.footer, box{repMargin, repH - 12, repContentW * 0.7, 5}, 8, 6, rp.muted, alignLeft)
		d.block("Page "+strconv.Itoa(p)+" of "+strconv.Itoa(rp.pages), box{repW - repMargin - 40, repH - 12, 40, 5}, 8, 6, rp.muted, alignRight)
	}
	for i, f := range d.fonts {
		if len(d.used[i]) > 0 {
			d.pdf.AddUTF8FontFromBytes(f.family, "", f.subset(d.used[i]))
		}
	}
	pageOf := func(op int) int {
		if op >= footers[0] {
			for p := rp.pages - 1; p >= 0; p-- {
				if op >= footers[p] {
					return p + 1
				}
			}
		}
		for p := rp.pages - 1; p >= 0; p-- {
			if op >= rp.opsAt[p] {
				return p + 1
			}
		}
		return 1
	}
	current := 0
	for i, op := range d.ops {
		if p := pageOf(i); p != current {
			d.pdf.SetPage(p)
			current = p
		}
		d.pdf.SetFont(d.fonts[op.font].family, "", op.size)
		d.pdf.SetTextColor(op.color.r, op.color.g, op.color.b)
		d.pdf.Text(op.x, op.y, op.text)
	}
	var out bytes.Buffer
	if err := d.pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certdoc: writing the report: %w", err)
	}
	return out.Bytes(), nil
}
