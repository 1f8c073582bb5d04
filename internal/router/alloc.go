package router

// blockSize is the number of elements a block allocates at once.
const blockSize = 256

// block hands out elements of T from arrays of blockSize, so that
// building a router makes a few hundred allocations rather than one per
// matcher, host rule and tree node. The blocks live as long as any of
// their elements, which all live as long as the router.
type block[T any] struct {
	free []T
}

// one returns a pointer to a new element holding v.
func (b *block[T]) one(v T) *T {
	if len(b.free) == 0 {
		b.free = make([]T, blockSize)
	}
	p := &b.free[0]
	*p = v
	b.free = b.free[1:]
	return p
}

// slice returns an empty slice with room for n elements; appending more
// than n moves it out of the block.
func (b *block[T]) slice(n int) []T {
	if n > blockSize/8 {
		return make([]T, 0, n)
	}
	if len(b.free) < n {
		b.free = make([]T, blockSize)
	}
	s := b.free[:0:n]
	b.free = b.free[n:]
	return s
}

// builder holds the blocks one New call allocates from.
type builder struct {
	matchers    block[matcher]
	nodes       block[trieNode]
	hostRules   block[hostRule]
	matcherPtrs block[*matcher]
	nodePtrs    block[*trieNode]
	bytes       block[byte]
	groups      []pathGroup // reused by compileRoute
}
