package cmmi

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webrunner/recipes/recipestest"
)

const recipe = "slapos.recipe.cmmi"

// configure is a configure script that records its arguments and writes a
// Makefile-free build: the fake make below runs "build.sh <target>".
const configure = `#!/bin/sh
echo "configure $*"
echo "$*" > configured
`

// fakeMake stands for make: it logs its arguments and, for "install",
// copies the program into the --prefix directory recorded by configure.
const fakeMake = `#!/bin/sh
echo "make $*"
case "$*" in
*install*)
  prefix=$(sed -n 's/.*--prefix=\([^ ]*\).*/\1/p' configured)
  mkdir -p "$prefix/bin" && cp hello "$prefix/bin/hello" ;;
esac
`

func sourceTree(t *testing.T, dir string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "configure"), []byte(configure), 0o755)
	os.WriteFile(filepath.Join(dir, "hello"), []byte("#!/bin/sh\necho hello\n"), 0o755)
}

func tarGzDir(t *testing.T, root string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(filepath.Dir(root), p)
		fi, _ := d.Info()
		if d.IsDir() {
			tw.WriteHeader(&tar.Header{Name: rel + "/", Typeflag: tar.TypeDir, Mode: 0o755})
			return nil
		}
		b, _ := os.ReadFile(p)
		tw.WriteHeader(&tar.Header{Name: rel, Typeflag: tar.TypeReg, Mode: int64(fi.Mode().Perm()), Size: int64(len(b))})
		tw.Write(b)
		return nil
	})
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestCMMIFromArchive(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "hello-1.0")
	sourceTree(t, src)
	os.WriteFile(filepath.Join(src, "fix.patch"), nil, 0o644)
	arch := h.Path("hello-1.0.tar.gz")
	os.WriteFile(arch, tarGzDir(t, src), 0o644)
	mk := h.Path("fake-make")
	os.WriteFile(mk, []byte(fakeMake), 0o755)
	patch := h.Path("fake-patch")
	os.WriteFile(patch, []byte("#!/bin/sh\necho \"patch $*\"; cat > patched\n"), 0o755)
	patchFile := h.Path("p.diff")
	os.WriteFile(patchFile, []byte("--- a\n+++ b\n"), 0o644)
	h.Add("hello", "url", arch, "make-binary", mk, "patch-binary", patch, "patches", patchFile,
		"configure-options", "--enable-x\n  --with-y=%(location)s/y",
		"environment", "GREETING=hi %(HOME)s\nEMPTY=",
		"pre-configure", "echo \"pre $GREETING\" > pre.txt",
		"post-install", "cp pre.txt %(location)s/")
	paths, err := h.Install(ctx, recipe, "hello")
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(h.Lines(), "\n"))
	}
	loc := h.Path("parts/hello")
	if len(paths) != 1 || paths[0] != loc {
		t.Errorf("paths = %q", paths)
	}
	o, _ := h.Section("hello")
	if v, _ := o.Get("location"); v != loc {
		t.Errorf("location = %q", v)
	}
	if got := recipestest.Read(t, filepath.Join(loc, "bin/hello")); got != "#!/bin/sh\necho hello\n" {
		t.Errorf("installed program = %q", got)
	}
	if got := recipestest.Read(t, filepath.Join(loc, "pre.txt")); got != "pre hi "+os.Getenv("HOME")+"\n" {
		t.Errorf("pre-configure output = %q", got)
	}
	want := []string{
		"patch -p0",
		`configure --prefix=` + loc + ` --enable-x --with-y=` + loc + `/y`,
		"make ",
		"make install",
	}
	if got := strings.Join(h.Lines(), "\n"); got != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if _, err := os.Stat(filepath.Join(loc, ".build")); !os.IsNotExist(err) {
		t.Error("compile directory kept")
	}
	// update does nothing; a reinstall starts from an empty location.
	if _, err := h.Update(ctx, recipe, "hello"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(loc, "stale"), nil, 0o644)
	if _, err := h.Install(ctx, recipe, "hello"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(loc, "stale")); !os.IsNotExist(err) {
		t.Error("reinstall kept a stale file")
	}
}

func TestCMMIFromPathAndErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		opts    func(h *recipestest.Host, src string) []string
		wantErr string
	}{
		{"configure-command none of make", func(h *recipestest.Host, src string) []string {
			return []string{"path", src, "configure-command", "true", "make-binary", "true"}
		}, ""},
		{"failing step", func(h *recipestest.Host, src string) []string {
			return []string{"path", src, "configure-command", "exit 2"}
		}, "System error"},
		{"url and path", func(h *recipestest.Host, src string) []string {
			return []string{"path", src, "url", "x"}
		}, `You must use either "url" or "path", not both!`},
		{"neither", func(h *recipestest.Host, src string) []string { return []string{"md5sum", "x"} },
			`You must provide either "url" or "path".`},
		{"bad location", func(h *recipestest.Host, src string) []string {
			return []string{"path", src, "location", "/elsewhere"}
		}, "invalid 'location' value"},
		{"python hook", func(h *recipestest.Host, src string) []string {
			return []string{"path", src, "pre-configure-hook", "hook.py:f"}
		}, "pre-configure-hook (a Python hook) is not supported by Webrunner"},
		{"md5 mismatch", func(h *recipestest.Host, src string) []string {
			os.WriteFile(h.Path("a.tgz"), []byte("x"), 0o644)
			return []string{"url", h.Path("a.tgz"), "md5sum", "00000000000000000000000000000000"}
		}, "MD5 checksum mismatch for local resource at '"},
		{"unknown format key", func(h *recipestest.Host, src string) []string {
			return []string{"path", src, "configure-command", "echo %(nosuchoption)s"}
		}, "section c: KeyError: nosuchoption"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			src := h.Path("src")
			sourceTree(t, src)
			h.Add("c", tc.opts(h, src)...)
			_, err := h.Install(ctx, recipe, "c")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			recipestest.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestPercent(t *testing.T) {
	m := map[string]string{"location": "/l"}
	got, err := percent("a %(location)s %% %d %(", func(k string) (string, bool) { v, ok := m[k]; return v, ok })
	if err != nil || got != "a /l % %d %(" {
		t.Errorf("percent = %q, %v", got, err)
	}
}
