package people

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// ImportBatch is an uploaded file waiting between preview and apply. It is
// kept in the database so the apply can land on any app instance.
type ImportBatch struct {
	bun.BaseModel `bun:"table:import_batches"`

	ID                string    `bun:",pk"`
	CreatedByID       int64     `bun:",notnull"`
	CreatedAt         time.Time `bun:",notnull"`
	Filename          string    `bun:",notnull"`
	Content           string    `bun:",notnull"`
	DeactivateMissing bool      `bun:",notnull"`
}

// CreateImportBatch stores an upload for preview and returns it with a new random id.
func (s *Store) CreateImportBatch(ctx context.Context, createdBy int64, filename string, content []byte, deactivateMissing bool) (*ImportBatch, error) {
	if len(filename) > 300 {
		filename = filename[:300]
	}
	b := &ImportBatch{ID: NewToken(18), CreatedByID: createdBy, CreatedAt: s.Now(), Filename: filename,
		Content: string(content), DeactivateMissing: deactivateMissing}
	_, err := s.DB.NewInsert().Model(b).Exec(ctx)
	return b, err
}

// FindImportBatch returns the batch id uploaded by createdBy, or NotFound
// (also for someone else's batch, or one older than a day).
func (s *Store) FindImportBatch(ctx context.Context, id string, createdBy int64) (*ImportBatch, error) {
	b := new(ImportBatch)
	err := s.DB.NewSelect().Model(b).Where("id = ? AND created_by_id = ? AND created_at > ?", id, createdBy,
		s.Now().Add(-24*time.Hour)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "This import preview has expired or was already applied. Upload the file again.")
	}
	return b, err
}

// DeleteImportBatch removes a batch once applied.
func (s *Store) DeleteImportBatch(ctx context.Context, id string) error {
	_, err := s.DB.NewDelete().Model((*ImportBatch)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}

// ListImportBatches returns the previews createdBy uploaded in the last day
// and has not applied, newest first (without their content).
func (s *Store) ListImportBatches(ctx context.Context, createdBy int64) ([]ImportBatch, error) {
	var list []ImportBatch
	err := s.DB.NewSelect().Model(&list).Column("id", "created_by_id", "created_at", "filename", "deactivate_missing").
		Where("created_by_id = ? AND created_at > ?", createdBy, s.Now().Add(-24*time.Hour)).
		OrderExpr("created_at DESC").Scan(ctx)
	return list, err
}
