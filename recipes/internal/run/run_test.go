package run

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		cmd  string
		code int
		out  string
	}{
		{"echo a; echo b >&2", 0, "a\nb\n"},
		{"exit 4", 4, ""},
		{"kill -KILL $$", -9, ""},
		{"printf partial", 0, "partial\n"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		code, err := Shell(tc.cmd, t.TempDir(), &out).Run(ctx)
		if err != nil || code != tc.code || out.String() != tc.out {
			t.Errorf("%q: code %d, err %v, out %q; want %d, %q", tc.cmd, code, err, out.String(), tc.code, tc.out)
		}
	}
	c := &Cmd{Args: []string{"/no/such/program"}}
	if _, err := c.Run(ctx); err == nil {
		t.Error("no error for a missing program")
	}
	c = &Cmd{Args: []string{"/bin/sh", "-c", "echo $RUN_TEST"}, Env: Environ("RUN_TEST=set")}
	var out bytes.Buffer
	c.Out = &out
	if _, err := c.Run(ctx); err != nil || strings.TrimSpace(out.String()) != "set" {
		t.Errorf("environment: %q, %v", out.String(), err)
	}
}
