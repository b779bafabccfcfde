package node_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"webrunner/server/servertest"
)

type process struct {
	Name, Kind, State string
	PID               *int
}

type instance struct {
	State      string
	Parameters map[string]any
	Connection map[string]any
	Processes  []process
}

func getInstance(s *servertest.Server) instance {
	var in instance
	if st := s.Do("GET", "/api/instance", nil, &in); st != 200 {
		panic(fmt.Sprintf("GET /api/instance: %d", st))
	}
	return in
}

// pids returns the pids of the running services, by name.
func pids(in instance) map[string]int {
	out := map[string]int{}
	for _, p := range in.Processes {
		if p.State == "RUNNING" && p.PID != nil {
			out[p.Name] = *p.PID
		}
	}
	return out
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return !strings.Contains(string(b), ") Z")
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestInstanceLifecycle runs a real Webrunner (real processes, real
// SQLite, temporary workspace) on the sample helloworld release: its
// instance runs two services and publishes a parameter.
func TestInstanceLifecycle(t *testing.T) {
	s := servertest.Start(t, "")
	b := s.RunBuild("all", 3*time.Minute)
	if b.State != "succeeded" {
		t.Fatalf("build: %s %s\n%s", b.State, b.Error, b.Text())
	}
	in := getInstance(s)
	if in.Connection["name"] != "Hello John Doe!" {
		t.Fatalf("connection = %v", in.Connection)
	}
	first := pids(in)
	if len(first) == 0 {
		t.Fatalf("no running service: %+v", in.Processes)
	}

	// Parameter change → rebuild → new value published.
	if st := s.Do("PUT", "/api/instance/parameters", map[string]any{"parameters": map[string]any{"name": "Alice"}}, nil); st != 200 {
		t.Fatalf("PUT parameters: %d", st)
	}
	if b := s.RunBuild("instance", time.Minute); b.State != "succeeded" {
		t.Fatalf("instance build: %s %s\n%s", b.State, b.Error, b.Text())
	}
	if in := getInstance(s); in.Connection["name"] != "Hello Alice!" {
		t.Fatalf("connection after change = %v", in.Connection)
	}

	// Service killed → restarted.
	var name string
	var pid int
	for name, pid = range pids(getInstance(s)) {
		break
	}
	syscall.Kill(pid, syscall.SIGKILL)
	eventually(t, "service "+name+" restarted", func() bool {
		p := pids(getInstance(s))[name]
		return p != 0 && p != pid
	})

	// Server restarted → services running again, parameters intact.
	before := pids(getInstance(s))
	s.Restart()
	for n, p := range before {
		if alive(p) {
			t.Errorf("service %s (pid %d) survived the server's stop", n, p)
		}
	}
	eventually(t, "services after restart", func() bool { return len(pids(getInstance(s))) == len(before) })
	in = getInstance(s)
	if in.Parameters["name"] != "Alice" || in.Connection["name"] != "Hello Alice!" {
		t.Errorf("after restart: parameters %v, connection %v", in.Parameters, in.Connection)
	}

	// Destroy → no process left, partition empty, connection cleared.
	running := pids(in)
	in = instance{}
	if st := s.Do("POST", "/api/instance/state", map[string]string{"state": "destroyed"}, &in); st != 200 {
		t.Fatalf("destroy: %d", st)
	}
	for n, p := range running {
		if alive(p) {
			t.Errorf("service %s (pid %d) survived destroy", n, p)
		}
	}
	if len(in.Processes) != 0 || len(in.Connection) != 0 || in.State != "destroyed" {
		t.Errorf("after destroy: %+v", in)
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Workspace, "instance", "slappart0")); len(ents) != 0 {
		t.Errorf("partition not empty: %v", ents)
	}
}

// TestCancelLongCommand cancels a build during a long plone.recipe.command
// part: no process of it is left.
func TestCancelLongCommand(t *testing.T) {
	s := servertest.Start(t, "")
	pidFile := filepath.Join(t.TempDir(), "sleep.pid")
	s.WriteFile("project/software/slow/software.cfg", "[buildout]\nparts = slow\n\n[slow]\nrecipe = plone.recipe.command\n"+
		"command = sleep 120 & echo $! > "+pidFile+"; wait\n")
	if st := s.Do("PUT", "/api/release", map[string]string{"profile": "project/software/slow/software.cfg"}, nil); st != 200 {
		t.Fatalf("PUT release: %d", st)
	}
	var started struct{ ID int }
	if st := s.Do("POST", "/api/build", map[string]string{"target": "software"}, &started); st != 202 {
		t.Fatalf("POST build: %d", st)
	}
	var pid int
	eventually(t, "the long command", func() bool {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return pid != 0
	})
	var b struct{ State string }
	if st := s.Do("POST", fmt.Sprintf("/api/build/%d/cancel", started.ID), nil, &b); st != 200 || b.State != "cancelled" {
		t.Fatalf("cancel: %d %+v", st, b)
	}
	eventually(t, "no orphan", func() bool { return !alive(pid) })
}

// cronProfile is a release whose instance runs the built-in crond as a
// service (slapos.cookbook:cron) with a cron.d entry, and a logrotate
// wrapper (slapos.cookbook:logrotate, logrotate.d) for var/log/app.log.
const cronProfile = `[buildout]
parts = instance-profile

[instance-profile]
recipe = slapos.recipe.template
output = ${buildout:directory}/instance.cfg
inline =
  [buildout]
  parts = directory cron cron-entry-test logrotate logrotate-entry
  [directory]
  recipe = slapos.cookbook:mkdirectory
  etc = $${buildout:directory}/etc
  bin = $${buildout:directory}/bin
  service = $${:etc}/service
  cronentries = $${:etc}/cron.d
  crontabs = $${:etc}/crontabs
  cronstamps = $${:etc}/cronstamps
  logrotate-entries = $${:etc}/logrotate.d
  log = $${buildout:directory}/var/log
  srv = $${buildout:directory}/srv
  backup = $${:srv}/backup
  [cron]
  recipe = slapos.cookbook:cron
  dcrond-binary = BIN/crond
  cron-entries = $${directory:cronentries}
  crontabs = $${directory:crontabs}
  cronstamps = $${directory:cronstamps}
  catcher = $${cron-simplelogger:wrapper}
  binary = $${directory:service}/crond
  [cron-simplelogger]
  recipe = slapos.cookbook:simplelogger
  wrapper = $${directory:bin}/cron_simplelogger
  log = $${directory:log}/cron.log
  [cron-entry-test]
  <= cron
  recipe = slapos.cookbook:cron.d
  name = logrotate
  frequency = 0 0 * * *
  command = $${logrotate:wrapper}
  [logrotate]
  recipe = slapos.cookbook:logrotate
  logrotate-binary = BIN/logrotate
  gzip-binary = GZIP
  gunzip-binary = GZIP -d
  wrapper = $${directory:bin}/logrotate
  conf = $${directory:etc}/logrotate.conf
  logrotate-entries = $${directory:logrotate-entries}
  backup = $${directory:backup}
  state-file = $${directory:srv}/logrotate.status
  [logrotate-entry]
  <= logrotate
  recipe = slapos.cookbook:logrotate.d
  name = app
  log = $${directory:log}/app.log
`

// TestCronAndLogrotate deploys an instance using the built-in crond and
// logrotate through the cookbook recipes, as the tutorial's step 3 does:
// crond runs as a service, and the logrotate wrapper rotates the log into
// the backup folder.
func TestCronAndLogrotate(t *testing.T) {
	gz, err := exec.LookPath("gzip")
	if err != nil {
		t.Fatal("gzip is needed (apt-get install gzip)")
	}
	bin := t.TempDir()
	for _, tool := range []string{"crond", "logrotate"} {
		script := "#!/bin/sh\nexec " + servertest.Binary(t) + " " + tool + ` "$@"` + "\n"
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := servertest.Start(t, "")
	s.WriteFile("project/software/cron/software.cfg", strings.NewReplacer("BIN", bin, "GZIP", gz).Replace(cronProfile))
	s.Do("PUT", "/api/release", map[string]string{"profile": "project/software/cron/software.cfg"}, nil)
	if b := s.RunBuild("all", time.Minute); b.State != "succeeded" {
		t.Fatalf("build: %s %s\n%s", b.State, b.Error, b.Text())
	}
	eventually(t, "crond running", func() bool { return pids(getInstance(s))["crond"] != 0 })
	part := filepath.Join(s.Workspace, "instance", "slappart0")
	entry, _ := os.ReadFile(filepath.Join(part, "etc", "cron.d", "logrotate"))
	if string(entry) != "0 0 * * * "+filepath.Join(part, "bin", "logrotate")+"\n" {
		t.Errorf("cron.d entry = %q", entry)
	}
	os.WriteFile(filepath.Join(part, "var", "log", "app.log"), []byte("day one\n"), 0o644)
	out, err := exec.Command(filepath.Join(part, "bin", "logrotate"), "-f").CombinedOutput()
	if err != nil {
		t.Fatalf("bin/logrotate -f: %v\n%s", err, out)
	}
	rotated, _ := filepath.Glob(filepath.Join(part, "srv", "backup", "app.log-*"))
	if len(rotated) != 1 {
		t.Fatalf("backup holds %v", rotated)
	}
	if b, _ := os.ReadFile(rotated[0]); string(b) != "day one\n" {
		t.Errorf("rotated file holds %q", b)
	}
	if fi, err := os.Stat(filepath.Join(part, "var", "log", "app.log")); err != nil || fi.Size() != 0 {
		t.Errorf("app.log not recreated empty: %v", err)
	}
}
