package app

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// refuseControl answers 422 before any handler runs when the path or the
// query string holds a control character (C0 or DEL, raw or
// percent-encoded): no page or parameter takes one. A form field or JSON
// string (or key) holding a NUL byte, which the database cannot store, is
// refused the same way; other control characters in bodies are left to the
// forms, which answer next to the field with what was typed. The error names
// the parameter or field, or "path".
func refuseControl(c *fiber.Ctx) error {
	raw := string(c.Request().URI().PathOriginal())
	if decoded, err := url.PathUnescape(raw); people.HasControl(raw) || (err == nil && people.HasControl(decoded)) {
		return store.FieldError("path", "The address contains a control character (such as a NUL byte): no page has such an address.")
	}
	var bad string
	found := false
	visit := func(refused func([]byte) bool) func(k, v []byte) {
		return func(k, v []byte) {
			if !found && (refused(k) || refused(v)) {
				found, bad = true, string(k)
			}
		}
	}
	c.Request().URI().QueryArgs().VisitAll(visit(controlIn))
	if found {
		return controlError(bad, "The address")
	}
	switch c.Method() {
	case fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch:
	default:
		return c.Next()
	}
	ct := string(c.Request().Header.ContentType())
	switch {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		c.Request().PostArgs().VisitAll(visit(nulIn))
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		if f, err := c.MultipartForm(); err == nil {
			for k, vs := range f.Value {
				for _, v := range vs {
					visit(nulIn)([]byte(k), []byte(v))
				}
			}
		}
	case strings.HasPrefix(ct, fiber.MIMEApplicationJSON) || (strings.HasPrefix(c.Path(), "/api/") && jsonLike(c.Body())):
		var v any
		if json.Unmarshal(c.Body(), &v) == nil {
			bad, found = nulInJSON(v, "")
		}
	}
	if found {
		return controlError(bad, "The form")
	}
	return c.Next()
}

// controlError names the parameter or field that holds a control character.
func controlError(name, where string) error {
	field := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if field == "" {
		field = "query"
	}
	return store.FieldError(field, "%s has a control character (such as a NUL byte) in %q; remove it and try again.", where, field)
}

// controlIn reports whether b holds a C0 control character or DEL.
func controlIn(b []byte) bool {
	return bytes.IndexFunc(b, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0
}

// nulIn reports whether b holds a NUL byte.
func nulIn(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 }

func jsonLike(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// nulInJSON finds a string (key or value) with a NUL byte in a decoded JSON
// document and returns its key path ("audience.department").
func nulInJSON(v any, path string) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, strings.IndexByte(v, 0) >= 0
	case []any:
		for _, e := range v {
			if p, ok := nulInJSON(e, path); ok {
				return p, true
			}
		}
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.IndexByte(k, 0) >= 0 {
				return p, true
			}
			if p, ok := nulInJSON(e, p); ok {
				return p, true
			}
		}
	}
	return "", false
}
