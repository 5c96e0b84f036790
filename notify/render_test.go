package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/serviceacademy/academy/notify"
)

func row(id int64, kind notify.Kind, emp *int64, data map[string]string) *notify.Row {
	b, _ := json.Marshal(data)
	return &notify.Row{ID: id, Kind: kind, Channel: notify.Email, EmployeeID: emp, Address: "ann@example.com", Data: string(b),
		Status: notify.Queued, CreatedAt: time.Date(2026, 7, 1, 8, 30, 0, 0, time.UTC)}
}

func TestRender(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	brand := notify.Brand{Company: "Bright & Co", LogoURL: "https://academy.example.com/company/logo", Colour: "#aa3300",
		BaseURL: "https://academy.example.com/", Loc: london}
	emp := int64(7)
	tests := []struct {
		name      string
		row       *notify.Row
		brand     notify.Brand
		in        notify.Input
		subject   string
		text      []string // in the plain-text part
		html      []string // in the HTML part
		notHTML   []string
		headers   []string // "Name: value"
		noHeaders []string
		ics       []string
	}{
		{name: "Defaults", row: row(1, notify.Assigned, &emp, map[string]string{"programme": "Induction", "due_date": "15 July 2026",
			"link": "/learn/programmes/3", "link_label": "Start Induction", "ics_due": "2026-07-15"}),
			brand: brand, in: notify.Input{FirstName: "Ann", Name: "Ann Lee"},
			subject: "New training for you: Induction",
			text: []string{"Hello Ann,", "You have been assigned Induction. Due: 15 July 2026.",
				"Start Induction: https://academy.example.com/learn/programmes/3", "1 July 2026, 09:30 (Europe/London)", "A calendar entry for Wednesday 15 July 2026 is attached."},
			html: []string{`href="https://academy.example.com/learn/programmes/3"`, "Start Induction", `src="https://academy.example.com/company/logo"`,
				"background:#aa3300", "Bright &amp; Co"},
			headers:   []string{"Auto-Submitted: auto-generated"},
			noHeaders: []string{"List-Unsubscribe"},
			ics: []string{"BEGIN:VCALENDAR\r\n", "UID:notification-1@academy.example.com\r\n", "DTSTART;VALUE=DATE:20260715\r\n",
				"DTEND;VALUE=DATE:20260716\r\n", "SUMMARY:New training for you: Induction\r\n", "URL:https://academy.example.com/learn/programmes/3\r\n"}},
		{name: "HRWordingAndOptionalUnsubscribe", row: row(2, notify.DueSoon, &emp, map[string]string{"programme": "Fire safety", "days": "7 days",
			"due_date": "8 July 2026", "body": "Line one\nline two\n\n<b>Second</b> paragraph"}),
			brand: brand, in: notify.Input{Wording: notify.Wording{Subject: "{first_name}, {programme} in {days}", Opening: "Hi from {company}."},
				FirstName: "Ann", Name: "Ann Lee", Unsubscribe: "7.due_soon.SIG"},
			subject: "Ann, Fire safety in 7 days",
			text:    []string{"Hi from Bright & Co.", "Line one\nline two\n", "<b>Second</b> paragraph", "https://academy.example.com/unsubscribe/7.due_soon.SIG"},
			html:    []string{"Hi from Bright &amp; Co.", "Line one<br>line two", "&lt;b&gt;Second&lt;/b&gt; paragraph", `href="https://academy.example.com/unsubscribe/7.due_soon.SIG"`},
			notHTML: []string{"<b>Second"},
			headers: []string{"List-Unsubscribe: <https://academy.example.com/unsubscribe/7.due_soon.SIG>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"}},
		{name: "MandatoryKindHasNoUnsubscribe", row: row(3, notify.Overdue, &emp, map[string]string{"programme": "X"}),
			brand: brand, in: notify.Input{Unsubscribe: "7.overdue.SIG"}, subject: "Overdue: X", noHeaders: []string{"List-Unsubscribe"}},
		{name: "HostileDataEscapedAndUnsafeLinksDropped", row: row(4, notify.EssayToGrade, nil, map[string]string{"quiz": `<script>alert(1)</script>`,
			"learner": "Bo\r\nBcc: evil@example.com", "link": "javascript:alert(1)", "link2": "//evil.example.com/x"}),
			brand:     notify.Brand{BaseURL: "http://localhost:8080", Colour: `red;background:url(x)`},
			in:        notify.Input{Unsubscribe: "ignored: no employee"},
			subject:   "An essay to grade: <script>alert(1)</script>",
			html:      []string{"&lt;script&gt;", "background:#0d5c6e", "Service Academy"},
			notHTML:   []string{"<script>", "javascript:", "evil.example.com", "url(x)"},
			noHeaders: []string{"List-Unsubscribe"}},
		{name: "TestMessage", row: row(5, notify.TestMessage, nil, nil), brand: brand, subject: "Test e-mail from Bright & Co",
			text: []string{"This is a test e-mail: delivery works."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := notify.Render(tc.row, tc.brand, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject %q, want %q", m.Subject, tc.subject)
			}
			if strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("subject has a line break: %q", m.Subject)
			}
			for _, s := range tc.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tc.html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range tc.notHTML {
				if strings.Contains(m.HTML, s) {
					t.Errorf("HTML has %q:\n%s", s, m.HTML)
				}
			}
			hs := map[string]string{}
			for _, h := range m.Headers {
				hs[h.Name] = h.Value
			}
			for _, h := range tc.headers {
				name, value, _ := strings.Cut(h, ": ")
				if hs[name] != value {
					t.Errorf("header %s = %q, want %q", name, hs[name], value)
				}
			}
			for _, h := range tc.noHeaders {
				if _, ok := hs[h]; ok {
					t.Errorf("header %s present", h)
				}
			}
			if len(tc.ics) == 0 && m.ICS != nil {
				t.Errorf("unexpected .ics")
			}
			for _, s := range tc.ics {
				if !strings.Contains(string(m.ICS), s) {
					t.Errorf(".ics lacks %q:\n%s", s, m.ICS)
				}
			}
			if !strings.HasPrefix(m.MessageID, "notification-") || !strings.Contains(m.MessageID, "@") {
				t.Errorf("Message-ID %q", m.MessageID)
			}
		})
	}
}

func TestRenderKeepsMessageID(t *testing.T) {
	r := row(9, notify.TestMessage, nil, nil)
	m, _ := notify.Render(r, notify.Brand{BaseURL: "https://a.example.com"}, notify.Input{})
	if !strings.HasPrefix(m.MessageID, "notification-9.") || !strings.HasSuffix(m.MessageID, "@a.example.com") {
		t.Errorf("new Message-ID %q", m.MessageID)
	}
	r.MessageID = m.MessageID
	again, _ := notify.Render(r, notify.Brand{BaseURL: "https://a.example.com"}, notify.Input{})
	if again.MessageID != m.MessageID {
		t.Errorf("a retry changed the Message-ID: %q → %q", m.MessageID, again.MessageID)
	}
}

func TestICSFoldsAndEscapes(t *testing.T) {
	long := strings.Repeat("é", 60) + "; a, b\\c\nnext"
	ics := string(notify.ICS("u1@x", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), long, "", ""))
	for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, "SUMMARY:"+strings.Repeat("é", 60)+`\; a\, b\\c\nnext`+"\r\n") {
		t.Errorf("summary not escaped or folded back right:\n%s", ics)
	}
	if !strings.Contains(ics, "DTSTAMP:20260102T030405Z\r\n") {
		t.Errorf("DTSTAMP:\n%s", ics)
	}
	if strings.Contains(ics, "\n") && strings.Count(ics, "\n") != strings.Count(ics, "\r\n") {
		t.Errorf("bare LF in %q", ics)
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"StartTLS", "smtp://user:s3cret@mail.example.com:587", "smtp://user:***@mail.example.com:587", ""},
		{"DefaultPort", "smtp://mail.example.com", "smtp://mail.example.com:587", ""},
		{"Implicit", "smtps://u:p@mail.example.com", "smtps://u:***@mail.example.com:465", ""},
		{"LoopbackPlain", "smtp://127.0.0.1:1025?tls=none", "smtp://127.0.0.1:1025?tls=none", ""},
		{"LocalhostPlain", "smtp://localhost:1025?tls=none", "smtp://localhost:1025?tls=none", ""},
		{"ErrPlainRemote", "smtp://u:p@mail.example.com:25?tls=none", "", "only for a loopback host"},
		{"ErrScheme", "http://mail.example.com", "", "scheme"},
		{"ErrNoHost", "smtp://", "", "no host"},
		{"ErrPort", "smtp://mail.example.com:99999", "", "port"},
		{"ErrOption", "smtp://mail.example.com?verify=no", "", "unknown option"},
		{"ErrTLSValue", "smtp://localhost?tls=maybe", "", "tls="},
		{"ErrGarbage", "::not a url", "", "not a URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := notify.ParseSMTPURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one saying %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "p@") || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error repeats the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.String() != tc.want {
				t.Errorf("String() %q, want %q", c.String(), tc.want)
			}
		})
	}
}

func TestParseFrom(t *testing.T) {
	a, err := notify.ParseFrom(`Service Academy <academy@example.com>`)
	if err != nil || a.Name != "Service Academy" || a.Address != "academy@example.com" {
		t.Errorf("%v %v", a, err)
	}
	if _, err := notify.ParseFrom("academy at example"); err == nil {
		t.Error("accepted a bad address")
	}
}

func TestRetryWait(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, time.Minute}, {2, 2 * time.Minute}, {4, 8 * time.Minute}, {9, 256 * time.Minute}, {10, 6 * time.Hour}, {40, 6 * time.Hour}} {
		if got := notify.RetryWait(tc.n); got != tc.want {
			t.Errorf("RetryWait(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
