package server

import (
	"context"

	"github.com/go-chi/chi/v5"
)

// This file is the extension point of the build, instance and logs routes
// (api.md "Build", "Instance", "Logs"); it belongs to the mini-master work.
// Add the services' fields to buildState, create them in initBuild, mount
// their routes in mountBuild (inside the authenticated, CSRF-checked /api
// group) and stop them in closeBuild.

// buildState holds the services of the build, instance and logs routes.
type buildState struct{}

// initBuild creates the build services; New calls it before mounting the
// routes.
func (s *Server) initBuild() error { return nil }

// mountBuild adds the build, instance and logs routes to the /api group.
func (s *Server) mountBuild(r chi.Router) {}

// closeBuild stops the builds and the instance's processes; Close calls it
// once the HTTP server has shut down.
func (s *Server) closeBuild(ctx context.Context) error { return nil }
