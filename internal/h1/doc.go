// Package h1 is an HTTP/1.1 server and upstream client engine built for
// the proxy hot path: one goroutine per connection, per-connection
// reusable request and response state, zero-allocation parsing into the
// connection's read buffer and pooled keep-alive upstream connections.
//
// Server side: Server.Serve runs a Handler for each request; the
// Exchange gives access to the parsed Request (method, target, path,
// query, host, header fields as byte-slice pairs, streamed body) and
// writes the response (status, Header, body with Content-Length or
// chunked framing, coalesced into one write for small responses,
// flushed when the source would block for streamed ones). Hijack hands
// the raw connection over for upgrades and CONNECT.
//
// Framing is strict, in line with nginx where Go is more lenient: a
// request with both Content-Length and Transfer-Encoding, conflicting
// Content-Length values, obs-fold, white space before a colon, invalid
// name or value bytes, a missing or repeated Host on HTTP/1.1, or any
// Transfer-Encoding other than a single "chunked" is refused (400 or
// 501) and the connection closed. Chunk lines must end in CRLF. Oversized
// targets get 414, oversized or too many header fields 431. Bytes after a
// refused request are never parsed as another request.
//
// Client side: a Pool keeps idle connections to one upstream, dialled
// through a caller-supplied function. ClientConn.RoundTrip writes an
// OutRequest (whose Header may reference the client request's fields
// without copying), streams its body and reads the response head with
// the same strict parser; the response body is a Body streamed with
// Exchange.Copy. Failures are *UpstreamError classified as bad response,
// reset, timeout or dial, so that a proxy can answer 502 or 504.
//
// Byte slices handed out by Request, Response and Header point into
// connection buffers and are only valid until the handler returns or the
// upstream connection is released. ViewString gives string views of them
// under the same rule.
package h1
