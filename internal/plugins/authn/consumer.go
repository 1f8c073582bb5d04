package authn

import (
	"github.com/straitgw/strait/internal/plugin"
)

// Upstream headers announcing the authenticated consumer (Kong's
// X-Consumer-ID and friends), spelled in the canonical form of Go's
// net/http so that engines storing headers that way need no conversion.
const (
	HeaderConsumerID           = "X-Consumer-Id"
	HeaderConsumerCustomID     = "X-Consumer-Custom-Id"
	HeaderConsumerUsername     = "X-Consumer-Username"
	HeaderCredentialIdentifier = "X-Credential-Identifier"
	HeaderAnonymousConsumer    = "X-Anonymous-Consumer"
)

// Provider is implemented by engine contexts that can hand plugins the
// Directory of the configuration serving the request.
type Provider interface {
	Directory() *Directory
}

// DirectoryOf returns the directory of ctx's configuration, or nil when
// the engine provides none.
func DirectoryOf(ctx plugin.Context) *Directory {
	if p, ok := ctx.(Provider); ok {
		return p.Directory()
	}
	return nil
}

// SetConsumer records consumer and credential on ctx and rewrites the
// upstream headers as Kong's auth plugins do: each header is set from the
// consumer or credential, or removed when there is no value, so that
// client-sent copies never reach the upstream. identifier is the value of
// X-Credential-Identifier (the credential id or username, by plugin); a
// nil credential marks an anonymous consumer.
func SetConsumer(ctx plugin.Context, consumer *plugin.Consumer, credential *plugin.Credential, identifier string) {
	ctx.Authenticate(consumer, credential)
	req := ctx.Request()
	setOrDel(req, HeaderConsumerID, consumer.ID)
	setOrDel(req, HeaderConsumerCustomID, consumer.CustomID)
	setOrDel(req, HeaderConsumerUsername, consumer.Username)
	if credential != nil {
		setOrDel(req, HeaderCredentialIdentifier, identifier)
		req.DelHeader(HeaderAnonymousConsumer)
	} else {
		req.DelHeader(HeaderCredentialIdentifier)
		req.SetHeader(HeaderAnonymousConsumer, "true")
	}
}

func setOrDel(req plugin.Request, name, value string) {
	if value == "" {
		req.DelHeader(name)
		return
	}
	req.SetHeader(name, value)
}

// AlreadyAuthenticated reports whether an earlier auth plugin identified
// the client with a credential: with anonymous configured, auth plugins
// are alternatives (logical OR) and the later ones step aside.
func AlreadyAuthenticated(ctx plugin.Context) bool {
	return ctx.Credential() != nil
}

// UseAnonymous authenticates the request as the anonymous consumer named
// by anonymous (an id or a username). When that consumer does not exist
// it ends the request with Kong's 500 error.
func UseAnonymous(ctx plugin.Context, anonymous string) {
	c := DirectoryOf(ctx).ConsumerByIDOrUsername(anonymous)
	if c == nil {
		ctx.Error(500, "anonymous consumer "+anonymous+" is configured but doesn't exist")
		return
	}
	SetConsumer(ctx, c, nil, "")
}

// Deny ends the request with status and message in Kong's error format,
// announcing the authentication scheme in WWW-Authenticate.
func Deny(ctx plugin.Context, status int, message, wwwAuthenticate string) {
	ctx.Response().SetHeader("WWW-Authenticate", wwwAuthenticate)
	ctx.Error(status, message)
}
