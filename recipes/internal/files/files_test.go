package files

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInferMode(t *testing.T) {
	for content, want := range map[string]os.FileMode{
		"#!/bin/sh\n":          0o777,
		"#! /bin/sh -e\nx":     0o777,
		"#!/no/such/program\n": 0o666,
		"#!/etc\n":             0o666, // a directory is not an interpreter
		"echo\n":               0o666,
		"#!":                   0o666,
	} {
		if got := InferMode([]byte(content)); got != want {
			t.Errorf("InferMode(%q) = %o, want %o", content, got, want)
		}
	}
}

func TestCreate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := Create(p, []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	os.Chmod(p, 0o644)
	if err := Create(p, []byte("a"), 0o640); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) || after.Mode().Perm() != 0o640 {
		t.Errorf("identical content: recreated=%v mode=%o", !os.SameFile(before, after), after.Mode().Perm())
	}
	if err := Create(p, []byte("b"), 0o700); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "b" {
		t.Errorf("content = %q", b)
	}
	if err := Create(filepath.Join(t.TempDir(), "no/dir/f"), nil, 0o600); err == nil {
		t.Error("Create made a missing parent directory")
	}
}

func TestWriteTemplateMakesParents(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a/b/out")
	if err := WriteTemplate(p, []byte("x"), 0o751); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o751 {
		t.Errorf("stat = %v, %v", fi, err)
	}
}
