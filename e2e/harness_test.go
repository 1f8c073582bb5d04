// Package e2e drives the real strait binary: it builds it once, starts
// nodes on free loopback ports with their own prefix, and talks to them the
// way users and Kong's clients do.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var straitBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "strait-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	straitBin = filepath.Join(dir, "strait")
	build := exec.Command("go", "build", "-o", straitBin, "../cmd/strait")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building strait:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer collects a process's output safely across goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// node is one running strait process.
type node struct {
	t         *testing.T
	cmd       *exec.Cmd
	prefix    string
	env       []string
	proxyAddr string
	adminAddr string
	proxyURL  string
	adminURL  string
	output    *syncBuffer
	done      chan struct{}
	exitErr   error
}

// handedOut remembers the addresses freeAddr gave, so that two listeners
// of one node (or of nodes started close together) never get the same
// port: the kernel may offer a port again as soon as its probe is closed.
var handedOut sync.Map // string -> struct{}

// freeAddr returns a loopback address with a port that was free and that
// this test binary has not handed out before.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if _, seen := handedOut.LoadOrStore(addr, struct{}{}); !seen {
			return addr
		}
	}
	t.Fatal("no fresh loopback port")
	return ""
}

// startNode starts strait with a fresh prefix; extra env entries override.
func startNode(t *testing.T, extraEnv ...string) *node {
	t.Helper()
	n := &node{t: t, prefix: t.TempDir(), proxyAddr: freeAddr(t), adminAddr: freeAddr(t)}
	n.env = append([]string{
		"STRAIT_PREFIX=" + n.prefix,
		"STRAIT_PROXY_LISTEN=" + n.proxyAddr,
		"STRAIT_ADMIN_LISTEN=" + n.adminAddr,
		"STRAIT_LOG_LEVEL=info",
	}, extraEnv...)
	n.launch()
	t.Cleanup(func() { n.stop() })
	return n
}

// launch (re)starts the process with the node's prefix and ports.
func (n *node) launch() {
	n.t.Helper()
	n.proxyURL = "http://" + n.proxyAddr
	n.adminURL = "http://" + n.adminAddr
	n.output = &syncBuffer{}
	n.cmd = exec.Command(straitBin, "start")
	n.cmd.Env = append(os.Environ(), n.env...)
	n.cmd.Stdout, n.cmd.Stderr = n.output, n.output
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.done = make(chan struct{})
	go func() { n.exitErr = n.cmd.Wait(); close(n.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			n.t.Fatalf("strait exited during start: %v\n%s", n.exitErr, n.output.String())
		default:
		}
		res, err := http.Get(n.adminURL + "/status")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.t.Fatalf("strait did not become ready:\n%s", n.output.String())
}

// stop sends SIGTERM and waits; it reports a non-zero exit.
func (n *node) stop() {
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
		if n.exitErr != nil {
			n.t.Errorf("strait exited with %v after SIGTERM\n%s", n.exitErr, n.output.String())
		}
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		n.t.Errorf("strait did not stop within 20s of SIGTERM")
	}
}

// kill stops the process with SIGKILL, as a crash would.
func (n *node) kill() {
	n.cmd.Process.Kill()
	<-n.done
}

// do sends a request to the admin API with a JSON or form body.
func (n *node) admin(method, path string, body any) (int, map[string]any) {
	n.t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string: // form-encoded, as curl --data sends it
		rd, contentType = strings.NewReader(b), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			n.t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, n.adminURL+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			n.t.Fatalf("%s %s: status %d, body is not a JSON object: %q", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode, out
}

// mustAdmin is admin() that fails the test unless the status matches.
func (n *node) mustAdmin(want int, method, path string, body any) map[string]any {
	n.t.Helper()
	status, out := n.admin(method, path, body)
	if status != want {
		n.t.Fatalf("%s %s: status %d, want %d; body %v", method, path, status, want, out)
	}
	return out
}

// get sends a proxy request.
func (n *node) get(path string, header ...string) *http.Response {
	n.t.Helper()
	req, err := http.NewRequest("GET", n.proxyURL+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

// waitFor polls fn until it returns true or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, fn func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < timeout {
		if fn() {
			return time.Since(start)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", timeout, what)
	return 0
}

// echoed is what the echo upstream reports about the request it received.
type echoed struct {
	Method  string              `json:"method"`
	URI     string              `json:"uri"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// echoUpstream starts an HTTP server that answers every request with a
// JSON description of it.
func echoUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(echoed{Method: r.Method, URI: r.RequestURI, Host: r.Host, Headers: r.Header, Body: string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readEcho(t *testing.T, res *http.Response) echoed {
	t.Helper()
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("status %d, body %s", res.StatusCode, raw)
	}
	var e echoed
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("upstream answer is not the echo: %q", raw)
	}
	return e
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
