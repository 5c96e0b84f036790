package assessments

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Generated questions on the company's own service promises live in the
// bank of the course that teaches the promises, in a category of their own
// and with a tag of their own (a quiz draws at least one by DrawPerTag).
const (
	PromiseCourse   = "mission-vision-promise"
	PromiseCategory = "mission-vision-promise/our-promises"
	PromiseTag      = "our-promises"
)

// PromiseSource is one active service promise as questions are generated
// from it: plain values, so this package need not know the courses.
type PromiseSource struct {
	ID   int64  // stable across versions: question ids are "promise-<ID>-<fact>"
	Text string // the promise as learners read it
	// The facts; "" when not given.
	ClockStarts, DoneWhen, TimeLimit, Exclusions, KeptBy string
}

// promiseFact is one kind of fact and how its questions are worded.
type promiseFact struct {
	key   string
	label string                     // in the feedback: "When the clock starts"
	get   func(PromiseSource) string // the fact of a promise
	ask   string                     // single-choice stem after the promise: "When does the clock start?"
	claim string                     // true/false statement: "%s" is the promise, "%s" the fact
}

var promiseFacts = []promiseFact{
	{"clock", "When the clock starts", func(p PromiseSource) string { return p.ClockStarts },
		"When does the clock start on this promise?", "For our promise “%s”, the clock starts: %s."},
	{"done", "What counts as done", func(p PromiseSource) string { return p.DoneWhen },
		"What counts as done, so that the promise is kept?", "Our promise “%s” counts as done when: %s."},
	{"limit", "Time limit", func(p PromiseSource) string { return p.TimeLimit },
		"What is the time limit of this promise?", "The time limit of our promise “%s” is: %s."},
	{"exclusions", "Limits", func(p PromiseSource) string { return p.Exclusions },
		"Which of these is a limit of this promise?", "A limit of our promise “%s” is: %s."},
	{"keeper", "Who keeps it", func(p PromiseSource) string { return p.KeptBy },
		"Who keeps this promise?", "Our promise “%s” is kept by: %s."},
}

// PromiseQuestionID is the id (and title) of the question on one fact
// ("clock", "done", "limit", "exclusions" or "keeper") of promise id.
func PromiseQuestionID(promiseID int64, fact string) string {
	return fmt.Sprintf("promise-%d-%s", promiseID, fact)
}

// maxPromiseDistractors is how many wrong options a generated single-choice
// question has at most.
const maxPromiseDistractors = 3

// PromiseQuestions generates, for every fact given on every promise, one
// question on it: a single choice when two or more other promises give a
// different fact of the same kind (the wrong options are those facts: the
// right kind of answer for the wrong promise) close enough in length to the
// key that it does not stand out (promiseDistractors), else a true/false statement
// (false, with another promise's fact, when there is one and the promise's
// id and fact make it so; true otherwise). The key's position varies with
// the promise and fact; there is no "all/none of the above". A fact that
// the promise's own text states is blanked out of the stem ("…"), so the
// stem does not give it away. Each question's id and title is
// PromiseQuestionID, its category PromiseCategory, its tag PromiseTag, and
// its general feedback restates the promise with all its facts. The result
// is the same for the same promises, so regenerating unchanged promises
// changes nothing.
func PromiseQuestions(promises []PromiseSource) []Question {
	var out []Question
	for i, p := range promises {
		for k, f := range promiseFacts {
			key := f.get(p)
			if key == "" {
				continue
			}
			wrong := promiseDistractors(promises, i, f, key)
			id := PromiseQuestionID(p.ID, f.key)
			q := Question{ID: id, Title: id, Format: "plain", Category: PromiseCategory, Tags: []string{PromiseTag},
				GeneralFeedback: restatePromise(p)}
			stemText := strings.TrimRight(blankOut(p.Text, key), ".")
			turn := int(p.ID%7) + k // varies the key's position and the true/false answer
			if len(wrong) >= 2 {
				q.Type = SingleChoice
				q.Text = fmt.Sprintf("Our promise: “%s”. %s", stemText, f.ask)
				n := len(wrong) + 1
				at := turn % n
				letters := "abcd"
				w := 0
				for j := range n {
					o := Option{ID: letters[j : j+1]}
					if j == at {
						o.Text, o.Weight, o.Feedback = key, 100, "Right."
					} else {
						o.Text, o.Feedback = wrong[w], "Not this promise: that is how another of our promises works."
						w++
					}
					q.Options = append(q.Options, o)
				}
			} else {
				// The false statement: another promise's fact of this kind, or
				// else this promise's start given as its end (or the other way
				// round), the commonest confusion of the two.
				wrongTF, why := "", "that belongs to another of our promises"
				if len(wrong) == 1 {
					wrongTF = wrong[0]
				} else if other, label := confusedFact(p, f.key); other != "" && !strings.EqualFold(other, key) {
					wrongTF, why = other, "that is "+strings.ToLower(label)+" for this promise, not "+strings.ToLower(f.label)
				}
				q.Type = TrueFalse
				q.Correct = wrongTF == "" || turn%2 == 0
				stated := key
				if !q.Correct {
					stated = wrongTF
				}
				q.Text = "True or false? " + fmt.Sprintf(f.claim, stemText, strings.TrimRight(stated, "."))
				if q.Correct {
					q.TrueFeedback, q.FalseFeedback = "Right.", "Not quite: that is how this promise works."
				} else {
					q.TrueFeedback, q.FalseFeedback = "Not quite: "+why+".", "Right: "+why+"."
				}
			}
			out = append(out, q)
		}
	}
	return out
}

// confusedFact returns the fact of p a learner is likeliest to mistake for
// the fact with key, and its label: the clock's start for what counts as
// done, and the other way round; "" for the other facts.
func confusedFact(p PromiseSource, key string) (string, string) {
	switch key {
	case "clock":
		return p.DoneWhen, promiseFacts[1].label
	case "done":
		return p.ClockStarts, promiseFacts[0].label
	}
	return "", ""
}

// promiseDistractors returns up to maxPromiseDistractors facts of kind f from
// the promises other than the i-th, different from key (letter case aside)
// and from each other: those closest in length to the key (ties to the
// promises after the i-th, so each borrows from its neighbours), so the key
// does not stand out by its length. When the key is still longer than the
// cue check allows (CheckQuestion's long-key rule), the shortest are dropped
// while two remain; if that is not enough only the closest one is returned,
// and the question becomes a true/false statement, which has no lengths to
// compare.
func promiseDistractors(promises []PromiseSource, i int, f promiseFact, key string) []string {
	seen := map[string]bool{strings.ToLower(key): true}
	var out []string
	for d := 1; d < len(promises); d++ {
		v := f.get(promises[(i+d)%len(promises)])
		if v == "" || seen[strings.ToLower(v)] {
			continue
		}
		seen[strings.ToLower(v)] = true
		out = append(out, v)
	}
	keyLen := cueLen(key)
	dist := func(v string) int { return absInt(cueLen(v) - keyLen) }
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(dist(a), dist(b)) })
	out = out[:min(len(out), maxPromiseDistractors)]
	tooLong := func() bool {
		sum := 0
		for _, v := range out {
			sum += cueLen(v)
		}
		return len(out) > 0 && cueTooLong(float64(keyLen), float64(sum)/float64(len(out)))
	}
	for len(out) > 2 && tooLong() {
		shortest := 0
		for j, v := range out {
			if cueLen(v) < cueLen(out[shortest]) {
				shortest = j
			}
		}
		out = slices.Delete(out, shortest, shortest+1)
	}
	if len(out) >= 2 && tooLong() {
		return out[:1]
	}
	return out
}

// blankOut replaces the first occurrence of fact in text (letter case
// aside) with "…".
func blankOut(text, fact string) string {
	i := strings.Index(strings.ToLower(text), strings.ToLower(fact))
	if i < 0 || len(strings.ToLower(text)) != len(text) {
		return text
	}
	return text[:i] + "…" + text[i+len(fact):]
}

// restatePromise is the feedback of every question on p: the promise and
// each of its facts.
func restatePromise(p PromiseSource) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Our promise: “%s”.", strings.TrimRight(p.Text, "."))
	for _, f := range promiseFacts {
		if v := f.get(p); v != "" {
			fmt.Fprintf(&b, " %s: %s.", f.label, strings.TrimRight(v, "."))
		}
	}
	return b.String()
}
