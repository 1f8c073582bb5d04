package entity

// Core returns a new registry holding the core entity schemas.
func Core() *Registry {
	return NewRegistry(Services, Routes, Consumers, Plugins, Upstreams, Targets, Certificates, SNIs, CACertificates)
}
