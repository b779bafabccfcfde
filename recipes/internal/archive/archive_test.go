package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestUnpack(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name, body string, typ byte, link string) {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Mode: 0o751, Size: int64(len(body)), Linkname: link})
		tw.Write([]byte(body))
	}
	add("top/", "", tar.TypeDir, "")
	add("top/run", "#!/bin/sh\n", tar.TypeReg, "")
	add("top/link", "", tar.TypeSymlink, "run")
	add("../../evil", "x", tar.TypeReg, "")
	tw.Close()
	zw.Close()
	arch := filepath.Join(dir, "a.tgz")
	os.WriteFile(arch, buf.Bytes(), 0o644)
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	if err := Unpack(context.Background(), arch, out, func(n string) bool { return n != "skip" }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(out, "top/run")); err != nil || fi.Mode().Perm() != 0o751 {
		t.Errorf("top/run: %v %v", fi, err)
	}
	if l, err := os.Readlink(filepath.Join(out, "top/link")); err != nil || l != "run" {
		t.Errorf("symlink = %q, %v", l, err)
	}
	// Names are cleaned against the root: "../../evil" lands inside.
	if _, err := os.Stat(filepath.Join(out, "evil")); err != nil {
		t.Errorf("escaping entry not kept inside: %v", err)
	}
	txt := filepath.Join(dir, "t")
	os.WriteFile(txt, []byte("text"), 0o644)
	if err := Unpack(context.Background(), txt, out, nil); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("text file: err = %v", err)
	}
}
