package app

import (
	"testing"
	"time"

	"github.com/serviceacademy/academy/courses"
)

func TestProgrammeDue(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	closed := at("2027-01-05T09:00:00Z")
	tests := []struct {
		name   string
		status courses.Status
		cycles []*courses.Cycle
		want   string
	}{
		{"Due", courses.NotStarted, []*courses.Cycle{{Cycle: 1, DueOn: "2026-12-31", OriginalDueOn: "2026-12-31"}}, "due 31 Dec 2026"},
		{"NoDueDate", courses.InProgress, []*courses.Cycle{{Cycle: 1}}, "no due date"},
		{"Extended", courses.DueSoon, []*courses.Cycle{{Cycle: 1, DueOn: "2027-02-15", OriginalDueOn: "2026-12-31"}}, "due 15 Feb 2027 (extended from 31 Dec 2026)"},
		{"Overdue", courses.Overdue, []*courses.Cycle{{Cycle: 1, DueOn: "2026-12-31", OriginalDueOn: "2026-12-31"}}, "overdue since 1 Jan 2027 (was due 31 Dec 2026)"},
		// Completed at 23:30 UTC on 30 June: 1 July in London (summer time); it
		// expires at midnight starting 1 July 2027 in London, so 30 June is its last valid day.
		{"CompletedLocalDay", courses.Completed, []*courses.Cycle{{Cycle: 1, CompletedAt: at("2026-06-30T23:30:00Z"), ExpiresAt: at("2027-06-30T23:00:00Z")}},
			"completed 1 Jul 2026 · valid until 30 Jun 2027"},
		{"NeverExpires", courses.Completed, []*courses.Cycle{{Cycle: 1, CompletedAt: at("2026-12-10T09:00:00Z")}}, "completed 10 Dec 2026 · does not expire"},
		{"Recertifying", courses.Expiring, []*courses.Cycle{
			{Cycle: 1, CompletedAt: at("2026-12-10T09:00:00Z"), ExpiresAt: at("2027-12-10T00:00:00Z")},
			{Cycle: 2, DueOn: "2027-12-09", OriginalDueOn: "2027-12-09"}}, "valid until 9 Dec 2027 · recertify by 9 Dec 2027"},
		{"RecertificationOverdue", courses.Overdue, []*courses.Cycle{
			{Cycle: 1, CompletedAt: at("2026-12-10T09:00:00Z"), ExpiresAt: at("2027-12-10T00:00:00Z")},
			{Cycle: 2, DueOn: "2027-12-09", OriginalDueOn: "2027-12-09"}}, "recertification overdue since 10 Dec 2027 (was due 9 Dec 2027)"},
		// A cycle after a closed one starts again: it is due, not a recertification.
		{"AfterSuperseded", courses.NotStarted, []*courses.Cycle{
			{Cycle: 1, CompletedAt: at("2026-12-10T09:00:00Z"), ClosedAt: closed},
			{Cycle: 2, DueOn: "2027-02-04", OriginalDueOn: "2027-02-04"}}, "due 4 Feb 2027"},
		{"Expired", courses.Expired, []*courses.Cycle{{Cycle: 1, CompletedAt: at("2025-12-10T09:00:00Z"), ExpiresAt: at("2026-12-10T00:00:00Z")}}, "expired 10 Dec 2026"},
		{"Exempt", courses.Exempt, []*courses.Cycle{{Cycle: 1, ExemptAt: closed, ExemptReason: "Night desk only"}}, "exempt: Night desk only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pp := &courses.ProgrammeProgress{Cycles: tt.cycles, Cycle: tt.cycles[len(tt.cycles)-1], Status: tt.status}
			if got := programmeDue(pp, london); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocalDate(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	late := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"TimeInSummerTime", late, "1 Jul 2026"},
		{"Pointer", &late, "1 Jul 2026"},
		{"NilPointer", (*time.Time)(nil), ""},
		{"Zero", time.Time{}, ""},
		{"DateOnly", "2026-12-31", "31 Dec 2026"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		if got := localDate(london, tt.v); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := localTime(london, late); got != "1 Jul 2026, 00:30" {
		t.Errorf("localTime: %q", got)
	}
}
