package plugin

import (
	"log/slog"

	"github.com/straitgw/strait/internal/entity"
)

// Instance is one plugin entity of a configuration, as the snapshot
// compiler hands it to Compile.
type Instance struct {
	ID   string
	Name string
	// RouteID, ServiceID and ConsumerID scope the instance; "" is unset.
	RouteID    string
	ServiceID  string
	ConsumerID string
	Enabled    bool
	// Protocols is the instance's protocols field; nil means the
	// plugin's default.
	Protocols []string
	// Config is the instance's config object as stored.
	Config entity.Object
}

// Configured is a plugin instance ready to run: its entity, the plugin it
// belongs to and the handler built from its config. It is immutable and
// shared by all requests of a configuration.
type Configured struct {
	Instance
	Plugin  Plugin
	Handler Handler

	level          Level
	certificater   Certificater
	rewriter       Rewriter
	accesser       Accesser
	headerFilterer HeaderFilterer
	bodyFilterer   BodyFilterer
	logger         Logger
	blocking       bool // the handler may wait (see NonBlocking)
}

// Blocking reports whether the instance's phases may wait.
func (c *Configured) Blocking() bool { return c.blocking }

// Level is the instance's precedence level.
func (c *Configured) Level() Level { return c.level }

// newConfigured builds the handler of inst and caches its phase methods so
// that requests never type-assert. Plugins implementing InstanceFactory
// are built with the instance's identity and log.
func newConfigured(p Plugin, inst Instance, log *slog.Logger) (*Configured, error) {
	config := FillDefaults(p.ConfigSchema(), inst.Config)
	var h Handler
	var err error
	if f, ok := p.(InstanceFactory); ok {
		h, err = f.NewInstance(Build{Instance: inst, Config: config, Logger: log})
	} else {
		h, err = p.New(config)
	}
	if err != nil {
		return nil, err
	}
	c := &Configured{
		Instance: inst,
		Plugin:   p,
		Handler:  h,
		level:    levelOf(inst.RouteID, inst.ServiceID, inst.ConsumerID),
	}
	c.certificater, _ = h.(Certificater)
	c.rewriter, _ = h.(Rewriter)
	c.accesser, _ = h.(Accesser)
	c.headerFilterer, _ = h.(HeaderFilterer)
	c.bodyFilterer, _ = h.(BodyFilterer)
	c.logger, _ = h.(Logger)
	nb, ok := h.(NonBlocking)
	c.blocking = !ok || !nb.NonBlocking()
	return c, nil
}
