package store

import (
	"context"
	"database/sql/driver"
)

// Crash makes l behave as if its process had been killed: it stops renewing
// the lock without releasing it, and on PostgreSQL the server sees the
// holder's connection die.
func (l *MigrationLock) Crash(ctx context.Context) error {
	close(l.stop)
	<-l.stopped
	l.mu.Lock()
	defer l.mu.Unlock()
	l.released = true
	if l.conn.Conn == nil {
		return nil
	}
	_, err := l.db.ExecContext(ctx, "SELECT pg_terminate_backend(?)", l.pid)
	l.conn.Raw(func(any) error { return driver.ErrBadConn }) // the dead connection leaves the pool
	l.conn.Close()
	return err
}

// StopRenewing makes l behave as if its host had vanished: it stops
// renewing the lock, and its PostgreSQL connection stays open but silent.
func (l *MigrationLock) StopRenewing() {
	close(l.stop)
	<-l.stopped
}
