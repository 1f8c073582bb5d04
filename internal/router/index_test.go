package router

import (
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"testing"
)

// linearMatch is the reference: test every matcher in priority order.
func linearMatch(t *testing.T, routes []Route, req *Request) string {
	t.Helper()
	var all []candidate
	var b builder
	for i := range routes {
		var err error
		if all, err = compileRoute(&routes[i], newRegexCache(), &b, all); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(all, compareCandidates)
	path := NormalizePath(req.Path)
	for _, c := range all {
		if c.m.matches(req, path) {
			return c.m.route.ID
		}
	}
	return ""
}

// TestIndexAgreesWithLinearScan checks on random route tables that the
// host and path indexes return exactly what a scan of all matchers in
// priority order returns.
func TestIndexAgreesWithLinearScan(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	pick := func(list ...string) string { return list[rng.Intn(len(list))] }
	hosts := []string{"a.test", "b.test", "x.a.test", "a.test:8000", "*.test", "*.a.test", "a.*", "x.*", "*test"}
	prefixes := []string{"/", "/a", "/ab", "/abc", "/a/b", "/b", "/b/", "/api", "/api/v1"}
	regexes := []string{`~/a\d*`, `~/ab+`, `~/api/v\d+`, `~/(a|b)`, `~(?i)/API`, `~/b/`, `~.*`}
	methods := []string{"GET", "POST"}
	for round := 0; round < 200; round++ {
		var routes []Route
		for i := 0; i < 12; i++ {
			r := Route{ID: fmt.Sprintf("%04x-%d", rng.Intn(1<<16), i), StripPath: rng.Intn(2) == 0}
			for n := rng.Intn(3); n > 0; n-- {
				r.Hosts = append(r.Hosts, pick(hosts...))
			}
			for n := rng.Intn(3); n > 0; n-- {
				if rng.Intn(3) == 0 {
					r.Paths = append(r.Paths, pick(regexes...))
				} else {
					r.Paths = append(r.Paths, pick(prefixes...))
				}
			}
			if rng.Intn(3) == 0 {
				r.Methods = []string{pick(methods...)}
			}
			if rng.Intn(4) == 0 {
				r.Headers = map[string][]string{"x-h": {pick("1", "2")}}
			}
			r.RegexPriority = rng.Intn(3)
			routes = append(routes, r)
		}
		router := mustRouter(t, routes...)
		for q := 0; q < 30; q++ {
			req := &Request{
				Method:  pick(methods...),
				Host:    pick("a.test", "b.test", "x.a.test", "y.x.a.test", "a.b", "x.y", "other", "test"),
				Port:    []int{80, 8000}[rng.Intn(2)],
				Path:    pick("/", "/a", "/ab", "/abc/d", "/a/b/c", "/b/", "/api/v1/x", "/API/v2", "/zz", "/a1"),
				Headers: http.Header{"X-H": {pick("1", "2")}},
			}
			want := linearMatch(t, routes, req)
			if got := matchedID(router, req); got != want {
				t.Fatalf("round %d: %+v: index matched %q, linear scan %q\nroutes: %+v", round, req, got, want, routes)
			}
		}
	}
}
