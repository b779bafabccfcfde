package node

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"webrunner/buildout/proc"
	"webrunner/migrations"
	"webrunner/recipes/slap"
	"webrunner/server/build"
	"webrunner/server/master"
	"webrunner/server/store"
)

// fakeEngine stands for the buildout engine and the recipes: a software run
// renders instance.cfg; an instance run reads the partition's parameters
// from the master in its context, writes a service wrapper that serves
// the parameter "name", and publishes it. A parameter "sleep" makes the
// instance run start a long command first, like a plone.recipe.command part.
func fakeEngine(t *testing.T) Engine {
	return EngineFunc(func(ctx context.Context, r Run) error {
		if _, err := os.Stat(filepath.Join(r.Dir, "software_release")); err != nil {
			r.Log("Installing instance-profile.")
			return os.WriteFile(filepath.Join(r.Dir, "instance.cfg"), []byte("[buildout]\nparts = service\n"), 0o644)
		}
		cfg, err := os.ReadFile(r.Config)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(string(cfg), "[buildout]\nparts = service\n\n\n# This is beginning of zc.buildout profile's tail added by slapgrid\n") ||
			!strings.Contains(string(cfg), "\npartition-id = slappart0\n") {
			return fmt.Errorf("unexpected partition buildout.cfg:\n%s", cfg)
		}
		m, ok := slap.FromContext(ctx)
		if !ok {
			return errors.New("no master in the context")
		}
		p, err := m.Partition(ctx, master.ComputerID, "slappart0")
		if err != nil {
			return err
		}
		name, _ := slap.Lookup(p.Parameters, "name")
		if v, ok := slap.Lookup(p.Parameters, "sleep"); ok {
			cmd := proc.Command(ctx, 200*time.Millisecond, "sh", "-c", "sleep 60 & echo $! > "+v.(string)+"; wait")
			if err := proc.Run(cmd, r.Log); err != nil {
				return err
			}
		}
		svc := filepath.Join(r.Dir, "etc", "service")
		if err := os.MkdirAll(svc, 0o755); err != nil {
			return err
		}
		script := fmt.Sprintf("#!/bin/sh\necho %q > %s/served\nexec sleep 600\n", name, r.Dir)
		if err := os.WriteFile(filepath.Join(svc, "web"), []byte(script), 0o755); err != nil {
			return err
		}
		r.Log("Installing publish.")
		return m.Publish(ctx, master.ComputerID, "slappart0", "", []slap.Param{{Name: "served", Value: name}})
	})
}

type env struct {
	root string
	db   *sql.DB
	url  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(root, "webrunner.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(ctx, db, migrations.FS); err != nil {
		t.Fatal(err)
	}
	db.Exec(`INSERT INTO partitions (name) VALUES ('slappart0')`)
	url := filepath.Join(root, "project", "software", "hello", "software.cfg")
	os.MkdirAll(filepath.Dir(url), 0o755)
	os.WriteFile(url, []byte("[buildout]\n"), 0o644)
	return &env{root: root, db: db, url: url}
}

// start makes a node, as a server start does.
func (e *env) start(t *testing.T) *Node {
	t.Helper()
	m, err := master.New(context.Background(), e.db, "slappart0", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := New(e.root, m, fakeEngine(t))
	n.Supervisor.MinBackoff = 50 * time.Millisecond
	n.Supervisor.Grace = 500 * time.Millisecond
	n.Promises.GracePeriod = -1
	t.Cleanup(n.Close)
	if err := n.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) build(t *testing.T, n *Node, target string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := n.Job(e.root)(context.Background(), build.Build{Target: target, Profile: "project/software/hello/software.cfg"},
		func(phase, text string) { fmt.Fprintf(&out, "%s: %s\n", phase, text) })
	return out.String(), err
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func servicePID(n *Node) int {
	for _, p := range n.Supervisor.Processes() {
		if p.Name == "web" && p.State == "RUNNING" {
			return p.PID
		}
	}
	return 0
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	n := e.start(t)
	n.Master.SetParameters(ctx, map[string]any{"name": "one"})
	out, err := e.build(t, n, build.TargetAll)
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, want := range []string{"software: Installing instance-profile.", "instance: Installing publish.", "instance: starting service web", "correctly processed"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	sp := n.SoftwarePath(e.url)
	if b, _ := os.ReadFile(filepath.Join(sp, "buildout.cfg")); string(b) != "[buildout]\nextends = "+e.url+"\nshared-part-list = \nbuild-time-part-list = \n\n" {
		t.Errorf("software buildout.cfg = %q", b)
	}
	if _, err := os.Stat(filepath.Join(sp, ".completed")); err != nil {
		t.Error(err)
	}
	pp := n.PartitionPath()
	if fi, _ := os.Stat(pp); fi.Mode().Perm() != 0o750 {
		t.Errorf("partition mode %v", fi.Mode().Perm())
	}
	if target, _ := os.Readlink(filepath.Join(pp, "software_release")); target != sp {
		t.Errorf("software_release -> %s", target)
	}
	in, _ := n.Master.Get(ctx)
	if in.Connection["served"] != "one" || in.Title != "hello" {
		t.Errorf("instance = %+v", in)
	}
	waitFor(t, "service", func() bool { return servicePID(n) != 0 })

	// Parameter change, instance rebuild: the new value is published and
	// the service (its wrapper changed) restarted.
	first := servicePID(n)
	n.Master.SetParameters(ctx, map[string]any{"name": "two"})
	if out, err := e.build(t, n, build.TargetInstance); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	if in, _ := n.Master.Get(ctx); in.Connection["served"] != "two" {
		t.Errorf("connection after change = %v", in.Connection)
	}
	waitFor(t, "restarted service", func() bool { p := servicePID(n); return p != 0 && p != first })
	waitFor(t, "served two", func() bool {
		b, _ := os.ReadFile(filepath.Join(pp, "served"))
		return string(b) == "two\n"
	})
	if il, _ := os.ReadFile(filepath.Join(pp, ".slapgrid", "log", "instance.log")); strings.Count(string(il), "INFO     slapos.instance Installing publish.\n") != 2 {
		t.Errorf("instance.log does not hold both builds:\n%s", il)
	}
	if ts, _ := os.ReadFile(filepath.Join(pp, ".timestamp")); len(ts) == 0 {
		t.Error("no .timestamp after a successful deployment")
	}

	// Killed service: restarted.
	pid := servicePID(n)
	syscall.Kill(pid, syscall.SIGKILL)
	waitFor(t, "service restarted after kill", func() bool { p := servicePID(n); return p != 0 && p != pid })

	// Server restart: the service runs again, the parameters are kept.
	pid = servicePID(n)
	n.Close()
	if alive(pid) {
		t.Fatal("service survived the server's stop")
	}
	n2 := e.start(t)
	waitFor(t, "service after restart", func() bool { return servicePID(n2) != 0 })
	if in, _ := n2.Master.Get(ctx); in.Parameters["name"] != "two" || in.Connection["served"] != "two" {
		t.Errorf("after restart: %+v", in)
	}

	// Stop, then destroy.
	if err := n2.SetState(ctx, master.Stopped); err != nil {
		t.Fatal(err)
	}
	if len(n2.Supervisor.Processes()) != 0 {
		t.Errorf("processes of a stopped partition: %+v", n2.Supervisor.Processes())
	}
	if _, err := os.Stat(filepath.Join(pp, "buildout.cfg")); err != nil {
		t.Error("stopping removed files")
	}
	pid = 0
	n2.SetState(ctx, master.Started)
	waitFor(t, "service after start", func() bool { pid = servicePID(n2); return pid != 0 })
	if err := n2.SetState(ctx, master.Destroyed); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Error("service survived destroy")
	}
	if ents, _ := os.ReadDir(pp); len(ents) != 0 {
		t.Errorf("partition not empty after destroy: %v", ents)
	}
	if in, _ := n2.Master.Get(ctx); len(in.Connection) != 0 || in.State != master.Destroyed {
		t.Errorf("after destroy: %+v", in)
	}
}

func TestCancelLeavesNoOrphan(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	n := e.start(t)
	pidFile := filepath.Join(e.root, "sleep.pid")
	n.Master.SetParameters(ctx, map[string]any{"name": "x", "sleep": pidFile})
	r, err := build.New(ctx, e.db, filepath.Join(e.root, "log"), n.Job(e.root))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Start(build.TargetAll, "project/software/hello/software.cfg")
	var pid int
	waitFor(t, "long command", func() bool {
		data, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		return pid != 0
	})
	if err := r.Cancel(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if alive(pid) {
		t.Errorf("process %d of the cancelled build still runs", pid)
	}
	if got, _ := r.Get(ctx, b.ID); got.State != build.Cancelled {
		t.Errorf("state %s", got.State)
	}
}

func TestMissingSoftware(t *testing.T) {
	e := newEnv(t)
	n := e.start(t)
	_, err := e.build(t, n, build.TargetInstance)
	want := "Software Release " + e.url + " is not present on system.\nCannot deploy instance."
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return !strings.Contains(string(b), ") Z")
}

// TestPartitionConfig checks the partition's buildout.cfg against
// slapgrid's buildout-tail.cfg.in filled for the Webrunner (slapos.md
// §2.3.2 step 5), byte for byte.
func TestPartitionConfig(t *testing.T) {
	e := newEnv(t)
	n := e.start(t)
	want, err := os.ReadFile(filepath.Join("testdata", "partition-buildout.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	got := n.PartitionConfig([]byte("[buildout]\nparts = a\n"), "/w/project/software/hello/software.cfg", "started")
	if string(got) != string(want) {
		t.Errorf("partition buildout.cfg:\n%s\nwant:\n%s", got, want)
	}
}
