package hmacauth

import (
	"math"
	"net/http"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
)

// Messages, as Kong's hmac-auth words them.
const (
	msgUnauthorized      = "Unauthorized"
	msgDateRequired      = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"
	msgCannotVerify      = "HMAC signature cannot be verified"
	msgSignatureMismatch = "HMAC signature does not match"
)

// Handler is one configured hmac-auth instance.
type Handler struct {
	cfg        Config
	algorithms map[string]bool
	anonymous  string
}

// Access implements plugin.Accesser.
func (h *Handler) Access(ctx plugin.Context) {
	if h.anonymous != "" && authn.AlreadyAuthenticated(ctx) {
		return
	}
	msg := h.authenticate(ctx)
	if msg == "" {
		return
	}
	if h.anonymous != "" {
		authn.UseAnonymous(ctx, h.anonymous)
		return
	}
	plugin.ExitMessage(ctx, 401, msg)
}

// authenticate verifies the signature and records the consumer; it
// returns the failure message, or "" on success.
func (h *Handler) authenticate(ctx plugin.Context) string {
	req := ctx.Request()
	authorization := req.Header("Authorization")
	proxyAuthorization := req.Header("Proxy-Authorization")
	if authorization == "" && proxyAuthorization == "" {
		return msgUnauthorized
	}
	now := ctx.Now().Unix()
	if !h.dateWithinSkew(req.Header("X-Date"), now) && !h.dateWithinSkew(req.Header("Date"), now) {
		return msgDateRequired
	}
	p, ok := parseAuthorization(proxyAuthorization)
	if ok {
		if h.cfg.HideCredentials {
			req.DelHeader("Proxy-Authorization")
		}
	} else {
		p, ok = parseAuthorization(authorization)
		if h.cfg.HideCredentials {
			req.DelHeader("Authorization")
		}
	}
	if !ok || !h.paramsAcceptable(p) {
		return msgCannotVerify
	}
	cred := authn.DirectoryOf(ctx).HMAC(p.username)
	if cred == nil {
		return msgCannotVerify
	}
	if !signatureMatches(req, p, cred.Secret) {
		return msgSignatureMismatch
	}
	if h.cfg.ValidateRequestBody && !digestMatches(req) {
		return msgSignatureMismatch
	}
	authn.SetConsumer(ctx, cred.Consumer, &cred.Credential, cred.Username)
	return ""
}

// paramsAcceptable checks that every enforced header was signed and that
// the algorithm is allowed.
func (h *Handler) paramsAcceptable(p params) bool {
	for _, enforced := range h.cfg.EnforceHeaders {
		signed := false
		for _, name := range p.headers {
			if name == enforced {
				signed = true
				break
			}
		}
		if !signed {
			return false
		}
	}
	return h.algorithms[p.algorithm] && hashes[p.algorithm] != nil
}

// dateWithinSkew reports whether date is an HTTP date at most clock_skew
// seconds away from now.
func (h *Handler) dateWithinSkew(date string, now int64) bool {
	if date == "" {
		return false
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return false
	}
	return math.Abs(float64(now-t.Unix())) <= h.cfg.ClockSkew
}

// NonBlocking implements plugin.NonBlocking: signatures are checked in memory against the compiled configuration.
func (h *Handler) NonBlocking() bool { return true }
