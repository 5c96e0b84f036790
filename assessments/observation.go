package assessments

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Observation statuses. A signed-off observation that is amended keeps its row
// with status ObservationAmended; the amendment is the next revision.
const (
	ObservationDraft     = "draft"
	ObservationSignedOff = "signed_off"
	ObservationAmended   = "amended"
)

// Self-assessment statuses.
const (
	SelfAssessmentDraft     = "draft"
	SelfAssessmentSubmitted = "submitted"
)

// Comment limits, in characters.
const (
	MaxItemComment    = 2000 // an assessor's or learner's comment on one item
	MaxOverallComment = 4000
	MaxEmployeeReply  = 2000 // the employee's comment when acknowledging
	MaxAmendReason    = 2000
)

// StoredChecklist is a checklist as stored: its current version, the course
// it belongs to and its re-observation period. Checklist is decoded from Body.
type StoredChecklist struct {
	bun.BaseModel `bun:"table:checklists,alias:cl"`

	ID            int64     `bun:",pk,autoincrement"`
	Slug          string    `bun:",notnull"`
	CourseSlug    string    `bun:",notnull"`
	Version       int       `bun:",notnull"`
	Title         string    `bun:",notnull"`
	Body          string    `bun:",notnull"` // the checklist as JSON (see checklistDoc)
	PassPercent   float64   `bun:",notnull"`
	ReobserveDays int       `bun:",notnull"` // 0: a failed observation schedules no re-observation
	Builtin       bool      `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`

	Checklist Checklist `bun:"-"`
}

// Observation is one assessor's rating of one employee on one checklist
// version. Ratings and comments are keyed by item id.
type Observation struct {
	bun.BaseModel `bun:"table:observations,alias:o"`

	ID                int64             `bun:",pk,autoincrement"`
	ChecklistID       int64             `bun:",notnull"`
	ChecklistVersion  int               `bun:",notnull"`
	ChecklistSnapshot string            `bun:",notnull"` // the checklist JSON it was made against
	EmployeeID        int64             `bun:",notnull"`
	AssessorID        int64             `bun:",notnull"`
	Status            string            `bun:",notnull"`
	Revision          int               `bun:",notnull"`
	Ratings           map[string]Rating `bun:",notnull"` // JSON
	ItemComments      map[string]string `bun:",notnull"` // JSON
	OverallComment    string            `bun:",notnull"`
	Score             *float64          `bun:"score"`    // set at sign-off
	Passed            *bool             `bun:"passed"`   // set at sign-off
	FailedCritical    []string          `bun:",notnull"` // JSON: critical item ids rated below Fully
	CreatedAt         time.Time         `bun:",notnull"`
	UpdatedAt         time.Time         `bun:",notnull"`
	SignedOffAt       *time.Time        `bun:",nullzero"`
	AmendedFromID     *int64            `bun:"amended_from_id"`
	AmendReason       string            `bun:",notnull"`
	EmployeeAckAt     *time.Time        `bun:",nullzero"`
	EmployeeComment   string            `bun:",notnull"`
	ReobserveDue      *string           `bun:"reobserve_due"` // YYYY-MM-DD, set when it failed

	ChecklistSlug  string `bun:",scanonly"`
	EmployeeNumber string `bun:",scanonly"`
	EmployeeName   string `bun:",scanonly"`
	AssessorNumber string `bun:",scanonly"`
	AssessorName   string `bun:",scanonly"`

	Checklist *Checklist `bun:"-"` // the decoded snapshot
}

// Result scores the observation's ratings against its checklist snapshot (a
// draft's provisional result; a signed-off one's final result).
func (o *Observation) Result() ObservationResult { return ScoreObservation(o.Checklist, o.Ratings) }

// SelfAssessment is an employee's rating of themself on a checklist. It is kept
// apart from observations: neither ever overwrites the other.
type SelfAssessment struct {
	bun.BaseModel `bun:"table:self_assessments,alias:sa"`

	ID               int64             `bun:",pk,autoincrement"`
	ChecklistID      int64             `bun:",notnull"`
	ChecklistVersion int               `bun:",notnull"`
	EmployeeID       int64             `bun:",notnull"`
	Ratings          map[string]Rating `bun:",notnull"` // JSON
	Comments         map[string]string `bun:",notnull"` // JSON, by item id
	Status           string            `bun:",notnull"`
	CreatedAt        time.Time         `bun:",notnull"`
	UpdatedAt        time.Time         `bun:",notnull"`
	SubmittedAt      *time.Time        `bun:",nullzero"`
}

// SignedHook runs inside the transaction that signs off (or amends) an
// observation, after the row is written; an error undoes the sign-off.
// (The training package signs off with SignOffIn and AmendIn in its own
// transaction instead.)
type SignedHook func(ctx context.Context, tx bun.IDB, o *Observation) error

// ObservationStore reads and writes checklists, observations and
// self-assessments.
type ObservationStore struct {
	DB  *bun.DB
	Now func() time.Time
}

// NewObservationStore returns an ObservationStore on db with the real clock.
func NewObservationStore(db *bun.DB) *ObservationStore {
	return &ObservationStore{DB: db, Now: func() time.Time { return time.Now().UTC() }}
}

func (s *ObservationStore) now() time.Time { return s.Now().UTC() }

var (
	errObservationNotFound = store.Errorf(store.NotFound, "There is no such observation.")
	errChecklistNotFound   = store.Errorf(store.NotFound, "There is no such checklist.")
)

// checklistBody is the JSON stored for c.
func checklistBody(c *Checklist) (string, error) {
	b, err := json.Marshal(checklistDocOf(c))
	return string(b), err
}

// decodeChecklistBody reads a body written by checklistBody.
func decodeChecklistBody(body string) (*Checklist, error) {
	var d checklistDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("decode checklist: %w", err)
	}
	c := d.checklist()
	return &c, nil
}

// --- Checklists ---

// SyncBuiltinChecklists inserts the built-in checklists that are missing and
// updates the ones whose file changed (bumping version when the brief, items
// or pass mark changed; observations keep their snapshot). A checklist with a
// built-in's slug that is not built-in is left alone.
func (s *ObservationStore) SyncBuiltinChecklists(ctx context.Context) error {
	list, err := BuiltinChecklists()
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range list {
			b := &list[i]
			body, err := checklistBody(&b.Checklist)
			if err != nil {
				return err
			}
			row := StoredChecklist{Slug: b.Checklist.Slug, CourseSlug: b.CourseSlug, Version: 1, Title: b.Checklist.Title,
				Body: body, PassPercent: b.Checklist.PassPercent, ReobserveDays: b.ReobserveDays, Builtin: true,
				CreatedAt: now, UpdatedAt: now}
			var old StoredChecklist
			err = tx.NewSelect().Model(&old).Where("slug = ?", row.Slug).Scan(ctx)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.NewInsert().Model(&row).On("CONFLICT (slug) DO NOTHING").Exec(ctx); err != nil {
					return fmt.Errorf("insert checklist %s: %w", row.Slug, err)
				}
				continue
			case err != nil:
				return err
			}
			if !old.Builtin || (old.Body == row.Body && old.CourseSlug == row.CourseSlug && old.ReobserveDays == row.ReobserveDays) {
				continue
			}
			version := old.Version
			if old.Body != row.Body {
				version++
			}
			_, err = tx.NewUpdate().Model((*StoredChecklist)(nil)).
				Set("course_slug = ?, version = ?, title = ?, body = ?, pass_percent = ?, reobserve_days = ?, updated_at = ?",
					row.CourseSlug, version, row.Title, row.Body, row.PassPercent, row.ReobserveDays, now).
				Where("id = ? AND version = ?", old.ID, old.Version).Exec(ctx)
			if err != nil {
				return fmt.Errorf("update checklist %s: %w", row.Slug, err)
			}
		}
		return nil
	})
}

func decodeStoredChecklist(c *StoredChecklist) error {
	d, err := decodeChecklistBody(c.Body)
	if err != nil {
		return err
	}
	c.Checklist = *d
	return nil
}

// ListChecklists returns every checklist (current version), by course and title.
func (s *ObservationStore) ListChecklists(ctx context.Context) ([]StoredChecklist, error) {
	var list []StoredChecklist
	if err := s.DB.NewSelect().Model(&list).OrderExpr("cl.course_slug, cl.title, cl.id").Scan(ctx); err != nil {
		return nil, err
	}
	for i := range list {
		if err := decodeStoredChecklist(&list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// FindChecklist returns the current version of the checklist with slug, or
// NotFound.
func (s *ObservationStore) FindChecklist(ctx context.Context, slug string) (*StoredChecklist, error) {
	return s.FindChecklistIn(ctx, s.DB, slug)
}

// FindChecklistIn is FindChecklist reading through db: code running in a
// transaction passes the transaction.
func (s *ObservationStore) FindChecklistIn(ctx context.Context, db bun.IDB, slug string) (*StoredChecklist, error) {
	return findStoredChecklist(ctx, db, "cl.slug = ?", slug)
}

func findStoredChecklist(ctx context.Context, db bun.IDB, where string, arg any) (*StoredChecklist, error) {
	c := new(StoredChecklist)
	err := db.NewSelect().Model(c).Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errChecklistNotFound
	} else if err != nil {
		return nil, err
	}
	return c, decodeStoredChecklist(c)
}

// --- Who may observe whom ---

// CanAssess reports whether assessorID may observe employeeID: HR (and admin,
// which the caller folds into assessorIsHR) anyone, a manager anyone in their
// reporting line, and nobody themself (that is a self-assessment). Returns
// NotFound when the employee does not exist.
func (s *ObservationStore) CanAssess(ctx context.Context, assessorID, employeeID int64, assessorIsHR bool) (bool, error) {
	if err := observedEmployeeExists(ctx, s.DB, employeeID); err != nil {
		return false, err
	}
	if assessorID == employeeID {
		return false, nil
	}
	if assessorIsHR {
		return true, nil
	}
	return people.InLine(ctx, s.DB, assessorID, employeeID)
}

func observedEmployeeExists(ctx context.Context, db bun.IDB, id int64) error {
	ok, err := db.NewSelect().TableExpr("employees").Where("id = ?", id).Exists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return &store.Error{Kind: store.NotFound, Field: "employee", Message: "There is no such employee."}
	}
	return nil
}

// --- Observations ---

// selectObservations selects observations with their checklist slug and the
// employee's and assessor's numbers and names.
func selectObservations(db bun.IDB, dest any) *bun.SelectQuery {
	return db.NewSelect().Model(dest).ColumnExpr("o.*").
		ColumnExpr("cl.slug AS checklist_slug").
		ColumnExpr("e.number AS employee_number, e.first_name || ' ' || e.last_name AS employee_name").
		ColumnExpr("a.number AS assessor_number, a.first_name || ' ' || a.last_name AS assessor_name").
		Join("JOIN checklists AS cl ON cl.id = o.checklist_id").
		Join("JOIN employees AS e ON e.id = o.employee_id").
		Join("JOIN employees AS a ON a.id = o.assessor_id")
}

// prepare decodes the snapshot and makes sure the maps and lists are not nil.
func (o *Observation) prepare() error {
	c, err := decodeChecklistBody(o.ChecklistSnapshot)
	if err != nil {
		return err
	}
	o.Checklist = c
	if o.Ratings == nil {
		o.Ratings = map[string]Rating{}
	}
	if o.ItemComments == nil {
		o.ItemComments = map[string]string{}
	}
	if o.FailedCritical == nil {
		o.FailedCritical = []string{}
	}
	return nil
}

func findObservation(ctx context.Context, db bun.IDB, id int64) (*Observation, error) {
	o := new(Observation)
	err := selectObservations(db, o).Where("o.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errObservationNotFound
	} else if err != nil {
		return nil, err
	}
	return o, o.prepare()
}

func listObservations(ctx context.Context, q *bun.SelectQuery, list *[]Observation) ([]Observation, error) {
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	for i := range *list {
		if err := (*list)[i].prepare(); err != nil {
			return nil, err
		}
	}
	return *list, nil
}

// Observation returns the observation with id (any status), or NotFound.
func (s *ObservationStore) Observation(ctx context.Context, id int64) (*Observation, error) {
	return findObservation(ctx, s.DB, id)
}

// StartObservation opens a draft observation of employeeID by assessorID on the
// current version of the checklist, or returns the assessor's open draft for
// that employee and checklist. The caller checks CanAssess first. Returns
// NotFound for an unknown checklist or employee, Forbidden for oneself.
func (s *ObservationStore) StartObservation(ctx context.Context, checklistSlug string, employeeID, assessorID int64) (*Observation, error) {
	if employeeID == assessorID {
		return nil, store.Errorf(store.Forbidden, "You cannot observe yourself; rate yourself with a self-assessment instead.")
	}
	var id int64
	start := func(ctx context.Context, tx bun.Tx) error {
		c, err := findStoredChecklist(ctx, tx, "cl.slug = ?", checklistSlug)
		if err != nil {
			return err
		}
		if err := observedEmployeeExists(ctx, tx, employeeID); err != nil {
			return err
		}
		err = tx.NewSelect().Model((*Observation)(nil)).Column("id").
			Where("checklist_id = ? AND employee_id = ? AND assessor_id = ? AND status = ?", c.ID, employeeID, assessorID, ObservationDraft).
			Scan(ctx, &id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.now()
		o := &Observation{ChecklistID: c.ID, ChecklistVersion: c.Version, ChecklistSnapshot: c.Body, EmployeeID: employeeID,
			AssessorID: assessorID, Status: ObservationDraft, Revision: 1, Ratings: map[string]Rating{},
			ItemComments: map[string]string{}, FailedCritical: []string{}, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(o).Returning("id").Exec(ctx); err != nil {
			return err
		}
		id = o.ID
		return nil
	}
	err := s.DB.RunInTx(ctx, nil, start)
	if store.IsUniqueViolation(err) { // a concurrent start made the draft: resume it
		err = s.DB.RunInTx(ctx, nil, start)
	}
	if err != nil {
		return nil, err
	}
	return findObservation(ctx, s.DB, id)
}

// validateItemRatings checks that every rating is a Rating for an item of c and
// every comment belongs to an item and is within MaxItemComment: Invalid
// errors with field "ratings", or commentField for the comments.
func validateItemRatings(c *Checklist, ratings map[string]Rating, comments map[string]string, commentField string) error {
	index := make(map[string]int, len(c.Items))
	for i, it := range c.Items {
		index[it.ID] = i + 1
	}
	var unknown []string
	for id := range ratings {
		if _, ok := index[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return store.FieldError("ratings", "%s not on this checklist: %s.", obsPlural(len(unknown), "This item is", "These items are"), strings.Join(unknown, ", "))
	}
	for _, it := range c.Items {
		if r, ok := ratings[it.ID]; ok && !r.Valid() {
			return store.FieldError("ratings", "Item %d: %d is not a rating; choose Not shown, Partly, Fully or N/A.", index[it.ID], int(r))
		}
	}
	unknown = nil
	for id := range comments {
		if _, ok := index[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return store.FieldError(commentField, "Comments on items not on this checklist: %s.", strings.Join(unknown, ", "))
	}
	for _, it := range c.Items {
		if n := utf8.RuneCountInString(comments[it.ID]); n > MaxItemComment {
			return store.FieldError(commentField, "Item %d: the comment is %d characters long; the limit is %d.", index[it.ID], n, MaxItemComment)
		}
	}
	return nil
}

func obsPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// cleanItemComments trims comments and drops the empty ones; never nil.
func cleanItemComments(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v = strings.TrimSpace(v); v != "" {
			out[k] = v
		}
	}
	return out
}

func copyRatingMap(m map[string]Rating) map[string]Rating {
	out := make(map[string]Rating, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// unratedItemsError is the Invalid error listing the items c has no rating for.
func unratedItemsError(c *Checklist, unrated []string) error {
	parts := make([]string, 0, len(unrated))
	for i, it := range c.Items {
		if slices.Contains(unrated, it.ID) {
			parts = append(parts, fmt.Sprintf("%d. %s", i+1, it.Text))
		}
	}
	return store.FieldError("ratings", "Rate every item before signing off (N/A if it did not come up). Not rated yet: %s", strings.Join(parts, "; "))
}

// loadObservationForAssessor loads observation id for its assessor: NotFound, or
// Forbidden when assessorID did not make it.
func loadObservationForAssessor(ctx context.Context, db bun.IDB, id, assessorID int64) (*Observation, error) {
	o, err := findObservation(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if o.AssessorID != assessorID {
		return nil, store.Errorf(store.Forbidden, "Only the assessor who made this observation can change it.")
	}
	return o, nil
}

// SaveDraft replaces a draft's ratings and comments (autosave: the whole form
// each time; an item missing from ratings is not rated yet). Returns
// Forbidden for anyone but the draft's assessor, Conflict once it is signed
// off, and Invalid (field "ratings", "item_comments" or "overall_comment") for
// ratings that are not Ratings, ids not on the checklist, or long comments.
func (s *ObservationStore) SaveDraft(ctx context.Context, obsID, assessorID int64, ratings map[string]Rating, itemComments map[string]string, overall string) (*Observation, error) {
	var o *Observation
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if o, err = loadObservationForAssessor(ctx, tx, obsID, assessorID); err != nil {
			return err
		}
		if o.Status != ObservationDraft {
			return store.Errorf(store.Conflict, "This observation is signed off; to change it, amend it and give a reason.")
		}
		comments := cleanItemComments(itemComments)
		overall = strings.TrimSpace(overall)
		if err := validateItemRatings(o.Checklist, ratings, comments, "item_comments"); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(overall); n > MaxOverallComment {
			return store.FieldError("overall_comment", "The overall comment is %d characters long; the limit is %d.", n, MaxOverallComment)
		}
		o.Ratings, o.ItemComments, o.OverallComment, o.UpdatedAt = copyRatingMap(ratings), comments, overall, s.now()
		res, err := tx.NewUpdate().Model(o).Column("ratings", "item_comments", "overall_comment", "updated_at").
			Where("id = ? AND status = ?", o.ID, ObservationDraft).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.Errorf(store.Conflict, "This observation was signed off meanwhile; your last changes were not saved.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// ApplyResult scores o (its Ratings against its Checklist) and sets its
// result fields as signed off at now: the status, score, pass, failed
// critical items and, when it failed and reobserveDays > 0, the
// re-observation due date (now's date in now's location + reobserveDays).
// Returns Invalid listing the unrated items when it is not complete.
func (o *Observation) ApplyResult(reobserveDays int, now time.Time) error {
	res := ScoreObservation(o.Checklist, o.Ratings)
	if !res.Complete {
		return unratedItemsError(o.Checklist, res.Unrated)
	}
	score, passed := res.Score, res.Passed
	at := now.UTC()
	o.Status, o.Score, o.Passed, o.SignedOffAt, o.UpdatedAt = ObservationSignedOff, &score, &passed, &at, at
	o.FailedCritical = append([]string{}, res.FailedCritical...)
	o.ReobserveDue = nil
	if !passed && reobserveDays > 0 {
		due := now.AddDate(0, 0, reobserveDays).Format(time.DateOnly)
		o.ReobserveDue = &due
	}
	return nil
}

func checklistReobserveDays(ctx context.Context, db bun.IDB, checklistID int64) (int, error) {
	var days int
	err := db.NewSelect().Model((*StoredChecklist)(nil)).Column("reobserve_days").Where("id = ?", checklistID).Scan(ctx, &days)
	return days, err
}

// SignOff makes a draft final: every item must be rated (else Invalid, field
// "ratings", listing the unrated items); it stores the score, the pass or
// fail and the critical items that failed it, schedules a re-observation
// when it failed, and calls onSigned (if not nil) in the same transaction.
// Signing off an observation that is already signed off returns it unchanged
// without calling onSigned (a double submit scores once). Returns Forbidden
// for anyone but its assessor.
func (s *ObservationStore) SignOff(ctx context.Context, obsID, assessorID int64, now time.Time, onSigned SignedHook) (*Observation, error) {
	var o *Observation
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var signed bool
		var err error
		o, signed, err = s.SignOffIn(ctx, tx, obsID, assessorID, now)
		if err != nil || !signed || onSigned == nil {
			return err
		}
		return onSigned(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// SignOffIn is SignOff in tx, without a hook: it reports whether this call
// signed the observation off (false when it was signed off already).
func (s *ObservationStore) SignOffIn(ctx context.Context, tx bun.IDB, obsID, assessorID int64, now time.Time) (*Observation, bool, error) {
	o, err := loadObservationForAssessor(ctx, tx, obsID, assessorID)
	if err != nil {
		return nil, false, err
	}
	if o.Status != ObservationDraft {
		return o, false, nil
	}
	days, err := checklistReobserveDays(ctx, tx, o.ChecklistID)
	if err != nil {
		return nil, false, err
	}
	if err := o.ApplyResult(days, now); err != nil {
		return nil, false, err
	}
	res, err := tx.NewUpdate().Model(o).
		Column("status", "score", "passed", "failed_critical", "signed_off_at", "updated_at", "reobserve_due").
		Where("id = ? AND status = ?", o.ID, ObservationDraft).Exec(ctx)
	if err != nil {
		return nil, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 { // signed off by a concurrent submit
		o, err = findObservation(ctx, tx, obsID)
		return o, false, err
	}
	return o, true, nil
}

// Amend corrects a signed-off observation: it inserts the next revision with
// the new ratings (every item rated), the item comments (nil keeps the
// previous ones), reason and a fresh sign-off at now, marks the previous row
// amended, and calls onSigned in the same transaction. The employee
// acknowledges the new revision afresh. Returns Invalid (field "reason") with
// no reason, Forbidden for anyone but its assessor, and Conflict for a draft
// or an observation already amended.
func (s *ObservationStore) Amend(ctx context.Context, obsID, assessorID int64, reason string, ratings map[string]Rating, comments map[string]string, now time.Time, onSigned SignedHook) (*Observation, error) {
	if _, err := checkAmendReason(reason); err != nil {
		return nil, err
	}
	var next *Observation
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if next, err = s.AmendIn(ctx, tx, obsID, assessorID, reason, ratings, comments, now); err != nil || onSigned == nil {
			return err
		}
		return onSigned(ctx, tx, next)
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

func checkAmendReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return "", store.FieldError("reason", "Say why the observation is being amended.")
	case n > MaxAmendReason:
		return "", store.FieldError("reason", "The reason is %d characters long; the limit is %d.", n, MaxAmendReason)
	}
	return reason, nil
}

// AmendIn is Amend in tx, without a hook.
func (s *ObservationStore) AmendIn(ctx context.Context, tx bun.IDB, obsID, assessorID int64, reason string, ratings map[string]Rating, comments map[string]string, now time.Time) (*Observation, error) {
	reason, err := checkAmendReason(reason)
	if err != nil {
		return nil, err
	}
	prev, err := loadObservationForAssessor(ctx, tx, obsID, assessorID)
	if err != nil {
		return nil, err
	}
	switch prev.Status {
	case ObservationDraft:
		return nil, store.Errorf(store.Conflict, "This observation is still a draft: change it and sign it off.")
	case ObservationAmended:
		return nil, store.Errorf(store.Conflict, "This revision has already been amended; amend the latest revision.")
	}
	itemComments := prev.ItemComments
	if comments != nil {
		itemComments = cleanItemComments(comments)
	}
	if err := validateItemRatings(prev.Checklist, ratings, itemComments, "item_comments"); err != nil {
		return nil, err
	}
	res, err := tx.NewUpdate().Model((*Observation)(nil)).Set("status = ?, updated_at = ?", ObservationAmended, now.UTC()).
		Where("id = ? AND status = ?", prev.ID, ObservationSignedOff).Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.Errorf(store.Conflict, "This revision has already been amended; amend the latest revision.")
	}
	next := &Observation{ChecklistID: prev.ChecklistID, ChecklistVersion: prev.ChecklistVersion,
		ChecklistSnapshot: prev.ChecklistSnapshot, Checklist: prev.Checklist, EmployeeID: prev.EmployeeID,
		AssessorID: prev.AssessorID, Revision: prev.Revision + 1, Ratings: copyRatingMap(ratings),
		ItemComments: itemComments, OverallComment: prev.OverallComment, CreatedAt: now.UTC(),
		AmendedFromID: &prev.ID, AmendReason: reason}
	days, err := checklistReobserveDays(ctx, tx, prev.ChecklistID)
	if err != nil {
		return nil, err
	}
	if err := next.ApplyResult(days, now); err != nil {
		return nil, err
	}
	if _, err := tx.NewInsert().Model(next).Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	return findObservation(ctx, tx, next.ID)
}

// Acknowledge records that the observed employee has seen a signed-off
// observation, with an optional comment (up to MaxEmployeeReply characters,
// else Invalid field "comment"). Acknowledging again replaces the comment and
// keeps the first time. Returns Forbidden for anyone but the observed
// employee, NotFound for a draft, and Conflict for an amended revision.
func (s *ObservationStore) Acknowledge(ctx context.Context, obsID, employeeID int64, comment string, now time.Time) (*Observation, error) {
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxEmployeeReply {
		return nil, store.FieldError("comment", "Your comment is %d characters long; the limit is %d.", n, MaxEmployeeReply)
	}
	var o *Observation
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if o, err = findObservation(ctx, tx, obsID); err != nil {
			return err
		}
		if o.EmployeeID != employeeID {
			return store.Errorf(store.Forbidden, "Only the person observed can acknowledge an observation.")
		}
		switch o.Status {
		case ObservationDraft:
			return errObservationNotFound // not theirs to see yet
		case ObservationAmended:
			return store.Errorf(store.Conflict, "This observation has been amended; acknowledge the latest revision.")
		}
		if o.EmployeeAckAt == nil {
			at := now.UTC()
			o.EmployeeAckAt = &at
		}
		o.EmployeeComment = comment
		_, err = tx.NewUpdate().Model(o).Column("employee_ack_at", "employee_comment").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// History returns every signed-off revision of every observation of
// employeeID, amended ones included, newest first (drafts are not results).
func (s *ObservationStore) History(ctx context.Context, employeeID int64) ([]Observation, error) {
	var list []Observation
	q := selectObservations(s.DB, &list).Where("o.employee_id = ?", employeeID).
		Where("o.status IN (?)", bun.In([]string{ObservationSignedOff, ObservationAmended})).
		OrderExpr("o.signed_off_at DESC, o.id DESC")
	return listObservations(ctx, q, &list)
}

// DueReobservations returns the failed observations whose re-observation is
// due on or before now's date and that no later signed-off observation of the
// same employee on the same checklist has followed, soonest due first.
func (s *ObservationStore) DueReobservations(ctx context.Context, now time.Time) ([]Observation, error) {
	var list []Observation
	q := selectObservations(s.DB, &list).
		Where("o.status = ? AND NOT o.passed", ObservationSignedOff).
		Where("o.reobserve_due IS NOT NULL AND o.reobserve_due <= ?", now.Format(time.DateOnly)).
		Where(`NOT EXISTS (SELECT 1 FROM observations AS n WHERE n.employee_id = o.employee_id
			AND n.checklist_id = o.checklist_id AND n.status = ? AND n.signed_off_at > o.signed_off_at)`, ObservationSignedOff).
		OrderExpr("o.reobserve_due, o.id")
	return listObservations(ctx, q, &list)
}

// PassedObservations is the course-completion check for observations: it
// reports whether employeeID has a signed-off (current revision) passed
// observation on every checklist of courseSlug, and names the checklists
// still outstanding. A course without checklists passes. db is the
// completion transaction.
func (s *ObservationStore) PassedObservations(ctx context.Context, db bun.IDB, employeeID int64, courseSlug string) (bool, []string, error) {
	var missing []string
	err := db.NewSelect().TableExpr("checklists AS cl").Column("cl.slug").
		Where("cl.course_slug = ?", courseSlug).
		Where(`NOT EXISTS (SELECT 1 FROM observations AS o WHERE o.checklist_id = cl.id
			AND o.employee_id = ? AND o.status = ? AND o.passed)`, employeeID, ObservationSignedOff).
		OrderExpr("cl.slug").Scan(ctx, &missing)
	if err != nil {
		return false, nil, err
	}
	return len(missing) == 0, missing, nil
}

// --- Self-assessments ---

// SaveSelfAssessment saves employeeID's self-assessment on the current
// version of the checklist: it updates their open draft (or starts one) with
// ratings and comments (by item id) and, when submit is set, submits it (every
// item must be rated, else Invalid field "ratings" listing them). A later
// save starts a new draft; submitted ones are kept. Returns NotFound for an
// unknown checklist and Invalid for bad ratings or comments.
func (s *ObservationStore) SaveSelfAssessment(ctx context.Context, employeeID int64, checklistSlug string, ratings map[string]Rating, comments map[string]string, submit bool) (*SelfAssessment, error) {
	var sa *SelfAssessment
	save := func(ctx context.Context, tx bun.Tx) error {
		c, err := findStoredChecklist(ctx, tx, "cl.slug = ?", checklistSlug)
		if err != nil {
			return err
		}
		if err := observedEmployeeExists(ctx, tx, employeeID); err != nil {
			return err
		}
		comments := cleanItemComments(comments)
		if err := validateItemRatings(&c.Checklist, ratings, comments, "comments"); err != nil {
			return err
		}
		if submit {
			if res := ScoreObservation(&c.Checklist, ratings); !res.Complete {
				return unratedItemsError(&c.Checklist, res.Unrated)
			}
		}
		now := s.now()
		sa = new(SelfAssessment)
		err = tx.NewSelect().Model(sa).Where("checklist_id = ? AND employee_id = ? AND status = ?", c.ID, employeeID, SelfAssessmentDraft).Scan(ctx)
		isNew := errors.Is(err, sql.ErrNoRows)
		if err != nil && !isNew {
			return err
		}
		if isNew {
			sa = &SelfAssessment{ChecklistID: c.ID, EmployeeID: employeeID, CreatedAt: now}
		}
		sa.ChecklistVersion, sa.Ratings, sa.Comments, sa.Status, sa.UpdatedAt = c.Version, copyRatingMap(ratings), comments, SelfAssessmentDraft, now
		if submit {
			sa.Status, sa.SubmittedAt = SelfAssessmentSubmitted, &now
		}
		if isNew {
			_, err = tx.NewInsert().Model(sa).Returning("id").Exec(ctx)
		} else {
			_, err = tx.NewUpdate().Model(sa).WherePK().Exec(ctx)
		}
		return err
	}
	err := s.DB.RunInTx(ctx, nil, save)
	if store.IsUniqueViolation(err) { // a concurrent save started the draft: update it
		err = s.DB.RunInTx(ctx, nil, save)
	}
	if err != nil {
		return nil, err
	}
	return sa, nil
}

// SelfAssessment returns employeeID's open self-assessment draft on the
// checklist, or else their latest submitted one; NotFound when there is none.
func (s *ObservationStore) SelfAssessment(ctx context.Context, employeeID int64, checklistSlug string) (*SelfAssessment, error) {
	sa := new(SelfAssessment)
	err := s.DB.NewSelect().Model(sa).Join("JOIN checklists AS cl ON cl.id = sa.checklist_id").
		Where("cl.slug = ? AND sa.employee_id = ?", checklistSlug, employeeID).
		OrderExpr("CASE WHEN sa.status = ? THEN 0 ELSE 1 END, sa.submitted_at DESC, sa.id DESC", SelfAssessmentDraft).
		Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no self-assessment on this checklist yet.")
	}
	return sa, err
}

// latestSelfAssessments returns the latest submitted self-assessment of employeeID
// on each checklist (by checklist id), or on the one checklist given.
func latestSelfAssessments(ctx context.Context, db bun.IDB, employeeID int64, checklistID int64) (map[int64]*SelfAssessment, error) {
	var list []SelfAssessment
	q := db.NewSelect().Model(&list).Where("sa.employee_id = ? AND sa.status = ?", employeeID, SelfAssessmentSubmitted).
		OrderExpr("sa.submitted_at DESC, sa.id DESC")
	if checklistID != 0 {
		q = q.Where("sa.checklist_id = ?", checklistID).Limit(1)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := map[int64]*SelfAssessment{}
	for i := range list {
		if _, ok := out[list[i].ChecklistID]; !ok {
			out[list[i].ChecklistID] = &list[i]
		}
	}
	return out, nil
}

// SideBySide is an observation next to the employee's own view.
type SideBySide struct {
	Observation *Observation
	Self        *SelfAssessment // the latest submitted self-assessment; nil when there is none
	Rows        []SideBySideRow // one per item, in checklist order
	Gaps        []Gap           // the rows whose ratings differ
}

// SideBySideRow is one item with both ratings. A rating that is missing (not
// rated, or no self-assessment) has its Rated flag false.
type SideBySideRow struct {
	Item                         Item
	Assessor, Self               Rating
	AssessorRated, SelfRated     bool
	AssessorComment, SelfComment string
	Gap                          *Gap // nil when both agree or one side has not rated it
}

// SideBySide returns observation obsID's items with the assessor's rating, the
// employee's latest submitted self-rating and the gaps between them. It reads
// both and changes neither. Returns NotFound for an unknown observation.
func (s *ObservationStore) SideBySide(ctx context.Context, obsID int64) (*SideBySide, error) {
	o, err := findObservation(ctx, s.DB, obsID)
	if err != nil {
		return nil, err
	}
	selfs, err := latestSelfAssessments(ctx, s.DB, o.EmployeeID, o.ChecklistID)
	if err != nil {
		return nil, err
	}
	sb := &SideBySide{Observation: o, Self: selfs[o.ChecklistID]}
	var self map[string]Rating
	var selfComments map[string]string
	if sb.Self != nil {
		self, selfComments = sb.Self.Ratings, sb.Self.Comments
	}
	sb.Gaps = Gaps(o.Checklist, o.Ratings, self)
	for _, it := range o.Checklist.Items {
		row := SideBySideRow{Item: it, AssessorComment: o.ItemComments[it.ID], SelfComment: selfComments[it.ID]}
		row.Assessor, row.AssessorRated = o.Ratings[it.ID]
		row.Self, row.SelfRated = self[it.ID]
		if i := slices.IndexFunc(sb.Gaps, func(g Gap) bool { return g.ItemID == it.ID }); i >= 0 {
			row.Gap = &sb.Gaps[i]
		}
		sb.Rows = append(sb.Rows, row)
	}
	return sb, nil
}

// --- API ---

// ObservationSummary is an observation as GET /api/v1/employees/{number}/observations shows it.
type ObservationSummary struct {
	ID             int64                  `json:"id"`
	Checklist      string                 `json:"checklist"` // slug
	ChecklistTitle string                 `json:"checklist_title"`
	Revision       int                    `json:"revision"`
	Assessor       string                 `json:"assessor"` // employee number
	AssessorName   string                 `json:"assessor_name"`
	SignedOffAt    *time.Time             `json:"signed_off_at"`
	Score          *float64               `json:"score"` // percent, rounded as RoundPercent
	Passed         *bool                  `json:"passed"`
	FailedCritical []string               `json:"failed_critical"` // item ids
	ReobserveDue   *string                `json:"reobserve_due"`
	AcknowledgedAt *time.Time             `json:"acknowledged_at"`
	SelfAssessment *SelfAssessmentSummary `json:"self_assessment"` // null when there is none
}

// SelfAssessmentSummary is the employee's latest submitted self-assessment on
// the observation's checklist, with the gaps to the assessor's ratings.
type SelfAssessmentSummary struct {
	ID          int64             `json:"id"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	Ratings     map[string]string `json:"ratings"` // item id → "not_shown", "partly", "fully" or "na"
	Gaps        []GapSummary      `json:"gaps"`
}

// GapSummary is one item where the two ratings differ.
type GapSummary struct {
	Item     string `json:"item"`
	Self     string `json:"self"`
	Assessor string `json:"assessor"`
}

// RatingKey is the API's name for r: "not_shown", "partly", "fully" or "na".
func RatingKey(r Rating) string {
	switch r {
	case NA:
		return "na"
	case NotShown:
		return "not_shown"
	case Partly:
		return "partly"
	case Fully:
		return "fully"
	}
	return "invalid"
}

// ObservationsForAPI returns employeeID's current signed-off observations
// (amended revisions and drafts left out), newest first, each with the
// employee's latest submitted self-assessment on that checklist.
func (s *ObservationStore) ObservationsForAPI(ctx context.Context, employeeID int64) ([]ObservationSummary, error) {
	var list []Observation
	q := selectObservations(s.DB, &list).Where("o.employee_id = ? AND o.status = ?", employeeID, ObservationSignedOff).
		OrderExpr("o.signed_off_at DESC, o.id DESC")
	if _, err := listObservations(ctx, q, &list); err != nil {
		return nil, err
	}
	selfs, err := latestSelfAssessments(ctx, s.DB, employeeID, 0)
	if err != nil {
		return nil, err
	}
	out := make([]ObservationSummary, 0, len(list))
	for i := range list {
		o := &list[i]
		sum := ObservationSummary{ID: o.ID, Checklist: o.ChecklistSlug, ChecklistTitle: o.Checklist.Title, Revision: o.Revision,
			Assessor: o.AssessorNumber, AssessorName: o.AssessorName, SignedOffAt: o.SignedOffAt, Passed: o.Passed,
			FailedCritical: o.FailedCritical, ReobserveDue: o.ReobserveDue, AcknowledgedAt: o.EmployeeAckAt}
		if o.Score != nil {
			score := RoundPercent(*o.Score)
			sum.Score = &score
		}
		if sa := selfs[o.ChecklistID]; sa != nil {
			ss := &SelfAssessmentSummary{ID: sa.ID, SubmittedAt: sa.SubmittedAt, Ratings: map[string]string{}, Gaps: []GapSummary{}}
			for id, r := range sa.Ratings {
				ss.Ratings[id] = RatingKey(r)
			}
			for _, g := range Gaps(o.Checklist, o.Ratings, sa.Ratings) {
				ss.Gaps = append(ss.Gaps, GapSummary{Item: g.ItemID, Self: RatingKey(g.Self), Assessor: RatingKey(g.Assessor)})
			}
			sum.SelfAssessment = ss
		}
		out = append(out, sum)
	}
	return out, nil
}
