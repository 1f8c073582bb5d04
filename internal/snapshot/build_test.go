package snapshot

import (
	"context"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/router"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/memory"
)

// The reference* functions compile decoded objects field by field, the
// way snapshots were compiled before they read entity JSON in place; the
// tests below check that compiling the JSON text gives the same values.

func referenceService(o entity.Object) Service {
	svc := Service{
		ID:             str(o["id"]),
		Name:           str(o["name"]),
		Protocol:       str(o["protocol"]),
		Host:           str(o["host"]),
		Port:           referenceNum(o["port"]),
		Path:           str(o["path"]),
		Retries:        referenceNum(o["retries"]),
		ConnectTimeout: time.Duration(referenceNum(o["connect_timeout"])) * time.Millisecond,
		WriteTimeout:   time.Duration(referenceNum(o["write_timeout"])) * time.Millisecond,
		ReadTimeout:    time.Duration(referenceNum(o["read_timeout"])) * time.Millisecond,
		Enabled:        o["enabled"] != false,
	}
	if v, ok := o["tls_verify"].(bool); ok {
		svc.TLSVerify = &v
	}
	if v, ok := o["tls_verify_depth"].(float64); ok {
		d := int(v)
		svc.TLSVerifyDepth = &d
	}
	raw, _ := json.Marshal(o)
	svc.Info = &plugin.ServiceInfo{ID: svc.ID, Name: svc.Name, Protocol: svc.Protocol, Host: svc.Host,
		Port: svc.Port, Path: svc.Path, Tags: strs(o["tags"]), JSON: raw}
	if a, err := netip.ParseAddr(strings.Trim(svc.Host, "[]")); err == nil {
		svc.Addr = a
	}
	svc.HostHeader = hostHeader(svc.Host, svc.Addr, svc.Port, svc.Protocol)
	return svc
}

func referenceRoute(o entity.Object) (Route, router.Route, string) {
	rt := Route{
		ID:                      str(o["id"]),
		Name:                    str(o["name"]),
		Protocols:               strs(o["protocols"]),
		StripPath:               o["strip_path"] == true,
		PreserveHost:            o["preserve_host"] == true,
		HTTPSRedirectStatusCode: referenceNum(o["https_redirect_status_code"]),
		RequestBuffering:        o["request_buffering"] != false,
		ResponseBuffering:       o["response_buffering"] != false,
	}
	serviceID := ""
	if ref, ok := o["service"].(map[string]any); ok {
		serviceID = str(ref["id"])
	}
	rr := router.Route{
		ID:            rt.ID,
		Name:          rt.Name,
		Protocols:     rt.Protocols,
		Methods:       strs(o["methods"]),
		Hosts:         strs(o["hosts"]),
		Paths:         strs(o["paths"]),
		Headers:       referenceHeaders(o["headers"]),
		SNIs:          strs(o["snis"]),
		RegexPriority: referenceNum(o["regex_priority"]),
		StripPath:     rt.StripPath,
		PreserveHost:  rt.PreserveHost,
		PathHandling:  str(o["path_handling"]),
	}
	raw, _ := json.Marshal(o)
	rt.Info = &plugin.RouteInfo{ID: rt.ID, Name: rt.Name, Protocols: rt.Protocols, Tags: strs(o["tags"]), JSON: raw}
	return rt, rr, serviceID
}

func referenceConsumer(o entity.Object) plugin.Consumer {
	var tags []string
	list, _ := o["tags"].([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			tags = append(tags, s)
		}
	}
	raw, _ := json.Marshal(o)
	return plugin.Consumer{ID: str(o["id"]), Username: str(o["username"]), CustomID: str(o["custom_id"]), Tags: tags, JSON: raw}
}

func referenceNum(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func referenceHeaders(v any) map[string][]string {
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

// decoded returns o as the store hands it back: through JSON.
func decoded(t *testing.T, o entity.Object) entity.Object {
	t.Helper()
	raw, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var out entity.Object
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

const (
	svcOn  = "5e000000-0000-4000-8000-000000000001"
	svcOff = "5e000000-0000-4000-8000-000000000002"
)

func TestCompileFromTextMatchesObjects(t *testing.T) {
	services := []entity.Object{
		{"id": svcOn, "name": "on", "protocol": "https", "host": "up.test", "port": 8443, "path": "/base",
			"retries": 3, "connect_timeout": 1500, "write_timeout": 2000, "read_timeout": 2500, "enabled": true,
			"tls_verify": false, "tls_verify_depth": 2, "tags": []any{"a", "b"}, "created_at": 1700000000},
		{"id": svcOff, "name": nil, "protocol": "http", "host": "off.test", "port": 80, "path": nil, "enabled": false,
			"tls_verify": nil, "tls_verify_depth": nil, "tags": []any{}},
	}
	routes := []entity.Object{
		{"id": "a1", "name": "full", "protocols": []any{"http", "https"}, "methods": []any{"GET", "POST"},
			"hosts": []any{"a.test", "*.b.test:8080"}, "paths": []any{"/a", `~/b/(?<id>\d+)$`},
			"headers": map[string]any{"x-a": []any{"1", "~*^v"}, "x-b": []any{}}, "snis": []any{"a.test"},
			"regex_priority": -3, "strip_path": true, "preserve_host": true, "path_handling": "v1",
			"https_redirect_status_code": 308, "request_buffering": false, "response_buffering": false,
			"service": map[string]any{"id": svcOn}, "tags": []any{"t"}, "sources": []any{map[string]any{"ip": "10.0.0.1"}},
			"created_at": 1700000000, "updated_at": 1700000001},
		{"id": "a2", "name": "quotes \" <&> \u00e9 \U0001F600", "protocols": []any{"http", "https"}, "paths": []any{"/q"},
			"hosts": []any{}, "methods": nil, "headers": nil, "snis": nil, "tags": nil, "service": nil},
		{"id": "a3", "paths": []any{"/missing-fields"}, "service": map[string]any{"id": svcOn}},
		{"id": "a4", "protocols": []any{"http", 7}, "hosts": "not-a-list", "paths": []any{"/odd", nil},
			"strip_path": "yes", "request_buffering": nil, "regex_priority": "high",
			"service": map[string]any{"name": "no-id"}, "headers": map[string]any{}},
		{"id": "a5", "paths": []any{"/unknown-service"}, "service": map[string]any{"id": "5e000000-0000-4000-8000-00000000000f"}},
		{"id": "a6", "paths": []any{"/off"}, "service": map[string]any{"id": svcOff}},
	}
	consumers := []entity.Object{
		{"id": "c1", "username": "alice", "custom_id": nil, "tags": nil, "created_at": 1700000000},
		{"id": "c2", "username": nil, "custom_id": "ext\t1", "tags": []any{"x", 1, "y"}},
		{"id": "c3", "username": "carol", "tags": []any{}},
	}
	src := Sources{Services: texts(services...), Routes: texts(routes...), Consumers: texts(consumers...)}
	s, err := CompileSources(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The router's input, compiled the same way.
	table, err := (&Snapshot{}).compileServicesAndRouteTable(&src, newLists())
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]router.Route{}
	for _, rr := range table {
		rr.Data = nil
		entries[rr.ID] = rr
	}

	for _, o := range services {
		want := referenceService(decoded(t, o))
		got := s.Services[want.ID]
		if got == nil {
			t.Fatalf("service %s missing", want.ID)
		}
		wantInfo, gotInfo := *want.Info, *got.Info
		want.Info, wantInfo.JSON = nil, nil
		cp := *got
		cp.Info, gotInfo.JSON = nil, nil
		if !reflect.DeepEqual(cp, want) || !reflect.DeepEqual(gotInfo, wantInfo) {
			t.Errorf("service %s:\n got %+v %+v\nwant %+v %+v", want.ID, cp, gotInfo, want, wantInfo)
		}
		if string(got.Info.JSON) != string(referenceService(decoded(t, o)).Info.JSON) {
			t.Errorf("service %s JSON %s", want.ID, got.Info.JSON)
		}
	}

	served := 0
	for _, o := range routes {
		want, wantRR, serviceID := referenceRoute(decoded(t, o))
		got := s.Routes[want.ID]
		if serviceID == svcOff {
			if got != nil {
				t.Errorf("route %s of a disabled service compiled", want.ID)
			}
			continue
		}
		served++
		if got == nil {
			t.Fatalf("route %s missing", want.ID)
		}
		if wantSvc := s.Services[serviceID]; got.Service != wantSvc {
			t.Errorf("route %s: service %v, want %v", want.ID, got.Service, wantSvc)
		}
		if got.Info.ID != want.Info.ID || got.Info.Name != want.Info.Name ||
			!reflect.DeepEqual(got.Info.Protocols, want.Info.Protocols) || !reflect.DeepEqual(got.Info.Tags, want.Info.Tags) ||
			string(got.Info.JSON) != string(want.Info.JSON) {
			t.Errorf("route %s info:\n got %+v %s\nwant %+v %s", want.ID, got.Info, got.Info.JSON, want.Info, want.Info.JSON)
		}
		cp := *got
		cp.Service, cp.Info, cp.Plugins, want.Info = nil, nil, nil, nil
		if !reflect.DeepEqual(cp, want) {
			t.Errorf("route %s:\n got %+v\nwant %+v", want.ID, cp, want)
		}
		if gotRR := entries[want.ID]; !reflect.DeepEqual(gotRR, wantRR) {
			t.Errorf("route %s router entry:\n got %#v\nwant %#v", want.ID, gotRR, wantRR)
		}
	}
	if s.Router.Len() != served {
		t.Errorf("router serves %d routes, want %d", s.Router.Len(), served)
	}

	for _, o := range consumers {
		want := referenceConsumer(decoded(t, o))
		got := s.Directory.Consumer(want.ID)
		if got == nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("consumer %s:\n got %+v\nwant %+v", want.ID, got, want)
		}
	}
}

func TestStoredLongNumbersReencoded(t *testing.T) {
	const text = `{"id":"r1","paths":["/a"],"regex_priority":9007199254740993}`
	tests := []struct {
		name   string
		stored bool
		want   string
	}{
		{"stored text: as the Admin API shows it", true, `{"id":"r1","paths":["/a"],"regex_priority":9007199254740992}`},
		{"encoded object: as it was encoded", false, text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := CompileSources(Sources{Routes: []string{text}, Stored: tt.stored}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(s.Routes["r1"].Info.JSON); got != tt.want {
				t.Errorf("JSON %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCompileSourcesRejectsMalformedText(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
	}{
		{"service", Sources{Services: []string{`{"id":`}}},
		{"route", Sources{Routes: []string{`{"id":"r1","paths":["/a"]`}}},
		{"consumer", Sources{Consumers: []string{`{"id":"c1"}}`}}},
	}
	for _, tt := range tests {
		if _, err := CompileSources(tt.src, nil); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// TestBuildSameFromEveryStore builds one configuration from the SQLite
// store (read through store.BodyScanner) and from the memory store (read
// through store.Reader.All): both snapshots must agree.
func TestBuildSameFromEveryStore(t *testing.T) {
	sqliteStore, reg := seedStore(t, 60, 20)
	ctx := context.Background()
	mem := memory.New(reg)
	stored := map[string][]entity.Object{}
	err := sqliteStore.View(ctx, func(r store.Reader) error {
		return mem.Update(ctx, func(tx store.Tx) error {
			for _, name := range []string{"services", "routes", "consumers"} {
				objs, err := r.All(ctx, reg.Get(name))
				if err != nil {
					return err
				}
				stored[name] = objs
				for _, o := range objs {
					if err := tx.Insert(ctx, reg.Get(name), o); err != nil {
						return err
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	plugins, err := plugin.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	a, err := Build(ctx, sqliteStore, reg, plugins, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(ctx, mem, reg, plugins, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Routes) != 60 || len(b.Routes) != 60 || a.Router.Len() != 60 || b.Router.Len() != 60 {
		t.Fatalf("routes: %d and %d", len(a.Routes), len(b.Routes))
	}
	for _, o := range stored["routes"] {
		id := o["id"].(string)
		ra, rb := a.Routes[id], b.Routes[id]
		if ra == nil || rb == nil || string(ra.Info.JSON) != string(rb.Info.JSON) || ra.Service.ID != rb.Service.ID {
			t.Errorf("route %s differs:\n%v\n%v", id, ra, rb)
		}
	}
	for _, o := range stored["consumers"] {
		ca, cb := a.Directory.Consumer(o["id"].(string)), b.Directory.Consumer(o["id"].(string))
		if ca == nil || cb == nil || !reflect.DeepEqual(*ca, *cb) {
			t.Errorf("consumer %v differs:\n%v\n%v", o["id"], ca, cb)
		}
	}
	for _, o := range stored["services"] {
		sa, sb := a.Services[o["id"].(string)], b.Services[o["id"].(string)]
		if sa == nil || sb == nil || string(sa.Info.JSON) != string(sb.Info.JSON) {
			t.Errorf("service %v differs", o["id"])
		}
	}
	// The same requests reach the same routes.
	for _, req := range []router.Request{
		{Method: "GET", Host: "svc6.example.com", Path: "/x"},
		{Method: "GET", Host: "h.test", Path: "/svc7/y"},
		{Method: "POST", Host: "api8.example.com", Path: "/v2/items8"},
		{Method: "GET", Host: "h.test", Path: "/res9/42"},
		{Method: "GET", Host: "a.tenant10.test", Path: "/api"},
	} {
		var ma, mb router.Match
		okA, okB := a.Router.Match(&req, &ma), b.Router.Match(&req, &mb)
		if !okA || !okB || ma.Route.ID != mb.Route.ID {
			t.Errorf("%s %s%s: matched %v and %v", req.Method, req.Host, req.Path, okA, okB)
		}
	}
}
