package declarative

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/straitgw/strait/internal/entity"
)

// DumpFormatVersion is the _format_version Dump writes.
const DumpFormatVersion = "3.0"

// DumpOptions adjusts the file Dump writes.
type DumpOptions struct {
	// OmitIDs leaves out the ids of entities nothing refers to by id.
	OmitIDs bool
	// OmitTimestamps leaves out created_at and updated_at.
	OmitTimestamps bool
	// SelectTags, when set, are recorded under _info.select_tags so that a
	// later sync of the file manages the same entities.
	SelectTags []string
}

// Dump renders entities (by DAO name) as a Kong 3.x declarative YAML file:
// children nested under their parent (routes and plugins under services,
// plugins under routes and consumers, credentials under consumers,
// targets under upstreams, SNIs under certificates) when they have no
// other owner, foreign keys to other entities written as the parent's name
// when it has one (else its id), and every other field kept, so that
// Parse(Dump(x)) yields the same entities.
func Dump(reg *entity.Registry, entities map[string][]entity.Object, opts DumpOptions) ([]byte, error) {
	d := newDumper(reg, entities, opts)
	root := &yaml.Node{Kind: yaml.MappingNode}
	addPair(root, "_format_version", scalar(DumpFormatVersion))
	// Dumped values are stored values: basic-auth passwords are hashes
	// already, so a sync of this file must not transform them again.
	addPair(root, "_transform", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	if len(opts.SelectTags) > 0 {
		info := &yaml.Node{Kind: yaml.MappingNode}
		addPair(info, "select_tags", valueNode(stringsToAny(opts.SelectTags)))
		addPair(root, "_info", info)
	}
	for _, s := range reg.All() {
		var items []*yaml.Node
		for _, obj := range entities[s.Name] {
			if d.nestedUnder(s, obj) != nil {
				continue
			}
			items = append(items, d.render(s, obj, ""))
		}
		if len(items) > 0 {
			addPair(root, s.Name, &yaml.Node{Kind: yaml.SequenceNode, Content: items})
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encoding declarative config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding declarative config: %w", err)
	}
	return buf.Bytes(), nil
}

// parentRef is the entity an object is nested under.
type parentRef struct {
	schema *entity.Schema
	field  string
	id     string
}

// dumper holds the indexes one Dump needs.
type dumper struct {
	reg      *entity.Registry
	opts     DumpOptions
	byID     map[string]map[string]entity.Object
	children map[string][]child    // parent schema + "/" + id → nested children
	nested   map[string]*parentRef // child schema + "/" + id → its parent
	keepID   map[string]bool       // schema + "/" + id referenced by id
}

type child struct {
	schema *entity.Schema
	obj    entity.Object
}

func newDumper(reg *entity.Registry, entities map[string][]entity.Object, opts DumpOptions) *dumper {
	d := &dumper{reg: reg, opts: opts, byID: map[string]map[string]entity.Object{},
		children: map[string][]child{}, nested: map[string]*parentRef{}, keepID: map[string]bool{}}
	for name, list := range entities {
		m := make(map[string]entity.Object, len(list))
		for _, obj := range list {
			if id, ok := obj["id"].(string); ok {
				m[id] = obj
			}
		}
		d.byID[name] = m
	}
	for _, s := range reg.All() {
		for _, obj := range entities[s.Name] {
			if p := d.nestingParent(s, obj); p != nil {
				key := p.schema.Name + "/" + p.id
				d.children[key] = append(d.children[key], child{s, obj})
			}
		}
	}
	d.keepCollidingFields()
	for key, kids := range d.children {
		parentSchema, parentID, _ := strings.Cut(key, "/")
		for _, k := range kids {
			d.nested[k.schema.Name+"/"+idOf(k.obj)] = &parentRef{schema: reg.Get(parentSchema),
				field: d.nestingParent(k.schema, k.obj).field, id: parentID}
		}
	}
	for _, s := range reg.All() {
		for _, obj := range entities[s.Name] {
			for _, f := range s.ForeignFields() {
				ref := reg.Get(f.Reference)
				id := foreignID(obj[f.Name])
				if ref != nil && id != "" && d.nameOf(ref, id) == "" {
					d.keepID[ref.Name+"/"+id] = true
				}
			}
		}
	}
	return d
}

// keepCollidingFields un-nests the children of a parent whose field of
// the same name (a certificate's snis) does not list exactly those
// children, so that the field keeps its own value in the file.
func (d *dumper) keepCollidingFields() {
	for key, kids := range d.children {
		parentSchema, parentID, _ := strings.Cut(key, "/")
		ps := d.reg.Get(parentSchema)
		byType := map[string][]any{}
		for _, k := range kids {
			if ps.Field(k.schema.Name) != nil {
				byType[k.schema.Name] = append(byType[k.schema.Name], k.obj[k.schema.EndpointKey])
			}
		}
		for name, names := range byType {
			if sameStringSet(d.byID[parentSchema][parentID][name], names) {
				continue
			}
			kept := kids[:0:0]
			for _, k := range kids {
				if k.schema.Name != name {
					kept = append(kept, k)
				}
			}
			kids = kept
		}
		d.children[key] = kids
	}
}

// sameStringSet reports whether a field value lists exactly names.
func sameStringSet(field any, names []any) bool {
	list, _ := normalizeValue(field).([]any)
	if len(list) != len(names) {
		return false
	}
	a, b := make([]string, len(list)), make([]string, len(names))
	for i := range list {
		a[i], b[i] = fmt.Sprint(list[i]), fmt.Sprint(names[i])
	}
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}

// nestedUnder returns the parent obj is written under, or nil.
func (d *dumper) nestedUnder(s *entity.Schema, obj entity.Object) *parentRef {
	return d.nested[s.Name+"/"+idOf(obj)]
}

// nestingParent returns the parent obj may be nested under: the only
// foreign key it has set, when that key is named after the parent type
// and the parent is part of the dump.
func (d *dumper) nestingParent(s *entity.Schema, obj entity.Object) *parentRef {
	var found *parentRef
	for _, f := range s.ForeignFields() {
		id := foreignID(obj[f.Name])
		if id == "" {
			continue
		}
		if found != nil || f.Reference != f.Name+"s" {
			return nil
		}
		ref := d.reg.Get(f.Reference)
		if ref == nil || d.byID[ref.Name][id] == nil {
			return nil
		}
		found = &parentRef{schema: ref, field: f.Name, id: id}
	}
	return found
}

// nameOf returns the globally unique endpoint-key value of an entity in
// the dump, or "".
func (d *dumper) nameOf(s *entity.Schema, id string) string {
	if s.EndpointKey == "" {
		return ""
	}
	f := s.Field(s.EndpointKey)
	if f == nil || !f.Unique {
		return ""
	}
	obj := d.byID[s.Name][id]
	if obj == nil {
		return ""
	}
	name, _ := obj[s.EndpointKey].(string)
	return name
}

// render writes one entity and, recursively, its nested children.
// parentField is the foreign key implied by nesting, left out.
func (d *dumper) render(s *entity.Schema, obj entity.Object, parentField string) *yaml.Node {
	id, _ := obj["id"].(string)
	kids := d.children[s.Name+"/"+id]
	kidsBySchema := map[string][]child{}
	for _, k := range kids {
		kidsBySchema[k.schema.Name] = append(kidsBySchema[k.schema.Name], k)
	}
	n := &yaml.Node{Kind: yaml.MappingNode}
	written := map[string]bool{}
	for _, f := range s.Fields {
		written[f.Name] = true
		v, present := obj[f.Name]
		switch {
		case !present, f.Name == parentField:
			continue
		case f.Name == "id" && d.opts.OmitIDs && !d.keepID[s.Name+"/"+id]:
			continue
		case f.Timestamp && d.opts.OmitTimestamps:
			continue
		case v == nil && f.Default == nil:
			continue
		case len(kidsBySchema[f.Name]) > 0:
			continue // written below as nested entities
		case f.Type == entity.TypeForeign && v != nil:
			addPair(n, f.Name, scalar(d.reference(f, v)))
			continue
		}
		addPair(n, f.Name, valueNode(v))
	}
	var extra []string
	for k := range obj {
		if !written[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		if obj[k] != nil {
			addPair(n, k, valueNode(obj[k]))
		}
	}
	for _, cs := range d.reg.All() {
		list := kidsBySchema[cs.Name]
		if len(list) == 0 {
			continue
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, k := range list {
			seq.Content = append(seq.Content, d.render(k.schema, k.obj, d.nestedUnder(k.schema, k.obj).field))
		}
		addPair(n, cs.Name, seq)
	}
	return n
}

// reference writes a foreign key as the parent's name, else its id.
func (d *dumper) reference(f *entity.Field, v any) string {
	id := foreignID(v)
	if ref := d.reg.Get(f.Reference); ref != nil {
		if name := d.nameOf(ref, id); name != "" {
			return name
		}
	}
	return id
}

func idOf(obj entity.Object) string {
	id, _ := obj["id"].(string)
	return id
}

func addPair(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, scalar(key), v)
}

// scalar returns a string node; the encoder quotes it when it would
// otherwise read back as another type.
func scalar(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// valueNode renders a JSON-like value; map keys are sorted.
func valueNode(v any) *yaml.Node {
	switch t := normalizeValue(v).(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}
	case float64:
		if s := entity.FormatNumber(t); !strings.ContainsAny(s, ".eE") {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(t, 'g', -1, 64)}
	case string:
		return scalar(t)
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		if len(t) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range t {
			n.Content = append(n.Content, valueNode(e))
		}
		return n
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		if len(t) == 0 {
			n.Style = yaml.FlowStyle
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			addPair(n, k, valueNode(t[k]))
		}
		return n
	}
	return scalar(fmt.Sprint(v))
}

func stringsToAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
