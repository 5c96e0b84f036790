package assessments

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/store"
)

// answerBody is the JSON a quiz page autosaves (app's answerRequest).
type answerBody struct {
	Question int64    `json:"question"`
	Response Response `json:"response"`
}

// FuzzAnswer sends fuzzed autosave bodies at the built-in questions, drawn
// as an attempt draws them, through the checks SaveAnswer and Submit apply:
// a response that does not fit is an Invalid *ResponseError (a 4xx naming the
// question); one that fits is stored as JSON that reads back the same, scores
// within 0..Points, and, shown to the learner again (toShown) and saved from
// that page, scores the same.
func FuzzAnswer(f *testing.F) {
	banks, err := BuiltinBanks()
	if err != nil {
		f.Fatal(err)
	}
	names := make([]string, 0, len(banks))
	for name := range banks {
		names = append(names, name)
	}
	slices.Sort(names)
	var qs []Question
	for _, name := range names {
		qs = append(qs, banks[name]...)
	}
	perType := map[Type]int{}
	for i, q := range qs {
		if perType[q.Type]++; perType[q.Type] > 2 { // a few of each type keep the seeds quick to run
			continue
		}
		var bodies []string
		switch q.Type {
		case SingleChoice, MissingWord:
			bodies = []string{`{"question":1,"response":{"Choice":"1"}}`, `{"question":1,"response":{"Choice":"01"}}`}
		case TrueFalse:
			bodies = []string{`{"question":1,"response":{"Choice":"true"}}`, `{"question":1,"response":{"Choice":"yes"}}`}
		case MultipleResponse:
			bodies = []string{`{"question":1,"response":{"Choices":["1","3"]}}`, `{"question":1,"response":{"Choices":["1","1","0"]}}`}
		case Ordering:
			bodies = []string{`{"question":1,"response":{"Order":["2","1","3"]}}`, `{"question":1,"response":{"Order":["1","1"]}}`}
		case Matching:
			bodies = []string{`{"question":1,"response":{"Matches":{"1":"2","2":""}}}`, `{"question":1,"response":{"Matches":{"9":"1"}}}`}
		case Numeric:
			bodies = []string{`{"question":1,"response":{"Text":"3,5"}}`, `{"question":1,"response":{"Text":"1e309"}}`}
		default:
			bodies = []string{`{"question":1,"response":{"Text":"I would listen first"}}`, `{"question":1,"response":{"Text":"\ud800"}}`}
		}
		for _, b := range bodies {
			f.Add(uint16(i), uint64(i), i%2 == 0, []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, qi uint16, seed uint64, shuffle bool, body []byte) {
		q := &qs[int(qi)%len(qs)]
		it := drawItem(&BankQuestion{ID: 1, Question: *q}, shuffle, rand.New(rand.NewPCG(seed, 1)))
		var req answerBody
		if json.Unmarshal(body, &req) != nil {
			return // the page answers 422 before any of this
		}
		refused := func(step string, err error) bool {
			t.Helper()
			if err == nil {
				return false
			}
			var re *ResponseError
			if !errors.As(err, &re) || store.KindOf(err) != store.Invalid || store.FieldOf(err) != q.ID || strings.TrimSpace(re.Message) == "" {
				t.Fatalf("%s refused %+v with %#v: want an Invalid *ResponseError on %s with a message", step, req.Response, err, q.ID)
			}
			return true
		}
		authored, err := toAuthored(q, &it, req.Response)
		if refused("toAuthored", err) || refused("ValidateResponse", ValidateResponse(q, authored)) {
			return
		}
		stored, err := json.Marshal(authored)
		if err != nil {
			t.Fatalf("a valid response cannot be stored: %v", err)
		}
		var back Response
		if err := json.Unmarshal(stored, &back); err != nil || !reflect.DeepEqual(back, authored) {
			t.Fatalf("stored %s reads back as %+v (%v), want %+v", stored, back, err, authored)
		}
		res := Score(q, authored)
		if math.IsNaN(res.Fraction) || res.Fraction < 0 || res.Fraction > 1 || res.Points != res.Fraction*scoreMaxPoints(q) {
			t.Fatalf("%s %q scored %+v", q.Type, q.ID, res)
		}
		shown := toShown(q, &it, authored)
		again, err := toAuthored(q, &it, shown)
		if err != nil || ValidateResponse(q, again) != nil {
			t.Fatalf("the answer as the page shows it (%+v) does not save: %v", shown, err)
		}
		if res2 := Score(q, again); res2.Fraction != res.Fraction {
			t.Fatalf("saved again from the page the answer scores %v, first %v (shown %+v)", res2.Fraction, res.Fraction, shown)
		}
	})
}
