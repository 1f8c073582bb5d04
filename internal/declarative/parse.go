package declarative

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/straitgw/strait/internal/entity"
)

// FormatVersions are the accepted values of _format_version.
var FormatVersions = []string{"1.1", "2.1", "3.0"}

// Config is a validated declarative configuration.
type Config struct {
	// FormatVersion is the file's _format_version.
	FormatVersion string
	// Transform is the file's _transform flag (true when absent).
	Transform bool
	// Entities holds the complete, validated objects of each entity type
	// by DAO name, in the order they appear in the file; every foreign key
	// is an {"id": ...} object.
	Entities map[string][]entity.Object
	// Order lists the DAO names of the registry in dependency order:
	// every entity type comes after the types it references.
	Order []string
	// Inputs keeps, for entities whose schema transforms values on write
	// (basic-auth hashes passwords), the object as the file gave it, keyed
	// by InputKey. A remote Admin API must receive these values and apply
	// the transformation itself; a store receives Entities.
	Inputs map[string]entity.Object
}

// InputKey is the key of an entity in Config.Inputs.
func InputKey(schema, id string) string { return schema + "\x00" + id }

// Count returns how many entities the configuration holds.
func (c *Config) Count() int {
	n := 0
	for _, list := range c.Entities {
		n += len(list)
	}
	return n
}

// ParseOptions adjusts how a file is read.
type ParseOptions struct {
	// SelectTags are added to the tags of every entity of the file. When
	// empty, the select_tags of a decK-style _info section apply.
	SelectTags []string
	// Existing holds the entities present in the target (by DAO name). An
	// entity declared without id takes the id of the existing entity with
	// the same name (or the same unique-together values), so that a sync
	// updates it in place instead of replacing it.
	Existing map[string][]entity.Object
}

// Parse reads a declarative file (JSON, else YAML) and validates every
// entity through its schema, as the Admin API would on insert. Errors are
// a *ParseError when the text is not an object and a *ValidationError
// listing every problem otherwise.
func Parse(data []byte, reg *entity.Registry) (*Config, error) {
	return ParseWithOptions(data, reg, ParseOptions{})
}

// ParseWithOptions is Parse with options.
func ParseWithOptions(data []byte, reg *entity.Registry, opts ParseOptions) (*Config, error) {
	doc, pos, err := decodeDocument(data, false)
	if err != nil {
		return nil, &ParseError{Err: err}
	}
	cfg, err := load(doc, pos, reg, opts)
	var invalid *ValidationError
	if !errors.As(err, &invalid) || len(pos) > 0 {
		return cfg, err
	}
	// Read the file again, recording lines, so the problems can name them.
	doc, pos, err = decodeDocument(data, true)
	if err != nil {
		return nil, &ParseError{Err: err}
	}
	return load(doc, pos, reg, opts)
}

// ParseObject validates a configuration already decoded from JSON (the
// body of POST /config, say).
func ParseObject(doc map[string]any, reg *entity.Registry, opts ParseOptions) (*Config, error) {
	return load(doc, positions{}, reg, opts)
}

// record is one entity of the file while it is being checked.
type record struct {
	schema *entity.Schema
	input  map[string]any
	path   []any
	parent *record
	// parentField is the foreign field of schema pointing at parent.
	parentField string
	id          string
	obj         entity.Object
}

// label returns the entity's endpoint-key value as written, or "".
func (r *record) label() string {
	if r.schema.EndpointKey == "" {
		return ""
	}
	if v, ok := r.input[r.schema.EndpointKey].(string); ok {
		return v
	}
	return ""
}

// parser holds the state of one load.
type parser struct {
	reg      *entity.Registry
	tags     []string
	probs    *problems
	records  map[string][]*record
	byID     map[string]map[string]*record
	byKey    map[string]map[string]*record
	unique   map[string]*record
	existing map[string]map[string]string
	// transform is the file's _transform flag: when false, values are
	// taken as already transformed (an export) and schemas' Transform
	// hooks are skipped.
	transform   bool
	untransform map[string]*entity.Schema
	inputs      map[string]entity.Object
}

func load(doc map[string]any, pos positions, reg *entity.Registry, opts ParseOptions) (*Config, error) {
	p := &parser{
		reg: reg, tags: opts.SelectTags, probs: newProblems(pos),
		records: map[string][]*record{}, byID: map[string]map[string]*record{},
		byKey: map[string]map[string]*record{}, unique: map[string]*record{},
		existing: existingIdentities(reg, opts.Existing),
	}
	cfg := &Config{Transform: true, Entities: map[string][]entity.Object{}}
	p.readTop(doc, cfg)
	p.transform = cfg.Transform
	p.untransform = map[string]*entity.Schema{}
	p.inputs = map[string]entity.Object{}
	order := dependencyOrder(reg)
	for _, s := range order {
		cfg.Order = append(cfg.Order, s.Name)
		for _, r := range p.records[s.Name] {
			p.process(r)
		}
	}
	if err := p.probs.err(); err != nil {
		return nil, err
	}
	for _, s := range order {
		for _, r := range p.records[s.Name] {
			cfg.Entities[s.Name] = append(cfg.Entities[s.Name], r.obj)
		}
	}
	if len(p.inputs) > 0 {
		cfg.Inputs = p.inputs
	}
	return cfg, nil
}

// writeSchema is the schema that processes an entity of s: s itself, or a
// copy without its Transform hook when the file says _transform: false.
func (p *parser) writeSchema(s *entity.Schema) *entity.Schema {
	if p.transform || s.Transform == nil {
		return s
	}
	if c, ok := p.untransform[s.Name]; ok {
		return c
	}
	c := *s
	c.Transform = nil
	p.untransform[s.Name] = &c
	return &c
}

// readTop checks the top-level keys and collects the entities.
func (p *parser) readTop(doc map[string]any, cfg *Config) {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := doc[k]
		switch k {
		case "_format_version":
			s, ok := v.(string)
			switch {
			case v == nil:
				p.probs.top(k, "required field missing")
			case !ok:
				p.probs.top(k, "expected a string")
			case !contains(FormatVersions, s):
				p.probs.top(k, "expected one of: "+strings.Join(FormatVersions, ", "))
			default:
				cfg.FormatVersion = s
			}
		case "_transform":
			b, ok := v.(bool)
			if !ok && v != nil {
				p.probs.top(k, "expected a boolean")
			} else if ok {
				cfg.Transform = b
			}
		case "_comment", "_ignore":
		case "_info":
			if len(p.tags) == 0 {
				p.tags = infoSelectTags(v)
			}
		default:
			s := p.reg.Get(k)
			if s == nil {
				p.probs.top(k, "unknown field")
				continue
			}
			p.collect(s, v, []any{k}, nil, "")
		}
	}
	if _, ok := doc["_format_version"]; !ok {
		p.probs.top("_format_version", "required field missing")
	}
}

// infoSelectTags reads _info.select_tags of a decK file.
func infoSelectTags(v any) []string {
	m, _ := v.(map[string]any)
	list, _ := m["select_tags"].([]any)
	var out []string
	for _, t := range list {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// collect records the entities of list (declared at path) and, depth
// first, the children nested inside them.
func (p *parser) collect(s *entity.Schema, list any, path []any, parent *record, parentField string) {
	items, ok := list.([]any)
	if !ok {
		if list != nil {
			p.probs.at(path, s.Name, "expected an array")
		}
		return
	}
	children := childSchemas(p.reg, s)
	for i, item := range items {
		itemPath := appendPath(path, i)
		m, ok := item.(map[string]any)
		if !ok {
			p.probs.at(itemPath, s.Name, "expected a record")
			continue
		}
		r := &record{schema: s, path: itemPath, parent: parent, parentField: parentField, input: map[string]any{}}
		type nestedList struct {
			schema *entity.Schema
			field  string
			key    string
			value  any
		}
		var nested []nestedList
		for k, v := range m {
			if k == "_comment" || k == "_ignore" {
				continue
			}
			fk, isChild := children[k]
			if isChild && (s.Field(k) == nil || listOfObjects(v)) {
				nested = append(nested, nestedList{p.reg.Get(k), fk, k, v})
				if s.Field(k) != nil {
					r.input[k] = endpointKeys(p.reg.Get(k), v)
				}
				continue
			}
			r.input[k] = v
		}
		p.records[s.Name] = append(p.records[s.Name], r)
		sort.Slice(nested, func(a, b int) bool { return nested[a].key < nested[b].key })
		for _, n := range nested {
			p.collect(n.schema, n.value, appendPath(itemPath, n.key), r, n.field)
		}
	}
}

// listOfObjects reports whether v is a non-empty list of objects.
func listOfObjects(v any) bool {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// endpointKeys returns the endpoint-key values of nested children, used
// when a parent field shares its name with the children (a certificate's
// snis).
func endpointKeys(child *entity.Schema, v any) []any {
	list, _ := v.([]any)
	out := []any{}
	for _, e := range list {
		m, _ := e.(map[string]any)
		if s, ok := m[child.EndpointKey].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// process resolves r's foreign keys, validates it, gives it an id and
// checks it is unique across the file.
func (p *parser) process(r *record) {
	s := r.schema
	in := cloneMap(r.input)
	parentID := ""
	if r.parent != nil {
		parentID = r.parent.id
		if v, ok := in[r.parentField]; ok && v != nil {
			if id, found := p.resolve(r.parent.schema, v); !found || id != parentID {
				p.probs.field(r, r.parentField, "value must be null")
			}
		}
		in[r.parentField] = map[string]any{"id": parentID}
	}
	for _, f := range s.ForeignFields() {
		v, ok := in[f.Name]
		ref := p.reg.Get(f.Reference)
		if !ok || v == nil || ref == nil || (r.parent != nil && f.Name == r.parentField) {
			continue
		}
		id, found := p.resolve(ref, v)
		if !found {
			p.probs.field(r, f.Name, fmt.Sprintf("invalid reference '%s: %s' (no such entry in '%s')", f.Name, refText(v), ref.Name))
			// A placeholder keeps the schema from reporting the field again.
			id = entity.NewUUID()
		}
		in[f.Name] = map[string]any{"id": id}
	}
	if len(p.tags) > 0 && s.Field("tags") != nil {
		in["tags"] = withTags(in["tags"], p.tags)
	}
	var input entity.Object
	if p.transform && s.Transform != nil {
		input = cloneMap(in)
	}
	obj, perr := p.writeSchema(s).Process(in, entity.OpInsert, nil)
	if perr != nil {
		p.probs.schemaErr(r, perr)
		obj = nil
	}
	r.id = p.chooseID(r, obj, parentID)
	if obj != nil {
		obj["id"] = r.id
		r.obj = obj
		if input != nil {
			input["id"] = r.id
			p.inputs[InputKey(s.Name, r.id)] = input
		}
	}
	p.checkUnique(r)
}

// chooseID picks r's id: the declared one, the id of the existing entity
// it matches, Kong's deterministic id, or one derived from its content.
func (p *parser) chooseID(r *record, obj entity.Object, parentID string) string {
	s := r.schema
	if id, ok := r.input["id"].(string); ok {
		return strings.ToLower(id)
	}
	if obj != nil {
		if id, ok := p.existing[s.Name][identity(s, obj)]; ok {
			return id
		}
	}
	if key, ok := idKey(s, r.input, r.parentField, parentID); ok {
		return deterministicID(s.Name, key)
	}
	if obj != nil {
		return deterministicID(s.Name, contentKey(s, obj))
	}
	return entity.NewUUID()
}

// checkUnique reports a clash of r's id, unique fields or unique-together
// values with an entity declared earlier, then indexes r.
func (p *parser) checkUnique(r *record) {
	s := r.schema
	byID := p.byID[s.Name]
	if byID == nil {
		byID = map[string]*record{}
		p.byID[s.Name] = byID
	}
	if _, dup := byID[r.id]; dup {
		p.probs.entityMsg(r, fmt.Sprintf("uniqueness violation: '%s' entity with primary key set to '%s' already declared", s.Name, r.id))
	} else {
		byID[r.id] = r
	}
	values := r.obj
	if values == nil {
		values = r.input
	}
	for _, name := range s.UniqueFields() {
		v := values[name]
		if v == nil {
			continue
		}
		key := s.Name + "\x00" + name + "\x00" + fmt.Sprint(v)
		if _, dup := p.unique[key]; dup {
			p.probs.entityMsg(r, fmt.Sprintf("uniqueness violation: '%s' entity with %s set to '%s' already declared", s.Name, name, valueText(v)))
			continue
		}
		p.unique[key] = r
	}
	if r.obj != nil {
		for _, combo := range s.UniqueTogether {
			parts := make(map[string]any, len(combo))
			for _, name := range combo {
				parts[name] = r.obj[name]
			}
			key := s.Name + "\x00" + strings.Join(combo, ",") + "\x00" + entity.LuaLiteral(parts)
			if _, dup := p.unique[key]; dup {
				p.probs.entityMsg(r, fmt.Sprintf("uniqueness violation: '%s' entity with %s set to '%s' already declared",
					s.Name, strings.Join(combo, ", "), entity.LuaLiteral(parts)))
				continue
			}
			p.unique[key] = r
		}
	}
	if label := r.label(); label != "" {
		byKey := p.byKey[s.Name]
		if byKey == nil {
			byKey = map[string]*record{}
			p.byKey[s.Name] = byKey
		}
		if _, taken := byKey[label]; !taken {
			byKey[label] = r
		}
	}
}

// resolve finds the declared entity of schema ref that v names: a string
// endpoint-key value or id, or an object carrying either.
func (p *parser) resolve(ref *entity.Schema, v any) (string, bool) {
	lookup := func(key string) (string, bool) {
		if r, ok := p.byKey[ref.Name][key]; ok {
			return r.id, true
		}
		if r, ok := p.byID[ref.Name][strings.ToLower(key)]; ok {
			return r.id, true
		}
		return "", false
	}
	switch t := v.(type) {
	case string:
		return lookup(t)
	case map[string]any:
		if id, ok := t["id"].(string); ok {
			return lookup(id)
		}
		if ref.EndpointKey != "" {
			if key, ok := t[ref.EndpointKey].(string); ok {
				return lookup(key)
			}
		}
	}
	return "", false
}

// existingIdentities indexes existing entities by identity.
func existingIdentities(reg *entity.Registry, existing map[string][]entity.Object) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, list := range existing {
		s := reg.Get(name)
		if s == nil {
			continue
		}
		m := make(map[string]string, len(list))
		for _, obj := range list {
			if id, ok := obj["id"].(string); ok {
				m[identity(s, obj)] = id
			}
		}
		out[name] = m
	}
	return out
}

// withTags returns tags (a list or nil) with every select tag added.
func withTags(tags any, add []string) any {
	list, ok := tags.([]any)
	if !ok && tags != nil {
		return tags // let the schema report the type error
	}
	out := append([]any(nil), list...)
	for _, t := range add {
		if !containsAny(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// refText prints a reference value as Kong does: strings as is, other
// values as JSON.
func refText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v)
}

// valueText prints a unique value in a uniqueness message.
func valueText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return entity.FormatNumber(t)
	}
	return jsonText(v)
}
