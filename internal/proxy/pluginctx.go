package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
	"github.com/straitgw/strait/internal/router"
	"github.com/straitgw/strait/internal/snapshot"
)

// maxInspectBody bounds the request body a plugin may buffer with
// Request.Body.
const maxInspectBody = 8 << 20

// pluginCtx is the plugin view of one request: it implements
// plugin.Context directly over net/http's request and response header
// storage. It lives inside the pooled exchange, so handing it to plugins
// as an interface does not allocate. pluginRequest and pluginResponse are
// the same struct seen through the Request and Response interfaces.
type pluginCtx struct {
	ex   *exchange
	r    *http.Request
	w    http.ResponseWriter
	snap *snapshot.Snapshot

	consumer   *plugin.Consumer
	credential *plugin.Credential

	exited      bool
	exitStatus  int
	exitBody    []byte
	exitHeaders []plugin.Header
	errorBuf    []byte

	shared map[string]any

	normPath     string
	upstreamPath string
	pathSet      bool
	body         []byte
	bodyErr      error
	bodyRead     bool   // body holds the client body (or its error)
	bodySet      bool   // body replaces the client body upstream
	bodyPartial  []byte // prefix of a client body too large to buffer

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
func (c *pluginCtx) begin(ex *exchange, w http.ResponseWriter, r *http.Request, snap *snapshot.Snapshot) {
	c.ex, c.w, c.r, c.snap = ex, w, r, snap
}

// reset forgets the request, keeping reusable buffers.
func (c *pluginCtx) reset() {
	shared, hdrs, ebuf := c.shared, c.exitHeaders[:0], c.errorBuf[:0]
	clear(shared)
	clear(c.exitHeaders)
	*c = pluginCtx{shared: shared, exitHeaders: hdrs, errorBuf: ebuf}
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
	format := negotiateFormat(producerRunloop, joinValues(c.r.Header["Accept"]), "", "")
	c.errorBuf = appendErrorBody(c.errorBuf[:0], format, message, c.ex.id)
	c.Exit(status, c.errorBuf, plugin.Header{Name: "Content-Type", Value: format.contentType()})
}

// Exited implements plugin.Context.
func (c *pluginCtx) Exited() bool { return c.exited }

// Get implements plugin.Context.
func (c *pluginCtx) Get(key string) any { return c.shared[key] }

// Set implements plugin.Context.
func (c *pluginCtx) Set(key string, value any) {
	if c.shared == nil {
		c.shared = make(map[string]any, 4)
	}
	c.shared[key] = value
}

// RequestID implements plugin.Context.
func (c *pluginCtx) RequestID() string { return c.ex.id }

// Now implements plugin.Context.
func (c *pluginCtx) Now() time.Time { return time.Now() }

// LogRecord implements plugin.Context.
func (c *pluginCtx) LogRecord() *plugin.LogRecord {
	if c.record == nil {
		c.record = buildLogRecord(c)
	}
	return c.record
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
func (q *pluginRequest) Method() string { return q.r.Method }

// Scheme implements plugin.Request.
func (q *pluginRequest) Scheme() string { return q.ex.scheme }

// Host implements plugin.Request.
func (q *pluginRequest) Host() string { return q.ex.host }

// Port implements plugin.Request.
func (q *pluginRequest) Port() int { return q.ex.rreq.Port }

// Path implements plugin.Request.
func (q *pluginRequest) Path() string {
	if q.normPath == "" {
		q.normPath = router.NormalizePath(q.ex.rawPath)
	}
	return q.normPath
}

// RawQuery implements plugin.Request.
func (q *pluginRequest) RawQuery() string { return q.r.URL.RawQuery }

// Query implements plugin.Request.
func (q *pluginRequest) Query(name string) (string, bool) {
	return firstQueryValue(q.r.URL.RawQuery, name)
}

// Header implements plugin.Request.
func (q *pluginRequest) Header(name string) string {
	if vv := q.r.Header[textproto.CanonicalMIMEHeaderKey(name)]; len(vv) > 0 {
		return vv[0]
	}
	return ""
}

// HeaderValues implements plugin.Request; the slice is the engine's own
// and must not be modified.
func (q *pluginRequest) HeaderValues(name string) []string {
	return q.r.Header[textproto.CanonicalMIMEHeaderKey(name)]
}

// RangeHeaders implements plugin.Request.
func (q *pluginRequest) RangeHeaders(fn func(name, value string) bool) { rangeHeader(q.r.Header, fn) }

// SetHeader implements plugin.Request.
func (q *pluginRequest) SetHeader(name, value string) { q.r.Header.Set(name, value) }

// AddHeader implements plugin.Request.
func (q *pluginRequest) AddHeader(name, value string) { q.r.Header.Add(name, value) }

// DelHeader implements plugin.Request.
func (q *pluginRequest) DelHeader(name string) { q.r.Header.Del(name) }

// SetQuery implements plugin.Request.
func (q *pluginRequest) SetQuery(name, value string) {
	v, _ := url.ParseQuery(q.r.URL.RawQuery)
	v.Set(name, value)
	q.r.URL.RawQuery = v.Encode()
}

// DelQuery implements plugin.Request.
func (q *pluginRequest) DelQuery(name string) {
	v, _ := url.ParseQuery(q.r.URL.RawQuery)
	v.Del(name)
	q.r.URL.RawQuery = v.Encode()
}

// SetRawQuery implements plugin.Request.
func (q *pluginRequest) SetRawQuery(query string) {
	q.r.URL.RawQuery = query
	q.r.URL.ForceQuery = false
}

// SetPath implements plugin.Request.
func (q *pluginRequest) SetPath(path string) { q.upstreamPath, q.pathSet = path, true }

// Body implements plugin.Request.
func (q *pluginRequest) Body() ([]byte, error) {
	if q.bodyRead || q.bodySet {
		return q.body, q.bodyErr
	}
	q.bodyRead = true
	r := q.r
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > maxInspectBody {
		q.bodyErr = fmt.Errorf("request body of %d bytes exceeds %d: %w", r.ContentLength, maxInspectBody, plugin.ErrBodyTooLarge)
		return nil, q.bodyErr
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxInspectBody+1))
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
func (s *pluginResponse) Header(name string) string {
	if vv := s.w.Header()[textproto.CanonicalMIMEHeaderKey(name)]; len(vv) > 0 {
		return vv[0]
	}
	return ""
}

// HeaderValues implements plugin.Response.
func (s *pluginResponse) HeaderValues(name string) []string {
	return s.w.Header()[textproto.CanonicalMIMEHeaderKey(name)]
}

// RangeHeaders implements plugin.Response.
func (s *pluginResponse) RangeHeaders(fn func(name, value string) bool) {
	rangeHeader(s.w.Header(), fn)
}

// SetHeader implements plugin.Response.
func (s *pluginResponse) SetHeader(name, value string) { s.w.Header().Set(name, value) }

// AddHeader implements plugin.Response.
func (s *pluginResponse) AddHeader(name, value string) { s.w.Header().Add(name, value) }

// DelHeader implements plugin.Response.
func (s *pluginResponse) DelHeader(name string) { s.w.Header().Del(name) }

func rangeHeader(h http.Header, fn func(name, value string) bool) {
	for k, vv := range h {
		for _, v := range vv {
			if !fn(k, v) {
				return
			}
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
