package requesttransformer

import (
	"fmt"
	"net/textproto"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// MethodSetter is implemented by requests whose method sent upstream can
// be changed. The plugin contract has no such method yet; engines that
// provide it get http_method applied.
type MethodSetter interface {
	SetMethod(method string)
}

// operations are the parsed entries of one target (headers, body or
// query string), one list per operation.
type operations struct {
	remove  []string
	rename  []pair
	replace []pair
	add     []pair
	append  []pair
}

func (o *operations) empty() bool {
	return len(o.remove)+len(o.rename)+len(o.replace)+len(o.add)+len(o.append) == 0
}

// Handler is one configured request-transformer instance.
type Handler struct {
	method  string
	uri     string
	hasURI  bool
	headers operations
	body    operations
	query   operations
}

// NewHandler builds the handler of one instance: every entry is split
// and header names canonicalized once, here.
func NewHandler(cfg Config) (*Handler, error) {
	h := &Handler{}
	if cfg.HTTPMethod != nil {
		h.method = strings.ToUpper(*cfg.HTTPMethod)
	}
	if cfg.Replace.URI != nil {
		h.uri, h.hasURI = *cfg.Replace.URI, true
	}
	h.headers = operations{
		remove:  names(cfg.Remove.Headers, true),
		rename:  pairs(cfg.Rename.Headers, true),
		replace: pairs(cfg.Replace.Headers, true),
		add:     pairs(cfg.Add.Headers, true),
		append:  pairs(cfg.Append.Headers, true),
	}
	h.body = operations{
		remove:  names(cfg.Remove.Body, false),
		rename:  pairs(cfg.Rename.Body, false),
		replace: pairs(cfg.Replace.Body, false),
		add:     pairs(cfg.Add.Body, false),
		append:  pairs(cfg.Append.Body, false),
	}
	h.query = operations{
		remove:  names(cfg.Remove.Querystring, false),
		rename:  pairs(cfg.Rename.Querystring, false),
		replace: pairs(cfg.Replace.Querystring, false),
		add:     pairs(cfg.Add.Querystring, false),
		append:  pairs(cfg.Append.Querystring, false),
	}
	// Header values are also checked by the config schema; this keeps a
	// value that would split a header from ever being emitted.
	for _, list := range [][]pair{h.headers.replace, h.headers.add, h.headers.append} {
		for _, p := range list {
			if strings.ContainsAny(p.value, "\r\n") {
				return nil, fmt.Errorf("request-transformer: header %q has a value with CR or LF characters", p.name)
			}
		}
	}
	return h, nil
}

func names(entries []string, header bool) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = splitPair(e).name
		if header {
			out[i] = textproto.CanonicalMIMEHeaderKey(out[i])
		}
	}
	return out
}

func pairs(entries []string, header bool) []pair {
	out := make([]pair, len(entries))
	for i, e := range entries {
		out[i] = splitPair(e)
		if header {
			out[i].name = textproto.CanonicalMIMEHeaderKey(out[i].name)
		}
	}
	return out
}

// Access implements plugin.Accesser, in Kong's order: path, method,
// headers, body, query string.
func (h *Handler) Access(ctx plugin.Context) {
	req := ctx.Request()
	if h.hasURI && strings.HasPrefix(h.uri, "/") {
		req.SetPath(h.uri)
	}
	if h.method != "" {
		h.changeMethod(req)
	}
	if !h.headers.empty() {
		h.transformHeaders(req)
	}
	if !h.body.empty() {
		h.transformBody(req)
	}
	if !h.query.empty() {
		h.transformQuery(req)
	}
}

// changeMethod sets the upstream method when the engine supports it.
// Turning a request into GET, HEAD or TRACE moves the arguments of a
// form body to the query string.
func (h *Handler) changeMethod(req plugin.Request) {
	ms, ok := req.(MethodSetter)
	if !ok {
		return
	}
	ms.SetMethod(h.method)
	switch h.method {
	case "GET", "HEAD", "TRACE":
	default:
		return
	}
	if contentKind(req.Header("Content-Type")) != kindForm {
		return
	}
	raw, err := req.Body()
	if err != nil || len(raw) == 0 {
		return
	}
	form := parseArgs(string(raw))
	if len(form) == 0 {
		return
	}
	query := parseArgs(req.RawQuery())
	for _, a := range form {
		i := query.index(a.name)
		switch {
		case i < 0:
			query = append(query, a)
		case a.flag:
		default:
			if query[i].flag {
				query[i].flag = false
			}
			query[i].values = append(query[i].values, a.values...)
		}
	}
	req.SetRawQuery(query.encode())
}

// NonBlocking implements plugin.NonBlocking: it rewrites the request in memory (a body it transforms has been received before the phase runs).
func (h *Handler) NonBlocking() bool { return true }
