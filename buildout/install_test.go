package buildout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"webrunner/buildout/proc"
)

// Fake recipes, registered for the tests of this package only.
func init() {
	Register("webrunner.test:mkdir", newMkdirRecipe)
	Register("webrunner.test:fail", newMkdirRecipe)
	Register("webrunner.test:stubborn", newStubbornRecipe)
	Register("webrunner.test:sub", newSubRecipe)
	RegisterUninstall("webrunner.test:mkdir", func(ctx context.Context, h Host, name string, opts *Options) error {
		trace(opts, "uninstall "+name)
		return nil
	})
}

// mkdirRecipe creates the directory of its location option (set by the
// constructor, like most recipes) and writes the "value" option in it.
// With "fail-if = path" it fails when that file exists. Every call is
// appended to the file named by the "trace" option.
type mkdirRecipe struct {
	name string
	opts *Options
	h    Host
}

func newMkdirRecipe(ctx context.Context, h Host, name string, opts *Options) (Recipe, error) {
	if _, ok := opts.Get("location"); !ok {
		bo, err := h.Section("buildout")
		if err != nil {
			return nil, err
		}
		parts, _ := bo.Get("parts-directory")
		opts.Set("location", filepath.Join(parts, name))
	}
	opts.Set("computed", "from-"+name)
	return &mkdirRecipe{name: name, opts: opts, h: h}, nil
}

func trace(opts *Options, line string) {
	p, ok := opts.Get("trace")
	if !ok {
		return
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

func (r *mkdirRecipe) Install(ctx context.Context) ([]string, error) {
	loc, _ := r.opts.Get("location")
	val, _ := r.opts.Get("value")
	trace(r.opts, "install "+r.name+" "+val)
	if other, ok := r.opts.Get("access"); ok {
		if _, err := r.h.Section(other); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(loc, 0o755); err != nil {
		return nil, err
	}
	if _, ok := r.opts.Get("panic"); ok {
		panic("recipe bug")
	}
	if f, ok := r.opts.Get("fail-if"); ok {
		if _, err := os.Stat(f); err == nil {
			return []string{loc}, errors.New("failing as asked")
		}
	}
	fmt.Fprintf(r.h.Output(), "made %s\n", loc)
	return []string{loc}, os.WriteFile(filepath.Join(loc, "value"), []byte(val), 0o644)
}

func (r *mkdirRecipe) Update(ctx context.Context) ([]string, error) {
	trace(r.opts, "update "+r.name)
	return nil, nil
}

// stubbornRecipe runs a shell that ignores SIGTERM, and its child.
type stubbornRecipe struct {
	h    Host
	opts *Options
}

func newStubbornRecipe(ctx context.Context, h Host, name string, opts *Options) (Recipe, error) {
	return &stubbornRecipe{h: h, opts: opts}, nil
}

func (r *stubbornRecipe) Install(ctx context.Context) ([]string, error) {
	cmd := proc.Command(ctx, 200*time.Millisecond, "sh", "-c", `trap "" TERM; sleep 1000 & echo "pids $$ $!"; wait; wait`)
	out := r.h.Output()
	err := proc.Run(cmd, func(line string) { fmt.Fprintln(out, line) })
	return nil, err
}

func (r *stubbornRecipe) Update(ctx context.Context) ([]string, error) { return nil, nil }

// sandbox is a buildout directory for one test.
type sandbox struct {
	t     *testing.T
	dir   string
	trace string
}

func newSandbox(t *testing.T) *sandbox {
	dir := t.TempDir()
	return &sandbox{t: t, dir: dir, trace: filepath.Join(dir, "trace")}
}

func (s *sandbox) write(cfg string) {
	s.t.Helper()
	cfg = strings.ReplaceAll(cfg, "@TRACE@", s.trace)
	if err := os.WriteFile(filepath.Join(s.dir, "buildout.cfg"), []byte(cfg), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// run runs buildout and returns the info lines it logged.
func (s *sandbox) run(ctx context.Context) ([]string, error) {
	var mu sync.Mutex
	var lines []string
	err := Run(ctx, RunOptions{Directory: s.dir, OnEvent: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Level == LevelInfo {
			lines = append(lines, e.Text)
		}
	}})
	return lines, err
}

func (s *sandbox) mustRun() []string {
	s.t.Helper()
	lines, err := s.run(context.Background())
	if err != nil {
		s.t.Fatalf("run: %v", err)
	}
	return lines
}

// traced returns and clears the recipe calls.
func (s *sandbox) traced() []string {
	b, _ := os.ReadFile(s.trace)
	os.Remove(s.trace)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func (s *sandbox) installedParts() string {
	inst, err := readInstalled(filepath.Join(s.dir, ".installed.cfg"))
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.Join(inst.parts(), " ")
}

func TestInstallOrderAndImplicitParts(t *testing.T) {
	s := newSandbox(t)
	s.write(`[buildout]
parts = c a

[a]
recipe = webrunner.test:mkdir
trace = @TRACE@

[b]
recipe = webrunner.test:mkdir
value = ${a:location}
trace = @TRACE@

[c]
recipe = webrunner.test:mkdir
value = ${b:computed}
=> d
trace = @TRACE@

[d]
recipe = webrunner.test:mkdir
trace = @TRACE@
`)
	lines := s.mustRun()
	var installs []string
	for _, l := range lines {
		if strings.HasPrefix(l, "Installing ") {
			installs = append(installs, l)
		}
	}
	want := []string{"Installing a.", "Installing b.", "Installing d.", "Installing c."}
	if !slices.Equal(installs, want) {
		t.Errorf("install order %q, want %q", installs, want)
	}
	// b's value comes from an option the recipe of a set (location), c's
	// from one the recipe of b set in its constructor.
	b, _ := os.ReadFile(filepath.Join(s.dir, "parts", "c", "value"))
	if string(b) != "from-b" {
		t.Errorf("c value = %q, want option set by b's recipe", b)
	}
	b, _ = os.ReadFile(filepath.Join(s.dir, "parts", "b", "value"))
	if string(b) != filepath.Join(s.dir, "parts", "a") {
		t.Errorf("b value = %q", b)
	}
	if got := s.installedParts(); got != "a b d c" {
		t.Errorf(".installed.cfg parts = %q", got)
	}
}

func TestInstallUpdateReinstallUninstall(t *testing.T) {
	s := newSandbox(t)
	cfg := `[buildout]
parts = one two

[one]
recipe = webrunner.test:mkdir
value = %s
trace = @TRACE@

[two]
recipe = webrunner.test:mkdir
value = x
trace = @TRACE@
`
	s.write(fmt.Sprintf(cfg, "v1"))
	s.mustRun()
	if got := s.traced(); !slices.Equal(got, []string{"install one v1", "install two x"}) {
		t.Errorf("recipe calls %q", got)
	}
	// Unchanged: only updates.
	lines := s.mustRun()
	if strings.Join(lines, "|") != "Updating one.|Updating two." {
		t.Errorf("re-run logged %q, want only updates", lines)
	}
	if got := s.traced(); !slices.Equal(got, []string{"update one", "update two"}) {
		t.Errorf("recipe calls on re-run %q", got)
	}
	// Option change: one is uninstalled then installed; two updated.
	s.write(fmt.Sprintf(cfg, "v2"))
	lines = s.mustRun()
	if strings.Join(lines, "|") != "Uninstalling one.|Running uninstall recipe.|Installing one.|Updating two." {
		t.Errorf("changed run logged %q", lines)
	}
	if b, _ := os.ReadFile(filepath.Join(s.dir, "parts", "one", "value")); string(b) != "v2" {
		t.Errorf("one/value = %q after reinstall", b)
	}
	// A deleted file makes the part reinstall too.
	os.RemoveAll(filepath.Join(s.dir, "parts", "two"))
	lines = s.mustRun()
	if strings.Join(lines, "|") != "Uninstalling two.|Running uninstall recipe.|Updating one.|Installing two." {
		t.Errorf("run after deleting a file logged %q", lines)
	}
	// Part removal: uninstalled and its files removed.
	s.write(strings.Replace(fmt.Sprintf(cfg, "v2"), "parts = one two", "parts = one", 1))
	lines = s.mustRun()
	if strings.Join(lines, "|") != "Uninstalling two.|Running uninstall recipe.|Updating one." {
		t.Errorf("removal run logged %q", lines)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "parts", "two")); !os.IsNotExist(err) {
		t.Errorf("parts/two still exists after uninstall: %v", err)
	}
	if got := s.installedParts(); got != "one" {
		t.Errorf(".installed.cfg parts = %q", got)
	}
	// No parts at all: everything uninstalled, .installed.cfg removed.
	s.write("[buildout]\nparts =\n")
	s.mustRun()
	if _, err := os.Stat(filepath.Join(s.dir, ".installed.cfg")); !os.IsNotExist(err) {
		t.Errorf(".installed.cfg still exists: %v", err)
	}
}

func TestInstallFailureThenResume(t *testing.T) {
	s := newSandbox(t)
	marker := filepath.Join(s.dir, "fail")
	os.WriteFile(marker, nil, 0o644)
	s.write(`[buildout]
parts = a b c

[a]
recipe = webrunner.test:mkdir
trace = @TRACE@

[b]
recipe = webrunner.test:fail
fail-if = ` + marker + `
trace = @TRACE@

[c]
recipe = webrunner.test:mkdir
trace = @TRACE@
`)
	_, err := s.run(context.Background())
	var re *RunError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "While:\n  Installing b.\nError: ") ||
		!strings.Contains(err.Error(), "buildout.cfg:8: [b]: failing as asked") {
		t.Fatalf("error = %v, want While: Installing b. with the section's file:line", err)
	}
	if got := s.installedParts(); got != "a" {
		t.Errorf("after failure .installed.cfg parts = %q, want a", got)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "parts", "b")); !os.IsNotExist(err) {
		t.Errorf("files of the failed part were not removed")
	}
	os.Remove(marker)
	lines := s.mustRun()
	if strings.Join(lines, "|") != "Updating a.|Installing b.|Installing c." {
		t.Errorf("resume logged %q", lines)
	}
	if got := s.installedParts(); got != "a b c" {
		t.Errorf("after resume parts = %q", got)
	}
}

func TestInstallUnknownRecipe(t *testing.T) {
	s := newSandbox(t)
	s.write("[buildout]\nparts = x\n\n[x]\nrecipe = no.such.recipe\n")
	_, err := s.run(context.Background())
	var ue *UnsupportedRecipeError
	if !errors.As(err, &ue) || ue.Section != "x" || ue.Recipe != "no.such.recipe" || !slices.Contains(ue.Supported, "webrunner.test:mkdir") {
		t.Fatalf("error = %#v, want UnsupportedRecipeError naming x, the recipe and the supported ones", err)
	}
}

func TestInstallCancelKillsProcessGroup(t *testing.T) {
	s := newSandbox(t)
	s.write("[buildout]\nparts = a slow\n\n[a]\nrecipe = webrunner.test:mkdir\n\n[slow]\nrecipe = webrunner.test:stubborn\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pids := make(chan []int, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, RunOptions{Directory: s.dir, OnEvent: func(e Event) {
			if e.Level == LevelOutput && strings.HasPrefix(e.Text, "pids ") {
				var ps []int
				for _, f := range strings.Fields(e.Text)[1:] {
					n, _ := strconv.Atoi(f)
					ps = append(ps, n)
				}
				pids <- ps
			}
		}})
	}()
	var ps []int
	select {
	case ps = <-pids:
	case err := <-done:
		t.Fatalf("run ended before the process started: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("process did not start")
	}
	t.Cleanup(func() {
		for _, p := range ps {
			syscall.Kill(p, syscall.SIGKILL)
		}
	})
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) && !strings.Contains(fmt.Sprint(err), "signal: killed") {
			t.Errorf("run error = %v, want cancellation", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	for _, p := range ps {
		if alive(p) {
			t.Errorf("process %d still running after cancel", p)
		}
	}
	if got := s.installedParts(); got != "a" {
		t.Errorf(".installed.cfg parts after cancel = %q, want a", got)
	}
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func TestEncodeValueRoundTrip(t *testing.T) {
	values := []string{"", "a", "a b", " lead", "trail ", "a\nb", "\nfirst empty", "x\n\ny", "last\n", "  a\n  b  \n", "tab\tin", "cr\rlf"}
	dir := t.TempDir()
	inst := &installedFile{path: filepath.Join(dir, ".installed.cfg"), sections: map[string]map[string]string{"buildout": {"parts": "p"}}}
	inst.sections["p"] = map[string]string{}
	for i, v := range values {
		inst.sections["p"][fmt.Sprintf("v%02d", i)] = v
	}
	if err := inst.save(); err != nil {
		t.Fatal(err)
	}
	back, err := readInstalled(inst.path)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		if got := back.sections["p"][fmt.Sprintf("v%02d", i)]; got != v {
			t.Errorf("value %q read back as %q", v, got)
		}
	}
}

// BenchmarkNoOpRerun measures a re-run of an unchanged 50-part buildout:
// every part is only updated.
func BenchmarkNoOpRerun(b *testing.B) {
	dir := b.TempDir()
	var cfg strings.Builder
	cfg.WriteString("[buildout]\nparts =\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&cfg, "  part%02d\n", i)
	}
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&cfg, "\n[part%02d]\nrecipe = webrunner.test:mkdir\nvalue = ${buildout:directory}/%d\n", i, i)
		if i > 0 {
			fmt.Fprintf(&cfg, "previous = ${part%02d:location}\n", i-1)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "buildout.cfg"), []byte(cfg.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := Run(context.Background(), RunOptions{Directory: dir}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Run(context.Background(), RunOptions{Directory: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// subRecipe runs the buildout of its "profile" option with a structured
// option preset in section [conf], like switch-softwaretype.
type subRecipe struct {
	h    Host
	opts *Options
}

func newSubRecipe(ctx context.Context, h Host, name string, opts *Options) (Recipe, error) {
	return &subRecipe{h: h, opts: opts}, nil
}

func (r *subRecipe) Install(ctx context.Context) ([]string, error) {
	profile, _ := r.opts.Get("profile")
	conf := NewOptions("conf")
	conf.SetValue("data", map[string]any{"a": "1"})
	conf.Set("text", "${not:substituted}")
	runner := r.h.(interface {
		RunSubBuildout(context.Context, string, map[string]*Options) error
	})
	return []string{}, runner.RunSubBuildout(ctx, profile, map[string]*Options{"conf": conf})
}

func (r *subRecipe) Update(ctx context.Context) ([]string, error) { return r.Install(ctx) }

func TestRunSubBuildout(t *testing.T) {
	s := newSandbox(t)
	os.WriteFile(filepath.Join(s.dir, "sub.cfg"), []byte("[buildout]\ninstalled = .installed-sub.cfg\nparts = p\n[p]\nrecipe = webrunner.test:mkdir\nvalue = ${conf:data} ${conf:text}\n"), 0o644)
	s.write("[buildout]\nparts = switch\n[switch]\nrecipe = webrunner.test:sub\nprofile = sub.cfg\n")
	var events []string
	err := Run(context.Background(), RunOptions{Directory: s.dir, OnEvent: func(e Event) {
		events = append(events, e.Part+": "+e.Text)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(events, "switch: Installing p.") {
		t.Errorf("events %q lack the sub-buildout's, attributed to the part", events)
	}
	b, _ := os.ReadFile(filepath.Join(s.dir, "parts", "p", "value"))
	if string(b) != "map[a:1] ${not:substituted}" {
		t.Errorf("sub-buildout value = %q", b)
	}
	if _, err := os.Stat(filepath.Join(s.dir, ".installed-sub.cfg")); err != nil {
		t.Errorf("sub-buildout state: %v", err)
	}
}

func TestInstalledOptions(t *testing.T) {
	s := newSandbox(t)
	s.write("[buildout]\nparts = a\n[a]\nrecipe = webrunner.test:mkdir\nvalue =\n  two\n  lines \n")
	s.mustRun()
	opts, ok, err := InstalledOptions(filepath.Join(s.dir, ".installed.cfg"), "a")
	if err != nil || !ok {
		t.Fatalf("InstalledOptions: %v %v", ok, err)
	}
	if opts["value"] != "two\nlines" || opts["__buildout_installed__"] != filepath.Join(s.dir, "parts", "a") {
		t.Errorf("recorded options %q", opts)
	}
	if _, ok, _ := InstalledOptions(filepath.Join(s.dir, ".installed.cfg"), "nope"); ok {
		t.Error("unknown part reported as installed")
	}
}

func TestInstallPartAccessedDuringInstall(t *testing.T) {
	s := newSandbox(t)
	s.write("[buildout]\nparts = a\n[a]\nrecipe = webrunner.test:mkdir\naccess = late\n[late]\nrecipe = webrunner.test:mkdir\n")
	lines := s.mustRun()
	if strings.Join(lines, "|") != "Creating directory '"+filepath.Join(s.dir, "bin")+"'.|Creating directory '"+filepath.Join(s.dir, "parts")+"'.|Creating directory '"+filepath.Join(s.dir, "develop-eggs")+"'.|Installing a.|Installing late." {
		t.Errorf("logged %q", lines)
	}
	if got := s.installedParts(); got != "a late" {
		t.Errorf("parts = %q", got)
	}
}

func TestInstallRecipePanic(t *testing.T) {
	s := newSandbox(t)
	s.write("[buildout]\nparts = a\n[a]\nrecipe = webrunner.test:mkdir\npanic = yes\n")
	_, err := s.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "While:\n  Installing a.\nError: ") || !strings.Contains(err.Error(), "recipe bug") {
		t.Fatalf("error = %v, want the panic reported as a failed install", err)
	}
}

func TestInstallUnusedOptionWarning(t *testing.T) {
	s := newSandbox(t)
	// "filename" is read through ${:filename}, "computed" is set by the
	// recipe and "other" is read from another section: none is unused.
	s.write(`[buildout]
parts = a b
[a]
recipe = webrunner.test:mkdir
filename = x
value = ${:filename}
typo = 1
[b]
recipe = webrunner.test:mkdir
value = ${a:computed} ${c:other}
[c]
other = 2
`)
	var warnings []string
	err := Run(context.Background(), RunOptions{Directory: s.dir, OnEvent: func(e Event) {
		if e.Level == LevelWarning {
			warnings = append(warnings, e.Text)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(warnings, "\n")
	if !strings.Contains(got, "Section `a` contains unused option(s): 'typo'.") {
		t.Errorf("no warning for the unused option typo:\n%s", got)
	}
	for _, used := range []string{"'filename'", "'computed'", "'other'", "Section `b`"} {
		if strings.Contains(got, used) {
			t.Errorf("warning mentions %s, which is used:\n%s", used, got)
		}
	}
}

// lineError is a recipe error that knows its file and line.
type lineError struct {
	file string
	line int
}

func (e *lineError) Error() string                     { return "UndefinedError: 'x' is undefined" }
func (e *lineError) FileLine() (file string, line int) { return e.file, e.line }

func TestInstallErrorAtRecipePosition(t *testing.T) {
	Register("webrunner.test:lineerror", func(ctx context.Context, h Host, name string, opts *Options) (Recipe, error) {
		file, _ := opts.Get("file")
		return failing{&lineError{file, 7}}, nil
	})
	s := newSandbox(t)
	tmpl := filepath.Join(s.dir, "instance.cfg.in")
	s.write("[buildout]\nparts = t\n[t]\nrecipe = webrunner.test:lineerror\nfile = " + tmpl + "\n")
	_, err := s.run(context.Background())
	if want := tmpl + ":7: [t]: UndefinedError"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want it to contain %q", err, want)
	}
	// A relative file name is not a position: the section's is used.
	s.write("[buildout]\nparts = t\n[t]\nrecipe = webrunner.test:lineerror\nfile = <inline>\n")
	_, err = s.run(context.Background())
	if want := "buildout.cfg:3: [t]: UndefinedError"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want it to contain %q", err, want)
	}
}

// failing is a recipe whose install fails with err.
type failing struct{ err error }

func (f failing) Install(context.Context) ([]string, error) { return nil, f.err }
func (f failing) Update(context.Context) ([]string, error)  { return nil, f.err }

func TestInstallOptionErrorAtOptionLine(t *testing.T) {
	Register("webrunner.test:badsum", func(ctx context.Context, h Host, name string, opts *Options) (Recipe, error) {
		return failing{&OptionError{Option: "md5sum", Err: errors.New("MD5 checksum mismatch")}}, nil
	})
	s := newSandbox(t)
	// md5sum comes from another file, as buildout.hash.cfg gives it.
	if err := os.WriteFile(filepath.Join(s.dir, "hash.cfg"), []byte("[t]\nfilename = x\nmd5sum = 0123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write("[buildout]\nextends = hash.cfg\nparts = t\n[t]\nrecipe = webrunner.test:badsum\n")
	_, err := s.run(context.Background())
	want := filepath.Join(s.dir, "hash.cfg") + ":3: [t] md5sum: MD5 checksum mismatch"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want it to contain %q", err, want)
	}
}

func TestInstallProgress(t *testing.T) {
	s := newSandbox(t)
	s.write("[buildout]\nparts = a b\n[a]\nrecipe = webrunner.test:mkdir\n[b]\nrecipe = webrunner.test:mkdir\n")
	progress := func() string {
		var got []string
		err := Run(context.Background(), RunOptions{Directory: s.dir, OnEvent: func(e Event) {
			if e.Steps > 0 {
				got = append(got, fmt.Sprintf("%s %d/%d", e.Text, e.Step, e.Steps))
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, ", ")
	}
	if got, want := progress(), "Installing a. 1/2, Installing b. 2/2"; got != want {
		t.Errorf("first run: %s, want %s", got, want)
	}
	if got, want := progress(), "Updating a. 1/2, Updating b. 2/2"; got != want {
		t.Errorf("second run: %s, want %s", got, want)
	}
}
