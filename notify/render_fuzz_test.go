package notify_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/serviceacademy/academy/notify"
)

var hrefRE = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// FuzzRender renders a message from arbitrary event data and HR wording:
// it never fails, the subject stays one line, nothing from the data becomes
// markup, every link in the HTML points under the base URL, and the .ics
// keeps to CRLF lines of at most 75 octets that unfold to what was escaped.
func FuzzRender(f *testing.F) {
	f.Add("Fire safety", "Line\n\nPara <b>x</b>", "/learn/x", "2026-12-15", "Due: {programme}", "{first_name}, hi")
	f.Add("<script>alert(1)</script>", "", "javascript:alert(1)", "2026-02-30", "", "")
	f.Add(strings.Repeat("é", 80), "\r\n\r\n", "//evil.example.com", "2026-01-01", "a\r\nBcc: x@y", "{")
	f.Add("P", "", "/learn\r\nX: y", "2026-01-01", "", "")
	f.Fuzz(func(t *testing.T, programme, body, link, due, subject, opening string) {
		emp := int64(3)
		r := row(11, notify.DueSoon, &emp, map[string]string{"programme": programme, "body": body, "link": link, "link2": link,
			"ics_due": due, "ics_title": programme, "days": "7 days"})
		m, err := notify.Render(r, notify.Brand{Company: programme, BaseURL: "https://a.example.com", LogoURL: "https://a.example.com/company/logo"},
			notify.Input{Wording: notify.Wording{Subject: subject, Opening: opening}, FirstName: programme, Unsubscribe: "3.due_soon.X"})
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("subject with a line break: %q", m.Subject)
		}
		if strings.Contains(strings.ToLower(m.HTML), "<script") || strings.Contains(m.HTML, "<b>x") {
			t.Errorf("data became markup:\n%s", m.HTML)
		}
		for _, h := range hrefRE.FindAllStringSubmatch(m.HTML, -1) {
			if !strings.HasPrefix(h[1], "https://a.example.com/") {
				t.Errorf("a link outside the base URL: %q", h[1])
			}
		}
		if m.ICS == nil {
			return
		}
		ics := string(m.ICS)
		if strings.Count(ics, "\n") != strings.Count(ics, "\r\n") || strings.Count(ics, "\r") != strings.Count(ics, "\r\n") {
			t.Errorf("a bare CR or LF in the .ics")
		}
		for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
			if len(line) > 75 {
				t.Errorf("a line of %d octets", len(line))
			}
			if !utf8.ValidString(line) {
				t.Errorf("a fold split a character: %q", line)
			}
		}
	})
}
