// Package run runs the commands of build recipes through buildout/proc:
// in their own process group (killed when the context is cancelled), with
// their output streamed line by line to the buildout's event stream.
package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"webrunner/buildout/proc"
)

// Cmd describes a command to run.
type Cmd struct {
	Args []string  // program and arguments
	Dir  string    // working directory, "" for the current one
	Env  []string  // environment, nil for the current one
	Out  io.Writer // where output lines go (Host.Output())
}

// Shell returns a Cmd running command with /bin/sh -c, as Python's
// subprocess with shell=True does.
func Shell(command, dir string, out io.Writer) *Cmd {
	return &Cmd{Args: []string{"/bin/sh", "-c", command}, Dir: dir, Out: out}
}

// Run runs c and returns its exit status like Python's subprocess.call: the
// exit code, or minus the signal number that killed it. The error is
// non-nil only when the command could not run or ctx was cancelled.
func (c *Cmd) Run(ctx context.Context) (int, error) {
	cmd := proc.Command(ctx, 0, c.Args[0], c.Args[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	out := c.Out
	if out == nil {
		out = io.Discard
	}
	err := proc.Run(cmd, func(l string) { fmt.Fprintln(out, l) })
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// Environ returns the current environment with the given KEY=value
// entries set (later entries win).
func Environ(set ...string) []string {
	env := os.Environ()
	return append(env, set...)
}
