package correlationid

import (
	"os"
	"strconv"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/plugin"
)

// processUUID identifies this process in uuid#counter ids, as Kong's
// per-worker uuid does.
var processUUID = uuid.NewString()

// counter numbers the uuid#counter ids of the process.
var counter atomic.Uint64

// trackerRequests numbers the tracker ids of the process.
var trackerRequests atomic.Uint64

var pid = strconv.Itoa(os.Getpid())

// generateUUID returns a random (version 4) UUID.
func generateUUID(plugin.Context) string { return uuid.NewString() }

// generateUUIDCounter returns "<process uuid>#<counter>".
func generateUUIDCounter(plugin.Context) string {
	n := counter.Add(1)
	b := make([]byte, 0, len(processUUID)+21)
	b = append(b, processUUID...)
	b = append(b, '#')
	b = strconv.AppendUint(b, n, 10)
	return string(b)
}

// generateTracker returns
// "<host>-<port>-<pid>-<request number>-1-<seconds with 3 decimals>".
// The plugin interface exposes neither the server address nor the
// connection, so the request's Host and port stand for the server
// address and port, and a process-wide request number for the
// connection (each request counts as the first of its connection).
func generateTracker(ctx plugin.Context) string {
	req := ctx.Request()
	now := ctx.Now()
	b := make([]byte, 0, 64)
	b = append(b, req.Host()...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(req.Port()), 10)
	b = append(b, '-')
	b = append(b, pid...)
	b = append(b, '-')
	b = strconv.AppendUint(b, trackerRequests.Add(1), 10)
	b = append(b, "-1-"...)
	b = strconv.AppendFloat(b, float64(now.UnixMilli())/1000, 'f', 3, 64)
	return string(b)
}
