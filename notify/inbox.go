package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// The notification centre: a person's in-app rows, newest first, and what
// they have read.

// ErrNoNotification is the answer to a notification id that does not exist
// or is not the person's own (the two are not told apart).
var ErrNoNotification = store.Errorf(store.NotFound, "There is no such notification.")

// UnreadCount returns how many in-app notifications the employee has not
// read, counting at most limit (the bell shows "99+" beyond): one range of
// the notifications_recipient index, however many rows the person has.
func UnreadCount(ctx context.Context, db bun.IDB, employeeID int64, limit int) (int, error) {
	var n int
	err := db.NewSelect().ColumnExpr("count(*)").TableExpr("(?) AS u",
		db.NewSelect().TableExpr("notifications").ColumnExpr("1").
			Where("employee_id = ? AND channel = ? AND status = ?", employeeID, InApp, Unread).Limit(int64(limit))).
		Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("notify: unread count: %w", err)
	}
	return n, nil
}

// ListInApp returns a page of the employee's in-app notifications, newest
// first (offset rows skipped, at most limit), and how many there are.
func ListInApp(ctx context.Context, db bun.IDB, employeeID int64, offset, limit int) ([]Row, int, error) {
	var rows []Row
	total, err := db.NewSelect().Model(&rows).
		Where("employee_id = ? AND channel = ?", employeeID, InApp).
		OrderExpr("created_at DESC, id DESC").Offset(int64(offset)).Limit(int64(limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("notify: list notifications: %w", err)
	}
	return rows, int(total), nil
}

// MarkRead marks the employee's in-app notification id read (if it was not
// already) and returns it; ErrNoNotification when it is not theirs.
func MarkRead(ctx context.Context, db bun.IDB, now time.Time, employeeID, id int64) (*Row, error) {
	var r Row
	err := db.NewSelect().Model(&r).Where("id = ? AND employee_id = ? AND channel = ?", id, employeeID, InApp).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoNotification
	}
	if err != nil {
		return nil, fmt.Errorf("notify: find notification: %w", err)
	}
	if r.Status == Unread {
		at := now.UTC()
		if _, err := db.NewUpdate().Model((*Row)(nil)).Set("status = ?, read_at = ?", Read, at).
			Where("id = ? AND status = ?", id, Unread).Exec(ctx); err != nil {
			return nil, fmt.Errorf("notify: mark read: %w", err)
		}
		r.Status, r.ReadAt = Read, &at
	}
	return &r, nil
}

// MarkAllRead marks every unread in-app notification of the employee read
// and returns how many there were.
func MarkAllRead(ctx context.Context, db bun.IDB, now time.Time, employeeID int64) (int, error) {
	res, err := db.NewUpdate().Model((*Row)(nil)).Set("status = ?, read_at = ?", Read, now.UTC()).
		Where("employee_id = ? AND channel = ? AND status = ?", employeeID, InApp, Unread).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
