package courses

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Reaction surveys (Kirkpatrick level 1): after completing a course the
// learner is asked three questions (relevant to my job 1–5, confident to
// apply it 1–5, would recommend 0–10) and may leave a comment, or dismiss
// the offer. One row per person per course version: answering again
// updates the answer (a learner may change their mind; the figures count
// each person once per version). A dismissed offer is not shown again, but
// the learner may still answer from the form's address.

// ReactionLessonSlug is the last part of the survey's address
// (/learn/COURSE/reaction): no lesson may take it as its short name.
const ReactionLessonSlug = "reaction"

// ReactionCommentMax is the longest comment kept, in characters.
const ReactionCommentMax = 2000

// Reaction is one person's answer to (or dismissal of) the reaction survey
// of one course version.
type Reaction struct {
	bun.BaseModel `bun:"table:course_reactions,alias:rx"`

	ID          int64      `bun:",pk,autoincrement"`
	EmployeeID  int64      `bun:",notnull"`
	CourseID    int64      `bun:",notnull"`
	VersionID   int64      `bun:",notnull"`
	Relevance   *int       `bun:"relevance"`
	Confidence  *int       `bun:"confidence"`
	Recommend   *int       `bun:"recommend"`
	Comment     string     `bun:",notnull"`
	AnsweredAt  *time.Time `bun:",nullzero"`
	DismissedAt *time.Time `bun:",nullzero"`
	CreatedAt   time.Time  `bun:",notnull"`
	UpdatedAt   time.Time  `bun:",notnull"`
}

// Answered reports whether the reaction holds answers (not only a dismissal).
func (r *Reaction) Answered() bool { return r != nil && r.AnsweredAt != nil }

// ReactionAnswer is a checked answer to the three questions.
type ReactionAnswer struct {
	Relevance  int // 1–5
	Confidence int // 1–5
	Recommend  int // 0–10
	Comment    string
}

// ParseReaction reads the answers as typed. Every problem comes back as a
// field error (relevance, confidence, recommend, comment): a missing or
// out-of-range score, a comment longer than ReactionCommentMax characters,
// not UTF-8, or holding a control character other than a line break or tab.
func ParseReaction(relevance, confidence, recommend, comment string) (ReactionAnswer, []*store.Error) {
	var errs []*store.Error
	score := func(field, s, what string, lo, hi int) int {
		s = strings.TrimSpace(s)
		if s == "" {
			errs = append(errs, store.FieldError(field, "Choose how %s, from %d to %d.", what, lo, hi))
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			errs = append(errs, store.FieldError(field, "Choose a whole number from %d to %d for how %s.", lo, hi, what))
			return 0
		}
		return n
	}
	a := ReactionAnswer{
		Relevance:  score("relevance", relevance, "relevant the course is to your job", 1, 5),
		Confidence: score("confidence", confidence, "confident you are to apply it", 1, 5),
		Recommend:  score("recommend", recommend, "likely you are to recommend it", 0, 10),
	}
	comment = strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(comment):
		errs = append(errs, store.FieldError("comment", "The comment is not valid text (UTF-8); type it again."))
	case strings.IndexFunc(comment, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		errs = append(errs, store.FieldError("comment", "The comment has a control character (such as a NUL byte); remove it and try again."))
	case utf8.RuneCountInString(comment) > ReactionCommentMax:
		errs = append(errs, store.FieldError("comment", "Keep the comment to %d characters (it has %d).", ReactionCommentMax, utf8.RuneCountInString(comment)))
	}
	a.Comment = comment
	return a, errs
}

// ReactionSummary is the figures of a set of answers.
type ReactionSummary struct {
	Count      int     // answers (dismissals are not counted)
	Relevance  float64 // mean, 1–5 (0 when Count is 0)
	Confidence float64 // mean, 1–5
	Recommend  float64 // mean, 0–10
	Promoters  int     // recommend 9 or 10
	Passives   int     // 7 or 8
	Detractors int     // 0 to 6
	// NetPromoter is the share of promoters minus the share of detractors,
	// in points from -100 to 100 (0 when Count is 0).
	NetPromoter float64
}

// SummariseReactions returns the figures of answers.
func SummariseReactions(answers []ReactionAnswer) ReactionSummary {
	var s ReactionSummary
	s.Count = len(answers)
	if s.Count == 0 {
		return s
	}
	var rel, conf, rec int
	for _, a := range answers {
		rel += a.Relevance
		conf += a.Confidence
		rec += a.Recommend
		switch {
		case a.Recommend >= 9:
			s.Promoters++
		case a.Recommend >= 7:
			s.Passives++
		default:
			s.Detractors++
		}
	}
	n := float64(s.Count)
	s.Relevance, s.Confidence, s.Recommend = float64(rel)/n, float64(conf)/n, float64(rec)/n
	s.NetPromoter = float64(s.Promoters-s.Detractors) * 100 / n
	return s
}

// NetPromoterRounded is NetPromoter to the nearest whole point (half away from zero).
func (s ReactionSummary) NetPromoterRounded() int { return int(math.Round(s.NetPromoter)) }

// ReactionOffer is what the learner may answer: the course version of
// their latest completion of the course, and their reaction to it so far.
type ReactionOffer struct {
	Course      *Course
	Version     *Version
	CompletedAt time.Time
	Reaction    *Reaction // nil: neither answered nor dismissed
}

// Pending reports whether the offer is still to be shown: neither answered nor dismissed.
func (o *ReactionOffer) Pending() bool { return o != nil && o.Reaction == nil }

// ReactionOfferFor returns the reaction survey the employee may answer for
// course: the version of their latest completion of it (imported historical
// completions do not count). Returns Forbidden when they have not completed
// the course.
func (s *Store) ReactionOfferFor(ctx context.Context, employeeID int64, course *Course) (*ReactionOffer, error) {
	return s.reactionOfferIn(ctx, s.DB, employeeID, course)
}

func (s *Store) reactionOfferIn(ctx context.Context, db bun.IDB, employeeID int64, course *Course) (*ReactionOffer, error) {
	var done struct {
		VersionID   int64
		CompletedAt time.Time
	}
	err := db.NewSelect().TableExpr("course_completions").Column("version_id", "completed_at").
		Where("employee_id = ? AND course_id = ?", employeeID, course.ID).
		Where("enrolment_id IS NOT NULL"). // completed here, not imported
		OrderExpr("completed_at DESC, id DESC").Limit(1).Scan(ctx, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.Forbidden, "The questions about a course are for people who have completed it: finish the course first.")
	} else if err != nil {
		return nil, err
	}
	o, err := s.OutlineIn(ctx, db, done.VersionID)
	if err != nil {
		return nil, err
	}
	offer := &ReactionOffer{Course: course, Version: o.Version, CompletedAt: done.CompletedAt}
	r := new(Reaction)
	err = db.NewSelect().Model(r).Where("employee_id = ? AND version_id = ?", employeeID, done.VersionID).Scan(ctx)
	switch {
	case err == nil:
		offer.Reaction = r
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	return offer, nil
}

// SaveReaction records the employee's answer for the version of their
// latest completion of course; answering again replaces the answer.
// Returns Forbidden when they have not completed the course.
func (s *Store) SaveReaction(ctx context.Context, employeeID int64, course *Course, a ReactionAnswer) (*ReactionOffer, error) {
	var offer *ReactionOffer
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if offer, err = s.reactionOfferIn(ctx, tx, employeeID, course); err != nil {
			return err
		}
		now := s.Now()
		r := &Reaction{EmployeeID: employeeID, CourseID: course.ID, VersionID: offer.Version.ID, Relevance: &a.Relevance,
			Confidence: &a.Confidence, Recommend: &a.Recommend, Comment: a.Comment, AnsweredAt: &now, CreatedAt: now, UpdatedAt: now}
		if offer.Reaction != nil {
			r.ID, r.CreatedAt = offer.Reaction.ID, offer.Reaction.CreatedAt
			r.DismissedAt = offer.Reaction.DismissedAt
			_, err = tx.NewUpdate().Model(r).Column("relevance", "confidence", "recommend", "comment", "answered_at", "updated_at").
				WherePK().Exec(ctx)
		} else {
			_, err = tx.NewInsert().Model(r).Returning("id").Exec(ctx)
		}
		offer.Reaction = r
		return err
	})
	return offer, err
}

// DismissReaction records that the employee does not want to answer for
// the version of their latest completion of course: the offer is not shown
// again. An answer already given stays. Returns Forbidden when they have not
// completed the course.
func (s *Store) DismissReaction(ctx context.Context, employeeID int64, course *Course) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		offer, err := s.reactionOfferIn(ctx, tx, employeeID, course)
		if err != nil || offer.Reaction != nil {
			return err
		}
		now := s.Now()
		_, err = tx.NewInsert().Model(&Reaction{EmployeeID: employeeID, CourseID: course.ID, VersionID: offer.Version.ID,
			DismissedAt: &now, CreatedAt: now, UpdatedAt: now}).Exec(ctx)
		return err
	})
}

// ReactionComment is one comment left on a course version, without its
// author's name.
type ReactionComment struct {
	Text string
	At   time.Time
}

// VersionReactions is the reactions to one version of a course.
type VersionReactions struct {
	VersionID int64
	Version   int
	Title     string
	Summary   ReactionSummary
	Dismissed int               // offers dismissed without an answer
	Comments  []ReactionComment // newest first
}

// CourseReactions returns the reactions to each version of the course that
// has any, newest version first.
func (s *Store) CourseReactions(ctx context.Context, courseID int64) ([]VersionReactions, error) {
	var rows []struct {
		Reaction
		Version int
		Title   string
	}
	err := s.DB.NewSelect().TableExpr("course_reactions AS rx").ColumnExpr("rx.*").
		ColumnExpr("v.version AS version, v.title AS title").
		Join("JOIN course_versions AS v ON v.id = rx.version_id").
		Where("rx.course_id = ?", courseID).
		OrderExpr("v.version DESC, rx.answered_at DESC, rx.id DESC").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	var out []VersionReactions
	answers := map[int64][]ReactionAnswer{}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].VersionID != r.VersionID {
			out = append(out, VersionReactions{VersionID: r.VersionID, Version: r.Version, Title: r.Title})
		}
		vr := &out[len(out)-1]
		if !r.Answered() {
			vr.Dismissed++
			continue
		}
		answers[r.VersionID] = append(answers[r.VersionID], ReactionAnswer{Relevance: deref(r.Relevance),
			Confidence: deref(r.Confidence), Recommend: deref(r.Recommend), Comment: r.Comment})
		if r.Comment != "" {
			vr.Comments = append(vr.Comments, ReactionComment{Text: r.Comment, At: *r.AnsweredAt})
		}
	}
	for i := range out {
		out[i].Summary = SummariseReactions(answers[out[i].VersionID])
	}
	return out, nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
