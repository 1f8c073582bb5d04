package authn

import "testing"

func TestKeyIndex(t *testing.T) {
	a := &KeyCredential{key: "alpha"}
	b := &KeyCredential{key: "beta"}
	a2 := &KeyCredential{key: "alpha"}
	x := newKeyIndex(0)
	x.add(a)
	x.add(b)
	x.add(a2) // same key: replaces a
	// Chain a third credential into beta's bucket, as a hash collision
	// would.
	c := &KeyCredential{key: "gamma"}
	hb := x.hashOf("beta")
	x.buckets[hb] = &keyEntry{cred: c, next: x.buckets[hb]}
	tests := []struct {
		key  string
		want *KeyCredential
	}{
		{"alpha", a2},
		{"beta", b},
		{"gamma", nil}, // chained under beta's hash, not its own
		{"", nil},
		{"alph", nil},
		{"alphaa", nil},
	}
	for _, tt := range tests {
		if got := x.lookup(tt.key); got != tt.want {
			t.Errorf("lookup(%q) = %p, want %p", tt.key, got, tt.want)
		}
	}
	if x.n != 2 {
		t.Errorf("n = %d, want 2", x.n)
	}
	// A collision chain is searched to its end.
	x.buckets[x.hashOf("gamma")] = &keyEntry{cred: b, next: &keyEntry{cred: c}}
	if got := x.lookup("gamma"); got != c {
		t.Errorf("lookup through a chain = %p, want %p", got, c)
	}
	if got := (&keyIndex{}).lookup("alpha"); got != nil {
		t.Errorf("empty index found %p", got)
	}
}
