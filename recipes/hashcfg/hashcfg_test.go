package hashcfg

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// copyDir copies the directory src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestUpdateFileGolden(t *testing.T) {
	dir := copyDir(t, "testdata/odd")
	path := filepath.Join(dir, "buildout.hash.cfg")
	orig, _ := os.ReadFile(path)
	os.Chmod(path, 0o640)
	changes, err := UpdateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	golden := "testdata/odd.hash.cfg.golden"
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rewritten file differs from %s:\n%s", golden, got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %o, want 640", fi.Mode().Perm())
	}
	// Every original line is kept, except md5sum values.
	gotLines, origLines := splitLines(got), splitLines(orig)
	j := 0
	for _, l := range origLines {
		for j < len(gotLines) && !sameExceptMD5(string(l), string(gotLines[j])) {
			if !strings.Contains(string(gotLines[j]), "md5sum = ") {
				t.Fatalf("unexpected line %q", gotLines[j])
			}
			j++
		}
		if j == len(gotLines) {
			t.Fatalf("line %q lost", l)
		}
		j++
	}
	sections := map[string]Change{}
	for _, c := range changes {
		sections[c.Section] = c
	}
	for _, s := range []string{"instance-profile", "template-nginx", "sectionfile", "crlf", "last"} {
		if _, ok := sections[s]; !ok {
			t.Errorf("no change reported for [%s]", s)
		}
	}
	if c := sections["template-nginx"]; c.Old != "" || c.Filename != "templates/nginx.conf.in" {
		t.Errorf("template-nginx change = %+v", c)
	}
	if c := sections["crlf"]; c.Old != "deadbeef" || c.New != "c3da2cd5a6abc84825611d717df35a67" {
		t.Errorf("crlf change = %+v", c)
	}

	// A second run changes nothing.
	changes, err = UpdateFile(path)
	if err != nil || len(changes) != 0 {
		t.Fatalf("second run: changes = %v, err = %v", changes, err)
	}
	again, _ := os.ReadFile(path)
	if !bytes.Equal(again, got) {
		t.Fatal("second run changed the file")
	}
}

// sameExceptMD5 reports whether two lines are equal, or are both md5sum lines.
func sameExceptMD5(a, b string) bool {
	if a == b || a == strings.TrimSuffix(b, "\n") { // the last line may get a newline
		return true
	}
	ka, _, oka := strings.Cut(a, "=")
	kb, _, okb := strings.Cut(b, "=")
	return oka && okb && ka == kb && strings.TrimSpace(ka) == "md5sum" && lineEnd(a) == lineEnd(b)
}

func TestSetValue(t *testing.T) {
	tests := []struct{ in, old, out string }{
		{"md5sum = a\n", "a", "md5sum = b\n"},
		{"md5sum\t=\ta  \r\n", "a", "md5sum\t=\tb  \r\n"},
		{"  md5sum=a", "a", "  md5sum=b"},
		{"md5sum =\n", "", "md5sum = b\n"},
		{"md5sum=", "", "md5sum= b"},
	}
	for _, tc := range tests {
		old, out := setValue(tc.in, "b")
		if old != tc.old || out != tc.out {
			t.Errorf("setValue(%q) = %q, %q; want %q, %q", tc.in, old, out, tc.old, tc.out)
		}
	}
}

func TestRewriteErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	tests := []struct{ name, src, msg string }{
		{"unknown key", "[a]\nfilename = f\nurl = x\nmd5sum = 1\n", "h.cfg:3: unknown key \"url\" in section [a]"},
		{"before section", "md5sum = 1\n[a]\n", "h.cfg:1: option \"md5sum\" outside of a section"},
		{"missing file", "# c\n[a]\nfilename = nofile\nmd5sum = 1\n", "h.cfg:2: section [a]: open "},
		{"bad header", "[a\n", "h.cfg:1: section header without ']'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Rewrite("h.cfg", []byte(tc.src), dir)
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want prefix %q", err, tc.msg)
			}
		})
	}
}

func TestRewriteAppend(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("hello world"), 0o644)
	const sum = "5eb63bbbe01eeed093cb22bb8f5acdc3"
	tests := []struct{ name, src, want string }{
		{"trailing blank lines", "[a]\nfilename = f\n\n\n[b]\nfilename = f\nmd5sum = " + sum + "\n",
			"[a]\nfilename = f\nmd5sum = " + sum + "\n\n\n[b]\nfilename = f\nmd5sum = " + sum + "\n"},
		{"no final newline", "[a]\nfilename = f", "[a]\nfilename = f\nmd5sum = " + sum},
		{"crlf", "[a]\r\nfilename = f\r\n", "[a]\r\nfilename = f\r\nmd5sum = " + sum + "\r\n"},
		{"header only", "[f]", "[f]\nmd5sum = " + sum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Rewrite("h.cfg", []byte(tc.src), dir)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	es, err := Parse("h", []byte("# x\n[instance-profile]\nfilename = instance.cfg.in\nmd5sum = abc\n[other]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Filename != "instance.cfg.in" || es[0].MD5 != "abc" || es[0].Line != 2 ||
		es[1].Filename != "other" || es[1].HasMD5 {
		t.Fatalf("entries = %+v", es)
	}
}
