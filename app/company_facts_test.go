package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
)

// TestCompanyPromiseFacts: HR gives a promise its facts on the settings
// page; the facts are kept, the course's bank gains questions on them, and
// bad facts (too long, a control character) are refused next to their
// field with everything typed kept and nothing written.
func TestCompanyPromiseFacts(t *testing.T) {
	ts := mustServer(t, "sqlite")
	hr := ts.client(t)
	hr.signIn(hrEmail)
	clearPromises(t, ts)
	ctx := context.Background()

	generated := func() int {
		t.Helper()
		list, err := assessments.NewStore(ts.DB).ListQuestions(ctx, assessments.PromiseCourse)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, bq := range list {
			if assessments.IsPromiseQuestion(&bq.Question) {
				n++
			}
		}
		return n
	}

	t.Run("FactsSavedAndQuestionsMade", func(t *testing.T) {
		resp, _ := saveCompany(t, hr, func(v url.Values) {
			v.Set("promise_0_text", promiseCallBack)
			v.Set("promise_0_clock", "when the first call is missed")
			v.Set("promise_0_limit", "4 working hours")
			v.Set("promise_0_keeper", "the contact centre")
			v.Set("promise_1_text", promiseSlot)
			v.Set("promise_1_clock", "at the start of the booked slot")
			v.Set("promise_1_keeper", "the field service team")
			v.Set("promise_2_text", promiseComplain)
			v.Set("promise_2_clock", "when the complaint reaches us by any channel")
			v.Set("promise_2_keeper", "the customer relations team")
		})
		if resp.StatusCode != 303 {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, body := hr.get("/settings/company")
		d := doc(t, body)
		if v, _ := d.Find("#f-promise-0-limit").Attr("value"); v != "4 working hours" {
			t.Fatalf("time limit on the form: %q", v)
		}
		if _, open := d.Find("#facts-0").Attr("open"); !open {
			t.Fatal("the facts of a promise that has some are folded away")
		}
		if d.Find(`label[for="f-promise-1-keeper"]`).Length() != 1 {
			t.Fatal("no label for a fact field")
		}
		if !strings.Contains(d.Find(".flash-success").Text(), "Quiz questions on the promises: 7 new") {
			t.Fatalf("flash: %q", d.Find(".flash").Text())
		}
		if n := generated(); n != 7 {
			t.Fatalf("%d questions generated, want 7", n)
		}
	})

	t.Run("EmployeesReadTheFactsTheyConfirm", func(t *testing.T) {
		staff := ts.client(t)
		staff.signIn(staffEmail)
		resp, body := staff.get("/learn/mission-vision-promise/acknowledge")
		if resp.StatusCode != 200 {
			t.Fatalf("acknowledge page: %d", resp.StatusCode)
		}
		facts := doc(t, body).Find("#promise-list dl.facts")
		if facts.Length() != 3 || !strings.Contains(facts.First().Text(), "Who keeps it") || !strings.Contains(facts.First().Text(), "the contact centre") {
			t.Fatalf("facts on the acknowledge page: %d lists, first %q", facts.Length(), facts.First().Text())
		}
	})

	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"TooLong", "promise_1_done", strings.Repeat("The engineer is there. ", 8), "the limit is 150"},
		{"ControlCharacter", "promise_2_exclusions", "not on bank\x01 holidays", "not text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := saveCompany(t, hr, func(v url.Values) {
				v.Set("promise_0_keeper", "the contact centre team, typed but not saved")
				v.Set(tc.field, tc.value)
			})
			if resp.StatusCode != 422 {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			d := doc(t, body)
			id := "f-" + strings.ReplaceAll(strings.TrimPrefix(tc.field, "promise_"), "_", "-")
			id = "f-promise-" + strings.TrimPrefix(id, "f-")
			msg := d.Find("#e-" + strings.TrimPrefix(id, "f-")).Text()
			if inv, _ := d.Find("#" + id).Attr("aria-invalid"); inv != "true" || !strings.Contains(msg, tc.want) {
				t.Fatalf("field %s: aria-invalid %q, message %q", id, inv, msg)
			}
			if d.Find(`.form-errors a[href="#`+id+`"]`).Length() != 1 {
				t.Fatal("the error summary does not link to the fact")
			}
			if v, _ := d.Find("#f-promise-0-keeper").Attr("value"); v != "the contact centre team, typed but not saved" {
				t.Fatalf("typed fact lost: %q", v)
			}
			if _, open := d.Find("#facts-" + string(tc.field[8])).Attr("open"); !open {
				t.Fatal("the facts with the error are folded away")
			}
			var first courses.Promise
			if err := ts.DB.NewSelect().Model(&first).Where("active = ?", true).OrderExpr("position").Limit(1).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if first.KeptBy != "the contact centre" || generated() != 7 {
				t.Fatalf("a refused form wrote: %+v, %d questions", first, generated())
			}
		})
	}
}
