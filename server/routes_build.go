package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"webrunner/promise"
	"webrunner/server/build"
	"webrunner/server/events"
	"webrunner/server/logtail"
	"webrunner/server/master"
	"webrunner/server/node"
	"webrunner/server/supervise"
)

// This file holds the build, instance and logs routes (api.md "Build",
// "Instance", "Logs"), served by the packages build, master, node,
// supervise and logtail.

// buildState holds the services of the build, instance and logs routes.
type buildState struct {
	master *master.Master
	node   *node.Node
	runner *build.Runner
}

// initBuild creates the build services and starts the processes of a
// started partition; New calls it before mounting the routes.
func (s *Server) initBuild() error {
	ctx := context.Background()
	m, err := master.New(ctx, s.db, Partition, s.now)
	if err != nil {
		return err
	}
	m.IPv4 = master.LoopbackFor(s.ws.Root())
	engine := s.cfg.Engine
	if engine == nil {
		engine = defaultEngine()
	}
	n := node.New(s.ws.Root(), m, engine)
	changed := func() { s.events.Publish(events.Instance()) }
	m.OnChange = changed
	n.Supervisor.OnChange = changed
	r, err := build.New(ctx, s.db, s.ws.Abs("log"), n.Job(s.ws.Root()))
	if err != nil {
		return err
	}
	r.OnChange = func(b build.Build) {
		s.events.Publish(events.Build(b.ID, b.State))
		if b.State != build.Running {
			changed()
		}
	}
	s.build = buildState{master: m, node: n, runner: r}
	if err := n.Boot(ctx); err != nil {
		s.log.Warn("could not start the instance's processes", "err", err)
	}
	return nil
}

// mountBuild adds the build, instance and logs routes to the /api group.
func (s *Server) mountBuild(r chi.Router) {
	r.Post("/build", s.handleStartBuild)
	r.Get("/builds", s.handleListBuilds)
	r.Get("/build/{id}", s.handleGetBuild)
	r.Post("/build/{id}/cancel", s.handleCancelBuild)
	r.Get("/build/{id}/ws", s.handleBuildWS)

	r.Get("/instance", s.handleGetInstance)
	r.Put("/instance/parameters", s.handlePutParameters)
	r.Post("/instance/state", s.handlePostState)
	r.Post("/instance/promises", s.handleRunPromises)

	r.Get("/logs", s.handleListLogs)
	r.Get("/logs/ws", s.handleLogsWS)
}

// closeBuild cancels a running build and stops the instance's processes;
// Close calls it once the HTTP server has shut down.
func (s *Server) closeBuild(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.build.runner.Close()
		s.build.node.Close()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop builds and processes: %w", ctx.Err())
	}
}

func (s *Server) handleStartBuild(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Target string `json:"target"`
	}
	if err := decodeJSON(r, &req); err != nil && !errors.Is(err, errEmptyBody) {
		s.fail(w, r, err)
		return
	}
	switch req.Target {
	case "", build.TargetAll, build.TargetSoftware, build.TargetInstance:
	default:
		s.fail(w, r, badRequest("target must be all, software or instance, not %q", req.Target))
		return
	}
	profile, err := s.Release(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.build.runner.Start(req.Target, profile)
	var busy *build.BusyError
	if errors.As(err, &busy) {
		writeError(w, http.StatusConflict, err, map[string]int64{"id": busy.ID})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int64{"id": b.ID})
}

// buildID reads the {id} of the route; a bad one is answered with 404.
func (s *Server) buildID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, errors.New("no such build"), nil)
		return 0, false
	}
	return id, true
}

func (s *Server) failBuild(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, build.ErrNotFound) {
		writeError(w, http.StatusNotFound, err, nil)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) handleGetBuild(w http.ResponseWriter, r *http.Request) {
	id, ok := s.buildID(w, r)
	if !ok {
		return
	}
	b, err := s.build.runner.Get(r.Context(), id)
	if err != nil {
		s.failBuild(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) handleListBuilds(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			s.fail(w, r, badRequest("limit must be a positive number"))
			return
		}
		limit = min(n, 1000)
	}
	bs, err := s.build.runner.List(r.Context(), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"builds": bs})
}

func (s *Server) handleCancelBuild(w http.ResponseWriter, r *http.Request) {
	id, ok := s.buildID(w, r)
	if !ok {
		return
	}
	if err := s.build.runner.Cancel(r.Context(), id); err != nil {
		s.failBuild(w, r, err)
		return
	}
	b, err := s.build.runner.Get(r.Context(), id)
	if err != nil {
		s.failBuild(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) handleBuildWS(w http.ResponseWriter, r *http.Request) {
	id, ok := s.buildID(w, r)
	if !ok {
		return
	}
	if _, err := s.build.runner.Get(r.Context(), id); err != nil {
		s.failBuild(w, r, err)
		return
	}
	c, err := s.upgrade(w, r)
	if err != nil {
		return // the upgrader has answered
	}
	s.build.runner.ServeWS(r.Context(), c, id)
}

// instanceView is the body of GET /api/instance.
type instanceView struct {
	State        string           `json:"state"`
	SoftwareType string           `json:"software_type"`
	Parameters   map[string]any   `json:"parameters"`
	Connection   map[string]any   `json:"connection"`
	Processes    []processView    `json:"processes"`
	Promises     []promise.Result `json:"promises"`
}

type processView struct {
	Name    string         `json:"name"`
	Kind    supervise.Kind `json:"kind"`
	State   string         `json:"state"`
	PID     *int           `json:"pid"`
	Since   time.Time      `json:"since"`
	Message string         `json:"message,omitempty"`
	LogFile string         `json:"log_file,omitempty"`
}

func (s *Server) instance(ctx context.Context) (*instanceView, error) {
	in, err := s.build.master.Get(ctx)
	if err != nil {
		return nil, err
	}
	v := &instanceView{
		State: in.State, SoftwareType: in.SoftwareType,
		Parameters: in.Parameters, Connection: in.Connection,
		Processes: []processView{}, Promises: []promise.Result{},
	}
	for _, p := range s.build.node.Supervisor.Processes() {
		pv := processView{Name: p.Name, Kind: p.Kind, State: string(p.State), Since: p.Since.UTC(), Message: p.Message}
		if p.PID != 0 {
			pid := p.PID
			pv.PID = &pid
		}
		if rel, err := s.ws.Rel(p.LogFile); err == nil {
			pv.LogFile = rel
		}
		v.Processes = append(v.Processes, pv)
	}
	if rs, err := s.build.node.Promises.LoadResults(); err == nil && rs != nil {
		v.Promises = rs
	}
	return v, nil
}

func (s *Server) handleGetInstance(w http.ResponseWriter, r *http.Request) {
	v, err := s.instance(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handlePutParameters(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Parameters   map[string]any `json:"parameters"`
		SoftwareType *string        `json:"software_type"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Parameters == nil {
		s.fail(w, r, badRequest(`want {"parameters": {name: value, …}}`))
		return
	}
	if err := s.build.master.SetParameters(r.Context(), req.Parameters); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.SoftwareType != nil {
		if err := s.build.master.SetSoftwareType(r.Context(), *req.SoftwareType); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.handleGetInstance(w, r)
}

func (s *Server) handlePostState(w http.ResponseWriter, r *http.Request) {
	var req struct {
		State string `json:"state"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	err := s.build.node.SetState(r.Context(), req.State)
	if errors.Is(err, master.ErrBadState) {
		err = badRequest("%v", err)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.handleGetInstance(w, r)
}

func (s *Server) handleRunPromises(w http.ResponseWriter, r *http.Request) {
	rs, err := s.build.node.RunPromises(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.events.Publish(events.Instance())
	writeJSON(w, http.StatusOK, map[string]any{"promises": rs})
}

func (s *Server) handleListLogs(w http.ResponseWriter, r *http.Request) {
	files, err := logtail.List(s.ws.Root())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if files == nil {
		files = []logtail.File{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": files})
}

// DefaultTailLines is how many lines /api/logs/ws sends first by default.
const DefaultTailLines = 200

func (s *Server) handleLogsWS(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	abs, err := s.ws.Resolve(q.Get("path"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n := DefaultTailLines
	if v := q.Get("lines"); v != "" {
		n, err = strconv.Atoi(v)
		if err != nil || n < 0 {
			s.fail(w, r, badRequest("lines must be a number ≥ 0"))
			return
		}
		n = min(n, 100000)
	}
	c, err := s.upgrade(w, r)
	if err != nil {
		return
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		done := keepAlive(c)
		ping := time.NewTicker(wsPingEvery)
		defer ping.Stop()
		for {
			select {
			case <-done:
				cancel()
				return
			case <-ctx.Done():
				return
			case <-ping.C:
				c.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait))
			}
		}
	}()
	err = logtail.Follow(ctx, abs, n, func(line string) error {
		c.SetWriteDeadline(time.Now().Add(wsWriteWait))
		return c.WriteJSON(map[string]string{"type": "line", "text": line})
	})
	if err != nil && ctx.Err() == nil {
		c.SetWriteDeadline(time.Now().Add(time.Second))
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "tail: "+err.Error()))
	}
}
