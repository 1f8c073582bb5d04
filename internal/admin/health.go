package admin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/entity"
)

// balancerWait bounds how long a health request waits for a change just
// committed (a new upstream or target) to reach the balancers, which are
// rebuilt right after every commit.
const balancerWait = 2 * time.Second

// upstreamHealth serves the upstream health endpoints and the manual
// health overrides of targets and of their addresses.
type upstreamHealth struct {
	api       *API
	upstreams *entity.Schema
	targets   *nested
}

// registerHealthRoutes adds the health endpoints when the registry has
// upstreams and targets.
func (a *API) registerHealthRoutes() {
	ups, tgs := a.reg.Get("upstreams"), a.reg.Get("targets")
	if ups == nil || tgs == nil || ups.AdminPath == "" {
		return
	}
	h := &upstreamHealth{api: a, upstreams: ups, targets: &nested{api: a, parent: ups, child: tgs, fk: "upstream"}}
	base := "/" + ups.AdminPath + "/{" + ups.AdminPath + "}"
	a.mux.handle(base+"/health", http.MethodGet, h.health)
	target := base + "/targets/{targets}"
	// Kong serves the overrides on PUT; go-kong's helpers send POST.
	for _, method := range []string{http.MethodPut, http.MethodPost} {
		a.mux.handle(target+"/healthy", method, h.setTarget(true))
		a.mux.handle(target+"/unhealthy", method, h.setTarget(false))
		a.mux.handle(target+"/{address}/healthy", method, h.setAddress(true))
		a.mux.handle(target+"/{address}/unhealthy", method, h.setAddress(false))
	}
}

// health serves GET /upstreams/{u}/health: the upstream's targets, newest
// first and paged like its target list, each with its health and
// addresses; with ?balancer_health the health of the balancer itself.
func (h *upstreamHealth) health(rc *request) error {
	ctx := rc.r.Context()
	q, err := rc.query()
	if err != nil {
		return err
	}
	pq, err := parsePage(q, false)
	if err != nil {
		return err
	}
	up, err := h.targets.loadParent(ctx, h.api.st, rc)
	if err != nil {
		return err
	}
	if _, ok := q["balancer_health"]; ok {
		b := h.balancer(ctx, idOf(up), nil)
		if b == nil {
			return message(http.StatusBadRequest, "Upstream "+name(up)+" has no balancer")
		}
		report := b.Health()
		writeJSON(rc.w, http.StatusOK, map[string]any{
			"data": map[string]any{"id": idOf(up), "health": report.Health,
				"balancer_health": report.BalancerHealth, "details": report.Details()},
			"next": nil, "node_id": h.api.opts.NodeID,
		})
		return nil
	}
	page, err := h.targets.newestFirst(ctx, idOf(up), pq.opts)
	if err != nil {
		return err
	}
	var report balancer.UpstreamHealth
	h.balancer(ctx, idOf(up), func(b *balancer.Balancer) bool {
		report = b.Health()
		return knowsAll(report, page.Data)
	})
	data := make([]entity.Object, 0, len(page.Data))
	for _, t := range page.Data {
		data = append(data, withHealth(shown(h.targets.child, t), report))
	}
	page.Data = data
	body := listBody(page, "/"+h.upstreams.AdminPath+"/"+rc.raw[0]+"/health", pq, false)
	body["node_id"] = h.api.opts.NodeID
	writeJSON(rc.w, http.StatusOK, body)
	return nil
}

// knowsAll reports whether the balancer's report covers every target.
func knowsAll(report balancer.UpstreamHealth, targets []entity.Object) bool {
	known := make(map[string]bool, len(report.Targets))
	for _, th := range report.Targets {
		known[th.TargetID] = true
	}
	for _, t := range targets {
		if !known[idOf(t)] {
			return false
		}
	}
	return true
}

// withHealth returns a target entity with the "health" and "data" the
// balancer reports for it; a target the balancer does not know reports
// HEALTHCHECKS_OFF.
func withHealth(target entity.Object, report balancer.UpstreamHealth) entity.Object {
	out := make(entity.Object, len(target)+2)
	for k, v := range target {
		out[k] = v
	}
	out["health"] = balancer.HealthchecksOff
	for _, th := range report.Targets {
		if th.TargetID == idOf(target) {
			out["health"], out["data"] = th.Health, th.Data
			break
		}
	}
	return out
}

// setTarget serves PUT /upstreams/{u}/targets/{t}/healthy|unhealthy.
func (h *upstreamHealth) setTarget(healthy bool) handlerFunc {
	return func(rc *request) error {
		up, target, err := h.loadTarget(rc)
		if err != nil {
			return err
		}
		set := func(b *balancer.Balancer) error { return b.SetTargetHealth(idOf(target), healthy) }
		if err := h.apply(rc.r.Context(), up, set); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// setAddress serves PUT
// /upstreams/{u}/targets/{t}/{address}/healthy|unhealthy: one resolved
// address ("ip" or "ip:port", port 8000 by default) of the target.
func (h *upstreamHealth) setAddress(healthy bool) handlerFunc {
	return func(rc *request) error {
		up, target, err := h.loadTarget(rc)
		if err != nil {
			return err
		}
		address := rc.params[2]
		set := func(b *balancer.Balancer) error { return b.SetAddressHealth(idOf(target), address, healthy) }
		if err := h.apply(rc.r.Context(), up, set); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// loadTarget resolves the upstream and the target of the URL; either
// missing is a 404.
func (h *upstreamHealth) loadTarget(rc *request) (up, target entity.Object, err error) {
	up, target, _, _, err = h.targets.loadChild(rc.r.Context(), h.api.st, rc)
	if err != nil {
		return nil, nil, err
	}
	if target == nil {
		return nil, nil, errNotFound
	}
	return up, target, nil
}

// apply runs set on the upstream's balancer, waiting briefly for a target
// committed moments ago to reach it. Failures are 400 with the reason.
func (h *upstreamHealth) apply(ctx context.Context, up entity.Object, set func(*balancer.Balancer) error) error {
	var setErr error
	b := h.balancer(ctx, idOf(up), func(b *balancer.Balancer) bool {
		setErr = set(b)
		return !errors.Is(setErr, balancer.ErrTargetNotFound)
	})
	if b == nil {
		return message(http.StatusBadRequest, "Upstream "+name(up)+" has no balancer")
	}
	if setErr != nil {
		return message(http.StatusBadRequest, setErr.Error())
	}
	return nil
}

// balancer returns the upstream's balancer once ready reports true (nil
// ready accepts any), polling for up to balancerWait; nil when the node
// runs without balancers or the upstream has none. The last balancer
// seen is returned even if it never became ready.
func (h *upstreamHealth) balancer(ctx context.Context, upstreamID string, ready func(*balancer.Balancer) bool) *balancer.Balancer {
	m := h.api.opts.Balancers
	if m == nil {
		return nil
	}
	deadline := time.Now().Add(balancerWait)
	for {
		b := m.Get(upstreamID)
		if b != nil && (ready == nil || ready(b)) {
			return b
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// name returns an entity's name, else its id.
func name(obj entity.Object) string {
	if n, ok := obj["name"].(string); ok && n != "" {
		return n
	}
	return idOf(obj)
}
