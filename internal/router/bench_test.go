package router

import (
	"fmt"
	"net/http"
	"testing"
)

// mixedRoutes builds n routes cycling through the common shapes: plain
// host, prefix path, host plus prefix with a method, regex path, wildcard
// host plus prefix, and header plus prefix.
func mixedRoutes(n int) []Route {
	routes := make([]Route, 0, n)
	for i := 0; i < n; i++ {
		r := Route{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), StripPath: true}
		switch i % 6 {
		case 0:
			r.Hosts = []string{fmt.Sprintf("svc%d.example.com", i)}
		case 1:
			r.Paths = []string{fmt.Sprintf("/svc%d", i)}
		case 2:
			r.Hosts = []string{fmt.Sprintf("api%d.example.com", i)}
			r.Paths = []string{fmt.Sprintf("/v1/items%d", i), fmt.Sprintf("/v2/items%d", i)}
			r.Methods = []string{"GET", "POST"}
		case 3:
			r.Paths = []string{fmt.Sprintf(`~/res%d/(?<id>\d+)$`, i)}
		case 4:
			r.Hosts = []string{fmt.Sprintf("*.tenant%d.test", i)}
			r.Paths = []string{"/api"}
		case 5:
			r.Headers = map[string][]string{"x-tenant": {fmt.Sprintf("t%d", i)}}
			r.Paths = []string{fmt.Sprintf("/hdr%d", i)}
		}
		routes = append(routes, r)
	}
	return routes
}

func benchmarkMatch(b *testing.B, r *Router, req *Request, wantID string) {
	var m Match
	if !r.Match(req, &m) || m.Route.ID != wantID {
		b.Fatalf("request %+v did not match %s", req, wantID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Match(req, &m)
	}
}

func BenchmarkMatch(b *testing.B) {
	one, err := New([]Route{{ID: "r", Paths: []string{"/api"}, StripPath: true}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("1route/prefix", func(b *testing.B) {
		benchmarkMatch(b, one, &Request{Method: "GET", Host: "h.test", Path: "/api/users/42"}, "r")
	})

	routes := mixedRoutes(10000)
	big, err := New(routes)
	if err != nil {
		b.Fatal(err)
	}
	id := func(i int) string { return routes[i].ID }
	cases := []struct {
		name string
		req  Request
		want string
	}{
		{"10k/host", Request{Method: "GET", Host: "svc6000.example.com", Path: "/anything/here"}, id(6000)},
		{"10k/prefix", Request{Method: "GET", Host: "unknown.test", Path: "/svc5005/orders/7"}, id(5005)},
		{"10k/host+prefix+method", Request{Method: "POST", Host: "api5006.example.com", Path: "/v2/items5006/x"}, id(5006)},
		{"10k/regex", Request{Method: "GET", Host: "unknown.test", Path: "/res5007/123"}, id(5007)},
		{"10k/wildcard-host", Request{Method: "GET", Host: "a.tenant5008.test", Path: "/api/x"}, id(5008)},
		{"10k/header", Request{Method: "GET", Host: "unknown.test", Path: "/hdr5009",
			Headers: http.Header{"X-Tenant": {"T5009"}}}, id(5009)},
		{"10k/needs-normalizing", Request{Method: "GET", Host: "unknown.test", Path: "/x/../svc5005//orders"}, id(5005)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchmarkMatch(b, big, &c.req, c.want) })
	}
	b.Run("10k/no-match", func(b *testing.B) {
		req := &Request{Method: "GET", Host: "unknown.test", Path: "/nothing/here"}
		var m Match
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if big.Match(req, &m) {
				b.Fatal("unexpected match")
			}
		}
	})
}

func BenchmarkCompile10k(b *testing.B) {
	routes := mixedRoutes(10000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := New(routes); err != nil {
			b.Fatal(err)
		}
	}
}
