package courses_test

import (
	"testing"
	"time"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCycleStatus(t *testing.T) {
	loc := london(t)
	done := at(t, loc, "2026-06-01 10:00:00")
	expires := at(t, loc, "2027-06-01 00:00:00")
	tests := []struct {
		name     string
		facts    courses.CycleFacts
		now      string // in London
		want     courses.Status
		wantNext string // London; "" = never
	}{
		{"NotStartedNoDueDate", courses.CycleFacts{}, "2026-12-01 09:00:00", courses.NotStarted, ""},
		{"InProgressNoDueDate", courses.CycleFacts{Started: true}, "2026-12-01 09:00:00", courses.InProgress, ""},
		{"NotStartedFarFromDue", courses.CycleFacts{DueOn: "2027-01-31"}, "2026-12-01 09:00:00", courses.NotStarted, "2027-01-17 00:00:00"},
		{"InProgressFarFromDue", courses.CycleFacts{DueOn: "2027-01-31", Started: true}, "2026-12-01 09:00:00", courses.InProgress, "2027-01-17 00:00:00"},
		{"JustBeforeDueSoon", courses.CycleFacts{DueOn: "2027-01-31"}, "2027-01-16 23:59:59.999999999", courses.NotStarted, "2027-01-17 00:00:00"},
		{"DueSoonFourteenDaysBefore", courses.CycleFacts{DueOn: "2027-01-31"}, "2027-01-17 00:00:00", courses.DueSoon, "2027-02-01 00:00:00"},
		{"DueToday", courses.CycleFacts{DueOn: "2027-01-31", Started: true}, "2027-01-31 12:00:00", courses.DueSoon, "2027-02-01 00:00:00"},
		{"DueTodayLastNanosecond", courses.CycleFacts{DueOn: "2027-01-31"}, "2027-01-31 23:59:59.999999999", courses.DueSoon, "2027-02-01 00:00:00"},
		{"OverdueAtMidnight", courses.CycleFacts{DueOn: "2027-01-31"}, "2027-02-01 00:00:00", courses.Overdue, ""},
		{"OverdueLater", courses.CycleFacts{DueOn: "2027-01-31", Started: true}, "2027-05-01 08:00:00", courses.Overdue, ""},
		// The clocks go forward on 28 March 2027: that midnight is 23:00 UTC the day before.
		{"OverdueAcrossSummerTime", courses.CycleFacts{DueOn: "2027-03-28"}, "2027-03-29 00:00:00", courses.Overdue, ""},
		{"DueSoonBeforeSummerTimeMidnight", courses.CycleFacts{DueOn: "2027-03-28"}, "2027-03-28 23:59:59", courses.DueSoon, "2027-03-29 00:00:00"},
		{"LeapDayDue", courses.CycleFacts{DueOn: "2028-02-29"}, "2028-02-29 18:00:00", courses.DueSoon, "2028-03-01 00:00:00"},
		{"LeapDayDueSoonFrom", courses.CycleFacts{DueOn: "2028-02-29"}, "2028-02-15 00:00:00", courses.DueSoon, "2028-03-01 00:00:00"},
		{"CompletedNeverExpires", courses.CycleFacts{DueOn: "2026-01-01", CompletedAt: &done}, "2030-01-01 00:00:00", courses.Completed, ""},
		{"CompletedValid", courses.CycleFacts{CompletedAt: &done, ExpiresAt: &expires}, "2026-12-01 00:00:00", courses.Completed, "2027-05-02 00:00:00"},
		{"ExpiringThirtyDaysBefore", courses.CycleFacts{CompletedAt: &done, ExpiresAt: &expires}, "2027-05-02 00:00:00", courses.Expiring, "2027-06-01 00:00:00"},
		{"NotYetExpiring", courses.CycleFacts{CompletedAt: &done, ExpiresAt: &expires}, "2027-05-01 23:59:59", courses.Completed, "2027-05-02 00:00:00"},
		{"ExpiredAtExpiry", courses.CycleFacts{CompletedAt: &done, ExpiresAt: &expires}, "2027-06-01 00:00:00", courses.Expired, ""},
		{"ExpiredLastNanosecondBefore", courses.CycleFacts{CompletedAt: &done, ExpiresAt: &expires}, "2027-05-31 23:59:59.999999999", courses.Expiring, "2027-06-01 00:00:00"},
		{"CompletedLateIsCompleted", courses.CycleFacts{DueOn: "2026-01-01", CompletedAt: &done, ExpiresAt: &expires}, "2026-12-01 00:00:00", courses.Completed, "2027-05-02 00:00:00"},
		{"ExemptOverridesOverdue", courses.CycleFacts{DueOn: "2026-01-01", Exempt: true}, "2026-12-01 00:00:00", courses.Exempt, ""},
		{"ExemptOverridesExpired", courses.CycleFacts{CompletedAt: &done, ExpiresAt: &expires, Exempt: true}, "2028-01-01 00:00:00", courses.Exempt, ""},
		{"UnreadableDueDateCountsAsNone", courses.CycleFacts{DueOn: "31/01/2027", Started: true}, "2026-12-01 00:00:00", courses.InProgress, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := courses.CycleStatus(tt.facts, at(t, loc, tt.now), loc)
			if got != tt.want {
				t.Errorf("status = %s, want %s", got, tt.want)
			}
			var want time.Time
			if tt.wantNext != "" {
				want = at(t, loc, tt.wantNext)
			}
			if !next.Equal(want) {
				t.Errorf("next change = %v, want %v", next.In(loc), want)
			}
		})
	}
	// UTC view of the summer-time boundary: overdue from 23:00 UTC on the due date.
	st, _ := courses.CycleStatus(courses.CycleFacts{DueOn: "2027-03-28"}, time.Date(2027, 3, 28, 23, 0, 0, 0, time.UTC), loc)
	if st != courses.Overdue {
		t.Errorf("23:00 UTC on 28 March 2027 is midnight in London: %s, want overdue", st)
	}
	st, _ = courses.CycleStatus(courses.CycleFacts{DueOn: "2027-03-28"}, time.Date(2027, 3, 28, 23, 0, 0, 0, time.UTC), time.UTC)
	if st != courses.DueSoon {
		t.Errorf("in UTC the same instant is still the due date: %s, want due_soon", st)
	}
}

func TestExpiryAndMonths(t *testing.T) {
	loc := london(t)
	tests := []struct {
		name      string
		completed string
		months    int
		want      string // "" = never
	}{
		{"OK", "2026-06-15 14:30:00", 12, "2027-06-15 00:00:00"},
		{"NeverExpires", "2026-06-15 14:30:00", 0, ""},
		{"LeapDayPlusYear", "2028-02-29 09:00:00", 12, "2029-02-28 00:00:00"},
		{"LeapDayPlusFourYears", "2028-02-29 09:00:00", 48, "2032-02-29 00:00:00"},
		{"EndOfJanuaryPlusMonth", "2027-01-31 09:00:00", 1, "2027-02-28 00:00:00"},
		{"EndOfJanuaryPlusMonthLeapYear", "2028-01-31 09:00:00", 1, "2028-02-29 00:00:00"},
		{"AcrossYearEnd", "2026-11-30 23:30:00", 3, "2027-02-28 00:00:00"},
		{"LateEveningUTCIsNextDayInSummer", "2026-07-01 00:30:00", 12, "2027-07-01 00:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := courses.ExpiryOf(at(t, loc, tt.completed), tt.months, loc)
			if tt.want == "" {
				if got != nil {
					t.Fatalf("expiry %v, want none", got)
				}
				return
			}
			if got == nil || !got.Equal(at(t, loc, tt.want)) {
				t.Fatalf("expiry %v, want %s", got, tt.want)
			}
		})
	}
}

func TestDueRule(t *testing.T) {
	loc := london(t)
	assigned := at(t, loc, "2026-12-01 23:30:00") // 23:30 UTC is still 1 December in London in winter
	tests := []struct {
		name string
		rule courses.DueRule
		hire string
		want string
	}{
		{"None", courses.DueRule{Kind: courses.DueNone}, "", ""},
		{"Fixed", courses.DueRule{Kind: courses.DueFixed, Date: "2027-01-31"}, "", "2027-01-31"},
		{"AfterAssignment", courses.DueRule{Kind: courses.DueAfterAssignment, Days: 30}, "", "2026-12-31"},
		{"AfterAssignmentAcrossFebruary", courses.DueRule{Kind: courses.DueAfterAssignment, Days: 90}, "", "2027-03-01"},
		{"AfterHireNewStarter", courses.DueRule{Kind: courses.DueAfterHire, Days: 30}, "2026-12-14", "2027-01-13"},
		{"AfterHireLongAgoCountsFromAssignment", courses.DueRule{Kind: courses.DueAfterHire, Days: 30}, "2015-07-06", "2026-12-31"},
		{"AfterHireNoHireDate", courses.DueRule{Kind: courses.DueAfterHire, Days: 30}, "", "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.DueOn(assigned, tt.hire, loc); got != tt.want {
				t.Fatalf("due %q, want %q", got, tt.want)
			}
		})
	}

	now := at(t, loc, "2026-12-01 10:00:00")
	checks := []struct {
		name  string
		rule  courses.DueRule
		field string // "" = valid
	}{
		{"OKToday", courses.DueRule{Kind: courses.DueFixed, Date: "2026-12-01"}, ""},
		{"OKNone", courses.DueRule{Kind: courses.DueNone}, ""},
		{"OKDays", courses.DueRule{Kind: courses.DueAfterHire, Days: 30}, ""},
		{"ErrPastDate", courses.DueRule{Kind: courses.DueFixed, Date: "2026-11-30"}, "due_date"},
		{"ErrBadDate", courses.DueRule{Kind: courses.DueFixed, Date: "31/01/2027"}, "due_date"},
		{"ErrZeroDays", courses.DueRule{Kind: courses.DueAfterAssignment, Days: 0}, "due_days"},
		{"ErrTooManyDays", courses.DueRule{Kind: courses.DueAfterAssignment, Days: courses.MaxDueDays + 1}, "due_days"},
		{"ErrKind", courses.DueRule{Kind: "weekly"}, "due_kind"},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Check(now, loc)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if store.FieldOf(err) != tt.field || store.KindOf(err) != store.Invalid {
				t.Fatalf("error %v (field %q), want field %q", err, store.FieldOf(err), tt.field)
			}
		})
	}
}
