package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"webrunner/buildout"
	"webrunner/server/lang"
)

// langRoutes serves the editor's language intelligence (package lang).
type langRoutes struct {
	s *Server
	a *lang.Analyzer
}

// mountLang adds the language intelligence of the editor (beyond api.md):
//
//	POST /api/lang/diagnostics {path, content?}  → {diagnostics: [{path, line, column?, severity, message}]}
//	GET  /api/lang/definition?path=&line=&column= → {path, line}, 404 when there is none
//	GET  /api/lang/hover?path=&line=&column=      → {text} ("" when nothing to show)
//	GET  /api/lang/completion?path=&line=&column= → {items: [{label, detail?, kind}]}
//
// Lines and columns are 1-based, columns in UTF-16 code units. The three
// position routes also take POST {path, line, column, content?}: content is
// the editor's unsaved text, analysed instead of the file on disk.
func (s *Server) mountLang(r chi.Router) {
	l := &langRoutes{s: s, a: &lang.Analyzer{Root: s.ws.Root(), Cache: buildout.NewFileCache()}}
	r.Post("/lang/diagnostics", l.handleDiagnostics)
	r.Get("/lang/definition", l.position(l.definition))
	r.Post("/lang/definition", l.position(l.definition))
	r.Get("/lang/hover", l.position(l.hover))
	r.Post("/lang/hover", l.position(l.hover))
	r.Get("/lang/completion", l.position(l.completion))
	r.Post("/lang/completion", l.position(l.completion))
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

// position adapts a handler of a file position: GET takes path, line and
// column (1-based) from the query and reads the file on disk; POST takes
// them from a JSON body with the editor's unsaved content.
func (l *langRoutes) position(h func(http.ResponseWriter, *http.Request, lang.Request, int, int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Path    string  `json:"path"`
			Line    int     `json:"line"`
			Column  int     `json:"column"`
			Content *string `json:"content"`
		}
		if r.Method == http.MethodPost {
			if err := decodeJSON(r, &body); err != nil {
				l.s.fail(w, r, err)
				return
			}
		} else {
			q := r.URL.Query()
			body.Path = q.Get("path")
			var err1, err2 error
			body.Line, err1 = strconv.Atoi(q.Get("line"))
			body.Column, err2 = strconv.Atoi(q.Get("column"))
			if err := errors.Join(err1, err2); err != nil {
				l.s.fail(w, r, badRequest("line and column must be numbers"))
				return
			}
		}
		if body.Line < 1 || body.Column < 1 {
			l.s.fail(w, r, badRequest("line and column are 1-based"))
			return
		}
		req, err := l.request(r, body.Path, body.Content)
		if err != nil {
			l.s.fail(w, r, err)
			return
		}
		h(w, r, req, body.Line, body.Column)
	}
}

// errNoSymbol is the 404 of a position with nothing to go to or show.
var errNoSymbol = errors.New("nothing at this position")

func (l *langRoutes) definition(w http.ResponseWriter, r *http.Request, req lang.Request, line, column int) {
	loc, ok, err := l.a.Definition(r.Context(), req, line, column)
	switch {
	case err != nil:
		l.s.fail(w, r, err)
	case !ok:
		writeError(w, http.StatusNotFound, errNoSymbol, nil)
	default:
		writeJSON(w, http.StatusOK, loc)
	}
}

func (l *langRoutes) hover(w http.ResponseWriter, r *http.Request, req lang.Request, line, column int) {
	text, ok, err := l.a.Hover(r.Context(), req, line, column)
	switch {
	case err != nil:
		l.s.fail(w, r, err)
	case !ok:
		writeJSON(w, http.StatusOK, map[string]string{"text": ""})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"text": text})
	}
}

func (l *langRoutes) completion(w http.ResponseWriter, r *http.Request, req lang.Request, line, column int) {
	items, err := l.a.Complete(r.Context(), req, line, column)
	if err != nil {
		l.s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
