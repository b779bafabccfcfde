package fetch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"webrunner/buildout"
)

func TestIsRemoteAndLocalPath(t *testing.T) {
	for u, want := range map[string]bool{"http://x/y": true, "https://x": true, "file:///a": false, "/a/b": false, "rel/p": false, "./a://b": false} {
		if IsRemote(u) != want {
			t.Errorf("IsRemote(%q) = %v", u, !want)
		}
	}
	if got := LocalPath("/d", "file:///a%20b/c"); got != "/a b/c" {
		t.Errorf("LocalPath(file URL) = %q", got)
	}
	if got := LocalPath("/d", "rel/p"); got != "/d/rel/p" {
		t.Errorf("LocalPath(relative) = %q", got)
	}
}

func TestFetchLocal(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("hello world"), 0o644)
	c := Config{Dir: dir, Offline: true}
	p, cleanup, err := Fetch(context.Background(), c, "f", "5EB63BBBE01EEED093CB22BB8F5ACDC3")
	cleanup()
	if err != nil || p != filepath.Join(dir, "f") {
		t.Fatalf("Fetch = %q, %v", p, err)
	}
	if _, _, err := Fetch(context.Background(), c, "missing", ""); err == nil {
		t.Error("no error for a missing local file")
	}
}

func TestFetchMismatchNamesPathAsGiven(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	_, _, err := Fetch(context.Background(), Config{Dir: dir}, "f", "00000000000000000000000000000000")
	if err == nil || err.Error() != "MD5 checksum mismatch for local resource at 'f'." {
		t.Errorf("relative path: err = %v", err)
	}
	_, _, err = Fetch(context.Background(), Config{Dir: dir}, "file://"+dir+"/f", "00000000000000000000000000000000")
	if err == nil || err.Error() != "MD5 checksum mismatch for local resource at '"+dir+"/f'." {
		t.Errorf("file URL: err = %v", err)
	}
	var oe *buildout.OptionError
	if !errors.As(AtOption(err, "md5sum"), &oe) || oe.Option != "md5sum" || oe.Error() != err.Error() {
		t.Errorf("AtOption(mismatch) = %#v, want an OptionError on md5sum", AtOption(err, "md5sum"))
	}
	_, _, missing := Fetch(context.Background(), Config{Dir: dir}, "nope", "")
	if got := AtOption(missing, "md5sum"); got != missing {
		t.Errorf("AtOption(%v) = %v, want it unchanged", missing, got)
	}
}
