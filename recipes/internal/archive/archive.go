// Package archive extracts the source archives that recipes download:
// tar (plain, gzip, bzip2, and xz or lzip through the xz and lunzip
// programs) and zip.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrUnknownFormat reports a file that is not a supported archive.
var ErrUnknownFormat = errors.New("unknown archive format")

// Unpack extracts the tar (plain, gzip, bzip2 or xz) or zip archive at
// path into dir, which must exist. Entries are filtered by keep when it is
// not nil (it gets the slash-separated entry name).
func Unpack(ctx context.Context, path, dir string, keep func(name string) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")), bytes.HasPrefix(magic, []byte("PK\x05\x06")):
		return unzip(path, dir, keep)
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		return untar(zr, dir, keep)
	case bytes.HasPrefix(magic, []byte("BZh")):
		return untar(bzip2.NewReader(br), dir, keep)
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return untarCommand(ctx, dir, keep, path, "xz", "-dc")
	case bytes.HasPrefix(magic, []byte("LZIP")):
		return untarCommand(ctx, dir, keep, path, "lunzip", "-c")
	}
	if isTar(br) {
		return untar(br, dir, keep)
	}
	return ErrUnknownFormat
}

// isTar reports whether r starts with a tar header.
func isTar(r *bufio.Reader) bool {
	b, err := r.Peek(512)
	if err != nil {
		return false
	}
	return bytes.Equal(b[257:262], []byte("ustar")) || bytes.Equal(b[257:263], []byte("ustar\x00"))
}

// untarCommand decompresses path with an external program and extracts the tar it outputs.
func untarCommand(ctx context.Context, dir string, keep func(string) bool, path, prog string, args ...string) error {
	if _, err := exec.LookPath(prog); err != nil {
		return fmt.Errorf("%s is needed to extract %s: %w", prog, filepath.Base(path), err)
	}
	cmd := exec.CommandContext(ctx, prog, append(args, path)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	terr := untar(out, dir, keep)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %v: %s", prog, err, strings.TrimSpace(stderr.String()))
	}
	return terr
}

// target returns the path of entry name under dir, refusing names that
// would leave it.
func target(dir, name string) (string, error) {
	clean := filepath.Clean("/" + filepath.FromSlash(name))
	if clean == "/" {
		return "", nil
	}
	p := filepath.Join(dir, clean)
	if !strings.HasPrefix(p, filepath.Clean(dir)+string(filepath.Separator)) {
		return "", fmt.Errorf("archive entry %q leaves the extraction directory", name)
	}
	return p, nil
}

func untar(r io.Reader, dir string, keep func(string) bool) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if keep != nil && !keep(hdr.Name) {
			continue
		}
		p, err := target(dir, hdr.Name)
		if err != nil {
			return err
		}
		if p == "" {
			continue
		}
		mode := os.FileMode(hdr.Mode).Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, mode|0o700); err != nil {
				return err
			}
		case tar.TypeReg, tar.TypeRegA:
			if err := writeEntry(p, tr, mode); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			os.Remove(p)
			if err := os.Symlink(hdr.Linkname, p); err != nil {
				return err
			}
		case tar.TypeLink:
			src, err := target(dir, hdr.Linkname)
			if err != nil || src == "" {
				return fmt.Errorf("archive entry %q: bad link target %q", hdr.Name, hdr.Linkname)
			}
			os.Remove(p)
			if err := os.Link(src, p); err != nil {
				return err
			}
		}
	}
}

func unzip(path, dir string, keep func(string) bool) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if keep != nil && !keep(f.Name) {
			continue
		}
		p, err := target(dir, f.Name)
		if err != nil {
			return err
		}
		if p == "" {
			continue
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		err = writeEntry(p, rc, mode)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func writeEntry(p string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
