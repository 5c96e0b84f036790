package courses

import (
	"slices"
	"strconv"
	"strings"

	"github.com/serviceacademy/academy/store"
)

// Ladder is a programme's reminders, each a list of whole days: due soon
// (days before the due date), overdue to the learner, their manager and HR
// (days after the first overdue day: 0 is that day, the day after the due
// date), and a certificate expiring (days before its expiry date). An
// empty list sends none of that reminder.
type Ladder struct {
	DueSoon        []int
	OverdueLearner []int
	OverdueManager []int
	OverdueHR      []int
	Expiring       []int
}

// DefaultLadder is a new programme's: 7 and 1 days before the due date;
// the learner on the first overdue day, the learner and their manager a
// week later, HR a week after that; 30 and 7 days before a certificate
// expires.
var DefaultLadder = LadderInput{DueSoon: "7, 1", OverdueLearner: "0, 7", OverdueManager: "7", OverdueHR: "14", Expiring: "30, 7"}

// LadderInput is the ladder as the programme form gives it: each a list of
// days separated by commas or spaces.
type LadderInput struct {
	DueSoon, OverdueLearner, OverdueManager, OverdueHR, Expiring string
}

// Limits of a ladder.
const (
	MaxLadderSteps = 6
	MaxLadderDays  = 365
)

// ladderField is one list of the ladder: its form field, its lowest day,
// and whether it counts days before a date (listed from the furthest).
type ladderField struct {
	field  string
	what   string
	min    int
	before bool
}

var ladderFields = []ladderField{
	{"remind_due_days", "days before the due date", 1, true},
	{"overdue_learner_days", "days overdue", 0, false},
	{"overdue_manager_days", "days overdue", 0, false},
	{"overdue_hr_days", "days overdue", 0, false},
	{"expiry_remind_days", "days before the expiry", 1, true},
}

func (in *LadderInput) values() []*string {
	return []*string{&in.DueSoon, &in.OverdueLearner, &in.OverdueManager, &in.OverdueHR, &in.Expiring}
}

// Check tidies each list (sorted, duplicates dropped, "7, 1") and returns
// every problem as an Invalid error naming its field: remind_due_days,
// overdue_learner_days, overdue_manager_days, overdue_hr_days,
// expiry_remind_days.
func (in *LadderInput) Check() []*store.Error {
	var errs []*store.Error
	for i, v := range in.values() {
		f := ladderFields[i]
		days, err := parseDays(*v, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*v = formatDays(days)
	}
	return errs
}

// parseDays reads a list of days ("" is none).
func parseDays(s string, f ladderField) ([]int, *store.Error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
	var days []int
	for _, w := range fields {
		n, err := strconv.Atoi(w)
		if err != nil || n < f.min || n > MaxLadderDays {
			return nil, store.FieldError(f.field, "%q is not a number of %s: give whole numbers from %d to %d, separated by commas (or leave it empty for none).",
				w, f.what, f.min, MaxLadderDays)
		}
		if !slices.Contains(days, n) {
			days = append(days, n)
		}
	}
	if len(days) > MaxLadderSteps {
		return nil, store.FieldError(f.field, "Give at most %d reminders here; there are %d.", MaxLadderSteps, len(days))
	}
	slices.Sort(days)
	if f.before {
		slices.Reverse(days)
	}
	return days, nil
}

func formatDays(days []int) string {
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ", ")
}

// LadderInput is the programme's ladder as the form shows it.
func (p *Programme) LadderInput() LadderInput {
	return LadderInput{DueSoon: p.RemindDueDays, OverdueLearner: p.OverdueLearnerDays, OverdueManager: p.OverdueManagerDays,
		OverdueHR: p.OverdueHRDays, Expiring: p.ExpiryRemindDays}
}

// Ladder is the programme's ladder (a stored list that does not read is
// none: Check keeps them readable).
func (p *Programme) Ladder() Ladder {
	in := p.LadderInput()
	var l Ladder
	for i, dst := range []*[]int{&l.DueSoon, &l.OverdueLearner, &l.OverdueManager, &l.OverdueHR, &l.Expiring} {
		*dst, _ = parseDays(*in.values()[i], ladderFields[i])
	}
	return l
}

func (p *Programme) setLadder(in LadderInput) {
	p.RemindDueDays, p.OverdueLearnerDays, p.OverdueManagerDays, p.OverdueHRDays, p.ExpiryRemindDays =
		in.DueSoon, in.OverdueLearner, in.OverdueManager, in.OverdueHR, in.Expiring
}
