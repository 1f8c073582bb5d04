package sizelimit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// Error messages, as Kong words them.
const (
	msgTooLarge         = "Request size limit exceeded"
	msgLengthRequired   = "A valid Content-Length header is required"
	statusTooLarge      = 413
	statusExpectFailed  = 417
	statusLengthMissing = 411
)

// Handler is one configured request-size-limiting instance.
type Handler struct {
	maxBytes      int64
	requireLength bool
}

// NewHandler builds the handler of one instance from its configuration.
func NewHandler(cfg Config) (*Handler, error) {
	unit, ok := unitBytesOf[cfg.SizeUnit]
	if !ok {
		return nil, fmt.Errorf("request-size-limiting: unknown size_unit %q", cfg.SizeUnit)
	}
	if cfg.AllowedPayloadSize < 0 {
		return nil, fmt.Errorf("request-size-limiting: negative allowed_payload_size %d", cfg.AllowedPayloadSize)
	}
	return &Handler{maxBytes: cfg.AllowedPayloadSize * unit, requireLength: cfg.RequireContentLength}, nil
}

// Access implements plugin.Accesser. A Content-Length is trusted as the
// body size; without one the body is read (it is chunked) and measured.
// A body larger than the engine is willing to buffer counts as too large.
func (h *Handler) Access(ctx plugin.Context) {
	req := ctx.Request()
	if cl := req.Header("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64); err == nil && n >= 0 {
			h.check(ctx, n)
			return
		}
	}
	chunked := strings.Contains(strings.ToLower(req.Header("Transfer-Encoding")), "chunked")
	body, err := req.Body()
	switch {
	case errors.Is(err, plugin.ErrBodyTooLarge):
		h.refuse(ctx)
	case err != nil:
		ctx.Error(400, "")
	case len(body) == 0 && !chunked && h.requireLength:
		ctx.Error(statusLengthMissing, msgLengthRequired)
	default:
		h.check(ctx, int64(len(body)))
	}
}

// check refuses the request when size exceeds the limit.
func (h *Handler) check(ctx plugin.Context, size int64) {
	if size > h.maxBytes {
		h.refuse(ctx)
	}
}

// refuse answers 413, or 417 when the client waits for 100 Continue.
func (h *Handler) refuse(ctx plugin.Context) {
	if strings.EqualFold(strings.TrimSpace(ctx.Request().Header("Expect")), "100-continue") {
		ctx.Error(statusExpectFailed, msgTooLarge)
		return
	}
	ctx.Error(statusTooLarge, msgTooLarge)
}

// NonBlocking implements plugin.NonBlocking: it compares lengths; a body it measures has been received before the phase runs.
func (h *Handler) NonBlocking() bool { return true }
