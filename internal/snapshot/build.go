package snapshot

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/router"
)

// compileServicesAndRoutes compiles the services and routes of src into
// s, with the router. Routes of a disabled service are left out of the
// router and of s.Routes, as in Kong.
func (s *Snapshot) compileServicesAndRoutes(src *Sources, ls *lists) error {
	table, err := s.compileServicesAndRouteTable(src, ls)
	if err != nil {
		return err
	}
	r, err := router.New(table)
	if err != nil {
		return fmt.Errorf("compiling routes: %w", err)
	}
	s.Router = r
	return nil
}

// compileServicesAndRouteTable compiles the services and routes of src
// into s and returns the route table to build the router from.
func (s *Snapshot) compileServicesAndRouteTable(src *Sources, ls *lists) ([]router.Route, error) {
	s.Services = make(map[string]*Service, len(src.Services))
	s.Routes = make(map[string]*Route, len(src.Routes))
	for _, body := range src.Services {
		svc, err := compileService(body, src.Stored)
		if err != nil {
			return nil, err
		}
		s.Services[svc.ID] = svc
	}
	// One allocation each for all routes and their plugin views.
	routes := make([]Route, len(src.Routes))
	infos := make([]plugin.RouteInfo, len(src.Routes))
	table := make([]router.Route, 0, len(src.Routes))
	for i, body := range src.Routes {
		rt, info := &routes[i], &infos[i]
		rr, err := compileRoute(body, src.Stored, s.Services, ls, rt, info)
		if err != nil {
			return nil, err
		}
		if rt.Service != nil && !rt.Service.Enabled {
			continue
		}
		rt.Info = info
		s.Routes[rt.ID] = rt
		rr.Data = rt
		table = append(table, rr)
	}
	return table, nil
}

// compileService compiles a service from its JSON text.
func compileService(body string, stored bool) (*Service, error) {
	svc := &Service{Enabled: true}
	var tags []string
	r := jsonReader{s: body}
	raw, err := r.entity("service", &svc.ID, stored, func(key string) (err error) {
		switch key {
		case "id":
			svc.ID, err = r.str()
		case "name":
			svc.Name, err = r.str()
		case "protocol":
			svc.Protocol, err = r.str()
		case "host":
			svc.Host, err = r.str()
		case "port":
			svc.Port, err = r.integer()
		case "path":
			svc.Path, err = r.str()
		case "retries":
			svc.Retries, err = r.integer()
		case "connect_timeout":
			svc.ConnectTimeout, err = r.millis()
		case "write_timeout":
			svc.WriteTimeout, err = r.millis()
		case "read_timeout":
			svc.ReadTimeout, err = r.millis()
		case "enabled":
			var b, ok bool
			b, ok, err = r.boolean()
			svc.Enabled = b || !ok
		case "tls_verify":
			var b, ok bool
			if b, ok, err = r.boolean(); ok {
				svc.TLSVerify = &b
			}
		case "tls_verify_depth":
			var f float64
			var ok bool
			if f, ok, err = r.number(); ok {
				d := int(f)
				svc.TLSVerifyDepth = &d
			}
		case "tags":
			tags, err = r.strs()
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	svc.Info = &plugin.ServiceInfo{ID: svc.ID, Name: svc.Name, Protocol: svc.Protocol, Host: svc.Host,
		Port: svc.Port, Path: svc.Path, Tags: tags, JSON: raw}
	if a, err := netip.ParseAddr(strings.Trim(svc.Host, "[]")); err == nil {
		svc.Addr = a
	}
	svc.HostHeader = hostHeader(svc.Host, svc.Addr, svc.Port, svc.Protocol)
	return svc, nil
}

// compileRoute compiles a route from its JSON text into rt and info, and
// returns its router entry (without Data).
func compileRoute(body string, stored bool, services map[string]*Service, ls *lists,
	rt *Route, info *plugin.RouteInfo) (router.Route, error) {
	rt.RequestBuffering, rt.ResponseBuffering = true, true
	var rr router.Route
	var tags []string
	r := jsonReader{s: body}
	raw, err := r.entity("route", &rt.ID, stored, func(key string) (err error) {
		switch key {
		case "id":
			rt.ID, err = r.str()
		case "name":
			rt.Name, err = r.str()
		case "protocols":
			rt.Protocols, err = ls.readShared(&r)
		case "methods":
			rr.Methods, err = ls.readShared(&r)
		case "hosts":
			rr.Hosts, err = ls.read(&r)
		case "paths":
			rr.Paths, err = ls.read(&r)
		case "headers":
			rr.Headers, err = r.headers(ls)
		case "snis":
			rr.SNIs, err = ls.read(&r)
		case "regex_priority":
			rr.RegexPriority, err = r.integer()
		case "strip_path":
			rt.StripPath, err = r.isTrue()
		case "preserve_host":
			rt.PreserveHost, err = r.isTrue()
		case "path_handling":
			rr.PathHandling, err = r.str()
		case "https_redirect_status_code":
			rt.HTTPSRedirectStatusCode, err = r.integer()
		case "request_buffering":
			rt.RequestBuffering, err = r.isNotFalse()
		case "response_buffering":
			rt.ResponseBuffering, err = r.isNotFalse()
		case "service":
			if r.space() != '{' {
				return r.skip()
			}
			err = r.object(func(key string) error {
				if key != "id" {
					return r.skip()
				}
				id, err := r.str()
				rt.Service = services[id]
				return err
			})
		case "tags":
			tags, err = ls.read(&r)
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return rr, err
	}
	*info = plugin.RouteInfo{ID: rt.ID, Name: rt.Name, Protocols: rt.Protocols, Tags: tags, JSON: raw}
	rr.ID, rr.Name, rr.Protocols = rt.ID, rt.Name, rt.Protocols
	rr.StripPath, rr.PreserveHost = rt.StripPath, rt.PreserveHost
	return rr, nil
}

// compileConsumer compiles a consumer from its JSON text into c.
func compileConsumer(body string, stored bool, c *plugin.Consumer) error {
	r := jsonReader{s: body}
	raw, err := r.entity("consumer", &c.ID, stored, func(key string) (err error) {
		switch key {
		case "id":
			c.ID, err = r.str()
		case "username":
			c.Username, err = r.str()
		case "custom_id":
			c.CustomID, err = r.str()
		case "tags":
			// Consumer tags have always been nil when empty.
			if c.Tags, err = r.strs(); len(c.Tags) == 0 {
				c.Tags = nil
			}
		default:
			err = r.skip()
		}
		return err
	})
	c.JSON = raw
	return err
}

// entity reads the reader's entity object, calling field for each key,
// and returns the JSON plugins see for it (see entityJSON). kind names
// the entity in errors, id is where field stores its id.
func (r *jsonReader) entity(kind string, id *string, stored bool, field func(key string) error) (json.RawMessage, error) {
	err := r.object(field)
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", kind, err)
	}
	raw, err := entityJSON(r.s, stored && r.long)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kind, *id, err)
	}
	return raw, nil
}

// entityJSON returns the JSON plugins see for an entity whose text is
// body: the text itself, shared rather than copied. When reencode is set
// (stored text holding a number too long to survive a float64), the
// text is decoded and encoded again instead, so that the JSON reads as
// the Admin API shows the entity.
func entityJSON(body string, reencode bool) (json.RawMessage, error) {
	if !reencode {
		// The snapshot hands the bytes out read-only (plugins must not
		// change the entities they are given), so they are never written
		// and may share the string's memory.
		return unsafe.Slice(unsafe.StringData(body), len(body)), nil
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// lists allocates the string lists of one build. Lists that repeat from
// entity to entity (protocols, methods) are shared: entities whose lists
// have the same JSON text get the same, read-only slice. Other lists are
// cut from blocks rather than allocated one by one.
type lists struct {
	shared  map[string][]string
	scratch []string
	block   []string
}

// listBlock is the number of strings a block of lists holds.
const listBlock = 1024

func newLists() *lists { return &lists{shared: make(map[string][]string)} }

// read reads a string list as jsonReader.strs does.
func (l *lists) read(r *jsonReader) ([]string, error) {
	list, isArray, err := r.appendStrs(l.scratch[:0])
	l.scratch = list[:0]
	switch {
	case err != nil || !isArray:
		return nil, err
	case len(list) == 0:
		return []string{}, nil
	}
	return l.copy(list), nil
}

// readShared reads a string list as read does, sharing it with the
// entities whose list has the same text.
func (l *lists) readShared(r *jsonReader) ([]string, error) {
	if r.space() != '[' {
		return l.read(r)
	}
	start := r.pos
	if err := r.skip(); err != nil {
		return nil, err
	}
	text := r.s[start:r.pos]
	if list, ok := l.shared[text]; ok {
		return list, nil
	}
	r.pos = start
	list, err := l.read(r)
	if err == nil {
		l.shared[text] = list
	}
	return list, err
}

// copy returns a copy of list cut from a block.
func (l *lists) copy(list []string) []string {
	n := len(list)
	if n > listBlock/16 {
		return append([]string(nil), list...)
	}
	if len(l.block) < n {
		l.block = make([]string, listBlock)
	}
	out := l.block[:n:n]
	l.block = l.block[n:]
	copy(out, list)
	return out
}

// millis reads a number of milliseconds as a duration.
func (r *jsonReader) millis() (time.Duration, error) {
	n, err := r.integer()
	return time.Duration(n) * time.Millisecond, err
}

// isTrue reports whether the value is true (anything else is false).
func (r *jsonReader) isTrue() (bool, error) {
	b, ok, err := r.boolean()
	return ok && b, err
}

// isNotFalse reports whether the value is anything but false.
func (r *jsonReader) isNotFalse() (bool, error) {
	b, ok, err := r.boolean()
	return b || !ok, err
}

// headers reads a route's headers map: nil unless a non-empty object,
// whose values read as strs (allocated from ls).
func (r *jsonReader) headers(ls *lists) (map[string][]string, error) {
	if r.space() != '{' {
		return nil, r.skip()
	}
	var out map[string][]string
	err := r.object(func(name string) error {
		values, err := ls.read(r)
		if out == nil {
			out = make(map[string][]string, 1)
		}
		out[name] = values
		return err
	})
	return out, err
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// strs returns the strings of v when it is a list (non-nil, possibly
// empty), else nil.
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
