package people

import "context"

// OrgOption is one item of an organisation list, for a select.
type OrgOption struct {
	ID   int64
	Name string
}

// OrgOptions returns the items of a list by name, without headcounts (cheap
// whatever the number of employees: for filters).
func (s *Store) OrgOptions(ctx context.Context, kind OrgKind) ([]OrgOption, error) {
	var out []OrgOption
	err := s.DB.NewSelect().TableExpr(string(kind)).Column("id", "name").OrderExpr("name_key").Scan(ctx, &out)
	return out, err
}

// EmployeeIDs returns the ids of everyone matching f (its limit, offset and
// order ignored), by name: the whole of a selection that a page shows in parts.
func (s *Store) EmployeeIDs(ctx context.Context, f EmployeeFilter) ([]int64, error) {
	q, err := s.filterEmployees(ctx, s.DB.NewSelect().TableExpr("employees AS e").Column("e.id"), f)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = q.OrderExpr("e.last_name, e.first_name, e.number").Scan(ctx, &ids)
	return ids, err
}
