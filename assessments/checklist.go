package assessments

import (
	"math"
	"slices"
	"unicode/utf8"

	"github.com/serviceacademy/academy/store"
)

// Checklist is a role-play scenario: the brief the learner reads and the
// behaviours an assessor rates while watching.
type Checklist struct {
	Slug        string
	Title       string
	Brief       Brief
	Items       []Item
	PassPercent float64 // 0..100, compared as Passed compares quiz scores
}

// Brief sets the scene of a role play.
type Brief struct {
	Customer          string
	Situation         string
	WhatGoodLooksLike string
}

// Item is one observable behaviour. A critical item must be rated Fully for
// the observation to pass, whatever the percentage.
type Item struct {
	ID       string
	Text     string
	Weight   float64 // > 0 and ≤ 100
	Critical bool
	Guidance string // for the assessor: what Partly and Fully look like
}

// Rating is an assessor's (or the learner's own) rating of one item. A
// missing rating in a ratings map means "not rated yet", which is not NA.
type Rating int

// Ratings. NotShown, Partly and Fully are worth 0, 1 and 2 times the item's
// weight; NA (not applicable in this role play) takes the item out of the score.
const (
	NA       Rating = -1
	NotShown Rating = 0
	Partly   Rating = 1
	Fully    Rating = 2
)

// Valid reports whether r is one of the four ratings.
func (r Rating) Valid() bool { return r >= NA && r <= Fully }

func (r Rating) String() string {
	switch r {
	case NA:
		return "N/A"
	case NotShown:
		return "Not shown"
	case Partly:
		return "Partly"
	case Fully:
		return "Fully"
	}
	return "Invalid rating"
}

// ObservationResult is the outcome of rating a checklist.
type ObservationResult struct {
	Score             float64 // percent: 100 × Points / MaxPoints; 0 when MaxPoints is 0
	Points, MaxPoints float64 // Σ weight × rating and Σ weight × 2 over the items not rated NA
	Passed            bool
	FailedCritical    []string // critical items rated NotShown or Partly, in checklist order
	CriticalNA        []string // critical items rated NA: they do not fail it, but a reviewer should see them
	BelowThreshold    bool     // Score is below PassPercent (after rounding, as Passed rounds)
	Unrated           []string // items without a (valid) rating, in checklist order
	Complete          bool     // every item rated
}

// ScoreObservation scores an observation: ratings maps item ids to ratings;
// ids that are not in the checklist are ignored and an invalid Rating counts as
// not rated. Unrated items stay in the denominator (they score 0 so far); NA
// items leave it.
//
// It passes only when it is Complete, the score reaches PassPercent, no
// critical item is rated below Fully, and at least one item was rated other
// than NA: when everything is NA nothing was observed, so there is no evidence
// to pass on (Score 0, MaxPoints 0). A critical item rated NA does not fail it
// but is listed in CriticalNA.
func ScoreObservation(c *Checklist, ratings map[string]Rating) ObservationResult {
	var res ObservationResult
	if c == nil {
		return res
	}
	for i := range c.Items {
		it := &c.Items[i]
		r, ok := ratings[it.ID]
		switch {
		case !ok || !r.Valid():
			res.Unrated = append(res.Unrated, it.ID)
			r = NotShown // counts 0 so far
		case r == NA:
			if it.Critical {
				res.CriticalNA = append(res.CriticalNA, it.ID)
			}
			continue
		case it.Critical && r < Fully:
			res.FailedCritical = append(res.FailedCritical, it.ID)
		}
		if w := it.Weight; w > 0 && !math.IsInf(w, 0) {
			res.Points += w * float64(r)
			res.MaxPoints += w * float64(Fully)
		}
	}
	res.Complete = len(res.Unrated) == 0
	if res.MaxPoints > 0 {
		res.Score = 100 * res.Points / res.MaxPoints
	}
	res.BelowThreshold = !Passed(res.Score, c.PassPercent)
	res.Passed = res.Complete && res.MaxPoints > 0 && !res.BelowThreshold && len(res.FailedCritical) == 0
	return res
}

// GapDirection says how a self-assessment differs from the assessor's rating.
type GapDirection int

// Gap directions.
const (
	SelfHigher GapDirection = iota + 1 // the learner rated themself higher than the assessor did
	SelfLower                          // the learner rated themself lower
	NAMismatch                         // one of them rated the item NA, the other did not
)

func (d GapDirection) String() string {
	switch d {
	case SelfHigher:
		return "self higher"
	case SelfLower:
		return "self lower"
	case NAMismatch:
		return "N/A on one side"
	}
	return "no gap"
}

// Gap is one item where the learner's self-assessment and the assessor's
// rating differ.
type Gap struct {
	ItemID    string
	Critical  bool
	Self      Rating
	Assessor  Rating
	Direction GapDirection
}

// Gaps lists, in checklist order, the items where self and assessor ratings
// differ, NA against a rating included. Items either side has not rated (or
// rated with an invalid Rating) are skipped: there is nothing to compare yet.
func Gaps(c *Checklist, assessor, self map[string]Rating) []Gap {
	if c == nil {
		return nil
	}
	var gaps []Gap
	for i := range c.Items {
		it := &c.Items[i]
		a, okA := assessor[it.ID]
		s, okS := self[it.ID]
		if !okA || !okS || !a.Valid() || !s.Valid() || a == s {
			continue
		}
		g := Gap{ItemID: it.ID, Critical: it.Critical, Self: s, Assessor: a}
		switch {
		case a == NA || s == NA:
			g.Direction = NAMismatch
		case s > a:
			g.Direction = SelfHigher
		default:
			g.Direction = SelfLower
		}
		gaps = append(gaps, g)
	}
	return gaps
}

// Checklist text limits, in characters.
const (
	MaxChecklistTitle = 200
	MaxChecklistText  = 4000 // each brief field and each item's guidance
	MaxItemText       = 500
	maxItemID         = 80
)

// ValidateChecklist returns every problem with c, in form order, as Invalid
// *store.Error values whose Field is "slug", "title", "brief", "items" or
// "pass_percent" (item messages name the item by number). It returns nil when
// c is valid. Every item may be critical.
func ValidateChecklist(c *Checklist) []error {
	if c == nil {
		return []error{store.FieldError("", "There is no checklist.")}
	}
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, store.FieldError(field, format, args...))
	}
	switch {
	case c.Slug == "":
		add("slug", "Enter a short name for the checklist's address, such as complaint-call.")
	case !checklistSlugOK(c.Slug):
		add("slug", "%q: use lowercase letters, digits and single hyphens (up to 80), such as complaint-call.", c.Slug)
	}
	switch n := utf8.RuneCountInString(c.Title); {
	case n == 0:
		add("title", "Enter a title for the checklist.")
	case n > MaxChecklistTitle:
		add("title", "The title is %d characters long; the limit is %d.", n, MaxChecklistTitle)
	}
	for _, f := range []struct{ name, text string }{
		{"the customer", c.Brief.Customer},
		{"the situation", c.Brief.Situation},
		{"what good looks like", c.Brief.WhatGoodLooksLike},
	} {
		if n := utf8.RuneCountInString(f.text); n > MaxChecklistText {
			add("brief", "The brief's %s is %d characters long; the limit is %d.", f.name, n, MaxChecklistText)
		}
	}
	if !(c.PassPercent >= 0 && c.PassPercent <= 100) {
		add("pass_percent", "Enter a pass mark from 0 to 100 percent.")
	}
	if len(c.Items) == 0 {
		add("items", "Add at least one item to observe.")
	}
	for i := range c.Items {
		it := &c.Items[i]
		n := i + 1
		switch {
		case it.ID == "":
			add("items", "Item %d has no id.", n)
		case !checklistItemIDOK(it.ID):
			add("items", "Item %d: id %q: use letters, digits, hyphens and underscores (up to %d).", n, it.ID, maxItemID)
		default:
			if j := slices.IndexFunc(c.Items[:i], func(o Item) bool { return o.ID == it.ID }); j >= 0 {
				add("items", "Items %d and %d have the same id %q; give each item its own.", j+1, n, it.ID)
			}
		}
		switch l := utf8.RuneCountInString(it.Text); {
		case l == 0:
			add("items", "Item %d: describe the behaviour to observe.", n)
		case l > MaxItemText:
			add("items", "Item %d is %d characters long; the limit is %d.", n, l, MaxItemText)
		}
		if l := utf8.RuneCountInString(it.Guidance); l > MaxChecklistText {
			add("items", "Item %d: the guidance is %d characters long; the limit is %d.", n, l, MaxChecklistText)
		}
		if !(it.Weight > 0 && it.Weight <= 100) {
			add("items", "Item %d: give it a weight above 0 and up to 100.", n)
		}
	}
	return errs
}

// checklistSlugOK: lowercase letters and digits in words joined by single
// hyphens, up to 80 bytes (the rule course slugs follow).
func checklistSlugOK(s string) bool {
	if s == "" || len(s) > 80 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

func checklistItemIDOK(s string) bool {
	if s == "" || len(s) > maxItemID {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
