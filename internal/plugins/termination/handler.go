package termination

import (
	"encoding/json"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// defaultMessages are Kong's messages for statuses configured without
// one; other statuses answer an empty JSON object.
var defaultMessages = map[int]string{
	401: "Unauthorized",
	404: "Not found",
	405: "Method not allowed",
	500: "An unexpected error occurred",
	502: "Bad Gateway",
	503: "Service unavailable",
}

// Handler is one configured request-termination instance.
type Handler struct {
	cfg     Config
	status  int
	message string // "" when the status has no default and none is set
	// body and headers are the precomputed answer (not used with echo).
	body    []byte
	headers []plugin.Header
	trigger string
}

// NewHandler builds the handler of one instance from its configuration.
func NewHandler(cfg Config) *Handler {
	h := &Handler{cfg: cfg, status: cfg.StatusCode}
	if h.status == 0 {
		h.status = 503
	}
	if cfg.Trigger != nil {
		h.trigger = *cfg.Trigger
	}
	h.message = defaultMessages[h.status]
	if cfg.Message != nil {
		h.message = *cfg.Message
	}
	switch {
	case cfg.Body != nil && !cfg.Echo:
		ct := plugin.ContentTypeJSON
		if cfg.ContentType != nil {
			ct = *cfg.ContentType
		}
		h.body = []byte(*cfg.Body)
		h.headers = []plugin.Header{{Name: "Content-Type", Value: ct}}
	case h.message != "" || cfg.Message != nil:
		h.body = plugin.MessageBody(h.message)
		h.headers = []plugin.Header{{Name: "Content-Type", Value: plugin.ContentTypeJSON}}
	default:
		h.body = []byte("{}")
		h.headers = []plugin.Header{{Name: "Content-Type", Value: plugin.ContentTypeJSON}}
	}
	return h
}

// Access implements plugin.Accesser.
func (h *Handler) Access(ctx plugin.Context) {
	req := ctx.Request()
	if h.trigger != "" && req.Header(h.trigger) == "" {
		if _, ok := req.Query(h.trigger); !ok {
			return
		}
	}
	if h.cfg.Echo {
		ctx.Exit(h.status, h.echo(ctx), plugin.Header{Name: "Content-Type", Value: plugin.ContentTypeJSON})
		return
	}
	ctx.Exit(h.status, h.body, h.headers...)
}

// echoBody is the answer of echo mode: the request as the gateway saw it
// and the matched route and service.
type echoBody struct {
	Message        *string             `json:"message"`
	Request        echoRequest         `json:"request"`
	MatchedRoute   *plugin.RouteInfo   `json:"matched_route"`
	MatchedService *plugin.ServiceInfo `json:"matched_service"`
}

type echoRequest struct {
	Scheme  string         `json:"scheme"`
	Host    string         `json:"host"`
	Port    int            `json:"port"`
	Headers map[string]any `json:"headers"`
	Query   map[string]any `json:"query"`
	Body    any            `json:"body"`
	RawBody string         `json:"raw_body"`
	Method  string         `json:"method"`
	Path    string         `json:"path"`
}

// echo renders the request for echo mode.
func (h *Handler) echo(ctx plugin.Context) []byte {
	req := ctx.Request()
	out := echoBody{
		Request: echoRequest{Scheme: req.Scheme(), Host: req.Host(), Port: req.Port(), Method: req.Method(),
			Path: req.Path(), Headers: map[string]any{}, Query: map[string]any{}},
		MatchedRoute:   ctx.Route(),
		MatchedService: ctx.Service(),
	}
	if h.message != "" {
		out.Message = &h.message
	}
	req.RangeHeaders(func(name, value string) bool {
		addValue(out.Request.Headers, strings.ToLower(name), value)
		return true
	})
	for _, pair := range strings.Split(req.RawQuery(), "&") {
		if pair == "" {
			continue
		}
		k, v, hasValue := strings.Cut(pair, "=")
		if !hasValue {
			addValue(out.Request.Query, unescape(k), true)
			continue
		}
		addValue(out.Request.Query, unescape(k), unescape(v))
	}
	if body, err := req.Body(); err == nil {
		out.Request.RawBody = string(body)
		var decoded any
		if json.Unmarshal(body, &decoded) == nil {
			out.Request.Body = decoded
		}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return plugin.MessageBody("[Request termination plugin] failed to encode content: " + err.Error())
	}
	return raw
}

// addValue stores v under k, turning repeated keys into arrays.
func addValue(m map[string]any, k string, v any) {
	prev, ok := m[k]
	switch {
	case !ok:
		m[k] = v
	case isList(prev):
		m[k] = append(prev.([]any), v)
	default:
		m[k] = []any{prev, v}
	}
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// NonBlocking implements plugin.NonBlocking: it only builds a response.
func (h *Handler) NonBlocking() bool { return true }
