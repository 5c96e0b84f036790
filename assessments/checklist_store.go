package assessments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Re-observation period limits, in days, for checklists written by HR.
const (
	MinReobserveDays = 1
	MaxReobserveDays = 365
)

// ValidateChecklistSettings returns every problem with c (ValidateChecklist's
// errors), the course it belongs to (field "course") and its re-observation
// period (field "reobserve_days", 1–365), as Invalid *store.Error values.
func ValidateChecklistSettings(courseSlug string, c *Checklist, reobserveDays int) []error {
	errs := ValidateChecklist(c)
	if courseSlug == "" {
		errs = append(errs, store.FieldError("course", "Choose the course the checklist belongs to."))
	} else if !checklistSlugOK(courseSlug) {
		errs = append(errs, store.FieldError("course", "There is no course %q.", courseSlug))
	}
	if reobserveDays < MinReobserveDays || reobserveDays > MaxReobserveDays {
		errs = append(errs, store.FieldError("reobserve_days",
			"Enter the days until a re-observation as a whole number from %d to %d.", MinReobserveDays, MaxReobserveDays))
	}
	return errs
}

// joinErrors is nil, the one error, or all of them joined (errors.As finds
// the first *store.Error; callers that want every field unwrap the join).
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

var errBuiltinChecklist = store.Errorf(store.Forbidden,
	"This is a built-in checklist and cannot be edited in place: copy it first and edit the copy.")

// SaveChecklist saves the checklist c of courseSlug written by HR. A new slug
// creates a checklist (version 1, not built-in); an existing one stores the
// new content as the next version, leaving observations already made on the
// earlier version with their snapshot. Saving the same content changes
// nothing (a changed course or re-observation period alone is updated without
// a new version, as SyncBuiltinChecklists does). by is who saved it, for the
// caller's audit entry.
//
// It returns every problem of ValidateChecklistSettings (joined; each an
// Invalid *store.Error naming its field), Invalid field "course" when the
// course does not exist, Forbidden for a built-in checklist ("copy it
// first"), and Conflict when someone else saved it at the same moment.
func (s *ObservationStore) SaveChecklist(ctx context.Context, courseSlug string, c Checklist, reobserveDays int, by *int64) (*StoredChecklist, error) {
	_ = by // checklists keep no author column; the app audits who saved it
	c = cleanChecklist(c)
	courseSlug = strings.TrimSpace(courseSlug)
	if err := joinErrors(ValidateChecklistSettings(courseSlug, &c, reobserveDays)); err != nil {
		return nil, err
	}
	body, err := checklistBody(&c)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		var old StoredChecklist
		err := tx.NewSelect().Model(&old).Where("slug = ?", c.Slug).Scan(ctx)
		if err == nil && old.Builtin {
			return errBuiltinChecklist
		}
		if err == nil || errors.Is(err, sql.ErrNoRows) {
			if err := checklistCourseExists(ctx, tx, courseSlug); err != nil {
				return err
			}
		}
		if errors.Is(err, sql.ErrNoRows) {
			row := StoredChecklist{Slug: c.Slug, CourseSlug: courseSlug, Version: 1, Title: c.Title, Body: body,
				PassPercent: c.PassPercent, ReobserveDays: reobserveDays, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
				return err
			}
			id = row.ID
			return nil
		} else if err != nil {
			return err
		}
		id = old.ID
		if old.Body == body && old.CourseSlug == courseSlug && old.ReobserveDays == reobserveDays {
			return nil
		}
		version := old.Version
		if old.Body != body {
			version++
		}
		res, err := tx.NewUpdate().Model((*StoredChecklist)(nil)).
			Set("course_slug = ?, version = ?, title = ?, body = ?, pass_percent = ?, reobserve_days = ?, updated_at = ?",
				courseSlug, version, c.Title, body, c.PassPercent, reobserveDays, now).
			Where("id = ? AND version = ?", old.ID, old.Version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errChecklistChanged
		}
		return nil
	})
	if store.IsUniqueViolation(err) {
		return nil, &store.Error{Kind: store.Conflict, Field: "slug",
			Message: fmt.Sprintf("A checklist with the short name %q was saved at the same moment; choose another short name.", c.Slug)}
	}
	if err != nil {
		return nil, err
	}
	return findStoredChecklist(ctx, s.DB, "cl.id = ?", id)
}

var errChecklistChanged = store.Errorf(store.Conflict,
	"Someone else saved this checklist at the same moment; open it again to see their version.")

// CopyChecklist copies the current version of the checklist fromSlug (built-in
// or not) as a new, editable checklist newSlug with title (the original's
// title with "(copy)" when title is empty), in the same course with the same
// re-observation period (14 days when the original has none). The copy starts
// at version 1 with the original's brief, items and pass mark. Returns
// NotFound for an unknown fromSlug, Invalid field "slug" or "title" for a bad
// one, and Conflict field "slug" when newSlug is taken.
func (s *ObservationStore) CopyChecklist(ctx context.Context, fromSlug, newSlug, title string) (*StoredChecklist, error) {
	from, err := findStoredChecklist(ctx, s.DB, "cl.slug = ?", fromSlug)
	if err != nil {
		return nil, err
	}
	c := from.Checklist
	c.Items = append([]Item(nil), c.Items...)
	c.Slug, c.Title = strings.TrimSpace(newSlug), strings.TrimSpace(title)
	if c.Title == "" {
		c.Title = from.Checklist.Title + " (copy)"
		if utf8.RuneCountInString(c.Title) > MaxChecklistTitle {
			c.Title = from.Checklist.Title
		}
	}
	days := from.ReobserveDays
	if days < MinReobserveDays || days > MaxReobserveDays {
		days = 14
	}
	var errs []error
	for _, err := range ValidateChecklistSettings(from.CourseSlug, &c, days) {
		if f := store.FieldOf(err); f == "slug" || f == "title" {
			errs = append(errs, err)
		}
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	body, err := checklistBody(&c)
	if err != nil {
		return nil, err
	}
	now := s.now()
	row := StoredChecklist{Slug: c.Slug, CourseSlug: from.CourseSlug, Version: 1, Title: c.Title, Body: body,
		PassPercent: c.PassPercent, ReobserveDays: days, CreatedAt: now, UpdatedAt: now}
	taken := &store.Error{Kind: store.Conflict, Field: "slug",
		Message: fmt.Sprintf("A checklist with the short name %q already exists; choose another short name.", c.Slug)}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().Model((*StoredChecklist)(nil)).Where("slug = ?", c.Slug).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return taken
		}
		_, err = tx.NewInsert().Model(&row).Returning("id").Exec(ctx)
		return err
	})
	if store.IsUniqueViolation(err) {
		return nil, taken
	}
	if err != nil {
		return nil, err
	}
	return findStoredChecklist(ctx, s.DB, "cl.id = ?", row.ID)
}

// cleanChecklist trims what an author typed around the slug, title and item
// ids and texts (briefs and guidance keep their line breaks).
func cleanChecklist(c Checklist) Checklist {
	c.Slug, c.Title = strings.TrimSpace(c.Slug), strings.TrimSpace(c.Title)
	c.Brief.Customer = strings.TrimSpace(c.Brief.Customer)
	c.Brief.Situation = strings.TrimSpace(c.Brief.Situation)
	c.Brief.WhatGoodLooksLike = strings.TrimSpace(c.Brief.WhatGoodLooksLike)
	items := make([]Item, len(c.Items))
	for i, it := range c.Items {
		it.ID, it.Text, it.Guidance = strings.TrimSpace(it.ID), strings.TrimSpace(it.Text), strings.TrimSpace(it.Guidance)
		items[i] = it
	}
	c.Items = items
	return c
}

// checklistCourseExists returns Invalid field "course" unless a course with
// slug exists.
func checklistCourseExists(ctx context.Context, db bun.IDB, slug string) error {
	ok, err := db.NewSelect().TableExpr("courses").Where("slug = ?", slug).Exists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return store.FieldError("course", "There is no course %q.", slug)
	}
	return nil
}
