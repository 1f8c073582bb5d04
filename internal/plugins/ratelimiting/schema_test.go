package ratelimiting

import (
	"reflect"
	"testing"

	"github.com/straitgw/strait/internal/entity"
)

func pluginsSchema() *entity.Schema {
	return entity.PluginsWith(func(name string) (entity.PluginDef, bool) {
		if name != Name {
			return entity.PluginDef{}, false
		}
		return entity.PluginDef{Config: Plugin{}.ConfigSchema()}, true
	})
}

func TestSchemaDefaultsAndAliases(t *testing.T) {
	s := pluginsSchema()
	obj, err := s.Process(entity.Object{"name": Name, "config": map[string]any{"minute": 5.0}}, entity.OpInsert, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := obj["config"].(map[string]any)
	want := map[string]any{
		"second": nil, "minute": 5.0, "hour": nil, "day": nil, "month": nil, "year": nil,
		"limit_by": "consumer", "header_name": nil, "path": nil, "policy": "local", "fault_tolerant": true,
		"redis": map[string]any{"host": nil, "port": 6379.0, "timeout": 2000.0, "username": nil, "password": nil,
			"database": 0.0, "ssl": false, "ssl_verify": false, "server_name": nil},
		"hide_client_headers": false, "error_code": 429.0, "error_message": "API rate limit exceeded",
		"sync_rate": -1.0, "window_type": "fixed",
		"redis_host": nil, "redis_port": 6379.0, "redis_password": nil, "redis_username": nil, "redis_ssl": false,
		"redis_ssl_verify": false, "redis_server_name": nil, "redis_timeout": 2000.0, "redis_database": 0.0,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaulted config\n got %v\nwant %v", cfg, want)
	}

	// A flat alias fills the nested field and is echoed.
	obj, err = s.Process(entity.Object{"name": Name, "config": map[string]any{
		"minute": 5.0, "policy": "redis", "redis_host": "r1", "redis_port": 6380.0}}, entity.OpInsert, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg = obj["config"].(map[string]any)
	redis := cfg["redis"].(map[string]any)
	if redis["host"] != "r1" || redis["port"] != 6380.0 || cfg["redis_host"] != "r1" || cfg["redis_port"] != 6380.0 {
		t.Errorf("alias not applied/echoed: %v", cfg)
	}

	// Updates through either spelling win over the stored echo.
	tests := []struct {
		name  string
		patch map[string]any
		want  string
	}{
		{"nested", map[string]any{"redis": map[string]any{"host": "r2"}}, "r2"},
		{"flat", map[string]any{"redis_host": "r3"}, "r3"},
		{"both, nested wins", map[string]any{"redis_host": "r4", "redis": map[string]any{"host": "r5"}}, "r5"},
	}
	for _, tc := range tests {
		upd, err := s.Process(entity.Object{"config": tc.patch}, entity.OpUpdate, obj)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c := upd["config"].(map[string]any)
		if c["redis"].(map[string]any)["host"] != tc.want || c["redis_host"] != tc.want {
			t.Errorf("%s: redis.host %v, redis_host %v, want %s", tc.name, c["redis"].(map[string]any)["host"], c["redis_host"], tc.want)
		}
	}
}

func TestSchemaChecks(t *testing.T) {
	s := pluginsSchema()
	tests := []struct {
		name   string
		config map[string]any
		want   map[string]any
	}{
		{"no window", map[string]any{}, map[string]any{"@entity": []any{msgAtLeastOneWindow}}},
		{"order", map[string]any{"minute": 20.0, "hour": 10.0},
			map[string]any{"config": "The limit for hour(10.0) cannot be lower than the limit for minute(20.0)"}},
		{"header needs name", map[string]any{"minute": 1.0, "limit_by": "header"}, map[string]any{
			"@entity": []any{"failed conditional validation given value of field 'config.limit_by'"},
			"config":  map[string]any{"header_name": "required field missing"}}},
		{"path needs path", map[string]any{"minute": 1.0, "limit_by": "path"}, map[string]any{
			"@entity": []any{"failed conditional validation given value of field 'config.limit_by'"},
			"config":  map[string]any{"path": "required field missing"}}},
		{"redis needs host", map[string]any{"minute": 1.0, "policy": "redis"}, map[string]any{
			"@entity": []any{"failed conditional validation given value of field 'config.policy'"},
			"config":  map[string]any{"redis": map[string]any{"host": "required field missing"}}}},
		{"sync_rate local", map[string]any{"minute": 1.0, "sync_rate": 1.0},
			map[string]any{"config": msgSyncRateRedisOnly}},
		{"sync_rate too low", map[string]any{"minute": 1.0, "sync_rate": 0.01, "policy": "redis",
			"redis": map[string]any{"host": "h"}}, map[string]any{"config": msgSyncRateTooLow}},
		{"cluster", map[string]any{"minute": 1.0, "policy": "cluster"},
			map[string]any{"config": map[string]any{"policy": msgClusterPolicy}}},
		{"bad window type", map[string]any{"minute": 1.0, "window_type": "rolling"},
			map[string]any{"config": map[string]any{"window_type": "expected one of: fixed, sliding"}}},
		{"zero limit", map[string]any{"minute": 0.0},
			map[string]any{"config": map[string]any{"minute": "value must be greater than 0"}}},
	}
	for _, tc := range tests {
		_, err := s.Process(entity.Object{"name": Name, "config": tc.config}, entity.OpInsert, nil)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		fields, _ := err.Fields.(map[string]any)
		for k, v := range tc.want {
			if !reflect.DeepEqual(fields[k], v) {
				t.Errorf("%s: field %s = %#v, want %#v (all: %v)", tc.name, k, fields[k], v, fields)
			}
		}
	}
	for _, ok := range []map[string]any{
		{"second": 1.0, "year": 1.0},
		{"minute": 1.0, "policy": "redis", "redis": map[string]any{"host": "h"}, "sync_rate": 0.5},
		{"minute": 2.0, "hour": 2.0, "window_type": "sliding", "limit_by": "header", "header_name": "x-user"},
	} {
		if _, err := s.Process(entity.Object{"name": Name, "config": ok}, entity.OpInsert, nil); err != nil {
			t.Errorf("%v rejected: %v", ok, err)
		}
	}
}

func TestSchemaJSON(t *testing.T) {
	doc, ok := pluginsSchema().PluginJSON(Name)
	if !ok {
		t.Fatal("no schema document")
	}
	var config map[string]any
	for _, f := range doc["fields"].([]any) {
		if c, ok := f.(map[string]any)["config"]; ok {
			config = c.(map[string]any)
		}
	}
	names := map[string]bool{}
	for _, f := range config["fields"].([]any) {
		for k := range f.(map[string]any) {
			names[k] = true
		}
	}
	if names["redis_host"] || !names["redis"] || !names["window_type"] || len(names) != 17 {
		t.Errorf("advertised fields %v", names)
	}
	short := config["shorthand_fields"].([]any)
	if len(short) != len(redisAliases) {
		t.Fatalf("shorthand_fields %v", short)
	}
	first := short[0].(map[string]any)["redis_host"].(map[string]any)
	path := first["deprecation"].(map[string]any)["replaced_with"].([]any)[0].(map[string]any)["path"]
	if !reflect.DeepEqual(path, []any{"redis", "host"}) {
		t.Errorf("redis_host replaced_with path %v", path)
	}
}
