package ratelimiting

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straitgw/strait/internal/plugin"
)

// Response headers.
const (
	headerLimit      = "RateLimit-Limit"
	headerRemaining  = "RateLimit-Remaining"
	headerReset      = "RateLimit-Reset"
	headerRetryAfter = "Retry-After"
)

// emptyID stands for an unset route or service scope in counter keys, as
// in Kong's keys.
const emptyID = "00000000-0000-0000-0000-000000000000"

// ctxKey is where Access leaves its outcome for HeaderFilter.
const ctxKey = "rate-limiting.outcome"

// warnEvery is the least time between two warnings about an unreachable
// counter store.
const warnEvery = 10 * time.Second

// Handler is one configured rate-limiting instance.
type Handler struct {
	c             *compiled
	store         counterStore
	faultTolerant bool
	// keyPrefix starts every counter key with the instance's scope:
	// "ratelimit:<route id>:<service id>:".
	keyPrefix string
	log       *slog.Logger
	lastWarn  atomic.Int64
}

// outcome is one request's counting, kept between Access and
// HeaderFilter; it is pooled.
type outcome struct {
	take
	blocked int
	// resets holds each window's RateLimit-Reset value.
	resets [maxWindows]int64
	keys   []byte
	// scratch holds the text of one header value at a time (the
	// response copies it).
	scratch []byte
}

var outcomes = sync.Pool{New: func() any { return &outcome{keys: make([]byte, 0, 512), scratch: make([]byte, 0, 32)} }}

// NewHandler builds the handler of a global instance from its
// configuration; it warns through slog.Default.
func NewHandler(cfg Config) (*Handler, error) {
	return NewScopedHandler(cfg, "", "", slog.Default())
}

// NewScopedHandler builds the handler of an instance scoped to routeID
// and serviceID ("" when unset). As in Kong, its counters are keyed by
// that scope, not by the route a request matched, so a service-scoped or
// global instance counts a client across every route it applies to.
// Warnings about an unreachable counter store go to log.
func NewScopedHandler(cfg Config, routeID, serviceID string, log *slog.Logger) (*Handler, error) {
	c, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{c: c, faultTolerant: cfg.FaultTolerant, keyPrefix: scopePrefix(routeID, serviceID), log: log}
	switch cfg.Policy {
	case policyLocal, "":
		h.store = localCounters
	case policyRedis:
		s, err := newRedisStore(cfg.Redis)
		if err != nil {
			return nil, err
		}
		h.store = s
	case policyCluster:
		return nil, errors.New("rate-limiting: " + msgClusterPolicy)
	default:
		return nil, errors.New("rate-limiting: unknown policy " + strconv.Quote(cfg.Policy))
	}
	return h, nil
}

// Access implements plugin.Accesser: it counts the request in every
// window and refuses it when one of them is full.
func (h *Handler) Access(ctx plugin.Context) {
	now := ctx.Now()
	o := outcomes.Get().(*outcome)
	h.prepare(ctx, o, now)
	blocked, err := h.store.take(context.Background(), &o.take)
	if err != nil {
		outcomes.Put(o)
		h.storeFailed(ctx, err, now)
		return
	}
	o.blocked = blocked
	ctx.Set(ctxKey, o)
	if blocked >= 0 {
		ctx.Error(h.c.errorCode, h.c.errorMessage)
	}
}

// prepare fills o with the windows of this request: their keys, limits,
// weights, expiries and resets.
func (h *Handler) prepare(ctx plugin.Context, o *outcome, now time.Time) {
	keys := append(o.keys[:0], h.keyPrefix...)
	keys = h.appendIdentifier(keys, ctx)
	keys = append(keys, ':')
	base := len(keys)
	o.n, o.now = len(h.c.limits), now.UnixNano()
	for i := range h.c.limits {
		l := &h.c.limits[i]
		s := l.period.spanAt(now)
		w := &o.windows[i]
		start := len(keys)
		keys = appendWindowKey(keys, keys[:base], s.start, l.period.name)
		w.key = keys[start:len(keys):len(keys)]
		w.prevKey, w.weight = nil, 0
		if h.c.sliding {
			start = len(keys)
			keys = appendWindowKey(keys, keys[:base], s.prevStart, l.period.name)
			w.prevKey = keys[start:len(keys):len(keys)]
			w.weight = s.previousWeight(now)
		}
		w.limit = l.max
		w.ttl = s.ttl(h.c.sliding)
		w.expires = s.start + int64(w.ttl)
		w.used = 0
		o.resets[i] = l.period.resetSeconds(s, now)
	}
	// Keys point into the buffer; if it grew, keep the larger one.
	o.keys = keys
}

// appendWindowKey appends base, the window start in milliseconds and
// the period name ("<base><ms>:<period>").
func appendWindowKey(dst, base []byte, startNanos int64, name string) []byte {
	// base is a prefix of dst; appending only writes past len(dst), so
	// it is never overwritten.
	dst = append(dst, base...)
	dst = strconv.AppendInt(dst, startNanos/int64(time.Millisecond), 10)
	dst = append(dst, ':')
	return append(dst, name...)
}

// scopePrefix is Kong's counter key prefix for an instance scope:
// "ratelimit:<route id>:<service id>:", the empty UUID standing for an
// unset scope.
func scopePrefix(routeID, serviceID string) string {
	if routeID == "" {
		routeID = emptyID
	}
	if serviceID == "" {
		serviceID = emptyID
	}
	return "ratelimit:" + routeID + ":" + serviceID + ":"
}

// appendIdentifier appends what the request is counted by, falling back
// to the client address as Kong does when the configured source is
// missing.
func (h *Handler) appendIdentifier(b []byte, ctx plugin.Context) []byte {
	switch h.c.limitBy {
	case byConsumer:
		if c := ctx.Consumer(); c != nil && c.ID != "" {
			return append(b, c.ID...)
		}
		if cr := ctx.Credential(); cr != nil && cr.ID != "" {
			return append(b, cr.ID...)
		}
	case byCredential:
		if cr := ctx.Credential(); cr != nil && cr.ID != "" {
			return append(b, cr.ID...)
		}
	case byService:
		if s := ctx.Service(); s != nil && s.ID != "" {
			return append(b, s.ID...)
		}
	case byHeader:
		if v := ctx.Request().Header(h.c.headerName); v != "" {
			return append(b, v...)
		}
	case byPath:
		if p := ctx.Request().Path(); p == h.c.path {
			return append(b, p...)
		}
	}
	return ctx.Request().ClientIP().AppendTo(b)
}

// storeFailed handles a counter store error: with fault_tolerant the
// request goes on uncounted (with a warning at most every warnEvery);
// otherwise it fails with 500.
func (h *Handler) storeFailed(ctx plugin.Context, err error, now time.Time) {
	if !h.faultTolerant {
		ctx.Error(500, "")
		return
	}
	last := h.lastWarn.Load()
	if now.UnixNano()-last >= int64(warnEvery) && h.lastWarn.CompareAndSwap(last, now.UnixNano()) {
		h.log.Warn("rate-limiting: counters unavailable, requests pass uncounted (fault_tolerant)", "error", err)
	}
}

// HeaderFilter implements plugin.HeaderFilterer: it tells the client its
// limits and what is left of them, and on refusal when to retry.
func (h *Handler) HeaderFilter(ctx plugin.Context) {
	o, _ := ctx.Get(ctxKey).(*outcome)
	if o == nil {
		return
	}
	ctx.Set(ctxKey, nil)
	defer outcomes.Put(o)
	if h.c.hideHeaders {
		return
	}
	resp := ctx.Response()
	best, bestRemaining := -1, 0.0
	for i := 0; i < o.n; i++ {
		l := &h.c.limits[i]
		remaining := math.Max(0, l.max-float64(o.windows[i].used))
		if i == o.blocked {
			remaining = 0
		}
		resp.SetHeader(l.limitHeader, l.maxText)
		o.scratch = appendNumber(o.scratch[:0], remaining)
		resp.SetHeaderBytes(l.remainingHeader, o.scratch)
		if best < 0 || remaining < bestRemaining ||
			remaining == bestRemaining && l.period.seconds > h.c.limits[best].period.seconds {
			best, bestRemaining = i, remaining
		}
	}
	resp.SetHeader(headerLimit, h.c.limits[best].maxText)
	o.scratch = appendNumber(o.scratch[:0], bestRemaining)
	resp.SetHeaderBytes(headerRemaining, o.scratch)
	o.scratch = strconv.AppendInt(o.scratch[:0], o.resets[best], 10)
	resp.SetHeaderBytes(headerReset, o.scratch)
	if o.blocked >= 0 {
		resp.SetHeaderBytes(headerRetryAfter, o.scratch)
	}
}

// appendNumber appends a limit or a remaining count as Kong prints them:
// integers without a fraction.
func appendNumber(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// formatNumber prints a limit or a remaining count as Kong does:
// integers without a fraction.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// NonBlocking implements plugin.NonBlocking: local counters live in
// memory; Redis counters cost a network round trip, so requests counted
// there are served off the event loops.
func (h *Handler) NonBlocking() bool { return h.store == localCounters }
