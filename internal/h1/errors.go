package h1

import (
	"errors"
	"net"
	"os"
)

// RequestError is a client request the server refuses to process. Status
// is the response status (400, 414, 431, 501, 505, 417); the connection is
// always closed after the response.
type RequestError struct {
	Status int
	Reason string
}

func (e *RequestError) Error() string { return "h1: bad request: " + e.Reason }

func badRequest(reason string) *RequestError { return &RequestError{Status: 400, Reason: reason} }

// Request errors shared by every connection; they are values, never
// modified.
var (
	errURITooLong        = &RequestError{Status: 414, Reason: "request target too long"}
	errHeadTooLarge      = &RequestError{Status: 431, Reason: "request header too large"}
	errTooManyHeaders    = &RequestError{Status: 431, Reason: "too many header fields"}
	errUnsupportedTE     = &RequestError{Status: 501, Reason: "unsupported transfer coding"}
	errVersion           = &RequestError{Status: 505, Reason: "unsupported HTTP version"}
	errExpectation       = &RequestError{Status: 417, Reason: "unsupported expectation"}
	errRequestLine       = badRequest("malformed request line")
	errMethod            = badRequest("malformed method")
	errTarget            = badRequest("malformed request target")
	errHeaderLine        = badRequest("malformed header line")
	errHeaderName        = badRequest("invalid header name")
	errHeaderValue       = badRequest("invalid header value")
	errSpaceBeforeColon  = badRequest("white space before colon")
	errObsFold           = badRequest("obsolete line folding")
	errBareCR            = badRequest("bare CR")
	errMissingHost       = badRequest("missing Host header")
	errMultipleHost      = badRequest("multiple Host headers")
	errInvalidHost       = badRequest("invalid Host header")
	errBadContentLength  = badRequest("invalid Content-Length")
	errCLAndTE           = badRequest("both Content-Length and Transfer-Encoding")
	errMultipleTE        = badRequest("multiple Transfer-Encoding headers")
	errTEHTTP10          = badRequest("Transfer-Encoding in an HTTP/1.0 request")
	errChunkLine         = badRequest("malformed chunk line")
	errChunkSize         = badRequest("invalid chunk size")
	errChunkTerminator   = badRequest("missing CRLF after chunk data")
	errTrailer           = badRequest("malformed trailer")
	errUnexpectedEOFHead = badRequest("connection closed inside the request head")
)

// ErrorKind classifies a failed upstream exchange.
type ErrorKind int

// Upstream failure kinds.
const (
	// KindBadResponse: the upstream sent something that is not a valid
	// HTTP/1.1 response (or body framing); typically 502.
	KindBadResponse ErrorKind = iota + 1
	// KindReset: the connection was reset or closed early; typically 502.
	KindReset
	// KindTimeout: a read or write deadline passed; typically 504.
	KindTimeout
	// KindDial: the dial function failed; its error is wrapped as is.
	KindDial
)

func (k ErrorKind) String() string {
	switch k {
	case KindBadResponse:
		return "bad response"
	case KindReset:
		return "connection reset"
	case KindTimeout:
		return "timeout"
	case KindDial:
		return "dial"
	}
	return "unknown"
}

// UpstreamError is the error of every failed client operation. Op is
// "dial", "write" or "read".
type UpstreamError struct {
	Kind ErrorKind
	Op   string
	// Reused is true when the connection had served earlier requests.
	Reused bool
	// NothingReceived is true when no byte of a response arrived.
	NothingReceived bool
	Err             error
}

func (e *UpstreamError) Error() string {
	return "h1: upstream " + e.Op + ": " + e.Kind.String() + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *UpstreamError) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a deadline.
func (e *UpstreamError) Timeout() bool { return e.Kind == KindTimeout }

// Retryable reports whether the request can safely be sent again on a
// new connection: a reused keep-alive connection failed before any
// response byte arrived, the classic race with the upstream closing an
// idle connection. Whether the request body can be replayed is the
// caller's concern.
func (e *UpstreamError) Retryable() bool {
	return e.Reused && e.NothingReceived && e.Kind == KindReset
}

// BadResponseError describes invalid upstream response bytes.
type BadResponseError struct{ Reason string }

func (e *BadResponseError) Error() string { return "malformed response: " + e.Reason }

// errBodyFraming is the shared chunk/length error used on responses.
var (
	errRespStatusLine = &BadResponseError{Reason: "malformed status line"}
	errRespTooLarge   = &BadResponseError{Reason: "response header too large"}
	errRespCLAndTE    = &BadResponseError{Reason: "both Content-Length and Transfer-Encoding"}
	errRespTE         = &BadResponseError{Reason: "unsupported transfer coding"}
	errRespTooMany1xx = &BadResponseError{Reason: "too many informational responses"}
)

// classify turns an I/O or parse error into an UpstreamError.
func classify(op string, err error, reused, nothing bool) *UpstreamError {
	kind := KindReset
	var re *RequestError
	var be *BadResponseError
	switch {
	case errors.As(err, &be):
		kind = KindBadResponse
	case errors.As(err, &re):
		kind = KindBadResponse
		err = &BadResponseError{Reason: re.Reason}
	case errors.Is(err, os.ErrDeadlineExceeded):
		kind = KindTimeout
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			kind = KindTimeout
		}
	}
	return &UpstreamError{Kind: kind, Op: op, Reused: reused, NothingReceived: nothing, Err: err}
}

// ErrBodyTooLong is returned by a response writer when the handler writes
// more bytes than the Content-Length it declared.
var ErrBodyTooLong = errors.New("h1: response body longer than Content-Length")

// errAborted fails the operation of an upstream connection whose event
// callback panicked.
var errAborted = errors.New("h1: aborted after a panic in the event loop")

// ErrHijacked is returned by writes after the connection was hijacked.
var ErrHijacked = errors.New("h1: connection hijacked")

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("h1: server closed")

// ErrPoolClosed is returned by Pool.Get after Pool.Close.
var ErrPoolClosed = errors.New("h1: pool closed")

// errWouldBlock is returned by the I/O of event-loop connections when
// the socket is not ready. It is never sticky: the loop retries the
// operation once the socket reports readiness.
var errWouldBlock = errors.New("h1: operation would block")
