package courses_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// companyStore returns a courses store on db with a clock that moves on a
// minute each time it is read.
func companyStore(db *bun.DB) *courses.Store {
	return companyStoreWith(db, courses.NoAssessments)
}

// companyStoreWith is companyStore asking a about assessments.
func companyStoreWith(db *bun.DB, a courses.Assessments) *courses.Store {
	t := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return courses.NewStore(db, a, courses.Options{Clock: store.ClockFunc(func() time.Time { t = t.Add(time.Minute); return t })})
}

// mustStaff adds an active employee and returns their id.
func mustStaff(t *testing.T, db *bun.DB, number string) int64 {
	t.Helper()
	var id int64
	now := time.Now().UTC()
	email := strings.ToLower(number) + "@example.test"
	err := db.NewRaw("INSERT INTO employees (number, first_name, last_name, email, email_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		number, "Test", number, email, email, now, now).Scan(context.Background(), &id)
	if err != nil {
		t.Fatalf("insert employee: %v", err)
	}
	return id
}

func texts(ps []courses.Promise) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

func mustPromises(t *testing.T, s *courses.Store) []courses.Promise {
	t.Helper()
	p, err := s.CompanyProfile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p.Promises
}

func mustPending(t *testing.T, db *bun.DB, employeeID int64) []string {
	t.Helper()
	ps, err := courses.PendingAcknowledgements(context.Background(), db, employeeID)
	if err != nil {
		t.Fatal(err)
	}
	return texts(ps)
}

func inputs(ps []courses.Promise) []courses.PromiseInput {
	out := make([]courses.PromiseInput, len(ps))
	for i, p := range ps {
		out[i] = courses.PromiseInput{ID: p.ID, Text: p.Text}
	}
	return out
}

func ids(ps []courses.Promise) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

const (
	callBack = "We call you back within 4 working hours."
	onTime   = "Engineers arrive within the booked 2-hour slot or call ahead."
	same     = "Every complaint is acknowledged the same working day."
)

func TestPromiseVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := companyStore(db)
		amy, ben := mustStaff(t, db, "E1"), mustStaff(t, db, "E2")
		if got := mustPending(t, db, amy); len(got) != 0 {
			t.Fatalf("pending before any promise: %q", got)
		}
		ch, err := s.SavePromises(ctx, []courses.PromiseInput{{Text: callBack}, {Text: onTime}, {Text: "  Every complaint is   acknowledged the same working day. "}})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Added != 3 {
			t.Fatalf("changes %+v, want 3 added", ch)
		}
		first := mustPromises(t, s)
		if got := strings.Join(texts(first), "|"); got != callBack+"|"+onTime+"|"+same {
			t.Fatalf("promises %q (text not tidied or order lost)", got)
		}
		if err := s.Acknowledge(ctx, amy, ids(first)); err != nil {
			t.Fatal(err)
		}
		if got := mustPending(t, db, amy); len(got) != 0 {
			t.Fatalf("pending after acknowledging: %q", got)
		}
		if got := mustPending(t, db, ben); len(got) != 3 {
			t.Fatalf("ben's pending: %q, want all 3", got)
		}

		t.Run("UnchangedTextKeepsVersion", func(t *testing.T) {
			ch, err := s.SavePromises(ctx, inputs(first))
			if err != nil || ch.Any() {
				t.Fatalf("resave: %+v %v", ch, err)
			}
			// A list without ids (texts only) keeps the rows with the same text.
			ch, err = s.SavePromises(ctx, []courses.PromiseInput{{Text: callBack}, {Text: onTime}, {Text: same}})
			if err != nil || ch.Any() {
				t.Fatalf("resave by text: %+v %v", ch, err)
			}
			now := mustPromises(t, s)
			for i := range now {
				if now[i].ID != first[i].ID || now[i].Version != 1 {
					t.Fatalf("promise %d became %+v", i, now[i])
				}
			}
		})

		t.Run("ReorderDoesNotBump", func(t *testing.T) {
			in := inputs(first)
			in[0], in[2] = in[2], in[0]
			ch, err := s.SavePromises(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Changed != 0 || ch.Moved != 2 {
				t.Fatalf("changes %+v, want 2 moved", ch)
			}
			now := mustPromises(t, s)
			if now[0].ID != first[2].ID || now[2].ID != first[0].ID {
				t.Fatalf("order %v, want swapped", ids(now))
			}
			for _, p := range now {
				if p.Version != 1 {
					t.Fatalf("reorder bumped %q to version %d", p.Text, p.Version)
				}
			}
			if got := mustPending(t, db, amy); len(got) != 0 {
				t.Fatalf("pending after a reorder: %q", got)
			}
		})

		t.Run("ChangedTextBumpsAndIsPendingAgain", func(t *testing.T) {
			in := inputs(mustPromises(t, s))
			in[1].Text = onTime + " Always."
			ch, err := s.SavePromises(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Changed != 1 || ch.Reacknowledge != 1 {
				t.Fatalf("changes %+v, want 1 changed and 1 employee to re-acknowledge", ch)
			}
			now := mustPromises(t, s)
			if now[1].ID != first[1].ID || now[1].Version != 2 {
				t.Fatalf("changed promise: %+v, want same id, version 2", now[1])
			}
			if got := mustPending(t, db, amy); len(got) != 1 || got[0] != onTime+" Always." {
				t.Fatalf("pending %q, want the changed promise", got)
			}
			st, err := s.AcknowledgementStatus(ctx, amy)
			if err != nil {
				t.Fatal(err)
			}
			if st[1].Confirmed != nil || st[1].Earlier == nil || st[0].Confirmed == nil {
				t.Fatalf("status %+v", st)
			}
		})

		t.Run("RemovedIsNoLongerPendingAndHistoryKept", func(t *testing.T) {
			now := mustPromises(t, s)
			ch, err := s.SavePromises(ctx, inputs(now[:1])) // drop the changed one and one more
			if err != nil {
				t.Fatal(err)
			}
			if ch.Removed != 2 {
				t.Fatalf("changes %+v, want 2 removed", ch)
			}
			if got := mustPending(t, db, amy); len(got) != 0 {
				t.Fatalf("pending %q after removing the changed promise", got)
			}
			acks, err := s.Acknowledgements(ctx, amy)
			if err != nil {
				t.Fatal(err)
			}
			if len(acks) != 3 {
				t.Fatalf("acknowledgements %d, want the 3 earlier ones kept", len(acks))
			}
			// Putting a removed promise back by id revives its row and version.
			back := append(inputs(mustPromises(t, s)), courses.PromiseInput{ID: first[0].ID, Text: callBack})
			if _, err := s.SavePromises(ctx, back); err != nil {
				t.Fatal(err)
			}
			if got := mustPending(t, db, amy); len(got) != 0 {
				t.Fatalf("a promise put back unchanged is pending again: %q", got)
			}
		})
	})
}

func TestAcknowledgeAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := companyStore(db)
		amy := mustStaff(t, db, "E1")
		err := s.Acknowledge(ctx, amy, nil)
		if store.KindOf(err) != store.Invalid || store.FieldOf(err) != "promises" {
			t.Fatalf("acknowledge with no promises: %v", err)
		}
		if _, err := s.SavePromises(ctx, []courses.PromiseInput{{Text: callBack}, {Text: onTime}, {Text: same}}); err != nil {
			t.Fatal(err)
		}
		ps := mustPromises(t, s)

		err = s.Acknowledge(ctx, amy, []int64{ps[0].ID, ps[2].ID})
		if store.KindOf(err) != store.Invalid || store.FieldOf(err) != "promises" || !strings.Contains(store.MessageOf(err), "promise 2 ") {
			t.Fatalf("one unticked: %v, want Invalid on promises naming promise 2", err)
		}
		if acks, _ := s.Acknowledgements(ctx, amy); len(acks) != 0 {
			t.Fatalf("%d acknowledgements stored from an incomplete form", len(acks))
		}
		err = s.Acknowledge(ctx, amy, []int64{ps[1].ID})
		if !strings.Contains(store.MessageOf(err), "promises 1 and 3") {
			t.Fatalf("two unticked: %q", store.MessageOf(err))
		}

		for range 2 { // the second time changes nothing
			if err := s.Acknowledge(ctx, amy, ids(ps)); err != nil {
				t.Fatal(err)
			}
			acks, err := s.Acknowledgements(ctx, amy)
			if err != nil {
				t.Fatal(err)
			}
			if len(acks) != 3 {
				t.Fatalf("acknowledgements %d, want 3", len(acks))
			}
		}

		in := inputs(ps)
		in[2].Text = "Every complaint gets a named owner the same working day."
		if _, err := s.SavePromises(ctx, in); err != nil {
			t.Fatal(err)
		}
		if err := s.Acknowledge(ctx, amy, ids(ps)); err != nil {
			t.Fatal(err)
		}
		acks, _ := s.Acknowledgements(ctx, amy)
		if len(acks) != 4 || acks[0].PromiseID != ps[2].ID || acks[0].PromiseVersion != 2 || acks[0].Text != in[2].Text {
			t.Fatalf("after the change: %d acks, newest %+v", len(acks), acks[0])
		}
		if acks[0].AcknowledgedAt.IsZero() {
			t.Fatal("no acknowledgement time")
		}
	})
}

func TestCheckPromises(t *testing.T) {
	many := make([]courses.PromiseInput, courses.MaxPromises+1)
	for i := range many {
		many[i].Text = fmt.Sprintf("Promise number %d", i)
	}
	tests := []struct {
		name  string
		in    []courses.PromiseInput
		field string // of the first error; "" for none
	}{
		{"OK", []courses.PromiseInput{{Text: callBack}, {ID: 4, Text: onTime}}, ""},
		{"ErrNone", nil, "promises"},
		{"ErrTooMany", many, "promises"},
		{"ErrTooShort", []courses.PromiseInput{{Text: callBack}, {Text: " ok "}}, "promise-1"},
		{"ErrTooLong", []courses.PromiseInput{{Text: strings.Repeat("x", courses.MaxPromiseRunes+1)}}, "promise-0"},
		{"ErrDuplicateIgnoringCaseAndSpaces", []courses.PromiseInput{{Text: callBack}, {Text: strings.ToUpper(callBack) + "  "}}, "promise-1"},
		{"ErrSameIDTwice", []courses.PromiseInput{{ID: 3, Text: callBack}, {ID: 3, Text: onTime}}, "promise-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := courses.CheckPromises(tt.in)
			got := ""
			if len(errs) > 0 {
				got = errs[0].Field
			}
			if got != tt.field {
				t.Fatalf("first error field %q (%v), want %q", got, errs, tt.field)
			}
		})
	}
}

func TestSaveCompany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := companyStore(db)
		tooMany := strings.Repeat("Kind\n", courses.MaxValues+1)
		for _, tt := range []struct {
			name  string
			in    courses.CompanyInput
			field string
		}{
			{"ErrNameMissing", courses.CompanyInput{Name: "  "}, "name"},
			{"ErrNameTooLong", courses.CompanyInput{Name: strings.Repeat("n", 201)}, "name"},
			{"ErrMissionTooLong", courses.CompanyInput{Name: "B", Mission: strings.Repeat("m", 2001)}, "mission"},
			{"ErrVisionTooLong", courses.CompanyInput{Name: "B", Vision: strings.Repeat("v", 2001)}, "vision"},
			{"ErrTooManyValues", courses.CompanyInput{Name: "B", Values: tooMany}, "values"},
			{"ErrValueTooLong", courses.CompanyInput{Name: "B", Values: "Kind\n" + strings.Repeat("v", 201)}, "values"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.SaveCompany(ctx, tt.in)
				if store.KindOf(err) != store.Invalid || store.FieldOf(err) != tt.field {
					t.Fatalf("got %v (field %q), want Invalid on %q", err, store.FieldOf(err), tt.field)
				}
			})
		}

		changed, err := s.SaveCompany(ctx, courses.CompanyInput{Name: " Brightwater  Services ", Mission: "We keep homes **warm**.\r\n",
			Vision: "First choice.", Values: "Honest\r\n\r\n  On time  \nRespectful\n"})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(changed, ",") != "name,mission,vision,values" {
			t.Fatalf("changed %v", changed)
		}
		changed, err = s.SaveCompany(ctx, courses.CompanyInput{Name: "Brightwater Services", Mission: "We keep homes **warm**.",
			Vision: "First choice!", Values: "Honest\nOn time\nRespectful"})
		if err != nil || strings.Join(changed, ",") != "vision" {
			t.Fatalf("second save changed %v, %v; want only vision", changed, err)
		}
		if _, err := s.SavePromises(ctx, []courses.PromiseInput{{Text: callBack}, {Text: onTime}}); err != nil {
			t.Fatal(err)
		}
		p, err := s.CompanyProfile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c := p.Company()
		if c.Name != "Brightwater Services" || c.Mission != "We keep homes **warm**." || strings.Join(c.Values, "|") != "Honest|On time|Respectful" ||
			strings.Join(c.Promises, "|") != callBack+"|"+onTime || p.HasLogo {
			t.Fatalf("profile %+v", c)
		}
		h := courses.FillPlaceholders(courses.RenderMarkdown("{{company.mission}}\n\n{{company.promises}}"), c)
		if !strings.Contains(h, "<strong>warm</strong>") || !strings.Contains(h, "<li>"+callBack+"</li>") {
			t.Fatalf("lesson text: %s", h)
		}
	})
}

func encodePNG(t *testing.T, w, h int, noisy bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 90, 110, 255}
			if noisy {
				c = color.RGBA{uint8(x * 7), uint8(y*13 + x), uint8(x ^ y), 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckLogo(t *testing.T) {
	var jpg, gf bytes.Buffer
	small := image.NewRGBA(image.Rect(0, 0, 16, 16))
	if err := jpeg.Encode(&jpg, small, nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gf, small, nil); err != nil {
		t.Fatal(err)
	}
	pngData := encodePNG(t, 16, 16, false)
	noisy := encodePNG(t, 200, 200, true)
	big := append(encodePNG(t, 16, 16, false), make([]byte, courses.MaxLogoBytes)...)
	tests := []struct {
		name string
		data []byte
		want string // content type; "" for an error on field logo
	}{
		{"PNG", pngData, "image/png"},
		{"JPEG", jpg.Bytes(), "image/jpeg"},
		{"ErrGIF", gf.Bytes(), ""},
		{"ErrTextRenamed", []byte("name,email\nAmy,amy@example.test\n"), ""},
		{"ErrEmpty", nil, ""},
		{"ErrTruncatedPNGHeader", pngData[:20], ""},
		{"ErrTruncatedPNGPixels", noisy[:len(noisy)/2], ""},
		{"ErrTruncatedJPEG", jpg.Bytes()[:jpg.Len()/2], ""},
		{"ErrOverOneMB", big, ""},
		{"ErrTooWide", encodePNG(t, courses.MaxLogoSide+1, 1, false), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := courses.CheckLogo(tt.data)
			if tt.want != "" {
				if err != nil || ct != tt.want {
					t.Fatalf("got %q, %v; want %q", ct, err, tt.want)
				}
				return
			}
			if store.KindOf(err) != store.Invalid || store.FieldOf(err) != "logo" {
				t.Fatalf("got %q, %v; want an Invalid error on field logo", ct, err)
			}
		})
	}
}

func TestSaveLogo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := companyStore(db)
		if _, _, err := s.Logo(ctx); !store.IsNotFound(err) {
			t.Fatalf("logo before upload: %v, want NotFound", err)
		}
		if err := s.SaveLogo(ctx, []byte("GIF89a not really")); store.FieldOf(err) != "logo" {
			t.Fatalf("bad logo: %v", err)
		}
		first := encodePNG(t, 8, 8, false)
		second := encodePNG(t, 9, 9, true)
		for _, data := range [][]byte{first, second} {
			if err := s.SaveLogo(ctx, data); err != nil {
				t.Fatal(err)
			}
		}
		ct, data, err := s.Logo(ctx)
		if err != nil || ct != "image/png" || !bytes.Equal(data, second) {
			t.Fatalf("logo: %q, %d bytes, %v", ct, len(data), err)
		}
		if p, _ := s.CompanyProfile(ctx); !p.HasLogo || p.LogoUpdatedAt.IsZero() {
			t.Fatalf("profile does not report the logo: %+v", p)
		}
	})
}

func TestAcknowledgeCompletesMissionCourse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		// The course also lists its quiz: the assessments say whether it is passed.
		as := &assessed{}
		s := companyStoreWith(db, as)
		builtins, err := courses.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SyncBuiltins(ctx, builtins); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SavePromises(ctx, []courses.PromiseInput{{Text: callBack}, {Text: onTime}}); err != nil {
			t.Fatal(err)
		}
		amy := mustStaff(t, db, "E1")
		c, err := s.FindCourse(ctx, courses.MissionCourse)
		if err != nil {
			t.Fatal(err)
		}
		o, en, err := s.Start(ctx, amy, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range o.Lessons {
			comp, done, err := completeLesson(ctx, s, en, l.ID)
			if err != nil || done {
				t.Fatalf("lesson %s: complete=%v %v (%+v)", l.Slug, done, err, comp)
			}
		}
		acknowledge := func() (done bool, err error) {
			err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				done, err = s.AcknowledgePromises(ctx, tx, amy, ids(mustPromises(t, s)))
				return err
			})
			return done, err
		}
		done, err := acknowledge()
		if err != nil || done {
			t.Fatalf("acknowledged with the quiz outstanding: completed=%v %v", done, err)
		}
		as.mu.Lock()
		as.passed = true
		as.mu.Unlock()
		done, err = acknowledge()
		if err != nil || !done {
			t.Fatalf("acknowledging the last step: completed=%v %v", done, err)
		}
		done, err = acknowledge()
		if err != nil || done {
			t.Fatalf("acknowledging again: completed=%v %v", done, err)
		}
	})
}
