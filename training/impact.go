package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/outcomes"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// ImpactWindows are the window lengths the impact report offers, in days.
var ImpactWindows = []int{30, 60, 90, 180}

// ImpactFilter narrows the impact report's people (zero values do not).
type ImpactFilter struct {
	DepartmentID int64
	LocationID   int64
	LineOf       int64 // everyone below this manager, however deep
}

// ImpactReport is a programme's estimated impact on a measure among the
// filtered people, with the month-by-month figures for the chart.
type ImpactReport struct {
	Programme *courses.Programme
	Measure   *outcomes.Measure
	Impact    *outcomes.Impact
	Sentence  string
	Months    []outcomes.MonthFigure
	Through   outcomes.Day // the last day of data used (yesterday)
}

// impactChunk is how many employee ids one IN (...) of a narrowed report holds.
const impactChunk = 500

// impactBlock is how many points one block of a report's events holds.
const impactBlock = 1 << 16

// impactReaders is how many ranges of employees a large report reads at once.
const impactReaders = 2

// impactNarrow is the largest narrowed group read by its ids; above it the
// measure's events are read whole and the others dropped.
const impactNarrow = 20_000

// ImpactReport estimates the impact of programme (slug) on measure (slug)
// over windows of windowDays, for the people f selects: each person's first
// completion of the programme (any cycle, imported ones too) and their
// events up to yesterday in the company's time zone. An unknown programme
// or measure and a window not in ImpactWindows are Invalid naming the
// field ("programme", "measure", "window_days").
func (s *Service) ImpactReport(ctx context.Context, programme, measure string, windowDays int, f ImpactFilter) (*ImpactReport, error) {
	p, err := s.courses.FindProgramme(ctx, programme)
	if store.IsNotFound(err) {
		return nil, store.FieldError("programme", "There is no programme %q.", programme)
	} else if err != nil {
		return nil, err
	}
	m, err := s.outcomes.FindMeasure(ctx, measure)
	if store.IsNotFound(err) {
		return nil, store.FieldError("measure", "There is no measure %q.", measure)
	} else if err != nil {
		return nil, err
	}
	if !slices.Contains(ImpactWindows, windowDays) {
		return nil, store.FieldError("window_days", "Choose a window of 30, 60, 90 or 180 days.")
	}
	loc, err := s.courses.Location(ctx)
	if err != nil {
		return nil, err
	}
	through := outcomes.DayOf(s.clock.Now(), loc) - 1
	ppl, err := s.impactPeople(ctx, p.ID, m, f, loc, through)
	if err != nil {
		return nil, err
	}
	r := &ImpactReport{Programme: p, Measure: m, Through: through}
	r.Impact = outcomes.EstimateImpact(outcomes.ImpactInput{Measure: m, WindowDays: windowDays, Through: through, People: ppl})
	r.Sentence = outcomes.ImpactSentence(m, p.Title, r.Impact)
	from := through
	for _, q := range ppl {
		if len(q.Points) > 0 {
			from = min(from, q.Points[0].Day)
		}
	}
	if through-from > 730 { // the chart shows two years at most
		from = through - 730
	}
	r.Months = outcomes.ImpactMonths(m, ppl, from, through)
	return r, nil
}

// impactPeople reads, for everyone f selects, their hire day, their first
// completion of the programme and their events of the measure up to
// through, by day. It streams only the columns it needs into one shared
// slice of points.
func (s *Service) impactPeople(ctx context.Context, programmeID int64, m *outcomes.Measure, f ImpactFilter, loc *time.Location, through outcomes.Day) ([]outcomes.ImpactPerson, error) {
	narrowed := f != ImpactFilter{}
	var scope []int64 // sorted ids when narrowed
	if narrowed {
		ids, err := s.people.EmployeeIDs(ctx, people.EmployeeFilter{DepartmentID: f.DepartmentID, LocationID: f.LocationID, LineOf: f.LineOf})
		if err != nil {
			return nil, err
		}
		slices.Sort(ids)
		scope = ids
	}
	// A narrowed group small enough is read by its ids, a chunk at a time;
	// otherwise whole tables are read and the others dropped.
	byIDs := narrowed && len(scope) <= impactNarrow
	chunks := func(q func(ids []int64) error) error {
		for lo := 0; lo < len(scope); lo += impactChunk {
			if err := q(scope[lo:min(lo+impactChunk, len(scope))]); err != nil {
				return err
			}
		}
		return nil
	}
	// Hire days, in id order.
	type hire struct {
		ID       int64
		HireDate string
	}
	var emps []hire
	hires := func(ids []int64) error {
		var part []hire
		q := s.db.NewSelect().TableExpr("employees").Column("id", "hire_date").OrderExpr("id")
		if ids != nil {
			q = q.Where("id IN (?)", bun.In(ids))
		}
		err := q.Scan(ctx, &part)
		emps = append(emps, part...)
		return err
	}
	var err error
	if byIDs {
		err = chunks(hires)
	} else {
		err = hires(nil)
	}
	if err != nil {
		return nil, err
	}
	index := make(map[int64]int32, len(emps))
	var ppl []outcomes.ImpactPerson
	var pids []int64 // their ids
	for _, e := range emps {
		if narrowed && !byIDs {
			if _, ok := slices.BinarySearch(scope, e.ID); !ok {
				continue
			}
		}
		var since outcomes.Day
		if t, err := time.Parse(time.DateOnly, e.HireDate); err == nil {
			since = outcomes.DateDay(t.Date())
		}
		index[e.ID] = int32(len(ppl))
		ppl = append(ppl, outcomes.ImpactPerson{Since: since, Completed: outcomes.NotTrained})
		pids = append(pids, e.ID)
	}
	if len(ppl) == 0 {
		return nil, nil
	}

	// First completions (any cycle: imported history is cycles too).
	completions := func(ids []int64) error {
		var done []struct {
			EmployeeID  int64
			CompletedAt time.Time
		}
		q := s.db.NewSelect().TableExpr("cycles").Column("employee_id").ColumnExpr("MIN(completed_at) AS completed_at").
			Where("programme_id = ? AND completed_at IS NOT NULL", programmeID).GroupExpr("employee_id")
		if ids != nil {
			q = q.Where("employee_id IN (?)", bun.In(ids))
		}
		if err := q.Scan(ctx, &done); err != nil {
			return err
		}
		for _, d := range done {
			if i, ok := index[d.EmployeeID]; ok {
				ppl[i].Completed = outcomes.DayOf(d.CompletedAt, loc)
			}
		}
		return nil
	}
	if byIDs {
		err = chunks(completions)
	} else {
		err = completions(nil)
	}
	if err != nil {
		return nil, err
	}

	// Events: each person's series (outcomes/series.go), one packed value
	// per person rather than a row per event, in employee order, a large
	// group in impactReaders ranges of employees read at once. Points go
	// into blocks of impactBlock; a person's never straddle two, so each
	// person's slice points into a block and nothing is copied twice.
	if err := outcomes.EnsureSeries(ctx, s.db, m.ID); err != nil {
		return nil, err
	}
	count := m.Kind == outcomes.Count // the value does not count: 1 each, as the events read
	read := func(ids []int64, lo, hi int64) error {
		blk := make([]outcomes.Point, 0, 8192) // then blocks of impactBlock
		return outcomes.ReadSeries(ctx, s.db, m.ID, ids, lo, hi, func(emp int64, b []byte) error {
			i, ok := index[emp]
			if !ok {
				return nil
			}
			if cap(blk)-len(blk) < len(b) { // a series holds at most one point per byte
				blk = make([]outcomes.Point, 0, max(impactBlock, len(b)))
			}
			from := len(blk)
			var err error
			if blk, err = outcomes.DecodeSeries(blk, b, through); err != nil {
				return fmt.Errorf("outcome series of employee %d: %w", emp, err)
			}
			pts := blk[from:len(blk):len(blk)]
			if count {
				for k := range pts {
					pts[k].Value = 1
				}
			}
			ppl[i].Points = pts
			return nil
		})
	}
	if byIDs {
		err = chunks(func(ids []int64) error { return read(ids, 0, 0) })
	} else {
		n := min(impactReaders, len(ppl))
		errs := make([]error, n)
		var wg sync.WaitGroup
		for k := range n {
			lo, hi := len(ppl)*k/n, len(ppl)*(k+1)/n
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[k] = read(nil, pids[lo], pids[hi-1])
			}()
		}
		wg.Wait()
		err = errors.Join(errs...)
	}
	if err != nil {
		return nil, err
	}
	return ppl, nil
}
