package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/serviceacademy/academy/notify"
)

// BenchmarkLessonPageBell is BenchmarkLessonPage with 200,000 in-app
// notifications in the table, 150 of them unread for the learner: every page
// counts the bell (at most 100, "99+"), so this is what the bell costs the
// hottest page.
func BenchmarkLessonPageBell(b *testing.B) {
	ts := mustServer(b, "sqlite")
	ctx := context.Background()
	var ids []int64
	if err := ts.DB.NewSelect().TableExpr("employees").Column("id").Scan(ctx, &ids); err != nil {
		b.Fatal(err)
	}
	staff, err := ts.People.FindEmployeeByEmail(ctx, staffEmail)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	const total, mine = 200_000, 150
	rows := make([]notify.Row, 0, 5000)
	flush := func() {
		if len(rows) > 0 {
			if _, err := ts.DB.NewInsert().Model(&rows).Exec(ctx); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	for i := range total {
		emp, status := ids[i%len(ids)], notify.Read
		if i < mine {
			emp, status = staff.ID, notify.Unread
		} else if i%3 == 0 {
			status = notify.Unread
		}
		rows = append(rows, notify.Row{Kind: notify.Assigned, Channel: notify.InApp, IdemKey: fmt.Sprint("bench|", i), EmployeeID: &emp,
			Data: `{"programme":"Fire Safety"}`, Status: status, CreatedAt: now.Add(-time.Duration(i) * time.Second)})
		if len(rows) == cap(rows) {
			flush()
		}
	}
	flush()
	if n, err := notify.UnreadCount(ctx, ts.DB, staff.ID, 100); err != nil || n != 100 {
		b.Fatalf("unread count: %d, %v", n, err)
	}
	benchPage(b, ts, staffEmail, "/learn/mission-vision-promise/from-the-top-to-the-front-line")
}
