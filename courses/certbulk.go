package courses

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// CertificateIDs returns the ids of the certificates matching f (its Limit
// and Offset ignored) in the register's order, newest first: at most
// limit+1, so a caller can tell when more than limit match. A bulk download
// takes them first and loads the records in pages, so what it sends is the
// set that matched when it started.
func (s *Store) CertificateIDs(ctx context.Context, f CertFilter, limit int) ([]int64, error) {
	var ids []int64
	q, ok := f.apply(s.DB.NewSelect().TableExpr("certificates AS ce").Column("ce.id").
		Join("JOIN employees AS e ON e.id = ce.employee_id"), s.Now())
	if !ok {
		return nil, nil
	}
	err := q.OrderExpr("ce.issued_at DESC, ce.id DESC").Limit(int64(limit)+1).Scan(ctx, &ids)
	return ids, err
}

// CertificatesByID returns the certificates with the ids, in the order
// given; NotFound when one of them does not exist.
func (s *Store) CertificatesByID(ctx context.Context, ids []int64) ([]Certificate, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []Certificate
	if err := selectCertificates(s.DB, &rows).Where("ce.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	byID := make(map[int64]int, len(rows))
	for i := range rows {
		byID[rows[i].ID] = i
	}
	out := make([]Certificate, len(ids))
	for i, id := range ids {
		j, ok := byID[id]
		if !ok {
			return nil, store.Errorf(store.NotFound, "A certificate in the selection no longer exists.")
		}
		out[i] = rows[j]
	}
	return out, nil
}
