package proxy

import (
	"encoding/binary"
	"math/rand/v2"
)

const hexDigits = "0123456789abcdef"

// hexPairs holds the two hex digits of every byte value.
var hexPairs = func() (t [256][2]byte) {
	for i := range t {
		t[i] = [2]byte{hexDigits[i>>4], hexDigits[i&15]}
	}
	return t
}()

// newRequestID fills id with 32 lower-case hex digits drawn from the
// runtime's per-thread ChaCha8 generator (cheap, no locks, unpredictable
// enough for correlation ids).
func newRequestID(id *[32]byte) {
	var raw [16]byte
	binary.LittleEndian.PutUint64(raw[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(raw[8:], rand.Uint64())
	for i, c := range raw {
		id[2*i], id[2*i+1] = hexPairs[c][0], hexPairs[c][1]
	}
}
