package certdoc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fontChain is the embedded fonts in order of preference: each character is
// drawn with the first font that has it. fpdf never falls back between fonts
// by itself, so text is split into runs, one font per run.
type fontChain []*sfnt

// run is a stretch of text drawn with one font of the chain.
type run struct {
	font int
	text string
}

// cleanText makes s drawable: characters outside the Basic Multilingual
// Plane (which fpdf's 16-bit glyph codes cannot address) become U+FFFD,
// control characters are dropped and whitespace runs become one space.
func cleanText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case r == utf8.RuneError, r > 0xFFFE:
			r = unicode.ReplacementChar
		case unicode.IsControl(r), r == 0xFEFF:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fontFor is the chain index that draws r, given the font of the run it
// would continue (-1 for none). Neutral characters (spaces, digits,
// punctuation, combining marks) stay in the current run when its font has
// them, so "山田 太郎" is one run. A character no font has goes to the first
// font, which draws its missing-glyph box; the PDF's text layer still holds
// the real character.
func (fc fontChain) fontFor(r rune, current int) int {
	if current >= 0 && fc[current].has(r) && (unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r)) {
		return current
	}
	for i, f := range fc {
		if f.has(r) {
			return i
		}
	}
	return 0
}

// runs splits s (already cleaned) into runs by font.
func (fc fontChain) runs(s string) []run {
	var out []run
	start, cur := 0, -1
	for i, r := range s {
		f := fc.fontFor(r, cur)
		if f != cur {
			if cur >= 0 {
				out = append(out, run{cur, s[start:i]})
			}
			start, cur = i, f
		}
	}
	if cur >= 0 {
		out = append(out, run{cur, s[start:]})
	}
	return out
}

// advances is the advance of each character of s in thousandths of the font
// size, as the PDF viewer will lay it out (a character no font has takes the
// first font's missing-glyph width).
func (fc fontChain) advances(s string) []int {
	var out []int
	for _, rn := range fc.runs(s) {
		f := fc[rn.font]
		for _, r := range rn.text {
			if f.has(r) {
				out = append(out, f.width1000(r))
			} else {
				out = append(out, f.missingWidth1000())
			}
		}
	}
	return out
}

// runWidth is the advance of one run at size points, in millimetres.
func (fc fontChain) runWidth(rn run, size float64) float64 {
	f, units := fc[rn.font], 0
	for _, r := range rn.text {
		if f.has(r) {
			units += f.width1000(r)
		} else {
			units += f.missingWidth1000()
		}
	}
	return float64(units) * size / 1000 * mmPerPt
}

// width is the advance of s at size points, in millimetres.
func (fc fontChain) width(s string, size float64) float64 {
	units := 0
	for _, a := range fc.advances(s) {
		units += a
	}
	return float64(units) * size / 1000 * mmPerPt
}

const mmPerPt = 25.4 / 72

// lineHeight is the distance between baselines for text of size points, in
// millimetres.
func lineHeight(size float64) float64 { return 1.25 * size * mmPerPt }

// fitted is text laid out to fit a box: a font size and the lines to draw.
type fitted struct {
	size  float64 // points
	lines []string
}

// fit lays s out in a box w×h millimetres. It uses the largest size from
// maxSize down to minSize at which s fits on one line; failing that it wraps
// at minSize, and if the lines are then too tall for the box it keeps
// shrinking (down to 4 pt) while wrapping. At 4 pt, lines that still do not
// fit are cut and the last one ends in "…". The result never leaves the box.
func (fc fontChain) fit(s string, w, h, maxSize, minSize float64) fitted {
	const step, floor = 0.5, 4.0
	if s == "" {
		return fitted{size: maxSize}
	}
	for size := maxSize; size >= minSize; size -= step {
		if fc.width(s, size) <= w && lineHeight(size) <= h {
			return fitted{size, []string{s}}
		}
	}
	size := minSize
	for ; size > floor; size -= step {
		lines := fc.wrap(s, size, w)
		if float64(len(lines))*lineHeight(size) <= h {
			return fitted{size, lines}
		}
	}
	size = floor
	lines := fc.wrap(s, size, w)
	keep := max(1, int(h/lineHeight(size)))
	if len(lines) > keep {
		lines = lines[:keep]
		last := lines[keep-1]
		for last != "" && fc.width(last+"…", size) > w {
			_, n := utf8.DecodeLastRuneInString(last)
			last = last[:len(last)-n]
		}
		lines[keep-1] = last + "…"
	}
	return fitted{size, lines}
}

// wrap breaks s into lines no wider than w at size points: at spaces where it
// can, and inside a word (between characters, never before a combining
// mark) when one word is wider than a line, as with long names without
// spaces or CJK text.
func (fc fontChain) wrap(s string, size, w float64) []string {
	var lines []string
	line := ""
	for _, word := range strings.Split(s, " ") {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if fc.width(try, size) <= w {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		for fc.width(word, size) > w {
			cut := fc.breakAt(word, size, w)
			lines = append(lines, word[:cut])
			word = word[cut:]
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// breakAt is the byte length of the longest head of word that fits in w
// (at least one character, so wrapping always progresses). It never cuts
// before a combining mark.
func (fc fontChain) breakAt(word string, size, w float64) int {
	adv := fc.advances(word)
	limit := w / (size / 1000 * mmPerPt) // in thousandths of the size
	cut, units, k := 0, 0, 0
	for i, r := range word {
		if i > 0 && !unicode.Is(unicode.Mn, r) {
			if float64(units) > limit {
				break
			}
			cut = i
		}
		units += adv[k]
		k++
	}
	if float64(units) <= limit {
		cut = len(word)
	}
	if cut == 0 {
		_, cut = utf8.DecodeRuneInString(word)
		for cut < len(word) {
			r, n := utf8.DecodeRuneInString(word[cut:])
			if !unicode.Is(unicode.Mn, r) {
				break
			}
			cut += n
		}
	}
	return cut
}
