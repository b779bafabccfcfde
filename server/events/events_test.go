package events

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHub(t *testing.T) {
	var h Hub
	a, cancelA := Subscribe2(&h)
	b, cancelB := Subscribe2(&h)
	h.Publish(Build(3, "running"))
	for _, ch := range []<-chan Event{a, b} {
		if e := <-ch; e != Build(3, "running") {
			t.Errorf("got %+v", e)
		}
	}
	cancelA()
	cancelA() // idempotent
	if _, ok := <-a; ok {
		t.Error("channel open after cancel")
	}
	if h.Subscribers() != 1 {
		t.Errorf("Subscribers = %d, want 1", h.Subscribers())
	}
	// A subscriber that never reads is dropped, and Publish does not block.
	for i := 0; i <= BufferSize; i++ {
		h.Publish(Instance())
	}
	if h.Subscribers() != 0 {
		t.Errorf("a stuck subscriber was kept")
	}
	n := 0
	for range b {
		n++
	}
	if n != BufferSize {
		t.Errorf("stuck subscriber got %d events before being dropped, want %d", n, BufferSize)
	}
	cancelB()
}

// Subscribe2 is Subscribe, named so the test reads as two subscribers.
func Subscribe2(h *Hub) (<-chan Event, func()) { return h.Subscribe() }

// expect waits for a file event on ch with this path and op, failing on
// any event of that path with another op except writes (a new file gets
// writes after its create).
func expect(t *testing.T, ch <-chan Event, path, op string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.Path != path {
				continue
			}
			if e.Type != TypeFile {
				t.Fatalf("event %+v, want type file", e)
			}
			if e.Op == op {
				return
			}
			if e.Op != OpWrite {
				t.Fatalf("event %+v, want op %s", e, op)
			}
		case <-timeout:
			t.Fatalf("no %s event for %s", op, path)
		}
	}
}

func TestWatch(t *testing.T) {
	root := t.TempDir()
	project := filepath.Join(root, "project")
	if err := os.MkdirAll(filepath.Join(project, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(project, "sub", "old.cfg")
	os.WriteFile(old, []byte("x"), 0o644)

	var h Hub
	ch, cancel := h.Subscribe()
	defer cancel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ignore := func(name string) bool { return strings.HasSuffix(name, ".tmp") }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Watch(ctx, &h, root, project, ignore, log); err != nil {
		t.Fatal(err)
	}

	// An atomic save over an existing file is a write.
	tmp := filepath.Join(project, "sub", ".old.cfg.1.tmp")
	os.WriteFile(tmp, []byte("y"), 0o644)
	os.Rename(tmp, old)
	expect(t, ch, "project/sub/old.cfg", OpWrite)
	// A new folder is watched too.
	os.MkdirAll(filepath.Join(project, "new"), 0o755)
	expect(t, ch, "project/new", OpCreate)
	os.WriteFile(filepath.Join(project, "new", "f.cfg"), []byte("z"), 0o644)
	expect(t, ch, "project/new/f.cfg", OpCreate)
	os.Rename(filepath.Join(project, "new", "f.cfg"), filepath.Join(project, "new", "g.cfg"))
	expect(t, ch, "project/new/f.cfg", OpRename)
	os.Remove(old)
	expect(t, ch, "project/sub/old.cfg", OpRemove)
	// A folder moved in with content: its files are announced and watched.
	outside := filepath.Join(root, "elsewhere")
	os.MkdirAll(filepath.Join(outside, "deep"), 0o755)
	os.WriteFile(filepath.Join(outside, "deep", "in.cfg"), nil, 0o644)
	os.Rename(outside, filepath.Join(project, "moved"))
	expect(t, ch, "project/moved/deep/in.cfg", OpCreate)
	os.WriteFile(filepath.Join(project, "moved", "deep", "in.cfg"), []byte("w"), 0o644)
	expect(t, ch, "project/moved/deep/in.cfg", OpWrite)
	// Ignored names never show up: drain and check.
	os.WriteFile(filepath.Join(project, "last"), nil, 0o644)
	for {
		e := <-ch
		if strings.HasSuffix(e.Path, ".tmp") {
			t.Errorf("ignored name published: %+v", e)
		}
		if e.Path == "project/last" {
			break
		}
	}
}
