package download

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"webrunner/recipes/recipestest"
)

const helloMD5 = "5eb63bbbe01eeed093cb22bb8f5acdc3" // md5("hello world")

// tarGz returns a .tar.gz archive of the given files (name → content;
// a name ending in "/" is a directory).
func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasSuffix(n, "/") {
			tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755})
			continue
		}
		tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(files[n]))})
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, c := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(c))
	}
	zw.Close()
	return buf.Bytes()
}

func TestDownloadLocal(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		opts       []string
		target     string // relative to the buildout directory
		installed  string
		wantErr    string
		updateKeep bool
	}{
		{name: "default target", opts: []string{"md5sum", helloMD5}, target: "parts/dl/dl", installed: "parts/dl", updateKeep: true},
		{name: "filename", opts: []string{"filename", "instance.cfg.in"}, target: "parts/dl/instance.cfg.in", installed: "parts/dl"},
		{name: "destination", opts: []string{"destination", "{dir}/out/file"}, target: "out/file", installed: "out/file"},
		{name: "file url", opts: []string{"url", "file://{dir}/src/hello.txt"}, target: "parts/dl/dl", installed: "parts/dl"},
		{name: "md5 mismatch", opts: []string{"md5sum", "00000000000000000000000000000000"},
			wantErr: "MD5 checksum mismatch for local resource at '{dir}/src/hello.txt'."},
		{name: "missing file", opts: []string{"url", "{dir}/nothing"}, wantErr: "no such file"},
		{name: "shared with destination", opts: []string{"destination", "/x", "shared", "true"}, wantErr: "options 'destination' and 'shared' conflict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			os.MkdirAll(h.Path("src"), 0o755)
			src := h.Path("src/hello.txt")
			os.WriteFile(src, []byte("hello world"), 0o640)
			opts := []string{"url", src}
			for i := 0; i < len(tc.opts); i += 2 {
				opts = append(opts, tc.opts[i], strings.ReplaceAll(tc.opts[i+1], "{dir}", h.Dir))
			}
			h.Add("dl", opts...)
			paths, err := h.Install(ctx, "slapos.recipe.build:download", "dl")
			if tc.wantErr != "" {
				recipestest.ErrorContains(t, err, strings.ReplaceAll(tc.wantErr, "{dir}", h.Dir))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) != 1 || paths[0] != h.Path(tc.installed) {
				t.Errorf("paths = %q, want %q", paths, h.Path(tc.installed))
			}
			o, _ := h.Section("dl")
			if v, _ := o.Get("target"); v != h.Path(tc.target) {
				t.Errorf("target = %q", v)
			}
			if got := recipestest.Read(t, h.Path(tc.target)); got != "hello world" {
				t.Errorf("content = %q", got)
			}
			if m := recipestest.Mode(t, h.Path(tc.target)); m != 0o640 {
				t.Errorf("mode = %o", m)
			}
			os.WriteFile(src, []byte("changed"), 0o640)
			if tc.updateKeep {
				// With md5sum, update does nothing.
				if _, err := h.Update(ctx, "slapos.recipe.build:download", "dl"); err != nil {
					t.Fatal(err)
				}
				if got := recipestest.Read(t, h.Path(tc.target)); got != "hello world" {
					t.Errorf("update with md5sum changed the file: %q", got)
				}
				return
			}
			if _, err := h.Update(ctx, "slapos.recipe.build:download", "dl"); err != nil {
				t.Fatal(err)
			}
			if got := recipestest.Read(t, h.Path(tc.target)); got != "changed" {
				t.Errorf("update without md5sum did not download again: %q", got)
			}
		})
	}
}

func TestDownloadHTTP(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/hello.txt":
			w.Write([]byte("hello world"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	h := recipestest.New(t)
	cache := h.Path("download-cache")
	h.Add("buildout", "download-cache", cache)
	h.Add("dl", "url", srv.URL+"/hello.txt", "md5sum", helloMD5)
	if _, err := h.Install(ctx, "slapos.recipe.build:download", "dl"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("parts/dl/dl")); got != "hello world" {
		t.Fatalf("content = %q", got)
	}
	// Offline, the cache answers.
	h.Add("buildout", "offline", "true")
	os.RemoveAll(h.Path("parts/dl"))
	if _, err := h.Install(ctx, "slapos.recipe.build:download", "dl"); err != nil {
		t.Fatalf("offline install from the cache: %v", err)
	}
	if hits.Load() != 1 {
		t.Errorf("server hit %d times, want 1", hits.Load())
	}
	// Offline without a cached copy.
	h.Add("dl2", "url", srv.URL+"/other.txt")
	_, err := h.Install(ctx, "slapos.recipe.build:download", "dl2")
	recipestest.ErrorContains(t, err, "Couldn't download '"+srv.URL+"/other.txt' in offline mode.")
	// The part's offline option overrides buildout's.
	h.Add("dl2", "offline", "false")
	_, err = h.Install(ctx, "slapos.recipe.build:download", "dl2")
	recipestest.ErrorContains(t, err, "Couldn't download '"+srv.URL+"/other.txt': HTTP status 404 Not Found")
	// alternate-url
	h.Add("dl2", "alternate-url", srv.URL+"/hello.txt")
	if _, err := h.Install(ctx, "slapos.recipe.build:download", "dl2"); err != nil {
		t.Fatalf("alternate-url: %v", err)
	}
	// md5 mismatch of a download
	h.Add("buildout", "offline", "false", "download-cache", "")
	h.Add("dl3", "url", srv.URL+"/hello.txt", "md5sum", "00000000000000000000000000000000")
	_, err = h.Install(ctx, "slapos.recipe.build:download", "dl3")
	recipestest.ErrorContains(t, err, "MD5 checksum mismatch downloading '"+srv.URL+"/hello.txt'")
}

func TestDownloadUnpacked(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		archive func(t *testing.T) []byte
		opts    []string
		want    []string // files under the target
	}{
		{"tar.gz stripped", func(t *testing.T) []byte {
			return tarGz(t, map[string]string{"pkg-1.0/": "", "pkg-1.0/bin/run": "#!/bin/sh\n", "pkg-1.0/README": "r"})
		}, nil, []string{"README", "bin/run"}},
		{"tar.gz not stripped", func(t *testing.T) []byte {
			return tarGz(t, map[string]string{"pkg-1.0/README": "r"})
		}, []string{"strip-top-level-dir", "false"}, []string{"pkg-1.0/README"}},
		{"zip with several top entries", func(t *testing.T) []byte {
			return zipOf(t, map[string]string{"a": "1", "d/b": "2"})
		}, nil, []string{"a", "d/b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			arch := h.Path("archive")
			os.WriteFile(arch, tc.archive(t), 0o644)
			h.Add("pkg", append([]string{"url", arch}, tc.opts...)...)
			paths, err := h.Install(ctx, "slapos.recipe.build:download-unpacked", "pkg")
			if err != nil {
				t.Fatal(err)
			}
			tgt := h.Path("parts/pkg")
			if len(paths) != 1 || paths[0] != tgt {
				t.Errorf("paths = %q", paths)
			}
			if got := listFiles(t, tgt); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("files = %q, want %q", got, tc.want)
			}
			// Reinstalling replaces the target.
			if _, err := h.Install(ctx, "slapos.recipe.build:download-unpacked", "pkg"); err != nil {
				t.Fatal(err)
			}
		})
	}
	h := recipestest.New(t)
	bad := h.Path("bad")
	os.WriteFile(bad, []byte("not an archive"), 0o644)
	h.Add("pkg", "url", bad)
	_, err := h.Install(ctx, "slapos.recipe.build:download-unpacked", "pkg")
	recipestest.ErrorContains(t, err, "unknown archive format")
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestHexagonitDownloadOnly(t *testing.T) {
	// The tutorial's [template-get] section.
	h := recipestest.New(t)
	ctx := context.Background()
	os.MkdirAll(h.Path("template"), 0o755)
	os.WriteFile(h.Path("template/rendered.in"), []byte("Title: {{ name }}!\n"), 0o644)
	h.Add("template-get", "url", h.Path("template/rendered.in"),
		"location", h.Path("parts/template-get"), "filename", "rendered.in", "download-only", "true",
		"extensions", "jinja2.ext.do", "context", "section buildout buildout")
	paths, err := h.Install(ctx, "hexagonit.recipe.download", "template-get")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != h.Path("parts/template-get") {
		t.Errorf("paths = %q", paths)
	}
	o, _ := h.Section("template-get")
	if loc, _ := o.Get("location"); loc != h.Path("parts/template-get") {
		t.Errorf("location = %q", loc)
	}
	if got := recipestest.Read(t, h.Path("parts/template-get/rendered.in")); got != "Title: {{ name }}!\n" {
		t.Errorf("content = %q", got)
	}
	// Existing destination: the file is the installed path; mode applies.
	h.Add("again", "url", h.Path("template/rendered.in"), "destination", h.Path("parts/template-get"),
		"download-only", "yes", "mode", "0600")
	paths, err = h.Install(ctx, "hexagonit.recipe.download", "again")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != h.Path("parts/template-get/rendered.in") {
		t.Errorf("paths = %q", paths)
	}
	if m := recipestest.Mode(t, paths[0]); m != 0o600 {
		t.Errorf("mode = %o", m)
	}
	// update does nothing unless on-update is true.
	os.Remove(paths[0])
	h.Update(ctx, "hexagonit.recipe.download", "again")
	if _, err := os.Stat(paths[0]); err == nil {
		t.Error("update without on-update downloaded again")
	}
	h.Add("again", "on-update", "true")
	h.Update(ctx, "hexagonit.recipe.download", "again")
	if _, err := os.Stat(paths[0]); err != nil {
		t.Error("update with on-update did not download again")
	}
}

func TestHexagonitExtract(t *testing.T) {
	ctx := context.Background()
	archive := map[string]string{"pkg/": "", "pkg/a.txt": "a", "pkg/b.pyc": "b", "pkg/sub/c": "c"}
	tests := []struct {
		name    string
		opts    []string
		pre     func(h *recipestest.Host)
		want    []string
		wantErr string
	}{
		{name: "strip", opts: []string{"strip-top-level-dir", "true", "excludes", "*.pyc\n"}, want: []string{"a.txt", "sub/c"}},
		{name: "no strip", want: []string{"pkg/a.txt", "pkg/b.pyc", "pkg/sub/c"}},
		{name: "existing", opts: []string{"strip-top-level-dir", "true"}, pre: func(h *recipestest.Host) {
			os.MkdirAll(h.Path("parts/pkg"), 0o755)
			os.WriteFile(h.Path("parts/pkg/a.txt"), nil, 0o644)
		}, wantErr: "File or directory already exists."},
		{name: "ignore existing", opts: []string{"strip-top-level-dir", "true", "ignore-existing", "true"}, pre: func(h *recipestest.Host) {
			os.MkdirAll(h.Path("parts/pkg"), 0o755)
			os.WriteFile(h.Path("parts/pkg/a.txt"), nil, 0o644)
		}, want: []string{"a.txt", "b.pyc", "sub/c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			arch := h.Path("pkg.tar.gz")
			os.WriteFile(arch, tarGz(t, archive), 0o644)
			if tc.pre != nil {
				tc.pre(h)
			}
			h.Add("pkg", append([]string{"url", arch}, tc.opts...)...)
			_, err := h.Install(ctx, "hexagonit.recipe.download", "pkg")
			if tc.wantErr != "" {
				recipestest.ErrorContains(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := listFiles(t, h.Path("parts/pkg")); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("files = %q, want %q", got, tc.want)
			}
		})
	}
	h := recipestest.New(t)
	arch := h.Path("two.tar.gz")
	os.WriteFile(arch, tarGz(t, map[string]string{"a": "1", "b": "2"}), 0o644)
	h.Add("pkg", "url", arch, "strip-top-level-dir", "true")
	_, err := h.Install(ctx, "hexagonit.recipe.download", "pkg")
	recipestest.ErrorContains(t, err, "Invalid package contents")
	os.WriteFile(arch, []byte("plain text"), 0o644)
	h.Add("txt", "url", arch)
	_, err = h.Install(ctx, "hexagonit.recipe.download", "txt")
	recipestest.ErrorContains(t, err, "Package extraction error")
}
