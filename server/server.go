// Package server is Webrunner's HTTP server: the router, the login and
// session middleware, the files, release and events APIs of api.md, and the
// pages. The build, instance and logs routes plug in through
// routes_build.go, the IDE page through routes_ide.go.
package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"webrunner/server/auth"
	"webrunner/server/events"
	"webrunner/server/node"
	"webrunner/server/workspace"
)

// DefaultMaxBody is the default cap on request bodies (413 beyond).
const DefaultMaxBody = 10 << 20

// Config is what New needs. Workspace, DB and PasswordHash are required.
type Config struct {
	Workspace    *workspace.Workspace // the confined workspace
	DB           *sql.DB              // opened and migrated by store (see Setup)
	PasswordHash string               // argon2id PHC string (auth.SetupPassword)

	Logger  *slog.Logger     // nil: discard
	Events  *events.Hub      // nil: a new hub
	Now     func() time.Time // the clock; nil: time.Now
	MaxBody int64            // request body cap in bytes; 0: DefaultMaxBody
	Limiter *auth.Limiter    // failed logins; nil: 5 a minute per client
	Origins []string         // extra origins (scheme://host[:port]) allowed on websockets
	Engine  node.Engine      // runs buildout for builds; nil: the built-in engine
}

// Server is the Webrunner HTTP handler. Create it with New, serve it with
// an http.Server, and Close it after the http.Server has shut down.
type Server struct {
	cfg      Config
	ws       *workspace.Workspace
	db       *sql.DB
	log      *slog.Logger
	events   *events.Hub
	sessions *auth.Sessions
	limiter  *auth.Limiter
	now      func() time.Time
	router   chi.Router

	verifying chan struct{} // a slot per password check in progress

	build buildState // services of routes_build.go
}

// New returns the server of cfg with every route mounted.
func New(cfg Config) (*Server, error) {
	if cfg.Workspace == nil || cfg.DB == nil {
		return nil, errors.New("server: Config.Workspace and Config.DB are required")
	}
	if cfg.PasswordHash == "" {
		return nil, errors.New("server: Config.PasswordHash is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Events == nil {
		cfg.Events = &events.Hub{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Limiter == nil {
		cfg.Limiter = auth.NewLimiter(5, time.Minute, cfg.Now)
	}
	s := &Server{
		cfg:      cfg,
		ws:       cfg.Workspace,
		db:       cfg.DB,
		log:      cfg.Logger,
		events:   cfg.Events,
		sessions: auth.NewSessions(cfg.DB, cfg.Now),
		limiter:  cfg.Limiter,
		now:      cfg.Now,

		verifying: make(chan struct{}, 2),
	}
	if err := s.sessions.Prune(context.Background()); err != nil {
		s.log.Warn("prune expired sessions", "err", err)
	}
	if err := s.initBuild(); err != nil {
		return nil, err
	}
	s.router = s.routes()
	return s, nil
}

// Events returns the hub of /api/events, for services to publish on.
func (s *Server) Events() *events.Hub { return s.events }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Close stops what the server started (builds, instance processes); call it
// after http.Server.Shutdown so that in-flight requests have finished.
func (s *Server) Close(ctx context.Context) error {
	return s.closeBuild(ctx)
}

// routes builds the router. Every area has its own file and mount method.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(s.recoverer, s.logRequests, securityHeaders)

	r.Get("/healthz", s.handleHealth)
	s.mountPages(r)

	r.Route("/api", func(r chi.Router) {
		r.Use(noStore, s.limitBody)
		s.mountLogin(r) // unauthenticated: POST /api/login
		r.Group(func(r chi.Router) {
			r.Use(s.requireSession, s.requireCSRF)
			s.mountSession(r)
			s.mountFiles(r)
			s.mountRelease(r)
			s.mountMD5(r)
			s.mountEvents(r)
			s.mountBuild(r)
			s.mountLang(r)
		})
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, errors.New("no such API route"), nil)
		})
	})
	return r
}
