package app

import "testing"

// TestFinding04SafeNextRefusesBypasses runs a corpus of known open-redirect
// bypasses through safeNext: browsers drop tabs and newlines anywhere and
// control characters and spaces at the ends, and treat a backslash like a
// slash, so each of these would leave the site.
func TestFinding04SafeNextRefusesBypasses(t *testing.T) {
	for _, tc := range []struct{ name, next, want string }{
		{"OK", "/people?q=kim#top", "/people?q=kim#top"},
		{"OKRoot", "/", "/"},
		{"OKEncodedSlash", "/learn/six-cs%2Fx", "/learn/six-cs%2Fx"},
		{"OKSchemeInPath", "/https://evil.example", "/https://evil.example"},
		{"OKTabRemoved", "/peo\tple", "/people"},
		{"ErrEmpty", "", "/"},
		{"ErrTabSlash", "/\t/evil.example", "/"},
		{"ErrNewlineSlash", "/\n/evil.example", "/"},
		{"ErrCRSlash", "/\r/evil.example", "/"},
		{"ErrCRLFSlash", "/\r\n/evil.example", "/"},
		{"ErrTabsEverywhere", "\t/\t/\tevil.example", "/"},
		{"ErrLeadingSpace", " //evil.example", "/"},
		{"ErrLeadingControl", "\x01//evil.example", "/"},
		{"ErrLeadingNUL", "\x00//evil.example", "/"},
		{"ErrTrailingSpaceAndLeadingTab", "\t//evil.example ", "/"},
		{"ErrProtocolRelative", "//evil.example", "/"},
		{"ErrTripleSlash", "///evil.example", "/"},
		{"ErrBackslash", "/\\evil.example", "/"},
		{"ErrBackslashes", "\\\\evil.example", "/"},
		{"ErrSlashBackslash", "\\/evil.example", "/"},
		{"ErrBackslashInPath", "/a\\..\\\\evil.example", "/"},
		{"ErrAbsolute", "https://evil.example/", "/"},
		{"ErrSchemeNoSlashes", "http:evil.example", "/"},
		{"ErrJavascript", "javascript:alert(1)", "/"},
		{"ErrJavascriptTab", "java\tscript:alert(1)", "/"},
		{"ErrData", "data:text/html,<script>alert(1)</script>", "/"},
		{"ErrUserinfo", "//user@evil.example", "/"},
		{"ErrRelative", "evil.example", "/"},
		{"ErrDotSlashes", "./..//evil.example", "/"},
		{"ErrControlInside", "/people\x00x", "/"},
		{"ErrDEL", "/people\x7f", "/"},
		{"ErrEncodedDoubleSlash", "/%2F/evil.example", "/"},
		{"ErrEncodedBackslash", "/%5C/evil.example", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Fatalf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}
