package keyauth

import (
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
)

// Error messages, as Kong's key-auth words them.
const (
	msgNoKey        = "No API key found in request"
	msgDuplicateKey = "Duplicate API key found"
	msgInvalidKey   = "Unauthorized"
	msgInvalidBody  = "Cannot process request body"
)

// Handler is one configured key-auth instance.
type Handler struct {
	cfg         Config
	headerNames []string
	challenge   string // WWW-Authenticate value
	anonymous   string
}

// failure is why authentication failed.
type failure struct {
	status  int
	message string
}

// Access implements plugin.Accesser.
func (h *Handler) Access(ctx plugin.Context) {
	if !h.cfg.RunOnPreflight && ctx.Request().Method() == "OPTIONS" {
		return
	}
	if h.anonymous != "" && authn.AlreadyAuthenticated(ctx) {
		return
	}
	fail := h.authenticate(ctx)
	if fail == nil {
		return
	}
	if h.anonymous != "" {
		authn.UseAnonymous(ctx, h.anonymous)
		return
	}
	if fail.status == 401 {
		authn.Deny(ctx, fail.status, fail.message, h.challenge)
		return
	}
	ctx.Error(fail.status, fail.message)
}

var (
	failNoKey        = &failure{401, msgNoKey}
	failDuplicateKey = &failure{401, msgDuplicateKey}
	failInvalidKey   = &failure{401, msgInvalidKey}
	failInvalidBody  = &failure{400, msgInvalidBody}
)

// authenticate finds the key, checks it and records the consumer; it
// returns nil on success.
func (h *Handler) authenticate(ctx plugin.Context) *failure {
	req := ctx.Request()
	var body *formBody
	if h.cfg.KeyInBody {
		b, err := readBody(req)
		if err != nil {
			return failInvalidBody
		}
		body = b
	}
	key, found := "", false
	for i, name := range h.cfg.KeyNames {
		v, n := h.lookup(req, body, i, name)
		if n > 1 {
			return failDuplicateKey
		}
		if n == 1 {
			key, found = v, true
			if h.cfg.HideCredentials {
				h.hide(req, body, i, name)
			}
			break
		}
	}
	if !found || key == "" {
		return failNoKey
	}
	cred := authn.DirectoryOf(ctx).KeyAuth(key)
	if cred == nil || cred.Expired(ctx.Now().Unix()) {
		return failInvalidKey
	}
	authn.SetConsumer(ctx, cred.Consumer, &cred.Credential, cred.Credential.ID)
	return nil
}

// lookup returns the first value of key name i found in the header, the
// query or the body, in that order, and how many values that place holds
// (0 when the name is absent everywhere or only a query flag).
func (h *Handler) lookup(req plugin.Request, body *formBody, i int, name string) (string, int) {
	if h.cfg.KeyInHeader {
		if vv := req.HeaderValues(h.headerNames[i]); len(vv) > 0 {
			return vv[0], len(vv)
		}
	}
	if h.cfg.KeyInQuery {
		if v, n := queryValue(req.RawQuery(), name); n > 0 {
			return v, n
		}
	}
	if body != nil {
		if v, n := body.value(name); n > 0 {
			return v, n
		}
	}
	return "", 0
}

// hide removes key name i from everywhere it may travel upstream.
func (h *Handler) hide(req plugin.Request, body *formBody, i int, name string) {
	req.DelHeader(h.headerNames[i])
	if raw := req.RawQuery(); raw != "" {
		if stripped, changed := stripQuery(raw, name); changed {
			req.SetRawQuery(stripped)
		}
	}
	if body != nil {
		if out, changed := body.without(name); changed {
			req.SetBody(out)
		}
	}
}

// NonBlocking implements plugin.NonBlocking: keys are looked up in the compiled configuration.
func (h *Handler) NonBlocking() bool { return true }
