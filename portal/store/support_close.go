package store

import (
	"context"
	"fmt"
)

// CloseSupportRequest marks a call-back request done; ErrNotFound when it
// does not exist or is closed already.
func (db *DB) CloseSupportRequest(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `UPDATE support_requests SET closed_at = ? WHERE id = ? AND closed_at IS NULL`, ms(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: close support request: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: close support request %d: %w", id, ErrNotFound)
	}
	return nil
}
