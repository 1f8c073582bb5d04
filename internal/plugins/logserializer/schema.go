package logserializer

import (
	"errors"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

// MsgCustomFieldsUnsupported is the validation message for a config that
// sets custom_fields_by_lua: the gateway runs no Lua.
const MsgCustomFieldsUnsupported = "custom_fields_by_lua is not supported: Strait does not run Lua code"

// CustomFieldsByLua is the custom_fields_by_lua field of the log plugins:
// advertised like Kong's (a map of field name to Lua code, default null)
// and rejected when it holds anything.
func CustomFieldsByLua() *entity.Field {
	return &entity.Field{
		Name:   "custom_fields_by_lua",
		Type:   entity.TypeMap,
		Keys:   &entity.Field{Type: entity.TypeString, LenMin: 1},
		Values: &entity.Field{Type: entity.TypeString, LenMin: 1},
		Check: func(v any) string {
			if m, ok := v.(map[string]any); ok && len(m) > 0 {
				return MsgCustomFieldsUnsupported
			}
			return ""
		},
	}
}

// RejectCustomFields returns an error when config sets
// custom_fields_by_lua.
func RejectCustomFields(config entity.Object) error {
	if m, ok := config["custom_fields_by_lua"].(map[string]any); ok && len(m) > 0 {
		return errors.New(MsgCustomFieldsUnsupported)
	}
	return nil
}

// HostField is a required host name or IP address field.
func HostField(name string) *entity.Field {
	return &entity.Field{Name: name, Type: entity.TypeString, Required: true}
}

// PortField is a required port field (0 to 65535).
func PortField(name string) *entity.Field {
	return &entity.Field{Name: name, Type: entity.TypeInteger, Required: true, Between: &[2]float64{0, 65535}}
}

// MillisField is a number of milliseconds with a default.
func MillisField(name string, def float64) *entity.Field {
	return &entity.Field{Name: name, Type: entity.TypeNumber, Default: def}
}

// QueueField is Kong's queue record, shared by the batching log plugins.
func QueueField() *entity.Field {
	return &entity.Field{Name: "queue", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "max_batch_size", Type: entity.TypeInteger, Required: true, Default: float64(1), Between: &[2]float64{1, 1000000}},
		{Name: "max_coalescing_delay", Type: entity.TypeNumber, Required: true, Default: float64(1), Between: &[2]float64{0, 3600}},
		{Name: "max_entries", Type: entity.TypeInteger, Required: true, Default: float64(10000), Between: &[2]float64{1, 1000000}},
		{Name: "max_bytes", Type: entity.TypeInteger},
		{Name: "max_retry_time", Type: entity.TypeNumber, Required: true, Default: float64(60)},
		{Name: "initial_retry_delay", Type: entity.TypeNumber, Required: true, Default: 0.01, Between: &[2]float64{0.001, 1000000}},
		{Name: "max_retry_delay", Type: entity.TypeNumber, Required: true, Default: float64(60), Between: &[2]float64{0.001, 1000000}},
		{Name: "concurrency_limit", Type: entity.TypeInteger, Required: true, Default: float64(1), OneOf: []any{float64(-1), float64(1)}},
	}}
}

// QueueConfig is the typed queue record.
type QueueConfig struct {
	MaxBatchSize       int     `json:"max_batch_size"`
	MaxCoalescingDelay float64 `json:"max_coalescing_delay"`
	MaxEntries         int     `json:"max_entries"`
	MaxBytes           *int    `json:"max_bytes"`
	MaxRetryTime       float64 `json:"max_retry_time"`
	InitialRetryDelay  float64 `json:"initial_retry_delay"`
	MaxRetryDelay      float64 `json:"max_retry_delay"`
	ConcurrencyLimit   int     `json:"concurrency_limit"`
}

// unboundedConcurrency is how many batches are delivered at once when
// concurrency_limit is -1 (no ordering): bounded all the same, so that a
// slow destination cannot grow goroutines without limit.
const unboundedConcurrency = 64

// Options converts the queue record to sink options.
func (q QueueConfig) Options() Options {
	conc := 1
	if q.ConcurrencyLimit < 0 {
		conc = unboundedConcurrency
	}
	return Options{
		Queue: plugin.LogQueueOptions{
			Size:       q.MaxEntries,
			MaxBatch:   max(q.MaxBatchSize, 1),
			FlushEvery: max(seconds(q.MaxCoalescingDelay), time.Millisecond),
		},
		Concurrency: conc,
		Retry: &RetryPolicy{
			MaxTime:      seconds(q.MaxRetryTime),
			InitialDelay: max(seconds(q.InitialRetryDelay), time.Millisecond),
			MaxDelay:     max(seconds(q.MaxRetryDelay), time.Millisecond),
		},
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
