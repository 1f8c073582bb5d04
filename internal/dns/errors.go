package dns

import "errors"

// ErrNotFound reports that the name does not exist (NXDOMAIN) or has no
// A/AAAA records. The proxy maps it to 503 "name resolution failed".
var ErrNotFound = errors.New("dns: name not found")

// ErrServerFailure reports that no nameserver gave a usable answer
// (timeout, SERVFAIL, REFUSED, network error, or no nameserver configured).
var ErrServerFailure = errors.New("dns: server failure")

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
