package memory

import (
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, reg *entity.Registry) store.Store {
		return New(reg)
	})
}
