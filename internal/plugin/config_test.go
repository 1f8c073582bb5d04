package plugin_test

import (
	"reflect"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func rateLimitSchema() *entity.Field {
	return &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "minute", Type: entity.TypeNumber},
		{Name: "policy", Type: entity.TypeString, Default: "local"},
		{Name: "hide_client_headers", Type: entity.TypeBoolean, Default: false},
		{Name: "key_names", Type: entity.TypeArray, Default: []any{"apikey"}},
		{Name: "redis", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
			{Name: "host", Type: entity.TypeString},
			{Name: "port", Type: entity.TypeInteger, Default: 6379.0},
		}},
		{Name: "optional", Type: entity.TypeRecord, Fields: []*entity.Field{
			{Name: "x", Type: entity.TypeString, Default: "y"},
		}},
	}}
}

func TestFillDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   entity.Object
		want entity.Object
	}{
		{
			name: "empty config",
			in:   nil,
			want: entity.Object{
				"minute": nil, "policy": "local", "hide_client_headers": false, "key_names": []any{"apikey"},
				"redis": map[string]any{"host": nil, "port": 6379.0}, "optional": nil,
			},
		},
		{
			name: "values and nulls kept, nested record filled",
			in:   entity.Object{"minute": 5.0, "policy": nil, "redis": map[string]any{"host": "r"}, "optional": map[string]any{}},
			want: entity.Object{
				"minute": 5.0, "policy": nil, "hide_client_headers": false, "key_names": []any{"apikey"},
				"redis": map[string]any{"host": "r", "port": 6379.0}, "optional": map[string]any{"x": "y"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plugin.FillDefaults(rateLimitSchema(), tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FillDefaults =\n %v\nwant\n %v", got, tt.want)
			}
		})
	}
}

func TestFillDefaultsDoesNotAlias(t *testing.T) {
	schema := rateLimitSchema()
	in := entity.Object{"redis": map[string]any{"host": "r"}}
	got := plugin.FillDefaults(schema, in)
	got["key_names"].([]any)[0] = "changed"
	if schema.Fields[3].Default.([]any)[0] != "apikey" {
		t.Error("changing an instance's config changed the schema default")
	}
	if _, filled := in["redis"].(map[string]any)["port"]; filled {
		t.Error("FillDefaults modified its input")
	}
}

func TestDecodeConfig(t *testing.T) {
	type redis struct {
		Host string `json:"host"`
		Port int    `json:"port"`
	}
	type config struct {
		Minute   *float64 `json:"minute"`
		Policy   string   `json:"policy"`
		KeyNames []string `json:"key_names"`
		Redis    redis    `json:"redis"`
	}
	cfg, err := plugin.DecodeConfig[config](plugin.FillDefaults(rateLimitSchema(), entity.Object{"minute": 10.0}))
	if err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	if cfg.Minute == nil || *cfg.Minute != 10 || cfg.Policy != "local" || cfg.Redis.Port != 6379 || len(cfg.KeyNames) != 1 {
		t.Errorf("decoded %+v", cfg)
	}
	if _, err := plugin.DecodeConfig[config](entity.Object{"policy": 5.0}); err == nil {
		t.Error("DecodeConfig accepted a number for a string field")
	}
}
