package router

import (
	"cmp"
	"math/rand"
	"testing"
)

// comparePriorities is the field-by-field order of traditional_compatible
// (the reference for sortKey): a negative number when p wins.
func comparePriorities(p, q priority) int {
	switch {
	case p.attributes != q.attributes:
		return q.attributes - p.attributes
	case p.plainHostsOnly != q.plainHostsOnly:
		if p.plainHostsOnly {
			return -1
		}
		return 1
	case p.headerCount != q.headerCount:
		return q.headerCount - p.headerCount
	case p.regex != q.regex:
		if p.regex {
			return -1
		}
		return 1
	case p.regexPriority != q.regexPriority:
		return cmp.Compare(q.regexPriority, p.regexPriority)
	}
	return q.prefixLength - p.prefixLength
}

func TestSortKeyOrdersAsPriority(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	random := func() priority {
		p := priority{
			attributes:     rng.Intn(6),
			plainHostsOnly: rng.Intn(2) == 0,
			headerCount:    []int{0, 1, 2, maxHeaderCount}[rng.Intn(4)],
		}
		switch rng.Intn(3) {
		case 0: // regex group
			p.regex = true
			p.regexPriority = []int{-1 << 40, -5, 0, 3, 1 << 40}[rng.Intn(5)]
		case 1: // prefix group
			p.prefixLength = []int{0, 1, 7, maxPrefixLength}[rng.Intn(4)]
		}
		return p
	}
	for i := range 20000 {
		p, q := random(), random()
		a := newCandidate(nil, "x", p)
		b := newCandidate(nil, "x", q)
		if got, want := cmp.Compare(compareCandidates(a, b), 0), cmp.Compare(comparePriorities(p, q), 0); got != want {
			t.Fatalf("case %d: %+v vs %+v: candidates compare %d, priorities %d", i, p, q, got, want)
		}
	}
	// Ties on priority go to the greater id.
	p := random()
	if compareCandidates(newCandidate(nil, "b", p), newCandidate(nil, "a", p)) >= 0 {
		t.Error("the greater id does not win a tie")
	}
}
