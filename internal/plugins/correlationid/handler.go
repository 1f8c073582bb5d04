package correlationid

import (
	"fmt"
	"net/textproto"

	"github.com/straitgw/strait/internal/plugin"
)

// Handler is one configured correlation-id instance.
type Handler struct {
	header   string // canonical header name
	generate func(ctx plugin.Context) string
	echo     bool
}

// NewHandler builds the handler of one instance. A null header_name
// falls back to the default name.
func NewHandler(cfg Config) (*Handler, error) {
	name := DefaultHeaderName
	if cfg.HeaderName != nil && *cfg.HeaderName != "" {
		name = *cfg.HeaderName
	}
	h := &Handler{header: textproto.CanonicalMIMEHeaderKey(name), echo: cfg.EchoDownstream}
	switch cfg.Generator {
	case GeneratorUUID:
		h.generate = generateUUID
	case GeneratorUUIDCounter, "":
		h.generate = generateUUIDCounter
	case GeneratorTracker:
		h.generate = generateTracker
	default:
		return nil, fmt.Errorf("correlation-id: unknown generator %q", cfg.Generator)
	}
	return h, nil
}

// Access implements plugin.Accesser: a request without the header (or
// with an empty one) gets a generated id; the client's id is kept.
func (h *Handler) Access(ctx plugin.Context) {
	req := ctx.Request()
	id := req.Header(h.header)
	if id == "" {
		id = h.generate(ctx)
		req.SetHeader(h.header, id)
	}
	ctx.Set(SharedKey, id)
}

// HeaderFilter implements plugin.HeaderFilterer: with echo_downstream the
// id goes back to the client.
func (h *Handler) HeaderFilter(ctx plugin.Context) {
	if !h.echo {
		return
	}
	if id, _ := ctx.Get(SharedKey).(string); id != "" {
		ctx.Response().SetHeader(h.header, id)
	}
}

// NonBlocking implements plugin.NonBlocking: it only reads and sets headers.
func (h *Handler) NonBlocking() bool { return true }
