package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// readOnlyStore is the store as the Admin API sees it without a database:
// reads go through, every write fails with errReadOnly. Handlers run as
// usual (lookups, validation) until they write, as Kong's handlers do
// against its "off" strategy.
type readOnlyStore struct{ store.Store }

// errReadOnly reports a write attempted without a database; ServeHTTP
// turns it into Kong's 405 "operation unsupported" error.
type errReadOnly struct{ entity string }

func (e *errReadOnly) Error() string { return "cannot write '" + e.entity + "' without a database" }

func (s readOnlyStore) Insert(_ context.Context, sc *entity.Schema, _ entity.Object) error {
	return &errReadOnly{sc.Name}
}

func (s readOnlyStore) Put(_ context.Context, sc *entity.Schema, _ entity.Object) error {
	return &errReadOnly{sc.Name}
}

func (s readOnlyStore) Delete(_ context.Context, sc *entity.Schema, _ string) error {
	return &errReadOnly{sc.Name}
}

// Update runs fn on a transaction whose writes fail.
func (s readOnlyStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(r store.Reader) error { return fn(readOnlyTx{r}) })
}

// readOnlyTx is a transaction that can only read.
type readOnlyTx struct{ store.Reader }

func (readOnlyTx) Insert(_ context.Context, sc *entity.Schema, _ entity.Object) error {
	return &errReadOnly{sc.Name}
}

func (readOnlyTx) Put(_ context.Context, sc *entity.Schema, _ entity.Object) error {
	return &errReadOnly{sc.Name}
}

func (readOnlyTx) Delete(_ context.Context, sc *entity.Schema, _ string) error {
	return &errReadOnly{sc.Name}
}

// unsupportedVerbs is Kong's wording of each write in the 405 message.
var unsupportedVerbs = map[string]string{
	http.MethodPost:   "create",
	http.MethodPatch:  "update",
	http.MethodPut:    "create or update",
	http.MethodDelete: "remove",
}

// operationUnsupported converts a read-only write failure into Kong's
// error: "cannot update 'services' entities by 'name' when not using a
// database" when the entity was addressed by its endpoint key, without
// the "by" part otherwise.
func (a *API) operationUnsupported(err error, rc *request, rt *route) error {
	var ro *errReadOnly
	if !errors.As(err, &ro) {
		return err
	}
	verb := unsupportedVerbs[rc.r.Method]
	if verb == "" {
		verb = "change"
	}
	msg := "cannot " + verb + " '" + ro.entity + "' entities"
	if field := a.endpointKeyUsed(rc, rt, ro.entity); field != "" {
		msg += " by '" + field + "'"
	}
	msg += " when not using a database"
	return &entity.Error{Code: entity.CodeOperationUnsupport, Name: "operation unsupported", Message: msg}
}

// endpointKeyUsed returns the endpoint-key field of the entity type
// written when the route's last placeholder addressed it by that key
// rather than by id; "" otherwise.
func (a *API) endpointKeyUsed(rc *request, rt *route, entityName string) string {
	if len(rc.params) == 0 || len(rt.pattern) == 0 || rt.pattern[len(rt.pattern)-1] != '}' {
		return ""
	}
	last := rc.params[len(rc.params)-1]
	s := a.reg.Get(entityName)
	if s == nil || s.EndpointKey == "" || entity.IsUUID(last) {
		return ""
	}
	return s.EndpointKey
}
