package dns

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// hostsTable is an immutable parse of a hosts file.
type hostsTable struct {
	byName  map[string][]netip.Addr
	modTime time.Time
	size    int64
}

// hostsFile serves lookups from a hosts file, re-reading it when its
// modification time or size changed, checked at most once per interval.
type hostsFile struct {
	path     string
	interval time.Duration

	table     atomic.Pointer[hostsTable]
	nextCheck atomic.Int64 // unix nanoseconds
	mu        sync.Mutex   // serialises reloads
}

func newHostsFile(path string, interval time.Duration) *hostsFile {
	h := &hostsFile{path: path, interval: interval}
	h.table.Store(&hostsTable{}) // loaded by the first lookup
	return h
}

// lookup returns the addresses listed for name (lower-case, no trailing dot).
func (h *hostsFile) lookup(name string, now time.Time) []netip.Addr {
	if h.path == "" {
		return nil
	}
	if now.UnixNano() >= h.nextCheck.Load() {
		h.reload(now)
	}
	return h.table.Load().byName[name]
}

func (h *hostsFile) reload(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.UnixNano() < h.nextCheck.Load() {
		return
	}
	h.nextCheck.Store(now.Add(h.interval).UnixNano())
	if h.path == "" {
		return
	}
	info, err := os.Stat(h.path)
	if err != nil {
		h.table.Store(&hostsTable{})
		return
	}
	cur := h.table.Load()
	if cur.byName != nil && info.ModTime().Equal(cur.modTime) && info.Size() == cur.size {
		return
	}
	data, err := os.ReadFile(h.path)
	if err != nil {
		return // keep the previous table
	}
	h.table.Store(&hostsTable{byName: parseHosts(data), modTime: info.ModTime(), size: info.Size()})
}

// parseHosts parses hosts-file syntax: "address name [aliases...]",
// '#' starts a comment. Names are stored lower-case.
func parseHosts(data []byte) map[string][]netip.Addr {
	out := make(map[string][]netip.Addr)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(fields[0])
		if err != nil {
			continue
		}
		addr = addr.WithZone("")
		for _, name := range fields[1:] {
			name = strings.TrimSuffix(strings.ToLower(name), ".")
			if !containsAddr(out[name], addr) {
				out[name] = append(out[name], addr)
			}
		}
	}
	return out
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
