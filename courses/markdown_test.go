package courses

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// liveMarkup parses h as a browser would and names the first thing in it
// that could run script, load content or restyle the page ("" if none).
func liveMarkup(h string) string {
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "style", "form", "input", "meta", "base", "svg", "math", "link":
				return "<" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					return "attribute " + a.Key
				case a.Key == "style":
					return "style attribute"
				case (a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")):
					return a.Key + "=" + a.Val
				}
			}
		}
	}
}

// TestRenderMarkdownNeutralisesPayloads runs a corpus of XSS payloads
// through the lesson renderer: none may survive as live markup.
func TestRenderMarkdownNeutralisesPayloads(t *testing.T) {
	payloads := map[string]string{
		"ScriptTag":          "<script>alert(1)</script>",
		"ScriptInParagraph":  "Hello <script src=https://evil.example/x.js></script> world",
		"JavascriptLink":     "[click](javascript:alert(1))",
		"JavascriptLinkCase": "[click](JaVaScRiPt:alert(1))",
		"JavascriptEntity":   "[click](&#106;avascript:alert(1))",
		"DataURLLink":        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"VBScript":           "[x](vbscript:msgbox(1))",
		"ImgOnerror":         `<img src=x onerror="alert(1)">`,
		"MarkdownImgOnerror": `![x](x" onerror="alert(1))`,
		"SvgOnload":          `<svg onload=alert(1)></svg>`,
		"Iframe":             `<iframe src="https://evil.example"></iframe>`,
		"Object":             `<object data="x.swf"></object>`,
		"Embed":              `<embed src="x.swf">`,
		"StyleTag":           `<style>body{display:none}</style>`,
		"StyleAttr":          `<p style="background:url(javascript:alert(1))">x</p>`,
		"FormAction":         `<form action="https://evil.example"><input name=p></form>`,
		"MetaRefresh":        `<meta http-equiv="refresh" content="0;url=https://evil.example">`,
		"BaseHref":           `<base href="https://evil.example/">`,
		"EventInLink":        `<a href="https://example.com" onclick="alert(1)">x</a>`,
		"AutolinkJS":         `<javascript:alert(1)>`,
		"HTMLComment":        `<!-- <script>alert(1)</script> -->`,
		"MathML":             `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		"ReferenceLink":      "[a][1]\n\n[1]: javascript:alert(1)",
	}
	for name, p := range payloads {
		t.Run(name, func(t *testing.T) {
			out := RenderMarkdown(p)
			if problem := liveMarkup(out); problem != "" {
				t.Fatalf("%s survived in %q", problem, out)
			}
		})
	}
}

func TestRenderMarkdownKeepsLessonFormatting(t *testing.T) {
	out := RenderMarkdown("## Do\n\n- **Listen** first\n- Say *when*\n\n> \"I'll call you by 3 pm.\"\n\n| Do | Don't |\n|---|---|\n| a | b |\n\n[guide](https://example.com/guide)")
	for _, want := range []string{"<h2", "<strong>Listen</strong>", "<em>when</em>", "<blockquote>", "<table>", `href="https://example.com/guide"`, `rel="nofollow`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
}

func TestFillPlaceholders(t *testing.T) {
	h := RenderMarkdown("Welcome to {{company.name}}.\n\n{{company.mission}}\n\n{{company.promises}}\n\n{{company.values}}")
	out := FillPlaceholders(h, Company{Name: "Bright <b>", Mission: "Keep homes **warm**", Promises: []string{"Call back in 4 hours", "<script>x</script>"}})
	for _, want := range []string{"Welcome to Bright &lt;b&gt;.", "<strong>warm</strong>", "<ol class=\"company-list\"><li>Call back in 4 hours</li><li>&lt;script&gt;x&lt;/script&gt;</li></ol>", "Not set yet"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
}
