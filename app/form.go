package app

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/store"
)

// Forms: what the web layer reads from a request and what it says back
// next to the fields.
//
// A page's form is a struct of strings as typed (xForm). newXForm(c) reads
// it from the request, copying every value out of fiber's buffers (the next
// request reuses them) and trimming what is never meant to keep spaces;
// xFormOf(v) fills it from what is stored. A method of the form (input,
// settings, question, ...) turns it into what a store takes, with every
// problem as a message by field; the page comes back (422) with what was
// typed and those messages.

// --- Reading the request ---------------------------------------------------

// importFile is a file uploaded for an import: its name and content.
type importFile struct {
	Name string
	Data []byte
}

// uploadRefusal is why an uploaded file is refused: the status and the
// message for its field.
type uploadRefusal struct {
	Status  int
	Message string
}

// readImportFile reads the form's "file" for an import. A refusal (no file:
// choose says what to choose; over MaxUpload: 413, split says what to do;
// empty) comes back with its status and message; err is for internal
// failures only. The name is copied out of fiber's buffers.
func readImportFile(c *fiber.Ctx, choose, split string) (*importFile, *uploadRefusal, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, &uploadRefusal{http.StatusUnprocessableEntity, choose}, nil
	}
	name := strings.Clone(fh.Filename)
	if fh.Size > MaxUpload {
		return nil, &uploadRefusal{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is %.1f MB; the limit is %d MB. %s", name, float64(fh.Size)/(1<<20), MaxUpload>>20, split)}, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxUpload+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) == 0 {
		return nil, &uploadRefusal{http.StatusUnprocessableEntity, name + " is empty."}, nil
	}
	return &importFile{Name: name, Data: data}, nil, nil
}

// textRefusal refuses an import file that is not UTF-8 text (store.CheckText),
// with the line, before it is stored for a preview: a text column would not
// keep the bad bytes to report. nil when it is text.
func textRefusal(f *importFile) *uploadRefusal {
	if e := store.CheckText(f.Data); e != nil {
		return &uploadRefusal{http.StatusUnprocessableEntity, fmt.Sprintf("%s, line %d: %s", f.Name, e.Line, e.Message)}
	}
	return nil
}

// formValues copies the request's form (URL-encoded or multipart) out of fiber's buffers.
func formValues(c *fiber.Ctx) (url.Values, error) {
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		mf, err := c.MultipartForm()
		if err != nil {
			return nil, store.Errorf(store.Invalid, "The form could not be read. Reload the page and try again.")
		}
		out := url.Values{}
		for k, vs := range mf.Value {
			for _, v := range vs {
				out.Add(strings.Clone(k), strings.Clone(v))
			}
		}
		return out, nil
	}
	v, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return nil, store.Errorf(store.Invalid, "The form could not be read. Reload the page and try again.")
	}
	return v, nil
}

// oneLine is a one-line field's text typed in a textarea that wraps: its
// line breaks become spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// formValue is the form field key as typed, copied.
func formValue(c *fiber.Ctx, key string) string { return strings.Clone(c.FormValue(key)) }

// formTrimmed is formValue without the spaces around it: for names,
// numbers, slugs and choices, never for text that keeps its layout.
func formTrimmed(c *fiber.Ctx, key string) string { return strings.TrimSpace(formValue(c, key)) }

// formChecked reports whether the checkbox key was ticked.
func formChecked(c *fiber.Ctx, key string) bool { return c.FormValue(key) == "on" }

// queryTrimmed is the query parameter key, copied, without the spaces around it.
func queryTrimmed(c *fiber.Ctx, key string) string {
	return strings.TrimSpace(strings.Clone(c.Query(key)))
}

// formList returns every value of a repeated form field, copied.
func formList(c *fiber.Ctx, key string) []string {
	if mf, err := c.MultipartForm(); err == nil {
		return slices.Clone(mf.Value[key])
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

// at is list[i], or "" past its end.
func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// longest is the length of the longest list: the rows of repeated fields.
func longest(lists ...[]string) int {
	n := 0
	for _, l := range lists {
		n = max(n, len(l))
	}
	return n
}

// parseNumber reads a number as typed; empty is def.
func parseNumber(s string, def float64) (float64, bool) {
	if s == "" {
		return def, true
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.ReplaceAll(s, ",", "."), "%"), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// --- Route parameters --------------------------------------------------------

// idParam reads the route parameter name as a row id: NotFound with the
// message missing ("There is no such attempt.") when it is not a positive
// whole number, so a mangled address answers like an unknown id.
func idParam(c *fiber.Ctx, name, missing string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id < 1 {
		return 0, &store.Error{Kind: store.NotFound, Message: missing}
	}
	return id, nil
}

// slugParam reads the route parameter name (a course, quiz or programme
// slug, a certificate code, ...), copied; the store answers NotFound for
// one it does not know.
func slugParam(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// number reads the :number route parameter, an employee number, which may
// be percent-encoded.
func number(c *fiber.Ctx) string {
	n, err := url.PathUnescape(c.Params("number"))
	if err != nil {
		return strings.Clone(c.Params("number"))
	}
	return n
}

// --- Messages by field -------------------------------------------------------

// fieldMessages collects messages by field; a field's messages are joined.
type fieldMessages map[string]string

func (m fieldMessages) add(field, msg string) {
	if prev, ok := m[field]; ok {
		m[field] = prev + " " + msg
		return
	}
	m[field] = msg
}

// fieldErrors turns store errors into messages by field, with keys renamed
// by rename (field → form key), keeping the first message per field.
func fieldErrors(errs []*store.Error, rename func(string) string) map[string]string {
	out := map[string]string{}
	for _, e := range errs {
		k := rename(e.Field)
		if _, ok := out[k]; !ok {
			out[k] = e.Message
		}
	}
	return out
}

func same(f string) string { return f }

// asFieldError reports err as a message for one form field, or false when
// it is not about the input (then the error page shows it).
func asFieldError(err error) (string, string, bool) {
	var e *store.Error
	if errors.As(err, &e) && (e.Kind == store.Invalid || e.Kind == store.Conflict) && e.Field != "" {
		return e.Field, e.Message, true
	}
	return "", "", false
}

// fieldError is one message for the error summary at the top of a form.
type fieldError struct{ Field, Message string }

// orderedErrors lists errs in the order the fields appear on the form.
func orderedErrors(errs map[string]string, order []string) []fieldError {
	var out []fieldError
	for _, f := range order {
		if m, ok := errs[f]; ok {
			out = append(out, fieldError{f, m})
		}
	}
	for f, m := range errs {
		if !slices.Contains(order, f) {
			out = append(out, fieldError{f, m})
		}
	}
	return out
}
