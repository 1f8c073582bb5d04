package balancer

import "math/rand/v2"

// maxWheel bounds the round-robin wheel; larger weight sets are scaled
// down proportionally (every address keeps at least one slot).
const maxWheel = 1 << 14

// buildWheel lays every entry out weight/gcd(weights) times and shuffles
// the result, so nodes do not walk their upstreams in lockstep.
func buildWheel(entries []entry) []int32 {
	if len(entries) == 0 {
		return nil
	}
	g := 0
	total := 0
	for _, e := range entries {
		g = gcd(g, e.weight)
		total += e.weight
	}
	scale := 1.0
	if total/g > maxWheel {
		scale = float64(maxWheel) / float64(total/g)
	}
	var wheel []int32
	for i, e := range entries {
		n := int(float64(e.weight/g) * scale)
		if n < 1 {
			n = 1
		}
		for range n {
			wheel = append(wheel, int32(i))
		}
	}
	rand.Shuffle(len(wheel), func(i, j int) { wheel[i], wheel[j] = wheel[j], wheel[i] })
	return wheel
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pickRoundRobin walks the wheel from the shared cursor, skipping
// unhealthy and excluded addresses.
func (s *state) pickRoundRobin(exclude []Address) int {
	n := uint64(len(s.wheel))
	if n == 0 {
		return -1
	}
	start := s.cursor.Add(1)
	for k := uint64(0); k < n; k++ {
		i := int(s.wheel[(start+k)%n])
		if s.eligible(i, exclude) {
			return i
		}
	}
	return -1
}
