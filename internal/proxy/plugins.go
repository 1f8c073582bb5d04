package proxy

import (
	"net/http"

	"github.com/straitgw/strait/internal/plugin"
)

// startPlugins begins the plugin phases of a request when its snapshot
// has enabled plugins, and runs the rewrite phase. It reports whether a
// plugin ended the request (the exit response is then written).
func (p *Proxy) startPlugins(ex *exchange) bool {
	snap := ex.snap
	if snap == nil || !snap.HasPlugins {
		return false
	}
	ex.plugins = true
	ex.pc.begin(ex, snap)
	ex.run.Start(snap.Plugins.Global())
	if ex.run.Rewrite(&ex.pc) {
		p.respondExit(ex)
		return true
	}
	return false
}

// accessPlugins runs the access phase of the matched route's chain and
// reports whether a plugin ended the request (the exit response is then
// written).
func (p *Proxy) accessPlugins(ex *exchange) bool {
	if !ex.plugins {
		return false
	}
	if ex.run.Access(&ex.pc, ex.route.Plugins) {
		p.respondExit(ex)
		return true
	}
	return false
}

// respondExit writes the response of a plugin that called Exit or Error:
// its status, headers and body plus the gateway's own headers.
func (p *Proxy) respondExit(ex *exchange) {
	pc := &ex.pc
	h := ex.down.header()
	for _, hd := range pc.exitHeaders {
		_ = h.Set(hd.Name, hd.Value)
	}
	p.setGeneratedHeaders(ex, h)
	status := p.filterHeaders(ex, pc.exitStatus, plugin.SourceExit)
	body := p.filterWholeBody(ex, pc.exitBody)
	ex.down.writeHead(status, int64(len(body)))
	ex.status = status
	if ex.in.method != http.MethodHead {
		n, _ := ex.down.write(body)
		ex.bytesSent = int64(n)
	}
}

// filterHeaders runs the header filter phase when plugins take part in
// the request and returns the status to send.
func (p *Proxy) filterHeaders(ex *exchange, status int, source string) int {
	if !ex.plugins {
		return status
	}
	pc := &ex.pc
	pc.respStatus, pc.respSource = status, source
	ex.run.HeaderFilter(pc)
	ex.bodyFilter = hasBodyFilter(ex.run.Collected())
	return pc.respStatus
}

// filterWholeBody passes a complete gateway-produced body through the
// body filters, as one last chunk.
func (p *Proxy) filterWholeBody(ex *exchange, body []byte) []byte {
	if !ex.bodyFilter {
		return body
	}
	return ex.run.BodyFilter(&ex.pc, body, true)
}

// hasBodyFilter reports whether any instance takes part in the body
// filter phase.
func hasBodyFilter(cs []*plugin.Configured) bool {
	for _, c := range cs {
		if _, ok := c.Handler.(plugin.BodyFilterer); ok {
			return true
		}
	}
	return false
}

// logPlugins runs the log phase.
func (p *Proxy) logPlugins(ex *exchange) {
	if !ex.plugins {
		return
	}
	// The response is over: a panic here must not keep the access log
	// line or the engine's completion from happening.
	defer func() {
		if v := recover(); v != nil {
			p.logPanic(v)
		}
	}()
	ex.run.Log(&ex.pc)
}
