package router

import (
	"fmt"
	"testing"
)

// seedMixRoutes reproduces the route table of the benchmark harness's
// routes case (bench/seed/mix.go): n routes cycling through six shapes,
// with decoys around the measured prefix route "/svc5005": a regex and a
// POST-only route on the same prefix that rank above it, and two shorter
// prefixes that rank below it. It returns the routes and the measured
// route's index.
func seedMixRoutes(n int) ([]Route, int) {
	const target = 5005
	measured := fmt.Sprintf("/svc%d", target)
	decoys := map[int]Route{
		target + 2: {Paths: []string{"~" + measured + `/(?<id>\d+)$`}},
		target + 4: {Paths: []string{measured}, Methods: []string{"POST"}},
		target + 6: {Paths: []string{measured[:len(measured)-1]}},
		target + 8: {Paths: []string{measured[:len(measured)-2]}},
	}
	base := mixedRoutes(n)
	routes := make([]Route, 0, n)
	for i := range n {
		r := base[i]
		if d, ok := decoys[i]; ok {
			d.ID = r.ID
			r = d
		}
		r.Name = fmt.Sprintf("r%d", i)
		r.StripPath = true
		routes = append(routes, r)
	}
	return routes, target
}

// BenchmarkMatchSeedMix measures the requests the harness sends in its
// routes case against the same 10,000-route table.
func BenchmarkMatchSeedMix(b *testing.B) {
	routes, target := seedMixRoutes(10000)
	r, err := New(routes)
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/svc5005/", "/svc5005/1k"} {
		b.Run(path, func(b *testing.B) {
			benchmarkMatch(b, r, &Request{Method: "GET", Host: "127.0.0.1", Port: 8000, Path: path, Scheme: "http"}, routes[target].ID)
		})
	}
}
