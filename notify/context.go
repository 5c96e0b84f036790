package notify

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// sendContext is what rendering a set of rows reads from the database: HR's
// wording and switches per kind, the recipients, their opt-outs.
type sendContext struct {
	wording  map[Kind]Wording
	disabled map[Kind]bool
	people   map[int64]person
	optouts  map[optoutKey]bool
}

type person struct {
	ID                  int64
	FirstName, LastName string
	Active              bool
}

type optoutKey struct {
	emp  int64
	kind Kind
}

// loadContext reads the sendContext of rows.
func loadContext(ctx context.Context, db bun.IDB, rows []*Row) (*sendContext, error) {
	c := &sendContext{wording: map[Kind]Wording{}, disabled: map[Kind]bool{}, people: map[int64]person{}, optouts: map[optoutKey]bool{}}
	var ks []kindSetting
	if err := db.NewSelect().Model(&ks).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: kinds: %w", err)
	}
	for _, k := range ks {
		c.wording[k.Kind] = Wording{Subject: k.Subject, Opening: k.Opening}
		c.disabled[k.Kind] = !k.Enabled
	}
	var ids []int64
	for _, r := range rows {
		if r.EmployeeID != nil {
			ids = append(ids, *r.EmployeeID)
		}
	}
	if len(ids) == 0 {
		return c, nil
	}
	var ps []person
	if err := db.NewSelect().TableExpr("employees").Column("id", "first_name", "last_name", "active").
		Where("id IN (?)", bun.In(ids)).Scan(ctx, &ps); err != nil {
		return nil, fmt.Errorf("notify: recipients: %w", err)
	}
	for _, p := range ps {
		c.people[p.ID] = p
	}
	var outs []optout
	if err := db.NewSelect().Model(&outs).Where("employee_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: opt-outs: %w", err)
	}
	for _, o := range outs {
		c.optouts[optoutKey{o.EmployeeID, o.Kind}] = true
	}
	return c, nil
}

// input returns the row's Input, or why it is no longer to be sent (an
// optional kind switched off or turned off by the person since it was
// queued, or the person has left).
func (c *sendContext) input(r *Row, secret []byte) (Input, string) {
	in := Input{Wording: c.wording[r.Kind]}
	info, _ := InfoOf(r.Kind)
	if info.Optional && c.disabled[r.Kind] {
		return in, "not sent: HR switched \"" + info.Title + "\" messages off after it was queued"
	}
	if r.EmployeeID == nil {
		return in, ""
	}
	p, ok := c.people[*r.EmployeeID]
	if !ok {
		return in, "not sent: the recipient no longer exists"
	}
	if !p.Active && r.Kind != TestMessage {
		return in, "not sent: the recipient has left (inactive)"
	}
	if info.Optional && c.optouts[optoutKey{p.ID, r.Kind}] {
		return in, "not sent: the recipient turned \"" + info.Title + "\" messages off"
	}
	in.FirstName, in.Name = p.FirstName, strings.TrimSpace(p.FirstName+" "+p.LastName)
	if info.Optional && secret != nil {
		in.Unsubscribe = UnsubscribeToken(secret, p.ID, r.Kind)
	}
	return in, ""
}

// Preview renders the row as the sender would now (for the outbox). Note
// is why it would not be sent, "" when it would.
func Preview(ctx context.Context, db bun.IDB, r *Row, b Brand) (m *Message, note string, err error) {
	c, err := loadContext(ctx, db, []*Row{r})
	if err != nil {
		return nil, "", err
	}
	secret, err := Secret(ctx, db)
	if err != nil {
		return nil, "", err
	}
	in, note := c.input(r, secret)
	if r.EmployeeID != nil && in.Name == "" {
		if p, ok := c.people[*r.EmployeeID]; ok {
			in.FirstName, in.Name = p.FirstName, strings.TrimSpace(p.FirstName+" "+p.LastName)
		}
	}
	m, err = Render(r, b, in)
	return m, note, err
}
