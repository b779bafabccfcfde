package lang

import (
	"os"
	"path/filepath"
	"testing"

	"webrunner/buildout"
)

// sharedDir returns the shared specs and corpora folder: $WEBRUNNER_SHARED,
// else <module root>/../shared. A missing folder fails the benchmark.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("WEBRUNNER_SHARED"); d != "" {
		return d
	}
	shared, err := filepath.Abs("../../../shared")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(shared); err != nil {
		tb.Fatalf("shared folder not found: set WEBRUNNER_SHARED or provide %s", shared)
	}
	return shared
}

// BenchmarkDiagnostics measures one as-you-type request on a large SlapOS
// release of the corpus (gitlab: about 90 files), with unsaved content and
// the server's shared parse cache.
func BenchmarkDiagnostics(b *testing.B) {
	root := filepath.Join(sharedDir(b), "corpus", "slapos")
	const release = "software/gitlab/software.cfg"
	src, err := os.ReadFile(filepath.Join(root, release))
	if err != nil {
		b.Fatal(err)
	}
	content := string(src) + "\n[typed]\nx = ${gitlab:nope}\n"
	a := &Analyzer{Root: root, Cache: buildout.NewFileCache()}
	for b.Loop() {
		if _, err := a.Diagnostics(b.Context(), Request{Path: release, Content: &content, Release: release}); err != nil {
			b.Fatal(err)
		}
	}
}
