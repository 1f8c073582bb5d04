package cors

import "github.com/straitgw/strait/internal/plugin"

// maxHeaders bounds the headers one decision produces.
const maxHeaders = 8

// headerSet collects the response headers of one decision without
// allocating: a later set of the same name replaces the value, and Vary
// is recorded once.
type headerSet struct {
	h      [maxHeaders]plugin.Header
	n      int
	varied bool
}

// set records name: value; an empty value means "remove the header".
func (s *headerSet) set(name, value string) {
	for i := 0; i < s.n; i++ {
		if s.h[i].Name == name {
			s.h[i].Value = value
			return
		}
	}
	s.h[s.n] = plugin.Header{Name: name, Value: value}
	s.n++
}

// vary records Vary: Origin.
func (s *headerSet) vary() {
	if !s.varied {
		s.varied = true
		s.set(hVary, hOrigin)
	}
}

// list returns the recorded headers, removals (empty values) included.
func (s *headerSet) list() []plugin.Header { return s.h[:s.n] }

// present returns the recorded headers that have a value, for a
// response built from scratch.
func (s *headerSet) present() []plugin.Header {
	kept := s.h[:0]
	for _, hd := range s.h[:s.n] {
		if hd.Value != "" {
			kept = append(kept, hd)
		}
	}
	s.n = len(kept)
	return kept
}
