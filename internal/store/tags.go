package store

import "slices"

// ObjectTags returns the distinct tags of obj's "tags" field in their
// original order; nil when the field is null or absent. Non-string elements
// are ignored.
func ObjectTags(obj map[string]any) []string {
	var out []string
	switch v := obj["tags"].(type) {
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	case []string:
		for _, s := range v {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// DistinctTags returns tags without repetitions, keeping the first
// occurrence of each.
func DistinctTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
