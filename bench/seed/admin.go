package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// admin is a minimal Admin API client.
type admin struct {
	base    string
	client  *http.Client
	workers int
}

func newAdmin(base string, workers int) *admin {
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	return &admin{base: base, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, workers: max(workers, 1)}
}

// call sends method path with body as JSON and decodes the response into
// out (when non-nil). It fails unless the status is want.
func (a *admin) call(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return fmt.Errorf("building %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading response: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return &statusError{method: method, path: path, status: resp.StatusCode, body: string(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding response: %w", method, path, err)
		}
	}
	return nil
}

// statusError is an Admin API answer with an unexpected status.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, e.body)
}

// createAll POSTs every body to path, a.workers at a time, and returns the
// first error.
func (a *admin) createAll(ctx context.Context, path string, bodies []map[string]any) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan map[string]any)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				if err := a.call(ctx, http.MethodPost, path, b, http.StatusCreated, nil); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	for _, b := range bodies {
		select {
		case jobs <- b:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}
