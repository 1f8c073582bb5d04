package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

const (
	contentTypeJSON = "application/json; charset=utf-8"
	msgNotFound     = "Not found"
	msgUnexpected   = "An unexpected error occurred"
)

// request is the state of one routed Admin API call.
type request struct {
	api *API
	w   http.ResponseWriter
	r   *http.Request
	// params are the percent-decoded placeholder values in path order;
	// raw holds them as they appeared in the URL.
	params []string
	raw    []string
}

// httpError is an error answered with {"message": msg}.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// errNotFound is the plain 404 of a missing entity or unknown path.
var errNotFound = &httpError{status: http.StatusNotFound, msg: msgNotFound}

// errMethodNotAllowed is the plain 405.
var errMethodNotAllowed = &httpError{status: http.StatusMethodNotAllowed, msg: "Method not allowed"}

// plainError is answered with its text as the whole body.
type plainError struct {
	status int
	text   string
}

func (e *plainError) Error() string { return e.text }

// emptyError is answered with a status and no body.
type emptyError struct{ status int }

func (e *emptyError) Error() string { return http.StatusText(e.status) }

func message(status int, msg string) error { return &httpError{status: status, msg: msg} }

// writeJSON renders v as the JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"message":"` + msgUnexpected + `"}`)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeMessage answers {"message": msg}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeError maps an error to Kong's response: structured DAO errors with
// their status, plain messages, and 500 for everything else (logged).
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var pe *plainError
	var ee *emptyError
	var de *entity.Error
	switch {
	case errors.As(err, &he):
		writeMessage(w, he.status, he.msg)
	case errors.As(err, &pe):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(pe.status)
		_, _ = w.Write([]byte(pe.text))
	case errors.As(err, &ee):
		w.WriteHeader(ee.status)
	case errors.Is(err, store.ErrNotFound):
		writeMessage(w, http.StatusNotFound, msgNotFound)
	case errors.As(err, &de) && exposed(de.Code):
		writeJSON(w, de.Status(), de)
	default:
		a.log.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeMessage(w, http.StatusInternalServerError, msgUnexpected)
	}
}

// exposed reports whether a DAO error code is returned to the client as is;
// the others become a generic 500.
func exposed(code int) bool {
	switch {
	case code == entity.CodeDatabaseError:
		return false
	case code >= 1 && code <= 14, code == entity.CodeReferencedByOthers:
		return true
	}
	return false
}
