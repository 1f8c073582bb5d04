package bundled

import (
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/acl"
	"github.com/straitgw/strait/internal/plugins/basicauth"
	"github.com/straitgw/strait/internal/plugins/hmacauth"
	"github.com/straitgw/strait/internal/plugins/jwt"
	"github.com/straitgw/strait/internal/plugins/keyauth"
)

// authPlugins are the authentication and authorisation plugins.
func authPlugins() []plugin.Plugin {
	return []plugin.Plugin{keyauth.Plugin{}, basicauth.Plugin{}, jwt.Plugin{}, hmacauth.Plugin{}, acl.Plugin{}}
}

// authEntities are the credential entities the auth plugins own.
func authEntities() []*entity.Schema {
	return []*entity.Schema{entity.KeyAuthCredentials, entity.BasicAuthCredentials,
		entity.JWTSecrets, entity.HMACAuthCredentials, entity.ACLs}
}
