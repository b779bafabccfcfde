package proc

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunStreamsLines(t *testing.T) {
	var got []string
	cmd := Command(context.Background(), 0, "sh", "-c", "echo one; echo two >&2; printf three")
	if err := Run(cmd, func(l string) { got = append(got, l) }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "one|two|three" {
		t.Fatalf("lines = %q", got)
	}
}

func TestCancelKillsGroupIgnoringTERM(t *testing.T) {
	pidFile := t.TempDir() + "/pid"
	ctx, cancel := context.WithCancel(context.Background())
	// The child ignores SIGTERM and runs in the background of the shell.
	cmd := Command(ctx, 200*time.Millisecond, "sh", "-c",
		`sh -c 'trap "" TERM; echo $$ > `+pidFile+`; while :; do sleep 0.05; done' & wait`)
	done := make(chan error, 1)
	go func() { done <- Run(cmd, func(string) {}) }()
	var pid int
	for i := 0; i < 100 && pid == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if pid == 0 {
		t.Fatal("child never started")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	time.Sleep(50 * time.Millisecond)
	if err := syscall.Kill(pid, 0); err == nil {
		out, _ := exec.Command("ps", "-o", "pid,stat,cmd", "-p", strconv.Itoa(pid)).Output()
		if !strings.Contains(string(out), " Z") {
			t.Fatalf("child %d still alive after cancel:\n%s", pid, out)
		}
	}
}

func TestLineWriter(t *testing.T) {
	var got []string
	w := &LineWriter{Line: func(s string) { got = append(got, s) }}
	w.Write([]byte("a\nb"))
	w.Write([]byte("c\n\nd"))
	w.Flush()
	if strings.Join(got, "|") != "a|bc||d" {
		t.Fatalf("got %q", got)
	}
}
