package master

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"webrunner/migrations"
	"webrunner/recipes/slap"
	"webrunner/server/store"
)

func newMaster(t *testing.T) *Master {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "webrunner.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(ctx, db, migrations.FS); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO partitions (name) VALUES ('slappart0')`); err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1700000000, 123456000)
	m, err := New(ctx, db, "slappart0", func() time.Time { clock = clock.Add(time.Second); return clock })
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPartitionAndPublish(t *testing.T) {
	ctx := context.Background()
	m := newMaster(t)
	var _ slap.Master = m
	if err := m.SetRelease(ctx, "/w/project/software/hello/software.cfg", "hello"); err != nil {
		t.Fatal(err)
	}
	if err := m.SetParameters(ctx, map[string]any{"title": "T", "name": "N", "empty": nil, "n": 3.0}); err != nil {
		t.Fatal(err)
	}
	p, err := m.Partition(ctx, ComputerID, "slappart0")
	if err != nil {
		t.Fatal(err)
	}
	if p.InstanceTitle != "hello" || p.SoftwareReleaseURL != "/w/project/software/hello/software.cfg" ||
		p.SoftwareType != "default" || p.RequestedState != Started || p.Timestamp != "1700000003.123456" {
		t.Errorf("partition = %+v", p)
	}
	want := []slap.Param{{Name: "empty", Value: nil}, {Name: "n", Value: "3"}, {Name: "name", Value: "N"}, {Name: "title", Value: "T"}}
	if len(p.Parameters) != 4 {
		t.Fatalf("parameters = %+v", p.Parameters)
	}
	for i := range want {
		if p.Parameters[i] != want[i] {
			t.Errorf("parameter %d = %+v, want %+v", i, p.Parameters[i], want[i])
		}
	}
	// Same parameters again: no change, no timestamp bump.
	m.SetParameters(ctx, map[string]any{"name": "N", "title": "T", "n": 3.0, "empty": nil})
	if p2, _ := m.Partition(ctx, ComputerID, "slappart0"); p2.Timestamp != p.Timestamp {
		t.Errorf("timestamp bumped without change: %s", p2.Timestamp)
	}

	if err := m.Publish(ctx, ComputerID, "slappart0", "", []slap.Param{{Name: "url", Value: "http://[::1]:8080"}}); err != nil {
		t.Fatal(err)
	}
	in, _ := m.Get(ctx)
	if in.Connection["url"] != "http://[::1]:8080" || len(in.Connection) != 1 {
		t.Errorf("connection = %v", in.Connection)
	}
	// The last publish wins, whole.
	m.Publish(ctx, ComputerID, "slappart0", "", []slap.Param{{Name: "other", Value: "x"}})
	if in, _ := m.Get(ctx); in.Connection["url"] != nil || in.Connection["other"] != "x" {
		t.Errorf("connection after second publish = %v", in.Connection)
	}
	if err := m.Publish(ctx, ComputerID, "slappart1", "", nil); !errors.Is(err, slap.ErrNotFound) {
		t.Errorf("publish to another partition: %v", err)
	}
	if _, err := m.Request(ctx, ComputerID, "slappart0", slap.Request{Title: "child"}); !errors.Is(err, slap.ErrSinglePartition) {
		t.Errorf("request child: %v", err)
	}
	m.ClearConnection(ctx)
	if in, _ := m.Get(ctx); len(in.Connection) != 0 {
		t.Errorf("connection after clear = %v", in.Connection)
	}
}

func TestState(t *testing.T) {
	ctx := context.Background()
	m := newMaster(t)
	changes := make(chan struct{}, 10)
	m.OnChange = func() { changes <- struct{}{} }
	if err := m.SetState(ctx, "paused"); !errors.Is(err, ErrBadState) {
		t.Errorf("bad state: %v", err)
	}
	if err := m.SetState(ctx, Stopped); err != nil {
		t.Fatal(err)
	}
	<-changes
	if in, _ := m.Get(ctx); in.State != Stopped || in.Timestamp == 0 {
		t.Errorf("instance = %+v", in)
	}
	m.SetSoftwareType(ctx, "")
	if in, _ := m.Get(ctx); in.SoftwareType != "default" {
		t.Errorf("software type = %q", in.SoftwareType)
	}
}

func TestFrontendShortcuts(t *testing.T) {
	ctx := context.Background()
	m := newMaster(t)
	inst, err := m.Request(ctx, ComputerID, "slappart0", slap.Request{
		SoftwareURL: apacheFrontendURL, Title: "html5as-frontend", Shared: true,
		Parameters: []slap.Param{{Name: "url", Value: "http://[::1]:8081"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := slap.Lookup(inst.Connection, "secure_access"); v != "http://[::1]:8081" {
		t.Errorf("secure_access = %v", v)
	}
	if v, _ := slap.Lookup(inst.Connection, "domain"); v != "[::1]:8081" {
		t.Errorf("domain = %v", v)
	}
	inst, err = m.Request(ctx, ComputerID, "slappart0", slap.Request{
		SoftwareURL: kvmFrontendURL, SoftwareType: "frontend", Title: "kvm-frontend", Shared: true,
		Parameters: []slap.Param{{Name: "host", Value: "::1"}, {Name: "port", Value: "4443"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := slap.Lookup(inst.Connection, "url"); v != "https://[::1]:4443/" {
		t.Errorf("url = %v", v)
	}
	// Without its url parameter, a frontend is an ordinary request.
	if _, err := m.Request(ctx, ComputerID, "slappart0", slap.Request{SoftwareURL: apacheFrontendURL, Title: "f", Shared: true}); !errors.Is(err, slap.ErrSinglePartition) {
		t.Errorf("frontend without url: %v", err)
	}
}
