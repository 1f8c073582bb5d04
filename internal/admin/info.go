package admin

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/straitgw/strait/internal/store"
)

// info serves GET /: node identity, plugins and effective configuration.
func (a *API) info(rc *request) error {
	enabled, err := a.pluginsInUse(rc.r.Context())
	if err != nil {
		return err
	}
	available := make(map[string]any, len(a.opts.Plugins))
	for name, prio := range a.opts.Plugins {
		available[name] = map[string]any{"version": a.opts.Version, "priority": prio}
	}
	conf := make(map[string]any, len(a.opts.Configuration)+2)
	maps.Copy(conf, a.opts.Configuration)
	conf["database"] = a.opts.Database
	conf["router_flavor"] = "traditional_compatible"
	pid := os.Getpid()
	writeJSON(rc.w, http.StatusOK, map[string]any{
		"tagline":     "Welcome to kong",
		"version":     a.opts.Version,
		"edition":     "community",
		"hostname":    a.opts.Hostname,
		"node_id":     a.opts.NodeID,
		"lua_version": runtime.Version(),
		"timers":      map[string]any{"running": 0, "pending": 0},
		"pids":        map[string]any{"master": pid, "workers": []int{pid}},
		"plugins": map[string]any{
			"available_on_server": available,
			"enabled_in_cluster":  enabled,
		},
		"configuration": conf,
	})
	return nil
}

// pluginsInUse returns the sorted distinct names of stored plugins.
func (a *API) pluginsInUse(ctx context.Context) ([]string, error) {
	names := []string{}
	s := a.reg.Get("plugins")
	if s == nil {
		return names, nil
	}
	all, err := a.st.All(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("list plugins: %w", err)
	}
	seen := map[string]bool{}
	for _, p := range all {
		if n, ok := p["name"].(string); ok && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// enabledPlugins serves GET /plugins/enabled.
func (a *API) enabledPlugins(rc *request) error {
	names := make([]string, 0, len(a.opts.Plugins))
	for n := range a.opts.Plugins {
		names = append(names, n)
	}
	sort.Strings(names)
	writeJSON(rc.w, http.StatusOK, map[string]any{"enabled_plugins": names})
	return nil
}

// status serves GET /status with memory figures formatted by the unit and
// scale arguments.
func (a *API) status(rc *request) error {
	q, err := rc.query()
	if err != nil {
		return err
	}
	unit := strings.ToLower(q.Get("unit"))
	if unit == "" {
		unit = "m"
	}
	if !strings.Contains("bkmg", unit) || len(unit) != 1 {
		return message(http.StatusBadRequest, "invalid unit '"+q.Get("unit")+"' (expected 'k/K', 'm/M', or 'g/G')")
	}
	scale := 2
	if s := q.Get("scale"); s != "" {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			if v < 0 {
				return message(http.StatusBadRequest, "scale must be equal or greater than 0")
			}
			scale = int(v)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := map[string]any{
		"memory": map[string]any{
			"workers_lua_vms": []any{map[string]any{
				"http_allocated_gc": formatBytes(ms.HeapAlloc, unit, scale),
				"pid":               os.Getpid(),
			}},
			"lua_shared_dicts": map[string]any{},
		},
		"server": a.serverStats(),
	}
	if a.opts.Database == "off" {
		hash := strings.Repeat("0", 32)
		if a.opts.ConfigurationHash != nil {
			hash = a.opts.ConfigurationHash()
		}
		out["configuration_hash"] = hash
	} else {
		out["database"] = map[string]any{"reachable": a.reachable(rc.r.Context())}
	}
	writeJSON(rc.w, http.StatusOK, out)
	return nil
}

// listOne asks for a single row.
var listOne = store.ListOptions{Size: 1}

// reachable probes the store with a one-row read.
func (a *API) reachable(ctx context.Context) bool {
	all := a.reg.All()
	if len(all) == 0 {
		return true
	}
	_, err := a.st.List(ctx, all[0], listOne)
	return err == nil
}

func (a *API) serverStats() map[string]any {
	var st ServerStats
	if a.opts.ServerStats != nil {
		st = a.opts.ServerStats()
	} else {
		st.TotalRequests = a.requests.Load()
	}
	return map[string]any{
		"connections_accepted": st.ConnectionsAccepted,
		"connections_active":   st.ConnectionsActive,
		"connections_handled":  st.ConnectionsHandled,
		"connections_reading":  st.ConnectionsReading,
		"connections_waiting":  st.ConnectionsWaiting,
		"connections_writing":  st.ConnectionsWriting,
		"total_requests":       st.TotalRequests,
	}
}

// formatBytes renders n in unit (b, k, m, g) with scale decimals: "1.50 MiB";
// unit b gives the plain byte count.
func formatBytes(n uint64, unit string, scale int) any {
	var div float64
	var suffix string
	switch unit {
	case "k":
		div, suffix = 1<<10, "KiB"
	case "m":
		div, suffix = 1<<20, "MiB"
	case "g":
		div, suffix = 1<<30, "GiB"
	default:
		return n
	}
	return strconv.FormatFloat(float64(n)/div, 'f', scale, 64) + " " + suffix
}
