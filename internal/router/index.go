package router

import (
	"slices"
	"strings"
)

// trieNode is a node of a radix tree over path prefixes. Each matcher is
// stored at the node of a text every path it can match starts with (its
// prefix path, the literal start of its regex, or "" at the root), so a
// request only looks at the matchers stored along its path.
type trieNode struct {
	// label is the text of the edge from the parent to this node.
	label string
	// edges holds the first byte of each child's label, sorted; children
	// is parallel to it.
	edges    []byte
	children []*trieNode
	// matchers are sorted by rank (best first) once the tree is built.
	matchers []*matcher
}

// child returns the index of the child whose label starts with c, or -1.
func (n *trieNode) child(c byte) int {
	lo, hi := 0, len(n.edges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if n.edges[mid] < c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(n.edges) && n.edges[lo] == c {
		return lo
	}
	return -1
}

// insert stores m at the node for key, creating or splitting nodes from
// the blocks of b.
func (n *trieNode) insert(key string, m *matcher, b *builder) {
	for key != "" {
		i := n.child(key[0])
		if i < 0 {
			n.addChild(b.nodes.one(trieNode{label: key, matchers: append(b.matcherPtrs.slice(1), m)}), b)
			return
		}
		c := n.children[i]
		common := commonPrefixLength(key, c.label)
		if common < len(c.label) {
			mid := b.nodes.one(trieNode{
				label:    c.label[:common],
				edges:    append(b.bytes.slice(1), c.label[common]),
				children: append(b.nodePtrs.slice(1), c),
			})
			c.label = c.label[common:]
			n.children[i] = mid
			c = mid
		}
		n, key = c, key[common:]
	}
	if n.matchers == nil {
		n.matchers = b.matcherPtrs.slice(1)
	}
	n.matchers = append(n.matchers, m)
}

// addChild inserts c keeping edges sorted.
func (n *trieNode) addChild(c *trieNode, b *builder) {
	if n.edges == nil {
		n.edges, n.children = b.bytes.slice(1), b.nodePtrs.slice(1)
	}
	i, _ := slices.BinarySearch(n.edges, c.label[0])
	n.edges = slices.Insert(n.edges, i, c.label[0])
	n.children = slices.Insert(n.children, i, c)
}

// finish sorts every node's matchers by rank and drops duplicates (a
// matcher stored twice at one node through two of its paths).
func (n *trieNode) finish() {
	slices.SortFunc(n.matchers, func(a, b *matcher) int { return a.rank - b.rank })
	n.matchers = slices.Compact(n.matchers)
	for _, c := range n.children {
		c.finish()
	}
}

func commonPrefixLength(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// search returns the best-ranked matcher stored along path that matches
// req, or best when none ranks better than best.
func (n *trieNode) search(req *Request, path string, best *matcher) *matcher {
	rest := path
	for {
		best = firstMatch(n.matchers, req, path, best)
		if rest == "" {
			return best
		}
		i := n.child(rest[0])
		if i < 0 {
			return best
		}
		c := n.children[i]
		if !strings.HasPrefix(rest, c.label) {
			return best
		}
		rest = rest[len(c.label):]
		n = c
	}
}

// firstMatch scans list (sorted by rank) for the first matcher that
// matches and ranks better than best.
func firstMatch(list []*matcher, req *Request, path string, best *matcher) *matcher {
	for _, m := range list {
		if best != nil && m.rank >= best.rank {
			break
		}
		if m.matches(req, path) {
			return m
		}
	}
	return best
}

// indexKeys returns the texts under which m is stored in the tree.
func indexKeys(m *matcher) []string {
	switch {
	case len(m.prefixes) > 0:
		return m.prefixes
	case len(m.regexPaths()) > 0:
		regexes := m.more.regexes
		keys := make([]string, len(regexes))
		for i := range regexes {
			keys[i] = regexes[i].literal
		}
		return keys
	}
	return []string{""}
}
