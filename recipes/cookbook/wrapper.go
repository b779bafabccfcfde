package cookbook

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/jinja2/pyval"
)

func init() {
	buildout.Register("slapos.cookbook:wrapper", newWrapper)
}

// wrapperScript describes a generated process-replacement script.
type wrapperScript struct {
	args    []string
	env     map[string]string
	sigIgn  []string // signals to ignore (trap '' SIG)
	wait    []string // files to wait for
	pidfile string
}

// shellSafe reports whether s needs no quoting (Python's shlex.quote rule).
func shellSafe(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			return false
		}
	}
	return true
}

// shellQuote quotes s for a POSIX shell like Python's shlex.quote.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if shellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// script returns the shell script of w, laid out like GenericBaseRecipe.createWrapper.
func (w *wrapperScript) script() string {
	lines := []string{"#!/bin/sh -e"}
	if len(w.sigIgn) > 0 {
		lines = append(lines, "trap '' "+strings.Join(w.sigIgn, " "))
	}
	keys := make([]string, 0, len(w.env))
	for k := range w.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lines = append(lines, "export "+k+"="+shellQuote(w.env[k]))
	}
	if len(w.wait) > 0 {
		q := make([]string, len(w.wait))
		for i, f := range w.wait {
			q[i] = shellQuote(f)
		}
		lines = append(lines,
			"for f in "+strings.Join(q, " ")+"; do",
			`  while [ ! -e "$f" ]; do sleep 0.1; done`,
			"done")
	}
	if w.pidfile != "" {
		lines = append(lines,
			"pidfile="+shellQuote(w.pidfile),
			`if [ -s "$pidfile" ] && pid=$(cat "$pidfile") && [ -n "$pid" ] && [ "$pid" != $$ ] &&`,
			`   [ "$(tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | head -n 1)" = `+shellQuote(w.args[0])+` ]; then`,
			`  echo "Already running with pid $pid." >&2`,
			"  exit 1",
			"fi",
			`echo $$ > "$pidfile"`)
	}
	lines = append(lines, "exec")
	args := make([]string, 0, len(w.args)+1)
	for _, a := range w.args {
		args = append(args, shellQuote(a))
	}
	args = append(args, `"$@"`)
	for _, a := range args {
		last := &lines[len(lines)-1]
		if len(*last) < 40 {
			*last += " " + a
		} else {
			*last += ` \`
			lines = append(lines, "\t"+a)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// write creates the script at path with mode 0700.
func (w *wrapperScript) write(path string) error {
	if len(w.args) == 0 {
		return errors.New("empty command line")
	}
	return files.Create(path, []byte(w.script()), 0o700)
}

// hashFiles returns the md5 of files the way slapos.recipe.librecipe's
// generateHashFromFiles does: for each file, its length, a newline and its bytes.
func hashFiles(paths []string) (string, error) {
	h := md5.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%d\n", len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// parseEnvironment parses "KEY=value" lines (key right-stripped, value left-stripped).
func parseEnvironment(section, s string) (map[string]string, error) {
	env := map[string]string{}
	for _, l := range option.Lines(s) {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return nil, fmt.Errorf("section %s: option environment: line %q is not KEY=value", section, l)
		}
		env[strings.TrimRight(k, " \t")] = strings.TrimLeft(v, " \t")
	}
	return env, nil
}

// newWrapper makes slapos.cookbook:wrapper (spec §4.6).
func newWrapper(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	var hashed, foreign []string
	if v, _ := opts.Get("hash-files"); strings.TrimSpace(v) != "" {
		hashed = strings.Fields(v)
		b, err := h.Section("buildout")
		if err != nil {
			return nil, err
		}
		dir, _ := b.Get("directory")
		prefix := realpath(dir) + string(filepath.Separator)
		for _, f := range hashed {
			if _, err := os.Stat(f); err == nil && !strings.HasPrefix(realpath(f), prefix) {
				foreign = append(foreign, f)
			}
		}
	}
	if v, _ := opts.Get("hash-existing-files"); strings.TrimSpace(v) != "" {
		existing := strings.Fields(v)
		sum, err := hashFiles(existing)
		if err != nil {
			return nil, fmt.Errorf("section %s: hash-existing-files: %w", name, err)
		}
		opts.Set("__hash_files__", sum)
		hashed = append(hashed, existing...)
	}
	wrapperPath := func() (string, error) {
		p, err := option.Required(opts, "wrapper-path")
		if err != nil {
			return "", err
		}
		p = option.Abs(h, p)
		if len(hashed) > 0 {
			sum, err := hashFiles(hashed)
			if err != nil {
				return "", fmt.Errorf("section %s: hash-files: %w", name, err)
			}
			p += "-" + sum
		}
		return p, nil
	}
	// Options are read when the part is constructed, errors are reported
	// by Install, as the Python recipe reads them in install().
	w, werr := wrapperOptions(h, name, opts)
	install := func(ctx context.Context) ([]string, error) {
		if len(foreign) > 0 {
			return nil, errors.New("hash-files must only list files that are generated by buildout:\n  " + strings.Join(foreign, "\n  "))
		}
		if werr != nil {
			return nil, werr
		}
		p, err := wrapperPath()
		if err != nil {
			return nil, err
		}
		if err := w.write(p); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{p}, nil
	}
	update := func(ctx context.Context) ([]string, error) {
		p, err := wrapperPath()
		if err != nil {
			return nil, err
		}
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("unstable wrapper path (%s)", pyval.QuoteString(p))
		}
		return nil, nil
	}
	return recipe{install, update}, nil
}

// wrapperOptions reads the options of a wrapper part.
func wrapperOptions(h buildout.Host, name string, opts *buildout.Options) (*wrapperScript, error) {
	w := &wrapperScript{}
	env, _ := opts.Get("environment")
	var err error
	if w.env, err = parseEnvironment(name, env); err != nil {
		return nil, err
	}
	if v, _ := opts.Get("wait-for-files"); v != "" {
		w.wait = strings.Fields(v)
	}
	if v, _ := opts.Get("pidfile"); v != "" {
		w.pidfile = v
	}
	if v, _ := opts.Get("sig-ign"); v != "" {
		w.sigIgn = strings.Fields(v)
	}
	for _, k := range []string{"private-tmpfs", "reserve-cpu", "redirect-signal", "redirect-stdout", "redirect-stderr"} {
		if v, ok := opts.Get(k); ok && strings.TrimSpace(v) != "" && !(k == "reserve-cpu" && !option.IsTrue(opts, k)) {
			h.Logf("%s: option %s is not supported by Webrunner and is ignored", name, k)
		}
	}
	cl, err := option.Required(opts, "command-line")
	if err != nil {
		return nil, err
	}
	if w.args, err = shlexSplit(cl); err != nil {
		return nil, fmt.Errorf("section %s: option command-line: %w", name, err)
	}
	if len(w.args) == 0 {
		return nil, fmt.Errorf("section %s: option command-line is empty", name)
	}
	return w, nil
}

// realpath returns p with symlinks resolved, or p when that fails.
func realpath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}
