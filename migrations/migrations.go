// Package migrations embeds the SQL migrations. Each file is a Go template:
// {{.PK}} expands to the dialect's auto-increment primary key, {{.PathType}}
// to a text type that compares byte by byte, {{.Blob}} to a binary type, and
// {{if .Postgres}} chooses dialect-specific statements (full-text search), so
// one file serves SQLite and PostgreSQL.
package migrations

import "embed"

// FS holds the *.tx.up.sql and *.tx.down.sql files, applied in name order.
//
//go:embed *.sql
var FS embed.FS
