package admin

import (
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// shown returns obj as a response shows it (a credential's ttl as the
// seconds it has left).
func shown(s *entity.Schema, obj entity.Object) entity.Object {
	out, visible := s.Present(obj, time.Now())
	if !visible {
		// Just expired between the write and the response: show it
		// with nothing left rather than hide the result of a write.
		out = make(entity.Object, len(obj))
		for k, v := range obj {
			out[k] = v
		}
		out["ttl"] = 0.0
	}
	return out
}

// shownPage returns page with each entity as responses show it, expired
// credentials left out as Kong leaves them out.
func shownPage(s *entity.Schema, page store.Page) store.Page {
	if !s.TTL {
		return page
	}
	now := time.Now()
	data := make([]entity.Object, 0, len(page.Data))
	for _, obj := range page.Data {
		if out, visible := s.Present(obj, now); visible {
			data = append(data, out)
		}
	}
	page.Data = data
	return page
}

// expired reports whether obj is a credential whose ttl has run out.
func expired(s *entity.Schema, obj entity.Object) bool {
	_, visible := s.Present(obj, time.Now())
	return !visible
}
