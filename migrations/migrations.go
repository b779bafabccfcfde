// Package migrations holds the numbered SQL files that define the schema of
// webrunner.db. Each file is named NNNN_description.sql and is applied once,
// in order, inside a transaction by store.Migrate.
//
// A change to the schema is always a new file: an applied migration is never
// edited. Later work adds 0002_….sql and so on.
package migrations

import "embed"

// FS holds every migration file at its root.
//
//go:embed *.sql
var FS embed.FS
