package proxy

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/straitgw/strait/internal/h1"
)

// NewServer returns an http.Server for a proxy listener that offers
// HTTP/2 (HTTP/1.1 listeners use NewH1Server). Stop it with Shutdown,
// then call Proxy.Close to flush the access log and release upstream
// connections.
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

// ServeHTTP proxies one request received by net/http (HTTP/2 listeners).
// The request is translated into the engine-neutral form once; this path
// allocates more than the h1 engine.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := p.exchanges.Get().(*exchange)
	ex.begin(nil)
	if ex.hd == nil {
		ex.hd = &httpDownstream{}
	}
	d := ex.hd
	d.w, d.r, d.sendTimeout = w, r, p.opts.ClientSendTimeout
	in := &ex.in
	in.method = r.Method
	in.target = []byte(r.RequestURI)
	path, query := requestTarget(r)
	in.path, in.query = []byte(path), []byte(query)
	in.hasQuery = r.URL.ForceQuery || r.URL.RawQuery != ""
	in.host = []byte(r.Host)
	for name, values := range r.Header {
		for _, v := range values {
			d.reqHeader.AppendField([]byte(name), []byte(v))
		}
	}
	in.header = &d.reqHeader
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength != 0 || len(r.TransferEncoding) > 0) {
		in.body = r.Body
		in.length = r.ContentLength
		if len(r.TransferEncoding) > 0 {
			in.length = -1
		}
	}
	in.protoMaj, in.protoMin = r.ProtoMajor, r.ProtoMinor
	in.peer = parsePeer(r.RemoteAddr)
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		in.localPort = int(addrPortOf(la).Port())
	}
	if r.TLS != nil {
		in.tls = true
		in.sni = r.TLS.ServerName
	}
	ex.down = d
	aborted := false
	func() {
		defer func() {
			aborted = d.aborted
			p.releaseUpstream(ex)
			ex.reset()
			p.exchanges.Put(ex)
		}()
		if status, msg := p.checkLimits(r); status != 0 {
			p.inspect(ex)
			defer p.finish(ex)
			p.respondError(ex, status, msg, producerServer)
			return
		}
		p.serve(ex)
	}()
	if aborted {
		panic(http.ErrAbortHandler)
	}
}

// checkLimits enforces the request-head limits net/http does not apply
// itself. It returns a zero status when the request is acceptable.
func (p *Proxy) checkLimits(r *http.Request) (status int, msg string) {
	if len(r.RequestURI) > p.opts.MaxURIBytes {
		return http.StatusRequestURITooLong, msgURITooLong
	}
	count := 0
	for _, vv := range r.Header {
		count += len(vv)
	}
	if count > p.opts.MaxHeaders {
		return http.StatusRequestHeaderFieldsTooLarge, msgHeaderTooLarge
	}
	return 0, ""
}

// requestTarget returns the raw path and query as the client sent them.
func requestTarget(r *http.Request) (path, query string) {
	uri := r.RequestURI
	if len(uri) > 0 && uri[0] == '/' {
		for i := 0; i < len(uri); i++ {
			if uri[i] == '?' {
				return uri[:i], uri[i+1:]
			}
		}
		return uri, ""
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p, r.URL.RawQuery
	}
	return "/", r.URL.RawQuery
}

// httpDownstream answers through a net/http ResponseWriter. The response
// header is collected in an h1.Header and copied into the writer's
// header map when the head is written.
type httpDownstream struct {
	w           http.ResponseWriter
	r           *http.Request
	sendTimeout time.Duration
	reqHeader   h1.Header
	respHeader  h1.Header
	aborted     bool
	wroteHead   bool
	conn        net.Conn // set once hijacked for a 101 response
	rest        []byte
}

func (d *httpDownstream) reset() {
	d.reqHeader.Reset()
	d.respHeader.Reset()
	*d = httpDownstream{reqHeader: d.reqHeader, respHeader: d.respHeader}
}

func (d *httpDownstream) header() *h1.Header { return &d.respHeader }

func (d *httpDownstream) writeHead(status int, length int64) {
	d.wroteHead = true
	if status == http.StatusSwitchingProtocols {
		d.writeSwitch()
		return
	}
	hm := d.w.Header()
	for i := 0; i < d.respHeader.Len(); i++ {
		f := d.respHeader.At(i)
		name := http.CanonicalHeaderKey(string(f.Name))
		switch name {
		case "Content-Length", "Transfer-Encoding":
			continue
		}
		hm[name] = append(hm[name], string(f.Value))
	}
	if length >= 0 {
		hm["Content-Length"] = []string{strconv.FormatInt(length, 10)}
	}
	d.w.WriteHeader(status)
}

// writeSwitch takes the connection over and writes a 101 head itself.
func (d *httpDownstream) writeSwitch() {
	hj, ok := d.w.(http.Hijacker)
	if !ok {
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	if n := brw.Reader.Buffered(); n > 0 {
		d.rest, _ = brw.Reader.Peek(n)
		d.rest = append([]byte(nil), d.rest...)
	}
	b := []byte("HTTP/1.1 101 Switching Protocols\r\n")
	for i := 0; i < d.respHeader.Len(); i++ {
		f := d.respHeader.At(i)
		b = append(b, f.Name...)
		b = append(b, ": "...)
		b = append(b, f.Value...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	_ = conn.SetDeadline(time.Time{})
	if _, err := conn.Write(b); err != nil {
		_ = conn.Close()
		return
	}
	d.conn = conn
}

func (d *httpDownstream) write(p []byte) (int, error) {
	if d.sendTimeout > 0 {
		_ = http.NewResponseController(d.w).SetWriteDeadline(time.Now().Add(d.sendTimeout))
	}
	return d.w.Write(p)
}

func (d *httpDownstream) copyFrom(src io.Reader) (n int64, srcErr, dstErr error) {
	rc := http.NewResponseController(d.w)
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := *bufp
	for {
		m, err := src.Read(buf)
		if m > 0 {
			if d.sendTimeout > 0 {
				_ = rc.SetWriteDeadline(time.Now().Add(d.sendTimeout))
			}
			k, werr := d.w.Write(buf[:m])
			n += int64(k)
			if werr != nil {
				return n, nil, werr
			}
			if b, ok := src.(*h1.Body); !ok || b.Buffered() == 0 {
				_ = rc.Flush()
			}
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}

func (d *httpDownstream) settle() {}

func (d *httpDownstream) abort() { d.aborted = true }

func (d *httpDownstream) headWritten() bool { return d.wroteHead }

var errNotHijacked = errors.New("proxy: the client connection cannot be taken over")

func (d *httpDownstream) hijack() (net.Conn, []byte, error) {
	if d.conn == nil {
		return nil, nil, errNotHijacked
	}
	return d.conn, d.rest, nil
}
