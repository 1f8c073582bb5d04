package plugin

// Run carries one request through the plugin phases. The engine keeps one
// Run in its reusable per-request state and calls Start at the beginning
// of each request; after the first few requests a Run does not allocate.
//
// Phase order: Start, Rewrite, Access (once the route is known; skipped
// when no route matched), HeaderFilter, BodyFilter (per chunk), Log. A Run
// is used by one request at a time.
type Run struct {
	global    *Chain
	collected []*Configured
	accessed  bool
}

// Start prepares the Run for a new request served by a configuration
// whose global chain is global.
func (r *Run) Start(global *Chain) {
	clear(r.collected)
	r.collected = r.collected[:0]
	r.global = global
	r.accessed = false
}

// Rewrite runs the rewrite phase of the global instances. It stops at the
// first plugin that ends the request and reports whether one did.
func (r *Run) Rewrite(ctx Context) (exited bool) {
	if r.global == nil {
		return ctx.Exited()
	}
	for _, cfg := range r.global.fixed {
		if cfg.rewriter == nil {
			continue
		}
		cfg.rewriter.Rewrite(ctx)
		if ctx.Exited() {
			return true
		}
	}
	return false
}

// Access runs the access phase of the route's chain. Each plugin's
// instance is resolved at its turn, so consumer-scoped instances apply
// once an earlier plugin authenticated a consumer. The instances that ran
// are collected for the later phases. Access stops at the first plugin
// that ends the request and reports whether one did; that plugin and the
// earlier ones still take part in the response and log phases.
func (r *Run) Access(ctx Context, chain *Chain) (exited bool) {
	clear(r.collected)
	r.collected = r.collected[:0]
	r.accessed = true
	if ctx.Exited() {
		return true
	}
	if chain == nil {
		return false
	}
	for i := range chain.links {
		cfg := chain.links[i].pick(ctx)
		if cfg == nil {
			continue
		}
		r.collected = append(r.collected, cfg)
		if cfg.accesser == nil {
			continue
		}
		cfg.accesser.Access(ctx)
		if ctx.Exited() {
			return true
		}
	}
	return false
}

// Collected returns the instances the response and log phases run: those
// collected by Access, or the global ones when Access did not run. The
// slice is only valid until the next Start.
func (r *Run) Collected() []*Configured {
	if r.accessed {
		return r.collected
	}
	if r.global == nil {
		return nil
	}
	return r.global.fixed
}

// HeaderFilter runs the header filter phase of the collected instances.
func (r *Run) HeaderFilter(ctx Context) {
	for _, cfg := range r.Collected() {
		if cfg.headerFilterer != nil {
			cfg.headerFilterer.HeaderFilter(ctx)
		}
	}
}

// BodyFilter passes one response body chunk through the body filters of
// the collected instances, in order, and returns the chunk to send.
func (r *Run) BodyFilter(ctx Context, chunk []byte, eof bool) []byte {
	for _, cfg := range r.Collected() {
		if cfg.bodyFilterer != nil {
			chunk = cfg.bodyFilterer.BodyFilter(ctx, chunk, eof)
		}
	}
	return chunk
}

// Log hands the request's log record to the loggers among the collected
// instances. The record is built (ctx.LogRecord) only when at least one
// logger is present.
func (r *Run) Log(ctx Context) {
	var rec *LogRecord
	for _, cfg := range r.Collected() {
		if cfg.logger == nil {
			continue
		}
		if rec == nil {
			rec = ctx.LogRecord()
		}
		cfg.logger.Log(rec)
	}
}
