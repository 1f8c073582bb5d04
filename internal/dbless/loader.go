// Package dbless runs a node without a database: the whole configuration
// is a declarative file (Kong's kong.yml format) held by the in-memory
// store. It loads the file at start, serves /config (replace the
// configuration, export it, preview a change) and keeps the hash /status
// reports.
//
// A load is all or nothing: the text is parsed and every entity validated
// first; only a valid configuration replaces the current one, in a single
// step that readers and the proxy see at once.
package dbless

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/straitgw/strait/internal/declarative"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/memory"
)

// EmptyHash is the configuration hash before any configuration was loaded.
var EmptyHash = strings.Repeat("0", 32)

// Source is a declarative configuration as submitted: either its text
// (YAML or JSON) or an already decoded JSON object.
type Source struct {
	Text   []byte
	Object map[string]any
}

// hash is the MD5 (hex) Kong reports for a configuration: of the text as
// sent, or of the JSON encoding of a decoded object.
func (src Source) hash() (string, error) {
	data := src.Text
	if src.Object != nil {
		raw, err := json.Marshal(src.Object)
		if err != nil {
			return "", fmt.Errorf("encoding configuration: %w", err)
		}
		data = raw
	}
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:]), nil
}

// Loader owns the configuration of a database-less node.
type Loader struct {
	st   *memory.Store
	reg  *entity.Registry
	mu   sync.Mutex // one load at a time
	hash atomic.Pointer[string]
}

// New returns a Loader for the store st holding the schemas of reg.
func New(st *memory.Store, reg *entity.Registry) *Loader {
	l := &Loader{st: st, reg: reg}
	l.hash.Store(&EmptyHash)
	return l
}

// Hash returns the MD5 of the configuration loaded last, or EmptyHash.
func (l *Loader) Hash() string { return *l.hash.Load() }

// Result describes a successful load.
type Result struct {
	// Hash is the configuration's hash.
	Hash string
	// Entities are the loaded entities by DAO name, as stored.
	Entities map[string][]entity.Object
	// Changes are what the load changed, relative to the previous
	// configuration.
	Changes []declarative.Change
}

// LoadFile loads the declarative file at path. Errors name the file and
// every problem (entity, field, message).
func (l *Loader) LoadFile(ctx context.Context, path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading declarative_config: %w", err)
	}
	res, err := l.Load(ctx, Source{Text: data})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// Load validates src and, when it is valid, makes it the configuration.
// A *declarative.ParseError or *declarative.ValidationError means the
// configuration was rejected and nothing changed.
func (l *Loader) Load(ctx context.Context, src Source) (*Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.load(ctx, src)
}

// TryLoad is Load unless another load is running, in which case it
// returns ok false at once.
func (l *Loader) TryLoad(ctx context.Context, src Source) (res *Result, ok bool, err error) {
	if !l.mu.TryLock() {
		return nil, false, nil
	}
	defer l.mu.Unlock()
	res, err = l.load(ctx, src)
	return res, true, err
}

func (l *Loader) load(ctx context.Context, src Source) (*Result, error) {
	hash, err := src.hash()
	if err != nil {
		return nil, err
	}
	cfg, err := l.parse(src)
	if err != nil {
		return nil, err
	}
	current := l.st.Contents()
	changes := declarative.Diff(l.reg, current, cfg.Entities, declarative.DiffOptions{})
	next := merge(cfg, current, changes)
	err = l.st.Replace(ctx, func(tx store.Tx) error {
		for _, name := range cfg.Order {
			s := l.reg.Get(name)
			for _, obj := range next[name] {
				if err := tx.Insert(ctx, s, obj); err != nil {
					return fmt.Errorf("storing %s %v: %w", name, obj["id"], err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replacing configuration: %w", err)
	}
	l.hash.Store(&hash)
	return &Result{Hash: hash, Entities: next, Changes: changes}, nil
}

// Plan validates src and returns the changes loading it would make,
// without making them.
func (l *Loader) Plan(_ context.Context, src Source) ([]declarative.Change, error) {
	cfg, err := l.parse(src)
	if err != nil {
		return nil, err
	}
	return declarative.Diff(l.reg, l.st.Contents(), cfg.Entities, declarative.DiffOptions{}), nil
}

// parse validates src (a file with _transform: false is taken as already
// transformed, e.g. an export; the declarative parser handles that).
func (l *Loader) parse(src Source) (*declarative.Config, error) {
	if src.Object != nil {
		return declarative.ParseObject(src.Object, l.reg, declarative.ParseOptions{})
	}
	return declarative.Parse(src.Text, l.reg)
}

// merge returns the entities to store: the desired ones, except that an
// entity the change list leaves alone keeps its current object (and its
// timestamps) and an updated one keeps its creation time.
func merge(cfg *declarative.Config, current map[string][]entity.Object, changes []declarative.Change) map[string][]entity.Object {
	changed := make(map[string]declarative.Change, len(changes))
	for _, c := range changes {
		if c.Op != declarative.OpDelete {
			changed[c.Schema.Name+"\x00"+c.ID] = c
		}
	}
	out := make(map[string][]entity.Object, len(cfg.Entities))
	for name, list := range cfg.Entities {
		var have map[string]entity.Object
		if cur := current[name]; len(cur) > 0 {
			have = make(map[string]entity.Object, len(cur))
			for _, obj := range cur {
				id, _ := obj["id"].(string)
				have[id] = obj
			}
		}
		objs := make([]entity.Object, len(list))
		for i, obj := range list {
			id, _ := obj["id"].(string)
			c, isChanged := changed[name+"\x00"+id]
			switch {
			case isChanged && c.Op == declarative.OpUpdate:
				objs[i] = c.New
			case !isChanged && have[id] != nil:
				objs[i] = have[id]
			default:
				objs[i] = obj
			}
		}
		out[name] = objs
	}
	return out
}
