package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"webrunner/server/workspace"
)

// errorBody is the body of every error answer (api.md "Conventions").
type errorBody struct {
	Error  string `json:"error"`
	Detail any    `json:"detail,omitempty"`
}

// writeJSON writes v as a JSON answer with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// writeError writes the error answer {"error": err, "detail": detail}; every
// error of the API goes through it.
func writeError(w http.ResponseWriter, status int, err error, detail any) {
	writeJSON(w, status, errorBody{Error: err.Error(), Detail: detail})
}

// fail writes the error answer for err, choosing the status from what err
// is: a refused path is 400, a missing file 404, a conflict 409 (with the
// current etag as detail), a binary file 415, a too large body or file 413,
// anything else 500 (and logged).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var conflict *workspace.ConflictError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &conflict):
		var etag any // null when the file does not exist
		if conflict.ETag != "" {
			etag = conflict.ETag
		}
		writeError(w, http.StatusConflict, err, map[string]any{"etag": etag})
	case errors.Is(err, workspace.ErrBadPath),
		errors.Is(err, workspace.ErrIsDir),
		errors.Is(err, workspace.ErrNotDir),
		errors.Is(err, workspace.ErrNotFile),
		errors.Is(err, errBadRequest):
		writeError(w, http.StatusBadRequest, err, nil)
	case errors.Is(err, fs.ErrNotExist):
		writeError(w, http.StatusNotFound, s.notFound(err), nil)
	case errors.Is(err, fs.ErrExist):
		writeError(w, http.StatusConflict, err, nil)
	case errors.Is(err, workspace.ErrBinary):
		writeError(w, http.StatusUnsupportedMediaType, err, nil)
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge,
			fmt.Errorf("request body larger than %d bytes", tooBig.Limit), nil)
	case errors.Is(err, workspace.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, err, nil)
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, err, nil)
	}
}

// notFound rewrites the absolute path of an *fs.PathError relative to the
// workspace, so that answers name no server path.
func (s *Server) notFound(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	if rel, rerr := s.ws.Rel(pe.Path); rerr == nil {
		return fmt.Errorf("%s: no such file or directory", rel)
	}
	return errors.New("no such file or directory")
}

// errBadRequest matches, with errors.Is, the errors of the request itself
// (400) made by badRequest.
var errBadRequest = errors.New("bad request")

// requestError is an error of the request itself; its message is shown as
// is.
type requestError struct{ msg string }

func (e *requestError) Error() string        { return e.msg }
func (e *requestError) Is(target error) bool { return target == errBadRequest }

// errEmptyBody is the error of decodeJSON for an empty body (400), which
// routes with only optional fields accept.
var errEmptyBody = badRequest("empty body, want a JSON object")

// badRequest returns a 400 error with the given message.
func badRequest(format string, args ...any) error {
	return &requestError{fmt.Sprintf(format, args...)}
}

// decodeJSON decodes the JSON request body into v; it rejects unknown
// fields and trailing data. Errors are 400, or 413 past the body cap.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return errEmptyBody
		}
		return badRequest("invalid JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return badRequest("invalid JSON body: trailing data")
	}
	return nil
}
