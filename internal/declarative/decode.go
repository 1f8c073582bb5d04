package declarative

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// errNotObject is the parse failure for a document whose top level is not
// a mapping.
var errNotObject = errors.New("expected an object")

// positions maps a dotted input path ("services.0.routes.1.paths") to the
// 1-based line it starts on. It is empty for JSON input.
type positions map[string]int

// lineOf returns the line of the longest known prefix of path, or 0.
func (p positions) lineOf(path []any) int {
	for n := len(path); n > 0; n-- {
		if line, ok := p[joinPath(path[:n])]; ok {
			return line
		}
	}
	return 0
}

// joinPath renders path segments as "a.0.b".
func joinPath(path []any) string {
	var b strings.Builder
	for i, seg := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		switch v := seg.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// decodeDocument decodes a declarative file: JSON is tried first, then
// YAML. Values come out as encoding/json would produce them (float64
// numbers, map[string]any, []any). The line of every YAML key and element
// is recorded only when withLines is set (it is needed for error reports
// alone and costs a map entry per node).
func decodeDocument(data []byte, withLines bool) (map[string]any, positions, error) {
	var v any
	if err := json.Unmarshal(data, &v); err == nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil, errNotObject
		}
		return m, positions{}, nil
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errNotObject
		}
		return nil, nil, err
	}
	var pos positions
	if withLines {
		pos = positions{}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	val, err := yamlValue(root, nil, pos, 0)
	if err != nil {
		return nil, nil, err
	}
	m, ok := val.(map[string]any)
	if !ok {
		return nil, nil, errNotObject
	}
	if pos == nil {
		pos = positions{}
	}
	return m, pos, nil
}

// maxAliasDepth bounds alias expansion so that a hostile document cannot
// blow up memory.
const maxAliasDepth = 32

// yamlValue converts a YAML node into a JSON-like value, recording the
// line of every mapping key and sequence element under its path.
func yamlValue(n *yaml.Node, path []any, pos positions, depth int) (any, error) {
	if depth > maxAliasDepth {
		return nil, errors.New("document nests aliases too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return yamlValue(n.Alias, path, pos, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], path, pos, depth)
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if k.Tag == "!!merge" {
				merged, err := yamlValue(v, path, pos, depth+1)
				if err != nil {
					return nil, err
				}
				if mm, ok := merged.(map[string]any); ok {
					for mk, mv := range mm {
						if _, exists := out[mk]; !exists {
							out[mk] = mv
						}
					}
				}
				continue
			}
			child := appendPath(path, k.Value)
			if pos != nil {
				pos[joinPath(child)] = k.Line
			}
			val, err := yamlValue(v, child, pos, depth)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			child := appendPath(path, i)
			if pos != nil {
				pos[joinPath(child)] = e.Line
			}
			val, err := yamlValue(e, child, pos, depth)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	case yaml.ScalarNode:
		return yamlScalar(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// yamlScalar resolves a scalar by its tag: integers and floats become
// float64, timestamps and binary data stay text.
func yamlScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return b, nil
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			// Integers beyond float64's exact range still decode approximately.
			if parsed, perr := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); perr == nil {
				return parsed, nil
			}
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value, nil
		}
		return f, nil
	}
	return n.Value, nil
}

func appendPath(path []any, seg any) []any {
	out := make([]any, len(path), len(path)+1)
	copy(out, path)
	return append(out, seg)
}
