// Package cmmi implements slapos.recipe.cmmi (spec slapos.md §4.16):
// configure, make and make install of a source archive or directory into
// ${buildout:parts-directory}/<part>. The shared option is accepted, but
// parts are always built in the parts directory (never shared).
package cmmi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/archive"
	"webrunner/recipes/internal/fetch"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/internal/run"
	"webrunner/recipes/jinja2/pyval"
)

func init() {
	buildout.Register("slapos.recipe.cmmi", newCMMI)
}

type cmmi struct {
	host     buildout.Host
	name     string
	opts     *buildout.Options
	location string
	compile  string // compile directory
	url      string
	env      []string
}

const locationMarker = "@@LOCATION@@"

func newCMMI(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	b, err := h.Section("buildout")
	if err != nil {
		return nil, err
	}
	parts, _ := b.Get("parts-directory")
	r := &cmmi{host: h, name: name, opts: opts, location: filepath.Join(parts, name)}
	opts.Get("shared")
	if loc, ok := opts.Get("location"); ok && strings.ReplaceAll(loc, locationMarker, r.location) != r.location {
		return nil, errors.New("invalid 'location' value")
	}
	opts.Set("location", r.location)
	if p, _ := opts.Get("prefix"); p != "" {
		opts.Set("prefix", strings.ReplaceAll(p, locationMarker, r.location))
	} else if bp, _ := b.Get("prefix"); bp != "" {
		opts.Set("prefix", bp)
	} else {
		opts.Set("prefix", r.location)
	}
	r.url, _ = opts.Get("url")
	path, _ := opts.Get("path")
	switch {
	case r.url != "" && path != "":
		return nil, errors.New(`You must use either "url" or "path", not both!`)
	case r.url != "":
		r.compile = filepath.Join(r.location, ".build")
	case path != "":
		r.compile = option.Abs(h, path)
	default:
		return nil, errors.New(`You must provide either "url" or "path".`)
	}
	opts.Set("compile-directory", r.compile)
	for _, k := range opts.Keys() {
		if v, ok := opts.Value(k); ok {
			if s, isString := v.(string); isString && strings.Contains(s, locationMarker) {
				opts.Set(k, strings.ReplaceAll(s, locationMarker, r.location))
			}
		}
	}
	if r.env, err = environment(opts); err != nil {
		return nil, err
	}
	for _, k := range []string{"pre-configure-hook", "pre-make-hook", "post-make-hook"} {
		if v, _ := opts.Get(k); strings.TrimSpace(v) != "" {
			return nil, fmt.Errorf("section %s: option %s (a Python hook) is not supported by Webrunner; use pre-configure, pre-build, pre-install or post-install", name, k)
		}
	}
	return r, nil
}

// environment returns the process environment with the KEY=value lines
// of the environment option, whose %(NAME)s references are expanded from
// the process environment.
func environment(opts *buildout.Options) ([]string, error) {
	env := os.Environ()
	v, _ := opts.Get("environment")
	for _, l := range option.Lines(v) {
		k, val, ok := strings.Cut(l, "=")
		if !ok {
			return nil, fmt.Errorf("Invalid environment variable definition: %s", l)
		}
		expanded, err := percent(val, func(n string) (string, bool) { return os.LookupEnv(n) })
		if err != nil {
			return nil, fmt.Errorf("section %s: environment %s: %w", opts.Section(), strings.TrimSpace(k), err)
		}
		env = append(env, strings.TrimSpace(k)+"="+expanded)
	}
	return env, nil
}

// percent expands Python %-formatting with a mapping: %(name)s and %%.
func percent(s string, lookup func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '%':
			b.WriteByte('%')
			i++
		case '(':
			end := strings.Index(s[i:], ")s")
			if end < 0 {
				b.WriteByte('%')
				continue
			}
			key := s[i+2 : i+end]
			v, ok := lookup(key)
			if !ok {
				return "", fmt.Errorf("KeyError: %s", key)
			}
			b.WriteString(v)
			i += end + 1
		default:
			b.WriteByte('%')
		}
	}
	return b.String(), nil
}

// format expands %(option)s references to the part's options.
func (r *cmmi) format(s string) (string, error) {
	out, err := percent(s, func(k string) (string, bool) { return r.opts.Get(k) })
	if err != nil {
		return "", fmt.Errorf("section %s: %w", r.name, err)
	}
	return out, nil
}

// shell runs cmd with "set -e;" in dir; a failure is buildout's "System error".
func (r *cmmi) shell(ctx context.Context, dir, cmd string) error {
	r.host.Logf("%s: %s", r.name, cmd)
	c := run.Shell("set -e;"+cmd, dir, r.host.Output())
	c.Env = r.env
	code, err := c.Run(ctx)
	if err != nil {
		return err
	}
	if code != 0 {
		if code < 0 {
			r.host.Logf("%s: Command received signal %d: %s", r.name, -code, cmd)
		} else {
			r.host.Logf("%s: Command failed with exit code %d: %s", r.name, code, cmd)
		}
		return errors.New("System error")
	}
	return nil
}

func (r *cmmi) Update(ctx context.Context) ([]string, error) { return nil, nil }

func (r *cmmi) Install(ctx context.Context) ([]string, error) {
	o := r.opts
	get := func(k, def string) string { return option.Get(o, k, def) }
	makeCmd := strings.TrimSpace(get("make-binary", "make"))
	makeOptions := strings.Join(strings.Fields(get("make-options", "")), " ")
	makeTargets := strings.Join(strings.Fields(get("make-targets", "install")), " ")
	configureOptions := strings.Fields(get("configure-options", ""))
	configureCmd := strings.TrimSpace(get("configure-command", ""))
	prefix, _ := o.Get("prefix")
	if configureCmd == "" {
		configureCmd = "./configure"
		if !strings.Contains(strings.Join(configureOptions, " "), "--prefix") {
			configureOptions = append([]string{`--prefix="` + prefix + `"`}, configureOptions...)
		}
	} else if makeCmd == "make" && makeTargets == "install" {
		makeTargets += ` prefix="` + prefix + `"`
	}
	configure, err := r.format(configureCmd + " " + strings.Join(configureOptions, " "))
	if err != nil {
		return nil, err
	}
	install, err := r.format(makeCmd + " " + makeOptions + " " + makeTargets)
	if err != nil {
		return nil, err
	}
	build, err := r.format(makeCmd + " " + makeOptions)
	if err != nil {
		return nil, err
	}
	patchCmd := strings.TrimSpace(get("patch-binary", "patch"))
	patchOptions := strings.Join(strings.Fields(get("patch-options", "-p0")), " ")
	patches := strings.Fields(get("patches", ""))

	if err := os.RemoveAll(r.location); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.location, 0o777); err != nil {
		return nil, err
	}
	cfg, err := fetch.ConfigOf(r.host)
	if err != nil {
		return nil, err
	}
	if r.url != "" {
		if err := r.extract(ctx, cfg); err != nil {
			return nil, err
		}
	} else {
		r.host.Logf("%s: Using local source directory: %s", r.name, r.compile)
	}
	dir := r.compile
	if entries, err := os.ReadDir(dir); err == nil && len(entries) == 1 && entries[0].IsDir() {
		dir = filepath.Join(dir, entries[0].Name())
	}
	steps := []struct{ label, opt, cmd string }{
		{label: "pre-configure", opt: "pre-configure"},
		{cmd: configure},
		{label: "pre-build", opt: "pre-build"},
		{cmd: build},
		{label: "pre-install", opt: "pre-install"},
		{cmd: install},
		{label: "post-install", opt: "post-install"},
	}
	if len(patches) > 0 {
		r.host.Logf("%s: Applying patches", r.name)
		for _, p := range patches {
			u, sum, _ := strings.Cut(p, "#")
			path, cleanup, err := fetch.Fetch(ctx, cfg, u, sum)
			if err != nil {
				return nil, err
			}
			err = r.shell(ctx, dir, patchCmd+" "+patchOptions+" < "+path)
			cleanup()
			if err != nil {
				return nil, r.failed(dir, err)
			}
		}
	}
	for _, s := range steps {
		cmd := s.cmd
		if s.opt != "" {
			if cmd, err = r.format(strings.TrimSpace(get(s.opt, ""))); err != nil {
				return nil, err
			}
			if cmd == "" {
				continue
			}
			r.host.Logf("%s: Executing %s", r.name, s.label)
		}
		if err := r.shell(ctx, dir, cmd); err != nil {
			return nil, r.failed(dir, err)
		}
	}
	keep := option.IsTrue(o, "keep-compile-dir")
	if !keep {
		if b, err := r.host.Section("buildout"); err == nil {
			keep = option.IsTrue(b, "keep-compile-dir")
		}
	}
	if r.url != "" && !keep {
		if err := os.RemoveAll(r.compile); err != nil {
			return nil, err
		}
	}
	for _, p := range option.Lines(get("promises", "")) {
		if _, err := os.Stat(p); err != nil {
			r.host.Logf("%s: could not find promise %s", r.name, pyval.QuoteString(p))
		}
	}
	return []string{r.location}, nil
}

// failed logs where the failed build was left and returns err.
func (r *cmmi) failed(dir string, err error) error {
	if ctx := err; errors.Is(ctx, context.Canceled) || errors.Is(ctx, context.DeadlineExceeded) {
		return err
	}
	r.host.Logf("%s: Compilation error. The package is left as is at %s where you can inspect what went wrong.", r.name, dir)
	return err
}

// extract fetches url (checked against md5sum) and unpacks it into the compile directory.
func (r *cmmi) extract(ctx context.Context, cfg fetch.Config) error {
	md5sum, _ := r.opts.Get("md5sum")
	path, cleanup, err := fetch.Fetch(ctx, cfg, r.url, md5sum)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := os.MkdirAll(r.compile, 0o777); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		// A local source directory given as url: build a copy of it.
		return copyTree(ctx, path, r.compile)
	}
	if err := archive.Unpack(ctx, path, r.compile, nil); err != nil {
		return fmt.Errorf("section %s: extracting %s: %w", r.name, r.url, err)
	}
	return nil
}

// copyTree copies the directory src into dst with cp -a.
func copyTree(ctx context.Context, src, dst string) error {
	code, err := (&run.Cmd{Args: []string{"cp", "-a", src + "/.", dst}}).Run(ctx)
	if err == nil && code != 0 {
		err = fmt.Errorf("cannot copy %s (cp exited with %d)", src, code)
	}
	return err
}
