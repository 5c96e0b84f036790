package app

import (
	"html/template"
	"strconv"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
)

// Formats: numbers, counts and statuses as every page writes them.

// percent is a score as the pages show it, rounded as scores are: "92.5%";
// "" for none.
func percent(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(assessments.RoundPercent(*f), 'f', -1, 64) + "%"
}

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// thousands writes n with commas between groups of three digits: "20,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// --- Status marks ------------------------------------------------------------

// mark is how the pages show a status, never by colour alone: an icon
// (hidden from screen readers, which read the words), the words, and the
// badge class whose colour only reinforces them. The matrix's cells use
// the same symbols (cellIcons).
type mark struct{ Icon, Label, Class string }

// badge is the markup every status badge shares: the class gives the
// colour, the icon is hidden from screen readers and the label says it in
// words; attr="value" lets tests and scripts find the status.
func (m mark) badge(attr, value string) template.HTML {
	return template.HTML(`<span class="badge ` + m.Class + `" ` + attr + `="` + template.HTMLEscapeString(value) +
		`"><span aria-hidden="true">` + m.Icon + `</span> ` + template.HTMLEscapeString(m.Label) + `</span>`)
}

// statusMark is the mark of a programme cycle's status.
func statusMark(st courses.Status) mark {
	m := mark{Icon: "○", Label: st.Label(), Class: "badge-muted"}
	switch st {
	case courses.Overdue, courses.Expired:
		m.Icon, m.Class = "✕", "badge-bad"
	case courses.DueSoon, courses.Expiring:
		m.Icon, m.Class = "!", "badge-warn"
	case courses.InProgress:
		m.Icon, m.Class = "◐", "badge-info"
	case courses.Completed:
		m.Icon, m.Class = "✓", "badge-ok"
	case courses.Exempt:
		m.Icon = "–"
	}
	return m
}

// readinessMark is the mark of an employee's readiness to serve.
func readinessMark(r courses.Readiness) mark {
	switch r {
	case courses.Ready:
		return mark{"✓", r.Label(), "badge-ok"}
	case courses.AtRisk:
		return mark{"!", r.Label(), "badge-warn"}
	case courses.NotReady:
		return mark{"✕", r.Label(), "badge-bad"}
	}
	return mark{"–", "Not decided yet", "badge-muted"}
}

// certMark is the mark of a certificate's status.
func certMark(st courses.CertStatus) mark {
	m := mark{Icon: "○", Label: st.Label(), Class: "badge-muted"}
	switch st {
	case courses.CertValid:
		m.Icon, m.Class = "✓", "badge-ok"
	case courses.CertExpired:
		m.Icon, m.Class = "✕", "badge-bad"
	case courses.CertRevoked:
		m.Icon, m.Class = "⊘", "badge-bad"
	case courses.CertSuperseded:
		m.Icon = "↻"
	}
	return m
}

// statusBadge is a programme cycle's status as a badge.
func statusBadge(st courses.Status) template.HTML {
	return statusMark(st).badge("data-status", string(st))
}

// readinessBadge is a readiness as a badge.
func readinessBadge(r courses.Readiness) template.HTML {
	return readinessMark(r).badge("data-readiness", string(r))
}

// certBadge is a certificate's status as a badge.
func certBadge(st courses.CertStatus) template.HTML {
	return certMark(st).badge("data-status", string(st))
}
