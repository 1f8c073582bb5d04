// Package plugintest provides in-memory implementations of the plugin
// contract (Context, Request, Response, CertificateContext) and a
// configurable Plugin, for testing plugins and the chain without a proxy
// engine. They favour clarity over speed.
package plugintest
