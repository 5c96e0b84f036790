package people

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/serviceacademy/academy/store"
)

// Privileged reports whether e holds the HR or the admin role. Only admins
// may change the roles of anyone, or edit, deactivate, reactivate or send a
// password link to a privileged person (the web layer asks; the import
// checks it itself, see ImportOptions.Admin).
func (e *Employee) Privileged() bool { return privilegedRoles(e.Roles) }

func privilegedRoles(roles string) bool {
	r := strings.Split(roles, ",")
	return slices.Contains(r, string(RoleHR)) || slices.Contains(r, string(RoleAdmin))
}

func adminRoles(roles string) bool {
	return slices.Contains(strings.Split(roles, ","), string(RoleAdmin))
}

// lastAdmin is the answer to a change that would leave no active admin.
func lastAdmin(e *Employee, field string) error {
	return &store.Error{Kind: store.Conflict, Field: field, Message: fmt.Sprintf(
		"%s is the last active admin: make someone else an admin first (someone must be able to grant roles and manage API tokens).", e.Name())}
}

// activeAdminIDs returns the ids of the active admins. On PostgreSQL it
// locks their rows until db's transaction ends, so two changes that each
// remove a different admin cannot both see the other one still there
// (SQLite transactions already take the write lock at BEGIN).
func activeAdminIDs(ctx context.Context, db bun.IDB) ([]int64, error) {
	q := db.NewSelect().TableExpr("employees").Column("id").
		Where("active").Where("(',' || roles || ',') LIKE '%,admin,%'").OrderExpr("id")
	if db.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	var ids []int64
	err := q.Scan(ctx, &ids)
	return ids, err
}

// keepAnAdmin refuses (Conflict, naming the field roles or active) a change
// of one employee from before to after that takes the admin role or the
// active flag from the last active admin. Call it inside the transaction
// that writes after.
func keepAnAdmin(ctx context.Context, db bun.IDB, before, after *Employee) error {
	if !before.Active || !adminRoles(before.Roles) || (after.Active && adminRoles(after.Roles)) {
		return nil
	}
	ids, err := activeAdminIDs(ctx, db)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(ids, func(id int64) bool { return id != before.ID }) {
		return nil
	}
	field := "roles"
	if !after.Active {
		field = "active"
	}
	return lastAdmin(before, field)
}

// checkImportAuthority adds the errors of a planned import that its
// importer may not make: roles changed by someone who is not an admin,
// people who hold HR or admin changed or deactivated by someone who is not
// an admin (the importer's own row may change, but never its roles or
// status), and, for everyone, a file that would leave no active admin.
func checkImportAuthority(plan *ImportPlan, w *importWork, opt ImportOptions) {
	st := w.st
	type after struct {
		roles  string
		active bool
	}
	final := map[string]after{} // number → roles and status once applied, for people who change
	for _, i := range w.creates {
		r := &w.rows[i]
		roles := ""
		if !r.in.KeepRoles {
			roles = r.in.Roles
		}
		final[r.in.Number] = after{roles, r.in.Active}
		if !opt.Admin && roles != "" {
			plan.refuse(r.line, "roles", r.in.Number, "Only an admin may grant roles: this row would make %s %s. Empty the roles cell, or ask an admin to import the file.",
				r.in.Number, describeRoles(roles))
		}
	}
	for _, i := range w.updates {
		r := &w.rows[i]
		roles := r.cur.roles
		if !r.in.KeepRoles {
			roles = r.in.Roles
		}
		final[r.in.Number] = after{roles, r.in.Active}
		if opt.Admin {
			continue
		}
		if roles != r.cur.roles {
			plan.refuse(r.line, "roles", r.in.Number, "Only an admin may change roles: this row would make %s %s instead of %s. Put back the roles they have, or ask an admin to import the file.",
				r.in.Number, describeRoles(roles), describeRoles(r.cur.roles))
		}
		self := opt.Importer != 0 && r.cur.id == opt.Importer && !slices.Contains(r.changed, "active")
		onlyRoles := len(r.changed) == 1 && r.changed[0] == "roles" // said above
		if privilegedRoles(r.cur.roles) && !self && !onlyRoles {
			plan.refuse(r.line, "employee_number", r.cur.number, "%s (%s) holds the HR or admin role: only an admin may change them. Remove the row, or ask an admin to import the file.",
				strings.TrimSpace(r.cur.firstName+" "+r.cur.lastName), r.cur.number)
		}
	}
	for _, c := range w.deactivates {
		final[c.number] = after{c.roles, false}
		if !opt.Admin && privilegedRoles(c.roles) {
			plan.refuse(0, "employee_number", c.number, "%s (%s) holds the HR or admin role and is not in the file: only an admin may deactivate them. Add them to the file, or import without deactivating those missing.",
				strings.TrimSpace(c.firstName+" "+c.lastName), c.number)
		}
	}

	// Someone must stay an active admin.
	before, remaining := 0, 0
	for i := range st.list {
		c := &st.list[i]
		if c.active && adminRoles(c.roles) {
			before++
		}
		if a, ok := final[c.number]; ok {
			if a.active && adminRoles(a.roles) {
				remaining++
			}
		} else if c.active && adminRoles(c.roles) {
			remaining++
		}
	}
	for _, i := range w.creates {
		if a := final[w.rows[i].in.Number]; a.active && adminRoles(a.roles) {
			remaining++
		}
	}
	if before == 0 || remaining > 0 {
		return
	}
	for _, i := range w.updates {
		r := &w.rows[i]
		if r.cur.active && adminRoles(r.cur.roles) {
			field := "roles"
			if !final[r.in.Number].active {
				field = "active"
			}
			plan.addError(r.line, field, "%s (%s) is the last active admin: this file would leave nobody to grant roles and manage API tokens. Keep them an active admin, or make someone else one first.",
				strings.TrimSpace(r.cur.firstName+" "+r.cur.lastName), r.cur.number)
		}
	}
	for _, c := range w.deactivates {
		if adminRoles(c.roles) {
			plan.addError(0, "active", "%s (%s) is the last active admin and is not in the file: deactivating them would leave nobody to grant roles and manage API tokens.",
				strings.TrimSpace(c.firstName+" "+c.lastName), c.number)
		}
	}
}

// refusal is a row of an import its importer may not make: the employee
// number and what was refused, for the audit log.
type refusal struct{ subject, detail string }

func (p *ImportPlan) refuse(line int, field, subject, format string, args ...any) {
	p.addError(line, field, format, args...)
	p.refused = append(p.refused, refusal{subject, fmt.Sprintf("import, line %d: ", line) + fmt.Sprintf(format, args...)})
}

// auditRefusals writes one access.refused entry per refused row.
func auditRefusals(ctx context.Context, db bun.IDB, now time.Time, actorID *int64, actor string, list []refusal) error {
	for _, r := range list {
		if err := Audit(ctx, db, now, actorID, actor, "access.refused", r.subject, r.detail); err != nil {
			return err
		}
	}
	return nil
}

// describeRoles names canonical roles for a message: "hr and admin", or "staff only".
func describeRoles(roles string) string {
	if roles == "" {
		return "staff only"
	}
	list := strings.Split(roles, ",")
	if len(list) == 1 {
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}
