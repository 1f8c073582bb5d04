package router

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// isRegexPath reports whether a route path is a regex ("~" prefix).
func isRegexPath(p string) bool { return strings.HasPrefix(p, "~") }

// pathGroup is a set of paths of one route that share a priority: all
// regex paths, or all prefix paths of one length.
type pathGroup struct {
	regex bool
	paths []string
}

// groupPaths splits a route's paths into groups keyed by "regex" or by
// prefix length, in the order each group first appears.
func groupPaths(paths []string) []pathGroup {
	var groups []pathGroup
	index := make(map[int]int, 2) // key: -1 for regex, else prefix length
	for _, p := range paths {
		key := len(p)
		if isRegexPath(p) {
			key = -1
		}
		if i, ok := index[key]; ok {
			groups[i].paths = append(groups[i].paths, p)
			continue
		}
		index[key] = len(groups)
		groups = append(groups, pathGroup{regex: key == -1, paths: []string{p}})
	}
	return groups
}

// regexPath is a compiled "~" route path.
type regexPath struct {
	re *regexp.Regexp
	// literal is text every match starts with (used for indexing).
	literal string
}

// compileRegexPath compiles a "~" path anchored at the start only.
func compileRegexPath(path string) (regexPath, error) {
	src := path[1:]
	re, err := regexp.Compile("^(?:" + src + ")")
	if err != nil {
		return regexPath{}, fmt.Errorf("invalid regex: %w", err)
	}
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return regexPath{}, fmt.Errorf("invalid regex: %w", err)
	}
	var b strings.Builder
	literalPrefix(parsed, &b)
	return regexPath{re: re, literal: b.String()}, nil
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
