package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// The training matrix (managers: their line; HR: everyone, narrowed by a
// manager's line, a department, a location): for one programme, each
// employee's state in each of its courses, a page at a time by name, and
// the whole of it as CSV or XLSX, streamed in batches.

const (
	matrixPath      = "/matrix"
	matrixPageSize  = 100
	matrixMaxLimit  = 500
	matrixBatchSize = 500 // rows the exports read at a time
)

// matrixForm is the matrix's query string as typed.
type matrixForm struct {
	Programme, Manager, Department, Location, After, Limit string
}

// newMatrixForm reads the query string, copying every value out of fiber's buffers.
func newMatrixForm(c *fiber.Ctx) matrixForm {
	q := func(k string) string { return queryTrimmed(c, k) }
	return matrixForm{Programme: q("programme"), Manager: q("manager"), Department: q("department"),
		Location: q("location"), After: q("after"), Limit: q("limit")}
}

// values is the query string that repeats q's filters (not its page).
func (q matrixForm) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"programme", q.Programme}, {"manager", q.Manager}, {"department", q.Department}, {"location", q.Location}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// matrixFields is the order of the filter form's fields, for the error summary.
var matrixFields = []string{"programme", "manager", "department", "location", "limit", "after"}

// matrixFilter turns the query into a store filter for the principal: a
// manager sees their own line (or the line of a manager in it), HR
// everyone. Problems with the input come back by field; a programme that
// does not exist is NotFound.
func (s *Server) matrixFilter(c *fiber.Ctx, q matrixForm) (*courses.Programme, courses.MatrixFilter, map[string]string, error) {
	ctx := c.UserContext()
	p := principal(c)
	errs := fieldMessages{}
	f := courses.MatrixFilter{After: q.After, Limit: matrixPageSize}
	if !p.SeesEveryone() {
		f.LineOf = p.Employee.ID
	}
	id := func(field, v, msg string) int64 {
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			errs.add(field, msg)
		}
		return n
	}
	f.DepartmentID = id("department", q.Department, "Choose a department from the list.")
	f.LocationID = id("location", q.Location, "Choose a location from the list.")
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > matrixMaxLimit {
			errs.add("limit", fmt.Sprintf("Rows per page: a whole number from 1 to %d.", matrixMaxLimit))
		}
		f.Limit = n
	}
	if q.Manager != "" {
		m, err := s.visibleEmployee(c, q.Manager)
		switch {
		case store.IsNotFound(err):
			msg := fmt.Sprintf("No employee has the number %q.", q.Manager)
			if !p.SeesEveryone() {
				msg = fmt.Sprintf("No employee with the number %q is in your reporting line.", q.Manager)
			}
			errs.add("manager", msg)
		case err != nil:
			return nil, f, nil, err
		default:
			f.LineOf = m.ID
		}
	}
	if q.Programme == "" {
		if len(errs) == 0 {
			errs.add("programme", "Choose a programme.")
		}
		return nil, f, errs, nil
	}
	prog, err := s.courses.FindProgramme(ctx, q.Programme)
	if err != nil {
		return nil, f, errs, err
	}
	return prog, f, errs, nil
}

// matrixColumn is one course of the matrix.
type matrixColumn struct {
	Slug, Title string
	Required    bool
}

// matrixCell is one cell as the page shows it: an icon and words, a date.
type matrixCell struct {
	Course     string // slug
	State      courses.CellState
	Icon, Text string
	Date, ISO  string // the date shown and its ISO form
	Note       string
	Class      string
}

// matrixRow is one employee as the page shows them.
type matrixRow struct {
	Number, Name, Department, Location string
	Status                             courses.Status
	Readiness                          mark
	Cells                              []matrixCell
}

// cellIcons are the symbols shown before each state's words.
var cellIcons = map[courses.CellState]string{
	courses.CellDone: "✓", courses.CellExpiring: "!", courses.CellExpired: "✕", courses.CellInProgress: "◐",
	courses.CellNotStarted: "○", courses.CellOverdue: "✕", courses.CellExempt: "–", courses.CellNotInVersion: "·",
}

// shortDate is a day in loc: "3 Nov" in now's year, "3 Nov 2025" otherwise.
func shortDate(t time.Time, now time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Year() == now.In(loc).Year() {
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// matrixCellOf is a cell in words for the page.
func matrixCellOf(m courses.MatrixCell, now time.Time, loc *time.Location) matrixCell {
	c := matrixCell{State: m.State, Icon: cellIcons[m.State], Text: m.State.Label(), Class: "cell-" + strings.ReplaceAll(string(m.State), "_", "-")}
	date := func(t *time.Time) {
		if t != nil {
			c.Date, c.ISO = shortDate(*t, now, loc), t.In(loc).Format(time.DateOnly)
		}
	}
	switch m.State {
	case courses.CellDone:
		date(m.DoneAt)
	case courses.CellExpiring, courses.CellExpired:
		date(m.ExpiresAt)
		if m.DoneAt != nil {
			c.Note = "done " + shortDate(*m.DoneAt, now, loc)
		}
	case courses.CellInProgress:
		if m.ExpiresAt != nil && now.Before(*m.ExpiresAt) {
			c.Note = "last done valid to " + shortDate(*m.ExpiresAt, now, loc)
		}
	}
	return c
}

// matrixWords is a cell in words for the exports: "done 2026-11-03",
// "expiring 2026-12-10" (the day it expires), "in progress", ...
func matrixWords(m courses.MatrixCell, loc *time.Location) string {
	words := strings.ReplaceAll(string(m.State), "_", " ")
	day := func(t *time.Time) string {
		if t == nil {
			return words
		}
		return words + " " + t.In(loc).Format(time.DateOnly)
	}
	switch m.State {
	case courses.CellDone:
		return day(m.DoneAt)
	case courses.CellExpiring, courses.CellExpired:
		return day(m.ExpiresAt)
	}
	return words
}

func matrixColumns(list []courses.ProgrammeCourse) []matrixColumn {
	out := make([]matrixColumn, len(list))
	for i, c := range list {
		out[i] = matrixColumn{Slug: c.CourseSlug, Title: c.Title, Required: c.Required}
	}
	return out
}

// matrixPage renders the matrix page: the filters as typed, their problems
// (status 422), or a page of rows.
func (s *Server) matrixPage(c *fiber.Ctx, status int, q matrixForm, prog *courses.Programme, page *courses.MatrixPage, errs map[string]string) error {
	ctx := c.UserContext()
	progs, err := s.courses.ListProgrammes(ctx, false)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Training matrix", "Query": q, "Programmes": progs, "P": prog,
		"Errors": errs, "ErrorList": orderedErrors(errs, matrixFields), "HR": principal(c).SeesEveryone()}
	for _, k := range []people.OrgKind{people.Departments, people.Locations} {
		items, err := s.people.ListOrgNames(ctx, k)
		if err != nil {
			return err
		}
		data[string(k)] = items
	}
	if prog != nil {
		data["Title"] = "Training matrix: " + prog.Title
	}
	if page != nil {
		loc, err := s.courses.Location(ctx)
		if err != nil {
			return err
		}
		now := s.courses.Now()
		rows := make([]matrixRow, len(page.Rows))
		for i, r := range page.Rows {
			row := matrixRow{Number: r.Number, Name: r.Name, Department: r.Department, Location: r.Location,
				Status: r.Status, Readiness: readinessMark(r.Readiness), Cells: make([]matrixCell, len(r.Cells))}
			for j, m := range r.Cells {
				row.Cells[j] = matrixCellOf(m, now, loc)
				row.Cells[j].Course = page.Courses[j].CourseSlug
			}
			rows[i] = row
		}
		data["Columns"], data["Rows"] = matrixColumns(page.Courses), rows
		filters := q.values()
		data["CSV"], data["XLSX"] = "/matrix.csv?"+filters.Encode(), "/matrix.xlsx?"+filters.Encode()
		if q.Limit != "" {
			filters.Set("limit", q.Limit)
		}
		data["First"] = matrixPath + "?" + filters.Encode()
		data["Paged"] = q.After != ""
		if page.Next != "" {
			filters.Set("after", page.Next)
			data["Next"] = matrixPath + "?" + filters.Encode()
		}
	}
	return s.renderStatus(c, status, "matrix/show", data)
}

// matrixShow shows a page of the matrix of ?programme=, or the programme
// chooser when none is named.
func (s *Server) matrixShow(c *fiber.Ctx) error {
	q := newMatrixForm(c)
	if q.Programme == "" { // open on the first programme rather than an empty chooser
		progs, err := s.courses.ListProgrammes(c.UserContext(), false)
		if err != nil {
			return err
		}
		if len(progs) > 0 {
			q.Programme = progs[0].Slug
		}
	}
	prog, f, errs, err := s.matrixFilter(c, q)
	if err != nil {
		if store.IsNotFound(err) {
			return s.matrixPage(c, http.StatusNotFound, q, nil, nil, map[string]string{"programme": fmt.Sprintf("There is no programme %q: choose one from the list.", q.Programme)})
		}
		return err
	}
	if prog == nil && len(errs) == 1 && q.Programme == "" {
		return s.matrixPage(c, http.StatusOK, q, nil, nil, nil) // nothing chosen yet
	}
	if len(errs) > 0 {
		return s.matrixPage(c, http.StatusUnprocessableEntity, q, prog, nil, errs)
	}
	page, err := s.courses.Matrix(c.UserContext(), prog, f)
	if field, msg, ok := asFieldError(err); ok {
		return s.matrixPage(c, http.StatusUnprocessableEntity, q, prog, nil, map[string]string{field: msg})
	} else if err != nil {
		return err
	}
	return s.matrixPage(c, http.StatusOK, q, prog, page, nil)
}

// matrixExport is what an export needs, read from the request.
type matrixExport struct {
	prog    *courses.Programme
	f       courses.MatrixFilter
	courses []courses.ProgrammeCourse // the columns
	loc     *time.Location
	name    string // of the download, without the extension
}

// readMatrixExport checks an export's query like matrixShow and reads its
// first row, so that a failing database is an error page rather than an
// empty file. A bad query gets the page with the messages (422): then it
// returns nil and no error.
func (s *Server) readMatrixExport(c *fiber.Ctx) (*matrixExport, error) {
	ctx := c.UserContext()
	q := newMatrixForm(c)
	q.After, q.Limit = "", ""
	prog, f, errs, err := s.matrixFilter(c, q)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, s.matrixPage(c, http.StatusUnprocessableEntity, q, prog, nil, errs)
	}
	x := &matrixExport{prog: prog, f: f}
	x.f.Limit, x.f.After = 0, ""
	f.Limit = 1
	first, err := s.courses.Matrix(ctx, prog, f)
	if err != nil {
		return nil, err
	}
	x.courses = first.Courses
	if x.loc, err = s.courses.Location(ctx); err != nil {
		return nil, err
	}
	x.name = "matrix-" + prog.Slug + "-" + s.courses.Now().In(x.loc).Format(time.DateOnly)
	return x, nil
}

// matrixHeader is the exports' first row.
func matrixHeader(cols []courses.ProgrammeCourse) []string {
	h := []string{"number", "name", "department", "location", "programme status", "readiness"}
	for _, c := range cols {
		use := "optional"
		if c.Required {
			use = "required"
		}
		h = append(h, c.Title+" ("+use+")")
	}
	return h
}

// matrixRecord is one row of the exports, in words.
func matrixRecord(r courses.MatrixRow, loc *time.Location) []string {
	rec := []string{r.Number, r.Name, r.Department, r.Location, strings.ToLower(r.Status.Label()), strings.ToLower(readinessMark(r.Readiness).Label)}
	if r.Readiness == "" {
		rec[5] = ""
	}
	for _, m := range r.Cells {
		rec = append(rec, matrixWords(m, loc))
	}
	return rec
}

// matrixBatches calls each with every row of the export, and flush after
// each batch of them.
func matrixBatches(ctx context.Context, cs *courses.Store, x *matrixExport, each func(courses.MatrixRow) error, flush func() error) error {
	return cs.EachMatrixRows(ctx, x.prog, x.f, matrixBatchSize, func(_ []courses.ProgrammeCourse, rows []courses.MatrixRow) error {
		for _, r := range rows {
			if err := each(r); err != nil {
				return err
			}
		}
		return flush()
	})
}

// matrixExports is how many exports may run at once in this process: each
// holds a database connection for its rows and uses another for its cells,
// so unbounded exports could take the whole pool (eight connections on
// SQLite) and starve every page.
var matrixExports = make(chan struct{}, 2)

// startExport takes a place among the running exports, waiting a little
// for one; TooMany when none comes free. endExport gives it back.
func startExport(ctx context.Context) error {
	t := time.NewTimer(matrixExportWait)
	defer t.Stop()
	select {
	case matrixExports <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return store.Errorf(store.TooMany, "Other exports of the matrix are running: try again in a minute.")
	}
}

func endExport() { <-matrixExports }

// matrixExportWait is how long an export waits for a place.
const matrixExportWait = 20 * time.Second

// matrixExportTimeout bounds one export (the server's write timeout usually ends it first).
const matrixExportTimeout = 10 * time.Minute

// matrixCSV streams the whole matrix the filters give as CSV, batch by
// batch: it is never held in memory. Cells a spreadsheet would run as a
// formula are defused like the audit log's.
func (s *Server) matrixCSV(c *fiber.Ctx) error {
	x, err := s.readMatrixExport(c)
	if x == nil {
		return err
	}
	if err := startExport(c.UserContext()); err != nil {
		return err
	}
	download(c, "text/csv; charset=utf-8", "attachment", x.name+".csv")
	// The writer runs after this handler has returned, when c belongs to
	// another request: it uses only x (copied values) and the store.
	cs, log := s.courses, s.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer endExport()
		ctx, cancel := context.WithTimeout(context.Background(), matrixExportTimeout)
		defer cancel()
		if err := writeMatrixCSV(ctx, w, cs, x); err != nil {
			log.Warn("matrix export stopped", "programme", x.prog.Slug, "err", err)
		}
	})
	return nil
}

// writeMatrixCSV writes the header and every row, flushing w after each batch.
func writeMatrixCSV(ctx context.Context, w *bufio.Writer, cs *courses.Store, x *matrixExport) error {
	cw := csv.NewWriter(w)
	header := matrixHeader(x.courses)
	for i := range header {
		header[i] = csvCell(header[i])
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	return matrixBatches(ctx, cs, x, func(r courses.MatrixRow) error {
		rec := matrixRecord(r, x.loc)
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		return cw.Write(rec)
	}, func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		return nil
	})
}

// matrixXLSX sends the whole matrix the filters give as a spreadsheet. The
// rows go through excelize's stream writer batch by batch (it keeps at most
// 16 MB of them in memory and the rest in a temporary file); the finished
// file is compressed in memory and sent. Text cells are inline strings,
// never formulas, so a name starting with "=" stays text.
func (s *Server) matrixXLSX(c *fiber.Ctx) error {
	x, err := s.readMatrixExport(c)
	if x == nil {
		return err
	}
	if err := startExport(c.UserContext()); err != nil {
		return err
	}
	defer endExport()
	book := excelize.NewFile()
	defer book.Close()
	if err := writeMatrixXLSX(c.UserContext(), book, s.courses, x); err != nil {
		return err
	}
	buf, err := book.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("matrix spreadsheet: %w", err)
	}
	download(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment", x.name+".xlsx")
	return c.SendStream(buf, buf.Len())
}

// matrixSheet is the spreadsheet's one sheet.
const matrixSheet = "Matrix"

// writeMatrixXLSX writes the matrix into book's sheet with a stream writer:
// a bold, frozen header row and fixed column widths, then every row.
func writeMatrixXLSX(ctx context.Context, book *excelize.File, cs *courses.Store, x *matrixExport) error {
	if err := book.SetSheetName(book.GetSheetName(0), matrixSheet); err != nil {
		return err
	}
	sw, err := book.NewStreamWriter(matrixSheet)
	if err != nil {
		return err
	}
	bold, err := book.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	header := matrixHeader(x.courses)
	widths := []float64{12, 28, 22, 16, 16, 12}
	for i := range header {
		w := 24.0
		if i < len(widths) {
			w = widths[i]
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	row := 1
	err = matrixBatches(ctx, cs, x, func(r courses.MatrixRow) error {
		rec := matrixRecord(r, x.loc)
		row++
		for i, v := range rec {
			cells[i] = v
		}
		ref, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, cells[:len(rec)])
	}, func() error { return nil })
	if err != nil {
		return err
	}
	return sw.Flush()
}
