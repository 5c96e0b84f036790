package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"
)

// SQLite's primary result codes that mean "not now" rather than "wrong"
// (https://sqlite.org/rescode.html); extended codes carry them in the low byte.
const (
	sqliteBusy     = 5
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// Unavailability says, in a few words fit for the user, why err means the
// database is unavailable for now, or "" when it does not: disk full,
// read-only, an I/O error, the file gone or not openable, the write lock not
// free in time (SQLite); the server unreachable, shutting down, out of
// resources or read-only (PostgreSQL: SQLSTATE classes 08, 53, 57P, 25006);
// a refused, reset or dropped connection. Nothing the failed statement
// wrote was kept.
func Unavailability(err error) string {
	if err == nil {
		return ""
	}
	var se *Error
	if errors.As(err, &se) && se.Kind == Unavailable {
		return se.Message
	}
	if errors.Is(err, errGateTimeout) {
		return "the database is busy"
	}
	var coded interface{ Code() int } // modernc.org/sqlite's *Error
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case sqliteFull:
			return "the disk is full"
		case sqliteReadOnly:
			return "the database is read-only"
		case sqliteIOErr:
			return "the disk reports an error"
		case sqliteCantOpen:
			return "the database file cannot be opened"
		case sqliteBusy:
			return "the database is busy"
		}
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		switch code := pgErr.Field('C'); {
		case strings.HasPrefix(code, "08"):
			return "the database cannot be reached"
		case code == "53100":
			return "the disk is full"
		case strings.HasPrefix(code, "53"):
			return "the database is out of resources"
		case strings.HasPrefix(code, "57P"):
			return "the database is shutting down or starting"
		case code == "25006":
			return "the database is read-only"
		}
		return ""
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "the disk is full"
	case errors.Is(err, syscall.EROFS):
		return "the database is read-only"
	case errors.Is(err, syscall.EIO):
		return "the disk reports an error"
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		// pgdriver returns a bare io.EOF when the server closes the
		// connection; the web layer reads bodies from memory, so an EOF that
		// gets this far is the database's.
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the database cannot be reached"
	}
	var ne net.Error
	if errors.As(err, &ne) && !errors.Is(err, context.Canceled) {
		return "the database cannot be reached"
	}
	return ""
}
