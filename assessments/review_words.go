package assessments

import (
	"context"
	"strings"
)

// AcceptedInWords describes an accepted short answer for a learner's review
// without its wildcards: a plain answer is itself ("Check"); "*check*" is
// "an answer containing “check”", "check*" "an answer starting with
// “check”", "*follow*up*" "an answer containing “follow”, then “up”";
// "\*" is a literal asterisk and only stars is "any answer".
func AcceptedInWords(pattern string) string {
	const mark = "\x00"
	p := strings.ReplaceAll(strings.TrimSpace(pattern), `\*`, mark)
	unescape := func(s string) string { return strings.ReplaceAll(s, mark, "*") }
	if !strings.Contains(p, "*") {
		return unescape(p)
	}
	var pieces []string
	for _, piece := range strings.Split(p, "*") {
		if piece = strings.TrimSpace(piece); piece != "" {
			pieces = append(pieces, "“"+unescape(piece)+"”")
		}
	}
	if len(pieces) == 0 {
		return "any answer"
	}
	var starts, ends string
	if !strings.HasPrefix(p, "*") {
		starts, pieces = pieces[0], pieces[1:]
	}
	if !strings.HasSuffix(p, "*") && len(pieces) > 0 {
		ends, pieces = pieces[len(pieces)-1], pieces[:len(pieces)-1]
	}
	var clauses []string
	if starts != "" {
		clauses = append(clauses, "starting with "+starts)
	}
	if len(pieces) > 0 {
		clauses = append(clauses, "containing "+strings.Join(pieces, ", then "))
	}
	if ends != "" {
		clauses = append(clauses, "ending with "+ends)
	}
	return "an answer " + strings.Join(clauses, " and ")
}

// Verdict is what a submitted attempt comes to.
type Verdict string

const (
	VerdictPassed     Verdict = "passed"
	VerdictFailed     Verdict = "failed"
	VerdictPending    Verdict = "pending"      // the essays still to grade decide it
	VerdictOutOfReach Verdict = "out_of_reach" // waiting for grading, but full marks on the essays would not reach the pass mark
	VerdictAssured    Verdict = "assured"      // waiting for grading, but the pass mark is reached without the essays
)

// AttemptVerdict decides what a submitted attempt comes to: passed or
// failed when nothing waits for grading (passed is the recorded result);
// while essays worth pendingPoints wait for an assessor, out of reach when
// even full marks on them would leave the score under passMark, assured
// when the points already scored reach it (a grade only adds), else pending.
// points and maxPoints are the attempt's score so far and its maximum
// (essays included).
func AttemptVerdict(passed *bool, points, maxPoints, pendingPoints, passMark float64) Verdict {
	switch {
	case passed != nil && *passed:
		return VerdictPassed
	case passed != nil:
		return VerdictFailed
	case maxPoints <= 0:
		return VerdictPending
	case !Passed(100*(points+pendingPoints)/maxPoints, passMark):
		return VerdictOutOfReach
	case Passed(100*points/maxPoints, passMark):
		return VerdictAssured
	}
	return VerdictPending
}

// PendingPoints returns the most points the employee's submitted attempt's
// essays still waiting for an assessor can add; NotFound when the attempt
// is not theirs.
func (s *Store) PendingPoints(ctx context.Context, attemptID, employeeID int64) (float64, error) {
	a, err := loadAttempt(ctx, s.DB, attemptID, &employeeID, false)
	if err != nil {
		return 0, err
	}
	d, err := s.loadAttemptData(ctx, s.DB, a)
	if err != nil {
		return 0, err
	}
	sc := d.score()
	var pending float64
	for i, res := range sc.PerQuestion {
		if res.NeedsGrading && d.questions[i] != nil {
			pending += scoreMaxPoints(d.questions[i])
		}
	}
	return pending, nil
}
