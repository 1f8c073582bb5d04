package balancer

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestRoundRobinWeightedDistribution(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
	}{
		{"equal", []int{100, 100, 100}},
		{"4:2:1", []int{100, 50, 25}},
		{"coprime", []int{7, 3}},
		{"one disabled", []int{10, 0, 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, Options{})
			var targets []map[string]any
			total := 0
			g := 0
			for i, w := range tt.weights {
				targets = append(targets, targetObj("u1", fmt.Sprintf("10.0.0.%d:80", i+1), w))
				total += w
				g = gcd(g, w)
			}
			b := single(t, m, upstreamObj("u1", "up", RoundRobin, nil), targets...)
			cycles := 200
			picks := cycles * total / g
			counts := map[string]int{}
			for range picks {
				a := mustPick(t, b, nil)
				counts[a.Target]++
				b.Done(a, Outcome{Status: 200})
			}
			for i, w := range tt.weights {
				want := cycles * w / g
				if got := counts[fmt.Sprintf("10.0.0.%d:80", i+1)]; got != want {
					t.Errorf("target %d (weight %d): %d picks, want %d", i+1, w, got, want)
				}
			}
		})
	}
}

func TestConsistentHashingStability(t *testing.T) {
	m := newManager(t, Options{})
	up := upstreamObj("u1", "up", ConsistentHashing, map[string]any{"hash_on": "header", "hash_on_header": "x-user"})
	four := []map[string]any{
		targetObj("u1", "10.0.0.1:80", 100), targetObj("u1", "10.0.0.2:80", 100),
		targetObj("u1", "10.0.0.3:80", 100), targetObj("u1", "10.0.0.4:80", 100),
	}
	b := single(t, m, up, four...)
	const keys = 4000
	before := make([]string, keys)
	for i := range keys {
		in := &hashIn{headers: map[string]string{"x-user": fmt.Sprint("user-", i)}}
		a := mustPick(t, b, in)
		before[i] = a.Target
		if again := mustPick(t, b, in); again.Target != a.Target {
			t.Fatalf("key %d moved between picks: %s then %s", i, a.Target, again.Target)
		}
	}
	b2 := single(t, m, up, append(four, targetObj("u1", "10.0.0.5:80", 100))...)
	if b2 != b {
		t.Fatal("recompiling an upstream must keep its balancer")
	}
	moved := 0
	for i := range keys {
		a := mustPick(t, b, &hashIn{headers: map[string]string{"x-user": fmt.Sprint("user-", i)}})
		if a.Target != before[i] {
			moved++
			if a.Target != "10.0.0.5:80" {
				t.Errorf("key %d moved to %s, not to the new target", i, a.Target)
			}
		}
	}
	share := float64(moved) / keys
	if share < 0.12 || share > 0.30 {
		t.Errorf("%.1f%% of keys moved, want about 20%%", share*100)
	}
}

func TestConsistentHashingSources(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]any
		a, b  *hashIn // inputs that must map to the same address
	}{
		{"consumer", map[string]any{"hash_on": "consumer"},
			&hashIn{consumer: "c1", ip: "1.1.1.1"}, &hashIn{consumer: "c1", ip: "2.2.2.2"}},
		{"ip", map[string]any{"hash_on": "ip"},
			&hashIn{ip: "1.1.1.1", path: "/a"}, &hashIn{ip: "1.1.1.1", path: "/b"}},
		{"cookie", map[string]any{"hash_on": "cookie", "hash_on_cookie": "sid"},
			&hashIn{cookies: map[string]string{"sid": "s"}, ip: "1"}, &hashIn{cookies: map[string]string{"sid": "s"}, ip: "2"}},
		{"path", map[string]any{"hash_on": "path"}, &hashIn{path: "/x", ip: "1"}, &hashIn{path: "/x", ip: "2"}},
		{"query_arg", map[string]any{"hash_on": "query_arg", "hash_on_query_arg": "k"},
			&hashIn{args: map[string]string{"k": "v"}, ip: "1"}, &hashIn{args: map[string]string{"k": "v"}, ip: "2"}},
		{"uri_capture", map[string]any{"hash_on": "uri_capture", "hash_on_uri_capture": "id"},
			&hashIn{captures: map[string]string{"id": "7"}, ip: "1"}, &hashIn{captures: map[string]string{"id": "7"}, ip: "2"}},
		{"fallback to ip", map[string]any{"hash_on": "consumer", "hash_fallback": "ip"},
			&hashIn{ip: "9.9.9.9", path: "/a"}, &hashIn{ip: "9.9.9.9", path: "/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, Options{})
			var targets []map[string]any
			for i := 1; i <= 10; i++ {
				targets = append(targets, targetObj("u1", fmt.Sprintf("10.0.0.%d:80", i), 100))
			}
			b := single(t, m, upstreamObj("u1", "up", ConsistentHashing, tt.extra), targets...)
			for range 20 {
				if x, y := mustPick(t, b, tt.a), mustPick(t, b, tt.b); x.Target != y.Target {
					t.Fatalf("same key went to %s and %s", x.Target, y.Target)
				}
			}
			// Different keys spread over several addresses.
			seen := map[string]bool{}
			for i := range 200 {
				k := fmt.Sprint(i)
				in := &hashIn{consumer: k, ip: k, path: k, cookies: map[string]string{"sid": k},
					args: map[string]string{"k": k}, captures: map[string]string{"id": k}}
				seen[mustPick(t, b, in).Target] = true
			}
			if len(seen) < 5 {
				t.Errorf("200 keys reached only %d of 10 addresses", len(seen))
			}
		})
	}
}

func TestHashCookie(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", ConsistentHashing,
		map[string]any{"hash_on": "cookie", "hash_on_cookie": "sid", "hash_on_cookie_path": "/app"}),
		targetObj("u1", "10.0.0.1:80", 100))
	if name, path := b.HashCookie(); name != "sid" || path != "/app" {
		t.Errorf("HashCookie() = %q, %q", name, path)
	}
	rr := single(t, newManager(t, Options{}), upstreamObj("u1", "up", RoundRobin, nil), targetObj("u1", "10.0.0.1:80", 100))
	if name, _ := rr.HashCookie(); name != "" {
		t.Errorf("round-robin HashCookie() = %q", name)
	}
}

func TestLeastConnections(t *testing.T) {
	tests := []struct {
		name    string
		weights map[string]int
		hold    int            // picks kept open (no Done)
		want    map[string]int // open connections per target after hold picks
	}{
		{"equal weights spread evenly", map[string]int{"10.0.0.1:80": 100, "10.0.0.2:80": 100}, 10,
			map[string]int{"10.0.0.1:80": 5, "10.0.0.2:80": 5}},
		{"weights honoured", map[string]int{"10.0.0.1:80": 300, "10.0.0.2:80": 100}, 8,
			map[string]int{"10.0.0.1:80": 6, "10.0.0.2:80": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, Options{})
			var targets []map[string]any
			for tg, w := range tt.weights {
				targets = append(targets, targetObj("u1", tg, w))
			}
			b := single(t, m, upstreamObj("u1", "up", LeastConnections, nil), targets...)
			open := map[string]int{}
			var held []Address
			for range tt.hold {
				a := mustPick(t, b, nil)
				open[a.Target]++
				held = append(held, a)
			}
			for tg, n := range tt.want {
				if open[tg] != n {
					t.Errorf("%s has %d open connections, want %d (all: %v)", tg, open[tg], n, open)
				}
			}
			// Releasing every connection of one target makes it preferred.
			for _, a := range held {
				if a.Target == "10.0.0.2:80" {
					b.Done(a, Outcome{Status: 200})
				}
			}
			if a := mustPick(t, b, nil); a.Target != "10.0.0.2:80" {
				t.Errorf("after releasing 10.0.0.2 the pick went to %s", a.Target)
			}
		})
	}
}

func TestLatencyPrefersFastAddress(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", Latency, nil),
		targetObj("u1", "10.0.0.1:80", 100), targetObj("u1", "10.0.0.2:80", 100), targetObj("u1", "10.0.0.3:80", 100))
	latency := map[string]time.Duration{"10.0.0.1:80": time.Millisecond, "10.0.0.2:80": 200 * time.Millisecond,
		"10.0.0.3:80": 200 * time.Millisecond}
	counts := map[string]int{}
	for range 3000 {
		a := mustPick(t, b, nil)
		counts[a.Target]++
		b.Done(a, Outcome{Status: 200, Latency: latency[a.Target]})
	}
	// With two random candidates out of three the fast address wins every
	// draw it is part of: about 2/3 of the picks.
	if share := float64(counts["10.0.0.1:80"]) / 3000; share < 0.55 {
		t.Errorf("fast address got %.0f%% of picks (%v)", share*100, counts)
	}
}

func TestExcludeOnRetry(t *testing.T) {
	algorithms := []string{RoundRobin, ConsistentHashing, LeastConnections, Latency}
	for _, algo := range algorithms {
		t.Run(algo, func(t *testing.T) {
			m := newManager(t, Options{})
			b := single(t, m, upstreamObj("u1", "up", algo, nil),
				targetObj("u1", "10.0.0.1:80", 100), targetObj("u1", "10.0.0.2:80", 100), targetObj("u1", "10.0.0.3:80", 100))
			in := &hashIn{ip: "1.2.3.4"}
			for range 50 {
				first := mustPick(t, b, in)
				second := mustPick(t, b, in, first)
				third := mustPick(t, b, in, first, second)
				if second.Target == first.Target || third.Target == first.Target || third.Target == second.Target {
					t.Fatalf("retries reused an excluded address: %s, %s, %s", first.Target, second.Target, third.Target)
				}
				// Everything excluded: an address is still returned.
				fourth := mustPick(t, b, in, first, second, third)
				for _, a := range []Address{first, second, third, fourth} {
					b.Done(a, Outcome{Status: 200})
				}
			}
		})
	}
}

func TestSingleTargetRetryReturnsSameAddress(t *testing.T) {
	m := newManager(t, Options{})
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, nil), targetObj("u1", "10.0.0.1:80", 100))
	a := mustPick(t, b, nil)
	if again := mustPick(t, b, nil, a); again.String() != "10.0.0.1:80" {
		t.Errorf("retry got %s", again)
	}
}

func TestPickErrorsWithoutAddresses(t *testing.T) {
	tests := []struct {
		name    string
		targets []map[string]any
	}{
		{"no targets", nil},
		{"all weight 0", []map[string]any{targetObj("u1", "10.0.0.1:80", 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := single(t, newManager(t, Options{}), upstreamObj("u1", "up", RoundRobin, nil), tt.targets...)
			_, ok, err := b.Pick(nil)
			if ok || err != ErrNoPeer || err.Error() != "failure to get a peer from the ring-balancer" {
				t.Errorf("Pick = %v, %v", ok, err)
			}
		})
	}
}

func TestEWMADecays(t *testing.T) {
	e := newEndpoint()
	e.recordLatency(100 * time.Millisecond)
	v, ok := e.ewma(e.ewmaStamp.Load())
	if !ok || math.Abs(v-float64(100*time.Millisecond)) > 1 {
		t.Fatalf("ewma = %v, %v", v, ok)
	}
	later, _ := e.ewma(e.ewmaStamp.Load() + int64(latencyDecay))
	if math.Abs(later-v/math.E) > 1e3 {
		t.Errorf("after one decay time ewma = %v, want %v", later, v/math.E)
	}
	e.recordLatency(time.Second) // a peak replaces the average at once
	if v, _ := e.ewma(e.ewmaStamp.Load()); v != float64(time.Second) {
		t.Errorf("peak not taken: %v", v)
	}
}
