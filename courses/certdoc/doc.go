// Package certdoc makes the documents behind a certificate: the printable
// PDF (Renderer.Render), its verification code (NewCode, ParseCode), the Open
// Badges 3.0 credential (Badge) and bulk downloads of many PDFs as one zip
// (Renderer.WriteZip).
//
// It is pure: no database, no web framework and no clock. Callers pass in
// everything a document shows, including its dates, so the same input always
// gives the same bytes.
//
// The PDF embeds subsets of DejaVu Sans (Latin with its extensions, Greek,
// Cyrillic, Armenian, Georgian) and Droid Sans Fallback (Chinese ideographs,
// Japanese kana), both shipped unmodified in fonts/ with their licences; each
// character is drawn with the first of the two that has it. Not covered:
// Korean Hangul (neither font has it), characters outside the Basic
// Multilingual Plane (drawn as U+FFFD), and scripts that need shaping or
// right-to-left layout (Arabic, Hebrew, Indic scripts, Thai), which fpdf
// cannot do: they come out as boxes, or as unjoined or reversed letters,
// though the PDF's text layer (search, copy, screen readers) still holds the
// right characters.
package certdoc
