package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// manyChunk is how many ids an IN list, and how many rows an insert, holds.
const manyChunk = 500

// EnqueueMany is Enqueue for many events at once, through db (the events'
// transaction), with the same rows, rules and idempotency: it reads the
// recipients, the switched-off kinds and the opt-outs once for all events
// and inserts in chunks — what a scheduler run that queues thousands of
// reminders needs. It returns how many rows it wrote.
func EnqueueMany(ctx context.Context, db bun.IDB, now time.Time, evs []Event) (int, error) {
	now = now.UTC()
	kinds := map[Kind]Info{}
	var ids []int64
	for _, ev := range evs {
		in, ok := InfoOf(ev.Kind)
		if !ok {
			return 0, fmt.Errorf("notify: unknown kind %q", ev.Kind)
		}
		if ev.Key == "" {
			return 0, errors.New("notify: an event needs a key")
		}
		kinds[ev.Kind] = in
		ids = append(ids, ev.To...)
	}
	if len(evs) == 0 {
		return 0, nil
	}
	off := map[Kind]bool{} // optional kinds HR switched off
	var optional []Kind
	for k, in := range kinds {
		if in.Optional {
			optional = append(optional, k)
		}
	}
	if len(optional) > 0 {
		var ks []kindSetting
		if err := db.NewSelect().Model(&ks).Where("kind IN (?)", bun.In(optional)).Scan(ctx); err != nil {
			return 0, err
		}
		for _, k := range ks {
			off[k.Kind] = !k.Enabled
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	people := make(map[int64]recipient, len(ids))
	optedOut := map[Kind]map[int64]bool{}
	for start := 0; start < len(ids); start += manyChunk {
		chunk := ids[start:min(start+manyChunk, len(ids))]
		var rs []recipient
		if err := db.NewSelect().TableExpr("employees").Column("id", "email", "active").
			Where("id IN (?)", bun.In(chunk)).Scan(ctx, &rs); err != nil {
			return 0, err
		}
		for _, r := range rs {
			people[r.ID] = r
		}
		if len(optional) > 0 {
			var outs []optout
			if err := db.NewSelect().Model(&outs).Where("kind IN (?) AND employee_id IN (?)", bun.In(optional), bun.In(chunk)).Scan(ctx); err != nil {
				return 0, err
			}
			for _, o := range outs {
				if optedOut[o.Kind] == nil {
					optedOut[o.Kind] = map[int64]bool{}
				}
				optedOut[o.Kind][o.EmployeeID] = true
			}
		}
	}
	var rows []*Row
	for _, ev := range evs {
		if off[ev.Kind] {
			continue
		}
		data, err := json.Marshal(ev.Data)
		if err != nil {
			return 0, err
		}
		add := func(emp *int64, ch Channel, addr, who string) {
			st := Unread
			var next *time.Time
			if ch == Email {
				st, next = Queued, &now
			}
			rows = append(rows, &Row{Kind: ev.Kind, Channel: ch, IdemKey: fmt.Sprintf("%s|%s|%s|%s", ev.Kind, ev.Key, who, ch),
				EmployeeID: emp, Address: addr, Data: string(data), Status: st, NextAttemptAt: next, CreatedAt: now})
		}
		if ev.Address != "" {
			add(nil, Email, ev.Address, "addr:"+strings.ToLower(ev.Address))
		}
		to := slices.Clone(ev.To)
		slices.Sort(to)
		for _, id := range slices.Compact(to) {
			r, ok := people[id]
			if !ok || optedOut[ev.Kind][id] {
				continue
			}
			who := fmt.Sprint("emp:", id)
			if !ev.NoInApp {
				add(&r.ID, InApp, "", who)
			}
			if r.Active && strings.TrimSpace(r.Email) != "" {
				add(&r.ID, Email, r.Email, who)
			}
		}
	}
	total := 0
	for start := 0; start < len(rows); start += manyChunk {
		chunk := rows[start:min(start+manyChunk, len(rows))]
		res, err := db.NewInsert().Model(&chunk).On("CONFLICT (idem_key) DO NOTHING").Returning("NULL").Exec(ctx)
		if err != nil {
			return total, fmt.Errorf("notify: queue: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}
