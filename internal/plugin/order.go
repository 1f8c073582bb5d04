package plugin

import (
	"cmp"
	"slices"
)

// RunsBefore reports whether plugin a runs before plugin b within a phase:
// higher priority first, equal priorities in reverse alphabetical order of
// name (as Kong sorts them).
func RunsBefore(a, b Plugin) bool { return compareOrder(a, b) < 0 }

// compareOrder orders plugins by execution: negative when a runs first.
func compareOrder(a, b Plugin) int {
	if c := cmp.Compare(b.Priority(), a.Priority()); c != 0 {
		return c
	}
	return cmp.Compare(b.Name(), a.Name())
}

// SortByOrder sorts plugins into execution order in place.
func SortByOrder(plugins []Plugin) {
	slices.SortFunc(plugins, compareOrder)
}
