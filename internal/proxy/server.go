package proxy

import "net/http"

// NewServer returns an http.Server for the proxy listener with the
// request-head limits and slow-client timeouts set. Stop it with
// Shutdown, which drains in-flight requests, then call Proxy.Close to
// flush the access log and release upstream connections.
func (p *Proxy) NewServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           p,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		// net/http answers 431 beyond this many bytes of request head.
		MaxHeaderBytes: p.opts.MaxHeaderBytes,
	}
}
