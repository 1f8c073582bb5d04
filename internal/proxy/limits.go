package proxy

import "net/http"

// checkLimits enforces the request-head limits net/http does not apply
// itself. It returns a zero status when the request is acceptable;
// closeConn asks for the client connection to be closed.
//
// A request carrying both Content-Length and Transfer-Encoding cannot be
// rejected here: net/http drops Content-Length before the handler runs
// and frames the body as chunked, and the upstream request is re-framed
// from scratch, so the two framings can never disagree downstream.
func (p *Proxy) checkLimits(r *http.Request) (status int, msg string, closeConn bool) {
	if len(r.RequestURI) > p.opts.MaxURIBytes {
		return http.StatusRequestURITooLong, msgURITooLong, false
	}
	count := 0
	for _, vv := range r.Header {
		count += len(vv)
	}
	if count > p.opts.MaxHeaders {
		return http.StatusRequestHeaderFieldsTooLarge, msgHeaderTooLarge, true
	}
	if len(r.TransferEncoding) > 0 && len(r.Header["Content-Length"]) > 0 {
		return http.StatusBadRequest, msgBadRequest, true
	}
	return 0, "", false
}
