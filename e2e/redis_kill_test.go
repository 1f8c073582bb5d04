package e2e

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestRateLimitingSurvivesRedisKilled starts a Redis server of its own,
// counts through it, kills it with SIGKILL in the middle of the traffic,
// and checks that a fault-tolerant rate-limiting instance keeps proxying.
func TestRateLimitingSurvivesRedisKilled(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is required (scripts/test.sh installs it)")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	redisProc := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no")
	if err := redisProc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { redisProc.Wait(); close(exited) }()
	t.Cleanup(func() { redisProc.Process.Kill(); <-exited })
	waitFor(t, 5*time.Second, "the test's own redis-server", func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})

	up := echoUpstream(t)
	n := startNode(t)
	rateRoute(n, up.URL, uuid.NewString(), uuid.NewString(), "/counted", map[string]any{
		"minute": 1000, "limit_by": "ip", "policy": "redis", "fault_tolerant": true,
		"redis": map[string]any{"host": "127.0.0.1", "port": atoi(t, port), "timeout": 300}})
	// While Redis answers, responses carry the counters it keeps (the
	// route can answer a moment before its plugin is compiled in).
	waitFor(t, 5*time.Second, "counted responses through Redis", func() bool {
		status, _, h := n.proxyStatus("/counted")
		return status == 200 && h.Get("X-RateLimit-Limit-Minute") == "1000"
	})

	redisProc.Process.Kill()
	<-exited

	for i := 0; i < 20; i++ {
		status, body, h := n.proxyStatus("/counted")
		if status != 200 {
			t.Fatalf("request %d after Redis was killed: %d %s", i, status, body)
		}
		if h.Get("X-RateLimit-Limit-Minute") != "" {
			t.Errorf("request %d after the kill still reports counters: %v", i, h)
		}
	}
	if !strings.Contains(n.output.String(), "counters unavailable") {
		t.Error("no warning logged when Redis went away")
	}
}
