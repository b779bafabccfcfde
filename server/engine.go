package server

import (
	"context"
	"errors"

	"webrunner/server/node"
)

// defaultEngine returns the engine builds use when Config.Engine is nil.
//
// The in-process buildout install engine is not available yet: builds fail
// with a clear error until it is wired here.
func defaultEngine() node.Engine {
	return node.EngineFunc(func(ctx context.Context, r node.Run) error {
		return errors.New("buildout install engine is not available in this build of Webrunner")
	})
}
