package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildoutResolveCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.cfg")
	bad := filepath.Join(dir, "bad.cfg")
	os.WriteFile(good, []byte("[s]\na = ${:b}\nb = 1\n"), 0o644)
	os.WriteFile(bad, []byte("[s]\na = ${:nope}\n[p]\nrecipe = r\n"), 0o644)
	tests := []struct {
		args []string
		code int
		want string // in stdout
	}{
		{[]string{"resolve", "--json", good}, 0, `"a": "1"`},
		{[]string{"resolve", "--json", good, "s:b=2"}, 0, `"a": "2"`},
		{[]string{"resolve", "--json", "--emulate-location", bad}, 3, `"<section>": "Referenced option does not exist: s nope"`},
		{[]string{"resolve", "--json", "--emulate-location", bad}, 3, `"location": "` + dir + `/parts/p"`},
		{[]string{"resolve", "--json", filepath.Join(dir, "missing.cfg")}, 1, `"fatal": "[Errno 2] No such file or directory`},
		{[]string{"resolve"}, 2, ""},
		{[]string{"resolve", good}, 0, "[s]\na = 1\n"},
		{[]string{"annotate", good, "s:a"}, 0, "[s]\na= ${:b}\n    good.cfg\n"},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		code := runBuildout(context.Background(), tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("buildout %q: exit %d, want %d; stdout does not contain %q:\n%s%s", tc.args, code, tc.code, tc.want, out.String(), errOut.String())
		}
		if code != 2 && strings.Contains(strings.Join(tc.args, " "), "--json") {
			var v map[string]any
			if err := json.Unmarshal(out.Bytes(), &v); err != nil {
				t.Errorf("buildout %q: stdout is not JSON: %v", tc.args, err)
			}
		}
	}
}

func TestBuildoutInstallCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "buildout.cfg")
	os.WriteFile(cfg, []byte("[buildout]\nparts = x\n[x]\nrecipe = no.such:recipe\n"), 0o644)
	var out, errOut bytes.Buffer
	if code := runBuildout(context.Background(), []string{"-N", "-c", cfg}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "While:\n  Initializing section x.\nError: "+cfg+":3: [x]: ") ||
		!strings.Contains(errOut.String(), "recipe no.such:recipe is not supported") {
		t.Errorf("stderr = %s", errOut.String())
	}
	dir = t.TempDir()
	cfg = filepath.Join(dir, "buildout.cfg")
	os.WriteFile(cfg, []byte("[buildout]\nparts =\n"), 0o644)
	out.Reset()
	if code := runBuildout(context.Background(), []string{"-c" + cfg, "-vN"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Creating directory '"+filepath.Join(dir, "bin")+"'.") {
		t.Errorf("stdout = %s", out.String())
	}
}
