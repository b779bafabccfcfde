package server

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"webrunner/web"
)

// mountPages adds the browser pages: GET /login, GET / (the IDE) and the
// static assets under /static/.
func (s *Server) mountPages(r chi.Router) {
	r.Get("/login", s.handleLoginPage)
	r.Get("/", s.handleIDE)
	r.Handle("/static/*", http.StripPrefix("/static/", staticHandler(web.Static)))
}

// staticHandler serves the embedded assets. A request carrying a version
// (?v=, see web.AssetURL) may be cached for good; others are revalidated.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r) // no directory listings
			return
		}
		if r.URL.Query().Has("v") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// localPath returns p when it is a path of this site, else "/".
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(p, "/") ||
		strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if sess, err := s.session(r); err == nil && sess != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, web.LoginPage(next))
}

// render writes a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := c.Render(r.Context(), w); err != nil {
		s.log.Error("render page", "path", r.URL.Path, "err", err)
	}
}

// handleHealth answers GET /healthz, unauthenticated: 200 when the
// database answers.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.db.PingContext(r.Context()); err != nil {
		writeError(w, http.StatusServiceUnavailable, errors.New("database unavailable"), nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
