package certdoc

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The fonts are embedded unmodified; their licences are in fonts/. A PDF only
// ever carries a subset of the glyphs it shows (as every PDF writer does).
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSansTTF []byte
	//go:embed fonts/DroidSansFallbackFull.ttf
	droidSansFallbackTTF []byte
)

// sfnt is a TrueType font parsed once, holding what it takes to cut a small
// font of just the glyphs one certificate uses. fpdf parses (and json-encodes)
// every font it is given, per document, so handing it a few-dozen-glyph font
// instead of a 4 MB one is what keeps a render in the low milliseconds.
//
// Only BMP characters are addressable: fpdf's UTF-8 fonts use 16-bit codes.
type sfnt struct {
	family     string            // the name the font is added to fpdf under
	tables     map[string][]byte // raw tables, slices of the embedded file
	numGlyphs  int
	unitsPerEm int
	loca       []uint32 // glyph i is glyf[loca[i]:loca[i+1]]
	advance    []uint16 // advance width per glyph, font units
	lsb        []int16  // left side bearing per glyph
	glyphOf    []uint16 // BMP rune → glyph id, 0 when the font lacks it
	names      []byte   // the name table cut down for subsets (see trimNames)
}

// parseSFNT reads a TrueType (glyf-outline) font. CFF-flavoured OpenType is
// refused: fpdf embeds only TrueType outlines.
func parseSFNT(family string, data []byte) (*sfnt, error) {
	if len(data) < 12 {
		return nil, errors.New("font file too short")
	}
	switch binary.BigEndian.Uint32(data) {
	case 0x00010000, 0x74727565: // TrueType, 'true'
	case 0x4F54544F: // 'OTTO'
		return nil, errors.New("CFF (OpenType) outlines are not supported; use a TrueType font")
	default:
		return nil, errors.New("not a TrueType font")
	}
	f := &sfnt{family: family, tables: map[string][]byte{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, errors.New("truncated table directory")
	}
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q out of bounds", tag)
		}
		f.tables[tag] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name", "OS/2", "post"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("missing %q table", tag)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(f.tables["post"]) < 32 {
		return nil, errors.New("truncated head, hhea, maxp or post table")
	}
	if fsType := binary.BigEndian.Uint16(f.tables["OS/2"][8:]); fsType == 0x0002 || fsType&0x0300 != 0 {
		return nil, errors.New("font licence forbids embedding")
	}
	f.unitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	longLoca := binary.BigEndian.Uint16(head[50:]) == 1
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	numHMetrics := int(binary.BigEndian.Uint16(hhea[34:]))
	if f.unitsPerEm == 0 || f.numGlyphs == 0 || numHMetrics == 0 || numHMetrics > f.numGlyphs {
		return nil, errors.New("bad head, maxp or hhea values")
	}

	loca, glyf := f.tables["loca"], f.tables["glyf"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for i := range f.loca {
		if longLoca {
			if len(loca) < 4*(i+1) {
				return nil, errors.New("truncated loca table")
			}
			f.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		} else {
			if len(loca) < 2*(i+1) {
				return nil, errors.New("truncated loca table")
			}
			f.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		}
		if f.loca[i] > uint32(len(glyf)) || (i > 0 && f.loca[i] < f.loca[i-1]) {
			return nil, errors.New("bad loca table")
		}
	}

	hmtx := f.tables["hmtx"]
	if len(hmtx) < 4*numHMetrics+2*(f.numGlyphs-numHMetrics) {
		return nil, errors.New("truncated hmtx table")
	}
	f.advance = make([]uint16, f.numGlyphs)
	f.lsb = make([]int16, f.numGlyphs)
	for g := 0; g < f.numGlyphs; g++ {
		if g < numHMetrics {
			f.advance[g] = binary.BigEndian.Uint16(hmtx[4*g:])
			f.lsb[g] = int16(binary.BigEndian.Uint16(hmtx[4*g+2:]))
		} else {
			f.advance[g] = f.advance[numHMetrics-1]
			f.lsb[g] = int16(binary.BigEndian.Uint16(hmtx[4*numHMetrics+2*(g-numHMetrics):]))
		}
	}

	var err error
	if f.glyphOf, err = parseCmap4(f.tables["cmap"], f.numGlyphs); err != nil {
		return nil, err
	}
	if f.names, err = trimNames(f.tables["name"]); err != nil {
		return nil, err
	}
	return f, nil
}

// trimNames keeps, of a format 0 name table, the Windows Unicode records
// that name the font and carry its copyright, licence and licence URL (IDs
// 0–6, 13, 14), in US English where the font has it and otherwise in every
// language it has: the copyright and licence notices travel with every
// embedded subset, the Macintosh duplicates and other strings do not.
func trimNames(name []byte) ([]byte, error) {
	if len(name) < 6 || binary.BigEndian.Uint16(name) != 0 {
		return nil, errors.New("name table is not format 0")
	}
	count, strOff := int(binary.BigEndian.Uint16(name[2:])), int(binary.BigEndian.Uint16(name[4:]))
	if len(name) < 6+12*count || strOff > len(name) {
		return nil, errors.New("truncated name table")
	}
	keepID := map[uint16]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 13: true, 14: true}
	type rec struct {
		r   []byte
		str []byte
	}
	var keep []rec
	english := false
	for i := range count {
		if binary.BigEndian.Uint16(name[6+12*i+4:]) == 0x409 {
			english = true
		}
	}
	for i := range count {
		r := name[6+12*i : 18+12*i]
		platform, encoding := binary.BigEndian.Uint16(r), binary.BigEndian.Uint16(r[2:])
		lang, id := binary.BigEndian.Uint16(r[4:]), binary.BigEndian.Uint16(r[6:])
		length, off := int(binary.BigEndian.Uint16(r[8:])), int(binary.BigEndian.Uint16(r[10:]))
		if platform != 3 || (encoding != 1 && encoding != 10) || !keepID[id] || (english && lang != 0x409) {
			continue
		}
		if strOff+off+length > len(name) {
			return nil, errors.New("name record out of bounds")
		}
		keep = append(keep, rec{r, name[strOff+off : strOff+off+length]})
	}
	if len(keep) == 0 {
		return name, nil // nothing recognisable: embed it as it is
	}
	out := binary.BigEndian.AppendUint16(nil, 0)
	out = binary.BigEndian.AppendUint16(out, uint16(len(keep)))
	out = binary.BigEndian.AppendUint16(out, uint16(6+12*len(keep)))
	var strs []byte
	for _, k := range keep {
		out = append(out, k.r[:8]...)
		out = binary.BigEndian.AppendUint16(out, uint16(len(k.str)))
		out = binary.BigEndian.AppendUint16(out, uint16(len(strs)))
		strs = append(strs, k.str...)
	}
	return append(out, strs...), nil
}

// parseCmap4 reads the Unicode BMP subtable (format 4) of a cmap table, the
// one fpdf reads too.
func parseCmap4(cmap []byte, numGlyphs int) ([]uint16, error) {
	if len(cmap) < 4 {
		return nil, errors.New("truncated cmap table")
	}
	var sub []byte
	for i := 0; i < int(binary.BigEndian.Uint16(cmap[2:])); i++ {
		rec := cmap[4+8*i:]
		if len(rec) < 8 {
			return nil, errors.New("truncated cmap table")
		}
		platform, encoding := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		off := binary.BigEndian.Uint32(rec[4:])
		if (platform == 3 && encoding == 1) || platform == 0 {
			if int(off)+4 <= len(cmap) && binary.BigEndian.Uint16(cmap[off:]) == 4 {
				sub = cmap[off:]
				break
			}
		}
	}
	if sub == nil || len(sub) < 14 {
		return nil, errors.New("no Unicode format 4 cmap")
	}
	segs := int(binary.BigEndian.Uint16(sub[6:])) / 2
	if len(sub) < 16+8*segs {
		return nil, errors.New("truncated format 4 cmap")
	}
	ends, starts := sub[14:], sub[16+2*segs:]
	deltas, rangeOffs := sub[16+4*segs:], sub[16+6*segs:]
	glyphOf := make([]uint16, 1<<16)
	for s := 0; s < segs; s++ {
		start, end := int(binary.BigEndian.Uint16(starts[2*s:])), int(binary.BigEndian.Uint16(ends[2*s:]))
		delta, ro := binary.BigEndian.Uint16(deltas[2*s:]), int(binary.BigEndian.Uint16(rangeOffs[2*s:]))
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g uint16
			if ro == 0 {
				g = uint16(c) + delta
			} else {
				// idRangeOffset counts bytes from its own position.
				p := 16 + 6*segs + 2*s + ro + 2*(c-start)
				if p+2 > len(sub) {
					continue
				}
				if g = binary.BigEndian.Uint16(sub[p:]); g != 0 {
					g += delta
				}
			}
			if int(g) < numGlyphs {
				glyphOf[c] = g
			}
		}
	}
	return glyphOf, nil
}

// has reports whether the font draws r.
func (f *sfnt) has(r rune) bool {
	return r >= 0 && r < 0xFFFF && f.glyphOf[r] != 0
}

// width1000 is r's advance in thousandths of the font size, rounded the way
// fpdf rounds the widths it writes into the PDF, so measured text and drawn
// text agree.
func (f *sfnt) width1000(r rune) int {
	if !f.has(r) {
		return 0
	}
	return int(math.Round(float64(f.advance[f.glyphOf[r]]) * 1000 / float64(f.unitsPerEm)))
}

// missingWidth1000 is the advance of the missing-glyph box (glyph 0), the
// width fpdf declares for characters the font lacks.
func (f *sfnt) missingWidth1000() int {
	return int(math.Round(float64(f.advance[0]) * 1000 / float64(f.unitsPerEm)))
}

// Composite glyph flags (TrueType 'glyf' table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// components returns, for a composite glyph, the byte offsets within its data
// of each component's glyph id; nil for a simple glyph.
func components(data []byte) []int {
	if len(data) < 10 || int16(binary.BigEndian.Uint16(data)) >= 0 {
		return nil
	}
	var offs []int
	for p := 10; p+4 <= len(data); {
		flags := binary.BigEndian.Uint16(data[p:])
		offs = append(offs, p+2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			break
		}
	}
	return offs
}

// subset returns a complete TrueType font holding .notdef and the glyphs for
// runes (plus the components of composite glyphs), renumbered from 1 and
// mapped by a fresh format 4 cmap. Runes the font lacks are left out.
func (f *sfnt) subset(runes []rune) []byte {
	runes = slices.Clone(runes)
	slices.Sort(runes)
	runes = slices.Compact(runes)

	glyf := f.tables["glyf"]
	oldOf := []uint16{0}             // new id → old id
	newOf := map[uint16]uint16{0: 0} // old id → new id
	add := func(old uint16) uint16 {
		if id, ok := newOf[old]; ok {
			return id
		}
		id := uint16(len(oldOf))
		oldOf = append(oldOf, old)
		newOf[old] = id
		return id
	}
	type pair struct{ r, id uint16 }
	var pairs []pair
	for _, r := range runes {
		if f.has(r) {
			pairs = append(pairs, pair{uint16(r), add(f.glyphOf[r])})
		}
	}
	for i := 0; i < len(oldOf); i++ { // oldOf grows as components are found
		g := oldOf[i]
		data := glyf[f.loca[g]:f.loca[g+1]]
		for _, off := range components(data) {
			if c := binary.BigEndian.Uint16(data[off:]); int(c) < f.numGlyphs {
				add(c)
			}
		}
	}

	n := len(oldOf)
	var newGlyf []byte
	newLoca := make([]byte, 0, 4*(n+1))
	hmtx := make([]byte, 0, 4*n)
	for _, g := range oldOf {
		newLoca = binary.BigEndian.AppendUint32(newLoca, uint32(len(newGlyf)))
		start := len(newGlyf)
		data := glyf[f.loca[g]:f.loca[g+1]]
		newGlyf = append(newGlyf, data...)
		for _, off := range components(data) {
			c := binary.BigEndian.Uint16(data[off:])
			binary.BigEndian.PutUint16(newGlyf[start+off:], newOf[c])
		}
		for len(newGlyf)%4 != 0 {
			newGlyf = append(newGlyf, 0)
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, f.advance[g])
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(f.lsb[g]))
	}
	newLoca = binary.BigEndian.AppendUint32(newLoca, uint32(len(newGlyf)))

	// cmap: one segment per run of consecutive runes with consecutive ids.
	type seg struct{ start, end, id uint16 }
	var segs []seg
	for _, p := range pairs {
		if k := len(segs) - 1; k >= 0 && p.r == segs[k].end+1 && p.id == segs[k].id+(p.r-segs[k].start) {
			segs[k].end = p.r
			continue
		}
		segs = append(segs, seg{p.r, p.r, p.id})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 0})
	segCount := len(segs)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= segCount {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 2
	sub := make([]byte, 0, 16+8*segCount)
	for _, v := range []int{4, 16 + 8*segCount, 0, 2 * segCount, searchRange, entrySelector, 2*segCount - searchRange} {
		sub = binary.BigEndian.AppendUint16(sub, uint16(v))
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.end)
	}
	sub = binary.BigEndian.AppendUint16(sub, 0) // reservedPad
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.start)
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.id-s.start) // idDelta, mod 65536; 0xFFFF→0
	}
	for range segs {
		sub = binary.BigEndian.AppendUint16(sub, 0) // idRangeOffset
	}
	cmap := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12} // one (3,1) subtable at offset 12
	cmap = append(cmap, sub...)

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	post := slices.Clone(f.tables["post"][:32])
	binary.BigEndian.PutUint32(post, 0x00030000) // version 3: no glyph names

	out := map[string][]byte{
		"OS/2": f.tables["OS/2"], "cmap": cmap, "glyf": newGlyf, "head": head, "hhea": hhea,
		"hmtx": hmtx, "loca": newLoca, "maxp": maxp, "name": f.names, "post": post,
	}
	for _, tag := range []string{"cvt ", "fpgm", "prep", "gasp"} { // hinting, if any
		if t := f.tables[tag]; t != nil {
			out[tag] = t
		}
	}
	return assembleSFNT(out)
}

// assembleSFNT writes a TrueType file from its tables, with the checksums set.
func assembleSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	n := len(tags)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16
	size := 12 + 16*n
	for _, tag := range tags {
		size += (len(tables[tag]) + 3) &^ 3
	}
	buf := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(buf, 0x00010000)
	binary.BigEndian.PutUint16(buf[4:], uint16(n))
	binary.BigEndian.PutUint16(buf[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(buf[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(buf[10:], uint16(16*n-searchRange))
	headAt := 0
	for i, tag := range tags {
		t := tables[tag]
		if tag == "head" {
			headAt = len(buf)
		}
		rec := buf[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(buf)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t)))
		buf = append(buf, t...)
		for len(buf)%4 != 0 {
			buf = append(buf, 0)
		}
	}
	binary.BigEndian.PutUint32(buf[headAt+8:], 0xB1B0AFBA-checksum(buf))
	return buf
}

// checksum is the TrueType table checksum: the sum of big-endian uint32s,
// zero-padded.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	var last [4]byte
	copy(last[:], b)
	return sum + binary.BigEndian.Uint32(last[:])
}
