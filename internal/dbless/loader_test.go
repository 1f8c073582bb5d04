package dbless

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/declarative"
	"github.com/straitgw/strait/internal/store"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestLoadReplacesConfiguration(t *testing.T) {
	l, st := newLoader(t)
	ctx := context.Background()
	if l.Hash() != EmptyHash || len(EmptyHash) != 32 {
		t.Fatalf("initial hash %q", l.Hash())
	}
	res, err := l.Load(ctx, Source{Text: []byte(sampleConfig)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if res.Hash != md5Hex(sampleConfig) || l.Hash() != res.Hash {
		t.Fatalf("hash %q (loader %q), want md5 of the text", res.Hash, l.Hash())
	}
	want := map[string]int{"services": 2, "routes": 2, "plugins": 1, "consumers": 1,
		"keyauth_credentials": 1, "basicauth_credentials": 1, "upstreams": 1, "targets": 1}
	for name, n := range want {
		if got := count(t, st, l, name); got != n {
			t.Fatalf("%s: %d stored, want %d", name, got, n)
		}
		if len(res.Entities[name]) != n {
			t.Fatalf("%s: result lists %d, want %d", name, len(res.Entities[name]), n)
		}
	}

	// The second configuration drops billing, moves the route of orders
	// to a new service and renames nothing else: one step, no conflict.
	next := `_format_version: "3.0"
services:
- name: shipping
  host: shipping.test
  routes:
  - name: orders-route
    paths: [/orders]
`
	events := record(st)
	if _, err := l.Load(ctx, Source{Text: []byte(next)}); err != nil {
		t.Fatalf("second load: %v", err)
	}
	for name, n := range map[string]int{"services": 1, "routes": 1, "plugins": 0, "consumers": 0,
		"keyauth_credentials": 0, "targets": 0, "upstreams": 0} {
		if got := count(t, st, l, name); got != n {
			t.Fatalf("after replace, %s: %d stored, want %d", name, got, n)
		}
	}
	ops := map[store.Op]int{}
	for _, ev := range events.take() {
		ops[ev.Op]++
	}
	// create shipping; update orders-route; delete orders, billing,
	// billing-route, key-auth plugin, alice and her two credentials,
	// pool and its target.
	if ops[store.OpCreate] != 1 || ops[store.OpUpdate] != 1 || ops[store.OpDelete] != 9 {
		t.Fatalf("events by kind: %v", ops)
	}
}

func TestReloadingTheSameConfigurationChangesNothing(t *testing.T) {
	l, st := newLoader(t)
	ctx := context.Background()
	if _, err := l.Load(ctx, Source{Text: []byte(sampleConfig)}); err != nil {
		t.Fatal(err)
	}
	before, _ := declarative.ReadStore(ctx, st, l.reg)
	events := record(st)
	res, err := l.Load(ctx, Source{Text: []byte(sampleConfig)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 {
		t.Fatalf("reload reports changes: %v", res.Changes)
	}
	if got := events.take(); len(got) != 0 {
		t.Fatalf("reload published %d events", len(got))
	}
	after, _ := declarative.ReadStore(ctx, st, l.reg)
	if b, a := before["services"][0]["created_at"], after["services"][0]["created_at"]; b != a {
		t.Fatalf("created_at changed from %v to %v", b, a)
	}
}

func TestInvalidConfigurationKeepsTheOldOne(t *testing.T) {
	l, st := newLoader(t)
	ctx := context.Background()
	if _, err := l.Load(ctx, Source{Text: []byte(sampleConfig)}); err != nil {
		t.Fatal(err)
	}
	hash := l.Hash()
	cases := []struct {
		desc, text string
		parse      bool
	}{
		{"bad port", "_format_version: \"3.0\"\nservices:\n- name: x\n  host: x.test\n  port: 70000\n", false},
		{"unknown reference", "_format_version: \"3.0\"\nroutes:\n- name: r\n  paths: [/]\n  service: nope\n", false},
		{"missing format version", "services: []\n", false},
		{"not an object", "- just\n- a list\n", true},
	}
	for _, c := range cases {
		_, err := l.Load(ctx, Source{Text: []byte(c.text)})
		var pe *declarative.ParseError
		var ve *declarative.ValidationError
		if c.parse && !errors.As(err, &pe) || !c.parse && !errors.As(err, &ve) {
			t.Fatalf("%s: got %T %v", c.desc, err, err)
		}
		if l.Hash() != hash || count(t, st, l, "services") != 2 || count(t, st, l, "routes") != 2 {
			t.Fatalf("%s: the rejected configuration changed the store or the hash", c.desc)
		}
	}
}

func TestLoadObjectHashesItsJSON(t *testing.T) {
	l, _ := newLoader(t)
	doc := map[string]any{"_format_version": "3.0", "services": []any{map[string]any{"name": "a", "host": "a.test"}}}
	res, err := l.Load(context.Background(), Source{Object: doc})
	if err != nil {
		t.Fatal(err)
	}
	if res.Hash != md5Hex(`{"_format_version":"3.0","services":[{"host":"a.test","name":"a"}]}`) {
		t.Fatalf("hash %s", res.Hash)
	}
}

func TestExportLoadsBackUnchanged(t *testing.T) {
	l, st := newLoader(t)
	ctx := context.Background()
	if _, err := l.Load(ctx, Source{Text: []byte(sampleConfig)}); err != nil {
		t.Fatal(err)
	}
	before, _ := declarative.ReadStore(ctx, st, l.reg)
	text, err := l.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`_format_version: "3.0"`, "_transform: false", "services:", "keyauth_credentials:"} {
		if !strings.Contains(string(text), want) {
			t.Fatalf("export lacks %q:\n%s", want, text)
		}
	}
	res, err := l.Load(ctx, Source{Text: text})
	if err != nil {
		t.Fatalf("loading the export: %v\n%s", err, text)
	}
	if len(res.Changes) != 0 {
		t.Fatalf("loading the export changes %v", res.Changes)
	}
	after, _ := declarative.ReadStore(ctx, st, l.reg)
	if before["basicauth_credentials"][0]["password"] != after["basicauth_credentials"][0]["password"] {
		t.Fatalf("the hashed password was hashed again")
	}
}

func TestPlanDoesNotApply(t *testing.T) {
	l, st := newLoader(t)
	ctx := context.Background()
	changes, err := l.Plan(ctx, Source{Text: []byte(sampleConfig)})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 10 {
		t.Fatalf("plan: %d changes, want 10: %v", len(changes), changes)
	}
	if count(t, st, l, "services") != 0 || l.Hash() != EmptyHash {
		t.Fatalf("a plan changed the configuration")
	}
}
