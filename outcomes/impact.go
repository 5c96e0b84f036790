package outcomes

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// The impact of a programme on a measure: a difference-in-differences over
// matched calendar windows, with a bootstrap confidence interval. Pure: no
// database, no clock.
//
// For each trained person with first completion on day c:
//
//	before = [c-W, c)      the W days up to the completion day
//	after  = [c+1, c+1+W)  the W days from the day after it
//
// The completion day itself is in neither window: events that day may have
// come before or after the training. The person's change is their figure
// (Measure.Figure) after minus before. The comparison change for those
// windows is the mean change, over the same calendar windows, of everyone
// not trained before the after window ends (no completion, or a first
// completion after day c+W) and employed since the before window began.
// The effect is the mean over trained people of (their change − the
// comparison change of their windows): a trend common to everyone cancels.
//
// A rating or value needs events in both windows to have a figure there; a
// count is a number of events per person per window (none is 0). Trained
// people whose windows have no comparison person, or whose after window
// has not ended by Through, are left out.

// NotTrained is the completion day of someone who has not completed.
const NotTrained Day = math.MaxInt32

// The minimums below which the report claims no effect (enough_data false),
// in this one place. Ten people a side is a small team's worth: below it a
// single person's good or bad quarter moves the mean too far for the
// interval to mean much; the interval itself says how sure the estimate is
// above it. Sixty events keep a rating's per-person shares from resting on
// one or two responses each.
const (
	MinTrained    = 10 // trained people with a figure in both windows
	MinComparison = 10 // comparison people with a figure in both windows of some trained person
	MinEvents     = 60 // events in the trained people's windows, before and after together
)

// ImpactResamples is the number of bootstrap resamples.
const ImpactResamples = 1000

// impactSeed seeds the bootstrap: the same data gives the same interval.
const impactSeed = 0x5e1ec7ab1e

// ImpactPerson is one person's facts for the estimator.
type ImpactPerson struct {
	Since     Day     // first day they could have events (hire date); 0 when unknown
	Completed Day     // their first completion of the programme, or NotTrained
	Points    []Point // their events of the measure, by day
}

// ImpactInput is what the estimator reads.
type ImpactInput struct {
	Measure    *Measure
	WindowDays int
	Through    Day // the last day with data: an after window must end by it
	People     []ImpactPerson
}

// Impact is the estimate, in the measure's reporting unit (percentage
// points for a share satisfied, the mean's unit for a mean, events per
// person per window for a count).
type Impact struct {
	WindowDays       int     `json:"window_days"`
	Trained          int     `json:"trained"`
	Comparison       int     `json:"comparison"`
	TrainedBefore    float64 `json:"trained_before"`
	TrainedAfter     float64 `json:"trained_after"`
	ComparisonBefore float64 `json:"comparison_before"`
	ComparisonAfter  float64 `json:"comparison_after"`
	Effect           float64 `json:"effect"`
	CILow            float64 `json:"ci_low"`
	CIHigh           float64 `json:"ci_high"`
	Method           string  `json:"method"`
	EnoughData       bool    `json:"enough_data"`
	Events           int     `json:"events"` // in the trained people's windows
}

// window is one pair of windows' figures of one person.
type window struct {
	before, after float64
	nBefore       int
	nAfter        int
	ok            bool
}

// personWindows computes p's figures over the windows of each anchor day
// (ascending) with four pointers moving forward: O(events + anchors).
// pre is scratch of at least len(points)+1.
func personWindows(m *Measure, pts []Point, anchors []Day, w Day, pre []float64, out []window) {
	pre[0] = 0
	if m.Percentages() {
		for i, p := range pts {
			v := 0.0
			if m.Satisfied(p.Value) {
				v = 100
			}
			pre[i+1] = pre[i] + v
		}
	} else {
		for i, p := range pts {
			pre[i+1] = pre[i] + p.Value
		}
	}
	var i0, i1, i2, i3 int
	n := len(pts)
	for k, c := range anchors {
		for i0 < n && pts[i0].Day < c-w {
			i0++
		}
		for i1 < n && pts[i1].Day < c {
			i1++
		}
		for i2 < n && pts[i2].Day < c+1 {
			i2++
		}
		for i3 < n && pts[i3].Day < c+1+w {
			i3++
		}
		out[k] = windowOf(m, pre, i0, i1, i2, i3)
	}
}

func windowOf(m *Measure, pre []float64, i0, i1, i2, i3 int) window {
	nb, na := i1-i0, i3-i2
	if m.Kind == Count {
		return window{before: float64(nb), after: float64(na), nBefore: nb, nAfter: na, ok: true}
	}
	if nb == 0 || na == 0 {
		return window{nBefore: nb, nAfter: na}
	}
	return window{before: (pre[i1] - pre[i0]) / float64(nb), after: (pre[i3] - pre[i2]) / float64(na), nBefore: nb, nAfter: na, ok: true}
}

// EstimateImpact estimates the programme's effect on the measure. With
// fewer people or events than the minimums, EnoughData is false and the
// effect and interval are zero (the group figures are still given).
func EstimateImpact(in ImpactInput) *Impact {
	m, w := in.Measure, Day(in.WindowDays)
	res := &Impact{WindowDays: in.WindowDays, Method: ImpactMethod(m, in.WindowDays)}
	maxPts := 0
	for i := range in.People {
		p := &in.People[i]
		if !slices.IsSortedFunc(p.Points, func(a, b Point) int { return cmp.Compare(a.Day, b.Day) }) {
			slices.SortStableFunc(p.Points, func(a, b Point) int { return cmp.Compare(a.Day, b.Day) })
		}
		maxPts = max(maxPts, len(p.Points))
	}
	pre := make([]float64, maxPts+1)
	// The trained people with a figure in both their windows.
	type trainee struct {
		change float64
		win    window
		g      int // index of their anchor
	}
	var trained []trainee
	var anchors []Day
	var one [1]window
	for i := range in.People {
		p := &in.People[i]
		c := p.Completed
		if c == NotTrained || c+w > in.Through || p.Since > c-w {
			continue
		}
		personWindows(m, p.Points, []Day{c}, w, pre, one[:])
		if !one[0].ok {
			continue
		}
		trained = append(trained, trainee{change: one[0].after - one[0].before, win: one[0], g: int(c)})
		anchors = append(anchors, c)
	}
	slices.Sort(anchors)
	anchors = slices.Compact(anchors)
	for i := range trained {
		trained[i].g, _ = slices.BinarySearch(anchors, Day(trained[i].g))
	}

	// Pass 1: each anchor's comparison sums.
	G := len(anchors)
	parts := splitPeople(len(in.People))
	type partial struct {
		n             []int
		before, after []float64
		influence     []float64
	}
	results := make([]partial, len(parts))
	eligible := func(p *ImpactPerson, pre []float64, wins []window, visit func(g int, win window)) {
		// Anchors whose after window ends before p's completion and whose
		// before window starts on or after p's start.
		lo, _ := slices.BinarySearch(anchors, p.Since+w)
		hi := G
		if p.Completed != NotTrained {
			hi, _ = slices.BinarySearch(anchors, p.Completed-w) // c+w < completed ⇔ c < completed-w
		}
		if lo >= hi {
			return
		}
		personWindows(m, p.Points, anchors[lo:hi], w, pre, wins[lo:hi])
		for g := lo; g < hi; g++ {
			if wins[g].ok {
				visit(g, wins[g])
			}
		}
	}
	inParts(parts, func(k int, from, to int) {
		r := partial{n: make([]int, G), before: make([]float64, G), after: make([]float64, G)}
		pre, wins := make([]float64, maxPts+1), make([]window, G)
		for i := from; i < to; i++ {
			eligible(&in.People[i], pre, wins, func(g int, win window) {
				r.n[g]++
				r.before[g] += win.before
				r.after[g] += win.after
			})
		}
		results[k] = r
	})
	cmpN := make([]int, G)
	cmpBefore, cmpAfter := make([]float64, G), make([]float64, G)
	for _, r := range results { // in order: the same sums whatever the scheduling
		for g := range G {
			cmpN[g] += r.n[g]
			cmpBefore[g] += r.before[g]
			cmpAfter[g] += r.after[g]
		}
	}
	// Trained people whose windows have no comparison are left out.
	trained = slices.DeleteFunc(trained, func(t trainee) bool { return cmpN[t.g] == 0 })
	T := len(trained)
	nG := make([]int, G)
	cmpChange := make([]float64, G)
	for g := range G {
		if cmpN[g] > 0 {
			cmpChange[g] = (cmpAfter[g] - cmpBefore[g]) / float64(cmpN[g])
		}
	}
	res.Trained = T
	var tDiff []float64 // each trained person's change minus their comparison change
	for _, t := range trained {
		nG[t.g]++
		res.TrainedBefore += t.win.before
		res.TrainedAfter += t.win.after
		res.Events += t.win.nBefore + t.win.nAfter
		tDiff = append(tDiff, t.change-cmpChange[t.g])
	}
	if T > 0 {
		res.TrainedBefore /= float64(T)
		res.TrainedAfter /= float64(T)
	}

	// Pass 2: each comparison person's influence on the comparison term
	// (centred, so the influences sum to zero), and who compared at all.
	k := make([]float64, G) // weight of one comparison person's change in anchor g
	for g := range G {
		if nG[g] > 0 {
			k[g] = float64(nG[g]) / float64(T) / float64(cmpN[g])
			res.ComparisonBefore += float64(nG[g]) / float64(T) * cmpBefore[g] / float64(cmpN[g])
			res.ComparisonAfter += float64(nG[g]) / float64(T) * cmpAfter[g] / float64(cmpN[g])
		}
	}
	inParts(parts, func(part int, from, to int) {
		pre, wins := make([]float64, maxPts+1), make([]window, G)
		var out []float64
		for i := from; i < to; i++ {
			var a float64
			used := false
			eligible(&in.People[i], pre, wins, func(g int, win window) {
				if nG[g] == 0 {
					return
				}
				used = true
				a += k[g] * ((win.after - win.before) - cmpChange[g])
			})
			if used {
				out = append(out, a)
			}
		}
		results[part].influence = out
	})
	var influence []float64
	for _, r := range results {
		influence = append(influence, r.influence...)
	}
	res.Comparison = len(influence)
	if T == 0 {
		return res
	}
	var sum float64
	for _, d := range tDiff {
		sum += d
	}
	effect := sum / float64(T)
	if T < MinTrained || res.Comparison < MinComparison || res.Events < MinEvents {
		return res
	}
	res.EnoughData = true
	res.Effect = effect
	res.CILow, res.CIHigh = bootstrap(tDiff, influence)
	return res
}

// bootstrap is the 95% percentile interval of the effect over
// ImpactResamples resamples of the trained people (their differences) and
// of the comparison people (each one's centred influence on the comparison
// term: a resample adds the influence of each person drawn, once per draw;
// the influences sum to zero, so the full sample adds nothing). The
// resamples run in fixed blocks, each with its own generator seeded from a
// fixed seed, the block and the group sizes: the same data gives the same
// interval however the blocks are scheduled.
func bootstrap(tDiff, influence []float64) (lo, hi float64) {
	T, C := len(tDiff), len(influence)
	est := make([]float64, ImpactResamples)
	const blocks = 8
	inParts(splitN(ImpactResamples, blocks), func(b, from, to int) {
		r := newFastRand(impactSeed ^ uint64(b)<<56 ^ uint64(T)<<28 ^ uint64(C))
		for i := from; i < to; i++ {
			var s, a float64
			for range T {
				s += tDiff[r.index(T)]
			}
			for range C {
				a += influence[r.index(C)]
			}
			est[i] = s/float64(T) - a
		}
	})
	slices.Sort(est)
	return quantile(est, 0.025), quantile(est, 0.975)
}

// fastRand is wyrand: a small, fast generator for the resampling's indices.
type fastRand struct{ state uint64 }

func newFastRand(seed uint64) *fastRand { return &fastRand{state: seed} }

// index is a number in [0, n) (Lemire's multiply-shift on 32 random bits;
// the bias, below n/2^32, is far under the bootstrap's own noise).
func (r *fastRand) index(n int) int {
	r.state += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.state, r.state^0xe7037ed1a0b428db)
	x := uint32(hi ^ lo)
	return int(uint64(x) * uint64(n) >> 32)
}

// splitPeople cuts n people into fixed parts for the passes.
func splitPeople(n int) [][2]int { return splitN(n, 8) }

// splitN cuts [0, n) into k contiguous parts (some may be empty).
func splitN(n, k int) [][2]int {
	out := make([][2]int, k)
	for i := range k {
		out[i] = [2]int{n * i / k, n * (i + 1) / k}
	}
	return out
}

// inParts runs f on each part, up to GOMAXPROCS at once, and waits.
func inParts(parts [][2]int, f func(part, from, to int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i, p[0], p[1])
		}()
	}
	wg.Wait()
}

// quantile of sorted xs, interpolated between the closest ranks.
func quantile(xs []float64, q float64) float64 {
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

// ImpactMethod says in words what was compared.
func ImpactMethod(m *Measure, windowDays int) string {
	fig := "their share of satisfied customers"
	switch {
	case m.Percentages():
	case m.Kind == Count:
		fig = "their number of " + m.unitWord()
	case m.Kind == Rating:
		fig = "their mean score"
	case m.Kind == Value:
		fig = "their mean " + m.Title
	}
	return fmt.Sprintf("Difference in differences over matched calendar windows: for each person who completed the programme, %s in the %d days before the day they first completed it and in the %d days after it (the day itself in neither), "+
		"minus the change over the same calendar days among colleagues who had not completed it by the end of those %d days. "+
		"The effect is the mean of these differences over the trained people, so a change everyone saw cancels out. "+
		"The 95%% interval comes from %d bootstrap resamples of the people (seeded: the same data gives the same numbers). "+
		"No effect is claimed below %d trained and %d comparison people with figures in both windows and %d events. "+
		"This compares groups of people: it is not proof that the training made the difference.",
		fig, windowDays, windowDays, windowDays, ImpactResamples, MinTrained, MinComparison, MinEvents)
}

// unitWord is a count's unit for sentences ("complaints"), lower case.
func (m *Measure) unitWord() string {
	if u := strings.TrimSpace(m.Unit); u != "" {
		return strings.ToLower(u)
	}
	return "events"
}

// CoversZero reports whether the interval includes no change.
func (im *Impact) CoversZero() bool { return im.CILow <= 0 && im.CIHigh >= 0 }

// amount formats a magnitude of the measure's effect: "7.8 points",
// "0.32 points on the 1-5 scale", "1.4 complaints per person", "3.1 minutes".
func (m *Measure) amount(v float64, withUnit bool) string {
	n := fmt.Sprintf("%.2f", v)
	if m.Percentages() {
		n = fmt.Sprintf("%.1f", v)
	}
	if !withUnit {
		return n
	}
	switch {
	case m.Percentages():
		return n + " points"
	case m.Kind == Rating:
		return n + " points on the " + string(m.Scale) + " scale"
	case m.Kind == Count:
		return n + " " + m.unitWord() + " per person"
	}
	if u := strings.TrimSpace(m.Unit); u != "" {
		return n + " " + u
	}
	return n
}

// ImpactSentence is the one sentence a director reads: what changed, by how
// much, compared with whom, or that there is not enough data yet. It never
// says the training caused the change.
func ImpactSentence(m *Measure, programme string, im *Impact) string {
	what := m.Title
	after := fmt.Sprintf("in the %d days after %s", im.WindowDays, programme)
	if !im.EnoughData {
		return fmt.Sprintf("Not enough data yet to compare %s %s with colleagues not yet trained (need at least %d trained and %d comparison people with figures before and after, and %d events; there are %d trained, %d comparison and %d events).",
			lowerFirst(what), after, MinTrained, MinComparison, MinEvents, im.Trained, im.Comparison, im.Events)
	}
	groups := fmt.Sprintf("(%d trained, %d comparison)", im.Trained, im.Comparison)
	if im.CoversZero() {
		return fmt.Sprintf("No change in %s %s could be told apart from chance, compared with colleagues not yet trained: the estimate is %s%s (95%% CI %s to %s) %s.",
			lowerFirst(what), after, signOf(im.Effect), m.amount(math.Abs(im.Effect), true), signed(m, im.CILow), signed(m, im.CIHigh), groups)
	}
	verb, lo, hi := "rose", im.CILow, im.CIHigh
	if im.Effect < 0 {
		verb, lo, hi = "fell", -im.CIHigh, -im.CILow
	}
	judgement := ""
	if !m.HigherIsBetter {
		if im.Effect < 0 {
			judgement = " — an improvement, since lower is better"
		} else {
			judgement = " — a worsening, since lower is better"
		}
	}
	return fmt.Sprintf("%s %s %s (95%% CI %s to %s) %s, compared with colleagues not yet trained %s%s.",
		what, verb, m.amount(math.Abs(im.Effect), true), m.amount(lo, false), m.amount(hi, false), after, groups, judgement)
}

func signOf(v float64) string {
	if v < 0 {
		return "−"
	}
	return "+"
}

func signed(m *Measure, v float64) string {
	if v < 0 {
		return "−" + m.amount(-v, false)
	}
	return m.amount(v, false)
}

func lowerFirst(s string) string {
	if s == "" || strings.ToUpper(s) == s { // keep acronyms such as CSAT
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
