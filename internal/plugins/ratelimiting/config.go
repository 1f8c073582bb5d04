package ratelimiting

import (
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"
)

// Config is the typed configuration of one instance.
type Config struct {
	Second            *float64    `json:"second"`
	Minute            *float64    `json:"minute"`
	Hour              *float64    `json:"hour"`
	Day               *float64    `json:"day"`
	Month             *float64    `json:"month"`
	Year              *float64    `json:"year"`
	LimitBy           string      `json:"limit_by"`
	HeaderName        *string     `json:"header_name"`
	Path              *string     `json:"path"`
	Policy            string      `json:"policy"`
	FaultTolerant     bool        `json:"fault_tolerant"`
	Redis             RedisConfig `json:"redis"`
	HideClientHeaders bool        `json:"hide_client_headers"`
	ErrorCode         float64     `json:"error_code"`
	ErrorMessage      *string     `json:"error_message"`
	SyncRate          float64     `json:"sync_rate"`
	WindowType        string      `json:"window_type"`
}

// RedisConfig is the redis record of the configuration.
type RedisConfig struct {
	Host       *string `json:"host"`
	Port       *int    `json:"port"`
	Timeout    *int    `json:"timeout"`
	Username   *string `json:"username"`
	Password   *string `json:"password"`
	Database   int     `json:"database"`
	SSL        bool    `json:"ssl"`
	SSLVerify  bool    `json:"ssl_verify"`
	ServerName *string `json:"server_name"`
}

// limitBy modes.
const (
	byConsumer = iota
	byCredential
	byIP
	byService
	byHeader
	byPath
)

var limitByModes = map[string]int{
	"consumer": byConsumer, "credential": byCredential, "ip": byIP,
	"service": byService, "header": byHeader, "path": byPath,
}

// limit is one configured window.
type limit struct {
	period period
	max    float64
	// limitHeader and remainingHeader are X-RateLimit-Limit-<Window> and
	// X-RateLimit-Remaining-<Window>.
	limitHeader, remainingHeader string
	// maxText is max as the headers print it.
	maxText string
}

// compiled is a validated configuration in the form requests use.
type compiled struct {
	limits       []limit
	limitBy      int
	headerName   string
	path         string
	sliding      bool
	hideHeaders  bool
	errorCode    int
	errorMessage string
}

// compile validates cfg and precomputes what requests need.
func compile(cfg Config) (*compiled, error) {
	c := &compiled{
		sliding:     cfg.WindowType == windowSliding,
		hideHeaders: cfg.HideClientHeaders,
		errorCode:   int(cfg.ErrorCode),
	}
	if c.errorCode <= 0 {
		c.errorCode = 429
	}
	if cfg.ErrorMessage != nil {
		c.errorMessage = *cfg.ErrorMessage
	}
	for i, v := range []*float64{cfg.Second, cfg.Minute, cfg.Hour, cfg.Day, cfg.Month, cfg.Year} {
		if v == nil {
			continue
		}
		if *v <= 0 {
			return nil, fmt.Errorf("rate-limiting: limit for %s must be greater than 0", windowNames[i])
		}
		p := periods[i]
		c.limits = append(c.limits, limit{period: p, max: *v, maxText: formatNumber(*v),
			limitHeader:     "X-RateLimit-Limit-" + p.title,
			remainingHeader: "X-RateLimit-Remaining-" + p.title})
	}
	if len(c.limits) == 0 {
		return nil, errors.New("rate-limiting: " + msgAtLeastOneWindow)
	}
	mode, ok := limitByModes[cfg.LimitBy]
	if !ok {
		return nil, fmt.Errorf("rate-limiting: unknown limit_by %q", cfg.LimitBy)
	}
	c.limitBy = mode
	switch {
	case mode == byHeader && (cfg.HeaderName == nil || *cfg.HeaderName == ""):
		return nil, errors.New("rate-limiting: limit_by header needs header_name")
	case mode == byHeader:
		c.headerName = textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(*cfg.HeaderName, "_", "-"))
	case mode == byPath && (cfg.Path == nil || *cfg.Path == ""):
		return nil, errors.New("rate-limiting: limit_by path needs path")
	case mode == byPath:
		c.path = *cfg.Path
	}
	return c, nil
}

// redisTimeout is the redis.timeout as a duration (2 s when unset).
func (r RedisConfig) redisTimeout() time.Duration {
	if r.Timeout == nil || *r.Timeout <= 0 {
		return 2 * time.Second
	}
	return time.Duration(*r.Timeout) * time.Millisecond
}
