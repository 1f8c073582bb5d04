package dbless

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/straitgw/strait/internal/declarative"
	"github.com/straitgw/strait/internal/entity"
)

// Handler returns the /config endpoint: GET exports the configuration as
// {"config": "<yaml>"}; POST replaces it (query flags check_hash,
// flatten_errors, and dry_run to preview the changes without applying
// them).
func (l *Loader) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			l.serveExport(w, r)
		case http.MethodPost:
			l.servePost(w, r)
		default:
			writeMessage(w, http.StatusMethodNotAllowed, "Method not allowed")
		}
	})
}

func (l *Loader) serveExport(w http.ResponseWriter, r *http.Request) {
	text, err := l.Export(r.Context())
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "An unexpected error occurred")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"config": string(text)})
}

func (l *Loader) servePost(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	src, err := readSource(r)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, errNoConfig):
		writeMessage(w, http.StatusBadRequest, errNoConfig.Error())
		return
	case errors.As(err, &tooLarge):
		writeMessage(w, http.StatusRequestEntityTooLarge, "Payload too large")
		return
	case err != nil:
		writeMessage(w, http.StatusBadRequest, "Bad request")
		return
	}
	if flag(q, "check_hash") && src.Text != nil {
		if h, _ := src.hash(); h == l.Hash() {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if flag(q, "dry_run") {
		changes, err := l.Plan(r.Context(), src)
		if err != nil {
			writeLoadError(w, err, src, flag(q, "flatten_errors"))
			return
		}
		writeJSON(w, http.StatusOK, renderPlan(changes))
		return
	}
	res, ok, err := l.TryLoad(r.Context(), src)
	switch {
	case !ok:
		w.Header().Set("Retry-After", "1")
		writeMessage(w, http.StatusTooManyRequests, "Currently loading previous configuration")
	case err != nil:
		writeLoadError(w, err, src, flag(q, "flatten_errors"))
	default:
		writeJSON(w, http.StatusCreated, keyedByID(res.Entities))
	}
}

// keyedByID renders entities as Kong's /config answer does: by entity
// type, then by id.
func keyedByID(entities map[string][]entity.Object) map[string]any {
	out := make(map[string]any, len(entities))
	for name, list := range entities {
		byID := make(map[string]any, len(list))
		for _, obj := range list {
			id, _ := obj["id"].(string)
			byID[id] = obj
		}
		out[name] = byID
	}
	return out
}

// writeLoadError answers a rejected configuration with Kong's code-14
// error (plus flattened_errors when asked), anything else with a 500.
func writeLoadError(w http.ResponseWriter, err error, src Source, flatten bool) {
	var pe *declarative.ParseError
	var ve *declarative.ValidationError
	var kerr *entity.Error
	switch {
	case errors.As(err, &ve):
		kerr = ve.KongError()
	case errors.As(err, &pe):
		kerr = pe.KongError()
	default:
		writeMessage(w, http.StatusInternalServerError, "An unexpected error occurred")
		return
	}
	body := map[string]any{"code": kerr.Code, "name": kerr.Name, "message": kerr.Message, "fields": kerr.Fields}
	if flatten {
		var problems []declarative.Problem
		if ve != nil {
			problems = ve.Problems
		}
		body["flattened_errors"] = flattenErrors(problems, document(src))
	}
	writeJSON(w, http.StatusBadRequest, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"message":"An unexpected error occurred"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}
