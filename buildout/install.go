package buildout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"webrunner/buildout/proc"
)

// A Level is the kind of an Event.
type Level int8

// Event levels.
const (
	LevelDebug   Level = -1 // shown with -v only
	LevelInfo    Level = 0  // buildout's own lines: "Installing x."
	LevelWarning Level = 1
	LevelError   Level = 2
	LevelOutput  Level = 3 // a line written by a recipe or a process it runs
)

// String returns the level name.
func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "debug"
	case LevelInfo:
		return "info"
	case LevelWarning:
		return "warning"
	case LevelError:
		return "error"
	}
	return "output"
}

// An Event is one line of a buildout run, delivered the moment it is
// produced.
type Event struct {
	Time  time.Time
	Part  string // the part being processed, "" for the run itself
	Level Level
	Text  string // one line, without a trailing newline
	// Step and Steps give the progress on the "Installing x." and
	// "Updating x." lines: x is part Step of Steps (from 1); 0 elsewhere.
	Step, Steps int
}

// RunOptions configure Run, the equivalent of a bin/buildout command line.
type RunOptions struct {
	// Config is the profile (-c); relative to Directory. Default buildout.cfg.
	Config string
	// Directory is the working directory the profile path is relative to;
	// default the current directory. buildout:directory is the profile's
	// directory, as in zc.buildout.
	Directory string
	// Overrides are section:option=value assignments.
	Overrides []Override
	// Sections are options set over the configuration, as
	// LoadOptions.Sections (structured values allowed).
	Sections map[string]*Options
	// Offline is -o (buildout:offline=true); Newest false is -N
	// (buildout:newest=false).
	Offline bool
	Newest  bool
	// Parts, when not empty, installs only these parts ("buildout install
	// a b") and uninstalls nothing else.
	Parts []string
	// Verbose emits LevelDebug events.
	Verbose bool
	// OnEvent receives every event, in order, from one goroutine at a time.
	OnEvent func(Event)
	// Log, if not nil, receives every event's text as a line.
	Log io.Writer
	// Cache and Env are passed to Load.
	Cache *FileCache
	Env   *Environment
}

// A RunError is a failed buildout run, reported like zc.buildout:
// "While:\n  Installing x.\nError: message".
type RunError struct {
	Doing []string // what was being done, outermost first
	Err   error
}

// Error formats e as zc.buildout prints a failed run.
func (e *RunError) Error() string {
	var b strings.Builder
	if len(e.Doing) > 0 {
		b.WriteString("While:\n")
		for _, d := range e.Doing {
			b.WriteString("  " + d + "\n")
		}
	}
	b.WriteString("Error: " + e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *RunError) Unwrap() error { return e.Err }

// signatureVersion identifies the engine in __buildout_signature__, so
// that parts are reinstalled when the recipes' implementation changes.
const signatureVersion = "webrunner1"

// runner is one buildout run; it is the Host recipes see.
type runner struct {
	ctx     context.Context
	opts    RunOptions
	cfg     *Config
	mu      sync.Mutex
	recipes map[string]Recipe
	hosts   map[string]*partHost
	dir     string
}

// partHost is the Host given to the recipe of one part: its log lines and
// output are attributed to the part.
type partHost struct {
	r    *runner
	part string
	out  *proc.LineWriter
}

// Section returns the substituted options of a section.
func (h *partHost) Section(name string) (*Options, error) { return h.r.cfg.Get(name) }

// Logf emits a log line of the part.
func (h *partHost) Logf(format string, args ...any) {
	h.r.emit(h.part, LevelInfo, fmt.Sprintf(format, args...))
}

// Output returns the writer whose lines become output events of the part.
func (h *partHost) Output() io.Writer { return h.out }

// RunSubBuildout runs, in this buildout's directory, the buildout of
// profile config with override's options set over its sections (as
// slapos.cookbook:switch-softwaretype does). Its events join this run's
// stream, attributed to the calling part.
func (h *partHost) RunSubBuildout(ctx context.Context, config string, override map[string]*Options) error {
	r := h.r
	sub := RunOptions{
		Config:    config,
		Directory: r.dir,
		Sections:  override,
		Offline:   r.opts.Offline,
		Newest:    true, // newest comes from the parent's overrides and options
		Verbose:   r.opts.Verbose,
		Cache:     r.opts.Cache,
		Env:       r.opts.Env,
		OnEvent: func(e Event) {
			h.out.Flush()
			r.emit(h.part, e.Level, e.Text)
		},
	}
	if !r.opts.Newest {
		sub.Newest = false
	}
	return Run(ctx, sub)
}

func (r *runner) host(part string) *partHost {
	if h, ok := r.hosts[part]; ok {
		return h
	}
	h := &partHost{r: r, part: part}
	h.out = &proc.LineWriter{Line: func(s string) { r.emit(part, LevelOutput, s) }}
	r.hosts[part] = h
	return h
}

func (r *runner) emit(part string, level Level, text string) {
	r.emitStep(part, level, text, 0, 0)
}

// emitStep emits the line that starts part step of steps.
func (r *runner) emitStep(part string, level Level, text string, step, steps int) {
	if level == LevelDebug && !r.opts.Verbose {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, line := range strings.Split(text, "\n") {
		ev := Event{Time: time.Now(), Part: part, Level: level, Text: line, Step: step, Steps: steps}
		if r.opts.OnEvent != nil {
			r.opts.OnEvent(ev)
		}
		if r.opts.Log != nil {
			io.WriteString(r.opts.Log, line+"\n")
		}
	}
}

// construct is called when a section with a recipe is initialized: it
// builds the recipe, which may read and set options.
func (r *runner) construct(name string, opts *Options) error {
	opts.used["recipe"] = true
	recipe, _ := opts.lookup("recipe")
	f, ok := LookupRecipe(recipe)
	if !ok {
		return &UnsupportedRecipeError{Section: name, Recipe: recipe, Supported: Recipes()}
	}
	var rec Recipe
	_, err := guard(func() ([]string, error) {
		var err error
		rec, err = f(r.ctx, r.host(name), name, opts)
		return nil, err
	})
	if err != nil {
		return err
	}
	r.recipes[name] = rec
	return nil
}

// Run runs buildout (the install command): it loads the profile,
// initializes the parts (constructing their recipes), uninstalls the
// parts that were removed or whose options changed, then installs new
// and changed parts and updates unchanged ones, recording each step in
// .installed.cfg so that a failed or cancelled run leaves it consistent
// and the next run resumes. Every log line and every line of output of
// the recipes goes to opts.OnEvent and opts.Log as it is produced.
func Run(ctx context.Context, opts RunOptions) error {
	r := &runner{ctx: ctx, opts: opts, recipes: map[string]Recipe{}, hosts: map[string]*partHost{}}
	config := opts.Config
	if config == "" {
		config = "buildout.cfg"
	}
	if !filepath.IsAbs(config) && opts.Directory != "" {
		config = filepath.Join(opts.Directory, config)
	}
	ovs := append([]Override(nil), opts.Overrides...)
	if opts.Offline {
		ovs = append(ovs, Override{"buildout", "offline", "true"})
	}
	if !opts.Newest {
		ovs = append(ovs, Override{"buildout", "newest", "false"})
	}
	cfg, err := Load(ctx, config, LoadOptions{Overrides: ovs, Sections: opts.Sections, Cache: opts.Cache, Env: opts.Env, Offline: opts.Offline})
	if err != nil {
		if cfg != nil && len(cfg.Errors) > 1 {
			err = cfg.Errors
		}
		return &RunError{Err: err}
	}
	r.cfg = cfg
	cfg.markUsed = true
	cfg.initHook = r.construct
	bo, err := cfg.Get("buildout")
	if err != nil {
		return &RunError{Doing: []string{"Initializing section buildout."}, Err: err}
	}
	r.dir, _ = bo.lookup("directory")
	if err := r.setupDirectories(bo); err != nil {
		return &RunError{Doing: []string{"Setting up buildout directories"}, Err: err}
	}
	installedPath, _ := bo.lookup("installed")
	inst, err := readInstalled(installedPath)
	if err != nil {
		return &RunError{Doing: []string{"Reading " + installedPath}, Err: err}
	}
	inst.sections["buildout"]["installed_develop_eggs"] = ""
	if inst.exists {
		if err := inst.appendBuildout(map[string]string{"installed_develop_eggs": ""}); err != nil {
			return &RunError{Err: err}
		}
	}

	// Initialize the parts, constructing their recipes.
	var installParts []string
	uninstallMissing := len(opts.Parts) == 0
	if uninstallMissing {
		installParts, err = cfg.Parts()
	} else {
		installParts = opts.Parts
		for _, p := range installParts {
			if _, err = cfg.Get(p); err != nil {
				break
			}
		}
	}
	if err != nil {
		return &RunError{Doing: doingFor(err), Err: err}
	}
	for _, p := range installParts {
		if err := r.sign(p); err != nil {
			return err
		}
	}
	r.emit("", LevelDebug, "Installing parts: "+strings.Join(installParts, " "))

	// Uninstall removed and changed parts, newest first.
	installed := inst.parts()
	want := map[string]bool{}
	for _, p := range installParts {
		want[p] = true
	}
	for i := len(installed) - 1; i >= 0; i-- {
		p := installed[i]
		if want[p] {
			if r.unchanged(p, inst.sections[p]) {
				continue
			}
		} else if !uninstallMissing {
			continue
		}
		if err := r.uninstall(p, inst.sections[p]); err != nil {
			return &RunError{Doing: []string{"Uninstalling " + p + "."}, Err: err}
		}
		installed = without(installed, p)
		if inst.exists {
			if err := inst.appendBuildout(map[string]string{"parts": strings.Join(installed, " ")}); err != nil {
				return &RunError{Err: err}
			}
		} else {
			inst.setParts(installed)
		}
	}
	isInstalled := map[string]bool{}
	for _, p := range installed {
		isInstalled[p] = true
	}

	// Install or update each part, saving after each one. As in
	// zc.buildout, a section with a recipe that a recipe accesses for the
	// first time meanwhile becomes a part too, installed at the end.
	appended := false
	for i := 0; i < len(installParts); i++ {
		p := installParts[i]
		if err := ctx.Err(); err != nil {
			return &RunError{Doing: []string{"Installing " + p + "."}, Err: err}
		}
		o, _ := cfg.Get(p)
		if _, ok := o.lookup("__buildout_signature__"); !ok {
			if err := r.sign(p); err != nil {
				return err
			}
		}
		sig, _ := o.lookup("__buildout_signature__")
		o.Delete("__buildout_signature__")
		saved := map[string]string{}
		for _, k := range o.keys {
			saved[k], _ = o.lookup(k)
		}
		rec := r.recipes[p]
		h := r.host(p)
		var files []string
		save := true
		if isInstalled[p] {
			r.emitStep(p, LevelInfo, "Updating "+p+".", i+1, len(installParts))
			old := strings.Split(inst.sections[p]["__buildout_installed__"], "\n")
			paths, err := guard(func() ([]string, error) { return rec.Update(ctx) })
			h.out.Flush()
			if err != nil {
				installed = without(installed, p)
				r.removeFiles(old)
				inst.setParts(installed)
				if inst.exists {
					_ = inst.appendBuildout(map[string]string{"parts": strings.Join(installed, " ")})
				}
				return r.partError("Updating "+p+".", p, err)
			}
			files = old
			save = false
			for _, f := range paths {
				if !contains(old, f) {
					files = append(files, f)
					save = true
				}
			}
			if len(files) > 0 && files[0] == "" {
				files = files[1:]
			}
		} else {
			r.emitStep(p, LevelInfo, "Installing "+p+".", i+1, len(installParts))
			paths, err := guard(func() ([]string, error) { return rec.Install(ctx) })
			h.out.Flush()
			if err != nil {
				r.removeFiles(paths)
				return r.partError("Installing "+p+".", p, err)
			}
			if paths == nil {
				r.emit(p, LevelWarning, fmt.Sprintf("The %s install returned None.  A path or iterable os paths should be returned.", p))
			}
			files = paths
		}
		saved["__buildout_installed__"] = strings.Join(files, "\n")
		saved["__buildout_signature__"] = sig
		inst.sections[p] = saved
		installed = append(without(installed, p), p)
		isInstalled[p] = true
		if unused := o.Unused(); len(unused) > 0 {
			r.warnUnused(p, unused)
		}
		inst.setParts(installed)
		if uninstallMissing && len(cfg.parts) > len(installParts) {
			for _, q := range cfg.parts[len(installParts):] {
				if !contains(installParts, q) {
					installParts = append(installParts, q)
				}
			}
		}
		if save || !inst.exists {
			if err := inst.save(); err != nil {
				return &RunError{Doing: []string{"Installing " + p + "."}, Err: err}
			}
		} else {
			if err := inst.appendBuildout(map[string]string{"parts": strings.Join(installed, " ")}); err != nil {
				return &RunError{Err: err}
			}
			appended = true
		}
	}
	if len(installed) == 0 && inst.exists {
		if err := os.Remove(inst.path); err != nil && !os.IsNotExist(err) {
			return &RunError{Err: err}
		}
		return nil
	}
	if appended {
		// Fold the appended [buildout] sections into one file, so that a
		// buildout run many times does not grow .installed.cfg.
		if err := inst.save(); err != nil {
			return &RunError{Err: err}
		}
	}
	return nil
}

// guard calls a recipe, turning a panic into an error, so that a bug in
// a recipe fails the run instead of the process running it.
func guard(call func() ([]string, error)) (paths []string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("An internal error occurred due to a bug in either zc.buildout or in a recipe being used:\n%v\n%s", v, debug.Stack())
		}
	}()
	return call()
}

// sign records the part's __buildout_signature__ in its options.
func (r *runner) sign(p string) error {
	o, err := r.cfg.Get(p)
	if err != nil {
		return &RunError{Doing: doingFor(err), Err: err}
	}
	recipe, ok := o.lookup("recipe")
	if !ok || r.recipes[p] == nil {
		return &RunError{Doing: []string{"Installing " + p + "."}, Err: &Error{Pos: r.cfg.sections[p].Pos, Section: p, Option: "recipe", Msg: "Missing option: " + p + ":recipe"}}
	}
	o.set("__buildout_signature__", recipeEgg(recipe)+"-"+signatureVersion)
	return nil
}

// partError reports a part's error at the best position known: the
// error's own (a *Error, or a recipe error with a FileLine method, such as a
// template error), the line defining the option an *OptionError names, else
// the section's.
func (r *runner) partError(doing, part string, err error) error {
	var ce *Error
	var fl FileLiner
	var oe *OptionError
	switch {
	case errors.As(err, &ce):
	case errors.As(err, &oe):
		if pos, ok := r.cfg.Definition(part, oe.Option); ok {
			err = fmt.Errorf("%s: [%s] %s: %w", pos, part, oe.Option, err)
		} else if s, ok := r.cfg.sections[part]; ok && s.Pos.IsValid() {
			err = fmt.Errorf("%s: [%s]: %w", s.Pos, part, err)
		}
	case errors.As(err, &fl) && filepath.IsAbs(firstOf(fl.FileLine())):
		file, line := fl.FileLine()
		if line > 0 {
			err = fmt.Errorf("%s:%d: [%s]: %w", file, line, part, err)
		} else {
			err = fmt.Errorf("%s: [%s]: %w", file, part, err)
		}
	default:
		if s, ok := r.cfg.sections[part]; ok && s.Pos.IsValid() {
			err = fmt.Errorf("%s: [%s]: %w", s.Pos, part, err)
		}
	}
	return &RunError{Doing: []string{doing}, Err: err}
}

func firstOf(file string, _ int) string { return file }

// doingFor describes, for an initialization error, the section that failed.
func doingFor(err error) []string {
	var ce *Error
	if errors.As(err, &ce) && ce.Section != "" {
		d := []string{"Initializing section " + ce.Section + "."}
		if ce.Option != "" {
			d = append(d, "Getting option "+ce.Section+":"+ce.Option+".")
		}
		return d
	}
	return []string{"Installing."}
}

func (r *runner) setupDirectories(bo *Options) error {
	for _, name := range []string{"bin", "parts", "develop-eggs"} {
		d, _ := bo.lookup(name + "-directory")
		if d == "" {
			continue
		}
		if _, err := os.Stat(d); os.IsNotExist(err) {
			r.emit("", LevelInfo, fmt.Sprintf("Creating directory %s.", pyRepr(d)))
			if err := os.Mkdir(d, 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

// unchanged reports whether part p can be updated rather than
// reinstalled: same options (signature included) and every recorded
// file still there.
func (r *runner) unchanged(p string, old map[string]string) bool {
	o, err := r.cfg.Get(p)
	if err != nil || old == nil {
		return false
	}
	n := 0
	for k, v := range old {
		if k == "__buildout_installed__" {
			continue
		}
		n++
		nv, ok := o.lookup(k)
		if !ok || nv != v {
			return false
		}
	}
	if n != len(o.keys) {
		return false
	}
	files := old["__buildout_installed__"]
	if files == "" {
		return true
	}
	for _, f := range strings.Split(files, "\n") {
		if _, err := os.Lstat(r.path(f)); err != nil {
			return false
		}
	}
	return true
}

func (r *runner) path(f string) string {
	if filepath.IsAbs(f) {
		return f
	}
	return filepath.Join(r.dir, f)
}

// uninstall runs the part's uninstall recipe, if any, then removes the
// files it recorded.
func (r *runner) uninstall(p string, old map[string]string) error {
	r.emit(p, LevelInfo, "Uninstalling "+p+".")
	if u, ok := LookupUninstaller(old["recipe"]); ok {
		r.emit(p, LevelInfo, "Running uninstall recipe.")
		opts := NewOptions(p)
		keys := make([]string, 0, len(old))
		for k := range old {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			opts.Set(k, old[k])
		}
		if _, err := guard(func() ([]string, error) { return nil, u(r.ctx, r.host(p), p, opts) }); err != nil {
			return err
		}
	}
	r.removeFiles(strings.Split(old["__buildout_installed__"], "\n"))
	return nil
}

func (r *runner) removeFiles(files []string) {
	for _, f := range files {
		if f == "" {
			continue
		}
		if err := os.RemoveAll(r.path(f)); err != nil {
			r.emit("", LevelWarning, fmt.Sprintf("Could not remove %s: %v", f, err))
		}
	}
}

func (r *runner) warnUnused(p string, unused []string) {
	quoted := make([]string, len(unused))
	for i, u := range unused {
		quoted[i] = pyRepr(u)
	}
	r.emit(p, LevelWarning, fmt.Sprintf("Section `%s` contains unused option(s): %s.\nThis may be an indication for either a typo in the option's name or a bug in the used recipe.", p, strings.Join(quoted, " ")))
}

// recipeEgg is the distribution part of a recipe name.
func recipeEgg(recipe string) string {
	egg, _, _ := strings.Cut(strings.TrimSpace(recipe), ":")
	return egg
}

func without(list []string, x string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func contains(list []string, x string) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}
