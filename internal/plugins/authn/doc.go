// Package authn holds what the authentication plugins share: the
// Directory of consumers and credentials compiled with each configuration,
// the Provider interface through which an engine's request context hands
// that directory to plugins, and Kong's rules for announcing the
// authenticated consumer upstream (X-Consumer-* headers) and for falling
// back to an anonymous consumer.
package authn
