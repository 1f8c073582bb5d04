package cors

import "github.com/straitgw/strait/internal/plugin"

// Header names the plugin reads and writes.
const (
	hOrigin              = "Origin"
	hVary                = "Vary"
	hAllowOrigin         = "Access-Control-Allow-Origin"
	hAllowCredentials    = "Access-Control-Allow-Credentials"
	hAllowHeaders        = "Access-Control-Allow-Headers"
	hAllowMethods        = "Access-Control-Allow-Methods"
	hMaxAge              = "Access-Control-Max-Age"
	hExposeHeaders       = "Access-Control-Expose-Headers"
	hAllowPrivateNetwork = "Access-Control-Allow-Private-Network"
	hRequestMethod       = "Access-Control-Request-Method"
	hRequestHeaders      = "Access-Control-Request-Headers"
	hRequestPrivateNet   = "Access-Control-Request-Private-Network"
)

// Handler is one configured cors instance.
type Handler struct {
	cfg           Config
	mode          originMode
	fixedOrigin   string
	listWildcard  bool
	rules         []originRule
	allowHeaders  string // "" means echo Access-Control-Request-Headers
	allowMethods  string
	exposeHeaders string
	maxAge        string
}

// isPreflight reports whether the request is a CORS preflight: OPTIONS
// with an Origin and an Access-Control-Request-Method.
func isPreflight(req plugin.Request) bool {
	return req.Method() == "OPTIONS" && req.Header(hOrigin) != "" && req.Header(hRequestMethod) != ""
}

// Access implements plugin.Accesser: it answers preflight requests with
// 200 and the Access-Control-* headers, unless preflight_continue hands
// them to the service.
func (h *Handler) Access(ctx plugin.Context) {
	req := ctx.Request()
	if h.cfg.PreflightContinue || !isPreflight(req) {
		return
	}
	origin := req.Header(hOrigin)
	var out headerSet
	allowAll := h.decideOrigin(&out, origin)
	h.credentials(&out, allowAll, origin)
	switch {
	case h.allowHeaders != "":
		out.set(hAllowHeaders, h.allowHeaders)
	case req.Header(hRequestHeaders) != "":
		out.set(hAllowHeaders, req.Header(hRequestHeaders))
	}
	out.set(hAllowMethods, h.allowMethods)
	if h.maxAge != "" {
		out.set(hMaxAge, h.maxAge)
	}
	if h.cfg.PrivateNetwork && req.Header(hRequestPrivateNet) == "true" {
		out.set(hAllowPrivateNetwork, "true")
	}
	ctx.Exit(200, nil, out.present()...)
}

// HeaderFilter implements plugin.HeaderFilterer: responses to other
// requests get the origin, credentials and exposed headers.
func (h *Handler) HeaderFilter(ctx plugin.Context) {
	req := ctx.Request()
	if isPreflight(req) {
		// Answered in Access, or left to the service.
		return
	}
	origin := req.Header(hOrigin)
	if origin == "" && !h.cfg.AllowOriginAbsent {
		return
	}
	var out headerSet
	allowAll := h.decideOrigin(&out, origin)
	h.credentials(&out, allowAll, origin)
	if h.exposeHeaders != "" {
		out.set(hExposeHeaders, h.exposeHeaders)
	}
	resp := ctx.Response()
	for _, hd := range out.list() {
		switch {
		case hd.Name == hVary:
			resp.AddHeader(hVary, hd.Value)
		case hd.Value == "":
			resp.DelHeader(hd.Name)
		default:
			resp.SetHeader(hd.Name, hd.Value)
		}
	}
}

// decideOrigin records Access-Control-Allow-Origin (and Vary) for the
// request origin and reports whether every origin is allowed. A refused
// origin is recorded with an empty value: the header is removed.
func (h *Handler) decideOrigin(out *headerSet, origin string) bool {
	if h.mode == allowAll {
		out.set(hAllowOrigin, "*")
		return true
	}
	// The answer depends on Origin: caches must key on it.
	out.vary()
	if h.mode == allowFixed {
		out.set(hAllowOrigin, h.fixedOrigin)
		return false
	}
	if origin != "" {
		if h.listWildcard {
			out.set(hAllowOrigin, "*")
			return true
		}
		if domain, ok := h.matchOrigin(origin); ok {
			out.set(hAllowOrigin, domain)
			return false
		}
	}
	out.set(hAllowOrigin, "")
	return false
}

// credentials records Access-Control-Allow-Credentials. A wildcard origin
// cannot go with credentials, so the request's origin is echoed instead.
func (h *Handler) credentials(out *headerSet, allowAll bool, origin string) {
	if !h.cfg.Credentials {
		return
	}
	if !allowAll {
		out.set(hAllowCredentials, "true")
		return
	}
	if origin != "" {
		out.vary()
		out.set(hAllowOrigin, origin)
		out.set(hAllowCredentials, "true")
	}
}

// NonBlocking implements plugin.NonBlocking: it only reads and sets headers.
func (h *Handler) NonBlocking() bool { return true }
