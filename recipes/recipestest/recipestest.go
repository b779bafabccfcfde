// Package recipestest provides a fake buildout Host to test recipes
// directly, without the install engine: sections are set by hand and parts
// are constructed, installed and updated the way the engine would.
package recipestest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"webrunner/buildout"
	"webrunner/buildout/proc"
)

// Host is a buildout.Host whose sections are plain option sets.
type Host struct {
	// Dir is the buildout directory.
	Dir string

	mu       sync.Mutex
	sections map[string]*buildout.Options
	logs     []string
	lines    []string
	out      *proc.LineWriter
}

// New returns a Host whose buildout directory is a new temporary directory
// holding bin/ and parts/, with a [buildout] section naming them.
func New(t testing.TB) *Host {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"bin", "parts"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h := &Host{Dir: dir, sections: map[string]*buildout.Options{}}
	h.out = &proc.LineWriter{Line: func(l string) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.lines = append(h.lines, l)
	}}
	h.Add("buildout",
		"directory", dir,
		"bin-directory", filepath.Join(dir, "bin"),
		"parts-directory", filepath.Join(dir, "parts"),
		"offline", "false")
	return h
}

// Add sets the section name to the given key, value pairs (added to the
// section if it exists) and returns its options.
func (h *Host) Add(name string, kv ...string) *buildout.Options {
	if len(kv)%2 != 0 {
		panic("recipestest: Add needs key, value pairs")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o, ok := h.sections[name]
	if !ok {
		o = buildout.NewOptions(name)
		h.sections[name] = o
	}
	for i := 0; i < len(kv); i += 2 {
		o.Set(kv[i], kv[i+1])
	}
	return o
}

// Section implements buildout.Host.
func (h *Host) Section(name string) (*buildout.Options, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	o, ok := h.sections[name]
	if !ok {
		return nil, fmt.Errorf("The referenced section, '%s', was not defined.", name)
	}
	return o, nil
}

// Logf implements buildout.Host.
func (h *Host) Logf(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, fmt.Sprintf(format, args...))
}

// Output implements buildout.Host.
func (h *Host) Output() io.Writer { return h.out }

// Logs returns the lines logged with Logf.
func (h *Host) Logs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.logs)
}

// Lines returns the complete lines written to Output.
func (h *Host) Lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.lines)
}

// Path returns the path of rel under the buildout directory.
func (h *Host) Path(rel string) string { return filepath.Join(h.Dir, filepath.FromSlash(rel)) }

// New constructs the recipe of section name with the factory registered
// for recipe, as the engine does when it initializes a part.
func (h *Host) New(ctx context.Context, recipe, name string) (buildout.Recipe, error) {
	f, ok := buildout.LookupRecipe(recipe)
	if !ok {
		return nil, &buildout.UnsupportedRecipeError{Section: name, Recipe: recipe, Supported: buildout.Recipes()}
	}
	opts, err := h.Section(name)
	if err != nil {
		return nil, err
	}
	return f(ctx, h, name, opts)
}

// Install constructs and installs part name with recipe and returns the
// paths it reports.
func (h *Host) Install(ctx context.Context, recipe, name string) ([]string, error) {
	r, err := h.New(ctx, recipe, name)
	if err != nil {
		return nil, err
	}
	return r.Install(ctx)
}

// Update constructs part name with recipe and calls its Update method.
func (h *Host) Update(ctx context.Context, recipe, name string) ([]string, error) {
	r, err := h.New(ctx, recipe, name)
	if err != nil {
		return nil, err
	}
	return r.Update(ctx)
}

// Mode returns the permission bits of the file at path, failing t if it
// does not exist.
func Mode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// Read returns the content of the file at path, failing t if it cannot be read.
func Read(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Options returns the options of o as sorted "key=value" strings, for
// comparisons in tests.
func Options(o *buildout.Options) []string {
	var out []string
	for _, k := range o.Keys() {
		v, _ := o.Value(k)
		out = append(out, k+"="+fmt.Sprint(v))
	}
	sort.Strings(out)
	return out
}

// ErrorContains fails t unless err is not nil and contains want.
func ErrorContains(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}
