package cookbook

import (
	"context"
	"fmt"

	"webrunner/buildout"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.cookbook:simplelogger", newSimplelogger)
}

// simpleloggerScript appends its standard input to a log file, like
// slapos.recipe.simplelogger.log: every line gets the prefix
// "%Y-%m-%d.%H:%M.%s: " (taken once, at start), and a separator line ends
// the record. As with Python's print(prefix, line, end=' '), every line
// after the first starts with a space.
const simpleloggerScript = `#!/bin/sh
log=%s
prefix=$(date +%%Y-%%m-%%d.%%H:%%M.%%s:)
{
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%%s %%s\n ' "$prefix" "$line"
  done
  printf '%%s %%s\n' "$prefix" ------------------------
} >> "$log"
`

// newSimplelogger makes slapos.cookbook:simplelogger: a script at wrapper
// that appends what it reads to log (dcron's -M catcher).
func newSimplelogger(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	return installer(func(ctx context.Context) ([]string, error) {
		v, err := requiredOptions(opts, "wrapper", "log")
		if err != nil {
			return nil, err
		}
		wrapper := option.Abs(h, v[0])
		text := fmt.Sprintf(simpleloggerScript, shellQuote(option.Abs(h, v[1])))
		if err := files.Create(wrapper, []byte(text), 0o755); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{wrapper}, nil
	}), nil
}
