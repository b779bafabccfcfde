package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"webrunner/buildout"
	"webrunner/server/lang"
)

// langRoutes serves the editor's language intelligence (package lang).
type langRoutes struct {
	s *Server
	a *lang.Analyzer
}

// mountLang adds /api/lang/diagnostics, /api/lang/definition and
// /api/lang/hover.
func (s *Server) mountLang(r chi.Router) {
	l := &langRoutes{s: s, a: &lang.Analyzer{Root: s.ws.Root(), Cache: buildout.NewFileCache()}}
	r.Post("/lang/diagnostics", l.handleDiagnostics)
}

// request checks path against the workspace and completes a lang.Request
// with the current release, if any.
func (l *langRoutes) request(r *http.Request, path string, content *string) (lang.Request, error) {
	if path == "" {
		return lang.Request{}, badRequest("missing path")
	}
	if _, err := l.s.ws.Resolve(path); err != nil {
		return lang.Request{}, err
	}
	release, _ := l.s.Release(r.Context()) // none set: analyse the file alone
	return lang.Request{Path: path, Content: content, Release: release}, nil
}

func (l *langRoutes) handleDiagnostics(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Path    string  `json:"path"`
		Content *string `json:"content"`
	}
	if err := decodeJSON(r, &body); err != nil {
		l.s.fail(w, r, err)
		return
	}
	req, err := l.request(r, body.Path, body.Content)
	if err != nil {
		l.s.fail(w, r, err)
		return
	}
	ds, err := l.a.Diagnostics(r.Context(), req)
	if err != nil {
		l.s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"diagnostics": ds})
}
