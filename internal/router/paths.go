package router

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// isRegexPath reports whether a route path is a regex ("~" prefix).
func isRegexPath(p string) bool { return strings.HasPrefix(p, "~") }

// pathGroup is a set of paths of one route that share a priority: all
// regex paths, or all prefix paths of one length.
type pathGroup struct {
	regex bool
	// key is -1 for regex paths, else the prefix length (while grouping).
	key   int
	paths []string
}

// groupPaths splits a route's paths into groups keyed by "regex" or by
// prefix length, in the order each group first appears, and appends them
// to groups. When all paths fall in one group (the common case) the group
// shares paths rather than copying it.
func groupPaths(paths []string, groups []pathGroup) []pathGroup {
	key := func(p string) int {
		if isRegexPath(p) {
			return -1
		}
		return len(p)
	}
	first := key(paths[0])
	if !slices.ContainsFunc(paths[1:], func(p string) bool { return key(p) != first }) {
		return append(groups, pathGroup{regex: first == -1, paths: paths})
	}
	start := len(groups)
	for _, p := range paths {
		k := key(p)
		i := slices.IndexFunc(groups[start:], func(g pathGroup) bool { return g.key == k })
		if i >= 0 {
			groups[start+i].paths = append(groups[start+i].paths, p)
			continue
		}
		groups = append(groups, pathGroup{regex: k == -1, key: k, paths: []string{p}})
	}
	return groups
}

// regexPath is a compiled "~" route path.
type regexPath struct {
	// re is the regex anchored at the start, or, when the regex starts
	// with plain text (see splitLiteral), what follows that text; then
	// re sees the path after its first skip bytes.
	re   *regexp.Regexp
	skip int
	// literal is text every match starts with (used for indexing); it
	// includes the skipped text.
	literal string
}

// maxSplitLength bounds the regexes whose plain start is split off (see
// splitLiteral).
const maxSplitLength = 512

// regexCache shares compiled regexes within one router build: paths
// with the same regex compile once, and so do split regexes (see
// compileRegexPath) with the same rest, as in "~/users/(?<id>\d+)$" and
// "~/orders/(?<id>\d+)$". A *regexp.Regexp is safe for concurrent use,
// so matchers may share one.
type regexCache struct {
	paths map[string]regexPath
	rests map[string]*restRegex
}

// restRegex is the rest of a split regex, parsed and compiled once.
type restRegex struct {
	// parsed is nil when the rest does not parse or tests what precedes
	// its start (then no regex is split there).
	parsed *syntax.Regexp
	// re is the rest anchored at the start; nil when it does not compile.
	re *regexp.Regexp
}

func newRegexCache() *regexCache {
	return &regexCache{paths: make(map[string]regexPath), rests: make(map[string]*restRegex)}
}

// rest returns the cached entry for rest, parsing and compiling it on
// first use.
func (c *regexCache) rest(rest string) *restRegex {
	if r, ok := c.rests[rest]; ok {
		return r
	}
	r := &restRegex{}
	parsed, err := syntax.Parse(rest, syntax.Perl)
	if err == nil && !hasOp(parsed, syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary) {
		r.parsed = parsed
		r.re, _ = regexp.Compile("^(?:" + rest + ")")
	}
	c.rests[rest] = r
	return r
}

// regexPath returns the compiled regex path path ("~" and a regex).
func (c *regexCache) regexPath(path string) (regexPath, error) {
	if rp, ok := c.paths[path]; ok {
		return rp, nil
	}
	rp, err := compileRegexPath(path, c)
	if err == nil {
		c.paths[path] = rp
	}
	return rp, err
}

// compileRegexPath compiles a "~" path anchored at the start only. A
// regex that starts with plain text (most do: "~/users/(?<id>\d+)$")
// is compiled without it, which keeps the program (and its one-pass
// copy) small and lets regex paths that differ only in that text share
// one program: Match compares the text, which every match starts with,
// before running the rest of the regex on what follows.
func compileRegexPath(path string, cache *regexCache) (regexPath, error) {
	src := path[1:]
	if parsed, err := syntax.Parse(src, syntax.Perl); err == nil {
		if skip, re, ok := splitLiteral(src, parsed, cache); ok {
			return regexPath{re: re, skip: skip, literal: literalOf(parsed)}, nil
		}
	}
	re, err := regexp.Compile("^(?:" + src + ")")
	if err != nil {
		return regexPath{}, fmt.Errorf("invalid regex: %w", err)
	}
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return regexPath{}, fmt.Errorf("invalid regex: %w", err)
	}
	return regexPath{re: re, literal: literalOf(parsed)}, nil
}

// literalOf returns the literal text every match of re starts with.
func literalOf(re *syntax.Regexp) string {
	var b strings.Builder
	literalPrefix(re, &b)
	return b.String()
}

// match reports whether the anchored regex matches path.
func (rp *regexPath) match(path string) bool {
	return strings.HasPrefix(path, rp.literal) && rp.re.MatchString(path[rp.skip:])
}

// submatchIndex returns, as regexp.FindStringSubmatchIndex does for the
// whole anchored regex, the positions of the match of path and of its
// groups. path must match.
func (rp *regexPath) submatchIndex(path string) []int {
	loc := rp.re.FindStringSubmatchIndex(path[rp.skip:])
	if rp.skip > 0 {
		for i, v := range loc {
			if v >= 0 {
				loc[i] = v + rp.skip
			}
		}
		loc[0] = 0 // the whole match starts with the skipped text
	}
	return loc
}

// splitLiteral splits src (parsed as parsed) into plain text and the
// regex rest such that src matches exactly the text followed by a match
// of rest, with the same groups: it returns the length of the text and
// rest compiled (anchored at the start), through cache. ok is false when
// no such split is certain:
//   - src is short and has no counted repetition, so that the anchored
//     regex is certain to be within the parser's limits (it is valid
//     exactly when src is, as for a regex compiled whole);
//   - the text is the longest start of src made of ASCII characters
//     that are not regex syntax, minus its last character when a
//     repetition operator follows (it would apply to that character);
//   - parsing rest must give the same tree as the remainder of src
//     after the text, which rules out a top-level alternation, flags or
//     groups spanning the cut, and the like;
//   - rest must not test what precedes its start (^ in multi-line
//     mode, \b, \B, \A), which differs once the text is cut off.
func splitLiteral(src string, parsed *syntax.Regexp, cache *regexCache) (skip int, re *regexp.Regexp, ok bool) {
	if len(src) > maxSplitLength || hasOp(parsed, syntax.OpRepeat) {
		return 0, nil, false
	}
	for skip < len(src) && isPlainRegexByte(src[skip]) {
		skip++
	}
	if skip < len(src) && strings.IndexByte("*+?{", src[skip]) >= 0 {
		skip--
	}
	if skip <= 0 {
		return 0, nil, false
	}
	rest := cache.rest(src[skip:])
	if rest.parsed == nil || rest.re == nil {
		return 0, nil, false
	}
	restParsed := rest.parsed
	// The tree src must have: the text as a literal, merged with a
	// literal that starts rest (the parser merges adjacent literals),
	// then the rest of rest.
	var subs []*syntax.Regexp
	switch restParsed.Op {
	case syntax.OpConcat:
		subs = restParsed.Sub
	case syntax.OpEmptyMatch:
	default:
		subs = []*syntax.Regexp{restParsed}
	}
	lit := &syntax.Regexp{Op: syntax.OpLiteral, Flags: syntax.Perl, Rune: []rune(src[:skip])}
	if len(subs) > 0 && subs[0].Op == syntax.OpLiteral && subs[0].Flags&syntax.FoldCase == 0 {
		lit.Rune = append(lit.Rune, subs[0].Rune...)
		subs = subs[1:]
	}
	want := lit
	if len(subs) > 0 {
		want = &syntax.Regexp{Op: syntax.OpConcat, Sub: append([]*syntax.Regexp{lit}, subs...)}
	}
	if !parsed.Equal(want) {
		return 0, nil, false
	}
	return skip, rest.re, true
}

// isPlainRegexByte reports whether c stands for itself in a regex.
func isPlainRegexByte(c byte) bool {
	return c < utf8.RuneSelf && strings.IndexByte(`\.+*?()|[]{}^$`, c) < 0
}

// hasOp reports whether re or one of its subexpressions is one of ops.
func hasOp(re *syntax.Regexp, ops ...syntax.Op) bool {
	if slices.Contains(ops, re.Op) {
		return true
	}
	for _, sub := range re.Sub {
		if hasOp(sub, ops...) {
			return true
		}
	}
	return false
}

// literalPrefix writes to b the literal text every match of n must start
// with and reports whether all of n was literal (so a caller may go on).
func literalPrefix(n *syntax.Regexp, b *strings.Builder) bool {
	switch n.Op {
	case syntax.OpLiteral:
		if n.Flags&syntax.FoldCase != 0 {
			return false
		}
		for _, r := range n.Rune {
			if r == utf8.RuneError {
				// Stands for invalid bytes too; cannot be compared bytewise.
				return false
			}
			b.WriteRune(r)
		}
		return true
	case syntax.OpCapture:
		return literalPrefix(n.Sub[0], b)
	case syntax.OpConcat:
		for _, sub := range n.Sub {
			if !literalPrefix(sub, b) {
				return false
			}
		}
		return true
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpBeginLine:
		// Zero-width, and true at the start of the text.
		return true
	}
	return false
}
