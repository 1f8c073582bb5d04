package proxy

import (
	"io"
	"net"
	"strconv"
	"time"

	"github.com/straitgw/strait/internal/h1"
)

// rawResponse writes a response that the h1 engine cannot frame itself
// (one carrying the gateway's own Connection field) directly on the
// hijacked connection, which is closed afterwards.
type rawResponse struct {
	conn   net.Conn
	isHead bool
}

// start takes the connection over and writes the head. It reports false
// when the connection could not be taken over.
func (r *rawResponse) start(x *h1.Exchange, status int, length int64) bool {
	conn, _, err := x.Hijack()
	if err != nil {
		return false
	}
	r.conn = conn
	r.isHead = x.Request().IsHead()
	h := x.ResponseHeader()
	var b []byte
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, reasonPhrase(status)...)
	b = append(b, "\r\n"...)
	hasDate := false
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if eqFold(f.Name, "Content-Length") || eqFold(f.Name, "Transfer-Encoding") {
			continue
		}
		hasDate = hasDate || eqFold(f.Name, "Date")
		b = append(b, f.Name...)
		b = append(b, ": "...)
		b = append(b, f.Value...)
		b = append(b, "\r\n"...)
	}
	if !hasDate {
		b = append(b, "Date: "...)
		b = time.Now().UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
		b = append(b, "\r\n"...)
	}
	if length >= 0 {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, length, 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	_, _ = conn.Write(b)
	return true
}

func (r *rawResponse) write(p []byte) (int, error) {
	if r.isHead {
		return len(p), nil
	}
	return r.conn.Write(p)
}

func (r *rawResponse) copyFrom(src io.Reader) (int64, error, error) {
	var buf [4096]byte
	var n int64
	for {
		m, err := src.Read(buf[:])
		if m > 0 {
			if _, werr := r.write(buf[:m]); werr != nil {
				return n, nil, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}

func (r *rawResponse) close() {
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
}
