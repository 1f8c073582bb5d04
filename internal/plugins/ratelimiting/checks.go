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
	msgRequired = "required field missing"
)

// checkPlugin holds the plugin-level checks of Kong's schema: at least
// one window, the conditional requirements of policy and limit_by, and
// the config validator (window order, sync_rate).
func checkPlugin(obj entity.Object, _ entity.Operation) map[string]any {
	cfg, ok := obj["config"].(map[string]any)
	if !ok {
		return nil
	}
	errs := map[string]any{}
	var entityMsgs []any
	windows := 0
	for _, w := range windowNames {
		if _, isNum := cfg[w].(float64); isNum {
			windows++
		}
	}
	if windows == 0 {
		entityMsgs = append(entityMsgs, msgAtLeastOneWindow)
	}
	configErrs := map[string]any{}
	if cfg["policy"] == policyRedis {
		redis, _ := cfg["redis"].(map[string]any)
		redisErrs := map[string]any{}
		for _, f := range []string{"host", "port", "timeout"} {
			if redis == nil || redis[f] == nil {
				redisErrs[f] = msgRequired
			}
		}
		if len(redisErrs) > 0 {
			configErrs["redis"] = redisErrs
			entityMsgs = append(entityMsgs, "failed conditional validation given value of field 'config.policy'")
		}
	}
	for mode, field := range map[string]string{"header": "header_name", "path": "path"} {
		if cfg["limit_by"] == mode && cfg[field] == nil {
			configErrs[field] = msgRequired
			entityMsgs = append(entityMsgs, "failed conditional validation given value of field 'config.limit_by'")
		}
	}
	if cfg["policy"] == policyCluster {
		configErrs["policy"] = msgClusterPolicy
	}
	if len(configErrs) > 0 {
		errs["config"] = configErrs
	} else if msg := validateConfig(cfg); msg != "" {
		errs["config"] = msg
	}
	if len(entityMsgs) > 0 {
		errs["@entity"] = entityMsgs
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
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
