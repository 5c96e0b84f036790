package assessments_test

import (
	"fmt"

	"github.com/serviceacademy/academy/assessments"
)

// Three promises with who keeps each: the question on the first asks who
// keeps it, the other two promises' keepers are the wrong options.
func ExamplePromiseQuestions() {
	qs := assessments.PromiseQuestions([]assessments.PromiseSource{
		{ID: 1, Text: "If we cannot answer on the first call, we call you back within 4 working hours.",
			TimeLimit: "4 working hours", KeptBy: "the contact centre"},
		{ID: 2, Text: "Your engineer arrives within the booked 2-hour slot or calls ahead.", KeptBy: "the field service team"},
		{ID: 4, Text: "Every complaint is acknowledged the same working day.", KeptBy: "the customer relations team"},
	})
	for _, q := range qs[:2] {
		fmt.Printf("%s (%s): %s\n", q.Title, q.Type, q.Text)
		for _, o := range q.Options {
			fmt.Printf("  %s %s\n", map[bool]string{true: "=", false: "~"}[o.Weight == 100], o.Text)
		}
		fmt.Println("  feedback:", q.GeneralFeedback)
	}
	// Output:
	// promise-1-limit (true_false): True or false? The time limit of our promise “If we cannot answer on the first call, we call you back within …” is: 4 working hours.
	//   feedback: Our promise: “If we cannot answer on the first call, we call you back within 4 working hours”. Time limit: 4 working hours. Who keeps it: the contact centre.
	// promise-1-keeper (single_choice): Our promise: “If we cannot answer on the first call, we call you back within 4 working hours”. Who keeps this promise?
	//   ~ the field service team
	//   ~ the customer relations team
	//   = the contact centre
	//   feedback: Our promise: “If we cannot answer on the first call, we call you back within 4 working hours”. Time limit: 4 working hours. Who keeps it: the contact centre.
}
