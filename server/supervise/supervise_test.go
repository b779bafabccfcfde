package supervise

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// partition makes a partition directory with the given wrappers
// ("service/name" or "run/name" → shell script body).
func partition(t *testing.T, wrappers map[string]string) (*Supervisor, string) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"etc/service", "etc/run"} {
		os.MkdirAll(filepath.Join(dir, k), 0o755)
	}
	for name, body := range wrappers {
		wrapper(t, dir, name, body)
	}
	s := New(dir, "slappart0")
	s.Grace = 500 * time.Millisecond
	s.MinBackoff = 50 * time.Millisecond
	s.QuickExit = 300 * time.Millisecond
	s.MaxQuickFailures = 3
	t.Cleanup(s.Stop)
	return s, dir
}

func wrapper(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "etc", name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func find(s *Supervisor, name string) Process {
	for _, p := range s.Processes() {
		if p.Name == name {
			return p
		}
	}
	return Process{}
}

// waitFor polls until cond holds or fails the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func alive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) == nil }

func TestServiceRestartedAndRunOnce(t *testing.T) {
	s, dir := partition(t, map[string]string{
		"service/web": "echo started; exec sleep 60",
		"run/init":    "echo init done",
	})
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web running", func() bool { return find(s, "web").State == Running })
	waitFor(t, "init exited", func() bool { return find(s, "init").State == Exited })
	logFile := filepath.Join(dir, ".slappart0_web.log")
	// Kill it only once it has written its line, so the log holds both runs.
	waitFor(t, "first run in the log", func() bool {
		b, _ := os.ReadFile(logFile)
		return string(b) == "started\n"
	})
	first := find(s, "web").PID
	syscall.Kill(first, syscall.SIGKILL)
	killed := time.Now()
	waitFor(t, "web restarted", func() bool { p := find(s, "web"); return p.State == Running && p.PID != first })
	if d := time.Since(killed); d > 2*time.Second {
		t.Errorf("restart took %v, want < 2s", d)
	}
	if p := find(s, "web"); p.Restarts != 1 || p.Kind != Service {
		t.Errorf("web = %+v", p)
	}
	if p := find(s, "init"); p.Kind != Run || p.ExitCode != 0 || p.PID != 0 {
		t.Errorf("init = %+v", p)
	}
	waitFor(t, "both runs in the log", func() bool {
		b, _ := os.ReadFile(logFile)
		return string(b) == "started\nstarted\n"
	})
	if got := s.Processes(); len(got) != 2 || got[0].Name != "init" {
		t.Errorf("processes = %+v", got)
	}
}

func TestFatalAfterQuickFailures(t *testing.T) {
	s, _ := partition(t, map[string]string{"service/broken": "echo no config >&2; exit 3"})
	s.Sync(context.Background())
	waitFor(t, "FATAL", func() bool { return find(s, "broken").State == Fatal })
	p := find(s, "broken")
	if p.ExitCode != 3 || p.Restarts != 2 || !strings.Contains(p.Message, "3 quick failures") {
		t.Errorf("broken = %+v", p)
	}
	// A later sync (the next instance build) starts it again.
	acts, _ := s.Sync(context.Background())
	if len(acts) != 1 || !strings.Contains(acts[0], "again (was FATAL)") {
		t.Errorf("actions = %q", acts)
	}
}

func TestSyncRestartsOnlyChanged(t *testing.T) {
	s, dir := partition(t, map[string]string{
		"service/a": "exec sleep 60",
		"service/b": "exec sleep 61",
		"service/c": "exec sleep 62",
	})
	ctx := context.Background()
	s.Sync(ctx)
	waitFor(t, "all running", func() bool {
		return find(s, "a").State == Running && find(s, "b").State == Running && find(s, "c").State == Running
	})
	pa, pb, pc := find(s, "a").PID, find(s, "b").PID, find(s, "c").PID
	wrapper(t, dir, "service/b", "exec sleep 63")
	os.Remove(filepath.Join(dir, "etc/service/c"))
	wrapper(t, dir, "service/d", "exec sleep 64")
	acts, err := s.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "restarting service b: wrapper changed|stopping service c: wrapper removed|starting service b|starting service d"
	if strings.Join(acts, "|") != want {
		t.Errorf("actions = %q", acts)
	}
	waitFor(t, "b and d running", func() bool { return find(s, "b").State == Running && find(s, "d").State == Running })
	if find(s, "a").PID != pa {
		t.Error("unchanged service a was restarted")
	}
	if find(s, "b").PID == pb || alive(pb) {
		t.Error("changed service b was not restarted")
	}
	if alive(pc) || find(s, "c").Name != "" {
		t.Error("removed service c still runs or is listed")
	}
}

func TestStopKillsGroup(t *testing.T) {
	s, dir := partition(t, map[string]string{
		// A child that ignores SIGTERM, in the background.
		"service/stubborn": `sh -c 'trap "" TERM; echo $$ > child.pid; while :; do sleep 0.05; done' & trap "" TERM; wait`,
	})
	s.Sync(context.Background())
	var child int
	waitFor(t, "child pid", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "child.pid"))
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return child > 0
	})
	start := time.Now()
	s.Stop()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stop took %v", d)
	}
	time.Sleep(50 * time.Millisecond)
	if alive(child) {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(child) + "/stat"); !strings.Contains(string(b), ") Z") {
			t.Fatalf("child %d survived Stop", child)
		}
	}
	if len(s.Processes()) != 0 {
		t.Errorf("processes after stop: %+v", s.Processes())
	}
}

// TestStopOrphans: the process groups a dead server left behind, recorded
// in the pid file, are stopped by the next supervisor; a recorded pid now
// used by another process is left alone.
func TestStopOrphans(t *testing.T) {
	s, dir := partition(t, map[string]string{"service/web": "exec sleep 60"})
	s.Sync(context.Background())
	waitFor(t, "web", func() bool { return find(s, "web").State == Running })
	b, err := os.ReadFile(filepath.Join(dir, PidFile))
	if err != nil || !strings.HasSuffix(string(b), " web\n") {
		t.Fatalf("pid file = %q, %v", b, err)
	}
	// An orphan, as a killed server leaves it: its own group, recorded.
	orphan := exec.Command("sh", "-c", "sleep 60 & wait")
	orphan.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(-orphan.Process.Pid, syscall.SIGKILL)
	go orphan.Wait()
	st, _ := startTime(orphan.Process.Pid)
	other := exec.Command("sleep", "60")
	other.Start()
	defer other.Process.Kill()
	go other.Wait()
	entries := fmt.Sprintf("%d %d orphan\n%d %d reused\n", orphan.Process.Pid, st, other.Process.Pid, st+12345)
	os.WriteFile(filepath.Join(dir, PidFile), []byte(entries+string(b)), 0o600)

	got := s.StopOrphans()
	if strings.Join(got, " ") != "orphan" {
		t.Errorf("stopped %v, want [orphan] (web is this supervisor's own)", got)
	}
	time.Sleep(50 * time.Millisecond)
	if alive(orphan.Process.Pid) && !zombie(orphan.Process.Pid) {
		t.Error("orphan still runs")
	}
	if !alive(other.Process.Pid) || zombie(other.Process.Pid) {
		t.Error("a process that reused a recorded pid was killed")
	}
	if find(s, "web").State != Running {
		t.Error("own service stopped")
	}
	s.Stop()
	if _, err := os.Stat(filepath.Join(dir, PidFile)); !os.IsNotExist(err) {
		t.Errorf("pid file after a clean stop: %v", err)
	}
}

func TestLogRotated(t *testing.T) {
	s, dir := partition(t, map[string]string{
		"run/chatty": `i=0; while [ $i -lt 300 ]; do echo "line $i of a chatty program"; i=$((i+1)); done`,
	})
	s.LogMaxBytes = 4096
	s.Sync(context.Background())
	waitFor(t, "chatty exited", func() bool { return find(s, "chatty").State == Exited })
	log := filepath.Join(dir, ".slappart0_chatty.log")
	cur, err1 := os.ReadFile(log)
	old, err2 := os.ReadFile(log + ".1")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if len(cur) > 4096 || len(old) > 4096 || len(old) < 4000 {
		t.Errorf("sizes %d and %d, want at most 4096 each", len(cur), len(old))
	}
	if !strings.HasSuffix(string(cur), "line 299 of a chatty program\n") {
		t.Errorf("current log ends with %q", cur[max(0, len(cur)-40):])
	}
}

func TestLogFileSplitsAtNewlines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.log")
	l, err := openLog(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"abc\ndef\n", "ghi\n", "a-line-longer-than-ten\nx\n"} {
		if n, err := l.Write([]byte(w)); err != nil || n != len(w) {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	l.Close()
	cur, _ := os.ReadFile(path)
	old, _ := os.ReadFile(path + ".1")
	if string(old) != "ger-than-t" || string(cur) != "en\nx\n" {
		t.Errorf("backup %q, current %q", old, cur)
	}
}
