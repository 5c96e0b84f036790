package outcomes

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Day is a civil date as days since 1970-01-01: an event's date in the
// company's time zone. Days compare and subtract as numbers.
type Day int32

// DayOf is the date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return DateDay(y, m, d)
}

// DateDay is the day of a calendar date.
func DateDay(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Date is the day's calendar date (at midnight UTC, for formatting).
func (d Day) Date() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Start is the moment the day begins in loc.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := d.Date().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// String is the day as YYYY-MM-DD.
func (d Day) String() string { return d.Date().Format(time.DateOnly) }

// Event is one outcome of one employee: a customer's rating, a complaint,
// a measured value.
type Event struct {
	bun.BaseModel `bun:"table:outcome_events,alias:oe"`

	ID         int64     `bun:",pk,autoincrement"`
	MeasureID  int64     `bun:",notnull"`
	EmployeeID int64     `bun:",notnull"`
	Day        Day       `bun:",notnull"`
	Value      float64   `bun:",notnull"`
	Category   string    `bun:",notnull"`
	SourceID   *string   `bun:"source_id"`
	BatchID    *int64    `bun:"batch_id"`
	CreatedAt  time.Time `bun:",notnull"`
}

// Import is one outcome import, the batch its events belong to.
type Import struct {
	bun.BaseModel `bun:"table:outcome_imports,alias:oi"`

	ID          int64     `bun:",pk,autoincrement"`
	MeasureID   int64     `bun:",notnull"`
	Filename    string    `bun:",notnull"`
	Created     int       `bun:",notnull"`
	Duplicates  int       `bun:",notnull"`
	CreatedByID *int64    `bun:"created_by_id"`
	CreatedAt   time.Time `bun:",notnull"`
}

// Point is one event reduced to what the figures need.
type Point struct {
	Day   Day
	Value float64
}

// Figure is a person's (or a group's) figure over some events of measure m:
// the share satisfied as a percentage or the mean score for a rating, the
// number of events for a count, the mean for a value. ok is false when there
// is no figure: a rating or value with no events (a count with none is 0).
func (m *Measure) Figure(points []Point) (f float64, ok bool) {
	if m.Kind == Count {
		return float64(len(points)), true
	}
	if len(points) == 0 {
		return 0, false
	}
	var sum float64
	for _, p := range points {
		if m.Kind == Rating && m.Report != Mean {
			if m.Satisfied(p.Value) {
				sum += 100
			}
			continue
		}
		sum += p.Value
	}
	return sum / float64(len(points)), true
}

// insertChunk is how many events one INSERT writes: 9 columns each, under
// SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
const insertChunk = 2000

// InsertEvents writes events in db (a transaction, usually), in chunks,
// skipping any whose source id the measure already holds (re-importing an
// export adds nothing), and returns how many it wrote. The IDs of the
// events written are not read back.
func InsertEvents(ctx context.Context, db bun.IDB, events []Event) (created int, err error) {
	for start := 0; start < len(events); start += insertChunk {
		chunk := events[start:min(start+insertChunk, len(events))]
		res, err := db.NewInsert().Model(&chunk).ExcludeColumn("id").On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return created, fmt.Errorf("insert outcome events: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return created, err
		}
		created += int(n)
	}
	return created, nil
}
