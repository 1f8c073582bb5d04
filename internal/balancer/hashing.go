package balancer

import (
	"slices"
	"strconv"
)

// pointsPerAddress is the number of continuum points an address of
// average weight receives (the ketama convention).
const pointsPerAddress = 160

// point is one position on the hash continuum.
type point struct {
	hash  uint32
	entry int32
}

// buildContinuum places every address on the continuum with a number of
// points proportional to its weight (160 for an average weight), scaled
// down when the total would exceed slots. A point's position depends only
// on the address and the point's index, so adding an address moves only
// the keys that land on its new points.
func buildContinuum(entries []entry, slots int) []point {
	if len(entries) == 0 {
		return nil
	}
	total := 0
	for _, e := range entries {
		total += e.weight
	}
	want := pointsPerAddress * len(entries)
	if slots > 0 && want > slots {
		want = slots
	}
	points := make([]point, 0, want+len(entries))
	buf := make([]byte, 0, 64)
	for i, e := range entries {
		n := int(float64(want) * float64(e.weight) / float64(total))
		if n < 1 {
			n = 1
		}
		base := e.addr.Target + "|" + e.addr.String() + "#"
		for k := range n {
			buf = strconv.AppendInt(append(buf[:0], base...), int64(k), 10)
			points = append(points, point{hash: hashBytes(buf), entry: int32(i)})
		}
	}
	slices.SortFunc(points, func(a, b point) int {
		switch {
		case a.hash < b.hash:
			return -1
		case a.hash > b.hash:
			return 1
		}
		return int(a.entry - b.entry)
	})
	return points
}

// pickHashing hashes the request's key and walks the continuum forward
// from it to the first healthy, non-excluded address.
func (s *state) pickHashing(in HashInput, exclude []Address) int {
	n := len(s.points)
	if n == 0 {
		return -1
	}
	h := hashString(s.hashValue(in))
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.points[mid].hash < h {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	for k := 0; k < n; k++ {
		i := int(s.points[(lo+k)%n].entry)
		if s.eligible(i, exclude) {
			return i
		}
	}
	return -1
}

// hashValue is the hash_on value, else the hash_fallback value, else "".
func (s *state) hashValue(in HashInput) string {
	if in == nil {
		return ""
	}
	if v := s.cfg.hashOn.value(in); v != "" {
		return v
	}
	return s.cfg.hashFallback.value(in)
}

// FNV-1a 64 followed by a 64-bit finaliser, folded to 32 bits.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(s string) uint32 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return finalize(h)
}

func hashBytes(b []byte) uint32 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return finalize(h)
}

func finalize(h uint64) uint32 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return uint32(h)
}
