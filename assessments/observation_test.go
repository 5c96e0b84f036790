package assessments_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// obsFixture is a small company: the chief executive (1) manages a team
// leader (2) who manages an advisor (3); another advisor (4) reports to the
// chief executive; HR (5) is outside both lines.
type obsFixture struct {
	s                             *assessments.ObservationStore
	ceo, lead, advisor, other, hr int64
	now                           time.Time
	ctx                           context.Context
}

func newObsFixture(t *testing.T, db *bun.DB) *obsFixture {
	t.Helper()
	ctx := context.Background()
	ps := people.NewStore(db)
	ids := map[string]int64{}
	for _, e := range []struct{ number, manager string }{{"1", ""}, {"2", "1"}, {"3", "2"}, {"4", "1"}, {"5", ""}} {
		res, err := ps.SaveEmployee(ctx, people.EmployeeInput{Number: e.number, FirstName: "First" + e.number, LastName: "Last" + e.number,
			Email: "e" + e.number + "@example.com", ManagerNumber: e.manager, Active: true})
		if err != nil {
			t.Fatalf("save employee %s: %v", e.number, err)
		}
		ids[e.number] = res.Employee.ID
	}
	now := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	s := assessments.NewObservationStore(db)
	s.Now = func() time.Time { return now }
	if err := s.SyncBuiltinChecklists(ctx); err != nil {
		t.Fatalf("sync built-in checklists: %v", err)
	}
	return &obsFixture{s: s, ceo: ids["1"], lead: ids["2"], advisor: ids["3"], other: ids["4"], hr: ids["5"], now: now, ctx: ctx}
}

const billing = "irate-billing-error"

// billingRatings rates every item of the billing checklist Fully, then applies changes.
func (f *obsFixture) billingRatings(t *testing.T, changes map[string]assessments.Rating) map[string]assessments.Rating {
	t.Helper()
	c, err := f.s.FindChecklist(f.ctx, billing)
	if err != nil {
		t.Fatal(err)
	}
	r := map[string]assessments.Rating{}
	for _, it := range c.Checklist.Items {
		r[it.ID] = assessments.Fully
	}
	for id, v := range changes {
		if _, ok := r[id]; !ok {
			t.Fatalf("no item %s on %s", id, billing)
		}
		r[id] = v
	}
	return r
}

// signed starts, fills in and signs off an observation of the advisor by the team leader.
func (f *obsFixture) signed(t *testing.T, ratings map[string]assessments.Rating, at time.Time) *assessments.Observation {
	t.Helper()
	o, err := f.s.StartObservation(f.ctx, billing, f.advisor, f.lead)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SaveDraft(f.ctx, o.ID, f.lead, ratings, nil, ""); err != nil {
		t.Fatal(err)
	}
	o, err = f.s.SignOff(f.ctx, o.ID, f.lead, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func wantKind(t *testing.T, err error, kind store.Kind, field string) {
	t.Helper()
	if err == nil || store.KindOf(err) != kind || store.FieldOf(err) != field {
		t.Fatalf("want kind %d field %q, got %v (kind %d, field %q)", kind, field, err, store.KindOf(err), store.FieldOf(err))
	}
}

func TestSyncBuiltinChecklists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newObsFixture(t, db)
		list, err := f.s.ListChecklists(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		builtins, _ := assessments.BuiltinChecklists()
		if len(list) != len(builtins) {
			t.Fatalf("%d checklists stored, %d built in", len(list), len(builtins))
		}
		if err := f.s.SyncBuiltinChecklists(f.ctx); err != nil { // again: nothing changes
			t.Fatal(err)
		}
		c, err := f.s.FindChecklist(f.ctx, billing)
		if err != nil || c.Version != 1 || c.CourseSlug != "empathy-difficult-customers" || c.ReobserveDays != 14 || len(c.Checklist.Items) == 0 {
			t.Fatalf("found %+v, %v", c, err)
		}
		if _, err := f.s.FindChecklist(f.ctx, "no-such-checklist"); !store.IsNotFound(err) {
			t.Fatalf("unknown slug: %v", err)
		}

		// An observation made now keeps version 1 when the built-in file changes.
		o := f.signed(t, f.billingRatings(t, nil), f.now)
		if _, err := db.NewUpdate().Table("checklists").Set("body = ?", strings.Replace(c.Body, c.Checklist.Title, "An older title", 1)).
			Where("id = ?", c.ID).Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SyncBuiltinChecklists(f.ctx); err != nil {
			t.Fatal(err)
		}
		if c2, _ := f.s.FindChecklist(f.ctx, billing); c2.Version != 2 || c2.Body != c.Body {
			t.Fatalf("changed file: version %d, body restored %v", c2.Version, c2.Body == c.Body)
		}
		if o2, _ := f.s.Observation(f.ctx, o.ID); o2.ChecklistVersion != 1 || o2.ChecklistSnapshot != c.Body {
			t.Fatalf("observation moved to version %d", o2.ChecklistVersion)
		}
	})
}

func TestCanAssess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newObsFixture(t, db)
		for _, tc := range []struct {
			name              string
			assessor, subject int64
			hr, want          bool
		}{
			{"ManagerDirectReport", f.lead, f.advisor, false, true},
			{"ManagerWholeLine", f.ceo, f.advisor, false, true},
			{"ManagerOutsideLine", f.lead, f.other, false, false},
			{"NotUpTheLine", f.advisor, f.lead, false, false},
			{"NotThemself", f.lead, f.lead, false, false},
			{"HRAnyone", f.hr, f.other, true, true},
			{"HRNotThemself", f.hr, f.hr, true, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ok, err := f.s.CanAssess(f.ctx, tc.assessor, tc.subject, tc.hr)
				if err != nil || ok != tc.want {
					t.Fatalf("got %v, %v; want %v", ok, err, tc.want)
				}
			})
		}
		if _, err := f.s.CanAssess(f.ctx, f.hr, 999999, true); !store.IsNotFound(err) {
			t.Fatalf("unknown employee: %v", err)
		}
		if _, err := f.s.StartObservation(f.ctx, billing, f.lead, f.lead); store.KindOf(err) != store.Forbidden {
			t.Fatalf("observe oneself: %v", err)
		}
	})
}

func TestObservationDraftAndSignOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newObsFixture(t, db)
		ctx := f.ctx
		o, err := f.s.StartObservation(ctx, billing, f.advisor, f.lead)
		if err != nil || o.Status != assessments.ObservationDraft || o.Revision != 1 || o.Checklist == nil {
			t.Fatalf("start: %+v, %v", o, err)
		}
		if again, err := f.s.StartObservation(ctx, billing, f.advisor, f.lead); err != nil || again.ID != o.ID {
			t.Fatalf("second start should resume draft %d: %+v, %v", o.ID, again, err)
		}

		// Autosave: part of the form, then bad input, which changes nothing.
		partial := map[string]assessments.Rating{"listen-fully": assessments.Fully, "specific-apology": assessments.Partly}
		if _, err := f.s.SaveDraft(ctx, o.ID, f.lead, partial, map[string]string{"specific-apology": "  Said sorry for any inconvenience.  "}, "Good start"); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.SaveDraft(ctx, o.ID, f.lead, map[string]assessments.Rating{"no-such-item": assessments.Fully}, nil, "")
		wantKind(t, err, store.Invalid, "ratings")
		_, err = f.s.SaveDraft(ctx, o.ID, f.lead, map[string]assessments.Rating{"listen-fully": 7}, nil, "")
		wantKind(t, err, store.Invalid, "ratings")
		_, err = f.s.SaveDraft(ctx, o.ID, f.lead, nil, map[string]string{"listen-fully": strings.Repeat("x", 2001)}, "")
		wantKind(t, err, store.Invalid, "item_comments")
		_, err = f.s.SaveDraft(ctx, o.ID, f.hr, partial, nil, "")
		wantKind(t, err, store.Forbidden, "")
		got, _ := f.s.Observation(ctx, o.ID)
		if !reflect.DeepEqual(got.Ratings, partial) || got.ItemComments["specific-apology"] != "Said sorry for any inconvenience." || got.OverallComment != "Good start" {
			t.Fatalf("draft after autosave: %+v %+v %q", got.Ratings, got.ItemComments, got.OverallComment)
		}

		// Sign-off with unrated items names them and leaves the draft as it was.
		_, err = f.s.SignOff(ctx, o.ID, f.lead, f.now, nil)
		wantKind(t, err, store.Invalid, "ratings")
		for _, it := range got.Checklist.Items {
			if _, rated := partial[it.ID]; strings.Contains(store.MessageOf(err), it.Text) == rated {
				t.Errorf("unrated message %q and item %q (rated %v)", store.MessageOf(err), it.Text, rated)
			}
		}

		// Rated in full: one critical item only Partly, one item N/A.
		ratings := f.billingRatings(t, map[string]assessments.Rating{
			"fixes-or-commits":      assessments.Partly, // critical, weight 20
			"proportionate-gesture": assessments.NA,     // weight 5: out of the denominator
		})
		if _, err := f.s.SaveDraft(ctx, o.ID, f.lead, ratings, nil, "Well handled until the fix."); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.SignOff(ctx, o.ID, f.hr, f.now, nil)
		wantKind(t, err, store.Forbidden, "")

		// A hook that fails undoes the sign-off.
		_, err = f.s.SignOff(ctx, o.ID, f.lead, f.now, func(context.Context, bun.IDB, *assessments.Observation) error {
			return errors.New("audit is down")
		})
		if err == nil {
			t.Fatal("a failing hook should fail the sign-off")
		}
		if got, _ := f.s.Observation(ctx, o.ID); got.Status != assessments.ObservationDraft || got.Score != nil {
			t.Fatalf("after failed hook: %s %v", got.Status, got.Score)
		}

		calls := 0
		hook := func(ctx context.Context, tx bun.IDB, o *assessments.Observation) error {
			calls++
			var status string // the hook sees the signed row inside the transaction
			return tx.NewSelect().Table("observations").Column("status").Where("id = ?", o.ID).Scan(ctx, &status)
		}
		signed, err := f.s.SignOff(ctx, o.ID, f.lead, f.now, hook)
		if err != nil {
			t.Fatal(err)
		}
		// Weights: 100 in all, N/A takes out 5; the critical Partly loses 20 of 190.
		want := 100 * 170.0 / 190.0
		if signed.Status != assessments.ObservationSignedOff || signed.Score == nil || math.Abs(*signed.Score-want) > 1e-9 ||
			signed.Passed == nil || *signed.Passed || !reflect.DeepEqual(signed.FailedCritical, []string{"fixes-or-commits"}) {
			t.Fatalf("signed: status %s score %v passed %v failed %v", signed.Status, signed.Score, signed.Passed, signed.FailedCritical)
		}
		if signed.ReobserveDue == nil || *signed.ReobserveDue != "2026-12-07" {
			t.Fatalf("re-observation due %v, want 2026-12-07 (14 days)", signed.ReobserveDue)
		}

		// Double submit: same result, hook ran once; the draft is closed to edits.
		again, err := f.s.SignOff(ctx, o.ID, f.lead, f.now.Add(time.Minute), hook)
		if err != nil || calls != 1 || !again.SignedOffAt.Equal(*signed.SignedOffAt) || *again.Score != *signed.Score {
			t.Fatalf("double sign-off: calls %d, %+v, %v", calls, again, err)
		}
		_, err = f.s.SaveDraft(ctx, o.ID, f.lead, ratings, nil, "")
		wantKind(t, err, store.Conflict, "")
		if stored, _ := f.s.Observation(ctx, o.ID); !reflect.DeepEqual(stored.FailedCritical, signed.FailedCritical) || *stored.Passed {
			t.Fatalf("stored: %+v", stored)
		}
		// A new start after sign-off opens a new draft.
		next, err := f.s.StartObservation(ctx, billing, f.advisor, f.lead)
		if err != nil || next.ID == o.ID {
			t.Fatalf("start after sign-off: %+v %v", next, err)
		}

		// Concurrent submits (two tabs): one sign-off, one hook call, the same result for all.
		if _, err := f.s.SaveDraft(ctx, next.ID, f.lead, f.billingRatings(t, nil), nil, ""); err != nil {
			t.Fatal(err)
		}
		var hooks atomic.Int32
		results := make([]*assessments.Observation, 4)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				results[i], _ = f.s.SignOff(ctx, next.ID, f.lead, f.now.Add(time.Duration(i)*time.Second),
					func(context.Context, bun.IDB, *assessments.Observation) error { hooks.Add(1); return nil })
			})
		}
		wg.Wait()
		for _, r := range results {
			if r == nil || r.SignedOffAt == nil || !r.SignedOffAt.Equal(*results[0].SignedOffAt) || !*r.Passed {
				t.Fatalf("concurrent sign-off results differ: %+v", r)
			}
		}
		if hooks.Load() != 1 {
			t.Fatalf("hook ran %d times", hooks.Load())
		}
	})
}

func TestObservationAmendAndAcknowledge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newObsFixture(t, db)
		ctx := f.ctx
		failed := f.signed(t, f.billingRatings(t, map[string]assessments.Rating{"acknowledge-facts-and-feeling": assessments.NotShown}), f.now)
		if *failed.Passed {
			t.Fatal("a critical item Not shown should fail")
		}
		if ok, missing, err := f.s.PassedObservations(ctx, db, f.advisor, "empathy-difficult-customers"); ok || !reflect.DeepEqual(missing, []string{billing}) || err != nil {
			t.Fatalf("passed before amendment: %v %v %v", ok, missing, err)
		}

		fixed := f.billingRatings(t, nil)
		_, err := f.s.Amend(ctx, failed.ID, f.lead, "  ", fixed, nil, f.now, nil)
		wantKind(t, err, store.Invalid, "reason")
		_, err = f.s.Amend(ctx, failed.ID, f.hr, "Wrong item", fixed, nil, f.now, nil)
		wantKind(t, err, store.Forbidden, "")
		_, err = f.s.Amend(ctx, failed.ID, f.lead, "Wrong item", map[string]assessments.Rating{"listen-fully": assessments.Fully}, nil, f.now, nil)
		wantKind(t, err, store.Invalid, "ratings")

		var hooked *assessments.Observation
		later := f.now.Add(time.Hour)
		amended, err := f.s.Amend(ctx, failed.ID, f.lead, "I ticked the wrong row: she acknowledged the missed callback.", fixed,
			map[string]string{"acknowledge-facts-and-feeling": "Named the amount and the callback."}, later,
			func(_ context.Context, _ bun.IDB, o *assessments.Observation) error { hooked = o; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if amended.Revision != 2 || amended.AmendedFromID == nil || *amended.AmendedFromID != failed.ID || !*amended.Passed ||
			amended.ReobserveDue != nil || amended.Status != assessments.ObservationSignedOff || hooked == nil || hooked.ID != amended.ID {
			t.Fatalf("amended: %+v", amended)
		}
		if prev, _ := f.s.Observation(ctx, failed.ID); prev.Status != assessments.ObservationAmended || *prev.Passed || prev.Ratings["acknowledge-facts-and-feeling"] != assessments.NotShown {
			t.Fatalf("previous revision changed: %+v", prev)
		}
		_, err = f.s.Amend(ctx, failed.ID, f.lead, "again", fixed, nil, later, nil)
		wantKind(t, err, store.Conflict, "")
		hist, err := f.s.History(ctx, f.advisor)
		if err != nil || len(hist) != 2 || hist[0].ID != amended.ID || hist[1].ID != failed.ID || hist[0].AmendReason == "" {
			t.Fatalf("history: %+v %v", hist, err)
		}
		if ok, missing, err := f.s.PassedObservations(ctx, db, f.advisor, "empathy-difficult-customers"); !ok || len(missing) != 0 || err != nil {
			t.Fatalf("passed after amendment: %v %v %v", ok, missing, err)
		}
		if ok, missing, _ := f.s.PassedObservations(ctx, db, f.advisor, "service-recovery"); ok || !reflect.DeepEqual(missing, []string{"warranty-loan-device"}) {
			t.Fatalf("another course: %v %v", ok, missing)
		}
		if ok, _, _ := f.s.PassedObservations(ctx, db, f.advisor, "course-without-checklists"); !ok {
			t.Fatal("a course without checklists should pass")
		}

		// Acknowledgement: only the observed employee, only the current revision, bounded comment.
		_, err = f.s.Acknowledge(ctx, amended.ID, f.lead, "", later)
		wantKind(t, err, store.Forbidden, "")
		_, err = f.s.Acknowledge(ctx, failed.ID, f.advisor, "", later)
		wantKind(t, err, store.Conflict, "")
		_, err = f.s.Acknowledge(ctx, amended.ID, f.advisor, strings.Repeat("é", 2001), later)
		wantKind(t, err, store.Invalid, "comment")
		ack, err := f.s.Acknowledge(ctx, amended.ID, f.advisor, " Thanks, fair. ", later)
		if err != nil || ack.EmployeeAckAt == nil || !ack.EmployeeAckAt.Equal(later) || ack.EmployeeComment != "Thanks, fair." {
			t.Fatalf("acknowledge: %+v %v", ack, err)
		}
		draft, _ := f.s.StartObservation(ctx, billing, f.advisor, f.lead)
		_, err = f.s.Acknowledge(ctx, draft.ID, f.advisor, "", later)
		wantKind(t, err, store.NotFound, "")
	})
}

func TestSelfAssessmentSideBySide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newObsFixture(t, db)
		ctx := f.ctx
		self := f.billingRatings(t, map[string]assessments.Rating{
			"listen-fully":          assessments.Partly, // assessor: Fully → self lower
			"fixes-or-commits":      assessments.Fully,  // assessor: NotShown → self higher
			"proportionate-gesture": assessments.NA,     // assessor: Fully → N/A on one side
		})
		_, err := f.s.SaveSelfAssessment(ctx, f.advisor, billing, map[string]assessments.Rating{"listen-fully": assessments.Partly}, nil, true)
		wantKind(t, err, store.Invalid, "ratings") // submit needs every item
		if sa, err := f.s.SaveSelfAssessment(ctx, f.advisor, billing, map[string]assessments.Rating{"listen-fully": assessments.Partly}, nil, false); err != nil || sa.Status != assessments.SelfAssessmentDraft {
			t.Fatalf("self draft: %+v %v", sa, err)
		}
		sa, err := f.s.SaveSelfAssessment(ctx, f.advisor, billing, self, map[string]string{"listen-fully": "I cut in once."}, true)
		if err != nil || sa.Status != assessments.SelfAssessmentSubmitted || sa.SubmittedAt == nil {
			t.Fatalf("submit: %+v %v", sa, err)
		}

		assessor := f.billingRatings(t, map[string]assessments.Rating{"fixes-or-commits": assessments.NotShown})
		o := f.signed(t, assessor, f.now)

		// A later self-assessment draft changes neither the submitted one nor the observation.
		if _, err := f.s.SaveSelfAssessment(ctx, f.advisor, billing, map[string]assessments.Rating{"listen-fully": assessments.NotShown}, nil, false); err != nil {
			t.Fatal(err)
		}
		sb, err := f.s.SideBySide(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sb.Self == nil || sb.Self.ID != sa.ID || !reflect.DeepEqual(sb.Self.Ratings, self) || !reflect.DeepEqual(sb.Observation.Ratings, assessor) {
			t.Fatalf("side by side mixed the ratings up: self %+v, assessor %+v", sb.Self, sb.Observation.Ratings)
		}
		gaps := map[string]assessments.GapDirection{}
		for _, g := range sb.Gaps {
			gaps[g.ItemID] = g.Direction
		}
		wantGaps := map[string]assessments.GapDirection{"listen-fully": assessments.SelfLower,
			"fixes-or-commits": assessments.SelfHigher, "proportionate-gesture": assessments.NAMismatch}
		if !reflect.DeepEqual(gaps, wantGaps) {
			t.Fatalf("gaps %v, want %v", gaps, wantGaps)
		}
		if len(sb.Rows) != len(o.Checklist.Items) {
			t.Fatalf("%d rows", len(sb.Rows))
		}
		for _, row := range sb.Rows {
			if !row.AssessorRated || !row.SelfRated || (row.Gap != nil) != (wantGaps[row.Item.ID] != 0) {
				t.Errorf("row %s: %+v", row.Item.ID, row)
			}
			if row.Item.ID == "listen-fully" && row.SelfComment != "I cut in once." {
				t.Errorf("self comment %q", row.SelfComment)
			}
		}
		if cur, _ := f.s.SelfAssessment(ctx, f.advisor, billing); cur.Status != assessments.SelfAssessmentDraft || cur.Ratings["listen-fully"] != assessments.NotShown {
			t.Fatalf("current self-assessment: %+v", cur)
		}

		// The API shape.
		api, err := f.s.ObservationsForAPI(ctx, f.advisor)
		if err != nil || len(api) != 1 {
			t.Fatalf("api: %+v %v", api, err)
		}
		b, _ := json.Marshal(map[string]any{"observations": api})
		var doc struct {
			Observations []map[string]json.RawMessage `json:"observations"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "checklist", "assessor", "signed_off_at", "score", "passed", "failed_critical", "self_assessment"} {
			if _, ok := doc.Observations[0][k]; !ok {
				t.Errorf("API observation lacks %q: %s", k, b)
			}
		}
		got := api[0]
		if got.Checklist != billing || got.Assessor != "2" || *got.Passed || !reflect.DeepEqual(got.FailedCritical, []string{"fixes-or-commits"}) ||
			got.SelfAssessment == nil || got.SelfAssessment.Ratings["proportionate-gesture"] != "na" || len(got.SelfAssessment.Gaps) != 3 {
			t.Fatalf("api observation: %s", b)
		}
		if other, err := f.s.ObservationsForAPI(ctx, f.other); err != nil || other == nil || len(other) != 0 {
			t.Fatalf("nobody observed: %v %v", other, err)
		}
	})
}

func TestDueReobservations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newObsFixture(t, db)
		ctx := f.ctx
		failed := f.signed(t, f.billingRatings(t, map[string]assessments.Rating{"identity-check": assessments.Partly}), f.now)
		passed := f.signed(t, f.billingRatings(t, nil), f.now.Add(time.Minute)) // a pass schedules nothing
		if passed.ReobserveDue != nil {
			t.Fatalf("passed observation due %v", *passed.ReobserveDue)
		}
		due := func(at time.Time) []int64 {
			list, err := f.s.DueReobservations(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, o := range list {
				ids = append(ids, o.ID)
			}
			return ids
		}
		// The pass a minute later followed the failure up: nothing is due.
		if ids := due(f.now.AddDate(0, 0, 14)); len(ids) != 0 {
			t.Fatalf("a later pass should clear the re-observation, got %v", ids)
		}
		later := f.now.Add(time.Hour)
		refail := f.signed(t, f.billingRatings(t, map[string]assessments.Rating{"identity-check": assessments.NotShown}), later)
		if ids := due(later.AddDate(0, 0, 13)); len(ids) != 0 {
			t.Fatalf("due a day early: %v", ids)
		}
		if ids := due(later.AddDate(0, 0, 14)); !reflect.DeepEqual(ids, []int64{refail.ID}) {
			t.Fatalf("due on the day: %v, want [%d] (not the followed-up %d)", ids, refail.ID, failed.ID)
		}
		if list, _ := f.s.DueReobservations(ctx, later.AddDate(0, 0, 30)); list[0].EmployeeNumber != "3" || list[0].AssessorName != "First2 Last2" {
			t.Fatalf("names: %+v", list[0])
		}
	})
}
