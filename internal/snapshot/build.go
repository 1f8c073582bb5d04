package snapshot

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/router"
)

// Compile builds a snapshot from service and route objects.
func Compile(services, routes []entity.Object) (*Snapshot, error) {
	s := &Snapshot{
		Services: make(map[string]*Service, len(services)),
		Routes:   make(map[string]*Route, len(routes)),
		BuiltAt:  time.Now(),
	}
	for _, o := range services {
		svc := compileService(o)
		s.Services[svc.ID] = svc
	}
	table := make([]router.Route, 0, len(routes))
	for _, o := range routes {
		rt := compileRoute(o, s.Services)
		if rt.Service != nil && !rt.Service.Enabled {
			// A disabled service takes its routes out of the router, as in Kong.
			continue
		}
		s.Routes[rt.ID] = rt
		table = append(table, router.Route{
			ID:            rt.ID,
			Name:          rt.Name,
			Protocols:     rt.Protocols,
			Methods:       strs(o["methods"]),
			Hosts:         strs(o["hosts"]),
			Paths:         strs(o["paths"]),
			Headers:       headers(o["headers"]),
			SNIs:          strs(o["snis"]),
			RegexPriority: num(o["regex_priority"]),
			StripPath:     rt.StripPath,
			PreserveHost:  rt.PreserveHost,
			PathHandling:  str(o["path_handling"]),
			Data:          rt,
		})
	}
	r, err := router.New(table)
	if err != nil {
		return nil, fmt.Errorf("compiling routes: %w", err)
	}
	s.Router = r
	return s, nil
}

func compileService(o entity.Object) *Service {
	svc := &Service{
		ID:             str(o["id"]),
		Name:           str(o["name"]),
		Protocol:       str(o["protocol"]),
		Host:           str(o["host"]),
		Port:           num(o["port"]),
		Path:           str(o["path"]),
		Retries:        num(o["retries"]),
		ConnectTimeout: time.Duration(num(o["connect_timeout"])) * time.Millisecond,
		WriteTimeout:   time.Duration(num(o["write_timeout"])) * time.Millisecond,
		ReadTimeout:    time.Duration(num(o["read_timeout"])) * time.Millisecond,
		Enabled:        o["enabled"] != false,
	}
	if a, err := netip.ParseAddr(strings.Trim(svc.Host, "[]")); err == nil {
		svc.Addr = a
	}
	svc.HostHeader = hostHeader(svc.Host, svc.Addr, svc.Port, svc.Protocol)
	if v, ok := o["tls_verify"].(bool); ok {
		svc.TLSVerify = &v
	}
	if v, ok := o["tls_verify_depth"].(float64); ok {
		d := int(v)
		svc.TLSVerifyDepth = &d
	}
	return svc
}

func compileRoute(o entity.Object, services map[string]*Service) *Route {
	rt := &Route{
		ID:                      str(o["id"]),
		Name:                    str(o["name"]),
		Protocols:               strs(o["protocols"]),
		StripPath:               o["strip_path"] == true,
		PreserveHost:            o["preserve_host"] == true,
		HTTPSRedirectStatusCode: num(o["https_redirect_status_code"]),
		RequestBuffering:        o["request_buffering"] != false,
		ResponseBuffering:       o["response_buffering"] != false,
	}
	if ref, ok := o["service"].(map[string]any); ok {
		rt.Service = services[str(ref["id"])]
	}
	return rt
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func strs(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func headers(v any) map[string][]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, vals := range m {
		out[k] = strs(vals)
	}
	return out
}

// hostHeader is the Host value for a service: its host, plus the port
// unless it is the protocol's default; IPv6 literals in brackets.
func hostHeader(host string, addr netip.Addr, port int, protocol string) string {
	if (protocol == "http" && port == 80) || (protocol == "https" && port == 443) {
		return host
	}
	if addr.Is6() && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}
