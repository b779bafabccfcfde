package server

import (
	"net/http"

	"webrunner/web"
)

// handleIDE serves GET /, the IDE page, to a logged-in browser; others go
// to the login page.
func (s *Server) handleIDE(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if sess == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	release, err := s.Release(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, web.IDEPage(web.IDEData{CSRF: sess.CSRF, Release: release}))
}
