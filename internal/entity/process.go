package entity

import (
	"math"
	"time"
)

// Process turns request input into a complete, validated entity. For
// OpInsert and OpUpsert, in is the whole entity: shorthands are applied,
// absent fields take their defaults and id/created_at are generated when
// missing. For OpUpdate, in is merged onto existing first (records are
// deep-merged; arrays, sets and maps replaced; null clears). updated_at is
// always set to now. The input is never modified; the result is a new
// Object holding every schema field.
func (s *Schema) Process(in Object, op Operation, existing Object) (Object, *Error) {
	return s.process(in, op, existing, time.Now())
}

// Validate checks in as an insert would, without keeping the result; it
// backs POST /schemas/{entity}/validate.
func (s *Schema) Validate(in Object) *Error {
	_, err := s.Process(in, OpInsert, nil)
	return err
}

func (s *Schema) process(in Object, op Operation, existing Object, now time.Time) (Object, *Error) {
	input, _ := deepCopy(map[string]any(in)).(map[string]any)
	if input == nil {
		input = map[string]any{}
	}
	errs := map[string]any{}
	for _, shorthand := range s.Shorthands {
		mergeErrors(errs, shorthand(input, op))
	}
	ttl, ttlGiven := input["ttl"]
	if s.TTL {
		delete(input, "ttl")
	}

	fields := s.Fields
	var plugin *PluginDef
	var name string
	if s.Plugin != nil {
		name = pluginName(input, existing, op)
		fields, plugin = s.pluginFields(name, errs)
	}

	obj := input
	var storedTTL any
	if op == OpUpdate && existing != nil {
		obj, _ = deepCopy(map[string]any(existing)).(map[string]any)
		if s.TTL {
			storedTTL = obj["ttl"]
			delete(obj, "ttl")
		}
		mergeOnto(obj, input, fields)
	}
	s.fillAuto(obj, op, now)

	out, fieldErrs := checkFields(fields, obj, op)
	mergeErrors(errs, fieldErrs)
	if plugin != nil {
		checkPluginScope(*plugin, out, errs)
	}
	if s.TTL {
		if ttlGiven {
			out["ttl"] = storedTTLFor(checkTTL(ttl, errs), out["created_at"], now)
		} else {
			out["ttl"] = storedTTL
		}
	}
	runChecks(s.Checks, out, errs, op)
	if plugin != nil {
		runChecks(pluginEntityChecks(name), out, errs, op)
	}
	if len(errs) > 0 {
		return nil, SchemaViolation(errs)
	}
	if s.Normalize != nil {
		s.Normalize(out)
	}
	if s.Transform != nil {
		s.Transform(input, out, op)
	}
	return out, nil
}

// fillAuto sets the server-generated fields: a new id and created_at on
// insert/upsert when absent, and updated_at on every write.
func (s *Schema) fillAuto(obj map[string]any, op Operation, now time.Time) {
	for _, f := range s.Fields {
		if !f.Auto {
			continue
		}
		switch {
		case f.Name == s.primaryKey() && f.UUID:
			if op != OpUpdate && obj[f.Name] == nil {
				obj[f.Name] = NewUUID()
			}
		case f.Timestamp && f.Name == "updated_at":
			if !s.NoUpdatedAt {
				obj[f.Name] = timestamp(f, now)
			}
		case f.Timestamp:
			if obj[f.Name] == nil {
				obj[f.Name] = timestamp(f, now)
			}
		}
	}
}

func (s *Schema) primaryKey() string {
	if s.PrimaryKey == "" {
		return "id"
	}
	return s.PrimaryKey
}

// timestamp renders now as integer seconds, or with millisecond precision
// for number-typed timestamps (targets).
func timestamp(f *Field, now time.Time) float64 {
	if f.Type == TypeNumber {
		return math.Round(float64(now.UnixMilli())) / 1000
	}
	return float64(now.Unix())
}

// mergeOnto applies a PATCH body to a stored entity: record fields merge
// recursively, everything else is replaced.
func mergeOnto(dst, src map[string]any, fields []*Field) {
	for k, v := range src {
		f := findField(fields, k)
		sub, srcIsMap := v.(map[string]any)
		old, dstIsMap := dst[k].(map[string]any)
		if srcIsMap && dstIsMap && (f == nil && fields == nil || f != nil && f.Type == TypeRecord) {
			var subFields []*Field
			if f != nil {
				subFields = f.Fields
			}
			mergeOnto(old, sub, subFields)
			continue
		}
		dst[k] = v
	}
}

// checkTTL validates the ttl accepted by credential entities.
func checkTTL(v any, errs map[string]any) any {
	if v == nil {
		return nil
	}
	n, err := checkValue(&Field{Type: TypeInteger, Between: &[2]float64{0, 100000000}}, v, OpInsert)
	if err != nil {
		errs["ttl"] = err
		return nil
	}
	return n
}
