package dbless

import (
	"context"
	"fmt"
	"math"

	"gopkg.in/yaml.v3"

	"github.com/straitgw/strait/internal/declarative"
	"github.com/straitgw/strait/internal/store"
)

// Export renders the current configuration as Kong's GET /config does: a
// flat YAML file (_format_version "3.0", _transform false, one list per
// entity type, foreign keys as id strings) that POST /config accepts
// back unchanged.
func (l *Loader) Export(ctx context.Context) ([]byte, error) {
	current, err := declarative.ReadStore(ctx, l.st, l.reg)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	doc := map[string]any{"_format_version": declarative.DumpFormatVersion, "_transform": false}
	for _, s := range l.reg.All() {
		list := current[s.Name]
		if len(list) == 0 {
			continue
		}
		foreign := s.ForeignFields()
		for _, obj := range list {
			for _, f := range foreign {
				if id, ok := store.ForeignID(obj[f.Name]); ok {
					obj[f.Name] = id
				}
			}
		}
		items := make([]any, len(list))
		for i, obj := range list {
			items[i] = integralNumbers(map[string]any(obj))
		}
		doc[s.Name] = items
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding configuration: %w", err)
	}
	return out, nil
}

// integralNumbers turns whole float64 values into int64 throughout v, so
// that the YAML shows 1712345678 rather than 1.712345678e+09.
func integralNumbers(v any) any {
	switch t := v.(type) {
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = integralNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = integralNumbers(e)
		}
	}
	return v
}
