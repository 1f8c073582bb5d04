package plugintest

import "github.com/straitgw/strait/internal/plugin"

// Response is an in-memory plugin.Response.
type Response struct {
	Code    int
	From    string
	Headers Headers
	Body    []byte
}

var _ plugin.Response = (*Response)(nil)

// Status implements plugin.Response.
func (r *Response) Status() int { return r.Code }

// SetStatus implements plugin.Response.
func (r *Response) SetStatus(status int) { r.Code = status }

// Source implements plugin.Response.
func (r *Response) Source() string { return r.From }

// Header implements plugin.Response.
func (r *Response) Header(name string) string { return r.Headers.Get(name) }

// HeaderValues implements plugin.Response.
func (r *Response) HeaderValues(name string) []string { return r.Headers.Values(name) }

// RangeHeaders implements plugin.Response.
func (r *Response) RangeHeaders(fn func(name, value string) bool) { r.Headers.Range(fn) }

// SetHeader implements plugin.Response.
func (r *Response) SetHeader(name, value string) { r.Headers.Set(name, value) }

// SetHeaderBytes implements plugin.Response.
func (r *Response) SetHeaderBytes(name string, value []byte) { r.Headers.Set(name, string(value)) }

// AddHeader implements plugin.Response.
func (r *Response) AddHeader(name, value string) { r.Headers.Add(name, value) }

// DelHeader implements plugin.Response.
func (r *Response) DelHeader(name string) { r.Headers.Del(name) }
