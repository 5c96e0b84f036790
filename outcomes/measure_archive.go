package outcomes

import "context"

// SetMeasureArchived archives the measure slug (archived true) or restores
// it. An archived measure leaves the lists and takes no imports; its events
// stay, for the reports. NotFound when there is no such measure.
func (s *Store) SetMeasureArchived(ctx context.Context, slug string, archived bool) (*Measure, error) {
	m, err := s.FindMeasure(ctx, slug)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m.ArchivedAt, m.UpdatedAt = nil, now
	if archived {
		at := now
		m.ArchivedAt = &at
	}
	if _, err := s.DB.NewUpdate().Model(m).Column("archived_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return m, nil
}
