// Package cookbook implements the slapos.cookbook recipes that instance
// profiles use: directories, wrappers, cron, loggers, logrotate, promise
// plugins, and the recipes that talk to the SlapOS master (spec slapos.md
// §3.7, §4.5–§4.14). The master is found in the context with slap.FromContext.
package cookbook

import (
	"context"

	"webrunner/buildout"
)

// installer adapts a function to buildout.Recipe; update runs install
// again, as GenericBaseRecipe.update does.
type installer func(ctx context.Context) ([]string, error)

func (f installer) Install(ctx context.Context) ([]string, error) { return f(ctx) }
func (f installer) Update(ctx context.Context) ([]string, error)  { return f(ctx) }

// recipe is a buildout.Recipe made of two functions.
type recipe struct {
	install, update func(ctx context.Context) ([]string, error)
}

func (r recipe) Install(ctx context.Context) ([]string, error) { return r.install(ctx) }
func (r recipe) Update(ctx context.Context) ([]string, error)  { return r.update(ctx) }

var _ buildout.Recipe = installer(nil)
