package outcomes

// MonthFigure is one calendar month of the impact chart: the measure's
// figure among people who had completed the programme before the month
// began and among those who had not completed it by the month's end
// (people completing during the month are in neither), and how many first
// completions the month saw.
type MonthFigure struct {
	Month            Day // the month's first day
	Trained          float64
	TrainedOK        bool // false: no figure (no events, or nobody trained yet)
	Comparison       float64
	ComparisonOK     bool
	TrainedPeople    int // people in the group that month (employed by its end)
	ComparisonPeople int
	Completions      int
}

// Label is the month as "Mar 2026".
func (f MonthFigure) Label() string { return f.Month.Date().Format("Jan 2006") }

// ImpactMonths returns the measure month by month from the month of from
// to the month of through: a group's figure pools its events (the share
// satisfied, the mean), and a count is events per person in the group.
func ImpactMonths(m *Measure, people []ImpactPerson, from, through Day) []MonthFigure {
	if through < from {
		return nil
	}
	var starts []Day // first day of each month, and the day after the last
	t := from.Date()
	for d := DateDay(t.Year(), t.Month(), 1); d <= through; {
		starts = append(starts, d)
		y, mo, _ := d.Date().Date()
		d = DateDay(y, mo+1, 1)
		if d > through {
			starts = append(starts, d)
		}
	}
	n := len(starts) - 1
	out := make([]MonthFigure, n)
	type acc struct {
		sum float64
		n   int
	}
	tr, cm := make([]acc, n), make([]acc, n)
	monthOf := func(d Day) int { // the month holding d, or -1
		lo, hi := 0, n
		for lo < hi {
			mid := (lo + hi) / 2
			if starts[mid+1] <= d {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo >= n || d < starts[0] {
			return -1
		}
		return lo
	}
	for i := range out {
		out[i].Month = starts[i]
	}
	for pi := range people {
		p := &people[pi]
		c := p.Completed
		if c != NotTrained {
			if k := monthOf(c); k >= 0 {
				out[k].Completions++
			}
		}
		for k := range n {
			if p.Since >= starts[k+1] {
				continue
			}
			switch {
			case c < starts[k]:
				out[k].TrainedPeople++
			case c >= starts[k+1]:
				out[k].ComparisonPeople++
			}
		}
		k := -1
		for _, pt := range p.Points {
			if k < 0 || pt.Day < starts[k] || pt.Day >= starts[k+1] {
				if k = monthOf(pt.Day); k < 0 {
					continue
				}
			}
			v := pt.Value
			if m.Percentages() {
				v = 0
				if m.Satisfied(pt.Value) {
					v = 100
				}
			}
			switch {
			case c < starts[k]:
				tr[k].sum += v
				tr[k].n++
			case c >= starts[k+1]:
				cm[k].sum += v
				cm[k].n++
			}
		}
	}
	for k := range out {
		f := &out[k]
		f.Trained, f.TrainedOK = groupFigure(m, tr[k].sum, tr[k].n, f.TrainedPeople)
		f.Comparison, f.ComparisonOK = groupFigure(m, cm[k].sum, cm[k].n, f.ComparisonPeople)
	}
	return out
}

func groupFigure(m *Measure, sum float64, events, people int) (float64, bool) {
	if m.Kind == Count {
		if people == 0 {
			return 0, false
		}
		return float64(events) / float64(people), true
	}
	if events == 0 {
		return 0, false
	}
	return sum / float64(events), true
}
