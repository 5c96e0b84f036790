package courses

import (
	"bytes"
	"html"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Markdown is rendered by goldmark (CommonMark, with tables and
// strikethrough) and then sanitised by bluemonday's UGC policy: raw HTML in
// a lesson is dropped by goldmark (it is not in safe mode's allow list) and
// anything that still looks like script, event handlers, iframes, styles or
// javascript: URLs is removed by the sanitiser. Both are well-kept libraries;
// a hand-written sanitiser is where XSS bugs live.
var (
	md = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

	policyOnce sync.Once
	policy     *bluemonday.Policy
)

func sanitizer() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.UGCPolicy()
		p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code")
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		policy = p
	})
	return policy
}

// RenderMarkdown turns lesson Markdown into safe HTML.
func RenderMarkdown(src string) string {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark does not fail on text input; fall back to escaped text.
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return sanitizer().Sanitize(buf.String())
}

// Company is the text a lesson's placeholders stand for.
type Company struct {
	Name     string
	Mission  string
	Vision   string
	Values   []string
	Promises []string
}

// FillPlaceholders replaces the company placeholders in rendered lesson HTML:
// a paragraph holding only {{company.mission}} (or vision, values, promises)
// becomes that text as safe HTML, and {{company.name}} anywhere becomes the
// escaped name.
func FillPlaceholders(h string, c Company) string {
	if !strings.Contains(h, "{{company.") {
		return h
	}
	return placeholderReplacer(c).Replace(h)
}

// placeholderReplacer builds the replacements for FillPlaceholders once.
func placeholderReplacer(c Company) *strings.Replacer {
	block := func(text string) string {
		if strings.TrimSpace(text) == "" {
			return `<p class="muted">(Not set yet: HR adds it under Company settings.)</p>`
		}
		return `<blockquote class="company-text">` + RenderMarkdown(text) + `</blockquote>`
	}
	list := func(tag string, items []string) string {
		if len(items) == 0 {
			return `<p class="muted">(Not set yet: HR adds them under Company settings.)</p>`
		}
		var b strings.Builder
		b.WriteString("<" + tag + ` class="company-list">`)
		for _, it := range items {
			b.WriteString("<li>" + html.EscapeString(it) + "</li>")
		}
		b.WriteString("</" + tag + ">")
		return b.String()
	}
	return strings.NewReplacer(
		"<p>{{company.mission}}</p>", block(c.Mission),
		"<p>{{company.vision}}</p>", block(c.Vision),
		"<p>{{company.values}}</p>", list("ul", c.Values),
		"<p>{{company.promises}}</p>", list("ol", c.Promises),
		"{{company.name}}", html.EscapeString(c.Name),
	)
}
