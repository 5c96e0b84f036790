package app

import (
	"bufio"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// apiReason is one reason in the readiness API (every key always present).
type apiReason struct {
	Kind      string `json:"kind"`
	Programme string `json:"programme"`
	Detail    string `json:"detail"`
	Date      string `json:"date"`
}

type apiReadinessEmployee struct {
	Number    string      `json:"number"`
	Name      string      `json:"name"`
	Status    string      `json:"status"`
	Reasons   []apiReason `json:"reasons"`
	UpdatedAt *time.Time  `json:"updated_at,omitempty"`
}

type apiReadinessSummary struct {
	Headcount int `json:"headcount"`
	Ready     int `json:"ready"`
	AtRisk    int `json:"at_risk"`
	NotReady  int `json:"not_ready"`
}

func apiReasons(rs []courses.Reason) []apiReason {
	out := make([]apiReason, len(rs))
	for i, r := range rs {
		out[i] = apiReason{Kind: string(r.Kind), Programme: r.Programme, Detail: r.Detail, Date: r.Date}
	}
	return out
}

// readinessAPIFilter reads the list's query (manager, department, location,
// status, reason, as_of, limit, after), copying every value. Unknown names
// are Invalid naming the field; a manager outside the token's line is
// NotFound.
func (s *Server) readinessAPIFilter(c *fiber.Ctx) (courses.ReadinessFilter, error) {
	ctx := c.UserContext()
	v := func(k string) string { return queryTrimmed(c, k) }
	f := courses.ReadinessFilter{AsOf: v("as_of"), After: v("after"), Limit: 100}
	if l := v("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return f, store.FieldError("limit", "limit must be a whole number from 1 to 1000.")
		}
		f.Limit = n
	}
	root, err := s.teamRoot(c, v("manager"))
	if err != nil {
		return f, err
	}
	if root != nil {
		f.LineOf = root.ID
	}
	for _, o := range []struct {
		field string
		kind  people.OrgKind
		id    *int64
	}{{"department", people.Departments, &f.DepartmentID}, {"location", people.Locations, &f.LocationID}} {
		name := v(o.field)
		if name == "" {
			continue
		}
		it, err := s.people.FindOrgByName(ctx, o.kind, name)
		if err != nil {
			if store.IsNotFound(err) {
				return f, store.FieldError(o.field, "There is no %s called %q.", o.kind.Noun(), name)
			}
			return f, err
		}
		*o.id = it.ID
	}
	if st := v("status"); st != "" {
		if f.Status = courses.Readiness(st); !slices.Contains(courses.Readinesses, f.Status) {
			return f, store.FieldError("status", "status is one of ready, at_risk, not_ready.")
		}
	}
	if r := v("reason"); r != "" {
		if f.Reason = courses.ReasonKind(r); !slices.Contains(reasonKinds, f.Reason) {
			return f, store.FieldError("reason", "reason is one of overdue, expired, critical_failed, due_soon, expiring, incomplete.")
		}
	}
	return f, nil
}

// apiReadiness lists readiness with a summary, a keyset page at a time:
// manager tokens their line (or a line in it), HR and admin tokens
// everyone. With Accept: text/csv it streams every page as CSV.
func (s *Server) apiReadiness(c *fiber.Ctx) error {
	f, err := s.readinessAPIFilter(c)
	if err != nil {
		return err
	}
	if strings.Contains(c.Get("Accept"), "text/csv") {
		return s.apiReadinessCSV(c, f)
	}
	list, sum, next, err := s.courses.ReadinessList(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]apiReadinessEmployee, len(list))
	for i, e := range list {
		out[i] = apiReadinessEmployee{Number: e.Number, Name: e.Name, Status: string(e.Status), Reasons: apiReasons(e.Reasons)}
	}
	return c.JSON(fiber.Map{"summary": apiReadinessSummary{Headcount: sum.Headcount, Ready: sum.Ready, AtRisk: sum.AtRisk, NotReady: sum.NotReady},
		"employees": out, "next": next})
}

// readinessCSVBatch is how many people the CSV export reads at a time.
const readinessCSVBatch = 1000

// readinessCSVHeader is the export's first row.
var readinessCSVHeader = []string{"number", "name", "status", "reasons"}

// apiReadinessCSV streams every person f matches (from f.After on) as CSV,
// in batches. The first batch is read before the headers go out, so a bad
// cursor or a failing database is a JSON error, not an empty file.
func (s *Server) apiReadinessCSV(c *fiber.Ctx, f courses.ReadinessFilter) error {
	f.Limit = readinessCSVBatch
	first, _, next, err := s.courses.ReadinessList(c.UserContext(), f)
	if err != nil {
		return err
	}
	loc, err := s.courses.Location(c.UserContext())
	if err != nil {
		return err
	}
	download(c, "text/csv; charset=utf-8", "attachment", "readiness-"+s.courses.Now().In(loc).Format(time.DateOnly)+".csv")
	// The writer runs after this handler has returned, when c belongs to
	// another request: it uses only the copied filter and the store.
	crs, log := s.courses, s.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), auditCSVTimeout)
		defer cancel()
		more := func(after string) ([]courses.ReadinessEntry, string, error) {
			f.After = after
			list, _, next, err := crs.ReadinessList(ctx, f)
			return list, next, err
		}
		if err := writeCSVPages(w, readinessCSVHeader, first, next, more, readinessRecord); err != nil {
			log.Warn("readiness export stopped", "err", err)
		}
	})
	return nil
}

// readinessRecord is one employee's CSV cells: the reasons' details joined.
func readinessRecord(e courses.ReadinessEntry) []string {
	details := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		details[i] = r.Detail
	}
	return []string{csvCell(e.Number), csvCell(e.Name), string(e.Status), csvCell(strings.Join(details, "; "))}
}

// apiReadinessEmployeeShow is one employee's readiness: staff tokens their
// own, manager tokens their line's, HR and admin anyone's (others 404).
func (s *Server) apiReadinessEmployeeShow(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	r, err := s.courses.EmployeeReadiness(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	at := r.UpdatedAt.UTC()
	return c.JSON(apiReadinessEmployee{Number: e.Number, Name: e.Name(), Status: string(r.Status), Reasons: apiReasons(r.Reasons), UpdatedAt: &at})
}
