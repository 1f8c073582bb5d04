package termination

import "net/url"

// unescape decodes a query component, keeping it as is when malformed.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
