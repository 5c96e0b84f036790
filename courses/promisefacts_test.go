package courses_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestPromiseFactsVersion: the facts are stored and read back; changing a
// fact (the wording unchanged) is a new version of the promise, as a change
// of wording is; saving the same facts again, or only moving the promise,
// is not.
func TestPromiseFactsVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		facts := courses.PromiseFacts{ClockStarts: "  when the  request is logged ", TimeLimit: "4 working hours", KeptBy: "the contact centre"}
		in := []courses.PromiseInput{{Text: "We call you back within 4 working hours.", Facts: facts}, {Text: "Every complaint is acknowledged the same day."}}
		if _, err := s.SavePromises(ctx, in); err != nil {
			t.Fatal(err)
		}
		p, err := s.CompanyProfile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := p.Promises[0]
		if got.ClockStarts != "when the request is logged" || got.TimeLimit != "4 working hours" || got.KeptBy != "the contact centre" ||
			got.DoneWhen != "" || got.Version != 1 || len(got.FactList()) != 3 {
			t.Fatalf("stored: %+v", got)
		}
		for _, tc := range []struct {
			name        string
			edit        func(in []courses.PromiseInput) []courses.PromiseInput
			version     int
			changed     int
			moved       int
			facts0Clock string
		}{
			{"same again", func(in []courses.PromiseInput) []courses.PromiseInput { return in }, 1, 0, 0, "when the request is logged"},
			{"a fact changed", func(in []courses.PromiseInput) []courses.PromiseInput {
				in[0].Facts.ClockStarts = "when you first call"
				return in
			}, 2, 1, 0, "when you first call"},
			{"moved only", func(in []courses.PromiseInput) []courses.PromiseInput {
				in[0].Facts.ClockStarts = "when you first call"
				return []courses.PromiseInput{in[1], in[0]}
			}, 2, 0, 2, "when you first call"},
			{"a fact cleared", func(in []courses.PromiseInput) []courses.PromiseInput {
				in[0].Facts = courses.PromiseFacts{}
				return in
			}, 3, 1, 1, ""}, // back in first place: the other one counts as moved
		} {
			cur, err := s.CompanyProfile(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var callBack courses.Promise
			for _, pr := range cur.Promises {
				if pr.Text == in[0].Text {
					callBack = pr
				}
			}
			rows := []courses.PromiseInput{{ID: callBack.ID, Text: callBack.Text, Facts: callBack.Facts()}, {Text: in[1].Text}}
			ch, err := s.SavePromises(ctx, tc.edit(rows))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var after courses.Promise
			if err := db.NewSelect().Model(&after).Where("id = ?", callBack.ID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if after.Version != tc.version || ch.Changed != tc.changed || ch.Moved != tc.moved || after.ClockStarts != tc.facts0Clock {
				t.Fatalf("%s: version %d changes %+v clock %q; want version %d, %d changed, %d moved, clock %q",
					tc.name, after.Version, ch, after.ClockStarts, tc.version, tc.changed, tc.moved, tc.facts0Clock)
			}
		}
	})
}
