package proxy

import (
	"crypto/tls"
	"net"
	"net/netip"

	"github.com/straitgw/strait/internal/snapshot"
)

// helloContext is the plugin.CertificateContext of one TLS handshake.
type helloContext struct{ hello *tls.ClientHelloInfo }

// ServerName implements plugin.CertificateContext.
func (h helloContext) ServerName() string { return h.hello.ServerName }

// ClientIP implements plugin.CertificateContext.
func (h helloContext) ClientIP() netip.Addr {
	if h.hello.Conn == nil {
		return netip.Addr{}
	}
	if tcp, ok := h.hello.Conn.RemoteAddr().(*net.TCPAddr); ok {
		return tcp.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// CertificatePhase returns a tls.Config.GetConfigForClient hook that runs
// the certificate phase of the global plugin instances of the current
// snapshot during each TLS handshake, as Kong runs global plugins in its
// certificate phase. It leaves the TLS configuration unchanged.
func CertificatePhase(snaps *snapshot.Holder) func(*tls.ClientHelloInfo) (*tls.Config, error) {
	return func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		if s := snaps.Load(); s != nil && s.HasPlugins {
			s.Plugins.Global().Certificate(helloContext{hello: hello})
		}
		return nil, nil
	}
}
