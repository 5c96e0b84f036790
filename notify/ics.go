package notify

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ICS returns an iCalendar file (RFC 5545) with one all-day event on due:
// uid names it (the same uid updates the entry in the calendar), stamp is
// when it was made, summary and description its text and link its URL ("" for
// none). Text is escaped and lines are folded at 75 octets.
func ICS(uid string, stamp time.Time, due time.Time, summary, description, link string) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldLine(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Service Academy//Notifications//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	line("UID:" + icsText(uid))
	line("DTSTAMP:" + stamp.UTC().Format("20060102T150405Z"))
	line("DTSTART;VALUE=DATE:" + due.Format("20060102"))
	line("DTEND;VALUE=DATE:" + due.AddDate(0, 0, 1).Format("20060102"))
	line("SUMMARY:" + icsText(summary))
	if description != "" {
		line("DESCRIPTION:" + icsText(description))
	}
	if link != "" {
		line("URL:" + link)
	}
	line("TRANSP:TRANSPARENT")
	line("END:VEVENT")
	line("END:VCALENDAR")
	return []byte(b.String())
}

// icsText escapes a TEXT value (RFC 5545 3.3.11).
func icsText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// foldLine ends a content line with CRLF, folding it into lines of at most
// 75 octets (continuations start with a space), never inside a UTF-8 character.
func foldLine(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
