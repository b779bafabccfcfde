package server

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"webrunner/server/auth"
)

// mountLogin adds POST /api/login, the one API route without a session.
func (s *Server) mountLogin(r chi.Router) {
	r.Post("/login", s.handleLogin)
}

// mountSession adds logout and GET /api/session (the CSRF token of the
// current session, for scripts and reloaded pages).
func (s *Server) mountSession(r chi.Router) {
	r.Post("/logout", s.handleLogout)
	r.Get("/session", s.handleSession)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	addr := clientAddr(r)
	ok, wait, done := s.limiter.Try(addr)
	if !ok {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeError(w, http.StatusTooManyRequests, errors.New("too many failed logins: try again later"),
			map[string]any{"retry_after": max(secs, 1)})
		return
	}
	failed := true
	defer func() { done(failed) }()
	// Hashing takes 64 MiB and tens of milliseconds: a few at a time.
	select {
	case s.verifying <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	match, err := auth.VerifyPassword(s.cfg.PasswordHash, req.Password)
	<-s.verifying
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !match {
		s.log.Warn("failed login", "client", addr)
		writeError(w, http.StatusUnauthorized, errors.New("wrong password"), nil)
		return
	}
	failed = false
	id, sess, err := s.sessions.Create(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   int(auth.AbsoluteTimeout.Seconds()),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
	s.log.Info("login", "client", addr)
	writeJSON(w, http.StatusOK, map[string]string{"csrf": sess.CSRF})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	var err error
	if r.URL.Query().Get("all") == "1" {
		err = s.sessions.RevokeAll(r.Context())
	} else {
		err = s.sessions.Revoke(r.Context(), sessionFrom(r.Context()))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{
		"csrf":    sess.CSRF,
		"created": sess.Created.UTC(),
		"expires": sess.Expires().UTC(),
	})
}
