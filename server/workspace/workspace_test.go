package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
)

// newTest returns a workspace inside a temporary directory that also holds
// an "outside" folder with a secret file, and symlinks pointing out of and
// inside the workspace.
func newTest(t *testing.T) (*Workspace, string) {
	t.Helper()
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	must(t, os.MkdirAll(outside, 0o755))
	must(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644))
	w, created, err := Open(filepath.Join(base, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("Open on an empty directory: created = false")
	}
	r := w.Root()
	must(t, os.WriteFile(filepath.Join(r, "project", "a.cfg"), []byte("[buildout]\n"), 0o640))
	must(t, os.Symlink(outside, filepath.Join(r, "project", "outdir")))
	must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(r, "project", "outfile")))
	must(t, os.Symlink("../../outside/missing", filepath.Join(r, "project", "dangling")))
	must(t, os.Symlink("../..", filepath.Join(r, "project", "up")))
	must(t, os.Symlink("loop2", filepath.Join(r, "project", "loop1")))
	must(t, os.Symlink("loop1", filepath.Join(r, "project", "loop2")))
	must(t, os.Symlink("a.cfg", filepath.Join(r, "project", "inlink")))
	must(t, os.Symlink("outdir", filepath.Join(r, "project", "chain")))
	return w, outside
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLayout(t *testing.T) {
	w, _ := newTest(t)
	for _, d := range []string{ProjectDir, SoftwareDir, InstanceDir, LogDir} {
		if fi, err := os.Stat(w.Abs(d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
	if _, created, err := Open(w.Root()); err != nil || created {
		t.Errorf("second Open: created=%v err=%v, want false, nil", created, err)
	}
}

var escapes = []struct{ name, path string }{
	{"absolute", "/etc/passwd"},
	{"absolute root", "/"},
	{"dotdot", ".."},
	{"dotdot file", "../outside/secret"},
	{"dotdot deep", "project/../../outside/secret"},
	{"dotdot many", "project/a/../../../.."},
	{"nul", "project/a\x00.cfg"},
	{"symlink dir outside", "project/outdir/secret"},
	{"symlink dir itself", "project/outdir"},
	{"symlink file outside", "project/outfile"},
	{"dangling symlink outside", "project/dangling"},
	{"relative symlink up", "project/up/outside/secret"},
	{"symlink chain", "project/chain/secret"},
	{"symlink loop", "project/loop1"},
	{"new file under outside dir", "project/outdir/new.cfg"},
	{"database", "webrunner.db"},
	{"database wal", "./webrunner.db-wal"},
}

// TestEscapesRefused checks that every operation refuses every escaping
// path with ErrBadPath and leaves the outside untouched.
func TestEscapesRefused(t *testing.T) {
	w, outside := newTest(t)
	ops := map[string]func(p string) error{
		"Resolve":  func(p string) error { _, err := w.Resolve(p); return err },
		"List":     func(p string) error { _, err := w.List(p); return err },
		"ReadText": func(p string) error { _, _, err := w.ReadText(p); return err },
		"Open":     func(p string) error { f, err := w.Open(p); f.Close(); return err },
		"WriteNew": func(p string) error { _, err := w.WriteText(p, []byte("x"), nil); return err },
		"WriteOver": func(p string) error {
			e := ETag([]byte("secret"))
			_, err := w.WriteText(p, []byte("x"), &e)
			return err
		},
		"Mkdir":    func(p string) error { return w.Mkdir(p) },
		"Remove":   func(p string) error { return w.Remove(p) },
		"MoveFrom": func(p string) error { return w.Move(p, "project/moved") },
		"MoveTo":   func(p string) error { return w.Move("project/a.cfg", p) },
	}
	for _, tc := range escapes {
		for opName, op := range ops {
			if strings.HasPrefix(tc.name, "database") && (opName == "Resolve" || opName == "List" || opName == "ReadText" || opName == "Open") {
				continue // readable, not changeable
			}
			t.Run(tc.name+"/"+opName, func(t *testing.T) {
				err := op(tc.path)
				if !errors.Is(err, ErrBadPath) {
					t.Fatalf("%s(%q) = %v, want ErrBadPath", opName, tc.path, err)
				}
			})
		}
	}
	b, err := os.ReadFile(filepath.Join(outside, "secret"))
	if err != nil || string(b) != "secret" {
		t.Errorf("outside/secret = %q, %v; want it untouched", b, err)
	}
	des, _ := os.ReadDir(outside)
	if len(des) != 1 {
		t.Errorf("outside has %d entries, want 1", len(des))
	}
	if _, err := os.Stat(w.Abs("project/a.cfg")); err != nil {
		t.Errorf("project/a.cfg: %v", err)
	}
}

func TestInsidePathsAllowed(t *testing.T) {
	w, _ := newTest(t)
	for _, p := range []string{"", ".", "project", "project/a.cfg", "project/../project/a.cfg", "project/inlink", "project/new/deeper.cfg", "./log"} {
		if _, err := w.Resolve(p); err != nil {
			t.Errorf("Resolve(%q) = %v", p, err)
		}
	}
	b, _, err := w.ReadText("project/inlink")
	if err != nil || string(b) != "[buildout]\n" {
		t.Errorf("ReadText through an inside symlink = %q, %v", b, err)
	}
}

func TestListHidesEscapingLinks(t *testing.T) {
	w, _ := newTest(t)
	es, err := w.List("project")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name+":"+e.Type)
	}
	want := []string{"a.cfg:file", "inlink:file"}
	if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] {
		t.Errorf("List = %v, want %v", names, want)
	}
	if es[0].Path != "project/a.cfg" || es[0].Size != int64(len("[buildout]\n")) {
		t.Errorf("entry = %+v", es[0])
	}
	root, err := w.List("")
	if err != nil || len(root) != 4 || root[0].Name != "instance" || root[0].Type != "dir" {
		t.Errorf("List root = %+v, %v", root, err)
	}
}

func TestWriteText(t *testing.T) {
	w, _ := newTest(t)
	content, etag, err := w.ReadText("project/a.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if etag != ETag(content) {
		t.Fatal("etag is not the content hash")
	}
	newTag, err := w.WriteText("project/a.cfg", []byte("[buildout]\nparts =\n"), &etag)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(w.Abs("project/a.cfg"))
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after write = %v, want 0640 kept", fi.Mode().Perm())
	}
	// The old etag is now stale: conflict, nothing written.
	_, err = w.WriteText("project/a.cfg", []byte("lost"), &etag)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.ETag != newTag {
		t.Fatalf("stale write = %v, want a conflict with the current etag", err)
	}
	// Creating over an existing file: conflict.
	if _, err := w.WriteText("project/a.cfg", []byte("lost"), nil); !errors.As(err, &ce) {
		t.Fatalf("create over existing = %v, want a conflict", err)
	}
	b, _ := os.ReadFile(w.Abs("project/a.cfg"))
	if string(b) != "[buildout]\nparts =\n" {
		t.Errorf("content = %q", b)
	}
	// Writing through an inside symlink keeps the link.
	tag2 := ETag(b)
	if _, err := w.WriteText("project/inlink", []byte("via link\n"), &tag2); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(w.Abs("project/inlink")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	// Creating a new file, with parents.
	if _, err := w.WriteText("project/sub/new.cfg", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(w.Abs("project/sub/new.cfg"))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode = %v, want 0644", fi.Mode().Perm())
	}
	// An etag for a file that does not exist: conflict with empty etag.
	if _, err := w.WriteText("project/none.cfg", []byte("x"), &tag2); !errors.As(err, &ce) || ce.ETag != "" {
		t.Errorf("write missing with etag = %v", err)
	}
	// No temporary file is left behind.
	des, _ := os.ReadDir(w.Abs("project"))
	for _, de := range des {
		if IsTempName(de.Name()) {
			t.Errorf("temporary file left: %s", de.Name())
		}
	}
}

// TestConcurrentSaves races many writers holding the same etag: exactly one
// wins, every other gets a conflict, and the file holds the winner's bytes.
func TestConcurrentSaves(t *testing.T) {
	w, _ := newTest(t)
	_, etag, err := w.ReadText("project/a.cfg")
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	results := make([]error, n)
	contents := make([][]byte, n)
	for i := range n {
		contents[i] = []byte(string(rune('a'+i)) + " wins\n")
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := etag
			_, results[i] = w.WriteText("project/a.cfg", contents[i], &e)
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range results {
		var ce *ConflictError
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("two writers won: %d and %d", winner, i)
			}
			winner = i
		case errors.As(err, &ce):
		default:
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	b, _ := os.ReadFile(w.Abs("project/a.cfg"))
	if string(b) != string(contents[winner]) {
		t.Errorf("file = %q, want the winner's %q", b, contents[winner])
	}
}

func TestReadTextRefusesBinary(t *testing.T) {
	w, _ := newTest(t)
	for name, data := range map[string][]byte{"nul": {'a', 0, 'b'}, "latin1": {'c', 0xe9, 'd'}} {
		must(t, os.WriteFile(w.Abs("project/"+name), data, 0o644))
		if _, _, err := w.ReadText("project/" + name); !errors.Is(err, ErrBinary) {
			t.Errorf("%s: err = %v, want ErrBinary", name, err)
		}
	}
	if _, _, err := w.ReadText("project"); !errors.Is(err, ErrIsDir) {
		t.Errorf("directory: err = %v, want ErrIsDir", err)
	}
	if err := syscall.Mkfifo(w.Abs("project/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.ReadText("project/fifo"); !errors.Is(err, ErrNotFile) {
		t.Errorf("FIFO: err = %v, want ErrNotFile", err)
	}
	if _, _, err := w.ReadText("project/none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: err = %v, want ErrNotExist", err)
	}
}

func TestMoveRemoveMkdir(t *testing.T) {
	w, _ := newTest(t)
	must(t, w.Mkdir("project/d/e"))
	must(t, w.Move("project/a.cfg", "project/d/e/b.cfg"))
	if _, err := os.Stat(w.Abs("project/d/e/b.cfg")); err != nil {
		t.Error(err)
	}
	if err := w.Move("project/d/e/b.cfg", "project/inlink"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("move onto existing = %v, want ErrExist", err)
	}
	if err := w.Move("project/d", "project/d/e/f"); !errors.Is(err, ErrBadPath) {
		t.Errorf("move into itself = %v, want ErrBadPath", err)
	}
	// Removing an inside symlink removes the link, not its target.
	must(t, w.Remove("project/inlink"))
	must(t, w.Remove("project/d"))
	if _, err := os.Stat(w.Abs("project/d")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("project/d still there: %v", err)
	}
	if err := w.Remove("project/d"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("remove missing = %v, want ErrNotExist", err)
	}
	for _, p := range []string{"", "project", "./software", "instance", "instance/slappart0", "log/"} {
		if err := w.Remove(p); !errors.Is(err, ErrBadPath) {
			t.Errorf("remove %q = %v, want ErrBadPath", p, err)
		}
		if err := w.Move(p, "elsewhere"); !errors.Is(err, ErrBadPath) {
			t.Errorf("move %q = %v, want ErrBadPath", p, err)
		}
	}
	if err := w.Move("project/stack", "log"); !errors.Is(err, ErrBadPath) {
		t.Errorf("move onto log = %v, want ErrBadPath", err)
	}
}

func TestCopyFS(t *testing.T) {
	w, _ := newTest(t)
	fsys := fstest.MapFS{
		"software/hello/software.cfg": {Data: []byte("[buildout]\n")},
		"component/x/run.sh":          {Data: []byte("#!/bin/sh\n"), Mode: 0o755},
	}
	must(t, w.CopyFS("project", fsys))
	if b, err := os.ReadFile(w.Abs("project/software/hello/software.cfg")); err != nil || string(b) != "[buildout]\n" {
		t.Errorf("copied file = %q, %v", b, err)
	}
	if fi, err := os.Stat(w.Abs("project/component/x/run.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("executable mode = %v, %v", fi.Mode(), err)
	}
	if err := w.CopyFS("project", fsys); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second copy = %v, want ErrExist", err)
	}
}

func BenchmarkResolve(b *testing.B) {
	w, _, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(w.Abs("project/software/helloworld"), 0o755)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Resolve("project/software/helloworld/software.cfg"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteText(b *testing.B) {
	w, _, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	content := []byte(strings.Repeat("[section]\noption = value\n", 200))
	etag, err := w.WriteText("project/software.cfg", content, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		if etag, err = w.WriteText("project/software.cfg", content, &etag); err != nil {
			b.Fatal(err)
		}
	}
}
