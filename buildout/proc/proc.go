// Package proc runs child processes in their own process group, streams
// their output line by line and kills the whole group on cancellation.
// Recipes, the process supervisor and promises all start processes through it.
package proc

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultGrace is how long a process group gets between SIGTERM and SIGKILL.
const DefaultGrace = 3 * time.Second

// Command returns an exec.Cmd that runs in its own process group; when ctx
// is done the group gets SIGTERM and, grace later, SIGKILL.
func Command(ctx context.Context, grace time.Duration, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	Prepare(cmd, grace)
	return cmd
}

// Prepare makes cmd (created with exec.CommandContext) start in its own
// process group and kill that whole group when its context is done.
func Prepare(cmd *exec.Cmd, grace time.Duration) {
	if grace <= 0 {
		grace = DefaultGrace
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		pgid := cmd.Process.Pid
		err := syscall.Kill(-pgid, syscall.SIGTERM)
		go func() {
			time.Sleep(grace)
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}()
		return err
	}
	cmd.WaitDelay = grace + time.Second
}

// WaitGroupGone waits, at most timeout, until no live process (zombies
// aside) remains in process group pgid, and reports whether none does.
func WaitGroupGone(pgid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if syscall.Kill(-pgid, 0) == syscall.ESRCH || !groupAlive(pgid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// groupAlive reports whether a process of group pgid is alive (not a
// zombie), from /proc.
func groupAlive(pgid int) bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, err := strconv.Atoi(f[2]); err == nil && g == pgid && pid > 0 {
			return true
		}
	}
	return false
}

// KillGroup sends sig to the process group led by pid.
func KillGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig)
}

// Run runs cmd and calls line for each line of its combined stdout and
// stderr as soon as it is written (the line has no trailing newline). It
// returns when the process has exited and its output has been read. After a
// successful or failed Wait, the remaining members of the process group are
// killed, so that nothing started by cmd outlives it when ctx is cancelled.
func Run(cmd *exec.Cmd, line func(string)) error {
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		Lines(pr, line)
	}()
	err := cmd.Start()
	if err != nil {
		pw.Close()
		wg.Wait()
		return err
	}
	err = cmd.Wait()
	if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
		// Leftover children (a shell's background jobs, a child that
		// ignored SIGTERM) die with the command's group, before Run returns.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		WaitGroupGone(cmd.Process.Pid, 2*time.Second)
	}
	pw.Close()
	wg.Wait()
	return err
}

// Lines calls line for each line read from r until EOF; a final line
// without a newline is reported too. Lines longer than 1 MiB are split.
func Lines(r io.Reader, line func(string)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line(sc.Text())
	}
	// Drain what the scanner refused so the writer never blocks.
	_, _ = io.Copy(io.Discard, r)
}

// LineWriter is an io.Writer that calls Line for every complete line
// written to it; Flush reports a trailing partial line.
type LineWriter struct {
	Line func(string)
	mu   sync.Mutex
	buf  []byte
}

// Write implements io.Writer.
func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.Line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Flush reports a buffered partial line, if any.
func (w *LineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.Line(string(w.buf))
		w.buf = nil
	}
}
