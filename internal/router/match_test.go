package router

import (
	"net/http"
	"strings"
	"testing"
)

func mustRouter(t testing.TB, routes ...Route) *Router {
	t.Helper()
	r, err := New(routes)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// matchedID returns the id of the route req matches, or "" for none.
func matchedID(r *Router, req *Request) string {
	var m Match
	if !r.Match(req, &m) {
		return ""
	}
	return m.Route.ID
}

func TestPriority(t *testing.T) {
	tests := []struct {
		name   string
		routes []Route
		req    Request
		want   string
	}{
		{
			name: "hosts and paths beat a longer path alone",
			routes: []Route{
				{ID: "long", Paths: []string{"/x/long/path"}},
				{ID: "hostpath", Hosts: []string{"h.test"}, Paths: []string{"/x"}},
			},
			req:  Request{Host: "h.test", Path: "/x/long/path"},
			want: "hostpath",
		},
		{
			name: "regex beats prefix",
			routes: []Route{
				{ID: "prefix", Paths: []string{"/users/profile"}},
				{ID: "regex", Paths: []string{`~/users/\w+`}},
			},
			req:  Request{Path: "/users/profile"},
			want: "regex",
		},
		{
			name: "longer prefix wins",
			routes: []Route{
				{ID: "short", Paths: []string{"/api"}},
				{ID: "long", Paths: []string{"/api/v1"}},
			},
			req:  Request{Path: "/api/v1/users"},
			want: "long",
		},
		{
			name: "regex_priority orders regexes",
			routes: []Route{
				{ID: "ffff", Paths: []string{`~/a/\d+`}, RegexPriority: 1},
				{ID: "0000", Paths: []string{`~/a/.*`}, RegexPriority: 5},
			},
			req:  Request{Path: "/a/12"},
			want: "0000",
		},
		{
			name: "regex_priority is ignored for prefix paths",
			routes: []Route{
				{ID: "low", Paths: []string{"/abcd"}},
				{ID: "high", Paths: []string{"/abc"}, RegexPriority: 100},
			},
			req:  Request{Path: "/abcd"},
			want: "low",
		},
		{
			name: "ties go to the greater UUID",
			routes: []Route{
				{ID: "8a1c1c5e-0000-4000-8000-000000000001", Paths: []string{"/same"}},
				{ID: "8a1c1c5e-0000-4000-8000-000000000002", Paths: []string{"/same"}},
				{ID: "1a1c1c5e-0000-4000-8000-000000000003", Paths: []string{"/same"}},
			},
			req:  Request{Path: "/same"},
			want: "8a1c1c5e-0000-4000-8000-000000000002",
		},
		{
			name: "more headers win",
			routes: []Route{
				{ID: "one", Headers: map[string][]string{"x-a": {"1"}}},
				{ID: "two", Headers: map[string][]string{"x-a": {"1"}, "x-b": {"2"}}},
			},
			req:  Request{Path: "/", Headers: http.Header{"X-A": {"1"}, "X-B": {"2"}}},
			want: "two",
		},
		{
			name: "plain hosts beat wildcard hosts",
			routes: []Route{
				{ID: "ffff", Hosts: []string{"*.example.com"}},
				{ID: "0000", Hosts: []string{"api.example.com"}},
			},
			req:  Request{Host: "api.example.com", Path: "/"},
			want: "0000",
		},
		{
			name: "header count beats regex",
			routes: []Route{
				{ID: "regex", Paths: []string{`~/r`}, Methods: []string{"GET"}},
				{ID: "header", Paths: []string{"/r"}, Headers: map[string][]string{"x-a": {"1"}}},
			},
			req:  Request{Method: "GET", Path: "/r", Headers: http.Header{"X-A": {"1"}}},
			want: "header",
		},
		{
			name: "attribute count beats everything else",
			routes: []Route{
				{ID: "hosts", Hosts: []string{"h.test"}, Paths: []string{"/p/longer/path"}},
				{ID: "methods", Methods: []string{"GET"}, Hosts: []string{"*.test"}, Paths: []string{"/p"}},
			},
			req:  Request{Method: "GET", Host: "h.test", Path: "/p/longer/path"},
			want: "methods",
		},
		{
			name: "empty hosts array counts as plain hosts",
			routes: []Route{
				{ID: "ffff", Paths: []string{"/e"}},
				{ID: "0000", Paths: []string{"/e"}, Hosts: []string{}},
			},
			req:  Request{Path: "/e"},
			want: "0000",
		},
		{
			name: "a route with no matching field does not match",
			routes: []Route{
				{ID: "a", Paths: []string{"/a"}, Methods: []string{"POST"}},
			},
			req:  Request{Method: "GET", Path: "/a"},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRouter(t, tt.routes...)
			if got := matchedID(r, &tt.req); got != tt.want {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSplitPathGroups checks that a route's paths of different kinds or
// lengths are prioritised separately.
func TestSplitPathGroups(t *testing.T) {
	mixed := Route{ID: "mixed", Paths: []string{"/a", "~/b/\\d+", "/abcdef"}, StripPath: true}
	middle := Route{ID: "middle", Paths: []string{"/abc"}}
	r := mustRouter(t, mixed, middle)
	tests := []struct{ path, want, prefix string }{
		{"/abcdef/x", "mixed", "/abcdef"}, // long prefix group outranks /abc
		{"/abcd", "middle", ""},           // /abc outranks the /a group
		{"/ax", "mixed", "/a"},
		{"/b/12/c", "mixed", "/b/12"},
		{"/b/x", "", ""},
	}
	for _, tt := range tests {
		var m Match
		ok := r.Match(&Request{Path: tt.path}, &m)
		got := ""
		if ok {
			got = m.Route.ID
		}
		if got != tt.want || (ok && m.Prefix != tt.prefix) {
			t.Errorf("%s: matched %q prefix %q, want %q prefix %q", tt.path, got, m.Prefix, tt.want, tt.prefix)
		}
		if ok && got == "mixed" && m.Route != &r.routes[0] {
			t.Errorf("%s: Route does not point at the original route", tt.path)
		}
	}
	if got := splitGroupID("mixed", 1); got == splitGroupID("mixed", 2) || len(got) != 36 {
		t.Errorf("split ids not distinct UUIDs: %q", got)
	}
}

func TestHosts(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "wild-suffix", Hosts: []string{"*.example.com"}},
		Route{ID: "wild-prefix", Hosts: []string{"api.*"}},
		Route{ID: "exact", Hosts: []string{"Exact.test"}},
		Route{ID: "port", Hosts: []string{"ported.test:8443"}},
		Route{ID: "wild-port", Hosts: []string{"*.ported.test:9000"}},
	)
	tests := []struct {
		host string
		port int
		want string
	}{
		{"a.example.com", 8000, "wild-suffix"},
		{"a.b.example.com", 8000, "wild-suffix"},
		{"example.com", 8000, ""},
		{".example.com", 8000, ""},
		{"evil-example.com", 8000, ""},
		{"example.com.evil", 8000, ""},
		{"api.test", 80, "wild-prefix"},
		{"api.v2.test", 80, "wild-prefix"},
		{"apix.test", 80, ""},
		{"Exact.test", 80, "exact"},
		{"exact.test", 80, ""}, // host matching is case-sensitive
		{"ported.test", 8443, "port"},
		{"ported.test", 8000, ""},
		{"x.ported.test", 9000, "wild-port"},
		{"x.ported.test", 9001, ""},
	}
	for _, tt := range tests {
		got := matchedID(r, &Request{Host: tt.host, Port: tt.port, Path: "/"})
		if got != tt.want {
			t.Errorf("%s:%d matched %q, want %q", tt.host, tt.port, got, tt.want)
		}
	}
}

func TestPlainHostMatchesAnyPort(t *testing.T) {
	r := mustRouter(t, Route{ID: "h", Hosts: []string{"h.test"}, Paths: []string{"/"}})
	for _, port := range []int{80, 443, 8000, 12345} {
		if got := matchedID(r, &Request{Host: "h.test", Port: port, Path: "/x"}); got != "h" {
			t.Errorf("port %d: matched %q", port, got)
		}
	}
}

func TestHeaders(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "literal", Headers: map[string][]string{"X-Version": {"V1", "v2"}}},
		Route{ID: "regex", Headers: map[string][]string{"x_client": {`~*^Mobile-\d+$`}}},
	)
	tests := []struct {
		name    string
		headers http.Header
		want    string
	}{
		{"lower-case value", http.Header{"X-Version": {"v1"}}, "literal"},
		{"upper-case value", http.Header{"X-Version": {"V2"}}, "literal"},
		{"second value line", http.Header{"X-Version": {"v9", "v1"}}, "literal"},
		{"wrong value", http.Header{"X-Version": {"v3"}}, ""},
		{"no header", http.Header{}, ""},
		{"regex lower-cased", http.Header{"X-Client": {"MOBILE-42"}}, "regex"},
		{"regex mismatch", http.Header{"X-Client": {"mobile-x"}}, ""},
	}
	for _, tt := range tests {
		if got := matchedID(r, &Request{Path: "/", Headers: tt.headers}); got != tt.want {
			t.Errorf("%s: matched %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := matchedID(r, &Request{Path: "/"}); got != "" {
		t.Errorf("nil headers matched %q", got)
	}
}

func TestMethods(t *testing.T) {
	r := mustRouter(t, Route{ID: "m", Methods: []string{"GET", "POST"}, Paths: []string{"/m"}})
	tests := []struct{ method, want string }{
		{"GET", "m"}, {"POST", "m"}, {"PUT", ""}, {"get", ""},
	}
	for _, tt := range tests {
		if got := matchedID(r, &Request{Method: tt.method, Path: "/m"}); got != tt.want {
			t.Errorf("%s: matched %q, want %q", tt.method, got, tt.want)
		}
	}
}

func TestSNIsOnlyOverHTTPS(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "sni", SNIs: []string{"secure.test."}, Paths: []string{"/s"}},
		Route{ID: "wild", SNIs: []string{"*.wild.test"}, Paths: []string{"/w"}},
	)
	tests := []struct {
		scheme, sni, path, want string
	}{
		{"https", "secure.test", "/s", "sni"},
		{"https", "secure.test.", "/s", "sni"},
		{"https", "other.test", "/s", ""},
		{"https", "", "/s", ""},
		{"http", "", "/s", "sni"},
		{"http", "other.test", "/s", "sni"},
		{"https", "a.wild.test", "/w", "wild"},
		{"https", "wild.test", "/w", ""},
	}
	for _, tt := range tests {
		got := matchedID(r, &Request{Scheme: tt.scheme, SNI: tt.sni, Path: tt.path})
		if got != tt.want {
			t.Errorf("%s sni=%q %s: matched %q, want %q", tt.scheme, tt.sni, tt.path, got, tt.want)
		}
	}
}

func TestPathsMatching(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "prefix", Paths: []string{"/foo"}},
		Route{ID: "anchored", Paths: []string{`~/items/\d+$`}},
		Route{ID: "start-only", Paths: []string{`~/v\d`}},
		Route{ID: "alternation", Paths: []string{`~/x|/y`}},
	)
	tests := []struct{ path, want string }{
		{"/foo", "prefix"},
		{"/foobar", "prefix"},
		{"/fo", ""},
		{"/items/12", "anchored"},
		{"/items/12/x", ""},
		{"/a/items/12", ""},
		{"/v1/anything", "start-only"},
		{"/a/v1", ""},
		{"/y/z", "alternation"},
		{"/z/y", ""}, // the whole alternation is anchored
		{"//foo/./bar", "prefix"},
		{"/%66oo", "prefix"},
	}
	for _, tt := range tests {
		if got := matchedID(r, &Request{Path: tt.path}); got != tt.want {
			t.Errorf("%s: matched %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestBypassCorpusRouting checks that every disguised form of /admin is
// routed to the /admin route, and that the encoded-slash forms Kong keeps
// as one segment stay on /api.
func TestBypassCorpusRouting(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "api", Paths: []string{"/api"}},
		Route{ID: "admin", Paths: []string{"/admin"}},
	)
	tests := []struct{ path, want string }{
		{"/api/../admin", "admin"},
		{"/api/./../admin", "admin"},
		{"/api/%2e%2e/admin", "admin"},
		{"/api/%2E%2E/admin", "admin"},
		{"/api/.%2e/admin", "admin"},
		{"/api/%2e./admin", "admin"},
		{"//admin", "admin"},
		{"///admin", "admin"},
		{"/./admin", "admin"},
		{"/admin/.", "admin"},
		{"/%61dmin", "admin"},
		{"/api#/../admin", "admin"},
		{"/api%2f..%2fadmin", "api"},
		{"/api%2F..%2Fadmin", "api"},
		{"/api/..%2fadmin", "api"},
		{"/%2561dmin", ""},
		{"/ADMIN", ""},
		{"/%c0%ae%c0%ae/admin", ""},
		{"/\uff0561dmin", ""},
	}
	for _, tt := range tests {
		if got := matchedID(r, &Request{Path: tt.path}); got != tt.want {
			t.Errorf("%s: matched %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestNewRejectsBadRegex(t *testing.T) {
	_, err := New([]Route{{ID: "r-1", Name: "bad", Paths: []string{"~/a(b"}}})
	if err == nil || !strings.Contains(err.Error(), `"bad"`) || !strings.Contains(err.Error(), "~/a(b") {
		t.Fatalf("err = %v, want one naming the route and path", err)
	}
	// A regex must not escape the anchoring group.
	_, err = New([]Route{{ID: "r-3", Paths: []string{"~/a)|(.*"}}})
	if err == nil {
		t.Fatal("unbalanced regex accepted")
	}
	_, err = New([]Route{{ID: "r-2", Headers: map[string][]string{"x": {"~*["}}}})
	if err == nil || !strings.Contains(err.Error(), "r-2") {
		t.Fatalf("err = %v, want one naming the route", err)
	}
}

func TestStreamRoutesAreLeftOut(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "tcp", Protocols: []string{"tcp", "tls"}, SNIs: []string{"a.test"}},
		Route{ID: "http", Protocols: []string{"http", "https"}, Paths: []string{"/"}},
	)
	if r.Len() != 1 {
		t.Fatalf("Len = %d, want 1", r.Len())
	}
	if got := matchedID(r, &Request{Scheme: "https", SNI: "a.test", Path: "/"}); got != "http" {
		t.Errorf("matched %q", got)
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	r := mustRouter(t,
		Route{ID: "p", Paths: []string{"/api/v1"}, StripPath: true},
		Route{ID: "h", Hosts: []string{"h.test"}, Paths: []string{"/"}},
		Route{ID: "hdr", Headers: map[string][]string{"x-env": {"prod"}}, Paths: []string{"/env"}},
	)
	reqs := []*Request{
		{Method: "GET", Path: "/api/v1/users"},
		{Method: "GET", Host: "h.test", Path: "/anything"},
		{Method: "GET", Path: "/env", Headers: http.Header{"X-Env": {"PROD"}}},
	}
	var m Match
	for _, req := range reqs {
		allocs := testing.AllocsPerRun(100, func() {
			if !r.Match(req, &m) {
				t.Fatalf("no match for %+v", req)
			}
		})
		if allocs != 0 {
			t.Errorf("Match(%s) allocated %v times", req.Path, allocs)
		}
	}
}

func TestMatchIsSafeForConcurrentUse(t *testing.T) {
	r := mustRouter(t, mixedRoutes(600)...)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			var m Match
			for i := 0; i < 500; i++ {
				req := &Request{Method: "GET", Path: "/res303/" + strings.Repeat("7", i%5+1)}
				if !r.Match(req, &m) || m.Route.ID != "00000000-0000-4000-8000-000000000303" || m.Captures[1] == "" {
					t.Errorf("request %s: wrong match %+v", req.Path, m)
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
