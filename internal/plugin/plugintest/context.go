package plugintest

import (
	"encoding/json"
	"net/netip"
	"time"

	"github.com/straitgw/strait/internal/plugin"
)

// Context is an in-memory plugin.Context. Exit and Error record what
// they were called with in the Response (Source becomes "exit").
type Context struct {
	Req         *Request
	Resp        *Response
	RouteInfo   *plugin.RouteInfo
	ServiceInfo *plugin.ServiceInfo
	ID          string
	Clock       time.Time
	// Record is returned by LogRecord; RecordCalls counts the calls.
	Record      *plugin.LogRecord
	RecordCalls int
	// ErrorMessage is the message passed to Error.
	ErrorMessage string

	consumer   *plugin.Consumer
	credential *plugin.Credential
	exited     bool
	shared     map[string]any
}

var _ plugin.Context = (*Context)(nil)

// NewContext returns a context for a GET of path, with a fixed request
// id and clock and a 200 response from the service.
func NewContext(path string) *Context {
	return &Context{
		Req:    NewRequest(path),
		Resp:   &Response{Code: 200, From: plugin.SourceService},
		ID:     "0b5a9c2e6f1d4a7b8c9d0e1f2a3b4c5d",
		Clock:  time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Record: &plugin.LogRecord{},
	}
}

// Request implements plugin.Context.
func (c *Context) Request() plugin.Request { return c.Req }

// Response implements plugin.Context.
func (c *Context) Response() plugin.Response { return c.Resp }

// Route implements plugin.Context.
func (c *Context) Route() *plugin.RouteInfo { return c.RouteInfo }

// Service implements plugin.Context.
func (c *Context) Service() *plugin.ServiceInfo { return c.ServiceInfo }

// Consumer implements plugin.Context.
func (c *Context) Consumer() *plugin.Consumer { return c.consumer }

// Credential implements plugin.Context.
func (c *Context) Credential() *plugin.Credential { return c.credential }

// Authenticate implements plugin.Context.
func (c *Context) Authenticate(consumer *plugin.Consumer, credential *plugin.Credential) {
	c.consumer, c.credential = consumer, credential
}

// Exit implements plugin.Context.
func (c *Context) Exit(status int, body []byte, headers ...plugin.Header) {
	c.exited = true
	c.Resp.Code = status
	c.Resp.From = plugin.SourceExit
	c.Resp.Body = body
	for _, h := range headers {
		c.Resp.Headers.Set(h.Name, h.Value)
	}
}

// Error implements plugin.Context with Kong's JSON error body.
func (c *Context) Error(status int, message string) {
	c.ErrorMessage = message
	body, _ := json.Marshal(map[string]string{"message": message, "request_id": c.ID})
	c.Exit(status, body, plugin.Header{Name: "Content-Type", Value: plugin.ContentTypeJSON})
}

// Exited implements plugin.Context.
func (c *Context) Exited() bool { return c.exited }

// Get implements plugin.Context.
func (c *Context) Get(key string) any { return c.shared[key] }

// Set implements plugin.Context.
func (c *Context) Set(key string, value any) {
	if c.shared == nil {
		c.shared = map[string]any{}
	}
	c.shared[key] = value
}

// RequestID implements plugin.Context.
func (c *Context) RequestID() string { return c.ID }

// Now implements plugin.Context.
func (c *Context) Now() time.Time { return c.Clock }

// LogRecord implements plugin.Context.
func (c *Context) LogRecord() *plugin.LogRecord {
	c.RecordCalls++
	return c.Record
}

// CertificateContext is an in-memory plugin.CertificateContext.
type CertificateContext struct {
	SNI    string
	Client netip.Addr
}

// ServerName implements plugin.CertificateContext.
func (c *CertificateContext) ServerName() string { return c.SNI }

// ClientIP implements plugin.CertificateContext.
func (c *CertificateContext) ClientIP() netip.Addr { return c.Client }
