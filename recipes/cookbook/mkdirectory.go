package cookbook

import (
	"context"
	"os"
	"sort"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.cookbook:mkdirectory", newMkdirectory)
}

// newMkdirectory makes the slapos.cookbook:mkdirectory recipe: every option
// except recipe and mode is a directory to create, in sorted value order,
// with mode (default 0777, less the umask). Directories are never removed.
func newMkdirectory(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	mode, ok, err := option.Mode(opts, "mode")
	if err != nil {
		return nil, err
	}
	if !ok {
		mode = 0o777
	}
	var paths []string
	for _, k := range opts.Keys() {
		if k == "recipe" || k == "mode" || strings.HasPrefix(k, "_") {
			continue
		}
		v, _ := opts.Get(k)
		if v = strings.TrimSpace(v); v != "" {
			paths = append(paths, option.Abs(h, v))
		}
	}
	sort.Strings(paths)
	return installer(func(ctx context.Context) ([]string, error) {
		for _, p := range paths {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				continue
			}
			if err := os.MkdirAll(p, mode); err != nil {
				return nil, err
			}
		}
		return []string{}, nil
	}), nil
}
