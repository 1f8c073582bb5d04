package dbless

import (
	"context"
	"sync"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugins/bundled"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/memory"
)

// nodeRegistry builds the registry a node serves: core entities plus the
// bundled plugins and their credentials.
func nodeRegistry(t testing.TB) *entity.Registry {
	t.Helper()
	plugins, err := bundled.Registry()
	if err != nil {
		t.Fatal(err)
	}
	reg := entity.Core()
	bundled.Install(reg, plugins)
	return reg
}

// newLoader returns a loader over a fresh memory store.
func newLoader(t testing.TB) (*Loader, *memory.Store) {
	t.Helper()
	reg := nodeRegistry(t)
	st := memory.New(reg)
	return New(st, reg), st
}

// count returns how many entities of a type the store holds.
func count(t testing.TB, st store.Store, l *Loader, name string) int {
	t.Helper()
	all, err := st.All(context.Background(), l.reg.Get(name))
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// eventLog records the events a store publishes.
type eventLog struct {
	mu     sync.Mutex
	events []store.Event
}

func record(st store.Store) *eventLog {
	l := &eventLog{}
	st.Subscribe(func(batch []store.Event) {
		l.mu.Lock()
		l.events = append(l.events, batch...)
		l.mu.Unlock()
	})
	return l
}

func (l *eventLog) take() []store.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

const sampleConfig = `_format_version: "3.0"
services:
- name: orders
  url: http://orders.test:8080/v1
  routes:
  - name: orders-route
    paths: [/orders]
    plugins:
    - name: key-auth
- name: billing
  host: billing.test
  routes:
  - name: billing-route
    hosts: [billing.example]
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
  basicauth_credentials:
  - username: alice
    password: s3cret
upstreams:
- name: pool
  targets:
  - target: 10.0.0.1:80
    weight: 50
`
