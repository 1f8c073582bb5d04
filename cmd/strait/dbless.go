package main

import (
	"context"
	"fmt"

	"github.com/straitgw/strait/internal/admin"
	"github.com/straitgw/strait/internal/config"
	"github.com/straitgw/strait/internal/dbless"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
	"github.com/straitgw/strait/internal/store/memory"
	"github.com/straitgw/strait/internal/store/sqlite"
)

// openStore opens the node's store: the SQLite file, or with database =
// off an in-memory store loaded from declarative_config (or
// declarative_config_string). The loader is nil with a database. An
// invalid declarative configuration stops the start with every problem
// found (entity, field, message).
func openStore(ctx context.Context, cfg *config.Config, reg *entity.Registry) (store.Store, *dbless.Loader, error) {
	if cfg.Database != "off" {
		st, err := sqlite.Open(ctx, cfg.SQLitePath, reg)
		if err != nil {
			return nil, nil, fmt.Errorf("opening store: %w", err)
		}
		return st, nil, nil
	}
	st := memory.New(reg)
	loader := dbless.New(st, reg)
	var err error
	switch {
	case cfg.DeclarativeConfig != "":
		_, err = loader.LoadFile(ctx, cfg.DeclarativeConfig)
	case cfg.DeclarativeConfigString != "":
		_, err = loader.Load(ctx, dbless.Source{Text: []byte(cfg.DeclarativeConfigString)})
		if err != nil {
			err = fmt.Errorf("declarative_config_string: %w", err)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("loading declarative configuration: %w", err)
	}
	return st, loader, nil
}

// withDeclarative wires /config and the configuration hash of /status to
// the loader of a database-less node; with a database it changes nothing.
func withDeclarative(opts admin.Options, loader *dbless.Loader) admin.Options {
	if loader != nil {
		opts.ConfigurationHash = loader.Hash
		opts.DeclarativeConfig = loader.Handler()
	}
	return opts
}
