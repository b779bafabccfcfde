// Package command implements plone.recipe.command (spec slapos.md §4.15):
// a shell command run when the part is installed, and update-command when
// it is updated.
package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/run"
)

func init() {
	buildout.Register("plone.recipe.command", newCommand)
}

type commandRecipe struct {
	host        buildout.Host
	opts        *buildout.Options
	dir         string
	stopOnError bool
}

func newCommand(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	r := &commandRecipe{host: h, opts: opts}
	if v, ok := opts.Get("stop-on-error"); ok {
		switch strings.ToLower(v) {
		case "no", "off", "false":
		case "yes", "on", "true":
			r.stopOnError = true
		default:
			return nil, fmt.Errorf("Invalid value '%s' for 'stop_on_error', use 'yes', 'on', 'true', 'no', 'off' or false.", v)
		}
	}
	b, err := h.Section("buildout")
	if err != nil {
		return nil, err
	}
	r.dir, _ = b.Get("directory")
	// Both commands belong to the part whichever runs: neither is an
	// unused option when the other one runs.
	opts.Get("command")
	opts.Get("update-command")
	return r, nil
}

func (r *commandRecipe) execute(ctx context.Context, command string) error {
	code, err := run.Shell(command, r.dir, r.host.Output()).Run(ctx)
	if err != nil {
		return err
	}
	if r.stopOnError && code != 0 {
		return fmt.Errorf("Non zero exit code (%d) while running command.", code)
	}
	return nil
}

func (r *commandRecipe) Install(ctx context.Context) ([]string, error) {
	command, _ := r.opts.Get("command")
	if command == "" {
		return nil, errors.New("No command specified")
	}
	r.host.Logf("Running '%s'", command)
	if err := r.execute(ctx, command); err != nil {
		return nil, err
	}
	paths := []string{}
	if loc, ok := r.opts.Get("location"); ok {
		paths = append(paths, strings.Fields(loc)...)
	}
	return paths, nil
}

func (r *commandRecipe) Update(ctx context.Context) ([]string, error) {
	if command, ok := r.opts.Get("update-command"); ok {
		r.host.Logf("Running %s", command)
		if err := r.execute(ctx, command); err != nil {
			return nil, err
		}
	}
	return nil, nil
}
