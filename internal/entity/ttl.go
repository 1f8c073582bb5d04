package entity

import (
	"math"
	"time"
)

// A credential's ttl is stored as the number of seconds from its
// created_at to its expiry, so that the expiry is created_at + ttl
// whatever write set it, and responses show the seconds that remain.

// storedTTLFor turns a ttl given on a write at now (seconds from now;
// nil or 0 means no expiry) into its stored form: seconds from createdAt.
// A ttl set by an update restarts from the update, as in Kong.
func storedTTLFor(ttl, createdAt any, now time.Time) any {
	n, ok := ttl.(float64)
	if !ok || n <= 0 {
		return nil
	}
	if created, ok := createdAt.(float64); ok && created < float64(now.Unix()) {
		n += float64(now.Unix()) - math.Floor(created)
	}
	return n
}

// Present returns obj as the Admin API shows it at now. For entities with
// a ttl (credentials) the stored ttl becomes the seconds left before the
// entity expires (null when it never does), and visible is false once it
// has expired, as Kong hides expired rows. Other entities are returned
// unchanged. obj itself is never modified.
func (s *Schema) Present(obj Object, now time.Time) (out Object, visible bool) {
	if !s.TTL || obj == nil {
		return obj, true
	}
	ttl, ok := obj["ttl"].(float64)
	if !ok {
		return obj, true
	}
	created, _ := obj["created_at"].(float64)
	remaining := math.Floor(created) + ttl - float64(now.Unix())
	if remaining < 0 {
		return nil, false
	}
	out = make(Object, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	out["ttl"] = remaining
	return out, true
}
