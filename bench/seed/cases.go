package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
)

// serviceName is the one service every case routes to.
const serviceName = "bench"

// apiKey is the key-auth credential of the plugins case. The benchmark
// driver appends "/" (and "/1k") to the measured URL, and the key travels in
// the query string, so the credential ends with "/"; a second one ending in
// "/1k" serves the 1 KiB body.
const apiKey = "bench-key"

func createService(ctx context.Context, a *admin, upstream string) error {
	return a.call(ctx, http.MethodPost, "/services",
		map[string]any{"name": serviceName, "url": upstream}, http.StatusCreated, nil)
}

// seedOneRoute creates the service and a single prefix route.
func seedOneRoute(ctx context.Context, a *admin, upstream string) (string, error) {
	if err := createService(ctx, a, upstream); err != nil {
		return "", err
	}
	route := map[string]any{"name": "bench", "paths": []string{"/bench"}, "strip_path": true}
	if err := a.call(ctx, http.MethodPost, "/services/"+serviceName+"/routes", route, http.StatusCreated, nil); err != nil {
		return "", err
	}
	return "/bench", nil
}

// seedManyRoutes creates the service, n routes of mixed shapes and, when
// the build has consumers, the given number of consumers.
func seedManyRoutes(ctx context.Context, a *admin, upstream string, n, consumers int) (string, error) {
	if err := createService(ctx, a, upstream); err != nil {
		return "", err
	}
	routes, path := mixedRoutes(n)
	if err := a.createAll(ctx, "/services/"+serviceName+"/routes", routes); err != nil {
		return "", fmt.Errorf("creating %d routes: %w", n, err)
	}
	if consumers > 0 {
		if err := a.call(ctx, http.MethodGet, "/consumers", nil, http.StatusOK, nil); err != nil {
			return "", fmt.Errorf("consumers %w: %w", errUnsupported, err)
		}
		bodies := make([]map[string]any, consumers)
		for i := range bodies {
			bodies[i] = map[string]any{"username": fmt.Sprintf("consumer-%d", i)}
		}
		if err := a.createAll(ctx, "/consumers", bodies); err != nil {
			return "", fmt.Errorf("creating %d consumers: %w", consumers, err)
		}
	}
	return path, nil
}

// seedPlugins builds the one-route case with key-auth and local
// rate-limiting on the route. The binary must list both plugins in
// GET /plugins/enabled: accepting a plugin entity is not proof that the
// proxy runs it.
func seedPlugins(ctx context.Context, a *admin, upstream string) (string, error) {
	var enabled struct {
		Plugins []string `json:"enabled_plugins"`
	}
	if err := a.call(ctx, http.MethodGet, "/plugins/enabled", nil, http.StatusOK, &enabled); err != nil {
		return "", err
	}
	var missing []string
	for _, p := range []string{"key-auth", "rate-limiting"} {
		if !slices.Contains(enabled.Plugins, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%w: GET /plugins/enabled lacks %v", errUnsupported, missing)
	}
	if _, err := seedOneRoute(ctx, a, upstream); err != nil {
		return "", err
	}
	steps := []struct {
		path string
		body map[string]any
	}{
		{"/routes/bench/plugins", map[string]any{"name": "key-auth", "config": map[string]any{"key_names": []string{"apikey"}}}},
		{"/routes/bench/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{
			"second": 1_000_000_000, "policy": "local", "limit_by": "consumer"}}},
		{"/consumers", map[string]any{"username": "bench"}},
		{"/consumers/bench/key-auth", map[string]any{"key": apiKey + "/"}},
		{"/consumers/bench/key-auth", map[string]any{"key": apiKey + "/1k"}},
	}
	for _, s := range steps {
		if err := a.call(ctx, http.MethodPost, s.path, s.body, http.StatusCreated, nil); err != nil {
			return "", fmt.Errorf("%w: %w", errUnsupported, err)
		}
	}
	return "/bench?apikey=" + apiKey, nil
}
