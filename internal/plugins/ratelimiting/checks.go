package ratelimiting

import (
	"strconv"

	"github.com/straitgw/strait/internal/entity"
)

// Validation messages.
const (
	msgAtLeastOneWindow = "at least one of these fields must be non-empty: 'config.second', 'config.minute', " +
		"'config.hour', 'config.day', 'config.month', 'config.year'"
	msgSyncRateRedisOnly = "sync_rate can only be used with the redis policy"
	msgSyncRateTooLow    = "sync_rate must be greater than 0.02, or -1 to disable"
	msgClusterPolicy     = "policy 'cluster' needs a PostgreSQL database, which this gateway does not use yet; " +
		"use 'local' or 'redis'"
)

// windowPaths are the window fields as paths from the plugin entity.
var windowPaths = func() []string {
	out := make([]string, len(windowNames))
	for i, w := range windowNames {
		out[i] = "config." + w
	}
	return out
}()

// pluginChecks are the entity checks of Kong's rate-limiting schema, in
// its order: at least one window, and the fields that policy redis and
// limit_by header or path make mandatory.
func pluginChecks() []entity.EntityCheck {
	required := func(ifField, value, thenField string) entity.EntityCheck {
		return entity.ConditionalCheck(ifField, func(v any) bool { return v == value }, thenField, entity.MatchRequired,
			map[string]any{
				"if_field": ifField, "if_match": map[string]any{"eq": value},
				"then_field": thenField, "then_match": map[string]any{"required": true},
			})
	}
	return []entity.EntityCheck{
		{Kind: entity.CheckAtLeastOneOf, Fields: windowPaths},
		required("config.policy", policyRedis, "config.redis.host"),
		required("config.policy", policyRedis, "config.redis.port"),
		required("config.limit_by", "header", "config.header_name"),
		required("config.limit_by", "path", "config.path"),
		required("config.policy", policyRedis, "config.redis.timeout"),
	}
}

// checkPolicy refuses the cluster policy, which needs a database this
// gateway does not have.
func checkPolicy(v any) string {
	if v == policyCluster {
		return msgClusterPolicy
	}
	return ""
}

// checkConfig is the config record's validator (Kong's custom_validator).
func checkConfig(v any) string {
	cfg, _ := v.(map[string]any)
	return validateConfig(cfg)
}

// validateConfig is Kong's config validator: a longer window may not
// have a lower limit, and sync_rate applies to redis only.
func validateConfig(cfg map[string]any) string {
	for i, shorter := range windowNames {
		lo, ok := cfg[shorter].(float64)
		if !ok {
			continue
		}
		for _, longer := range windowNames[i+1:] {
			if hi, ok := cfg[longer].(float64); ok && hi < lo {
				return "The limit for " + longer + "(" + oneDecimal(hi) + ") cannot be lower than the limit for " +
					shorter + "(" + oneDecimal(lo) + ")"
			}
		}
	}
	syncRate, _ := cfg["sync_rate"].(float64)
	if cfg["policy"] != policyRedis && syncRate != -1 {
		return msgSyncRateRedisOnly
	}
	if cfg["policy"] == policyRedis && syncRate != -1 && syncRate < 0.02 {
		return msgSyncRateTooLow
	}
	return ""
}

func oneDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
