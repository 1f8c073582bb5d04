package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// errSNINotFound answers a certificate addressed by an SNI name no
// certificate serves.
var errSNINotFound = message(http.StatusNotFound, "SNI not found")

// certificateBySNI returns the certificate serving the SNI name: the one
// an SNI entity of that name points at, else the one listing the name in
// its snis field; (nil, nil) when there is none.
func certificateBySNI(ctx context.Context, rd store.Reader, name string) (entity.Object, error) {
	sni, err := rd.GetBy(ctx, entity.SNIs, "name", name)
	switch {
	case err == nil:
		if id := foreignID(sni["certificate"]); id != "" {
			return fetch(ctx, rd, entity.Certificates, urlKey{value: id, byPK: true, field: "id"})
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("load sni %q: %w", name, err)
	}
	var found entity.Object
	opts := store.ListOptions{Size: maxPageSize}
	for found == nil {
		page, err := rd.List(ctx, entity.Certificates, opts)
		if err != nil {
			return nil, fmt.Errorf("list certificates: %w", err)
		}
		for _, cert := range page.Data {
			if listsName(cert["snis"], name) {
				found = cert
				break
			}
		}
		if page.Offset == "" {
			break
		}
		opts.Offset = page.Offset
	}
	return found, nil
}

// listsName reports whether a snis value holds name.
func listsName(snis any, name string) bool {
	list, _ := snis.([]any)
	for _, s := range list {
		if s == name {
			return true
		}
	}
	return false
}

// withName returns a snis value with name appended unless listed.
func withName(snis any, name string) []any {
	list, _ := snis.([]any)
	if listsName(list, name) {
		return list
	}
	return append(append([]any(nil), list...), name)
}
