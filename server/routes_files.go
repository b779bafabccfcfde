package server

import (
	"errors"
	"mime"
	"net/http"
	"path"

	"github.com/go-chi/chi/v5"

	"webrunner/server/workspace"
)

// mountFiles adds the files API (api.md "Files") and GET /api/download.
func (s *Server) mountFiles(r chi.Router) {
	r.Get("/files", s.handleList)
	r.Get("/file", s.handleRead)
	r.Put("/file", s.handleWrite)
	r.Delete("/file", s.handleDelete)
	r.Post("/file/move", s.handleMove)
	r.Post("/dir", s.handleMkdir)
	r.Get("/download", s.handleDownload)
}

// pathParam returns the path query parameter, required unless optional.
func pathParam(r *http.Request, optional bool) (string, error) {
	q := r.URL.Query()
	if !q.Has("path") && !optional {
		return "", badRequest("missing path parameter")
	}
	return q.Get("path"), nil
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	p, _ := pathParam(r, true)
	entries, err := s.ws.List(p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func (s *Server) handleRead(w http.ResponseWriter, r *http.Request) {
	p, err := pathParam(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	content, etag, err := s.ws.ReadText(p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	writeJSON(w, http.StatusOK, map[string]string{"path": p, "content": string(content), "etag": etag})
}

func (s *Server) handleWrite(w http.ResponseWriter, r *http.Request) {
	p, err := pathParam(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Content *string `json:"content"`
		ETag    *string `json:"etag"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Content == nil {
		s.fail(w, r, badRequest("missing content"))
		return
	}
	etag, err := s.ws.WriteText(p, []byte(*req.Content), req.ETag)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"etag": etag})
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	p, err := pathParam(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.ws.Remove(p); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"path": p})
}

func (s *Server) handleMove(w http.ResponseWriter, r *http.Request) {
	var req struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.From == "" || req.To == "" {
		s.fail(w, r, badRequest("from and to are required"))
		return
	}
	if err := s.ws.Move(req.From, req.To); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"from": req.From, "to": req.To})
}

func (s *Server) handleMkdir(w http.ResponseWriter, r *http.Request) {
	p, err := pathParam(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.ws.Mkdir(p); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"path": p})
}

func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	p, err := pathParam(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.ws.Open(p)
	if err != nil {
		if errors.Is(err, workspace.ErrIsDir) {
			err = badRequest("%s is a directory", p)
		}
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition",
		mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(p)}))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}
