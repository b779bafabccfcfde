package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"webrunner/migrations"
)

func openTemp(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// prefix returns a file system with the first n migrations of fsys.
func prefix(t *testing.T, fsys fs.FS, n int) fs.FS {
	t.Helper()
	ms, err := Migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms[:n] {
		out[m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
	}
	return out
}

// TestFreshAndUpgradedSchemasMatch migrates one database in one go and
// others step by step (closing and reopening in between, as an upgrade of
// the binary would), and checks that all end with the same schema.
func TestFreshAndUpgradedSchemasMatch(t *testing.T) {
	sets := map[string]fs.FS{
		"real":     migrations.FS,
		"testdata": os.DirFS("testdata/migrations"),
	}
	for name, fsys := range sets {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			all, err := Migrations(fsys)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) == 0 {
				t.Fatal("no migrations")
			}
			fresh, _ := openTemp(t)
			n, err := Migrate(ctx, fresh, fsys)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(all) {
				t.Fatalf("fresh: applied %d migrations, want %d", n, len(all))
			}
			want, err := Schema(ctx, fresh)
			if err != nil {
				t.Fatal(err)
			}
			for k := 0; k < len(all); k++ {
				db, path := openTemp(t)
				if _, err := Migrate(ctx, db, prefix(t, fsys, k)); err != nil {
					t.Fatalf("first %d: %v", k, err)
				}
				db.Close()
				db, err = Open(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				n, err := Migrate(ctx, db, fsys)
				if err != nil {
					t.Fatalf("upgrade from %d: %v", k, err)
				}
				if n != len(all)-k {
					t.Errorf("upgrade from %d: applied %d, want %d", k, n, len(all)-k)
				}
				got, err := Schema(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("upgrade from %d: schema differs from fresh:\n got %q\nwant %q", k, got, want)
				}
				// A second run is a no-op.
				if n, err := Migrate(ctx, db, fsys); err != nil || n != 0 {
					t.Errorf("rerun: applied %d, err %v; want 0, nil", n, err)
				}
				db.Close()
			}
		})
	}
}

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var fk int
	if err := db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	if _, err := Migrate(ctx, db, migrations.FS); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := Setting(ctx, db, "release"); ok || err != nil {
		t.Fatalf("unset setting: ok=%v err=%v", ok, err)
	}
	for _, v := range []string{"a", "b"} {
		if err := SetSetting(ctx, db, "release", v); err != nil {
			t.Fatal(err)
		}
		got, ok, err := Setting(ctx, db, "release")
		if err != nil || !ok || got != v {
			t.Fatalf("Setting = %q, %v, %v; want %q", got, ok, err, v)
		}
	}
}

func TestMigrateErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"bad name", fstest.MapFS{"1_x.sql": {Data: []byte("SELECT 1;")}}, "name must look like"},
		{"zero", fstest.MapFS{"0000_x.sql": {Data: []byte("SELECT 1;")}}, "start at 0001"},
		{"duplicate", fstest.MapFS{
			"0001_a.sql": {Data: []byte("SELECT 1;")},
			"0001_b.sql": {Data: []byte("SELECT 1;")},
		}, "already used"},
		{"bad sql", fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE t (x);\nCREATE TABLE oops")}}, "0001_a.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTemp(t)
			_, err := Migrate(ctx, db, tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestFailedMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	fsys := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte("CREATE TABLE a (x);")},
		"0002_bad.sql": {Data: []byte("CREATE TABLE b (x);\nINSERT INTO nowhere VALUES (1);")},
	}
	if n, err := Migrate(ctx, db, fsys); err == nil || n != 1 {
		t.Fatalf("Migrate = %d, %v; want 1 and an error", n, err)
	}
	var count int
	db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").Scan(&count)
	if count != 0 {
		t.Error("table b of the failed migration exists")
	}
	db.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&count)
	if count != 1 {
		t.Errorf("schema_migrations has %d rows, want 1", count)
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	if _, err := Migrate(ctx, db, os.DirFS("testdata/migrations")); err != nil {
		t.Fatal(err)
	}
	_, err := Migrate(ctx, db, prefix(t, os.DirFS("testdata/migrations"), 1))
	if err == nil || !strings.Contains(err.Error(), "0002_tags.sql") {
		t.Fatalf("err = %v, want a refusal naming 0002_tags.sql", err)
	}
}
