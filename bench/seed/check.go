package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// checkProxy waits (the configuration reaches the proxy asynchronously)
// until GET proxy+path+"/" is routed, i.e. answers anything but 404. With
// keyAuth, the same request without its query must be refused with 401,
// which shows that the plugin runs on the route.
func checkProxy(ctx context.Context, proxy, path string, keyAuth bool) error {
	url := proxy + path + "/" // the driver appends "/" to the whole URL
	deadline := time.Now().Add(30 * time.Second)
	var status int
	for {
		var err error
		status, err = get(ctx, url)
		if err == nil && status != http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("proxy never routed GET %s (last status %d, error %v)", url, status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !keyAuth {
		return nil
	}
	if status == http.StatusUnauthorized {
		return fmt.Errorf("%w: GET %s with its key answered 401", errUnsupported, url)
	}
	bare, _, _ := strings.Cut(path, "?")
	got, err := get(ctx, proxy+bare+"/")
	if err != nil {
		return err
	}
	if got != http.StatusUnauthorized {
		return fmt.Errorf("%w: key-auth is configured but GET %s/ without a key answered %d, not 401", errUnsupported, bare, got)
	}
	return nil
}

func get(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("building GET %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
