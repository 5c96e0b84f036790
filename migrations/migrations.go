// Package migrations embeds the SQL migrations. Each file is a Go template:
// {{.PathType}} is a text type that compares byte by byte;
// {{.PK}} expands to the dialect's auto-increment primary key, so one file
// serves SQLite and PostgreSQL.
package migrations

import "embed"

// FS holds the *.tx.up.sql and *.tx.down.sql files, applied in name order.
//
//go:embed *.sql
var FS embed.FS
