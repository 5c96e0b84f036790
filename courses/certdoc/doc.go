// Package certdoc makes the documents behind a certificate: the printable
// PDF (Renderer.Render), its verification code (NewCode, ParseCode), the Open
// Badges 3.0 credential (Badge) and bulk downloads of many PDFs as one zip
// (Renderer.WriteZip).
//
// It is pure: no database, no web framework and no clock. Callers pass in
// everything a document shows, including its dates, so the same input always
// gives the same bytes.
//
// The PDF embeds subsets of DejaVu Sans (Latin, Greek, Cyrillic and more) and
// Droid Sans Fallback (Chinese and Japanese), both shipped in fonts/ with
// their licences. Not covered: Korean Hangul (the fallback font lacks it),
// and scripts that need shaping or right-to-left layout (Arabic, Hebrew,
// Indic scripts, Thai), which fpdf cannot do. Such characters still appear
// correctly in the PDF's text layer (search, copy, screen readers) but may be
// drawn as boxes or unjoined letters.
package certdoc
