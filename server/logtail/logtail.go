// Package logtail lists the log files of a workspace and follows one of
// them like tail -F: the last lines first, then every line as it is
// written, surviving rotation (the file renamed and recreated) and
// truncation (copytruncate).
package logtail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// A File is one log file.
type File struct {
	Path  string    `json:"path"` // relative to the workspace root, with / separators
	Size  int64     `json:"size"`
	Mtime time.Time `json:"mtime"`
}

// List returns the log files under root, sorted by path: the build logs
// (log/*.log), and in each partition of instance/ its var/log tree, its process
// output (.<partition>_<program>.log), its slapgrid and promise logs
// (.slapgrid/**/*.log) and its error log.
func List(root string) ([]File, error) {
	var out []File
	add := func(p string, fi fs.FileInfo) {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return
		}
		out = append(out, File{Path: filepath.ToSlash(rel), Size: fi.Size(), Mtime: fi.ModTime().UTC()})
	}
	walk := func(dir string, keep func(name string) bool) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !keep(d.Name()) {
				return nil
			}
			if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
				add(p, fi)
			}
			return nil
		})
	}
	all := func(string) bool { return true }
	isLog := func(n string) bool { return strings.HasSuffix(n, ".log") }
	walk(filepath.Join(root, "log"), isLog)
	parts, _ := os.ReadDir(filepath.Join(root, "instance"))
	for _, part := range parts {
		if !part.IsDir() {
			continue
		}
		pp := filepath.Join(root, "instance", part.Name())
		walk(filepath.Join(pp, "var", "log"), all)
		walk(filepath.Join(pp, ".slapgrid"), isLog)
		ents, _ := os.ReadDir(pp)
		for _, e := range ents {
			n := e.Name()
			if e.Type().IsRegular() && strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".log") {
				if fi, err := e.Info(); err == nil {
					add(filepath.Join(pp, n), fi)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// LastLines returns the last n complete or partial lines of r, whose size
// is size, reading backwards from its end.
func LastLines(r io.ReaderAt, size int64, n int) ([]string, error) {
	if n <= 0 || size == 0 {
		return nil, nil
	}
	const chunk = 32 * 1024
	var buf []byte
	off := size
	for off > 0 {
		step := min(int64(chunk), off)
		off -= step
		b := make([]byte, step)
		if _, err := r.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		buf = append(b, buf...)
		// n lines need n newlines before them, not counting a final one.
		body := bytes.TrimSuffix(buf, []byte("\n"))
		if bytes.Count(body, []byte("\n")) >= n {
			break
		}
	}
	body := bytes.TrimSuffix(buf, []byte("\n"))
	lines := strings.Split(string(body), "\n")
	if off > 0 || len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}

// PollInterval is how often Follow checks the file besides file events.
const PollInterval = time.Second

// Follow calls fn with the last n lines of the file at path, then with each
// line appended to it, until ctx is done or fn fails. A line is passed
// once complete (ended by a newline). When the file is renamed away and
// created again, Follow finishes the old file and goes on with the new one
// from its start; when it is truncated, it goes on from the new end of
// data. A file that does not exist yet is waited for.
func Follow(ctx context.Context, path string, n int, fn func(string) error) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	// A directory that does not exist yet is polled until it does.
	watching := w.Add(filepath.Dir(path)) == nil
	t := &tail{path: path, fn: fn}
	defer t.close()
	if err := t.open(n); err != nil {
		return err
	}
	tick := time.NewTicker(PollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Clean(ev.Name) != filepath.Clean(path) {
				continue
			}
		case <-w.Errors:
		case <-tick.C:
			if !watching {
				watching = w.Add(filepath.Dir(path)) == nil
			}
		}
		if err := t.check(); err != nil {
			return err
		}
	}
}

// tail is the state of a Follow.
type tail struct {
	path    string
	fn      func(string) error
	f       *os.File
	ino     uint64
	off     int64
	partial []byte
}

func (t *tail) close() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// open opens the file (if it exists), sends its last n lines and positions
// the tail at its end.
func (t *tail) open(n int) error {
	f, err := os.Open(t.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	t.f, t.ino, t.off, t.partial = f, inode(fi), fi.Size(), nil
	// A last line without its newline yet stays pending, to be completed:
	// the n lines sent are complete ones.
	partial := false
	if fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			partial = true
		}
	}
	want := n
	if partial {
		want++
	}
	lines, err := LastLines(f, fi.Size(), want)
	if err != nil {
		return err
	}
	if partial && len(lines) > 0 {
		t.partial = []byte(lines[len(lines)-1])
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		if err := t.fn(l); err != nil {
			return err
		}
	}
	return nil
}

// check reads what was appended, following a rotation or truncation.
func (t *tail) check() error {
	if t.f == nil {
		return t.reopen()
	}
	fi, err := os.Stat(t.path)
	switch {
	case err == nil && inode(fi) != t.ino:
		// Rotated: drain the old file, then start the new one.
		if err := t.read(); err != nil {
			return err
		}
		t.flushPartial()
		t.close()
		return t.reopen()
	case err != nil:
		// Moved away, not yet recreated: drain what is left.
		return t.read()
	}
	if cur, err := t.f.Stat(); err == nil && cur.Size() < t.off {
		t.off, t.partial = 0, nil // truncated
	}
	return t.read()
}

// reopen opens a new file at path and sends it all.
func (t *tail) reopen() error {
	f, err := os.Open(t.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	t.f, t.ino, t.off, t.partial = f, inode(fi), 0, nil
	return t.read()
}

// read sends the complete lines written since the last read.
func (t *tail) read() error {
	buf := make([]byte, 64*1024)
	for {
		k, err := t.f.ReadAt(buf, t.off)
		if k > 0 {
			t.off += int64(k)
			data := append(t.partial, buf[:k]...)
			for {
				i := bytes.IndexByte(data, '\n')
				if i < 0 {
					break
				}
				if ferr := t.fn(string(data[:i])); ferr != nil {
					return ferr
				}
				data = data[i+1:]
			}
			t.partial = append([]byte(nil), data...)
		}
		if err != nil || k == 0 {
			if errors.Is(err, io.EOF) || err == nil {
				return nil
			}
			return err
		}
	}
}

// flushPartial sends a pending line of a file that will not grow any more.
func (t *tail) flushPartial() {
	if len(t.partial) > 0 {
		t.fn(string(t.partial))
		t.partial = nil
	}
}
