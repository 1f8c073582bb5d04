package dbless

import (
	"github.com/straitgw/strait/internal/declarative"
)

// renderPlan describes the changes of a dry run: counts by kind, and per
// entity type the entities to create, update (with the fields that
// change) and delete.
func renderPlan(changes []declarative.Change) map[string]any {
	summary := map[string]int{"create": 0, "update": 0, "delete": 0}
	byType := map[string]map[string][]any{}
	for _, c := range changes {
		summary[string(c.Op)]++
		kinds := byType[c.Schema.Name]
		if kinds == nil {
			kinds = map[string][]any{"create": {}, "update": {}, "delete": {}}
			byType[c.Schema.Name] = kinds
		}
		item := map[string]any{"id": c.ID}
		obj := c.New
		if obj == nil {
			obj = c.Old
		}
		if key := c.Schema.EndpointKey; key != "" {
			if name, ok := obj[key].(string); ok {
				item["name"] = name
			}
		}
		if c.Op == declarative.OpUpdate {
			item["fields"] = c.FieldChanges()
		}
		kinds[string(c.Op)] = append(kinds[string(c.Op)], item)
	}
	return map[string]any{"dry_run": true, "summary": summary, "changes": byType}
}
