package assessments

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// analysedAttempt is one submitted attempt as the analysis reads it: its
// drawn question rows are draws[from:to].
type analysedAttempt struct {
	id, emp  int64
	from, to int32
	keep     bool // false: a later attempt of someone, when only first attempts count
}

// ItemAttempts reads the submitted attempts at the quiz for item analysis,
// in order of person and attempt number (only each person's first submitted
// attempt when firstOnly). It calls start once with the question versions
// the attempts drew (in bank order, a question's versions oldest first), then
// each once per attempt with the questions it drew, scored as the attempt was
// (answers saved after the deadline do not count; an essay not graded yet
// counts 0). The slice given to each is reused: copy what you keep. It reads
// only the columns it needs and streams the answers.
func (s *Store) ItemAttempts(ctx context.Context, quizID int64, firstOnly bool, start func([]ItemQuestion), each func([]ItemResponse)) error {
	atts, draws, err := s.analysedAttempts(ctx, quizID, firstOnly)
	if err != nil {
		return err
	}
	items, qs, err := s.analysedQuestions(ctx, draws)
	if err != nil {
		return err
	}
	start(items)
	return s.scanAnswers(ctx, quizID, firstOnly, atts, draws, qs, each)
}

// AnalyseQuiz is the item analysis of the submitted attempts at the quiz
// (each person's first submitted attempt only when firstOnly): AnalyseItems
// over ItemAttempts, reading the answers of two halves of the people at once
// on two connections (reading them is most of the cost). Grouping the
// answers in the database instead was slower at 220,000 attempts: its sort
// spills to disk.
func (s *Store) AnalyseQuiz(ctx context.Context, quizID int64, firstOnly bool) (ItemReport, error) {
	atts, draws, err := s.analysedAttempts(ctx, quizID, firstOnly)
	if err != nil {
		return ItemReport{}, err
	}
	items, qs, err := s.analysedQuestions(ctx, draws)
	if err != nil {
		return ItemReport{}, err
	}
	t := NewItemTally(items)
	parts := [][]analysedAttempt{atts}
	if mid := len(atts) / 2; mid > 0 {
		for mid < len(atts) && atts[mid].emp == atts[mid-1].emp {
			mid++
		}
		if mid < len(atts) {
			parts = [][]analysedAttempt{atts[:mid], atts[mid:]}
		}
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make([]error, len(parts))
	)
	add := func(a []ItemResponse) {
		mu.Lock()
		t.Add(a)
		mu.Unlock()
	}
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.scanAnswers(ctx, quizID, firstOnly, part, draws, qs, add)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ItemReport{}, err
	}
	return t.Report(), nil
}

// answersSQL reads one row per submitted attempt of the quiz whose person is
// in [from, to], in order of person and attempt number: the attempt id and
// its answers packed into one text (question row id, grade, response; the
// fields split by U+001E, the answers by U+001F, which a stored response,
// being JSON, cannot hold raw). One row per attempt rather than per answer
// is a tenth of the rows and column reads, which were most of the cost.
func answersSQL(pg bool, firstOnly bool) string {
	// SQLite walks the (quiz, person, number) index in group order, with
	// no sort; PostgreSQL needs the primary key to group by.
	sep, grade, agg, group := "char(30)", "ifnull(aa.grade, '')", "group_concat(%s, char(31))", "at.employee_id, at.number"
	if pg {
		sep, grade, agg, group = "chr(30)", "coalesce(aa.grade::text, '')", "string_agg(%s, chr(31))", "at.id"
	}
	packed := fmt.Sprintf(agg, "aa.question_row_id || "+sep+" || "+grade+" || "+sep+" || aa.response")
	return `SELECT at.id, ` + packed + `
FROM attempts AS at JOIN attempt_answers AS aa ON aa.attempt_id = at.id
WHERE at.quiz_id = ? AND at.employee_id >= ? AND at.employee_id <= ?
AND at.submitted_at IS NOT NULL AND (at.deadline IS NULL OR aa.saved_at <= at.deadline)` + firstOnlySQL(firstOnly) + `
GROUP BY ` + group + `
ORDER BY at.employee_id, at.number`
}

// scanAnswers streams the answers of atts (consecutive in the order
// analysedAttempts reads them) and calls each per kept attempt.
func (s *Store) scanAnswers(ctx context.Context, quizID int64, firstOnly bool, atts []analysedAttempt, draws []int64, qs map[int64]*Question, each func([]ItemResponse)) error {
	if len(atts) == 0 {
		return nil
	}
	rows, err := s.DB.QueryContext(ctx, answersSQL(s.DB.Dialect().Name() == dialect.PG, firstOnly),
		quizID, atts[0].emp, atts[len(atts)-1].emp)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		buf     []ItemResponse
		choices []int // backing store for buf's Choices
		cur     = -1
		r       Response
	)
	begin := func(i int) {
		a := &atts[i]
		buf, choices = buf[:0], choices[:0]
		for _, row := range draws[a.from:a.to] {
			buf = append(buf, ItemResponse{RowID: row})
		}
	}
	flush := func(upTo int) { // emits the attempts before upTo from cur on
		for ; cur < upTo; cur++ {
			if cur >= 0 && atts[cur].keep {
				each(buf)
			}
			if cur+1 < len(atts) {
				begin(cur + 1)
			}
		}
	}
	// answer scores one answer of the current attempt.
	answer := func(attemptID, rowID int64, response []byte, grade float64, graded bool) error {
		k := slices.IndexFunc(buf, func(it ItemResponse) bool { return it.RowID == rowID })
		q := qs[rowID]
		if k < 0 || q == nil {
			return nil // an answer to a question the attempt did not draw
		}
		it := &buf[k]
		it.Answered = true
		if choice, ok := quickChoice(response); ok && (q.Type == SingleChoice || q.Type == MissingWord || q.Type == TrueFalse) {
			// Score's arithmetic for these types, without decoding.
			i, frac := -1, 0.0
			if q.Type == TrueFalse {
				if string(choice) == "true" {
					i = 0
				} else if string(choice) == "false" {
					i = 1
				}
				if i >= 0 && (i == 0) == q.Correct {
					frac = 1
				}
			} else {
				for j := range q.Options {
					if string(choice) == q.Options[j].ID {
						i, frac = j, scoreWeightFraction(q.Options[j].Weight)
						break
					}
				}
			}
			it.Points, it.Text, it.Choices = frac*scoreMaxPoints(q), "", nil
			if i >= 0 {
				choices = append(choices, i)
				it.Choices = choices[len(choices)-1 : len(choices) : len(choices)]
			}
			return nil
		}
		if err := decodeResponse(response, &r); err != nil {
			return fmt.Errorf("attempt %d answer %d: %w", attemptID, rowID, err)
		}
		res := Score(q, r)
		it.Points = res.Points
		if res.NeedsGrading && graded {
			it.Points = grade * scoreMaxPoints(q)
		}
		n := len(choices)
		choices = responseChoices(q, &r, choices)
		it.Choices = choices[n:len(choices):len(choices)]
		it.Text = responseText(q, &r)
		return nil
	}
	var (
		attemptID int64
		packed    sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&attemptID, &packed); err != nil {
			return err
		}
		if cur < 0 || atts[cur].id != attemptID {
			next := cur + 1
			for next < len(atts) && atts[next].id != attemptID {
				next++
			}
			if next == len(atts) {
				return fmt.Errorf("item analysis: answers of attempt %d out of order", attemptID)
			}
			flush(next)
		}
		if !atts[cur].keep {
			continue
		}
		for len(packed) > 0 {
			one := packed
			if i := bytes.IndexByte(packed, 0x1f); i >= 0 {
				one, packed = packed[:i], packed[i+1:]
			} else {
				packed = nil
			}
			rowText, rest, ok1 := bytes.Cut(one, []byte{0x1e})
			gradeText, response, ok2 := bytes.Cut(rest, []byte{0x1e})
			rowID, err := strconv.ParseInt(string(rowText), 10, 64)
			if !ok1 || !ok2 || err != nil {
				return fmt.Errorf("item analysis: attempt %d: an answer is not packed as expected", attemptID)
			}
			var grade float64
			graded := len(gradeText) > 0
			if graded {
				if grade, err = strconv.ParseFloat(string(gradeText), 64); err != nil {
					return fmt.Errorf("item analysis: attempt %d answer %d: grade %q", attemptID, rowID, gradeText)
				}
			}
			if err := answer(attemptID, rowID, response, grade, graded); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	flush(len(atts))
	return nil
}

// firstOnlySQL limits the answers read to each person's first submitted
// attempt.
func firstOnlySQL(firstOnly bool) string {
	if !firstOnly {
		return ""
	}
	return `
AND at.number = (SELECT MIN(a2.number) FROM attempts AS a2
	WHERE a2.quiz_id = at.quiz_id AND a2.employee_id = at.employee_id AND a2.submitted_at IS NOT NULL)`
}

// analysedAttempts reads the submitted attempts of the quiz (ids and drawn
// question rows, flattened into draws).
func (s *Store) analysedAttempts(ctx context.Context, quizID int64, firstOnly bool) ([]analysedAttempt, []int64, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, employee_id, draw FROM attempts
WHERE quiz_id = ? AND submitted_at IS NOT NULL ORDER BY employee_id, number`, quizID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		atts     []analysedAttempt
		draws    []int64
		id, emp  int64
		prev     int64 = -1
		draw     sql.RawBytes
		parseErr error
	)
	for rows.Next() {
		if err := rows.Scan(&id, &emp, &draw); err != nil {
			return nil, nil, err
		}
		a := analysedAttempt{id: id, emp: emp, from: int32(len(draws)), keep: !firstOnly || emp != prev}
		prev = emp
		if !a.keep {
			continue // its answers are not read either (firstOnlySQL)
		}
		if draws, parseErr = appendDrawRows(draws, draw); parseErr != nil {
			return nil, nil, fmt.Errorf("attempt %d: draw: %w", id, parseErr)
		}
		a.to = int32(len(draws))
		atts = append(atts, a)
	}
	return atts, draws, rows.Err()
}

var drawKey = []byte(`{"q":`)

// appendDrawRows appends the question row ids of a stored draw (JSON of
// []DrawItem) without decoding the rest. A key inside a JSON string has its
// quotes escaped, so `{"q":` only matches an item's first key.
func appendDrawRows(dst []int64, draw []byte) ([]int64, error) {
	for {
		i := bytes.Index(draw, drawKey)
		if i < 0 {
			return dst, nil
		}
		draw = draw[i+len(drawKey):]
		j := 0
		for j < len(draw) && draw[j] >= '0' && draw[j] <= '9' {
			j++
		}
		if j == 0 || j > 18 {
			return dst, fmt.Errorf("a question id is not a number at %q", draw[:min(len(draw), 20)])
		}
		var n int64
		for _, c := range draw[:j] {
			n = n*10 + int64(c-'0')
		}
		dst = append(dst, n)
		draw = draw[j:]
	}
}

// analysedQuestions reads the question versions drawn, as ItemQuestions in
// bank order.
func (s *Store) analysedQuestions(ctx context.Context, draws []int64) ([]ItemQuestion, map[int64]*Question, error) {
	ids := slices.Clone(draws)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var rows []questionRow
	if len(ids) > 0 {
		if err := s.DB.NewSelect().Model(&rows).Column("id", "qid", "version", "position", "body").
			Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return nil, nil, err
		}
	}
	slices.SortFunc(rows, func(a, b questionRow) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.QID, b.QID), cmp.Compare(a.Version, b.Version))
	})
	items := make([]ItemQuestion, 0, len(rows))
	qs := make(map[int64]*Question, len(rows))
	for i := range rows {
		q := new(Question)
		if err := json.Unmarshal([]byte(rows[i].Body), q); err != nil {
			return nil, nil, fmt.Errorf("question row %d: %w", rows[i].ID, err)
		}
		qs[rows[i].ID] = q
		items = append(items, ItemQuestionOf(rows[i].ID, rows[i].Version, q))
	}
	if len(qs) != len(ids) {
		return nil, nil, fmt.Errorf("item analysis: %d of %d drawn question rows are missing", len(ids)-len(qs), len(ids))
	}
	return items, qs, nil
}

// ItemQuestionOf describes one question version for item analysis.
func ItemQuestionOf(rowID int64, version int, q *Question) ItemQuestion {
	title := q.Title
	if title == "" {
		title = shortText(q.Text, 80)
	}
	iq := ItemQuestion{RowID: rowID, QID: q.ID, Version: version, Title: title, Type: q.Type, MaxPoints: scoreMaxPoints(q)}
	switch q.Type {
	case SingleChoice, MultipleResponse, MissingWord:
		for _, o := range q.Options {
			iq.Options = append(iq.Options, ItemOption{ID: o.ID, Text: o.Text, Right: o.Weight > 0})
		}
	case TrueFalse:
		iq.Options = []ItemOption{{ID: "true", Text: "True", Right: q.Correct}, {ID: "false", Text: "False", Right: !q.Correct}}
	}
	return iq
}

func shortText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// responseChoices appends the indexes of the chosen options (ItemQuestionOf's
// order) for the choice types.
func responseChoices(q *Question, r *Response, dst []int) []int {
	switch q.Type {
	case SingleChoice, MissingWord:
		if i := scoreOptionIndex(q.Options, r.Choice); i >= 0 {
			dst = append(dst, i)
		}
	case MultipleResponse:
		for _, c := range r.Choices {
			if i := scoreOptionIndex(q.Options, c); i >= 0 {
				dst = append(dst, i)
			}
		}
	case TrueFalse:
		switch r.Choice {
		case "true":
			dst = append(dst, 0)
		case "false":
			dst = append(dst, 1)
		}
	}
	return dst
}

// responseText is the response of the other types as text: the answer as
// typed (spaces tidied, lower case), the order or the matches as option
// texts. Essays give "": their text is not counted.
func responseText(q *Question, r *Response) string {
	switch q.Type {
	case ShortAnswer, Numeric:
		return strings.ToLower(strings.Join(strings.Fields(r.Text), " "))
	case Ordering:
		parts := make([]string, 0, len(r.Order))
		for _, id := range r.Order {
			if i := scoreOptionIndex(q.Options, id); i >= 0 {
				parts = append(parts, q.Options[i].Text)
			}
		}
		return strings.Join(parts, " → ")
	case Matching:
		var parts []string
		for _, p := range q.Pairs {
			if p.Left == "" {
				continue
			}
			right := "—"
			for _, o := range q.Pairs {
				if o.ID == r.Matches[p.ID] {
					right = o.Right
				}
			}
			parts = append(parts, p.Left+" → "+right)
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

var (
	choiceHead = []byte(`{"Choice":"`)
	choiceTail = []byte(`","Choices":null,"Text":"","Matches":null,"Order":null}`)
)

// quickChoice returns the Choice of a stored response that holds nothing
// else (and no escapes), as json.Marshal writes it.
func quickChoice(b []byte) ([]byte, bool) {
	if !bytes.HasPrefix(b, choiceHead) || !bytes.HasSuffix(b, choiceTail) || len(b) < len(choiceHead)+len(choiceTail) {
		return nil, false
	}
	c := b[len(choiceHead) : len(b)-len(choiceTail)]
	if bytes.IndexByte(c, '"') >= 0 || bytes.IndexByte(c, '\\') >= 0 {
		return nil, false
	}
	return c, true
}

// decodeResponse reads a stored Response. The form json.Marshal writes, with
// strings that hold no escapes, is read without encoding/json (which is most
// of the cost of an analysis); anything else goes to encoding/json.
func decodeResponse(b []byte, r *Response) error {
	*r = Response{}
	d := responseDecoder{b: b}
	d.lit(`{"Choice":`)
	r.Choice = d.str()
	d.lit(`,"Choices":`)
	r.Choices = d.strs(r.Choices)
	d.lit(`,"Text":`)
	r.Text = d.str()
	d.lit(`,"Matches":`)
	if !d.null() {
		d.lit(`{`)
		r.Matches = map[string]string{}
		for d.ok && len(d.b) > 0 && d.b[0] != '}' {
			k := d.str()
			d.lit(`:`)
			r.Matches[k] = d.str()
			if len(d.b) > 0 && d.b[0] == ',' {
				d.b = d.b[1:]
			}
		}
		d.lit(`}`)
	}
	d.lit(`,"Order":`)
	r.Order = d.strs(r.Order)
	d.lit(`}`)
	if d.ok && len(d.b) == 0 {
		return nil
	}
	*r = Response{}
	return json.Unmarshal(b, r)
}

type responseDecoder struct {
	b  []byte
	ok bool
}

func (d *responseDecoder) lit(s string) {
	if d.b == nil {
		return
	}
	if !bytes.HasPrefix(d.b, []byte(s)) {
		d.b = nil
		return
	}
	d.ok = true
	d.b = d.b[len(s):]
}

func (d *responseDecoder) null() bool {
	if bytes.HasPrefix(d.b, []byte("null")) {
		d.b = d.b[4:]
		return true
	}
	return false
}

// str reads a string without escapes.
func (d *responseDecoder) str() string {
	if len(d.b) == 0 || d.b[0] != '"' {
		d.b, d.ok = nil, false
		return ""
	}
	i := bytes.IndexByte(d.b[1:], '"')
	if i < 0 || bytes.IndexByte(d.b[1:1+i], '\\') >= 0 {
		d.b, d.ok = nil, false
		return ""
	}
	v := string(d.b[1 : 1+i])
	d.b = d.b[2+i:]
	return v
}

func (d *responseDecoder) strs(dst []string) []string {
	if d.null() {
		return nil
	}
	d.lit(`[`)
	if dst == nil {
		dst = []string{}
	}
	for d.ok && len(d.b) > 0 && d.b[0] != ']' {
		dst = append(dst, d.str())
		if len(d.b) > 0 && d.b[0] == ',' {
			d.b = d.b[1:]
		}
	}
	d.lit(`]`)
	return dst
}
