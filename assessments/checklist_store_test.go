package assessments_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

const hrCourse = "phone-manner"

// hrChecklist is a valid checklist written by HR with two items, one critical.
func hrChecklist() assessments.Checklist {
	return assessments.Checklist{Slug: "hold-music", Title: "Putting a caller on hold", PassPercent: 75,
		Brief: assessments.Brief{Customer: "A caller in a hurry.", Situation: "You need to check stock.", WhatGoodLooksLike: "Asks first."},
		Items: []assessments.Item{
			{ID: "ask", Text: "Asks before putting the caller on hold", Weight: 2, Critical: true, Guidance: "Fully: waits for a yes."},
			{ID: "back", Text: "Comes back within a minute", Weight: 1},
		}}
}

func newHRChecklistFixture(t *testing.T, db *bun.DB) *obsFixture {
	t.Helper()
	f := newObsFixture(t, db)
	if _, err := courses.NewStore(db, courses.NoAssessments, courses.Options{}).CreateCourse(f.ctx, hrCourse, "Phone manner", nil); err != nil {
		t.Fatal(err)
	}
	return f
}

// errorFields lists the fields of every *store.Error in err (joined or not).
func errorFields(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var se *store.Error
		if errors.As(err, &se) {
			out = append(out, se.Field)
		}
	}
	walk(err)
	return out
}

func TestSaveChecklistNewAndEdit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newHRChecklistFixture(t, db)
		c := hrChecklist()
		saved, err := f.s.SaveChecklist(f.ctx, hrCourse, c, 10, &f.hr)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Version != 1 || saved.Builtin || saved.CourseSlug != hrCourse || saved.ReobserveDays != 10 ||
			saved.Title != c.Title || len(saved.Checklist.Items) != 2 || !saved.Checklist.Items[0].Critical ||
			saved.Checklist.Brief != c.Brief || saved.PassPercent != 75 {
			t.Fatalf("saved: %+v", saved)
		}

		// Saving the same content again is not a new version.
		again, err := f.s.SaveChecklist(f.ctx, hrCourse, c, 10, &f.hr)
		if err != nil || again.Version != 1 || again.ID != saved.ID {
			t.Fatalf("unchanged save: %+v, %v", again, err)
		}

		// An observation on version 1.
		o, err := f.s.StartObservation(f.ctx, c.Slug, f.advisor, f.lead)
		if err != nil {
			t.Fatal(err)
		}
		ratings := map[string]assessments.Rating{"ask": assessments.Fully, "back": assessments.Partly}
		if _, err := f.s.SaveDraft(f.ctx, o.ID, f.lead, ratings, nil, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SignOff(f.ctx, o.ID, f.lead, f.now, nil); err != nil {
			t.Fatal(err)
		}

		// The edit: a third item, one removed, a new pass mark.
		c2 := hrChecklist()
		c2.Title = "Holding a call well"
		c2.PassPercent = 80
		c2.Items = []assessments.Item{c2.Items[0], {ID: "thank", Text: "Thanks the caller for waiting", Weight: 1}}
		edited, err := f.s.SaveChecklist(f.ctx, hrCourse, c2, 30, &f.hr)
		if err != nil {
			t.Fatal(err)
		}
		if edited.ID != saved.ID || edited.Version != 2 || edited.Title != "Holding a call well" || edited.ReobserveDays != 30 ||
			edited.PassPercent != 80 || edited.Checklist.Items[1].ID != "thank" {
			t.Fatalf("edited: %+v", edited)
		}
		found, err := f.s.FindChecklist(f.ctx, c.Slug)
		if err != nil || found.Version != 2 {
			t.Fatalf("find after edit: %+v, %v", found, err)
		}

		// The earlier observation keeps version 1 and its snapshot.
		old, err := f.s.Observation(f.ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if old.ChecklistVersion != 1 || old.Checklist.Title != c.Title || old.Checklist.PassPercent != 75 ||
			len(old.Checklist.Items) != 2 || old.Checklist.Items[1].ID != "back" {
			t.Fatalf("old observation's snapshot changed: version %d, %+v", old.ChecklistVersion, old.Checklist)
		}
		if res := old.Result(); res.MaxPoints != 6 || res.Points != 5 {
			t.Fatalf("old observation rescored: %+v", res)
		}
		// A new observation uses version 2.
		n, err := f.s.StartObservation(f.ctx, c.Slug, f.other, f.ceo)
		if err != nil || n.ChecklistVersion != 2 || n.Checklist.Items[1].ID != "thank" {
			t.Fatalf("new observation: %+v, %v", n, err)
		}

		// Only the re-observation period changed: same version.
		days, err := f.s.SaveChecklist(f.ctx, hrCourse, c2, 45, &f.hr)
		if err != nil || days.Version != 2 || days.ReobserveDays != 45 {
			t.Fatalf("days only: %+v, %v", days, err)
		}
	})
}

func TestSaveChecklistBuiltinAndCopy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newHRChecklistFixture(t, db)
		bi, err := f.s.FindChecklist(f.ctx, billing)
		if err != nil || !bi.Builtin {
			t.Fatalf("built-in: %+v, %v", bi, err)
		}
		c := bi.Checklist
		c.Title = "Changed in place"
		_, err = f.s.SaveChecklist(f.ctx, bi.CourseSlug, c, 14, &f.hr)
		if store.KindOf(err) != store.Forbidden {
			t.Fatalf("editing a built-in: %v", err)
		}
		if after, _ := f.s.FindChecklist(f.ctx, billing); after.Title != bi.Title || after.Version != bi.Version {
			t.Fatalf("built-in changed: %+v", after)
		}

		cp, err := f.s.CopyChecklist(f.ctx, billing, "billing-local", "Billing error (our version)")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Builtin || cp.Version != 1 || cp.Slug != "billing-local" || cp.Checklist.Slug != "billing-local" ||
			cp.Title != "Billing error (our version)" || cp.CourseSlug != bi.CourseSlug || cp.ReobserveDays != bi.ReobserveDays ||
			len(cp.Checklist.Items) != len(bi.Checklist.Items) || cp.Checklist.Brief != bi.Checklist.Brief {
			t.Fatalf("copy: %+v", cp)
		}
		// The copy can be edited.
		c = cp.Checklist
		c.Items = c.Items[:2]
		if _, err := courses.NewStore(db, courses.NoAssessments, courses.Options{}).CreateCourse(f.ctx, bi.CourseSlug, "Empathy", nil); err != nil {
			t.Fatal(err)
		}
		ed, err := f.s.SaveChecklist(f.ctx, cp.CourseSlug, c, 7, &f.hr)
		if err != nil || ed.Version != 2 || len(ed.Checklist.Items) != 2 {
			t.Fatalf("edit copy: %+v, %v", ed, err)
		}
		// Copy with an empty title, and onto a taken or bad slug.
		cp2, err := f.s.CopyChecklist(f.ctx, billing, "billing-two", "")
		if err != nil || cp2.Title != bi.Title+" (copy)" {
			t.Fatalf("copy without title: %+v, %v", cp2, err)
		}
		_, err = f.s.CopyChecklist(f.ctx, billing, "billing-local", "Again")
		wantKind(t, err, store.Conflict, "slug")
		_, err = f.s.CopyChecklist(f.ctx, billing, "Bad Slug", "x")
		wantKind(t, err, store.Invalid, "slug")
		_, err = f.s.CopyChecklist(f.ctx, "no-such-checklist", "x-y", "x")
		if !store.IsNotFound(err) {
			t.Fatalf("copy of unknown: %v", err)
		}
	})
}

func TestSaveChecklistValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		f := newHRChecklistFixture(t, db)
		bad := assessments.Checklist{Slug: "Not OK", PassPercent: 120, Brief: assessments.Brief{Situation: string(make([]rune, 4001))},
			Items: []assessments.Item{{ID: "a", Text: "", Weight: 0}}}
		_, err := f.s.SaveChecklist(f.ctx, hrCourse, bad, 0, &f.hr)
		got := errorFields(err)
		for _, want := range []string{"slug", "title", "brief", "items", "pass_percent", "reobserve_days"} {
			if !slices.Contains(got, want) {
				t.Errorf("no %s error in %v (%v)", want, got, err)
			}
		}
		if store.KindOf(err) != store.Invalid {
			t.Fatalf("kind %d", store.KindOf(err))
		}
		_, err = f.s.SaveChecklist(f.ctx, hrCourse, hrChecklist(), 366, &f.hr)
		wantKind(t, err, store.Invalid, "reobserve_days")
		_, err = f.s.SaveChecklist(f.ctx, hrCourse, assessments.Checklist{Slug: "x", Title: "x", PassPercent: 50}, 5, &f.hr)
		wantKind(t, err, store.Invalid, "items")
		_, err = f.s.SaveChecklist(f.ctx, "no-such-course", hrChecklist(), 5, &f.hr)
		wantKind(t, err, store.Invalid, "course")
		if _, err := f.s.FindChecklist(f.ctx, "hold-music"); !store.IsNotFound(err) {
			t.Fatalf("invalid checklist stored: %v", err)
		}
	})
}
