package main

import "fmt"

// targetIndex is the position of the measured route in the mixed table;
// it is a plain prefix route (index % 6 == 1) in the middle of the table.
const targetIndex = 5005

// mixedRoutes returns n route bodies cycling through six common shapes
// and the path of the measured route. Around the measured prefix route
// "/svc5005" sit decoys the router must reject or outrank: a regex and a
// POST-only route on the same prefix (both rank higher and fail on a GET
// to "/svc5005/" or "/svc5005/1k") and two shorter prefixes that match too
// but rank lower. With n <= targetIndex the measured route is the middle
// one of the prefix shape instead.
func mixedRoutes(n int) ([]map[string]any, string) {
	target := targetIndex
	if n <= target+6 {
		target = n/2 - (n/2)%6 + 1
	}
	measured := fmt.Sprintf("/svc%d", target)
	decoys := map[int]map[string]any{
		target + 2: {"paths": []string{"~" + measured + `/(?<id>\d+)$`}},
		target + 4: {"paths": []string{measured}, "methods": []string{"POST"}},
		target + 6: {"paths": []string{measured[:len(measured)-1]}},
		target + 8: {"paths": []string{measured[:len(measured)-2]}},
	}
	routes := make([]map[string]any, 0, n)
	for i := range n {
		r, ok := decoys[i]
		if !ok {
			r = routeShape(i)
		}
		r["name"] = fmt.Sprintf("r%d", i)
		r["strip_path"] = true
		routes = append(routes, r)
	}
	return routes, measured
}

// routeShape returns the matching fields of route i of the mixed table.
func routeShape(i int) map[string]any {
	switch i % 6 {
	case 0:
		return map[string]any{"hosts": []string{fmt.Sprintf("svc%d.example.com", i)}}
	case 1:
		return map[string]any{"paths": []string{fmt.Sprintf("/svc%d", i)}}
	case 2:
		return map[string]any{
			"hosts":   []string{fmt.Sprintf("api%d.example.com", i)},
			"paths":   []string{fmt.Sprintf("/v1/items%d", i), fmt.Sprintf("/v2/items%d", i)},
			"methods": []string{"GET", "POST"},
		}
	case 3:
		return map[string]any{"paths": []string{fmt.Sprintf(`~/res%d/(?<id>\d+)$`, i)}}
	case 4:
		return map[string]any{"hosts": []string{fmt.Sprintf("*.tenant%d.test", i)}, "paths": []string{"/api"}}
	default:
		return map[string]any{
			"headers": map[string][]string{"x-tenant": {fmt.Sprintf("t%d", i)}},
			"paths":   []string{fmt.Sprintf("/hdr%d", i)},
		}
	}
}
