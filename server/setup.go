package server

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"

	"webrunner/migrations"
	"webrunner/server/store"
	"webrunner/server/workspace"
)

// Partition is the name of the single instance partition.
const Partition = "slappart0"

// Setup opens the workspace at dir and its database, doing what a first
// start needs: it creates the layout, copies sample to project/ when
// project/ is empty, creates and migrates webrunner.db, sets the current
// release to project/<profile> when none is set, and registers the
// partition slappart0 in state started. Running it again changes nothing.
func Setup(ctx context.Context, dir string, sample fs.FS, profile string, log *slog.Logger) (*workspace.Workspace, *sql.DB, error) {
	ws, _, err := workspace.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	des, err := os.ReadDir(ws.Abs(workspace.ProjectDir))
	if err != nil {
		return nil, nil, fmt.Errorf("workspace: %w", err)
	}
	if len(des) == 0 && sample != nil {
		if err := ws.CopyFS(workspace.ProjectDir, sample); err != nil {
			return nil, nil, fmt.Errorf("copy the sample repository: %w", err)
		}
		log.Info("copied the sample repository", "to", ws.Abs(workspace.ProjectDir))
	}
	db, err := store.Open(ctx, ws.Abs(workspace.DBFile))
	if err != nil {
		return nil, nil, err
	}
	n, err := store.Migrate(ctx, db, migrations.FS)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if n > 0 {
		log.Info("migrated the database", "applied", n)
	}
	if _, ok, err := store.Setting(ctx, db, ReleaseSetting); err != nil {
		db.Close()
		return nil, nil, err
	} else if !ok && profile != "" {
		if err := store.SetSetting(ctx, db, ReleaseSetting, path.Join(workspace.ProjectDir, profile)); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	if _, err := db.ExecContext(ctx,
		"INSERT INTO partitions (name, state) VALUES (?, 'started') ON CONFLICT (name) DO NOTHING", Partition); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("register %s: %w", Partition, err)
	}
	return ws, db, nil
}
