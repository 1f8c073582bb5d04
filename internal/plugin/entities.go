package plugin

import "encoding/json"

// RouteInfo is the part of a route entity plugins read. The engine builds
// one per route when a configuration is compiled and shares it between
// requests, so plugins must treat it as read-only.
type RouteInfo struct {
	ID        string
	Name      string
	Protocols []string
	Tags      []string
	// JSON is the route entity as the Admin API returns it; it is what the
	// log serializer emits under "route".
	JSON json.RawMessage
}

// MarshalJSON emits the stored entity JSON, or null when there is none.
func (r *RouteInfo) MarshalJSON() ([]byte, error) { return rawOrNull(r.JSON), nil }

// ServiceInfo is the part of a service entity plugins read; shared and
// read-only like RouteInfo.
type ServiceInfo struct {
	ID       string
	Name     string
	Protocol string
	Host     string
	Port     int
	Path     string
	Tags     []string
	// JSON is the service entity as the Admin API returns it.
	JSON json.RawMessage
}

// MarshalJSON emits the stored entity JSON, or null when there is none.
func (s *ServiceInfo) MarshalJSON() ([]byte, error) { return rawOrNull(s.JSON), nil }

// Consumer is an authenticated consumer; shared and read-only.
type Consumer struct {
	ID       string
	Username string
	CustomID string
	Tags     []string
	// JSON is the consumer entity as the Admin API returns it.
	JSON json.RawMessage
}

// MarshalJSON emits the stored entity JSON, or null when there is none.
func (c *Consumer) MarshalJSON() ([]byte, error) { return rawOrNull(c.JSON), nil }

// Credential identifies the credential that authenticated a consumer. Its
// JSON form is the log serializer's "authenticated_entity".
type Credential struct {
	ID         string `json:"id"`
	ConsumerID string `json:"consumer_id"`
}

func rawOrNull(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return []byte("null")
	}
	return raw
}
