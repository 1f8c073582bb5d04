package declarative

import (
	"fmt"
	"sort"
	"strings"

	"github.com/straitgw/strait/internal/entity"
)

// Problem is one thing wrong with a declarative file.
type Problem struct {
	// Entity is the DAO name of the entity type ("routes"); empty for
	// problems with the file's top level.
	Entity string
	// Path locates the entity in the file ("services[0].routes[1]").
	Path string
	// Name is the entity's endpoint-key value when it has one.
	Name string
	// Field is the dotted field the message is about; empty for messages
	// about the entity as a whole.
	Field string
	// Message is Kong's message for the problem.
	Message string
	// Line is the 1-based line in a YAML file, 0 when unknown.
	Line int
}

// String renders the problem on one line, naming entity, field and line.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		if p.Name != "" {
			fmt.Fprintf(&b, " (%s %q)", p.Entity, p.Name)
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError reports every problem found in a declarative file.
type ValidationError struct {
	Problems []Problem
	// Fields mirrors the input structure with messages at the leaves, as
	// Kong's /config endpoint reports them.
	Fields map[string]any
}

// Error lists every problem, one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("declarative config is invalid (%d problem%s):\n  %s",
		len(lines), plural(len(lines)), strings.Join(lines, "\n  "))
}

// KongError returns the code-14 error Kong answers a failed /config load
// with: "declarative config is invalid: {...}" and fields mirroring the
// input.
func (e *ValidationError) KongError() *entity.Error {
	return &entity.Error{Code: entity.CodeInvalidDeclarative, Name: "invalid declarative configuration",
		Message: "declarative config is invalid: " + entity.LuaLiteral(e.Fields), Fields: e.Fields}
}

// ParseError reports a file that is not a JSON or YAML object.
type ParseError struct{ Err error }

// Error returns Kong's parse failure message.
func (e *ParseError) Error() string {
	return "failed parsing declarative configuration: " + e.Err.Error()
}

// Unwrap returns the decoder's error.
func (e *ParseError) Unwrap() error { return e.Err }

// KongError returns the code-14 error Kong answers unparseable text with.
func (e *ParseError) KongError() *entity.Error {
	fields := map[string]any{"error": e.Error()}
	return &entity.Error{Code: entity.CodeInvalidDeclarative, Name: "invalid declarative configuration",
		Message: "declarative config is invalid: " + entity.LuaLiteral(fields), Fields: fields}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// problems collects problems and the mirrored fields tree while a file is
// checked.
type problems struct {
	list   []Problem
	fields map[string]any
	pos    positions
}

func newProblems(pos positions) *problems {
	return &problems{fields: map[string]any{}, pos: pos}
}

func (p *problems) empty() bool { return len(p.list) == 0 }

func (p *problems) err() error {
	if p.empty() {
		return nil
	}
	return &ValidationError{Problems: p.list, Fields: p.fields}
}

// top records a problem with a top-level key of the file.
func (p *problems) top(key, msg string) {
	p.fields[key] = msg
	p.list = append(p.list, Problem{Field: key, Message: msg, Line: p.pos.lineOf([]any{key})})
}

// at records a problem at an input path that is not an entity (a nested
// list that is not an array, say).
func (p *problems) at(path []any, entityName, msg string) {
	setAt(p.fields, path, msg)
	p.list = append(p.list, Problem{Entity: entityName, Path: displayPath(path), Message: msg, Line: p.pos.lineOf(path)})
}

// field records a message on one field of the entity r.
func (p *problems) field(r *record, field, msg string) {
	entry := entryAt(p.fields, r.path)
	entry[field] = msg
	p.add(r, field, msg)
}

// entityMsg records a message about the entity r as a whole.
func (p *problems) entityMsg(r *record, msg string) {
	parent, key := containerOf(p.fields, r.path)
	switch cur := parent.get(key).(type) {
	case nil:
		parent.set(key, msg)
	case string:
		parent.set(key, map[string]any{"@entity": []any{cur, msg}})
	case map[string]any:
		list, _ := cur["@entity"].([]any)
		cur["@entity"] = append(list, msg)
	}
	p.add(r, "", msg)
}

// schemaErr records every message of a schema violation on r.
func (p *problems) schemaErr(r *record, e *entity.Error) {
	tree, ok := e.Fields.(map[string]any)
	if !ok {
		p.entityMsg(r, e.Message)
		return
	}
	entry := entryAt(p.fields, r.path)
	for k, v := range tree {
		if k == "@entity" {
			list, _ := entry["@entity"].([]any)
			entry["@entity"] = append(list, toAnyList(v)...)
			continue
		}
		entry[k] = v
	}
	for _, leaf := range flattenFieldErrors("", tree) {
		p.add(r, leaf[0], leaf[1])
	}
}

func (p *problems) add(r *record, field, msg string) {
	line := p.pos.lineOf(r.path)
	if field != "" {
		if first, _, _ := strings.Cut(field, "."); first != "" {
			if l, ok := p.pos[joinPath(appendPath(r.path, first))]; ok {
				line = l
			}
		}
	}
	p.list = append(p.list, Problem{Entity: r.schema.Name, Path: displayPath(r.path), Name: r.label(),
		Field: field, Message: msg, Line: line})
}

// flattenFieldErrors lists (field, message) pairs of an error tree in
// sorted field order; array positions are 1-based as in Kong's messages.
func flattenFieldErrors(prefix string, tree map[string]any) [][2]string {
	var out [][2]string
	keys := make([]string, 0, len(tree))
	for k := range tree {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	for _, k := range keys {
		v := tree[k]
		if k == "@entity" {
			for _, m := range toAnyList(v) {
				out = append(out, [2]string{prefix, fmt.Sprint(m)})
			}
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			out = append(out, flattenFieldErrors(join(k), t)...)
		case []any:
			for i, e := range t {
				switch et := e.(type) {
				case nil:
				case map[string]any:
					out = append(out, flattenFieldErrors(join(k)+"."+fmt.Sprint(i+1), et)...)
				default:
					out = append(out, [2]string{join(k) + "." + fmt.Sprint(i+1), fmt.Sprint(et)})
				}
			}
		default:
			out = append(out, [2]string{join(k), fmt.Sprint(t)})
		}
	}
	return out
}

func toAnyList(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case nil:
		return nil
	}
	return []any{v}
}

// displayPath renders ["services",0,"routes",1] as "services[0].routes[1]".
func displayPath(path []any) string {
	var b strings.Builder
	for _, seg := range path {
		switch s := seg.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, s)
		}
	}
	return b.String()
}

// containerOf walks the fields tree to the container holding the last
// segment of path, creating maps and positional arrays on the way, and
// returns it with the key to use (a string key or an index).
func containerOf(root map[string]any, path []any) (setter, any) {
	var cur setter = mapSetter(root)
	for i, seg := range path {
		if i == len(path)-1 {
			cur.ensure(seg)
			return cur, seg
		}
		next := path[i+1]
		child := cur.get(seg)
		switch next.(type) {
		case int:
			list, _ := child.([]any)
			ls := &listSetter{list: list}
			ls.owner, ls.key = cur, seg
			cur.set(seg, list)
			cur = ls
		default:
			m, ok := child.(map[string]any)
			if !ok {
				m = map[string]any{}
				if s, isString := child.(string); isString {
					m["@entity"] = []any{s}
				}
				cur.set(seg, m)
			}
			cur = mapSetter(m)
		}
	}
	return cur, nil
}

// entryAt returns the map of the entity at path in the fields tree.
func entryAt(root map[string]any, path []any) map[string]any {
	parent, key := containerOf(root, path)
	m, ok := parent.get(key).(map[string]any)
	if !ok {
		m = map[string]any{}
		if s, isString := parent.get(key).(string); isString {
			m["@entity"] = []any{s}
		}
		parent.set(key, m)
	}
	return m
}

// setAt stores msg at path in the fields tree.
func setAt(root map[string]any, path []any, msg string) {
	parent, key := containerOf(root, path)
	parent.set(key, msg)
}

// setter abstracts maps and positional lists of the fields tree.
type setter interface {
	get(key any) any
	set(key, v any)
	ensure(key any)
}

type mapSetter map[string]any

func (m mapSetter) get(key any) any { return m[fmt.Sprint(key)] }
func (m mapSetter) set(key, v any)  { m[fmt.Sprint(key)] = v }
func (m mapSetter) ensure(key any)  {}

// listSetter grows a positional list (unused positions are null) and
// writes it back into its owner after every change.
type listSetter struct {
	list  []any
	owner setter
	key   any
}

func (l *listSetter) ensure(key any) {
	i, _ := key.(int)
	for len(l.list) <= i {
		l.list = append(l.list, nil)
	}
	l.owner.set(l.key, l.list)
}

func (l *listSetter) get(key any) any {
	i, _ := key.(int)
	if i < len(l.list) {
		return l.list[i]
	}
	return nil
}

func (l *listSetter) set(key, v any) {
	l.ensure(key)
	l.list[key.(int)] = v
}
