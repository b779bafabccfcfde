// Package files writes the files that recipes generate, with the rules of
// the Python recipes: byte-identical content is not rewritten, only its
// mode is fixed.
package files

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Create writes content to path with exactly mode perm, like
// slapos.cookbook's createFile: an existing file with the same bytes only
// gets its mode fixed; otherwise it is removed and created again. The
// parent directory must exist.
func Create(path string, content []byte, perm os.FileMode) error {
	if same(path, content) {
		return os.Chmod(path, perm)
	}
	if err := removeFile(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	// The mode is set before writing, so it is exact and independent of umask.
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteTemplate writes content to path like slapos.recipe.template: when
// perm is 0 the mode is 0666, or 0777 for a script whose shebang names an
// executable, less the umask; otherwise it is exactly perm. An existing
// file with the same bytes is only chmod'ed. Missing parent directories
// are created.
func WriteTemplate(path string, content []byte, perm os.FileMode) error {
	exact := perm != 0
	if !exact {
		perm = InferMode(content)
	}
	if same(path, content) {
		if !exact {
			perm &^= Umask()
		}
		return os.Chmod(path, perm)
	}
	if err := removeFile(path); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm.Perm())
	if err != nil {
		return err
	}
	if exact {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// InferMode returns 0777 when content starts with "#!" followed by the path
// of an existing executable file, else 0666.
func InferMode(content []byte) os.FileMode {
	if !bytes.HasPrefix(content, []byte("#!")) {
		return 0o666
	}
	line, _, _ := bytes.Cut(content[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) > 0 && syscall.Access(fields[0], 1 /* X_OK */) == nil {
		if fi, err := os.Stat(fields[0]); err == nil && fi.Mode().IsRegular() {
			return 0o777
		}
	}
	return 0o666
}

// same reports whether path is a regular file holding exactly content.
func same(path string, content []byte) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(content)) {
		return false
	}
	b, err := os.ReadFile(path)
	return err == nil && bytes.Equal(b, content)
}

// removeFile removes path if it exists.
func removeFile(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Umask returns the process umask without changing it, read from
// /proc/self/status (Linux 4.7+); it falls back to 022.
func Umask() os.FileMode {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Umask:"); ok {
				var m uint32
				for _, c := range strings.TrimSpace(v) {
					m = m*8 + uint32(c-'0')
				}
				return os.FileMode(m)
			}
		}
	}
	return 0o022
}
