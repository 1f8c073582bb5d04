package h1

// The event-loop API: how a handler serves requests on an event loop
// (LoopHandler) and learns the outcome of the loop's operations. The
// loops run on Linux (ServeEvents); elsewhere requests are served by
// goroutines and these operations are never reached.

// LoopHandler is a Handler that can serve a request on an event loop.
// ServeLoop must not block: it starts the request's work (Exchange and
// ClientConn offer event-driven operations that report back through
// small interfaces) and returns; the request ends when Exchange.Done is
// called, on the loop, possibly during ServeLoop. Work that must block
// goes off the loop with Exchange.Escape.
type LoopHandler interface {
	Handler
	ServeLoop(x *Exchange)
}

// BodyFilter transforms a response body streamed by Exchange.Pump, chunk
// by chunk; the last call has last set (and may have an empty chunk). An
// error ends the pump; it is reported to the PumpWaiter as srcErr.
type BodyFilter interface {
	FilterBody(chunk []byte, last bool) ([]byte, error)
}

// PumpWaiter learns that Exchange.Pump ended: n body bytes were relayed;
// srcErr is a read error of the upstream body (an *UpstreamError),
// dstErr a write error towards the client.
type PumpWaiter interface {
	BodyRelayed(n int64, srcErr, dstErr error)
}

// DialWaiter learns the outcome of Pool.DialLoop: a connection, or an
// *UpstreamError of kind KindDial wrapping the connect error.
type DialWaiter interface {
	UpstreamDialed(c *ClientConn, err error)
}

// ResponseWaiter learns the outcome of ClientConn.Start: the response
// head (its body is read with Exchange.Pump or ClientConn.ReadBody), or
// an *UpstreamError (or *SourceError).
type ResponseWaiter interface {
	UpstreamResponse(resp *Response, err error)
}

// ReadWaiter learns the outcome of ClientConn.ReadBody.
type ReadWaiter interface {
	BodyRead(n int, err error)
}
