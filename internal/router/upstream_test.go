package router

import "testing"

// TestUpstreamPathWorkedExamples runs the v0 worked examples through a real
// router: route path "/foo" with strip_path true unless noted.
func TestUpstreamPathWorkedExamples(t *testing.T) {
	tests := []struct {
		name        string
		routePath   string
		strip       bool
		servicePath string // "" = null
		request     string
		want        string
	}{
		{"null strip sub path", "/foo", true, "", "/foo/bar", "/bar"},
		{"null strip exact", "/foo", true, "", "/foo", "/"},
		{"null strip trailing slash", "/foo", true, "", "/foo/", "/"},
		{"null strip plain prefix", "/foo", true, "", "/foobar", "/bar"},
		{"null no strip", "/foo", false, "", "/foo/bar", "/foo/bar"},
		{"svc strip sub path", "/foo", true, "/svc", "/foo/bar", "/svc/bar"},
		{"svc strip exact", "/foo", true, "/svc", "/foo", "/svc"},
		{"svc strip plain prefix", "/foo", true, "/svc", "/foobar", "/svc/bar"},
		{"svc no strip", "/foo", false, "/svc", "/foo/bar", "/svc/foo/bar"},
		{"svc no strip root route", "/", false, "/svc", "/", "/svc"},
		{"svc/ strip exact", "/foo", true, "/svc/", "/foo", "/svc"},
		{"svc/ strip sub path", "/foo", true, "/svc/", "/foo/bar", "/svc/bar"},
		{"svc/ strip route with slash", "/foo/", true, "/svc/", "/foo/", "/svc/"},
		{"svc/ no strip", "/foo", false, "/svc/", "/foo/bar", "/svc/foo/bar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRouter(t, Route{ID: "r1", Paths: []string{tt.routePath}, StripPath: tt.strip})
			var m Match
			if !r.Match(&Request{Method: "GET", Path: tt.request}, &m) {
				t.Fatalf("no match for %q", tt.request)
			}
			if got := m.UpstreamPath(tt.servicePath); got != tt.want {
				t.Errorf("UpstreamPath(%q) = %q, want %q", tt.servicePath, got, tt.want)
			}
		})
	}
}

// TestUpstreamPathV0Table covers every row of the v0 decision table.
func TestUpstreamPathV0Table(t *testing.T) {
	tests := []struct {
		base, req, prefix string
		strip             bool
		want              string
	}{
		// base ends with "/", strip, empty postfix.
		{"/", "/foo", "/foo", true, "/"},
		{"/svc/", "/foo/", "/foo/", true, "/svc/"},
		{"/svc/", "/foo", "/foo", true, "/svc"},
		// base ends with "/", strip, postfix starting with "/".
		{"/svc/", "/foo/bar", "/foo", true, "/svc/bar"},
		// base ends with "/", strip, other postfix.
		{"/svc/", "/foo/bar", "/foo/", true, "/svc/bar"},
		{"/svc/", "/foobar", "/foo", true, "/svc/bar"},
		// base ends with "/", no strip.
		{"/svc/", "/foo/bar", "", false, "/svc/foo/bar"},
		{"/", "/", "", false, "/"},
		// base without trailing "/", strip, empty postfix.
		{"/svc", "/foo/", "/foo/", true, "/svc/"},
		{"/svc", "/foo", "/foo", true, "/svc"},
		{"/svc", "/", "/", true, "/svc"},
		// base without trailing "/", strip, postfix starting with "/".
		{"/svc", "/foo/bar", "/foo", true, "/svc/bar"},
		// base without trailing "/", strip, other postfix.
		{"/svc", "/foo/bar", "/foo/", true, "/svc/bar"},
		// base without trailing "/", no strip.
		{"/svc", "/", "", false, "/svc"},
		{"/svc", "/foo", "", false, "/svc/foo"},
		// postfix sanitising: leading "./" and "../" dropped, "."/".." emptied.
		{"/svc", "/foo./bar", "/foo", true, "/svc/bar"},
		{"/svc", "/foo../bar", "/foo", true, "/svc/bar"},
		{"/svc", "/foo..", "/foo", true, "/svc"},
		{"/svc", "/foo.", "/foo", true, "/svc"},
		// empty base means "/".
		{"", "/foo/bar", "/foo", true, "/bar"},
		{"", "/foo/bar", "", false, "/foo/bar"},
	}
	for _, tt := range tests {
		a, b, c := upstreamPathV0(tt.base, tt.req, tt.prefix, tt.strip)
		if got := a + b + c; got != tt.want {
			t.Errorf("upstreamPathV0(%q, %q, %q, %v) = %q, want %q",
				tt.base, tt.req, tt.prefix, tt.strip, a+b+c, tt.want)
		}
	}
}

func TestUpstreamPathEscapes(t *testing.T) {
	r := mustRouter(t, Route{ID: "r1", Paths: []string{"/"}})
	tests := []struct{ request, want string }{
		{"/a%20b", "/a%20b"},
		{"/a b", "/a%20b"},
		{"/%e2%82%ac", "/%E2%82%AC"},
		{"/a%2Fb", "/a%2Fb"},
		{`/a\b`, "/a%5Cb"},
		{"/a%22b%3Cc%3e", "/a%22b%3Cc%3E"},
		{"/!$&'()*+,;=:@[]~-._", "/!$&'()*+,;=:@[]~-._"},
	}
	for _, tt := range tests {
		var m Match
		if !r.Match(&Request{Path: tt.request}, &m) {
			t.Fatalf("no match for %q", tt.request)
		}
		if got := m.UpstreamPath(""); got != tt.want {
			t.Errorf("UpstreamPath for %q = %q, want %q", tt.request, got, tt.want)
		}
	}
}

func TestUpstreamPathRegexStrip(t *testing.T) {
	r := mustRouter(t, Route{ID: "r1", Paths: []string{`~/v\d+/(?<res>\w+)`}, StripPath: true})
	var m Match
	if !r.Match(&Request{Path: "/v2/users/42"}, &m) {
		t.Fatal("no match")
	}
	if m.Prefix != "/v2/users" || !m.Stripped() {
		t.Errorf("Prefix = %q (stripped %v), want /v2/users", m.Prefix, m.Stripped())
	}
	if got := m.UpstreamPath("/svc"); got != "/svc/42" {
		t.Errorf("UpstreamPath = %q, want /svc/42", got)
	}
	if len(m.Captures) != 2 || m.Captures[1] != "users" || m.CaptureNames[1] != "res" {
		t.Errorf("captures = %q names %q", m.Captures, m.CaptureNames)
	}
}

func TestRouteWithoutPathsDoesNotStrip(t *testing.T) {
	r := mustRouter(t, Route{ID: "r1", Hosts: []string{"h.test"}, StripPath: true})
	var m Match
	if !r.Match(&Request{Host: "h.test", Path: "/foo/bar"}, &m) {
		t.Fatal("no match")
	}
	if m.Prefix != "" || m.Stripped() {
		t.Errorf("Prefix = %q stripped %v, want none", m.Prefix, m.Stripped())
	}
	for _, tc := range []struct{ svc, want string }{
		{"", "/foo/bar"}, {"/svc", "/svc/foo/bar"}, {"/svc/", "/svc/foo/bar"},
	} {
		if got := m.UpstreamPath(tc.svc); got != tc.want {
			t.Errorf("UpstreamPath(%q) = %q, want %q", tc.svc, got, tc.want)
		}
	}
}
