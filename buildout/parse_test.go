package buildout

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata file name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// dumpFile prints a parsed file with the position of every token.
func dumpFile(f *File, errs ErrorList) string {
	var b strings.Builder
	for _, s := range f.Sections {
		fmt.Fprintf(&b, "[%s] line %d\n", s.Name, s.Pos.Line)
		for _, o := range s.Options {
			fmt.Fprintf(&b, "  %s %c= %q lines %d-%d\n", o.Key, o.Op, o.Value, o.Pos.Line, o.End)
		}
	}
	for _, e := range errs {
		e2 := *e
		e2.Pos.File = filepath.Base(e.Pos.File)
		e2.Msg = strings.ReplaceAll(e.Msg, e.Pos.File, filepath.Base(e.Pos.File))
		fmt.Fprintf(&b, "error: %s\n", e2.Error())
	}
	return b.String()
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "parse", "*.cfg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse test files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, errs := Parse(path, src, nil)
			golden(t, strings.TrimSuffix(path, ".cfg")[len("testdata/"):]+".golden", dumpFile(f, errs))
		})
	}
}

func TestDedent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\n  a\n    b", "a\n  b"},
		{"\n\n  a\n\n  b", "a\n\nb"},
		{"\n\ta\n\t  b", "a\n  b"},
		{"\n  a\n\tb", "  a\n\tb"},
		{"\n   \n  x", "x"},
	}
	for _, tc := range tests {
		if got := dedent(tc.in); got != tc.want {
			t.Errorf("dedent(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAnnotateGolden(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.cfg":    "[buildout]\nextends = base.cfg\nparts += b\n\n[s]\nx = 2\nl += more\n",
		"base.cfg": "[buildout]\nparts = a\n\n[s]\nx = 1\ny =\n  multi\n  line\nl = first\n",
	})
	c, err := Load(t.Context(), filepath.Join(dir, "b.cfg"), LoadOptions{Overrides: []Override{{"s", "z", "cli"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, verbose := range []bool{false, true} {
		var b strings.Builder
		if err := c.Annotate(&b, verbose, "s", "buildout:parts"); err != nil {
			t.Fatal(err)
		}
		name := "annotate/terse.golden"
		if verbose {
			name = "annotate/verbose.golden"
		}
		golden(t, name, strings.ReplaceAll(b.String(), dir, "@DIR@"))
	}
}
