package plugintest

import (
	"fmt"
	"net/netip"
	"net/url"

	"github.com/straitgw/strait/internal/plugin"
)

// Request is an in-memory plugin.Request. Set its exported fields before
// use; MaxBody > 0 makes Body fail with plugin.ErrBodyTooLarge beyond it.
type Request struct {
	MethodName string
	SchemeName string
	HostName   string
	PortNumber int
	PathValue  string
	Args       url.Values
	Headers    Headers
	BodyBytes  []byte
	MaxBody    int
	Client     netip.Addr
}

var _ plugin.Request = (*Request)(nil)

// NewRequest returns a GET request for path on http://localhost:8000.
func NewRequest(path string) *Request {
	return &Request{
		MethodName: "GET", SchemeName: "http", HostName: "localhost",
		PortNumber: 8000, PathValue: path, Args: url.Values{},
		Client: netip.MustParseAddr("127.0.0.1"),
	}
}

// Method implements plugin.Request.
func (r *Request) Method() string { return r.MethodName }

// Scheme implements plugin.Request.
func (r *Request) Scheme() string { return r.SchemeName }

// Host implements plugin.Request.
func (r *Request) Host() string { return r.HostName }

// Port implements plugin.Request.
func (r *Request) Port() int { return r.PortNumber }

// Path implements plugin.Request.
func (r *Request) Path() string { return r.PathValue }

// RawQuery implements plugin.Request.
func (r *Request) RawQuery() string { return r.Args.Encode() }

// Query implements plugin.Request.
func (r *Request) Query(name string) (string, bool) {
	vs, ok := r.Args[name]
	if !ok || len(vs) == 0 {
		return "", ok
	}
	return vs[0], true
}

// Header implements plugin.Request.
func (r *Request) Header(name string) string { return r.Headers.Get(name) }

// HeaderValues implements plugin.Request.
func (r *Request) HeaderValues(name string) []string { return r.Headers.Values(name) }

// RangeHeaders implements plugin.Request.
func (r *Request) RangeHeaders(fn func(name, value string) bool) { r.Headers.Range(fn) }

// SetHeader implements plugin.Request.
func (r *Request) SetHeader(name, value string) { r.Headers.Set(name, value) }

// AddHeader implements plugin.Request.
func (r *Request) AddHeader(name, value string) { r.Headers.Add(name, value) }

// DelHeader implements plugin.Request.
func (r *Request) DelHeader(name string) { r.Headers.Del(name) }

// SetQuery implements plugin.Request.
func (r *Request) SetQuery(name, value string) { r.ensureQuery().Set(name, value) }

// DelQuery implements plugin.Request.
func (r *Request) DelQuery(name string) { r.ensureQuery().Del(name) }

// SetRawQuery implements plugin.Request; an unparsable query leaves the
// arguments that could be parsed.
func (r *Request) SetRawQuery(query string) { r.Args, _ = url.ParseQuery(query) }

// SetPath implements plugin.Request.
func (r *Request) SetPath(path string) { r.PathValue = path }

// Body implements plugin.Request.
func (r *Request) Body() ([]byte, error) {
	if r.MaxBody > 0 && len(r.BodyBytes) > r.MaxBody {
		return nil, fmt.Errorf("read body of %d bytes (limit %d): %w", len(r.BodyBytes), r.MaxBody, plugin.ErrBodyTooLarge)
	}
	return r.BodyBytes, nil
}

// SetBody implements plugin.Request.
func (r *Request) SetBody(body []byte) { r.BodyBytes = body }

// ClientIP implements plugin.Request.
func (r *Request) ClientIP() netip.Addr { return r.Client }

func (r *Request) ensureQuery() url.Values {
	if r.Args == nil {
		r.Args = url.Values{}
	}
	return r.Args
}
