package courses_test

import (
	"testing"
	"time"

	"github.com/serviceacademy/academy/courses"
)

func TestCountsAndFirstCountsFrom(t *testing.T) {
	loc := london(t)
	assigned := at(t, loc, "2026-12-01 10:00:00")
	if got := courses.FirstCountsFrom(0, assigned); got != nil {
		t.Errorf("never expires: counts from %v, want every completion", got)
	}
	from := courses.FirstCountsFrom(12, assigned)
	if from == nil || !from.Equal(at(t, loc, "2025-12-01 10:00:00")) {
		t.Fatalf("valid 12 months: counts from %v", from)
	}
	tests := []struct {
		name       string
		completed  string
		countsFrom *time.Time
		want       bool
	}{
		{"AnyWithoutWindow", "2010-01-01 00:00:00", nil, true},
		{"InsideTheWindow", "2026-03-01 09:00:00", from, true},
		{"AtTheWindowsStart", "2025-12-01 10:00:00", from, false},
		{"BeforeTheWindow", "2025-11-30 10:00:00", from, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := courses.Counts(at(t, loc, tt.completed), tt.countsFrom); got != tt.want {
				t.Errorf("Counts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSettleCycle(t *testing.T) {
	loc := london(t)
	now := at(t, loc, "2026-12-01 10:00:00")
	early, late := at(t, loc, "2026-11-02 09:00:00"), at(t, loc, "2026-11-20 15:30:00")
	started := at(t, loc, "2026-10-01 08:00:00")
	done := at(t, loc, "2026-10-15 08:00:00")
	doneExpires := at(t, loc, "2027-10-15 00:00:00")
	expires := at(t, loc, "2027-11-20 00:00:00") // 12 months from the later completion's day
	required := []string{"a", "b"}
	tests := []struct {
		name   string
		facts  courses.SettleFacts
		reopen bool
		want   courses.Settled
	}{
		{"NothingCounts", courses.SettleFacts{Required: required, ValidityMonths: 12}, false, courses.Settled{}},
		{"OneOfTwo", courses.SettleFacts{Required: required, Counted: map[string]time.Time{"b": late}, ValidityMonths: 12}, false,
			courses.Settled{StartedAt: &late}},
		{"StartedByACourseOfAnotherCycle", courses.SettleFacts{Required: required, Counted: map[string]time.Time{"c": early}}, false,
			courses.Settled{StartedAt: &early}},
		{"KeepsItsStart", courses.SettleFacts{StartedAt: &started, Required: required, Counted: map[string]time.Time{"a": early}}, false,
			courses.Settled{StartedAt: &started}},
		{"CompleteAtTheNewest", courses.SettleFacts{Required: required, Counted: map[string]time.Time{"a": early, "b": late}, ValidityMonths: 12}, false,
			courses.Settled{StartedAt: &early, CompletedAt: &late, ExpiresAt: &expires, Completed: true}},
		{"CompleteNeverExpires", courses.SettleFacts{Required: required, Counted: map[string]time.Time{"a": early, "b": late}}, false,
			courses.Settled{StartedAt: &early, CompletedAt: &late, Completed: true}},
		{"CompletedStaysComplete", courses.SettleFacts{StartedAt: &started, CompletedAt: &done, ExpiresAt: &doneExpires, Required: required,
			Counted: map[string]time.Time{"a": early, "b": late}, ValidityMonths: 12}, false,
			courses.Settled{StartedAt: &started, CompletedAt: &done, ExpiresAt: &doneExpires}},
		{"MissingCourseKeptWithoutReopen", courses.SettleFacts{StartedAt: &started, CompletedAt: &done, ExpiresAt: &doneExpires, Required: required,
			Counted: map[string]time.Time{"a": early}}, false,
			courses.Settled{StartedAt: &started, CompletedAt: &done, ExpiresAt: &doneExpires}},
		{"MissingCourseReopens", courses.SettleFacts{StartedAt: &started, CompletedAt: &done, ExpiresAt: &doneExpires, Required: required,
			Counted: map[string]time.Time{"a": early}}, true,
			courses.Settled{StartedAt: &started}},
		{"ExemptKeepsWhatItHas", courses.SettleFacts{Exempt: true, Required: required, Counted: map[string]time.Time{"a": early, "b": late}}, false,
			courses.Settled{}},
		{"ClosedKeepsWhatItHas", courses.SettleFacts{Closed: true, Required: required, Counted: map[string]time.Time{"a": early, "b": late}}, true,
			courses.Settled{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := courses.SettleCycle(tt.facts, now, loc, tt.reopen)
			if !sameInstant(got.StartedAt, tt.want.StartedAt) || !sameInstant(got.CompletedAt, tt.want.CompletedAt) ||
				!sameInstant(got.ExpiresAt, tt.want.ExpiresAt) || got.Completed != tt.want.Completed {
				t.Errorf("SettleCycle = started %v, completed %v, expires %v, newly %v; want %v, %v, %v, %v", got.StartedAt, got.CompletedAt,
					got.ExpiresAt, got.Completed, tt.want.StartedAt, tt.want.CompletedAt, tt.want.ExpiresAt, tt.want.Completed)
			}
		})
	}
}

func sameInstant(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

func TestRecertification(t *testing.T) {
	loc := london(t)
	tests := []struct {
		name       string
		expires    string // London midnight
		days       int
		wantOpens  string // UTC
		wantDue    string
		assignDays int // the programme's due rule without a window: N days after the opening
	}{
		{"ThirtyDaysBefore", "2027-01-31 00:00:00", 30, "2027-01-01 00:00:00", "2027-01-30", 0},
		// The clocks go forward on 28 March 2027: the expiry is 23:00 UTC, the window opens 30 days of 24 hours before.
		{"AcrossSummerTime", "2027-04-15 00:00:00", 30, "2027-03-15 23:00:00", "2027-04-14", 0},
		{"SixtyDaysBeforeInSummer", "2027-07-01 00:00:00", 60, "2027-05-01 23:00:00", "2027-06-30", 0},
		{"NoWindowOpensAtTheExpiry", "2027-01-31 00:00:00", 0, "2027-01-31 00:00:00", "2027-03-02", 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expires := at(t, loc, tt.expires)
			opens := courses.RecertOpens(expires, tt.days)
			if want := at(t, time.UTC, tt.wantOpens); !opens.Equal(want) {
				t.Fatalf("RecertOpens = %v, want %v", opens, want)
			}
			// The scheduler's horizon agrees: open from that moment, not a nanosecond before.
			if !expires.After(courses.RecertHorizon(opens.Add(-time.Nanosecond), tt.days)) {
				t.Errorf("open a nanosecond before %v", opens)
			}
			if expires.After(courses.RecertHorizon(opens, tt.days)) {
				t.Errorf("not open at %v", opens)
			}
			rule := courses.DueRule{Kind: courses.DueAfterAssignment, Days: tt.assignDays}
			if got := courses.RecertDueOn(rule, tt.days, expires, opens, "", loc); got != tt.wantDue {
				t.Errorf("RecertDueOn = %s, want %s", got, tt.wantDue)
			}
		})
	}
}

func TestProgrammeReadiness(t *testing.T) {
	loc := london(t)
	prevExpires, expires := at(t, loc, "2027-01-10 00:00:00"), at(t, loc, "2028-01-10 00:00:00")
	cycle := func(st courses.Status, due string, exp *time.Time) *courses.Cycle {
		return &courses.Cycle{Status: st, DueOn: due, ExpiresAt: exp}
	}
	tests := []struct {
		name    string
		cycles  []*courses.Cycle
		want    courses.Status
		wantDue string
		wantExp *time.Time
	}{
		{"FirstCycle", []*courses.Cycle{cycle(courses.DueSoon, "2026-12-20", nil)}, courses.DueSoon, "2026-12-20", nil},
		{"RecertifyingWhileCertified", []*courses.Cycle{cycle(courses.Expiring, "", &prevExpires), cycle(courses.InProgress, "2027-01-09", nil)},
			courses.Expiring, "", &prevExpires},
		{"RecertifyingAfterTheExpiry", []*courses.Cycle{cycle(courses.Expired, "", &prevExpires), cycle(courses.Overdue, "2027-01-09", nil)},
			courses.Overdue, "2027-01-09", nil},
		{"Recertified", []*courses.Cycle{cycle(courses.Expiring, "", &prevExpires), cycle(courses.Completed, "2027-01-09", &expires)},
			courses.Completed, "2027-01-09", &expires},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := courses.ProgrammeReadiness("Induction", tt.cycles)
			if got.Title != "Induction" || got.Status != tt.want || got.DueOn != tt.wantDue || !sameInstant(got.ExpiresAt, tt.wantExp) {
				t.Errorf("ProgrammeReadiness = %+v, want %s due %q expires %v", got, tt.want, tt.wantDue, tt.wantExp)
			}
		})
	}
}
