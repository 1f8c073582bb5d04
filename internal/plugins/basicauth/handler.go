package basicauth

import (
	"encoding/base64"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
)

const msgUnauthorized = "Unauthorized"

// Handler is one configured basic-auth instance.
type Handler struct {
	cfg       Config
	challenge string // WWW-Authenticate value
	anonymous string
}

// Access implements plugin.Accesser.
func (h *Handler) Access(ctx plugin.Context) {
	if h.anonymous != "" && authn.AlreadyAuthenticated(ctx) {
		return
	}
	if h.authenticate(ctx) {
		return
	}
	if h.anonymous != "" {
		authn.UseAnonymous(ctx, h.anonymous)
		return
	}
	authn.Deny(ctx, 401, msgUnauthorized, h.challenge)
}

// authenticate checks Proxy-Authorization, then Authorization, and
// records the consumer; it reports success.
func (h *Handler) authenticate(ctx plugin.Context) bool {
	req := ctx.Request()
	proxyAuth, auth := req.Header("Proxy-Authorization"), req.Header("Authorization")
	if proxyAuth == "" && auth == "" {
		return false
	}
	dir := authn.DirectoryOf(ctx)
	var cred *authn.BasicCredential
	user, pass, ok := h.credentials(req, proxyAuth, "Proxy-Authorization")
	if ok {
		cred = dir.BasicAuth(user)
	}
	if cred == nil {
		user, pass, ok = h.credentials(req, auth, "Authorization")
		if !ok {
			return false
		}
		cred = dir.BasicAuth(user)
	}
	if cred == nil || !cred.PasswordMatches(pass) {
		return false
	}
	authn.SetConsumer(ctx, cred.Consumer, &cred.Credential, cred.Username)
	return true
}

// credentials parses one header's Basic credentials; with
// hide_credentials the header is removed once it parsed.
func (h *Handler) credentials(req plugin.Request, value, header string) (user, pass string, ok bool) {
	user, pass, ok = ParseBasic(value)
	if ok && h.cfg.HideCredentials {
		req.DelHeader(header)
	}
	return user, pass, ok
}

// ParseBasic extracts username and password from a Basic authorization
// value: the scheme (case-insensitive first letter, as Kong accepts "Basic"
// or "basic"), optional spaces, then base64 of "user:password" where the
// user is not empty and the password may contain ":".
func ParseBasic(value string) (user, pass string, ok bool) {
	v := strings.TrimLeft(value, " \t")
	if len(v) < 5 || (v[0] != 'B' && v[0] != 'b') || v[1:5] != "asic" {
		return "", "", false
	}
	encoded := strings.TrimSpace(v[5:])
	if encoded == "" {
		return "", "", false
	}
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", "", false
	}
	user, pass, found := strings.Cut(string(decoded), ":")
	if !found || user == "" {
		return "", "", false
	}
	return user, pass, true
}

// NonBlocking implements plugin.NonBlocking: credentials are looked up in the compiled configuration.
func (h *Handler) NonBlocking() bool { return true }
