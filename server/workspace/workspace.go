// Package workspace gives confined access to a Webrunner workspace: every
// path is relative to the workspace root and is refused when it is absolute,
// leaves the root through "..", or resolves outside it through symlinks.
// Text files are written atomically and versioned by an etag, the hash of
// their content.
//
// The layout of a workspace is:
//
//	project/              the profiles being edited (the sample repository at first)
//	software/             built software, one folder per release
//	instance/slappart0/   the instance partition
//	log/                  build logs
//	webrunner.db          the SQLite database
package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// Folders of the workspace layout, created by Open.
const (
	ProjectDir  = "project"
	SoftwareDir = "software"
	InstanceDir = "instance/slappart0"
	LogDir      = "log"
	DBFile      = "webrunner.db"
)

// layout holds the folders that Open creates, which Move and Remove refuse
// to touch (their content is fair game).
var layout = map[string]bool{
	ProjectDir: true, SoftwareDir: true, "instance": true, InstanceDir: true, LogDir: true,
}

// MaxTextSize is the largest file ReadText returns.
const MaxTextSize = 10 << 20

var (
	// ErrBadPath reports a path that is not a clean relative path inside
	// the workspace (the API answers 400).
	ErrBadPath = errors.New("path outside the workspace")
	// ErrBinary reports a file that is not UTF-8 text (415).
	ErrBinary = errors.New("not a text file")
	// ErrTooLarge reports a file larger than MaxTextSize (413).
	ErrTooLarge = errors.New("file too large to edit")
	// ErrNotDir reports a path that is not a directory where one is needed.
	ErrNotDir = errors.New("not a directory")
	// ErrIsDir reports a directory where a file is needed.
	ErrIsDir = errors.New("is a directory")
	// ErrNotFile reports a special file (FIFO, socket, device) where a
	// regular file is needed.
	ErrNotFile = errors.New("not a regular file")
)

// A ConflictError reports a write whose etag does not match the file on
// disk; nothing was written. ETag is the current etag, "" when the file
// does not exist.
type ConflictError struct {
	Path string
	ETag string
}

func (e *ConflictError) Error() string {
	if e.ETag == "" {
		return fmt.Sprintf("%s: the file no longer exists", e.Path)
	}
	return fmt.Sprintf("%s: the file changed since it was read", e.Path)
}

// A PathError reports a refused path; it matches ErrBadPath with errors.Is.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string { return fmt.Sprintf("path %q: %s", e.Path, e.Reason) }

// Is reports whether target is ErrBadPath.
func (e *PathError) Is(target error) bool { return target == ErrBadPath }

// Workspace is a workspace directory. Its methods are safe for concurrent
// use; writes through one Workspace are serialised so that an etag check and
// the write that follows it are atomic.
type Workspace struct {
	root string // absolute, symlinks resolved
	mu   sync.Mutex
}

// Open returns the workspace at dir, creating dir and the layout folders
// that are missing. It reports whether project/ was just created (a first
// start), in which case the caller fills it.
func Open(dir string) (w *Workspace, created bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, fmt.Errorf("workspace %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, false, fmt.Errorf("workspace: %w", err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, false, fmt.Errorf("workspace: %w", err)
	}
	if _, err := os.Stat(filepath.Join(root, ProjectDir)); errors.Is(err, fs.ErrNotExist) {
		created = true
	}
	for _, d := range []string{ProjectDir, SoftwareDir, InstanceDir, LogDir} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return nil, false, fmt.Errorf("workspace: %w", err)
		}
	}
	return &Workspace{root: root}, created, nil
}

// Root returns the absolute path of the workspace, symlinks resolved.
func (w *Workspace) Root() string { return w.root }

// Abs returns the absolute path of a workspace-relative path without any
// check; for paths the program chooses itself (such as DBFile), never for
// user input, which goes through Resolve.
func (w *Workspace) Abs(rel string) string { return filepath.Join(w.root, filepath.FromSlash(rel)) }

// Rel returns the workspace-relative, slash-separated form of an absolute
// path inside the workspace.
func (w *Workspace) Rel(abs string) (string, error) {
	r, err := filepath.Rel(w.root, abs)
	if err != nil || !filepath.IsLocal(r) && r != "." {
		return "", &PathError{abs, "not inside the workspace"}
	}
	return filepath.ToSlash(r), nil
}

// clean checks a user-supplied relative path and returns it cleaned, with
// "." for the root.
func clean(p string) (string, error) {
	switch {
	case strings.IndexByte(p, 0) >= 0:
		return "", &PathError{p, "contains a NUL byte"}
	case path.IsAbs(p) || filepath.IsAbs(p):
		return "", &PathError{p, "absolute paths are not allowed"}
	case p == "" || p == ".":
		return ".", nil
	case !filepath.IsLocal(filepath.FromSlash(p)):
		return "", &PathError{p, "leaves the workspace"}
	}
	return path.Clean(p), nil
}

// Resolve checks a workspace-relative path from the user and returns its
// absolute path with every symlink resolved. The path need not exist. The
// empty path and "." name the workspace root.
func (w *Workspace) Resolve(rel string) (string, error) {
	c, err := clean(rel)
	if err != nil {
		return "", err
	}
	real, err := resolve(filepath.Join(w.root, filepath.FromSlash(c)), 0)
	if err != nil {
		return "", &PathError{rel, err.Error()}
	}
	if real != w.root && !strings.HasPrefix(real, w.root+string(filepath.Separator)) {
		return "", &PathError{rel, "resolves outside the workspace"}
	}
	return real, nil
}

// resolve returns abs with every symlink resolved, following dangling links
// to where they point, and keeping the missing tail of the path as is.
func resolve(abs string, depth int) (string, error) {
	if depth > 40 {
		return "", errors.New("too many levels of symbolic links")
	}
	real, err := filepath.EvalSymlinks(abs)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		// A symlink loop, or a path through a regular file.
		return "", errors.New("cannot be resolved: too many links or not a directory")
	}
	dir, base := filepath.Split(abs)
	dir = filepath.Clean(dir)
	if dir == abs {
		return abs, nil
	}
	parent, err := resolve(dir, depth+1)
	if err != nil {
		return "", err
	}
	p := filepath.Join(parent, base)
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return p, nil // missing: the tail stays as written
	}
	target, err := os.Readlink(p)
	if err != nil {
		return "", errors.New("cannot read a symbolic link")
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(parent, target)
	}
	return resolve(target, depth+1)
}

// protected reports whether the cleaned relative path c is the database or
// one of its companion files, which only the store may change.
func protected(c string) bool {
	return c == DBFile || strings.HasPrefix(c, DBFile+"-")
}

// modifiable resolves a path that is about to be changed: besides the
// checks of Resolve, the database files are refused.
func (w *Workspace) modifiable(rel string) (string, error) {
	c, err := clean(rel)
	if err != nil {
		return "", err
	}
	if protected(c) {
		return "", &PathError{rel, "the database cannot be changed through the files API"}
	}
	return w.Resolve(rel)
}

// An Entry describes one item of a directory listing.
type Entry struct {
	Name  string    `json:"name"`
	Path  string    `json:"path"` // workspace-relative
	Type  string    `json:"type"` // "file" or "dir"
	Size  int64     `json:"size"`
	MTime time.Time `json:"mtime"`
}

// List returns the entries of a directory, directories first, then by name.
// A symlink is listed as what it points to; a symlink that points outside
// the workspace or nowhere is left out.
func (w *Workspace) List(rel string) ([]Entry, error) {
	dir, err := w.Resolve(rel)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", rel, ErrNotDir)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	c, _ := clean(rel)
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		p := path.Join(c, de.Name())
		fi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if _, err := w.Resolve(p); err != nil {
				continue
			}
			if fi, err = os.Stat(filepath.Join(dir, de.Name())); err != nil {
				continue
			}
		}
		e := Entry{Name: de.Name(), Path: p, Type: "file", Size: fi.Size(), MTime: fi.ModTime().UTC()}
		if fi.IsDir() {
			e.Type, e.Size = "dir", 0
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type == "dir"
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// ETag returns the etag of content: the hex SHA-256 of the bytes.
func ETag(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// ReadText returns the content of a text file and its etag. A file that is
// not valid UTF-8 or contains a NUL byte is ErrBinary; one larger than
// MaxTextSize is ErrTooLarge.
func (w *Workspace) ReadText(rel string) (content []byte, etag string, err error) {
	f, err := w.Open(rel)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxTextSize+1))
	if err != nil {
		return nil, "", err
	}
	if len(b) > MaxTextSize {
		return nil, "", fmt.Errorf("%s: %w", rel, ErrTooLarge)
	}
	if !IsText(b) {
		return nil, "", fmt.Errorf("%s: %w", rel, ErrBinary)
	}
	return b, ETag(b), nil
}

// IsText reports whether b looks like text: valid UTF-8 without NUL bytes.
func IsText(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return false
		}
	}
	return utf8.Valid(b)
}

// Open opens a regular file of the workspace for reading, any content. A
// directory is ErrIsDir, a FIFO, socket or device ErrNotFile (checked
// before opening: opening a FIFO would block).
func (w *Workspace) Open(rel string) (*os.File, error) {
	p, err := w.Resolve(rel)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", rel, ErrIsDir)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", rel, ErrNotFile)
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s: %w", rel, ErrNotFile) // swapped meanwhile
		}
		return nil, err
	}
	return f, nil
}

// WriteText replaces the content of a file atomically (a temporary file in
// the same directory, synced, then renamed over it) and returns the new
// etag. ifMatch must be the etag of the current content, or nil to create a
// file that does not exist yet; otherwise WriteText writes nothing and
// returns a *ConflictError. An existing file keeps its mode; a new file gets
// 0644.
func (w *Workspace) WriteText(rel string, content []byte, ifMatch *string) (string, error) {
	p, err := w.modifiable(rel)
	if err != nil {
		return "", err
	}
	if p == w.root {
		return "", fmt.Errorf("%s: %w", rel, ErrIsDir)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	mode := fs.FileMode(0o644)
	cur, err := os.ReadFile(p)
	switch {
	case err == nil:
		if ifMatch == nil || *ifMatch != ETag(cur) {
			return "", &ConflictError{Path: rel, ETag: ETag(cur)}
		}
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		mode = fi.Mode().Perm()
	case errors.Is(err, fs.ErrNotExist):
		if ifMatch != nil {
			return "", &ConflictError{Path: rel}
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
	default:
		if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
			return "", fmt.Errorf("%s: %w", rel, ErrIsDir)
		}
		return "", err
	}
	if err := atomicWrite(p, content, mode, ifMatch == nil); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", &ConflictError{Path: rel, ETag: w.etagOf(p)}
		}
		return "", fmt.Errorf("write %s: %w", rel, err)
	}
	return ETag(content), nil
}

func (w *Workspace) etagOf(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return ETag(b)
}

// atomicWrite writes content to a temporary file next to p, syncs it and
// moves it to p; with create it never replaces an existing p (fs.ErrExist).
func atomicWrite(p string, content []byte, mode fs.FileMode, create bool) error {
	dir := filepath.Dir(p)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // after a successful rename or link, a no-op or the spare link
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if create {
		// link fails when p exists, so a file created meanwhile by another
		// process is never replaced.
		err = os.Link(name, p)
	} else {
		err = os.Rename(name, p)
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// IsTempName reports whether a file name is one of the temporary files of
// an atomic write, which watchers should ignore.
func IsTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")
}

// Mkdir creates a directory and any missing parents.
func (w *Workspace) Mkdir(rel string) error {
	p, err := w.modifiable(rel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return err
	}
	return nil
}

// lexical returns the absolute path of rel with its parent directory
// resolved but its last element kept, so that operations on a symlink act
// on the link itself; the whole path must still resolve inside.
func (w *Workspace) lexical(rel string) (string, error) {
	if _, err := w.modifiable(rel); err != nil {
		return "", err
	}
	c, _ := clean(rel)
	if c == "." {
		return "", &PathError{rel, "the workspace root cannot be moved or removed"}
	}
	if layout[c] {
		return "", &PathError{rel, "a folder of the workspace layout cannot be moved or removed"}
	}
	dir, err := w.Resolve(path.Dir(c))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, path.Base(c)), nil
}

// Remove deletes a file, or a directory and everything in it.
func (w *Workspace) Remove(rel string) error {
	p, err := w.lexical(rel)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(p); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return os.RemoveAll(p)
}

// Move renames a file or directory. The destination must not exist
// (fs.ErrExist); its parent folders are created.
func (w *Workspace) Move(from, to string) error {
	src, err := w.lexical(from)
	if err != nil {
		return err
	}
	dst, err := w.lexical(to)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(src); err != nil {
		return err
	}
	if rel, err := filepath.Rel(src, dst); err == nil && filepath.IsLocal(rel) {
		return &PathError{to, "cannot move a folder inside itself"}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s: %w", to, fs.ErrExist)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.Rename(src, dst)
}

// CopyFS copies the tree of fsys into the workspace directory rel, which
// must not contain any of the files yet. Files get mode 0644, or 0755 when
// executable in fsys.
func (w *Workspace) CopyFS(rel string, fsys fs.FS) error {
	dst, err := w.Resolve(rel)
	if err != nil {
		return err
	}
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if fi, err := d.Info(); err == nil && fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return fmt.Errorf("copy %s: %w", p, err)
		}
		return f.Close()
	})
}
