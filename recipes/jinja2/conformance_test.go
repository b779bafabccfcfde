package jinja2

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/conformance.txt with the current pass count")

// sharedDir returns the shared folder: $WEBRUNNER_SHARED, else
// <module root>/../shared.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("WEBRUNNER_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory; set WEBRUNNER_SHARED")
		}
		dir = parent
	}
}

// corpusCases returns the case directories of the jinja2 corpus.
func corpusCases(tb testing.TB) []string {
	tb.Helper()
	root := filepath.Join(sharedDir(tb), "corpus", "jinja2", "cases")
	entries, err := os.ReadDir(root)
	if err != nil {
		tb.Fatalf("jinja2 corpus missing (set WEBRUNNER_SHARED to the shared folder): %v", err)
	}
	var dirs []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, e.Name(), "case.json")); err == nil {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		tb.Fatalf("no cases under %s", root)
	}
	return dirs
}

// checkCase renders a case directory and compares the result with its
// expected.out, or expects an error whose Python class is expected.error.
// With exactType the error class must match too.
func checkCase(dir string, exactType bool) error {
	got, err := RenderCase(dir)
	if want, rerr := os.ReadFile(filepath.Join(dir, "expected.error")); rerr == nil {
		wantType := strings.TrimSpace(string(want))
		if err == nil {
			return fmt.Errorf("rendered without error, want %s", wantType)
		}
		var e *Error
		if exactType && (!errors.As(err, &e) || e.Type != wantType) {
			return fmt.Errorf("error %v, want %s", err, wantType)
		}
		return nil
	}
	want, rerr := os.ReadFile(filepath.Join(dir, "expected.out"))
	if rerr != nil {
		return rerr
	}
	if err != nil {
		return err
	}
	if !bytes.Equal([]byte(got), want) {
		return fmt.Errorf("output differs from expected.out\n%s", firstDiff(string(want), got))
	}
	return nil
}

// TestConformance renders every public corpus case in-process and compares
// it byte for byte with expected.out, or expects an error when
// expected.error exists. The pass count may not drop below the one
// recorded in testdata/conformance.txt.
func TestConformance(t *testing.T) {
	dirs := corpusCases(t)
	passed := 0
	for _, dir := range dirs {
		if err := checkCase(dir, false); err != nil {
			t.Errorf("%s: %v", filepath.Base(dir), err)
			continue
		}
		passed++
	}
	t.Logf("%d/%d cases pass", passed, len(dirs))
	record := filepath.Join("testdata", "conformance.txt")
	if *update {
		if err := os.WriteFile(record, fmt.Appendf(nil, "%d\n", passed), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("%v (run go test -run Conformance -update to create it)", err)
	}
	recorded, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("%s: %v", record, err)
	}
	if passed < recorded {
		t.Fatalf("conformance dropped: %d cases pass, %s records %d", passed, record, recorded)
	}
}

// TestCases renders the feature cases under testdata/cases, whose expected
// outputs and error classes were written by the corpus reference renderer
// (render.py --write, Python Jinja2 3.1.6).
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "cases", "*", "case.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases under testdata/cases: %v", err)
	}
	for _, c := range dirs {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if err := checkCase(dir, true); err != nil {
				t.Error(err)
			}
		})
	}
}

// firstDiff describes the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

// BenchmarkCorpus renders every public corpus case in-process, reading the
// case files each time as the recipe would.
func BenchmarkCorpus(b *testing.B) {
	dirs := corpusCases(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, dir := range dirs {
			_, _ = RenderCase(dir)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/corpus")
}
