package acl

import (
	"strings"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
)

// Upstream headers carrying the groups that let the request through.
const (
	HeaderConsumerGroups      = "X-Consumer-Groups"
	HeaderAuthenticatedGroups = "X-Authenticated-Groups"
)

// AuthenticatedGroupsKey is the per-request key under which an
// authentication plugin may store the groups it established ([]string),
// Kong's authenticated_groups.
const AuthenticatedGroupsKey = "authenticated_groups"

const msgBlocked = "You cannot consume this service"

// Handler is one configured acl instance.
type Handler struct {
	cfg    Config
	deny   bool
	listed map[string]struct{}
}

// Access implements plugin.Accesser.
func (h *Handler) Access(ctx plugin.Context) {
	consumer, credential := ctx.Consumer(), ctx.Credential()
	var authGroups []string
	if consumer == nil || credential == nil || h.cfg.AlwaysUseAuthenticatedGroups {
		// Groups established by authentication override those of an
		// anonymous consumer.
		authGroups, _ = ctx.Get(AuthenticatedGroupsKey).([]string)
	}
	switch {
	case authGroups != nil:
		if h.blocked(authGroups, nil) {
			ctx.Error(403, msgBlocked)
			return
		}
		h.announce(ctx, HeaderAuthenticatedGroups, strings.Join(authGroups, ", "))
	case consumer == nil:
		h.unidentified(ctx, credential != nil)
	default:
		groups := authn.DirectoryOf(ctx).GroupsOf(consumer.ID)
		if groups == nil && !h.deny {
			h.unidentified(ctx, credential != nil)
			return
		}
		if groups != nil && h.blocked(groups.List, groups) {
			ctx.Error(403, msgBlocked)
			return
		}
		if groups != nil {
			h.announce(ctx, HeaderConsumerGroups, groups.Header)
		}
	}
}

// unidentified rejects a request whose groups are unknown: 403 when a
// credential was presented, 401 otherwise.
func (h *Handler) unidentified(ctx plugin.Context, withCredential bool) {
	if withCredential {
		ctx.Error(403, msgBlocked)
		return
	}
	ctx.Error(401, "")
}

// blocked applies the list to groups (set, when given, answers membership
// queries for the consumer's groups).
func (h *Handler) blocked(groups []string, set *authn.Groups) bool {
	in := false
	if set != nil && len(h.listed) < len(groups) {
		for g := range h.listed {
			if set.Has(g) {
				in = true
				break
			}
		}
	} else {
		for _, g := range groups {
			if _, ok := h.listed[g]; ok {
				in = true
				break
			}
		}
	}
	if h.deny {
		return in
	}
	return !in
}

// announce passes the groups upstream unless hide_groups_header is set;
// a copy sent by the client never passes in their place.
func (h *Handler) announce(ctx plugin.Context, header, value string) {
	if h.cfg.HideGroupsHeader || value == "" {
		ctx.Request().DelHeader(header)
		return
	}
	ctx.Request().SetHeader(header, value)
}

// NonBlocking implements plugin.NonBlocking: groups are looked up in the compiled configuration.
func (h *Handler) NonBlocking() bool { return true }
