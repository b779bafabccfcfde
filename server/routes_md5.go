package server

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"path"

	"github.com/go-chi/chi/v5"

	"webrunner/recipes/hashcfg"
)

// mountMD5 adds the MD5 helper (api.md "MD5 helper").
func (s *Server) mountMD5(r chi.Router) {
	r.Get("/md5", s.handleGetMD5)
	r.Post("/md5", s.handleUpdateMD5)
}

func (s *Server) handleGetMD5(w http.ResponseWriter, r *http.Request) {
	p, err := pathParam(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.ws.Open(p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"path": p, "md5": hex.EncodeToString(h.Sum(nil))})
}

func (s *Server) handleUpdateMD5(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Path string `json:"path"`
	}
	if err := decodeJSON(r, &req); err != nil && !errors.Is(err, errEmptyBody) {
		s.fail(w, r, err)
		return
	}
	if req.Path == "" {
		release, err := s.Release(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req.Path = path.Join(path.Dir(release), "buildout.hash.cfg")
	}
	abs, err := s.ws.Resolve(req.Path)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	changes, err := hashcfg.UpdateFile(abs)
	var syntax *hashcfg.Error
	switch {
	case errors.As(err, &syntax):
		// Name the file by its workspace path, not the server's.
		syntax.File = req.Path
		s.fail(w, r, badRequest("%v", syntax))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if changes == nil {
		changes = []hashcfg.Change{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"updated": changes})
}
