package assessments

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"
)

func ptr(f float64) *float64 { return &f }

func sameFigure(got, want *float64) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	return math.Abs(*got-*want) < 0.005
}

func fig(f *float64) any {
	if f == nil {
		return "nil"
	}
	return *f
}

func TestAnalyseItems(t *testing.T) {
	// A: single choice, 1 point, options a (right), b, c.
	// B: true/false, the answer is true, 1 point.
	// C: short answer, 2 points.
	abc := []ItemQuestion{
		{RowID: 1, QID: "a", Version: 1, Type: SingleChoice, MaxPoints: 1,
			Options: []ItemOption{{ID: "a", Text: "a", Right: true}, {ID: "b", Text: "b"}, {ID: "c", Text: "c"}}},
		{RowID: 2, QID: "b", Version: 1, Type: TrueFalse, MaxPoints: 1,
			Options: []ItemOption{{ID: "true", Text: "True", Right: true}, {ID: "false", Text: "False"}}},
		{RowID: 3, QID: "c", Version: 1, Type: ShortAnswer, MaxPoints: 2},
	}
	sc := func(c int, pts float64) ItemResponse {
		return ItemResponse{RowID: 1, Points: pts, Answered: true, Choices: []int{c}}
	}
	tf := func(c int, pts float64) ItemResponse {
		return ItemResponse{RowID: 2, Points: pts, Answered: true, Choices: []int{c}}
	}
	sa := func(text string, pts float64) ItemResponse {
		return ItemResponse{RowID: 3, Points: pts, Answered: text != "", Text: text}
	}
	// Q: edited between attempts. Version 1 (row 10) has options a (right),
	// b; version 2 (row 11) has a (right), b, c. P (row 20) is unchanged.
	versions := []ItemQuestion{
		{RowID: 10, QID: "q", Version: 1, Type: SingleChoice, MaxPoints: 1,
			Options: []ItemOption{{ID: "a", Text: "a", Right: true}, {ID: "b", Text: "b"}}},
		{RowID: 11, QID: "q", Version: 2, Type: SingleChoice, MaxPoints: 1,
			Options: []ItemOption{{ID: "a", Text: "a", Right: true}, {ID: "b", Text: "b"}, {ID: "c", Text: "c"}}},
		{RowID: 20, QID: "p", Version: 1, Type: Numeric, MaxPoints: 1},
	}
	q := func(row int64, c int, pts float64) ItemResponse {
		return ItemResponse{RowID: row, Points: pts, Answered: true, Choices: []int{c}}
	}
	p := func(text string, pts float64) ItemResponse {
		return ItemResponse{RowID: 20, Points: pts, Answered: true, Text: text}
	}
	two := []ItemQuestion{
		{RowID: 1, QID: "one", Version: 1, Type: TrueFalse, MaxPoints: 1,
			Options: []ItemOption{{ID: "true", Text: "True", Right: true}, {ID: "false", Text: "False"}}},
		{RowID: 2, QID: "two", Version: 1, Type: TrueFalse, MaxPoints: 1,
			Options: []ItemOption{{ID: "true", Text: "True"}, {ID: "false", Text: "False", Right: true}}},
	}
	type want struct {
		qid            string
		version        int
		attempts       int
		blank          int
		facility       *float64
		discrimination *float64
		flags          []string
		counts         []int    // option counts, in order
		texts          []string // most common responses, in order (nil: not checked)
	}
	tests := []struct {
		name      string
		questions []ItemQuestion
		attempts  [][]ItemResponse
		want      []want
	}{
		{
			// x is the item's points, y the rest of the attempt.
			// A: x = 1,1,1,0,0  y = 3,3,0,1,0. Means .6 and 1.4;
			//    Σdxdy = .64+.64-.56+.24+.84 = 1.8, Σdx² = 1.2, Σdy² = 9.2,
			//    r = 1.8/√11.04 = .5417. Facility 3/5 = 60%. Nobody chose c.
			// B: x = 1,1,0,1,0  y = 3,3,1,0,0: Σdxdy = 1.8, Σdx² = 1.2,
			//    Σdy² = 9.2, r = .5417; facility 60%.
			// C: x = 2,2,0,0,0  y = 2,2,1,1,0. Means .8 and 1.2;
			//    Σdxdy = .96+.96+.16+.16+.96 = 3.2, Σdx² = 4.8, Σdy² = 2.8,
			//    r = 3.2/√13.44 = .8729. Facility .8/2 = 40%. One blank.
			name:      "ThreeTypes",
			questions: abc,
			attempts: [][]ItemResponse{
				{sc(0, 1), tf(0, 1), sa("queue", 2)},
				{sc(0, 1), tf(0, 1), sa("queue", 2)},
				{sc(0, 1), tf(1, 0), sa("line", 0)},
				{sc(1, 0), tf(0, 1), sa("", 0)},
				{sc(1, 0), tf(1, 0), sa("line", 0)},
			},
			want: []want{
				{qid: "a", version: 1, attempts: 5, facility: ptr(60), discrimination: ptr(54.17), flags: []string{"nobody chose “c”"}, counts: []int{3, 2, 0}},
				{qid: "b", version: 1, attempts: 5, facility: ptr(60), discrimination: ptr(54.17), counts: []int{3, 2}},
				{qid: "c", version: 1, attempts: 5, blank: 1, facility: ptr(40), discrimination: ptr(87.29), counts: []int{2, 2}, texts: []string{"line", "queue"}},
			},
		},
		{
			// one: x = 1,0,1  y = 0,1,0: r = -1. Facility 2/3.
			// two: x = 0,1,0  y = 1,0,1: r = -1. Facility 1/3.
			name:      "NegativeDiscrimination",
			questions: two,
			attempts: [][]ItemResponse{
				{q(1, 0, 1), q(2, 0, 0)},
				{q(1, 1, 0), q(2, 1, 1)},
				{q(1, 0, 1), q(2, 0, 0)},
			},
			want: []want{
				{qid: "one", version: 1, attempts: 3, facility: ptr(66.67), discrimination: ptr(-100), flags: []string{"negative discrimination"}, counts: []int{2, 1}},
				{qid: "two", version: 1, attempts: 3, facility: ptr(33.33), discrimination: ptr(-100), flags: []string{"negative discrimination"}, counts: []int{2, 1}},
			},
		},
		{
			// Everyone gets one right and two wrong: facility 100% and 0%;
			// neither varies, so no discrimination index.
			name:      "TooEasyTooHard",
			questions: two,
			attempts: [][]ItemResponse{
				{q(1, 0, 1), q(2, 0, 0)},
				{q(1, 0, 1), q(2, 0, 0)},
			},
			want: []want{
				{qid: "one", version: 1, attempts: 2, facility: ptr(100), flags: []string{"too easy", "nobody chose “False”"}, counts: []int{2, 0}},
				{qid: "two", version: 1, attempts: 2, facility: ptr(0), flags: []string{"too hard", "nobody chose “False”"}, counts: []int{2, 0}},
			},
		},
		{
			// Q version 1: x = 1,0  y = 1,0: r = 1, facility 50%.
			// Q version 2: x = 1,1: no variance; facility 100%; b and c unchosen.
			// Q all versions: x = 1,0,1,1  y = 1,0,0,1. Means .75 and .5;
			//    Σdxdy = .125+.375-.125+.125 = .5, Σdx² = .75, Σdy² = 1,
			//    r = .5/√.75 = .5774; facility 3/4.
			// P: x = 1,0,0,1  y = 1,0,1,1: Σdxdy = .5, Σdx² = 1, Σdy² = .75,
			//    r = .5774; facility 50%.
			name:      "EditedBetweenAttempts",
			questions: versions,
			attempts: [][]ItemResponse{
				{q(10, 0, 1), p("12", 1)},
				{q(10, 1, 0), p("13", 0)},
				{q(11, 0, 1), p("13", 0)},
				{q(11, 0, 1), p("12", 1)},
			},
			want: []want{
				{qid: "q", version: 1, attempts: 2, facility: ptr(50), discrimination: ptr(100), counts: []int{1, 1}},
				{qid: "q", version: 2, attempts: 2, facility: ptr(100), flags: []string{"too easy", "nobody chose “b”", "nobody chose “c”"}, counts: []int{2, 0, 0}},
				{qid: "q", version: 0, attempts: 4, facility: ptr(75), discrimination: ptr(57.74)},
				{qid: "p", version: 1, attempts: 4, facility: ptr(50), discrimination: ptr(57.74), counts: []int{2, 2}, texts: []string{"12", "13"}},
			},
		},
		{
			name:      "NoAttempts",
			questions: abc,
			want: []want{
				{qid: "a", version: 1, counts: []int{0, 0, 0}},
				{qid: "b", version: 1, counts: []int{0, 0}},
				{qid: "c", version: 1, texts: []string{}},
			},
		},
		{
			// One attempt: a facility, but no correlation.
			name:      "OneAttempt",
			questions: two,
			attempts:  [][]ItemResponse{{q(1, 0, 1), {RowID: 2}}},
			want: []want{
				{qid: "one", version: 1, attempts: 1, facility: ptr(100), flags: []string{"too easy", "nobody chose “False”"}, counts: []int{1, 0}},
				{qid: "two", version: 1, attempts: 1, blank: 1, facility: ptr(0), flags: []string{"too hard", "nobody chose “True”", "nobody chose “False”"}, counts: []int{0, 0}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := AnalyseItems(tt.questions, tt.attempts)
			if rep.Attempts != len(tt.attempts) {
				t.Errorf("attempts %d, want %d", rep.Attempts, len(tt.attempts))
			}
			if len(rep.Items) != len(tt.want) {
				t.Fatalf("%d items, want %d: %+v", len(rep.Items), len(tt.want), rep.Items)
			}
			for i, w := range tt.want {
				g := rep.Items[i]
				if g.QID != w.qid || g.Version != w.version || g.Attempts != w.attempts || g.Blank != w.blank {
					t.Errorf("item %d: %s v%d, %d attempts, %d blank; want %s v%d, %d, %d", i, g.QID, g.Version, g.Attempts, g.Blank, w.qid, w.version, w.attempts, w.blank)
				}
				if !sameFigure(g.Facility, w.facility) {
					t.Errorf("item %d facility %v, want %v", i, fig(g.Facility), fig(w.facility))
				}
				if !sameFigure(g.Discrimination, w.discrimination) {
					t.Errorf("item %d discrimination %v, want %v", i, fig(g.Discrimination), fig(w.discrimination))
				}
				if f := g.Flags(); !slices.Equal(f, w.flags) {
					t.Errorf("item %d flags %q, want %q", i, f, w.flags)
				}
				var counts []int
				var texts []string
				for _, o := range g.Options {
					counts = append(counts, o.Count)
					texts = append(texts, o.Text)
				}
				if w.counts != nil && !slices.Equal(counts, w.counts) {
					t.Errorf("item %d counts %v, want %v", i, counts, w.counts)
				}
				if w.texts != nil && (!g.MostCommon || len(texts) != len(w.texts) || !slices.Equal(texts, w.texts) && len(w.texts) > 0) {
					t.Errorf("item %d responses %q (most common %v), want %q", i, texts, g.MostCommon, w.texts)
				}
			}
		})
	}
}

func TestAnalyseItemsMostCommonKeepsFive(t *testing.T) {
	qs := []ItemQuestion{{RowID: 1, QID: "s", Version: 1, Type: ShortAnswer, MaxPoints: 1}}
	var atts [][]ItemResponse
	for i, text := range []string{"f", "e", "d", "c", "b", "a", "a", "b"} {
		_ = i
		atts = append(atts, []ItemResponse{{RowID: 1, Answered: true, Text: text}})
	}
	rep := AnalyseItems(qs, atts)
	var got []string
	for _, o := range rep.Items[0].Options {
		got = append(got, o.Text)
	}
	// a and b twice (25% each), then c, d, e by text; f is left off.
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) || rep.Items[0].Options[0].Percent != 25 {
		t.Errorf("most common %q (%+v), want %q", got, rep.Items[0].Options, want)
	}
}

// TestDecodeResponse: the quick reader agrees with encoding/json on what
// json.Marshal writes, escapes included, and on other JSON.
func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name string
		r    Response
		raw  string
	}{
		{name: "Choice", r: Response{Choice: "b"}},
		{name: "Choices", r: Response{Choices: []string{"a", "c"}}},
		{name: "EmptyChoices", r: Response{Choices: []string{}}},
		{name: "Text", r: Response{Text: "4217,6"}},
		{name: "TextWithQuote", r: Response{Text: `say "sorry" \ then`}},
		{name: "Matches", r: Response{Matches: map[string]string{"p1": "p2", "p2": "p1"}}},
		{name: "Order", r: Response{Order: []string{"b", "a", "c"}}},
		{name: "Unicode", r: Response{Text: "café <b>"}},
		{name: "OtherKeyOrder", raw: `{"Text":"x","Choice":"a"}`, r: Response{Text: "x", Choice: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.raw)
			if tt.raw == "" {
				var err error
				if raw, err = json.Marshal(tt.r); err != nil {
					t.Fatal(err)
				}
			}
			var want, got Response
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			if err := decodeResponse(raw, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: got %+v, want %+v", raw, got, want)
			}
		})
	}
	var r Response
	if err := decodeResponse([]byte(`{"Choice":`), &r); err == nil {
		t.Error("a cut response decoded")
	}
}
