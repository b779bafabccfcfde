package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func renderIDE(t *testing.T, data IDEData) string {
	t.Helper()
	var b bytes.Buffer
	if err := IDEPage(data).Render(context.Background(), &b); err != nil {
		t.Fatalf("IDEPage.Render: %v", err)
	}
	return b.String()
}

func TestIDEPageData(t *testing.T) {
	html := renderIDE(t, IDEData{CSRF: `tok"<en>`, Release: "project/software/helloworld/software.cfg"})
	for _, want := range []string{
		`data-csrf="tok&#34;&lt;en&gt;"`,
		`data-release="project/software/helloworld/software.cfg"`,
		`>software/helloworld</span>`,
		`id="play"`, `id="tab-editor"`, `id="tab-services"`, `id="tab-logs"`,
		`id="ind-software"`, `id="ind-instance"`, `id="md5-menu"`, `id="tree"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("IDEPage lacks %s", want)
		}
	}
}

// TestIDEPageCSP checks that the page runs under a CSP without inline
// scripts or inline style attributes.
func TestIDEPageCSP(t *testing.T) {
	html := renderIDE(t, IDEData{CSRF: "x", Release: "project/a/software.cfg"})
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]+</script>`),
		regexp.MustCompile(`<script(?:(?:\s[^>]*)?[^s>][^>]*)?>`), // only <script … src=…>
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`\son[a-z]+=`),
	} {
		for _, m := range bad.FindAllString(html, -1) {
			if strings.Contains(m, " src=") && !strings.Contains(m, "</script>") {
				continue
			}
			t.Errorf("IDEPage has inline code %q", m)
		}
	}
	withNonce := renderIDE(t, IDEData{Nonce: "n0nce"})
	if !strings.Contains(withNonce, `nonce="n0nce"`) {
		t.Errorf("IDEPage with a nonce does not put it on the style sheet")
	}
}

// TestIDEPageAssets checks that every /static/ URL of the page is in Static.
func TestIDEPageAssets(t *testing.T) {
	html := renderIDE(t, IDEData{})
	urls := regexp.MustCompile(`"/static/([^"?]+)(\?v=[0-9a-f]+)?"`).FindAllStringSubmatch(html, -1)
	if len(urls) < 3 {
		t.Fatalf("IDEPage references %d static assets, want the script, the style sheet and the icon", len(urls))
	}
	for _, u := range urls {
		b, err := fs.ReadFile(Static, u[1])
		if err != nil {
			t.Errorf("IDEPage references %s: %v", u[0], err)
			continue
		}
		if len(b) == 0 {
			t.Errorf("static asset %s is empty", u[1])
		}
		if u[2] == "" {
			t.Errorf("asset URL %s has no version", u[0])
		}
	}
}

func TestAssetURLVersionChangesWithContent(t *testing.T) {
	a := AssetURL("ide.js")
	if !strings.HasPrefix(a, "/static/ide.js?v=") {
		t.Errorf("AssetURL(ide.js) = %q", a)
	}
	if got := AssetURL("missing.js"); got != "/static/missing.js" {
		t.Errorf("AssetURL(missing.js) = %q, want no version", got)
	}
}

func TestReleaseName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"project/software/helloworld/software.cfg", "software/helloworld"},
		{"project/software.cfg", "software.cfg"},
		{"other/x/software.cfg", "other/x"},
		{"", ""},
	} {
		if got := releaseName(tc.in); got != tc.want {
			t.Errorf("releaseName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestBundleUpToDate checks that web/static/ide.js was rebuilt (make web)
// after the last change of the editor sources: build.mjs records the hash
// of its inputs in editor/inputs.sha256.
func TestBundleUpToDate(t *testing.T) {
	recorded, err := os.ReadFile("editor/inputs.sha256")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{"build.mjs", "package.json", "package-lock.json"}
	err = filepath.WalkDir("editor/src", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel("editor", path)
			inputs = append(inputs, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(inputs)
	h := sha256.New()
	for _, f := range inputs {
		b, err := os.ReadFile(filepath.Join("editor", f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(f + "\x00"))
		h.Write(b)
		h.Write([]byte{0})
	}
	if got, want := hex.EncodeToString(h.Sum(nil)), strings.TrimSpace(string(recorded)); got != want {
		t.Errorf("the editor sources changed since web/static/ide.js was built: run `make web` and commit web/static and web/editor/inputs.sha256 (inputs hash %s, recorded %s)", got, want)
	}
}

// TestBundleBudget keeps the editor bundle under its size budget.
func TestBundleBudget(t *testing.T) {
	const budget = 600 << 10 // gzip bytes
	b, err := fs.ReadFile(Static, "ide.js")
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(b)
	w.Close()
	t.Logf("ide.js: %d bytes, %d gzip", len(b), z.Len())
	if z.Len() > budget {
		t.Errorf("ide.js is %d bytes gzip, over the %d budget", z.Len(), budget)
	}
}
