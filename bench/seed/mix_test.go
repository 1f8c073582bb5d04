package main

import (
	"fmt"
	"slices"
	"testing"
)

func TestMixedRoutes(t *testing.T) {
	tests := []struct {
		n        int
		wantPath string
	}{
		{n: 10000, wantPath: "/svc5005"},
		{n: 5012, wantPath: "/svc5005"},
		{n: 100, wantPath: "/svc49"},
		{n: 30, wantPath: "/svc13"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			routes, path := mixedRoutes(tt.n)
			if len(routes) != tt.n {
				t.Fatalf("got %d routes, want %d", len(routes), tt.n)
			}
			if path != tt.wantPath {
				t.Fatalf("measured path %q, want %q", path, tt.wantPath)
			}
			names := map[string]bool{}
			var getRoutes, sharing int
			for _, r := range routes {
				name := r["name"].(string)
				if names[name] {
					t.Fatalf("duplicate route name %s", name)
				}
				names[name] = true
				paths, _ := r["paths"].([]string)
				if !slices.Contains(paths, path) {
					continue
				}
				sharing++
				if r["methods"] == nil && r["hosts"] == nil && r["headers"] == nil {
					getRoutes++
				}
			}
			// the measured route plus the POST-only decoy on the same prefix
			if sharing != 2 || getRoutes != 1 {
				t.Fatalf("routes with path %s: %d (want 2), matching a plain GET: %d (want 1)", path, sharing, getRoutes)
			}
		})
	}
}
