package ratelimiting

import (
	"github.com/straitgw/strait/internal/entity"
)

// windowNames are the window fields, shortest first.
var windowNames = [...]string{"second", "minute", "hour", "day", "month", "year"}

// Error message defaults, as Kong words them.
const defaultErrorMessage = "API rate limit exceeded"

// Window types (window_type, a Strait extension).
const (
	windowFixed   = "fixed"
	windowSliding = "sliding"
)

// Policies.
const (
	policyLocal   = "local"
	policyCluster = "cluster"
	policyRedis   = "redis"
)

// redisAliases are the deprecated flat redis_* fields Kong still accepts
// and echoes.
var redisAliases = []entity.ConfigAlias{
	redisAlias("host", entity.TypeString),
	redisAlias("port", entity.TypeInteger),
	redisAlias("password", entity.TypeString),
	redisAlias("username", entity.TypeString),
	redisAlias("ssl", entity.TypeBoolean),
	redisAlias("ssl_verify", entity.TypeBoolean),
	redisAlias("server_name", entity.TypeString),
	redisAlias("timeout", entity.TypeInteger),
	redisAlias("database", entity.TypeInteger),
}

func redisAlias(field string, t entity.Type) entity.ConfigAlias {
	return entity.ConfigAlias{
		Name:    "redis_" + field,
		Path:    []string{"redis", field},
		Type:    t,
		Message: "rate-limiting: config.redis_" + field + " is deprecated, please use config.redis." + field + " instead",
	}
}

func gt(v float64) *float64 { return &v }

// redisSchema is the redis record shared by Kong's Redis-backed plugins.
func redisSchema() *entity.Field {
	return &entity.Field{Name: "redis", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "host", Type: entity.TypeString},
		{Name: "port", Type: entity.TypeInteger, Default: float64(6379), Between: &[2]float64{0, 65535}},
		{Name: "timeout", Type: entity.TypeInteger, Default: float64(2000), Between: &[2]float64{0, 2147483646}},
		{Name: "username", Type: entity.TypeString},
		{Name: "password", Type: entity.TypeString, Extra: map[string]any{"encrypted": true, "referenceable": true}},
		{Name: "database", Type: entity.TypeInteger, Default: float64(0)},
		{Name: "ssl", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "ssl_verify", Type: entity.TypeBoolean, Required: true, Default: false},
		{Name: "server_name", Type: entity.TypeString},
	}}
}

// configSchema builds the config record. The redis_* aliases are declared
// as fields so that stored configs (which echo them) validate, but the
// record advertises only its real fields plus Kong's shorthand_fields.
func configSchema() *entity.Field {
	headerName := entity.HeaderNameField("header_name")
	fields := make([]*entity.Field, 0, 24)
	for _, w := range windowNames {
		fields = append(fields, &entity.Field{Name: w, Type: entity.TypeNumber, Gt: gt(0)})
	}
	fields = append(fields,
		&entity.Field{Name: "limit_by", Type: entity.TypeString, Default: "consumer",
			OneOf: []any{"consumer", "credential", "ip", "service", "header", "path"}},
		headerName,
		&entity.Field{Name: "path", Type: entity.TypeString, StartsWith: "/"},
		&entity.Field{Name: "policy", Type: entity.TypeString, Default: policyLocal, LenMin: 0,
			OneOf: []any{policyLocal, policyCluster, policyRedis}, Check: checkPolicy},
		&entity.Field{Name: "fault_tolerant", Type: entity.TypeBoolean, Required: true, Default: true},
		redisSchema(),
		&entity.Field{Name: "hide_client_headers", Type: entity.TypeBoolean, Required: true, Default: false},
		&entity.Field{Name: "error_code", Type: entity.TypeNumber, Default: float64(429), Gt: gt(0)},
		&entity.Field{Name: "error_message", Type: entity.TypeString, Default: defaultErrorMessage},
		&entity.Field{Name: "sync_rate", Type: entity.TypeNumber, Required: true, Default: float64(-1)},
		&entity.Field{Name: "window_type", Type: entity.TypeString, Required: true, Default: windowFixed,
			OneOf: []any{windowFixed, windowSliding},
			Extra: map[string]any{"description": "Strait extension, not part of Kong: 'fixed' counts in " +
				"calendar windows aligned to UTC as Kong does; 'sliding' weighs the previous window's count by " +
				"the share of it still inside a sliding window, which smooths bursts at window edges."}},
	)
	real := fields
	all := append(append([]*entity.Field(nil), real...), aliasFields()...)
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: all, Check: checkConfig,
		Extra: map[string]any{
			"fields":           entity.RecordFieldsJSON(real),
			"shorthand_fields": entity.ShorthandFieldsJSON(redisAliases),
		}}
}

// aliasFields declares the alias fields with their types and no default.
func aliasFields() []*entity.Field {
	out := make([]*entity.Field, len(redisAliases))
	for i, a := range redisAliases {
		out[i] = &entity.Field{Name: a.Name, Type: a.Type, Deprecated: true}
	}
	return out
}
