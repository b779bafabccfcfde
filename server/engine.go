package server

import (
	"context"
	"fmt"
	"os"

	"webrunner/buildout"
	"webrunner/server/node"
)

// defaultEngine returns the engine builds use when Config.Engine is nil:
// the in-process buildout engine, with the recipes registered in this
// binary. Every run sets webrunner:executable to this executable, so that
// components backed by built-in tools (crond, logrotate) call it.
func defaultEngine() node.Engine {
	exe, err := os.Executable()
	if err != nil {
		exe = "webrunner"
	}
	return node.EngineFunc(func(ctx context.Context, r node.Run) error {
		ovs := []buildout.Override{{Section: "webrunner", Option: "executable", Value: exe}}
		for _, a := range r.Overrides {
			o, err := buildout.ParseOverride(a)
			if err != nil {
				return fmt.Errorf("buildout override %q: %w", a, err)
			}
			ovs = append(ovs, o)
		}
		return buildout.Run(ctx, buildout.RunOptions{
			Config:    r.Config,
			Directory: r.Dir,
			Overrides: ovs,
			Newest:    true, // like slapgrid with --all: no -N
			OnEvent: func(e buildout.Event) {
				if e.Steps > 0 && r.Progress != nil {
					r.Progress(e.Part, e.Step, e.Steps)
				}
				r.Log(e.Text)
			},
		})
	})
}
