package events

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
)

// Watch publishes a file event on h for every change under the directory
// dir, recursively, until ctx is done. Event paths are relative to root and
// slash-separated (e.g. "project/software.cfg"); dir must be inside root.
// Names for which ignore returns true (such as the temporary files of atomic
// writes) produce no event. A file replaced by a rename over it (an atomic
// save) is reported as a write, not a create. Watch returns once the
// initial watches are in place; errors after that are logged.
func Watch(ctx context.Context, h *Hub, root, dir string, ignore func(name string) bool, log *slog.Logger) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	t := &tree{w: w, h: h, root: root, ignore: ignore, log: log, known: map[string]bool{}}
	if err := t.add(dir, false); err != nil {
		w.Close()
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Events:
				if !ok {
					return
				}
				t.handle(e)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				log.Warn("file watcher", slog.Any("err", err))
			}
		}
	}()
	return nil
}

// tree is the state of one recursive watch.
type tree struct {
	w      *fsnotify.Watcher
	h      *Hub
	root   string
	ignore func(string) bool
	log    *slog.Logger
	known  map[string]bool // paths that exist, to tell a rewrite from a create
}

// add watches dir and every directory below it, and records the files.
// With publish, it also publishes a create event for everything below dir:
// what a folder moved in holds, or what was created in a new folder before
// its watch was in place.
func (t *tree) add(dir string, publish bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if t.ignore != nil && t.ignore(d.Name()) {
			return nil
		}
		t.known[p] = true
		if publish && p != dir {
			if rel, err := filepath.Rel(t.root, p); err == nil {
				t.h.Publish(File(filepath.ToSlash(rel), OpCreate))
			}
		}
		if d.IsDir() {
			return t.w.Add(p)
		}
		return nil
	})
}

func (t *tree) handle(e fsnotify.Event) {
	if t.ignore != nil && t.ignore(filepath.Base(e.Name)) {
		return
	}
	rel, err := filepath.Rel(t.root, e.Name)
	if err != nil || strings.HasPrefix(rel, "..") {
		return
	}
	rel = filepath.ToSlash(rel)
	var op string
	switch {
	case e.Has(fsnotify.Create):
		op = OpCreate
		if t.known[e.Name] {
			op = OpWrite
		}
		t.known[e.Name] = true
		t.h.Publish(File(rel, op))
		if fi, err := os.Lstat(e.Name); err == nil && fi.IsDir() {
			// A new folder, perhaps moved in with content: watch it all.
			if err := t.add(e.Name, true); err != nil {
				t.log.Warn("file watcher", slog.String("path", rel), slog.Any("err", err))
			}
		}
		return
	case e.Has(fsnotify.Write):
		op = OpWrite
	case e.Has(fsnotify.Remove):
		op = OpRemove
		t.forget(e.Name)
	case e.Has(fsnotify.Rename):
		op = OpRename
		t.forget(e.Name)
	default:
		return // chmod
	}
	t.h.Publish(File(rel, op))
}

// forget drops p and everything below it from the known paths.
func (t *tree) forget(p string) {
	prefix := p + string(filepath.Separator)
	for k := range t.known {
		if k == p || strings.HasPrefix(k, prefix) {
			delete(t.known, k)
		}
	}
}
