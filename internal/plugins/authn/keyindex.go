package authn

import (
	"crypto/subtle"
	"hash/maphash"
)

// keyIndex finds key-auth credentials by key. Keys are bucketed by a
// 64-bit hash keyed with a random per-index seed, so the lookup's timing
// depends on a value a client can neither compute nor steer rather than
// on the secret itself; the key is then compared in constant time.
// Credentials whose hashes collide are chained.
type keyIndex struct {
	seed    maphash.Seed
	buckets map[uint64]*keyEntry
	n       int
}

// keyEntry is one credential of a bucket.
type keyEntry struct {
	cred *KeyCredential
	next *keyEntry
}

func newKeyIndex(size int) keyIndex {
	return keyIndex{seed: maphash.MakeSeed(), buckets: make(map[uint64]*keyEntry, size)}
}

// add indexes kc under its key, replacing a credential with the same key.
func (x *keyIndex) add(kc *KeyCredential) {
	h := x.hashOf(kc.key)
	for e := x.buckets[h]; e != nil; e = e.next {
		if e.cred.key == kc.key {
			e.cred = kc
			return
		}
	}
	x.buckets[h] = &keyEntry{cred: kc, next: x.buckets[h]}
	x.n++
}

// lookup returns the credential whose key is key, or nil.
func (x *keyIndex) lookup(key string) *KeyCredential {
	if x.n == 0 {
		return nil
	}
	for e := x.buckets[x.hashOf(key)]; e != nil; e = e.next {
		if subtle.ConstantTimeCompare([]byte(e.cred.key), []byte(key)) == 1 {
			return e.cred
		}
	}
	return nil
}

// hashOf returns the bucket of key.
func (x *keyIndex) hashOf(key string) uint64 { return maphash.String(x.seed, key) }
