package balancer

import (
	"strings"
)

// HealthStatus is a health value as the Admin API reports it.
type HealthStatus string

// Health values.
const (
	Healthy         HealthStatus = "HEALTHY"
	Unhealthy       HealthStatus = "UNHEALTHY"
	HealthchecksOff HealthStatus = "HEALTHCHECKS_OFF"
	DNSErrorStatus  HealthStatus = "DNS_ERROR"
)

// MetricState is the value's label in kong_upstream_target_health
// (healthchecks_off, healthy, unhealthy, dns_error).
func (h HealthStatus) MetricState() string { return strings.ToLower(string(h)) }

// WeightReport sums the weights of addresses.
type WeightReport struct {
	Total       int `json:"total"`
	Available   int `json:"available"`
	Unavailable int `json:"unavailable"`
}

// AddressHealth is one resolved address of a target.
type AddressHealth struct {
	IP     string       `json:"ip"`
	Port   int          `json:"port"`
	Weight int          `json:"weight"`
	Health HealthStatus `json:"health"`
}

// TargetData is the "data" object of a target in GET
// /upstreams/{u}/health, and one of the "hosts" of the balancer_health
// details.
type TargetData struct {
	Host       string          `json:"host"`
	Port       int             `json:"port"`
	DNS        string          `json:"dns"`
	NodeWeight int             `json:"nodeWeight"`
	Weight     WeightReport    `json:"weight"`
	Addresses  []AddressHealth `json:"addresses"`
}

// TargetHealth is the health of one target. The Admin API merges it with
// the stored target entity: the entity's fields plus "health" and "data".
type TargetHealth struct {
	// TargetID is the target entity's id; Target its host:port.
	TargetID string       `json:"-"`
	Target   string       `json:"-"`
	Health   HealthStatus `json:"health"`
	Data     TargetData   `json:"data"`
}

// UpstreamHealth is the health of one upstream.
type UpstreamHealth struct {
	ID   string
	Name string
	// Health is HEALTHCHECKS_OFF when no check is configured, else the
	// balancer health.
	Health HealthStatus
	// BalancerHealth is HEALTHY or UNHEALTHY by the threshold rule.
	BalancerHealth HealthStatus
	// Weight sums the pickable addresses (weight > 0 targets).
	Weight  WeightReport
	Targets []TargetHealth
}

// Details is the "details" object of GET
// /upstreams/{u}/health?balancer_health=1.
func (u UpstreamHealth) Details() map[string]any {
	hosts := make([]TargetData, 0, len(u.Targets))
	for _, t := range u.Targets {
		hosts = append(hosts, t.Data)
	}
	return map[string]any{"healthy": u.BalancerHealth == Healthy, "weight": u.Weight, "hosts": hosts}
}

// Health reports the upstream's health, target by target.
func (b *Balancer) Health() UpstreamHealth {
	s := b.st.Load()
	checks := s.cfg.health.enabled()
	u := UpstreamHealth{ID: s.cfg.id, Name: s.cfg.name, BalancerHealth: Unhealthy,
		Targets: make([]TargetHealth, 0, len(s.targets))}
	if s.healthy() {
		u.BalancerHealth = Healthy
	}
	u.Health = u.BalancerHealth
	if !checks {
		u.Health = HealthchecksOff
	}
	u.Weight.Total, u.Weight.Available = s.weights()
	u.Weight.Unavailable = u.Weight.Total - u.Weight.Available
	for i := range s.targets {
		u.Targets = append(u.Targets, targetHealth(&s.targets[i], checks))
	}
	return u
}

func targetHealth(v *targetView, checks bool) TargetHealth {
	t := TargetHealth{TargetID: v.spec.id, Target: v.spec.target}
	d := TargetData{Host: v.spec.host, Port: v.spec.port, NodeWeight: v.spec.weight,
		Addresses: make([]AddressHealth, 0, len(v.addrs))}
	switch {
	case len(v.addrs) == 0 && v.dnsErr != nil:
		d.DNS = v.dnsErr.Error()
	case len(v.addrs) > 0 && v.addrs[0].IP.Is6():
		d.DNS = "AAAA"
	default:
		d.DNS = "A"
	}
	healthyCount := 0
	for _, a := range v.addrs {
		h := a.ep.healthy.Load()
		status := HealthchecksOff
		if checks && v.spec.weight > 0 {
			status = Unhealthy
			if h {
				status = Healthy
			}
		}
		if h {
			healthyCount++
		}
		d.Addresses = append(d.Addresses, AddressHealth{IP: a.IP.String(), Port: a.Port,
			Weight: v.spec.weight, Health: status})
	}
	d.Weight.Total = v.spec.weight * len(v.addrs)
	d.Weight.Available = v.spec.weight * healthyCount
	d.Weight.Unavailable = d.Weight.Total - d.Weight.Available
	t.Data = d
	switch {
	case len(v.addrs) == 0 && v.dnsErr != nil:
		t.Health = DNSErrorStatus
	case !checks || v.spec.weight == 0:
		t.Health = HealthchecksOff
	case healthyCount > 0:
		t.Health = Healthy
	default:
		t.Health = Unhealthy
	}
	return t
}
