package balancer

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// restartProbesLocked stops the running active checks and starts new
// ones for the current configuration; b.mu is held.
func (b *Balancer) restartProbesLocked() {
	if b.probesCancel != nil {
		b.probesCancel()
		b.probesCancel = nil
	}
	a := b.cfg.active()
	if a.healthyInterval <= 0 && a.unhealthyInterval <= 0 {
		return
	}
	ctx, cancel := context.WithCancel(b.ctx)
	b.probesCancel = cancel
	if a.healthyInterval > 0 {
		b.startProbeLoop(ctx, a, true)
	}
	if a.unhealthyInterval > 0 {
		b.startProbeLoop(ctx, a, false)
	}
}

// active returns the active check configuration.
func (c *config) active() *activeConfig { return &c.health.active }

// startProbeLoop probes, every interval, the addresses whose health is
// wantHealthy: healthy ones at healthy.interval, unhealthy ones at
// unhealthy.interval.
func (b *Balancer) startProbeLoop(ctx context.Context, a *activeConfig, wantHealthy bool) {
	interval := a.unhealthyInterval
	if wantHealthy {
		interval = a.healthyInterval
	}
	m := b.mgr
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				b.probeRound(ctx, a, wantHealthy)
			}
		}
	}()
}

// probeRound probes the matching addresses of the current state, at most
// a.concurrency at a time, and waits for all of them.
func (b *Balancer) probeRound(ctx context.Context, a *activeConfig, wantHealthy bool) {
	s := b.st.Load()
	sem := make(chan struct{}, a.concurrency)
	var wg sync.WaitGroup
	for i := range s.entries {
		addr := s.entries[i].addr
		if addr.ep.healthy.Load() != wantHealthy {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ev := probe(ctx, a, addr)
			if ctx.Err() != nil {
				return
			}
			if addr.ep.observe(ev, &a.thresholds) {
				b.mgr.logHealthChange(s.cfg.name, addr, addr.ep.healthy.Load(), "active")
			}
		}()
	}
	wg.Wait()
}

// probe runs one active check against addr and classifies the result.
func probe(ctx context.Context, a *activeConfig, addr Address) event {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	target := netip.AddrPortFrom(addr.IP, uint16(addr.Port)).String()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return failureEvent(err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	switch a.kind {
	case "http", "https":
	default:
		// tcp (and gRPC, checked at the connection level): connecting is
		// the check.
		return evSuccess
	}
	if a.kind == "https" {
		sni := a.httpsSNI
		if _, err := netip.ParseAddr(addr.Hostname); sni == "" && err != nil {
			sni = addr.Hostname
		}
		tc := tls.Client(conn, &tls.Config{ServerName: sni, InsecureSkipVerify: !a.verifyCertificate}) //nolint:gosec // verification follows https_verify_certificate
		if err := tc.HandshakeContext(ctx); err != nil {
			return failureEvent(err)
		}
		conn = tc
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+a.httpPath, nil)
	if err != nil {
		return evTCPFailure
	}
	req.Host = probeHost(addr, a.kind)
	for k, v := range a.headers {
		req.Header[k] = v
	}
	req.Close = true
	if err := req.Write(conn); err != nil {
		return failureEvent(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return failureEvent(err)
	}
	_ = resp.Body.Close()
	switch {
	case a.healthyStatuses.has(resp.StatusCode):
		return evSuccess
	case a.unhealthyStatuses.has(resp.StatusCode):
		return evHTTPFailure
	}
	return evNone
}

// probeHost is the Host header of a probe: the target's host, with the
// port unless it is the scheme's default.
func probeHost(addr Address, kind string) string {
	host := addr.Hostname
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		host = "[" + host + "]"
	}
	if kind == "http" && addr.Port == 80 || kind == "https" && addr.Port == 443 {
		return host
	}
	return host + ":" + strconv.Itoa(addr.Port)
}

// failureEvent classifies a connection-level error.
func failureEvent(err error) event {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return evTimeout
	}
	return evTCPFailure
}
