package people

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Reporting lines are kept as a materialised path on every employee:
// line_path is "/" + the ids from the top of the tree down to the employee,
// each followed by "/" (the chief executive "/1/", a report "/1/5/"). Everyone
// below M has a path that starts with M's path, so a reporting line is one
// index range scan: line_path > P AND line_path < P + ":" (":" sorts right
// after the digits and "/", the only bytes a path holds). PostgreSQL stores the
// column with COLLATE "C" so the comparison is byte order there too.

// pathEnd is the exclusive upper bound of the paths that start with p.
func pathEnd(p string) string { return p + ":" }

// ChildPath is the path of employee id under a manager whose path is parent.
func ChildPath(parent string, id int64) string {
	if parent == "" {
		parent = "/"
	}
	return parent + strconv.FormatInt(id, 10) + "/"
}

// pathIDs returns the ids in a path, top first.
func pathIDs(p string) []int64 {
	var ids []int64
	for _, f := range strings.Split(strings.Trim(p, "/"), "/") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// pathDepth is the number of levels in a path ("/1/5/" is 2).
func pathDepth(p string) int { return strings.Count(p, "/") - 1 }

// whereBelow restricts q to everyone strictly below the path root.
func whereBelow(q *bun.SelectQuery, alias, root string) *bun.SelectQuery {
	return q.Where(alias+".line_path > ? AND "+alias+".line_path < ?", root, pathEnd(root))
}

// linePath returns the path of employee id, or NotFound.
func linePath(ctx context.Context, db bun.IDB, id int64) (string, error) {
	var p string
	err := db.NewSelect().TableExpr("employees").Column("line_path").Where("id = ?", id).Scan(ctx, &p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.Errorf(store.NotFound, "No employee with that id.")
	}
	return p, err
}

// setPath gives employee e (already inserted, or moved to a new manager whose
// path is parent) its path, and moves everyone below it along.
func setPath(ctx context.Context, db bun.IDB, e *Employee, parent string) error {
	old := e.LinePath
	e.LinePath = ChildPath(parent, e.ID)
	if old == e.LinePath {
		return nil
	}
	if old == "" {
		_, err := db.NewUpdate().TableExpr("employees").Set("line_path = ?", e.LinePath).Where("id = ?", e.ID).Exec(ctx)
		return err
	}
	// The employee and their whole line: swap the old prefix for the new one.
	_, err := db.NewUpdate().TableExpr("employees").
		Set("line_path = ? || substr(line_path, ?)", e.LinePath, len(old)+1).
		Where("line_path >= ? AND line_path < ?", old, pathEnd(old)).Exec(ctx)
	return err
}

// RebuildPaths recomputes every employee's path from manager_id and writes
// the ones that differ; bulk changes (imports) call it once at the end.
// Returns how many rows changed.
func RebuildPaths(ctx context.Context, db bun.IDB) (int, error) {
	var rows []struct {
		ID        int64
		ManagerID *int64
		LinePath  string
	}
	if err := db.NewSelect().TableExpr("employees").Column("id", "manager_id", "line_path").Scan(ctx, &rows); err != nil {
		return 0, err
	}
	managerOf := make(map[int64]*int64, len(rows))
	for _, r := range rows {
		managerOf[r.ID] = r.ManagerID
	}
	paths := make(map[int64]string, len(rows))
	var pathOf func(id int64, depth int) string
	pathOf = func(id int64, depth int) string {
		if p, ok := paths[id]; ok {
			return p
		}
		parent := "/"
		if m := managerOf[id]; m != nil && depth < 10_000 {
			parent = pathOf(*m, depth+1)
		}
		p := ChildPath(parent, id)
		paths[id] = p
		return p
	}
	changed := 0
	for _, r := range rows {
		if p := pathOf(r.ID, 0); p != r.LinePath {
			if _, err := db.NewUpdate().TableExpr("employees").Set("line_path = ?", p).Where("id = ?", r.ID).Exec(ctx); err != nil {
				return changed, err
			}
			changed++
		}
	}
	return changed, nil
}

// LineMember is one person in a reporting line with their depth below the root (1 = direct).
type LineMember struct {
	Employee `bun:",extend"`
	Depth    int `bun:"-"`
	Below    int `bun:",scanonly"` // people below this member (TopOfLine only)
}

// ReportingLine returns everyone below managerID (direct and indirect) in one
// query, ordered by name; Depth says how far below.
func (s *Store) ReportingLine(ctx context.Context, managerID int64, activeOnly bool) ([]LineMember, error) {
	root, err := linePath(ctx, s.DB, managerID)
	if err != nil {
		return nil, err
	}
	var list []LineMember
	return scanLine(ctx, whereBelow(selectEmployees(s.DB, &list), "e", root), &list, root, activeOnly)
}

// scanLine runs a query over line members, by name, and sets their depth below root.
func scanLine(ctx context.Context, q *bun.SelectQuery, list *[]LineMember, root string, activeOnly bool) ([]LineMember, error) {
	if activeOnly {
		q = q.Where("e.active")
	}
	if err := q.OrderExpr("e.last_name, e.first_name").Scan(ctx); err != nil {
		return nil, err
	}
	base := pathDepth(root)
	for i := range *list {
		(*list)[i].Depth = pathDepth((*list)[i].LinePath) - base
	}
	return *list, nil
}

// CountLine returns how many people (active ones only, if asked) are below managerID.
func (s *Store) CountLine(ctx context.Context, managerID int64, activeOnly bool) (int, error) {
	root, err := linePath(ctx, s.DB, managerID)
	if err != nil {
		return 0, err
	}
	q := whereBelow(s.DB.NewSelect().TableExpr("employees AS e"), "e", root)
	if activeOnly {
		q = q.Where("e.active")
	}
	n, err := q.Count(ctx)
	return int(n), err
}

// InLine reports whether employeeID is below managerID (direct or indirect).
func InLine(ctx context.Context, db bun.IDB, managerID, employeeID int64) (bool, error) {
	if managerID == employeeID {
		return false, nil
	}
	var paths []string
	err := db.NewSelect().TableExpr("employees").Column("line_path").Where("id IN (?, ?)", managerID, employeeID).
		OrderExpr("CASE WHEN id = ? THEN 0 ELSE 1 END", managerID).Scan(ctx, &paths)
	if err != nil || len(paths) != 2 {
		return false, err
	}
	return strings.HasPrefix(paths[1], paths[0]), nil
}

// InLine reports whether employeeID is below managerID.
func (s *Store) InLine(ctx context.Context, managerID, employeeID int64) (bool, error) {
	return InLine(ctx, s.DB, managerID, employeeID)
}

// Chain returns the managers above id, nearest first.
func (s *Store) Chain(ctx context.Context, id int64) ([]Employee, error) {
	p, err := linePath(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	ids := pathIDs(p)
	if len(ids) < 2 {
		return nil, nil
	}
	ids = ids[:len(ids)-1]
	var list []Employee
	if err := s.DB.NewSelect().Model(&list).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	pos := map[int64]int{}
	for i, id := range ids {
		pos[id] = len(ids) - i // nearest first
	}
	out := make([]Employee, len(list))
	for _, e := range list {
		out[pos[e.ID]-1] = e
	}
	return out, nil
}

// TopOfLine returns the direct reports of managerID, each with the number of
// people below them: the reporting-line view of a large line.
func (s *Store) TopOfLine(ctx context.Context, managerID int64, activeOnly bool) ([]LineMember, error) {
	root, err := linePath(ctx, s.DB, managerID)
	if err != nil {
		return nil, err
	}
	active := ""
	if activeOnly {
		active = " AND b.active"
	}
	var list []LineMember
	q := selectEmployees(s.DB, &list).
		ColumnExpr("(SELECT COUNT(*) FROM employees AS b WHERE b.line_path > e.line_path AND b.line_path < e.line_path || ':'"+active+") AS below").
		Where("e.manager_id = ?", managerID)
	return scanLine(ctx, q, &list, root, activeOnly)
}
