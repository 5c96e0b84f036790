package notify

// Rendering: a notifications row, the company's brand and what the
// recipient and HR's wording say, turned into the e-mail that leaves.
//
// What producers put in Event.Data (every value a string):
//
//	"link"        a path under the base URL ("/learn/programmes/7") for the
//	              main button; the message makes it absolute
//	"link_label"  the button's text (default "Open Service Academy")
//	"link2"       a second link, e.g. the certificate's verify page when
//	"link2_label" "link" is its PDF; its text (default "Open")
//	"body"        further plain-text paragraphs after the opening sentence,
//	              separated by a blank line (escaped in the HTML part)
//	"ics_due"     a date, YYYY-MM-DD: the message carries a calendar entry
//	              (.ics, an all-day event on that date)
//	"ics_title"   the calendar entry's summary (default: the subject)
//
// and any of the kind's placeholders (Info.Placeholders), already worded
// for people ("12 December 2026", "3 days"). Render adds {company},
// {first_name} and {name}.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	ttemplate "text/template"
	"time"
	"unicode"
)

// Brand is how messages look and where their links point.
type Brand struct {
	Company string         // the company's name ("" reads "Service Academy")
	LogoURL string         // absolute URL of the logo, "" for none
	Colour  string         // #rrggbb for the header and button ("" or invalid: DefaultColour)
	BaseURL string         // e.g. https://academy.example.com, no trailing slash
	Loc     *time.Location // the company's time zone (nil: UTC)
}

// DefaultColour is the product's primary colour, used when the company has none.
const DefaultColour = "#0d5c6e"

// Wording is what HR changed of a kind's subject and opening sentence ("": the default).
type Wording struct {
	Subject, Opening string
}

// Input is what a row's message needs besides the row and the brand.
type Input struct {
	Wording
	FirstName, Name string // the recipient's, "" when the row has no employee
	// Unsubscribe is the signed token for an optional kind sent to an
	// employee ("" adds no unsubscribe link).
	Unsubscribe string
}

// Header is one extra header of a message.
type Header struct{ Name, Value string }

// Message is a rendered e-mail.
type Message struct {
	To        string // the address
	ToName    string // the recipient's name, "" for none
	Subject   string
	Text      string // the text/plain part
	HTML      string // the text/html part
	MessageID string // without angle brackets
	Date      time.Time
	Headers   []Header // List-Unsubscribe and friends, in order
	ICS       []byte   // a calendar entry to attach, nil for none
	ICSName   string
}

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// NewMessageID returns a fresh Message-ID (without angle brackets) for the
// notification with id: notification-ID.RANDOM@HOST, HOST from the base URL.
func NewMessageID(id int64, baseURL string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return fmt.Sprintf("notification-%d.%s@%s", id, hex.EncodeToString(b), hostOf(baseURL))
}

func hostOf(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// absolute returns the path as a URL under base; a value that is already an
// absolute http(s) URL is kept, anything else ("javascript:...") is dropped.
func absolute(base, path string) string {
	path = strings.TrimSpace(path)
	switch {
	case path == "", strings.ContainsFunc(path, unicode.IsControl):
		return ""
	case strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//"):
		return strings.TrimRight(base, "/") + path
	case strings.HasPrefix(path, "https://"), strings.HasPrefix(path, "http://"):
		return path
	}
	return ""
}

// Render makes the message of an e-mail row. It fails only for a row of an
// unknown kind. The row's MessageID is used when set (a retry keeps its
// Message-ID); otherwise a new one is made: store Message.MessageID.
func Render(r *Row, b Brand, in Input) (*Message, error) {
	info, ok := InfoOf(r.Kind)
	if !ok {
		return nil, fmt.Errorf("notify: unknown kind %q", r.Kind)
	}
	if b.Loc == nil {
		b.Loc = time.UTC
	}
	if strings.TrimSpace(b.Company) == "" {
		b.Company = "Service Academy"
	}
	if !colourRE.MatchString(b.Colour) {
		b.Colour = DefaultColour
	}
	base := strings.TrimRight(b.BaseURL, "/")
	vals := r.Values()
	vals["company"], vals["first_name"], vals["name"] = b.Company, in.FirstName, in.Name
	subject, opening := info.DefaultSubject, info.DefaultOpening
	if strings.TrimSpace(in.Subject) != "" {
		subject = in.Subject
	}
	if strings.TrimSpace(in.Opening) != "" {
		opening = in.Opening
	}
	subject = oneLine(Fill(subject, vals))
	opening = Fill(opening, vals)

	m := &Message{To: r.Address, ToName: in.Name, Subject: subject, MessageID: r.MessageID, Date: r.CreatedAt}
	if m.MessageID == "" {
		m.MessageID = NewMessageID(r.ID, base)
	}
	v := mailView{Brand: b, Subject: subject, Opening: opening, FirstName: in.FirstName,
		Sent: r.CreatedAt.In(b.Loc).Format("2 January 2006, 15:04") + " (" + zoneName(b.Loc) + ")"}
	v.Body = paragraphs(vals["body"])
	if u := absolute(base, vals["link"]); u != "" {
		v.Links = append(v.Links, mailLink{URL: u, Label: orDefault(vals["link_label"], "Open "+b.Company)})
	}
	if u := absolute(base, vals["link2"]); u != "" {
		v.Links = append(v.Links, mailLink{URL: u, Label: orDefault(vals["link2_label"], "Open")})
	}
	m.Headers = append(m.Headers, Header{"Auto-Submitted", "auto-generated"})
	if info.Optional && r.EmployeeID != nil && in.Unsubscribe != "" {
		v.Unsubscribe = base + "/unsubscribe/" + in.Unsubscribe
		v.KindTitle = info.Title
		m.Headers = append(m.Headers, Header{"List-Unsubscribe", "<" + v.Unsubscribe + ">"},
			Header{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
	}
	if due, err := time.Parse(time.DateOnly, vals["ics_due"]); err == nil {
		title := orDefault(vals["ics_title"], subject)
		link := ""
		if len(v.Links) > 0 {
			link = v.Links[0].URL
		}
		m.ICS = ICS(fmt.Sprintf("notification-%d@%s", r.ID, hostOf(base)), r.CreatedAt, due, title, opening, link)
		m.ICSName = "due-" + due.Format(time.DateOnly) + ".ics"
		v.Calendar = due.Format("Monday 2 January 2006")
	}
	var buf bytes.Buffer
	if err := textTmpl.Execute(&buf, v); err != nil {
		return nil, err
	}
	m.Text = buf.String()
	buf.Reset()
	if err := htmlTmpl.Execute(&buf, v); err != nil {
		return nil, err
	}
	m.HTML = buf.String()
	return m, nil
}

// zoneName is the time zone's IANA name, or its abbreviation.
func zoneName(loc *time.Location) string {
	if n := loc.String(); n != "" && n != "Local" {
		return n
	}
	return "UTC"
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}

// oneLine folds a subject onto one line (a newline would end the header).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// paragraphs splits text at blank lines.
func paragraphs(s string) [][]string {
	var out [][]string
	for _, p := range regexp.MustCompile(`\n[ \t]*\n`).Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

type mailLink struct{ URL, Label string }

type mailView struct {
	Brand
	Subject, Opening, FirstName, Sent string
	Body                              [][]string // paragraphs of lines
	Links                             []mailLink
	Calendar                          string // the due date in words when an .ics is attached
	Unsubscribe, KindTitle            string
}

// textTmpl is the plain-text part (text/template: nothing escaped).
var textTmpl = ttemplate.Must(ttemplate.New("text").Parse(`{{if .FirstName}}Hello {{.FirstName}},

{{end}}{{.Opening}}
{{range .Body}}
{{range .}}{{.}}
{{end}}{{end}}{{range .Links}}
{{.Label}}: {{.URL}}
{{end}}{{if .Calendar}}
A calendar entry for {{.Calendar}} is attached.
{{end}}
-- 
{{.Company}} · sent {{.Sent}}{{if .Unsubscribe}}
You receive "{{.KindTitle}}" messages because they are on. To stop them: {{.Unsubscribe}}{{end}}
`))

// htmlTmpl is the HTML part (html/template: every value escaped).
var htmlTmpl = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#f5f7f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1b2630;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7f8;"><tr><td align="center" style="padding:16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border:1px solid #c9d3da;">
<tr><td style="background:{{.Colour}};padding:16px 24px;color:#ffffff;font-size:18px;font-weight:bold;">
{{if .LogoURL}}<img src="{{.LogoURL}}" alt="" height="40" style="height:40px;max-width:160px;vertical-align:middle;margin-right:12px;background:#ffffff;">{{end}}{{.Company}}</td></tr>
<tr><td style="padding:24px;font-size:16px;line-height:1.5;">
{{if .FirstName}}<p style="margin:0 0 16px;">Hello {{.FirstName}},</p>{{end}}
<p style="margin:0 0 16px;">{{.Opening}}</p>
{{range .Body}}<p style="margin:0 0 16px;">{{range $i, $l := .}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
{{end}}{{range $i, $l := .Links}}<p style="margin:0 0 16px;"><a href="{{$l.URL}}" style="{{if eq $i 0}}display:inline-block;background:{{$.Colour}};color:#ffffff;padding:10px 18px;text-decoration:none;font-weight:bold;border-radius:4px;{{else}}color:{{$.Colour}};{{end}}">{{$l.Label}}</a></p>
{{end}}{{if .Calendar}}<p style="margin:0 0 16px;color:#4f5d69;">A calendar entry for {{.Calendar}} is attached.</p>
{{end}}</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #c9d3da;font-size:13px;color:#4f5d69;">
{{.Company}} · sent {{.Sent}}{{if .Unsubscribe}}<br>
You receive “{{.KindTitle}}” messages because they are on. <a href="{{.Unsubscribe}}" style="color:#4f5d69;">Stop these e-mails</a>{{end}}
</td></tr>
</table></td></tr></table>
</body>
</html>
`))
