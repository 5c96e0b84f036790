package outcomes_test

import (
	"testing"

	"github.com/serviceacademy/academy/outcomes"
)

func TestFindRun(t *testing.T) {
	complaints := &outcomes.Measure{Kind: outcomes.Count, Title: "Complaints"}
	csat := &outcomes.Measure{Kind: outcomes.Rating, Scale: outcomes.GoodBad, Report: outcomes.PercentSatisfied, Title: "CSAT"}
	value := &outcomes.Measure{Kind: outcomes.Value, Title: "Handling time"}
	rule := &outcomes.RecoveryRule{Threshold: 3, Days: 30, CooldownDays: 30}
	rude := &outcomes.RecoveryRule{Threshold: 3, Days: 30, Category: "Rude"}
	const today = outcomes.Day(1000)
	ev := func(days ...outcomes.Day) []outcomes.RunEvent {
		var out []outcomes.RunEvent
		for _, d := range days {
			out = append(out, outcomes.RunEvent{Day: d, Value: 1})
		}
		return out
	}
	day := func(d outcomes.Day) *outcomes.Day { return &d }
	for _, tc := range []struct {
		name   string
		m      *outcomes.Measure
		r      *outcomes.RecoveryRule
		events []outcomes.RunEvent
		cooled *outcomes.Day
		want   outcomes.Run
		ok     bool
	}{
		{"ExactlyN", complaints, rule, ev(980, 990, 1000), nil, outcomes.Run{First: 980, Last: 1000, Events: 3}, true},
		{"NMinusOne", complaints, rule, ev(990, 1000), nil, outcomes.Run{}, false},
		{"SpanDMinusOneDaysIsWithin", complaints, rule, ev(971, 985, 1000), nil, outcomes.Run{First: 971, Last: 1000, Events: 3}, true},
		{"SpanDDaysIsNot", complaints, rule, ev(970, 985, 1000), nil, outcomes.Run{}, false},
		{"MoreThanNAllCounted", complaints, rule, ev(975, 980, 990, 999, 1000), nil, outcomes.Run{First: 975, Last: 1000, Events: 5}, true},
		{"UnsortedInput", complaints, rule, ev(1000, 980, 990), nil, outcomes.Run{First: 980, Last: 1000, Events: 3}, true},
		{"FutureEventsIgnored", complaints, rule, ev(990, 1000, 1001), nil, outcomes.Run{}, false},
		{"OldRunIsNotCurrent", complaints, rule, ev(900, 910, 920), nil, outcomes.Run{}, false},
		{"RunEndingWithinLastDaysIsCurrent", complaints, rule, ev(950, 960, 971), nil, outcomes.Run{First: 950, Last: 971, Events: 3}, true},
		{"RunEndingDDaysAgoIsNot", complaints, rule, ev(950, 960, 970), nil, outcomes.Run{}, false},
		{"LatestRunWins", complaints, rule, ev(940, 945, 950, 985, 990, 995), nil, outcomes.Run{First: 985, Last: 995, Events: 3}, true},
		{"CategoryFilter", complaints, rude, []outcomes.RunEvent{{Day: 990, Category: "rude"}, {Day: 995, Category: "slow"}, {Day: 1000, Category: " RUDE "}}, nil, outcomes.Run{}, false},
		{"CategoryFilterMatches", complaints, rude, []outcomes.RunEvent{{Day: 990, Category: "rude"}, {Day: 995, Category: "Rude"}, {Day: 1000, Category: " RUDE "}, {Day: 999, Category: "slow"}}, nil, outcomes.Run{First: 990, Last: 1000, Events: 3}, true},
		{"CoolDownSameRunActsOnce", complaints, rule, ev(980, 990, 1000), day(1000 + 30), outcomes.Run{}, false},
		{"CoolDownLaterComplaintsDoNotAct", complaints, rule, ev(960, 965, 970, 980, 990, 1000), day(970 + 30), outcomes.Run{}, false},
		{"NewRunAfterCoolDown", complaints, rule, ev(900, 905, 910, 981, 990, 1000), day(910 + 30), outcomes.Run{First: 981, Last: 1000, Events: 3}, true},
		{"RunStraddlingCoolDownCountsOnlyAfter", complaints, rule, ev(975, 985, 995, 1000), day(980), outcomes.Run{First: 985, Last: 1000, Events: 3}, true},
		{"RatingCountsUnsatisfied", csat, rule, []outcomes.RunEvent{{Day: 990, Value: 0}, {Day: 995, Value: 1}, {Day: 998, Value: 0}, {Day: 1000, Value: 0}}, nil, outcomes.Run{First: 990, Last: 1000, Events: 3}, true},
		{"RatingSatisfiedDoNotCount", csat, rule, []outcomes.RunEvent{{Day: 990, Value: 1}, {Day: 995, Value: 1}, {Day: 998, Value: 0}, {Day: 1000, Value: 0}}, nil, outcomes.Run{}, false},
		{"ValueMeasureNeverRuns", value, rule, ev(990, 995, 1000), nil, outcomes.Run{}, false},
		{"ThresholdOneOneDay", complaints, &outcomes.RecoveryRule{Threshold: 1, Days: 1}, ev(1000), nil, outcomes.Run{First: 1000, Last: 1000, Events: 1}, true},
		{"OneDayYesterdayIsNotCurrent", complaints, &outcomes.RecoveryRule{Threshold: 1, Days: 1}, ev(999), nil, outcomes.Run{}, false},
		{"ZeroThresholdNever", complaints, &outcomes.RecoveryRule{Threshold: 0, Days: 30}, ev(1000), nil, outcomes.Run{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := outcomes.FindRun(tc.m, tc.r, tc.events, today, tc.cooled)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("FindRun = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
			if ok {
				if w := tc.r.EventWindow(today); got.First < w {
					t.Fatalf("the run starts on %d, before the window the caller reads (%d)", got.First, w)
				}
			}
		})
	}
}

func TestRecoveryCoolDown(t *testing.T) {
	// The loop a scheduler runs day by day: one run of complaints acts once;
	// a new run after the cool-down acts again.
	m := &outcomes.Measure{Kind: outcomes.Count, Title: "Complaints"}
	r := &outcomes.RecoveryRule{Threshold: 3, Days: 30, CooldownDays: 20}
	events := []outcomes.RunEvent{{Day: 10}, {Day: 12}, {Day: 15}, {Day: 16}, {Day: 30}, {Day: 70}, {Day: 75}, {Day: 80}}
	var cooled *outcomes.Day
	var acted []outcomes.Run
	for today := outcomes.Day(0); today <= 120; today++ {
		if run, ok := outcomes.FindRun(m, r, events, today, cooled); ok {
			acted = append(acted, run)
			c := r.CooledUntil(run.Last)
			cooled = &c
		}
	}
	want := []outcomes.Run{{First: 10, Last: 15, Events: 3}, {First: 70, Last: 80, Events: 3}}
	if len(acted) != len(want) || acted[0] != want[0] || acted[1] != want[1] {
		t.Fatalf("acted on %+v, want %+v", acted, want)
	}
}

func TestRecoveryDescribe(t *testing.T) {
	m := &outcomes.Measure{Kind: outcomes.Count, Title: "Complaints"}
	r := &outcomes.RecoveryRule{Threshold: 3, Days: 30, Category: "rude"}
	if got, want := r.Describe(m), "3 or more Complaints within 30 days (category rude)"; got != want {
		t.Fatalf("Describe = %q, want %q", got, want)
	}
}
