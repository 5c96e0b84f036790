package courses_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// withDemo returns a store holding the built-in course "demo".
func withDemo(t *testing.T, db *bun.DB) *courses.Store {
	t.Helper()
	s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
	if _, err := s.SyncBuiltins(context.Background(), []*courses.Source{demoCourse(t, "Version one text.")}); err != nil {
		t.Fatal(err)
	}
	return s
}

func wantKind(t *testing.T, what string, err error, kind store.Kind) {
	t.Helper()
	if err == nil || store.KindOf(err) != kind {
		t.Fatalf("%s: error %v (kind %v), want kind %v", what, err, store.KindOf(err), kind)
	}
}

// draftOutline reads the current draft of slug.
func draftOutline(t *testing.T, s *courses.Store, slug string) *courses.Outline {
	t.Helper()
	c, err := s.FindCourse(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if c.DraftVersionID == nil {
		t.Fatalf("%s has no draft", slug)
	}
	o, err := s.Outline(context.Background(), *c.DraftVersionID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// checkOrder fails unless modules are numbered 1..m and lessons 1..n in module order.
func checkOrder(t *testing.T, o *courses.Outline) {
	t.Helper()
	pos := 0
	for i, m := range o.Modules {
		if m.Position != i+1 {
			t.Errorf("module %q at position %d, want %d", m.Title, m.Position, i+1)
		}
		for _, l := range m.Lessons {
			pos++
			if l.Position != pos || o.Lessons[pos-1].ID != l.ID {
				t.Errorf("lesson %q at position %d, want %d", l.Slug, l.Position, pos)
			}
		}
	}
	if pos != len(o.Lessons) {
		t.Errorf("%d lessons in modules, %d in the version", pos, len(o.Lessons))
	}
}

func versionStatus(t *testing.T, db *bun.DB, id int64) string {
	t.Helper()
	var st string
	if err := db.NewSelect().Model((*courses.Version)(nil)).Column("status").Where("id = ?", id).Scan(context.Background(), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func slugsOf(o *courses.Outline) string {
	var parts []string
	for _, m := range o.Modules {
		var ls []string
		for _, l := range m.Lessons {
			ls = append(ls, l.Slug)
		}
		parts = append(parts, m.Title+":"+strings.Join(ls, ","))
	}
	return strings.Join(parts, " | ")
}

func TestBuiltinIsNotEditedInPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := withDemo(t, db)
		_, err := s.EditDraft(ctx, "demo", nil)
		wantKind(t, "EditDraft of a built-in", err, store.Forbidden)
		if !strings.Contains(store.MessageOf(err), "copy it") {
			t.Errorf("message %q does not say to copy", store.MessageOf(err))
		}
		wantKind(t, "AddModule on a built-in", func() error { _, err := s.AddModule(ctx, "demo", "More"); return err }(), store.Forbidden)
		_, err = s.Publish(ctx, "demo", nil)
		wantKind(t, "Publish a built-in", err, store.Forbidden)
		_, err = s.DiscardDraft(ctx, "demo")
		wantKind(t, "DiscardDraft of a built-in", err, store.Forbidden)
		c, _ := s.FindCourse(ctx, "demo")
		if c.DraftVersionID != nil {
			t.Fatal("a built-in course got a draft")
		}
	})
}

func TestCreateCourse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := withDemo(t, db)
		for _, tc := range []struct {
			name, slug, title string
			kind              store.Kind
			field             string
		}{
			{"ErrBadSlug", "Not A Slug", "Title", store.Invalid, "slug"},
			{"ErrEmptySlug", "", "Title", store.Invalid, "slug"},
			{"ErrNoTitle", "fine-slug", "  ", store.Invalid, "title"},
			{"ErrTakenSlug", "demo", "Another demo", store.Conflict, "slug"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateCourse(ctx, tc.slug, tc.title, nil)
				wantKind(t, tc.name, err, tc.kind)
				if f := store.FieldOf(err); f != tc.field {
					t.Errorf("field %q, want %q", f, tc.field)
				}
			})
		}
		c, err := s.CreateCourse(ctx, "welcome", "  Welcome   aboard ", nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Builtin || c.PublishedVersionID != nil || c.DraftVersionID == nil {
			t.Fatalf("new course: %+v", c)
		}
		o := draftOutline(t, s, "welcome")
		if o.Version.Title != "Welcome aboard" || o.Version.Version != 1 || len(o.Modules) != 1 || len(o.Lessons) != 1 || o.Lessons[0].Slug != "introduction" {
			t.Fatalf("new draft: %+v %s", o.Version, slugsOf(o))
		}
		// The starting draft is valid as it is.
		v, err := s.Publish(ctx, "welcome", nil)
		if err != nil || v.Version != 1 || v.Status != courses.Published {
			t.Fatalf("publish the new course: %+v %v", v, err)
		}
		rows, err := s.ListCourses(ctx)
		if err != nil || len(rows) != 2 {
			t.Fatalf("ListCourses: %+v %v", rows, err)
		}
		for _, r := range rows {
			if r.Slug == "welcome" && (r.PublishedVersion != 1 || r.HasDraft() || r.Builtin || r.Title != "Welcome aboard") {
				t.Errorf("row %+v", r)
			}
			if r.Slug == "demo" && (!r.Builtin || r.PublishedVersion != 1) {
				t.Errorf("row %+v", r)
			}
		}
	})
}

// TestCopyEditPublish: a built-in is copied, published as v1, a learner
// starts it, HR edits and publishes v2 (v1 retired); the learner keeps v1
// until they finish it, then meets v2.
func TestCopyEditPublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := withDemo(t, db)
		hr := employee(t, db, "HR1")
		learner := employee(t, db, "L1")

		if _, err := s.CopyCourse(ctx, "demo", "demo", "Clash", &hr); store.KindOf(err) != store.Conflict {
			t.Fatalf("copy onto an existing slug: %v", err)
		}
		if _, err := s.CopyCourse(ctx, "nope", "ours", "Ours", &hr); !store.IsNotFound(err) {
			t.Fatalf("copy of a missing course: %v", err)
		}
		c, err := s.CopyCourse(ctx, "demo", "our-demo", "Our demo", &hr)
		if err != nil {
			t.Fatal(err)
		}
		if c.Builtin || c.CopiedFrom != "demo" {
			t.Fatalf("copy: %+v", c)
		}
		o := draftOutline(t, s, "our-demo")
		if o.Version.Title != "Our demo" || len(o.Lessons) != 3 || !strings.Contains(o.Lessons[0].BodyMD, "Version one") {
			t.Fatalf("copied draft: %+v %s", o.Version, slugsOf(o))
		}
		v1, err := s.Publish(ctx, "our-demo", &hr)
		if err != nil {
			t.Fatal(err)
		}

		c, _ = s.FindCourse(ctx, "our-demo")
		o1, en, err := s.Start(ctx, learner, c)
		if err != nil || o1.Version.ID != v1.ID {
			t.Fatalf("start v1: %v", err)
		}
		if _, _, err := completeLesson(ctx, s, en, o1.Lessons[0].ID); err != nil {
			t.Fatal(err)
		}

		d, err := s.EditDraft(ctx, "our-demo", &hr)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version.Version != 2 || d.Version.Status != courses.Draft {
			t.Fatalf("draft: %+v", d.Version)
		}
		if again, err := s.EditDraft(ctx, "our-demo", &hr); err != nil || again.Version.ID != d.Version.ID {
			t.Fatalf("EditDraft again made another draft: %v", err)
		}
		_, err = s.Publish(ctx, "our-demo", &hr)
		wantKind(t, "publishing an unchanged draft", err, store.Invalid)

		first := d.Lessons[0]
		if _, err := s.SaveLesson(ctx, "our-demo", first.ID, courses.LessonInput{Title: "First, revised", Minutes: 3, Body: "Version two text.\r\n\r\n<script>alert(1)</script>\r\n"}); err != nil {
			t.Fatal(err)
		}
		// A lesson of the published version cannot be changed through the draft.
		_, err = s.SaveLesson(ctx, "our-demo", o1.Lessons[0].ID, courses.LessonInput{Title: "X", Minutes: 3, Body: "X"})
		wantKind(t, "saving a published lesson", err, store.NotFound)

		v2, err := s.Publish(ctx, "our-demo", &hr)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Status != courses.Published {
			t.Fatalf("published: %+v", v2)
		}
		c, _ = s.FindCourse(ctx, "our-demo")
		if c.PublishedVersionID == nil || *c.PublishedVersionID != v2.ID || c.DraftVersionID != nil {
			t.Fatalf("course after publish: %+v", c)
		}
		if st := versionStatus(t, db, v1.ID); st != courses.Retired {
			t.Fatalf("v1 status %q, want retired", st)
		}
		newer, _ := s.Outline(ctx, v2.ID)
		if body := newer.Lessons[0].BodyHTML; !strings.Contains(body, "Version two") || strings.Contains(body, "<script") || newer.Lessons[0].BodyMD != "Version two text.\n\n<script>alert(1)</script>\n" {
			t.Fatalf("v2 lesson: md %q html %q", newer.Lessons[0].BodyMD, body)
		}

		// Part-way through v1: the learner keeps it.
		o, en2, err := s.VersionFor(ctx, learner, c)
		if err != nil || o.Version.ID != v1.ID || en2.ID != en.ID || !strings.Contains(o.Lessons[0].BodyHTML, "Version one") {
			t.Fatalf("learner moved off v1 part-way through (%v)", err)
		}
		for _, l := range o1.Lessons[1:] {
			if _, _, err := completeLesson(ctx, s, en, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Finished v1: now v2.
		o, _, err = s.Start(ctx, learner, c)
		if err != nil || o.Version.ID != v2.ID || !strings.Contains(o.Lessons[0].BodyHTML, "Version two") {
			t.Fatalf("after finishing v1 the learner should see v2 (%v)", err)
		}
		rows, _ := s.ListCourses(ctx)
		for _, r := range rows {
			if r.Slug == "our-demo" && (r.Started != 1 || r.Completed != 1 || r.PublishedVersion != 2 || r.CopiedFrom != "demo") {
				t.Errorf("list row %+v", r)
			}
		}
	})
}

// TestPublishInvalidDraft: every problem is listed and nothing changes.
func TestPublishInvalidDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := withDemo(t, db)
		if _, err := s.CopyCourse(ctx, "demo", "ours", "Ours", nil); err != nil {
			t.Fatal(err)
		}
		v1, err := s.Publish(ctx, "ours", nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.EditDraft(ctx, "ours", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveLesson(ctx, "ours", d.Lessons[1].ID, courses.LessonInput{Title: "Second", Minutes: 2, Body: "  \n"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddLesson(ctx, "ours", d.Modules[1].ID, "fourth", "Fourth"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddModule(ctx, "ours", "Empty module"); err != nil {
			t.Fatal(err)
		}
		// The editor refuses minutes 0; a draft holding it anyway is caught at publish.
		_, err = s.SaveLesson(ctx, "ours", d.Lessons[0].ID, courses.LessonInput{Title: "First", Minutes: 0, Body: "Text"})
		if store.FieldOf(err) != "minutes" {
			t.Fatalf("minutes 0: %v", err)
		}
		if _, err := db.NewUpdate().Model((*courses.Lesson)(nil)).Set("minutes = 0").Where("id = ?", d.Lessons[2].ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}

		_, err = s.Publish(ctx, "ours", nil)
		wantKind(t, "publish an invalid draft", err, store.Invalid)
		var ps courses.Problems
		if !errors.As(err, &ps) {
			t.Fatalf("no Problems in %v", err)
		}
		for _, w := range []struct{ file, msg string }{
			{"second.md", "no text"}, {"fourth.md", "no text"}, {"third.md", "minutes"}, {"course.yaml", `"Empty module" has no lessons`},
		} {
			if !slices.ContainsFunc(ps, func(p courses.Problem) bool { return p.File == w.file && strings.Contains(p.Message, w.msg) }) {
				t.Errorf("problem %s: %s not listed in %v", w.file, w.msg, ps)
			}
		}
		c, _ := s.FindCourse(ctx, "ours")
		if *c.PublishedVersionID != v1.ID || c.DraftVersionID == nil || *c.DraftVersionID != d.Version.ID {
			t.Fatalf("course changed by a failed publish: %+v", c)
		}
		if o := draftOutline(t, s, "ours"); o.Version.Status != courses.Draft {
			t.Fatalf("draft status %q", o.Version.Status)
		}
		if st := versionStatus(t, db, v1.ID); st != courses.Published {
			t.Fatalf("v1 status %q", st)
		}

		// A prerequisite that names no course is refused when saved.
		err = s.UpdateDraftInfo(ctx, "ours", courses.DraftInfo{Title: "Ours", Prerequisites: []string{"no-such-course"}})
		if store.FieldOf(err) != "prerequisites" {
			t.Fatalf("unknown prerequisite: %v", err)
		}
		err = s.UpdateDraftInfo(ctx, "ours", courses.DraftInfo{Title: "Ours", Prerequisites: []string{"ours"}})
		if store.FieldOf(err) != "prerequisites" {
			t.Fatalf("own prerequisite: %v", err)
		}
		err = s.UpdateDraftInfo(ctx, "ours", courses.DraftInfo{Title: "Ours, revised", Summary: "S", EstimatedMinutes: 9,
			Tags: courses.SplitList("listening, empathy,listening"), Prerequisites: []string{"demo"}})
		if err != nil {
			t.Fatal(err)
		}
		o := draftOutline(t, s, "ours")
		if o.Version.Title != "Ours, revised" || o.Version.Tags != "listening,empathy" || o.Version.Prerequisites != "demo" {
			t.Fatalf("info: %+v", o.Version)
		}

		// Discarding the draft keeps the published course.
		deleted, err := s.DiscardDraft(ctx, "ours")
		if err != nil || deleted {
			t.Fatalf("discard: deleted=%v %v", deleted, err)
		}
		c, _ = s.FindCourse(ctx, "ours")
		if c.DraftVersionID != nil || *c.PublishedVersionID != v1.ID {
			t.Fatalf("after discard: %+v", c)
		}
		_, err = s.DiscardDraft(ctx, "ours")
		wantKind(t, "discard without a draft", err, store.Invalid)
		// A course that was never published goes with its draft.
		if _, err := s.CreateCourse(ctx, "scratch", "Scratch", nil); err != nil {
			t.Fatal(err)
		}
		if deleted, err := s.DiscardDraft(ctx, "scratch"); err != nil || !deleted {
			t.Fatalf("discard a new course: deleted=%v %v", deleted, err)
		}
		if _, err := s.FindCourse(ctx, "scratch"); !store.IsNotFound(err) {
			t.Fatalf("scratch course still there: %v", err)
		}
	})
}

// TestReorder: moves within and across modules, deletes and adds keep
// positions 1..n in module order.
func TestReorder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		if _, err := s.CreateCourse(ctx, "order", "Order", nil); err != nil {
			t.Fatal(err)
		}
		o := draftOutline(t, s, "order")
		m1 := o.Modules[0].ID
		m2, err := s.AddModule(ctx, "order", "Module 2")
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{"introduction": o.Lessons[0].ID}
		for _, a := range []struct {
			module int64
			slug   string
		}{{m1, "a"}, {m2.ID, "b"}, {m2.ID, "c"}, {m1, "d"}} {
			l, err := s.AddLesson(ctx, "order", a.module, a.slug, strings.ToUpper(a.slug))
			if err != nil {
				t.Fatal(err)
			}
			ids[a.slug] = l.ID
		}
		_, err = s.AddLesson(ctx, "order", m1, "a", "Again")
		if store.KindOf(err) != store.Conflict || store.FieldOf(err) != "slug" {
			t.Fatalf("duplicate lesson slug: %v", err)
		}
		_, err = s.AddLesson(ctx, "order", m1, "Bad Slug", "Bad")
		if store.FieldOf(err) != "slug" {
			t.Fatalf("bad lesson slug: %v", err)
		}
		steps := []struct {
			name string
			do   func() error
			want string
		}{
			{"Start", func() error { return nil }, "Module 1:introduction,a,d | Module 2:b,c"},
			{"LessonUpWithinModule", func() error { return s.MoveLesson(ctx, "order", ids["d"], true) }, "Module 1:introduction,d,a | Module 2:b,c"},
			{"LessonDownIntoNextModule", func() error { return s.MoveLesson(ctx, "order", ids["a"], false) }, "Module 1:introduction,d | Module 2:a,b,c"},
			{"LessonUpIntoPreviousModule", func() error { return s.MoveLesson(ctx, "order", ids["a"], true) }, "Module 1:introduction,d,a | Module 2:b,c"},
			{"FirstLessonUpStays", func() error { return s.MoveLesson(ctx, "order", ids["introduction"], true) }, "Module 1:introduction,d,a | Module 2:b,c"},
			{"LastLessonDownStays", func() error { return s.MoveLesson(ctx, "order", ids["c"], false) }, "Module 1:introduction,d,a | Module 2:b,c"},
			{"ModuleUp", func() error { return s.MoveModule(ctx, "order", m2.ID, true) }, "Module 2:b,c | Module 1:introduction,d,a"},
			{"ModuleUpAtTopStays", func() error { return s.MoveModule(ctx, "order", m2.ID, true) }, "Module 2:b,c | Module 1:introduction,d,a"},
			{"DeleteLesson", func() error { return s.DeleteLesson(ctx, "order", ids["d"]) }, "Module 2:b,c | Module 1:introduction,a"},
			{"Rename", func() error { return s.RenameModule(ctx, "order", m1, "Basics") }, "Module 2:b,c | Basics:introduction,a"},
		}
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			o := draftOutline(t, s, "order")
			if got := slugsOf(o); got != st.want {
				t.Fatalf("%s: %s, want %s", st.name, got, st.want)
			}
			checkOrder(t, o)
		}
		wantKind(t, "delete a module with lessons", s.DeleteModule(ctx, "order", m1), store.Invalid)
		if err := s.MoveLesson(ctx, "order", ids["c"], false); err != nil {
			t.Fatal(err)
		}
		o = draftOutline(t, s, "order")
		if got := slugsOf(o); got != "Module 2:b | Basics:c,introduction,a" {
			t.Fatalf("after moving down: %s", got)
		}
		if err := s.MoveLesson(ctx, "order", ids["b"], false); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteModule(ctx, "order", m2.ID); err != nil {
			t.Fatalf("delete the empty module: %v", err)
		}
		o = draftOutline(t, s, "order")
		if got := slugsOf(o); got != "Basics:b,c,introduction,a" {
			t.Fatalf("after deleting the module: %s", got)
		}
		checkOrder(t, o)
		for _, slug := range []string{"a", "b", "c"} {
			if err := s.DeleteLesson(ctx, "order", ids[slug]); err != nil {
				t.Fatal(err)
			}
		}
		wantKind(t, "delete the last lesson", s.DeleteLesson(ctx, "order", ids["introduction"]), store.Invalid)
		wantKind(t, "move a lesson of another course", s.MoveLesson(ctx, "order", 999999, true), store.NotFound)
		checkOrder(t, draftOutline(t, s, "order"))
	})
}

func TestLessonInputCheck(t *testing.T) {
	big := strings.Repeat("x", courses.MaxLessonBytes)
	for _, tc := range []struct {
		name   string
		in     courses.LessonInput
		fields string
	}{
		{"OK", courses.LessonInput{Title: "T", Minutes: 5, Body: "Body"}, ""},
		{"EmptyBodyAllowedInADraft", courses.LessonInput{Title: "T", Minutes: 5}, ""},
		{"ErrEverything", courses.LessonInput{Title: " ", Minutes: 601, Body: big}, "title,minutes,body"},
		{"ErrLongTitle", courses.LessonInput{Title: strings.Repeat("t", 201), Minutes: 1, Body: "x"}, "title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range tc.in.Check() {
				got = append(got, e.Field)
			}
			if g := strings.Join(got, ","); g != tc.fields {
				t.Fatalf("fields %q, want %q", g, tc.fields)
			}
		})
	}
	in := courses.LessonInput{Title: "  A   title ", Minutes: 1, Body: "\ufeff\r\nLine one\r\nLine two\r\n\r\n"}
	in.Check()
	if in.Title != "A title" || in.Body != "Line one\nLine two\n" {
		t.Fatalf("tidied: %q %q", in.Title, in.Body)
	}
}
