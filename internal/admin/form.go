package admin

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/straitgw/strait/internal/entity"
)

// Form keys address nested values the way Kong's argument decoder does:
// "service.id", "paths[]", "paths[1]" (1-based), "config[foo]" and any
// combination ("sources[1].ip"). Repeated keys become arrays. Keys that
// start or end with a dot are taken literally.

type tokenKind int

const (
	tokName   tokenKind = iota // a map key
	tokIndex                   // a 1-based array position
	tokAppend                  // "[]": append to an array
)

type token struct {
	kind  tokenKind
	name  string
	index int
}

// formList collects array elements given by position and by appending.
type formList struct {
	indexed map[int]any
	tail    []any
}

// decodeForm turns decoded form values (and already-typed JSON parts) into
// a nested object of strings, arrays and maps.
func decodeForm(values url.Values, typed map[string]any) entity.Object {
	keys := make([]string, 0, len(values)+len(typed))
	for k := range values {
		keys = append(keys, k)
	}
	for k := range typed {
		if _, dup := values[k]; !dup {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	root := map[string]any{}
	for _, k := range keys {
		var vals []any
		if v, ok := typed[k]; ok {
			vals = []any{v}
		} else {
			for _, s := range values[k] {
				vals = append(vals, s)
			}
		}
		toks := parseFormKey(k)
		put(root, toks[0], toks[1:], vals)
	}
	return finish(root).(map[string]any)
}

// parseFormKey splits a form key into tokens; the first token is always a
// name.
func parseFormKey(key string) []token {
	literal := []token{{kind: tokName, name: key}}
	if key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") {
		return literal
	}
	var toks []token
	i := 0
	readName := func() (string, bool) {
		start := i
		for i < len(key) && key[i] != '.' && key[i] != '[' {
			i++
		}
		return key[start:i], i > start
	}
	name, ok := readName()
	if !ok {
		return literal
	}
	toks = append(toks, token{kind: tokName, name: name})
	for i < len(key) {
		switch key[i] {
		case '.':
			i++
			name, ok := readName()
			if !ok {
				return literal
			}
			toks = append(toks, token{kind: tokName, name: name})
		case '[':
			end := strings.IndexByte(key[i:], ']')
			if end < 0 {
				return literal
			}
			inner := key[i+1 : i+end]
			i += end + 1
			switch n, err := strconv.Atoi(inner); {
			case inner == "":
				toks = append(toks, token{kind: tokAppend})
			case err == nil && n >= 1 && isDigits(inner):
				toks = append(toks, token{kind: tokIndex, index: n})
			default:
				toks = append(toks, token{kind: tokName, name: inner})
			}
		default:
			return literal
		}
	}
	return toks
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// put stores vals under tok (and the rest of the path) inside holder, a
// map[string]any for name tokens or a *formList for the others.
func put(holder any, tok token, rest []token, vals []any) {
	if len(rest) == 0 {
		putLeaf(holder, tok, vals)
		return
	}
	wantList := rest[0].kind != tokName
	newChild := func() any {
		if wantList {
			return &formList{indexed: map[int]any{}}
		}
		return map[string]any{}
	}
	fits := func(v any) bool {
		switch v.(type) {
		case *formList:
			return wantList
		case map[string]any:
			return !wantList
		}
		return false
	}
	var child any
	switch h := holder.(type) {
	case map[string]any:
		if tok.kind != tokName {
			return
		}
		child = h[tok.name]
		if !fits(child) {
			child = newChild()
			h[tok.name] = child
		}
	case *formList:
		switch tok.kind {
		case tokIndex:
			child = h.indexed[tok.index]
			if !fits(child) {
				child = newChild()
				h.indexed[tok.index] = child
			}
		case tokAppend:
			child = newChild()
			h.tail = append(h.tail, child)
		default:
			return
		}
	}
	put(child, rest[0], rest[1:], vals)
}

func putLeaf(holder any, tok token, vals []any) {
	switch h := holder.(type) {
	case map[string]any:
		if tok.kind != tokName {
			return
		}
		if len(vals) == 1 {
			h[tok.name] = vals[0]
		} else {
			h[tok.name] = append([]any(nil), vals...)
		}
	case *formList:
		switch tok.kind {
		case tokIndex:
			h.indexed[tok.index] = vals[len(vals)-1]
		case tokAppend:
			h.tail = append(h.tail, vals...)
		}
	}
}

// finish converts formLists into ordered arrays, recursively.
func finish(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = finish(e)
		}
		return t
	case *formList:
		idx := make([]int, 0, len(t.indexed))
		for i := range t.indexed {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx)+len(t.tail))
		for _, i := range idx {
			out = append(out, finish(t.indexed[i]))
		}
		for _, e := range t.tail {
			out = append(out, finish(e))
		}
		return out
	}
	return v
}
