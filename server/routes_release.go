package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/go-chi/chi/v5"

	"webrunner/server/store"
)

// ReleaseSetting is the settings key of the current software release: the
// workspace-relative path of its software.cfg.
const ReleaseSetting = "release"

// mountRelease adds GET and PUT /api/release (api.md "Current software
// release").
func (s *Server) mountRelease(r chi.Router) {
	r.Get("/release", s.handleGetRelease)
	r.Put("/release", s.handlePutRelease)
}

// Release returns the current software release profile, workspace-relative.
func (s *Server) Release(ctx context.Context) (string, error) {
	p, ok, err := store.Setting(ctx, s.db, ReleaseSetting)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errors.New("no current software release is set")
	}
	return p, nil
}

func (s *Server) handleGetRelease(w http.ResponseWriter, r *http.Request) {
	p, err := s.Release(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"profile": p})
}

func (s *Server) handlePutRelease(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Profile string `json:"profile"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	abs, err := s.ws.Resolve(req.Profile)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := path.Clean(req.Profile)
	if !strings.HasSuffix(p, ".cfg") {
		s.fail(w, r, badRequest("%s: a software release is a .cfg profile such as software.cfg", req.Profile))
		return
	}
	if fi, err := os.Stat(abs); err != nil || !fi.Mode().IsRegular() {
		s.fail(w, r, badRequest("%s: no such file", req.Profile))
		return
	}
	if err := store.SetSetting(r.Context(), s.db, ReleaseSetting, p); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"profile": p})
}
