package iprestriction

import (
	"fmt"

	"github.com/straitgw/strait/internal/plugin"
)

// Messages, as Kong words them.
const (
	msgNotAllowedPrefix = "IP address not allowed: "
	msgUnixSocket       = "Cannot identify the client IP address, unix domain sockets are not supported."
)

// Handler is one configured ip-restriction instance.
type Handler struct {
	allow, deny prefixSet
	status      int
	// message is the configured message, or "" for the default one that
	// names the client address.
	message string
}

// NewHandler builds the handler of one instance from its configuration.
func NewHandler(cfg Config) (*Handler, error) {
	h := &Handler{status: 403}
	var err error
	if h.allow, err = newPrefixSet(cfg.Allow); err != nil {
		return nil, fmt.Errorf("ip-restriction: allow: %w", err)
	}
	if h.deny, err = newPrefixSet(cfg.Deny); err != nil {
		return nil, fmt.Errorf("ip-restriction: deny: %w", err)
	}
	if h.allow.empty() && h.deny.empty() {
		return nil, fmt.Errorf("ip-restriction: %s", msgAtLeastOne)
	}
	if cfg.Status != nil {
		h.status = int(*cfg.Status)
	}
	if cfg.Message != nil {
		h.message = *cfg.Message
	}
	return h, nil
}

// Access implements plugin.Accesser: the deny list is checked first,
// then the allow list when there is one.
func (h *Handler) Access(ctx plugin.Context) {
	ip := ctx.Request().ClientIP()
	if !ip.IsValid() {
		ctx.Error(403, msgUnixSocket)
		return
	}
	if h.deny.contains(ip) || !h.allow.empty() && !h.allow.contains(ip) {
		msg := h.message
		if msg == "" {
			msg = msgNotAllowedPrefix + ip.Unmap().String()
		}
		ctx.Error(h.status, msg)
	}
}

// NonBlocking implements plugin.NonBlocking: it matches the client address against compiled ranges.
func (h *Handler) NonBlocking() bool { return true }
