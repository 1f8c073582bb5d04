package proxy

import "math/rand/v2"

const hexDigits = "0123456789abcdef"

// newRequestID fills id with 32 lower-case hex digits drawn from the
// runtime's per-thread ChaCha8 generator (cheap, no locks, unpredictable
// enough for correlation ids).
func newRequestID(id *[32]byte) {
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := 15; i >= 0; i-- {
		id[i] = hexDigits[hi&0xf]
		hi >>= 4
		id[16+i] = hexDigits[lo&0xf]
		lo >>= 4
	}
}
