package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
	"github.com/straitgw/strait/internal/router"
	"github.com/straitgw/strait/internal/snapshot"
)

// maxInspectBody bounds the request body a plugin may buffer with
// Request.Body.
const maxInspectBody = 8 << 20

// pluginCtx is the plugin view of one request: it implements
// plugin.Context directly over the engine's h1 header storage (request
// fields as parsed, response fields as they will be sent). It lives
// inside the pooled exchange, so handing it to plugins as an interface
// does not allocate. pluginRequest and pluginResponse are the same
// struct seen through the Request and Response interfaces.
//
// Strings handed to plugins by the getters are views of engine memory,
// valid during the phase call; a plugin keeping one longer copies it.
type pluginCtx struct {
	ex   *exchange
	snap *snapshot.Snapshot

	consumer   *plugin.Consumer
	credential *plugin.Credential

	exited      bool
	exitStatus  int
	exitBody    []byte
	exitHeaders []plugin.Header
	errorBuf    []byte

	// shared holds the values plugins share during the request (Get,
	// Set): a handful at most, so a slice searched in order beats a map.
	shared []sharedValue

	normPath          string
	upstreamPath      string
	pathSet           bool
	query             string // replaces the client query when querySet
	querySet          bool
	method            string // replaces the client method when not ""
	upstreamHostValue string // replaces the upstream Host when hostSet
	hostSet           bool

	body        []byte
	bodyErr     error
	bodyRead    bool   // body holds the client body (or its error)
	bodySet     bool   // body replaces the client body upstream
	bodyPartial []byte // prefix of a client body too large to buffer

	respStatus int
	respSource string

	record *plugin.LogRecord
}

type (
	pluginRequest  pluginCtx
	pluginResponse pluginCtx
)

var (
	_ plugin.Context  = (*pluginCtx)(nil)
	_ authn.Provider  = (*pluginCtx)(nil)
	_ plugin.Request  = (*pluginRequest)(nil)
	_ plugin.Response = (*pluginResponse)(nil)
)

// begin prepares the context for a request.
func (c *pluginCtx) begin(ex *exchange, snap *snapshot.Snapshot) {
	c.ex, c.snap = ex, snap
}

// reset forgets the request, keeping reusable buffers.
func (c *pluginCtx) reset() {
	shared, hdrs, ebuf := c.shared, c.exitHeaders[:0], c.errorBuf[:0]
	clear(shared)
	clear(c.exitHeaders)
	*c = pluginCtx{shared: shared[:0], exitHeaders: hdrs, errorBuf: ebuf}
}

// Request implements plugin.Context.
func (c *pluginCtx) Request() plugin.Request { return (*pluginRequest)(c) }

// Response implements plugin.Context.
func (c *pluginCtx) Response() plugin.Response { return (*pluginResponse)(c) }

// Route implements plugin.Context.
func (c *pluginCtx) Route() *plugin.RouteInfo {
	if c.ex.route == nil {
		return nil
	}
	return c.ex.route.Info
}

// Service implements plugin.Context.
func (c *pluginCtx) Service() *plugin.ServiceInfo {
	if c.ex.route == nil || c.ex.route.Service == nil {
		return nil
	}
	return c.ex.route.Service.Info
}

// Consumer implements plugin.Context.
func (c *pluginCtx) Consumer() *plugin.Consumer { return c.consumer }

// Credential implements plugin.Context.
func (c *pluginCtx) Credential() *plugin.Credential { return c.credential }

// Authenticate implements plugin.Context.
func (c *pluginCtx) Authenticate(consumer *plugin.Consumer, credential *plugin.Credential) {
	c.consumer, c.credential = consumer, credential
}

// Directory implements authn.Provider.
func (c *pluginCtx) Directory() *authn.Directory {
	if c.snap == nil {
		return nil
	}
	return c.snap.Directory
}

// Exit implements plugin.Context.
func (c *pluginCtx) Exit(status int, body []byte, headers ...plugin.Header) {
	c.exited = true
	c.exitStatus = status
	c.exitBody = body
	c.exitHeaders = append(c.exitHeaders[:0], headers...)
}

// Error implements plugin.Context: Kong's error body for status, in the
// format the Accept header asks for.
func (c *pluginCtx) Error(status int, message string) {
	if message == "" {
		message = defaultMessage(status)
	}
	accept := joinedValue(c.ex.in.header, "Accept", &c.errorBuf)
	format := negotiateFormat(producerRunloop, accept, "", "")
	start := len(c.errorBuf)
	c.errorBuf = appendErrorBody(c.errorBuf, format, message, c.ex.id)
	c.Exit(status, c.errorBuf[start:], plugin.Header{Name: "Content-Type", Value: format.contentType()})
}

// Exited implements plugin.Context.
func (c *pluginCtx) Exited() bool { return c.exited }

// Get implements plugin.Context.
func (c *pluginCtx) Get(key string) any {
	for i := range c.shared {
		if c.shared[i].key == key {
			return c.shared[i].value
		}
	}
	return nil
}

// Set implements plugin.Context.
func (c *pluginCtx) Set(key string, value any) {
	for i := range c.shared {
		if c.shared[i].key == key {
			c.shared[i].value = value
			return
		}
	}
	c.shared = append(c.shared, sharedValue{key, value})
}

// sharedValue is one value plugins share during a request.
type sharedValue struct {
	key   string
	value any
}

// RequestID implements plugin.Context.
func (c *pluginCtx) RequestID() string { return c.ex.id }

// Now implements plugin.Context.
func (c *pluginCtx) Now() time.Time {
	if l := c.ex.loop; l != nil {
		return l.Now()
	}
	return time.Now()
}

// LogRecord implements plugin.Context.
func (c *pluginCtx) LogRecord() *plugin.LogRecord {
	if c.record == nil {
		c.record = buildLogRecord(c)
	}
	return c.record
}

// currentQuery is the query sent upstream: the client's unless a plugin
// replaced it.
func (c *pluginCtx) currentQuery() string {
	if c.querySet {
		return c.query
	}
	return h1.ViewString(c.ex.in.query)
}

// defaultMessage is kong.response.error's message for a status.
func defaultMessage(status int) string {
	switch status {
	case 400:
		return "Bad request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not found"
	case 405:
		return "Method not allowed"
	case 429:
		return "Too many requests"
	case 500:
		return "An unexpected error occurred"
	case 502:
		return "An invalid response was received from the upstream server"
	case 503:
		return "The upstream server is currently unavailable"
	case 504:
		return "The upstream server is timing out"
	}
	return fmt.Sprintf("The upstream server responded with %d", status)
}

// --- plugin.Request ---

// Method implements plugin.Request.
func (q *pluginRequest) Method() string {
	if q.method != "" {
		return q.method
	}
	return q.ex.in.method
}

// SetMethod changes the method sent upstream (request-transformer's
// http_method).
func (q *pluginRequest) SetMethod(method string) { q.method = method }

// RequestURI returns the request target as the client sent it (for
// hmac-auth's request-line).
func (q *pluginRequest) RequestURI() string { return h1.ViewString(q.ex.in.target) }

// ProtoVersion returns the client's HTTP version: "1.1", "1.0" or "2".
func (q *pluginRequest) ProtoVersion() string {
	switch {
	case q.ex.in.protoMaj == 2:
		return "2"
	case q.ex.in.protoMin == 0:
		return "1.0"
	}
	return "1.1"
}

// Scheme implements plugin.Request.
func (q *pluginRequest) Scheme() string { return q.ex.scheme }

// Host implements plugin.Request.
func (q *pluginRequest) Host() string { return q.ex.host }

// Port implements plugin.Request.
func (q *pluginRequest) Port() int { return q.ex.port }

// Path implements plugin.Request.
func (q *pluginRequest) Path() string {
	if q.normPath == "" {
		if q.ex.route != nil {
			q.normPath = q.ex.match.Path
		} else {
			q.normPath = router.NormalizePath(q.ex.rawPath)
		}
	}
	return q.normPath
}

// RawQuery implements plugin.Request.
func (q *pluginRequest) RawQuery() string { return (*pluginCtx)(q).currentQuery() }

// Query implements plugin.Request.
func (q *pluginRequest) Query(name string) (string, bool) {
	return firstQueryValue((*pluginCtx)(q).currentQuery(), name)
}

// Header implements plugin.Request.
func (q *pluginRequest) Header(name string) string { return q.ex.in.header.Get(name) }

// HeaderValues implements plugin.Request; the values are copies.
func (q *pluginRequest) HeaderValues(name string) []string { return q.ex.in.header.Values(name) }

// RangeHeaders implements plugin.Request.
func (q *pluginRequest) RangeHeaders(fn func(name, value string) bool) {
	rangeHeader(q.ex.in.header, fn)
}

// SetHeader implements plugin.Request. Setting Host replaces the Host
// sent upstream, as kong.service.request.set_header does.
func (q *pluginRequest) SetHeader(name, value string) {
	_ = q.ex.in.header.Set(name, value)
	if strings.EqualFold(name, "Host") {
		q.upstreamHostValue, q.hostSet = value, true
	}
}

// AddHeader implements plugin.Request.
func (q *pluginRequest) AddHeader(name, value string) {
	_ = q.ex.in.header.Add(name, value)
	if strings.EqualFold(name, "Host") && !q.hostSet {
		q.upstreamHostValue, q.hostSet = value, true
	}
}

// DelHeader implements plugin.Request.
func (q *pluginRequest) DelHeader(name string) { q.ex.in.header.Del(name) }

// SetQuery implements plugin.Request.
func (q *pluginRequest) SetQuery(name, value string) {
	v, _ := url.ParseQuery((*pluginCtx)(q).currentQuery())
	v.Set(name, value)
	q.query, q.querySet = v.Encode(), true
}

// DelQuery implements plugin.Request.
func (q *pluginRequest) DelQuery(name string) {
	v, _ := url.ParseQuery((*pluginCtx)(q).currentQuery())
	v.Del(name)
	q.query, q.querySet = v.Encode(), true
}

// SetRawQuery implements plugin.Request.
func (q *pluginRequest) SetRawQuery(query string) { q.query, q.querySet = query, true }

// SetPath implements plugin.Request.
func (q *pluginRequest) SetPath(path string) { q.upstreamPath, q.pathSet = path, true }

// Body implements plugin.Request.
func (q *pluginRequest) Body() ([]byte, error) {
	if q.bodyRead || q.bodySet {
		return q.body, q.bodyErr
	}
	q.bodyRead = true
	in := &q.ex.in
	if in.body == nil {
		return nil, nil
	}
	if in.length > maxInspectBody {
		q.bodyErr = fmt.Errorf("request body of %d bytes exceeds %d: %w", in.length, maxInspectBody, plugin.ErrBodyTooLarge)
		return nil, q.bodyErr
	}
	b, err := io.ReadAll(io.LimitReader(in.body, maxInspectBody+1))
	switch {
	case err != nil:
		q.bodyErr = fmt.Errorf("read request body: %w", err)
	case len(b) > maxInspectBody:
		// The prefix read so far still travels upstream, followed by
		// the rest of the client body.
		q.bodyErr = fmt.Errorf("request body exceeds %d bytes: %w", maxInspectBody, plugin.ErrBodyTooLarge)
		q.bodyPartial = b
		return nil, q.bodyErr
	}
	q.body = b
	return q.body, q.bodyErr
}

// SetBody implements plugin.Request.
func (q *pluginRequest) SetBody(body []byte) {
	q.body, q.bodyErr, q.bodySet = body, nil, true
}

// ClientIP implements plugin.Request.
func (q *pluginRequest) ClientIP() netip.Addr { return q.ex.client }

// upstreamBody describes the body to send upstream once plugins touched
// it: buffered is true when body replaces the client body entirely;
// otherwise prefix, when not nil, was read from the client body and must
// precede what is left of it.
func (c *pluginCtx) upstreamBody() (body []byte, buffered bool, prefix []byte) {
	switch {
	case c.bodySet:
		return c.body, true, nil
	case c.bodyPartial != nil:
		return nil, false, c.bodyPartial
	case c.bodyRead:
		return c.body, true, nil
	}
	return nil, false, nil
}

// bodyReadFailed reports a client body that a plugin tried to buffer and
// could not read: it can no longer be forwarded.
func (c *pluginCtx) bodyReadFailed() bool {
	return c.bodyRead && !c.bodySet && c.bodyPartial == nil && c.bodyErr != nil &&
		!errors.Is(c.bodyErr, plugin.ErrBodyTooLarge)
}

// --- plugin.Response ---

// Status implements plugin.Response.
func (s *pluginResponse) Status() int { return s.respStatus }

// SetStatus implements plugin.Response.
func (s *pluginResponse) SetStatus(status int) { s.respStatus = status }

// Source implements plugin.Response.
func (s *pluginResponse) Source() string { return s.respSource }

// Header implements plugin.Response.
func (s *pluginResponse) Header(name string) string { return s.ex.down.header().Get(name) }

// HeaderValues implements plugin.Response; the values are copies.
func (s *pluginResponse) HeaderValues(name string) []string {
	return s.ex.down.header().Values(name)
}

// RangeHeaders implements plugin.Response.
func (s *pluginResponse) RangeHeaders(fn func(name, value string) bool) {
	rangeHeader(s.ex.down.header(), fn)
}

// SetHeader implements plugin.Response.
func (s *pluginResponse) SetHeader(name, value string) { _ = s.ex.down.header().Set(name, value) }

// SetHeaderBytes implements plugin.Response; the header copies value.
func (s *pluginResponse) SetHeaderBytes(name string, value []byte) {
	_ = s.ex.down.header().Set(name, h1.ViewString(value))
}

// AddHeader implements plugin.Response.
func (s *pluginResponse) AddHeader(name, value string) { _ = s.ex.down.header().Add(name, value) }

// DelHeader implements plugin.Response.
func (s *pluginResponse) DelHeader(name string) { s.ex.down.header().Del(name) }

func rangeHeader(h *h1.Header, fn func(name, value string) bool) {
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if !fn(h1.ViewString(f.Name), h1.ViewString(f.Value)) {
			return
		}
	}
}

// firstQueryValue returns the first value of argument name in a raw query
// and whether it is present; a flag argument is present with "".
func firstQueryValue(raw, name string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			if !strings.ContainsAny(k, "%+") {
				continue
			}
			if u, err := url.QueryUnescape(k); err != nil || u != name {
				continue
			}
		}
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
		}
		return v, true
	}
	return "", false
}
