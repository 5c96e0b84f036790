package outcomes

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// A person's series: all their events of one measure, packed into one value
// of the outcome_series table, so a report over a whole organisation reads
// one small value per person instead of tens of event rows each.
//
// The encoding (version 1), in order:
//
//	byte     1 (the version)
//	byte     the value form: 0 = every value is a whole number 0..255, one
//	         byte each; 1 = each value a float64, 8 bytes little-endian
//	uvarint  n, the number of points
//	varint   the first point's day (zig-zag; absent when n is 0)
//	uvarint  × n-1: each later day minus the one before (days ascend)
//	values   × n, in the value form
//
// Points are in ascending day order, events of one day in the order they
// were written (their ids). Values are exact either way: a rating or a
// count (1) is a small whole number; anything else keeps all 64 bits. A
// rating series of 45 points over two years is about 95 bytes.

// seriesVersion is the first byte of every encoded series.
const seriesVersion = 1

// The value forms.
const (
	seriesBytes   = 0
	seriesFloat64 = 1
)

// ErrSeries is returned for a value that is not an encoded series.
var ErrSeries = errors.New("outcomes: malformed series")

// EncodeSeries packs points (ascending by day) into dst[:0]'s storage and
// returns it. Points out of day order are an error.
func EncodeSeries(dst []byte, points []Point) ([]byte, error) {
	form := byte(seriesBytes)
	for i, p := range points {
		if i > 0 && p.Day < points[i-1].Day {
			return nil, fmt.Errorf("outcomes: series points out of day order at %d", i)
		}
		if p.Value != math.Trunc(p.Value) || p.Value < 0 || p.Value > 255 || (p.Value == 0 && math.Signbit(p.Value)) {
			form = seriesFloat64
		}
	}
	dst = append(dst[:0], seriesVersion, form)
	dst = binary.AppendUvarint(dst, uint64(len(points)))
	for i, p := range points {
		if i == 0 {
			dst = binary.AppendVarint(dst, int64(p.Day))
		} else {
			dst = binary.AppendUvarint(dst, uint64(int64(p.Day)-int64(points[i-1].Day)))
		}
	}
	for _, p := range points {
		if form == seriesBytes {
			dst = append(dst, byte(p.Value))
		} else {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p.Value))
		}
	}
	return dst, nil
}

// DecodeSeries appends the points of an encoded series to dst, keeping only
// those on or before through, and returns dst. A malformed series is
// ErrSeries and leaves dst as it was.
func DecodeSeries(dst []Point, b []byte, through Day) ([]Point, error) {
	if len(b) < 2 || b[0] != seriesVersion || b[1] > seriesFloat64 {
		return dst, ErrSeries
	}
	form := b[1]
	b = b[2:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) { // every point takes at least a byte
		return dst, ErrSeries
	}
	b = b[k:]
	start := len(dst)
	dst = slices.Grow(dst, int(n))
	var day int64
	for i := range int(n) {
		if i == 0 {
			d, k := binary.Varint(b)
			if k <= 0 {
				return dst[:start], ErrSeries
			}
			day, b = d, b[k:]
		} else {
			d, k := binary.Uvarint(b)
			if k <= 0 || d > math.MaxUint32 {
				return dst[:start], ErrSeries
			}
			day, b = day+int64(d), b[k:]
		}
		if day < math.MinInt32 || day > math.MaxInt32 {
			return dst[:start], ErrSeries
		}
		dst = append(dst, Point{Day: Day(day)})
	}
	size := 1
	if form == seriesFloat64 {
		size = 8
	}
	if len(b) != int(n)*size {
		return dst[:start], ErrSeries
	}
	pts := dst[start:]
	for i := range pts {
		if form == seriesBytes {
			pts[i].Value = float64(b[i])
		} else {
			pts[i].Value = math.Float64frombits(binary.LittleEndian.Uint64(b[i*8:]))
		}
	}
	keep, _ := slices.BinarySearchFunc(pts, through, func(p Point, d Day) int {
		if p.Day <= d {
			return -1
		}
		return 1 // never "found": the position of the first day after through
	})
	return dst[:start+keep], nil
}

// Series is one row of outcome_series.
type Series struct {
	bun.BaseModel `bun:"table:outcome_series"`

	MeasureID  int64  `bun:",pk"`
	EmployeeID int64  `bun:",pk"`
	Points     []byte `bun:",notnull"`
}

// seriesLockClass is the first key of the PostgreSQL advisory lock a
// transaction writing a measure's series holds ("SERI").
const seriesLockClass = 0x53455249

// seriesChunk is how many employees one refresh query covers.
const seriesChunk = 500

// RefreshSeries rewrites the series of measureID for employeeIDs from their
// events in db (the transaction that wrote the events): the one rule every
// writer of outcome_events calls after writing. When the measure's series
// have not been built yet (events from before they existed) it builds them
// all instead (EnsureSeries).
func RefreshSeries(ctx context.Context, db bun.IDB, measureID int64, employeeIDs []int64) error {
	built, err := ensureSeries(ctx, db, measureID)
	if err != nil || built {
		return err
	}
	ids := slices.Clone(employeeIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for lo := 0; lo < len(ids); lo += seriesChunk {
		chunk := ids[lo:min(lo+seriesChunk, len(ids))]
		if _, err := db.NewDelete().TableExpr("outcome_series").
			Where("measure_id = ? AND employee_id IN (?)", measureID, bun.In(chunk)).Exec(ctx); err != nil {
			return fmt.Errorf("refresh outcome series: %w", err)
		}
		q := db.NewSelect().TableExpr("outcome_events").Column("employee_id", "day", "value").
			Where("measure_id = ? AND employee_id IN (?)", measureID, bun.In(chunk))
		if err := writeSeries(ctx, db, measureID, q); err != nil {
			return err
		}
	}
	return nil
}

// RefreshSeriesOf refreshes the series of every (measure, employee) pair
// among events (RefreshSeries for each measure).
func RefreshSeriesOf(ctx context.Context, db bun.IDB, events []Event) error {
	byMeasure := map[int64][]int64{}
	var order []int64
	for _, e := range events {
		if _, ok := byMeasure[e.MeasureID]; !ok {
			order = append(order, e.MeasureID)
		}
		byMeasure[e.MeasureID] = append(byMeasure[e.MeasureID], e.EmployeeID)
	}
	for _, m := range order {
		if err := RefreshSeries(ctx, db, m, byMeasure[m]); err != nil {
			return err
		}
	}
	return nil
}

// EnsureSeries builds every series of measureID from its events unless
// they are built already (outcome_series_ready lists the measure). Readers
// of the series call it first; on a database migrated with events in it,
// the first call reads them all once.
func EnsureSeries(ctx context.Context, db bun.IDB, measureID int64) error {
	ready, err := seriesReady(ctx, db, measureID)
	if err != nil || ready {
		return err
	}
	if tx, ok := db.(*bun.DB); ok { // one transaction: the series and the mark together
		return tx.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := ensureSeries(ctx, tx, measureID)
			return err
		})
	}
	_, err = ensureSeries(ctx, db, measureID)
	return err
}

func seriesReady(ctx context.Context, db bun.IDB, measureID int64) (bool, error) {
	n, err := db.NewSelect().TableExpr("outcome_series_ready").Where("measure_id = ?", measureID).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("outcome series: %w", err)
	}
	return n > 0, nil
}

// ensureSeries builds the measure's series in db unless they are ready, and
// says whether it built them.
func ensureSeries(ctx context.Context, db bun.IDB, measureID int64) (built bool, err error) {
	// PostgreSQL: one writer of a measure's series at a time, until the
	// transaction ends, so each reads the events the one before committed
	// (SQLite has one writer at a time anyway).
	if db.Dialect().Name() == dialect.PG {
		if _, err := db.NewRaw("SELECT pg_advisory_xact_lock(?, ?)", seriesLockClass, int32(measureID)).Exec(ctx); err != nil {
			return false, fmt.Errorf("outcome series lock: %w", err)
		}
	}
	ready, err := seriesReady(ctx, db, measureID)
	if err != nil || ready {
		return false, err
	}
	if _, err := db.NewDelete().TableExpr("outcome_series").Where("measure_id = ?", measureID).Exec(ctx); err != nil {
		return false, fmt.Errorf("build outcome series: %w", err)
	}
	var top int64
	if err := db.NewSelect().TableExpr("outcome_events").ColumnExpr("COALESCE(MAX(employee_id), 0)").
		Where("measure_id = ?", measureID).Scan(ctx, &top); err != nil {
		return false, fmt.Errorf("build outcome series: %w", err)
	}
	for lo := int64(1); lo <= top; lo += seriesRange { // a range at a time: the memory stays small
		q := db.NewSelect().TableExpr("outcome_events").Column("employee_id", "day", "value").
			Where("measure_id = ? AND employee_id BETWEEN ? AND ?", measureID, lo, lo+seriesRange-1)
		if err := writeSeries(ctx, db, measureID, q); err != nil {
			return false, err
		}
	}
	if _, err := db.NewRaw("INSERT INTO outcome_series_ready (measure_id) VALUES (?) ON CONFLICT DO NOTHING", measureID).Exec(ctx); err != nil {
		return false, fmt.Errorf("build outcome series: %w", err)
	}
	return true, nil
}

// seriesRange is how many employee ids one step of a build reads.
const seriesRange = 5000

// seriesInsert is how many series one INSERT writes.
const seriesInsert = 2000

// writeSeries streams the events q selects (employee_id, day, value) in
// (employee, day, id) order and inserts one series per employee.
func writeSeries(ctx context.Context, db bun.IDB, measureID int64, q *bun.SelectQuery) error {
	rows, err := q.OrderExpr("employee_id, day, id").Rows(ctx)
	if err != nil {
		return fmt.Errorf("outcome series: %w", err)
	}
	defer rows.Close()
	var (
		batch []Series
		pts   []Point
		last  int64 = -1
	)
	flushPerson := func() error {
		if last < 0 {
			return nil
		}
		b, err := EncodeSeries(nil, pts)
		if err != nil {
			return err
		}
		batch = append(batch, Series{MeasureID: measureID, EmployeeID: last, Points: b})
		pts = pts[:0]
		return nil
	}
	insert := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := db.NewInsert().Model(&batch).Exec(ctx); err != nil {
			return fmt.Errorf("write outcome series: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	// Rows are read whole before writing: SQLite allows writes on the
	// connection while a query is open, PostgreSQL's transaction does not.
	type row struct {
		emp int64
		p   Point
	}
	var all []row
	for rows.Next() {
		var (
			emp int64
			day int64
			val float64
		)
		if err := rows.Scan(&emp, &day, &val); err != nil {
			return fmt.Errorf("outcome series: %w", err)
		}
		all = append(all, row{emp, Point{Day: Day(day), Value: val}})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("outcome series: %w", err)
	}
	rows.Close()
	for _, r := range all {
		if r.emp != last {
			if err := flushPerson(); err != nil {
				return err
			}
			last = r.emp
			if len(batch) >= seriesInsert {
				if err := insert(); err != nil {
					return err
				}
			}
		}
		pts = append(pts, r.p)
	}
	if err := flushPerson(); err != nil {
		return err
	}
	return insert()
}

// ReadSeries calls fn with each encoded series of measureID (DecodeSeries
// reads it) in employee order, the employees limited to ids when ids is
// not nil, else to those from lo to hi inclusive when hi > 0. b is valid
// only until fn returns. Call EnsureSeries first.
func ReadSeries(ctx context.Context, db bun.IDB, measureID int64, ids []int64, lo, hi int64, fn func(employeeID int64, b []byte) error) error {
	q := db.NewSelect().TableExpr("outcome_series").Column("employee_id", "points").Where("measure_id = ?", measureID)
	switch {
	case ids != nil:
		q = q.Where("employee_id IN (?)", bun.In(ids))
	case hi > 0:
		q = q.Where("employee_id BETWEEN ? AND ?", lo, hi)
	}
	rows, err := q.OrderExpr("employee_id").Rows(ctx)
	if err != nil {
		return fmt.Errorf("outcome series: %w", err)
	}
	defer rows.Close()
	var (
		emp int64
		raw sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&emp, &raw); err != nil {
			return fmt.Errorf("outcome series: %w", err)
		}
		if err := fn(emp, raw); err != nil {
			return err
		}
	}
	return rows.Err()
}
