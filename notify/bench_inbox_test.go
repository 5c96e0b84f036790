package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/store/storetest"
)

// BenchmarkUnreadCount is the bell's cost on every page: a person with 150
// unread among 200,000 in-app rows of 1,000 people, counted up to 100.
func BenchmarkUnreadCount(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := storetest.MustOpen(b, d)
			ctx := context.Background()
			var ids []int64
			for i := range 1000 {
				ids = append(ids, employee(b, db, fmt.Sprint("E", i), fmt.Sprint("e", i, "@example.com"), true))
			}
			now := time.Now().UTC()
			rows := make([]notify.Row, 0, 2000)
			for i := range 200_000 {
				emp, status := ids[i%len(ids)], notify.Read
				if i%len(ids) == 0 && i < 150*len(ids) || i%7 == 0 {
					status = notify.Unread
				}
				rows = append(rows, notify.Row{Kind: notify.Assigned, Channel: notify.InApp, IdemKey: fmt.Sprint("bench|", i), EmployeeID: &emp,
					Data: "{}", Status: status, CreatedAt: now})
				if len(rows) == cap(rows) {
					if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
						b.Fatal(err)
					}
					rows = rows[:0]
				}
			}
			if n, err := notify.UnreadCount(ctx, db, ids[0], 100); err != nil || n != 100 {
				b.Fatalf("count: %d, %v", n, err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := notify.UnreadCount(ctx, db, ids[0], 100); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
