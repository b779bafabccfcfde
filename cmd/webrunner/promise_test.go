package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPromiseCommand(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"etc/plugin", "etc/promise"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	plugin := "extra_config_dict = {'command': 'true'}\nfrom slapos.promise.plugin.check_command_execute import RunPromise\n"
	os.WriteFile(filepath.Join(dir, "etc/plugin/ok.py"), []byte(plugin), 0o644)
	os.WriteFile(filepath.Join(dir, "etc/promise/bad"), []byte("#!/bin/sh\necho 'nope, first line'\necho second\nexit 1\n"), 0o755)

	var out, errOut bytes.Buffer
	if code := runPromise(context.Background(), []string{"--partition", dir}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1 (a promise failed)\n%s%s", code, out.String(), errOut.String())
	}
	table := out.String()
	for _, re := range []string{
		`(?m)^NAME\s+STATUS\s+CHECKED\s+MESSAGE$`,
		`(?m)^ok\.py\s+OK\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+OK 'true' run with success$`,
		`(?m)^bad\s+FAILED\s+\S+ \S+\s+nope, first line …$`,
	} {
		if !regexp.MustCompile(re).MatchString(table) {
			t.Errorf("table does not match %s:\n%s", re, table)
		}
	}
	if !strings.Contains(errOut.String(), "Promise 'bad' failed with output: nope, first line\nsecond") {
		t.Errorf("stderr = %s", errOut.String())
	}
	for _, f := range []string{".slapgrid/promise/result/ok.status.json", ".slapgrid/promise/log/bad.log", ".slapgrid/promise/cache/ok"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}

	// Named promises only, run again at once: periodicity is ignored.
	out.Reset()
	errOut.Reset()
	if code := runPromise(context.Background(), []string{"--partition", dir, "ok.py"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out.String(), errOut.String())
	}
	if strings.Contains(out.String(), "bad") || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("table = %s", out.String())
	}
	if n := strings.Count(readPromiseTestFile(t, filepath.Join(dir, ".slapgrid/promise/log/ok.log")), "\n"); n != 2 {
		t.Errorf("ok.py ran %d times, want 2", n)
	}

	if code := runPromise(context.Background(), []string{"--partition", dir, "missing"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), `no promise named "missing"`) {
		t.Errorf("unknown name: exit %d, stderr %s", code, errOut.String())
	}
	if code := runPromise(context.Background(), []string{"--bogus"}, &out, &errOut); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
}

func readPromiseTestFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
