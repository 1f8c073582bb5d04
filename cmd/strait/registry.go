package main

import (
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/bundled"
)

// registries builds what a node serves: the core entity schemas plus the
// bundled plugins and their credential entities.
func registries() (*entity.Registry, *plugin.Registry, error) {
	plugins, err := bundled.Registry()
	if err != nil {
		return nil, nil, fmt.Errorf("loading the bundled plugins: %w", err)
	}
	reg := entity.Core()
	bundled.Install(reg, plugins)
	return reg, plugins, nil
}
