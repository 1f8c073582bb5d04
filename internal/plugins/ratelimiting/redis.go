package ratelimiting

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// takeScript counts one request in every window atomically: it reads
// each window (and, for sliding windows, the weighted previous one),
// and only when all of them have room increments every counter, setting
// a new counter's expiry. It returns the index of the refusing window
// (-1 when none) followed by each window's usage.
//
// KEYS[2i-1], KEYS[2i]: the current and previous counter of window i.
// ARGV[1]: the number of windows; then per window: limit, weight, ttl in
// milliseconds.
var takeScript = redis.NewScript(`
local n = tonumber(ARGV[1])
local blocked = -1
local cur, prev = {}, {}
for i = 1, n do
  local limit = tonumber(ARGV[3*i-1])
  local weight = tonumber(ARGV[3*i])
  local p = 0
  if weight > 0 then
    p = math.floor((tonumber(redis.call('GET', KEYS[2*i])) or 0) * weight)
  end
  local c = tonumber(redis.call('GET', KEYS[2*i-1])) or 0
  cur[i], prev[i] = c, p
  if blocked < 0 and c + p + 1 > limit then blocked = i - 1 end
end
local out = {blocked}
for i = 1, n do
  local c = cur[i]
  if blocked < 0 then
    c = redis.call('INCR', KEYS[2*i-1])
    if c == 1 then redis.call('PEXPIRE', KEYS[2*i-1], ARGV[3*i+1]) end
  end
  out[i+1] = c + prev[i]
end
return out
`)

// redisStore is the redis policy's counterStore.
type redisStore struct {
	client *redis.Client
	// timeout bounds each request's round trip (redis.timeout).
	timeout time.Duration
}

// take implements counterStore with one script call.
func (s *redisStore) take(ctx context.Context, t *take) (int, error) {
	keys := make([]string, 0, 2*t.n)
	args := make([]any, 0, 1+3*t.n)
	args = append(args, t.n)
	for i := 0; i < t.n; i++ {
		w := &t.windows[i]
		prev := w.key
		if w.weight > 0 {
			prev = w.prevKey
		}
		keys = append(keys, string(w.key), string(prev))
		args = append(args, strconv.FormatFloat(w.limit, 'f', -1, 64),
			strconv.FormatFloat(w.weight, 'f', -1, 64), w.ttl.Milliseconds())
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	res, err := takeScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return -1, fmt.Errorf("rate-limiting: redis: %w", err)
	}
	if len(res) != t.n+1 {
		return -1, fmt.Errorf("rate-limiting: redis: unexpected script answer %v", res)
	}
	for i := 0; i < t.n; i++ {
		t.windows[i].used = res[i+1]
	}
	return int(res[0]), nil
}

// redisClients shares one client (and its connection pool) between the
// instances, and the successive configurations, that use the same Redis
// settings. Clients live as long as the process.
var redisClients struct {
	sync.Mutex
	byKey map[string]*redis.Client
}

// newRedisStore returns the store for cfg, reusing a client when one
// with the same settings exists.
func newRedisStore(cfg RedisConfig) (*redisStore, error) {
	if cfg.Host == nil || *cfg.Host == "" {
		return nil, fmt.Errorf("rate-limiting: policy redis needs redis.host")
	}
	port := 6379
	if cfg.Port != nil {
		port = *cfg.Port
	}
	timeout := cfg.redisTimeout()
	opts := &redis.Options{
		Addr:         net.JoinHostPort(*cfg.Host, strconv.Itoa(port)),
		DB:           cfg.Database,
		DialTimeout:  timeout,
		ReadTimeout:  timeout,
		WriteTimeout: timeout,
		// A failed call is reported at once: the request decides what
		// to do (fault_tolerant) instead of waiting for retries.
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
		// RESP2 and no maintenance handshake keep older servers usable.
		Protocol:                 2,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if cfg.Username != nil {
		opts.Username = *cfg.Username
	}
	if cfg.Password != nil {
		opts.Password = *cfg.Password
	}
	if cfg.SSL {
		serverName := *cfg.Host
		if cfg.ServerName != nil {
			serverName = *cfg.ServerName
		}
		opts.TLSConfig = &tls.Config{ServerName: serverName, InsecureSkipVerify: !cfg.SSLVerify, MinVersion: tls.VersionTLS12}
	}
	key := fmt.Sprintf("%s|%d|%q|%q|%t|%t|%s|%v", opts.Addr, opts.DB, opts.Username, opts.Password,
		cfg.SSL, cfg.SSLVerify, derefString(cfg.ServerName), timeout)
	redisClients.Lock()
	defer redisClients.Unlock()
	if redisClients.byKey == nil {
		redisClients.byKey = map[string]*redis.Client{}
	}
	c := redisClients.byKey[key]
	if c == nil {
		c = redis.NewClient(opts)
		redisClients.byKey[key] = c
	}
	return &redisStore{client: c, timeout: timeout}, nil
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
